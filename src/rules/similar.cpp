// Compiling a phrase group's "similar" object: example sentences matched by
// similarity (text/similarity.hpp).
//
//   "similar": {"examples": ["请问还有别的需要我帮忙的吗", "@further_help_examples"],
//               "threshold": 0.5,
//               "exclude": ["有什么可以帮您"]}
#include <cmath>

#include "checks/phrase_common.hpp"
#include "report/format.hpp"

namespace chatqa::detail {

namespace {

constexpr std::size_t kMaxExamples = 10000;

// The strings of `key` in `sp`, with "@lexicon" entries expanded: (text, pointer).
std::vector<std::pair<std::string, std::string>> example_list(
    Params& sp, const std::vector<std::pair<std::string, std::string>>& raw) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [value, ptr] : raw) {
    if (!value.empty() && value[0] == '@') {
      const Lexicon* lex = sp.ctx().lexicon_ref(value, ptr);
      if (!lex) continue;
      if (lex->is_typos) {
        sp.ctx().error("E0105", ptr, "\"" + value + "\" is a typo dictionary, not a list of example sentences");
        continue;
      }
      for (const auto& phrase : lex->phrases) out.emplace_back(phrase, ptr);
    } else {
      out.emplace_back(value, ptr);
    }
  }
  return out;
}

}  // namespace

bool compile_similar(Params& p, std::uint32_t group) {
  const json* v = p.get("similar");
  if (!v) return false;
  CompileContext& ctx = p.ctx();
  const std::string ptr = p.pointer("similar");
  if (!v->is_object()) {
    ctx.error("E0104", ptr, "\"similar\" must be an object with \"examples\" (and \"threshold\", \"exclude\")");
    return true;
  }
  Params sp(ctx, *v, ptr, {"examples", "threshold", "exclude"});
  double threshold = kDefaultSimilarThreshold;
  if (const json* t = sp.get("threshold")) {
    if (!t->is_number()) {
      ctx.error("E0131", sp.pointer("threshold"), "\"threshold\" must be a number between 0.05 and 1");
    } else {
      threshold = t->get<double>();
      if (!(threshold >= 0.05 && threshold <= 1)) {
        ctx.error("E0131", sp.pointer("threshold"),
                  "\"threshold\" is " + t->dump() + ", outside 0.05..1 (a cosine similarity; 0.5 is usual)");
        threshold = kDefaultSimilarThreshold;
      } else if (threshold < kLowSimilarThreshold) {
        ctx.warning("W0131", sp.pointer("threshold"),
                    "\"threshold\" " + t->dump() + " is below " + format_points(kLowSimilarThreshold) +
                        ": sentences that share only common words will match");
      }
    }
  }
  if (!sp.has("examples")) {
    ctx.error("E0130", ptr, "\"similar\" needs \"examples\": a list of example sentences");
    return true;
  }
  const auto raw_examples = sp.strings("examples");
  const auto examples = example_list(sp, raw_examples);
  const auto excluded = example_list(sp, sp.strings("exclude"));
  if (raw_examples.empty()) {
    ctx.error("E0130", sp.pointer("examples"), "\"examples\" is empty: give at least one example sentence");
    return true;
  }
  if (examples.empty()) return true;  // an unknown lexicon, reported
  RuleSet::Impl& rules = ctx.rule_set();
  PhraseGroup& g = rules.groups[group];
  rules.similar.add_group(group, threshold, g.roles.bits);
  g.similar_slot = rules.similar.slot_of(group);
  const int variant = text::variant_of(g.settings);
  std::vector<std::uint32_t> added;
  auto add = [&](const std::vector<std::pair<std::string, std::string>>& list, bool negative) {
    for (const auto& [text, at] : list) {
      if (rules.similar.example_count() >= kMaxExamples) {
        ctx.error("E0130", at, "more than " + std::to_string(kMaxExamples) + " similar examples in the rule set");
        return;
      }
      std::string why;
      const int id = rules.similar.add_example(group, text, variant, negative, &why);
      if (id < 0) {
        ctx.error("E0132", at, why);
        continue;
      }
      // An excluded example as close as an example to it would cancel that example.
      for (std::uint32_t other : added) {
        const text::Example& a = rules.similar.example(other);
        const text::Example& b = rules.similar.example(static_cast<std::uint32_t>(id));
        if (a.negative == b.negative) continue;
        const double s = text::cosine(a.vector, b.vector);
        if (s >= 0.999) {
          ctx.error("E0133", at,
                    "\"" + b.text + "\" is both an example and excluded (as \"" + a.text + "\"): it could never match");
        }
      }
      added.push_back(static_cast<std::uint32_t>(id));
    }
  };
  add(examples, false);
  add(excluded, true);
  return true;
}

}  // namespace chatqa::detail
