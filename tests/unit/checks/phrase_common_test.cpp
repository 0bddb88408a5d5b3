// The "window" scopes shared by the phrase checks (banned_phrase, contains, required_phrase).
// Code: src/checks/phrase_common.cpp. Docs: docs/checks.md#windows-position-scoping.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("window scopes on banned_phrase / contains / required_phrase", "[checks][scope]") {
  auto s = chat({{"agent", 0, "您好,很高兴为您服务"},
                 {"customer", 10, "我要退货"},
                 {"agent", 20, "好的,我帮您处理"},
                 {"customer", 200, "没有了"},
                 {"agent", 210, "再见"},
                 {"agent", 215, "祝您生活愉快"}});
  auto count = [&](const std::string& check) { return run(one_item(check), s).findings.size(); };
  // first / last N of the role
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"first_messages": 1}})") == 2);
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"last_messages": 2}})") == 1);
  // before / after another phrase (anchor role: customer)
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"before": {"phrases": ["没有了"], "role": "customer"}}})") ==
      0);
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"after": {"phrases": ["退货"], "role": "customer"}}})") ==
      1);
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["您"], "window": {"after": {"phrases": ["退货"], "role": "customer"}, "before": {"phrases": ["没有了"], "role": "customer"}}})") ==
      1);
  // time windows
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"first_seconds": 30}})") == 3);
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"last_seconds": 10}})") == 1);
  // an "after" anchor that never occurs: not applicable
  CHECK(
      run(one_item(
              R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"after": {"phrases": ["投诉"], "role": "customer"}}})"),
          s)
          .status == ItemStatus::not_applicable);
  // required_phrase in the last 10 s, and required before the customer's 没有了
  CHECK(run(one_item(R"({"type": "required_phrase", "phrases": ["祝您生活愉快"], "window": {"last_seconds": 10}})"), s)
            .status == ItemStatus::passed);
  auto before = run(
      one_item(
          R"({"type": "required_phrase", "phrases": ["还有什么可以帮"], "window": {"before": {"phrases": ["没有了"], "role": "customer"}}})"),
      s);
  REQUIRE(before.status == ItemStatus::failed);
  CHECK_THAT(before.findings[0].explanation, Catch::Contains("before 没有了"));
  // live: a window on the end of the chat is pending
  CHECK(run(one_item(R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})"), s, false)
            .status == ItemStatus::pending);
  CHECK(has_error(one_item(R"({"type": "banned_phrase", "phrases": ["x"], "window": {"first_message": 1}})"), "E0102",
                  "/items/0/check/window/first_message"));
  CHECK(has_error(
      one_item(R"({"type": "banned_phrase", "phrases": ["x"], "window": {"first_messages": 1, "last_messages": 1}})"),
      "E0105", "/items/0/check/window/last_messages"));
  CHECK(has_error(one_item(R"({"type": "required_phrase", "phrases": ["x"], "window": {}})"), "E0105",
                  "/items/0/check/window"));
}
