// PhraseMatcher::Automaton: the Aho–Corasick automaton over the normalised
// code points of a rule set's literal phrases (one per text variant, and one
// of all variants' literals). Built by PhraseMatcher::build
// (phrase_matcher.cpp), scanned by match_literals (aho_corasick.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "text/char_ranks.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::text {

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
  // Long function: builds the automaton in its fixed order (trie, breadth-first failure links,
  // output links, dense rows) over shared node arrays.
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

}  // namespace chatqa::text
