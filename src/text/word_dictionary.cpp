#include "text/word_dictionary.hpp"

#include <algorithm>

#include <unicode/uchar.h>

#include "text/utf8.hpp"

namespace chatqa::text {
namespace {

// An apostrophe or hyphen: joins two word characters into one word.
bool is_joiner(char32_t c) {
  return c == U'\'' || c == 0x2019 || c == 0x02BC || c == U'-' || c == 0x2010 || c == 0x2011;
}

char32_t unified(char32_t c) {
  if (c == 0x2019 || c == 0x02BC) return U'\'';
  if (c == 0x2010 || c == 0x2011) return U'-';
  return c;
}

bool is_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0x3000 || c == 0xA0;
}

// A combining mark left after composition (no precomposed form): part of the letter before it.
bool is_mark(char32_t c, std::uint8_t flags) {
  if (flags != 0 || c < 0x300) return false;
  const auto type = static_cast<UCharCategory>(u_charType(static_cast<UChar32>(c)));
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK;
}

void words_of(const char32_t* chars, const std::uint8_t* flags, std::uint32_t n, std::vector<WordSpan>& out) {
  out.clear();
  std::uint32_t k = 0;
  while (k < n) {
    if (!(flags[k] & kWordChar)) {
      ++k;
      continue;
    }
    const std::uint32_t b = k++;
    for (;;) {
      while (k < n && ((flags[k] & kWordChar) || is_mark(chars[k], flags[k]))) ++k;
      if (k + 1 < n && is_joiner(chars[k]) && (flags[k + 1] & kWordChar)) {
        ++k;
        continue;
      }
      break;
    }
    out.push_back(WordSpan{b, k});
  }
}

void key_of(const char32_t* chars, std::uint32_t b, std::uint32_t e, std::u32string& key) {
  key.clear();
  bool space = false;
  for (std::uint32_t k = b; k < e; ++k) {
    const char32_t c = chars[k];
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && !key.empty()) key.push_back(U' ');
    space = false;
    key.push_back(unified(c));
  }
}

}  // namespace

void latin_words(const NormText& t, std::vector<WordSpan>& out) {
  words_of(t.chars.data(), t.flags.data(), static_cast<std::uint32_t>(t.chars.size()), out);
}

void latin_key_of(const NormText& t, std::uint32_t norm_begin, std::uint32_t norm_end, std::u32string& key) {
  key_of(t.chars.data(), norm_begin, norm_end, key);
}

std::u32string latin_key(std::string_view phrase) {
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  Normalizer::instance().normalize_phrase(phrase, false, chars, flags);
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (!(flags[k] & (kWordChar | kSeparator)) && !is_mark(chars[k], flags[k])) return {};
  }
  std::vector<WordSpan> words;
  words_of(chars.data(), flags.data(), static_cast<std::uint32_t>(chars.size()), words);
  std::u32string key;
  if (words.empty()) return key;
  key_of(chars.data(), words.front().norm_begin, words.back().norm_end, key);
  return key;
}

std::size_t WordDictionary::KeyHash::operator()(const std::u32string& s) const noexcept {
  std::uint64_t h = 0xcbf29ce484222325u;
  for (char32_t c : s) h = (h ^ c) * 0x100000001b3u;
  return static_cast<std::size_t>(h ^ (h >> 32));
}

bool WordDictionary::add(const std::u32string& key, std::uint32_t value) {
  if (key.empty()) return false;
  if (!entries_.emplace(key, value).second) return false;
  std::size_t words = 1;
  for (char32_t c : key) {
    // A separator between words (a space, or punctuation that is not a joiner).
    if (!(Normalizer::instance().flags_of(c) & kWordChar) && !is_joiner(c)) ++words;
  }
  if (words > max_words_) max_words_ = words;
  min_length_ = std::min(min_length_, key.size());
  max_length_ = std::max(max_length_, key.size());
  return true;
}

void WordDictionary::find(const NormText& t, Scratch& scratch, std::vector<Hit>& out) const {
  if (entries_.empty()) return;
  latin_words(t, scratch.words);
  const std::vector<WordSpan>& words = scratch.words;
  std::u32string& key = scratch.key;
  std::uint32_t covered_to = 0;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].norm_begin < covered_to) continue;
    Hit best;
    bool found = false;
    const std::size_t length = words[i].norm_end - words[i].norm_begin;
    const bool may_match = max_words_ > 1 || (length >= min_length_ && length <= max_length_ + 2);  // + "'s"
    for (std::size_t n = 1; may_match && n <= max_words_ && i + n <= words.size(); ++n) {
      const WordSpan& last = words[i + n - 1];
      if (n > 1) {  // only separators between the words
        bool separated = true;
        for (std::uint32_t k = words[i + n - 2].norm_end; k < last.norm_begin; ++k) {
          if (!(t.flags[k] & kSeparator)) separated = false;
        }
        if (!separated) break;
      }
      key_of(t.chars.data(), words[i].norm_begin, last.norm_end, key);
      const auto it = entries_.find(key);
      if (it == entries_.end()) continue;
      best = Hit{it->second, words[i].norm_begin, last.norm_end, false};
      found = true;
    }
    if (!found && may_match) {  // "Jhon's": the word before the possessive
      key_of(t.chars.data(), words[i].norm_begin, words[i].norm_end, key);
      if (key.size() > 2 && key[key.size() - 2] == U'\'' && key.back() == U's') {
        key.resize(key.size() - 2);
        const auto it = entries_.find(key);
        if (it != entries_.end()) {
          best = Hit{it->second, words[i].norm_begin, words[i].norm_end, true};
          found = true;
        }
      }
    }
    if (!found) continue;
    out.push_back(best);
    covered_to = best.norm_end;
  }
}

std::string recase_like(const std::string& suggestion, std::u32string_view original) {
  std::size_t upper = 0, lower = 0;
  bool first_upper = false, seen_letter = false;
  for (char32_t c : original) {
    if (!u_isalpha(static_cast<UChar32>(c))) continue;
    const bool up = u_isupper(static_cast<UChar32>(c));
    if (!seen_letter) first_upper = up;
    seen_letter = true;
    upper += up;
    lower += u_islower(static_cast<UChar32>(c)) ? 1 : 0;
  }
  const bool all_upper = upper >= 2 && lower == 0;
  if (!all_upper && !first_upper) return suggestion;
  std::u32string s;
  utf8::decode(suggestion, s);
  bool at_start = true;  // of one suggestion of a list
  for (std::size_t k = 0; k < s.size(); ++k) {
    const char32_t c = s[k];
    if (c == U',') {
      at_start = true;
      continue;
    }
    if (all_upper) {
      s[k] = static_cast<char32_t>(u_toupper(static_cast<UChar32>(c)));
    } else if (at_start && u_isalpha(static_cast<UChar32>(c))) {
      s[k] = static_cast<char32_t>(u_toupper(static_cast<UChar32>(c)));
      at_start = false;
    }
  }
  return utf8::encode(s);
}

}  // namespace chatqa::text
