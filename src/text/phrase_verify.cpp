// Verification of a literal phrase's candidate hit: the separators it
// skipped, clause breaks, word boundaries (and apostrophes inside words),
// and its span in the original text.
#include <algorithm>

#include "text/phrase_matcher.hpp"

namespace chatqa::text {

namespace {

// A word of one letter ("a", "I"): next to a spelled-out word it is a word
// of its own ("You are a s t u p i d person", "c-r-a-p. I have"), not one
// more letter of the spelled-out run.
bool one_letter_word(char32_t c) {
  return c == U'a' || c == U'i';
}

bool is_apostrophe(char32_t c) {
  return c == U'\'' || c == 0x2019;
}

// Separators in chars (a, b) that count toward a run: an emoji modifier or
// an emoji joined by a ZWJ is part of the picture before it, and with
// `spaces_free` (the phrase itself has a separator here) whitespace is free.
std::uint32_t counted_gap(const NormText& t, std::uint32_t a, std::uint32_t b, bool spaces_free) {
  std::uint32_t n = 0;
  for (std::uint32_t i = a + 1; i < b; ++i) {
    if (t.flags[i] & kJoined) continue;
    if (spaces_free && (t.chars[i] == U' ' || t.chars[i] == U'\t')) continue;
    ++n;
  }
  return n;
}

// True if the apostrophe at `i` joins two parts of one word: "don't",
// "o'clock". The clitics 's 'd 'll 're 've 'm ("Don's", "he'll") end the
// word before them, as the possessive and the short forms of is/would/will/
// are/have/am do.
bool apostrophe_inside_word(const NormText& t, std::uint32_t i) {
  const std::uint32_t n = static_cast<std::uint32_t>(t.chars.size());
  if (i == 0 || i + 1 >= n || !is_apostrophe(t.chars[i])) return false;
  if (!(t.flags[i - 1] & kWordChar) || !(t.flags[i + 1] & kWordChar)) return false;
  std::u32string suffix;
  for (std::uint32_t k = i + 1; k < n && (t.flags[k] & kWordChar) && suffix.size() < 3; ++k)
    suffix.push_back(t.chars[k]);
  const bool more = i + 1 + suffix.size() < n && (t.flags[i + 1 + suffix.size()] & kWordChar);
  if (more) return true;
  return !(suffix == U"s" || suffix == U"d" || suffix == U"ll" || suffix == U"re" || suffix == U"ve" || suffix == U"m");
}

}  // namespace

bool PhraseMatcher::verify(const PatternInfo& p, const NormText& t, std::uint32_t skel_end, Hit& hit) const {
  const std::size_t len = p.skeleton.size();
  const std::uint32_t skel_begin = skel_end + 1 - static_cast<std::uint32_t>(len);
  std::size_t inner = 0, gapped = 0;
  for (std::size_t k = 0; k + 1 < len; ++k) {
    const std::uint32_t a = t.skeleton_pos[skel_begin + k], b = t.skeleton_pos[skel_begin + k + 1];
    if (p.phrase_gap[k]) {
      // The phrase itself has a separator here: any run of spaces and a few
      // other separators will do, but not a clause break unless the phrase has one.
      if (b - a - 1 > 0 && counted_gap(t, a, b, true) > static_cast<std::uint32_t>(std::max(3, p.max_skip)))
        return false;
      if (p.phrase_gap[k] == 1) {
        for (std::uint32_t i = a + 1; i < b; ++i) {
          if (t.flags[i] & kClauseBreak) return false;
        }
      }
      continue;
    }
    ++inner;
    if (b == a + 1) continue;
    if (counted_gap(t, a, b, false) > static_cast<std::uint32_t>(p.max_skip)) return false;
    ++gapped;
  }
  const bool spelled_out = gapped > 0 && gapped == inner && inner >= 2;
  if (gapped > 0 && !spelled_out) {
    // Only some characters are split apart. Accept inserted symbols/emoji
    // (不😊知道); between Latin letters accept nothing else (he'll is not hell);
    // in CJK text accept spaces but not a clause break (不，知道 is two clauses).
    for (std::size_t k = 0; k + 1 < len; ++k) {
      if (p.phrase_gap[k]) continue;
      const std::uint32_t a = t.skeleton_pos[skel_begin + k], b = t.skeleton_pos[skel_begin + k + 1];
      const bool latin = (t.flags[a] & kWordChar) && (t.flags[b] & kWordChar);
      for (std::uint32_t i = a + 1; i < b; ++i) {
        const std::uint8_t f = t.flags[i];
        if (latin ? !(f & kSymbol) : (f & kClauseBreak) != 0) return false;
      }
    }
  }
  const std::uint32_t first = t.skeleton_pos[skel_begin];
  const std::uint32_t last = t.skeleton_pos[skel_end];
  const std::uint32_t n = static_cast<std::uint32_t>(t.chars.size());
  if (p.word_start && first > 0) {
    if (t.flags[first - 1] & kWordChar) return false;
    if (apostrophe_inside_word(t, first - 1)) return false;  // "ll" in "I'll", "t" in "don't"
    if (spelled_out) {  // "h e l l o" does not spell "hell": the run of single letters goes on
      std::uint32_t i = first;
      int seps = 0;
      while (i > 0 && (t.flags[i - 1] & kSeparator) && seps <= p.max_skip) --i, ++seps;
      if (i > 0 && seps > 0 && (t.flags[i - 1] & kWordChar) && (i == 1 || !(t.flags[i - 2] & kWordChar)) &&
          !one_letter_word(t.chars[i - 1]))
        return false;
    }
  }
  if (p.word_end && last + 1 < n) {
    if (t.flags[last + 1] & kWordChar) return false;
    if (apostrophe_inside_word(t, last + 1)) return false;  // "don" in "don't"
    if (spelled_out) {
      std::uint32_t i = last + 1;
      int seps = 0;
      while (i < n && (t.flags[i] & kSeparator) && seps <= p.max_skip) ++i, ++seps;
      if (i < n && seps > 0 && (t.flags[i] & kWordChar) && (i + 1 == n || !(t.flags[i + 1] & kWordChar)) &&
          !one_letter_word(t.chars[i]))
        return false;
    }
  }
  hit.norm_begin = first;
  hit.norm_end = last + 1;
  hit.begin = t.orig[first];
  hit.end = t.orig_end(last);
  return true;
}

}  // namespace chatqa::text
