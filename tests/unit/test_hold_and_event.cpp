// response_time hold_phrases, the event check, and typo_count's own
// Traditional-folding default.
#include <catch2/catch.hpp>

#include "chatqa/chatqa.hpp"

namespace {

std::shared_ptr<const chatqa::RuleSet> compile_ok(const std::string& text) {
  chatqa::CompileResult r = chatqa::compile_rules(text, "t.json", "");
  for (const auto& d : r.diagnostics) INFO(d.to_string());
  REQUIRE(r.ok());
  return r.rule_set;
}

const chatqa::ItemResult& item(const chatqa::Report& report, const std::string& id) {
  for (const auto& r : report.items) {
    if (r.id == id) return r;
  }
  FAIL("no item " << id);
  throw;
}

chatqa::Session session(const std::string& json) {
  chatqa::ParsedSession p = chatqa::parse_session(json);
  REQUIRE(p.session);
  return *p.session;
}

const char* kChecking = R"({"id":"H1","messages":[
 {"role":"customer","time":"2024-05-01 10:00:00","text":"订单到哪了"},
 {"role":"agent","time":"2024-05-01 10:00:10","text":"请稍等，我帮您查询一下物流"},
 {"role":"customer","time":"2024-05-01 10:00:15","text":"好的"},
 {"role":"agent","time":"2024-05-01 10:01:16","text":"感谢您的耐心等待，已经到北京了"},
 {"role":"customer","time":"2024-05-01 10:02:00","text":"那什么时候到"},
 {"role":"agent","time":"2024-05-01 10:02:50","text":"明天"},
 {"role":"system","time":"2024-05-01 10:03:00","text":"","event":"survey_sent"}]})";

}  // namespace

TEST_CASE("response_time: a customer's 'ok' while the agent checks is not timed with hold_phrases") {
  auto with_hold = compile_ok(R"({"name":"h","items":[{"id":"each","points":2,
    "check":{"type":"response_time","mode":"each","limit_seconds":30,"hold_phrases":["请稍等"]}}]})");
  auto without = compile_ok(R"({"name":"h","items":[{"id":"each","points":2,
    "check":{"type":"response_time","mode":"each","limit_seconds":30}}]})");
  const chatqa::Session s = session(kChecking);
  const chatqa::Report held_report = chatqa::evaluate(*with_hold, s);
  const auto& held = item(held_report, "each");
  REQUIRE(held.status == chatqa::ItemStatus::failed);
  REQUIRE(held.findings.size() == 1);  // only the 50 s answer to 那什么时候到
  CHECK(held.findings[0].at.message == 5);
  CHECK(held.findings[0].value == Approx(50));
  const chatqa::Report plain_report = chatqa::evaluate(*without, s);
  const auto& plain = item(plain_report, "each");
  REQUIRE(plain.findings.size() == 2);  // 好的 -> 61 s is counted without the hold
  CHECK(plain.findings[0].at.message == 3);
  CHECK(plain.findings[0].value == Approx(61));
}

TEST_CASE("event: fires per message with the event; not[event] fires when it is missing") {
  auto rules = compile_ok(R"({"name":"e","items":[
    {"id":"survey_missing","points":1,"check":{"type":"not","check":{"type":"event","events":["survey_sent"]}}},
    {"id":"transferred","points":1,"check":{"type":"event","events":["transfer","survey_sent"]}}]})");
  const auto with_survey = chatqa::evaluate(*rules, session(kChecking));
  CHECK(item(with_survey, "survey_missing").status == chatqa::ItemStatus::passed);
  REQUIRE(item(with_survey, "transferred").findings.size() == 1);
  CHECK(item(with_survey, "transferred").findings[0].at.message == 6);
  const auto without_survey = chatqa::evaluate(*rules, session(R"({"id":"x","messages":[
    {"role":"customer","time":"2024-05-01 10:00:00","text":"在吗"}]})"));
  CHECK(item(without_survey, "survey_missing").status == chatqa::ItemStatus::failed);
  CHECK(item(without_survey, "transferred").status == chatqa::ItemStatus::passed);
}

TEST_CASE("event: missing or empty event names are diagnostics") {
  auto r = chatqa::compile_rules(R"({"name":"e","items":[{"id":"a","points":1,"check":{"type":"event","events":[""]}},
    {"id":"b","points":1,"check":{"type":"event"}}]})", "t.json", "");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].code == "E0105");
  CHECK(r.diagnostics[1].code == "E0103");
}

TEST_CASE("typo_count does not fold Traditional characters even when the rule set does") {
  // 俱体 is a typo for 具体; folded to Simplified it would equal the correct word.
  auto rules = compile_ok(R"({"name":"t","options":{"traditional_to_simplified":true},
    "lexicons":{"typos":{"typos":{"俱体":"具体"}}},
    "items":[{"id":"typos","points":5,"per_hit":1,"check":{"type":"typo_count","dictionary":"@typos"}}]})");
  auto s = session(R"({"id":"t","messages":[{"role":"agent","time":"2024-05-01 10:00:00","text":"具体情况我帮您看看"},
    {"role":"agent","time":"2024-05-01 10:00:05","text":"俱体是哪一单呢"}]})");
  const chatqa::Report report = chatqa::evaluate(*rules, s);
  const auto& typos = item(report, "typos");
  REQUIRE(typos.findings.size() == 1);
  CHECK(typos.findings[0].at.message == 1);
  CHECK(typos.findings[0].at.quote == "俱体");
  CHECK(typos.findings[0].suggestion == "具体");
}
