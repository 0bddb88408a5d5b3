#include "checks/phrase_common.hpp"

namespace chatqa::detail {

std::uint32_t compile_phrase_group(Params& p, RoleMask roles, const text::MatchSettings& settings, bool required) {
  const std::uint32_t group = p.ctx().new_group(roles, settings);
  auto phrases = p.strings("phrases");
  auto regexes = p.strings("regex");
  if (required && phrases.empty() && regexes.empty()) {
    p.ctx().error("E0103", p.pointer(), "needs \"phrases\" or \"regex\"");
  }
  p.ctx().add_phrases(group, phrases);
  p.ctx().add_regexes(group, regexes);
  return group;
}

std::vector<std::uint32_t> compile_phrase_groups(Params& p, RoleMask roles, const text::MatchSettings& settings) {
  std::vector<std::uint32_t> groups;
  for (auto& entry : p.strings("phrases")) {
    groups.push_back(p.ctx().new_group(roles, settings));
    p.ctx().add_phrases(groups.back(), {entry});
  }
  for (auto& entry : p.strings("regex")) {
    groups.push_back(p.ctx().new_group(roles, settings));
    p.ctx().add_regexes(groups.back(), {entry});
  }
  if (groups.empty()) p.ctx().error("E0103", p.pointer(), "needs \"phrases\" or \"regex\"");
  return groups;
}

void visible_hits(EvalContext& ctx, std::size_t i, std::uint32_t group, std::optional<std::uint32_t> allow,
                  std::vector<text::Hit>& out) {
  out.clear();
  auto [b, e] = ctx.hits(i, group);
  if (b == e) return;
  const text::Hit* ab = nullptr;
  const text::Hit* ae = nullptr;
  if (allow) std::tie(ab, ae) = ctx.hits(i, *allow);
  std::uint32_t covered_to = 0;
  bool any = false;
  for (const text::Hit* h = b; h != e; ++h) {
    // Sorted by begin, longer first: a hit ending inside an earlier one is covered by it.
    if (any && h->end <= covered_to) continue;
    bool allowed = false;
    for (const text::Hit* a = ab; a != ae && !allowed; ++a) allowed = a->begin <= h->begin && h->end <= a->end;
    if (allowed) continue;
    out.push_back(*h);
    covered_to = any ? std::max(covered_to, h->end) : h->end;
    any = true;
  }
}

std::string describe_pattern(const RuleSet::Impl& rules, std::uint32_t pattern) {
  const text::PatternInfo& p = rules.matcher.pattern(pattern);
  std::string out = p.is_regex ? "/" + p.text + "/" : p.text;
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
      out += (shown ? " / " : "") + (p.is_regex ? "/" + p.text + "/" : p.text);
      ++shown;
    }
  }
  if (total > shown) out += " / … (" + std::to_string(total) + " in all)";
  return out;
}

}  // namespace chatqa::detail
