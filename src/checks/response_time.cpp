// response_time: how long the customer waited for a reply.
//
// A customer turn starts at the FIRST message of a run of customer messages
// and ends at the next message of a reply role (agent by default; bot or
// system only if the rule says so). Modes: first (the first turn), each
// (every turn), max (the slowest turn), mean (the average over turns).
// With `hold_phrases`, a reply that asks the customer to wait (请稍等, 帮您查询)
// puts the chat on hold: customer messages until the agent's next message
// ("好的") are not timed here — the waiting protocol is judged by its own item.
// Rows that say nothing (events, empty rows: Message::is_utterance) neither
// start a turn nor answer one.
#include <cmath>

#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

class ResponseTimeCheck final : public ResumableCheck<ResponseTimeCheck> {
 public:
  enum class Mode { first, each, mean, max };
  Mode mode = Mode::each;
  double limit = 30;
  RoleMask from = RoleMask::of(Role::customer);
  RoleMask reply = RoleMask::of(Role::agent);
  bool unanswered_is_violation = false;
  std::optional<std::uint32_t> hold_group;

  struct Turn {
    std::size_t start;          // first customer message of the run
    long reply = -1;            // reply message, -1 if none
    double delay = 0;
  };

  bool is_hold(EvalContext& ctx, std::size_t i) const {
    if (!hold_group) return false;
    auto [b, e] = ctx.hits(i, *hold_group);
    return b != e;
  }

  // What the pass over the messages has seen: the open customer turn and
  // the turns so far (kept between evaluations by live scoring).
  struct State : LiveState {
    long open = -1;
    bool on_hold = false;
    std::size_t turns = 0;
    double sum = 0;       // of the turns' delays, in turn order
    Turn worst{0, -1, 0};  // the first slowest turn (max)
    bool done = false;    // first: the first turn is over, nothing after it counts
  };

  // Live (ResumableCheck): the turns so far are kept; a new message extends or closes the open one.
  // Long function: one pass over the messages from s.seen on with the open customer turn's state,
  // then the mode's verdict (first / each / max / mean). out.findings holds the verdict over the
  // messages before s.seen (empty when s is fresh).
  void run(EvalContext& ctx, State& s, CheckOutcome& out) const {
    const std::size_t before = out.findings.size();
    auto late = [&](const Turn& t) {
      Finding f = ctx.finding();
      ctx.locate(static_cast<std::size_t>(t.reply), f.at);
      ctx.locate(t.start, ctx.related(f));
      f.value = t.delay;
      set_text(f.explanation, mode == Mode::first ? "first reply" : "reply", " after ", format_seconds(t.delay),
               " (limit ", format_seconds(limit), ")");
      return f;
    };
    bool worst_changed = false;
    for (std::size_t i = s.seen; i < ctx.size() && !s.done; ++i) {
      if (!ctx.message(i).is_utterance()) continue;  // an event or empty row answers nothing
      const Role role = ctx.message(i).role;
      if (from.has(role)) {
        if (s.open < 0 && !s.on_hold) s.open = static_cast<long>(i);
      } else if (reply.has(role)) {
        if (s.open >= 0) {
          const Turn t{static_cast<std::size_t>(s.open), static_cast<long>(i),
                       seconds_between(ctx.message(static_cast<std::size_t>(s.open)), ctx.message(i))};
          ++s.turns;
          s.sum += t.delay;
          if ((mode == Mode::first || mode == Mode::each) && t.delay > limit) out.findings.push_back(late(t));
          if (s.worst.reply < 0 || t.delay > s.worst.delay) {
            s.worst = t;
            worst_changed = true;
          }
          s.open = -1;
          if (mode == Mode::first) {
            s.done = true;
            break;
          }
        }
        s.on_hold = is_hold(ctx, i);
      }
    }
    s.seen = ctx.size();
    const long open = s.open;
    const bool ended_open = open >= 0 && (mode != Mode::first || s.turns == 0);
    // Live scoring: the open turn's clock runs (LiveSession::due warns before it runs out).
    if (ended_open && mode != Mode::mean) {
      ctx.open_deadline(static_cast<std::size_t>(open), limit, "reply", mode == Mode::first ? "first reply" : "reply");
    }
    if (s.turns == 0 && !ended_open) {
      out.applicable = false;  // no customer message to answer
      return;
    }
    out.kept = before;
    switch (mode) {
      case Mode::first:
      case Mode::each:
        break;  // each late turn's finding was added as it ended
      case Mode::max:
        if (worst_changed) {
          ctx.recycle(out.findings);
          out.kept = 0;
          if (s.worst.delay > limit) out.findings.push_back(late(s.worst));
        }
        break;
      case Mode::mean: {
        ctx.recycle(out.findings);
        out.kept = 0;
        if (s.turns == 0) break;
        const double mean = s.sum / static_cast<double>(s.turns);
        if (mean > limit) {
          Finding f = ctx.finding();
          f.value = mean;
          set_text(f.explanation, "mean reply time ", format_seconds(mean), " over ", std::to_string(s.turns),
                   " replies (limit ", format_seconds(limit), ")");
          out.findings.push_back(std::move(f));
        }
        break;
      }
    }
    if (ended_open && unanswered_is_violation) {
      if (!ctx.options().session_closed) {
        if (out.findings.empty()) out.pending = true;
        return;
      }
      Finding f = ctx.finding();
      ctx.locate(static_cast<std::size_t>(open), f.at);
      f.explanation = s.turns == 0 && mode == Mode::first ? "the customer never got a reply"
                                                          : "customer message left unanswered at the end of the session";
      out.findings.push_back(std::move(f));
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "mode", "limit_seconds", "reply_roles", "from_roles", "unanswered", "hold_phrases", "normalize"});
  auto check = std::make_unique<ResponseTimeCheck>();
  const std::string mode = p.string("mode", false, {"first", "each", "mean", "max"}).value_or("each");
  check->mode = mode == "first"  ? ResponseTimeCheck::Mode::first
                : mode == "mean" ? ResponseTimeCheck::Mode::mean
                : mode == "max"  ? ResponseTimeCheck::Mode::max
                                 : ResponseTimeCheck::Mode::each;
  check->limit = p.number("limit_seconds", true, 0, 86400 * 30).value_or(30);
  check->reply = p.roles("reply_roles", RoleMask::of(Role::agent));
  check->from = p.roles("from_roles", RoleMask::of(Role::customer));
  // Default: a chat whose customer never got a first reply fails "first";
  // a last "thanks" left unanswered does not fail "each".
  const std::string unanswered =
      p.string("unanswered", false, {"ignore", "violation"}).value_or(mode == "first" ? "violation" : "ignore");
  check->unanswered_is_violation = unanswered == "violation";
  auto hold = p.strings("hold_phrases");
  if (!hold.empty()) {
    check->hold_group = ctx.new_group(check->reply, p.match_settings("normalize", 3));
    ctx.add_phrases(*check->hold_group, hold);
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_response_time_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
