// message_count: a condition that fires when the number of messages (of a role) is within [min, max].
// Code: src/checks/message_count.cpp. Docs: docs/checks.md#message_count.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("message_count: min and max, of every role or of one", "[checks][message_count]") {
  auto s = chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}});
  const WhenCase cases[] = {
      {R"({"type": "message_count", "min": 2})", ItemStatus::failed},
      {R"({"type": "message_count", "min": 3})", ItemStatus::not_applicable},
      {R"({"type": "message_count", "max": 2})", ItemStatus::failed},
      {R"({"type": "message_count", "max": 1})", ItemStatus::not_applicable},
      {R"({"type": "message_count", "min": 2, "max": 2})", ItemStatus::failed},
      {R"({"type": "message_count", "max": 1, "role": "agent"})", ItemStatus::failed},
      {R"({"type": "message_count", "min": 2, "role": "agent"})", ItemStatus::not_applicable},
      {R"({"type": "message_count", "min": 1, "role": ["bot", "system"]})", ItemStatus::not_applicable},
      {R"({"type": "message_count", "max": 0, "role": "bot"})", ItemStatus::failed},
  };
  for (const WhenCase& c : cases) {
    INFO(c.when);
    CHECK(status_when(c.when, s) == c.expected);
  }
}

TEST_CASE("message_count: parameters are validated", "[checks][message_count]") {
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "message_count", "min": 5, "max": 2})"), "E0105",
                  "/items/0/when/max"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "message_count"})"), "E0103", "/items/0/when"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "message_count", "min": -1})"), "E0105",
                  "/items/0/when/min"));
}
