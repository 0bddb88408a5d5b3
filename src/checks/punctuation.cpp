// punctuation: messages of a role whose punctuation is missing or wrong
// (标点符号). Each message counts once, with the first problem found:
//   no_punctuation  at least `min_length` text units (Han characters, Latin
//                   words) and not one punctuation mark or line break
//   space           a space standing in for punctuation between two Han characters
//   repeated        doubled or clashing clause marks: 。。 ，， ,, 、、 ，。 ..
//   half_width      a half-width , . ; : ? ! right after a Han character; in
//                   "mixed" mode (default) only when the same message also
//                   uses full-width marks, i.e. the message mixes the two
//   unmatched       a bracket or quote without its partner: （ 【 《 「 “ "
// URLs, e-mail addresses and numbers are skipped, so an order number, a link
// or a one-word reply ("好的") is never an error. The item fires from
// `min_count` messages (the standards: 3 per session).
#include <unicode/uchar.h>
#include <algorithm>

#include "checks/phrase_common.hpp"

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
// ICU character classes, looked up in a table for the BMP (built once)
// instead of asked of ICU for every character of every message.
enum : std::uint8_t { kClassPunct = 1, kClassAlpha = 2, kClassDigit = 4 };
std::uint8_t classes_from_icu(char32_t c) {
  const int8_t type = u_charType(static_cast<UChar32>(c));
  std::uint8_t out = 0;
  if (type == U_DASH_PUNCTUATION || type == U_START_PUNCTUATION || type == U_END_PUNCTUATION ||
      type == U_CONNECTOR_PUNCTUATION || type == U_OTHER_PUNCTUATION || type == U_INITIAL_PUNCTUATION ||
      type == U_FINAL_PUNCTUATION) {
    out |= kClassPunct;
  }
  if (u_isalpha(static_cast<UChar32>(c))) out |= kClassAlpha;
  if (u_isdigit(static_cast<UChar32>(c))) out |= kClassDigit;
  return out;
}
const std::uint8_t* bmp_classes() {
  static const std::vector<std::uint8_t> table = [] {
    std::vector<std::uint8_t> t(0x10000);
    for (char32_t c = 0; c < 0x10000; ++c) t[c] = classes_from_icu(c);
    return t;
  }();
  return table.data();
}
// The class table, fetched once per evaluation and passed down, so each
// lookup is an inline array read.
struct Classes {
  const std::uint8_t* bmp = bmp_classes();
  std::uint8_t of(char32_t c) const { return c < 0x10000 ? bmp[c] : classes_from_icu(c); }
  bool punct(char32_t c) const { return of(c) & kClassPunct; }
  bool alpha(char32_t c) const { return of(c) & kClassAlpha; }
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

class PunctuationCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  long min_count = 3;
  long min_length = 10;
  unsigned kinds = kNoPunct | kSpace | kRepeated | kHalfWidth | kUnmatched;
  bool half_width_always = false;

  // Marks URLs, e-mail addresses and digit runs, which are not prose.
  static std::vector<std::uint8_t> skipped(const std::u32string& s, const Classes& cls) {
    std::vector<std::uint8_t> skip(s.size(), 0);
    auto starts = [&](std::size_t i, const char* prefix) {
      for (std::size_t k = 0; prefix[k]; ++k) {
        if (i + k >= s.size()) return false;
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
    for (std::size_t i = 0; i < s.size(); ++i) {
      char32_t first = fold(s[i]);
      if (first >= 'A' && first <= 'Z') first += 'a' - 'A';
      if ((first == 'h' || first == 'w') && (starts(i, "http://") || starts(i, "https://") || starts(i, "www."))) {
        std::size_t j = i;
        while (j < s.size() && url_char(s[j])) skip[j++] = 1;
        i = j;
      } else if (fold(s[i]) == '@') {
        // e-mail: extend over the address characters on both sides
        auto mail_char = [&](char32_t c) {
          c = fold(c);
          return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
        };
        std::size_t b = i, e = i + 1;
        while (b > 0 && mail_char(s[b - 1])) --b;
        while (e < s.size() && mail_char(s[e])) ++e;
        if (b < i && e > i + 1)
          std::fill(skip.begin() + static_cast<long>(b), skip.begin() + static_cast<long>(e), 1);
      } else if (cls.digit(s[i])) {
        // numbers with their inner marks: 3.5, 1,299, 2024-05-01, 10:30
        std::size_t j = i;
        while (j < s.size() && (cls.digit(s[j]) ||
                                ((fold(s[j]) == '.' || fold(s[j]) == ',' || fold(s[j]) == '-' || fold(s[j]) == ':' ||
                                  fold(s[j]) == '/') &&
                                 j + 1 < s.size() && cls.digit(s[j + 1])))) {
          skip[j++] = 1;
        }
        i = j - 1;
      }
    }
    return skip;
  }

  std::optional<Problem> inspect(const std::u32string& s, const Classes& cls) const {
    const std::vector<std::uint8_t> skip = skipped(s, cls);
    // Text units and whether any punctuation is present.
    long units = 0;
    bool any_punct = false, any_full_width = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (skip[i]) continue;
      const char32_t c = s[i];
      if (is_han(c)) {
        ++units;
      } else if (cls.alpha(c) &&
                 (i == 0 || skip[i - 1] || !cls.alpha(s[i - 1]) || is_han(s[i - 1]))) {
        ++units;  // a Latin word starts
      }
      if (cls.punct(c) || c == '\n' || c == '\r') any_punct = true;
      if (is_full_width_mark(c)) any_full_width = true;
    }
    if ((kinds & kNoPunct) && !any_punct && units >= min_length) {
      return Problem{kNoPunct, 0, static_cast<std::uint32_t>(s.size()),
                     "no punctuation in a message of " + std::to_string(units) + " words/characters"};
    }
    if (kinds & kSpace) {
      for (std::size_t i = 1; i < s.size(); ++i) {
        if (!is_space(s[i]) || !is_han(s[i - 1])) continue;
        std::size_t j = i;
        while (j < s.size() && is_space(s[j])) ++j;
        if (j < s.size() && is_han(s[j])) {
          return Problem{kSpace, static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(j + 1),
                         "space used instead of punctuation"};
        }
      }
    }
    if (kinds & kRepeated) {
      for (std::size_t i = 1; i < s.size(); ++i) {
        if (skip[i] || skip[i - 1]) continue;
        const char32_t a = fold(s[i - 1]), b = fold(s[i]);
        const bool double_dot =
            a == '.' && b == '.' && (i < 2 || fold(s[i - 2]) != '.') && (i + 1 >= s.size() || fold(s[i + 1]) != '.');
        if ((is_clause_mark(a) && is_clause_mark(b)) || double_dot) {
          return Problem{kRepeated, static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(i + 1),
                         "doubled or clashing punctuation"};
        }
      }
    }
    if ((kinds & kHalfWidth) && (half_width_always || any_full_width)) {
      for (std::size_t i = 1; i < s.size(); ++i) {
        const char32_t c = s[i];
        if (!(c == ',' || c == '.' || c == ';' || c == ':' || c == '?' || c == '!') || !is_han(s[i - 1])) continue;
        if (c == '.' && i + 1 < s.size() && s[i + 1] == '.') continue;  // "..." ellipsis
        return Problem{kHalfWidth, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1),
                       "half-width punctuation in Chinese text"};
      }
    }
    if (kinds & kUnmatched) {
      static const std::pair<char32_t, char32_t> kPairs[] = {{'(', ')'},       {'[', ']'},       {0x3010, 0x3011},
                                                             {0x300A, 0x300B}, {0x300C, 0x300D}, {0x300E, 0x300F},
                                                             {0x201C, 0x201D}, {'{', '}'}};
      std::vector<std::pair<char32_t, std::size_t>> open;  // expected closer, position
      auto emoticon = [&](std::size_t i) {
        const char32_t prev = i > 0 ? fold(s[i - 1]) : 0;
        const char32_t next = i + 1 < s.size() ? fold(s[i + 1]) : 0;
        if (prev == ':' || prev == ';' || prev == '=' || next == ':' || next == ';') return true;
        if (prev == '-' && i > 1 && (fold(s[i - 2]) == ':' || fold(s[i - 2]) == ';')) return true;
        // list markers: "1)" "a)" at the start or after a space
        if (fold(s[i]) == ')' && is_ascii_alnum(prev) &&
            (i < 2 || is_space(s[i - 2]) || s[i - 2] == '\n' || cls.punct(s[i - 2]) || is_han(s[i - 2]))) {
          return true;
        }
        return false;
      };
      std::size_t quotes = 0, first_quote = 0;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (skip[i]) continue;
        const char32_t c = fold(s[i]);
        if (c == '"') {
          if (quotes++ == 0) first_quote = i;
          continue;
        }
        // Most characters are no bracket at all: skip the pair list for them.
        const bool bracket = c < 0x80 ? (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}')
                                      : ((c >= 0x300A && c <= 0x3011) || c == 0x201C || c == 0x201D);
        if (!bracket) continue;
        for (const auto& [o, cl] : kPairs) {
          if (c == o && !emoticon(i)) {
            open.emplace_back(cl, i);
          } else if (c == cl && !emoticon(i)) {
            if (!open.empty() && open.back().first == cl) {
              open.pop_back();
            } else {
              return Problem{kUnmatched, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1),
                             "closing mark without its opening one"};
            }
          }
        }
      }
      if (!open.empty()) {
        return Problem{kUnmatched, static_cast<std::uint32_t>(open.front().second),
                       static_cast<std::uint32_t>(open.front().second + 1), "opening mark never closed"};
      }
      if (quotes % 2 == 1) {
        return Problem{kUnmatched, static_cast<std::uint32_t>(first_quote), static_cast<std::uint32_t>(first_quote + 1),
                       "unmatched quotation mark"};
      }
    }
    return std::nullopt;
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<Finding> found;
    const Classes cls;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role) || ctx.message(i).text.empty()) continue;
      auto problem = inspect(ctx.norm(i).original, cls);  // the original code points, decoded once per message
      if (!problem) continue;
      Finding f;
      if (problem->kind == kNoPunct) {
        f.at = ctx.at(i);
      } else {
        f.at = ctx.at(i, problem->begin, problem->end);
      }
      f.explanation = "punctuation: " + problem->what;
      found.push_back(std::move(f));
    }
    if (static_cast<long>(found.size()) >= min_count) {
      for (Finding& f : found)
        f.explanation += " (" + std::to_string(found.size()) + " messages, from " + std::to_string(min_count) + ")";
      out.findings = std::move(found);
    }
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
  check->half_width_always = p.string("half_width", false, {"mixed", "always"}).value_or("mixed") == "always";
  return check;
}

}  // namespace

std::unique_ptr<Check> make_punctuation_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
