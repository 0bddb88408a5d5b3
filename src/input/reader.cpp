// SessionReader: bytes -> records -> ParsedSession (see chatqa/reader.hpp).
#include "chatqa/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>

#include "input/byte_stream.hpp"
#include "input/csv_records.hpp"
#include "input/json_records.hpp"
#include "input/mapping.hpp"
#include "input/session_json.hpp"

namespace chatqa {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_csv_name(const std::string& name) {
  return ends_with(name, ".csv") || ends_with(name, ".csv.gz") || ends_with(name, ".CSV");
}

InputError input_error(const char* code, std::string message) {
  InputError e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

// Places an error found inside a record's text in the input: the record's
// line plus the lines before the offending byte, or for CSV the row of the
// offending message; prefixes the JSON pointer with the array position.
void locate_error(InputError& e, const InputRecord& record) {
  e.line = record.line;
  if (!record.message_lines.empty() && e.json_pointer.rfind("/messages/", 0) == 0) {
    const std::size_t index = std::strtoul(e.json_pointer.c_str() + 10, nullptr, 10);
    if (index < record.message_lines.size()) e.line = record.message_lines[index];
  } else if (e.byte_offset > 0 && e.byte_offset <= record.text.size()) {
    const auto end = record.text.begin() + static_cast<std::ptrdiff_t>(e.byte_offset);
    e.line += static_cast<std::size_t>(std::count(record.text.begin(), end, '\n'));
  }
  if (record.message_lines.empty()) e.byte_offset += record.byte_offset;  // CSV records are rewritten JSON
  e.json_pointer = record.pointer_prefix + e.json_pointer;
}

}  // namespace

struct SessionReader::Impl {
  ReadOptions options;
  std::string name;
  int fd = -1;
  bool own_fd = false;
  std::unique_ptr<io::ByteStream> stream;
  std::unique_ptr<io::JsonRecords> json;
  std::unique_ptr<io::CsvRecords> csv;
  std::deque<InputRecord> queue;
  std::string buffer;
  std::string head;  // the first bytes, until we know whether they are a BOM
  bool head_done = false;
  bool done = false;

  ~Impl() {
    csv.reset();
    json.reset();
    stream.reset();
    if (own_fd && fd >= 0) ::close(fd);
  }

  void start(bool as_csv) {
    auto sink = [this](InputRecord&& r) { queue.push_back(std::move(r)); };
    if (as_csv) {
      csv = std::make_unique<io::CsvRecords>(name, options, sink);
    } else {
      json = std::make_unique<io::JsonRecords>(name, options.max_record_bytes, sink, options.mapping.sessions);
    }
  }

  void feed(std::string_view chunk) {
    if (csv) {
      csv->feed(chunk);
    } else {
      json->feed(chunk);
    }
  }

  void finish(const std::string& error) {
    if (csv) {
      csv->finish(error);
    } else {
      json->finish(error);
    }
  }

  // Reads one chunk of the input into records; sets `done` at the end.
  void pump() {
    if (buffer.empty()) buffer.resize(256 * 1024);
    const std::size_t n = stream->read(buffer.data(), buffer.size());
    if (n == 0) {
      if (!head_done && !head.empty() && head != "\xEF\xBB" && head != "\xEF") feed(head);
      finish(stream->error());
      done = true;
      return;
    }
    std::string_view chunk(buffer.data(), n);
    if (!head_done) {
      head.append(chunk);
      if (head.size() < 3) return;
      head_done = true;
      std::string_view h(head);
      if (h.substr(0, 3) == "\xEF\xBB\xBF") h.remove_prefix(3);  // a UTF-8 BOM is no part of the text
      feed(h);
      head.clear();
      head.shrink_to_fit();
      return;
    }
    feed(chunk);
  }
};

SessionReader::SessionReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SessionReader::SessionReader(SessionReader&&) noexcept = default;
SessionReader& SessionReader::operator=(SessionReader&&) noexcept = default;
SessionReader::~SessionReader() = default;

SessionReader SessionReader::open(const std::string& path, const ReadOptions& options,
                                  std::atomic<std::uint64_t>* bytes_read) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->name = display_name(path);
  const bool as_csv = options.format == InputFormat::csv ||
                      (options.format == InputFormat::automatic && (is_csv_name(path) || !options.csv.columns.empty()));
  impl->start(as_csv);
  auto fail = [&](const char* code, std::string message) {
    InputRecord r;
    r.input = impl->name;
    r.error = input_error(code, std::move(message));
    impl->queue.push_back(std::move(r));
    impl->done = true;
    return SessionReader(std::move(impl));
  };
  if (path == "-") {
    impl->fd = 0;
  } else {
    impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (impl->fd < 0) return fail("E0209", std::string("cannot open input: ") + std::strerror(errno));
    impl->own_fd = true;
  }
  struct stat st {};
  if (::fstat(impl->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail("E0212", "the input is a directory, not a file (give the files in it, e.g. DIR/*.jsonl)");
  }
  impl->stream = std::make_unique<io::ByteStream>(impl->fd, bytes_read);
  return SessionReader(std::move(impl));
}

SessionReader SessionReader::from_text(std::string_view text, const ReadOptions& options, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->name = name;
  const bool as_csv = options.format == InputFormat::csv ||
                      (options.format == InputFormat::automatic && (is_csv_name(name) || !options.csv.columns.empty()));
  impl->start(as_csv);
  impl->stream = std::make_unique<io::ByteStream>(text);
  return SessionReader(std::move(impl));
}

const std::string& SessionReader::name() const { return impl_->name; }

bool SessionReader::next_record(InputRecord& out) {
  while (impl_->queue.empty() && !impl_->done) impl_->pump();
  if (impl_->queue.empty()) return false;
  out = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  return true;
}

bool SessionReader::next(ParsedSession& out) {
  InputRecord record;
  if (!next_record(record)) return false;
  out = parse(record, impl_->options);
  return true;
}

ParsedSession SessionReader::parse(const InputRecord& record, const ReadOptions& options) {
  ParsedSession p;
  if (record.error) {
    p.error = *record.error;
    if (p.error->line == 0) p.error->line = record.line;
  } else if (options.mapping.active() && record.message_lines.empty()) {
    // A mapped JSON export (CSV records are mapped while their rows are read).
    nlohmann::json doc;
    InputError error;
    if (!detail::parse_json_text(record.text, doc, error)) {
      p.error = std::move(error);
    } else {
      Session session;
      if (auto e = detail::session_from_json(detail::map_session(doc, options.mapping), options.session, session)) {
        p.error = std::move(e);
        p.error->byte_offset = 0;  // a place in the mapped session, not in the text
      } else {
        p.session = std::move(session);
      }
    }
    if (p.error) locate_error(*p.error, record);
  } else {
    p = parse_session(record.text, options.session);
    if (p.error) locate_error(*p.error, record);
  }
  p.line = record.line;
  p.input = record.input;
  p.byte_offset = record.byte_offset;
  p.message_lines = record.message_lines;
  return p;
}

std::vector<ParsedSession> parse_sessions(std::string_view text, const ReadOptions& options) {
  std::vector<ParsedSession> out;
  SessionReader reader = SessionReader::from_text(text, options);
  ParsedSession p;
  while (reader.next(p)) out.push_back(std::move(p));
  return out;
}

std::vector<ParsedSession> parse_sessions(std::string_view text, const SessionOptions& options) {
  ReadOptions read;
  read.format = InputFormat::json;
  read.session = options;
  read.max_record_bytes = std::numeric_limits<std::size_t>::max();  // the text is in memory already
  return parse_sessions(text, read);
}

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

}  // namespace chatqa
