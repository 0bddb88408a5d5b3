// Timestamp formatting into the caller's buffer (internal): the evaluator
// formats the time of every message a finding points at, and keeps the text
// in a string whose memory it reuses from session to session.
#pragma once

#include <cstddef>

#include "chatqa/session.hpp"

namespace chatqa::detail {

// Room format_iso8601 needs.
inline constexpr std::size_t kIso8601Max = 64;

// Writes `t` as Timestamp::to_iso8601 does to buf (kIso8601Max chars, not
// terminated); returns the length.
std::size_t format_iso8601(const Timestamp& t, char* buf);

}  // namespace chatqa::detail
