// chatqa — command-line front end.
#include <iostream>

#include "chatqa/version.hpp"
#include "commands.hpp"
#include "output.hpp"

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
  chatqa::cli::add_serve_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : chatqa::cli::kExitUsage;
  }
  int status = chatqa::cli::kExitUsage;
  try {
    status = run ? run() : chatqa::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "chatqa: " << e.what() << "\n";
    status = chatqa::cli::kExitUsage;
  }
  // Whatever a command wrote to stdout must have arrived: `> /dev/full` is an
  // error (exit 2), not a silent success. Commands writing through OutputFile
  // have already said so (and returned 2).
  if (std::string err = chatqa::cli::stdout_error(); !err.empty() && status != chatqa::cli::kExitIo) {
    std::cerr << "chatqa: " << err << "\n";
    status = chatqa::cli::kExitIo;
  }
  return status;
}
