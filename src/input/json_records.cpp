// JSON input -> records (see json_records.hpp).
#include "input/json_records.hpp"

#include "input/input_error.hpp"

namespace chatqa::io {
namespace {

InputError input_error(const char* code, const std::string& message, std::size_t line) {
  return detail::input_error(code, message, {}, line);
}

}  // namespace

void JsonRecords::feed(std::string_view data) {
  for (char c : data) {
    // A CR not followed by LF ends a line (old Mac files, some exporters);
    // the CR of a CRLF is a blank like any other.
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        step_byte('\r');
        step_byte('\n');
        continue;
      }
      step_byte('\n');
    }
    if (c == '\r') {
      pending_cr_ = true;
      continue;
    }
    step_byte(c);
  }
}

void JsonRecords::step_byte(char c) {
  step(c);
  ++offset_;
}

void JsonRecords::finish(const std::string& stream_error) {
  if (pending_cr_) {
    pending_cr_ = false;
    step_byte('\n');
  }
  while (mode_ == Mode::value && split_at_ != std::string::npos) split_truncated();
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
    case Mode::line_closed:
    case Mode::value:
    case Mode::array_scalar:
    case Mode::array_value: emit_record(); break;
    case Mode::array:
      emit_error(input_error("E0201", "invalid JSON: the array is not closed with ']'", line_));
      break;
    case Mode::wrapper:
      if (wrapper_found_) {
        emit_error(input_error("E0201", "invalid JSON: the object holding \"" + sessions_key_ + "\" is not closed", line_));
      } else {
        emit_record();
      }
      break;
  }
}

void JsonRecords::begin(Mode mode, char c) {
  mode_ = mode;
  record_line_ = line_;
  record_offset_ = offset_;
  buffer_.clear();
  oversized_ = false;
  depth_ = 0;
  in_string_ = false;
  escape_ = false;
  split_at_ = std::string::npos;
  append(c);
  track(c);
}

void JsonRecords::append(char c) {
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
bool JsonRecords::track(char c) {
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
      if (depth_ > 0 && --depth_ == 0) return true;
      return false;
    default: return false;
  }
}

// Long function: the byte-at-a-time state machine of the JSON Lines / array reader: one switch over
// the states, each case a few lines; split, the state would be scattered.
void JsonRecords::step(char c) {
  switch (mode_) {
    case Mode::top:
      if (c == '\n') {
        ++line_;
      } else if (is_space(c)) {
      } else if (c == '[' && !jsonl_) {
        mode_ = Mode::array;
        array_index_ = 0;
      } else if (c == '{' && !sessions_key_.empty()) {
        // Maybe a wrapper: kept whole until its sessions key shows (then
        // dropped), so that an object without the key is a session itself.
        begin(Mode::wrapper, c);
        wrap_ = Wrap::expect_key;
        wrapper_found_ = false;
        in_wrapper_ = false;
      } else {
        begin(doc_ && c == '{' ? Mode::value : Mode::line, c);
      }
      return;
    case Mode::line:
      if (c == '\n') {
        if (depth_ > 0 && !jsonl_) {
          // A value spread over lines (pretty-printed), not JSON Lines.
          doc_ = true;
          mode_ = Mode::value;
          append(c);
          ++line_;
          in_string_ = escape_ = false;
          at_line_start_ = true;
          return;
        }
        jsonl_ = true;
        emit_record();
        ++line_;
        mode_ = Mode::top;
        return;
      }
      append(c);
      if (track(c)) mode_ = Mode::line_closed;
      return;
    case Mode::line_closed:
      // The object of this line is closed: a line end or another object
      // (`}{`, two objects on one line) ends the record; anything else is
      // trailing garbage of the same record (one error for the line).
      if (c == '\n') {
        jsonl_ = true;
        emit_record();
        ++line_;
        mode_ = Mode::top;
      } else if (c == '{') {
        emit_record();
        begin(doc_ ? Mode::value : Mode::line, c);
      } else if (c == ' ' || c == '\t' || c == '\r') {
        append(c);
      } else {
        mode_ = Mode::line;
        append(c);
        track(c);
      }
      return;
    case Mode::value:
      if (c == '{' && at_line_start_ && depth_ > 0 && split_at_ == std::string::npos && !oversized_) {
        // Pretty-printed documents open a record at column 0: if the record
        // before this line never closes (truncated), it ends here, and what
        // follows is read again as records of their own (split_truncated), so
        // one bad record does not swallow the rest. If it does close, it was
        // one record written compactly: one record, one error at most.
        split_at_ = buffer_.size();
        split_line_ = line_;
      }
      if (split_at_ != std::string::npos && buffer_.size() >= max_bytes_) {
        split_truncated();
        step(c);
        return;
      }
      if (c == '\n' && split_at_ != std::string::npos && split_line_ == line_) {
        // A line that ends with ',' is an element of a list, not the start of
        // a record (neither a JSON Lines record nor a pretty document's "{").
        std::size_t last = buffer_.size();
        while (last > split_at_ && is_space(buffer_[last - 1])) --last;
        if (last > split_at_ && buffer_[last - 1] == ',') split_at_ = std::string::npos;
      }
      at_line_start_ = c == '\n';
      append(c);
      if (c == '\n') {
        ++line_;
        in_string_ = escape_ = false;  // a raw newline cannot be inside a JSON string
      }
      if (track(c)) {
        mode_ = Mode::top;
        emit_record();
      }
      return;
    case Mode::array:
      if (c == '\n') {
        ++line_;
      } else if (is_space(c) || c == ',') {
      } else if (c == ']') {
        if (in_wrapper_) {
          in_wrapper_ = false;
          mode_ = Mode::wrapper;
          wrap_ = Wrap::skip;  // the rest of the wrapper, up to its '}'
          skip_depth_ = 0;
          skip_string_ = skip_escape_ = false;
        } else {
          mode_ = Mode::top;
        }
      } else {
        begin(c == '{' || c == '[' ? Mode::array_value : Mode::array_scalar, c);
      }
      return;
    case Mode::wrapper:
      step_wrapper(c);
      return;
    case Mode::array_value:
      append(c);
      if (c == '\n') ++line_;
      if (track(c)) {
        mode_ = Mode::array;
        emit_record();
      }
      return;
    case Mode::array_scalar:
      if (!in_string_ && (c == ',' || c == ']' || is_space(c))) {
        mode_ = Mode::array;
        emit_record();
        step(c);
        return;
      }
      append(c);
      track(c);
      return;
  }
}

void JsonRecords::step_wrapper(char c) {
  if (c == '\n') ++line_;
  if (!wrapper_found_) append(c);
  switch (wrap_) {
    case Wrap::expect_key:
      if (c == '"') {
        wrap_ = Wrap::key;
        key_.clear();
        key_escape_ = false;
      } else if (c == '}') {
        end_wrapper();
      } else if (!is_space(c) && c != ',') {
        wrap_ = Wrap::skip;  // not JSON: read on to the end of the object
        skip_depth_ = 0;
        skip_string_ = skip_escape_ = false;
      }
      return;
    case Wrap::key:
      if (key_escape_) {
        key_escape_ = false;
        key_ += c;
      } else if (c == '\\') {
        key_escape_ = true;
        key_ += c;
      } else if (c == '"') {
        wrap_ = Wrap::colon;
      } else if (key_.size() < 4096) {
        key_ += c;
      }
      return;
    case Wrap::colon:
      if (c == ':') wrap_ = Wrap::value_start;
      return;
    case Wrap::value_start:
      if (is_space(c)) return;
      if (c == '[' && key_ == sessions_key_ && !wrapper_found_) {
        wrapper_found_ = true;
        buffer_.clear();
        buffer_.shrink_to_fit();
        in_wrapper_ = true;
        mode_ = Mode::array;
        array_index_ = 0;
        return;
      }
      wrap_ = Wrap::skip;
      skip_depth_ = 0;
      skip_string_ = skip_escape_ = false;
      [[fallthrough]];
    case Wrap::skip:
      if (skip_string_) {
        if (skip_escape_) {
          skip_escape_ = false;
        } else if (c == '\\') {
          skip_escape_ = true;
        } else if (c == '"') {
          skip_string_ = false;
        }
        return;
      }
      if (c == '"') {
        skip_string_ = true;
      } else if (c == '{' || c == '[') {
        ++skip_depth_;
      } else if (c == '}' || c == ']') {
        if (skip_depth_ == 0 && c == '}') {
          end_wrapper();
          return;
        }
        if (skip_depth_ > 0) --skip_depth_;
      } else if (c == ',' && skip_depth_ == 0) {
        wrap_ = Wrap::expect_key;
      }
      return;
  }
}

void JsonRecords::end_wrapper() {
  if (wrapper_found_) {
    mode_ = Mode::top;
    return;
  }
  mode_ = Mode::line_closed;  // an object without the sessions key: a session itself
  emit_record();
  mode_ = Mode::top;
}

void JsonRecords::split_truncated() {
  std::string rest = buffer_.substr(split_at_);
  buffer_.resize(split_at_);
  const std::size_t rest_line = split_line_, rest_offset = record_offset_ + split_at_;
  split_at_ = std::string::npos;
  emit_record();
  mode_ = Mode::top;
  line_ = rest_line;
  offset_ = rest_offset;
  at_line_start_ = false;
  for (char c : rest) step_byte(c);
}

void JsonRecords::emit_record() {
  InputRecord r;
  r.input = input_;
  r.line = record_line_;
  r.byte_offset = record_offset_;
  if (mode_ == Mode::array || mode_ == Mode::array_value || mode_ == Mode::array_scalar) {
    r.pointer_prefix = (in_wrapper_ ? "/" + sessions_key_ : std::string()) + "/" + std::to_string(array_index_++);
  }
  if (oversized_) {
    r.error = input_error(
        "E0207", "record is larger than the limit of " + std::to_string(max_bytes_) + " bytes (--max-record-bytes)",
        record_line_);
    r.error->byte_offset = record_offset_;
  } else {
    // Trailing blanks are no part of a record (and would move the line of an
    // "unexpected end of input" past it).
    while (!buffer_.empty() && is_space(buffer_.back())) buffer_.pop_back();
    r.text = std::move(buffer_);
  }
  buffer_.clear();
  sink_(std::move(r));
}

void JsonRecords::emit_error(InputError e) {
  InputRecord r;
  r.input = input_;
  r.line = e.line;
  r.byte_offset = offset_;
  r.error = std::move(e);
  sink_(std::move(r));
}

}  // namespace chatqa::io
