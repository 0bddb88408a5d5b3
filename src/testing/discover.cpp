// run_rule_tests: from paths (rule files, test files, folders) to suites
// (a rule file and its test files), each compiled and run.
#include "chatqa/testing.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <re2/re2.h>

#include "testing/common.hpp"

namespace chatqa {

using namespace detail::rule_tests;

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

// What the paths given to run_rule_tests name: rule files, test files, and
// the test files found next to a named rule file (implied: kept only if
// they test it).
struct FoundPaths {
  std::vector<std::string> rule_paths, test_paths;
  std::vector<std::string> implied_tests;
};

// A rule file's own tests: <name>.tests.json beside it, and test files in tests/ next to it.
void add_tests_beside(const std::string& file, FoundPaths& found) {
  const fs::path p(file);
  const fs::path beside = p.parent_path() / (p.stem().string() + std::string(kTestSuffix));
  std::error_code beside_ec, dir_ec;
  if (fs::is_regular_file(beside, beside_ec)) found.implied_tests.push_back(beside.string());
  std::vector<std::string> in_folder;
  const fs::path tests_dir = p.parent_path() / "tests";
  for (fs::directory_iterator d(tests_dir, dir_ec), end; !dir_ec && d != end; d.increment(dir_ec)) {
    std::error_code file_ec;
    if (d->is_regular_file(file_ec) && ends_with(d->path().filename().string(), kTestSuffix)) {
      in_folder.push_back((tests_dir / d->path().filename()).string());
    }
  }
  std::sort(in_folder.begin(), in_folder.end());
  found.implied_tests.insert(found.implied_tests.end(), in_folder.begin(), in_folder.end());
}

// The rule files and test files under a folder (hidden folders skipped); E0511 when there are none.
void add_folder(const std::string& path, FoundPaths& found, std::vector<Diagnostic>& diagnostics) {
  std::error_code ec;
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
  std::size_t count = 0;
  for (const std::string& file : files) {
    if (ends_with(file, kTestSuffix)) {
      found.test_paths.push_back(file);
      ++count;
    } else if (looks_like_rule_file(file)) {
      found.rule_paths.push_back(file);
      ++count;
    }
  }
  if (count == 0) diagnostics.push_back(path_error("E0511", path, "no rule files or test files found here"));
}

FoundPaths find_paths(const std::vector<std::string>& paths, std::vector<Diagnostic>& diagnostics) {
  FoundPaths found;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      diagnostics.push_back(path_error("E0501", path, "no such file or directory"));
      continue;
    }
    if (fs::is_directory(status)) {
      add_folder(path, found, diagnostics);
      continue;
    }
    const std::string file = fs::path(path).lexically_normal().string();
    if (ends_with(file, kTestSuffix) || looks_like_test_file(file)) {
      found.test_paths.push_back(file);
      continue;
    }
    found.rule_paths.push_back(file);
    add_tests_beside(file, found);
  }
  return found;
}

// A rule file and the test files that test it.
struct Suite {
  std::string rule_file;
  std::vector<TestFile> tests;
};

// The suites, ordered by rule file, their test files by path; test-file
// diagnostics go to `diagnostics`.
std::vector<Suite> make_suites(const FoundPaths& found, const std::vector<std::string>& allowed_roots,
                               std::vector<Diagnostic>& diagnostics) {
  std::map<std::string, Suite> suites;  // by canonical rule path
  for (const std::string& rule : found.rule_paths) suites.emplace(identity(rule), Suite{rule, {}});
  std::set<std::string> seen_tests;
  for (const std::string& test : found.implied_tests) {
    if (seen_tests.count(identity(test))) continue;
    LoadedTestFile loaded = load_test_file(test, allowed_roots);
    if (loaded.file && !suites.count(identity(loaded.file->rule_file))) continue;  // tests another rule file
    seen_tests.insert(identity(test));
    for (Diagnostic& d : loaded.diagnostics) diagnostics.push_back(std::move(d));
    if (!loaded.file) continue;
    suites[identity(loaded.file->rule_file)].tests.push_back(std::move(*loaded.file));
  }
  for (const std::string& test : found.test_paths) {
    if (!seen_tests.insert(identity(test)).second) continue;
    LoadedTestFile loaded = load_test_file(test, allowed_roots);
    for (Diagnostic& d : loaded.diagnostics) diagnostics.push_back(std::move(d));
    if (!loaded.file) continue;
    Suite& suite = suites.emplace(identity(loaded.file->rule_file), Suite{loaded.file->rule_file, {}}).first->second;
    suite.tests.push_back(std::move(*loaded.file));
  }
  std::vector<Suite> ordered;
  for (auto& [key, suite] : suites) ordered.push_back(std::move(suite));
  std::sort(ordered.begin(), ordered.end(), [](const Suite& a, const Suite& b) { return a.rule_file < b.rule_file; });
  for (Suite& suite : ordered) {
    std::sort(suite.tests.begin(), suite.tests.end(),
              [](const TestFile& a, const TestFile& b) { return a.path < b.path; });
  }
  return ordered;
}

// Compiles the suite's rule file and runs its test files.
RuleTestResult run_suite(const Suite& suite, const RuleTestOptions& options, const CompileOptions& compile) {
  CompileResult compiled = compile_rule_file(suite.rule_file, compile);
  if (!compiled.ok()) {
    RuleTestResult failed;
    failed.rule_file = suite.rule_file;
    for (const TestFile& t : suite.tests) failed.test_files.push_back(t.path);
    failed.diagnostics = std::move(compiled.diagnostics);
    return failed;
  }
  RuleTestResult result = run_test_files(*compiled.rule_set, suite.tests, options);
  result.rule_file = suite.rule_file;
  // Rule-file warnings come first, then test-file diagnostics.
  result.diagnostics.insert(result.diagnostics.begin(), compiled.diagnostics.begin(), compiled.diagnostics.end());
  return result;
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
  const FoundPaths found = find_paths(paths, run.diagnostics);
  for (const Suite& suite : make_suites(found, options.compile.allowed_roots, run.diagnostics)) {
    run.suites.push_back(run_suite(suite, options.cases, options.compile));
  }
  return run;
}

}  // namespace chatqa
