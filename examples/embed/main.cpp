// chatqa_embed — how a help-desk backend embeds chatqa.
//
//   chatqa_embed RULES SESSIONS [--threads N] [--self-test]
//
// Compiles the rule file once, then scores every session of SESSIONS (JSON
// Lines: one session object per line) from N worker threads that share the
// one compiled RuleSet. Prints one JSON report (or error record) per input
// record, in input order, then checks that the threaded reports are byte for
// byte the ones a single thread produces.
//
// --self-test first runs the rule set's own test cases (chatqa/testing.hpp)
// and refuses to score with a rule set whose tests fail — what a service
// would do before putting a new version of the standard live.
//
// Exit: 0 ok; 1 threaded and single-threaded reports differ, or self-test
// failed; 2 usage, unreadable input or a broken rule file.
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chatqa/chatqa.hpp"
#include "chatqa/testing.hpp"

namespace {

struct Options {
  std::string rules_path;
  std::string sessions_path;
  unsigned threads = 4;
  bool self_test = false;
};

bool parse_args(int argc, char** argv, Options& options) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      const long n = std::strtol(argv[++i], nullptr, 10);
      if (n < 1 || n > 256) return false;
      options.threads = static_cast<unsigned>(n);
    } else if (arg == "--self-test") {
      options.self_test = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return false;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return false;
  options.rules_path = positional[0];
  options.sessions_path = positional[1];
  return true;
}

// One report per parsed record (error records for records that could not be
// read), in input order. `threads` workers share `rules`; each writes only its
// own slots of the output, so no locking is needed.
std::vector<std::string> score_all(const std::shared_ptr<const chatqa::RuleSet>& rules,
                                   const std::vector<chatqa::ParsedSession>& records, const std::string& input_name,
                                   unsigned threads) {
  std::vector<std::string> out(records.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    chatqa::EvalScratch scratch;  // per thread: reused working memory, same reports
    chatqa::Report report;        // overwritten by each evaluate(), its memory reused
    for (std::size_t i = next++; i < records.size(); i = next++) {
      const chatqa::ParsedSession& record = records[i];
      if (record.session) {
        chatqa::evaluate(*rules, *record.session, scratch, report);
        chatqa::to_json(report, out[i]);  // written straight into its slot
      } else {
        out[i] = chatqa::error_record_json(*record.error, input_name);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_args(argc, argv, options)) {
    std::cerr << "usage: chatqa_embed RULES SESSIONS [--threads N] [--self-test]\n";
    return 2;
  }

  // Compile once. Errors are data: print them with file:line:col.
  chatqa::CompileResult compiled = chatqa::compile_rule_file(options.rules_path);
  for (const chatqa::Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return 2;
  const std::shared_ptr<const chatqa::RuleSet> rules = compiled.rule_set;

  if (options.self_test) {
    const chatqa::RuleTestRun tests = chatqa::run_rule_tests({options.rules_path});
    if (tests.exit_code() != 0) {
      std::cerr << chatqa::to_text(tests) << "chatqa_embed: the rule set's own tests do not pass; not scoring\n";
      return 1;
    }
    std::size_t cases = 0;
    for (const auto& suite : tests.suites) cases += suite.cases.size();
    std::cerr << "self-test: " << cases << " cases of " << rules->name() << " pass\n";
  }

  std::ifstream in(options.sessions_path, std::ios::binary);
  if (!in) {
    std::cerr << "chatqa_embed: cannot read " << options.sessions_path << "\n";
    return 2;
  }
  // One session per line with the core library's parse_session(). Exports
  // of other shapes (arrays, CSV, gzip, help-desk presets) are read by
  // chatqa::SessionReader (chatqa/reader.hpp, the chatqa::io library).
  std::vector<chatqa::ParsedSession> records;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    records.push_back(chatqa::parse_session(line));
    records.back().line = line_number;
  }

  const std::vector<std::string> threaded = score_all(rules, records, options.sessions_path, options.threads);
  const std::vector<std::string> single = score_all(rules, records, options.sessions_path, 1);

  std::size_t scored = 0, errors = 0, differing = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::cout << threaded[i] << "\n";
    ++(records[i].session ? scored : errors);
    if (threaded[i] != single[i]) ++differing;
  }
  std::cerr << "scored " << scored << " sessions (" << errors << " input errors) with " << rules->name() << " "
            << rules->version() << " on " << options.threads << " threads; ";
  if (differing > 0) {
    std::cerr << differing << " reports differ from a single-threaded run\n";
    return 1;
  }
  std::cerr << "reports identical to a single-threaded run\n";
  return 0;
}
