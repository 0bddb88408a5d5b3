// Numbers and counts as reports, explanations and diagnostics write them.
// Used by every stage that writes text for people (rules: diagnostics;
// checks: explanations; report: JSON and text) and by the command line, so
// it depends on nothing but the standard library. Internal: not part of the
// public headers (nor exported from libchatqa.so).
#pragma once

#include <cstddef>
#include <string>

namespace chatqa {

// Formats a score or points value: integers without decimals, else up to 2.
std::string format_points(double value);

}  // namespace chatqa

namespace chatqa::detail {

// "12 s", "1.5 s": seconds as format_points writes them.
std::string format_seconds(double seconds);
// "1 message", "3 messages": `n` and the noun, plural unless n is 1 (the noun
// may be preceded by words: counted(2, "agent message") is "2 agent messages").
std::string counted(std::size_t n, const std::string& noun);

}  // namespace chatqa::detail
