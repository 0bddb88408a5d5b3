// has_role: a condition that fires when the session has a message of the given role(s).
// Code: src/checks/has_role.cpp. Docs: docs/checks.md#has_role.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("has_role: one role or a list", "[checks][has_role]") {
  auto s = chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}});
  const WhenCase cases[] = {
      {R"({"type": "has_role", "role": "customer"})", ItemStatus::failed},
      {R"({"type": "has_role", "role": "agent"})", ItemStatus::failed},
      {R"({"type": "has_role", "role": ["bot", "system"]})", ItemStatus::not_applicable},
      {R"({"type": "has_role", "role": ["bot", "customer"]})", ItemStatus::failed},
      {R"({"type": "not", "check": {"type": "has_role", "role": "bot"}})", ItemStatus::failed},
  };
  for (const WhenCase& c : cases) {
    INFO(c.when);
    CHECK(status_when(c.when, s) == c.expected);
  }
}

TEST_CASE("has_role: an agent-only session does not apply to items for chats with a customer", "[checks][has_role]") {
  CHECK(status_when(R"({"type": "has_role", "role": "customer"})", chat({{"agent", 0, "不知道"}})) ==
        ItemStatus::not_applicable);
  CHECK(status_when(R"({"type": "has_role", "role": "customer"})", chat({})) == ItemStatus::not_applicable);
}

TEST_CASE("has_role: parameters are validated", "[checks][has_role]") {
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "has_role"})"), "E0103", "/items/0/when"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "has_role", "role": "boss"})"), "E0105",
                  "/items/0/when/role"));
}
