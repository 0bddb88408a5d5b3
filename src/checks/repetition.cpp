// repetition: the customer asks the same thing N times (default 3). Messages
// of the role are compared by character bigrams of their normalised skeleton
// (the text without spaces, punctuation and emoji; Dice coefficient), so
// "我的快递到底什么时候到?" and "快递什么时候到啊" can be told apart from the
// threshold. Messages joined by similarity to any earlier member form one
// group; a group of min_repeats or more is one finding quoting every repeat.
// With "reply_between", a repeat counts only when an agent message came
// between it and the group's last member: the customer said it again after
// being answered, not posted the same words twice in a row.
//
// Cost: a message is compared with up to 200 earlier ones, so the pair test
// is kept cheap. Before the exact count (a merge of the two sorted n-gram
// lists), two bounds on the shared n-grams reject most pairs: the shorter
// message's count, and a histogram bound. Each message keeps how many of
// its n-grams fall in each of kBuckets hash buckets; equal n-grams fall in
// the same bucket, so the shared n-grams are at most the sum over buckets of
// the smaller of the two counts. Both are upper bounds, so a pair they
// reject could never reach the threshold: the findings are those of the
// plain merge. A message's n-grams are sorted only once a pair needs them.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "checks/phrase_common.hpp"
#include "text/pii_detect.hpp"

namespace chatqa::detail {
namespace {

// Writes the n-grams of `s` to `out`, in text order, as keys equal exactly
// when the n-grams are (code points are below 0x110000, so for n <= 3 the
// base-0x110000 number is exact; longer ones wrap, as they always have). A
// text shorter than n is one key of its own, an empty one none.
template <std::size_t N>
void put_keys(const char32_t* s, std::size_t size, std::uint64_t* out) {
  for (std::size_t i = 0; i + N <= size; ++i) {
    std::uint64_t g = s[i];
    for (std::size_t k = 1; k < N; ++k) g = g * 0x110000u + s[i + k];
    out[i] = g;
  }
}

void put_keys(const std::u32string& s, std::size_t n, std::uint64_t* out) {
  if (s.empty()) return;
  if (s.size() < n) {
    std::uint64_t g = 0;
    for (char32_t c : s) g = g * 0x110000u + c;
    *out = g;
    return;
  }
  switch (n) {
    case 1: put_keys<1>(s.data(), s.size(), out); break;
    case 2: put_keys<2>(s.data(), s.size(), out); break;
    case 3: put_keys<3>(s.data(), s.size(), out); break;
    case 4: put_keys<4>(s.data(), s.size(), out); break;
    default: put_keys<5>(s.data(), s.size(), out); break;
  }
}

// Sorts a message's keys: most messages have a few dozen, where insertion
// sort beats std::sort's set-up.
void sort_keys(std::uint64_t* begin, std::uint64_t* end) {
  if (end - begin > 32) {
    std::sort(begin, end);
    return;
  }
  for (std::uint64_t* i = begin + (begin != end); i < end; ++i) {
    const std::uint64_t v = *i;
    std::uint64_t* j = i;
    for (; j > begin && v < j[-1]; --j) *j = j[-1];
    *j = v;
  }
}

// Histogram buckets per message (a power of two) and a key's bucket.
constexpr std::size_t kBucketBits = 7;
constexpr std::size_t kBuckets = std::size_t{1} << kBucketBits;
inline std::size_t bucket_of(std::uint64_t key) {
  return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15u) >> (64 - kBucketBits));
}
// Counts are bytes, kept at 255 once there, so exact in a message of at most
// kExactCounts n-grams. The bound is used only when the shorter message is
// one: its counts are exact, and a capped count of the other (255) is above
// them, so every bucket's smaller count is exact.
constexpr std::size_t kExactCounts = 254;

// Sum over buckets of the smaller count: at least the shared n-grams.
std::size_t shared_bound(const std::uint8_t* a, const std::uint8_t* b) {
#if defined(__SSE2__)
  static_assert(kBuckets % 16 == 0, "whole 16-byte lanes");
  __m128i sum = _mm_setzero_si128();
  for (std::size_t k = 0; k < kBuckets; k += 16) {
    const __m128i least = _mm_min_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + k)),
                                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + k)));
    sum = _mm_add_epi64(sum, _mm_sad_epu8(least, _mm_setzero_si128()));  // two sums of 8 bytes
  }
  return static_cast<std::size_t>(_mm_cvtsi128_si32(sum) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sum, sum)));
#else
  std::size_t sum = 0;
  for (std::size_t k = 0; k < kBuckets; ++k) sum += std::min(a[k], b[k]);
  return sum;
#endif
}

// The Dice test, 2·common / total >= similarity, computed as the definition
// does. It only grows with `common`, so a bound that fails it rules the
// pair out.
bool reaches(std::size_t common, double total, double similarity) {
  return 2.0 * static_cast<double>(common) / total >= similarity;
}

// The fewest n-grams two messages of na and nb n-grams must share for their
// Dice coefficient (over multisets) to reach `similarity`: the least common
// that `reaches`.
std::size_t needed_common(std::size_t na, std::size_t nb, double similarity) {
  const double total = static_cast<double>(na + nb);
  std::size_t c = static_cast<std::size_t>(similarity * total / 2.0);
  while (c > 0 && reaches(c - 1, total, similarity)) --c;
  while (!reaches(c, total, similarity) && c <= na + nb) ++c;
  return c;
}

// At least `need` shared n-grams between the sorted a and b, merging them
// only as long as that can still be reached.
bool shares(const std::uint64_t* a, std::size_t na, const std::uint64_t* b, std::size_t nb, std::size_t need) {
  std::size_t common = 0, i = 0, j = 0;
  while (i < na && j < nb) {
    if (common + std::min(na - i, nb - j) < need) return false;
    if (a[i] == b[j]) {
      ++common;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return common >= need;
}

// n elements of a trivially copyable T, inside the object when n <= N (a
// usual session: no allocation, and none of the large requests that make
// malloc consolidate its free lists), on the heap beyond. Not initialised.
template <typename T, std::size_t N>
class WorkArray {
 public:
  explicit WorkArray(std::size_t n) : data_(n <= N ? local_ : (heap_.reset(new T[n]), heap_.get())) {}
  WorkArray(const WorkArray&) = delete;
  WorkArray& operator=(const WorkArray&) = delete;
  T* data() { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }

 private:
  T local_[N];
  std::unique_ptr<T[]> heap_;
  T* data_;
};

// A product card, order card or pasted form: two lines or more of
// "key: value", or a message that is mostly a link. Not a question the
// customer asks again when it is sent twice.
bool looks_like_card(const std::string& text) {
  std::size_t key_values = 0, line_start = 0;
  while (line_start < text.size()) {
    std::size_t end = text.find('\n', line_start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + line_start, end - line_start);
    // A colon (: or ：) within the first 30 bytes, with a value after it.
    std::size_t colon = line.find(':');
    std::size_t colon_len = 1;
    const std::size_t wide = line.find("\xEF\xBC\x9A");
    if (wide != std::string_view::npos && (colon == std::string_view::npos || wide < colon)) {
      colon = wide;
      colon_len = 3;
    }
    if (colon != std::string_view::npos && colon > 0 && colon <= 30 && colon + colon_len < line.size()) ++key_values;
    line_start = end + 1;
  }
  if (key_values >= 2) return true;
  std::size_t link = 0;
  for (const char* scheme : {"http://", "https://", "www."}) {
    for (std::size_t at = text.find(scheme); at != std::string::npos; at = text.find(scheme, at + 1)) {
      std::size_t end = at;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      link += end - at;
      at = end;
      if (at >= text.size()) break;
    }
  }
  return link * 2 > text.size();
}

// A message is compared with at most this many earlier messages of the role.
constexpr std::size_t kMaxDistance = 200;

// A message of the role long enough to compare.
struct Compared {
  std::size_t message;     // index in the session
  std::size_t first_gram;  // its n-grams are keys[first_gram, first_gram + grams)
  std::size_t grams;
  std::size_t next;  // the next member of its group, if it is not the group's last
  bool sorted;       // its keys are sorted (done when a pair first needs them)
};

// Members of a group are chained through Compared::next, in time order.
struct Group {
  std::size_t first, last, size;
};

class RepetitionCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::customer);
  long min_repeats = 3;
  double similarity = 0.6;
  long ngram = 2;
  long min_chars = 4;
  bool reply_between = false;
  // "measure": "weighted" — paraphrases: the IDF-weighted similarity of
  // similar-phrase matching (text/similarity.hpp) instead of Dice over
  // n-grams; cards and links are skipped, placeholders and digits ignored.
  bool weighted = false;

  // Long function: the check's hot loop: n-gram keys, bucket bounds and single-link grouping over
  // the same flat buffers, measured in bench/ (see the comments inside).
  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    const auto n = static_cast<std::size_t>(ngram);
    WorkArray<Compared, 64> msgs(ctx.size());
    std::size_t compared = 0, total_grams = 0;
    std::vector<text::FeatureVector> vectors;  // weighted: per compared message
    std::vector<std::uint64_t> feature_keys;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      const std::size_t chars = ctx.skeleton(i).size();
      if (static_cast<long>(chars) < min_chars) continue;
      if (weighted) {
        if (looks_like_card(ctx.message(i).text)) continue;
        text::FeatureVector v;
        text::text_features(ctx.norm(i), v, feature_keys);
        if (v.keys.empty()) continue;  // only digits, placeholders, mentions
        vectors.push_back(std::move(v));
        msgs[compared++] = {i, 0, 0, 0, false};
        continue;
      }
      const std::size_t grams = chars == 0 ? 0 : chars < n ? 1 : chars - n + 1;
      msgs[compared++] = {i, total_grams, grams, 0, false};
      total_grams += grams;
    }
    if (compared == 0) {
      out.applicable = false;  // nothing of the role to compare
      return;
    }
    // Every message's n-gram keys one after another, and its bucket counts
    // (kBuckets from m * kBuckets); each written before it is read.
    WorkArray<std::uint64_t, 2048> keys(total_grams);
    WorkArray<std::uint8_t, 40 * kBuckets> histograms(weighted ? 0 : compared * kBuckets);
    for (std::size_t m = 0; m < compared && !weighted; ++m) {
      const Compared& msg = msgs[m];
      std::uint64_t* const own = keys.data() + msg.first_gram;
      put_keys(ctx.skeleton(msg.message), n, own);
      std::uint8_t* const counts = histograms.data() + m * kBuckets;
      std::fill_n(counts, kBuckets, std::uint8_t{0});
      if (msg.grams <= kExactCounts) {
        for (std::size_t g = 0; g < msg.grams; ++g) ++counts[bucket_of(own[g])];
      } else {
        for (std::size_t g = 0; g < msg.grams; ++g) {
          std::uint8_t& c = counts[bucket_of(own[g])];
          c = static_cast<std::uint8_t>(c + (c != 255));
        }
      }
    }
    // Dice(m, other) >= similarity. The shorter message's count and the
    // histogram bound go first: both are at least the shared n-grams.
    auto similar_pair = [&](std::size_t m, std::size_t other) {
      if (weighted) return text::paraphrase_similarity(vectors[m], vectors[other]) >= similarity - 1e-9;
      Compared& a = msgs[m];
      Compared& b = msgs[other];
      const double total = static_cast<double>(a.grams + b.grams);
      const std::size_t fewer = std::min(a.grams, b.grams);
      if (!reaches(fewer, total, similarity)) return false;
      if (fewer <= kExactCounts &&
          !reaches(shared_bound(histograms.data() + m * kBuckets, histograms.data() + other * kBuckets), total,
                   similarity)) {
        return false;
      }
      for (Compared* c : {&a, &b}) {
        if (!c->sorted) {
          sort_keys(keys.data() + c->first_gram, keys.data() + c->first_gram + c->grams);
          c->sorted = true;
        }
      }
      return shares(keys.data() + a.first_gram, a.grams, keys.data() + b.first_gram, b.grams,
                    needed_common(a.grams, b.grams, similarity));
    };
    // Agent messages before each compared message (for reply_between).
    std::vector<std::size_t> replies_before;
    if (reply_between) {
      replies_before.resize(compared);
      std::size_t agents = 0, next = 0;
      for (std::size_t i = 0; i < ctx.size() && next < compared; ++i) {
        if (msgs[next].message == i) replies_before[next++] = agents;
        if (ctx.message(i).role == Role::agent) ++agents;
      }
    }
    // Single-link grouping in time order: a message joins the first group
    // holding a similar message.
    WorkArray<Group, 48> groups(compared);
    std::size_t group_count = 0;
    for (std::size_t m = 0; m < compared; ++m) {
      bool joined = false;
      for (std::size_t gi = 0; gi < group_count && !joined; ++gi) {
        Group& g = groups[gi];
        if (g.last + kMaxDistance < m) continue;  // long gone: keeps a huge session linear
        for (std::size_t other = g.first;; other = msgs[other].next) {
          if (other + kMaxDistance >= m && similar_pair(m, other)) {
            joined = true;
            // The same words again with no reply between: one turn, not a repeat.
            if (reply_between && replies_before[m] == replies_before[g.last]) break;
            msgs[g.last].next = m;
            g.last = m;
            ++g.size;
            break;
          }
          if (other == g.last) break;
        }
      }
      if (!joined) groups[group_count++] = {m, m, 1};
    }
    for (std::size_t gi = 0; gi < group_count; ++gi) {
      const Group& g = groups[gi];
      if (static_cast<long>(g.size) < min_repeats) continue;
      std::vector<std::size_t> members;  // session indices
      for (std::size_t m = g.first;; m = msgs[m].next) {
        members.push_back(msgs[m].message);
        if (m == g.last) break;
      }
      Finding f = ctx.finding();
      ctx.locate(members[static_cast<std::size_t>(min_repeats) - 1], f.at);
      ctx.locate(members.front(), ctx.related(f));
      f.value = static_cast<double>(members.size());
      std::string quotes;
      for (std::size_t i : members) {
        quotes +=
            (quotes.empty() ? "" : ", ") + std::string("#") + std::to_string(i) + " 「" + short_quote(ctx, i) + "」";
      }
      f.explanation = describe(roles) + " said the same thing " + std::to_string(members.size()) + " times (from " +
                      std::to_string(min_repeats) + "): " + quotes;
      out.findings.push_back(std::move(f));
    }
  }

  // Live scoring: the messages compared so far, their n-grams and groups,
  // kept between evaluations; a new message is compared and grouped as
  // evaluate() does it in its turn (the same single-link grouping, one
  // message at a time), and only its group's finding changes.
  struct State : LiveState {
    std::vector<Compared> msgs;
    std::vector<std::uint64_t> keys;
    std::vector<std::uint8_t> histograms;
    std::vector<text::FeatureVector> vectors;  // weighted
    std::vector<std::uint64_t> feature_keys;
    std::vector<std::size_t> replies_before;  // per compared message: agent messages before it
    std::size_t agents = 0;                   // agent messages among the messages seen
    std::vector<Group> groups;
    std::vector<std::string> quotes;  // per group: its members quoted, as the finding lists them
  };
  std::unique_ptr<LiveState> live_state() const override { return std::make_unique<State>(); }

  // A finding's explanation up to its quotes.
  std::string head(std::size_t size) const {
    return describe(roles) + " said the same thing " + std::to_string(size) + " times (from " +
           std::to_string(min_repeats) + "): ";
  }

  // A group's finding `f` (as reported: masked) with one more member quoted
  // by `quoted`, when that needs no masking pass over the whole explanation:
  // masking changes personal numbers and e-mail addresses only, none of
  // which can reach across 「」 quote marks or the head's ": ", and the head
  // and the new quote hold none (too few digits, no @): the masked
  // explanation is the new head, the masked quotes so far and the new quote.
  // False (f untouched) otherwise: the caller writes it anew.
  bool grow_explanation(EvalContext& ctx, Finding& f, std::size_t size, const std::string& quoted) const {
    if (ctx.options().mask_pii && text::may_hold_pii(std::string_view(quoted))) return false;
    const std::string before = head(size - 1);
    if (f.explanation.compare(0, before.size(), before) != 0) return false;
    f.explanation.replace(0, before.size(), head(size));
    f.explanation += quoted;
    return true;
  }

  // Long function: evaluate()'s steps for one message at a time (n-grams, bucket counts, the
  // first group holding a similar message) and the finding of the group it joins.
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    auto& s = static_cast<State&>(state);
    const auto n = static_cast<std::size_t>(ngram);
    std::size_t kept = out.findings.size();
    for (std::size_t i = s.seen; i < ctx.size(); ++i) {
      const std::size_t agents_before = s.agents;
      if (ctx.message(i).role == Role::agent) ++s.agents;
      if (!roles.has(ctx.message(i).role)) continue;
      const std::size_t chars = ctx.skeleton(i).size();
      if (static_cast<long>(chars) < min_chars) continue;
      if (weighted) {
        if (looks_like_card(ctx.message(i).text)) continue;
        text::FeatureVector v;
        text::text_features(ctx.norm(i), v, s.feature_keys);
        if (v.keys.empty()) continue;  // only digits, placeholders, mentions
        s.vectors.push_back(std::move(v));
        s.msgs.push_back({i, 0, 0, 0, false});
      } else {
        const std::size_t grams = chars < n ? 1 : chars - n + 1;
        s.msgs.push_back({i, s.keys.size(), grams, 0, false});
        s.keys.resize(s.keys.size() + grams);
        std::uint64_t* const own = s.keys.data() + s.msgs.back().first_gram;
        put_keys(ctx.skeleton(i), n, own);
        s.histograms.resize(s.histograms.size() + kBuckets, 0);
        std::uint8_t* const counts = s.histograms.data() + (s.msgs.size() - 1) * kBuckets;
        if (grams <= kExactCounts) {
          for (std::size_t g = 0; g < grams; ++g) ++counts[bucket_of(own[g])];
        } else {
          for (std::size_t g = 0; g < grams; ++g) {
            std::uint8_t& c = counts[bucket_of(own[g])];
            c = static_cast<std::uint8_t>(c + (c != 255));
          }
        }
      }
      s.replies_before.push_back(agents_before);
      const std::size_t m = s.msgs.size() - 1;
      auto similar_pair = [&](std::size_t other) {
        if (weighted) return text::paraphrase_similarity(s.vectors[m], s.vectors[other]) >= similarity - 1e-9;
        Compared& a = s.msgs[m];
        Compared& b = s.msgs[other];
        const double total = static_cast<double>(a.grams + b.grams);
        const std::size_t fewer = std::min(a.grams, b.grams);
        if (!reaches(fewer, total, similarity)) return false;
        if (fewer <= kExactCounts &&
            !reaches(shared_bound(s.histograms.data() + m * kBuckets, s.histograms.data() + other * kBuckets), total,
                     similarity)) {
          return false;
        }
        for (Compared* c : {&a, &b}) {
          if (!c->sorted) {
            sort_keys(s.keys.data() + c->first_gram, s.keys.data() + c->first_gram + c->grams);
            c->sorted = true;
          }
        }
        return shares(s.keys.data() + a.first_gram, a.grams, s.keys.data() + b.first_gram, b.grams,
                      needed_common(a.grams, b.grams, similarity));
      };
      // The first group holding a similar message (evaluate()'s grouping).
      std::size_t joined = s.groups.size();
      bool grew = false;
      for (std::size_t gi = 0; gi < s.groups.size() && joined == s.groups.size(); ++gi) {
        Group& g = s.groups[gi];
        if (g.last + kMaxDistance < m) continue;
        for (std::size_t other = g.first;; other = s.msgs[other].next) {
          if (other + kMaxDistance >= m && similar_pair(other)) {
            joined = gi;
            if (reply_between && s.replies_before[m] == s.replies_before[g.last]) break;
            s.msgs[g.last].next = m;
            g.last = m;
            ++g.size;
            grew = true;
            break;
          }
          if (other == g.last) break;
        }
      }
      if (joined == s.groups.size()) {
        s.groups.push_back({m, m, 1});
        s.quotes.emplace_back();
        grew = true;
      }
      if (!grew) continue;
      const Group& g = s.groups[joined];
      std::string& quotes = s.quotes[joined];
      const std::string quoted =
          (quotes.empty() ? "" : ", ") + std::string("#") + std::to_string(i) + " 「" + short_quote(ctx, i) + "」";
      quotes += quoted;
      if (static_cast<long>(g.size) < min_repeats) continue;
      // The group's finding sits at its min_repeats-th member.
      std::size_t at = g.first;
      for (long k = 1; k < min_repeats; ++k) at = s.msgs[at].next;
      const std::size_t at_message = s.msgs[at].message;
      auto it = std::lower_bound(out.findings.begin(), out.findings.end(), at_message,
                                 [](const Finding& f, std::size_t msg) { return f.at.message.value_or(0) < msg; });
      if (static_cast<long>(g.size) > min_repeats && (it == out.findings.end() || it->at.message != at_message)) {
        throw std::logic_error("repetition: a live group's finding is missing");  // a bug: the session starts over
      }
      if (static_cast<long>(g.size) > min_repeats && grow_explanation(ctx, *it, g.size, quoted)) {
        it->value = static_cast<double>(g.size);
        continue;  // already masked: the evaluator need not mask it again
      }
      if (static_cast<long>(g.size) == min_repeats) {  // new: at the message just added, the last one
        Finding f = ctx.finding();
        ctx.locate(at_message, f.at);
        ctx.locate(s.msgs[g.first].message, ctx.related(f));
        out.findings.push_back(std::move(f));
        it = out.findings.end() - 1;
      }
      kept = std::min(kept, static_cast<std::size_t>(it - out.findings.begin()));
      it->value = static_cast<double>(g.size);
      it->explanation = head(g.size) + quotes;
    }
    s.seen = ctx.size();
    out.kept = kept;
    if (s.msgs.empty()) out.applicable = false;  // nothing of the role to compare
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr,
           {"type", "role", "min_repeats", "similarity", "ngram", "min_chars", "reply_between", "measure"});
  auto check = std::make_unique<RepetitionCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::customer));
  check->min_repeats = p.integer("min_repeats", false, 2, 1000).value_or(3);
  check->similarity = p.number("similarity", false, 0.01, 1).value_or(0.6);
  check->ngram = p.integer("ngram", false, 1, 5).value_or(2);
  check->min_chars = p.integer("min_chars", false, 1, 1000).value_or(4);
  check->reply_between = p.boolean("reply_between").value_or(false);
  check->weighted = p.string("measure", false, {"dice", "weighted"}).value_or("dice") == "weighted";
  if (check->weighted && p.has("ngram")) {
    ctx.error("E0105", p.pointer("ngram"), "\"ngram\" is for \"measure\": \"dice\"; the weighted measure has its own features");
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_repetition_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
