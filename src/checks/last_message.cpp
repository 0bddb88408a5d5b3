// last_message: a condition that fires when the session's last message is of
// the given role(s) — e.g. the customer wrote last and nobody answered: a
// thread that is still open, where end-of-chat items (closing, rating
// invitation) cannot be judged yet. Bare system messages (no text, no event)
// are passed over; a system event (closed, survey_sent) is a last message
// like any other.
//
// "unless" ({"phrases", "regex"}) passes over a last message that says
// little beyond these phrases (fewer than `min_chars` other characters): an
// acknowledgement (好的 / 谢谢 / 没有了) does not keep a chat open.
#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class LastMessageCheck final : public Check {
 public:
  RoleMask roles;
  std::optional<std::uint32_t> unless;
  long min_chars = 4;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    for (std::size_t k = ctx.size(); k-- > 0;) {
      const Message& m = ctx.message(k);
      if (m.role == Role::system && m.text.empty() && m.event.empty()) continue;
      if (!roles.has(m.role)) return;
      if (unless && chars_outside(ctx, k, {unless}) < min_chars) return;
      out.condition_only = true;
      Finding f = ctx.finding();
      ctx.locate(k, f.at);
      f.explanation = "the session ends with a " + std::string(to_string(m.role)) + " message";
      out.findings.push_back(std::move(f));
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_last_message_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role", "unless", "min_chars", "normalize"});
  auto check = std::make_unique<LastMessageCheck>();
  if (!p.has("role")) ctx.error("E0103", ptr, "missing required key \"role\"");
  check->roles = p.roles("role", RoleMask{});
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  if (const json* u = p.get("unless")) {
    if (!u->is_object()) {
      ctx.error("E0104", p.pointer("unless"), "\"unless\" must be an object with \"phrases\" or \"regex\"");
    } else {
      Params up(ctx, *u, p.pointer("unless"), {"phrases", "regex"});
      check->unless = compile_phrase_group(up, check->roles, settings, true);
    }
  }
  check->min_chars = p.integer("min_chars", false, 1, 10000).value_or(4);
  return check;
}

}  // namespace chatqa::detail
