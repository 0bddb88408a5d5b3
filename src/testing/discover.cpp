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

}  // namespace chatqa
