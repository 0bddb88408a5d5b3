// Fuzz target: any bytes as a rule-set test file (<rules>.tests.json) ->
// parse_test_file -> check_test_file and run_test_files against the shipped
// zh-CN online-chat rule set -> text and JSON results. Broken test files
// must come back as diagnostics with a code; every case's report keeps
// check_report's invariants.
#include <cstdint>

#include "chatqa/testing.hpp"
#include "fuzz_common.hpp"

using namespace chatqa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<const RuleSet> rules = [] {
    CompileResult r = compile_rule_file(CHATQA_SOURCE_DIR "/rules/zh-CN/online-chat.json");
    if (!r.ok()) fuzz::fail("the shipped rule set does not compile");
    return r.rule_set;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // "session_file" paths resolve next to the shipped rule sets' own tests.
  const LoadedTestFile loaded = parse_test_file(text, "fuzz.tests.json", CHATQA_SOURCE_DIR "/rules/zh-CN");
  for (const Diagnostic& d : loaded.diagnostics) {
    fuzz::require(d.code.size() == 5 && (d.code[0] == 'E' || d.code[0] == 'W'), "a diagnostic has a code", d.code);
  }
  fuzz::require(loaded.ok() != has_errors(loaded.diagnostics), "a test file loads exactly when there are no errors");
  if (!loaded.ok()) return 0;
  for (const Diagnostic& d : check_test_file(*loaded.file, *rules)) {
    fuzz::require(d.code.size() == 5, "a check diagnostic has a code", d.code);
  }
  RuleTestRun run;
  run.suites.push_back(run_test_files(*rules, {*loaded.file}));
  for (const CaseResult& c : run.suites.back().cases) {
    if (c.report.error.empty() && c.report.items.size() == rules->items().size()) {
      for (const TestCase& t : loaded.file->cases) {
        if (t.name == c.name) {
          fuzz::check_report(c.report, t.session, *rules);
          break;
        }
      }
    }
  }
  (void)to_text(run, true);
  (void)to_json(run);
  return 0;
}
