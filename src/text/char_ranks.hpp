// CharRanks: the symbol numbering shared by the two automata of the phrase
// matcher (the literal automaton, aho_corasick.hpp, and the regex atom
// scanner, regex_prefilter.hpp). Internal to src/text/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chatqa::text {

// Numbers a set of characters 1, 2, ... (0: not in the set), the symbols
// of the automata's transition tables. A BMP character's number is 1 + its
// rank in an 8 KB bit set (one bit per BMP code point: most characters of a
// text are in no phrase and stop there, in the L1 cache) plus a 4 KB table
// of ranks per 64-bit word; a 64K-entry symbol table's scattered entries
// missed the cache. The characters beyond the BMP come after, in order.
class CharRanks {
 public:
  // Adds c to the set (before number()).
  void add(char32_t c) {
    if (c < 0x10000) {
      present_[c >> 6] |= std::uint64_t{1} << (c & 63);
    } else {
      astral_.push_back(c);
    }
  }
  // Numbers the characters added.
  void number() {
    std::uint32_t below = 0;
    for (std::size_t w = 0; w < present_.size(); ++w) {
      rank_base_[w] = below;
      below += popcount(present_[w]);
    }
    std::sort(astral_.begin(), astral_.end());
    astral_.erase(std::unique(astral_.begin(), astral_.end()), astral_.end());
    count_ = below + static_cast<std::uint32_t>(astral_.size()) + 1;
  }
  // How many numbers there are, 0 included.
  std::uint32_t count() const { return count_; }
  // The bit-set word of BMP character c, for bmp() (a loop may load it ahead).
  const std::uint64_t* words() const { return present_.data(); }
  // The number of BMP character c, whose word is `word`.
  __attribute__((always_inline)) std::uint32_t bmp(char32_t c, std::uint64_t word) const {
    const unsigned bit = c & 63;
    if (!(word >> bit & 1)) return 0;
    return rank_base_[c >> 6] + popcount(word & ((std::uint64_t{1} << bit) - 1)) + 1;
  }
  __attribute__((always_inline)) std::uint32_t of(char32_t c) const {
    if (c < 0x10000) return bmp(c, present_[c >> 6]);
    const auto it = std::lower_bound(astral_.begin(), astral_.end(), c);
    if (it == astral_.end() || *it != c) return 0;
    return count_ - static_cast<std::uint32_t>(astral_.end() - it);
  }

 private:
  __attribute__((always_inline)) static std::uint32_t popcount(std::uint64_t x) {
#if defined(__POPCNT__) || (defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__))
    // One instruction in the POPCNT builds of the scans that inline it.
    return static_cast<std::uint32_t>(__builtin_popcountll(x));
#else  // portable builds without popcnt: this beats libgcc's call
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return static_cast<std::uint32_t>((x * 0x0101010101010101ull) >> 56);
#endif
  }

  std::vector<std::uint64_t> present_ = std::vector<std::uint64_t>(0x10000 / 64, 0);
  std::vector<std::uint32_t> rank_base_ = std::vector<std::uint32_t>(0x10000 / 64, 0);  // set bits before each word
  std::vector<char32_t> astral_;                                                        // beyond the BMP, sorted
  std::uint32_t count_ = 1;
};

}  // namespace chatqa::text
