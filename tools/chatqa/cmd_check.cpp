// chatqa check RULES...: validate rule files.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rule_options.hpp"
#include "chatqa/chatqa.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace chatqa::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> files;
  std::string format = "text";
};

int run_check(const CheckArgs& args) {
  bool errors = false;
  std::string out;  // stdout: the JSON array, or one "FILE: ok (...)" line per good file
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& file : args.files) {
    CompileResult result = compile_rule_file(file, compile_options());
    errors = errors || !result.ok();
    for (const Diagnostic& d : result.diagnostics) {
      if (args.format == "json") {
        all.push_back({{"file", d.file}, {"line", d.line}, {"column", d.column}, {"severity", to_string(d.severity)},
                       {"code", d.code}, {"message", d.message}, {"pointer", d.json_pointer}});
      } else {
        std::cerr << d.to_string() << "\n";
      }
    }
    if (args.format != "json" && result.ok()) {
      out += file + ": ok (" + std::to_string(result.rule_set->items().size()) + " items, " +
             std::to_string(result.rule_set->phrase_count()) + " phrases)\n";
    }
  }
  if (args.format == "json") out = all.dump(2) + "\n";
  if (int code = write_or_fail("check", "-", out)) return code;
  return errors ? kExitUsage : kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Validate rule files; print diagnostics as FILE:LINE:COL: error[CODE]: message");
  cmd->add_option("rules", args->files, "Rule files (JSON)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", args->format, "Diagnostics format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([args, &run] { run = [args] { return run_check(*args); }; });
}

}  // namespace chatqa::cli
