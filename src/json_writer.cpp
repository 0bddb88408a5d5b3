#include "json_writer.hpp"

#include <cmath>
#include <cstdio>

#include "chatqa/report.hpp"
#include "utf8.hpp"

namespace chatqa::detail {

void JsonWriter::newline() {
  if (indent_ < 0) return;
  out_ += '\n';
  out_.append(stack_.size() * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  Level& level = stack_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  newline();
}

void JsonWriter::open(char c) {
  before_value();
  out_ += c;
  stack_.push_back({c == '[', true});
}

void JsonWriter::close(char c) {
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_ += c;
}

void JsonWriter::key(std::string_view k) {
  before_value();
  raw_string(k);
  out_ += indent_ < 0 ? ":" : ": ";
  after_key_ = true;
}

void JsonWriter::raw_string(std::string_view s) {
  // Invalid UTF-8 (only possible in hand-built sessions) becomes U+FFFD, as
  // nlohmann's error_handler_t::replace does.
  std::string valid;
  if (utf8::find_invalid(s) != std::string_view::npos) {
    std::size_t pos = 0;
    while (pos < s.size()) {
      const std::size_t bad = utf8::find_invalid(s.substr(pos));
      if (bad == std::string_view::npos) {
        valid.append(s.substr(pos));
        break;
      }
      valid.append(s.substr(pos, bad));
      valid += "\xEF\xBF\xBD";
      pos += bad + 1;
    }
    s = valid;
  }
  out_ += '"';
  // Runs of bytes that need no escape (nearly all text) are copied in one go.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

void JsonWriter::value(std::string_view s) {
  before_value();
  raw_string(s);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::value(long long n) {
  before_value();
  out_ += std::to_string(n);
}

void JsonWriter::value(unsigned long long n) {
  before_value();
  out_ += std::to_string(n);
}

void JsonWriter::number(double v) {
  before_value();
  out_ += format_points(v == 0 ? 0.0 : v);  // never "-0"
}

}  // namespace chatqa::detail
