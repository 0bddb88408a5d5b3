// typo_count: words from a wrong->right dictionary (错别字). Each hit is a
// finding with the correction; the item fires only from `min_count` hits
// per session (the standards: 1 for typos, 2 for homophone slips).
#include <unordered_map>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class TypoCountCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  std::uint32_t group = 0;
  long min_count = 1;
  std::unordered_map<std::uint32_t, std::string> corrections;  // pattern id -> right form(s)

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<text::Hit> hits;
    std::vector<Finding> found;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      visible_hits(ctx, i, group, std::nullopt, hits);
      for (const text::Hit& h : hits) {
        Finding f = ctx.finding();
        ctx.locate(i, h.begin, h.end, f.at);
        f.matched = ctx.rules().matcher.pattern(h.pattern).text;
        auto c = corrections.find(h.pattern);
        if (c != corrections.end()) f.suggestion = c->second;
        set_text(f.explanation, "typo ", f.at.quote, " -> ", f.suggestion);
        found.push_back(std::move(f));
      }
    }
    if (static_cast<long>(found.size()) >= min_count) out.findings = std::move(found);
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "dictionary", "role", "min_count", "normalize"});
  auto check = std::make_unique<TypoCountCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->min_count = p.integer("min_count", false, 1, 1000000).value_or(1);
  // A typo is a wrong character, so folding Traditional to Simplified would
  // turn correct text into dictionary hits (俱体 folds to 具体): off unless asked.
  const text::MatchSettings settings = p.match_settings("normalize", 0, false);
  check->group = ctx.new_group(check->roles, settings);
  std::vector<std::pair<std::string, std::string>> corrections;
  const json* dict = p.get("dictionary");
  if (!dict) {
    ctx.error("E0103", ptr, "missing required key \"dictionary\"");
  } else if (dict->is_string()) {
    const std::string ref = dict->get<std::string>();
    if (ref.empty() || ref[0] != '@') {
      ctx.error("E0105", p.pointer("dictionary"), "\"dictionary\" must be a \"@lexicon\" reference or an object of wrong -> right");
    } else if (const Lexicon* lex = ctx.lexicon_ref(ref, p.pointer("dictionary"))) {
      if (!lex->is_typos) {
        ctx.error("E0105", p.pointer("dictionary"), "lexicon \"" + ref + "\" is a phrase list, not a wrong->right dictionary");
      }
      corrections = lex->corrections;
    }
  } else if (dict->is_object()) {
    for (auto it = dict->begin(); it != dict->end(); ++it) {
      if (it.value().is_string()) {
        corrections.emplace_back(it.key(), it.value().get<std::string>());
      } else {
        ctx.error("E0104", p.pointer("dictionary") + "/" + JsonLocator::escape_token(it.key()), "a correction must be a string");
      }
    }
  } else {
    ctx.error("E0104", p.pointer("dictionary"), "\"dictionary\" must be a \"@lexicon\" reference or an object");
  }
  for (auto& [wrong, right] : corrections) {
    std::string why;
    const int id = ctx.rule_set().matcher.add_literal(wrong, check->group, settings, &why);
    if (id < 0) {
      ctx.error("E0112", p.pointer("dictionary"), why);
      continue;
    }
    check->corrections[static_cast<std::uint32_t>(id)] = right;
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_typo_count_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
