// chatqa test PATH...: run the test cases rule sets carry (docs/rule-tests.md).
#include <memory>
#include <string>
#include <vector>

#include "chatqa/testing.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "rule_options.hpp"

namespace chatqa::cli {
namespace {

struct TestArgs {
  std::vector<std::string> paths;
  std::string run_pattern;
  std::string format = "text";
  bool require_coverage = false;
  bool verbose = false;
};

int run_test(const TestArgs& args) {
  RuleTestRunOptions options;
  options.cases.case_pattern = args.run_pattern;
  options.require_coverage = args.require_coverage;
  options.compile = compile_options();
  const RuleTestRun run = run_rule_tests(args.paths, options);
  if (int code = write_or_fail("test", "-", args.format == "json" ? to_json(run) : to_text(run, args.verbose))) {
    return code;
  }
  // 0 all passed, 1 a case failed (or coverage gaps with --require-coverage), 2 broken rule or test files.
  return run.exit_code();
}

}  // namespace

void add_test_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "test",
      "Run the test cases of rule sets: <rules>.tests.json beside each rule file, or tests/ next to it.\n"
      "Exit 0 when all pass, 1 when a case fails, 2 when a rule or test file is broken.");
  cmd->add_option("paths", args->paths, "Rule files, test files (*.tests.json) or folders to search")->required();
  cmd->add_option("--run", args->run_pattern, "Run only cases whose name matches this regular expression (RE2)");
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--require-coverage", args->require_coverage,
                "Also fail (exit 1) when an item has no case that makes it fire or no case that checks it clean");
  cmd->add_flag("-v,--verbose", args->verbose, "Also show the diff under todo cases that still fail");
  cmd->callback([args, &run] { run = [args] { return run_test(*args); }; });
}

}  // namespace chatqa::cli
