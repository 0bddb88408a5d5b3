// EvalContext: the per-call state every check reads (normalised texts,
// phrase hits, times, recycled findings), built lazily per message.
#include "eval/eval_context.hpp"

#include <algorithm>
#include <cstdint>

#include "input/time_format.hpp"
#include "text/pii_detect.hpp"
#include "text/evasion.hpp"
#include "text/utf8.hpp"

namespace chatqa::detail {

EvalContext::EvalContext(const RuleSet::Impl& rules, const Session& session, const EvalOptions& options,
                         EvalBuffers& buffers, std::size_t kept)
    : rules_(rules), session_(session), options_(options), buf_(buffers) {
  const std::size_t n = session.messages.size();
  if (kept > n) kept = n;
  // Resized, never shrunk: the NormTexts and strings kept keep their buffers.
  // The state arrays say what is stale, so only they are reset (from `kept`
  // on: a live session's earlier messages stay built).
  for (int v = 0; v < text::kVariants; ++v) {
    if (buf_.norm[v].size() < n) buf_.norm[v].resize(n);
    buf_.norm_state[v].resize(n);
    std::fill(buf_.norm_state[v].begin() + kept, buf_.norm_state[v].end(), kNotBuilt);
  }
  // Kept messages' hits stay where they are in the one array; new ones are
  // appended after them.
  if (kept == 0) buf_.hits.clear();
  buf_.hits_begin.resize(n);
  buf_.hits_end.resize(n);
  std::fill(buf_.hits_begin.begin() + kept, buf_.hits_begin.end(), 0);
  std::fill(buf_.hits_end.begin() + kept, buf_.hits_end.end(), 0);
  buf_.matched.resize(n);
  std::fill(buf_.matched.begin() + kept, buf_.matched.end(), 0);
  buf_.group_words = (rules.groups.size() + 63) / 64;
  buf_.group_bits.resize(n * buf_.group_words);
  std::fill(buf_.group_bits.begin() + kept * buf_.group_words, buf_.group_bits.end(), 0);
  if (buf_.times.size() < n) buf_.times.resize(n);
  for (std::size_t i = kept; i < n; ++i) buf_.times[i].clear();
  buf_.mask_state.resize(n);
  std::fill(buf_.mask_state.begin() + kept, buf_.mask_state.end(), kMaskUnknown);
  if (buf_.skeletons.size() < n) buf_.skeletons.resize(n);
  buf_.skeleton_built.resize(n);
  std::fill(buf_.skeleton_built.begin() + kept, buf_.skeleton_built.end(), 0);
  // Similar-phrase hits: a live session's earlier messages keep theirs (in
  // sim_hits, which only grows while messages are kept); the others are
  // computed again when asked for.
  if (!rules.similar.empty()) {
    const std::size_t per_message = rules.similar.groups().size();
    const std::size_t slots = n * per_message;
    if (kept == 0) {
      buf_.sim_hits.clear();
      buf_.sim_scores.clear();
    }
    buf_.sim_done.resize(n);
    std::fill(buf_.sim_done.begin() + kept, buf_.sim_done.end(), 0);
    buf_.sim_begin.resize(slots);
    buf_.sim_end.resize(slots);
    std::fill(buf_.sim_begin.begin() + kept * per_message, buf_.sim_begin.end(), 0);
    std::fill(buf_.sim_end.begin() + kept * per_message, buf_.sim_end.end(), 0);
    buf_.sim_nearest.resize(slots);
  }
  // Live scoring's searches (first_message) keep what they found before `kept`.
  for (auto& [check, memo] : buf_.first_messages) {
    if (memo.found != kNone && memo.found >= kept) memo.found = kNone;
    if (memo.found == kNone) memo.searched = std::min(memo.searched, kept);
  }
  if (buf_.evasion.size() < n) buf_.evasion.resize(n);
  buf_.evasion_state.resize(n);
  std::fill(buf_.evasion_state.begin() + kept, buf_.evasion_state.end(), 0);
}

const text::NormText* EvalContext::evasion_folded(std::size_t i) {
  std::uint8_t& state = buf_.evasion_state[i];
  if (state == 0) {
    const text::NormText& plain = norm(i, 0);
    state = text::may_fold_evasions(plain) ? 1 : 2;
    if (state == 1) text::fold_evasions(plain, buf_.evasion[i]);
  }
  return state == 1 ? &buf_.evasion[i] : nullptr;
}

const std::u32string& EvalContext::skeleton(std::size_t i) {
  if (buf_.norm_state[0][i] == kBuilt) return buf_.norm[0][i].skeleton;
  std::u32string& s = buf_.skeletons[i];
  if (!buf_.skeleton_built[i]) {
    text::Normalizer::instance().skeleton_of(session_.messages[i].text, s);
    buf_.skeleton_built[i] = 1;
  }
  return s;
}

text::NormText& EvalContext::build_norm(std::size_t i, int variant) {
  text::NormText& slot = buf_.norm[variant][i];
  if (variant == 1) {  // derived from the plain variant (which quotes need anyway)
    const text::NormText& plain = build_norm(i, 0);
    if (!text::Normalizer::instance().folds_traditional(plain)) {
      buf_.norm_state[1][i] = kSameAsPlain;
      return buf_.norm[0][i];
    }
    if (buf_.norm_state[1][i] == kNotBuilt) text::Normalizer::instance().fold_traditional(plain, slot);
  } else if (buf_.norm_state[0][i] == kNotBuilt) {
    text::Normalizer::instance().normalize(session_.messages[i].text, false, slot);
  }
  buf_.norm_state[variant][i] = kBuilt;
  return slot;
}

const text::NormText& EvalContext::norm(std::size_t i, int variant) {
  switch (buf_.norm_state[variant][i]) {
    case kBuilt: return buf_.norm[variant][i];
    case kSameAsPlain: return buf_.norm[0][i];
    default: return build_norm(i, variant);
  }
}

void EvalContext::match_message(std::size_t i) {
  buf_.matched[i] = 1;
  const Role role = session_.messages[i].role;
  const auto begin = static_cast<std::uint32_t>(buf_.hits.size());
  buf_.hits_begin[i] = buf_.hits_end[i] = begin;
  if (!rules_.matched_roles.has(role) || session_.messages[i].text.empty()) return;
  const text::PhraseMatcher& matcher = rules_.matcher;
  // Only the groups of the message's role are matched (set_audience at compile time).
  const text::Audience audience = RoleMask::of(role).bits;
  if (matcher.uses_variant(0) && matcher.uses_variant(1) && (norm(i, 1), buf_.norm_state[1][i] == kSameAsPlain)) {
    // No Traditional characters: both variants are the plain text, whose
    // literals of every variant one scan finds.
    text::NormText& t = buf_.norm[0][i];
    matcher.match_literals_all_variants(t, buf_.hits, audience);
    for (int v = 0; v < text::kVariants; ++v) matcher.match_regexes(t, v, buf_.hits, buf_.regex, audience);
  } else {
    for (int v = 0; v < text::kVariants; ++v) {
      if (!matcher.uses_variant(v)) continue;
      norm(i, v);
      // The regex matcher builds the UTF-8 form on the text it is given.
      text::NormText& t = buf_.norm_state[v][i] == kSameAsPlain ? buf_.norm[0][i] : buf_.norm[v][i];
      matcher.match_literals(t, v, buf_.hits, audience);
      matcher.match_regexes(t, v, buf_.hits, buf_.regex, audience);
    }
  }
  const auto first = buf_.hits.begin() + begin;
  buf_.hits.erase(std::remove_if(first, buf_.hits.end(),
                                 [&](const text::Hit& h) { return !rules_.groups[h.group].roles.has(role); }),
                  buf_.hits.end());
  std::sort(buf_.hits.begin() + begin, buf_.hits.end(), [](const text::Hit& a, const text::Hit& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  });
  buf_.hits_end[i] = static_cast<std::uint32_t>(buf_.hits.size());
  std::uint64_t* bits = buf_.group_bits.data() + i * buf_.group_words;
  for (auto h = buf_.hits.begin() + begin; h != buf_.hits.end(); ++h)
    bits[h->group >> 6] |= std::uint64_t{1} << (h->group & 63);
}

std::pair<const text::Hit*, const text::Hit*> EvalContext::hits(std::size_t i, std::uint32_t group) {
  if (rules_.groups[group].similar_slot >= 0) {
    if (!buf_.sim_done[i]) match_similar(i);
    const std::size_t k = i * rules_.similar.groups().size() + static_cast<std::size_t>(rules_.groups[group].similar_slot);
    return {buf_.sim_hits.data() + buf_.sim_begin[k], buf_.sim_hits.data() + buf_.sim_end[k]};
  }
  return literal_hits(i, group);
}

std::pair<const text::Hit*, const text::Hit*> EvalContext::literal_hits(std::size_t i, std::uint32_t group) {
  if (!buf_.matched[i]) match_message(i);
  group = rules_.matcher.canonical_group(group);  // a group equal to an earlier one has its hits
  const text::Hit* all = buf_.hits.data();
  const text::Hit* first = all + buf_.hits_begin[i];
  const text::Hit* last = all + buf_.hits_end[i];
  if (!(buf_.group_bits[i * buf_.group_words + (group >> 6)] >> (group & 63) & 1)) return {last, last};
  auto lo = std::lower_bound(first, last, group, [](const text::Hit& h, std::uint32_t g) { return h.group < g; });
  auto hi = std::upper_bound(lo, last, group, [](std::uint32_t g, const text::Hit& h) { return g < h.group; });
  return {lo, hi};
}

const std::string& EvalContext::time_of(std::size_t i) {
  std::string& t = buf_.times[i];
  if (t.empty()) assign_iso8601(session_.messages[i].time, t);  // into memory kept from earlier sessions
  return t;
}

void EvalContext::locate(std::size_t i, Location& loc) {
  loc.message = i;
  loc.time = time_of(i);
  loc.role = session_.messages[i].role;
  loc.quote.clear();
  loc.span.reset();
}

void EvalContext::locate(std::size_t i, std::uint32_t begin, std::uint32_t end, Location& loc) {
  locate(i, loc);
  loc.quote.assign(quoted(i, begin, end));
  loc.span = Span{begin, end};
}

std::string_view EvalContext::quoted(std::size_t i, std::uint32_t begin, std::uint32_t end) {
  const text::NormText& t = norm(i, 0);
  if (begin > t.orig_length) begin = t.orig_length;
  if (end > t.orig_length) end = t.orig_length;
  if (end < begin) end = begin;
  if (build_masked(i)) {
    const std::vector<std::uint32_t>& at = buf_.masked_bytes[i];
    return std::string_view(buf_.masked[i]).substr(at[begin], at[end] - at[begin]);
  }
  return std::string_view(session_.messages[i].text)
      .substr(t.orig_bytes[begin], t.orig_bytes[end] - t.orig_bytes[begin]);
}

bool EvalContext::build_masked(std::size_t i) {
  std::uint8_t& state = buf_.mask_state[i];
  if (state == kMaskUnknown) {
    state = kMaskClean;
    const text::NormText& t = norm(i, 0);
    if (options_.mask_pii && text::may_hold_pii(t.original)) {
      buf_.mask_work = t.original;
      if (text::mask_in_place(buf_.mask_work)) {
        if (buf_.masked.size() <= i) {
          buf_.masked.resize(size());
          buf_.masked_bytes.resize(size());
        }
        std::string& out = buf_.masked[i];
        std::vector<std::uint32_t>& at = buf_.masked_bytes[i];
        out.clear();
        at.clear();
        for (char32_t c : buf_.mask_work) {
          at.push_back(static_cast<std::uint32_t>(out.size()));
          utf8::append(out, c);
        }
        at.push_back(static_cast<std::uint32_t>(out.size()));
        state = kMaskMasked;
      }
    }
  }
  return state == kMaskMasked;
}

const std::string& EvalContext::shown_text(std::size_t i) {
  return build_masked(i) ? buf_.masked[i] : session_.messages[i].text;
}

namespace {

// Findings (and related locations) kept for reuse: enough for a busy
// session; a finding holding a long string (a quote of a huge message) is
// not kept.
constexpr std::size_t kSpareFindings = 256;
constexpr std::size_t kSpareStringBytes = 1024;

std::size_t string_bytes(const Location& loc) {
  return loc.time.capacity() + loc.quote.capacity();
}

void clear_location(Location& loc) {
  loc.message.reset();
  loc.time.clear();
  loc.role.reset();
  loc.quote.clear();
  loc.span.reset();
}

}  // namespace

void EvalContext::recycle(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    if (buf_.spare_findings.size() >= kSpareFindings) break;
    const std::size_t bytes = string_bytes(f.at) + (f.related ? string_bytes(*f.related) : 0) +
                              f.explanation.capacity() + f.suggestion.capacity() + f.matched.capacity() +
                              f.language.capacity() + f.nearest.capacity();
    if (bytes <= kSpareStringBytes) buf_.spare_findings.push_back(std::move(f));
  }
  findings.clear();
}

Finding EvalContext::finding() {
  if (buf_.spare_findings.empty()) return Finding();
  Finding f = std::move(buf_.spare_findings.back());
  buf_.spare_findings.pop_back();
  if (f.related) {
    if (buf_.spare_locations.size() < kSpareFindings) buf_.spare_locations.push_back(std::move(*f.related));
    f.related.reset();
  }
  clear_location(f.at);
  f.explanation.clear();
  f.suggestion.clear();
  f.matched.clear();
  f.nearest.clear();
  f.similarity.reset();
  f.language.clear();
  f.value.reset();
  return f;
}

Location& EvalContext::related(Finding& f) {
  if (f.related) return *f.related;
  if (buf_.spare_locations.empty()) return f.related.emplace();
  f.related.emplace(std::move(buf_.spare_locations.back()));
  buf_.spare_locations.pop_back();
  clear_location(*f.related);
  return *f.related;
}

}  // namespace chatqa::detail
