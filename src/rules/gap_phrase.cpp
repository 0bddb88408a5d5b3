// Gap phrases: "还有…帮" — the parts in this order, with at most N letters,
// digits or characters between two parts (separators do not count; a
// sentence end — . ! ? ; 。 or a line break — may not stand between them).
// "…" alone allows the rule set's options.max_gap (default 8); "…{N}"
// allows N (0 to 50).
//
// A gap phrase compiles into one regex over the normalised text (the same
// text literal phrases are matched on), so the regex set and its prefilter
// (the parts are its atoms) find it; the hit spans the whole match, from the
// first part to the last. Within a part, separators may stand between two
// characters as for literal phrases (skip_separators).
#include "rules/gap_phrase.hpp"

#include <re2/re2.h>

#include "text/utf8.hpp"

namespace chatqa::detail {

namespace {

// One letter or digit, and a separator that does not end a sentence
// (everything but letters, digits and . ! ? ; 。 line breaks). Letters are
// given as the code-point blocks that hold letters and digits, not as \pL /
// \pN: the exact classes compile to hundreds of UTF-8 byte ranges each, and a
// gap of N repeats them N times, so four gap phrases overflowed the regex
// memory budget (E0115). The blocks leave out punctuation, symbols and emoji
// (U+2000-U+2BFF, U+3000-U+303F but 々〆〇, U+1F000 and up); NFKC has already
// folded full-width forms to ASCII.
#define CHATQA_GAP_WORD_RANGES                                                                        \
  R"(0-9A-Za-z\x{AA}\x{B5}\x{BA}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2FF}\x{370}-\x{1FFF}\x{2C00}-\x{2DFF})" \
  R"(\x{2E80}-\x{2FDF}\x{3005}-\x{3007}\x{3021}-\x{3029}\x{3040}-\x{D7FF}\x{F900}-\x{FDFF}\x{FE70}-\x{FEFF})"    \
  R"(\x{10000}-\x{1EFFF}\x{20000}-\x{3FFFF})"
constexpr const char* kSeparator = "[^" CHATQA_GAP_WORD_RANGES R"(.!?;\x{3002}\n])";
constexpr const char* kCounted = "[" CHATQA_GAP_WORD_RANGES "]";
#undef CHATQA_GAP_WORD_RANGES
constexpr long kMaxGapLimit = 50;

bool parse_parts(const std::string& phrase, int default_gap, std::vector<std::string>& parts, std::vector<int>& gaps,
                 std::string& error) {
  static const std::string kEllipsis = "\xE2\x80\xA6";  // …
  std::size_t pos = 0;
  parts.clear();
  gaps.clear();
  while (true) {
    const std::size_t at = phrase.find(kEllipsis, pos);
    parts.push_back(phrase.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) break;
    pos = at + kEllipsis.size();
    int gap = default_gap;
    if (pos < phrase.size() && phrase[pos] == '{') {
      const std::size_t close = phrase.find('}', pos);
      const std::string digits = close == std::string::npos ? "" : phrase.substr(pos + 1, close - pos - 1);
      if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos) {
        error = "gap phrase \"" + phrase + "\": after … write {N}, N the most characters between two parts";
        return false;
      }
      const long n = std::stol(digits);
      if (n > kMaxGapLimit) {
        error = "gap phrase \"" + phrase + "\": a gap of " + digits + " characters is over the limit " +
                std::to_string(kMaxGapLimit);
        return false;
      }
      gap = static_cast<int>(n);
      pos = close + 1;
    }
    gaps.push_back(gap);
  }
  return true;
}

// The regex of one part: its normalised characters, separators allowed
// between them as for literal phrases. Empty when the part has no character.
std::string part_regex(const std::string& part, const text::MatchSettings& settings, bool& starts_word,
                       bool& ends_word) {
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  text::Normalizer::instance().normalize_phrase(part, settings.traditional, chars, flags);
  std::string out;
  bool separator_before = false, any = false;
  const int skip = std::max(settings.max_skip, 0);
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (flags[k] & text::kSeparator) {
      separator_before = any;
      continue;
    }
    if (any) {
      const int most = separator_before ? std::max(skip, 3) : skip;
      if (most > 0) out += std::string(kSeparator) + "{0," + std::to_string(most) + "}";
    } else {
      starts_word = (flags[k] & text::kWordChar) != 0;
    }
    std::string utf8;
    utf8::append(utf8, chars[k]);
    out += RE2::QuoteMeta(utf8);
    ends_word = (flags[k] & text::kWordChar) != 0;
    separator_before = false;
    any = true;
  }
  return out;
}

}  // namespace

bool is_gap_phrase(const std::string& phrase) {
  return phrase.find("\xE2\x80\xA6") != std::string::npos;
}

std::string gap_phrase_regex(const std::string& phrase, const text::MatchSettings& settings, int default_gap,
                             std::string& error) {
  std::vector<std::string> parts;
  std::vector<int> gaps;
  if (!parse_parts(phrase, default_gap, parts, gaps, error)) return "";
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    bool starts_word = false, ends_word = false;
    const std::string part = part_regex(parts[k], settings, starts_word, ends_word);
    if (part.empty()) {
      error = "gap phrase \"" + phrase + "\": part " + std::to_string(k + 1) +
              " is empty; write the words before and after each …";
      return "";
    }
    const bool whole_word = settings.whole_word != text::WholeWord::never;
    if (k > 0) {
      // At most gaps[k-1] counted characters, separators around them free.
      out += "(?:" + std::string(kSeparator) + "*?" + kCounted + "){0," + std::to_string(gaps[k - 1]) + "}?" +
             kSeparator + "*?";
    }
    // Each part is whole words at its Latin edges ("anything…help" is not in "anythingx help").
    if (starts_word && whole_word) out += R"(\b)";
    out += part;
    if (ends_word && whole_word) out += R"(\b)";
  }
  return out;
}

}  // namespace chatqa::detail
