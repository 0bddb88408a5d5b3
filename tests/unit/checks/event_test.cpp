// event: system events (survey sent, transfer) as findings or conditions.
// Code: src/checks/event.cpp. Docs: docs/checks.md#event.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"
#include "test_checks_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;
using chatqa::testing::compile_text;
using chatqa::testing::rules_ok;
using chatqa::testing::session_ok;

using checks_test::kChecking;

TEST_CASE("event: fires per message with the event; not[event] fires when it is missing", "[checks][event]") {
  auto rules = rules_ok(R"({"name":"e","items":[
    {"id":"survey_missing","points":1,"check":{"type":"not","check":{"type":"event","events":["survey_sent"]}}},
    {"id":"transferred","points":1,"check":{"type":"event","events":["transfer","survey_sent"]}}]})");
  const auto with_survey = chatqa::evaluate(*rules, session_ok(kChecking));
  CHECK(item_of(with_survey, "survey_missing").status == chatqa::ItemStatus::passed);
  REQUIRE(item_of(with_survey, "transferred").findings.size() == 1);
  CHECK(item_of(with_survey, "transferred").findings[0].at.message == 6);
  const auto without_survey = chatqa::evaluate(*rules, session_ok(R"({"id":"x","messages":[
    {"role":"customer","time":"2024-05-01 10:00:00","text":"在吗"}]})"));
  CHECK(item_of(without_survey, "survey_missing").status == chatqa::ItemStatus::failed);
  CHECK(item_of(without_survey, "transferred").status == chatqa::ItemStatus::passed);
}

TEST_CASE("event: missing or empty event names are diagnostics", "[checks][event]") {
  auto r = compile_text(R"({"name":"e","items":[{"id":"a","points":1,"check":{"type":"event","events":[""]}},
    {"id":"b","points":1,"check":{"type":"event"}}]})");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].code == "E0105");
  CHECK(r.diagnostics[1].code == "E0103");
}

TEST_CASE("event: as a condition, alone and under not inside all", "[checks][event]") {
  namespace ct = checks_test;
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  auto plain = ct::chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}});
  CHECK(ct::run(ct::one_item(banned, R"(, "when": {"type": "event", "events": ["survey_sent"]})"), plain).status ==
        ItemStatus::not_applicable);
  auto surveyed = ct::chat({{"agent", 0, "感谢您的咨询"}, {"system", 5, "", "survey_sent"}});
  // A rating invitation: asked for in words, or the survey was sent by the system.
  const std::string invite = R"({"type": "all", "checks": [
    {"type": "required_phrase", "phrases": ["评价"], "window": {"last_messages": 2}},
    {"type": "not", "check": {"type": "event", "events": ["survey_sent", "survey_pushed"]}}]})";
  CHECK(ct::run(ct::one_item(invite), surveyed).status == ItemStatus::passed);
  CHECK(ct::run(ct::one_item(invite), ct::chat({{"agent", 0, "感谢您的咨询"}})).status == ItemStatus::failed);
}
