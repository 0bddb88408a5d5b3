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
#include "input/json_locator.hpp"
#include "input/json_records.hpp"
#include "input/mapping.hpp"
#include "input/session_json.hpp"
#include "input/transcode.hpp"

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
  bool input_done = false;
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

  std::unique_ptr<io::Transcoder> transcoder;
  std::string converted;
  bool encoding_decided = false;
  std::string hint;  // the input is not UTF-8: what it looks like

  // Picks the input's encoding from the options or a UTF-16 BOM; without one,
  // notes whether the first bytes are UTF-8.
  void decide_encoding(std::string_view first) {
    encoding_decided = true;
    std::string encoding = options.encoding;
    if (encoding.empty() && first.size() >= 2 &&
        ((first[0] == '\xFF' && first[1] == '\xFE') || (first[0] == '\xFE' && first[1] == '\xFF'))) {
      encoding = "UTF-16";
    }
    if (encoding.empty()) {
      hint = io::encoding_hint(first.substr(0, 64 * 1024));
      return;
    }
    std::string error;
    transcoder = io::Transcoder::open(encoding, error);  // the name was checked when the reader opened
  }

  // Hands decoded UTF-8 on, without a leading BOM.
  void deliver(std::string_view chunk) {
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

  // Reads one chunk of the input into records; sets `done` at the end.
  void pump() {
    if (input_done) {
      // Grouped CSV: the sessions come out after the last row, a few at a time.
      if (!csv || !csv->drain()) done = true;
      return;
    }
    if (buffer.empty()) buffer.resize(256 * 1024);
    const std::size_t n = stream->read(buffer.data(), buffer.size());
    if (n == 0) {
      if (transcoder) {
        converted.clear();
        transcoder->convert({}, converted, true);
        if (!converted.empty()) deliver(converted);
      }
      if (!head_done && !head.empty() && head != "\xEF\xBB" && head != "\xEF") feed(head);
      finish(stream->error());
      input_done = true;
      if (!csv || !csv->draining()) done = true;
      buffer.clear();
      buffer.shrink_to_fit();
      return;
    }
    std::string_view chunk(buffer.data(), n);
    if (!encoding_decided) decide_encoding(chunk);
    if (transcoder) {
      converted.clear();
      transcoder->convert(chunk, converted, false);
      chunk = converted;
    }
    deliver(chunk);
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
  const bool as_csv = reads_as_csv(path, options);
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
  if (!options.encoding.empty() && !io::encoding_known(options.encoding)) {
    return fail("E0215", "unknown encoding \"" + options.encoding +
                             "\" (e.g. gbk, gb18030, big5, utf-16, utf-16le, shift_jis)");
  }
  impl->stream = std::make_unique<io::ByteStream>(impl->fd, bytes_read);
  return SessionReader(std::move(impl));
}

SessionReader SessionReader::from_text(std::string_view text, const ReadOptions& options, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->name = name;
  const bool as_csv = reads_as_csv(name, options);
  impl->start(as_csv);
  if (!options.encoding.empty() && !io::encoding_known(options.encoding)) {
    InputRecord r;
    r.input = impl->name;
    r.error = input_error("E0215", "unknown encoding \"" + options.encoding +
                                       "\" (e.g. gbk, gb18030, big5, utf-16, utf-16le, shift_jis)");
    impl->queue.push_back(std::move(r));
    impl->done = true;
    return SessionReader(std::move(impl));
  }
  impl->stream = std::make_unique<io::ByteStream>(text);
  return SessionReader(std::move(impl));
}

const std::string& SessionReader::name() const { return impl_->name; }

bool SessionReader::next_record(InputRecord& out) {
  while (impl_->queue.empty() && !impl_->done) impl_->pump();
  if (impl_->queue.empty()) return false;
  out = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  if (!impl_->hint.empty()) out.encoding_hint = impl_->hint;
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
    std::string source;  // where an error is in the export's record
    if (!detail::parse_json_text(record.text, doc, error)) {
      p.error = std::move(error);
    } else {
      Session session;
      if (auto e = detail::session_from_json(detail::map_session(doc, options.mapping), options.session, session)) {
        p.error = std::move(e);
        p.error->byte_offset = 0;  // a place in the mapped session, not in the text
        // Point into the export's own record: map again (errors only), noting sources.
        detail::MappingTrace trace;
        detail::map_session(doc, options.mapping, &trace);
        source = detail::source_pointer(doc, trace, p.error->json_pointer);
        if (!source.empty()) p.error->json_pointer = source;
      } else {
        p.session = std::move(session);
      }
    }
    if (p.error) locate_error(*p.error, record);
    if (p.error && !source.empty()) {
      const TextPosition at = JsonLocator(record.text).value(source);
      if (at.line > 0) p.error->line = record.line + static_cast<std::size_t>(at.line) - 1;
    }
  } else {
    p = parse_session(record.text, options.session);
    if (p.error) locate_error(*p.error, record);
  }
  if (p.error && !record.encoding_hint.empty() && (p.error->code == "E0206" || p.error->code == "E0211")) {
    p.error->message += record.encoding_hint;
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

bool encoding_known(const std::string& name) { return io::encoding_known(name); }

bool reads_as_csv(const std::string& name, const ReadOptions& options) {
  return options.format == InputFormat::csv ||
         (options.format == InputFormat::automatic && (is_csv_name(name) || !options.csv.columns.empty()));
}

}  // namespace chatqa
