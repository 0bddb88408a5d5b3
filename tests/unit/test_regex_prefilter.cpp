// The regex prefilter (FilteredRE2 atoms found by a small automaton) must
// never drop a hit: on random texts built from the regexes' own pieces, the
// matcher's regex hits equal those of every regex run on its own.
#include <random>
#include <set>
#include <tuple>

#include <re2/re2.h>
#include <catch2/catch.hpp>

#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"

using chatqa::text::Hit;
using chatqa::text::MatchSettings;
using chatqa::text::Normalizer;
using chatqa::text::NormText;
using chatqa::text::PhraseMatcher;
using chatqa::text::RegexScratch;

namespace {

using Found = std::set<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>>;  // pattern, norm begin, end

// Every regex on its own over the normalised text, as match_regexes walks
// it: leftmost matches, not overlapping, empty ones skipped.
Found brute_force(const std::vector<std::string>& patterns, NormText& text) {
  Found out;
  text.ensure_utf8();
  const re2::StringPiece input(text.utf8);
  for (std::uint32_t id = 0; id < patterns.size(); ++id) {
    RE2::Options o;
    o.set_log_errors(false);
    const RE2 re(patterns[id], o);
    REQUIRE(re.ok());
    std::size_t pos = 0;
    re2::StringPiece m;
    while (pos <= input.size() && re.Match(input, pos, input.size(), RE2::UNANCHORED, &m, 1)) {
      const auto b = static_cast<std::uint32_t>(m.data() - input.data());
      const auto e = static_cast<std::uint32_t>(b + m.size());
      if (m.empty()) {
        pos = b + 1;
        continue;
      }
      pos = e;
      out.emplace(id, text.norm_index_of_byte(b), text.norm_index_of_byte(e - 1) + 1);
    }
  }
  return out;
}

Found matched(const PhraseMatcher& matcher, NormText& text, RegexScratch& scratch) {
  std::vector<Hit> hits;
  matcher.match_regexes(text, 0, hits, scratch);
  Found out;
  for (const Hit& h : hits) out.emplace(h.pattern, h.norm_begin, h.norm_end);
  return out;
}

// A matcher of `regexes` (pattern id = index), built with a set budget of `set_max_mem`.
PhraseMatcher build(const std::vector<std::string>& regexes, std::size_t set_max_mem = 64u << 20) {
  PhraseMatcher m;
  for (std::uint32_t id = 0; id < regexes.size(); ++id) {
    std::string error;
    REQUIRE(m.add_regex(regexes[id], 0, MatchSettings{}, 8u << 20, &error) == static_cast<int>(id));
  }
  std::string error;
  REQUIRE(m.build(set_max_mem, &error));
  return m;
}

}  // namespace

TEST_CASE("the regex prefilter never drops a hit", "[matcher][regex][prefilter]") {
  // The shipped rule sets' kinds of regexes, and ones whose atoms are
  // optional, alternated, anchored, ASCII, or absent (always candidates).
  const std::vector<std::string> patterns = {
      "稍候([,.!~。…]|$)",
      "[0-9a-z]+号客服",
      "(我的|本次|这次|此次)服务.{0,10}(评价|打分)",
      R"(^\s*(什么|啥|说什么|为什么|怎么样|如何)\s*[?!]+\s*$)",
      "你(到底|究竟)",
      R"(你说什么\s*[?!])",
      "你(自己)?(去)?找(别的|其他|其它|别)(部门|地方|人)(去)?(问|查)",
      "你(去)?(拨|打).{0,20}电话(去)?查",
      "我(的)?态度(怎么了|哪里不好|哪不好)",
      R"(\border (number|no\.?)\s*\d{6,}\b)",
      "(?i)refund",
      "x*y?",  // matches empty everywhere: never a hit, never filtered
      R"(\d{11})",
      "ab|cd",
      "𠀀𠀁+号",  // atoms beyond the BMP
      "(𠀁|好)的",
      // Plain literals, found by a string search instead of RE2 (the same
      // leftmost, non-overlapping hits), and look-alikes that are not literal.
      R"(\?)",
      "号客服",
      R"(\.\.)",
      "order n",
      R"(\\)",
      "的的",
      "a.b",
      R"(\d)",
  };
  const PhraseMatcher matcher = build(patterns);
  // The same regexes in the opposite order: the same atoms stand for other
  // regex ids, so an answer remembered for one matcher is wrong for the other.
  const std::vector<std::string> reversed(patterns.rbegin(), patterns.rend());
  const PhraseMatcher other = build(reversed);
  REQUIRE(other.build_id() != matcher.build_id());
  RegexScratch shared;  // kept across texts and used with both matchers, as a worker keeps one

  // Pieces the regexes are made of, and filler, glued at random.
  const std::vector<std::string> pieces = {
      "稍候",       "稍",     "候",     "。",     "!",           "?",      "？",     "～",
      "…",          " ",      "\n",     "7",      "12345678901", "a",      "b",      "c",
      "d",          "号客服", "号",     "客服",   "我的",        "本次",   "服务",   "评价",
      "打分",       "什么",   "啥",     "为什么", "如何",        "你",     "到底",   "究竟",
      "说什么",     "自己",   "去",     "找",     "别的",        "部门",   "人",     "问",
      "查",         "拨",     "打",     "电话",   "态度",        "怎么了", "哪不好", "order number ",
      "ORDER NO. ", "123456", "REFUND", "Refund", "您好",        "谢谢",   "x",      "y",
      "的",         "好",     "𠀀",     "𠀁",     "𠀀𠀁",        "𠀁的",
      "..",         "\\",   "a.b",    "axb",
  };
  std::mt19937 rng(20241123);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 14);
  const Normalizer& normalizer = Normalizer::instance();
  std::size_t with_hits = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k) text += pieces[pick(rng)];
    NormText a, b, c, d;
    normalizer.normalize(text, false, a);
    normalizer.normalize(text, false, b);
    normalizer.normalize(text, false, c);
    normalizer.normalize(text, false, d);
    const Found expected = brute_force(patterns, a);
    INFO(text);
    RegexScratch fresh;
    CHECK(matched(matcher, b, fresh) == expected);
    CHECK(matched(matcher, c, shared) == expected);
    CHECK(matched(other, d, shared) == brute_force(reversed, d));
    with_hits += !expected.empty();
  }
  CHECK(with_hits > 1000);  // the texts do exercise the regexes

  // Matched for an audience, only the regexes (and literals) of that
  // audience report; the others' hits are exactly the ones left out. Each
  // pattern has a group of its own: audience 1, 2 or both by its id.
  PhraseMatcher mixed;
  auto audience_of = [](std::uint32_t group) -> chatqa::text::Audience { return group % 3 == 2 ? 3 : 1 + group % 3; };
  for (std::uint32_t id = 0; id < patterns.size(); ++id) {
    std::string error;
    REQUIRE(mixed.add_regex(patterns[id], id, MatchSettings{}, 8u << 20, &error) == static_cast<int>(id));
  }
  const std::vector<std::string> literals = {"您好", "什么", "电话", "谢谢", "号客服", "refund"};
  for (std::size_t k = 0; k < literals.size(); ++k) {
    const auto group = static_cast<std::uint32_t>(patterns.size() + k);
    REQUIRE(mixed.add_literal(literals[k], group, MatchSettings{}, nullptr) >= 0);
  }
  for (std::uint32_t g = 0; g < patterns.size() + literals.size(); ++g) mixed.set_audience(g, audience_of(g));
  std::string error;
  REQUIRE(mixed.build(64u << 20, &error));
  std::size_t left_out = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k) text += pieces[pick(rng)];
    NormText t;
    normalizer.normalize(text, false, t);
    INFO(text);
    std::vector<Hit> all;
    mixed.match_literals(t, 0, all);
    mixed.match_regexes(t, 0, all, shared);
    for (chatqa::text::Audience audience : {1, 2}) {
      std::vector<Hit> got;
      mixed.match_literals(t, 0, got, audience);
      mixed.match_regexes(t, 0, got, shared, audience);
      Found expected, found;
      for (const Hit& h : all) {
        if (audience_of(h.group) & audience) {
          expected.emplace(h.pattern, h.norm_begin, h.norm_end);
        } else {
          ++left_out;
        }
      }
      for (const Hit& h : got) found.emplace(h.pattern, h.norm_begin, h.norm_end);
      CHECK(found == expected);
      CHECK(got.size() == expected.size());
    }
  }
  CHECK(left_out > 500);  // the filter did have hits to leave out
}

TEST_CASE("the regex prefilter with many atoms and atoms beyond the BMP", "[matcher][regex][prefilter]") {
  // 600 regexes of three-ideograph literals: more atom states times atom
  // characters than the scanner's full transition table takes, so it walks
  // edge lists and failure links instead; and atoms of astral ideographs.
  std::vector<std::string> patterns;
  std::vector<std::string> pieces = {"𠀀𠀁", "𠀁", "𠀀", "的", "好", " ", "?"};
  std::u32string han;
  for (char32_t c = 0x4E00; han.size() < 1800; c += 7) han.push_back(c);
  auto utf8 = [](std::u32string_view cps) {
    std::string out;
    for (char32_t c : cps) {
      if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return out;
  };
  for (std::size_t k = 0; k < 600; ++k) {
    const std::string word = utf8(std::u32string_view(han).substr(3 * k, 3));
    patterns.push_back(word + "[0-9]*");
    pieces.push_back(word);
    pieces.push_back(utf8(std::u32string_view(han).substr(3 * k + 1, 3)));  // overlaps two words
  }
  patterns.push_back("𠀀𠀁+号");
  patterns.push_back("(𠀁|好)的");
  const PhraseMatcher matcher = build(patterns, 256u << 20);
  pieces.push_back("号");
  pieces.push_back("7");
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 12);
  RegexScratch scratch;
  std::size_t with_hits = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k) text += pieces[pick(rng)];
    NormText a, b;
    Normalizer::instance().normalize(text, false, a);
    Normalizer::instance().normalize(text, false, b);
    const Found expected = brute_force(patterns, a);
    INFO(text);
    CHECK(matched(matcher, b, scratch) == expected);
    with_hits += !expected.empty();
  }
  CHECK(with_hits > 100);
}
