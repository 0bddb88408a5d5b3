// repetition: the customer had to ask the same thing again.
// Code: src/checks/repetition.cpp. Docs: docs/checks.md#repetition.
#include <algorithm>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {

// Two customer messages under a repetition check of min_repeats 2 (`params`
// adds more keys): fails exactly when the two count as the same thing.
bool pair_repeats(const std::string& a, const std::string& b, const std::string& params) {
  auto s = chat({{"customer", 0, a}, {"customer", 10, b}});
  return run(one_item(R"({"type": "repetition", "min_repeats": 2)" + params + "}"), s).status ==
         ItemStatus::failed;
}

// A location's message index, -1 for the whole session.
long index_of(const chatqa::Location& at) {
  return at.message ? static_cast<long>(*at.message) : -1;
}

std::string utf8_of(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) {  // the test only uses the BMP
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

}  // namespace

TEST_CASE("repetition: the customer asks the same thing 3 times", "[checks][repetition]") {
  const std::string check = R"({"type": "repetition"})";
  SECTION("three near-duplicates fire once, quoting every repeat") {
    auto s = chat({{"customer", 0, "我的快递什么时候到?"},
                   {"agent", 10, "您好,请提供一下订单号。"},
                   {"customer", 20, "4026371180923461"},
                   {"agent", 30, "好的,我看一下。"},
                   {"customer", 60, "我的快递到底什么时候到"},
                   {"agent", 70, "正在查询。"},
                   {"customer", 90, "快递什么时候到??"}});
    auto r = run(one_item(check), s);
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.at.message == 6);
    REQUIRE(f.related);
    CHECK(f.related->message == 0);
    CHECK(f.value == 3);
    CHECK_THAT(f.explanation, Catch::Contains("#0 「我的快递什么时候到?」") && Catch::Contains("#4") &&
                                  Catch::Contains("#6 「快递什么时候到??」"));
  }
  SECTION("English, with punctuation and case differences") {
    auto s = chat({{"customer", 0, "Where is my refund?"},
                   {"agent", 5, "Let me check."},
                   {"customer", 60, "where is my refund"},
                   {"agent", 65, "One moment."},
                   {"customer", 120, "WHERE IS MY REFUND!!!"}});
    CHECK(run(one_item(check), s).status == ItemStatus::failed);
  }
  SECTION("different questions and short acknowledgements do not count") {
    auto s = chat({{"customer", 0, "这款有现货吗"},
                   {"agent", 5, "有的"},
                   {"customer", 10, "好的"},
                   {"customer", 12, "好的"},
                   {"customer", 14, "好的"},
                   {"customer", 20, "什么时候发货"},
                   {"customer", 30, "能开发票吗"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
  }
  SECTION("only twice is below the default of 3; min_repeats 2 fires") {
    auto s = chat({{"customer", 0, "退款什么时候到账"}, {"agent", 5, "请稍等"}, {"customer", 60, "退款什么时候到账?"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
    CHECK(run(one_item(R"({"type": "repetition", "min_repeats": 2})"), s).status == ItemStatus::failed);
  }
  SECTION("similarity threshold is configurable") {
    auto s = chat({{"customer", 0, "我的快递到底什么时候到"},
                   {"customer", 30, "快递什么时候到啊"},
                   {"customer", 60, "快递什么时候能到"}});
    CHECK(run(one_item(R"({"type": "repetition", "similarity": 0.95})"), s).status == ItemStatus::passed);
    CHECK(run(one_item(R"({"type": "repetition", "similarity": 0.4})"), s).status == ItemStatus::failed);
    CHECK(run(one_item(check), s).status == ItemStatus::passed);  // default 0.6: only the last two are alike
  }
  SECTION("edge: empty and agent-only sessions") {
    CHECK(run(one_item(check), chat({})).status == ItemStatus::not_applicable);
    CHECK(run(one_item(check), chat({{"agent", 0, "您好,请问有什么可以帮您?"},
                                     {"agent", 1, "您好,请问有什么可以帮您?"},
                                     {"agent", 2, "您好,请问有什么可以帮您?"}}))
              .status == ItemStatus::not_applicable);
  }
  SECTION("repeats more than 200 customer messages apart are not compared (keeps huge sessions fast)") {
    std::vector<Row> rows;
    unsigned seed = 12345;
    auto filler = [&] {
      std::u32string t;
      for (int k = 0; k < 8; ++k) {
        seed = seed * 1103515245u + 12345u;
        t.push_back(static_cast<char32_t>(0x4E00 + (seed >> 8) % 20000));
      }
      std::string out;
      for (char32_t c : t) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
      return out;
    };
    int t = 0;
    for (int round = 0; round < 3; ++round) {
      rows.push_back({"customer", t++, "我的退款什么时候到账"});
      for (int k = 0; k < (round < 2 ? 210 : 0); ++k) rows.push_back({"customer", t++, filler()});
    }
    CHECK(run(one_item(check), chat(rows)).status == ItemStatus::passed);
    rows.push_back({"customer", t++, "我的退款什么时候到账"});
    rows.push_back({"customer", t++, "我的退款什么时候到账?"});
    CHECK(run(one_item(check), chat(rows)).status == ItemStatus::failed);
  }
  CHECK(has_error(one_item(R"({"type": "repetition", "similarity": 2})"), "E0105", "/items/0/check/similarity"));
  CHECK(has_error(one_item(R"({"type": "repetition", "min_repeat": 3})"), "E0102", "/items/0/check/min_repeat"));
}

// Anything that skips comparisons (the length bound, a cheaper prefilter)
// must never skip a pair that reaches the threshold: pairs right at it, on
// both sides, with repeated n-grams, messages shorter than n and long ones.
TEST_CASE("repetition: the Dice threshold is exact over multisets of n-grams", "[checks][repetition]") {
  SECTION("equal lengths: 3 of 5 bigrams shared is exactly 0.6") {
    CHECK(pair_repeats("abcdef", "abcdxy", R"(, "similarity": 0.6)"));
    CHECK(pair_repeats("abcdxy", "abcdef", R"(, "similarity": 0.6)"));
    CHECK_FALSE(pair_repeats("abcdef", "abcdxy", R"(, "similarity": 0.61)"));
    CHECK_FALSE(pair_repeats("abcdef", "abcxyz", R"(, "similarity": 0.6)"));  // 2 of 5: 0.4
  }
  SECTION("different lengths") {
    // 4 and 6 bigrams, 3 shared: 0.6.
    CHECK(pair_repeats("abcde", "abcdxyz", R"(, "similarity": 0.6)"));
    CHECK(pair_repeats("abcdxyz", "abcde", R"(, "similarity": 0.6)"));
    CHECK_FALSE(pair_repeats("abcde", "abcdxyz", R"(, "similarity": 0.61)"));
    // 9 and 6 bigrams, 6 shared: 0.8.
    CHECK(pair_repeats("abcdefghij", "abcdefg", R"(, "similarity": 0.8)"));
    CHECK_FALSE(pair_repeats("abcdefg", "abcdefghij", R"(, "similarity": 0.81)"));
    // 4 and 9 bigrams: at most 4 shared, 8/13 < 0.62 whatever they are.
    CHECK_FALSE(pair_repeats("abcde", "abcdefghij", R"(, "similarity": 0.62)"));
    CHECK(pair_repeats("abcde", "abcdefghij", R"(, "similarity": 0.61)"));
  }
  SECTION("repeated bigrams count as often as both messages have them") {
    // 6 and 3 times 好好: 3 shared, 6/9.
    CHECK(pair_repeats("好好好好好好好", "好好好好", R"(, "similarity": 0.66)"));
    CHECK_FALSE(pair_repeats("好好好好", "好好好好好好好", R"(, "similarity": 0.67)"));
    // 好好×3 好啊 啊啊×2 against 好好 好啊 啊啊×4: 1 + 1 + 2 shared, 8/12.
    CHECK(pair_repeats("好好好好啊啊啊", "好好啊啊啊啊啊", R"(, "similarity": 0.66)"));
    CHECK_FALSE(pair_repeats("好好好好啊啊啊", "好好啊啊啊啊啊", R"(, "similarity": 0.67)"));
    CHECK(pair_repeats("哈哈哈哈", "哈哈哈哈", R"(, "similarity": 1)"));
    CHECK_FALSE(pair_repeats("哈哈哈哈", "哈哈哈哈哈", R"(, "similarity": 1)"));
  }
  SECTION("messages shorter than n are one n-gram of their own") {
    CHECK(pair_repeats("好", "好", R"(, "similarity": 1, "min_chars": 1)"));
    CHECK_FALSE(pair_repeats("好", "啊", R"(, "similarity": 0.01, "min_chars": 1)"));
    CHECK_FALSE(pair_repeats("好", "好好", R"(, "similarity": 0.01, "min_chars": 1)"));
    CHECK(pair_repeats("好的", "好的", R"(, "similarity": 1, "ngram": 3, "min_chars": 2)"));
    CHECK_FALSE(pair_repeats("好的", "的好", R"(, "similarity": 0.01, "ngram": 3, "min_chars": 2)"));
    // 好的 is one trigram-sized key, 好的啊 one trigram: not the same.
    CHECK_FALSE(pair_repeats("好的", "好的啊", R"(, "similarity": 0.01, "ngram": 3, "min_chars": 2)"));
  }
  SECTION("long messages: hundreds of the same bigram") {
    auto many = [](std::size_t n) {
      std::string s;
      for (std::size_t k = 0; k < n; ++k) s += "好";
      return s;
    };
    CHECK(pair_repeats(many(400), many(400), R"(, "similarity": 1)"));
    CHECK(pair_repeats(many(400), many(300), R"(, "similarity": 0.85)"));  // 299 of 399 + 299: 598/698
    CHECK_FALSE(pair_repeats(many(400), many(300), R"(, "similarity": 0.86)"));
    CHECK(pair_repeats(many(300), many(200), R"(, "similarity": 0.79)"));  // 199 of 299 + 199: 398/498
    CHECK_FALSE(pair_repeats(many(300), many(200), R"(, "similarity": 0.8)"));
    CHECK(pair_repeats(many(400), many(399), R"(, "similarity": 0.998)"));  // 398 of 399 + 398: 796/797
    CHECK_FALSE(pair_repeats(many(400), many(399), R"(, "similarity": 0.999)"));
  }
  SECTION("a message joins the FIRST group holding a similar message") {
    // #2 is like #0 and like #1, which are not alike: it joins #0's group.
    auto s = chat({{"customer", 0, "abcdefgh"}, {"customer", 10, "wxyzstuv"}, {"customer", 20, "abcdstuv"}});
    auto r = run(one_item(R"({"type": "repetition", "min_repeats": 2, "similarity": 0.4})"), s);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].related->message == 0);
    CHECK(r.findings[0].at.message == 2);
    CHECK(r.findings[0].value == 2);
  }
}

// Random sessions over a few characters (so n-grams repeat and pairs land
// right at the threshold) against a plain model of the check: Dice over
// sorted multisets of n-grams, single-link grouping in time order.
TEST_CASE("repetition: random sessions agree with a plain model", "[checks][repetition]") {
  const std::u32string alphabet = U"好啊的我快递";
  const char* similarities[] = {"0.3", "0.5", "0.6", "0.75", "0.8", "1"};
  unsigned seed = 2024;
  auto next = [&](unsigned bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % bound;
  };
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t n = 1 + next(3);
    const std::string similarity = similarities[next(6)];
    const std::size_t min_repeats = 2 + next(2);
    const std::size_t letters = 2 + next(static_cast<unsigned>(alphabet.size() - 1));
    const bool long_ones = next(4) == 0;
    std::vector<std::u32string> texts(2 + next(7));
    for (auto& t : texts) {
      const std::size_t length = long_ones && next(2) ? 240 + next(80) : 1 + next(12);
      for (std::size_t k = 0; k < length; ++k) t.push_back(alphabet[next(static_cast<unsigned>(letters))]);
    }
    // The model.
    std::vector<std::vector<std::u32string>> grams;
    for (const auto& t : texts) {
      std::vector<std::u32string> g;
      if (t.size() < n) g.push_back(t);
      for (std::size_t k = 0; k + n <= t.size(); ++k) g.push_back(t.substr(k, n));
      std::sort(g.begin(), g.end());
      grams.push_back(g);
    }
    const double threshold = std::stod(similarity);
    auto alike = [&](std::size_t a, std::size_t b) {
      std::vector<std::u32string> common;
      std::set_intersection(grams[a].begin(), grams[a].end(), grams[b].begin(), grams[b].end(),
                            std::back_inserter(common));
      const double total = static_cast<double>(grams[a].size() + grams[b].size());
      return 2.0 * static_cast<double>(common.size()) / total >= threshold;
    };
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t m = 0; m < texts.size(); ++m) {
      bool joined = false;
      for (auto& g : groups) {
        for (std::size_t other : g) {
          if (alike(m, other)) {
            g.push_back(m);
            joined = true;
            break;
          }
        }
        if (joined) break;
      }
      if (!joined) groups.push_back({m});
    }
    std::vector<std::tuple<long, long, double>> expected, actual;  // (at, related, count)
    for (const auto& g : groups) {
      if (g.size() >= min_repeats) {
        expected.emplace_back(static_cast<long>(g[min_repeats - 1]), static_cast<long>(g[0]),
                              static_cast<double>(g.size()));
      }
    }
    // The check.
    std::vector<Row> rows;
    for (std::size_t m = 0; m < texts.size(); ++m) rows.push_back({"customer", static_cast<int>(m) * 10, utf8_of(texts[m])});
    const std::string check = R"({"type": "repetition", "min_chars": 1, "ngram": )" + std::to_string(n) +
                              R"(, "min_repeats": )" + std::to_string(min_repeats) + R"(, "similarity": )" +
                              similarity + "}";
    auto r = run(one_item(check), chat(rows));
    for (const auto& f : r.findings) actual.emplace_back(index_of(f.at), f.related ? index_of(*f.related) : -1, f.value.value_or(0));
    std::sort(expected.begin(), expected.end());
    std::sort(actual.begin(), actual.end());
    INFO("trial " << trial << ": " << check);
    CHECK(actual == expected);
  }
}

TEST_CASE("repetition: reply_between — the same words twice in a row are one turn", "[checks][repetition][seed]") {
  const std::string r = R"({"type": "repetition", "min_repeats": 2, "similarity": 0.8, "reply_between": true})";
  auto twice = chat({{"customer", 0, "我的退款什么时候到账"}, {"customer", 5, "我的退款什么时候到账"}, {"agent", 20, "您好"}});
  CHECK(run(one_item(r), twice).status == ItemStatus::passed);
  auto again = chat({{"customer", 0, "我的退款什么时候到账"}, {"agent", 20, "您好"}, {"customer", 30, "我的退款什么时候到账"}});
  CHECK(run(one_item(r), again).status == ItemStatus::failed);
  // Without the option, both count.
  CHECK(run(one_item(R"({"type": "repetition", "min_repeats": 2, "similarity": 0.8})"), twice).status ==
        ItemStatus::failed);
}
