// The rule-set test runner behind `chatqa test`: test files, cases, diffs,
// per-item tallies and coverage.
#include "chatqa/testing.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include <re2/re2.h>

#include <nlohmann/json.hpp>

#include "input/json_locator.hpp"
#include "rules/did_you_mean.hpp"

namespace chatqa {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::string_view kTestSuffix = ".tests.json";
constexpr std::size_t kMaxSniffBytes = 16u << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string join_path(const std::string& dir, const std::string& rel) {
  if (dir.empty() || fs::path(rel).is_absolute()) return fs::path(rel).lexically_normal().string();
  return (fs::path(dir) / rel).lexically_normal().string();
}

std::string quoted(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string list_text(const std::vector<long>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::string list_text(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

bool same_points(double a, double b) {
  return std::fabs(a - b) < 1e-9;
}

// ------------------------------------------------------------ parsing

class TestFileParser {
 public:
  TestFileParser(std::string_view text, std::string file, std::string base_dir, std::vector<Diagnostic>& diagnostics)
      : text_(text),
        locator_(text),
        file_(std::move(file)),
        base_dir_(std::move(base_dir)),
        diagnostics_(diagnostics) {}

  std::optional<TestFile> parse(bool resolve_rule_file);

 private:
  TestSource source(const std::string& pointer, bool at_key = false) const {
    const TextPosition p = at_key ? locator_.key(pointer) : locator_.value(pointer);
    return TestSource{file_, pointer, p.line, p.column};
  }
  void error(const char* code, const std::string& pointer, const std::string& message, bool at_key = false) {
    const TestSource at = source(pointer, at_key);
    Diagnostic d;
    d.code = code;
    d.message = message;
    d.file = file_;
    d.json_pointer = pointer;
    d.line = at.line;
    d.column = at.column;
    diagnostics_.push_back(std::move(d));
    ++errors_;
  }
  // Reports keys of `object` outside `allowed` (E0503). False if `object` is not an object.
  bool check_object(const json& object, const std::string& pointer, const std::string& what,
                    const std::vector<std::string>& allowed) {
    if (!object.is_object()) {
      error("E0504", pointer, what + " must be a JSON object, not " + std::string(object.type_name()));
      return false;
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
      std::string msg = "unknown key \"" + it.key() + "\" in " + what;
      if (auto near = detail::did_you_mean(it.key(), allowed)) msg += "; did you mean \"" + *near + "\"?";
      error("E0503", pointer + "/" + JsonLocator::escape_token(it.key()), msg, true);
    }
    return true;
  }
  static std::string child(const std::string& pointer, const std::string& key) {
    return pointer + "/" + JsonLocator::escape_token(key);
  }

  std::optional<std::string> string_at(const json& object, const std::string& pointer, const std::string& key,
                                       bool required, const std::string& what);
  void parse_case(const json& c, const std::string& pointer, TestFile& out);
  bool parse_session(const json& c, const std::string& pointer, TestCase& out);
  void parse_expect(const json& e, const std::string& pointer, TestCase& out);
  std::optional<FireExpectation> parse_fire(const json& f, const std::string& pointer);

  std::string_view text_;
  JsonLocator locator_;
  std::string file_, base_dir_;
  std::vector<Diagnostic>& diagnostics_;
  int errors_ = 0;
};

std::optional<std::string> TestFileParser::string_at(const json& object, const std::string& pointer,
                                                     const std::string& key, bool required, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) error("E0504", pointer, what + " has no \"" + key + "\"");
    return std::nullopt;
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    error("E0504", child(pointer, key), "\"" + key + "\" must be a non-empty string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<TestFile> TestFileParser::parse(bool resolve_rule_file) {
  json doc;
  try {
    doc = json::parse(text_.begin(), text_.end());
  } catch (const json::exception& e) {
    // A syntax error (with its byte) or a number too big for a double
    // (out_of_range.406, located by the number it names).
    const TextPosition p = locator_.at_offset(json_error_offset(text_, e).value_or(0));
    Diagnostic d;
    d.code = "E0502";
    d.message = "invalid JSON: " + json_error_detail(e.what());
    d.file = file_;
    d.line = p.line;
    d.column = p.column;
    diagnostics_.push_back(std::move(d));
    return std::nullopt;
  }
  TestFile out;
  out.path = file_;
  if (!check_object(doc, "", "a test file", {"$schema", "rule_set", "description", "cases"})) return std::nullopt;

  // The rule file: "rule_set", or <name>.json for <name>.tests.json.
  std::vector<std::string> candidates;
  const fs::path dir(base_dir_);
  const bool in_tests_folder = dir.filename() == "tests";
  if (auto rule_set = string_at(doc, "", "rule_set", false, "a test file")) {
    out.rule_file_at = source("/rule_set");
    candidates.push_back(join_path(base_dir_, *rule_set));
    if (in_tests_folder) candidates.push_back(join_path(dir.parent_path().string(), *rule_set));
  } else if (!doc.contains("rule_set")) {
    out.rule_file_at = TestSource{file_, "", 1, 1};
    const std::string name = fs::path(file_).filename().string();
    if (ends_with(name, kTestSuffix)) {
      const std::string rule_name = name.substr(0, name.size() - kTestSuffix.size()) + ".json";
      candidates.push_back(join_path(base_dir_, rule_name));
      if (in_tests_folder) candidates.push_back(join_path(dir.parent_path().string(), rule_name));
    } else {
      error("E0507", "", "a test file not named <rules>.tests.json must name its rule file in \"rule_set\"");
    }
  }
  if (!candidates.empty()) {
    out.rule_file = candidates.front();
    if (resolve_rule_file) {
      auto found = std::find_if(candidates.begin(), candidates.end(), [](const std::string& c) {
        std::error_code ec;
        return fs::is_regular_file(c, ec);
      });
      if (found == candidates.end()) {
        std::string msg = "rule file not found (looked for";
        for (std::size_t i = 0; i < candidates.size(); ++i) msg += (i ? ", " : " ") + candidates[i];
        error("E0507", doc.contains("rule_set") ? "/rule_set" : "", msg + ")");
      } else {
        out.rule_file = *found;
      }
    }
  }

  auto cases = doc.find("cases");
  if (cases == doc.end()) {
    error("E0504", "", "a test file has no \"cases\"");
  } else if (!cases->is_array()) {
    error("E0504", "/cases", "\"cases\" must be a list");
  } else {
    for (std::size_t i = 0; i < cases->size(); ++i) parse_case((*cases)[i], "/cases/" + std::to_string(i), out);
    // A case is reported, and picked by --run, by its name: two cases with
    // one name would be told apart by nobody.
    std::map<std::string, const TestCase*> first_of;
    for (const TestCase& tc : out.cases) {
      const auto [it, fresh] = first_of.emplace(tc.name, &tc);
      if (fresh) continue;
      error("E0512", child(tc.at.json_pointer, "name"),
            "two cases are named \"" + tc.name + "\" (the first at line " + std::to_string(it->second->at.line) +
                "); case names must be unique");
    }
  }
  if (errors_ > 0) return std::nullopt;
  return out;
}

void TestFileParser::parse_case(const json& c, const std::string& pointer, TestFile& out) {
  if (!check_object(c, pointer, "a case", {"name", "description", "todo", "session", "session_file", "expect"})) return;
  TestCase tc;
  tc.at = source(pointer);
  const int errors_before = errors_;
  tc.name = string_at(c, pointer, "name", true, "a case").value_or("");
  if (c.contains("todo")) tc.todo = string_at(c, pointer, "todo", false, "a case").value_or("");
  if (c.contains("description")) string_at(c, pointer, "description", false, "a case");
  parse_session(c, pointer, tc);
  auto expect = c.find("expect");
  if (expect == c.end()) {
    error("E0504", pointer, "a case has no \"expect\"");
  } else {
    parse_expect(*expect, child(pointer, "expect"), tc);
  }
  if (errors_ == errors_before) out.cases.push_back(std::move(tc));
}

bool TestFileParser::parse_session(const json& c, const std::string& pointer, TestCase& out) {
  auto inline_session = c.find("session");
  auto session_file = c.find("session_file");
  if ((inline_session == c.end()) == (session_file == c.end())) {
    error("E0509", pointer, "a case needs exactly one of \"session\" and \"session_file\"");
    return false;
  }
  if (inline_session != c.end()) {
    const std::string at = child(pointer, "session");
    ParsedSession parsed = chatqa::parse_session(inline_session->dump());
    if (parsed.error) {
      error("E0506", at + parsed.error->json_pointer,
            "invalid session: " + parsed.error->message + " (" + parsed.error->code + ")");
      return false;
    }
    out.session = std::move(*parsed.session);
    return true;
  }
  auto rel = string_at(c, pointer, "session_file", false, "a case");
  if (!rel) return false;
  const std::string path = join_path(base_dir_, *rel);
  auto text = read_file(path);
  if (!text) {
    error("E0506", child(pointer, "session_file"), "cannot read session file " + path);
    return false;
  }
  ParsedSession parsed = chatqa::parse_session(*text);
  if (parsed.error) {
    // Point into the session file itself when the problem has a place there.
    JsonLocator in_file(*text);
    TextPosition p;
    if (!parsed.error->json_pointer.empty()) {
      p = in_file.value(parsed.error->json_pointer);
    } else if (parsed.error->byte_offset > 0) {
      p = in_file.at_offset(parsed.error->byte_offset);
    }
    Diagnostic d;
    d.code = "E0506";
    d.message = "invalid session (case at " + file_ + ":" + std::to_string(source(pointer).line) +
                "): " + parsed.error->message + " (" + parsed.error->code + ")";
    d.file = path;
    d.json_pointer = parsed.error->json_pointer;
    d.line = p.line;
    d.column = p.column;
    diagnostics_.push_back(std::move(d));
    ++errors_;
    return false;
  }
  out.session = std::move(*parsed.session);
  return true;
}

void TestFileParser::parse_expect(const json& e, const std::string& pointer, TestCase& out) {
  if (!check_object(e, pointer, "\"expect\"", {"fire", "clean", "score", "fatal"})) return;
  if (auto fire = e.find("fire"); fire != e.end()) {
    if (!fire->is_array()) {
      error("E0504", child(pointer, "fire"), "\"fire\" must be a list of item ids or {\"id\": ...} objects");
    } else {
      for (std::size_t i = 0; i < fire->size(); ++i) {
        if (auto f = parse_fire((*fire)[i], child(pointer, "fire") + "/" + std::to_string(i))) {
          out.fire.push_back(std::move(*f));
        }
      }
    }
  }
  if (auto clean = e.find("clean"); clean != e.end()) {
    if (!clean->is_array()) {
      error("E0504", child(pointer, "clean"), "\"clean\" must be a list of item ids");
    } else {
      for (std::size_t i = 0; i < clean->size(); ++i) {
        const std::string at = child(pointer, "clean") + "/" + std::to_string(i);
        if (!(*clean)[i].is_string()) {
          error("E0504", at, "an entry of \"clean\" must be an item id (a string)");
          continue;
        }
        out.clean.push_back(CleanExpectation{(*clean)[i].get<std::string>(), source(at)});
      }
    }
  }
  if (auto score = e.find("score"); score != e.end()) {
    if (!score->is_number()) {
      error("E0504", child(pointer, "score"), "\"score\" must be a number");
    } else {
      out.score = score->get<double>();
    }
  }
  if (auto fatal = e.find("fatal"); fatal != e.end()) {
    if (!fatal->is_boolean()) {
      error("E0504", child(pointer, "fatal"), "\"fatal\" must be true or false");
    } else {
      out.fatal = fatal->get<bool>();
    }
  }
}

std::optional<FireExpectation> TestFileParser::parse_fire(const json& f, const std::string& pointer) {
  FireExpectation out;
  out.at = source(pointer);
  if (f.is_string()) {
    out.item = f.get<std::string>();
    return out;
  }
  if (!f.is_object()) {
    error("E0504", pointer, "an entry of \"fire\" must be an item id or an object with \"id\"");
    return std::nullopt;
  }
  check_object(f, pointer, "a \"fire\" entry", {"id", "hits", "messages", "quotes", "deducted"});
  const int errors_before = errors_;
  out.item = string_at(f, pointer, "id", true, "a \"fire\" entry").value_or("");
  out.at = source(child(pointer, "id"));
  if (auto hits = f.find("hits"); hits != f.end()) {
    if (!hits->is_number_unsigned() || hits->get<std::size_t>() == 0) {
      error("E0504", child(pointer, "hits"), "\"hits\" must be a whole number of at least 1");
    } else {
      out.hits = hits->get<std::size_t>();
    }
  }
  if (auto messages = f.find("messages"); messages != f.end()) {
    std::vector<long> list;
    bool good = messages->is_array();
    if (good) {
      for (const auto& m : *messages) {
        if (!m.is_number_integer() || m.get<long>() < -1) {
          good = false;
          break;
        }
        list.push_back(m.get<long>());
      }
    }
    if (!good) {
      error("E0504", child(pointer, "messages"), "\"messages\" must be a list of message indexes (-1 = whole session)");
    } else {
      out.messages = std::move(list);
    }
  }
  if (auto quotes = f.find("quotes"); quotes != f.end()) {
    std::vector<std::string> list;
    bool good = quotes->is_array();
    if (good) {
      for (const auto& q : *quotes) {
        if (!q.is_string()) {
          good = false;
          break;
        }
        list.push_back(q.get<std::string>());
      }
    }
    if (!good) {
      error("E0504", child(pointer, "quotes"), "\"quotes\" must be a list of strings");
    } else {
      out.quotes = std::move(list);
    }
  }
  if (auto deducted = f.find("deducted"); deducted != f.end()) {
    if (!deducted->is_number() || deducted->get<double>() < 0) {
      error("E0504", child(pointer, "deducted"), "\"deducted\" must be a number of at least 0");
    } else {
      out.deducted = deducted->get<double>();
    }
  }
  if (errors_ != errors_before) return std::nullopt;
  return out;
}

LoadedTestFile parse_impl(std::string_view text, const std::string& file_name, const std::string& base_dir,
                          bool resolve_rule_file) {
  LoadedTestFile out;
  TestFileParser parser(text, file_name, base_dir, out.diagnostics);
  out.file = parser.parse(resolve_rule_file);
  return out;
}

// ------------------------------------------------------------ running

const ItemResult* find_item(const Report& report, const std::string& id) {
  for (const ItemResult& r : report.items) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool fired(const ItemResult& r) {
  return r.status == ItemStatus::failed;
}

std::string describe_outcome(const ItemResult& r) {
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

std::string finding_line(const Finding& f) {
  std::string out;
  if (f.at.message >= 0) out += "#" + std::to_string(f.at.message) + " " + f.at.time + " ";
  if (f.at.has_span) out += "\u300C" + f.at.quote + "\u300D ";
  return out + f.explanation;
}

}  // namespace

LoadedTestFile parse_test_file(std::string_view json_text, const std::string& file_name, const std::string& base_dir) {
  return parse_impl(json_text, file_name, base_dir, false);
}

LoadedTestFile load_test_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) {
    LoadedTestFile out;
    Diagnostic d;
    d.code = "E0501";
    d.message = "cannot read test file";
    d.file = path;
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  return parse_impl(*text, path, fs::path(path).parent_path().string(), true);
}

std::vector<Diagnostic> check_test_file(const TestFile& file, const RuleSet& rules) {
  std::vector<Diagnostic> out;
  std::vector<std::string> ids;
  for (const ItemInfo& info : rules.items()) ids.push_back(info.id);
  auto info_of = [&](const std::string& id) -> const ItemInfo* {
    for (const ItemInfo& info : rules.items()) {
      if (info.id == id) return &info;
    }
    return nullptr;
  };
  auto report = [&](const char* code, const TestSource& at, std::string message) {
    Diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.file = at.file.empty() ? file.path : at.file;
    d.json_pointer = at.json_pointer;
    d.line = at.line;
    d.column = at.column;
    out.push_back(std::move(d));
  };
  auto known = [&](const std::string& id, const TestSource& at) {
    if (info_of(id)) return true;
    std::string msg = "unknown item \"" + id + "\": rule set \"" + rules.name() + "\" has no such item";
    if (auto near = detail::did_you_mean(id, ids)) msg += "; did you mean \"" + *near + "\"?";
    report("E0505", at, msg);
    return false;
  };
  for (const TestCase& tc : file.cases) {
    std::set<std::string> seen_fire, seen_clean;
    for (const FireExpectation& f : tc.fire) {
      if (!known(f.item, f.at)) continue;
      if (!seen_fire.insert(f.item).second) {
        report("E0508", f.at, "item \"" + f.item + "\" is listed twice in \"fire\"");
      }
      if (info_of(f.item)->check_type == "manual") {
        report("E0508", f.at, "item \"" + f.item + "\" is manual (left to a person); it can never fire");
      }
    }
    for (const CleanExpectation& c : tc.clean) {
      if (!known(c.item, c.at)) continue;
      if (!seen_clean.insert(c.item).second) {
        report("E0508", c.at, "item \"" + c.item + "\" is listed twice in \"clean\"");
      }
      if (seen_fire.count(c.item)) {
        report("E0508", c.at, "item \"" + c.item + "\" is expected both to fire and to stay clean");
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

const char* to_string(CaseStatus status) noexcept {
  switch (status) {
    case CaseStatus::passed: return "pass";
    case CaseStatus::failed: return "fail";
    case CaseStatus::todo: return "todo";
    case CaseStatus::todo_passing: return "todo_passing";
  }
  return "fail";
}

CaseResult run_test_case(const RuleSet& rules, const TestCase& test_case) {
  CaseResult out;
  out.name = test_case.name;
  out.todo = test_case.todo;
  out.at = test_case.at;
  out.report = evaluate(rules, test_case.session);
  const Report& report = out.report;
  auto mismatch = [&](const std::string& item, const char* field, std::string expected, std::string actual) {
    out.mismatches.push_back(Mismatch{item, field, std::move(expected), std::move(actual)});
  };
  if (!report.error.empty()) mismatch("", "error", "none", report.error);
  for (const FireExpectation& f : test_case.fire) {
    const ItemResult* r = find_item(report, f.item);
    if (!r) {
      mismatch(f.item, "unknown_item", "an item of rule set \"" + rules.name() + "\"", "no such item");
      continue;
    }
    if (!fired(*r)) {
      mismatch(f.item, "fires", "fires", describe_outcome(*r));
      continue;
    }
    if (f.hits && *f.hits != r->hits) mismatch(f.item, "hits", std::to_string(*f.hits), std::to_string(r->hits));
    if (f.messages) {
      std::vector<long> actual;
      for (const Finding& finding : r->findings) actual.push_back(finding.at.message);
      if (actual != *f.messages) mismatch(f.item, "messages", list_text(*f.messages), list_text(actual));
    }
    if (f.quotes) {
      std::vector<std::string> actual;
      for (const Finding& finding : r->findings) {
        if (finding.at.has_span) actual.push_back(finding.at.quote);
      }
      if (actual != *f.quotes) mismatch(f.item, "quotes", list_text(*f.quotes), list_text(actual));
    }
    if (f.deducted) {
      const double actual = r->bonus ? r->awarded : r->deducted;
      if (!same_points(actual, *f.deducted)) {
        mismatch(f.item, "deducted", format_points(*f.deducted), format_points(actual));
      }
    }
  }
  for (const CleanExpectation& c : test_case.clean) {
    const ItemResult* r = find_item(report, c.item);
    if (!r) {
      mismatch(c.item, "unknown_item", "an item of rule set \"" + rules.name() + "\"", "no such item");
    } else if (fired(*r)) {
      mismatch(c.item, "clean", "clean", describe_outcome(*r));
    }
  }
  if (test_case.score && !same_points(*test_case.score, report.score)) {
    mismatch("", "score", format_points(*test_case.score), format_points(report.score));
  }
  if (test_case.fatal && *test_case.fatal != report.fatal) {
    mismatch("", "fatal", *test_case.fatal ? "true" : "false", report.fatal ? "true" : "false");
  }
  const bool pass = out.mismatches.empty();
  if (test_case.todo.empty()) {
    out.status = pass ? CaseStatus::passed : CaseStatus::failed;
  } else {
    out.status = pass ? CaseStatus::todo_passing : CaseStatus::todo;
  }
  return out;
}

std::size_t RuleTestResult::count(CaseStatus status) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(cases.begin(), cases.end(), [status](const CaseResult& c) { return c.status == status; }));
}

namespace {

Diagnostic pattern_error(const std::string& pattern, const std::string& why) {
  Diagnostic d;
  d.code = "E0510";
  d.message = "invalid --run pattern " + quoted(pattern) + ": " + why;
  return d;
}

void judge_coverage(RuleTestResult& out) {
  out.coverage_judged = true;
  for (std::size_t i = 0; i < out.items.size(); ++i) {
    const ItemTally& t = out.items[i];
    if (t.manual) {
      out.manual.push_back(t.id);
      continue;
    }
    if (t.fire_cases == 0) out.never_fire.push_back(t.id);
    if (t.clean_cases == 0) out.never_clean.push_back(t.id);
  }
}

}  // namespace

RuleTestResult run_test_files(const RuleSet& rules, const std::vector<TestFile>& files,
                              const RuleTestOptions& options) {
  RuleTestResult out;
  out.rule_file = rules.path();
  out.rule_set_name = rules.name();
  out.rule_set_version = rules.version();
  for (const ItemInfo& info : rules.items()) {
    ItemTally t;
    t.id = info.id;
    t.manual = info.check_type == "manual";
    out.items.push_back(std::move(t));
  }
  std::optional<RE2> pattern;
  if (!options.case_pattern.empty()) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    pattern.emplace(options.case_pattern, re_options);
    if (!pattern->ok()) {
      out.diagnostics.push_back(pattern_error(options.case_pattern, pattern->error()));
      return out;
    }
  }
  auto tally = [&out](const std::string& id) -> ItemTally* {
    for (ItemTally& t : out.items) {
      if (t.id == id) return &t;
    }
    return nullptr;
  };
  for (const TestFile& file : files) {
    out.test_files.push_back(file.path);
    for (Diagnostic& d : check_test_file(file, rules)) out.diagnostics.push_back(std::move(d));
    for (const TestCase& tc : file.cases) {
      if (pattern && !RE2::PartialMatch(tc.name, *pattern)) continue;
      CaseResult result = run_test_case(rules, tc);
      if (tc.todo.empty()) {
        for (const FireExpectation& f : tc.fire) {
          ItemTally* t = tally(f.item);
          const ItemResult* r = find_item(result.report, f.item);
          if (!t || !r) continue;
          ++t->fire_cases;
          ++(fired(*r) ? t->true_positives : t->false_negatives);
        }
        for (const CleanExpectation& c : tc.clean) {
          ItemTally* t = tally(c.item);
          const ItemResult* r = find_item(result.report, c.item);
          if (!t || !r) continue;
          ++t->clean_cases;
          if (fired(*r)) ++t->false_positives;
        }
      }
      out.cases.push_back(std::move(result));
    }
  }
  std::sort(out.test_files.begin(), out.test_files.end());
  if (!pattern) judge_coverage(out);
  return out;
}

bool RuleTestRun::has_errors() const noexcept {
  if (chatqa::has_errors(diagnostics)) return true;
  return std::any_of(suites.begin(), suites.end(),
                     [](const RuleTestResult& s) { return chatqa::has_errors(s.diagnostics); });
}

bool RuleTestRun::has_failures() const noexcept {
  for (const RuleTestResult& s : suites) {
    if (s.count(CaseStatus::failed) > 0) return true;
    if (require_coverage && s.coverage_judged && !s.coverage_complete()) return true;
  }
  return false;
}

int RuleTestRun::exit_code() const noexcept {
  if (has_errors()) return 2;
  return has_failures() ? 1 : 0;
}

// ------------------------------------------------------------ discovery

namespace {

// Whether the file is a JSON object with a list under `key` (and, if given, none under `not_key`).
bool has_list(const fs::path& path, const char* key, const char* not_key = nullptr) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxSniffBytes) return false;
  auto text = read_file(path.string());
  if (!text) return false;
  const json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  auto list = doc.find(key);
  if (list == doc.end() || !list->is_array()) return false;
  return not_key == nullptr || !doc.contains(not_key);
}

// What a rule file looks like: a JSON object with an "items" list.
bool looks_like_rule_file(const fs::path& path) {
  return has_list(path, "items");
}
// A test file not named *.tests.json: "cases" and no "items".
bool looks_like_test_file(const fs::path& path) {
  return has_list(path, "cases", "items");
}

std::string identity(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : canonical.string();
}

Diagnostic path_error(const char* code, const std::string& path, const std::string& message) {
  Diagnostic d;
  d.code = code;
  d.file = path;
  d.message = message;
  return d;
}

}  // namespace

RuleTestRun run_rule_tests(const std::vector<std::string>& paths, const RuleTestRunOptions& options) {
  RuleTestRun run;
  run.require_coverage = options.require_coverage;
  if (!options.cases.case_pattern.empty()) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    RE2 pattern(options.cases.case_pattern, re_options);
    if (!pattern.ok()) {
      run.diagnostics.push_back(pattern_error(options.cases.case_pattern, pattern.error()));
      return run;
    }
  }
  std::vector<std::string> rule_paths, test_paths;
  std::vector<std::string> implied_tests;  // found next to a named rule file: kept only if they test it
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      run.diagnostics.push_back(path_error("E0501", path, "no such file or directory"));
      continue;
    }
    if (!fs::is_directory(status)) {
      const std::string file = fs::path(path).lexically_normal().string();
      if (ends_with(file, kTestSuffix) || looks_like_test_file(file)) {
        test_paths.push_back(file);
        continue;
      }
      rule_paths.push_back(file);
      // Its tests: <name>.tests.json beside it, and test files in tests/ next to it.
      const fs::path p(file);
      const fs::path beside = p.parent_path() / (p.stem().string() + std::string(kTestSuffix));
      std::error_code beside_ec, dir_ec;
      if (fs::is_regular_file(beside, beside_ec)) implied_tests.push_back(beside.string());
      std::vector<std::string> in_folder;
      const fs::path tests_dir = p.parent_path() / "tests";
      for (fs::directory_iterator d(tests_dir, dir_ec), end; !dir_ec && d != end; d.increment(dir_ec)) {
        std::error_code file_ec;
        if (d->is_regular_file(file_ec) && ends_with(d->path().filename().string(), kTestSuffix)) {
          in_folder.push_back((tests_dir / d->path().filename()).string());
        }
      }
      std::sort(in_folder.begin(), in_folder.end());
      implied_tests.insert(implied_tests.end(), in_folder.begin(), in_folder.end());
      continue;
    }
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (it->is_directory(ec)) {
        if (!name.empty() && name[0] == '.') it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && ends_with(name, ".json")) files.push_back(it->path().lexically_normal().string());
    }
    std::sort(files.begin(), files.end());
    std::size_t found = 0;
    for (const std::string& file : files) {
      if (ends_with(file, kTestSuffix)) {
        test_paths.push_back(file);
        ++found;
      } else if (looks_like_rule_file(file)) {
        rule_paths.push_back(file);
        ++found;
      }
    }
    if (found == 0) run.diagnostics.push_back(path_error("E0511", path, "no rule files or test files found here"));
  }

  struct Suite {
    std::string rule_file;
    std::vector<TestFile> tests;
  };
  std::map<std::string, Suite> suites;  // by canonical rule path
  for (const std::string& rule : rule_paths) suites.emplace(identity(rule), Suite{rule, {}});
  std::set<std::string> seen_tests;
  for (const std::string& test : implied_tests) {
    if (seen_tests.count(identity(test))) continue;
    LoadedTestFile loaded = load_test_file(test);
    if (loaded.file && !suites.count(identity(loaded.file->rule_file))) continue;  // tests another rule file
    seen_tests.insert(identity(test));
    for (Diagnostic& d : loaded.diagnostics) run.diagnostics.push_back(std::move(d));
    if (!loaded.file) continue;
    suites[identity(loaded.file->rule_file)].tests.push_back(std::move(*loaded.file));
  }
  for (const std::string& test : test_paths) {
    if (!seen_tests.insert(identity(test)).second) continue;
    LoadedTestFile loaded = load_test_file(test);
    for (Diagnostic& d : loaded.diagnostics) run.diagnostics.push_back(std::move(d));
    if (!loaded.file) continue;
    Suite& suite = suites.emplace(identity(loaded.file->rule_file), Suite{loaded.file->rule_file, {}}).first->second;
    suite.tests.push_back(std::move(*loaded.file));
  }

  std::vector<Suite*> ordered;
  for (auto& [key, suite] : suites) ordered.push_back(&suite);
  std::sort(ordered.begin(), ordered.end(), [](const Suite* a, const Suite* b) { return a->rule_file < b->rule_file; });
  for (Suite* suite : ordered) {
    std::sort(suite->tests.begin(), suite->tests.end(),
              [](const TestFile& a, const TestFile& b) { return a.path < b.path; });
    CompileResult compiled = compile_rule_file(suite->rule_file);
    if (!compiled.ok()) {
      RuleTestResult failed;
      failed.rule_file = suite->rule_file;
      for (const TestFile& t : suite->tests) failed.test_files.push_back(t.path);
      failed.diagnostics = std::move(compiled.diagnostics);
      run.suites.push_back(std::move(failed));
      continue;
    }
    RuleTestResult result = run_test_files(*compiled.rule_set, suite->tests, options.cases);
    result.rule_file = suite->rule_file;
    // Rule-file warnings come first, then test-file diagnostics.
    result.diagnostics.insert(result.diagnostics.begin(), compiled.diagnostics.begin(), compiled.diagnostics.end());
    run.suites.push_back(std::move(result));
  }
  return run;
}

// ------------------------------------------------------------ output

namespace {

std::string case_place(const CaseResult& c) {
  std::string out = c.at.file;
  if (c.at.line > 0) out += ":" + std::to_string(c.at.line) + ":" + std::to_string(c.at.column);
  return out;
}

std::string diff_label(const Mismatch& m) {
  if (m.item.empty()) return m.field;
  if (m.field == "fires" || m.field == "clean" || m.field == "unknown_item") return m.item;
  return m.item + " " + m.field;
}

// Items named in the mismatches, in rule-set (report) order, that have findings.
std::vector<const ItemResult*> items_to_show(const CaseResult& c) {
  std::vector<const ItemResult*> out;
  for (const ItemResult& r : c.report.items) {
    if (r.findings.empty()) continue;
    const bool named =
        std::any_of(c.mismatches.begin(), c.mismatches.end(), [&r](const Mismatch& m) { return m.item == r.id; });
    if (named) out.push_back(&r);
  }
  return out;
}

void write_diff(std::ostringstream& out, const CaseResult& c) {
  for (const Mismatch& m : c.mismatches) {
    out << "           - " << diff_label(m) << " " << m.expected << "\n";
    out << "           + " << diff_label(m) << " " << m.actual << "\n";
  }
  const auto shown = items_to_show(c);
  if (shown.empty()) return;
  out << "           findings:\n";
  for (const ItemResult* r : shown) {
    for (const Finding& f : r->findings) out << "             " << r->id << "  " << finding_line(f) << "\n";
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

}  // namespace

std::string to_text(const RuleTestRun& run, bool verbose) {
  std::ostringstream out;
  for (const Diagnostic& d : run.diagnostics) out << d.to_string() << "\n";
  std::size_t passed = 0, failed = 0, todo = 0, todo_passing = 0, gaps = 0;
  for (const RuleTestResult& s : run.suites) {
    out << s.rule_file;
    if (!s.rule_set_name.empty()) out << "  (" << s.rule_set_name << " " << s.rule_set_version << ")";
    out << "\n";
    for (const Diagnostic& d : s.diagnostics) out << "  " << d.to_string() << "\n";
    if (s.test_files.empty() && !s.rule_set_name.empty()) {
      out << "  no test file: write one as <rules>.tests.json beside the rule file or in tests/ next to it\n";
    }
    for (const CaseResult& c : s.cases) {
      switch (c.status) {
        case CaseStatus::passed: out << "  PASS   "; break;
        case CaseStatus::failed: out << "  FAIL   "; break;
        case CaseStatus::todo: out << "  TODO   "; break;
        case CaseStatus::todo_passing: out << "  FIXED  "; break;
      }
      out << case_place(c) << "  " << c.name;
      if (c.status == CaseStatus::todo) out << "  (todo: " << c.todo << ")";
      if (c.status == CaseStatus::todo_passing) out << "  (passes now; remove its \"todo\": " << c.todo << ")";
      out << "\n";
      if (c.status == CaseStatus::failed || (verbose && c.status == CaseStatus::todo)) write_diff(out, c);
    }
    passed += s.count(CaseStatus::passed);
    failed += s.count(CaseStatus::failed);
    todo += s.count(CaseStatus::todo);
    todo_passing += s.count(CaseStatus::todo_passing);
    if (s.items.empty()) continue;
    std::size_t width = 4;
    for (const ItemTally& t : s.items) width = std::max(width, t.id.size());
    out << "  items (cases expecting fire / clean; true positives, false positives, false negatives):\n";
    out << "    " << std::left << std::setw(static_cast<int>(width)) << "item" << std::right << "  fire clean"
        << "    TP   FP   FN\n";
    for (const ItemTally& t : s.items) {
      out << "    " << std::left << std::setw(static_cast<int>(width)) << t.id << std::right;
      if (t.manual) {
        out << "  manual\n";
        continue;
      }
      out << "  " << std::setw(4) << t.fire_cases << " " << std::setw(5) << t.clean_cases << "  " << std::setw(4)
          << t.true_positives << " " << std::setw(4) << t.false_positives << " " << std::setw(4) << t.false_negatives
          << "\n";
    }
    if (!s.coverage_judged) {
      out << "  coverage: not judged (" << (s.rule_set_name.empty() ? "rule file broken" : "cases selected by --run")
          << ")\n";
    } else if (s.coverage_complete()) {
      out << "  coverage: every item has a case that makes it fire and one that checks it clean";
      if (!s.manual.empty()) out << " (manual, exempt: " << join(s.manual) << ")";
      out << "\n";
    } else {
      ++gaps;
      out << "  coverage gaps:\n";
      if (!s.never_fire.empty()) out << "    no case makes fire: " << join(s.never_fire) << "\n";
      if (!s.never_clean.empty()) out << "    no case checks clean: " << join(s.never_clean) << "\n";
      if (!s.manual.empty()) out << "    manual (exempt): " << join(s.manual) << "\n";
    }
  }
  out << passed + failed + todo + todo_passing << " cases: " << passed << " passed, " << failed << " failed, " << todo
      << " todo";
  if (todo_passing > 0) out << ", " << todo_passing << " todo now passing";
  if (gaps > 0) out << "; " << gaps << (gaps == 1 ? " rule set" : " rule sets") << " with coverage gaps";
  if (run.has_errors()) out << "; broken rule or test files (see errors above)";
  out << "\n";
  return out.str();
}

namespace {

ojson diagnostic_json(const Diagnostic& d) {
  return ojson{
      {"file", d.file}, {"line", d.line},       {"column", d.column},       {"severity", to_string(d.severity)},
      {"code", d.code}, {"message", d.message}, {"pointer", d.json_pointer}};
}

ojson points_json(double v) {
  const double r = std::round(v * 100.0) / 100.0;
  if (std::fabs(r - std::round(r)) < 1e-9) return ojson(static_cast<long long>(std::llround(r)));
  return ojson(r);
}

}  // namespace

std::string to_json(const RuleTestRun& run) {
  ojson doc = ojson::object();
  ojson diagnostics = ojson::array();
  for (const Diagnostic& d : run.diagnostics) diagnostics.push_back(diagnostic_json(d));
  ojson suites = ojson::array();
  std::size_t passed = 0, failed = 0, todo = 0, todo_passing = 0;
  for (const RuleTestResult& s : run.suites) {
    ojson suite = ojson::object();
    suite["rule_file"] = s.rule_file;
    suite["rule_set"] = {{"name", s.rule_set_name}, {"version", s.rule_set_version}};
    suite["test_files"] = s.test_files;
    ojson sd = ojson::array();
    for (const Diagnostic& d : s.diagnostics) sd.push_back(diagnostic_json(d));
    suite["diagnostics"] = std::move(sd);
    ojson cases = ojson::array();
    for (const CaseResult& c : s.cases) {
      ojson jc = ojson::object();
      jc["name"] = c.name;
      jc["file"] = c.at.file;
      jc["line"] = c.at.line;
      jc["column"] = c.at.column;
      jc["status"] = to_string(c.status);
      if (!c.todo.empty()) jc["todo"] = c.todo;
      ojson mismatches = ojson::array();
      for (const Mismatch& m : c.mismatches) {
        mismatches.push_back({{"item", m.item}, {"field", m.field}, {"expected", m.expected}, {"actual", m.actual}});
      }
      jc["mismatches"] = std::move(mismatches);
      jc["score"] = points_json(c.report.score);
      jc["fatal"] = c.report.fatal;
      ojson fired_items = ojson::array();
      for (const ItemResult& r : c.report.items) {
        if (r.status != ItemStatus::failed) continue;
        ojson findings = ojson::array();
        for (const Finding& f : r.findings) {
          ojson jf = ojson::object();
          jf["message"] = f.at.message;
          if (f.at.has_span) jf["quote"] = f.at.quote;
          jf["explanation"] = f.explanation;
          findings.push_back(std::move(jf));
        }
        fired_items.push_back({{"id", r.id},
                               {"hits", r.hits},
                               {r.bonus ? "awarded" : "deducted", points_json(r.bonus ? r.awarded : r.deducted)},
                               {"findings", std::move(findings)}});
      }
      jc["fired"] = std::move(fired_items);
      cases.push_back(std::move(jc));
    }
    suite["cases"] = std::move(cases);
    ojson items = ojson::array();
    for (const ItemTally& t : s.items) {
      items.push_back({{"id", t.id},
                       {"manual", t.manual},
                       {"fire_cases", t.fire_cases},
                       {"clean_cases", t.clean_cases},
                       {"true_positives", t.true_positives},
                       {"false_positives", t.false_positives},
                       {"false_negatives", t.false_negatives}});
    }
    suite["items"] = std::move(items);
    if (s.coverage_judged) {
      suite["coverage"] = {{"complete", s.coverage_complete()},
                           {"never_fire", s.never_fire},
                           {"never_clean", s.never_clean},
                           {"manual", s.manual}};
    } else {
      suite["coverage"] = nullptr;
    }
    passed += s.count(CaseStatus::passed);
    failed += s.count(CaseStatus::failed);
    todo += s.count(CaseStatus::todo);
    todo_passing += s.count(CaseStatus::todo_passing);
    suites.push_back(std::move(suite));
  }
  doc["suites"] = std::move(suites);
  doc["diagnostics"] = std::move(diagnostics);
  doc["summary"] = {{"cases", passed + failed + todo + todo_passing},
                    {"passed", passed},
                    {"failed", failed},
                    {"todo", todo},
                    {"todo_passing", todo_passing},
                    {"broken_files", run.has_errors()},
                    {"exit_code", run.exit_code()}};
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace chatqa
