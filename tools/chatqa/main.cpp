// chatqa — command-line front end.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "chatqa/version.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "rule_options.hpp"

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
  // Every command that compiles a rule file: the folders its lexicons may come from.
  for (const char* name : {"check", "score", "explain", "test", "label", "agree", "serve"}) {
    chatqa::cli::add_allow_root_option(app.get_subcommand(name));
  }
  // A mistyped command ("chatqa scor"): name the closest one.
  if (argc >= 2 && argv[1][0] != '-') {
    const std::string given = argv[1];
    bool known = false;
    std::string best;
    std::size_t best_distance = 3;  // at most two edits away
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      const std::string& name = sub->get_name();
      known = known || name == given;
      // Levenshtein distance, small strings.
      std::vector<std::size_t> row(name.size() + 1);
      for (std::size_t j = 0; j <= name.size(); ++j) row[j] = j;
      for (std::size_t i = 1; i <= given.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= name.size(); ++j) {
          const std::size_t up = row[j];
          row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (given[i - 1] == name[j - 1] ? 0 : 1)});
          diag = up;
        }
      }
      const bool prefix = name.rfind(given, 0) == 0 && given.size() >= 2;
      const std::size_t d = prefix ? 1 : row[name.size()];
      if (d < best_distance) {
        best_distance = d;
        best = name;
      }
    }
    if (!known && !best.empty()) {
      std::cerr << "chatqa: unknown command \"" << given << "\"; did you mean \"" << best << "\"?\n";
      return chatqa::cli::kExitUsage;
    }
  }
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
