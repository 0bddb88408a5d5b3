// meta: a condition on a field of the session's "meta" object (equals / in / present).
// Code: src/checks/meta.cpp. Docs: docs/checks.md#meta.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("meta: equals, in, present; numbers and booleans compare as their JSON text", "[checks][meta]") {
  auto s = chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}},
                R"({"meta": {"channel": "app", "vip": true, "level": 3, "note": ""}})");
  const WhenCase cases[] = {
      {R"({"type": "meta", "field": "channel", "equals": "app"})", ItemStatus::failed},
      {R"({"type": "meta", "field": "channel", "equals": "web"})", ItemStatus::not_applicable},
      {R"({"type": "meta", "field": "channel", "in": ["web", "app"]})", ItemStatus::failed},
      {R"({"type": "meta", "field": "channel", "in": ["web", "phone"]})", ItemStatus::not_applicable},
      {R"({"type": "meta", "field": "vip", "equals": true})", ItemStatus::failed},
      {R"({"type": "meta", "field": "vip", "equals": false})", ItemStatus::not_applicable},
      {R"({"type": "meta", "field": "level", "equals": 3})", ItemStatus::failed},
      {R"({"type": "meta", "field": "level", "equals": "3"})", ItemStatus::failed},
      {R"({"type": "meta", "field": "channel"})", ItemStatus::failed},
      {R"({"type": "meta", "field": "region"})", ItemStatus::not_applicable},
      {R"({"type": "meta", "field": "note"})", ItemStatus::not_applicable},  // present but empty
      {R"({"type": "not", "check": {"type": "meta", "field": "channel", "equals": "web"}})", ItemStatus::failed},
  };
  for (const WhenCase& c : cases) {
    INFO(c.when);
    CHECK(status_when(c.when, s) == c.expected);
  }
}

TEST_CASE("meta: a session without meta matches no field", "[checks][meta]") {
  auto s = chat({{"agent", 0, "不知道"}}, R"({"meta": {}})");
  CHECK(status_when(R"({"type": "meta", "field": "channel"})", s) == ItemStatus::not_applicable);
  CHECK(status_when(R"({"type": "not", "check": {"type": "meta", "field": "channel"}})", s) == ItemStatus::failed);
}

TEST_CASE("meta: parameters are validated", "[checks][meta]") {
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "field": "channel", "equal": "web"})"), "E0102",
                  "/items/0/when/equal"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "equals": "web"})"), "E0103", "/items/0/when"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "field": "c", "equals": "a", "in": ["b"]})"),
                  "E0105", "/items/0/when/in"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "field": "c", "in": []})"), "E0104",
                  "/items/0/when/in"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "field": "c", "equals": {"a": 1}})"), "E0104",
                  "/items/0/when/equals"));
  CHECK(has_error(one_item(kWhenCheck, R"(, "when": {"type": "meta", "field": "c", "in": ["a", null]})"), "E0104",
                  "/items/0/when/in/1"));
}
