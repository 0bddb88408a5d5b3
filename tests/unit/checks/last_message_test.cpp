// last_message: the role (or text) of the session's last message, as a condition.
// Code: src/checks/last_message.cpp. Docs: docs/checks.md#last_message.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("last_message: an open thread ends with the customer", "[checks][logic][seed]") {
  const std::string open = R"({"type": "last_message", "role": "customer",
    "unless": {"phrases": ["好的", "谢谢", "没有了"]}})";
  auto question = chat({{"agent", 0, "您好"}, {"customer", 5, "那退款什么时候到账呢"}});
  auto r = run(one_item(open), question);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 1);
  CHECK(run(one_item(open), chat({{"agent", 0, "您好"}, {"customer", 5, "好的谢谢"}})).status == ItemStatus::passed);
  CHECK(run(one_item(open), chat({{"customer", 0, "退款呢"}, {"agent", 5, "已退"}})).status == ItemStatus::passed);
  // A system event after the customer ends the chat; a bare system message does not.
  CHECK(run(one_item(open), chat({{"customer", 0, "退款什么时候到账呢"}, {"system", 5, "", "closed"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(open), chat({{"customer", 0, "退款什么时候到账呢"}, {"system", 5, ""}})).status ==
        ItemStatus::failed);
  // As an item's "when": end-of-chat items are not judged on an open thread.
  auto closing = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  auto item = run(one_item(closing, R"(, "when": {"type": "not", "check": )" + open + "}"), question);
  CHECK(item.status == ItemStatus::not_applicable);
  CHECK(has_error(one_item(R"({"type": "last_message"})"), "E0103", "/items/0/check"));
}
