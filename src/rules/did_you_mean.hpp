// "did you mean" for diagnostics: the candidate closest to a misspelt key,
// name or id.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace chatqa::detail {

// The closest of `candidates` to `word` by edit distance, if close enough.
std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace chatqa::detail
