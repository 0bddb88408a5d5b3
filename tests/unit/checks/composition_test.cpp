// all / any / not: checks composed of checks.
// Code: src/checks/composition.cpp. Docs: docs/checks.md#all--any--not.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;


TEST_CASE("all / any / not", "[checks][logic]") {
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  const std::string all = R"({"type": "all", "checks": [)" + kNoGreeting + "," + banned + "]}";
  const std::string any = R"({"type": "any", "checks": [)" + kNoGreeting + "," + banned + "]}";
  const std::string neg = R"({"type": "not", "check": )" + banned + "}";
  auto both = chat({{"agent", 0, "在的"}, {"agent", 5, "这个我不知道"}});
  auto one = chat({{"agent", 0, "您好"}, {"agent", 5, "这个我不知道"}});
  auto none = chat({{"agent", 0, "您好"}, {"agent", 5, "已经发货了"}});

  auto a = run(one_item(all), both);
  REQUIRE(a.status == ItemStatus::failed);
  CHECK(a.findings.size() == 2);  // the findings of both inner checks
  CHECK(run(one_item(all), one).status == ItemStatus::passed);

  auto y = run(one_item(any), one);
  REQUIRE(y.status == ItemStatus::failed);
  REQUIRE(y.findings.size() == 1);
  CHECK(y.findings[0].at.quote == "不知道");
  CHECK(run(one_item(any), none).status == ItemStatus::passed);

  auto n = run(one_item(neg), none);
  REQUIRE(n.status == ItemStatus::failed);
  REQUIRE(n.findings.size() == 1);
  CHECK_FALSE(n.findings[0].at.message.has_value());
  CHECK_THAT(n.findings[0].explanation, Catch::Contains("banned_phrase"));
  CHECK(run(one_item(neg), one).status == ItemStatus::passed);
  auto custom = run(one_item(R"({"type": "not", "check": )" + banned + R"(, "explanation": "从未说过不知道"})"), none);
  CHECK(custom.findings[0].explanation == "从未说过不知道");

  // Nested: greeting missing AND (banned phrase OR no 您好 at all).
  const std::string nested = R"({"type": "all", "checks": [)" + kNoGreeting + R"(, {"type": "any", "checks": [)" +
                             banned + R"(, {"type": "not", "check": {"type": "contains", "phrases": ["您好"]}}]}]})";
  CHECK(run(one_item(nested), both).status == ItemStatus::failed);
  CHECK(run(one_item(nested), chat({{"agent", 0, "在的"}, {"agent", 5, "您好"}})).status == ItemStatus::passed);
  CHECK(run(one_item(nested), chat({{"agent", 0, "在的"}})).status == ItemStatus::failed);

  // A guard's finding neither counts as a hit nor shows beside the real findings.
  const std::string guarded = R"({"type": "all", "checks": [)" + banned +
                              R"(, {"type": "not", "check": {"type": "meta", "field": "vip", "equals": "true"}}]})";
  auto twice = chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}});
  auto g = run(one_item(guarded, R"(, "per_hit": 1)"), twice);
  REQUIRE(g.status == ItemStatus::failed);
  CHECK(g.hits == 2);
  CHECK(g.deducted == 2);
  for (const auto& f : g.findings) CHECK(f.at.quote == "不知道");
  CHECK(run(one_item(guarded), chat({{"agent", 0, "不知道"}}, R"({"meta": {"vip": true}})")).status ==
        ItemStatus::passed);
  // Only guards fired: their findings stay (the item needs something to show).
  auto only = run(
      one_item(
          R"({"type": "all", "checks": [{"type": "has_role", "role": "agent"}, {"type": "message_count", "max": 5}]})"),
      twice);
  CHECK(only.findings.size() == 2);

  CHECK(has_error(one_item(R"({"type": "all", "checks": []})"), "E0104", "/items/0/check/checks"));
  CHECK(has_error(one_item(R"({"type": "any", "checks": [{"type": "banned_phrase", "phrase": ["x"]}]})"), "E0102",
                  "/items/0/check/checks/0/phrase"));
  CHECK(has_error(one_item(R"({"type": "not", "checks": []})"), "E0102", "/items/0/check/checks"));
  CHECK(has_error(one_item(R"({"type": "not", "check": {"type": "manual"}})"), "E0105", "/items/0/check/check/type"));
}

TEST_CASE("all / any / not: pending and not applicable", "[checks][logic]") {
  const std::string last = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  auto s = chat({{"agent", 0, "这个我不知道"}});
  // Live: "all" of a pending and a firing check is pending; "any" already fired.
  CHECK(run(one_item(R"({"type": "all", "checks": [)" + last + "," + banned + "]}"), s, false).status ==
        ItemStatus::pending);
  CHECK(run(one_item(R"({"type": "any", "checks": [)" + last + "," + banned + "]}"), s, false).status ==
        ItemStatus::failed);
  CHECK(run(one_item(R"({"type": "not", "check": )" + last + "}"), s, false).status == ItemStatus::pending);
  // Not applicable inside: the whole is n/a only when every part is.
  const std::string na = R"({"type": "repetition"})";  // no customer messages: n/a
  CHECK(run(one_item(R"({"type": "not", "check": )" + na + "}"), s).status == ItemStatus::not_applicable);
  CHECK(run(one_item(R"({"type": "any", "checks": [)" + na + "," + banned + "]}"), s).status == ItemStatus::failed);
  CHECK(run(one_item(R"({"type": "all", "checks": [)" + na + "," + banned + "]}"), s).status == ItemStatus::passed);
}

TEST_CASE("any whose findings nobody reads (when, not) decides at its first fired branch", "[checks][logic]") {
  // Under "not" and as an item's "when" only the state of "any" counts, so it
  // stops at the first branch that fires: the outcome must be the one a full
  // evaluation gives, whatever the later branches (pending, n/a, firing) say.
  const std::string last = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  const std::string greet = R"({"type": "required_phrase", "phrases": ["您好"]})";
  const std::string na = R"({"type": "repetition"})";
  const std::string fired_first = R"({"type": "any", "checks": [)" + banned + "," + last + "," + na + "]}";
  const std::string fired_last = R"({"type": "any", "checks": [)" + last + "," + na + "," + banned + "]}";
  auto s = chat({{"agent", 0, "这个我不知道"}});
  for (const std::string& cond : {fired_first, fired_last}) {
    for (bool closed : {true, false}) {
      INFO(cond << (closed ? " closed" : " live"));
      // when: applicable, so the check runs (no 您好: failed)
      CHECK(run(one_item(greet, R"(, "when": )" + cond), s, closed).status == ItemStatus::failed);
      // not: the negated any fired, so the not is clean
      CHECK(run(one_item(R"({"type": "not", "check": )" + cond + "}"), s, closed).status == ItemStatus::passed);
    }
  }
  // Nothing fired yet: live, the pending branch keeps the negation pending; once
  // the chat is closed the missing 再见 fires, so the negation is clean
  auto quiet = chat({{"agent", 0, "您好"}});
  const std::string none = R"({"type": "any", "checks": [)" + banned + "," + last + "]}";
  CHECK(run(one_item(R"({"type": "not", "check": )" + none + "}"), quiet, false).status == ItemStatus::pending);
  CHECK(run(one_item(R"({"type": "not", "check": )" + none + "}"), quiet, true).status == ItemStatus::passed);
  // No branch can fire: the "when" leaves the item not applicable
  const std::string never = R"({"type": "any", "checks": [)" + banned + "," + na + "]}";
  CHECK(run(one_item(greet, R"(, "when": )" + never), quiet, true).status == ItemStatus::not_applicable);
  // The same "any" as an item's check still reports its nearest miss
  auto y = run(one_item(fired_last), s);
  REQUIRE(y.status == ItemStatus::failed);
  CHECK(y.findings.size() == 1);
}

TEST_CASE("any: a failed composed item reports one finding, the nearest miss", "[checks][logic][seed]") {
  const std::string any = R"({"type": "any", "checks": [
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}},
    {"type": "required_phrase", "phrases": ["很高兴为您服务"], "window": {"first_messages": 1}},
    {"type": "required_phrase", "phrases": ["有什么可以帮您"], "window": {"first_messages": 1}}]})";
  auto s = chat({{"agent", 0, "在的"}});
  auto r = run(one_item(any), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK_THAT(r.findings[0].explanation,
             Catch::Contains("您好") && Catch::Contains("also") && Catch::Contains("很高兴为您服务") &&
                 Catch::Contains("有什么可以帮您"));
  // The branch with fewer findings is the nearer miss.
  const std::string mixed = R"({"type": "any", "checks": [
    {"type": "banned_phrase", "phrases": ["不知道"]},
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}]})";
  auto m = run(one_item(mixed), chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}}));
  REQUIRE(m.findings.size() == 1);
  CHECK_THAT(m.findings[0].explanation, Catch::Contains("您好") && Catch::Contains("also"));
  // "report": "all" keeps every branch.
  const std::string all = R"({"type": "any", "report": "all", "checks": [
    {"type": "banned_phrase", "phrases": ["不知道"]},
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}]})";
  CHECK(run(one_item(all), chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}})).findings.size() == 3);
}
