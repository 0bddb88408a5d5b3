// silence: how long the customer was left waiting. A wait starts at the
// first customer message of a run that has no agent reply yet (and, with
// "hold", at an agent message asking the customer to hold on) and ends at the
// next message of a reply role. Each wait longer than max_gap_seconds is a
// finding; a total over max_total_seconds is one more (session-level)
// finding. The standards: more than 30 s once, more than 2 minutes in all.
//
// "holds_only": only hold requests start a wait (the hotline's 在线等待: time
// on hold, not time in the queue nor the customer's own talking).
// "speech_chars_per_second": a speech transcript stamps each utterance when it
// starts; the customer's wait then starts when they stop talking, estimated
// from the utterance's length at this speaking rate (the standards' 200-250
// characters a minute is about 4 a second) — dead air (话务空白) after the
// customer speaks.
// "hold.allow": phrases that cover a hold phrase where the customer waits for
// something else (a code, an SMS, a delivery): that request starts no wait.
#include <algorithm>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class SilenceCheck final : public ResumableCheck<SilenceCheck> {
 public:
  double max_gap = -1, max_total = -1;
  RoleMask from = RoleMask::of(Role::customer);
  RoleMask reply = RoleMask::of(Role::agent);
  std::optional<std::uint32_t> hold;  // agent phrases that start a wait ("请稍等")
  std::optional<std::uint32_t> hold_allow;  // phrases that cover a hold hit: no hold ("验证码…稍等")
  bool holds_only = false;
  double speech_rate = 0;  // characters a second; 0: waits start when a message is stamped

  // When the wait that message i starts begins: its time, or for a spoken
  // customer utterance the estimated end of it.
  double start_of(EvalContext& ctx, std::size_t i) const {
    const Message& m = ctx.message(i);
    double t = static_cast<double>(m.time.epoch_ms) / 1000.0;
    if (speech_rate > 0 && from.has(m.role)) t += static_cast<double>(ctx.norm(i).skeleton.size()) / speech_rate;
    return t;
  }
  double wait_seconds(EvalContext& ctx, std::size_t start, const Message& end) const {
    return std::max(0.0, static_cast<double>(end.time.epoch_ms) / 1000.0 - start_of(ctx, start));
  }

  // Message i asks the customer to hold on: a hold hit that no allow phrase covers.
  bool holds_at(EvalContext& ctx, std::size_t i) const {
    if (!hold_allow) {
      auto [b, e] = ctx.hits(i, *hold);
      return b != e;
    }
    std::vector<text::Hit> hits;
    visible_hits(ctx, i, *hold, hold_allow, hits);
    return !hits.empty();
  }

  // What the pass over the messages has seen (kept between evaluations by
  // live scoring): the open wait and the waits that ended.
  struct State : LiveState {
    long open = -1;
    std::size_t closed = 0;    // waits that ended
    double closed_total = 0;   // their seconds, in order
    bool any_from = false;     // a message of a `from` role was seen
    // The findings of the last verdict that are not an ended wait's: the
    // open wait's (last) and the total's (first, sorted before messages).
    bool open_finding = false, total_finding = false;
  };

  // Live (ResumableCheck): the waits that ended are kept; only the open wait and the total
  // are decided again.
  // Long function: one pass over the messages from s.seen on with the open wait's state, then the
  // verdict. out.findings holds the last verdict (sorted: the total's finding first), empty when s
  // is fresh.
  void run(EvalContext& ctx, State& s, CheckOutcome& out) const {
    // Take the last verdict's open-wait and total findings off: they are decided again.
    if (s.total_finding) out.findings.erase(out.findings.begin());
    if (s.open_finding) out.findings.pop_back();
    const bool edited = s.total_finding || s.open_finding;
    s.total_finding = s.open_finding = false;
    const std::size_t before = out.findings.size();
    auto ended = [&](std::size_t start, std::size_t end, double seconds) {
      ++s.closed;
      s.closed_total += seconds;
      if (max_gap >= 0 && seconds > max_gap) {
        Finding f = ctx.finding();
        ctx.locate(end, f.at);
        ctx.locate(start, ctx.related(f));
        f.explanation =
            "customer waited " + format_seconds(seconds) + " for a reply (limit " + format_seconds(max_gap) + ")";
        f.value = seconds;
        out.findings.push_back(std::move(f));
      }
    };
    for (std::size_t i = s.seen; i < ctx.size(); ++i) {
      const Message& m = ctx.message(i);
      s.any_from = s.any_from || from.has(m.role);
      if (!m.is_utterance()) continue;  // an event or empty row neither ends nor starts a wait
      if (reply.has(m.role)) {
        if (s.open >= 0) {
          const auto start = static_cast<std::size_t>(s.open);
          ended(start, i, wait_seconds(ctx, start, m));
          s.open = -1;
        }
        if (hold && holds_at(ctx, i)) s.open = static_cast<long>(i);
      } else if (!holds_only && from.has(m.role) && s.open < 0) {
        s.open = static_cast<long>(i);
      }
    }
    s.seen = ctx.size();
    out.kept = edited ? 0 : before;
    if (s.closed == 0 && s.open < 0) {
      if (holds_only || ctx.size() == 0 || !s.any_from) out.applicable = false;  // nobody waited for anything
      return;
    }
    double total = s.closed_total;
    std::size_t waits = s.closed;
    if (s.open >= 0) {
      // Still waiting when the session ended: counted up to its last message.
      const auto start = static_cast<std::size_t>(s.open);
      const double seconds = wait_seconds(ctx, start, ctx.message(ctx.size() - 1));
      total += seconds;
      ++waits;
      if (max_gap >= 0 && seconds > max_gap) {
        Finding f = ctx.finding();
        ctx.locate(start, f.at);
        f.explanation = "customer left waiting " + format_seconds(seconds) + " with no reply at the end (limit " +
                        format_seconds(max_gap) + ")";
        f.value = seconds;
        out.findings.push_back(std::move(f));
        s.open_finding = true;
      }
      // Live scoring: the clocks of the open wait (LiveSession::due warns before they run out).
      if (ctx.collects_deadlines()) {
        const double offset = start_of(ctx, start) - static_cast<double>(ctx.message(start).time.epoch_ms) / 1000.0;
        if (max_gap >= 0) ctx.open_deadline(start, max_gap, "silence", "reply (silence)", offset);
        if (max_total >= 0 && s.closed_total <= max_total) {
          ctx.open_deadline(start, max_total, "silence_total", "reply (waits in total)", offset - s.closed_total);
        }
      }
    }
    if (max_total >= 0 && total > max_total) {
      Finding f = ctx.finding();
      f.value = total;
      f.explanation = "customer waited " + format_seconds(total) + " in total over " + std::to_string(waits) +
                      " wait(s) (limit " + format_seconds(max_total) + ")";
      out.findings.insert(out.findings.begin(), std::move(f));  // sorted first: it has no message
      s.total_finding = true;
      out.kept = 0;
    }
    // Live: an open wait can still grow past a limit.
    if (s.open >= 0 && !ctx.options().session_closed && out.findings.empty()) out.pending = true;
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr,
           {"type", "max_gap_seconds", "max_total_seconds", "reply_roles", "from_roles", "hold", "holds_only",
            "speech_chars_per_second", "normalize"});
  auto check = std::make_unique<SilenceCheck>();
  check->max_gap = p.number("max_gap_seconds", false, 0, 86400 * 30).value_or(-1);
  check->max_total = p.number("max_total_seconds", false, 0, 86400 * 30).value_or(-1);
  if (check->max_gap < 0 && check->max_total < 0 && !p.has("max_gap_seconds") && !p.has("max_total_seconds")) {
    ctx.error("E0103", ptr, "needs \"max_gap_seconds\" or \"max_total_seconds\"");
  }
  check->reply = p.roles("reply_roles", RoleMask::of(Role::agent));
  check->from = p.roles("from_roles", RoleMask::of(Role::customer));
  check->holds_only = p.boolean("holds_only").value_or(false);
  check->speech_rate = p.number("speech_chars_per_second", false, 0.1, 100).value_or(0);
  if (check->holds_only && !p.has("hold")) {
    ctx.error("E0105", p.pointer("holds_only"), "\"holds_only\" needs \"hold\" phrases: nothing else starts a wait");
  }
  if (const json* h = p.get("hold")) {
    if (!h->is_object()) {
      ctx.error("E0104", p.pointer("hold"), "\"hold\" must be an object with \"phrases\" or \"regex\"");
    } else {
      Params hp(ctx, *h, p.pointer("hold"), {"phrases", "regex", "similar", "allow"});
      const auto settings = p.match_settings("normalize", 3);
      check->hold = compile_phrase_group(hp, check->reply, settings, true);
      check->hold_allow = compile_allow_group(hp, "allow", check->reply, settings);
    }
  } else {
    p.match_settings("normalize", 3);  // validated even when unused
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_silence_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
