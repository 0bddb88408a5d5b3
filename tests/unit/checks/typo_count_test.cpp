// typo_count: dictionary hits and thresholds. (Latin-word matching and dictionary hygiene: test_typo_words.cpp.)
// Code: src/checks/typo_count.cpp. Docs: docs/checks.md#typo_count.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;
using chatqa::testing::rules_ok;
using chatqa::testing::session_ok;


namespace {
std::string typo_item(const std::string& params) {
  return R"([{"id": "typo", "points": 5, "per_hit": 1, "check": {"type": "typo_count", )" + params + "}}]";
}
const ItemResult& typo(const Report& r) {
  return item_of(r, "typo");
}
}  // namespace

TEST_CASE("typo_count: each hit is a finding with its correction", "[checks][typo_count]") {
  Report r = run(typo_item(R"("dictionary": {"帐号": "账号", "登陆": "登录"})"),
                 chat({{"customer", 0, "帐号登陆不了"}, {"agent", 5, "请您重新登陆帐号试试"}}));
  REQUIRE(typo(r).findings.size() == 2);  // the customer's typos are not the agent's
  CHECK(typo(r).findings[0].at.quote == "登陆");
  CHECK(typo(r).findings[0].at.span.value().begin == 4);
  CHECK(typo(r).findings[0].suggestion == "登录");
  CHECK(typo(r).findings[0].explanation == "typo 登陆 -> 登录");
  CHECK(typo(r).findings[1].suggestion == "账号");
  CHECK(typo(r).deducted == 2);
}

TEST_CASE("typo_count: min_count threshold (homophones count from 2)", "[checks][typo_count]") {
  const std::string item = typo_item(R"("dictionary": "@homophones", "min_count": 2)");
  const std::string lex = R"({"homophones": {"typos": {"在坐": "在座", "即然": "既然"}}})";
  Report one = run(item, chat({{"agent", 0, "即然这样,我帮您处理"}}), true, lex);
  CHECK(typo(one).status == ItemStatus::passed);
  CHECK(typo(one).findings.empty());
  Report two = run(item, chat({{"agent", 0, "即然这样"}, {"agent", 5, "即然您同意"}}), true, lex);
  REQUIRE(typo(two).status == ItemStatus::failed);
  CHECK(typo(two).findings.size() == 2);
  CHECK(typo(two).deducted == 2);
}

TEST_CASE("typo_count does not fold Traditional characters even when the rule set does", "[checks][typo_count]") {
  // 俱体 is a typo for 具体; folded to Simplified it would equal the correct word.
  auto rules = rules_ok(R"({"name":"t","options":{"traditional_to_simplified":true},
    "lexicons":{"typos":{"typos":{"俱体":"具体"}}},
    "items":[{"id":"typos","points":5,"per_hit":1,"check":{"type":"typo_count","dictionary":"@typos"}}]})");
  auto s = session_ok(R"({"id":"t","messages":[{"role":"agent","time":"2024-05-01 10:00:00","text":"具体情况我帮您看看"},
    {"role":"agent","time":"2024-05-01 10:00:05","text":"俱体是哪一单呢"}]})");
  const chatqa::Report report = chatqa::evaluate(*rules, s);
  const auto& typos = item_of(report, "typos");
  REQUIRE(typos.findings.size() == 1);
  CHECK(typos.findings[0].at.message == 1);
  CHECK(typos.findings[0].at.quote == "俱体");
  CHECK(typos.findings[0].suggestion == "具体");
}
