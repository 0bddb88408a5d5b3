#include "rule_options.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace chatqa::cli {

CompileOptions& compile_options() {
  static CompileOptions options;
  return options;
}

void add_allow_root_option(CLI::App* cmd) {
  cmd->add_option("--allow-root", compile_options().allowed_roots,
                  "Also let rule files read lexicons and word lists under DIR (repeatable; default: only the rule "
                  "file's folder and the lexicons folder beside it)")
      ->type_name("DIR")
      ->allow_extra_args(false)  // one folder per --allow-root: "--allow-root DIR -" keeps "-" as the input
      ->check(CLI::ExistingDirectory);
}

void add_findings_options(CLI::App* cmd, EvalOptions& options) {
  cmd->add_option("--max-findings-per-item", options.max_findings_per_item,
                  "Findings a report keeps per item (the rest counted as \"truncated\"; 0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--max-findings", options.max_findings_per_report,
                  "Findings a report keeps in all (the rest counted as \"truncated\"; 0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--max-report-bytes", options.max_report_bytes,
                  "Bytes of one report as a JSON Lines line: findings past it are left out and counted as "
                  "\"truncated\" (0 = no limit)")
      ->capture_default_str();
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          std::size_t used = 0;
          const double v = std::stod(value, &used);
          if (used == value.size() && std::isfinite(v)) return {};
        } catch (const std::exception&) {
        }
        return "\"" + value + "\" is not a finite number";
      },
      "NUMBER");
}

}  // namespace chatqa::cli
