// Literal phrases: the scan of a message's skeleton with the Aho–Corasick
// automaton, each candidate end handed to verify() (phrase_verify.cpp).
#include "text/aho_corasick.hpp"

namespace chatqa::text {

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

}  // namespace chatqa::text
