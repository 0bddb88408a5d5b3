// Similar-phrase matching (相似话术): a sentence matches a phrase group when
// it is close enough to one of the group's example sentences.
//
// The measure is the cosine similarity of two weighted feature vectors (times
// the ratio of their norms when the sentence is lighter than the example: a
// fragment is not similar to a whole sentence), so every score can be
// explained by the features two sentences share:
//   - Chinese (and other scripts written without spaces): each character and
//     each pair of adjacent characters of the normalised skeleton;
//   - Latin, Greek, Cyrillic: each word, lightly stemmed ("helped", "helping"
//     and "helps" are "help"); numbers are left out.
// A feature weighs its inverse document frequency in a reference corpus of
// public text (similarity_weights.inc, made by scripts/gen_similarity_weights.py):
// 的 and "the" weigh little, 帮忙 and "refund" a lot. Features never cross a
// clause break (, 。 ! ? ; : and the like), and masked placeholders ([URL],
// [呵呵], <phone>), @mentions and digits are not features.
//
// What is compared: a message is cut into clauses, and every run of 1 to 4
// consecutive clauses (a "span") is compared with every example sharing a
// feature with it; a span matches a group when its best example reaches the
// group's threshold and no excluded example ("exclude") is at least as close.
// Spans of one group that match are reported without overlaps, best first.
//
// Thread safety: a built SimilarityIndex is immutable; match() keeps its
// working memory in the caller's SimilarityScratch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/normalizer.hpp"

namespace chatqa::text {

// A pattern id with this bit set names an example of a SimilarityIndex
// (the rest of the bits), not a pattern of the PhraseMatcher.
constexpr std::uint32_t kSimilarPatternBit = 0x80000000u;
inline bool is_similar_pattern(std::uint32_t pattern) {
  return (pattern & kSimilarPatternBit) != 0;
}

// A weighted feature vector, sorted by key.
struct FeatureVector {
  std::vector<std::uint64_t> keys;
  std::vector<double> weights;
  double norm = 0;  // Euclidean norm of the weights
};

// The features of code points [begin, end) of a normalised text (one
// clause, or several: features stop at clause breaks inside), appended to
// `keys` unsorted, one key per occurrence.
void feature_keys(const NormText& text, std::uint32_t begin, std::uint32_t end, std::vector<std::uint64_t>& keys);
// Sorts and weighs the keys into `out` (a key occurring n times weighs n times its weight).
void weigh(std::vector<std::uint64_t>& keys, FeatureVector& out);
// The weight of one feature key (its IDF in the reference corpus).
double feature_weight(std::uint64_t key);
// The feature vector of a whole text (for tests and the repetition check).
void text_features(const NormText& text, FeatureVector& out, std::vector<std::uint64_t>& scratch_keys);
// Cosine similarity of two vectors, in [0, 1].
double cosine(const FeatureVector& a, const FeatureVector& b);
// The similarity of a sentence to an example, in [0, 1]: their cosine, times
// the ratio of their norms when the sentence is the lighter (a fragment of
// an example is not similar to all of it).
double similarity(const FeatureVector& sentence, const FeatureVector& example);
// The similarity of two messages, neither an example of the other: their
// cosine times the ratio of the lighter's norm to the heavier's.
double paraphrase_similarity(const FeatureVector& a, const FeatureVector& b);

struct Example {
  std::string text;  // as the rule set wrote it
  std::uint32_t group = 0;
  int variant = 0;
  bool negative = false;  // an excluded example: a span closer to it than to every example does not match
  std::uint32_t clauses = 1;
  FeatureVector vector;
};

// A span's best example of one group (for hits and near misses).
struct SimilarMatch {
  std::uint32_t group = 0;
  std::uint32_t example = 0;          // index into the index's examples
  double score = 0;                   // cosine to that example
  std::int32_t excluded_by = -1;      // an excluded example at least as close, or -1
  double excluded_score = 0;          // its score
  std::uint32_t norm_begin = 0, norm_end = 0;  // in NormText::chars
  std::uint32_t begin = 0, end = 0;            // code points of the original text
  bool matches = false;               // reaches the threshold and is not excluded
};

// The caller's working memory for SimilarityIndex::match (one per thread).
struct SimilarityScratch {
  struct Clause {
    std::uint32_t begin = 0, end = 0;  // normalised chars
    FeatureVector vector;
  };
  std::vector<Clause> clauses;
  std::size_t clause_count = 0;
  std::vector<std::uint64_t> keys;
  std::vector<double> acc;                // per example: the span's dot product
  std::vector<std::uint32_t> touched;     // examples with acc != 0
  std::vector<std::uint8_t> is_touched;   // per example
  std::vector<SimilarMatch> span_best;    // per group slot of the current span
  std::vector<std::int32_t> group_seen;   // per group slot: index into span_best, or -1
  std::vector<std::uint32_t> seen_groups;
  std::vector<SimilarMatch> candidates;
  std::vector<std::pair<std::uint32_t, double>> clause_dots;  // per clause: (example, dot product)
  std::vector<std::size_t> clause_dots_begin;
  std::vector<std::pair<double, std::int32_t>> negative;
};

class SimilarityIndex {
 public:
  // Registers a group with similar examples; returns false if it already is.
  void add_group(std::uint32_t group, double threshold, std::uint8_t audience);
  // Adds an example sentence of a registered group; returns its index, or -1
  // (with `error`) when it has no feature to compare (only punctuation,
  // digits or placeholders).
  int add_example(std::uint32_t group, std::string_view text, int variant, bool negative, std::string* error);
  // Builds the inverted index; call once, after the last add_example.
  void build();

  bool empty() const { return examples_.empty(); }
  bool uses_variant(int variant) const { return variant_used_[variant]; }
  std::size_t example_count() const { return examples_.size(); }
  const Example& example(std::uint32_t id) const { return examples_[id]; }
  // The groups with examples, in the order they were added ("slots").
  const std::vector<std::uint32_t>& groups() const { return groups_; }
  double threshold(std::uint32_t slot) const { return thresholds_[slot]; }
  std::uint8_t audience(std::uint32_t slot) const { return audiences_[slot]; }
  // The slot of `group`, or -1.
  int slot_of(std::uint32_t group) const;

  // For the groups of `audience` whose examples are of `variant`: every
  // span of `text` that matches (without overlaps within a group), and per
  // group the nearest span (the best score, matching or not), appended to
  // `matches` / `nearest` (nearest: at most one per group).
  void match(const NormText& text, int variant, std::uint8_t audience, SimilarityScratch& scratch,
             std::vector<SimilarMatch>& matches, std::vector<SimilarMatch>& nearest) const;

 private:
  struct Posting {
    std::uint32_t example;
    double weight;  // the example's weight of the feature
  };
  std::vector<Example> examples_;
  std::vector<std::uint32_t> groups_;
  std::vector<double> thresholds_;
  std::vector<std::uint8_t> audiences_;
  std::vector<std::uint32_t> example_slot_;  // per example: its group's slot
  std::unordered_map<std::uint64_t, std::vector<Posting>> postings_[2];  // per variant
  bool variant_used_[2] = {false, false};
  std::uint32_t max_span_ = 1;  // clauses in a span: the longest example's, plus one (at most 4)
};

}  // namespace chatqa::text
