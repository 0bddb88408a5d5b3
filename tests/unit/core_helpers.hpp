// Small helpers shared by the core engine's unit tests.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"

namespace chatqa::testing {

inline std::string source_dir() { return CHATQA_SOURCE_DIR; }

// Compiles rule-set JSON text; lexicon files resolve against `base_dir`.
inline CompileResult compile_text(std::string_view rules, const std::string& base_dir = "") {
  RuleSource source;
  source.file_name = "rules.json";
  source.base_dir = base_dir;
  return compile_rules(rules, source);
}

// Compiles rule-set JSON that must be valid (fails the test otherwise).
inline std::shared_ptr<const RuleSet> rules_ok(std::string_view rules, const std::string& base_dir = "") {
  CompileResult r = compile_text(rules, base_dir);
  for (const auto& d : r.diagnostics) {
    if (d.severity == Severity::error) UNSCOPED_INFO(d.to_string());
  }
  REQUIRE(r.ok());
  return r.rule_set;
}

// Parses one session that must be valid.
inline Session session_ok(std::string_view text, const SessionOptions& options = {}) {
  ParsedSession p = parse_session(text, options);
  if (p.error) UNSCOPED_INFO(p.error->code + ": " + p.error->message);
  REQUIRE(p.session.has_value());
  return *p.session;
}

inline const ItemResult& item_of(const Report& report, const std::string& id) {
  for (const auto& item : report.items) {
    if (item.id == id) return item;
  }
  throw std::runtime_error("no item " + id + " in report");
}

// The first diagnostic with `code`, or nullptr.
inline const Diagnostic* find_code(const CompileResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

// A rule set of `items` (JSON array text) around the basic header.
inline std::string rule_set(const std::string& items, const std::string& lexicons = "{}", int total = 100) {
  return R"({"name": "t", "version": "1", "total": )" + std::to_string(total) + R"(, "lexicons": )" + lexicons +
         R"(, "items": )" + items + "}";
}

// One message of a test chat: role, seconds after 2024-05-01T10:00:00+08:00, text.
struct Line {
  std::string role;
  double seconds;
  std::string text;
};

// A session of `lines`, read through the JSON parser like real input.
inline Session chat(const std::vector<Line>& lines, const std::string& id = "S-1") {
  nlohmann::json j = {{"id", id}, {"agent", "A102"}};
  nlohmann::json messages = nlohmann::json::array();
  for (const Line& l : lines) {
    messages.push_back({{"role", l.role}, {"time", 1714528800.0 + l.seconds}, {"text", l.text}});
  }
  j["messages"] = messages;
  return session_ok(j.dump());
}

// Evaluates `session` against a rule set of `items`.
inline Report run(const std::string& items, const Session& session, bool closed = true,
                  const std::string& lexicons = "{}", int total = 100) {
  auto rules = rules_ok(rule_set(items, lexicons, total));
  EvalOptions options;
  options.session_closed = closed;
  return evaluate(*rules, session, options);
}

}  // namespace chatqa::testing
