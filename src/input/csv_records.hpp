// CSV input -> records (internal to chatqa::io): one message per row, a
// header naming the columns; each session becomes the JSON text of one
// record, with the line of each of its rows.
//
// By default the rows of a session need not be consecutive: all rows are
// grouped by session (RowGroups, an external merge within
// CsvOptions::group_memory_bytes) and the sessions come out after the last
// row, in the order of their first row (drain()). With CsvOptions::sorted a
// session is the run of rows with the same id, emitted as soon as it ends
// (constant memory), and a run whose id was seen before is an error record
// (E0213) at its first row.
//
// A quoted field that never closes is an error record at the row where it
// began, and the lines after that row are read again as rows (the quote would
// otherwise swallow the rest of the file); a row with more or fewer fields
// than the header makes its session an error record.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <csv.h>

#include <nlohmann/json.hpp>

#include "chatqa/reader.hpp"
#include "input/csv_groups.hpp"

namespace chatqa::io {

// The session fields a CSV column can hold.
inline constexpr const char* kCsvFields[] = {"session", "role", "time", "text", "agent", "team", "event"};

class CsvRecords {
 public:
  using Sink = std::function<void(InputRecord&&)>;
  CsvRecords(std::string input, const ReadOptions& options, Sink sink);
  ~CsvRecords();
  CsvRecords(const CsvRecords&) = delete;
  CsvRecords& operator=(const CsvRecords&) = delete;

  void feed(std::string_view data);
  void finish(const std::string& stream_error);
  // Grouped input, after finish(): emits the next session(s); false when
  // none are left.
  bool drain();
  bool draining() const { return draining_; }

 private:
  enum Field { kSession, kRole, kTime, kText, kAgent, kTeam, kEvent, kFieldCount };

  static void on_field(void* s, std::size_t len, void* data);
  static void on_row(int, void* data);
  void start_parser();
  void feed_piece(std::string_view piece);
  bool in_quoted_field() const;
  void unclosed_quote();
  void row();
  // The row in fields_ (at row_line_) joins its session: held for grouping,
  // or added to the open session at once.
  void build_row();
  void replay(RowGroups::Row& r);
  void start_drain();
  void group_failed(std::size_t line);
  void emit_error(InputError e);
  void header();
  const std::string* field(Field which) const;
  // The value of the column named `column` in the current row.
  const std::string* column_value(const std::string& column) const;
  // The row at `line` is bad: its session (if the row names one) becomes an
  // error record, else the row is one on its own.
  void broken_row(const std::string* session_id, InputError e);
  void mark_broken(const std::string* session_id, InputError e);
  // Flushes the open session and opens the one of `id` (with --sorted, an
  // error record if `id` had rows before).
  void start_session(const std::string& id, std::size_t line);
  void open_session(const std::string& id, std::size_t line);
  void flush();
  void fail(InputError e);
  void emit(InputRecord&& r);

  std::string input_;
  const ReadOptions& options_;
  Sink sink_;
  csv_parser parser_;
  std::vector<std::string> fields_;
  std::size_t line_ = 1, row_line_ = 1;
  std::string row_raw_;  // the raw lines of the row being parsed (to read again after an unclosed quote)
  bool row_raw_overflow_ = false;
  bool at_line_middle_ = false;
  bool have_header_ = false, header_error_ = false;
  std::size_t header_fields_ = 0;
  std::vector<std::string> header_;
  bool agent_from_agent_row_ = false;
  int column_[kFieldCount] = {};
  bool open_ = false;
  std::string session_id_;
  std::size_t session_line_ = 0;
  nlohmann::ordered_json session_;
  std::vector<std::size_t> lines_;
  std::size_t bytes_ = 0;
  bool oversized_ = false;
  std::optional<InputError> broken_;  // the first bad row of the open session
  bool stopped_ = false;
  std::unique_ptr<RowGroups> groups_;  // null with --sorted
  std::string blob_;
  bool draining_ = false;
  std::optional<InputError> pending_fail_;  // emitted after the grouped sessions
  std::uint64_t emitted_ = 0;
  IdTable seen_;  // --sorted: session ids met so far -> their first line
};

}  // namespace chatqa::io
