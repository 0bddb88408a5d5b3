// Helpers shared by the rule-set test runner's files (parse, run,
// discover, format). Internal to src/testing/.
#pragma once

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/testing.hpp"
#include "rules/read_file.hpp"

namespace chatqa::detail::rule_tests {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

inline constexpr std::string_view kTestSuffix = ".tests.json";
inline constexpr std::size_t kMaxSniffBytes = 16u << 20;

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Test files and the session files they name: regular files of at most
// kMaxTestFileBytes, through the one reader (never throws; a directory or a
// device is "cannot read").
inline constexpr std::size_t kMaxTestFileBytes = 64u << 20;
inline std::optional<std::string> read_file(const std::string& path) {
  FileRead r = read_file_limited(path, kMaxTestFileBytes);
  if (!r.ok) return std::nullopt;
  return std::move(r.text);
}

inline std::string join_path(const std::string& dir, const std::string& rel) {
  if (dir.empty() || fs::path(rel).is_absolute()) return fs::path(rel).lexically_normal().string();
  return (fs::path(dir) / rel).lexically_normal().string();
}

inline std::string quoted(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A finding's message index as test files and the JSON results write it: -1 for the whole session.
inline long message_or_session(const Location& at) {
  return at.message ? static_cast<long>(*at.message) : -1;
}

inline std::string list_text(const std::vector<long>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

inline std::string list_text(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

inline bool same_points(double a, double b) {
  return std::fabs(a - b) < 1e-9;
}

inline const ItemResult* find_item(const Report& report, const std::string& id) {
  for (const ItemResult& r : report.items) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

inline bool fired(const ItemResult& r) {
  return r.status == ItemStatus::failed;
}

inline std::string describe_outcome(const ItemResult& r) {
  switch (r.status) {
    case ItemStatus::failed: {
      std::string out = "fires (" + std::to_string(r.hits) + (r.hits == 1 ? " hit, " : " hits, ");
      out += r.bonus ? "+" + format_points(r.awarded) : "-" + format_points(r.deducted);
      return out + ")";
    }
    case ItemStatus::passed: return "passed";
    case ItemStatus::manual_review: return "manual review";
    case ItemStatus::not_applicable: return "not applicable";
    case ItemStatus::pending: return "pending";
  }
  return "passed";
}

inline std::string finding_line(const Finding& f) {
  std::string out;
  if (f.at.message) out += "#" + std::to_string(*f.at.message) + " " + f.at.time + " ";
  if (f.at.span) out += "\u300C" + f.at.quote + "\u300D ";
  return out + f.explanation;
}

inline Diagnostic pattern_error(const std::string& pattern, const std::string& why) {
  Diagnostic d;
  d.code = "E0510";
  d.message = "invalid --run pattern " + quoted(pattern) + ": " + why;
  return d;
}

}  // namespace chatqa::detail::rule_tests
