// sequence: a trigger followed (or not) by a response within N messages / T seconds;
// holds, retriggers, unanswered chats.
// Code: src/checks/sequence.cpp. Docs: docs/checks.md#sequence.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {

const std::string kApology = R"({"type": "sequence",
  "trigger": {"phrases": ["投诉", "太慢了", "this is ridiculous"], "role": "customer"},
  "response": {"phrases": ["抱歉", "对不起", "sorry"], "role": "agent"},
  "within_messages": 2, "mode": "must_follow"})";

const std::string kWaitReturn = R"({"type": "sequence",
  "trigger": {"phrases": ["请稍等", "稍等"], "role": "agent"},
  "response": {"phrases": ["感谢您的耐心等待", "久等"], "role": "agent"},
  "within_seconds": 120, "mode": "must_follow"})";

const std::string kWaitReason = R"({"type": "sequence",
  "trigger": {"phrases": ["稍等"], "role": "agent"},
  "response": {"phrases": ["查询", "核实", "确认"], "role": "agent"},
  "within_messages": 0, "include_trigger_message": true, "look_back_messages": 1})";
const std::string kHoldReturn = R"({"type": "sequence",
  "trigger": {"phrases": ["稍等"], "role": "agent",
              "with": {"phrases": ["帮您查", "核实"], "role": "agent", "look_back_messages": 1}},
  "response": {"role": "agent"}, "within_seconds": 120})";

const std::string kThanks = R"({"type": "sequence",
  "trigger": {"phrases": ["稍等"], "role": "agent"},
  "response": {"phrases": ["耐心等待", "久等"], "allow": ["请耐心等待", "请您耐心等待"], "role": "agent"},
  "within_messages": 2})";
}  // namespace

TEST_CASE("sequence: a complaint answered by an apology within 2 agent messages passes", "[checks][sequence]") {
  auto s = chat({{"customer", 0, "我的快递一个星期了还没到,太慢了!"},
                 {"agent", 20, "非常抱歉给您带来不便,我马上帮您查询物流。"},
                 {"customer", 40, "好的"}});
  auto r = run(one_item(kApology), s);
  CHECK(r.status == ItemStatus::passed);
}

TEST_CASE("sequence: a complaint with no apology fails and quotes the trigger", "[checks][sequence]") {
  auto s = chat({{"customer", 0, "你们这服务太慢了,我要投诉"},
                 {"agent", 20, "您的订单正在派送中。"},
                 {"customer", 30, "什么时候到"},
                 {"agent", 45, "预计明天送达。"},
                 {"agent", 60, "对不起让您久等了"}});
  auto r = run(one_item(kApology), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);  // 太慢了 and 投诉 in one message: one expectation
  const auto& f = r.findings[0];
  // The apology came as the 3rd agent message: late, quoted at the response, trigger related.
  CHECK(f.at.message == 4);
  REQUIRE(f.related.has_value());
  CHECK(f.related->message == 0);
  CHECK(f.related->quote == "太慢了");
  CHECK_THAT(f.explanation, Catch::Contains("late") && Catch::Contains("太慢了") && Catch::Contains("within 2 agent"));
}

TEST_CASE("sequence: missing response is reported at the trigger", "[checks][sequence]") {
  auto s = chat({{"customer", 0, "This is ridiculous, I have waited two weeks."},
                 {"agent", 15, "Let me check your order."},
                 {"agent", 30, "It ships tomorrow."}});
  auto r = run(one_item(kApology), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].at.message == 0);
  CHECK(r.findings[0].at.quote == "This is ridiculous");
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("missing response") && Catch::Contains("sorry"));
}

TEST_CASE("sequence: repeated complaints before any reply are one expectation", "[checks][sequence]") {
  auto s = chat({{"customer", 0, "太慢了"},
                 {"customer", 5, "我要投诉"},
                 {"customer", 8, "太慢了!!"},
                 {"agent", 20, "在的"},
                 {"agent", 25, "您稍等"}});
  auto r = run(one_item(kApology), s);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings.size() == 1);
  CHECK(r.findings[0].at.message == 0);
}

TEST_CASE("sequence: waiting protocol — return and thanks within 120 s", "[checks][sequence]") {
  SECTION("back in 44 s with thanks") {
    auto s = chat({{"customer", 0, "这张券能用吗?"},
                   {"agent", 11, "请您稍等,我帮您核实一下这张券的使用范围。"},
                   {"agent", 55, "感谢您的耐心等待!这张券可以使用。"}});
    CHECK(run(one_item(kWaitReturn), s).status == ItemStatus::passed);
  }
  SECTION("back after 151 s: late, with both times") {
    auto s = chat({{"customer", 0, "床垫什么时候发货"},
                   {"agent", 9, "请您稍等,我帮您查询一下。"},
                   {"agent", 160, "让您久等了,今天下午发出。"}});
    auto r = run(one_item(kWaitReturn), s);
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.at.message == 2);
    CHECK(f.at.quote == "久等");
    REQUIRE(f.related);
    CHECK(f.related->message == 1);
    CHECK(f.related->quote == "稍等");
    CHECK(f.value.has_value());
    CHECK(*f.value == Approx(151));
    CHECK_THAT(f.explanation, Catch::Contains("151 s") && Catch::Contains("120 s") && Catch::Contains("稍等"));
  }
  SECTION("back in time but without thanks: missing") {
    auto s = chat({{"agent", 0, "请稍等"}, {"agent", 30, "查到了,今天发货。"}, {"customer", 40, "好"}});
    auto r = run(one_item(kWaitReturn), s);
    REQUIRE(r.status == ItemStatus::failed);
    CHECK_THAT(r.findings[0].explanation, Catch::Contains("missing"));
  }
}

TEST_CASE("sequence: any agent message as the response (come back within 120 s)", "[checks][sequence]") {
  const std::string check = R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "role": "agent"},
    "response": {"role": "agent"}, "within_seconds": 120})";
  CHECK(run(one_item(check), chat({{"agent", 0, "请稍等"}, {"agent", 100, "查到了"}})).status == ItemStatus::passed);
  auto late =
      run(one_item(check), chat({{"agent", 0, "请稍等"}, {"customer", 90, "还在吗"}, {"agent", 200, "查到了"}}));
  REQUIRE(late.status == ItemStatus::failed);
  CHECK(late.findings[0].at.message == 2);
  CHECK(*late.findings[0].value == Approx(200));
}

TEST_CASE("sequence: reason in the same or the previous agent message (look back)", "[checks][sequence]") {
  CHECK(run(one_item(kWaitReason), chat({{"agent", 0, "我帮您核实一下,请稍等。"}})).status == ItemStatus::passed);
  CHECK(run(one_item(kWaitReason), chat({{"agent", 0, "我帮您查询一下物流"}, {"agent", 3, "请稍等"}})).status ==
        ItemStatus::passed);
  // The reason two agent messages back is too far.
  auto r =
      run(one_item(kWaitReason),
          chat({{"agent", 0, "我帮您查询一下"}, {"agent", 3, "好的"}, {"customer", 4, "嗯"}, {"agent", 5, "请稍等"}}));
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 3);
}

TEST_CASE("sequence: edge cases", "[checks][sequence]") {
  SECTION("empty session: nothing triggered, not applicable") {
    CHECK(run(one_item(kApology), chat({})).status == ItemStatus::not_applicable);
  }
  SECTION("agent-only session: no customer trigger") {
    CHECK(run(one_item(kApology), chat({{"agent", 0, "您好,很高兴为您服务"}})).status == ItemStatus::not_applicable);
  }
  SECTION("trigger in the last message, session closed: failed") {
    auto s = chat({{"agent", 0, "您好"}, {"agent", 10, "请您稍等"}});
    auto r = run(one_item(kWaitReturn), s, true);
    REQUIRE(r.status == ItemStatus::failed);
    CHECK(r.findings[0].at.message == 1);
  }
  SECTION("trigger in the last message, live: pending, not failed") {
    auto s = chat({{"agent", 0, "您好"}, {"agent", 10, "请您稍等"}});
    CHECK(run(one_item(kWaitReturn), s, false).status == ItemStatus::pending);
  }
  SECTION("live, window already over: failed") {
    auto s = chat({{"agent", 0, "请您稍等"}, {"customer", 200, "人呢?"}});
    CHECK(run(one_item(kWaitReturn), s, false).status == ItemStatus::failed);
  }
  SECTION("live, message window used up: failed") {
    auto s = chat({{"customer", 0, "太慢了"}, {"agent", 5, "在的"}, {"agent", 6, "您的订单已发货"}});
    CHECK(run(one_item(kApology), s, false).status == ItemStatus::failed);
  }
}

TEST_CASE("sequence: event trigger and must_not_follow", "[checks][sequence]") {
  const std::string after_transfer = R"({"type": "sequence", "trigger": {"event": "transfer"},
    "response": {"phrases": ["您好"], "role": "agent"}, "within_seconds": 30})";
  auto ok = chat({{"customer", 0, "转人工"}, {"system", 5, "", "transfer"}, {"agent", 12, "您好,我是人工客服"}});
  CHECK(run(one_item(after_transfer), ok).status == ItemStatus::passed);
  auto missing = chat({{"customer", 0, "转人工"}, {"system", 5, "", "transfer"}, {"agent", 12, "在的"}});
  auto r = run(one_item(after_transfer), missing);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 1);
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("event transfer"));

  const std::string no_close_after_question = R"({"type": "sequence",
    "trigger": {"regex": ["[?？]$"], "role": "customer"},
    "response": {"phrases": ["再见"], "role": "agent"}, "within_messages": 1, "mode": "must_not_follow"})";
  auto bad = chat({{"customer", 0, "退款什么时候到账?"}, {"agent", 10, "再见"}});
  auto b = run(one_item(no_close_after_question), bad);
  REQUIRE(b.status == ItemStatus::failed);
  CHECK(b.findings[0].at.message == 1);
  CHECK(b.findings[0].at.quote == "再见");
  REQUIRE(b.findings[0].related);
  CHECK(b.findings[0].related->message == 0);
  auto good = chat({{"customer", 0, "退款什么时候到账?"}, {"agent", 10, "3到5个工作日。"}, {"agent", 20, "再见"}});
  CHECK(run(one_item(no_close_after_question), good).status == ItemStatus::passed);
}

TEST_CASE("sequence: parameters are validated", "[checks][sequence]") {
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["x"]}, "within_mesages": 2})"), "E0102",
                  "/items/0/check/within_mesages"));
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["x"], "rol": "agent"}})"), "E0102",
                  "/items/0/check/trigger/rol"));
  CHECK(has_error(one_item(R"({"type": "sequence", "response": {"phrases": ["x"]}})"), "E0103", "/items/0/check"));
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["x"]}, "mode": "must"})"), "E0105",
                  "/items/0/check/mode"));
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["x"]}, "include_trigger_message": true})"),
                  "E0105", "/items/0/check/include_trigger_message"));
}

TEST_CASE("sequence: a wait request is a hold only with the agent's action", "[checks][sequence][seed]") {
  // "The code arrives within a minute, please wait": no action, no hold, nothing expected.
  auto code = chat({{"customer", 0, "验证码没收到"}, {"agent", 10, "验证码一分钟内到达,请您稍等"}});
  CHECK(run(one_item(kHoldReturn), code).status == ItemStatus::not_applicable);
  // The action in the same message: a hold; no return within 120 s fails.
  auto same = chat({{"customer", 0, "订单到哪了"}, {"agent", 10, "请您稍等,我帮您查一下"}, {"agent", 200, "已经发货"}});
  CHECK(run(one_item(kHoldReturn), same).status == ItemStatus::failed);
  // The action in the agent's previous message counts too (look_back_messages 1).
  auto before = chat({{"customer", 0, "订单到哪了"},
                      {"agent", 10, "我帮您查一下物流"},
                      {"agent", 12, "稍等哦"},
                      {"agent", 40, "已经到您所在的城市了"}});
  CHECK(run(one_item(kHoldReturn), before).status == ItemStatus::passed);
  // ... but not from two agent messages back.
  auto far = chat({{"customer", 0, "订单到哪了"},
                   {"agent", 10, "我帮您核实一下"},
                   {"agent", 30, "已经发货了"},
                   {"agent", 40, "链接刷新慢,稍等"}});
  CHECK(run(one_item(kHoldReturn), far).status == ItemStatus::not_applicable);
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "with": ["x"]}})"), "E0104",
                  "/items/0/check/trigger/with"));
}

TEST_CASE("sequence: retrigger_extends — asking for more time keeps the wait open", "[checks][sequence][seed]") {
  const std::string thanks = R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "role": "agent"},
    "response": {"phrases": ["耐心等待"], "role": "agent"}, "within_messages": 1, "retrigger_extends": true})";
  auto s = chat({{"agent", 0, "请您稍等,我帮您查询"}, {"agent", 30, "还在查询,请您再稍等"}, {"agent", 60, "感谢您的耐心等待,查到了"}});
  CHECK(run(one_item(thanks), s).status == ItemStatus::passed);
  const std::string plain = R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "role": "agent"},
    "response": {"phrases": ["耐心等待"], "role": "agent"}, "within_messages": 1})";
  CHECK(run(one_item(plain), s).status == ItemStatus::failed);
  // Another message in between still counts.
  auto other = chat({{"agent", 0, "请您稍等,我帮您查询"}, {"agent", 30, "查到了"}, {"agent", 60, "感谢您的耐心等待"}});
  CHECK(run(one_item(thanks), other).status == ItemStatus::failed);
}

TEST_CASE("sequence: skip_unanswered — a chat that ends on the trigger is not judged", "[checks][sequence][seed]") {
  const std::string apology = R"({"type": "sequence", "trigger": {"phrases": ["投诉"], "role": "customer"},
    "response": {"phrases": ["抱歉"], "role": "agent"}, "within_messages": 2, "skip_unanswered": true})";
  CHECK(run(one_item(apology), chat({{"agent", 0, "您好"}, {"customer", 5, "我要投诉"}, {"customer", 9, "人呢"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(apology), chat({{"customer", 5, "我要投诉"}, {"agent", 9, "请说"}})).status == ItemStatus::failed);
}

TEST_CASE("sequence: asking to keep waiting is not thanks for waiting", "[checks][sequence][seed]") {
  auto keep = chat({{"agent", 0, "请您稍等"}, {"agent", 30, "已经为您反馈,请您耐心等待处理结果"}});
  CHECK(run(one_item(kThanks), keep).status == ItemStatus::failed);
  auto thanks = chat({{"agent", 0, "请您稍等"}, {"agent", 30, "感谢您的耐心等待,已经处理好了"}});
  CHECK(run(one_item(kThanks), thanks).status == ItemStatus::passed);
}
