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

class SequenceCheck final : public Check {
 public:
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

  // Where the response to the trigger in message t is: before it (look
  // back), in it, or in the window after it; else the first one after the
  // window (late), and where the window ended.
  struct Window {
    std::optional<Mark> found, late;
    std::size_t end = 0;  // the window's last message
    bool closed = false;  // the window ended inside the session
  };
  Window find_response(EvalContext& ctx, std::size_t t) const {
    const std::size_t n = ctx.size();
    const Message& tm = ctx.message(t);
    Window w;
    std::optional<Mark>& found = w.found;
    // Look back: response-role messages before the trigger.
    if (look_back_messages > 0) {
      long seen = 0;
      for (std::size_t k = t; k-- > 0 && seen < look_back_messages;) {
        if (!response.counts(ctx.message(k))) continue;
        ++seen;
        if ((found = match(ctx, response, k))) break;
      }
    }
    // Look forward within the window; remember the first match after it (late).
    std::optional<Mark>& late = w.late;
    std::size_t& window_end = w.end;
    window_end = t;
    bool& window_closed = w.closed;
    if (include_trigger_message && !found) {
      found = match(ctx, response, t);
    }
    long counted = 0;
    for (std::size_t k = t + 1; k < n && !found; ++k) {
      const Message& m = ctx.message(k);
      const bool counts = response.counts(m);
      const bool in_time = within_seconds < 0 || seconds_between(tm, m) <= within_seconds;
      const bool in_count = within_messages < 0 || !counts || counted < within_messages;
      if (!in_time || !in_count) {
        window_closed = true;
        if (must_follow) {
          // Keep looking for a late response, to say how late it was.
          for (std::size_t l = k; l < n; ++l) {
            if ((late = match(ctx, response, l))) break;
          }
        }
        break;
      }
      window_end = k;
      found = match(ctx, response, k);
      if (counts && !(retrigger_extends && !found && match(ctx, trigger, k))) ++counted;
    }
    if (!window_closed && !found && within_messages >= 0 && counted >= within_messages) window_closed = true;
    return w;
  }

  // Long function: one pass over the messages with the open expectation's state (trigger, window,
  // resolution); the helpers above take out what does not need that state.
  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    const std::size_t n = ctx.size();
    bool any_trigger = false, open_window = false;
    // Expectation of the last trigger evaluated: resolved at `resolved_at`
    // (the response, or the end of its window), or still open.
    std::size_t resolved_at = 0;
    bool have_previous = false, previous_satisfied = false;
    std::size_t previous_window_end = 0;
    std::vector<bool> reported_response(n, false);

    for (std::size_t t = 0; t < n; ++t) {
      auto trig = match(ctx, trigger, t);
      if (!trig) continue;
      any_trigger = true;
      if (have_previous) {
        // Joins the previous expectation while that one is unresolved at t.
        const bool unresolved = previous_satisfied ? resolved_at > t : t <= previous_window_end;
        if (unresolved) continue;
      }
      const Message& tm = ctx.message(t);

      const Window w = find_response(ctx, t);
      const std::optional<Mark>& found = w.found;
      const std::optional<Mark>& late = w.late;
      const std::size_t window_end = w.end;
      const bool window_closed = w.closed;

      have_previous = true;
      previous_satisfied = found.has_value();
      resolved_at = found ? found->message : window_end;
      previous_window_end = window_closed ? window_end : n;

      if (must_follow) {
        if (found) continue;
        if (skip_unanswered && !late) {
          bool any_later = false;
          for (std::size_t k = t + 1; k < n && !any_later; ++k) any_later = response.counts(ctx.message(k));
          if (!any_later) continue;
        }
        if (!window_closed && !ctx.options().session_closed) {
          open_window = true;  // the response can still come
          if (within_seconds >= 0) ctx.open_deadline(t, within_seconds, "follow_up", "response " + response.text);
          continue;
        }
        Finding f = ctx.finding();
        f.matched = response.text;
        if (late) {
          locate(ctx, *late, f.at);
          Location& trig_at = ctx.related(f);
          locate(ctx, *trig, trig_at);
          const double delay = seconds_between(tm, ctx.message(late->message));
          f.value = delay;
          set_text(f.explanation, "late response ", response.text, ": came ", format_seconds(delay), " ",
                   trigger_text(ctx, trig_at), ", expected ", limit_text());
        } else {
          locate(ctx, *trig, f.at);
          set_text(f.explanation, "missing response ", response.text, " ", trigger_text(ctx, f.at), ": none ",
                   limit_text());
        }
        out.findings.push_back(std::move(f));
      } else if (found && !reported_response[found->message]) {
        reported_response[found->message] = true;
        Finding f = ctx.finding();
        locate(ctx, *found, f.at);
        Location& trig_at = ctx.related(f);
        locate(ctx, *trig, trig_at);
        f.matched = response.text;
        f.value = seconds_between(tm, ctx.message(found->message));
        set_text(f.explanation, "forbidden response ", response.text, " ", trigger_text(ctx, trig_at), ", ",
                 limit_text());
        out.findings.push_back(std::move(f));
      }
    }
    if (!any_trigger) {
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
