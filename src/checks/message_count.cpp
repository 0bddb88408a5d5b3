// message_count: a condition that fires when the number of messages (of
// `role`, default every role) is within [min, max] — e.g. an item that only
// applies to chats of at least 4 messages.
#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

class MessageCountCheck final : public Check {
 public:
  RoleMask roles{0x0f};
  long min = 0, max = -1;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    long count = 0;
    for (std::size_t i = 0; i < ctx.size(); ++i) count += roles.has(ctx.message(i).role);
    if (count < min || (max >= 0 && count > max)) return;
    out.condition_only = true;
    Finding f = ctx.finding();
    f.value = static_cast<double>(count);
    f.explanation = "the session has " + std::to_string(count) + " " +
                    (roles.bits == 0x0f ? std::string("") : describe(roles) + " ") + "message(s)";
    out.findings.push_back(std::move(f));
  }
};

}  // namespace

std::unique_ptr<Check> make_message_count_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "min", "max", "role"});
  auto check = std::make_unique<MessageCountCheck>();
  check->roles = p.roles("role", RoleMask{0x0f});
  check->min = p.integer("min", false, 0, 100000000).value_or(0);
  check->max = p.integer("max", false, 0, 100000000).value_or(-1);
  if (!p.has("min") && !p.has("max")) ctx.error("E0103", ptr, "needs \"min\" or \"max\"");
  if (check->max >= 0 && check->max < check->min) ctx.error("E0105", p.pointer("max"), "\"max\" is below \"min\"");
  return check;
}

}  // namespace chatqa::detail
