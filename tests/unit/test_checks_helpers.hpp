// Helpers for the check-type unit tests (tests/unit/checks/<check>_test.cpp): compile a rule
// set of one item from JSON text, build a chat from (role, seconds, text)
// rows, evaluate it and look at one item.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"

namespace checks_test {

// 2024-05-01T10:00:00+08:00
inline constexpr long long kStart = 1714528800;

struct Row {
  std::string role;
  int seconds;  // after kStart
  std::string text;
  std::string event = "";
};

// A session of `rows`; `extra` (JSON object text) adds or overrides top-level keys (meta, agent, ...).
// An empty `rows` gives a Session built in C++ (the parser rejects a session without messages,
// but the library must still evaluate one).
inline chatqa::Session chat(const std::vector<Row>& rows, const std::string& extra = "{}") {
  if (rows.empty()) {
    chatqa::Session s;
    s.id = "S-0";
    s.agent = "A102";
    return s;
  }
  nlohmann::json j = {{"id", "S-1"}, {"agent", "A102"}, {"team", "presale-1"}, {"meta", {{"channel", "web"}}}};
  nlohmann::json msgs = nlohmann::json::array();
  for (const Row& r : rows) {
    nlohmann::json m = {{"role", r.role}, {"time", kStart + r.seconds}, {"text", r.text}};
    if (!r.event.empty()) m["event"] = r.event;
    msgs.push_back(m);
  }
  j["messages"] = msgs;
  const nlohmann::json overrides = nlohmann::json::parse(extra);
  for (auto it = overrides.begin(); it != overrides.end(); ++it) j[it.key()] = it.value();
  chatqa::ParsedSession p = chatqa::parse_session(j.dump());
  if (p.error) FAIL("session does not parse: " << p.error->message);
  return *p.session;
}

inline chatqa::CompileResult compile(const std::string& text) {
  chatqa::RuleSource source;
  source.file_name = "t.json";
  return chatqa::compile_rules(text, source);
}

inline std::string diagnostics(const chatqa::CompileResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.code + " " + d.json_pointer + " " + d.message + "\n";
  return out;
}

// A rule set with one item "x" of `points` whose check is `check` (JSON text);
// `item_extra` is more item keys (",\"per_hit\": 1"); `top_extra` more top-level keys.
inline std::string one_item(const std::string& check, const std::string& item_extra = "",
                            const std::string& lexicons = "{}", const std::string& top_extra = "") {
  return R"({"name": "t", "version": "1", "total": 100, "lexicons": )" + lexicons + top_extra +
         R"(, "items": [{"id": "x", "title": "X", "points": 10)" + item_extra + R"(, "check": )" + check + "}]}";
}

inline std::shared_ptr<const chatqa::RuleSet> rules(const std::string& text) {
  chatqa::CompileResult r = compile(text);
  INFO(diagnostics(r));
  REQUIRE(r.ok());
  return r.rule_set;
}

inline chatqa::ItemResult item(const chatqa::Report& report, const std::string& id = "x") {
  for (const auto& i : report.items) {
    if (i.id == id) return i;
  }
  FAIL("no item " << id);
  return {};
}

// Evaluates `rows` against a one-item rule set and returns the item.
inline chatqa::ItemResult run(const std::string& rule_text, const chatqa::Session& session, bool closed = true) {
  auto rs = rules(rule_text);
  chatqa::EvalOptions opts;
  opts.session_closed = closed;
  chatqa::Report report = chatqa::evaluate(*rs, session, opts);
  REQUIRE(report.error.empty());
  return item(report);
}

// True when compiling `text` reports `code` at `pointer`.
inline bool has_error(const std::string& text, const std::string& code, const std::string& pointer) {
  chatqa::CompileResult r = compile(text);
  for (const auto& d : r.diagnostics) {
    if (d.code == code && d.json_pointer == pointer) return true;
  }
  INFO(diagnostics(r));
  return false;
}

// Conditions (has_role, message_count, meta, ...): the status of a
// banned_phrase item that fails on the session whenever its "when" (JSON
// text) holds.
inline const std::string kWhenCheck = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
inline chatqa::ItemStatus status_when(const std::string& when, const chatqa::Session& s) {
  return run(one_item(kWhenCheck, R"(, "when": )" + when), s).status;
}

// The whole report of `rules_text` (a rule set) on `s`.
inline chatqa::Report report(const std::string& rules_text, const chatqa::Session& s, bool closed = true) {
  auto rs = rules(rules_text);
  chatqa::EvalOptions o;
  o.session_closed = closed;
  return chatqa::evaluate(*rs, s, o);
}

// An agent greeting item: 您好 in the agent's first message.
inline const std::string kNoGreeting =
    R"({"type": "required_phrase", "phrases": ["您好"], "role": "agent", "window": {"first_messages": 1}})";

// A chat with a hold: the agent asks the customer to wait (请稍等), returns
// 61 s later with thanks for waiting, answers 50 s after the next question;
// a survey event closes it.
inline const char* const kChecking = R"({"id":"H1","messages":[
 {"role":"customer","time":"2024-05-01 10:00:00","text":"订单到哪了"},
 {"role":"agent","time":"2024-05-01 10:00:10","text":"请稍等，我帮您查询一下物流"},
 {"role":"customer","time":"2024-05-01 10:00:15","text":"好的"},
 {"role":"agent","time":"2024-05-01 10:01:16","text":"感谢您的耐心等待，已经到北京了"},
 {"role":"customer","time":"2024-05-01 10:02:00","text":"那什么时候到"},
 {"role":"agent","time":"2024-05-01 10:02:50","text":"明天"},
 {"role":"system","time":"2024-05-01 10:03:00","text":"","event":"survey_sent"}]})";

// A row of a condition table: the "when" and the item status it gives.
struct WhenCase {
  const char* when;
  chatqa::ItemStatus expected;
};

}  // namespace checks_test
