// The regex side of the phrase matcher: per variant, a RegexBank (the
// regexes, their RE2::Set, and the prefilter: RE2's FilteredRE2 atoms found
// with an AtomScanner). Built by PhraseMatcher::build (phrase_matcher.cpp),
// used by match_regexes (regex_prefilter.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include "text/char_ranks.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::text {

// Finds which of a few literal strings ("atoms") occur in a text of code
// points: Aho–Corasick over the atoms' characters. A bit set of the BMP
// characters that occur in any atom answers for the many that do not (they
// reset the automaton); the others are numbered by their rank in the bit
// set, and a full transition table (failures resolved: one lookup a
// character) drives the automaton while it is small enough (a few hundred
// atoms; beyond, sorted edge lists and failure links).
class AtomScanner {
 public:
  void build(const std::vector<std::u32string>& atoms) {
    chars_ = CharRanks();
    std::vector<std::map<char32_t, std::uint32_t>> trie(1);
    std::vector<std::vector<std::uint32_t>> outs(1);
    for (std::uint32_t id = 0; id < atoms.size(); ++id) {
      std::uint32_t node = 0;
      for (char32_t c : atoms[id]) {
        chars_.add(c);
        auto it = trie[node].find(c);
        if (it == trie[node].end()) {
          it = trie[node].emplace(c, static_cast<std::uint32_t>(trie.size())).first;
          trie.emplace_back();
          outs.emplace_back();
        }
        node = it->second;
      }
      outs[node].push_back(id);
    }
    chars_.number();
    const std::uint32_t symbols = chars_.count();
    const std::size_t n = trie.size();
    fail_.assign(n, 0);
    std::vector<std::uint32_t> queue;
    for (auto& [c, to] : trie[0]) queue.push_back(to);
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
      const std::uint32_t u = queue[qi];
      // BFS: fail[u] is final, and so are its outputs; u reports them too.
      outs[u].insert(outs[u].end(), outs[fail_[u]].begin(), outs[fail_[u]].end());
      for (auto& [c, v] : trie[u]) {
        std::uint32_t f = fail_[u];
        for (;;) {
          auto it = trie[f].find(c);
          if (it != trie[f].end()) {
            fail_[v] = it->second;
            break;
          }
          if (f == 0) break;
          f = fail_[f];
        }
        queue.push_back(v);
      }
    }
    edge_begin_.assign(n + 1, 0);
    out_begin_.assign(n + 1, 0);
    edge_char_.clear();
    edge_to_.clear();
    out_ids_.clear();
    for (std::size_t u = 0; u < n; ++u) {
      edge_begin_[u] = static_cast<std::uint32_t>(edge_char_.size());
      for (auto& [c, v] : trie[u]) {  // std::map: sorted by character
        edge_char_.push_back(c);
        edge_to_.push_back(v);
      }
      out_begin_[u] = static_cast<std::uint32_t>(out_ids_.size());
      out_ids_.insert(out_ids_.end(), outs[u].begin(), outs[u].end());
    }
    edge_begin_[n] = static_cast<std::uint32_t>(edge_char_.size());
    out_begin_[n] = static_cast<std::uint32_t>(out_ids_.size());
    // The full table, row by row in BFS order (a row's failure row is done
    // before it): a missing edge goes where the failure state's does.
    delta_.clear();
    if (n * symbols > kMaxTableEntries) return;
    delta_.assign(n * symbols, 0);
    for (auto& [c, to] : trie[0]) delta_[chars_.of(c)] = to;
    for (std::uint32_t u : queue) {
      std::copy_n(delta_.begin() + static_cast<std::ptrdiff_t>(fail_[u] * symbols), symbols,
                  delta_.begin() + static_cast<std::ptrdiff_t>(u * symbols));
      for (auto& [c, v] : trie[u]) delta_[u * symbols + chars_.of(c)] = v;
    }
  }

  // The ids of the atoms that occur in `text`, sorted, each once. (Inlined
  // into each build of find_atoms, so the rank below is POPCNT's there.)
  __attribute__((always_inline)) void scan(const std::u32string& text, std::vector<int>& found) const {
    found.clear();
    std::uint32_t node = 0;
    const bool table = !delta_.empty();
    const std::uint32_t symbols = chars_.count();
    for (char32_t c : text) {
      const std::uint32_t s = chars_.of(c);
      if (s == 0) {  // in no atom
        node = 0;
        continue;
      }
      node = table ? delta_[node * symbols + s] : next(node, c);
      for (std::uint32_t o = out_begin_[node]; o < out_begin_[node + 1]; ++o)
        found.push_back(static_cast<int>(out_ids_[o]));
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
  }

 private:
  static constexpr std::size_t kMaxTableEntries = std::size_t{1} << 18;  // 1 MB of rows

  std::uint32_t next(std::uint32_t node, char32_t c) const {
    for (;;) {
      const auto first = edge_char_.begin() + edge_begin_[node], last = edge_char_.begin() + edge_begin_[node + 1];
      const auto it = std::lower_bound(first, last, c);
      if (it != last && *it == c) return edge_to_[static_cast<std::size_t>(it - edge_char_.begin())];
      if (node == 0) return 0;
      node = fail_[node];
    }
  }

  CharRanks chars_;                   // of the atoms
  std::vector<std::uint32_t> delta_;  // node * chars_.count() + symbol -> node (empty: too big, use next())
  std::vector<std::uint32_t> edge_begin_, edge_to_, fail_, out_begin_, out_ids_;
  std::vector<char32_t> edge_char_;
};

struct PhraseMatcher::RegexBank {
  std::vector<std::uint32_t> ids;             // pattern id per regex
  std::vector<std::unique_ptr<RE2>> regexes;  // same order
  // Per regex: the string it matches when it is a plain literal (\? or 吗:
  // no operator, escapes of ASCII punctuation only), else empty. Such a
  // regex is found with a string search instead of RE2 (the same leftmost,
  // non-overlapping matches), and needs no pass of the set.
  std::vector<std::string> literal;
  std::unique_ptr<RE2::Set> set;
  // Prefilter: RE2's FilteredRE2 knows, per regex, which literal atoms any
  // match must contain (an AND/OR tree of them); the scanner finds the atoms
  // in a text, and only the regexes whose tree passes can match there. Most
  // messages then skip the UTF-8 form and the set. Null when some atom holds
  // a cased non-ASCII character (FilteredRE2 lowercases atoms, the text is
  // case-folded: only for ASCII and caseless characters do the two agree).
  std::unique_ptr<re2::FilteredRE2> filter;
  AtomScanner atoms;
  std::vector<int> unfiltered;  // the candidates of a text with no atom (regexes without atoms), sorted
  std::vector<int> all;         // 0, 1, ..., regexes.size() - 1
};

}  // namespace chatqa::text
