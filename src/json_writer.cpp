#include "json_writer.hpp"

#include <cmath>
#include <cstring>

#include "chatqa/report.hpp"
#include "utf8.hpp"

namespace chatqa::detail {

void JsonWriter::newline() {
  if (indent_ < 0) return;
  out_ += '\n';
  out_.append(depth_ * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  Level& level = top();
  if (!level.empty) out_ += ',';
  level.empty = false;
  newline();
}

void JsonWriter::open(char c) {
  before_value();
  out_ += c;
  const Level level{c == '[', true};
  if (depth_ < kInlineDepth) {
    inline_[depth_] = level;
  } else {
    deep_.push_back(level);
  }
  ++depth_;
}

void JsonWriter::close(char c) {
  const bool empty = top().empty;
  if (depth_ > kInlineDepth) deep_.pop_back();
  --depth_;
  if (!empty) newline();
  out_ += c;
}

void JsonWriter::key(std::string_view k) {
  before_value();
  out_ += '"';
  out_.append(k.data(), k.size());
  if (indent_ < 0) {
    out_.append("\":", 2);
  } else {
    out_.append("\": ", 3);
  }
  after_key_ = true;
}

void JsonWriter::literal(std::string_view s) {
  before_value();
  out_ += '"';
  out_.append(s.data(), s.size());
  out_ += '"';
}

namespace {

// True if one of the 8 bytes of `w` is not printable ASCII or is '"' or
// '\\' (the bytes raw_string must look at one by one).
inline bool any_special(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;  // some byte < 0x20 (or >= 0x80, caught anyway)
  return ((w & kHigh) | control | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void JsonWriter::raw_string(std::string_view s) {
  // One pass: runs of bytes that need no escape (nearly all text) are copied
  // in one append; UTF-8 is validated on the way, and each byte that does not
  // start a valid sequence (only possible in hand-built sessions) becomes one
  // U+FFFD, as the normaliser counts them (nlohmann's error_handler_t::replace
  // writes one for a whole truncated sequence).
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  out_ += '"';
  std::size_t run = 0, i = 0;
  while (i < n) {
    // Eight plain ASCII bytes at a time (ids, times, Latin text).
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (any_special(w)) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      char32_t cp;
      const std::size_t len = utf8::decode_sequence(p + i, n - i, cp);
      if (len != 0) {
        i += len;
        continue;
      }
      out_.append(s.data() + run, i - run);
      out_ += "\xEF\xBF\xBD";
      run = ++i;
      continue;
    }
    out_.append(s.data() + run, i - run);
    run = ++i;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: {
        static const char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out_.append(esc, sizeof esc);
      }
    }
  }
  out_.append(s.data() + run, n - run);
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
