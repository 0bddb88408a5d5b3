// rushed_close: closing while the customer's last question is unanswered, or urging them to leave.
// Code: src/checks/rushed_close.cpp. Docs: docs/checks.md#rushed_close.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {
const std::string kCheck = R"({"type": "rushed_close", "closing": ["感谢您的咨询", "祝您生活愉快", "再见", "goodbye"],
  "urge": ["没什么事我先下线了", "没有其他问题的话我就先结束会话了"]})";
const std::string kRushed = R"({"type": "rushed_close", "closing": ["感谢您的咨询"],
  "not_answer": ["对我的服务做出评价", "还有什么可以帮"], "complaint": ["太差了", "投诉"],
  "acknowledgements": ["好的", "谢谢", "没有了", "嗯"]})";
}  // namespace

TEST_CASE("rushed_close: closing right after an unanswered question fires", "[checks][rushed_close]") {
  auto s = chat({{"customer", 0, "在吗"},
                 {"agent", 5, "您好,请问有什么可以帮您?"},
                 {"customer", 20, "那退款大概多久能到账?"},
                 {"agent", 30, "感谢您的咨询,祝您生活愉快!"}});
  auto r = run(one_item(kCheck), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);
  const auto& f = r.findings[0];
  CHECK(f.at.message == 3);
  CHECK(f.at.quote == "感谢您的咨询");
  REQUIRE(f.related);
  CHECK(f.related->message == 2);
  CHECK_THAT(f.explanation, Catch::Contains("那退款大概多久能到账?"));
}

TEST_CASE("rushed_close: answered questions and thanks before the closing pass", "[checks][rushed_close]") {
  SECTION("answered by an earlier agent message") {
    auto s = chat({{"customer", 0, "退款多久到账?"},
                   {"agent", 10, "3到5个工作日原路退回。"},
                   {"agent", 12, "感谢您的咨询,再见!"}});
    CHECK(run(one_item(kCheck), s).status == ItemStatus::passed);
  }
  SECTION("answered inside the closing message itself") {
    auto s = chat({{"customer", 0, "退款多久到账?"}, {"agent", 10, "退款会在3到5个工作日内原路退回,感谢您的咨询!"}});
    CHECK(run(one_item(kCheck), s).status == ItemStatus::passed);
  }
  SECTION("the customer's last message is not a question") {
    auto s = chat({{"customer", 0, "没什么了,谢谢"}, {"agent", 5, "感谢您的咨询,祝您生活愉快!"}});
    CHECK(run(one_item(kCheck), s).status == ItemStatus::passed);
    auto en = chat({{"customer", 0, "ok thanks"}, {"agent", 5, "Thank you, goodbye!"}});
    CHECK(run(one_item(kCheck), en).status == ItemStatus::passed);
  }
}

TEST_CASE("rushed_close: a closed event while a question is open, and urging phrases", "[checks][rushed_close]") {
  auto s = chat({{"customer", 0, "How do I change my delivery address?"}, {"system", 40, "", "closed"}});
  auto r = run(one_item(kCheck), s);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 1);
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("event closed"));

  auto urge = chat({{"customer", 0, "我再看看"}, {"agent", 5, "好的,没什么事我先下线了哈"}});
  auto u = run(one_item(kCheck), urge);
  REQUIRE(u.status == ItemStatus::failed);
  CHECK(u.findings[0].at.quote == "没什么事我先下线了");
  CHECK_THAT(u.findings[0].explanation, Catch::Contains("urges"));
}

TEST_CASE("rushed_close: edge cases", "[checks][rushed_close]") {
  CHECK(run(one_item(kCheck), chat({})).status == ItemStatus::passed);
  CHECK(run(one_item(kCheck), chat({{"agent", 0, "感谢您的咨询,再见"}})).status == ItemStatus::passed);
  // A question in the very last message, nobody closed: not this item's business (response time is).
  CHECK(run(one_item(kCheck), chat({{"agent", 0, "您好"}, {"customer", 5, "在吗?"}})).status == ItemStatus::passed);
  // The same open question closed twice is one finding.
  auto twice = chat(
      {{"customer", 0, "多久到账?"}, {"agent", 5, "再见"}, {"agent", 6, "祝您生活愉快"}, {"system", 7, "", "closed"}});
  CHECK(run(one_item(kCheck), twice).findings.size() == 1);
  CHECK(has_error(one_item(R"({"type": "rushed_close", "closing_events": []})"), "E0103", "/items/0/check"));
  CHECK(has_error(one_item(R"({"type": "rushed_close", "closings": ["再见"]})"), "E0102", "/items/0/check/closings"));
}

TEST_CASE("rushed_close: complaints and new information need an answer; a rating invitation is none",
          "[checks][rushed_close][seed]") {
  // A repeated complaint right before the closing.
  auto complaint = chat({{"customer", 0, "快递一周没到"},
                         {"agent", 10, "已经为您催促快递员,预计明天送达"},
                         {"customer", 20, "你们服务太差了"},
                         {"agent", 30, "感谢您的咨询,祝您生活愉快"}});
  auto r = run(one_item(kRushed), complaint);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("complaint"));
  // New information (not an acknowledgement) before the closing.
  auto info = chat({{"customer", 0, "快递一周没到"},
                    {"agent", 10, "已经为您催促快递员,预计明天送达"},
                    {"customer", 20, "可是我明天不在家,后天才回来"},
                    {"agent", 30, "感谢您的咨询"}});
  auto n = run(one_item(kRushed), info);
  REQUIRE(n.status == ItemStatus::failed);
  CHECK_THAT(n.findings[0].explanation, Catch::Contains("new information"));
  // An acknowledgement needs no answer.
  auto ack = chat({{"customer", 0, "快递一周没到"},
                   {"agent", 10, "已经为您催促快递员,预计明天送达"},
                   {"customer", 20, "好的谢谢"},
                   {"agent", 30, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), ack).status == ItemStatus::passed);
  // A rating invitation between the question and the closing is not an answer.
  auto rating = chat({{"customer", 0, "退款什么时候到?"},
                      {"agent", 10, "请您对我的服务做出评价"},
                      {"agent", 20, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), rating).status == ItemStatus::failed);
  // A real answer between is.
  auto answered = chat({{"customer", 0, "退款什么时候到?"},
                        {"agent", 10, "3到5个工作日原路退回"},
                        {"agent", 20, "感谢您的咨询,请您对我的服务做出评价"}});
  CHECK(run(one_item(kRushed), answered).status == ItemStatus::passed);
  // A closer (thanks) is never new information.
  auto thanks = chat({{"customer", 0, "快递一周没到"},
                      {"agent", 10, "已经为您催促快递员,预计明天送达"},
                      {"customer", 20, "已经联系上快递员了,明天送到,谢谢"},
                      {"agent", 30, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), thanks).status == ItemStatus::failed);
  const std::string with_closers = R"({"type": "rushed_close", "closing": ["感谢您的咨询"],
    "acknowledgements": ["好的"], "closers": ["谢谢"]})";
  CHECK(run(one_item(with_closers), thanks).status == ItemStatus::passed);
  // A closing that acknowledges the information answers it (answers_information).
  const std::string ack_info = R"({"type": "rushed_close", "closing": ["感谢您的反馈", "感谢您的咨询"],
    "acknowledgements": ["好的"], "answers_information": ["感谢您的反馈"], "complaint": ["太差了"]})";
  auto feedback = chat({{"customer", 0, "建议你们的app加一个夜间模式"}, {"agent", 10, "感谢您的反馈"}});
  CHECK(run(one_item(ack_info), feedback).status == ItemStatus::passed);
  auto generic = chat({{"customer", 0, "建议你们的app加一个夜间模式"}, {"agent", 10, "感谢您的咨询"}});
  CHECK(run(one_item(ack_info), generic).status == ItemStatus::failed);
  auto complained = chat({{"customer", 0, "你们服务太差了"}, {"agent", 10, "感谢您的反馈"}});
  CHECK(run(one_item(ack_info), complained).status == ItemStatus::failed);
  // A suggestion phrased as a question is information, answered by thanks for the feedback.
  const std::string sugg = R"({"type": "rushed_close", "closing": ["感谢您的反馈"],
    "acknowledgements": ["好的"], "answers_information": ["感谢您的反馈"], "suggestion": ["能不能"]})";
  CHECK(run(one_item(sugg), chat({{"customer", 0, "能不能加一个夜间模式?"}, {"agent", 10, "感谢您的反馈"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(sugg), chat({{"customer", 0, "为什么我的退款还没到?"}, {"agent", 10, "感谢您的反馈"}})).status ==
        ItemStatus::failed);
  // Without the new keys, only questions count (the old behaviour).
  CHECK(run(one_item(R"({"type": "rushed_close", "closing": ["感谢您的咨询"]})"), info).status == ItemStatus::passed);
}
