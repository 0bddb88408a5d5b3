// A text without Traditional characters is the same in every variant, so
// the engine scans it once with an automaton of all variants' literals.
// That scan must find exactly what one scan per variant finds.
#include <algorithm>
#include <tuple>

#include <catch2/catch.hpp>

#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"

using chatqa::text::Hit;
using chatqa::text::MatchSettings;
using chatqa::text::NormText;
using chatqa::text::Normalizer;
using chatqa::text::PhraseMatcher;

namespace {

auto key(const Hit& h) { return std::make_tuple(h.pattern, h.group, h.norm_begin, h.norm_end, h.begin, h.end); }

std::vector<Hit> sorted(std::vector<Hit> hits) {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return key(a) < key(b); });
  return hits;
}

}  // namespace

TEST_CASE("one scan of all variants finds what the per-variant scans find", "[matcher][variants]") {
  PhraseMatcher matcher;
  MatchSettings plain;  // variant 0, as typo dictionaries are
  MatchSettings folded;
  folded.traditional = true;  // variant 1, as most banned-phrase groups are
  folded.max_skip = 3;
  std::string error;
  // Phrases of both variants that share prefixes, suffixes and whole
  // strings, so the merged automaton's failure links and outputs cross
  // variants; one Latin phrase for the whole-word checks.
  const char* const plain_phrases[] = {"不知道", "按装", "知道了", "迫不急待", "hell"};
  const char* const folded_phrases[] = {"不知道", "我不知道", "不知", "道了", "急待", "hello", "没办法"};
  for (const char* p : plain_phrases) REQUIRE(matcher.add_literal(p, 0, plain, &error) >= 0);
  for (const char* p : folded_phrases) REQUIRE(matcher.add_literal(p, 1, folded, &error) >= 0);
  REQUIRE(matcher.build(8u << 20, &error));

  const char* const texts[] = {
      "我不知道了",         "我 不 知 道 了",    "这个我不😊知道", "请按装最新版本,迫不急待",
      "hello, hell no",     "h e l l o",         "没 办 法",       "不，知道了",
      "完全无关的一句话。", "",                  "不知不知道道了", "I'll say hell.",
  };
  const Normalizer& normalizer = Normalizer::instance();
  for (const char* text : texts) {
    INFO("text: " << text);
    NormText t;
    normalizer.normalize(text, false, t);
    REQUIRE_FALSE(normalizer.folds_traditional(t));
    std::vector<Hit> separate, merged;
    matcher.match_literals(t, 0, separate);
    matcher.match_literals(t, 1, separate);
    matcher.match_literals_all_variants(t, merged);
    const std::vector<Hit> a = sorted(separate), b = sorted(merged);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) CHECK(key(a[k]) == key(b[k]));
  }
  // And the scans do find things (the comparison above is not of two empty lists).
  NormText t;
  normalizer.normalize("我不知道了", false, t);
  std::vector<Hit> merged;
  matcher.match_literals_all_variants(t, merged);
  CHECK(merged.size() == 6);  // 不知道 twice (one per variant), 我不知道, 不知, 知道了, 道了
}
