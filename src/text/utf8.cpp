#include "text/utf8.hpp"

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace chatqa::utf8 {

std::size_t find_invalid(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    const std::size_t len = decode_sequence(p + i, n - i, cp);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

void decode(std::string_view s, std::u32string& out, std::vector<std::uint32_t>* offsets) {
  out.clear();
  if (offsets) offsets->clear();
  out.reserve(s.size());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    if (offsets) offsets->push_back(static_cast<std::uint32_t>(i));
    const auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    std::size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c < 0xE0) {
      cp = c & 0x1F;
      len = 2;
    } else if (c < 0xF0) {
      cp = c & 0x0F;
      len = 3;
    } else {
      cp = c & 0x07;
      len = 4;
    }
    for (std::size_t k = 1; k < len && i + k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  if (offsets) offsets->push_back(static_cast<std::uint32_t>(n));
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t cp : cps) append(out, cp);
  return out;
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continues a sequence
    if (chars++ == max_chars) return std::string(text.substr(0, i)) + "\u2026";
  }
  return std::string(text);
}

std::size_t length(std::string_view s) noexcept {
  // Counts the continuation bytes (10xxxxxx) and subtracts them.
  const char* p = s.data();
  const std::size_t size = s.size();
  std::size_t continuation = 0, i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: as signed bytes, 0x80..0xBF are the ones below
  // -64 (0xC0). Each lane counts its own (up to 255 rounds), then all are summed.
  const __m128i below = _mm_set1_epi8(-64);
  while (i + 16 <= size) {
    __m128i counts = _mm_setzero_si128();
    for (int round = 0; round < 255 && i + 16 <= size; ++round, i += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      counts = _mm_sub_epi8(counts, _mm_cmplt_epi8(bytes, below));  // a true lane is -1
    }
    const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());  // two sums of eight lanes
    continuation +=
        static_cast<std::size_t>(_mm_cvtsi128_si32(sums) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < size; ++i) continuation += (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  return size - continuation;
}

}  // namespace chatqa::utf8
