// Helpers for the matcher / normaliser / lexicon tests: compile a rule set
// from JSON text, score hand-written messages through the public API, and
// collect the findings of one item.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"

namespace matcher_test {

// Compiles `json_text`; fails the test (with the diagnostics) if it does not compile.
inline std::shared_ptr<const chatqa::RuleSet> compile(const std::string& json_text,
                                                      const chatqa::CompileOptions& options = {}) {
  chatqa::RuleSource source;
  source.file_name = "test.json";
  source.base_dir = CHATQA_SOURCE_DIR;
  chatqa::CompileResult r = chatqa::compile_rules(json_text, source, options);
  std::string diags;
  for (const auto& d : r.diagnostics) diags += d.to_string() + "\n";
  INFO(diags);
  REQUIRE(r.ok());
  return r.rule_set;
}

// A one-item rule set whose item "x" has `check` (a JSON object) as its check.
inline std::string one_item(const std::string& check, const std::string& options = "{}",
                            const std::string& lexicons = "{}") {
  return R"({"name": "t", "version": "1", "total": 100, "options": )" + options + R"(, "lexicons": )" + lexicons +
         R"(, "items": [{"id": "x", "title": "x", "points": 10, "per_hit": 1, "check": )" + check + "}]}";
}

// Builds a session of `messages` (role, text), one second apart, through parse_session.
inline chatqa::Session session(const std::vector<std::pair<std::string, std::string>>& messages) {
  nlohmann::json j;
  j["id"] = "S-1";
  j["agent"] = "A1";
  j["messages"] = nlohmann::json::array();
  int second = 0;
  for (const auto& [role, text] : messages) {
    char time[64];
    std::snprintf(time, sizeof time, "2024-05-01T%02d:%02d:%02d+08:00", 10 + second / 3600, second / 60 % 60, second % 60);
    ++second;
    j["messages"].push_back({{"role", role}, {"time", time}, {"text", text}});
  }
  chatqa::ParsedSession p = chatqa::parse_session(j.dump());
  INFO((p.error ? p.error->code + ": " + p.error->message : std::string()));
  REQUIRE(p.session);
  return *p.session;
}

struct Found {
  long message;
  std::size_t begin, end;
  std::string quote;
  std::string matched;
  std::string suggestion;
};

// Findings of item `id` when `rules` scores `s`.
inline std::vector<Found> findings(const chatqa::RuleSet& rules, const chatqa::Session& s, const std::string& id = "x") {
  const chatqa::Report report = chatqa::evaluate(rules, s);
  INFO(report.error);
  REQUIRE(report.error.empty());
  std::vector<Found> out;
  for (const auto& item : report.items) {
    if (item.id != id) continue;
    for (const auto& f : item.findings) {
      out.push_back({f.at.message ? static_cast<long>(*f.at.message) : -1, f.at.span ? f.at.span->begin : 0,
                     f.at.span ? f.at.span->end : 0, f.at.quote, f.matched, f.suggestion});
    }
  }
  return out;
}

// Findings of item "x" for agent messages `texts`.
inline std::vector<Found> agent_findings(const chatqa::RuleSet& rules, const std::vector<std::string>& texts) {
  std::vector<std::pair<std::string, std::string>> messages;
  for (const auto& t : texts) messages.emplace_back("agent", t);
  return findings(rules, session(messages));
}

// Findings of item "x" for one agent message.
inline std::vector<Found> agent_findings(const chatqa::RuleSet& rules, const std::string& text) {
  return agent_findings(rules, std::vector<std::string>{text});
}

}  // namespace matcher_test
