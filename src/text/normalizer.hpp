// One normalisation pass per message, shared by every check.
//
// Canonically equivalent texts normalise alike: a combining sequence
// (e + U+0301, conjoining Hangul jamo) is composed (NFC) first. Then each
// original code point maps to zero or more normalised code points
// (Unicode NFKC + case folding, which also folds full-width forms to
// half-width and drops default-ignorable characters such as zero-width
// joiners; optionally Traditional -> Simplified Chinese, per character).
// Every normalised character remembers the original code point it came from,
// so hits are reported as spans of the ORIGINAL text.
//
// The "skeleton" is the normalised text with separators (spaces,
// punctuation, symbols, emoji) removed; literal phrases are matched on it and
// then verified against the separators they skipped (phrase_matcher.hpp).
//
// Thread safety: Normalizer::instance() is immutable once built; NormText is
// per-call scratch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::text {

enum CharFlag : std::uint8_t {
  kSeparator = 1,    // space, punctuation, symbol, emoji, control
  kWordChar = 2,     // letter or digit of a script that separates words with spaces (Latin, Greek, Cyrillic)
  kClauseBreak = 4,  // , . ! ? ; : 。 、 ！ ？ newline ...: ends a clause or sentence
  kSymbol = 8,       // symbol, emoji, format character: what people insert to dodge a filter
  kHan = 16,         // CJK ideograph
  kJoined = 32,      // part of the symbol before it (emoji modifier, emoji after a ZWJ): not counted
                     // toward the separators skipped in a row
};

struct NormText {
  std::u32string chars;                     // normalised code points
  std::vector<std::uint32_t> orig;          // per normalised char: index of its original code point
  std::vector<std::uint8_t> flags;          // per normalised char: CharFlag bits
  std::u32string skeleton;                  // chars without separators
  std::vector<std::uint32_t> skeleton_pos;  // per skeleton char: its index in `chars`
  std::vector<std::uint32_t> orig_bytes;    // byte offset of each original code point, plus the end
  std::uint32_t orig_length = 0;            // number of original code points
  std::u32string original;                  // the original code points (decoded, not normalised)
  // Some normalised character is an ASCII digit or '@' (full-width digits
  // and ＠ fold to these): without one, a text holds no phone, card or
  // ID number and no e-mail address, and the PII check skips it.
  bool has_digit_or_at = false;
  // Some combining sequence (e + U+0301, Hangul jamo) was composed (NFC)
  // before folding: a normalised char may then stand for several original
  // code points, and orig_end() tells where they end.
  bool composed = false;

  // End (exclusive) of the original code points normalised char k stands for.
  std::uint32_t orig_end(std::uint32_t k) const {
    if (!composed) return orig[k] + 1;
    if (k + 1 < orig.size()) return std::max(orig[k] + 1, orig[k + 1]);
    return orig_length;
  }

  // Normalised text as UTF-8 (for regexes), built on demand by ensure_utf8().
  std::string utf8;
  std::vector<std::uint32_t> utf8_offsets;  // byte offset of each normalised char, plus the end
  bool has_utf8 = false;

  void ensure_utf8();
  // Original code-point index of the normalised char at `utf8` byte offset.
  std::uint32_t norm_index_of_byte(std::uint32_t byte) const;
};

class Normalizer {
 public:
  static const Normalizer& instance();

  // Normalises `original`. `traditional_to_simplified` also folds
  // Traditional characters and common variant forms (淸 -> 清; builds the
  // table on first use). Invalid UTF-8 (which parse_session rejects, but a
  // hand-built Session may hold) never crashes: each bad byte becomes one
  // U+FFFD code point, a separator.
  void normalize(std::string_view original, bool traditional_to_simplified, NormText& out) const;

  // Only the skeleton of normalize(original, false, ...): the same code
  // points, without the offset maps, flags and decoded original (about half
  // the work). For texts nothing needs spans of: `repetition` compares
  // customer messages by their skeletons alone.
  void skeleton_of(std::string_view original, std::u32string& out) const;

  // The Traditional -> Simplified variant of an already normalised text:
  // the same offset map, characters folded. Much cheaper than normalising
  // the original again.
  void fold_traditional(const NormText& plain, NormText& out) const;
  // True if fold_traditional would change some character of `plain` (else
  // the folded variant is `plain` itself, and need not be built).
  bool folds_traditional(const NormText& plain) const;

  // Normalises a rule phrase the same way; returns the normalised code points
  // and their flags.
  void normalize_phrase(std::string_view phrase, bool traditional_to_simplified, std::u32string& chars,
                        std::vector<std::uint8_t>& flags) const;

  std::uint8_t flags_of(char32_t c) const;
  // Simplified form of a (normalised) character; the character itself when
  // it has none.
  char32_t simplified(char32_t c) const;

 private:
  Normalizer();
  void append_mapping(char32_t c, std::u32string& out) const;
  // normalize() for a text holding a character that may compose with the
  // one before it (NFC quick check "maybe"): composes first, then folds.
  void normalize_composed(std::string_view original, bool traditional_to_simplified, NormText& out) const;
  bool may_compose(char32_t c) const { return c < kTableSize && (compose_maybe_[c >> 6] >> (c & 63) & 1); }
  void build_traditional_table() const;

  // Planes 0 and 1 (BMP, and emoji / pictographs / math letters) are looked
  // up in tables built once; only rarer code points ask ICU each time.
  static constexpr char32_t kTableSize = 0x20000;
  std::vector<std::uint32_t> bmp_map_;  // direct value, or kIndirect | offset << 5 | length
  std::u32string multi_;                // targets of multi-character mappings
  std::vector<std::uint8_t> bmp_flags_;
  // One bit per code point below kTableSize: NFC quick check says "maybe"
  // (combining marks, Hangul vowel and final jamo): it may compose with the
  // character before it.
  std::vector<std::uint64_t> compose_maybe_;
  // CJK Unified Ideographs U+4E00..U+9FFF (most of any Chinese text) map to
  // themselves with flags kHan, checked when the tables are built: the loop
  // then skips the table reads for them (the tables are far bigger than the
  // L1 cache, and ideographs are scattered over 20,992 entries of them).
  bool han_identity_ = false;
  mutable std::vector<char32_t> simplified_;  // built once, under std::call_once
  // One bit per BMP code point: has a Simplified form (8 KB, stays in cache,
  // where simplified_ is 256 KB); built with simplified_.
  mutable std::vector<std::uint64_t> has_simplified_;
  bool may_fold(char32_t c) const { return c < 0x10000 && (has_simplified_[c >> 6] >> (c & 63) & 1); }
};

}  // namespace chatqa::text
