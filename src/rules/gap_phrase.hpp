// Gap phrases in phrase lists: "还有…帮" (see gap_phrase.cpp).
#pragma once

#include <string>

#include "text/phrase_matcher.hpp"

namespace chatqa::detail {

// The gap allowed by a bare "…" when the rule set's options.max_gap does not say.
constexpr int kDefaultMaxGap = 8;

// True if `phrase` holds "…" (U+2026): a gap phrase.
bool is_gap_phrase(const std::string& phrase);
// The RE2 regex (over normalised text) of a gap phrase; "" with `error` set
// when the phrase is malformed (an empty part, a bad "{N}").
std::string gap_phrase_regex(const std::string& phrase, const text::MatchSettings& settings, int default_gap,
                             std::string& error);

}  // namespace chatqa::detail
