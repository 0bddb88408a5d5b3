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

using Grams = std::vector<std::uint64_t>;  // sorted character n-grams

Grams grams_of(const std::u32string& s, std::size_t n) {
  Grams out;
  if (s.empty()) return out;
  if (s.size() < n) {
    std::uint64_t g = 0;
    for (char32_t c : s) g = g * 0x110000u + c;
    out.push_back(g);
    return out;
  }
  for (std::size_t i = 0; i + n <= s.size(); ++i) {
    std::uint64_t g = 0;
    for (std::size_t k = 0; k < n; ++k) g = g * 0x110000u + s[i + k];
    out.push_back(g);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Dice coefficient over multisets of n-grams.
double dice(const Grams& a, const Grams& b) {
  if (a.empty() || b.empty()) return 0;
  std::size_t common = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
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
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
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
    std::vector<Grams> grams;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role)) continue;
      const std::u32string& skeleton = ctx.norm(i).skeleton;
      if (static_cast<long>(skeleton.size()) < min_chars) continue;
      msgs.push_back(i);
      grams.push_back(grams_of(skeleton, static_cast<std::size_t>(ngram)));
    }
    if (msgs.empty()) {
      out.applicable = false;  // nothing of the role to compare
      return;
    }
    // Single-link grouping in time order: a message joins the first group
    // holding a similar message.
    std::vector<std::vector<std::size_t>> groups;  // indices into msgs
    for (std::size_t m = 0; m < msgs.size(); ++m) {
      bool joined = false;
      for (auto& g : groups) {
        if (g.back() + kMaxDistance < m) continue;  // long gone: keeps a huge session linear
        for (std::size_t other : g) {
          if (other + kMaxDistance < m) continue;
          // Dice can be at most 2·min/(sum): skip pairs whose sizes already rule it out.
          const double small = static_cast<double>(std::min(grams[m].size(), grams[other].size()));
          if (2.0 * small / static_cast<double>(grams[m].size() + grams[other].size()) < similarity) continue;
          if (dice(grams[m], grams[other]) >= similarity) {
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
