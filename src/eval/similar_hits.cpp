// The hits of phrase groups with example sentences ("similar"): computed per
// message on the first question about one of them, so messages no check
// asks about (outside every window of such a group, or of another role)
// are never compared.
#include <algorithm>

#include "eval/eval_context.hpp"

namespace chatqa::detail {

void EvalContext::match_similar(std::size_t i) {
  buf_.sim_done[i] = 1;
  const text::SimilarityIndex& index = rules_.similar;
  const std::size_t slots = index.groups().size();
  const std::size_t base = i * slots;
  for (std::size_t s = 0; s < slots; ++s) {
    buf_.sim_nearest[base + s].score = -1;
    buf_.sim_begin[base + s] = buf_.sim_end[base + s] = static_cast<std::uint32_t>(buf_.sim_hits.size());
  }
  const Message& m = session_.messages[i];
  const RoleMask role = RoleMask::of(m.role);
  buf_.sim_found.clear();
  buf_.sim_near.clear();
  if (!m.text.empty()) {
    for (int v = 0; v < text::kVariants; ++v) {
      if (!index.uses_variant(v)) continue;
      index.match(norm(i, v), v, role.bits, buf_.sim_scratch, buf_.sim_found, buf_.sim_near);
    }
  }
  for (const text::SimilarMatch& n : buf_.sim_near) {
    buf_.sim_nearest[base + static_cast<std::size_t>(rules_.groups[n.group].similar_slot)] = n;
  }
  // Per slot: the group's literal and regex hits, then its similar spans, sorted as hits() sorts.
  for (std::size_t s = 0; s < slots; ++s) {
    const std::uint32_t group = index.groups()[s];
    const auto first = buf_.sim_hits.size();
    if (rules_.groups[group].roles.has(m.role)) {
      auto [b, e] = literal_hits(i, group);
      for (const text::Hit* h = b; h != e; ++h) {
        buf_.sim_hits.push_back(*h);
        buf_.sim_scores.push_back(-1);
      }
      for (const text::SimilarMatch& f : buf_.sim_found) {
        if (f.group != group) continue;
        text::Hit h;
        h.pattern = text::kSimilarPatternBit | f.example;
        h.group = group;
        h.norm_begin = f.norm_begin;
        h.norm_end = f.norm_end;
        h.begin = f.begin;
        h.end = f.end;
        buf_.sim_hits.push_back(h);
        buf_.sim_scores.push_back(f.score);
      }
    }
    const auto last = buf_.sim_hits.size();
    if (last - first > 1) {
      // Sort hits and scores together (by an index permutation; a group has few hits).
      std::vector<std::size_t> order(last - first);
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = first + k;
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const text::Hit& x = buf_.sim_hits[a];
        const text::Hit& y = buf_.sim_hits[b];
        if (x.begin != y.begin) return x.begin < y.begin;
        if (x.end != y.end) return x.end > y.end;
        return x.pattern < y.pattern;
      });
      std::vector<text::Hit> hits;
      std::vector<double> scores;
      for (std::size_t k : order) {
        hits.push_back(buf_.sim_hits[k]);
        scores.push_back(buf_.sim_scores[k]);
      }
      std::copy(hits.begin(), hits.end(), buf_.sim_hits.begin() + static_cast<std::ptrdiff_t>(first));
      std::copy(scores.begin(), scores.end(), buf_.sim_scores.begin() + static_cast<std::ptrdiff_t>(first));
    }
    buf_.sim_begin[base + s] = static_cast<std::uint32_t>(first);
    buf_.sim_end[base + s] = static_cast<std::uint32_t>(last);
  }
}

std::optional<double> EvalContext::similarity(std::size_t i, const text::Hit& hit) {
  if (!text::is_similar_pattern(hit.pattern)) return std::nullopt;
  const std::int32_t slot = rules_.groups[hit.group].similar_slot;
  if (slot < 0) return std::nullopt;
  if (!buf_.sim_done[i]) match_similar(i);
  const std::size_t k = i * rules_.similar.groups().size() + static_cast<std::size_t>(slot);
  for (std::uint32_t h = buf_.sim_begin[k]; h < buf_.sim_end[k]; ++h) {
    const text::Hit& x = buf_.sim_hits[h];
    if (x.pattern == hit.pattern && x.begin == hit.begin && x.end == hit.end) return buf_.sim_scores[h];
  }
  return std::nullopt;
}

const text::SimilarMatch& EvalContext::nearest_similar(std::size_t i, std::uint32_t group) {
  static const text::SimilarMatch none = [] {
    text::SimilarMatch m;
    m.score = -1;
    return m;
  }();
  const std::int32_t slot = rules_.groups[group].similar_slot;
  if (slot < 0) return none;
  if (!buf_.sim_done[i]) match_similar(i);
  return buf_.sim_nearest[i * rules_.similar.groups().size() + static_cast<std::size_t>(slot)];
}

}  // namespace chatqa::detail
