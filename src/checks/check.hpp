// The one internal header a check includes. A check is a class implementing
// Check (eval/check_interface.hpp), built by its factory from JSON at compile
// time and evaluated for each session:
//   - compile side: Params reads the check's JSON object (unknown keys, types,
//     ranges reported as diagnostics), CompileContext makes phrase groups and
//     nested checks (rules/compile_context.hpp);
//   - evaluation side: EvalContext gives normalised texts, phrase hits,
//     times and recycled findings (eval/eval_context.hpp);
//   - text for people: format_seconds, counted (report/format.hpp), did_you_mean.
// Adding a check type = one file under src/checks/ and one line in registry.cpp.
#pragma once

#include <memory>

#include "eval/check_interface.hpp"
#include "eval/eval_context.hpp"
#include "report/format.hpp"
#include "rules/compile_context.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/role_mask.hpp"

namespace chatqa::detail {

// A check whose batch evaluation is its live pass from a fresh state.
// Derived has `struct State : LiveState` and
// `void run(EvalContext&, State&, CheckOutcome&) const`, which goes on from
// where the state stopped (out.findings holds its last verdict, empty when
// the state is fresh): evaluate() runs it once from the start, live scoring
// after each new message.
template <class Derived>
class ResumableCheck : public Check {
 public:
  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    typename Derived::State state;
    self().run(ctx, state, out);
  }
  std::unique_ptr<LiveState> live_state() const override { return std::make_unique<typename Derived::State>(); }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    self().run(ctx, static_cast<typename Derived::State&>(state), out);
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace chatqa::detail
