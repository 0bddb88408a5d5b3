// The literal automaton numbers a BMP character by its rank in a bit set of
// the phrase characters, and astral characters after all BMP ones; phrases
// over more than 65,535 distinct characters, on both planes, still match.
#include <catch2/catch.hpp>

#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"
#include "text/utf8.hpp"

using chatqa::text::Hit;
using chatqa::text::MatchSettings;
using chatqa::text::NormText;
using chatqa::text::Normalizer;
using chatqa::text::PhraseMatcher;

TEST_CASE("phrases over more than 65,535 distinct characters", "[matcher][scale]") {
  PhraseMatcher matcher;
  const MatchSettings settings;  // plain variant, no separator skipping
  std::string error;
  std::uint32_t group = 0;
  auto add_pair = [&](char32_t a, char32_t b) {
    const std::string phrase = chatqa::utf8::encode(std::u32string{a, b});
    REQUIRE(matcher.add_literal(phrase, group, settings, &error) >= 0);
  };
  // CJK Extension B (42,720 astral ideographs) first, then the BMP's
  // unified ideographs and Extension A: symbols past 65,535 go to BMP characters.
  std::size_t distinct = 0;
  for (char32_t c = 0x20000; c + 1 <= 0x2A6DF; c += 2, distinct += 2) add_pair(c, c + 1);
  for (char32_t c = 0x3400; c + 1 <= 0x4DBF; c += 2, distinct += 2) add_pair(c, c + 1);
  for (char32_t c = 0x4E00; c + 1 <= 0x9FEF; c += 2, distinct += 2) add_pair(c, c + 1);
  REQUIRE(distinct > 0x10000);
  REQUIRE(matcher.build(64u << 20, &error));

  const Normalizer& normalizer = Normalizer::instance();
  auto hits_in = [&](std::u32string_view text) {
    NormText t;
    normalizer.normalize(chatqa::utf8::encode(text), false, t);
    std::vector<Hit> hits;
    matcher.match_literals(t, 0, hits);
    return hits;
  };
  // Numbered first (16-bit), numbered last (32-bit), and across the two.
  const std::vector<Hit> early = hits_in(U"x\U00020000\U00020001y");
  REQUIRE(early.size() == 1);
  CHECK(matcher.pattern(early[0].pattern).text == chatqa::utf8::encode(U"\U00020000\U00020001"));
  CHECK(early[0].begin == 1);
  CHECK(early[0].end == 3);
  const std::vector<Hit> late = hits_in(U"好\u9FEE\u9FEF的");
  REQUIRE(late.size() == 1);
  CHECK(matcher.pattern(late[0].pattern).text == chatqa::utf8::encode(U"\u9FEE\u9FEF"));
  CHECK(late[0].begin == 1);
  CHECK(late[0].end == 3);
  CHECK(hits_in(U"\U00020001\u9FEE").empty());  // two characters of different phrases
  CHECK(hits_in(U"\u4E01\u4E02").empty());       // a pair that is no phrase (4E00+4E01, 4E02+4E03 are)
  CHECK(hits_in(U"\u4E00\u4E01\u4E02\u4E03").size() == 2);
}
