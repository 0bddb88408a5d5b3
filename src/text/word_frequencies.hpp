// A frequency word list (jieba's dict.txt format: "word count [tag]" a line)
// that judges Chinese typo hits against the words crossing their edges.
//
// A dictionary hit of 在次 (-> 再次) in 在次日前 is two characters of two
// words: 次日 crosses the hit's end. The hit is kept only when the typo reading
// (the correction, 再次, then what the crossing word leaves: 日) is at least
// as likely as the crossing reading (在, then 次日), each scored as a unigram
// segmentation: the sum of log frequencies of its words.
//
// Thread safety: immutable after load(); const members are safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "text/normalizer.hpp"

namespace chatqa::text {

class WordFrequencies {
 public:
  // Words rarer than this never cross a hit (their readings are noise).
  static constexpr std::uint32_t kMinCrossingFrequency = 50;

  // Reads "word count [tag]" lines; "#: total = N" sets the corpus size
  // (default: the sum of the counts); other "#" lines are comments. False
  // with `error` (naming the line) on a malformed line.
  bool load(std::string_view content, std::string* error);
  std::size_t size() const { return counts_.size(); }

  // True if a word crossing an edge of normalised chars [begin, end) of `t`
  // (a hit whose correction is `right`) reads better than the typo.
  bool crossing_word_wins(const NormText& t, std::uint32_t begin, std::uint32_t end, std::u32string_view right) const;

  // Log-probability of the best segmentation of `s` into listed words (a
  // character not listed counts as a word seen once).
  double segment(std::u32string_view s) const;

 private:
  struct Hash {
    std::size_t operator()(std::u32string_view s) const noexcept;
  };
  std::uint32_t count(std::u32string_view word) const;
  std::unordered_map<std::u32string, std::uint32_t, Hash> counts_;
  double log_total_ = 0;
  std::size_t max_length_ = 1;
};

}  // namespace chatqa::text
