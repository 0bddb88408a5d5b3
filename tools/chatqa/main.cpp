// chatqa — command-line front end.
#include <iostream>

#include "chatqa/version.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"chatqa — automated quality inspection of customer-service chats"};
  app.set_version_flag("--version", std::string("chatqa ") + chatqa::version());
  app.require_subcommand(1);
  std::function<int()> run;
  chatqa::cli::add_check_command(app, run);
  chatqa::cli::add_score_command(app, run);
  chatqa::cli::add_explain_command(app, run);
  chatqa::cli::add_summarize_command(app, run);
  chatqa::cli::add_sample_command(app, run);
  chatqa::cli::add_test_command(app, run);
  chatqa::cli::add_label_command(app, run);
  chatqa::cli::add_agree_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : chatqa::cli::kExitUsage;
  }
  try {
    return run ? run() : chatqa::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "chatqa: " << e.what() << "\n";
    return chatqa::cli::kExitUsage;
  }
}
