// required_phrase: phrases that must appear in a window of the conversation
// (first / last N messages of a role, the first / last T seconds, before /
// after another phrase: see Scope in phrase_common.hpp).
#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class RequiredPhraseCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  Scope scope;
  bool match_all = false;
  std::vector<std::uint32_t> groups;  // any: one group; all: one per entry
  // For explanations, known once the rule set is compiled: a few phrases of
  // each group, all groups' together, and the window in words.
  std::vector<std::string> samples;
  std::string all_samples, window_text;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    if (scope.needs_end() && !ctx.options().session_closed) {
      out.pending = true;  // the closing can still come
      return;
    }
    // Anywhere in the chat, one group: the first message with a literal
    // hit passes the check (live scoring searches only the new messages).
    if (scope.empty() && !match_all && ctx.first_message(this, [&](std::size_t i) {
          const Message& m = ctx.message(i);
          return roles.has(m.role) && m.is_utterance() && ctx.has_literal_hit(i, groups.front());
        })) {
      return;
    }
    MessageList in;
    if (!scope.select(ctx, roles, in)) {
      out.applicable = false;  // the "after" anchor never occurred
      return;
    }
    for (const std::uint32_t& g : groups) {
      // Literal and regex hits first: the example sentences of a group with
      // "similar" are compared only when no message of the window has one
      // (the answer is the same; similarity costs ~20x a literal scan).
      bool found = false;
      for (std::size_t i : in) {
        if (ctx.has_literal_hit(i, g)) {
          found = true;
          break;
        }
      }
      for (const std::size_t* i = in.begin(); !found && i != in.end(); ++i) {
        auto [b, e] = ctx.hits(*i, g);
        found = b != e;
      }
      if (found) {
        if (!match_all) return;  // one group is enough
        continue;
      }
      if (!match_all && g != groups.back()) continue;
      Finding f = ctx.finding();
      if (!in.empty()) ctx.locate(in.front(), f.at);
      const std::string& phrases = match_all ? samples[static_cast<std::size_t>(&g - groups.data())] : all_samples;
      if (in.empty()) {
        set_text(f.explanation, "no ", describe(roles), " message in ", window_text, " (required: ", phrases, ")");
      } else {
        set_text(f.explanation, "required phrase missing in ", window_text, ": ", phrases, near_miss(ctx, in, g, f));
      }
      out.findings.push_back(std::move(f));
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "phrases", "regex", "similar", "role", "window", "match", "normalize"});
  auto check = std::make_unique<RequiredPhraseCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->match_all = p.string("match", false, {"any", "all"}).value_or("any") == "all";
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  if (check->match_all) {
    check->groups = compile_phrase_groups(p, check->roles, settings);
  } else {
    check->groups.push_back(compile_phrase_group(p, check->roles, settings, true));
  }
  check->scope = parse_scope(p, "window", check->roles, settings);
  for (std::uint32_t g : check->groups) {
    check->samples.push_back(sample_phrases(ctx.rule_set(), g));
    check->all_samples += (check->all_samples.empty() ? "" : " / ") + check->samples.back();
  }
  check->window_text = check->scope.describe(check->roles);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_required_phrase_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
