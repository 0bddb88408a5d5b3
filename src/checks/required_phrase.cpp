// required_phrase: phrases that must appear in a window of the conversation
// (first / last N messages of a role, or the first T seconds).
#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class RequiredPhraseCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  long first_messages = 0, last_messages = 0;
  double first_seconds = -1;
  bool match_all = false;
  std::vector<std::uint32_t> groups;  // any: one group; all: one per entry

  std::vector<std::size_t> window(EvalContext& ctx) const {
    std::vector<std::size_t> in;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      if (first_seconds >= 0 && seconds_between(ctx.message(0), ctx.message(i)) > first_seconds) break;
      in.push_back(i);
    }
    if (first_messages > 0 && in.size() > static_cast<std::size_t>(first_messages)) in.resize(static_cast<std::size_t>(first_messages));
    if (last_messages > 0 && in.size() > static_cast<std::size_t>(last_messages)) {
      in.erase(in.begin(), in.end() - last_messages);
    }
    return in;
  }

  std::string window_text() const {
    std::string who = describe(roles);
    if (first_messages > 0) return "the first " + std::to_string(first_messages) + " " + who + " message(s)";
    if (last_messages > 0) return "the last " + std::to_string(last_messages) + " " + who + " message(s)";
    if (first_seconds >= 0) return "the first " + format_seconds(first_seconds) + " of " + who + " messages";
    return "any " + who + " message";
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    if (last_messages > 0 && !ctx.options().session_closed) {
      out.pending = true;  // the closing can still come
      return;
    }
    const std::vector<std::size_t> in = window(ctx);
    for (std::uint32_t g : groups) {
      bool found = false;
      for (std::size_t i : in) {
        auto [b, e] = ctx.hits(i, g);
        if (b != e) {
          found = true;
          break;
        }
      }
      if (found) {
        if (!match_all) return;  // one group is enough
        continue;
      }
      if (!match_all && g != groups.back()) continue;
      Finding f;
      if (!in.empty()) f.at = ctx.at(in.front());
      std::string phrases;
      if (match_all) {
        phrases = sample_phrases(ctx.rules(), g);
      } else {
        for (std::uint32_t each : groups) phrases += (phrases.empty() ? "" : " / ") + sample_phrases(ctx.rules(), each);
      }
      f.explanation = in.empty() ? "no " + describe(roles) + " message in " + window_text() + " (required: " + phrases + ")"
                                 : "required phrase missing in " + window_text() + ": " + phrases;
      out.findings.push_back(std::move(f));
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "phrases", "regex", "role", "window", "match", "normalize"});
  auto check = std::make_unique<RequiredPhraseCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->match_all = p.string("match", false, {"any", "all"}).value_or("any") == "all";
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  if (check->match_all) {
    check->groups = compile_phrase_groups(p, check->roles, settings);
  } else {
    check->groups.push_back(compile_phrase_group(p, check->roles, settings, true));
  }
  if (const json* w = p.get("window")) {
    Params wp(ctx, *w, p.pointer("window"), {"first_messages", "last_messages", "first_seconds"});
    if (!w->is_object() || w->size() != 1) {
      ctx.error("E0105", p.pointer("window"), "\"window\" needs exactly one of first_messages, last_messages, first_seconds");
    } else {
      check->first_messages = wp.integer("first_messages", false, 1, 1000000).value_or(0);
      check->last_messages = wp.integer("last_messages", false, 1, 1000000).value_or(0);
      check->first_seconds = wp.number("first_seconds", false, 0, 86400 * 30).value_or(-1);
    }
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_required_phrase_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
