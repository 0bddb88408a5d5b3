// chatqa — chat sessions: the input to evaluation.
//
// A Session is a plain value: parse it from JSON with parse_session() /
// parse_sessions(), or fill it in directly from C++. Messages are kept ordered
// by time (stable for equal times); parse_* do the ordering, code that builds a
// Session by hand should call sort_messages().
//
// Thread safety: the functions here are reentrant; Session is a value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/diagnostic.hpp"
#include "chatqa/export.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

enum class Role { customer, agent, bot, system };
// How many roles there are (Role values are 0 .. kRoleCount - 1).
inline constexpr std::size_t kRoleCount = static_cast<std::size_t>(Role::system) + 1;

const char* to_string(Role role) noexcept;
// Parses "customer" / "agent" / "bot" / "system".
std::optional<Role> role_from_string(std::string_view name) noexcept;

// An instant plus the UTC offset it was written in, so reports can quote times
// the way the input wrote them.
struct Timestamp {
  std::int64_t epoch_ms = 0;
  int utc_offset_minutes = 0;

  // ISO 8601, e.g. "2024-05-01T10:00:12+08:00" (".123" when milliseconds
  // are not zero; "Z" for offset 0).
  std::string to_iso8601() const;
};

struct Message {
  Role role = Role::customer;
  Timestamp time;
  std::string text;        // original UTF-8 text, as written
  std::string event;       // optional event name of system messages ("survey_sent", "transfer", ...)
  std::size_t input_index = 0;  // position in the input "messages" array

  // Whether the row says something: it has text (not only blanks) and is no
  // event. Rows that do not (a "survey_sent" system row, an export's empty
  // assignment or note row) are never a reply, never the start of a wait and
  // never a member of a phrase window (so never "the first agent message").
  bool is_utterance() const noexcept {
    if (!event.empty()) return false;
    for (char c : text) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return true;
    }
    return false;
  }
};

struct Session {
  std::string id;
  std::string agent;
  std::string team;
  // Scalar fields of "meta" (strings as-is; numbers and booleans as their JSON
  // text). Ordered map: deterministic iteration.
  std::map<std::string, std::string> meta;
  std::vector<Message> messages;  // ordered by time, stably

  // Orders messages by time, keeping input order for equal times.
  void sort_messages();
};

// Limits and defaults for reading sessions. Plain struct; defaults documented.
struct SessionOptions {
  // Offset applied to times without one ("2024-05-01 10:00:00"). Default +08:00.
  int default_utc_offset_minutes = 8 * 60;
  // A message whose text is longer than this is an error (E0207).
  std::size_t max_message_bytes = 64 * 1024;
  // A session with more messages than this is an error (E0207).
  std::size_t max_messages = 10000;
  // An IANA time zone ("America/New_York", "Asia/Shanghai") for times written
  // without an offset, daylight saving applied: it replaces
  // default_utc_offset_minutes, and epoch times are shown with its offset at
  // that instant. A time in the hour skipped in spring is read with the
  // offset before the change (02:30 -> 03:30 daylight time); one in the hour
  // repeated in autumn is the first of the two. Empty: no zone. Check a name
  // with time_zone_known(); an unknown one leaves times unreadable (E0204).
  std::string time_zone;
  // strftime-style formats tried in order before the built-in shapes, e.g.
  // "%m/%d/%Y %I:%M %p" (see docs/cli.md, --time-format); check one with
  // check_time_format().
  std::vector<std::string> time_formats;
};

// Why an input record could not be turned into a Session.
// Where: the SourceLocation's members: json_pointer inside the record, the
// 1-based input line (0 if unknown); file and column are set by readers that
// know them (else empty / 0).
struct InputError : SourceLocation {
  std::string code;  // "E0201".. see docs/diagnostics.md
  std::string message;
  std::size_t byte_offset = 0;  // offset of the problem in the input, if known
};

// Exactly one of session / error is set.
struct ParsedSession {
  std::optional<Session> session;
  std::optional<InputError> error;
  std::size_t line = 0;  // 1-based line where the record starts in the input
  // Filled by SessionReader (chatqa/reader.hpp): the input's name, where the
  // record starts in it, and for CSV the input line of each message (index =
  // Message::input_index).
  std::string input;
  std::size_t byte_offset = 0;
  std::vector<std::size_t> message_lines;
};

// Parses one JSON object holding one session. Never throws.
ParsedSession parse_session(std::string_view json_text, const SessionOptions& options = {});

// Whole inputs (one object, an array, JSON Lines, CSV, gzip): parse_sessions()
// and SessionReader in chatqa/reader.hpp (the chatqa::io library).

// Parses a time as the session format allows: ISO 8601 with offset or 'Z',
// "YYYY-MM-DD HH:MM:SS" / "YYYY-MM-DDTHH:MM:SS" (default offset), a string
// of epoch digits, or a common unambiguous export shape: year-first dates
// with '/', '.', '-' or 年月日 and 1- or 2-digit parts ("2024/7/8 9:05:00"),
// zones Z / UTC / GMT / ±HH[:]MM, and RFC 2822 ("Mon, 08 Jul 2024 14:00:01
// +0000"). Day- or month-first dates are ambiguous: nullopt. Returns nullopt
// if the text is not a time.
std::optional<Timestamp> parse_time(std::string_view text, int default_utc_offset_minutes);
// The same with SessionOptions' time_formats (tried first) and time_zone.
std::optional<Timestamp> parse_time(std::string_view text, const SessionOptions& options);
// Whether `name` is an IANA time zone ICU knows ("America/New_York").
bool time_zone_known(std::string_view name);
// Why `format` cannot be a time format (an unknown directive, no date or no
// hour), or nullopt if it can. Directives: %Y %y %m %d %e %H %I %M %S %f %p
// %b %B %h %a %A %z %Z %s %T %%; a space matches any run of spaces.
std::optional<std::string> check_time_format(std::string_view format);
// Epoch seconds or milliseconds, told apart by magnitude (>= 1e11 means ms).
Timestamp time_from_epoch_number(double value, int default_utc_offset_minutes);

}  // namespace chatqa
CHATQA_PUBLIC_END
