// Input flags -> ReadOptions; reading is SessionReader's (chatqa/reader.hpp).
#include "input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>


namespace chatqa::cli {

void add_input_options(CLI::App* cmd, InputArgs& args) {
  cmd->add_option("--input-format", args.input_format, "Input format; auto = CSV for *.csv[.gz] or with --csv-map")
      ->check(CLI::IsMember({"auto", "json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--csv-map", args.csv_map,
                  "CSV columns: session=COL,role=COL,time=COL,text=COL[,agent=COL,team=COL,event=COL]; "
                  "unmapped fields use their own name as column");
  cmd->add_option("--role-map", args.role_map, "CSV role values, e.g. \"客服=agent,访客=customer,机器人=bot\"");
  cmd->add_option("--csv-delimiter", args.csv_delimiter, "CSV field delimiter")->capture_default_str();
  cmd->add_option("--utc-offset", args.utc_offset, "Offset of input times written without one")->capture_default_str();
  cmd->add_option("--max-record-bytes", args.max_record_bytes, "Larger input records are errors (E0207)")
      ->capture_default_str();
}

namespace {
std::optional<int> parse_offset(const std::string& text) {
  // "+08:00", "-05:30", "Z"
  if (text == "Z" || text == "z") return 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return std::nullopt;
  for (std::size_t i : {1u, 2u, 4u, 5u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int minutes = ((text[1] - '0') * 10 + (text[2] - '0')) * 60 + (text[4] - '0') * 10 + (text[5] - '0');
  if (minutes > 14 * 60) return std::nullopt;
  return text[0] == '-' ? -minutes : minutes;
}
}  // namespace

std::optional<std::string> apply_input_options(const InputArgs& args, ReadOptions& read) {
  read.max_record_bytes = args.max_record_bytes;
  read.format = args.input_format == "csv"    ? InputFormat::csv
                : args.input_format == "json" ? InputFormat::json
                                              : InputFormat::automatic;
  if (!args.csv_map.empty()) {
    if (auto err = parse_pairs(args.csv_map, read.csv.columns)) return "--csv-map: " + *err;
    if (auto err = validate_csv_columns(read.csv.columns)) return err;
  }
  if (!args.role_map.empty()) {
    if (auto err = parse_pairs(args.role_map, read.csv.roles)) return "--role-map: " + *err;
    for (const auto& [from, to] : read.csv.roles) {
      if (!role_from_string(to))
        return "--role-map: \"" + from + "=" + to + "\": role must be customer, agent, bot or system";
    }
  }
  if (args.csv_delimiter.size() != 1) return std::string("--csv-delimiter must be one character");
  read.csv.delimiter = args.csv_delimiter[0];
  const auto offset = parse_offset(args.utc_offset);
  if (!offset) return std::string("--utc-offset must look like +08:00, -05:30 or Z");
  read.session.default_utc_offset_minutes = *offset;
  return std::nullopt;
}

std::optional<std::string> parse_pairs(const std::string& text, std::map<std::string, std::string>& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string pair = text.substr(pos, comma - pos);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) return "expected NAME=VALUE, got \"" + pair + "\"";
      out[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    pos = comma + 1;
  }
  return std::nullopt;
}

std::optional<std::string> validate_csv_columns(const std::map<std::string, std::string>& columns) {
  for (const auto& [field, column] : columns) {
    bool known = false;
    for (const char* f : {"session", "role", "time", "text", "agent", "team", "event"}) known = known || field == f;
    if (!known) {
      return "unknown field \"" + field + "\" in --csv-map (fields: session, role, time, text, agent, team, event)";
    }
    if (column.empty()) return "empty column name for \"" + field + "\" in --csv-map";
  }
  return std::nullopt;
}

std::uint64_t input_size(const std::string& name) {
  struct stat st {};
  if (name == "-") return ::fstat(0, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  return ::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

bool read_records(const std::string& name, const ReadOptions& options, const std::function<bool(Record&&)>& emit,
                  std::atomic<std::uint64_t>* bytes_read) {
  SessionReader reader = SessionReader::open(name, options, bytes_read);
  Record r;
  bool first = true;
  while (reader.next_record(r)) {
    const bool unopened = first && r.error && (r.error->code == "E0209" || r.error->code == "E0212");
    if (!emit(std::move(r)) || unopened) return !unopened;
    first = false;
  }
  return true;
}

}  // namespace chatqa::cli
