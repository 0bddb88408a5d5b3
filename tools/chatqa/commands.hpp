// Subcommands of the chatqa command line. Each lives in its own cmd_*.cpp and
// registers itself with add_*_command(); main.cpp wires them up.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace chatqa::cli {

// Exit codes shared by all subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // some input records were bad, or a gate failed
inline constexpr int kExitUsage = 2;     // usage errors, rule-file errors
inline constexpr int kExitIo = 2;        // an output could not be written (disk full, /dev/full, closed pipe)

// Each add_* registers a subcommand on `app` and sets `run` to the function to call when it is chosen.
void add_check_command(CLI::App& app, std::function<int()>& run);
void add_score_command(CLI::App& app, std::function<int()>& run);
void add_explain_command(CLI::App& app, std::function<int()>& run);
void add_summarize_command(CLI::App& app, std::function<int()>& run);
void add_sample_command(CLI::App& app, std::function<int()>& run);
void add_test_command(CLI::App& app, std::function<int()>& run);
void add_label_command(CLI::App& app, std::function<int()>& run);
void add_agree_command(CLI::App& app, std::function<int()>& run);
void add_serve_command(CLI::App& app, std::function<int()>& run);

}  // namespace chatqa::cli
