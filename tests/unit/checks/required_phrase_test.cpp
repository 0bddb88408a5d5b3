// required_phrase: phrases that must appear in a window.
// Code: src/checks/required_phrase.cpp. Docs: docs/checks.md#required_phrase.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;

namespace {
std::string required_item(const std::string& params) {
  return R"([{"id": "req", "points": 2, "check": {"type": "required_phrase", )" + params + "}}]";
}
const ItemResult& req(const Report& r) {
  return item_of(r, "req");
}
}  // namespace

TEST_CASE("required_phrase in the first N agent messages", "[checks][required_phrase]") {
  const std::string item = required_item(R"("phrases": ["您好"], "window": {"first_messages": 1})");
  CHECK(req(run(item, chat({{"customer", 0, "在吗"}, {"agent", 5, "您好,请问有什么可以帮您?"}}))).status ==
        ItemStatus::passed);
  // Spaced out or full-width punctuation in between still counts.
  CHECK(req(run(item, chat({{"agent", 5, "您 好!"}}))).status == ItemStatus::passed);
  Report late = run(item, chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"agent", 6, "您好"}}));
  REQUIRE(req(late).status == ItemStatus::failed);
  REQUIRE(req(late).findings.size() == 1);
  CHECK(req(late).findings[0].at.message == 1);
  CHECK(req(late).findings[0].explanation == "required phrase missing in the first 1 agent message(s): 您好");
  // The customer saying it does not count.
  CHECK(req(run(item, chat({{"customer", 0, "您好"}, {"agent", 5, "在"}}))).status == ItemStatus::failed);
}

TEST_CASE("required_phrase in the last N messages, pending while live", "[checks][required_phrase]") {
  const std::string item =
      required_item(R"("phrases": ["感谢您的咨询", "祝您生活愉快"], "window": {"last_messages": 2})");
  const Session good =
      chat({{"agent", 0, "您好"}, {"customer", 5, "谢谢"}, {"agent", 10, "感谢您的咨询!"}, {"agent", 11, "再见"}});
  CHECK(req(run(item, good)).status == ItemStatus::passed);
  const Session early = chat({{"agent", 0, "感谢您的咨询"}, {"agent", 5, "a"}, {"agent", 10, "b"}});
  CHECK(req(run(item, early)).status == ItemStatus::failed);
  CHECK(req(run(item, early, false)).status == ItemStatus::pending);
}

TEST_CASE("required_phrase within the first T seconds of the session", "[checks][required_phrase]") {
  const std::string item = required_item(R"("phrases": ["您好"], "window": {"first_seconds": 10})");
  CHECK(req(run(item, chat({{"customer", 0, "在吗"}, {"agent", 10, "您好"}}))).status == ItemStatus::passed);
  Report late = run(item, chat({{"customer", 0, "在吗"}, {"agent", 8, "稍等"}, {"agent", 11, "您好"}}));
  REQUIRE(req(late).status == ItemStatus::failed);
  CHECK(req(late).findings[0].explanation.find("the first 10 s") != std::string::npos);
}

TEST_CASE("required_phrase match any / all", "[checks][required_phrase]") {
  const Session s = chat({{"agent", 0, "您好,请问有什么可以帮您?"}});
  CHECK(req(run(required_item(R"("phrases": ["很高兴为您服务", "有什么可以帮您"])"), s)).status == ItemStatus::passed);
  CHECK(req(run(required_item(R"("phrases": ["很高兴为您服务", "有什么可以帮您"], "match": "any")"), s)).status ==
        ItemStatus::passed);
  Report all = run(required_item(R"("phrases": ["您好", "很高兴为您服务", "有什么可以帮您"], "match": "all")"), s);
  REQUIRE(req(all).status == ItemStatus::failed);
  REQUIRE(req(all).findings.size() == 1);  // one finding per missing phrase
  CHECK(req(all).findings[0].explanation.find("很高兴为您服务") != std::string::npos);
  CHECK(req(all).findings[0].explanation.find("您好") == std::string::npos);
  Report none = run(required_item(R"("phrases": ["很高兴", "感谢"], "regex": ["工号\\d+"], "match": "all")"), s);
  CHECK(req(none).findings.size() == 3);
}

TEST_CASE("required_phrase with no message of the role in the window", "[checks][required_phrase]") {
  Report r =
      run(required_item(R"("phrases": ["您好"], "window": {"first_messages": 1})"), chat({{"customer", 0, "在吗"}}));
  REQUIRE(req(r).status == ItemStatus::failed);
  CHECK_FALSE(req(r).findings[0].at.message.has_value());
  CHECK(req(r).findings[0].explanation.rfind("no agent message in", 0) == 0);
}

TEST_CASE("required_phrase windows of a long session (more messages than a window keeps inline)",
          "[checks][required_phrase]") {
  // 150 agent messages, 您好 only in #0, 感谢您的咨询 only in #148: windows
  // of 100 and 140 messages and "last 2" of 150 are selected past the 64
  // indices a window holds without the heap.
  std::vector<chatqa::testing::Line> rows;
  for (int i = 0; i < 150; ++i) {
    std::string text = "第" + std::to_string(i) + "条";
    if (i == 0) text = "您好";
    if (i == 148) text = "感谢您的咨询";
    rows.push_back({"agent", static_cast<double>(i), text});
  }
  const Session s = chat(rows);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"last_messages": 2})"), s)).status ==
        ItemStatus::passed);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"first_messages": 140})"), s)).status ==
        ItemStatus::failed);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"first_messages": 149})"), s)).status ==
        ItemStatus::passed);
  Report last = run(required_item(R"("phrases": ["您好"], "window": {"last_messages": 100})"), s);
  REQUIRE(req(last).status == ItemStatus::failed);
  CHECK(req(last).findings[0].at.message == 50);  // the window's first message
  CHECK(req(run(required_item(R"("phrases": ["您好"], "window": {"last_messages": 150})"), s)).status ==
        ItemStatus::passed);
  // The whole session: a banned phrase in message 120 is found there.
  rows[120].text = "这个我不知道";
  Report ban =
      run(R"([{"id": "req", "points": 2, "check": {"type": "banned_phrase", "phrases": ["不知道"]}}])", chat(rows));
  REQUIRE(req(ban).findings.size() == 1);
  CHECK(req(ban).findings[0].at.message == 120);
}
