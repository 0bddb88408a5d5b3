// The interface of a compiled check, as the evaluator sees it: evaluate()
// writes a CheckOutcome. Held by the compiled rule set (rules/rule_set_impl.hpp)
// and implemented under src/checks/ (each check includes checks/check.hpp).
#pragma once

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
};

}  // namespace chatqa::detail
