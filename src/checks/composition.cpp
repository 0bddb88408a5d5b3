// Composition of checks inside one item: "all", "any", "not".
//
//   {"type": "all", "checks": [A, B]}  fires when every inner check fires (findings of all)
//   {"type": "any", "checks": [A, B]}  fires when at least one fires (findings of those that did)
//   {"type": "not", "check": A}        fires, with one session-level finding, when A does not
//
// Findings of conditions (not, meta, has_role, message_count) are dropped
// beside findings of real checks: all[banned_phrase, not(meta vip)] reports
// and counts the banned phrases only.
//
// A check that is not applicable counts as not firing; the composite is not
// applicable only when all its inner checks are. Pending (live scoring)
// propagates unless the answer is already certain (an "all" with one inner
// check passed is passed, whatever the pending ones say).
#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

enum class State { fired, clean, pending, not_applicable };

State state_of(const CheckOutcome& o) {
  if (o.pending) return State::pending;
  if (!o.applicable) return State::not_applicable;
  return o.findings.empty() ? State::clean : State::fired;
}

class AllAnyCheck final : public Check {
 public:
  bool all = true;
  std::vector<std::unique_ptr<Check>> checks;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<CheckOutcome> inner(checks.size());
    std::size_t fired = 0, clean = 0, pending = 0, na = 0;
    for (std::size_t k = 0; k < checks.size(); ++k) {
      checks[k]->evaluate(ctx, inner[k]);
      switch (state_of(inner[k])) {
        case State::fired: ++fired; break;
        case State::clean: ++clean; break;
        case State::pending: ++pending; break;
        case State::not_applicable: ++na; break;
      }
    }
    if (na == checks.size()) {
      out.applicable = false;
      return;
    }
    if (all) {
      if (clean + na > 0) return;  // one inner check did not fire: the whole does not
      if (pending > 0) {
        out.pending = true;
        return;
      }
    } else {
      if (fired == 0) {
        out.pending = pending > 0;
        return;
      }
    }
    bool real = false;  // some fired inner check is more than a condition
    for (const auto& o : inner) real = real || (state_of(o) == State::fired && !o.condition_only);
    out.condition_only = !real;
    for (auto& o : inner) {
      if (state_of(o) != State::fired || (real && o.condition_only)) continue;
      for (auto& f : o.findings) out.findings.push_back(std::move(f));
    }
  }
};

class NotCheck final : public Check {
 public:
  std::unique_ptr<Check> check;
  std::string inner_type, explanation;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    CheckOutcome inner;
    check->evaluate(ctx, inner);
    switch (state_of(inner)) {
      case State::pending: out.pending = true; return;
      case State::not_applicable: out.applicable = false; return;
      case State::fired: return;
      case State::clean: break;
    }
    out.condition_only = true;
    Finding f = ctx.finding();
    f.explanation = explanation.empty() ? "the negated " + inner_type + " check found nothing" : explanation;
    out.findings.push_back(std::move(f));
  }
};

std::unique_ptr<Check> make_all_any(CompileContext& ctx, const json& j, const std::string& ptr, bool all) {
  Params p(ctx, j, ptr, {"type", "checks"});
  auto check = std::make_unique<AllAnyCheck>();
  check->all = all;
  const json* list = p.get("checks");
  if (!list) {
    ctx.error("E0103", ptr, "missing required key \"checks\"");
    return nullptr;
  }
  if (!list->is_array() || list->empty()) {
    ctx.error("E0104", p.pointer("checks"), "\"checks\" must be a non-empty list of checks");
    return nullptr;
  }
  for (std::size_t k = 0; k < list->size(); ++k) {
    auto inner = ctx.compile_check((*list)[k], p.pointer("checks") + "/" + std::to_string(k));
    if (inner) check->checks.push_back(std::move(inner));
  }
  if (check->checks.size() != list->size()) return nullptr;  // errors already reported
  return check;
}

}  // namespace

std::unique_ptr<Check> make_all_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make_all_any(ctx, j, ptr, true);
}

std::unique_ptr<Check> make_any_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make_all_any(ctx, j, ptr, false);
}

std::unique_ptr<Check> make_not_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "check", "explanation"});
  auto check = std::make_unique<NotCheck>();
  check->explanation = p.string("explanation", false).value_or("");
  const json* inner = p.get("check");
  if (!inner) {
    ctx.error("E0103", ptr, "missing required key \"check\"");
    return nullptr;
  }
  if (inner->is_object() && inner->contains("type") && (*inner)["type"].is_string()) {
    check->inner_type = (*inner)["type"].get<std::string>();
  }
  check->check = ctx.compile_check(*inner, p.pointer("check"));
  if (!check->check) return nullptr;
  return check;
}

}  // namespace chatqa::detail
