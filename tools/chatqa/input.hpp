// Streaming input for the chatqa command line: bytes (plain or gzip, file or
// stdin) -> records (one JSON session text each, with its input line).
//
// Nothing here holds more than one record in memory, so any input size reads
// in constant memory. Every record of the input yields exactly one Record, in
// input order; a record that cannot even be cut out of the input (truncated
// gzip, unreadable file, oversized record, unclosed document) yields a Record
// whose `error` is set.
//
// Thread safety: a reader is used by one thread; `bytes_read` may be read from
// any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chatqa/session.hpp"

namespace chatqa::cli {

// One input record: the JSON text of a session (or an error that stands for it).
struct Record {
  std::string input;                // input name as given ("-" is shown as "<stdin>")
  std::size_t line = 0;             // 1-based line where the record starts
  std::string text;                 // JSON of one session
  std::optional<InputError> error;  // set when the record could not be read at all
  std::string pointer_prefix;       // "/3" for the 4th element of a JSON array
  // CSV input: the input line of each message (index = message position), so
  // an error at "/messages/4/time" can name the row it came from.
  std::vector<std::size_t> message_lines;
};

// Where the columns of a CSV export are, and how its role values map to ours.
struct CsvOptions {
  // Our field -> the CSV header name. Fields: session, role, time, text (needed),
  // agent, team, event (optional). Unset fields use their own name as header.
  std::map<std::string, std::string> columns;
  // CSV role value -> customer | agent | bot | system (others pass through).
  std::map<std::string, std::string> roles;
  char delimiter = ',';
};

enum class InputFormat { automatic, json, csv };

struct ReadOptions {
  InputFormat format = InputFormat::automatic;
  CsvOptions csv;
  // A record larger than this is reported as an error (E0207) and skipped
  // without being held in memory.
  std::size_t max_record_bytes = 16u << 20;
};

// Parses "a=b,c=d" into a map; returns an error message on a malformed list.
std::optional<std::string> parse_pairs(const std::string& text, std::map<std::string, std::string>& out);
// Checks a --csv-map: known field names, required ones present after defaults.
std::optional<std::string> validate_csv_columns(const std::map<std::string, std::string>& columns);

// Size in bytes of a regular file (what progress counts against), or 0.
std::uint64_t input_size(const std::string& name);

// Reads all records of one input (a path, or "-" for stdin) and hands each to
// `emit` in input order; stops early if `emit` returns false. `bytes_read`
// counts raw (compressed) bytes consumed, for progress. Returns false if the
// input could not be opened (an error Record has been emitted for it).
bool read_records(const std::string& name, const ReadOptions& options, const std::function<bool(Record&&)>& emit,
                  std::atomic<std::uint64_t>* bytes_read = nullptr);

// The input options shared by subcommands that read sessions (score, explain).
struct InputArgs {
  std::string input_format = "auto";
  std::string csv_map;
  std::string role_map;
  std::string csv_delimiter = ",";
  std::string utc_offset = "+08:00";
  std::size_t max_record_bytes = 16u << 20;
};
void add_input_options(CLI::App* cmd, InputArgs& args);
// Fills `read` and `session` from the arguments; returns a usage error message.
std::optional<std::string> apply_input_options(const InputArgs& args, ReadOptions& read, SessionOptions& session);

// Places an error found inside a record's text in the input: the record's
// line plus the lines before the offending byte, or for CSV the row of the
// offending message; prefixes the JSON pointer with the array position.
void locate_error(InputError& error, const Record& record);

// The display name of an input: "<stdin>" for "-".
std::string display_name(const std::string& name);

}  // namespace chatqa::cli
