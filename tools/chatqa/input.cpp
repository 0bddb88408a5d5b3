// Input flags -> ReadOptions; reading is SessionReader's (chatqa/reader.hpp).
#include "input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string_view>


namespace chatqa::cli {

void add_input_options(CLI::App* cmd, InputArgs& args) {
  cmd->add_option("--input-format", args.input_format, "Input format; auto = CSV for *.csv[.gz] or with --csv-map")
      ->check(CLI::IsMember({"auto", "json", "csv"}))
      ->capture_default_str();
  std::string presets;
  for (const std::string& p : preset_names()) presets += (presets.empty() ? "" : ", ") + p;
  cmd->add_option("--preset", args.preset, "Read a help desk's export: " + presets + " (see docs/cli.md)");
  cmd->add_option("--map", args.map_file, "Mapping file (JSON) for an export; applied after --preset");
  cmd->add_option("--json-map", args.json_map,
                  "JSON fields: sessions=KEY,messages=PATH,id=PATH,agent=PATH,team=PATH,role=PATH,time=PATH,"
                  "text=PATH,event=PATH,message_agent=PATH,meta.NAME=PATH");
  cmd->add_option("--sessions-at", args.sessions_at, "The key of the sessions array in a wrapper object, e.g. chats");
  cmd->add_flag("--html", args.html, "Message texts are HTML (tags stripped, entities decoded)");
  cmd->add_option("--drop-rows", args.drop_rows, "Leave out rows whose FIELD has VALUE: FIELD=VALUE (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--event-rows", args.event_rows,
                  "Keep rows whose FIELD has VALUE as events (never replies): FIELD=VALUE (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--csv-map", args.csv_map,
                  "CSV columns: session=COL,role=COL,time=COL,text=COL[,agent=COL,team=COL,event=COL,meta.NAME=COL]; "
                  "unmapped fields use their own name as column");
  cmd->add_option("--role-map", args.role_map,
                  "Role values (CSV or mapped JSON), e.g. \"客服=agent,访客=customer,机器人=bot,备注=drop\"");
  cmd->add_option("--csv-delimiter", args.csv_delimiter, "CSV field delimiter (default ,)");
  cmd->add_flag("--sorted", args.sorted,
                "CSV: the rows of each session are consecutive (constant memory, sessions stream out); rows of a "
                "session met again later are an error (E0213). Default: rows are grouped by session");
  cmd->add_option("--csv-group-memory", args.csv_group_memory_mib,
                  "CSV: MiB of rows held while grouping sessions; beyond it sorted runs go to temporary files "
                  "($TMPDIR)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--encoding", args.encoding,
                  "Input encoding: gbk, gb18030, big5, utf-16 (BOM), utf-16le, shift_jis, ... (default UTF-8; a "
                  "UTF-16 BOM is recognised)");
  cmd->add_option("--utc-offset", args.utc_offset,
                  "Offset of input times written without one (+08:00, -05:30, Z), or an IANA zone as --time-zone")
      ->capture_default_str();
  cmd->add_option("--time-zone", args.time_zone,
                  "IANA zone of input times written without one, daylight saving applied (America/New_York)");
  cmd->add_option("--time-format", args.time_formats,
                  "strftime-style input time format, tried before the built-in ones (repeatable, tried in order), "
                  "e.g. \"%m/%d/%Y %I:%M:%S %p\"")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
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

namespace {
std::string read_small_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return {};
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > (1u << 20)) {
      error = path + " is larger than 1 MiB: not a mapping file";
      return {};
    }
  }
  return text;
}

std::optional<std::string> add_row_rules(const std::vector<std::string>& specs, RowAction action, Mapping& m,
                                         const char* flag) {
  for (const std::string& spec : specs) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) return std::string(flag) + ": expected FIELD=VALUE, got \"" + spec + "\"";
    RowRule rule;
    rule.field = spec.substr(0, eq);
    rule.actions[spec.substr(eq + 1)] = action;
    m.rows.insert(m.rows.begin(), std::move(rule));  // flags before the preset's rules
  }
  return std::nullopt;
}
}  // namespace

// Long function: applies the input options one after another onto ReadOptions, each with its own
// usage message; a flat list.
std::optional<std::string> apply_input_options(const InputArgs& args, ReadOptions& read) {
  read.max_record_bytes = args.max_record_bytes;
  read.csv.sorted = args.sorted;
  read.csv.group_memory_bytes = args.csv_group_memory_mib << 20;
  if (!args.preset.empty()) {
    auto text = preset_mapping(args.preset);
    if (!text) {
      std::string names;
      for (const std::string& p : preset_names()) names += (names.empty() ? "" : ", ") + p;
      return "--preset: unknown preset \"" + args.preset + "\" (presets: " + names + ")";
    }
    if (auto err = apply_mapping(*text, read)) return "--preset " + args.preset + ": " + *err;
  }
  if (!args.map_file.empty()) {
    std::string error;
    const std::string text = read_small_file(args.map_file, error);
    if (!error.empty()) return "--map: " + error;
    if (auto err = apply_mapping(text, read)) return "--map " + args.map_file + ": " + *err;
  }
  if (!args.encoding.empty()) {
    if (!encoding_known(args.encoding)) {
      return "--encoding: unknown encoding \"" + args.encoding +
             "\" (e.g. gbk, gb18030, big5, utf-16, utf-16le, shift_jis, windows-1252)";
    }
    read.encoding = args.encoding;
  }
  if (args.input_format == "csv") read.format = InputFormat::csv;
  if (args.input_format == "json") read.format = InputFormat::json;
  Mapping& m = read.mapping;
  if (!args.sessions_at.empty()) m.sessions = args.sessions_at;
  if (args.html) m.html = true;
  if (!args.json_map.empty()) {
    std::map<std::string, std::string> pairs;
    if (auto err = parse_pairs(args.json_map, pairs)) return "--json-map: " + *err;
    for (const auto& [field, path] : pairs) {
      if (path.empty()) return "--json-map: empty path for \"" + field + "\"";
      if (field == "sessions") {
        m.sessions = path;
      } else if (field == "messages") {
        m.messages = {path};
      } else if (field == "id" || field == "agent" || field == "team") {
        m.session_fields[field] = {path};
      } else if (field == "role" || field == "time" || field == "text" || field == "event") {
        m.message_fields[field] = {path};
      } else if (field == "message_agent") {
        m.message_fields["agent"] = {path};
      } else if (field.rfind("meta.", 0) == 0 && field.size() > 5) {
        m.meta[field.substr(5)] = path;
      } else {
        return "--json-map: unknown field \"" + field +
               "\" (fields: sessions, messages, id, agent, team, role, time, text, event, message_agent, meta.NAME)";
      }
    }
  }
  if (auto err = add_row_rules(args.event_rows, RowAction::event, m, "--event-rows")) return err;
  if (auto err = add_row_rules(args.drop_rows, RowAction::drop, m, "--drop-rows")) return err;
  if (!args.csv_map.empty()) {
    std::map<std::string, std::string> columns;
    if (auto err = parse_pairs(args.csv_map, columns)) return "--csv-map: " + *err;
    for (auto it = columns.begin(); it != columns.end();) {
      if (it->first.rfind("meta.", 0) == 0 && it->first.size() > 5) {
        if (it->second.empty()) return "empty column name for \"" + it->first + "\" in --csv-map";
        m.meta[it->first.substr(5)] = it->second;
        it = columns.erase(it);
      } else {
        ++it;
      }
    }
    if (auto err = validate_csv_columns(columns)) return err;
    for (const auto& [field, column] : columns) read.csv.columns[field] = column;
  }
  if (!args.role_map.empty()) {
    std::map<std::string, std::string> roles;
    if (auto err = parse_pairs(args.role_map, roles)) return "--role-map: " + *err;
    for (const auto& [from, to] : roles) {
      if (!role_from_string(to) && to != "drop" && to.rfind("event", 0) != 0) {
        return "--role-map: \"" + from + "=" + to + "\": role must be customer, agent, bot, system, event[:NAME] or drop";
      }
      read.mapping.roles[from] = to;
    }
  }
  if (!args.csv_delimiter.empty()) {
    if (args.csv_delimiter.size() != 1) return std::string("--csv-delimiter must be one character");
    read.csv.delimiter = args.csv_delimiter[0];
  }
  std::string zone = args.time_zone;
  if (const auto offset = parse_offset(args.utc_offset)) {
    read.session.default_utc_offset_minutes = *offset;
  } else if (time_zone_known(args.utc_offset)) {
    if (zone.empty()) zone = args.utc_offset;
  } else {
    return std::string("--utc-offset must look like +08:00, -05:30 or Z, or name an IANA time zone (America/New_York)");
  }
  if (!zone.empty()) {
    if (!time_zone_known(zone)) {
      return "--time-zone: unknown time zone \"" + zone + "\" (IANA names: America/New_York, Europe/Berlin, Asia/Shanghai)";
    }
    read.session.time_zone = zone;
  }
  for (const std::string& format : args.time_formats) {
    if (auto err = check_time_format(format)) return "--time-format \"" + format + "\": " + *err;
    read.session.time_formats.push_back(format);
  }
  return std::nullopt;
}

void warn_inapplicable_options(const InputArgs& args, const ReadOptions& read, const std::vector<std::string>& inputs,
                               const std::string& command) {
  static std::set<std::string> warned;
  bool any_csv = false, any_json = false;
  for (const std::string& name : inputs) (reads_as_csv(name, read) ? any_csv : any_json) = true;
  if (inputs.empty()) (reads_as_csv("-", read) ? any_csv : any_json) = true;
  auto warn = [&](const std::string& option, const std::string& why) {
    if (!warned.insert(option).second) return;
    std::cerr << "chatqa " << command << ": warning: " << option << " " << why << " (ignored)\n";
  };
  if (!any_csv) {
    const char* why = "applies to CSV input only, and no input is read as CSV";
    if (!args.csv_delimiter.empty()) warn("--csv-delimiter", why);
    if (args.sorted) warn("--sorted", why);
    if (args.csv_group_memory_mib != InputArgs{}.csv_group_memory_mib) warn("--csv-group-memory", why);
    if (!args.csv_map.empty()) warn("--csv-map", why);
  }
  if (!any_json) {
    const char* why = "applies to JSON input only, and every input is read as CSV";
    if (!args.sessions_at.empty()) warn("--sessions-at", why);
    if (!args.json_map.empty()) warn("--json-map", why);
  }
  if (!args.time_zone.empty() && args.utc_offset != InputArgs{}.utc_offset) {
    warn("--utc-offset", "is overridden by --time-zone " + args.time_zone);
  }
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
      return "unknown field \"" + field + "\" in --csv-map (fields: session, role, time, text, agent, team, event, meta.NAME)";
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
