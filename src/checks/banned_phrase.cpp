// banned_phrase: phrases or regexes that must not appear in messages of the
// given roles (default agent). One finding per occurrence; an allow-list
// phrase covering a hit (不能为空 over 不能) suppresses it. An optional
// "window" limits the messages looked at (see Scope in phrase_common.hpp).
//
// Registered twice: as "banned_phrase", and as "contains" for bonus items
// that reward a phrase being used.
#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class BannedPhraseCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  std::uint32_t group = 0;
  std::optional<std::uint32_t> allow;
  Scope scope;
  const char* what = "banned phrase";
  bool skip_quoted = false;
  bool state_only = false;  // findings unused (under "not"): the first message with a phrase decides
  std::unique_ptr<EvasionMatcher> evasions;  // with normalize.latin_evasions

  // Fills in a finding's explanation (and suggestion) for a hit.
  auto describer(EvalContext& ctx) const {
    return [this, &ctx](Finding& f, const text::Hit& h) {
      if (f.similarity) {
        f.explanation = std::string(what) + similar_note(f);
      } else {
        f.explanation = std::string(what) + " " + describe_pattern(ctx.rules(), h.pattern);
      }
    };
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    if (state_only && scope.empty()) {
      // Only whether a phrase is used matters: its first message decides
      // (live scoring searches only the new messages).
      std::vector<text::Hit> hits;
      std::vector<Finding> found;
      auto describe = describer(ctx);
      const auto first = ctx.first_message(this, [&](std::size_t i) {
        const Message& m = ctx.message(i);
        if (!roles.has(m.role) || !m.is_utterance()) return false;
        found.clear();
        visible_hit_findings(ctx, i, found, hits, group, allow, describe, skip_quoted, evasions.get());
        return !found.empty();
      });
      if (first) visible_hit_findings(ctx, *first, out.findings, hits, group, allow, describe, skip_quoted, evasions.get());
      return;
    }
    find_visible_hits(ctx, out, scope, roles, group, allow, describer(ctx), skip_quoted, evasions.get());
  }

  void decide_only() override { state_only = true; }

  // Live: each message's findings are its own; a new message adds its own.
  std::unique_ptr<LiveState> live_state() const override {
    if (!scope.grows_at_end()) return nullptr;
    return std::make_unique<WindowLiveState>();
  }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    find_new_visible_hits(ctx, static_cast<WindowLiveState&>(state), out, scope, roles, group, allow, describer(ctx),
                          skip_quoted, evasions.get());
  }
};

std::unique_ptr<BannedPhraseCheck> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "phrases", "regex", "similar", "allow", "role", "window", "normalize", "skip_quoted"});
  auto check = std::make_unique<BannedPhraseCheck>();
  check->skip_quoted = p.boolean("skip_quoted").value_or(false);
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  check->group = compile_phrase_group(p, check->roles, settings, true);
  if (settings.latin_evasions) {
    check->evasions = std::make_unique<EvasionMatcher>();
    check->evasions->build(ctx.rule_set(), check->group, settings);
    if (check->evasions->empty()) check->evasions.reset();
  }
  check->allow = compile_allow_group(p, "allow", check->roles, settings);
  check->scope = parse_scope(p, "window", check->roles, settings);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_banned_phrase_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

std::unique_ptr<Check> make_contains_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  auto check = make(ctx, j, ptr);
  check->what = "phrase";
  return check;
}

}  // namespace chatqa::detail
