// Personal numbers in text: Chinese mobile numbers, resident ID numbers, bank
// card numbers and e-mail addresses. One detector serves both the pii check
// (which reports them) and the masking pass over every output that quotes
// message or input text (quotes, explanations, transcripts, error records).
//
// Digits are recognised in many forms: ASCII, full-width, circled and
// parenthesised (①, ⑴, ⒈, ❶, ➀, ⓵), mathematical (𝟏), and Chinese numerals
// (一二三, 幺, 两, 壹贰叁; a run of Chinese numerals is judged on its own, never
// glued to ASCII digits). A number may be split by
//   - spaces, hyphens and dashes, invisible characters (zero-width space and
//     joiners, word joiner, BOM, soft hyphen, no-break space): any grouping;
//   - dots, slashes, underscores, middle dots, brackets ("138.1234.5678",
//     "138／1234／5678", "138_1234_5678", "(138)12345678",
//     "6222.0212.3456.7890"): groups of at least 3 digits, so dates
//     (2024.05.01, 2024/5/1) and amounts (1380.50) are not numbers.
// Not personal: a number glued to ASCII letters or digits (a code), and one
// within 12 characters after a context word (订单号, tracking, ...).
//
// Thread-safe: a detector is immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::text {

enum PiiKind : unsigned { kPiiPhone = 1, kPiiIdCard = 2, kPiiBankCard = 4, kPiiEmail = 8, kPiiAll = 15 };

struct PiiHit {
  PiiKind kind = kPiiPhone;
  std::uint32_t begin = 0, end = 0;  // code points [begin, end) of the scanned text
  std::string masked;                // e.g. "138****5678", "z***@qq.com" (digits as ASCII)
  // Digits (e-mail: local-part characters) kept in the clear at each end by
  // mask_in_place; the others become '*'.
  std::uint8_t keep_front = 0, keep_back = 0;
};

class PiiDetector {
 public:
  // All kinds, the default context words.
  PiiDetector();
  PiiDetector(unsigned kinds, const std::vector<std::string>& context_words);

  // Appends the hits in `text` (code points), ordered by begin.
  void scan(const std::u32string& text, std::vector<PiiHit>& out) const;
  unsigned kinds() const { return kinds_; }

  // The detector of the masking pass: all kinds, default context words.
  static const PiiDetector& standard();
  static const std::vector<std::string>& default_context();

 private:
  bool after_context(const std::u32string& s, std::size_t begin) const;
  bool judge(const std::string& digits, std::uint32_t begin, std::uint32_t end, std::vector<PiiHit>& out) const;
  void scan_numbers(const std::u32string& s, std::vector<PiiHit>& out) const;
  void scan_emails(const std::u32string& s, std::vector<PiiHit>& out) const;

  unsigned kinds_ = kPiiAll;
  std::vector<std::u32string> context_;  // folded, lower-case
};

// Whether `text` may hold something the detector finds: 11 digits or more of
// one form (every number it finds has that many), or an '@'. Cheap; a false
// answer is exact.
bool may_hold_pii(const std::u32string& text);
bool may_hold_pii(std::string_view utf8);

// Masks every hit in place: each digit (e-mail: local-part character) but the
// kept ones becomes '*', one code point for one, so code-point offsets into
// the text (finding spans) stay valid. Returns whether anything was masked.
bool mask_in_place(std::u32string& text, const PiiDetector& detector = PiiDetector::standard());

// `utf8` with every hit masked (same code-point length; invalid bytes are
// copied unchanged). Returns the input unchanged when nothing is found.
std::string mask_pii(std::string_view utf8, const PiiDetector& detector = PiiDetector::standard());
// Masks all but the first 2 and last 2 digits of every run of `min_run` or
// more digits (of one form, no separators): for fragments of raw input cut at
// an arbitrary point (the "last read" of a JSON syntax error), where a
// personal number may be incomplete and escape the detector.
std::string mask_digit_runs(std::string_view utf8, std::size_t min_run = 7);

// The value of a digit in any of the forms above, or -1.
int digit_value(char32_t c);

}  // namespace chatqa::text
