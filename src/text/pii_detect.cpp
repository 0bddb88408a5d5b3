// Personal numbers in text (see pii_detect.hpp): detection and masking.
#include "text/pii_detect.hpp"

#include <algorithm>
#include <cstdint>

#include "text/utf8.hpp"
#include "chatqa/report.hpp"

namespace chatqa::text {
namespace {

// Digit forms: class 1 is every positional digit (ASCII, full-width, circled,
// mathematical), class 2 the Chinese numerals. A number is made of one class.
constexpr int chinese_numeral(char32_t c) {
  switch (c) {
    case U'零': case U'〇': return 0;
    case U'一': case U'幺': case U'壹': return 1;
    case U'二': case U'两': case U'兩': case U'贰': case U'貳': return 2;
    case U'三': case U'叁': case U'參': return 3;
    case U'四': case U'肆': return 4;
    case U'五': case U'伍': return 5;
    case U'六': case U'陆': case U'陸': return 6;
    case U'七': case U'柒': return 7;
    case U'八': case U'捌': return 8;
    case U'九': case U'玖': return 9;
    default: return -1;
  }
}

constexpr int positional_digit(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c < 0x2460) return -1;
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);            // full-width
  if (c >= 0x2460 && c <= 0x2468) return static_cast<int>(c - 0x2460 + 1);        // ①
  if (c >= 0x2474 && c <= 0x247C) return static_cast<int>(c - 0x2474 + 1);        // ⑴
  if (c >= 0x2488 && c <= 0x2490) return static_cast<int>(c - 0x2488 + 1);        // ⒈
  if (c == 0x24EA || c == 0x24FF) return 0;                                        // ⓪ ⓿
  if (c >= 0x24F5 && c <= 0x24FD) return static_cast<int>(c - 0x24F5 + 1);        // ⓵
  if (c >= 0x2776 && c <= 0x277E) return static_cast<int>(c - 0x2776 + 1);        // ❶
  if (c >= 0x2780 && c <= 0x2788) return static_cast<int>(c - 0x2780 + 1);        // ➀
  if (c >= 0x278A && c <= 0x2792) return static_cast<int>(c - 0x278A + 1);        // ➊
  if (c == 0x1F100) return 0;                                                      // 🄀
  if (c >= 0x1F101 && c <= 0x1F10A) return static_cast<int>(c - 0x1F101);        // 🄁 (0,) .. 🄊 (9,)
  if (c >= 0x1D7CE && c <= 0x1D7FF) return static_cast<int>((c - 0x1D7CE) % 10);  // 𝟎 𝟘 𝟢 𝟬 𝟶
  return -1;
}

// The digit's class (1 positional, 2 Chinese) and value, or class 0.
int classify(char32_t c, int& value) {
  if ((value = positional_digit(c)) >= 0) return 1;
  if (c >= 0x3007 && (value = chinese_numeral(c)) >= 0) return 2;
  return 0;
}

char32_t fold(char32_t c) {
  return c >= 0xFF01 && c <= 0xFF5E ? c - 0xFEE0 : c;
}
bool ascii_alnum(char32_t c) {
  c = fold(c);
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Separators inside a number. Strong ones allow any grouping; weak ones only
// between groups of 3 digits or more.
enum Separator { kNone, kStrong, kWeak };
Separator separator(char32_t c) {
  switch (fold(c)) {
    case ' ': case '-': case 0x3000: case 0x00A0: case 0x00AD: case 0x200B: case 0x200C: case 0x200D:
    case 0x2060: case 0xFEFF: case 0x2009: case 0x202F: case 0x2010: case 0x2011: case 0x2012: case 0x2013:
    case 0x2014: case 0x2015: case 0x2212: case 0xFE63:
      return kStrong;
    case '.': case '/': case '_': case '(': case ')': case '[': case ']': case 0x00B7: case 0x2022: case 0x30FB:
    case 0x2024:
      return kWeak;
    default:
      return kNone;
  }
}
constexpr std::size_t kMaxSeparatorRun = 3;  // "138 - 1234", "(138) 1234", a space beside a zero-width one

bool valid_phone(const std::string& d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool valid_id_card(const std::string& d) {
  if (d.size() != 18) return false;
  if (d[0] < '1' || d[0] > '8') return false;  // region codes 11..82
  for (int k = 0; k < 17; ++k) {
    if (d[static_cast<std::size_t>(k)] < '0' || d[static_cast<std::size_t>(k)] > '9') return false;
  }
  const int year = std::stoi(d.substr(6, 4)), month = std::stoi(d.substr(10, 2)), day = std::stoi(d.substr(12, 2));
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += (d[static_cast<std::size_t>(k)] - '0') * kWeights[k];
  static const char kCheck[] = "10X98765432";
  return d[17] == kCheck[sum % 11];
}

bool valid_luhn(const std::string& d) {
  if (d.size() < 16 || d.size() > 19) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = d.rbegin(); it != d.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int v = *it - '0';
    if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

std::string mask(const std::string& d, std::size_t front, std::size_t back) {
  if (d.size() <= front + back) return std::string(d.size(), '*');
  return d.substr(0, front) + std::string(d.size() - front - back, '*') + d.substr(d.size() - back);
}

std::u32string folded_lower(const std::string& word) {
  std::u32string u;
  utf8::decode(word, u);
  for (char32_t& c : u) {
    c = fold(c);
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
  }
  return u;
}

constexpr std::size_t kContextChars = 12;  // characters before a number searched for a context word

}  // namespace

int digit_value(char32_t c) {
  int value = -1;
  classify(c, value);
  return value;
}

const std::vector<std::string>& PiiDetector::default_context() {
  static const std::vector<std::string> words = {"订单", "单号", "运单",  "快递",     "物流",
                                                 "工单", "流水号", "order", "tracking", "ticket"};
  return words;
}

PiiDetector::PiiDetector() : PiiDetector(kPiiAll, default_context()) {}

PiiDetector::PiiDetector(unsigned kinds, const std::vector<std::string>& context_words) : kinds_(kinds) {
  for (const std::string& w : context_words) {
    std::u32string u = folded_lower(w);
    if (!u.empty()) context_.push_back(std::move(u));
  }
}

const PiiDetector& PiiDetector::standard() {
  static const PiiDetector detector;
  return detector;
}

bool PiiDetector::after_context(const std::u32string& s, std::size_t begin) const {
  // The folded characters before the number (on the stack: a string of 12 would allocate).
  const std::size_t first = begin > kContextChars ? begin - kContextChars : 0;
  const std::size_t n = begin - first;
  char32_t folded[kContextChars];
  for (std::size_t k = first; k < begin; ++k) {
    char32_t c = fold(s[k]);
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    folded[k - first] = c;
  }
  const std::u32string_view window(folded, n);
  return std::any_of(context_.begin(), context_.end(),
                     [&](const std::u32string& w) { return window.find(w) != std::u32string_view::npos; });
}

bool PiiDetector::judge(const std::string& d, std::uint32_t begin, std::uint32_t end, std::vector<PiiHit>& out) const {
  auto hit = [&](PiiKind kind, std::size_t front, std::size_t back) {
    PiiHit h;
    h.kind = kind;
    h.begin = begin;
    h.end = end;
    h.masked = mask(d, front, back);
    h.keep_front = static_cast<std::uint8_t>(front);
    h.keep_back = static_cast<std::uint8_t>(back);
    out.push_back(std::move(h));
    return true;
  };
  if ((kinds_ & kPiiPhone) && valid_phone(d)) return hit(kPiiPhone, 3, 4);
  if ((kinds_ & kPiiPhone) && d.size() == 13 && d.compare(0, 2, "86") == 0 && valid_phone(d.substr(2))) {
    return hit(kPiiPhone, 5, 4);
  }
  if ((kinds_ & kPiiIdCard) && valid_id_card(d)) return hit(kPiiIdCard, 3, 4);
  if ((kinds_ & kPiiBankCard) && valid_luhn(d)) return hit(kPiiBankCard, 4, 4);
  return false;
}

void PiiDetector::scan_numbers(const std::u32string& s, std::vector<PiiHit>& out) const {
  std::string d;                                            // the number's digits
  std::vector<std::pair<std::size_t, std::size_t>> pieces;  // its separator-free runs [b, e)
  std::vector<std::size_t> weak_groups;                     // digits between weak separators
  int value = 0;
  for (std::size_t i = 0; i < s.size();) {
    const int cls = classify(s[i], value);
    if (cls == 0) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    d.clear();
    pieces.clear();
    weak_groups.assign(1, 0);
    bool any_weak = false;
    std::size_t piece_begin = i;
    std::size_t j = i;
    while (j < s.size()) {
      int v = 0;
      if (classify(s[j], v) == cls) {
        d.push_back(static_cast<char>('0' + v));
        ++weak_groups.back();
        ++j;
        continue;
      }
      if (cls == 1 && (fold(s[j]) == 'X' || fold(s[j]) == 'x') && d.size() == 17) {
        d.push_back('X');
        ++j;
        break;
      }
      // A run of separators counts only when a digit of the same class follows.
      std::size_t k = j;
      bool weak = false;
      while (k < s.size() && k - j < kMaxSeparatorRun) {
        const Separator sep = separator(s[k]);
        if (sep == kNone) break;
        weak = weak || sep == kWeak;
        ++k;
      }
      if (k == j || k >= s.size() || classify(s[k], v) != cls) break;
      pieces.emplace_back(piece_begin, j);
      if (weak) {
        any_weak = true;
        weak_groups.push_back(0);
      }
      piece_begin = k;
      j = k;
    }
    pieces.emplace_back(piece_begin, j);
    i = j;
    // A number glued to letters or more digits is a code, not a personal number.
    if ((start > 0 && ascii_alnum(s[start - 1])) || (j < s.size() && ascii_alnum(s[j]))) continue;
    if (after_context(s, start)) continue;
    const bool grouped_well =
        !any_weak || std::all_of(weak_groups.begin(), weak_groups.end(), [](std::size_t n) { return n >= 3; });
    if ((grouped_well && judge(d, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(j), out)) ||
        pieces.size() == 1)
      continue;
    for (const auto& [b, e] : pieces) {
      std::string piece;
      for (std::size_t k = b; k < e; ++k) {
        int v = 0;
        piece.push_back(classify(s[k], v) != 0 ? static_cast<char>('0' + v) : 'X');
      }
      judge(piece, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), out);
    }
  }
}

void PiiDetector::scan_emails(const std::u32string& s, std::vector<PiiHit>& out) const {
  auto local_char = [](char32_t c) {
    c = fold(c);
    return ascii_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
  };
  auto domain_char = [](char32_t c) {
    c = fold(c);
    return ascii_alnum(c) || c == '.' || c == '-';
  };
  for (std::size_t at = 0; at < s.size(); ++at) {
    if (fold(s[at]) != '@') continue;
    std::size_t b = at, e = at + 1;
    while (b > 0 && local_char(s[b - 1])) --b;
    while (e < s.size() && domain_char(s[e])) ++e;
    while (e > at + 1 && (fold(s[e - 1]) == '.' || fold(s[e - 1]) == '-')) --e;
    if (b == at || e == at + 1) continue;
    const std::u32string domain = s.substr(at + 1, e - at - 1);
    const std::size_t dot = domain.rfind('.');
    if (dot == std::u32string::npos || domain.size() - dot - 1 < 2) continue;
    PiiHit h;
    h.kind = kPiiEmail;
    h.begin = static_cast<std::uint32_t>(b);
    h.end = static_cast<std::uint32_t>(e);
    utf8::append(h.masked, fold(s[b]));
    h.masked += "***@";
    for (char32_t c : domain) utf8::append(h.masked, fold(c));
    h.keep_front = 1;
    out.push_back(std::move(h));
  }
}

void PiiDetector::scan(const std::u32string& text, std::vector<PiiHit>& out) const {
  const std::size_t first = out.size();
  if (kinds_ & (kPiiPhone | kPiiIdCard | kPiiBankCard)) scan_numbers(text, out);
  if (kinds_ & kPiiEmail) scan_emails(text, out);
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const PiiHit& a, const PiiHit& b) { return a.begin < b.begin; });
}

// Every number the detector finds has at least 11 digits of one form; an
// e-mail address has an '@'.
constexpr std::size_t kMinDigits = 11;

namespace {

// One bit per BMP code point: set for every digit form (positional_digit,
// chinese_numeral) and the full-width '@'. Most characters of a Chinese
// message are none of them; one bit test rejects them before the range tests
// and the numeral switch (which cost about 20 instructions per character).
struct DigitBits {
  std::uint64_t words[0x10000 / 64] = {};
  constexpr DigitBits() {
    for (char32_t c = 0x80; c < 0x10000; ++c) {
      if (c == 0xFF20 || positional_digit(c) >= 0 || chinese_numeral(c) >= 0) {
        words[c >> 6] |= std::uint64_t{1} << (c & 63);
      }
    }
  }
  // False only for a BMP character that is no digit form and not '@'.
  constexpr bool maybe(char32_t c) const { return c >= 0x10000 || (words[c >> 6] >> (c & 63) & 1) != 0; }
};
constexpr DigitBits kDigitBits;

}  // namespace

bool may_hold_pii(const std::u32string& text) {
  std::size_t positional = 0, chinese = 0;
  for (char32_t c : text) {
    if (c < 0x80) {
      if (c >= '0' && c <= '9') {
        if (++positional >= kMinDigits) return true;
      } else if (c == '@') {
        return true;
      }
      continue;
    }
    if (!kDigitBits.maybe(c)) continue;
    if (c == 0xFF20) return true;
    if (positional_digit(c) >= 0) {
      if (++positional >= kMinDigits) return true;
    } else if (c >= 0x3007 && chinese_numeral(c) >= 0 && ++chinese >= kMinDigits) {
      return true;
    }
  }
  return false;
}

bool may_hold_pii(std::string_view utf8) {
  // Every digit form but ASCII is a multi-byte sequence: decode only those.
  std::size_t positional = 0, chinese = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c >= '0' && c <= '9') {
        if (++positional >= kMinDigits) return true;
      } else if (c == '@') {
        return true;
      }
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = utf8::decode_sequence(p + i, n - i, cp);
    if (len == 0) {
      ++i;
      continue;
    }
    i += len;
    if (!kDigitBits.maybe(cp)) continue;
    if (cp == 0xFF20) return true;
    if (positional_digit(cp) >= 0) {
      if (++positional >= kMinDigits) return true;
    } else if (cp >= 0x3007 && chinese_numeral(cp) >= 0 && ++chinese >= kMinDigits) {
      return true;
    }
  }
  return false;
}

bool mask_in_place(std::u32string& text, const PiiDetector& detector) {
  if (!may_hold_pii(text)) return false;
  std::vector<PiiHit> hits;
  detector.scan(text, hits);
  if (hits.empty()) return false;
  std::vector<std::size_t> positions;
  for (const PiiHit& h : hits) {
    positions.clear();
    for (std::size_t k = h.begin; k < h.end && k < text.size(); ++k) {
      if (h.kind == kPiiEmail) {
        if (fold(text[k]) == '@') break;
        positions.push_back(k);
      } else if (digit_value(text[k]) >= 0 || fold(text[k]) == 'X' || fold(text[k]) == 'x') {
        positions.push_back(k);
      }
    }
    for (std::size_t r = 0; r < positions.size(); ++r) {
      if (r >= h.keep_front && r + h.keep_back < positions.size()) text[positions[r]] = U'*';
    }
  }
  return true;
}

namespace {

// Decodes `utf8` into code points; an invalid byte becomes U+FFFD (one code
// point per byte). offsets[k] is code point k's first byte; one entry more.
void decode_lenient(std::string_view utf8, std::u32string& cps, std::vector<std::size_t>& offsets) {
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  for (std::size_t i = 0; i < n;) {
    offsets.push_back(i);
    if (p[i] < 0x80) {
      cps.push_back(p[i]);
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t len = utf8::decode_sequence(p + i, n - i, cp);
    cps.push_back(len == 0 ? char32_t{0xFFFD} : cp);
    i += len == 0 ? 1 : len;
  }
  offsets.push_back(n);
}

std::string rebuild(std::string_view utf8, const std::u32string& before, const std::u32string& after,
                    const std::vector<std::size_t>& offsets) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t k = 0; k < before.size(); ++k) {
    if (after[k] != before[k]) {
      utf8::append(out, after[k]);
    } else {
      out.append(utf8.substr(offsets[k], offsets[k + 1] - offsets[k]));
    }
  }
  return out;
}

}  // namespace

std::string mask_pii(std::string_view utf8, const PiiDetector& detector) {
  if (!may_hold_pii(utf8)) return std::string(utf8);
  std::u32string cps;
  std::vector<std::size_t> offsets;
  decode_lenient(utf8, cps, offsets);
  std::u32string masked = cps;
  if (!mask_in_place(masked, detector)) return std::string(utf8);
  return rebuild(utf8, cps, masked, offsets);
}

std::string mask_digit_runs(std::string_view utf8, std::size_t min_run) {
  std::u32string cps;
  std::vector<std::size_t> offsets;
  decode_lenient(utf8, cps, offsets);
  std::u32string masked = cps;
  for (std::size_t i = 0; i < masked.size();) {
    int v = 0;
    const int cls = classify(masked[i], v);
    if (cls == 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < masked.size() && classify(masked[j], v) == cls) ++j;
    if (j - i >= min_run) {
      for (std::size_t k = i + 2; k + 2 < j; ++k) masked[k] = U'*';
    }
    i = j;
  }
  if (masked == cps) return std::string(utf8);
  return rebuild(utf8, cps, masked, offsets);
}

}  // namespace chatqa::text

namespace chatqa {

std::string mask_pii(std::string_view text) {
  return text::mask_pii(text);
}

}  // namespace chatqa
