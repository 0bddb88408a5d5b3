// chatqa_bench_gen: writes the benchmark's synthetic chat corpus (JSON Lines).
//
//   chatqa_bench_gen [--mb N] [--seed S] [--english-share F] [--out FILE]
//
// Same arguments -> same bytes. Default: 200 MB, seed 20240501, to stdout.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "corpus.hpp"

int main(int argc, char** argv) {
  chatqa_bench::CorpusOptions options;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "chatqa_bench_gen: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--mb") {
      options.bytes = static_cast<std::uint64_t>(std::stod(value()) * 1e6);
    } else if (arg == "--seed") {
      options.seed = std::stoull(value());
    } else if (arg == "--english-share") {
      options.english_share = std::stod(value());
    } else if (arg == "--out") {
      out_path = value();
    } else {
      std::cerr << "usage: chatqa_bench_gen [--mb N] [--seed S] [--english-share F] [--out FILE]\n";
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  std::ios::sync_with_stdio(false);
  std::uint64_t sessions;
  if (out_path.empty()) {
    sessions = chatqa_bench::write_corpus(options, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(out_path, std::ios::binary);
    if (!out) {
      std::cerr << "chatqa_bench_gen: cannot write " << out_path << "\n";
      return 1;
    }
    sessions = chatqa_bench::write_corpus(options, out);
    out.close();
    if (!out) {
      std::cerr << "chatqa_bench_gen: write failed: " << out_path << "\n";
      return 1;
    }
  }
  std::cerr << "chatqa_bench_gen: " << sessions << " sessions\n";
  return 0;
}
