// Timestamp formatting into the caller's buffer (internal): the evaluator
// formats the time of every message a finding points at, and keeps the text
// in a string whose memory it reuses from session to session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chatqa/session.hpp"

namespace chatqa::detail {

// Room format_iso8601 needs.
inline constexpr std::size_t kIso8601Max = 64;

// Writes `t` as Timestamp::to_iso8601 does to buf (kIso8601Max chars, not
// terminated); returns the length.
std::size_t format_iso8601(const Timestamp& t, char* buf);
// out = `t` as Timestamp::to_iso8601 writes it, in out's own memory.
void assign_iso8601(const Timestamp& t, std::string& out);

// A calendar date and wall time at a UTC offset (minutes) as a Timestamp;
// nullopt when a field is out of range (Feb 30, 24:00, ...). Every time
// reader ends here (time.cpp).
std::optional<Timestamp> compose_time(int year, int month, int day, int hour, int minute, int second, int millis,
                                      int offset);

// `text` read with one strftime-style format (time_zone.cpp); times without
// a zone in options.time_zone, else options.default_utc_offset_minutes.
std::optional<Timestamp> parse_time_format(std::string_view text, std::string_view format,
                                           const SessionOptions& options);
// The instant of a local wall time (epoch_ms as if the zone were UTC) in the
// IANA zone `zone`, daylight saving applied; nullopt for an unknown zone.
std::optional<Timestamp> from_local(std::int64_t local_ms, const std::string& zone);
// The offset in minutes of `zone` at an instant (`fallback` for an unknown zone).
int zone_offset_at_utc(const std::string& zone, std::int64_t epoch_ms, int fallback);

}  // namespace chatqa::detail
