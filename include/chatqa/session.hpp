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

#include "chatqa/export.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

enum class Role { customer, agent, bot, system };

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
};

// Why an input record could not be turned into a Session.
struct InputError {
  std::string code;          // "E0201".. see docs/diagnostics.md
  std::string message;
  std::string json_pointer;  // where inside the record, if known
  std::size_t line = 0;      // 1-based input line of the record (0 if unknown)
  std::size_t byte_offset = 0;  // offset of the problem in the input, if known
};

// Exactly one of session / error is set.
struct ParsedSession {
  std::optional<Session> session;
  std::optional<InputError> error;
  std::size_t line = 0;  // 1-based line where the record starts in the input
};

// Parses one JSON object holding one session. Never throws.
ParsedSession parse_session(std::string_view json_text, const SessionOptions& options = {});

// Parses a whole input: one object, an array of objects, or JSON Lines (one
// object per line; blank lines are skipped). Every record yields one entry,
// in input order; a record that cannot be read yields an error entry and the
// rest are still read. Never throws.
std::vector<ParsedSession> parse_sessions(std::string_view text, const SessionOptions& options = {});

// Parses a time as the session format allows: ISO 8601 with offset or 'Z',
// "YYYY-MM-DD HH:MM:SS" / "YYYY-MM-DDTHH:MM:SS" (default offset), or a string
// of epoch digits. Returns nullopt if the text is not a time.
std::optional<Timestamp> parse_time(std::string_view text, int default_utc_offset_minutes);
// Epoch seconds or milliseconds, told apart by magnitude (>= 1e11 means ms).
Timestamp time_from_epoch_number(double value, int default_utc_offset_minutes);

}  // namespace chatqa
CHATQA_PUBLIC_END
