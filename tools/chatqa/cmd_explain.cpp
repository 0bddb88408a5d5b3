// chatqa explain — placeholder until its issue lands; exits with a usage error.
#include <iostream>

#include "commands.hpp"

namespace chatqa::cli {

void add_explain_command(CLI::App& app, std::function<int()>& run) {
  CLI::App* cmd = app.add_subcommand("explain", "(not built yet)");
  cmd->callback([&run] {
    run = [] {
      std::cerr << "chatqa explain: not available in this build\n";
      return kExitUsage;
    };
  });
}

}  // namespace chatqa::cli
