// chatqa score -r RULES [INPUT...|-]: score sessions, one report per input record.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "chatqa/chatqa.hpp"
#include "commands.hpp"

namespace chatqa::cli {
namespace {

struct ScoreArgs {
  std::string rules;
  std::vector<std::string> inputs;
  std::string format = "jsonl";
};

int run_score(const ScoreArgs& args) {
  CompileResult compiled = compile_rule_file(args.rules);
  for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return kExitUsage;
  const RuleSet& rules = *compiled.rule_set;
  std::vector<std::string> inputs = args.inputs;
  if (inputs.empty()) inputs.push_back("-");
  bool bad = false;
  for (const std::string& name : inputs) {
    std::string text;
    if (name == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(name, std::ios::binary);
      if (!in) {
        InputError e{"E0209", "cannot read input file", "", 0, 0};
        std::cout << error_record_json(e, name) << "\n";
        bad = true;
        continue;
      }
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    for (const ParsedSession& p : parse_sessions(text)) {
      if (p.error) {
        std::cout << error_record_json(*p.error, name == "-" ? "<stdin>" : name) << "\n";
        bad = true;
        continue;
      }
      const Report report = evaluate(rules, *p.session);
      if (args.format == "text") {
        std::cout << to_text(report, &*p.session) << "\n";
      } else {
        std::cout << to_json(report, {false, args.format == "json"}) << "\n";
      }
    }
  }
  return bad ? kExitBadInput : kExitOk;
}

}  // namespace

void add_score_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand("score", "Score sessions; one JSON report (or error record) per input record");
  cmd->add_option("-r,--rules", args->rules, "Rule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("inputs", args->inputs, "Input files (JSON, JSON array, JSONL); - for stdin");
  cmd->add_option("--format", args->format, "Output format")->check(CLI::IsMember({"jsonl", "json", "text"}));
  cmd->callback([args, &run] { run = [args] { return run_score(*args); }; });
}

}  // namespace chatqa::cli
