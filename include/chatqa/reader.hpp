// chatqa — reading session inputs: a file, standard input or a text -> one
// ParsedSession (or one error record) per input record, in input order.
//
// This is the one definition of an input record (the command line, the
// library's parse_sessions() and the fuzz targets all read through it):
//
//   - JSON: one object, an array of objects, objects one after another (JSON
//     Lines, pretty-printed documents, `}{`, several on one line, lines ended
//     by CR), gzip-compressed or not (told by the magic bytes, not the name);
//   - CSV: one message per row, a header naming the columns (see CsvOptions).
//
// A record that cannot be read becomes an error record with its position
// (input name, line, byte offset, for CSV the row of each message) and the
// rest of the input is still read. Memory stays bounded by the largest record
// (ReadOptions::max_record_bytes), whatever the input size.
//
// Lives in the chatqa::io library (it links zlib and libcsv; chatqa::chatqa
// does not): link chatqa::io to use it.
//
// Thread safety: a SessionReader is used by one thread at a time.
// SessionReader::parse() is a pure function of its arguments and may be
// called from any number of threads at once (the command line cuts records on
// one thread and parses them on others).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/session.hpp"

namespace chatqa {

enum class InputFormat {
  automatic,  // CSV for names ending .csv / .csv.gz / .CSV or when CSV columns are mapped, else JSON
  json,
  csv,
};

// Where the columns of a CSV export are, and how its role values map to ours.
struct CsvOptions {
  // Our field -> the CSV header name. Fields: session, role, time, text (needed),
  // agent, team, event (optional). Unset fields use their own name as header
  // ("session" also finds a column named "id").
  std::map<std::string, std::string> columns;
  // CSV role value -> customer | agent | bot | system (others pass through
  // and are then unknown roles, E0205).
  std::map<std::string, std::string> roles;
  char delimiter = ',';
  // false (default): the rows of a session may be anywhere in the file (an
  // export sorted by time): they are grouped by session id, and the sessions
  // come out after the last row, in the order of their first row. Memory: up
  // to group_memory_bytes of rows (beyond it sorted runs go to temporary
  // files in temp_dir and are merged at the end) plus 32 bytes per session.
  // true: the rows of a session are consecutive; each session comes out as
  // soon as its rows end (constant memory but 32 bytes per session id); rows
  // of a session met again after other sessions are an error record (E0213)
  // at their first row.
  bool sorted = false;
  std::size_t group_memory_bytes = 256u << 20;
  std::string temp_dir;  // empty: $TMPDIR, else /tmp
};

// What to do with a row (a message of an export) whose field has a value.
enum class RowAction {
  message,  // keep it as a message
  drop,     // leave it out (private notes, typing indicators)
  event,    // keep it as a system row with this event name and no text: never a reply
  system,   // keep it as a system message (its text kept)
};

// A row filter: the value of `field` (a JSON path or CSV column) picks the action.
struct RowRule {
  std::string field;
  std::map<std::string, RowAction> actions;  // value (numbers and booleans as JSON text) -> action
  RowAction otherwise = RowAction::message;  // for values not listed (a row without the field is kept)
};

// How a help desk's export maps onto sessions: a mapping file (--map FILE),
// a shipped preset (--preset NAME) or flags. The defaults read chatqa's own
// format. Paths are dot-separated keys and array indexes ("author.type",
// "agent_ids.0"); a path starting "$session." is read from the session
// object rather than the message (a time the message does not carry itself).
struct Mapping {
  // The key of the array of sessions in a wrapper object ({"chats": [...]});
  // empty: every record is one session. A record without that key is read
  // as one session itself.
  std::string sessions;
  // Where the messages of a session are: arrays (every element a message) or
  // single objects (one message), in this order. Empty: "messages".
  std::vector<std::string> messages;
  // Session fields id, agent, team -> paths, the first present wins.
  std::map<std::string, std::vector<std::string>> session_fields;
  // Message fields role, time, text, event, agent -> paths, the first present
  // wins. "agent" names the agent of an agent row: the session's agent when
  // no session field gives one.
  std::map<std::string, std::vector<std::string>> message_fields;
  // meta NAME -> path in the session (JSON) or column (CSV).
  std::map<std::string, std::string> meta;
  // Role field values -> customer | agent | bot | system | event[:NAME] | drop
  // (event: a system row with that event name, no text).
  // A key ending in '*' matches by prefix ("agent:*"); "*" matches any other
  // value. Values not listed pass through (and are then unknown roles, E0205).
  std::map<std::string, std::string> roles;
  // Row filters, applied in order: the first that does not say "message" wins.
  std::vector<RowRule> rows;
  // Message texts are HTML: tags stripped, entities decoded, <br> and block
  // ends as line breaks.
  bool html = false;

  // Whether anything differs from chatqa's own format.
  bool active() const {
    return !sessions.empty() || !messages.empty() || !session_fields.empty() || !message_fields.empty() ||
           !meta.empty() || !roles.empty() || !rows.empty() || html;
  }
};

// How to read an input. Plain struct; defaults documented.
struct ReadOptions {
  InputFormat format = InputFormat::automatic;
  // Limits of one session and the offset of zone-less times.
  SessionOptions session;
  CsvOptions csv;
  // Where the parts of a session are in an export (JSON and CSV alike: for
  // CSV the roles, rows, meta and html parts apply; the columns are in `csv`).
  Mapping mapping;
  // A record (JSON text of one session, or the rows of one CSV session)
  // larger than this is an error record (E0207), skipped without being held
  // in memory. Default 16 MiB.
  std::size_t max_record_bytes = 16u << 20;
  // The encoding of the input (JSON and CSV alike), an ICU converter name:
  // gbk, gb18030, big5, utf-16 (byte order from its BOM, else big-endian),
  // utf-16le, shift_jis, windows-1252, ... Empty: UTF-8, or UTF-16 when the
  // input starts with a UTF-16 BOM. Bytes not valid in the encoding become
  // U+FFFD. Byte offsets in error records count the UTF-8 text. An unknown
  // name gives one error record (E0215). When the input is not UTF-8 and no
  // encoding is named, E0206 and E0211 errors name the likely encoding.
  std::string encoding;
};

// One record cut out of the input and not parsed yet: the JSON text of one
// session, or the error that stands for a record that could not be cut out.
struct InputRecord {
  std::string input;                // input name ("-" is shown as "<stdin>")
  std::size_t line = 0;             // 1-based line where the record starts (0 if unknown)
  std::size_t byte_offset = 0;      // offset in the (decompressed) input where the record starts
  std::string text;                 // JSON of one session
  std::optional<InputError> error;  // set when the record could not be read at all
  std::string pointer_prefix;       // "/3" for the 4th element of a JSON array
  // CSV input: the input line of each message (index = message position), so
  // an error at "/messages/4/time" can name the row it came from.
  std::vector<std::size_t> message_lines;
  // Set when the input is not UTF-8 (and no encoding was named): appended to
  // the E0206 / E0211 errors of the record, naming the likely encoding.
  std::string encoding_hint;
};

class SessionReader {
 public:
  // Reads the file at `path` ("-" = standard input). A path that cannot be
  // opened (or is a directory) gives one error record (E0209 / E0212).
  // `bytes_read`, if given, counts the raw (compressed) bytes consumed, for
  // progress; it may be read from any thread.
  static SessionReader open(const std::string& path, const ReadOptions& options = {},
                            std::atomic<std::uint64_t>* bytes_read = nullptr);
  // Reads `text` (not copied: it must outlive the reader). `name` is the
  // input name error records carry; its extension picks CSV as for a path.
  static SessionReader from_text(std::string_view text, const ReadOptions& options = {},
                                 const std::string& name = "<text>");

  SessionReader(SessionReader&&) noexcept;
  SessionReader& operator=(SessionReader&&) noexcept;
  ~SessionReader();

  // The next record, parsed: false at the end of the input. Never throws for
  // bad input.
  bool next(ParsedSession& out);
  // The next record, not parsed yet (for parsing on other threads with parse()).
  bool next_record(InputRecord& out);
  // Parses a record the way next() does; its error, if any, placed in the
  // input (line, CSV row, array position). Thread-safe.
  static ParsedSession parse(const InputRecord& record, const ReadOptions& options);

  // The display name of the input.
  const std::string& name() const;

 private:
  struct Impl;
  explicit SessionReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses a whole input held in memory: a loop over SessionReader::from_text.
// Every record yields one entry, in input order; a record that cannot be read
// yields an error entry and the rest are still read. Never throws.
std::vector<ParsedSession> parse_sessions(std::string_view text, const SessionOptions& options = {});
std::vector<ParsedSession> parse_sessions(std::string_view text, const ReadOptions& options);

// The display name of an input path: "<stdin>" for "-".
std::string display_name(const std::string& path);

// Whether the input `name` is read as CSV with `options`: InputFormat::csv,
// or automatic with a name ending .csv / .csv.gz / .CSV or CSV columns mapped.
bool reads_as_csv(const std::string& name, const ReadOptions& options);

// Applies a mapping file (JSON text, see docs/cli.md "From your help desk") on
// top of `options`: what it sets replaces what was there, the rest is kept, so
// a preset, then a --map file, then flags can each refine the last. Returns
// an error message ("" pointer-style path included) or nullopt.
std::optional<std::string> apply_mapping(std::string_view mapping_json, ReadOptions& options);
// The text of a shipped preset mapping (zendesk, intercom, intercom-csv,
// chatwoot, kefu-csv), or nullopt for an unknown name.
std::optional<std::string_view> preset_mapping(std::string_view name);
std::vector<std::string> preset_names();

// Whether `name` is an encoding ReadOptions::encoding can read (ICU knows it).
bool encoding_known(const std::string& name);

// Converts an HTML fragment to plain text: tags stripped, entities decoded,
// <br> and the ends of block elements (p, div, li, tr, h1-h6) as line breaks.
std::string html_to_text(std::string_view html);

}  // namespace chatqa
