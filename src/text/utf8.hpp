// UTF-8 helpers shared by the session reader, the normaliser and the writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::utf8 {

// Decodes the sequence starting at s[0] (n > 0 bytes available, s[0] >= 0x80:
// ASCII is for the caller's fast path). Returns its length and sets `cp`, or
// returns 0 if it is not a valid sequence (overlong, surrogate, above
// U+10FFFF, truncated, stray continuation byte). The one definition of
// "valid" shared by the reader, the normaliser and the writers.
inline std::size_t decode_sequence(const unsigned char* s, std::size_t n, char32_t& cp) noexcept {
  const unsigned char c = s[0];
  // Most non-ASCII text: lead bytes E1..EC, EE..EF (CJK and most of the
  // BMP) with two continuation bytes are always valid.
  if (((c >= 0xE1 && c <= 0xEC) || c >= 0xEE) && c <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 &&
      (s[2] & 0xC0) == 0x80) {
    cp = static_cast<char32_t>((c & 0x0F) << 12 | (s[1] & 0x3F) << 6 | (s[2] & 0x3F));
    return 3;
  }
  std::size_t len;
  char32_t v;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (len > n) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[k] & 0x3F);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF)) {
    return 0;
  }
  cp = v;
  return len;
}

// Byte offset of the first invalid sequence, or npos if `text` is valid UTF-8
// (overlongs, surrogates and values above U+10FFFF are invalid).
std::size_t find_invalid(std::string_view text) noexcept;

// Decodes valid UTF-8 into code points; `byte_offsets` (optional) receives the
// byte offset of each code point plus a final entry equal to text.size().
void decode(std::string_view text, std::u32string& out, std::vector<std::uint32_t>* byte_offsets = nullptr);

void append(std::string& out, char32_t cp);
std::string encode(std::u32string_view cps);

// Number of code points in valid UTF-8: the bytes that do not continue a
// sequence (in invalid UTF-8, a stray continuation byte is not counted).
std::size_t length(std::string_view text) noexcept;

// `text` cut to its first `max_chars` code points plus "…" when longer (for
// echoing user input in diagnostics: a 50 MB regex is not printed in full).
std::string shorten(std::string_view text, std::size_t max_chars);

}  // namespace chatqa::utf8
