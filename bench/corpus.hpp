// Synthetic chat corpus for the benchmarks: deterministic (same seed and
// size -> same bytes on every platform: own PRNG, no std distributions),
// shaped like exported customer-service logs: JSON Lines, one session per
// line, 5-60 messages of 5-200 characters, customer/agent turns with
// realistic reply delays, mostly Chinese with some English sessions, and a
// sprinkling of banned phrases, typos and evasions (不 知 道, 不😊知道, ...).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace chatqa_bench {

struct CorpusOptions {
  std::uint64_t seed = 20240501;
  std::uint64_t bytes = 200'000'000;  // stop after the session that reaches this size
  double english_share = 0.2;         // fraction of English sessions
};

// A small deterministic PRNG (splitmix64).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + next() % (hi - lo + 1); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[next() % v.size()];
  }

 private:
  std::uint64_t state_;
};

// Writes sessions (JSON Lines) to `out`; returns the number of sessions.
std::uint64_t write_corpus(const CorpusOptions& options, std::ostream& out);

// `count` phrases for scaling runs: the real banned phrases of the benchmark
// (which do occur in the corpus) first, then deterministic synthetic phrases
// of 3-6 common ideographs (and some English words) that rarely occur, so
// that the hit count is the same at every size and the cost measured is the
// matcher's, not the findings'.
std::vector<std::string> scaling_phrases(std::size_t count, std::uint64_t seed = 7);

// The banned phrases the generator sprinkles into agent messages.
const std::vector<std::string>& sprinkled_banned_phrases();

}  // namespace chatqa_bench
