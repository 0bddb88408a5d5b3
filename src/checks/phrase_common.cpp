#include "checks/phrase_common.hpp"

#include <cstdio>
#include "text/evasion.hpp"

namespace chatqa::detail {

std::uint32_t compile_phrase_group(Params& p, RoleMask roles, const text::MatchSettings& settings, bool required) {
  const std::uint32_t group = p.ctx().new_group(roles, settings);
  auto phrases = p.strings("phrases");
  auto regexes = p.strings("regex");
  const bool similar = compile_similar(p, group);
  if (required && phrases.empty() && regexes.empty() && !similar) {
    p.ctx().error("E0103", p.pointer(), "needs \"phrases\", \"regex\" or \"similar\"");
  }
  p.ctx().add_phrases(group, phrases);
  p.ctx().add_regexes(group, regexes);
  p.ctx().mark_shareable(group);
  return group;
}

std::optional<std::uint32_t> compile_allow_group(Params& p, const std::string& key, RoleMask roles,
                                                 const text::MatchSettings& settings) {
  auto allow = p.strings(key);
  if (allow.empty()) return std::nullopt;
  const std::uint32_t group = p.ctx().new_group(roles, settings);
  p.ctx().add_phrases(group, allow);
  p.ctx().mark_shareable(group);
  return group;
}

std::vector<std::uint32_t> compile_phrase_groups(Params& p, RoleMask roles, const text::MatchSettings& settings) {
  std::vector<std::uint32_t> groups;
  for (auto& entry : p.strings("phrases")) {
    groups.push_back(p.ctx().new_group(roles, settings));
    p.ctx().add_phrases(groups.back(), {entry});
    p.ctx().mark_shareable(groups.back());
  }
  for (auto& entry : p.strings("regex")) {
    groups.push_back(p.ctx().new_group(roles, settings));
    p.ctx().add_regexes(groups.back(), {entry});
    p.ctx().mark_shareable(groups.back());
  }
  if (p.has("similar")) {  // all the examples: one more group
    groups.push_back(p.ctx().new_group(roles, settings));
    compile_similar(p, groups.back());
  }
  if (groups.empty()) p.ctx().error("E0103", p.pointer(), "needs \"phrases\", \"regex\" or \"similar\"");
  return groups;
}

namespace {

// The hits of `allow` in message i ([nullptr, nullptr) without an allow-list).
std::pair<const text::Hit*, const text::Hit*> allowed_hits(EvalContext& ctx, std::size_t i,
                                                           std::optional<std::uint32_t> allow) {
  if (!allow) return {nullptr, nullptr};
  return ctx.hits(i, *allow);
}

// True if an allowed phrase covers hit h.
bool allowed(const text::Hit& h, const text::Hit* ab, const text::Hit* ae) {
  for (const text::Hit* a = ab; a != ae; ++a) {
    if (a->begin <= h.begin && h.end <= a->end) return true;
  }
  return false;
}

}  // namespace

void visible_hits(EvalContext& ctx, std::size_t i, std::uint32_t group, std::optional<std::uint32_t> allow,
                  std::vector<text::Hit>& out) {
  out.clear();
  auto [b, e] = ctx.hits(i, group);
  if (b == e) return;
  const auto [ab, ae] = allowed_hits(ctx, i, allow);
  std::uint32_t covered_to = 0;
  bool any = false;
  for (const text::Hit* h = b; h != e; ++h) {
    // Sorted by begin, longer first: a hit ending inside an earlier one is covered by it.
    if (any && h->end <= covered_to) continue;
    if (allowed(*h, ab, ae)) continue;
    out.push_back(*h);
    covered_to = any ? std::max(covered_to, h->end) : h->end;
    any = true;
  }
}

const std::string& pattern_text(const RuleSet::Impl& rules, std::uint32_t pattern) {
  if (text::is_similar_pattern(pattern)) return rules.similar.example(pattern & ~text::kSimilarPatternBit).text;
  if (!rules.pattern_display.empty()) {
    const auto it = rules.pattern_display.find(pattern);
    if (it != rules.pattern_display.end()) return it->second;
  }
  return rules.matcher.pattern(pattern).text;
}

void set_matched(EvalContext& ctx, std::size_t i, const text::Hit& h, Finding& f) {
  f.matched = pattern_text(ctx.rules(), h.pattern);
  f.similarity = ctx.similarity(i, h);
}

namespace {

std::string two_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string similar_note(const Finding& f) {
  if (!f.similarity) return "";
  return " (similar to 「" + f.matched + "」, " + two_decimals(*f.similarity) + ")";
}

std::string near_miss(EvalContext& ctx, const MessageList& in, std::uint32_t group, Finding& f) {
  const RuleSet::Impl& rules = ctx.rules();
  const std::int32_t slot = rules.groups[group].similar_slot;
  if (slot < 0) return "";
  const text::SimilarMatch* best = nullptr;
  std::size_t best_message = 0;
  for (std::size_t i : in) {
    const text::SimilarMatch& m = ctx.nearest_similar(i, group);
    if (m.score < 0) continue;
    if (!best || m.score > best->score) {
      best = &m;
      best_message = i;
    }
  }
  if (!best) return "";
  const text::Example& e = rules.similar.example(best->example);
  f.nearest = e.text;
  f.similarity = best->score;
  Location& at = ctx.related(f);
  ctx.locate(best_message, best->begin, best->end, at);
  std::string out = "; nearest: #" + std::to_string(best_message) + " 「" + at.quote + "」 ≈ 「" + e.text + "」 " +
                    two_decimals(best->score);
  if (best->excluded_by >= 0) {
    out += ", but closer to the excluded 「" +
           rules.similar.example(static_cast<std::uint32_t>(best->excluded_by)).text + "」 (" +
           two_decimals(best->excluded_score) + ")";
  } else {
    out += " < " + two_decimals(rules.similar.threshold(static_cast<std::uint32_t>(slot)));
  }
  return out;
}

std::string describe_pattern(const RuleSet::Impl& rules, std::uint32_t pattern) {
  if (text::is_similar_pattern(pattern)) return "≈「" + pattern_text(rules, pattern) + "」";
  const text::PatternInfo& p = rules.matcher.pattern(pattern);
  const bool shown_as_phrase = !p.is_regex || rules.pattern_display.count(pattern);
  std::string out = shown_as_phrase ? pattern_text(rules, pattern) : "/" + p.text + "/";
  if (!p.label.empty()) out += " (" + p.label + ")";
  return out;
}

std::string sample_phrases(const RuleSet::Impl& rules, std::uint32_t group, std::size_t limit) {
  std::string out;
  std::size_t shown = 0, total = 0;
  for (std::size_t id = 0; id < rules.matcher.pattern_count(); ++id) {
    const text::PatternInfo& p = rules.matcher.pattern(static_cast<std::uint32_t>(id));
    if (p.group != group) continue;
    ++total;
    if (shown < limit) {
      const bool shown_as_phrase = !p.is_regex || rules.pattern_display.count(static_cast<std::uint32_t>(id));
      out += (shown ? " / " : "") + (shown_as_phrase ? pattern_text(rules, static_cast<std::uint32_t>(id)) : "/" + p.text + "/");
      ++shown;
    }
  }
  if (total > shown) out += " / … (" + std::to_string(total) + " in all)";
  const std::int32_t slot = rules.groups[group].similar_slot;
  if (slot >= 0) {
    std::size_t examples = 0, first = 0;
    for (std::uint32_t id = 0; id < rules.similar.example_count(); ++id) {
      const text::Example& e = rules.similar.example(id);
      if (e.group != group || e.negative) continue;
      if (examples++ == 0) first = id;
    }
    if (examples > 0) {
      out += (out.empty() ? "" : " / ") + std::string("≈「") + rules.similar.example(static_cast<std::uint32_t>(first)).text +
             "」";
      if (examples > 1) out += " (+" + std::to_string(examples - 1) + " similar)";
    }
  }
  return out;
}

}  // namespace chatqa::detail

namespace chatqa::detail {

bool Scope::select(EvalContext& ctx, RoleMask roles, MessageList& in) const {
  const std::size_t n = ctx.size();
  if (n == 0) return true;
  std::size_t lo = 0, hi = n;  // [lo, hi) of candidate messages
  auto first_with = [&](std::uint32_t group, RoleMask anchor_roles) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < n; ++i) {
      if (!anchor_roles.has(ctx.message(i).role)) continue;
      auto [b, e] = ctx.hits(i, group);
      if (b != e) return i;
    }
    return std::nullopt;
  };
  if (after) {
    auto a = first_with(*after, after_roles);
    if (!a) return false;
    lo = *a + 1;
  }
  if (before) {
    if (auto b = first_with(*before, before_roles)) hi = std::min(hi, *b);
  }
  // Messages are in time order, so the time bounds end a walk, and the
  // first (last) N members are found by walking from the start (end): a
  // window of a long chat costs its own size, not the chat's (live scoring
  // asks after every message).
  const auto member = [&](std::size_t i) {
    return roles.has(ctx.message(i).role) && ctx.message(i).is_utterance();  // an event or empty row is no member
  };
  if (last_messages > 0) {
    std::vector<std::size_t> last;  // backwards
    for (std::size_t i = hi; i-- > lo && last.size() < static_cast<std::size_t>(last_messages);) {
      if (last_seconds >= 0 && seconds_between(ctx.message(i), ctx.message(n - 1)) > last_seconds) break;
      if (!member(i)) continue;
      if (first_seconds >= 0 && seconds_between(ctx.message(0), ctx.message(i)) > first_seconds) continue;
      last.push_back(i);
    }
    for (auto i = last.rbegin(); i != last.rend(); ++i) in.push_back(*i);
    return true;
  }
  for (std::size_t i = lo; i < hi; ++i) {
    if (first_seconds >= 0 && seconds_between(ctx.message(0), ctx.message(i)) > first_seconds) break;
    if (!member(i)) continue;
    if (last_seconds >= 0 && seconds_between(ctx.message(i), ctx.message(n - 1)) > last_seconds) continue;
    in.push_back(i);
    if (first_messages > 0 && in.size() == static_cast<std::size_t>(first_messages)) break;
  }
  if (first_messages > 0 && in.size() > static_cast<std::size_t>(first_messages)) {
    in.keep_first(static_cast<std::size_t>(first_messages));
  }
  if (last_messages > 0 && in.size() > static_cast<std::size_t>(last_messages)) {
    in.keep_last(static_cast<std::size_t>(last_messages));
  }
  return true;
}

std::string Scope::describe(RoleMask roles) const {
  const std::string who = detail::describe(roles);
  std::string out;
  if (first_messages > 0) {
    out = "the first " + std::to_string(first_messages) + " " + who + " message(s)";
  } else if (last_messages > 0) {
    out = "the last " + std::to_string(last_messages) + " " + who + " message(s)";
  } else {
    out = (empty() ? "any " : "") + who + (empty() ? " message" : " messages");
  }
  if (first_seconds >= 0) out += " in the first " + format_seconds(first_seconds);
  if (last_seconds >= 0) out += " in the last " + format_seconds(last_seconds);
  if (after) out += " after " + after_text;
  if (before) out += " before " + before_text;
  return out;
}

Scope parse_scope(Params& p, const std::string& key, RoleMask roles, const text::MatchSettings& settings) {
  Scope s;
  const json* w = p.get(key);
  if (!w) return s;
  CompileContext& ctx = p.ctx();
  if (!w->is_object()) {
    ctx.error("E0104", p.pointer(key), "\"" + key + "\" must be an object");
    return s;
  }
  Params wp(ctx, *w, p.pointer(key),
            {"first_messages", "last_messages", "first_seconds", "last_seconds", "after", "before"});
  if (w->empty()) {
    ctx.error("E0105", p.pointer(key),
              "\"" + key +
                  "\" needs at least one of first_messages, last_messages, first_seconds, last_seconds, after, before");
  }
  s.first_messages = wp.integer("first_messages", false, 1, 1000000).value_or(0);
  s.last_messages = wp.integer("last_messages", false, 1, 1000000).value_or(0);
  s.first_seconds = wp.number("first_seconds", false, 0, 86400 * 30).value_or(-1);
  s.last_seconds = wp.number("last_seconds", false, 0, 86400 * 30).value_or(-1);
  if (s.first_messages > 0 && s.last_messages > 0) {
    ctx.error("E0105", wp.pointer("last_messages"), "use either first_messages or last_messages, not both");
  }
  auto anchor = [&](const std::string& name, std::optional<std::uint32_t>& group, RoleMask& anchor_roles,
                    std::string& text) {
    const json* a = wp.get(name);
    if (!a) return;
    if (!a->is_object()) {
      ctx.error("E0104", wp.pointer(name), "\"" + name + "\" must be an object with \"phrases\" or \"regex\"");
      return;
    }
    Params ap(ctx, *a, wp.pointer(name), {"phrases", "regex", "similar", "role"});
    anchor_roles = ap.roles("role", roles);
    group = compile_phrase_group(ap, anchor_roles, settings, true);
    text = sample_phrases(ctx.rule_set(), *group, 2);
  };
  anchor("after", s.after, s.after_roles, s.after_text);
  anchor("before", s.before, s.before_roles, s.before_text);
  return s;
}

void EvasionMatcher::build(const RuleSet::Impl& rules, std::uint32_t group, const text::MatchSettings& settings) {
  text::MatchSettings plain = settings;
  plain.traditional = false;
  plain.latin_evasions = false;
  for (std::size_t id = 0; id < rules.matcher.pattern_count(); ++id) {
    const text::PatternInfo& p = rules.matcher.pattern(static_cast<std::uint32_t>(id));
    if (p.group != group || p.is_regex) continue;
    const std::string folded = text::fold_evasion_phrase(p.text);
    for (const std::string& v : text::evasion_variants(folded)) {
      std::string why;
      if (matcher_.add_literal(v, 0, plain, &why) >= 0) base_.push_back(static_cast<std::uint32_t>(id));
    }
  }
  std::string why;
  if (base_.empty() || !matcher_.build(std::size_t{8} << 20, &why)) base_.clear();
}

void EvasionMatcher::add_hits(EvalContext& ctx, std::size_t i, std::optional<std::uint32_t> allow,
                              std::vector<text::Hit>& hits) const {
  if (base_.empty()) return;
  const text::NormText* folded = ctx.evasion_folded(i);
  if (!folded) return;  // nothing disguised: the plain hits are all there is
  thread_local std::vector<text::Hit> found;
  found.clear();
  matcher_.match_literals(*folded, 0, found);
  if (found.empty()) return;
  const auto [ab, ae] = allow ? ctx.hits(i, *allow) : std::pair<const text::Hit*, const text::Hit*>{nullptr, nullptr};
  const std::size_t plain = hits.size();
  for (text::Hit h : found) {
    bool overlaps = false;
    for (std::size_t k = 0; k < hits.size() && !overlaps; ++k) overlaps = h.begin < hits[k].end && hits[k].begin < h.end;
    for (const text::Hit* a = ab; a != ae && !overlaps; ++a) overlaps = a->begin <= h.begin && h.end <= a->end;
    if (overlaps) continue;
    h.pattern = base_[h.pattern];
    h.group = ctx.rules().matcher.pattern(h.pattern).group;
    hits.push_back(h);
  }
  if (hits.size() != plain) {
    std::sort(hits.begin(), hits.end(), [](const text::Hit& a, const text::Hit& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
  }
}

bool inside_quotes(const text::NormText& t, std::uint32_t begin, std::uint32_t end) {
  // Paired marks: an opening one is closed by its partner; straight quotes
  // alternate. A mark left open to the end of the message quotes nothing.
  static constexpr char32_t kPairs[][2] = {{0x300C, 0x300D}, {0x300E, 0x300F}, {0x201C, 0x201D},
                                           {0x2018, 0x2019}, {0xFE41, 0xFE42}, {0xFE43, 0xFE44},
                                           {0x300A, 0x300B}, {0x3008, 0x3009}};  // and titles 《》 〈〉
  constexpr std::size_t kKinds = sizeof kPairs / sizeof kPairs[0];
  std::int64_t open[kKinds + 2];
  for (auto& o : open) o = -1;
  const std::u32string& s = t.original;
  for (std::uint32_t k = 0; k < s.size(); ++k) {
    const char32_t c = s[k];
    if (c == U'"' || c == 0xFF02) {
      const std::size_t kind = c == U'"' ? kKinds : kKinds + 1;
      if (open[kind] < 0) {
        open[kind] = k;
      } else {
        if (open[kind] < begin && end <= k) return true;
        open[kind] = -1;
      }
      continue;
    }
    for (std::size_t kind = 0; kind < kKinds; ++kind) {
      if (c == kPairs[kind][0]) {
        if (open[kind] < 0) open[kind] = k;  // nested: the outer pair counts
      } else if (c == kPairs[kind][1] && open[kind] >= 0) {
        // An apostrophe (’ in don’t) closes nothing that was not opened.
        if (open[kind] < begin && end <= k) return true;
        open[kind] = -1;
      }
    }
  }
  return false;
}

long chars_outside(EvalContext& ctx, std::size_t i, std::initializer_list<std::optional<std::uint32_t>> groups) {
  const text::NormText& t = ctx.norm(i);
  std::vector<bool> covered(t.orig_length, false);
  for (const auto& g : groups) {
    if (!g) continue;
    auto [b, e] = ctx.hits(i, *g);
    for (const text::Hit* h = b; h != e; ++h) {
      for (std::uint32_t k = h->begin; k < h->end && k < t.orig_length; ++k) covered[k] = true;
    }
  }
  long count = 0;
  for (std::size_t k = 0; k < t.skeleton_pos.size(); ++k) {
    const std::uint32_t orig = t.orig[t.skeleton_pos[k]];
    if (orig < covered.size() && !covered[orig]) ++count;
  }
  return count;
}

std::string short_quote(EvalContext& ctx, std::size_t i, std::size_t limit) {
  const text::NormText& t = ctx.norm(i);
  if (t.orig_length <= limit) return ctx.shown_text(i);
  return std::string(ctx.quoted(i, 0, static_cast<std::uint32_t>(limit))) + "…";
}

std::optional<text::Hit> first_hit(EvalContext& ctx, std::size_t i, std::uint32_t group,
                                   std::optional<std::uint32_t> allow) {
  // visible_hits' first: no earlier visible hit can cover it, so it is the
  // first hit that no allowed phrase covers (found without a list of them).
  auto [b, e] = ctx.hits(i, group);
  if (b == e) return std::nullopt;
  const auto [ab, ae] = allowed_hits(ctx, i, allow);
  for (const text::Hit* h = b; h != e; ++h) {
    if (!allowed(*h, ab, ae)) return *h;
  }
  return std::nullopt;
}

}  // namespace chatqa::detail
