// JSON input -> records (internal to chatqa::io): one object, objects one
// after another (JSON Lines, pretty-printed documents, `}{`, several on a
// line, lines ended by a lone CR), or an array of objects. A streaming state
// machine over the bytes: it holds one record at a time, so any input size
// reads in memory bounded by the record limit.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "chatqa/reader.hpp"

namespace chatqa::io {

class JsonRecords {
 public:
  using Sink = std::function<void(InputRecord&&)>;
  // `sessions_key`: the sessions are the elements of this key's array in a
  // wrapper object ({"chats": [...]}); an object without it is one session.
  JsonRecords(std::string input, std::size_t max_bytes, Sink sink, std::string sessions_key = {})
      : input_(std::move(input)), max_bytes_(max_bytes), sink_(std::move(sink)), sessions_key_(std::move(sessions_key)) {}

  void feed(std::string_view data);
  // End of input; `stream_error` is set when the bytes stopped early.
  void finish(const std::string& stream_error);

 private:
  enum class Mode { top, line, line_closed, value, array, array_value, array_scalar, wrapper };
  // Inside a wrapper object: where in its "key": value list we are.
  enum class Wrap { expect_key, key, colon, value_start, skip };
  void step_wrapper(char c);
  void end_wrapper();

  void step(char c);
  void step_byte(char c);
  void begin(Mode mode, char c);
  void append(char c);
  bool track(char c);
  void split_truncated();
  void emit_record();
  void emit_error(InputError e);
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  std::string input_;
  std::size_t max_bytes_;
  Sink sink_;
  Mode mode_ = Mode::top;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  std::size_t offset_ = 0;         // bytes stepped so far
  std::size_t record_offset_ = 0;  // where the record being cut starts
  std::string buffer_;
  bool oversized_ = false;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false;
  bool at_line_start_ = false;
  bool jsonl_ = false;  // a record ended at the end of its line: JSON Lines
  bool doc_ = false;    // a record spread over lines: pretty-printed documents
  bool pending_cr_ = false;  // a CR whose next byte tells CRLF from a lone CR
  std::size_t array_index_ = 0;
  std::string sessions_key_;
  Wrap wrap_ = Wrap::expect_key;
  std::string key_;            // the key being read in a wrapper
  bool key_escape_ = false;
  bool in_wrapper_ = false;    // the array being read is the wrapper's sessions
  bool wrapper_found_ = false; // the wrapper had the sessions key
  int skip_depth_ = 0;
  bool skip_string_ = false, skip_escape_ = false;
  // In a pretty-printed record: where a '{' at column 0 began inside it (a
  // new record, if this one turns out to be truncated), and its line.
  std::size_t split_at_ = std::string::npos;
  std::size_t split_line_ = 0;
};

}  // namespace chatqa::io
