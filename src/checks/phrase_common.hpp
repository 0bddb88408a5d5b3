// Helpers shared by the phrase-based checks.
#pragma once

#include <optional>
#include <vector>

#include "engine.hpp"

namespace chatqa::detail {

// Reads "phrases" (literals and "@lexicon" refs) and "regex" of `p` into one new
// group read from messages of `roles`. Reports E0103 when `required` and both are empty.
std::uint32_t compile_phrase_group(Params& p, RoleMask roles, const text::MatchSettings& settings, bool required);

// One group per entry of "phrases" and "regex" (for match: "all").
std::vector<std::uint32_t> compile_phrase_groups(Params& p, RoleMask roles, const text::MatchSettings& settings);

// Hits of `group` in message i that are not covered by a longer hit of the
// same group nor by a hit of `allow` (the allow-list: the longer allowed
// phrase covering a hit wins).
void visible_hits(EvalContext& ctx, std::size_t i, std::uint32_t group, std::optional<std::uint32_t> allow,
                  std::vector<text::Hit>& out);

// "不知道" or "不知道 (shirking)": the phrase as the rule wrote it, and its lexicon.
std::string describe_pattern(const RuleSet::Impl& rules, std::uint32_t pattern);
// Up to `limit` phrases of a group, for "missing" explanations.
std::string sample_phrases(const RuleSet::Impl& rules, std::uint32_t group, std::size_t limit = 3);

}  // namespace chatqa::detail
