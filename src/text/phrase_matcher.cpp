#include "text/phrase_matcher.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <map>

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <unicode/uchar.h>

#include "text/utf8.hpp"

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

// Laid out for the matching loop, which is bound by cache misses (one
// lookup per character into tables far bigger than the L1 cache): symbols
// from CharRanks, each node's hot fields in one 16-byte record, and an
// edge's symbol and target side by side.
struct PhraseMatcher::Automaton {
  CharRanks symbols;  // of the phrases' characters
  std::vector<std::uint32_t> root_next;
  struct Edge {
    std::uint32_t sym, to;
  };
  struct Node {
    std::uint32_t edge_begin, edge_end;  // into edges, sorted by symbol
    std::uint32_t fail;
    std::uint32_t
        report;  // the node itself if it ends a phrase, else the nearest dictionary suffix that does (0: none)
  };
  std::vector<Node> nodes;
  std::vector<Edge> edges;
  std::vector<std::uint32_t> dict;
  std::vector<std::uint32_t> out_begin, out_ids;
  std::vector<std::uint32_t> pending;  // pattern ids added before build

  // Numbers the characters of the pending patterns (before the trie is built).
  void number_symbols(const std::vector<PatternInfo>& patterns) {
    for (std::uint32_t id : pending) {
      for (char32_t c : patterns[id].skeleton) symbols.add(c);
    }
    symbols.number();
  }
  std::uint32_t child(std::uint32_t node, std::uint32_t s) const {
    if (node == 0) return root_next[s];
    const Node& nd = nodes[node];
    const Edge* b = edges.data() + nd.edge_begin;
    const Edge* e = edges.data() + nd.edge_end;
    if (e - b <= 8) {
      for (; b < e; ++b) {
        if (b->sym == s) return b->to;
      }
      return 0;
    }
    const Edge* it = std::lower_bound(b, e, s, [](const Edge& edge, std::uint32_t v) { return edge.sym < v; });
    return (it != e && it->sym == s) ? it->to : 0;
  }
  // Full transition rows (goto and failure resolved) for the children of the
  // root that have more than kDenseMinChildren children (else a short scan
  // of the edges finds the child, and a miss goes to the root's row); kNoRow
  // for other nodes. Only wide nodes get one: a row is a symbol's worth of entries,
  // and rows for every depth-1 node made megabytes that missed the cache on
  // nearly every step.
  static constexpr std::uint32_t kNoRow = 0xFFFFFFFFu;
  static constexpr std::size_t kDenseMinChildren = 8;
  static constexpr std::size_t kMaxDenseEntries = 1u << 21;  // 8 MB at most
  std::vector<std::uint32_t> dense_row, dense;

  std::uint32_t step(std::uint32_t node, std::uint32_t s) const {
    for (;;) {
      if (node == 0) return root_next[s];
      const Node& nd = nodes[node];
      if (nd.edge_end - nd.edge_begin > kDenseMinChildren) {  // wide: maybe a row of its own
        const std::uint32_t row = dense_row[node];
        if (row != kNoRow) return dense[static_cast<std::size_t>(row) * symbols.count() + s];
      }
      if (std::uint32_t next = child(node, s)) return next;
      node = nd.fail;
    }
  }
  void build(const std::vector<PatternInfo>& patterns) {
    number_symbols(patterns);
    const std::uint32_t alphabet = symbols.count();
    std::vector<std::map<std::uint32_t, std::uint32_t>> trie(1);
    std::vector<std::vector<std::uint32_t>> outs(1);
    for (std::uint32_t id : pending) {
      std::uint32_t node = 0;
      for (char32_t c : patterns[id].skeleton) {
        const std::uint32_t s = symbols.of(c);
        auto it = trie[node].find(s);
        if (it == trie[node].end()) {
          trie[node][s] = static_cast<std::uint32_t>(trie.size());
          node = static_cast<std::uint32_t>(trie.size());
          trie.emplace_back();
          outs.emplace_back();
        } else {
          node = it->second;
        }
      }
      outs[node].push_back(id);
    }
    const std::size_t n = trie.size();
    root_next.assign(alphabet, 0);
    for (auto& [s, to] : trie[0]) root_next[s] = to;
    nodes.assign(n, Node{0, 0, 0, 0});
    edges.clear();
    for (std::size_t i = 1; i < n; ++i) {  // the root's edges are root_next
      nodes[i].edge_begin = static_cast<std::uint32_t>(edges.size());
      for (auto& [s, to] : trie[i]) edges.push_back(Edge{s, to});  // std::map: sorted by symbol
      nodes[i].edge_end = static_cast<std::uint32_t>(edges.size());
    }
    out_begin.assign(n + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
      out_begin[i] = static_cast<std::uint32_t>(out_ids.size());
      out_ids.insert(out_ids.end(), outs[i].begin(), outs[i].end());
    }
    out_begin[n] = static_cast<std::uint32_t>(out_ids.size());
    std::vector<std::uint32_t> fail(n, 0);
    dict.assign(n, 0);
    std::vector<std::uint32_t> queue;
    for (auto& [s, to] : trie[0]) queue.push_back(to);
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
      const std::uint32_t u = queue[qi];
      for (auto& [s, v] : trie[u]) {
        std::uint32_t f = fail[u];
        std::uint32_t target = 0;
        for (;;) {
          auto it = trie[f].find(s);
          if (it != trie[f].end() && it->second != v) {
            target = it->second;
            break;
          }
          if (f == 0) break;
          f = fail[f];
        }
        fail[v] = target;
        queue.push_back(v);
      }
    }
    // BFS order guarantees fail targets are finished before their users.
    for (std::uint32_t u : queue) {
      const std::uint32_t f = fail[u];
      dict[u] = (out_begin[f] < out_begin[f + 1]) ? f : dict[f];
    }
    for (std::size_t u = 1; u < n; ++u) {
      nodes[u].fail = fail[u];
      nodes[u].report = (out_begin[u] < out_begin[u + 1]) ? static_cast<std::uint32_t>(u) : dict[u];
    }
    dense_row.assign(n, kNoRow);
    std::size_t wide = 0;
    for (auto& [s0, u] : trie[0]) wide += trie[u].size() > kDenseMinChildren;
    if (wide * alphabet <= kMaxDenseEntries) {
      dense.assign(wide * alphabet, 0);
      std::uint32_t row = 0;
      for (auto& [s0, u] : trie[0]) {
        if (trie[u].size() <= kDenseMinChildren) continue;
        dense_row[u] = row;
        std::uint32_t* r = dense.data() + static_cast<std::size_t>(row) * alphabet;
        for (std::uint32_t s = 0; s < alphabet; ++s) r[s] = root_next[s];  // a depth-1 node fails to the root
        for (auto& [s, v] : trie[u]) r[s] = v;
        ++row;
      }
    }
    pending.clear();
    pending.shrink_to_fit();
  }
};

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
      for (std::uint32_t o = out_begin_[node]; o < out_begin_[node + 1]; ++o) found.push_back(static_cast<int>(out_ids_[o]));
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

namespace {
// AtomScanner::scan in the builds CHATQA_POPCNT_CLONES makes (it ranks characters too).
CHATQA_POPCNT_CLONES void find_atoms(const AtomScanner& atoms, const std::u32string& text, std::vector<int>& found) {
  atoms.scan(text, found);
}
}  // namespace

struct PhraseMatcher::RegexBank {
  std::vector<std::uint32_t> ids;             // pattern id per regex
  std::vector<std::unique_ptr<RE2>> regexes;  // same order
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

PhraseMatcher::PhraseMatcher() {
  for (int v = 0; v < kVariants; ++v) {
    automata_.push_back(std::make_unique<Automaton>());
    regexes_.push_back(std::make_unique<RegexBank>());
  }
}
PhraseMatcher::~PhraseMatcher() = default;
PhraseMatcher::PhraseMatcher(PhraseMatcher&&) noexcept = default;
PhraseMatcher& PhraseMatcher::operator=(PhraseMatcher&&) noexcept = default;

int PhraseMatcher::add_literal(std::string_view phrase, std::uint32_t group, const MatchSettings& settings,
                               std::string* error) {
  const Normalizer& norm = Normalizer::instance();
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  norm.normalize_phrase(phrase, settings.traditional, chars, flags);
  PatternInfo p;
  p.text = std::string(phrase);
  p.group = group;
  p.variant = variant_of(settings);
  p.max_skip = settings.max_skip;
  std::uint8_t pending_gap = 0;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (flags[i] & kSeparator) {
      if (!p.skeleton.empty()) pending_gap = std::max<std::uint8_t>(pending_gap, (flags[i] & kClauseBreak) ? 2 : 1);
      continue;
    }
    if (!p.skeleton.empty()) p.phrase_gap.push_back(pending_gap);
    pending_gap = 0;
    p.skeleton.push_back(chars[i]);
  }
  if (p.skeleton.empty()) {
    if (error) *error = "phrase \"" + std::string(phrase) + "\" has no letters, digits or ideographs to match";
    return -1;
  }
  const bool first_word = norm.flags_of(p.skeleton.front()) & kWordChar;
  const bool last_word = norm.flags_of(p.skeleton.back()) & kWordChar;
  switch (settings.whole_word) {
    case WholeWord::automatic:
      p.word_start = first_word;
      p.word_end = last_word;
      break;
    case WholeWord::always: p.word_start = p.word_end = true; break;
    case WholeWord::never: break;
  }
  const auto id = static_cast<std::uint32_t>(patterns_.size());
  automata_[p.variant]->pending.push_back(id);
  variant_used_[p.variant] = true;
  patterns_.push_back(std::move(p));
  ++literal_count_;
  return static_cast<int>(id);
}

namespace {
RE2::Options regex_options(std::size_t max_mem) {
  RE2::Options o;
  o.set_max_mem(static_cast<int64_t>(max_mem));
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  return o;
}
}  // namespace

int PhraseMatcher::add_regex(std::string_view pattern, std::uint32_t group, const MatchSettings& settings,
                             std::size_t max_mem, std::string* error) {
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), regex_options(max_mem));
  if (!re->ok()) {
    if (error) *error = re->error();
    return -1;
  }
  PatternInfo p;
  p.text = std::string(pattern);
  p.group = group;
  p.is_regex = true;
  p.variant = variant_of(settings);
  const auto id = static_cast<std::uint32_t>(patterns_.size());
  RegexBank& bank = *regexes_[p.variant];
  bank.ids.push_back(id);
  bank.regexes.push_back(std::move(re));
  variant_used_[p.variant] = true;
  patterns_.push_back(std::move(p));
  return static_cast<int>(id);
}

void PhraseMatcher::set_audience(std::uint32_t group, Audience audience) {
  if (group_audience_.size() <= group) group_audience_.resize(group + 1, kEveryAudience);
  group_audience_[group] = audience;
}

bool PhraseMatcher::build(std::size_t set_max_mem, std::string* error) {
  static std::atomic<std::uint64_t> builds{0};
  build_id_ = ++builds;
  for (PatternInfo& p : patterns_) {
    p.audience = p.group < group_audience_.size() ? group_audience_[p.group] : kEveryAudience;
  }
  std::size_t literal_variants = 0;
  for (int v = 0; v < kVariants; ++v) literal_variants += !automata_[v]->pending.empty();
  if (literal_variants > 1) {
    all_variants_ = std::make_unique<Automaton>();
    for (int v = 0; v < kVariants; ++v) {
      all_variants_->pending.insert(all_variants_->pending.end(), automata_[v]->pending.begin(),
                                    automata_[v]->pending.end());
    }
    all_variants_->build(patterns_);
  }
  for (int v = 0; v < kVariants; ++v) {
    automata_[v]->build(patterns_);
    RegexBank& bank = *regexes_[v];
    if (bank.regexes.empty()) continue;
    bank.all.resize(bank.regexes.size());
    for (std::size_t i = 0; i < bank.all.size(); ++i) bank.all[i] = static_cast<int>(i);
    // Size the DFA budget from the pattern count, within the caller's cap.
    const std::size_t budget =
        std::min<std::size_t>(set_max_mem, std::max<std::size_t>(8u << 20, bank.regexes.size() << 18));
    bank.set = std::make_unique<RE2::Set>(regex_options(budget), RE2::UNANCHORED);
    for (auto& re : bank.regexes) {
      std::string err;
      if (bank.set->Add(re->pattern(), &err) < 0) {
        if (error) *error = "regex /" + re->pattern() + "/: " + err;
        return false;
      }
    }
    if (!bank.set->Compile()) {
      // Reported (E0115) rather than silently running every regex on its
      // own: the caller set the budget. A DFA that runs out of memory while
      // matching falls back to the single regexes (match_regexes).
      if (error) *error = "the rule set's regexes do not fit in the regex memory budget (regex_set_max_mem)";
      return false;
    }
    build_prefilter(bank);
  }
  return true;
}

void PhraseMatcher::build_prefilter(RegexBank& bank) {
  auto filter = std::make_unique<re2::FilteredRE2>(1);
  for (std::size_t i = 0; i < bank.regexes.size(); ++i) {
    int id = -1;
    if (filter->Add(bank.regexes[i]->pattern(), bank.regexes[i]->options(), &id) != RE2::NoError ||
        id != static_cast<int>(i)) {
      return;  // (cannot happen: each regex compiled once already) no prefilter
    }
  }
  std::vector<std::string> atoms_utf8;
  filter->Compile(&atoms_utf8);
  std::vector<std::u32string> atoms(atoms_utf8.size());
  for (std::size_t a = 0; a < atoms_utf8.size(); ++a) {
    if (utf8::find_invalid(atoms_utf8[a]) != std::string_view::npos) return;
    utf8::decode(atoms_utf8[a], atoms[a]);
    for (char32_t c : atoms[a]) {
      if (c >= 0x80 && u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_CASED)) return;
    }
  }
  bank.atoms.build(atoms);
  filter->AllPotentials({}, &bank.unfiltered);
  std::sort(bank.unfiltered.begin(), bank.unfiltered.end());
  bank.filter = std::move(filter);
}

namespace {

// A word of one letter ("a", "I"): next to a spelled-out word it is a word
// of its own ("You are a s t u p i d person", "c-r-a-p. I have"), not one
// more letter of the spelled-out run.
bool one_letter_word(char32_t c) {
  return c == U'a' || c == U'i';
}

bool is_apostrophe(char32_t c) {
  return c == U'\'' || c == 0x2019;
}

// Separators in chars (a, b) that count toward a run: an emoji modifier or
// an emoji joined by a ZWJ is part of the picture before it, and with
// `spaces_free` (the phrase itself has a separator here) whitespace is free.
std::uint32_t counted_gap(const NormText& t, std::uint32_t a, std::uint32_t b, bool spaces_free) {
  std::uint32_t n = 0;
  for (std::uint32_t i = a + 1; i < b; ++i) {
    if (t.flags[i] & kJoined) continue;
    if (spaces_free && (t.chars[i] == U' ' || t.chars[i] == U'\t')) continue;
    ++n;
  }
  return n;
}

// True if the apostrophe at `i` joins two parts of one word: "don't",
// "o'clock". The clitics 's 'd 'll 're 've 'm ("Don's", "he'll") end the
// word before them, as the possessive and the short forms of is/would/will/
// are/have/am do.
bool apostrophe_inside_word(const NormText& t, std::uint32_t i) {
  const std::uint32_t n = static_cast<std::uint32_t>(t.chars.size());
  if (i == 0 || i + 1 >= n || !is_apostrophe(t.chars[i])) return false;
  if (!(t.flags[i - 1] & kWordChar) || !(t.flags[i + 1] & kWordChar)) return false;
  std::u32string suffix;
  for (std::uint32_t k = i + 1; k < n && (t.flags[k] & kWordChar) && suffix.size() < 3; ++k)
    suffix.push_back(t.chars[k]);
  const bool more = i + 1 + suffix.size() < n && (t.flags[i + 1 + suffix.size()] & kWordChar);
  if (more) return true;
  return !(suffix == U"s" || suffix == U"d" || suffix == U"ll" || suffix == U"re" || suffix == U"ve" || suffix == U"m");
}

}  // namespace

bool PhraseMatcher::verify(const PatternInfo& p, const NormText& t, std::uint32_t skel_end, Hit& hit) const {
  const std::size_t len = p.skeleton.size();
  const std::uint32_t skel_begin = skel_end + 1 - static_cast<std::uint32_t>(len);
  std::size_t inner = 0, gapped = 0;
  for (std::size_t k = 0; k + 1 < len; ++k) {
    const std::uint32_t a = t.skeleton_pos[skel_begin + k], b = t.skeleton_pos[skel_begin + k + 1];
    if (p.phrase_gap[k]) {
      // The phrase itself has a separator here: any run of spaces and a few
      // other separators will do, but not a clause break unless the phrase has one.
      if (b - a - 1 > 0 && counted_gap(t, a, b, true) > static_cast<std::uint32_t>(std::max(3, p.max_skip)))
        return false;
      if (p.phrase_gap[k] == 1) {
        for (std::uint32_t i = a + 1; i < b; ++i) {
          if (t.flags[i] & kClauseBreak) return false;
        }
      }
      continue;
    }
    ++inner;
    if (b == a + 1) continue;
    if (counted_gap(t, a, b, false) > static_cast<std::uint32_t>(p.max_skip)) return false;
    ++gapped;
  }
  const bool spelled_out = gapped > 0 && gapped == inner && inner >= 2;
  if (gapped > 0 && !spelled_out) {
    // Only some characters are split apart. Accept inserted symbols/emoji
    // (不😊知道); between Latin letters accept nothing else (he'll is not hell);
    // in CJK text accept spaces but not a clause break (不，知道 is two clauses).
    for (std::size_t k = 0; k + 1 < len; ++k) {
      if (p.phrase_gap[k]) continue;
      const std::uint32_t a = t.skeleton_pos[skel_begin + k], b = t.skeleton_pos[skel_begin + k + 1];
      const bool latin = (t.flags[a] & kWordChar) && (t.flags[b] & kWordChar);
      for (std::uint32_t i = a + 1; i < b; ++i) {
        const std::uint8_t f = t.flags[i];
        if (latin ? !(f & kSymbol) : (f & kClauseBreak) != 0) return false;
      }
    }
  }
  const std::uint32_t first = t.skeleton_pos[skel_begin];
  const std::uint32_t last = t.skeleton_pos[skel_end];
  const std::uint32_t n = static_cast<std::uint32_t>(t.chars.size());
  if (p.word_start && first > 0) {
    if (t.flags[first - 1] & kWordChar) return false;
    if (apostrophe_inside_word(t, first - 1)) return false;  // "ll" in "I'll", "t" in "don't"
    if (spelled_out) {  // "h e l l o" does not spell "hell": the run of single letters goes on
      std::uint32_t i = first;
      int seps = 0;
      while (i > 0 && (t.flags[i - 1] & kSeparator) && seps <= p.max_skip) --i, ++seps;
      if (i > 0 && seps > 0 && (t.flags[i - 1] & kWordChar) && (i == 1 || !(t.flags[i - 2] & kWordChar)) &&
          !one_letter_word(t.chars[i - 1]))
        return false;
    }
  }
  if (p.word_end && last + 1 < n) {
    if (t.flags[last + 1] & kWordChar) return false;
    if (apostrophe_inside_word(t, last + 1)) return false;  // "don" in "don't"
    if (spelled_out) {
      std::uint32_t i = last + 1;
      int seps = 0;
      while (i < n && (t.flags[i] & kSeparator) && seps <= p.max_skip) ++i, ++seps;
      if (i < n && seps > 0 && (t.flags[i] & kWordChar) && (i + 1 == n || !(t.flags[i + 1] & kWordChar)) &&
          !one_letter_word(t.chars[i]))
        return false;
    }
  }
  hit.norm_begin = first;
  hit.norm_end = last + 1;
  hit.begin = t.orig[first];
  hit.end = t.orig_end(last);
  return true;
}

void PhraseMatcher::match_literals(const NormText& text, int variant, std::vector<Hit>& out, Audience audience) const {
  scan_literals(*automata_[variant], text, out, audience);
}

void PhraseMatcher::match_literals_all_variants(const NormText& text, std::vector<Hit>& out, Audience audience) const {
  if (all_variants_) {
    scan_literals(*all_variants_, text, out, audience);
    return;
  }
  for (int v = 0; v < kVariants; ++v) scan_literals(*automata_[v], text, out, audience);
}

void PhraseMatcher::scan_literals(const Automaton& ac, const NormText& text, std::vector<Hit>& out,
                                  Audience audience) const {
  if (ac.out_ids.empty()) return;
  std::uint32_t node = 0;
  const char32_t* skel = text.skeleton.data();
  const auto n = static_cast<std::uint32_t>(text.skeleton.size());
  const std::uint64_t* words = ac.symbols.words();
  for (std::uint32_t j = 0; j < n; ++j) {
    const char32_t c = skel[j];
    const std::uint32_t s = c < 0x10000 ? ac.symbols.bmp(c, words[c >> 6]) : ac.symbols.of(c);
    if (s == 0) {
      node = 0;
      continue;
    }
    node = ac.step(node, s);
    if (ac.nodes[node].report != 0) report_hits(ac, node, text, j, out, audience);
  }
}

void PhraseMatcher::report_hits(const Automaton& ac, std::uint32_t node, const NormText& text, std::uint32_t skel_end,
                                std::vector<Hit>& out, Audience audience) const {
  for (std::uint32_t m = ac.nodes[node].report; m != 0; m = ac.dict[m]) {
    for (std::uint32_t o = ac.out_begin[m]; o < ac.out_begin[m + 1]; ++o) {
      const std::uint32_t id = ac.out_ids[o];
      const PatternInfo& p = patterns_[id];
      if (!(p.audience & audience)) continue;
      Hit hit;
      if (!verify(p, text, skel_end, hit)) continue;
      hit.pattern = id;
      hit.group = p.group;
      out.push_back(hit);
    }
  }
}

namespace {
constexpr std::size_t kAnswerSlots = 64;  // a power of two
}  // namespace

const std::vector<int>& PhraseMatcher::candidates(const RegexBank& bank, int variant, RegexScratch& scratch) const {
  if (scratch.matcher != build_id_ || scratch.answers.size() != kAnswerSlots) {
    scratch.answers.resize(kAnswerSlots);
    for (RegexScratch::Answer& a : scratch.answers) a.valid = false;
    scratch.matcher = build_id_;
  }
  std::uint64_t hash = 0xcbf29ce484222325u ^ static_cast<std::uint64_t>(variant);
  for (int atom : scratch.found) hash = (hash ^ static_cast<std::uint64_t>(atom)) * 0x100000001b3u;
  RegexScratch::Answer& a = scratch.answers[(hash ^ hash >> 29) & (kAnswerSlots - 1)];
  if (a.valid && a.variant == variant && a.atoms == scratch.found) return a.candidates;
  a.valid = false;  // until filled in (AllPotentials might throw bad_alloc)
  bank.filter->AllPotentials(scratch.found, &a.candidates);
  std::sort(a.candidates.begin(), a.candidates.end());
  a.atoms = scratch.found;
  a.variant = variant;
  a.valid = true;
  return a.candidates;
}

void PhraseMatcher::match_regexes(NormText& text, int variant, std::vector<Hit>& out, RegexScratch& scratch,
                                  Audience audience) const {
  const RegexBank& bank = *regexes_[variant];
  if (bank.regexes.empty()) return;
  const std::vector<int>* which = &bank.all;
  if (bank.filter) {
    find_atoms(bank.atoms, text.chars, scratch.found);
    // Most texts hold no atom: asking the filter tree costs more than the scan.
    which = scratch.found.empty() ? &bank.unfiltered : &candidates(bank, variant, scratch);
  }
  auto for_audience = [&](int w) {
    return (patterns_[bank.ids[static_cast<std::size_t>(w)]].audience & audience) != 0;
  };
  if (!std::all_of(which->begin(), which->end(), for_audience)) {  // only the audience's regexes run
    scratch.wanted.clear();
    std::copy_if(which->begin(), which->end(), std::back_inserter(scratch.wanted), for_audience);
    which = &scratch.wanted;
  }
  if (which->empty()) return;  // no regex can match here
  text.ensure_utf8();
  const re2::StringPiece input(text.utf8);
  // With a prefilter and at most two candidates, each runs on its own (that
  // beats a pass of the whole set); else the set says which regexes match.
  if (bank.set && !(bank.filter && which->size() <= 2)) {
    scratch.which.clear();
    RE2::Set::ErrorInfo info{};
    if (bank.set->Match(input, &scratch.which, &info) || info.kind == RE2::Set::kNoError) {
      // The set holds every regex: keep those that can match here (a candidate, for the audience).
      std::sort(scratch.which.begin(), scratch.which.end());
      scratch.which.erase(std::remove_if(scratch.which.begin(), scratch.which.end(),
                                         [&](int w) { return !std::binary_search(which->begin(), which->end(), w); }),
                          scratch.which.end());
      which = &scratch.which;
    }  // else the set's DFA ran out of memory: each candidate on its own
  }
  for (int w : *which) {
    const RE2& re = *bank.regexes[static_cast<std::size_t>(w)];
    std::size_t pos = 0;
    re2::StringPiece m;
    while (pos <= input.size() && re.Match(input, pos, input.size(), RE2::UNANCHORED, &m, 1)) {
      const auto b = static_cast<std::uint32_t>(m.data() - input.data());
      const auto e = static_cast<std::uint32_t>(b + m.size());
      if (m.empty()) {
        pos = b + 1;
        continue;
      }
      pos = e;
      Hit hit;
      hit.pattern = bank.ids[static_cast<std::size_t>(w)];
      hit.group = patterns_[hit.pattern].group;
      hit.norm_begin = text.norm_index_of_byte(b);
      hit.norm_end = text.norm_index_of_byte(e - 1) + 1;
      hit.begin = text.orig[hit.norm_begin];
      hit.end = text.orig_end(hit.norm_end - 1);
      out.push_back(hit);
    }
  }
}

}  // namespace chatqa::text
