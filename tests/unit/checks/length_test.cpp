// length: message length (walls of text) and session bounds.
// Code: src/checks/length.cpp. Docs: docs/checks.md#length.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("length: walls of text and session bounds", "[checks][length]") {
  const std::string wall = R"({"type": "length", "max_chars": 20})";
  auto s = chat({{"agent", 0, "您好,很高兴为您服务。"},
                 {"agent", 5, std::string(30, 'a')},
                 {"customer", 9, std::string(50, 'b')},
                 {"agent", 10, "a b c d e f g h i j k l m n o p q r s t"}});
  auto r = run(one_item(wall), s);
  REQUIRE(r.findings.size() == 1);  // spaces do not count; the customer's message is not the agent's
  CHECK(r.findings[0].at.message == 1);
  CHECK(r.findings[0].value == 30);

  const std::string bounds =
      R"({"type": "length", "role": ["customer", "agent"], "min_messages": 3, "max_seconds": 600})";
  auto short_chat = run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}}));
  REQUIRE(short_chat.status == ItemStatus::failed);
  CHECK_THAT(short_chat.findings[0].explanation, Catch::Contains("only 2"));
  CHECK(run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}}), false).status ==
        ItemStatus::pending);
  auto long_chat =
      run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 700, "好"}}));
  REQUIRE(long_chat.findings.size() == 1);
  CHECK(long_chat.findings[0].value == 700);
  auto empty = run(one_item(bounds), chat({}));
  CHECK(empty.status == ItemStatus::failed);
  // Counted nouns agree with the count.
  auto one = run(one_item(R"({"type": "length", "min_messages": 2})"), chat({{"agent", 0, "在的"}}));
  REQUIRE(one.findings.size() == 1);
  CHECK_THAT(one.findings[0].explanation, Catch::StartsWith("session has only 1 agent message (at least 2)"));
  auto three = run(one_item(R"({"type": "length", "max_messages": 2})"),
                   chat({{"agent", 0, "在的"}, {"agent", 1, "好的"}, {"agent", 2, "再见"}}));
  REQUIRE(three.findings.size() == 1);
  CHECK_THAT(three.findings[0].explanation, Catch::StartsWith("session has 3 agent messages (at most 2)"));
  CHECK(has_error(one_item(R"({"type": "length"})"), "E0103", "/items/0/check"));
}
