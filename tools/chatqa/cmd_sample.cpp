// chatqa sample — placeholder until its issue lands; exits with a usage error.
#include <iostream>

#include "commands.hpp"

namespace chatqa::cli {

void add_sample_command(CLI::App& app, std::function<int()>& run) {
  CLI::App* cmd = app.add_subcommand("sample", "(not built yet)");
  cmd->callback([&run] {
    run = [] {
      std::cerr << "chatqa sample: not available in this build\n";
      return kExitUsage;
    };
  });
}

}  // namespace chatqa::cli
