// CSV input -> records (see csv_records.hpp).
#include "input/csv_records.hpp"

#include "input/mapping.hpp"
#include "text/utf8.hpp"

#include "input/input_error.hpp"

namespace chatqa::io {
namespace {

// libcsv's parser states (csv.c): a field has begun; with `quoted`, inside quotes.
constexpr int kFieldBegun = 2;

InputError input_error(const char* code, const std::string& message, std::size_t line) {
  return detail::input_error(code, message, {}, line);
}

// `s` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view s) {
  std::string out;
  for (;;) {
    const std::size_t bad = utf8::find_invalid(s);
    if (bad == std::string_view::npos) break;
    out.append(s.substr(0, bad));
    out.append("\xEF\xBF\xBD");
    s.remove_prefix(bad + 1);
  }
  out.append(s);
  return out;
}

}  // namespace

CsvRecords::CsvRecords(std::string input, const ReadOptions& options, Sink sink)
    : input_(std::move(input)), options_(options), sink_(std::move(sink)) {
  start_parser();
  if (!options_.csv.sorted) {
    groups_ = std::make_unique<RowGroups>(options_.csv.group_memory_bytes, options_.csv.temp_dir);
  }
}

CsvRecords::~CsvRecords() { csv_free(&parser_); }

void CsvRecords::start_parser() {
  csv_init(&parser_, 0);
  csv_set_delim(&parser_, static_cast<unsigned char>(options_.csv.delimiter));
  // Keep spaces at the edges of unquoted fields: they are part of the text.
  csv_set_space_func(&parser_, [](unsigned char) { return 0; });
}

void CsvRecords::emit(InputRecord&& r) {
  ++emitted_;
  sink_(std::move(r));
}

void CsvRecords::feed(std::string_view data) {
  // Fed one line at a time so each row knows the line it started on.
  while (!data.empty() && !stopped_) {
    const std::size_t nl = data.find('\n');
    const std::string_view piece = data.substr(0, nl == std::string_view::npos ? data.size() : nl + 1);
    feed_piece(piece);
    data.remove_prefix(piece.size());
  }
}

void CsvRecords::feed_piece(std::string_view piece) {
  if (parser_.pstate == 0 && !at_line_middle_) {
    row_line_ = line_;
    row_raw_.clear();
    row_raw_overflow_ = false;
  }
  if (!row_raw_overflow_) {
    row_raw_.append(piece);  // pieces are at most a chunk: the row stays within the limit plus a chunk
    row_raw_overflow_ = row_raw_.size() > options_.max_record_bytes;
  }
  if (csv_parse(&parser_, piece.data(), piece.size(), on_field, on_row, this) != piece.size()) {
    fail(input_error("E0211", std::string("CSV: ") + csv_strerror(csv_error(&parser_)), line_));
    return;
  }
  at_line_middle_ = piece.empty() || piece.back() != '\n';
  if (!at_line_middle_) ++line_;
  // A quoted field longer than any record may be: its quote is not closed.
  if (row_raw_overflow_ && in_quoted_field()) unclosed_quote();
}

bool CsvRecords::in_quoted_field() const { return parser_.pstate == kFieldBegun && parser_.quoted; }

void CsvRecords::unclosed_quote() {
  const std::size_t bad_line = row_line_;
  const std::size_t first_nl = row_raw_.find('\n');
  std::string rest = first_nl == std::string::npos ? std::string() : row_raw_.substr(first_nl + 1);
  // The fields before the quote name the session, if its column came first.
  std::vector<std::string> before = std::move(fields_);
  fields_.clear();
  csv_free(&parser_);
  start_parser();
  row_raw_.clear();
  row_raw_overflow_ = false;
  at_line_middle_ = false;
  line_ = bad_line + 1;
  fields_ = std::move(before);
  const std::string* id = have_header_ ? field(kSession) : nullptr;
  const std::string session = id ? *id : std::string();
  fields_.clear();
  InputError e = input_error("E0211",
                             "CSV: the quoted field in the row at line " + std::to_string(bad_line) +
                                 " is never closed (a '\"' is missing); the lines after it are read as rows",
                             bad_line);
  if (!have_header_) {
    header_error_ = true;
    fail(std::move(e));
    return;
  }
  broken_row(id ? &session : nullptr, std::move(e));
  feed(rest);
}

void CsvRecords::finish(const std::string& stream_error) {
  if (stopped_) return;
  if (!stream_error.empty()) {
    // The rows cut off may belong to the open session: report it as lost.
    const std::size_t line = open_ ? session_line_ : line_;
    std::string message = stream_error;
    if (open_) message += "; session \"" + session_id_ + "\" from line " + std::to_string(session_line_) + " is incomplete";
    if (groups_) message += "; the rows before line " + std::to_string(line_) + " are scored, any session may lack rows after it";
    fail(input_error("E0210", message, line));
    return;
  }
  while (in_quoted_field() && !stopped_) unclosed_quote();
  if (stopped_) return;
  csv_fini(&parser_, on_field, on_row, this);
  if (stopped_) return;
  if (!have_header_ && !header_error_) return;  // empty input
  if (groups_) {
    start_drain();
    return;
  }
  flush();
}

void CsvRecords::group_failed(std::size_t line) {
  // The sessions held are incomplete (their later rows are unread): none is scored.
  if (!groups_) return;
  stopped_ = true;
  draining_ = false;
  emit_error(input_error("E0214",
                         "CSV: " + groups_->error() + " (at line " + std::to_string(line) +
                             "; no session of this input is scored: free the space, set TMPDIR, raise "
                             "--csv-group-memory, or give --sorted for an export sorted by session)",
                         line));
  groups_.reset();
}

void CsvRecords::start_drain() {
  if (!groups_->finish()) {
    group_failed(line_);
    return;
  }
  draining_ = true;
}

bool CsvRecords::drain() {
  if (!draining_) return false;
  const std::uint64_t before = emitted_;
  RowGroups::Row r;
  while (emitted_ == before) {
    if (!groups_->next(r)) {
      draining_ = false;
      if (!groups_->error().empty()) {
        open_ = false;  // the open session may lack rows
        group_failed(line_);
        return true;
      }
      flush();
      if (pending_fail_) emit_error(std::move(*pending_fail_));
      pending_fail_.reset();
      groups_.reset();
      return emitted_ != before;
    }
    replay(r);
  }
  return true;
}

void CsvRecords::replay(RowGroups::Row& r) {
  if (r.kind == RowGroups::kRow) {
    if (!decode_fields(r.payload, fields_)) return;
    row_line_ = r.line;
    build_row();
    return;
  }
  std::vector<std::string> parts;
  decode_fields(r.payload, parts);
  InputError e = input_error(parts.size() > 0 ? parts[0].c_str() : "E0211", parts.size() > 1 ? parts[1] : "", r.line);
  mark_broken(r.kind == RowGroups::kBrokenRow ? &r.id : nullptr, std::move(e));
}

void CsvRecords::on_field(void* s, std::size_t len, void* data) {
  auto* self = static_cast<CsvRecords*>(data);
  self->fields_.emplace_back(static_cast<const char*>(s), len);
}

void CsvRecords::on_row(int, void* data) {
  auto* self = static_cast<CsvRecords*>(data);
  if (!self->stopped_) self->row();
  self->fields_.clear();
}

const std::string* CsvRecords::field(Field which) const {
  const int col = column_[which];
  if (col < 0 || static_cast<std::size_t>(col) >= fields_.size()) return nullptr;
  return &fields_[static_cast<std::size_t>(col)];
}

void CsvRecords::open_session(const std::string& id, std::size_t line) {
  open_ = true;
  session_id_ = id;
  session_line_ = line;
  session_ = nlohmann::ordered_json::object();
  session_["id"] = id;
  session_["messages"] = nlohmann::ordered_json::array();
  bytes_ = 0;
  lines_.clear();
  broken_.reset();
  agent_from_agent_row_ = false;
}

void CsvRecords::broken_row(const std::string* session_id, InputError e) {
  if (groups_ && !draining_) {
    encode_fields({e.code, e.message}, blob_);
    if (!groups_->add(session_id ? RowGroups::kBrokenRow : RowGroups::kLoneError, session_id ? *session_id : "",
                      e.line, blob_)) {
      group_failed(e.line);
    }
    return;
  }
  mark_broken(session_id, std::move(e));
}

void CsvRecords::mark_broken(const std::string* session_id, InputError e) {
  if (session_id && open_ && *session_id == session_id_) {
    if (!broken_) broken_ = std::move(e);
    return;
  }
  if (session_id) {
    start_session(*session_id, e.line);
    if (!broken_) broken_ = std::move(e);
    return;
  }
  flush();
  InputRecord r;
  r.input = input_;
  r.line = e.line;
  r.error = std::move(e);
  emit(std::move(r));
}

// Long function: maps one CSV row's columns onto the session being built (start of a new session,
// message fields, agent), in column order.
void CsvRecords::row() {
  bool blank = true;
  for (const auto& f : fields_) blank = blank && f.empty();
  if (blank) return;
  if (!have_header_) {
    header();
    return;
  }
  static const std::string kEmpty;
  const std::string* id = field(kSession);
  const std::string& session_id = id ? *id : kEmpty;
  if (fields_.size() != header_fields_) {
    broken_row(id, input_error("E0211",
                               "CSV: the row at line " + std::to_string(row_line_) + " has " +
                                   std::to_string(fields_.size()) + " fields, the header has " +
                                   std::to_string(header_fields_),
                               row_line_));
    return;
  }
  if (groups_ && !draining_) {
    encode_fields(fields_, blob_);
    if (!groups_->add(RowGroups::kRow, session_id, row_line_, blob_)) group_failed(row_line_);
    return;
  }
  build_row();
}

void CsvRecords::start_session(const std::string& id, std::size_t line) {
  flush();
  open_session(id, line);
  if (!options_.csv.sorted) return;
  bool inserted = false;
  const std::uint64_t first = seen_.find_or_insert(hash_id(id), line, inserted);
  if (!inserted) {
    broken_ = input_error("E0213",
                          "CSV: the rows of session \"" + id + "\" are not consecutive: the row at line " +
                              std::to_string(line) + " continues it after other sessions (its rows began at line " +
                              std::to_string(first) + "); without --sorted the rows of each session are grouped",
                          line);
  }
}

void CsvRecords::build_row() {
  static const std::string kEmpty;
  const std::string* id = field(kSession);
  const std::string& session_id = id ? *id : kEmpty;
  if (!open_ || session_id != session_id_) start_session(session_id, row_line_);
  if (broken_) return;  // the session is an error record already
  const Mapping& mapping = options_.mapping;
  std::string matched;
  const RowAction action = mapping.rows.empty() ? RowAction::message
                                                : detail::row_action(
                                                      mapping,
                                                      [&](const std::string& column, bool& present) {
                                                        const std::string* v = column_value(column);
                                                        present = v != nullptr;
                                                        return v ? *v : std::string();
                                                      },
                                                      matched);
  if (action == RowAction::drop) return;
  std::string role;
  if (const std::string* raw = field(kRole)) {
    auto mapped = options_.csv.roles.find(*raw);
    role = mapped != options_.csv.roles.end() ? mapped->second : detail::map_role(mapping, *raw);
  }
  if (role == "drop") return;
  if (const std::string* team = field(kTeam); team && !team->empty() && !session_.contains("team")) {
    session_["team"] = *team;
  }
  // The session's agent: from an agent's row; any row's only if no agent row has one.
  if (const std::string* agent = field(kAgent); agent && !agent->empty()) {
    if (role == "agent" && !agent_from_agent_row_) {
      session_["agent"] = *agent;
      agent_from_agent_row_ = true;
    } else if (!session_.contains("agent")) {
      session_["agent"] = *agent;
    }
  }
  for (const auto& [name, column] : mapping.meta) {
    const std::string* v = column_value(column);
    if (v && !v->empty() && !(session_.contains("meta") && session_["meta"].contains(name))) {
      session_["meta"][name] = *v;
    }
  }
  nlohmann::ordered_json m = nlohmann::ordered_json::object();
  const std::string* event = field(kEvent);
  if (action == RowAction::event || role.rfind("event", 0) == 0) {
    m["role"] = "system";
    std::string name = event && !event->empty() ? *event : action == RowAction::event ? matched : std::string();
    if (name.empty() && role.rfind("event:", 0) == 0) name = role.substr(6);
    if (name.empty()) name = field(kRole) ? *field(kRole) : std::string("event");
    if (const std::string* time = field(kTime); time && !time->empty()) m["time"] = *time;
    m["text"] = "";
    m["event"] = name.empty() ? std::string("event") : name;
  } else {
    if (field(kRole)) m["role"] = action == RowAction::system ? std::string("system") : role;
    if (const std::string* time = field(kTime); time && !time->empty()) m["time"] = *time;
    const std::string* text = field(kText);
    m["text"] = text ? (mapping.html ? html_to_text(*text) : *text) : kEmpty;
    if (event && !event->empty()) m["event"] = *event;
  }
  for (const auto& f : fields_) bytes_ += f.size();
  if (bytes_ > options_.max_record_bytes) oversized_ = true;
  if (!oversized_) {
    session_["messages"].push_back(std::move(m));
    lines_.push_back(row_line_);
  }
}

const std::string* CsvRecords::column_value(const std::string& column) const {
  for (std::size_t i = 0; i < header_.size() && i < fields_.size(); ++i) {
    if (header_[i] == column) return &fields_[i];
  }
  return nullptr;
}

void CsvRecords::header() {
  have_header_ = true;
  header_fields_ = fields_.size();
  header_ = fields_;
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
      have = valid_utf8(have);  // a header in another encoding: shown, not passed on as bad bytes
      header_error_ = true;
      fail(input_error("E0211",
                       "CSV header has no column \"" + name + "\" for " + kCsvFields[f] + " (columns: " + have +
                           "); map it with --csv-map " + kCsvFields[f] + "=COLUMN",
                       row_line_));
      return;
    }
  }
}

void CsvRecords::flush() {
  if (!open_) return;
  open_ = false;
  InputRecord r;
  r.input = input_;
  r.line = session_line_;
  if (broken_) {
    r.error = std::move(broken_);
    broken_.reset();
  } else if (oversized_) {
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
  emit(std::move(r));
}

void CsvRecords::fail(InputError e) {
  if (stopped_) return;
  stopped_ = true;
  if (groups_ && !groups_->empty() && !draining_) {
    // The rows read so far are still sessions: they come first.
    pending_fail_ = std::move(e);
    start_drain();
    return;
  }
  emit_error(std::move(e));
}

void CsvRecords::emit_error(InputError e) {
  InputRecord r;
  r.input = input_;
  r.line = e.line;
  r.error = std::move(e);
  emit(std::move(r));
}

}  // namespace chatqa::io
