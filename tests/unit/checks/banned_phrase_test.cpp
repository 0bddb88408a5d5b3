// banned_phrase (and contains): phrases that must not appear, allow-lists.
// Code: src/checks/banned_phrase.cpp. Docs: docs/checks.md#banned_phrase.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;

namespace {
std::string banned_item(const std::string& params, const std::string& extra = "") {
  return R"([{"id": "ban", "points": 5, "per_hit": 1, )" + extra + R"("check": {"type": "banned_phrase", )" + params +
         "}}]";
}
const ItemResult& ban(const Report& r) {
  return item_of(r, "ban");
}
}  // namespace

TEST_CASE("banned_phrase: one finding per occurrence, agent messages only by default", "[checks][banned_phrase]") {
  Report r = run(banned_item(R"("phrases": ["不知道"])"),
                 chat({{"customer", 0, "你不知道吗"}, {"agent", 5, "不知道,真的不知道"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.message == 1);
  CHECK(ban(r).findings[0].at.span.value().begin == 0);
  CHECK(ban(r).findings[0].at.span.value().end == 3);
  CHECK(ban(r).findings[1].at.span.value().begin == 6);
  CHECK(ban(r).findings[1].at.quote == "不知道");
  CHECK(ban(r).findings[1].matched == "不知道");
  CHECK(ban(r).findings[0].explanation == "banned phrase 不知道");
  CHECK(ban(r).deducted == 2);

  Report customers = run(banned_item(R"("phrases": ["不知道"], "role": "customer")"),
                         chat({{"customer", 0, "你不知道吗"}, {"agent", 5, "不知道"}}));
  REQUIRE(ban(customers).findings.size() == 1);
  CHECK(ban(customers).findings[0].at.message == 0);
}

TEST_CASE("banned_phrase in full-width form", "[checks][banned_phrase]") {
  Report r =
      run(banned_item(R"("phrases": ["stupid", "SB"])"), chat({{"agent", 0, "你才是ＳＢ,You are ＳＴＵＰＩＤ!"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.quote == "ＳＢ");
  CHECK(ban(r).findings[0].at.span.value().begin == 3);
  CHECK(ban(r).findings[0].at.span.value().end == 5);
  CHECK(ban(r).findings[1].at.quote == "ＳＴＵＰＩＤ");
  CHECK(ban(r).findings[1].at.span.value().begin == 14);
  CHECK(ban(r).findings[1].at.span.value().end == 20);

  // A phrase written full-width in the rule matches half-width text too.
  Report rule_fw = run(banned_item(R"("phrases": ["ＡＢＣ"])"), chat({{"agent", 0, "abc"}}));
  CHECK(ban(rule_fw).hits == 1);
}

TEST_CASE("banned_phrase: a longer allowed phrase covering the hit wins", "[checks][banned_phrase]") {
  Report r = run(banned_item(R"("phrases": ["不能"], "allow": ["不能为空"])"),
                 chat({{"agent", 0, "密码不能为空,我不能帮您改"}}));
  REQUIRE(ban(r).findings.size() == 1);
  CHECK(ban(r).findings[0].at.span.value().begin == 8);
  CHECK(ban(r).findings[0].at.span.value().end == 10);
  CHECK(ban(r).findings[0].at.quote == "不能");

  // An allowed phrase that only overlaps the hit does not excuse it.
  Report overlap =
      run(banned_item(R"("phrases": ["不知道"], "allow": ["知道了"])"), chat({{"agent", 0, "我不知道了"}}));
  CHECK(ban(overlap).hits == 1);
  // Lexicon from the brief: 不知道 allowed inside 不知道您是否.
  Report brief =
      run(banned_item(R"("phrases": ["@shirking"], "allow": ["不知道您是否"])"),
          chat({{"agent", 0, "不知道您是否方便?这个我不知道"}}), true, R"({"shirking": ["不知道", "不清楚"]})");
  REQUIRE(ban(brief).findings.size() == 1);
  CHECK(ban(brief).findings[0].at.span.value().begin == 12);
  CHECK(ban(brief).findings[0].explanation == "banned phrase 不知道 (shirking)");
}

TEST_CASE("banned_phrase spans are code points of the original text", "[checks][banned_phrase]") {
  // 😀 and 𠀀 are outside the BMP (4 UTF-8 bytes, 2 UTF-16 units); ｘ is full-width.
  Report r = run(banned_item(R"("phrases": ["不知道"], "regex": ["你.到底"])"),
                 chat({{"agent", 0, "😀𠀀ｘ不知道,😀你们到底想怎样"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.span.value().begin == 3);
  CHECK(ban(r).findings[0].at.span.value().end == 6);
  CHECK(ban(r).findings[0].at.quote == "不知道");
  CHECK(ban(r).findings[1].at.span.value().begin == 8);
  CHECK(ban(r).findings[1].at.span.value().end == 12);
  CHECK(ban(r).findings[1].at.quote == "你们到底");
  CHECK(ban(r).findings[1].explanation == "banned phrase /你.到底/");
}
