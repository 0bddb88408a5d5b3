// length: messages of a role longer than max_chars (a wall of text), and
// sessions outside bounds — fewer than min_messages / more than max_messages
// messages of the role, or shorter than min_seconds / longer than max_seconds
// from first to last message. Characters are code points of the original
// text, not counting whitespace.
#include "checks/check.hpp"
#include "text/utf8.hpp"

namespace chatqa::detail {
namespace {

class LengthCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  long max_chars = -1, min_messages = -1, max_messages = -1;
  double min_seconds = -1, max_seconds = -1;
  bool state_only = false;  // findings unused (under "not"): the first long message decides

  void decide_only() override { state_only = true; }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    long count = 0;
    std::u32string cps;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      ++count;
      if (max_chars < 0) continue;
      utf8::decode(ctx.message(i).text, cps);
      long chars = 0;
      for (char32_t c : cps) chars += !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000);
      if (chars > max_chars) {
        Finding f = ctx.finding();
        ctx.locate(i, f.at);
        f.value = static_cast<double>(chars);
        f.explanation = describe(roles) + " message of " + std::to_string(chars) + " characters (limit " +
                        std::to_string(max_chars) + ")";
        out.findings.push_back(std::move(f));
        // Fired, whatever the bounds on the session say (they only add findings).
        if (state_only) return;
      }
    }
    const bool live = !ctx.options().session_closed;
    auto session_finding = [&](double value, const std::string& text) {
      Finding f = ctx.finding();
      f.value = value;
      f.explanation = text;
      out.findings.push_back(std::move(f));
    };
    if (max_messages >= 0 && count > max_messages) {
      session_finding(static_cast<double>(count), "session has " +
                                                      counted(static_cast<std::size_t>(count), describe(roles) + " message") +
                                                      " (at most " + std::to_string(max_messages) + ")");
    }
    const double duration = ctx.size() > 0 ? seconds_between(ctx.message(0), ctx.message(ctx.size() - 1)) : 0;
    if (max_seconds >= 0 && duration > max_seconds) {
      session_finding(duration,
                      "session lasted " + format_seconds(duration) + " (at most " + format_seconds(max_seconds) + ")");
    }
    // Lower bounds are only known once the chat is over.
    if (live && (min_messages >= 0 || min_seconds >= 0)) {
      if (out.findings.empty()) out.pending = true;
      return;
    }
    if (min_messages >= 0 && count < min_messages) {
      session_finding(static_cast<double>(count), "session has only " +
                                                      counted(static_cast<std::size_t>(count), describe(roles) + " message") +
                                                      " (at least " + std::to_string(min_messages) + ")");
    }
    if (min_seconds >= 0 && duration < min_seconds) {
      session_finding(duration, "session lasted only " + format_seconds(duration) + " (at least " +
                                    format_seconds(min_seconds) + ")");
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role", "max_chars", "min_messages", "max_messages", "min_seconds", "max_seconds"});
  auto check = std::make_unique<LengthCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->max_chars = p.integer("max_chars", false, 1, 1000000).value_or(-1);
  check->min_messages = p.integer("min_messages", false, 0, 1000000).value_or(-1);
  check->max_messages = p.integer("max_messages", false, 0, 1000000).value_or(-1);
  check->min_seconds = p.number("min_seconds", false, 0, 86400 * 30).value_or(-1);
  check->max_seconds = p.number("max_seconds", false, 0, 86400 * 30).value_or(-1);
  if (!p.has("max_chars") && !p.has("min_messages") && !p.has("max_messages") && !p.has("min_seconds") &&
      !p.has("max_seconds")) {
    ctx.error("E0103", ptr, "needs one of max_chars, min_messages, max_messages, min_seconds, max_seconds");
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_length_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
