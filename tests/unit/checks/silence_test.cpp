// silence: how long the customer was left without an agent reply (one gap, the total).
// Code: src/checks/silence.cpp. Docs: docs/checks.md#silence.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("silence: one gap over 30 s and the total over 2 minutes", "[checks][silence]") {
  const std::string check = R"({"type": "silence", "max_gap_seconds": 30, "max_total_seconds": 120})";
  SECTION("clean chat") {
    auto s = chat({{"customer", 0, "在吗"},
                   {"agent", 10, "您好,请问有什么可以帮您?"},
                   {"customer", 30, "发货了吗"},
                   {"agent", 50, "已经发货了。"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
  }
  SECTION("a 45 s gap fires once, at the reply, with the waiting message related") {
    auto s = chat({{"customer", 0, "在吗"},
                   {"customer", 20, "???"},
                   {"agent", 45, "您好,在的"},
                   {"customer", 50, "好"},
                   {"agent", 55, "请问有什么可以帮您?"}});
    auto r = run(one_item(check), s);
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].at.message == 2);
    REQUIRE(r.findings[0].related);
    CHECK(r.findings[0].related->message == 0);  // waiting since the FIRST unanswered message
    CHECK(*r.findings[0].value == Approx(45));
  }
  SECTION("short waits adding up to more than 2 minutes") {
    std::vector<Row> rows;
    for (int k = 0; k < 6; ++k) {
      rows.push_back({"customer", k * 60, "问题" + std::to_string(k)});
      rows.push_back({"agent", k * 60 + 25, "回答" + std::to_string(k)});
    }
    auto r = run(one_item(check), chat(rows));
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    CHECK_FALSE(r.findings[0].at.message.has_value());
    CHECK(*r.findings[0].value == Approx(150));
    CHECK_THAT(r.findings[0].explanation, Catch::Contains("150 s in total"));
  }
  SECTION("hold phrases: waiting after 请稍等 counts too") {
    const std::string with_hold =
        R"({"type": "silence", "max_gap_seconds": 30, "hold": {"phrases": ["请稍等", "请您稍等"]}})";
    auto s = chat({{"customer", 0, "查下物流"}, {"agent", 5, "请您稍等"}, {"agent", 95, "查到了,明天到"}});
    auto r = run(one_item(with_hold), s);
    REQUIRE(r.status == ItemStatus::failed);
    CHECK(r.findings[0].at.message == 2);
    CHECK(*r.findings[0].value == Approx(90));
    CHECK(run(one_item(check), s).status == ItemStatus::passed);  // without hold: a 5 s wait
  }
  SECTION("hold allow: a request to wait for something else (a code, a delivery) starts no hold") {
    const std::string holds =
        R"({"type": "silence", "max_gap_seconds": 30, "holds_only": true,
            "hold": {"phrases": ["请您稍等"], "allow": ["验证码…{12}稍等"]}})";
    // The code takes a minute to arrive: the customer is not on hold.
    auto code = chat({{"customer", 0, "改一下密码"},
                      {"agent", 5, "验证码一分钟内发到您手机,请您稍等"},
                      {"customer", 65, "收到了"},
                      {"agent", 70, "好的,已修改"}});
    CHECK(run(one_item(holds), code).status == ItemStatus::not_applicable);
    // The same words without the allowed context are a hold of 60 s.
    auto hold = chat({{"customer", 0, "改一下密码"}, {"agent", 5, "好的,请您稍等"}, {"agent", 65, "已修改"}});
    auto r = run(one_item(holds), hold);
    REQUIRE(r.status == ItemStatus::failed);
    CHECK(*r.findings[0].value == Approx(60));
    // Without "allow" the code request starts a hold (the behaviour before the option).
    const std::string plain =
        R"({"type": "silence", "max_gap_seconds": 30, "holds_only": true, "hold": {"phrases": ["请您稍等"]}})";
    CHECK(run(one_item(plain), code).status == ItemStatus::failed);
  }
  SECTION("edge: empty and agent-only sessions are not applicable") {
    CHECK(run(one_item(check), chat({})).status == ItemStatus::not_applicable);
    CHECK(run(one_item(check), chat({{"agent", 0, "您好"}, {"agent", 100, "在吗"}})).status ==
          ItemStatus::not_applicable);
  }
  SECTION("edge: the customer's last message left unanswered") {
    auto s = chat(
        {{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 10, "还有个问题"}, {"system", 70, "", "closed"}});
    auto closed = run(one_item(check), s, true);
    REQUIRE(closed.status == ItemStatus::failed);
    CHECK(closed.findings[0].at.message == 2);
    CHECK_THAT(closed.findings[0].explanation, Catch::Contains("no reply at the end"));
    // Live, with the wait still short: undecided.
    auto live = chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 10, "还有个问题"}});
    CHECK(run(one_item(check), live, false).status == ItemStatus::pending);
    CHECK(run(one_item(check), live, true).status == ItemStatus::passed);
  }
  CHECK(has_error(one_item(R"({"type": "silence"})"), "E0103", "/items/0/check"));
  CHECK(has_error(one_item(R"({"type": "silence", "max_gap": 30})"), "E0102", "/items/0/check/max_gap"));
}

TEST_CASE("silence: holds only, and waits after a spoken utterance", "[checks][silence][seed]") {
  // Queue time (a system event) and the customer's own talking are not holds.
  const std::string hold = R"({"type": "silence", "max_total_seconds": 60, "holds_only": true,
    "hold": {"phrases": ["请稍等"]}})";
  auto queued = chat({{"system", 0, "", "queued"}, {"agent", 90, "您好"}, {"customer", 95, "查话费"},
                      {"agent", 100, "请稍等"}, {"agent", 130, "感谢等待,话费38元"}});
  auto q = run(one_item(hold), queued);
  CHECK(q.status == ItemStatus::passed);  // only the 30 s hold counts
  auto long_hold = chat({{"customer", 0, "查话费"}, {"agent", 5, "请稍等"}, {"agent", 50, "还在查"},
                         {"agent", 55, "请稍等"}, {"agent", 80, "话费38元"}});
  CHECK(run(one_item(hold), long_hold).status == ItemStatus::failed);  // 45 + 25 s
  CHECK(has_error(one_item(R"({"type": "silence", "max_total_seconds": 60, "holds_only": true})"), "E0105",
                  "/items/0/check/holds_only"));
  // Dead air: the wait starts when the customer stops talking (4 characters a second).
  const std::string dead = R"({"type": "silence", "max_gap_seconds": 3, "speech_chars_per_second": 4})";
  // 20 characters = 5 s of speech; the agent answers 7 s after the start: 2 s of silence.
  auto quick = chat({{"customer", 0, "我想查一下我这个月的话费为什么这么多呀"}, {"agent", 7, "好的"}});
  CHECK(run(one_item(dead), quick).status == ItemStatus::passed);
  auto slow = chat({{"customer", 0, "我想查一下我这个月的话费为什么这么多呀"}, {"agent", 12, "好的"}});
  CHECK(run(one_item(dead), slow).status == ItemStatus::failed);
}
