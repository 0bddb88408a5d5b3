// Timestamp formatting into the caller's buffer (internal): the evaluator
// formats the time of every message a finding points at, and keeps the text
// in a string whose memory it reuses from session to session.
#pragma once

#include <cstddef>
#include <string>

#include "chatqa/session.hpp"

namespace chatqa::detail {

// Room format_iso8601 needs.
inline constexpr std::size_t kIso8601Max = 64;

// Writes `t` as Timestamp::to_iso8601 does to buf (kIso8601Max chars, not
// terminated); returns the length.
std::size_t format_iso8601(const Timestamp& t, char* buf);
// out = `t` as Timestamp::to_iso8601 writes it, in out's own memory.
void assign_iso8601(const Timestamp& t, std::string& out);

}  // namespace chatqa::detail
