// Across checks: rows that are not messages (events, empty rows such as an export's
// "assignment" or "close" rows) are never replies, never the start of a wait
// and never members of a phrase window: the first agent message is the first
// one that says something.
#include "test_checks_helpers.hpp"

using namespace chatqa;
using namespace checks_test;

TEST_CASE("non-messages: an empty agent row 5 s in is not the first reply", "[checks][non_messages]") {
  const std::string check = R"({"type": "response_time", "mode": "first", "limit_seconds": 30})";
  auto s = chat({{"customer", 0, "Hi, anyone there?"},
                 {"agent", 5, ""},                                    // assignment row, no text
                 {"system", 6, "", "assigned"},                       // event row
                 {"agent", 50, "Hello, how can I help you today?"}});
  auto r = run(one_item(check), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].at.message == 3);
  CHECK(*r.findings[0].value == Approx(50));
}

TEST_CASE("non-messages: an agent row with an event is no reply even with text", "[checks][non_messages]") {
  const std::string check = R"({"type": "response_time", "mode": "each", "limit_seconds": 30})";
  auto s = chat({{"customer", 0, "在吗"},
                 {"agent", 3, "会话已转接", "transfer"},
                 {"agent", 40, "您好,请问有什么可以帮您?"}});
  auto r = run(one_item(check), s);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 2);
}

TEST_CASE("non-messages: an empty customer row does not start a turn or a wait", "[checks][non_messages]") {
  auto s = chat({{"customer", 0, "  "},  // a blank row (joined the chat)
                 {"customer", 100, "在吗"},
                 {"agent", 110, "您好"}});
  CHECK(run(one_item(R"({"type": "response_time", "mode": "first", "limit_seconds": 30})"), s).status ==
        ItemStatus::passed);
  CHECK(run(one_item(R"({"type": "silence", "max_gap_seconds": 30})"), s).status == ItemStatus::passed);
}

TEST_CASE("non-messages: an empty row ends no silence", "[checks][non_messages]") {
  auto s = chat({{"customer", 0, "在吗"}, {"agent", 5, ""}, {"agent", 60, "您好"}});
  auto r = run(one_item(R"({"type": "silence", "max_gap_seconds": 30})"), s);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 2);
}

TEST_CASE("non-messages: the first agent message of a window is the first that says something",
          "[checks][non_messages]") {
  const std::string check =
      R"({"type": "required_phrase", "phrases": ["您好"], "role": "agent", "window": {"first_messages": 1}})";
  auto s = chat({{"customer", 0, "在吗"},
                 {"agent", 2, ""},
                 {"agent", 3, "内部备注", "note"},
                 {"agent", 10, "您好,很高兴为您服务"}});
  CHECK(run(one_item(check), s).status == ItemStatus::passed);
  auto bad = chat({{"customer", 0, "在吗"}, {"agent", 2, ""}, {"agent", 10, "在的"}, {"agent", 12, "您好"}});
  auto r = run(one_item(check), bad);
  CHECK(r.status == ItemStatus::failed);
}
