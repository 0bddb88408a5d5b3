#include "text/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>


namespace chatqa::text {
namespace {

struct WeightRow {
  std::uint64_t key;
  std::uint8_t weight;
};

#include "text/similarity_weights.inc"

// Feature kinds, the top four bits of a key (as scripts/gen_similarity_weights.py writes them).
constexpr std::uint64_t kHanChar = 1, kHanPair = 2, kWord = 3;
constexpr std::uint64_t kKindShift = 60;

// A bracketed placeholder or emoticon ([URL], [呵呵], <phone>) is at most this
// many characters between its brackets.
constexpr std::uint32_t kMaxPlaceholder = 12;
// An @mention is at most this many characters after the @.
constexpr std::uint32_t kMaxMention = 20;
// The most clauses a span joins.
constexpr std::uint32_t kMaxSpanClauses = 4;

// FNV-1a over the UTF-8 bytes of `word` (no string is built).
std::uint64_t fnv1a64(const std::u32string& word) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  auto byte = [&h](unsigned b) {
    h ^= b & 0xFF;
    h *= 0x100000001B3ull;
  };
  for (char32_t c : word) {
    if (c < 0x80) {
      byte(c);
    } else if (c < 0x800) {
      byte(0xC0 | (c >> 6));
      byte(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      byte(0xE0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3F));
      byte(0x80 | (c & 0x3F));
    } else {
      byte(0xF0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3F));
      byte(0x80 | ((c >> 6) & 0x3F));
      byte(0x80 | (c & 0x3F));
    }
  }
  return h;
}

bool ends_with(const std::u32string& w, const char* suffix) {
  const std::size_t n = std::char_traits<char>::length(suffix);
  if (w.size() < n) return false;
  for (std::size_t k = 0; k < n; ++k) {
    if (w[w.size() - n + k] != static_cast<char32_t>(suffix[k])) return false;
  }
  return true;
}

// The light English stemmer (the same rules as stem() in the generator):
// plural and third-person -s, -ing, -ed, -ly.
void stem_word(std::u32string& w) {
  std::size_t n = w.size();
  if (n > 4 && ends_with(w, "ies")) {
    w.resize(n - 3);
    w.push_back(U'y');
    return;
  }
  if (n > 4 && ends_with(w, "sses")) {
    w.resize(n - 2);
    return;
  }
  if (n > 3 && ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") && !ends_with(w, "is")) {
    w.resize(--n);
  }
  if (n > 5 && ends_with(w, "ing")) {
    w.resize(n - 3);
  } else if (n > 4 && (ends_with(w, "ed") || ends_with(w, "ly"))) {
    w.resize(n - 2);
  }
}

std::uint64_t word_key(std::u32string& word) {
  stem_word(word);
  return (kWord << kKindShift) | (fnv1a64(word) >> 4);
}

// The weight table as an open-addressing hash (built once, on first use):
// a lookup is one or two probes where a binary search over the sorted rows
// took fifteen scattered reads.
class WeightTable {
 public:
  static const WeightTable& instance() {
    static std::once_flag once;
    static std::unique_ptr<WeightTable> table;
    std::call_once(once, [] { table.reset(new WeightTable()); });
    return *table;
  }
  // The weight of `key`, or 0 when the table does not hold it.
  std::uint8_t find(std::uint64_t key) const {
    for (std::size_t slot = hash(key);; slot = (slot + 1) & mask_) {
      const std::uint64_t k = keys_[slot];
      if (k == key) return weights_[slot];
      if (k == 0) return 0;
    }
  }

 private:
  WeightTable() {
    std::size_t size = 1;
    while (size < kWeightCount * 2) size <<= 1;
    mask_ = size - 1;
    keys_.assign(size, 0);
    weights_.assign(size, 0);
    for (const WeightRow& r : kWeights) {
      std::size_t slot = hash(r.key);
      while (keys_[slot] != 0) slot = (slot + 1) & mask_;
      keys_[slot] = r.key;
      weights_[slot] = r.weight;
    }
  }
  std::size_t hash(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 40) & mask_;
  }
  std::vector<std::uint64_t> keys_;  // 0: empty (no feature key is 0: its kind bits are set)
  std::vector<std::uint8_t> weights_;
  std::size_t mask_ = 0;
};

std::uint64_t table_weight(std::uint64_t key, bool& found) {
  const std::uint8_t w = WeightTable::instance().find(key);
  found = w != 0;  // stored weights are at least 1
  return w;
}

// The length of a placeholder starting at chars[i] ('[' or '<'), or 0.
std::uint32_t placeholder_length(const NormText& t, std::uint32_t i, std::uint32_t end) {
  const char32_t close = t.chars[i] == U'[' ? U']' : U'>';
  for (std::uint32_t k = i + 1; k < end && k <= i + kMaxPlaceholder + 1; ++k) {
    const char32_t c = t.chars[k];
    if (c == close) return k > i + 1 ? k - i + 1 : 0;
    if (c == U' ' || c == U'\n' || (t.flags[k] & kClauseBreak)) return 0;
  }
  return 0;
}

}  // namespace

double feature_weight(std::uint64_t key) {
  bool found = false;
  const std::uint64_t w = table_weight(key, found);
  if (found) return static_cast<double>(w) / kWeightScale;
  switch (key >> kKindShift) {
    case kHanPair: {
      // A pair the corpus does not hold (most are two words side by side):
      // a little more than its characters' mean weight.
      const double a = feature_weight((kHanChar << kKindShift) | ((key >> 21) & 0x1FFFFF));
      const double b = feature_weight((kHanChar << kKindShift) | (key & 0x1FFFFF));
      return std::min(static_cast<double>(kDefaultWeightHan) / kWeightScale, (a + b) / 2 + 1);
    }
    case kWord: return static_cast<double>(kDefaultWeightWord) / kWeightScale;
    default: return static_cast<double>(kDefaultWeightHan) / kWeightScale;
  }
}

namespace {

// feature_keys, also telling the first and last character that gave a
// feature (end == begin when none did).
void feature_keys_span(const NormText& t, std::uint32_t begin, std::uint32_t end, std::vector<std::uint64_t>& keys,
                       std::uint32_t& first, std::uint32_t& last) {
  first = end;
  last = begin;
  bool have_prev = false;
  char32_t prev = 0;
  thread_local std::u32string word;  // reused: most words do not fit the short-string buffer
  word.clear();
  std::uint32_t word_first = 0, word_last = 0;
  bool all_digits = true;
  auto end_word = [&] {
    if (word.empty()) return;
    if (!all_digits) {
      keys.push_back(word_key(word));
      first = std::min(first, word_first);
      last = std::max(last, word_last + 1);
    }
    word.clear();
    all_digits = true;
  };
  for (std::uint32_t i = begin; i < end; ++i) {
    const char32_t c = t.chars[i];
    const std::uint8_t f = t.flags[i];
    if (c == U'[' || c == U'<') {
      if (const std::uint32_t len = placeholder_length(t, i, end)) {
        end_word();
        have_prev = false;
        i += len - 1;
        continue;
      }
    }
    if (c == U'@') {  // an @mention: the name up to the next separator
      end_word();
      have_prev = false;
      std::uint32_t k = i + 1;
      while (k < end && k <= i + kMaxMention && !(t.flags[k] & kSeparator)) ++k;
      i = k - 1;
      continue;
    }
    if (f & kClauseBreak) {
      end_word();
      have_prev = false;
      continue;
    }
    if (f & kSeparator) {
      end_word();
      continue;
    }
    if (f & kWordChar) {
      if (word.empty()) word_first = i;
      word_last = i;
      word.push_back(c);
      if (c < U'0' || c > U'9') all_digits = false;
      have_prev = false;
      continue;
    }
    end_word();
    keys.push_back((kHanChar << kKindShift) | c);
    if (have_prev) keys.push_back((kHanPair << kKindShift) | (static_cast<std::uint64_t>(prev) << 21) | c);
    first = std::min(first, i);
    last = std::max(last, i + 1);
    prev = c;
    have_prev = true;
  }
  end_word();
  if (first >= last) first = last = begin;
}

}  // namespace

void feature_keys(const NormText& text, std::uint32_t begin, std::uint32_t end, std::vector<std::uint64_t>& keys) {
  std::uint32_t first = 0, last = 0;
  feature_keys_span(text, begin, end, keys, first, last);
}

void weigh(std::vector<std::uint64_t>& keys, FeatureVector& out) {
  std::sort(keys.begin(), keys.end());
  out.keys.clear();
  out.weights.clear();
  double sum = 0;
  for (std::size_t i = 0; i < keys.size();) {
    std::size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    const double w = static_cast<double>(j - i) * feature_weight(keys[i]);
    out.keys.push_back(keys[i]);
    out.weights.push_back(w);
    sum += w * w;
    i = j;
  }
  out.norm = std::sqrt(sum);
}

void text_features(const NormText& text, FeatureVector& out, std::vector<std::uint64_t>& scratch_keys) {
  scratch_keys.clear();
  feature_keys(text, 0, static_cast<std::uint32_t>(text.chars.size()), scratch_keys);
  weigh(scratch_keys, out);
}

namespace {

double dot(const FeatureVector& a, const FeatureVector& b) {
  double sum = 0;
  std::size_t i = 0, j = 0;
  while (i < a.keys.size() && j < b.keys.size()) {
    if (a.keys[i] == b.keys[j]) {
      sum += a.weights[i++] * b.weights[j++];
    } else if (a.keys[i] < b.keys[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return sum;
}

// Cuts [0, size) of `t` at clause breaks; calls on(begin, end) for each piece.
template <typename On>
void for_each_clause(const NormText& t, On on) {
  const auto n = static_cast<std::uint32_t>(t.chars.size());
  std::uint32_t start = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!(t.flags[i] & kClauseBreak)) continue;
    // A '.' between two digits or letters ("1.5", "www.x.cn") does not end a clause.
    if (t.chars[i] == U'.' && i > 0 && i + 1 < n && (t.flags[i - 1] & kWordChar) && (t.flags[i + 1] & kWordChar)) {
      continue;
    }
    if (i > start) on(start, i);
    start = i + 1;
  }
  if (n > start) on(start, n);
}

}  // namespace

double cosine(const FeatureVector& a, const FeatureVector& b) {
  if (a.norm <= 0 || b.norm <= 0) return 0;
  return std::min(1.0, dot(a, b) / (a.norm * b.norm));
}

namespace {

// The cosine `cos` of a sentence of norm `sentence` to an example of norm
// `example`, scaled down by the share of the example's weight the sentence
// could cover when it is the lighter: a fragment (谢谢, 麻烦您了) is not
// similar to a whole example (谢谢您的理解与支持) however well it fits in it.
double scaled(double cos, double sentence, double example) {
  return std::min(1.0, cos) * std::min(1.0, sentence / example);
}

}  // namespace

double similarity(const FeatureVector& sentence, const FeatureVector& example) {
  return scaled(cosine(sentence, example), sentence.norm, example.norm);
}

double paraphrase_similarity(const FeatureVector& a, const FeatureVector& b) {
  const bool a_lighter = a.norm < b.norm;
  return scaled(cosine(a, b), a_lighter ? a.norm : b.norm, a_lighter ? b.norm : a.norm);
}

void SimilarityIndex::add_group(std::uint32_t group, double threshold, std::uint8_t audience) {
  if (slot_of(group) >= 0) return;
  groups_.push_back(group);
  thresholds_.push_back(threshold);
  audiences_.push_back(audience);
}

int SimilarityIndex::slot_of(std::uint32_t group) const {
  for (std::size_t s = 0; s < groups_.size(); ++s) {
    if (groups_[s] == group) return static_cast<int>(s);
  }
  return -1;
}

int SimilarityIndex::add_example(std::uint32_t group, std::string_view text, int variant, bool negative,
                                 std::string* error) {
  const int slot = slot_of(group);
  if (slot < 0) {
    if (error) *error = "internal: group has no similar settings";
    return -1;
  }
  NormText norm;
  Normalizer::instance().normalize(text, variant == 1, norm);
  Example e;
  e.text = std::string(text);
  e.group = group;
  e.variant = variant;
  e.negative = negative;
  e.clauses = 0;
  std::vector<std::uint64_t> keys;
  for_each_clause(norm, [&](std::uint32_t b, std::uint32_t end) {
    const std::size_t before = keys.size();
    feature_keys(norm, b, end, keys);
    if (keys.size() > before) ++e.clauses;
  });
  if (keys.empty()) {
    if (error) *error = "example \"" + e.text + "\" has nothing to compare (no letters or characters)";
    return -1;
  }
  weigh(keys, e.vector);
  examples_.push_back(std::move(e));
  example_slot_.push_back(static_cast<std::uint32_t>(slot));
  return static_cast<int>(examples_.size() - 1);
}

void SimilarityIndex::build() {
  for (auto& p : postings_) p.clear();
  max_span_ = 1;
  for (std::uint32_t id = 0; id < examples_.size(); ++id) {
    const Example& e = examples_[id];
    variant_used_[e.variant] = true;
    max_span_ = std::max(max_span_, std::min(kMaxSpanClauses, e.clauses + 1));
    for (std::size_t k = 0; k < e.vector.keys.size(); ++k) {
      postings_[e.variant][e.vector.keys[k]].push_back({id, e.vector.weights[k]});
    }
  }
// Long function: the hot path of similar-phrase matching: one pass over the clauses that fills the
// scratch accumulators, then ranking and de-overlapping the candidates; the steps share the
// per-call scratch, and splitting them would pass it around for nothing.
}

void SimilarityIndex::match(const NormText& text, int variant, std::uint8_t audience, SimilarityScratch& s,
                            std::vector<SimilarMatch>& matches, std::vector<SimilarMatch>& nearest) const {
  if (examples_.empty() || !variant_used_[variant]) return;
  const auto& postings = postings_[variant];
  // Clauses with features, and each one's dot product with the examples it shares a feature with.
  // acc, is_touched and group_seen are kept zero / -1 between uses.
  s.clause_count = 0;
  if (s.acc.size() != examples_.size()) {
    s.acc.assign(examples_.size(), 0.0);
    s.is_touched.assign(examples_.size(), 0);
  }
  if (s.group_seen.size() != groups_.size()) s.group_seen.assign(groups_.size(), -1);
  s.touched.clear();
  auto& clause_dots = s.clause_dots;
  auto& clause_dots_begin = s.clause_dots_begin;
  auto& negative = s.negative;
  clause_dots.clear();
  clause_dots_begin.clear();
  bool any = false;
  for_each_clause(text, [&](std::uint32_t b, std::uint32_t e) {
    s.keys.clear();
    std::uint32_t first = 0, last = 0;
    feature_keys_span(text, b, e, s.keys, first, last);
    if (s.keys.empty()) return;
    if (s.clauses.size() <= s.clause_count) s.clauses.emplace_back();
    SimilarityScratch::Clause& c = s.clauses[s.clause_count++];
    c.begin = first;
    c.end = last;
    weigh(s.keys, c.vector);
    clause_dots_begin.push_back(clause_dots.size());
    for (std::size_t k = 0; k < c.vector.keys.size(); ++k) {
      const auto it = postings.find(c.vector.keys[k]);
      if (it == postings.end()) continue;
      for (const Posting& p : it->second) {
        if (!(audiences_[example_slot_[p.example]] & audience)) continue;
        if (!s.is_touched[p.example]) {
          s.is_touched[p.example] = 1;
          s.touched.push_back(p.example);
        }
        s.acc[p.example] += c.vector.weights[k] * p.weight;
      }
    }
    for (std::uint32_t ex : s.touched) {
      clause_dots.emplace_back(ex, s.acc[ex]);
      s.acc[ex] = 0;
      s.is_touched[ex] = 0;
    }
    any = any || !s.touched.empty();
    s.touched.clear();
  });
  if (!any) return;
  clause_dots_begin.push_back(clause_dots.size());
  const std::size_t m = s.clause_count;
  s.candidates.clear();
  for (std::size_t i = 0; i < m; ++i) {
    double norm2 = 0;
    for (std::size_t j = i; j < m && j < i + max_span_; ++j) {
      const FeatureVector& cj = s.clauses[j].vector;
      norm2 += cj.norm * cj.norm;
      for (std::size_t k = i; k < j; ++k) norm2 += 2 * dot(s.clauses[k].vector, cj);
      for (std::size_t d = clause_dots_begin[j]; d < clause_dots_begin[j + 1]; ++d) {
        const auto [ex, value] = clause_dots[d];
        if (!s.is_touched[ex]) {
          s.is_touched[ex] = 1;
          s.touched.push_back(ex);
        }
        s.acc[ex] += value;
      }
      if (s.touched.empty()) continue;
      const double span_norm = std::sqrt(norm2);
      // Per group: the best example and the best excluded example of this span.
      s.seen_groups.clear();
      s.span_best.clear();
      negative.clear();  // per entry of span_best: the best excluded example
      for (std::uint32_t ex : s.touched) {
        const Example& e = examples_[ex];
        const double score = scaled(s.acc[ex] / (span_norm * e.vector.norm), span_norm, e.vector.norm);
        const std::uint32_t slot = example_slot_[ex];
        if (s.group_seen[slot] < 0) {
          s.group_seen[slot] = static_cast<std::int32_t>(s.span_best.size());
          s.seen_groups.push_back(slot);
          SimilarMatch sm;
          sm.group = groups_[slot];
          sm.example = ex;
          sm.score = -1;
          sm.norm_begin = s.clauses[i].begin;
          sm.norm_end = s.clauses[j].end;
          s.span_best.push_back(sm);
          negative.emplace_back(-1.0, -1);
        }
        const auto at = static_cast<std::size_t>(s.group_seen[slot]);
        if (e.negative) {
          if (score > negative[at].first || (score == negative[at].first && static_cast<std::int32_t>(ex) < negative[at].second)) {
            negative[at] = {score, static_cast<std::int32_t>(ex)};
          }
        } else {
          SimilarMatch& best = s.span_best[at];
          if (score > best.score || (score == best.score && ex < best.example)) {
            best.score = score;
            best.example = ex;
          }
        }
      }
      for (std::size_t at = 0; at < s.span_best.size(); ++at) {
        SimilarMatch& sm = s.span_best[at];
        const std::uint32_t slot = s.seen_groups[at];
        s.group_seen[slot] = -1;
        if (sm.score < 0) continue;  // only excluded examples share a feature
        if (negative[at].second >= 0 && negative[at].first >= sm.score) {
          sm.excluded_by = negative[at].second;
          sm.excluded_score = negative[at].first;
        }
        sm.matches = sm.excluded_by < 0 && sm.score >= thresholds_[slot] - 1e-9;
        sm.begin = text.orig[sm.norm_begin];
        sm.end = text.orig[sm.norm_end - 1] + 1;
        s.candidates.push_back(sm);
      }
    }
    for (std::uint32_t ex : s.touched) {
      s.acc[ex] = 0;
      s.is_touched[ex] = 0;
    }
    s.touched.clear();
  }
  // Best first: higher score, then earlier, then shorter.
  std::sort(s.candidates.begin(), s.candidates.end(), [](const SimilarMatch& a, const SimilarMatch& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.score != b.score) return a.score > b.score;
    if (a.norm_begin != b.norm_begin) return a.norm_begin < b.norm_begin;
    if (a.norm_end != b.norm_end) return a.norm_end < b.norm_end;
    return a.example < b.example;
  });
  const std::size_t first_match = matches.size();
  for (std::size_t k = 0; k < s.candidates.size();) {
    const std::uint32_t group = s.candidates[k].group;
    nearest.push_back(s.candidates[k]);
    const std::size_t group_first = matches.size();
    for (; k < s.candidates.size() && s.candidates[k].group == group; ++k) {
      const SimilarMatch& c = s.candidates[k];
      if (!c.matches) continue;
      bool overlaps = false;
      for (std::size_t q = group_first; q < matches.size() && !overlaps; ++q) {
        overlaps = c.norm_begin < matches[q].norm_end && matches[q].norm_begin < c.norm_end;
      }
      if (!overlaps) matches.push_back(c);
    }
  }
  std::sort(matches.begin() + static_cast<std::ptrdiff_t>(first_match), matches.end(),
            [](const SimilarMatch& a, const SimilarMatch& b) {
              if (a.group != b.group) return a.group < b.group;
              return a.norm_begin < b.norm_begin;
            });
}

}  // namespace chatqa::text
