// sequence: when a trigger happens (a phrase or regex in a message of a role,
// or an event such as "transfer"), a response must (or must not) follow
// within N messages of the response role and/or T seconds.
//
//   customer complains            -> agent apologises within 2 agent messages
//   agent asks the customer to wait -> a reason in the same or previous agent message
//   agent asks the customer to wait -> agent comes back within 120 s and thanks them
//
// A trigger that comes while an earlier trigger's expectation is still
// unresolved (the customer complains twice in a row) joins that expectation
// instead of opening a new one, so one missed apology is one finding.
//
// Live scoring (session not closed): a must_follow expectation whose window
// is still open is pending, not failed.
#include <algorithm>
#include <cstring>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

// One side of a sequence: phrases / regexes in messages of some roles, or an event.
struct Side {
  RoleMask roles;
  std::optional<std::uint32_t> group;  // null: any message of `roles` (responses only)
  std::optional<std::uint32_t> allow;
  std::string event;  // non-empty: a message with this event
  std::string text;   // for explanations: "投诉 / 太慢了" or "event transfer"
  // Trigger only: "with" — the trigger counts only when this group also
  // matches in the trigger message itself or in one of the last
  // `with_look_back` messages of `with_roles` before it ("请稍等" is a hold
  // only when the agent says what they go to do: "我帮您查一下").
  std::optional<std::uint32_t> with;
  RoleMask with_roles;
  long with_look_back = 0;

  bool any_message() const { return !group && event.empty(); }
  // Counted by within_messages: messages of the side's roles.
  bool counts(const Message& m) const { return roles.has(m.role); }
};

class SequenceCheck final : public ResumableCheck<SequenceCheck> {
 public:
  static constexpr const char* kMissing = "missing response ";
  Side trigger, response;
  long within_messages = -1;   // -1: no message limit
  double within_seconds = -1;  // -1: no time limit
  bool must_follow = true;
  bool include_trigger_message = false;
  long look_back_messages = 0;
  // A response-role message that is the trigger again (the agent comes back
  // only to ask for more time: "还在为您查询,请您再稍等") does not count
  // toward within_messages: the wait goes on.
  bool retrigger_extends = false;
  // No message of the response role after the trigger at all: the chat
  // ended (or the export stops) on the trigger, so nothing can be judged.
  bool skip_unanswered = false;

  // Where a side matched: message i, and the span of its phrase (none for
  // an event or any message). Locations (times, quotes) are only written for
  // findings.
  struct Mark {
    std::size_t message = 0;
    std::uint32_t begin = 0, end = 0;
    bool has_span = false;
  };

  // The span a side matched in message i, if it matched there.
  std::optional<Mark> match(EvalContext& ctx, const Side& side, std::size_t i) const {
    const Message& m = ctx.message(i);
    if (!side.roles.has(m.role)) return std::nullopt;
    if (!side.event.empty()) {
      if (m.event != side.event) return std::nullopt;
      return Mark{i};
    }
    if (!side.group) return Mark{i};
    auto hit = first_hit(ctx, i, *side.group, side.allow);
    if (!hit) return std::nullopt;
    if (side.with && !with_holds(ctx, side, i)) return std::nullopt;
    return Mark{i, hit->begin, hit->end, true};
  }

  // The trigger's "with" group matches in message i or in one of the last
  // with_look_back messages of its roles before i.
  static bool with_holds(EvalContext& ctx, const Side& side, std::size_t i) {
    if (first_hit(ctx, i, *side.with)) return true;
    long seen = 0;
    for (std::size_t k = i; k-- > 0 && seen < side.with_look_back;) {
      if (!side.with_roles.has(ctx.message(k).role)) continue;
      ++seen;
      if (first_hit(ctx, k, *side.with)) return true;
    }
    return false;
  }

  static void locate(EvalContext& ctx, const Mark& mark, Location& loc) {
    if (mark.has_span) {
      ctx.locate(mark.message, mark.begin, mark.end, loc);
    } else {
      ctx.locate(mark.message, loc);
    }
  }

  std::string trigger_text(EvalContext& ctx, const Location& at) const {
    const Message& m = ctx.message(*at.message);
    std::string out =
        trigger.event.empty()
            ? "「" + (at.quote.empty() ? short_quote(ctx, *at.message) : at.quote) + "」"
            : "event " + m.event;
    return "after " + out + " (#" + std::to_string(*at.message) + ", " + to_string(m.role) + ")";
  }

  std::string limit_text() const {
    std::string out;
    if (within_messages >= 0) {
      out = "within " + std::to_string(within_messages) + " " + describe(response.roles) + " message(s)";
    }
    if (within_seconds >= 0) out += (out.empty() ? "within " : " and ") + format_seconds(within_seconds);
    return out.empty() ? "before the session ended" : out;
  }

  // What a trigger (at `trig`) waits for, and how far the window after it
  // has been looked at: before it (look back), in it, or in the window
  // after it.
  struct Expectation {
    Mark trig;
    std::optional<Mark> found;
    std::size_t next = 0;        // the next message to look at; once closed, the first one outside the window
    long counted = 0;            // response-role messages counted toward within_messages
    std::size_t window_end = 0;  // the window's last message so far
    bool closed = false;         // a message outside the window came: the window is over
    bool any_response_role = false;  // a response-role message in the window (skip_unanswered)
  };

  // A must_follow expectation whose window closed without the response:
  // the first response after the window (late) is looked for.
  struct Awaiting {
    Mark trig;
    std::size_t next = 0;  // where the search for a late response goes on
    bool any_response_role = false;
    bool reported = false;  // its "missing" finding is in the outcome
  };

  // The pass over the messages (kept between evaluations by live scoring).
  // An expectation is settled once its response came or its window closed;
  // while the last one's window runs, every later trigger joins it, so the
  // pass waits there.
  struct State : LiveState {
    std::size_t next_trigger = 0;
    bool any_trigger = false;
    // The last settled expectation: resolved at `resolved_at` (the
    // response, or the end of its window).
    bool have_previous = false, previous_satisfied = false;
    std::size_t resolved_at = 0, previous_window_end = 0;
    std::vector<bool> reported_response;  // must_not_follow: responses reported already
    std::optional<Expectation> open;      // the last expectation, while its window runs
    bool open_reported = false;           // its "missing" finding (window full) is in the outcome
    std::vector<Awaiting> awaiting;       // settled without the response, no late one yet
  };

  Expectation start(EvalContext& ctx, const Mark& trig) const {
    const std::size_t t = trig.message;
    Expectation e;
    e.trig = trig;
    e.window_end = t;
    e.next = t + 1;
    // Look back: response-role messages before the trigger.
    if (look_back_messages > 0) {
      long seen = 0;
      for (std::size_t k = t; k-- > 0 && seen < look_back_messages;) {
        if (!response.counts(ctx.message(k))) continue;
        ++seen;
        if ((e.found = match(ctx, response, k))) break;
      }
    }
    if (include_trigger_message && !e.found) e.found = match(ctx, response, t);
    return e;
  }

  // Looks further into the window, up to the last message or the response.
  void advance(EvalContext& ctx, Expectation& e) const {
    const Message& tm = ctx.message(e.trig.message);
    for (; e.next < ctx.size() && !e.found && !e.closed;) {
      const std::size_t k = e.next;
      const Message& m = ctx.message(k);
      const bool counts = response.counts(m);
      const bool in_time = within_seconds < 0 || seconds_between(tm, m) <= within_seconds;
      const bool in_count = within_messages < 0 || !counts || e.counted < within_messages;
      if (!in_time || !in_count) {
        e.closed = true;
        break;
      }
      e.any_response_role = e.any_response_role || counts;
      e.window_end = k;
      e.found = match(ctx, response, k);
      if (counts && !(retrigger_extends && !e.found && match(ctx, trigger, k))) ++e.counted;
      ++e.next;
    }
  }

  Finding missing_finding(EvalContext& ctx, const Mark& trig) const {
    Finding f = ctx.finding();
    f.matched = response.text;
    locate(ctx, trig, f.at);
    set_text(f.explanation, kMissing, response.text, " ", trigger_text(ctx, f.at), ": none ", limit_text());
    return f;
  }

  static bool is_missing_of(const Finding& f, const Mark& trig) {
    if (f.at.message != trig.message || f.explanation.compare(0, std::strlen(kMissing), kMissing) != 0) return false;
    if (!trig.has_span) return !f.at.span;
    return f.at.span && f.at.span->begin == trig.begin && f.at.span->end == trig.end;
  }
  static void remove_missing(std::vector<Finding>& findings, const Mark& trig) {
    auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return is_missing_of(f, trig); });
    if (it != findings.end()) findings.erase(it);
  }

  // Looks for a's late response in the messages not seen yet; says what
  // is missing or late. True while a still waits.
  bool await(EvalContext& ctx, Awaiting& a, CheckOutcome& out, bool& edited) const {
    std::optional<Mark> late;
    for (; a.next < ctx.size(); ++a.next) {
      a.any_response_role = a.any_response_role || response.counts(ctx.message(a.next));
      if ((late = match(ctx, response, a.next))) break;
    }
    if (late) {
      if (a.reported) {
        remove_missing(out.findings, a.trig);
        edited = true;
      }
      Finding f = ctx.finding();
      f.matched = response.text;
      locate(ctx, *late, f.at);
      Location& trig_at = ctx.related(f);
      locate(ctx, a.trig, trig_at);
      const double delay = seconds_between(ctx.message(a.trig.message), ctx.message(late->message));
      f.value = delay;
      set_text(f.explanation, "late response ", response.text, ": came ", format_seconds(delay), " ",
               trigger_text(ctx, trig_at), ", expected ", limit_text());
      out.findings.push_back(std::move(f));
      return false;
    }
    // No response-role message after the trigger at all: nothing to judge (yet).
    if (skip_unanswered && !a.any_response_role) return true;
    if (!a.reported) {
      out.findings.push_back(missing_finding(ctx, a.trig));
      a.reported = true;
    }
    return true;
  }

  // The expectations still waiting for a late response were all searched up
  // to the same message (the end of the chat as last seen), so the new
  // messages are searched once for all of them: the first response there
  // is every one's late response.
  void search_late(EvalContext& ctx, State& s, CheckOutcome& out, bool& edited) const {
    std::optional<Mark> late;
    bool any_response_role = false;
    for (std::size_t k = s.awaiting.front().next; k < ctx.size() && !late; ++k) {
      any_response_role = any_response_role || response.counts(ctx.message(k));
      late = match(ctx, response, k);
    }
    if (!late) {
      for (Awaiting& a : s.awaiting) {
        a.next = ctx.size();
        a.any_response_role = a.any_response_role || any_response_role;
        if (a.reported || (skip_unanswered && !a.any_response_role)) continue;
        out.findings.push_back(missing_finding(ctx, a.trig));
        a.reported = true;
      }
      return;
    }
    // Each one's "missing" finding gives way to its "late" one.
    std::vector<const Mark*> reported;
    for (const Awaiting& a : s.awaiting) {
      if (a.reported) reported.push_back(&a.trig);
    }
    if (!reported.empty()) {
      out.findings.erase(std::remove_if(out.findings.begin(), out.findings.end(),
                                        [&](const Finding& f) {
                                          if (!f.at.message) return false;
                                          auto at = std::lower_bound(reported.begin(), reported.end(), *f.at.message,
                                                                     [](const Mark* m, std::size_t msg) { return m->message < msg; });
                                          return at != reported.end() && is_missing_of(f, **at);
                                        }),
                         out.findings.end());
      edited = true;
    }
    for (Awaiting& a : s.awaiting) {
      a.next = late->message;
      a.reported = false;        // taken out above
      await(ctx, a, out, edited);  // finds `late` at once
    }
    s.awaiting.clear();
  }

  // e's response came or its window closed: what that says, and where later triggers stand.
  void settle(EvalContext& ctx, State& s, const Expectation& e, CheckOutcome& out, bool& edited) const {
    s.have_previous = true;
    s.previous_satisfied = e.found.has_value();
    s.resolved_at = e.found ? e.found->message : e.window_end;
    s.previous_window_end = e.closed ? e.window_end : ctx.size();
    if (must_follow) {
      if (e.found) return;
      Awaiting a{e.trig, e.next, e.any_response_role, false};
      if (await(ctx, a, out, edited)) s.awaiting.push_back(a);
    } else if (e.found && !s.reported_response[e.found->message]) {
      s.reported_response[e.found->message] = true;
      Finding f = ctx.finding();
      locate(ctx, *e.found, f.at);
      Location& trig_at = ctx.related(f);
      locate(ctx, e.trig, trig_at);
      f.matched = response.text;
      f.value = seconds_between(ctx.message(e.trig.message), ctx.message(e.found->message));
      set_text(f.explanation, "forbidden response ", response.text, " ", trigger_text(ctx, trig_at), ", ",
               limit_text());
      out.findings.push_back(std::move(f));
    }
  }

  // Live (ResumableCheck): settled expectations stay settled; the open window and the
  // searches for late responses go on from where they stopped.
  // Long function: the pass over the messages from where s stopped; out.findings holds the
  // verdict over the messages before (empty when s is fresh).
  void run(EvalContext& ctx, State& s, CheckOutcome& out) const {
    const std::size_t n = ctx.size();
    const std::size_t before = out.findings.size();
    bool edited = false;  // a finding handed in was taken out
    s.reported_response.resize(n, false);
    if (s.open_reported) {  // the open expectation is decided again
      remove_missing(out.findings, s.open->trig);
      s.open_reported = false;
      edited = true;
    }
    if (!s.awaiting.empty()) search_late(ctx, s, out, edited);
    if (s.open) {
      advance(ctx, *s.open);
      if (s.open->found || s.open->closed) {
        const Expectation e = *s.open;
        s.open.reset();
        settle(ctx, s, e, out, edited);
      }
    }
    for (; s.next_trigger < n && !s.open; ++s.next_trigger) {
      const std::size_t t = s.next_trigger;
      auto trig = match(ctx, trigger, t);
      if (!trig) continue;
      s.any_trigger = true;
      if (s.have_previous) {
        // Joins the previous expectation while that one is unresolved at t.
        const bool unresolved = s.previous_satisfied ? s.resolved_at > t : t <= s.previous_window_end;
        if (unresolved) continue;
      }
      Expectation e = start(ctx, *trig);
      advance(ctx, e);
      if (e.found || e.closed) {
        settle(ctx, s, e, out, edited);
      } else {
        s.open = e;  // the pass goes on from t + 1 once it is settled
      }
    }
    bool open_window = false;
    if (s.open && must_follow) {
      const Expectation& e = *s.open;
      // The window has all the response-role messages it may have (it
      // closes at the next one), or the chat is over.
      const bool full = within_messages >= 0 && e.counted >= within_messages;
      if (skip_unanswered && !e.any_response_role) {
        // No response-role message after the trigger: nothing to judge.
      } else if (!full && !ctx.options().session_closed) {
        open_window = true;  // the response can still come
        if (within_seconds >= 0) {
          ctx.open_deadline(e.trig.message, within_seconds, "follow_up", "response " + response.text);
        }
      } else {
        out.findings.push_back(missing_finding(ctx, e.trig));
        s.open_reported = true;
      }
    }
    out.kept = edited ? 0 : before;
    if (!s.any_trigger) {
      out.applicable = false;  // nothing was triggered: nothing to expect
      return;
    }
    if (open_window && out.findings.empty()) out.pending = true;
  }
};

void parse_side(CompileContext& ctx, Params& p, const std::string& key, Side& side, RoleMask default_roles,
                const text::MatchSettings& settings, bool is_trigger) {
  const json* v = p.get(key);
  side.roles = default_roles;
  if (!v) {
    if (is_trigger) ctx.error("E0103", p.pointer(), "missing required key \"" + key + "\"");
    side.text = "(any " + describe(default_roles) + " message)";
    return;
  }
  if (!v->is_object()) {
    ctx.error("E0104", p.pointer(key), "\"" + key + "\" must be an object");
    return;
  }
  std::vector<std::string> keys = {"phrases", "regex", "similar", "allow", "role", "event"};
  if (is_trigger) keys.push_back("with");
  Params sp(ctx, *v, p.pointer(key), keys);
  if (auto event = sp.string("event", false)) {
    side.event = *event;
    if (sp.has("phrases") || sp.has("regex") || sp.has("similar") || sp.has("allow")) {
      ctx.error("E0105", p.pointer(key), "\"" + key + "\" takes either \"event\" or \"phrases\"/\"regex\", not both");
    }
    side.roles = sp.roles("role", RoleMask{0x0f});
    side.text = "(event " + side.event + ")";
    return;
  }
  side.roles = sp.roles("role", default_roles);
  if (sp.has("phrases") || sp.has("regex") || sp.has("similar")) {
    side.group = compile_phrase_group(sp, side.roles, settings, true);
    side.text = "(" + sample_phrases(ctx.rule_set(), *side.group) + ")";
    auto allow = sp.strings("allow");
    if (!allow.empty()) {
      side.allow = ctx.new_group(side.roles, settings);
      ctx.add_phrases(*side.allow, allow);
    }
    if (const json* w = sp.get("with")) {
      if (!w->is_object()) {
        ctx.error("E0104", sp.pointer("with"), "\"with\" must be an object with \"phrases\" or \"regex\"");
      } else {
        Params wp(ctx, *w, sp.pointer("with"), {"phrases", "regex", "similar", "role", "look_back_messages"});
        side.with_roles = wp.roles("role", side.roles);
        side.with_look_back = wp.integer("look_back_messages", false, 0, 1000000).value_or(0);
        side.with = compile_phrase_group(wp, side.with_roles | side.roles, settings, true);
        side.text += " with (" + sample_phrases(ctx.rule_set(), *side.with) + ")";
      }
    }
  } else if (is_trigger) {
    ctx.error("E0103", p.pointer(key), "a trigger needs \"phrases\", \"regex\" or \"event\"");
  } else {
    side.text = "(any " + describe(side.roles) + " message)";
  }
}

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr,
           {"type", "trigger", "response", "within_messages", "within_seconds", "mode", "include_trigger_message",
            "look_back_messages", "retrigger_extends", "skip_unanswered", "normalize"});
  auto check = std::make_unique<SequenceCheck>();
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  parse_side(ctx, p, "trigger", check->trigger, RoleMask::of(Role::customer), settings, true);
  parse_side(ctx, p, "response", check->response, RoleMask::of(Role::agent), settings, false);
  check->within_messages = p.integer("within_messages", false, 0, 1000000).value_or(-1);
  check->within_seconds = p.number("within_seconds", false, 0, 86400 * 30).value_or(-1);
  check->must_follow =
      p.string("mode", false, {"must_follow", "must_not_follow"}).value_or("must_follow") == "must_follow";
  check->include_trigger_message = p.boolean("include_trigger_message").value_or(false);
  check->look_back_messages = p.integer("look_back_messages", false, 0, 1000000).value_or(0);
  check->retrigger_extends = p.boolean("retrigger_extends").value_or(false);
  check->skip_unanswered = p.boolean("skip_unanswered").value_or(false);
  if (check->within_messages == 0 && !check->include_trigger_message && check->look_back_messages == 0) {
    ctx.error("E0105", p.pointer("within_messages"),
              "\"within_messages\": 0 leaves no message to look in; set include_trigger_message or look_back_messages");
  }
  if (check->include_trigger_message && check->response.any_message()) {
    ctx.error("E0105", p.pointer("include_trigger_message"),
              "include_trigger_message needs response \"phrases\" or \"regex\": any message would satisfy it");
  }
  if (!check->must_follow && check->response.any_message() && check->within_messages < 0 && check->within_seconds < 0) {
    ctx.error("E0105", p.pointer("response"),
              "must_not_follow with any message as the response and no window forbids every later message");
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_sequence_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
