// Options shared by the commands that compile rule files (--allow-root) and
// that score sessions (--max-findings-per-item, --max-findings).
#pragma once

#include <CLI/CLI.hpp>

#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"

namespace chatqa::cli {

// What every command compiles rule files with (filled by --allow-root).
CompileOptions& compile_options();

// Adds `--allow-root DIR` (repeatable): a folder rule files may read
// lexicons and word lists from, besides the rule file's own folder and the
// lexicons folder beside it (docs/limits.md).
void add_allow_root_option(CLI::App* cmd);

// Adds `--max-findings-per-item N` and `--max-findings N` (findings a
// report keeps; 0 = no limit) into `options`.
void add_findings_options(CLI::App* cmd, EvalOptions& options);

// Refuses a number option that is not finite ("nan", "inf"): a gate that
// compares with NaN would never fire.
CLI::Validator finite_number();

}  // namespace chatqa::cli
