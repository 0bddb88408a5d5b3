// Sizes of a report's compact JSON (to_json, JSON Lines), for the report
// byte limit (EvalOptions::max_report_bytes, applied in eval/evaluate.cpp).
#pragma once

#include <cstddef>
#include <string>

#include "chatqa/report.hpp"

namespace chatqa::detail {

// Bytes `report` takes at most, cheaply: every string as if each byte
// needed a 6-byte escape, generous room for keys and numbers. Never less
// than the real size.
std::size_t json_bytes_upper_bound(const Report& report) noexcept;
// Exact bytes of `report` as compact JSON with every item listed (passed
// ones too) and every findings list empty. `scratch` is working memory.
std::size_t json_bytes_without_findings(const Report& report, std::string& scratch);
// Exact bytes of one finding in compact JSON (without the comma before it).
std::size_t finding_json_bytes(const Finding& finding, std::string& scratch);

// Room for a `"truncated":N` member: the comma, the key and 20 digits.
inline constexpr std::size_t kTruncatedMemberBytes = 1 + 12 + 20;

}  // namespace chatqa::detail
