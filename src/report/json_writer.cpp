#include "report/json_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "chatqa/report.hpp"
#include "text/utf8.hpp"
#include "report/format.hpp"

namespace chatqa::detail {

void JsonWriter::grow(std::size_t n) {
  // At least doubled: a report written piece by piece is copied a few times
  // at most. Not to the whole capacity: resize zero-fills what it adds, and a
  // string kept across reports may have room for the largest one ever written.
  out_.resize(std::max({out_.size() * 2, std::size_t{256}, length_ + n}));
}

void JsonWriter::newline() {
  if (indent_ < 0) return;
  const std::size_t spaces = depth_ * static_cast<std::size_t>(indent_);
  char* p = room(1 + spaces);
  *p = '\n';
  std::memset(p + 1, ' ', spaces);
  length_ += 1 + spaces;
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
  put('"');
  std::size_t run = 0, i = 0;
  while (i < n) {
    // Eight plain ASCII bytes at a time (ids, times, Latin text).
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (any_special(w)) break;
      i += 8;
    }
    // Byte by byte through the eight that stopped it (or the last few).
    const std::size_t stop = std::min(n, i + 8);
    while (i < stop) {
      const unsigned char c = p[i];
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      if (c >= 0x80) {
        // A run of multi-byte characters (Chinese text) in one go, not
        // back to the eight-byte test after each.
        do {
          char32_t cp;
          const std::size_t len = utf8::decode_sequence(p + i, n - i, cp);
          if (len != 0) {
            i += len;
            continue;
          }
          put(s.data() + run, i - run);
          put("\xEF\xBF\xBD", 3);
          run = ++i;
        } while (i < n && p[i] >= 0x80);
        break;
      }
      put(s.data() + run, i - run);
      run = ++i;
      switch (c) {
        case '"': put("\\\"", 2); break;
        case '\\': put("\\\\", 2); break;
        case '\b': put("\\b", 2); break;
        case '\f': put("\\f", 2); break;
        case '\n': put("\\n", 2); break;
        case '\r': put("\\r", 2); break;
        case '\t': put("\\t", 2); break;
        default: {
          static const char kHex[] = "0123456789abcdef";
          const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          put(esc, sizeof esc);
        }
      }
    }
  }
  put(s.data() + run, n - run);
  put('"');
}

void JsonWriter::value(std::string_view s) {
  before_value();
  raw_string(s);
}

void JsonWriter::value(bool b) {
  before_value();
  put(b ? std::string_view("true") : std::string_view("false"));
}

void JsonWriter::value(long long n) {
  if (n < 0) {
    before_value();
    put(std::to_string(n));
    return;
  }
  value(static_cast<unsigned long long>(n));
}

void JsonWriter::value(unsigned long long n) {
  before_value();
  char digits[20];
  char* end = digits + sizeof digits;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  put(p, static_cast<std::size_t>(end - p));
}

void JsonWriter::number(double v) {
  before_value();
  put(format_points(v == 0 ? 0.0 : v));  // never "-0"
}

}  // namespace chatqa::detail
