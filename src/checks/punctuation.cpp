// punctuation: messages of a role whose punctuation is missing or wrong
// (标点符号). Each message counts once, with the first problem found:
//   no_punctuation  at least `min_length` text units (Han characters, Latin
//                   words) and not one punctuation mark or line break
//   space           a space standing in for punctuation between two Han characters
//   repeated        doubled or clashing clause marks: 。。 ，， ,, 、、 ，。 ..
//   half_width      a half-width , . ; : ? ! right after a Han character; in
//                   "session" mode (default) only when the role's messages of
//                   the session use the full-width form of that mark
//                   somewhere (the agent's own convention, per mark: an
//                   export may turn every comma half-width and keep ？！);
//                   in "mixed" mode
//                   only when the same message also uses full-width marks;
//                   "always" in any Chinese text
//   unmatched       a bracket or quote without its partner: （ 【 《 「 “ "
// URLs, e-mail addresses and numbers are skipped, so an order number, a link
// or a one-word reply ("好的") is never an error. A product or order card or
// pasted key-value text (two or more "标签:值" fields, each starting a line
// or a space-separated field) is not prose and is skipped whole. The item fires from
// `min_count` messages (the standards: 3 per session).
// One pass over a message gathers the facts of every kind, marking the
// skipped text as it goes; only a message with an e-mail address (which
// reaches back) is marked in a pass of its own first and then scanned again.
#include <unicode/uchar.h>
#include <algorithm>
#include <string_view>

#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

enum Kind : unsigned { kNoPunct = 1, kSpace = 2, kRepeated = 4, kHalfWidth = 8, kUnmatched = 16 };
const std::vector<std::string> kKindNames = {"no_punctuation", "space", "repeated", "half_width", "unmatched"};

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2FFFF) ||
         (c >= 0xF900 && c <= 0xFAFF);
}
// Full-width ASCII variants folded to ASCII; 。 and ｡ to '.'-like 。 kept apart.
char32_t fold(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  if (c == 0xFF61) return 0x3002;
  return c;
}
bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == 0x3000 || c == 0xA0;
}
bool is_clause_mark(char32_t folded) {
  return folded == ',' || folded == 0x3002 || folded == 0x3001 || folded == ';' || folded == ':';
}
bool is_full_width_mark(char32_t c) {
  return c == 0xFF0C || c == 0x3002 || c == 0x3001 || c == 0xFF1B || c == 0xFF1A || c == 0xFF1F || c == 0xFF01;
}
// The family of a mark that has a half-width and a full-width form (, ，  . 。
// ; ；  : ：  ? ？  ! ！), 0-5, or -1. A session's convention is judged per
// family: an export may turn every comma half-width and keep ？ and ！.
int mark_family(char32_t c) {
  switch (c) {
    case ',': case 0xFF0C: return 0;
    case '.': case 0x3002: return 1;
    case ';': case 0xFF1B: return 2;
    case ':': case 0xFF1A: return 3;
    case '?': case 0xFF1F: return 4;
    case '!': case 0xFF01: return 5;
    default: return -1;
  }
}
constexpr int kFamilies = 6;
// Character classes, looked up in a table for the BMP (built once) instead of
// worked out for every character of every message. Three come from ICU and
// depend on the general category alone (u_isalpha is category L*, u_isdigit
// Nd), so they are filled one range of a category at a time; the others are
// the characters this check looks at more closely.
enum : std::uint8_t {
  kClassPunct = 1,
  kClassAlpha = 2,
  kClassDigit = 4,
  kClassHan = 8,         // is_han
  kClassSpace = 16,      // is_space
  kClassUrlOrMail = 32,  // h w H W @, half or full width: may start a URL or be the @ of an e-mail address
  kClassLineBreak = 64,  // \n \r: as good as punctuation
  kClassMark = 128,      // a mark some kind looks at: clause mark, dot, ? !, full-width mark, quote, bracket
};
// A character that may start a URL, an e-mail address or a number.
constexpr std::uint8_t kClassSkipStart = kClassUrlOrMail | kClassDigit;
std::uint8_t classes_of_category(int8_t type) {
  std::uint8_t out = 0;
  if (type == U_DASH_PUNCTUATION || type == U_START_PUNCTUATION || type == U_END_PUNCTUATION ||
      type == U_CONNECTOR_PUNCTUATION || type == U_OTHER_PUNCTUATION || type == U_INITIAL_PUNCTUATION ||
      type == U_FINAL_PUNCTUATION) {
    out |= kClassPunct;
  }
  if (U_MASK(type) & U_GC_L_MASK) out |= kClassAlpha;
  if (type == U_DECIMAL_DIGIT_NUMBER) out |= kClassDigit;
  return out;
}
// Beyond the BMP only the ICU classes and Han apply.
std::uint8_t classes_beyond_bmp(char32_t c) {
  return classes_of_category(u_charType(static_cast<UChar32>(c))) | (is_han(c) ? kClassHan : 0);
}
const std::uint8_t* bmp_classes() {
  static const std::vector<std::uint8_t> table = [] {
    std::vector<std::uint8_t> t(0x10000);
    u_enumCharTypes(
        [](const void* context, UChar32 start, UChar32 limit, UCharCategory type) -> UBool {
          auto& out = *static_cast<std::vector<std::uint8_t>*>(const_cast<void*>(context));
          if (start >= 0x10000) return false;  // ranges come in code point order: the BMP is done
          std::fill(out.begin() + start, out.begin() + std::min<UChar32>(limit, 0x10000), classes_of_category(type));
          return true;
        },
        &t);
    auto add = [&](std::u32string_view chars, std::uint8_t bit) {
      for (char32_t c : chars) t[c] |= bit;
    };
    auto add_range = [&](char32_t first, char32_t last, std::uint8_t bit) {
      for (char32_t c = first; c <= last; ++c) t[c] |= bit;
    };
    add_range(0x3400, 0x4DBF, kClassHan);
    add_range(0x4E00, 0x9FFF, kClassHan);
    add_range(0xF900, 0xFAFF, kClassHan);
    add(U" \t\u3000\u00A0", kClassSpace);
    add(U"hHwW@ｈＨｗＷ＠", kClassUrlOrMail);  // fold() and lower case give h, w or @
    add(U"\n\r", kClassLineBreak);
    // Everything is_clause_mark (after fold), is_full_width_mark, the
    // half-width marks and the quotes and brackets of `unmatched` accept.
    add(U",.;:?!\"()[]{}，．；：？！＂（）［］｛｝。｡、“”", kClassMark);
    add_range(0x300A, 0x3011, kClassMark);  // 《》「」『』【】
    return t;
  }();
  return table.data();
}
// The class table, fetched once per evaluation and passed down, so each
// lookup is an inline array read.
struct Classes {
  const std::uint8_t* bmp = bmp_classes();
  std::uint8_t of(char32_t c) const { return c < 0x10000 ? bmp[c] : classes_beyond_bmp(c); }
  bool punct(char32_t c) const { return of(c) & kClassPunct; }
  bool digit(char32_t c) const { return of(c) & kClassDigit; }
};
bool is_ascii_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct Problem {
  unsigned kind = 0;
  std::uint32_t begin = 0, end = 0;
  std::string what;
};

// Bracket pairs (after fold); quotes are counted apart.
constexpr std::pair<char32_t, char32_t> kPairs[] = {{'(', ')'},       {'[', ']'},       {0x3010, 0x3011},
                                                    {0x300A, 0x300B}, {0x300C, 0x300D}, {0x300E, 0x300F},
                                                    {0x201C, 0x201D}, {'{', '}'}};
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Buffers of one evaluation, reused from message to message so that
// inspecting a message allocates nothing.
struct Scratch {
  std::vector<std::uint8_t> skip;                      // per code point: part of a URL, address or number
  std::vector<std::pair<char32_t, std::size_t>> open;  // open brackets: expected closer, position
};

// What one scan of a message finds: the facts of every kind, each kind's
// first occurrence (kNone: none).
struct Facts {
  long units = 0;  // no_punctuation: text units and whether any punctuation is present
  bool any_punct = false, any_full_width = false;
  std::size_t space_begin = kNone, space_end = 0;               // space
  std::size_t repeated_at = kNone, half_width_at = kNone;       // repeated, half_width (first of any family)
  std::size_t half_at[kFamilies] = {kNone, kNone, kNone, kNone, kNone, kNone};  // first half-width mark per family
  std::uint8_t full_width_families = 0;                          // families used full-width (bit per family)
  std::size_t closing_at = kNone, quotes = 0, first_quote = 0;  // unmatched (open brackets: Scratch::open)
};

class PunctuationCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  long min_count = 3;
  long min_length = 10;
  unsigned kinds = kNoPunct | kSpace | kRepeated | kHalfWidth | kUnmatched;
  enum class HalfWidth { session, mixed, always } half_width = HalfWidth::session;

  // A card or pasted key-value text: at least two "label:" fields, a label
  // being 1-8 letters, digits or Han characters at the start of the text, of
  // a line, or after a space or '|'.
  static bool is_card(std::u32string_view s) {
    int labels = 0;
    bool at_field_start = true;
    int label_len = 0;
    for (char32_t c : s) {
      const char32_t f = fold(c);
      if (f == '\n' || f == '\r' || f == '|' || is_space(c)) {
        at_field_start = true;
        label_len = 0;
        continue;
      }
      if (!at_field_start) continue;
      if (f == ':') {
        if (label_len >= 1 && label_len <= 8 && ++labels >= 2) return true;
        at_field_start = false;
        continue;
      }
      const bool word = is_han(c) || (f >= '0' && f <= '9') || (f >= 'a' && f <= 'z') || (f >= 'A' && f <= 'Z') ||
                        f == 0x3010 || f == 0x3011;  // 【标签】
      if (!word || ++label_len > 8) at_field_start = false;
    }
    return false;
  }

  // URLs, e-mail addresses and digit runs are not prose. If one of them
  // starts at s[i], marks it in `skip` (one flag per code point of `s`);
  // returns where to look for the next one. `back` is set when an e-mail
  // address was marked, which reaches back before i.
  static std::size_t mark_skipped_at(std::u32string_view s, Classes cls, std::size_t i, std::uint8_t* skip,
                                     bool& back) {
    const std::size_t n = s.size();
    auto starts = [&](const char* prefix) {
      for (std::size_t k = 0; prefix[k]; ++k) {
        if (i + k >= n) return false;
        char32_t c = fold(s[i + k]);
        if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
        if (c != static_cast<char32_t>(prefix[k])) return false;
      }
      return true;
    };
    auto url_char = [&](char32_t c) {
      c = fold(c);
      return c > 0x20 && c < 0x7F;
    };
    const char32_t folded = fold(s[i]);
    const char32_t first = folded >= 'A' && folded <= 'Z' ? folded + ('a' - 'A') : folded;
    if ((first == 'h' || first == 'w') && (starts("http://") || starts("https://") || starts("www."))) {
      std::size_t j = i;
      while (j < n && url_char(s[j])) skip[j++] = 1;
      return j + 1;  // the character ending the URL is not looked at either
    }
    if (folded == '@') {
      // e-mail: extend over the address characters on both sides
      auto mail_char = [&](char32_t c) {
        c = fold(c);
        return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
      };
      std::size_t b = i, e = i + 1;
      while (b > 0 && mail_char(s[b - 1])) --b;
      while (e < n && mail_char(s[e])) ++e;
      if (b < i && e > i + 1) {
        std::fill(skip + b, skip + e, 1);
        back = true;
      }
      return i + 1;
    }
    if (cls.digit(s[i])) {
      // numbers with their inner marks: 3.5, 1,299, 2024-05-01, 10:30
      std::size_t j = i;
      while (j < n) {
        if (!cls.digit(s[j])) {
          const char32_t mark = fold(s[j]);
          const bool inner = mark == '.' || mark == ',' || mark == '-' || mark == ':' || mark == '/';
          if (!inner || j + 1 >= n || !cls.digit(s[j + 1])) break;
        }
        skip[j++] = 1;
      }
      return j;
    }
    return i + 1;
  }

  // Marks all URLs, e-mail addresses and digit runs of `s` in `skip`.
  static void mark_skipped(std::u32string_view s, Classes cls, std::uint8_t* skip) {
    bool back = false;
    for (std::size_t i = 0; i < s.size();)
      i = (cls.of(s[i]) & kClassSkipStart) ? mark_skipped_at(s, cls, i, skip, back) : i + 1;
  }

  // One pass over `s` gathering the facts of every kind. Unless `marked`
  // says all skipped text is marked in `scratch.skip` already, URLs and
  // numbers are marked as the pass meets them (they reach forward only); an
  // e-mail address reaches back, so meeting one gives nullopt: mark all
  // first and scan again.
  // Long function: one pass over a message that tracks open brackets and quotes, the last mark and
  // the skipped spans together; each problem kind needs that shared state.
  std::optional<Facts> scan(std::u32string_view s, Classes cls, Scratch& scratch, bool marked) const {
    const std::size_t n = s.size();
    std::uint8_t* skip = scratch.skip.data();
    std::vector<std::pair<char32_t, std::size_t>>& open = scratch.open;  // expected closer, position
    open.clear();
    Facts facts;
    std::size_t space_from = kNone;  // space: the Han character before the current run of spaces
    std::size_t look_from = 0;       // where a URL, address or number may start (unless `marked`)
    std::uint8_t prev_classes = 0;   // the classes of s[i - 1]; none before the first

    auto emoticon = [&](std::size_t i) {
      const char32_t prev = i > 0 ? fold(s[i - 1]) : 0;
      const char32_t next = i + 1 < n ? fold(s[i + 1]) : 0;
      if (prev == ':' || prev == ';' || prev == '=' || next == ':' || next == ';') return true;
      if (prev == '-' && i > 1 && (fold(s[i - 2]) == ':' || fold(s[i - 2]) == ';')) return true;
      // list markers: "1)" "a)" at the start or after a space; not when a "("
      // is open, which it closes: "（1）" and "(2)" are numbered in brackets
      if (fold(s[i]) == ')' && is_ascii_alnum(prev) && (open.empty() || open.back().first != ')') &&
          (i < 2 || is_space(s[i - 2]) || s[i - 2] == '\n' || cls.punct(s[i - 2]) || is_han(s[i - 2]))) {
        return true;
      }
      return false;
    };

    for (std::size_t i = 0; i < n; ++i) {
      const char32_t c = s[i];
      const std::uint8_t classes = cls.of(c);
      if (classes & kClassHan) {
        // A run of Han characters, most of the text: one text unit each, never
        // skipped, no mark, no letter of a Latin word; the first ends a run of spaces.
        if (space_from != kNone) {
          facts.space_begin = space_from;  // a space standing in for punctuation
          facts.space_end = i + 1;
          space_from = kNone;
        }
        std::size_t end = i + 1;
        while (end < n && is_han(s[end])) ++end;
        facts.units += static_cast<long>(end - i);
        i = end - 1;
        prev_classes = kClassHan;  // all that matters of a Han character
        continue;
      }
      if (!marked && (classes & kClassSkipStart) && i >= look_from) {
        bool back = false;
        look_from = mark_skipped_at(s, cls, i, skip, back);
        if (back) return std::nullopt;
      }
      const bool skipped = skip[i];

      if (!skipped) {
        // a Latin word starts: a letter, not right after a letter of a Latin word (or after skipped text)
        if ((classes & kClassAlpha) &&
            ((prev_classes & (kClassAlpha | kClassHan)) != kClassAlpha || (i > 0 && skip[i - 1]))) {
          ++facts.units;
        }
        if (classes & (kClassPunct | kClassLineBreak)) facts.any_punct = true;
      }

      // space: a run of spaces after a Han character (while none was found yet); anything else ends it.
      if (!(classes & kClassSpace)) {
        space_from = kNone;
      } else if ((prev_classes & kClassHan) && facts.space_begin == kNone) {
        space_from = i - 1;
      }

      if (classes & kClassMark) {
        const char32_t f = fold(c);
        if (!skipped && is_full_width_mark(c)) {
          facts.any_full_width = true;
          const int fam = mark_family(c);
          if (fam >= 0) facts.full_width_families |= static_cast<std::uint8_t>(1u << fam);
        }

        // repeated: two clause marks in a row, or a ".." that is not part of a longer run of dots
        // (prev_classes is 0 at i == 0).
        if (facts.repeated_at == kNone && (prev_classes & kClassMark) && !skipped && !skip[i - 1]) {
          const char32_t a = fold(s[i - 1]), b = f;
          const bool double_dot =
              a == '.' && b == '.' && (i < 2 || fold(s[i - 2]) != '.') && (i + 1 >= n || fold(s[i + 1]) != '.');
          if ((is_clause_mark(a) && is_clause_mark(b)) || double_dot) facts.repeated_at = i - 1;
        }

        // half_width: a half-width mark right after a Han character.
        if ((prev_classes & kClassHan) && (c == ',' || c == '.' || c == ';' || c == ':' || c == '?' || c == '!')) {
          const int fam = mark_family(c);
          if (fam >= 0 && facts.half_at[fam] == kNone && !(c == '.' && i + 1 < n && s[i + 1] == '.')) {  // "..." ellipsis
            facts.half_at[fam] = i;
            if (facts.half_width_at == kNone) facts.half_width_at = i;
          }
        }

        // unmatched: brackets on a stack, quotes counted; stops at the first closer without its opener.
        if (!skipped && facts.closing_at == kNone) {
          if (f == '"') {
            if (facts.quotes++ == 0) facts.first_quote = i;
          } else if (f < 0x80 ? (f == '(' || f == ')' || f == '[' || f == ']' || f == '{' || f == '}')
                              : ((f >= 0x300A && f <= 0x3011) || f == 0x201C || f == 0x201D)) {
            // (most marks are no bracket: the pair list is skipped for them)
            for (const auto& [o, cl] : kPairs) {
              if (f == o && !emoticon(i)) {
                open.emplace_back(cl, i);
              } else if (f == cl && !emoticon(i)) {
                if (!open.empty() && open.back().first == cl) {
                  open.pop_back();
                } else {
                  facts.closing_at = i;
                  break;
                }
              }
            }
          }
        }
      }
      prev_classes = classes;
    }
    return facts;
  }

  // What a message has: its first problem with half-width marks allowed
  // (`other`), the half-width problem if there is one (`half`, reported
  // instead when the message's or the session's convention is full-width),
  // and whether the message itself uses full-width marks.
  struct Inspection {
    std::optional<Problem> other;
    std::size_t half_at[kFamilies] = {kNone, kNone, kNone, kNone, kNone, kNone};
    std::uint8_t full_width_families = 0;
    bool full_width = false, any_half = false;
  };

  // The first problem of `s`, trying the kinds in order.
  Inspection inspect(std::u32string_view s, Classes cls, Scratch& scratch) const {
    Inspection out;
    if (is_card(s)) return out;
    const std::size_t n = s.size();
    scratch.skip.assign(n, 0);
    std::optional<Facts> facts = scan(s, cls, scratch, false);
    if (!facts) {  // an e-mail address: mark everything, then scan again
      scratch.skip.assign(n, 0);
      mark_skipped(s, cls, scratch.skip.data());
      facts = scan(s, cls, scratch, true);
    }
    const Facts& f = *facts;
    auto at = [](unsigned kind, std::size_t begin, std::size_t end, const char* what) {
      return Problem{kind, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), what};
    };
    out.full_width = f.any_full_width;
    if ((kinds & kNoPunct) && !f.any_punct && f.units >= min_length) {
      out.other = Problem{kNoPunct, 0, static_cast<std::uint32_t>(n),
                          "no punctuation in a message of " + std::to_string(f.units) + " words/characters"};
      return out;
    }
    if ((kinds & kSpace) && f.space_begin != kNone) {
      out.other = at(kSpace, f.space_begin, f.space_end, "space used instead of punctuation");
      return out;
    }
    if ((kinds & kRepeated) && f.repeated_at != kNone) {
      out.other = at(kRepeated, f.repeated_at, f.repeated_at + 2, "doubled or clashing punctuation");
      return out;
    }
    out.full_width_families = f.full_width_families;
    if ((kinds & kHalfWidth) && f.half_width_at != kNone) {
      std::copy(std::begin(f.half_at), std::end(f.half_at), std::begin(out.half_at));
      out.any_half = true;
    }
    if (kinds & kUnmatched) {
      const auto& open = scratch.open;
      if (f.closing_at != kNone) {
        out.other = at(kUnmatched, f.closing_at, f.closing_at + 1, "closing mark without its opening one");
      } else if (!open.empty()) {
        out.other = at(kUnmatched, open.front().second, open.front().second + 1, "opening mark never closed");
      } else if (f.quotes % 2 == 1) {
        out.other = at(kUnmatched, f.first_quote, f.first_quote + 1, "unmatched quotation mark");
      }
    }
    return out;
  }

  // The finding for message i's inspection, if it has a problem, given the
  // mark families the role used full-width in the session.
  bool problem_finding(EvalContext& ctx, std::size_t i, const Inspection& in, std::uint8_t session_families,
                       std::vector<Finding>& found) const {
    // The first half-width mark that breaks the convention in force.
    std::size_t half = kNone;
    for (int fam = 0; fam < kFamilies; ++fam) {
      if (in.half_at[fam] == kNone) continue;
      const bool counts = half_width == HalfWidth::always || (half_width == HalfWidth::mixed && in.full_width) ||
                          (half_width == HalfWidth::session && (session_families >> fam & 1u));
      if (counts) half = std::min(half, in.half_at[fam]);
    }
    std::optional<Problem> problem = in.other;
    if (half != kNone && (!problem || problem->kind == kUnmatched)) {
      problem = Problem{kHalfWidth, static_cast<std::uint32_t>(half), static_cast<std::uint32_t>(half + 1),
                        "half-width punctuation in Chinese text"};
    }
    if (!problem) return false;
    Finding f = ctx.finding();
    if (problem->kind == kNoPunct) {
      ctx.locate(i, f.at);
    } else {
      ctx.locate(i, problem->begin, problem->end, f.at);
    }
    f.explanation = "punctuation: " + problem->what;
    found.push_back(std::move(f));
    return true;
  }

  std::string count_note(std::size_t count) const {
    return " (" + counted(count, "message") + ", from " + std::to_string(min_count) + ")";
  }

  // What the inspection of the messages so far found (kept between
  // evaluations by live scoring).
  struct State : LiveState {
    std::vector<std::pair<std::size_t, Inspection>> inspected;  // messages with a problem or a half-width mark
    std::uint8_t session_families = 0;  // mark families the role used full-width somewhere in the session
    std::vector<Finding> waiting;       // live: the problems while fewer than min_count
    std::size_t note_size = 0;          // live: length of the count note on the reported findings
  };

  // Inspects messages [s.seen, end); returns the index in s.inspected of the first new one.
  std::size_t inspect_new(EvalContext& ctx, State& s) const {
    const Classes cls;
    Scratch scratch;
    const std::size_t first_new = s.inspected.size();
    for (std::size_t i = s.seen; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role) || ctx.message(i).text.empty()) continue;
      Inspection in = inspect(ctx.norm(i).original, cls, scratch);  // the original code points, decoded once per message
      s.session_families |= in.full_width_families;
      if (in.other || in.any_half) s.inspected.emplace_back(i, std::move(in));
    }
    s.seen = ctx.size();
    return first_new;
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    // Every message is inspected first: whether a half-width mark is an
    // error depends, in "session" mode, on all of the role's messages.
    State s;
    inspect_new(ctx, s);
    std::vector<Finding> found;
    for (auto& [i, in] : s.inspected) problem_finding(ctx, i, in, s.session_families, found);
    if (static_cast<long>(found.size()) >= min_count) {
      const std::string note = count_note(found.size());
      for (Finding& f : found) f.explanation += note;
      out.findings = std::move(found);
    }
  }

  // Live: the inspections are kept; a new message's problem is added, and
  // the problems of earlier ones are decided again only when the session's
  // full-width families change. Every finding carries the count: when it
  // changes, each one's note is rewritten.
  std::unique_ptr<LiveState> live_state() const override { return std::make_unique<State>(); }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    auto& s = static_cast<State&>(state);
    const std::uint8_t families_before = s.session_families;
    std::size_t first_new = inspect_new(ctx, s);
    std::vector<Finding>& old = out.findings.empty() ? s.waiting : out.findings;
    if (s.session_families != families_before) {  // every problem is decided again
      ctx.recycle(out.findings);
      ctx.recycle(s.waiting);
      s.note_size = 0;
      first_new = 0;
    }
    const std::size_t before = old.size();
    for (std::size_t k = first_new; k < s.inspected.size(); ++k) {
      problem_finding(ctx, s.inspected[k].first, s.inspected[k].second, s.session_families, old);
    }
    if (&old == &out.findings && !out.findings.empty() && s.note_size > 0) {  // reported already
      if (old.size() == before) {
        out.kept = before;
        return;
      }
      for (std::size_t k = 0; k < before; ++k) old[k].explanation.resize(old[k].explanation.size() - s.note_size);
    } else if (static_cast<long>(old.size()) < min_count) {
      if (&old == &out.findings) s.waiting.swap(out.findings);  // after a new start: still too few
      return;
    } else if (&old == &s.waiting) {
      out.findings.swap(s.waiting);
    }
    const std::string note = count_note(out.findings.size());
    for (Finding& f : out.findings) f.explanation += note;
    s.note_size = note.size();
    out.kept = 0;
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role", "min_count", "min_length", "kinds", "half_width"});
  auto check = std::make_unique<PunctuationCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->min_count = p.integer("min_count", false, 1, 1000000).value_or(3);
  check->min_length = p.integer("min_length", false, 1, 100000).value_or(10);
  if (p.has("kinds")) {
    check->kinds = 0;
    for (auto& [name, kind_ptr] : p.strings("kinds")) {
      auto it = std::find(kKindNames.begin(), kKindNames.end(), name);
      if (it == kKindNames.end()) {
        std::string msg =
            "unknown punctuation kind \"" + name + "\" (no_punctuation, space, repeated, half_width, unmatched)";
        if (auto near = did_you_mean(name, kKindNames)) msg += "; did you mean \"" + *near + "\"?";
        ctx.error("E0105", kind_ptr, msg);
        continue;
      }
      check->kinds |= 1u << (it - kKindNames.begin());
    }
  }
  const std::string hw = p.string("half_width", false, {"session", "mixed", "always"}).value_or("session");
  check->half_width = hw == "always"  ? PunctuationCheck::HalfWidth::always
                      : hw == "mixed" ? PunctuationCheck::HalfWidth::mixed
                                      : PunctuationCheck::HalfWidth::session;
  return check;
}

}  // namespace

std::unique_ptr<Check> make_punctuation_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
