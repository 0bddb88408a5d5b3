// has_role: a condition that fires when the session has at least one message
// of the given role(s) — e.g. reply-time items only apply when a customer wrote.
#include <algorithm>

#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

class HasRoleCheck final : public Check {
 public:
  RoleMask roles;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      out.condition_only = true;
      Finding f = ctx.finding();
      ctx.locate(i, f.at);
      f.explanation = "the session has a " + std::string(to_string(ctx.message(i).role)) + " message";
      out.findings.push_back(std::move(f));
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_has_role_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role"});
  auto check = std::make_unique<HasRoleCheck>();
  if (!p.has("role")) ctx.error("E0103", ptr, "missing required key \"role\"");
  check->roles = p.roles("role", RoleMask{});
  return check;
}

}  // namespace chatqa::detail
