// Streaming input: raw bytes -> (gunzip) -> JSON records or CSV sessions.
#include "input.hpp"

#include "chatqa/report.hpp"

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

#include <csv.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

namespace chatqa::cli {
namespace {

InputError input_error(const char* code, std::string message, std::size_t line) {
  InputError e;
  e.code = code;
  e.message = mask_pii(message);  // messages may echo input: personal numbers masked
  e.line = line;
  return e;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------------------
// Bytes: a file descriptor, gunzipped when it starts with the gzip magic
// (whatever its name), concatenated gzip members included.
class ByteStream {
 public:
  ByteStream(int fd, std::atomic<std::uint64_t>* bytes_read) : fd_(fd), bytes_read_(bytes_read) {
    std::memset(&zs_, 0, sizeof zs_);
  }
  ~ByteStream() {
    if (inflating_) inflateEnd(&zs_);
  }
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Reads up to `cap` decompressed bytes; 0 at the end or on error (see error()).
  std::size_t read(char* out, std::size_t cap) {
    while (true) {
      if (!error_.empty()) return 0;
      if (raw_pos_ == raw_len_ && !raw_eof_) fill();
      if (!decided_) {
        if (raw_len_ - raw_pos_ < 2 && !raw_eof_) {  // need two bytes to tell
          fill();  // keeps the byte already there (a pipe may deliver one at a time)
          continue;
        }
        decided_ = true;
        gzip_ = raw_len_ - raw_pos_ >= 2 && static_cast<unsigned char>(raw_[raw_pos_]) == 0x1f &&
                static_cast<unsigned char>(raw_[raw_pos_ + 1]) == 0x8b;
        if (gzip_) {
          if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
            error_ = "cannot initialise zlib";
            return 0;
          }
          inflating_ = true;
          in_member_ = true;
        }
      }
      if (!gzip_) {
        if (raw_pos_ == raw_len_) return 0;  // eof (or read error, see error())
        const std::size_t n = std::min(cap, raw_len_ - raw_pos_);
        std::memcpy(out, raw_.data() + raw_pos_, n);
        raw_pos_ += n;
        return n;
      }
      if (raw_pos_ == raw_len_ && raw_eof_) {
        if (in_member_) error_ = "truncated gzip data (unexpected end of file)";
        return 0;
      }
      if (!in_member_) {  // another gzip member follows (or trailing bytes)
        if (inflateReset(&zs_) != Z_OK) {
          error_ = "zlib reset failed";
          return 0;
        }
        in_member_ = true;
      }
      zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_pos_);
      zs_.avail_in = static_cast<uInt>(raw_len_ - raw_pos_);
      zs_.next_out = reinterpret_cast<Bytef*>(out);
      zs_.avail_out = static_cast<uInt>(cap);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      raw_pos_ = raw_len_ - zs_.avail_in;
      const std::size_t produced = cap - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = std::string("corrupt gzip data (") + (zs_.msg ? zs_.msg : "inflate failed") + ")";
        return produced;
      }
      if (produced > 0) return produced;
    }
  }

  const std::string& error() const { return error_; }

 private:
  // Reads more raw bytes after those not consumed yet (moved to the front).
  void fill() {
    raw_.resize(kChunk);
    const std::size_t kept = raw_len_ - raw_pos_;
    if (kept > 0 && raw_pos_ > 0) std::memmove(raw_.data(), raw_.data() + raw_pos_, kept);
    raw_pos_ = 0;
    raw_len_ = kept;
    while (true) {
      const ssize_t n = ::read(fd_, raw_.data() + kept, raw_.size() - kept);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = std::string("read failed: ") + std::strerror(errno);
        raw_eof_ = true;
      } else if (n == 0) {
        raw_eof_ = true;
      } else {
        raw_len_ = kept + static_cast<std::size_t>(n);
        if (bytes_read_) bytes_read_->fetch_add(static_cast<std::size_t>(n), std::memory_order_relaxed);
      }
      return;
    }
  }

  static constexpr std::size_t kChunk = 256 * 1024;
  int fd_;
  std::atomic<std::uint64_t>* bytes_read_;
  std::string raw_;
  std::size_t raw_pos_ = 0, raw_len_ = 0;
  bool raw_eof_ = false;
  bool decided_ = false, gzip_ = false, inflating_ = false, in_member_ = false;
  z_stream zs_;
  std::string error_;
};

// Calls `on_chunk` with the decompressed bytes of the stream, a leading UTF-8
// BOM removed. Returns the stream's error ("" if none).
template <typename OnChunk>
std::string pump(ByteStream& stream, OnChunk&& on_chunk) {
  std::string buffer(256 * 1024, '\0');
  bool first = true;
  std::string head;  // the first bytes, until we know whether they are a BOM
  while (true) {
    const std::size_t n = stream.read(buffer.data(), buffer.size());
    if (n == 0) break;
    std::string_view chunk(buffer.data(), n);
    if (first) {
      head.append(chunk);
      if (head.size() < 3) continue;
      first = false;
      std::string_view h(head);
      if (h.substr(0, 3) == "\xEF\xBB\xBF") h.remove_prefix(3);
      if (!on_chunk(h)) return {};
      continue;
    }
    if (!on_chunk(chunk)) return {};
  }
  if (first && !head.empty() && head != "\xEF\xBB" && head != "\xEF") on_chunk(std::string_view(head));
  return stream.error();
}

// ---------------------------------------------------------------------------
// JSON: one object, several objects, an array of objects, or JSON Lines.
class JsonSplitter {
 public:
  JsonSplitter(std::string input, std::size_t max_bytes, const std::function<bool(Record&&)>& emit)
      : input_(std::move(input)), max_bytes_(max_bytes), emit_(emit) {}

  // Returns false when the consumer asked to stop.
  bool feed(std::string_view data) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (!step(data[i])) return false;
    }
    return true;
  }

  // End of input; `stream_error` is set when the bytes stopped early.
  void finish(const std::string& stream_error) {
    if (stopped_) return;
    if (!stream_error.empty()) {
      const bool in_record = mode_ != Mode::top && mode_ != Mode::array;
      const std::size_t line = in_record ? record_line_ : line_;
      std::string message = stream_error;
      if (in_record) message += "; the record starting at line " + std::to_string(record_line_) + " is incomplete";
      emit_error(input_error("E0210", message, line));
      return;
    }
    switch (mode_) {
      case Mode::top: break;
      case Mode::line:
      case Mode::value: emit_record(); break;
      case Mode::array_scalar: emit_record(); break;
      case Mode::array_value: emit_record(); break;
      case Mode::array:
        emit_error(input_error("E0201", "invalid JSON: the array is not closed with ']'", line_));
        break;
    }
  }

 private:
  enum class Mode { top, line, value, array, array_value, array_scalar };

  void begin(Mode mode, char c) {
    mode_ = mode;
    record_line_ = line_;
    buffer_.clear();
    oversized_ = false;
    depth_ = 0;
    in_string_ = false;
    escape_ = false;
    line_has_close_ = false;
    append(c);
    track(c);
  }

  void append(char c) {
    if (oversized_) return;
    if (buffer_.size() >= max_bytes_) {
      oversized_ = true;
      buffer_.clear();
      buffer_.shrink_to_fit();
      return;
    }
    buffer_.push_back(c);
  }

  // String and nesting state; returns true when c closed the outermost value.
  bool track(char c) {
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      return false;
    }
    switch (c) {
      case '"': in_string_ = true; return false;
      case '{':
      case '[': ++depth_; return false;
      case '}':
      case ']':
        if (c == '}') line_has_close_ = true;
        if (depth_ > 0 && --depth_ == 0) return true;
        return false;
      default: return false;
    }
  }

  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  bool step(char c) {
    if (stopped_) return false;
    switch (mode_) {
      case Mode::top:
        if (c == '\n') {
          ++line_;
        } else if (is_space(c)) {
        } else if (c == '[' && !jsonl_) {
          mode_ = Mode::array;
          array_index_ = 0;
        } else {
          begin(doc_ && c == '{' ? Mode::value : Mode::line, c);
        }
        return true;
      case Mode::line:
        if (c == '\n') {
          if (depth_ > 0 && !jsonl_ && !line_has_close_) {
            // A value spread over lines (pretty-printed), not JSON Lines.
            doc_ = true;
            mode_ = Mode::value;
            append(c);
            ++line_;
            in_string_ = escape_ = false;
            at_line_start_ = true;
            return true;
          }
          jsonl_ = true;
          while (!buffer_.empty() && buffer_.back() == '\r') buffer_.pop_back();
          const bool more = emit_record();
          ++line_;
          mode_ = Mode::top;
          return more;
        }
        append(c);
        track(c);
        return true;
      case Mode::value:
        if (c == '{' && at_line_start_ && depth_ > 0) {
          // Pretty-printed documents only open a record at column 0: the
          // record before this line is broken (truncated); report it and
          // read on from here, so one bad record does not swallow the rest.
          if (!emit_record()) return false;
          begin(Mode::value, c);
          at_line_start_ = false;
          return true;
        }
        at_line_start_ = c == '\n';
        append(c);
        if (c == '\n') {
          ++line_;
          in_string_ = escape_ = false;  // a raw newline cannot be inside a JSON string
        }
        if (track(c)) {
          mode_ = Mode::top;
          return emit_record();
        }
        return true;
      case Mode::array:
        if (c == '\n') {
          ++line_;
        } else if (is_space(c) || c == ',') {
        } else if (c == ']') {
          mode_ = Mode::top;
        } else {
          begin(c == '{' || c == '[' ? Mode::array_value : Mode::array_scalar, c);
        }
        return true;
      case Mode::array_value:
        append(c);
        if (c == '\n') ++line_;
        if (track(c)) {
          mode_ = Mode::array;
          return emit_record();
        }
        return true;
      case Mode::array_scalar:
        if (!in_string_ && (c == ',' || c == ']' || is_space(c))) {
          mode_ = Mode::array;
          if (!emit_record()) return false;
          return step(c);
        }
        append(c);
        track(c);
        return true;
    }
    return true;
  }

  bool emit_record() {
    Record r;
    r.input = input_;
    r.line = record_line_;
    if (mode_ == Mode::array || mode_ == Mode::array_value || mode_ == Mode::array_scalar) {
      r.pointer_prefix = "/" + std::to_string(array_index_++);
    }
    if (oversized_) {
      r.error = input_error(
          "E0207", "record is larger than the limit of " + std::to_string(max_bytes_) + " bytes (--max-record-bytes)",
          record_line_);
    } else {
      // Trailing blanks are no part of a record (and would move the line of an
      // "unexpected end of input" past it).
      while (!buffer_.empty() && is_space(buffer_.back())) buffer_.pop_back();
      r.text = std::move(buffer_);
    }
    buffer_.clear();
    if (!emit_(std::move(r))) stopped_ = true;
    return !stopped_;
  }

  void emit_error(InputError e) {
    Record r;
    r.input = input_;
    r.line = e.line;
    r.error = std::move(e);
    if (!emit_(std::move(r))) stopped_ = true;
  }

  std::string input_;
  std::size_t max_bytes_;
  const std::function<bool(Record&&)>& emit_;
  Mode mode_ = Mode::top;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  std::string buffer_;
  bool oversized_ = false;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false;
  bool line_has_close_ = false;
  bool at_line_start_ = false;
  bool jsonl_ = false;  // a record ended at the end of its line: JSON Lines
  bool doc_ = false;    // a record spread over lines: pretty-printed documents
  std::size_t array_index_ = 0;
  bool stopped_ = false;
};

// ---------------------------------------------------------------------------
// CSV: one message per row, the rows of a session consecutive.
const char* const kCsvFields[] = {"session", "role", "time", "text", "agent", "team", "event"};
enum CsvField { kSession, kRole, kTime, kText, kAgent, kTeam, kEvent, kFieldCount };

class CsvSessions {
 public:
  CsvSessions(std::string input, const ReadOptions& options, const std::function<bool(Record&&)>& emit)
      : input_(std::move(input)), options_(options), emit_(emit) {
    csv_init(&parser_, 0);
    csv_set_delim(&parser_, static_cast<unsigned char>(options.csv.delimiter));
    // Keep spaces at the edges of unquoted fields: they are part of the text.
    csv_set_space_func(&parser_, [](unsigned char) { return 0; });
  }
  ~CsvSessions() { csv_free(&parser_); }
  CsvSessions(const CsvSessions&) = delete;
  CsvSessions& operator=(const CsvSessions&) = delete;

  bool feed(std::string_view data) {
    // Fed one line at a time so each row knows the line it started on.
    while (!data.empty() && !stopped_) {
      const std::size_t nl = data.find('\n');
      const std::string_view piece = data.substr(0, nl == std::string_view::npos ? data.size() : nl + 1);
      if (parser_.pstate == 0 && !at_line_middle_) row_line_ = line_;
      if (csv_parse(&parser_, piece.data(), piece.size(), on_field, on_row, this) != piece.size()) {
        fail(input_error("E0211", std::string("CSV: ") + csv_strerror(csv_error(&parser_)), line_));
        return false;
      }
      at_line_middle_ = nl == std::string_view::npos;
      if (!at_line_middle_) ++line_;
      data.remove_prefix(piece.size());
    }
    return !stopped_;
  }

  void finish(const std::string& stream_error) {
    if (stopped_) return;
    if (!stream_error.empty()) {
      // The rows cut off may belong to the open session: report it as lost.
      const std::size_t line = open_ ? session_line_ : line_;
      std::string message = stream_error;
      if (open_)
        message += "; session \"" + session_id_ + "\" from line " + std::to_string(session_line_) + " is incomplete";
      fail(input_error("E0210", message, line));
      return;
    }
    csv_fini(&parser_, on_field, on_row, this);
    if (stopped_) return;
    if (!have_header_ && !header_error_) return;  // empty input
    flush();
  }

 private:
  static void on_field(void* s, std::size_t len, void* data) {
    auto* self = static_cast<CsvSessions*>(data);
    self->fields_.emplace_back(static_cast<const char*>(s), len);
  }
  static void on_row(int, void* data) {
    auto* self = static_cast<CsvSessions*>(data);
    if (!self->stopped_) self->row();
    self->fields_.clear();
  }

  void row() {
    bool blank = true;
    for (const auto& f : fields_) blank = blank && f.empty();
    if (blank) return;
    if (!have_header_) {
      header();
      return;
    }
    auto field = [&](CsvField which) -> const std::string* {
      const int col = column_[which];
      if (col < 0 || static_cast<std::size_t>(col) >= fields_.size()) return nullptr;
      return &fields_[static_cast<std::size_t>(col)];
    };
    static const std::string kEmpty;
    const std::string* id = field(kSession);
    const std::string& session_id = id ? *id : kEmpty;
    if (!open_ || session_id != session_id_) {
      flush();
      if (stopped_) return;
      open_ = true;
      session_id_ = session_id;
      session_line_ = row_line_;
      session_ = nlohmann::ordered_json::object();
      session_["id"] = session_id;
      session_["messages"] = nlohmann::ordered_json::array();
      bytes_ = 0;
      lines_.clear();
    }
    for (CsvField f : {kAgent, kTeam}) {
      const char* key = kCsvFields[f];
      if (const std::string* v = field(f); v && !v->empty() && !session_.contains(key)) session_[key] = *v;
    }
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    if (const std::string* role = field(kRole)) {
      auto mapped = options_.csv.roles.find(*role);
      m["role"] = mapped != options_.csv.roles.end() ? mapped->second : *role;
    }
    if (const std::string* time = field(kTime); time && !time->empty()) m["time"] = *time;
    const std::string* text = field(kText);
    m["text"] = text ? *text : kEmpty;
    if (const std::string* event = field(kEvent); event && !event->empty()) m["event"] = *event;
    for (const auto& f : fields_) bytes_ += f.size();
    if (bytes_ > options_.max_record_bytes) oversized_ = true;
    if (!oversized_) {
      session_["messages"].push_back(std::move(m));
      lines_.push_back(row_line_);
    }
  }

  void header() {
    have_header_ = true;
    for (int f = 0; f < kFieldCount; ++f) {
      const std::string name = options_.csv.columns.count(kCsvFields[f]) ? options_.csv.columns.at(kCsvFields[f])
                                                                         : std::string(kCsvFields[f]);
      column_[f] = -1;
      for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (fields_[i] == name) column_[f] = static_cast<int>(i);
      }
      if (f == kSession && column_[f] < 0 && !options_.csv.columns.count("session")) {
        for (std::size_t i = 0; i < fields_.size(); ++i) {
          if (fields_[i] == "id") column_[f] = static_cast<int>(i);
        }
      }
      const bool needed = f == kSession || f == kRole || f == kTime || f == kText;
      if (needed && column_[f] < 0) {
        std::string have;
        for (const auto& h : fields_) have += (have.empty() ? "" : ", ") + h;
        header_error_ = true;
        fail(input_error("E0211",
                         "CSV header has no column \"" + name + "\" for " + kCsvFields[f] + " (columns: " + have +
                             "); map it with --csv-map " + kCsvFields[f] + "=COLUMN",
                         row_line_));
        return;
      }
    }
  }

  void flush() {
    if (!open_) return;
    open_ = false;
    Record r;
    r.input = input_;
    r.line = session_line_;
    if (oversized_) {
      r.error = input_error("E0207",
                            "session is larger than the limit of " + std::to_string(options_.max_record_bytes) +
                                " bytes (--max-record-bytes)",
                            session_line_);
    } else {
      try {
        r.text = session_.dump();
        r.message_lines = std::move(lines_);
      } catch (const nlohmann::json::exception&) {
        r.error = input_error("E0206", "invalid UTF-8 in the rows of session \"" + session_id_ + "\"", session_line_);
        r.text.clear();
      }
    }
    oversized_ = false;
    lines_.clear();
    session_ = nlohmann::ordered_json();
    if (!emit_(std::move(r))) stopped_ = true;
  }

  void fail(InputError e) {
    if (stopped_) return;
    Record r;
    r.input = input_;
    r.line = e.line;
    r.error = std::move(e);
    if (!emit_(std::move(r))) stopped_ = true;
    stopped_ = true;
  }

  std::string input_;
  const ReadOptions& options_;
  const std::function<bool(Record&&)>& emit_;
  csv_parser parser_;
  std::vector<std::string> fields_;
  std::size_t line_ = 1, row_line_ = 1;
  bool at_line_middle_ = false;
  bool have_header_ = false, header_error_ = false;
  int column_[kFieldCount] = {};
  bool open_ = false;
  std::string session_id_;
  std::size_t session_line_ = 0;
  nlohmann::ordered_json session_;
  std::vector<std::size_t> lines_;
  std::size_t bytes_ = 0;
  bool oversized_ = false;
  bool stopped_ = false;
};

bool is_csv_name(const std::string& name) {
  return ends_with(name, ".csv") || ends_with(name, ".csv.gz") || ends_with(name, ".CSV");
}

}  // namespace

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

std::optional<std::string> apply_input_options(const InputArgs& args, ReadOptions& read, SessionOptions& session) {
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
  session.default_utc_offset_minutes = *offset;
  return std::nullopt;
}

void locate_error(InputError& e, const Record& record) {
  e.line = record.line;
  if (!record.message_lines.empty() && e.json_pointer.rfind("/messages/", 0) == 0) {
    const std::size_t index = std::strtoul(e.json_pointer.c_str() + 10, nullptr, 10);
    if (index < record.message_lines.size()) e.line = record.message_lines[index];
  } else if (e.byte_offset > 0 && e.byte_offset <= record.text.size()) {
    const auto end = record.text.begin() + static_cast<std::ptrdiff_t>(e.byte_offset);
    e.line += static_cast<std::size_t>(std::count(record.text.begin(), end, '\n'));
  }
  e.json_pointer = record.pointer_prefix + e.json_pointer;
}

std::string display_name(const std::string& name) {
  return name == "-" ? "<stdin>" : name;
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
    for (const char* f : kCsvFields) known = known || field == f;
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
  const std::string shown = display_name(name);
  int fd = 0;
  if (name != "-") {
    fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Record r;
      r.input = shown;
      r.error = input_error("E0209", std::string("cannot open input: ") + std::strerror(errno), 0);
      emit(std::move(r));
      return false;
    }
  }
  ByteStream stream(fd, bytes_read);
  const bool csv = options.format == InputFormat::csv ||
                   (options.format == InputFormat::automatic && (is_csv_name(name) || !options.csv.columns.empty()));
  if (csv) {
    CsvSessions reader(shown, options, emit);
    const std::string error = pump(stream, [&](std::string_view chunk) { return reader.feed(chunk); });
    reader.finish(error);
  } else {
    JsonSplitter splitter(shown, options.max_record_bytes, emit);
    const std::string error = pump(stream, [&](std::string_view chunk) { return splitter.feed(chunk); });
    splitter.finish(error);
  }
  if (fd != 0) ::close(fd);
  return true;
}

}  // namespace chatqa::cli
