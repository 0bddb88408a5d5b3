// Input options of the chatqa command line: flags -> ReadOptions. Reading
// itself is the library's SessionReader (chatqa/reader.hpp, chatqa::io): the
// command line has no record splitter of its own.
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

#include "chatqa/reader.hpp"
#include "chatqa/session.hpp"

namespace chatqa::cli {

// One input record, as the library's SessionReader cuts it.
using Record = InputRecord;

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
  std::string preset;
  std::string map_file;
  std::string json_map;
  std::string sessions_at;
  bool html = false;
  std::string csv_map;
  std::string role_map;
  std::string csv_delimiter;  // "" = the preset's or ","
  std::vector<std::string> drop_rows, event_rows;
  std::string utc_offset = "+08:00";
  std::size_t max_record_bytes = 16u << 20;
  bool sorted = false;
  std::size_t csv_group_memory_mib = 256;
  std::string encoding;
  std::string time_zone;
  std::vector<std::string> time_formats;
};
void add_input_options(CLI::App* cmd, InputArgs& args);
// Fills `read` from the arguments; returns a usage error message.
std::optional<std::string> apply_input_options(const InputArgs& args, ReadOptions& read);
// Warns on stderr, once per process and option, about input options that do
// not apply to any of `inputs` (CSV options with JSON inputs and the other
// way round, --utc-offset beside --time-zone).
void warn_inapplicable_options(const InputArgs& args, const ReadOptions& read, const std::vector<std::string>& inputs,
                               const std::string& command);

}  // namespace chatqa::cli
