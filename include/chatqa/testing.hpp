// chatqa — rule sets that test themselves.
//
// A rule set carries test cases in a test file (docs/rule-tests.md): each case
// is a session plus expectations — items that must fire (optionally with the
// hit count, message indexes, quoted text and points deducted), items that
// must stay clean, the score and the fatal flag. This header is the runner
// behind `chatqa test`, usable from any program (a backend can run the rule
// set's own tests before putting a new version live):
//
//   chatqa::RuleTestRun run = chatqa::run_rule_tests({"rules/"});
//   std::cout << chatqa::to_text(run);
//   return run.exit_code();  // 0 all passed, 1 failures, 2 broken files
//
// or, with a rule set and test files already in memory:
//
//   chatqa::LoadedTestFile tests = chatqa::parse_test_file(text, "x.tests.json", "");
//   chatqa::RuleTestResult result = chatqa::run_test_files(*rules, {*tests.file});
//
// Nothing here throws on bad input: broken rule or test files become
// Diagnostics (codes E05xx for test files, listed in docs/rule-tests.md) with
// file:line:column. Output is deterministic: cases in file order, items in
// rule-set order, files in path order.
//
// Thread safety: the functions are reentrant; results are plain values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/diagnostic.hpp"
#include "chatqa/export.hpp"
#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

// Where something was written in a test file (file, json_pointer, line, column).
using TestSource = SourceLocation;

// "The item fires" (its status is `failed`: points deducted or bonus given),
// optionally with details. Each detail that is set must match exactly.
struct FireExpectation {
  std::string item;
  std::optional<std::size_t> hits;                 // ItemResult::hits
  std::optional<std::vector<long>> messages;       // message index of each finding, in report order
  std::optional<std::vector<std::string>> quotes;  // quoted text of each finding that quotes text
  std::optional<double> deducted;                  // points taken off (bonus items: points awarded)
  TestSource at;
};

// "The item does not fire" (passed, not applicable, pending or manual).
struct CleanExpectation {
  std::string item;
  TestSource at;
};

struct TestCase {
  std::string name;
  std::string todo;  // non-empty: a known gap — reported, never failed
  Session session;   // messages ordered by time; indexes in expectations refer to this order
  std::vector<FireExpectation> fire;
  std::vector<CleanExpectation> clean;
  std::optional<double> score;
  std::optional<bool> fatal;
  TestSource at;  // the case object
};

struct TestFile {
  std::string path;         // as given
  std::string rule_file;    // the rule file its cases test (resolved path)
  TestSource rule_file_at;  // the "rule_set" key, or the file when it was inferred
  std::vector<TestCase> cases;
};

// Exactly one of: `file` set (maybe with warnings), or error diagnostics.
struct LoadedTestFile {
  std::optional<TestFile> file;
  std::vector<Diagnostic> diagnostics;
  bool ok() const noexcept { return file.has_value(); }
};

// Reads a test file. Relative "rule_set" and "session_file" paths resolve
// against the test file's folder (and, for a test file inside a `tests/`
// folder, the folder above it). Without "rule_set", `<name>.tests.json`
// tests `<name>.json`.
//
// Both paths are confined (docs/limits.md "Files a test file may read"):
// after ".." and symlinks are resolved they must lie in the test file's
// folder, its rule folder (the folder above a `tests/` folder), the rule tree
// (the folder above the rule folder, never "/"), or one of `allowed_roots`;
// anything else is E0513 and is not opened.
LoadedTestFile load_test_file(const std::string& path, const std::vector<std::string>& allowed_roots = {});
// Parses test-file JSON text; `base_dir` plays the part of the file's folder.
LoadedTestFile parse_test_file(std::string_view json_text, const std::string& file_name, const std::string& base_dir,
                               const std::vector<std::string>& allowed_roots = {});

// Checks a test file against the rule set it tests: unknown item ids (E0505,
// with a did-you-mean) and expectations no item can meet (E0508).
std::vector<Diagnostic> check_test_file(const TestFile& file, const RuleSet& rules);

enum class CaseStatus {
  passed,
  failed,
  todo,          // marked todo and still not passing
  todo_passing,  // marked todo but passes now: the "todo" can go
};

const char* to_string(CaseStatus status) noexcept;

// One difference between what a case expects and what evaluation produced.
// `field` is one of: fires, clean, hits, messages, quotes, deducted, score,
// fatal, unknown_item, error. `item` is empty for session-wide fields.
struct Mismatch {
  std::string item;
  std::string field;
  std::string expected;
  std::string actual;
};

struct CaseResult {
  std::string name;
  std::string todo;
  TestSource at;
  CaseStatus status = CaseStatus::passed;
  std::vector<Mismatch> mismatches;  // expectation order: fire, clean, score, fatal
  Report report;
};

// Evaluates one case and compares. Never throws.
CaseResult run_test_case(const RuleSet& rules, const TestCase& test_case);

// What the (non-todo) cases say about one item.
struct ItemTally {
  std::string id;
  bool manual = false;              // check type "manual": exempt from coverage
  std::size_t fire_cases = 0;       // cases expecting it to fire
  std::size_t clean_cases = 0;      // cases expecting it clean
  std::size_t true_positives = 0;   // expected to fire, fired
  std::size_t false_positives = 0;  // expected clean, fired
  std::size_t false_negatives = 0;  // expected to fire, did not
};

struct RuleTestOptions {
  // Runs only the cases whose name contains a match of this RE2 pattern
  // (empty: all). Coverage is not judged when a pattern selects cases.
  std::string case_pattern;
};

// The outcome of testing one rule file.
struct RuleTestResult {
  std::string rule_file;
  std::string rule_set_name;
  std::string rule_set_version;
  std::vector<std::string> test_files;   // in path order
  std::vector<CaseResult> cases;         // selected cases, in file order
  std::vector<ItemTally> items;          // rule-set order
  bool coverage_judged = false;          // false when no rule set compiled or cases were selected
  std::vector<std::string> never_fire;   // non-manual items no case expects to fire
  std::vector<std::string> never_clean;  // non-manual items no case expects clean
  std::vector<std::string> manual;       // manual items (exempt)
  std::vector<Diagnostic> diagnostics;   // rule-file and test-file problems

  std::size_t count(CaseStatus status) const noexcept;
  bool coverage_complete() const noexcept { return never_fire.empty() && never_clean.empty(); }
};

// Runs the cases of `files` (all testing `rules`). check_test_file()
// diagnostics of each file land in the result; cases still run, and an
// expectation naming an unknown item fails its case.
RuleTestResult run_test_files(const RuleSet& rules, const std::vector<TestFile>& files,
                              const RuleTestOptions& options = {});

// Everything a `chatqa test PATH...` run produced.
struct RuleTestRun {
  std::vector<RuleTestResult> suites;   // one per rule file, in path order
  std::vector<Diagnostic> diagnostics;  // problems not tied to one rule file (missing paths, bad pattern)
  bool require_coverage = false;        // coverage gaps count as failures

  bool has_errors() const noexcept;    // any error diagnostic, here or in a suite
  bool has_failures() const noexcept;  // a failed case, or a coverage gap when required
  // 2 if a rule or test file is broken, else 1 if a case failed, else 0.
  int exit_code() const noexcept;
};

struct RuleTestRunOptions {
  RuleTestOptions cases;
  bool require_coverage = false;
  // How the rule files are compiled (allowed roots of their lexicons, limits).
  // `compile.allowed_roots` also widens what test files may name (E0513).
  CompileOptions compile;
};

// Finds rule files and their test files under `paths` and runs them. A path
// may be a directory (searched recursively; hidden folders skipped), a rule
// file, or a test file (`*.tests.json`). Test files sit beside their rule
// file or in a `tests/` folder next to it. A rule file found without any test
// file is reported with all its items as coverage gaps.
RuleTestRun run_rule_tests(const std::vector<std::string>& paths, const RuleTestRunOptions& options = {});

// Text for people: one line per case (PASS / FAIL / TODO / FIXED) with a
// -expected/+actual diff and the findings of the items involved under each
// failing case, then per-item tallies and coverage gaps. `verbose` also
// shows the diff under todo cases that still fail.
std::string to_text(const RuleTestRun& run, bool verbose = false);
// One JSON document (pretty-printed, trailing newline), deterministic.
std::string to_json(const RuleTestRun& run);

}  // namespace chatqa
CHATQA_PUBLIC_END
