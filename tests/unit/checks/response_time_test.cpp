// response_time: first / each / mean / max reply times, hold phrases.
// Code: src/checks/response_time.cpp. Docs: docs/checks.md#response_time.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"
#include "test_checks_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;
using chatqa::testing::rules_ok;
using chatqa::testing::session_ok;

using checks_test::kChecking;

namespace {

std::string response_item(const std::string& params) {
  return R"([{"id": "rt", "points": 2, "check": {"type": "response_time", )" + params + "}}]";
}

const ItemResult& rt(const Report& r) {
  return item_of(r, "rt");
}

}  // namespace

TEST_CASE("response_time first: slow first reply", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"customer", 0, "在吗"}, {"agent", 45, "您好"}, {"customer", 50, "好"}, {"agent", 200, "嗯"}}));
  REQUIRE(rt(r).status == ItemStatus::failed);
  REQUIRE(rt(r).findings.size() == 1);  // only the first turn counts
  const Finding& f = rt(r).findings[0];
  CHECK(f.at.message == 1);
  CHECK(f.at.time == "2024-05-01T10:00:45+08:00");
  CHECK(f.at.role == Role::agent);
  REQUIRE(f.related);
  CHECK(f.related->message == 0);
  CHECK(f.value == 45);
  CHECK(f.explanation == "first reply after 45 s (limit 30 s)");
  CHECK(r.score == 98);
}

TEST_CASE("response_time first: a reply exactly at the limit passes", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"customer", 0, "在吗"}, {"agent", 30, "您好"}}));
  CHECK(rt(r).status == ItemStatus::passed);
  CHECK(r.score == 100);
}

TEST_CASE("response_time: the agent speaks first", "[checks][response_time]") {
  const Session s = chat({{"agent", 0, "您好,很高兴为您服务"}, {"customer", 100, "我想退货"}, {"agent", 110, "好的"}});
  CHECK(rt(run(response_item(R"("mode": "first", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report strict = run(response_item(R"("mode": "first", "limit_seconds": 5)"), s);
  REQUIRE(rt(strict).findings.size() == 1);
  CHECK(rt(strict).findings[0].value == 10);  // from the customer's message, not the session start
  CHECK(rt(strict).findings[0].related->message == 1);
}

TEST_CASE("response_time: no agent reply at all", "[checks][response_time]") {
  const Session s = chat({{"customer", 0, "在吗"}, {"customer", 60, "人呢?"}});
  Report first = run(response_item(R"("mode": "first", "limit_seconds": 30)"), s);
  REQUIRE(rt(first).status == ItemStatus::failed);  // unanswered defaults to a violation for "first"
  REQUIRE(rt(first).findings.size() == 1);
  CHECK(rt(first).findings[0].at.message == 0);
  CHECK(rt(first).findings[0].explanation == "the customer never got a reply");

  CHECK(rt(run(response_item(R"("mode": "each", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report each = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s);
  REQUIRE(rt(each).findings.size() == 1);
  CHECK(rt(each).findings[0].at.message == 0);  // the run starts at its first message

  Report ignore = run(response_item(R"("mode": "first", "limit_seconds": 30, "unanswered": "ignore")"), s);
  CHECK(rt(ignore).status == ItemStatus::passed);
}

TEST_CASE("response_time: a burst of customer messages starts the clock at the first", "[checks][response_time]") {
  const Session s =
      chat({{"customer", 0, "在吗"}, {"customer", 5, "我的快递"}, {"customer", 20, "到哪了"}, {"agent", 40, "您好"}});
  for (const char* mode : {"first", "each", "max"}) {
    INFO(mode);
    Report r = run(response_item(std::string(R"("mode": ")") + mode + R"(", "limit_seconds": 30)"), s);
    REQUIRE(rt(r).findings.size() == 1);
    CHECK(rt(r).findings[0].value == 40);
    CHECK(rt(r).findings[0].related->message == 0);
    CHECK(rt(r).findings[0].at.message == 3);
  }
}

TEST_CASE("response_time modes each / mean / max over several turns", "[checks][response_time]") {
  // Turns: 10 s, 40 s, 50 s.
  const Session s = chat({{"customer", 0, "a"},
                          {"agent", 10, "b"},
                          {"customer", 20, "c"},
                          {"agent", 60, "d"},
                          {"customer", 70, "e"},
                          {"agent", 120, "f"}});
  Report each = run(response_item(R"("mode": "each", "limit_seconds": 30)"), s);
  REQUIRE(rt(each).findings.size() == 2);
  CHECK(rt(each).findings[0].at.message == 3);
  CHECK(rt(each).findings[0].value == 40);
  CHECK(rt(each).findings[1].at.message == 5);
  CHECK(rt(each).hits == 2);

  Report mean = run(response_item(R"("mode": "mean", "limit_seconds": 30)"), s);
  REQUIRE(rt(mean).findings.size() == 1);
  CHECK(*rt(mean).findings[0].value == Approx(100.0 / 3));
  CHECK_FALSE(rt(mean).findings[0].at.message.has_value());  // the whole session
  CHECK(rt(mean).findings[0].explanation == "mean reply time 33.33 s over 3 replies (limit 30 s)");
  CHECK(rt(run(response_item(R"("mode": "mean", "limit_seconds": 34)"), s)).status == ItemStatus::passed);

  Report max = run(response_item(R"("mode": "max", "limit_seconds": 30)"), s);
  REQUIRE(rt(max).findings.size() == 1);
  CHECK(rt(max).findings[0].value == 50);
  CHECK(rt(max).findings[0].at.message == 5);
}

TEST_CASE("response_time: a last customer message left unanswered", "[checks][response_time]") {
  const Session s =
      chat({{"customer", 0, "a"}, {"agent", 10, "b"}, {"customer", 20, "谢谢"}, {"customer", 25, "再见"}});
  CHECK(rt(run(response_item(R"("mode": "each", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report v = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s);
  REQUIRE(rt(v).findings.size() == 1);
  CHECK(rt(v).findings[0].at.message == 2);
  CHECK(rt(v).findings[0].explanation == "customer message left unanswered at the end of the session");
  // Live: the chat is still running, the agent may still answer.
  Report live = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s, false);
  CHECK(rt(live).status == ItemStatus::pending);
  CHECK(live.score == 100);
}

TEST_CASE("response_time: no customer message is not_applicable", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"agent", 0, "您好"}, {"agent", 10, "在吗"}}));
  CHECK(rt(r).status == ItemStatus::not_applicable);
  CHECK(r.score == 100);
}

TEST_CASE("response_time: bot and system messages are not replies unless the rule says so", "[checks][response_time]") {
  const Session s = chat(
      {{"customer", 0, "在吗"}, {"bot", 2, "自动回复:客服马上就来"}, {"system", 3, "转人工"}, {"agent", 50, "您好"}});
  Report agent_only = run(response_item(R"("mode": "first", "limit_seconds": 30)"), s);
  REQUIRE(rt(agent_only).findings.size() == 1);
  CHECK(rt(agent_only).findings[0].value == 50);
  Report with_bot = run(response_item(R"("mode": "first", "limit_seconds": 30, "reply_roles": ["agent", "bot"])"), s);
  CHECK(rt(with_bot).status == ItemStatus::passed);
}

TEST_CASE("response_time: out-of-order input is timed in time order", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"agent", 45, "您好"}, {"customer", 0, "在吗"}}));
  REQUIRE(rt(r).findings.size() == 1);
  CHECK(rt(r).findings[0].value == 45);
  CHECK(rt(r).findings[0].at.message == 1);  // index into the time-ordered messages
}

TEST_CASE("response_time: a customer's 'ok' while the agent checks is not timed with hold_phrases", "[checks][response_time]") {
  auto with_hold = rules_ok(R"({"name":"h","items":[{"id":"each","points":2,
    "check":{"type":"response_time","mode":"each","limit_seconds":30,"hold_phrases":["请稍等"]}}]})");
  auto without = rules_ok(R"({"name":"h","items":[{"id":"each","points":2,
    "check":{"type":"response_time","mode":"each","limit_seconds":30}}]})");
  const chatqa::Session s = session_ok(kChecking);
  const chatqa::Report held_report = chatqa::evaluate(*with_hold, s);
  const auto& held = item_of(held_report, "each");
  REQUIRE(held.status == chatqa::ItemStatus::failed);
  REQUIRE(held.findings.size() == 1);  // only the 50 s answer to 那什么时候到
  CHECK(held.findings[0].at.message == 5);
  CHECK(*held.findings[0].value == Approx(50));
  const chatqa::Report plain_report = chatqa::evaluate(*without, s);
  const auto& plain = item_of(plain_report, "each");
  REQUIRE(plain.findings.size() == 2);  // 好的 -> 61 s is counted without the hold
  CHECK(plain.findings[0].at.message == 3);
  CHECK(*plain.findings[0].value == Approx(61));
}
