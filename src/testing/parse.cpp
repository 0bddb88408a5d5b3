// Rule-set test files: JSON -> TestFile, with diagnostics (E05xx) at
// their line and column.
#include "chatqa/testing.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "input/json_locator.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/file_access.hpp"
#include "testing/common.hpp"

namespace chatqa {

using namespace detail::rule_tests;

namespace {

class TestFileParser {
 public:
  TestFileParser(std::string_view text, std::string file, std::string base_dir,
                 const std::vector<std::string>& allowed_roots, std::vector<Diagnostic>& diagnostics)
      : text_(text),
        locator_(text),
        file_(std::move(file)),
        base_dir_(std::move(base_dir)),
        diagnostics_(diagnostics) {
    set_roots(allowed_roots);
  }

  std::optional<TestFile> parse(bool resolve_rule_file);

 private:
  TestSource source(const std::string& pointer, bool at_key = false) const {
    const TextPosition p = at_key ? locator_.key(pointer) : locator_.value(pointer);
    return TestSource{file_, pointer, static_cast<std::size_t>(p.line), static_cast<std::size_t>(p.column)};
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

  // The folders "rule_set" and "session_file" may name files in (canonical).
  void set_roots(const std::vector<std::string>& allowed_roots);
  // The resolved path of `path` if it lies in an allowed folder, else nullopt.
  std::optional<std::string> confined(const std::string& path) const;
  void refuse(const std::string& pointer, const std::string& key, const std::string& path);

  std::optional<std::string> string_at(const json& object, const std::string& pointer, const std::string& key,
                                       bool required, const std::string& what);
  void parse_case(const json& c, const std::string& pointer, TestFile& out);
  void parse_rule_file(const json& doc, bool resolve_rule_file, TestFile& out);
  void parse_cases(const json& doc, TestFile& out);
  bool parse_session(const json& c, const std::string& pointer, TestCase& out);
  void parse_expect(const json& e, const std::string& pointer, TestCase& out);
  std::optional<FireExpectation> parse_fire(const json& f, const std::string& pointer);

  std::string_view text_;
  JsonLocator locator_;
  std::string file_, base_dir_;
  std::vector<Diagnostic>& diagnostics_;
  std::vector<std::string> roots_;
  int errors_ = 0;
};

void TestFileParser::set_roots(const std::vector<std::string>& allowed_roots) {
  auto add = [this](const std::string& dir) {
    std::string c = detail::canonical_dir(dir);
    if (!c.empty() && std::find(roots_.begin(), roots_.end(), c) == roots_.end()) roots_.push_back(std::move(c));
  };
  // The test file's folder; its rule folder (the folder above a tests/
  // folder); the rule tree above that (never "/": only --allow-root / allows everything).
  const std::string folder = detail::canonical_dir(base_dir_);
  if (!folder.empty()) {
    add(folder);
    fs::path rule_folder(folder);
    if (rule_folder.filename() == "tests") rule_folder = rule_folder.parent_path();
    add(rule_folder.string());
    const fs::path tree = rule_folder.parent_path();
    if (!tree.empty() && tree != tree.root_path()) add(tree.string());
  }
  for (const std::string& root : allowed_roots) add(root);
}

std::optional<std::string> TestFileParser::confined(const std::string& path) const {
  const std::string resolved = detail::resolved_path(path);
  if (resolved.empty()) return std::nullopt;
  for (const std::string& root : roots_) {
    if (detail::path_inside(resolved, root)) return resolved;
  }
  return std::nullopt;
}

void TestFileParser::refuse(const std::string& pointer, const std::string& key, const std::string& path) {
  error("E0513", pointer,
        "\"" + key + "\" names " + path +
            ", outside the folders a test file may read (its folder, its rule folder and the rule tree above; "
            "--allow-root DIR adds one)");
}

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
  parse_rule_file(doc, resolve_rule_file, out);
  parse_cases(doc, out);
  if (errors_ > 0) return std::nullopt;
  return out;
}

// The rule file: "rule_set", or <name>.json for <name>.tests.json; with
// `resolve_rule_file`, the first candidate that exists.
void TestFileParser::parse_rule_file(const json& doc, bool resolve_rule_file, TestFile& out) {
  std::vector<std::string> candidates;
  const fs::path dir(base_dir_);
  const bool in_tests_folder = dir.filename() == "tests";
  if (auto rule_set = string_at(doc, "", "rule_set", false, "a test file")) {
    out.rule_file_at = source("/rule_set");
    std::vector<std::string> named{join_path(base_dir_, *rule_set)};
    if (in_tests_folder) named.push_back(join_path(dir.parent_path().string(), *rule_set));
    for (const std::string& c : named) {
      if (confined(c)) candidates.push_back(c);
    }
    if (candidates.empty()) refuse("/rule_set", "rule_set", named.front());
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
}

void TestFileParser::parse_cases(const json& doc, TestFile& out) {
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
  const std::optional<std::string> resolved = confined(path);
  if (!resolved) {
    refuse(child(pointer, "session_file"), "session_file", path);
    return false;
  }
  auto text = read_file(*resolved);
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
                          const std::vector<std::string>& allowed_roots, bool resolve_rule_file) {
  LoadedTestFile out;
  TestFileParser parser(text, file_name, base_dir, allowed_roots, out.diagnostics);
  out.file = parser.parse(resolve_rule_file);
  return out;
}

}  // namespace

LoadedTestFile parse_test_file(std::string_view json_text, const std::string& file_name, const std::string& base_dir,
                               const std::vector<std::string>& allowed_roots) {
  return parse_impl(json_text, file_name, base_dir, allowed_roots, false);
}

LoadedTestFile load_test_file(const std::string& path, const std::vector<std::string>& allowed_roots) {
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
  return parse_impl(*text, path, fs::path(path).parent_path().string(), allowed_roots, true);
}

}  // namespace chatqa
