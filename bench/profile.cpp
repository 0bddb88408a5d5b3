// chatqa_bench_profile: the end-to-end passes of chatqa_bench_run, one
// thread, once each, for a profiler. Instruction counts are repeatable where
// wall time is not (a shared machine), so this is how before/after figures of
// an optimisation are taken:
//
//   valgrind --tool=callgrind --callgrind-out-file=cg.out
//       build/bench/chatqa_bench_profile --input corpus-3mb.jsonl   (one command line)
//   callgrind_annotate --inclusive=yes cg.out | grep profile_
//
// The two passes are separate functions (profile_parse_pass: parse_session
// only; profile_score_pass: parse_session + evaluate + to_json), so their
// inclusive costs give the score / parse-only ratio without the start-up
// (rule compilation, normaliser tables). It also prints the ratio of the
// passes' CPU times, which means little under a profiler.
//
//   chatqa_bench_profile --input FILE.jsonl [--rules FILE] [--passes parse,score]
#include <time.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "chatqa/chatqa.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// noinline: each pass must stay a function of its own in the profile.
__attribute__((noinline)) std::size_t profile_parse_pass(const std::vector<std::string>& lines) {
  std::size_t messages = 0;
  for (const std::string& line : lines) {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (p.session) messages += p.session->messages.size();
  }
  return messages;
}

__attribute__((noinline)) std::size_t profile_score_pass(const std::vector<std::string>& lines,
                                                         const chatqa::RuleSet& rules) {
  std::size_t bytes = 0;
  chatqa::EvalScratch scratch;  // as each worker of `chatqa score` keeps one,
  chatqa::Report report;        // with its report
  std::string json;             // and its output string
  for (const std::string& line : lines) {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) continue;
    chatqa::evaluate(rules, *p.session, scratch, report);
    chatqa::to_json(report, json);
    bytes += json.size();
  }
  return bytes;
}

int usage() {
  std::cerr << "usage: chatqa_bench_profile --input FILE.jsonl [--rules FILE] [--passes parse,score]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, passes = "parse,score";
  std::string rules_path = std::string(CHATQA_SOURCE_DIR) + "/rules/zh-CN/online-chat.json";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--input") input = argv[++i];
    else if (arg == "--rules") rules_path = argv[++i];
    else if (arg == "--passes") passes = argv[++i];
    else return usage();
  }
  if (input.empty()) return usage();
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    std::cerr << "chatqa_bench_profile: cannot read " << input << "\n";
    return 1;
  }
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    bytes += line.size() + 1;
    lines.push_back(std::move(line));
  }
  chatqa::CompileResult compiled = chatqa::compile_rule_file(rules_path);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
    return 1;
  }
  // One session first, outside the passes: tables built on first use (the
  // normaliser's, a check's character classes) are start-up, not per-session cost.
  for (const std::string& line : lines) {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) continue;
    chatqa::evaluate(*compiled.rule_set, *p.session);
    break;
  }
  double parse_s = 0, score_s = 0;
  if (passes.find("parse") != std::string::npos) {
    const double t0 = cpu_seconds();
    const std::size_t messages = profile_parse_pass(lines);
    parse_s = cpu_seconds() - t0;
    std::printf("parse only: %zu sessions, %zu messages, %.3f s CPU\n", lines.size(), messages, parse_s);
  }
  if (passes.find("score") != std::string::npos) {
    const double t0 = cpu_seconds();
    const std::size_t out = profile_score_pass(lines, *compiled.rule_set);
    score_s = cpu_seconds() - t0;
    std::printf("score: %zu bytes of reports, %.3f s CPU\n", out, score_s);
  }
  if (parse_s > 0 && score_s > 0) {
    std::printf("input %.1f MB; score / parse-only throughput (CPU time): %.2f\n", static_cast<double>(bytes) / 1e6,
                parse_s / score_s);
  }
  return 0;
}
