// address_form: "use A, not B" — counts each use of a form to avoid (你 where
// 您 is required), except inside words the rule allows (你们, 迷你). One
// finding per use, with the preferred form as its suggestion.
#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class AddressFormCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  std::uint32_t group = 0;
  std::optional<std::uint32_t> allow;
  std::string prefer;
  Scope scope;
  bool skip_quoted = true;

  // Fills in a finding's explanation (and suggestion) for a hit.
  auto describer(EvalContext& ctx) const {
    return [this, &ctx](Finding& f, const text::Hit& h) {
      f.suggestion = prefer;
      f.explanation = "form of address " + describe_pattern(ctx.rules(), h.pattern) +
                      (prefer.empty() ? std::string(" to avoid") : " (use " + prefer + ")");
    };
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    find_visible_hits(ctx, out, scope, roles, group, allow, describer(ctx), skip_quoted);
  }

  // Live: each message's findings are its own; a new message adds its own.
  std::unique_ptr<LiveState> live_state() const override {
    if (!scope.grows_at_end()) return nullptr;
    return std::make_unique<WindowLiveState>();
  }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    find_new_visible_hits(ctx, static_cast<WindowLiveState&>(state), out, scope, roles, group, allow, describer(ctx),
                          skip_quoted, nullptr);
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "avoid", "prefer", "allow", "role", "window", "normalize", "skip_quoted"});
  auto check = std::make_unique<AddressFormCheck>();
  // 你 inside quoted words (the customer's, an app's message) is not the agent addressing anyone.
  check->skip_quoted = p.boolean("skip_quoted").value_or(true);
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  const text::MatchSettings settings = p.match_settings("normalize", 0);
  check->group = ctx.new_group(check->roles, settings);
  auto avoid = p.strings("avoid");
  if (avoid.empty()) ctx.error("E0103", ptr, "needs \"avoid\": the form(s) of address not to use");
  ctx.add_phrases(check->group, avoid);
  check->prefer = p.string("prefer", false).value_or("");
  if (check->prefer.empty() && avoid.size() == 1 && avoid.front().first == "你") check->prefer = "您";
  check->allow = compile_allow_group(p, "allow", check->roles, settings);
  check->scope = parse_scope(p, "window", check->roles, settings);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_address_form_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
