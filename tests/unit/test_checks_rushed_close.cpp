// rushed_close: closing while the customer's last question is unanswered, or urging them to leave.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {
const std::string kCheck = R"({"type": "rushed_close", "closing": ["感谢您的咨询", "祝您生活愉快", "再见", "goodbye"],
  "urge": ["没什么事我先下线了", "没有其他问题的话我就先结束会话了"]})";
}

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
