#include "text/evasion.hpp"

#include <algorithm>
#include <memory>
#include <mutex>

#include <unicode/uchar.h>
#include <unicode/uspoof.h>

#include "text/utf8.hpp"

namespace chatqa::text {
namespace {

// Letters of other scripts whose confusable skeleton is one ASCII letter
// (Cyrillic ѕ а е о р с х і ј, Greek ο ν, ...), from ICU's uspoof.
struct Confusables {
  std::vector<char> to_ascii = std::vector<char>(0x10000, 0);
  Confusables() {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* sc = uspoof_open(&status);
    if (U_FAILURE(status) || !sc) return;
    const std::pair<char32_t, char32_t> ranges[] = {{0x0250, 0x02AF}, {0x0370, 0x03FF}, {0x0400, 0x052F},
                                                    {0x13A0, 0x13FF}, {0x1D00, 0x1DBF}, {0x2100, 0x214F},
                                                    {0xA640, 0xA69F}, {0xAB70, 0xABBF}};
    for (const auto& [first, last] : ranges) {
      for (char32_t c = first; c <= last; ++c) {
        if (c == kMaskLetter || !u_isalpha(static_cast<UChar32>(c))) continue;
        UChar in[2];
        int32_t n = 0;
        U16_APPEND_UNSAFE(in, n, static_cast<UChar32>(c));
        UChar out[8];
        UErrorCode err = U_ZERO_ERROR;
        const int32_t len = uspoof_getSkeleton(sc, 0, in, n, out, 8, &err);
        if (U_FAILURE(err) || len != 1 || out[0] >= 0x80) continue;
        const char a = static_cast<char>(u_tolower(out[0]));
        if (a >= 'a' && a <= 'z') to_ascii[c] = a;
      }
    }
    uspoof_close(sc);
  }
};

const Confusables& confusables() {
  static const Confusables table;
  return table;
}

char confusable(char32_t c) {
  return c >= 0x80 && c < 0x10000 ? confusables().to_ascii[c] : 0;
}

// 1, !, |, i, l are one letter; so are 0/o, $/5/s, @/4/a, 3/e, 7/t.
char32_t letter_class(char32_t c) {
  return c == U'l' ? U'i' : c;
}

// The letter a digit reads as inside a word (0 if none).
char32_t digit_letter(char32_t c) {
  switch (c) {
    case U'0': return U'o';
    case U'1': return U'i';
    case U'3': return U'e';
    case U'4': return U'a';
    case U'5': return U's';
    case U'7': return U't';
    default: return 0;
  }
}

// The letter a symbol reads as before a letter of its word (0 if none).
char32_t symbol_letter(char32_t c) {
  switch (c) {
    case U'$': return U's';
    case U'@': return U'a';
    case U'!': return U'i';
    case U'|': return U'i';
    case 0x20AC: return U'e';  // €
    default: return 0;
  }
}

bool is_ascii_letter(char32_t c) {
  return c >= U'a' && c <= U'z';
}

bool is_mask(char32_t c) {
  return c == U'*';
}

bool is_hyphen(char32_t c) {
  return c == U'-' || c == 0x2010 || c == 0x2011;
}

// May be part of a word being folded.
bool word_part(char32_t c, std::uint8_t flags) {
  return (flags & kWordChar) || symbol_letter(c) || is_mask(c) || confusable(c);
}

}  // namespace

bool may_fold_evasions(const NormText& t) {
  // Only something next to an ASCII letter can be part of a disguised Latin
  // word: a Chinese message with an order number or a price needs no folding.
  const std::size_t n = t.chars.size();
  // Long function: one pass over a message's characters that folds disguised Latin words, keeping
  // the offsets to the original text in step.
  const char32_t* c = t.chars.data();
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_ascii_letter(c[k])) continue;
    const char32_t next = k + 1 < n ? c[k + 1] : 0;
    const char32_t prev = k > 0 ? c[k - 1] : 0;
    for (const char32_t x : {next, prev}) {
      if (x == 0 || is_ascii_letter(x)) continue;
      if ((x >= U'0' && x <= U'9') || symbol_letter(x) || is_mask(x) || is_hyphen(x) || confusable(x)) return true;
    }
    if (k + 2 < n && next == c[k] && c[k + 2] == c[k]) return true;
  }
  return false;
}

void fold_evasions(const NormText& t, NormText& out) {
  out.chars.clear();
  out.orig.clear();
  out.flags.clear();
  out.skeleton.clear();
  out.skeleton_pos.clear();
  out.original = t.original;
  out.orig_bytes = t.orig_bytes;
  out.orig_length = t.orig_length;
  out.has_digit_or_at = t.has_digit_or_at;
  out.has_utf8 = false;
  out.composed = true;  // characters are dropped: a span ends where the next kept one starts
  auto emit = [&](char32_t c, std::uint32_t orig, std::uint8_t flags) {
    if (!(flags & kSeparator)) {
      out.skeleton.push_back(c);
      out.skeleton_pos.push_back(static_cast<std::uint32_t>(out.chars.size()));
    }
    out.chars.push_back(c);
    out.orig.push_back(orig);
    out.flags.push_back(flags);
  };
  const Normalizer& norm = Normalizer::instance();
  const std::size_t n = t.chars.size();
  std::size_t k = 0;
  while (k < n) {
    if (!word_part(t.chars[k], t.flags[k])) {
      emit(t.chars[k], t.orig[k], t.flags[k]);
      ++k;
      continue;
    }
    // A word: parts, joined by a hyphen between two parts.
    std::size_t e = k + 1;
    for (;;) {
      while (e < n && word_part(t.chars[e], t.flags[e])) ++e;
      if (e + 1 < n && is_hyphen(t.chars[e]) && word_part(t.chars[e + 1], t.flags[e + 1]) && e > k) {
        e += 1;
        continue;
      }
      break;
    }
    std::size_t ascii = 0, foreign = 0;
    for (std::size_t j = k; j < e; ++j) {
      ascii += is_ascii_letter(t.chars[j]);
      foreign += confusable(t.chars[j]) != 0;
    }
    const std::size_t letters = ascii + (ascii > 0 ? foreign : 0);
    // Codes in capitals (A5S, S10E) are product names: they need three letters.
    bool capitals = true;
    for (std::size_t j = k; j < e; ++j) {
      if (is_ascii_letter(t.chars[j]) && !u_isupper(static_cast<UChar32>(t.original[t.orig[j]]))) capitals = false;
    }
    const bool fold = letters >= 3 || (letters == 2 && !capitals);
    const std::size_t first_out = out.chars.size();
    for (std::size_t j = k; j < e; ++j) {
      const char32_t c = t.chars[j];
      char32_t to = 0;
      if (is_ascii_letter(c)) {
        to = letter_class(c);
      } else if (ascii > 0 && confusable(c)) {
        to = letter_class(static_cast<char32_t>(confusable(c)));
      } else if (fold && digit_letter(c)) {
        to = digit_letter(c);
      } else if (fold && symbol_letter(c) && j + 1 < e &&
                 (is_ascii_letter(t.chars[j + 1]) || digit_letter(t.chars[j + 1]) || confusable(t.chars[j + 1]))) {
        to = letter_class(symbol_letter(c));
      } else if (fold && is_mask(c) && j > k && j + 1 < e) {
        to = kMaskLetter;
      } else if (fold && is_hyphen(c)) {
        continue;  // stu-pid: the hyphen inside a word is dropped
      }
      if (to == 0) {
        emit(c, t.orig[j], t.flags[j]);
        continue;
      }
      // A run of three or more of one letter reads as two.
      const std::size_t m = out.chars.size();
      if (to != kMaskLetter && m >= first_out + 2 && out.chars[m - 1] == to && out.chars[m - 2] == to) continue;
      emit(to, t.orig[j], norm.flags_of(to));
    }
    k = e;
  }
}

std::string fold_evasion_phrase(std::string_view phrase) {
  NormText t;
  Normalizer::instance().normalize_phrase(phrase, false, t.chars, t.flags);
  t.orig.resize(t.chars.size());
  for (std::size_t k = 0; k < t.chars.size(); ++k) t.orig[k] = static_cast<std::uint32_t>(k);
  t.original = t.chars;
  t.orig_length = static_cast<std::uint32_t>(t.chars.size());
  NormText folded;
  fold_evasions(t, folded);
  return utf8::encode(folded.chars);
}

std::vector<std::string> evasion_variants(const std::string& folded_phrase) {
  std::u32string s;
  utf8::decode(folded_phrase, s);
  std::vector<std::u32string> out{s};
  // Word extents (ASCII letters).
  std::vector<std::pair<std::size_t, std::size_t>> words;
  for (std::size_t k = 0; k < s.size();) {
    if (!is_ascii_letter(s[k])) {
      ++k;
      continue;
    }
    std::size_t e = k;
    while (e < s.size() && is_ascii_letter(s[e])) ++e;
    words.emplace_back(k, e);
    k = e;
  }
  for (const auto& [b, e] : words) {
    if (e - b >= 4) {
      for (std::size_t p = b + 1; p + 1 < e; ++p) {  // st*pid
        std::u32string v = s;
        v[p] = kMaskLetter;
        out.push_back(v);
        if (p + 2 < e) {  // f**k
          v[p + 1] = kMaskLetter;
          out.push_back(v);
        }
      }
    }
    for (std::size_t p = b; p < e; ++p) {  // stuupid (from stuuupid)
      if ((p > b && s[p - 1] == s[p]) || (p + 1 < e && s[p + 1] == s[p])) continue;
      std::u32string v = s;
      v.insert(v.begin() + static_cast<std::ptrdiff_t>(p), s[p]);
      out.push_back(v);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::vector<std::string> encoded;
  for (const auto& v : out) encoded.push_back(utf8::encode(v));
  return encoded;
}

}  // namespace chatqa::text
