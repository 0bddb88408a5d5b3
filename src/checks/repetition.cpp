// repetition: the customer asks the same thing N times (default 3). Messages
// of the role are compared by character bigrams of their normalised skeleton
// (the text without spaces, punctuation and emoji; Dice coefficient), so
// "我的快递到底什么时候到?" and "快递什么时候到啊" can be told apart from the
// threshold. Messages joined by similarity to any earlier member form one
// group; a group of min_repeats or more is one finding quoting every repeat.
#include <algorithm>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

// Appends the sorted character n-grams of `s` to `pool`.
void append_grams(const std::u32string& s, std::size_t n, std::vector<std::uint64_t>& pool) {
  if (s.empty()) return;
  if (s.size() < n) {
    std::uint64_t g = 0;
    for (char32_t c : s) g = g * 0x110000u + c;
    pool.push_back(g);
    return;
  }
  const std::size_t first = pool.size();
  for (std::size_t i = 0; i + n <= s.size(); ++i) {
    std::uint64_t g = 0;
    for (std::size_t k = 0; k < n; ++k) g = g * 0x110000u + s[i + k];
    pool.push_back(g);
  }
  std::sort(pool.begin() + static_cast<std::ptrdiff_t>(first), pool.end());
}

// The fewest n-grams two messages of na and nb n-grams must share for their
// Dice coefficient (2·common / (na + nb), over multisets) to reach
// `similarity`; computed with the same floating-point test as the
// definition, so the answer is exactly the definition's.
std::size_t needed_common(std::size_t na, std::size_t nb, double similarity) {
  const double total = static_cast<double>(na + nb);
  auto enough = [&](std::size_t c) { return 2.0 * static_cast<double>(c) / total >= similarity; };
  std::size_t c = static_cast<std::size_t>(similarity * total / 2.0);
  while (c > 0 && enough(c - 1)) --c;
  while (!enough(c) && c <= na + nb) ++c;
  return c;
}

// Dice(a, b) >= similarity, merging the sorted n-grams only as long as the
// threshold can still be reached.
bool similar(const std::uint64_t* a, std::size_t na, const std::uint64_t* b, std::size_t nb, double similarity) {
  if (na == 0 || nb == 0) return false;  // Dice 0; similarity is at least 0.01
  const std::size_t need = needed_common(na, nb, similarity);
  if (std::min(na, nb) < need) return false;
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

// A message is compared with at most this many earlier messages of the role.
constexpr std::size_t kMaxDistance = 200;

class RepetitionCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::customer);
  long min_repeats = 3;
  double similarity = 0.6;
  long ngram = 2;
  long min_chars = 4;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<std::size_t> msgs;
    std::vector<std::uint64_t> pool;          // every message's n-grams, one after another
    std::vector<std::size_t> grams_begin{0};  // message m's are [grams_begin[m], grams_begin[m + 1])
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      const std::u32string& skeleton = ctx.norm(i).skeleton;
      if (static_cast<long>(skeleton.size()) < min_chars) continue;
      msgs.push_back(i);
      append_grams(skeleton, static_cast<std::size_t>(ngram), pool);
      grams_begin.push_back(pool.size());
    }
    if (msgs.empty()) {
      out.applicable = false;  // nothing of the role to compare
      return;
    }
    auto similar_pair = [&](std::size_t m, std::size_t other) {
      return similar(pool.data() + grams_begin[m], grams_begin[m + 1] - grams_begin[m], pool.data() + grams_begin[other],
                     grams_begin[other + 1] - grams_begin[other], similarity);
    };
    // Single-link grouping in time order: a message joins the first group
    // holding a similar message.
    std::vector<std::vector<std::size_t>> groups;  // indices into msgs
    for (std::size_t m = 0; m < msgs.size(); ++m) {
      bool joined = false;
      for (auto& g : groups) {
        if (g.back() + kMaxDistance < m) continue;  // long gone: keeps a huge session linear
        for (std::size_t other : g) {
          if (other + kMaxDistance < m) continue;
          if (similar_pair(m, other)) {
            g.push_back(m);
            joined = true;
            break;
          }
        }
        if (joined) break;
      }
      if (!joined) groups.push_back({m});
    }
    for (const auto& g : groups) {
      if (static_cast<long>(g.size()) < min_repeats) continue;
      Finding f;
      f.at = ctx.at(msgs[g[static_cast<std::size_t>(min_repeats) - 1]]);
      f.related = ctx.at(msgs[g.front()]);
      f.value = static_cast<double>(g.size());
      f.has_value = true;
      std::string quotes;
      for (std::size_t m : g) {
        quotes += (quotes.empty() ? "" : ", ") + std::string("#") + std::to_string(msgs[m]) + " 「" +
                  short_quote(ctx, msgs[m]) + "」";
      }
      f.explanation = describe(roles) + " said the same thing " + std::to_string(g.size()) + " times (from " +
                      std::to_string(min_repeats) + "): " + quotes;
      out.findings.push_back(std::move(f));
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role", "min_repeats", "similarity", "ngram", "min_chars"});
  auto check = std::make_unique<RepetitionCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::customer));
  check->min_repeats = p.integer("min_repeats", false, 2, 1000).value_or(3);
  check->similarity = p.number("similarity", false, 0.01, 1).value_or(0.6);
  check->ngram = p.integer("ngram", false, 1, 5).value_or(2);
  check->min_chars = p.integer("min_chars", false, 1, 1000).value_or(4);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_repetition_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
