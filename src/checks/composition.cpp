// Composition of checks inside one item: "all", "any", "not".
//
//   {"type": "all", "checks": [A, B]}  fires when every inner check fires (findings of all)
//   {"type": "any", "checks": [A, B]}  fires when at least one fires; reports the nearest miss:
//                                      the fired branch with the fewest findings (the first on a
//                                      tie), the other fired branches named in its first finding
//                                      ("report": "all" keeps the findings of every fired branch)
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
  bool report_all = false;  // "any": keep every fired branch's findings
  bool state_only = false;  // findings unused (decide_only): "any" stops at its first fired branch
  std::vector<std::unique_ptr<Check>> checks;

  void decide_only() override {
    state_only = true;
    for (auto& c : checks) c->decide_only();
  }

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
      // "all" with an inner check passed is decided (passed, and applicable):
      // the checks after it (guards put first are cheap) need not run.
      if (all && clean > 0) break;
      // "any" with an inner check fired fires, whatever the others say; when
      // nobody reads the findings the rest need not run.
      if (!all && state_only && fired > 0) break;
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
    const auto reported = [&](const CheckOutcome& o) { return state_of(o) == State::fired && !(real && o.condition_only); };
    if (!all && !report_all) {
      // One failure, the nearest miss: the fired branch with the fewest
      // findings; what the other fired branches missed goes into its first
      // finding, so one missing greeting is one finding, not three.
      std::size_t best = checks.size();
      for (std::size_t k = 0; k < inner.size(); ++k) {
        if (reported(inner[k]) && (best == checks.size() || inner[k].findings.size() < inner[best].findings.size())) {
          best = k;
        }
      }
      std::string tried;
      for (std::size_t k = 0; k < inner.size(); ++k) {
        if (k == best || !reported(inner[k])) continue;
        for (const Finding& f : inner[k].findings) {
          if (f.explanation.empty()) continue;
          tried += tried.empty() ? "" : "; ";
          tried += f.explanation;
        }
      }
      for (auto& f : inner[best].findings) out.findings.push_back(std::move(f));
      if (!tried.empty() && !out.findings.empty()) out.findings.front().explanation += " (also: " + tried + ")";
      return;
    }
    for (auto& o : inner) {
      if (!reported(o)) continue;
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
  std::vector<std::string> keys = {"type", "checks"};
  if (!all) keys.push_back("report");
  Params p(ctx, j, ptr, keys);
  auto check = std::make_unique<AllAnyCheck>();
  check->all = all;
  if (!all) check->report_all = p.string("report", false, {"nearest", "all"}).value_or("nearest") == "all";
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
  check->check->decide_only();  // a negated check's findings are never reported
  return check;
}

}  // namespace chatqa::detail
