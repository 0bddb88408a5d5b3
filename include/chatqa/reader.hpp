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
};

// How to read an input. Plain struct; defaults documented.
struct ReadOptions {
  InputFormat format = InputFormat::automatic;
  // Limits of one session and the offset of zone-less times.
  SessionOptions session;
  CsvOptions csv;
  // A record (JSON text of one session, or the rows of one CSV session)
  // larger than this is an error record (E0207), skipped without being held
  // in memory. Default 16 MiB.
  std::size_t max_record_bytes = 16u << 20;
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

}  // namespace chatqa
