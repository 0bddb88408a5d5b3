// The interface of a compiled check, as the evaluator sees it: evaluate()
// writes a CheckOutcome. Held by the compiled rule set (rules/rule_set_impl.hpp)
// and implemented under src/checks/ (each check includes checks/check.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "chatqa/report.hpp"

namespace chatqa::detail {

class EvalContext;

struct CheckOutcome {
  bool applicable = true;
  bool pending = false;  // live scoring: undecidable until the session closes
  // The findings only say that a condition holds (not, meta, has_role, ...):
  // "all"/"any" drop them beside findings of real checks, so a guard neither
  // adds a hit nor clutters the report.
  bool condition_only = false;
  std::vector<Finding> findings;
  // Live scoring (Check::evaluate_live): how many leading findings are the
  // ones handed in, untouched (already sorted and masked). 0 otherwise.
  std::size_t kept = 0;
};

// Live scoring: what a check keeps from one evaluation of a growing chat
// to the next (made by Check::live_state, owned by the LiveSession's
// buffers, one per item). Messages are only ever appended between two
// evaluations that share a state: a message inserted before the last one
// drops every state (the next evaluation starts over).
struct LiveState {
  virtual ~LiveState() = default;
  std::size_t seen = 0;      // messages [0, seen) are taken into account
  std::size_t produced = 0;  // findings the last evaluate_live left in its outcome (set by the evaluator)
};

// One check type (response_time, banned_phrase, ...). Built at compile time
// from its JSON parameters; evaluate() is const and keeps no state.
class Check {
 public:
  virtual ~Check() = default;
  virtual void evaluate(EvalContext& ctx, CheckOutcome& out) const = 0;
  // Told at compile time when only the outcome's state is used, never its
  // findings (an item's "when", the check under a "not"): the check may stop
  // as soon as its state is decided ("any" at its first fired branch).
  virtual void decide_only() {}

  // Live scoring (LiveSession), for a check that is an item's whole check:
  // a check that can carry what it concluded over the earlier messages
  // returns a fresh state here (null, the default: evaluate() runs over the
  // whole chat after every message).
  virtual std::unique_ptr<LiveState> live_state() const { return nullptr; }
  // With that state: the outcome over the whole chat, as evaluate() gives
  // it, looking at the messages from state.seen on. `out.findings` comes in
  // holding the findings this call left last time (the item's, as
  // reported: sorted, maybe masked), for the check to keep, edit or
  // extend; out.kept says how many of them it left untouched.
  virtual void evaluate_live(EvalContext& ctx, LiveState& /*state*/, CheckOutcome& out) const {
    out.findings.clear();
    evaluate(ctx, out);
  }
};

}  // namespace chatqa::detail
