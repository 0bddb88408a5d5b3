// pii: the agent reveals a customer's personal number in full — a Chinese
// mobile number (1[3-9] + 9 digits, optionally after 86), an 18-digit resident
// ID number (region, birth date and ISO 7064 MOD 11-2 check digit all valid),
// a bank card number (16-19 digits passing the Luhn check) or an e-mail
// address. Digits may be full-width or split by spaces / hyphens
// ("6222 0212 3456 7890"). Masked forms (138****5678, z***@qq.com) pass, and
// numbers right after an order / tracking word ("订单号") are not personal.
//
// Findings quote the number MASKED, never in full: a report must not spread
// what it flags. The span still points at the real digits.
#include <algorithm>
#include <string_view>

#include "checks/check.hpp"
#include "text/utf8.hpp"

namespace chatqa::detail {
namespace {

enum Kind : unsigned { kPhone = 1, kIdCard = 2, kBankCard = 4, kEmail = 8 };
const std::vector<std::string> kKindNames = {"phone", "id_card", "bank_card", "email"};
const std::vector<std::string> kDefaultContext = {"订单", "单号",   "运单",  "快递",     "物流",
                                                  "工单", "流水号", "order", "tracking", "ticket"};

char32_t fold(char32_t c) {
  return c >= 0xFF01 && c <= 0xFF5E ? c - 0xFEE0 : c;
}
int digit(char32_t c) {
  c = fold(c);
  return c >= '0' && c <= '9' ? static_cast<int>(c - '0') : -1;
}
bool ascii_alnum(char32_t c) {
  c = fold(c);
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool valid_phone(const std::string& d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool valid_id_card(const std::string& d) {
  if (d.size() != 18) return false;
  if (d[0] < '1' || d[0] > '8') return false;  // region codes 11..82
  const int year = std::stoi(d.substr(6, 4)), month = std::stoi(d.substr(10, 2)), day = std::stoi(d.substr(12, 2));
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) {
    if (d[static_cast<std::size_t>(k)] < '0' || d[static_cast<std::size_t>(k)] > '9') return false;
    sum += (d[static_cast<std::size_t>(k)] - '0') * kWeights[k];
  }
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

struct Found {
  Kind kind;
  std::uint32_t begin, end;
  std::string masked;
};

class PiiCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  unsigned kinds = kPhone | kIdCard | kBankCard | kEmail;
  std::vector<std::u32string> context;  // lower-case words that make a number not personal
  static constexpr std::size_t kContextChars = 12;  // characters before a number searched for a context word

  bool after_context(const std::u32string& s, std::size_t begin) const {
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
    return std::any_of(context.begin(), context.end(), [&](const std::u32string& w) {
      return !w.empty() && window.find(w) != std::u32string_view::npos;
    });
  }

  // Judges the digits d (positions pos) as a whole; pushes a hit if it is one.
  bool judge(const std::string& d, std::uint32_t begin, std::uint32_t end, std::vector<Found>& out) const {
    if ((kinds & kPhone) && valid_phone(d)) {
      out.push_back({kPhone, begin, end, mask(d, 3, 4)});
      return true;
    }
    if ((kinds & kPhone) && d.size() == 13 && d.compare(0, 2, "86") == 0 && valid_phone(d.substr(2))) {
      out.push_back({kPhone, begin, end, mask(d, 5, 4)});
      return true;
    }
    if ((kinds & kIdCard) && valid_id_card(d)) {
      out.push_back({kIdCard, begin, end, mask(d, 3, 4)});
      return true;
    }
    if ((kinds & kBankCard) && valid_luhn(d)) {
      out.push_back({kBankCard, begin, end, mask(d, 4, 4)});
      return true;
    }
    return false;
  }

  void scan_numbers(const std::u32string& s, std::vector<Found>& out) const {
    std::string d;                                            // the number's digits
    std::vector<std::pair<std::size_t, std::size_t>> pieces;  // its separator-free runs [b, e)
    for (std::size_t i = 0; i < s.size();) {
      if (digit(s[i]) < 0) {
        ++i;
        continue;
      }
      const std::size_t start = i;
      d.clear();
      pieces.clear();
      std::size_t piece_begin = i;
      std::size_t j = i;
      while (j < s.size()) {
        if (digit(s[j]) >= 0) {
          d.push_back(static_cast<char>('0' + digit(s[j])));
          ++j;
        } else if ((fold(s[j]) == ' ' || fold(s[j]) == '-' || s[j] == 0x3000) && j + 1 < s.size() &&
                   digit(s[j + 1]) >= 0) {
          pieces.emplace_back(piece_begin, j);
          piece_begin = j + 1;
          ++j;
        } else if ((fold(s[j]) == 'X' || fold(s[j]) == 'x') && d.size() == 17) {
          d.push_back('X');
          ++j;
          break;
        } else {
          break;
        }
      }
      pieces.emplace_back(piece_begin, j);
      i = j;
      // A number glued to letters or more digits is a code, not a personal number.
      if ((start > 0 && ascii_alnum(s[start - 1])) || (j < s.size() && ascii_alnum(s[j]))) continue;
      if (after_context(s, start)) continue;
      if (judge(d, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(j), out) || pieces.size() == 1)
        continue;
      for (const auto& [b, e] : pieces) {
        std::string piece;
        for (std::size_t k = b; k < e; ++k)
          piece.push_back(digit(s[k]) >= 0 ? static_cast<char>('0' + digit(s[k])) : 'X');
        judge(piece, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), out);
      }
    }
  }

  void scan_emails(const std::u32string& s, std::vector<Found>& out) const {
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
      std::string masked;
      utf8::append(masked, fold(s[b]));
      masked += "***@";
      for (char32_t c : domain) utf8::append(masked, fold(c));
      out.push_back({kEmail, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), masked});
    }
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<Found> found;
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role) || ctx.message(i).text.empty()) continue;
      const text::NormText& norm = ctx.norm(i);
      if (!norm.has_digit_or_at) continue;        // no digit, no '@': nothing to find (most messages)
      const std::u32string& cps = norm.original;  // decoded once per message, shared
      found.clear();
      if (kinds & (kPhone | kIdCard | kBankCard)) scan_numbers(cps, found);
      if (kinds & kEmail) scan_emails(cps, found);
      std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.begin < b.begin; });
      for (const Found& hit : found) {
        static const char* kWhat[] = {"", "mobile number", "resident ID number", "", "bank card number", "", "",
                                      "", "e-mail address"};
        Finding f = ctx.finding();
        ctx.locate(i, hit.begin, hit.end, f.at);
        f.at.quote = hit.masked;  // never the number itself
        f.matched = kKindNames[hit.kind == kPhone ? 0 : hit.kind == kIdCard ? 1 : hit.kind == kBankCard ? 2 : 3];
        f.suggestion = hit.masked;
        f.explanation = std::string(kWhat[hit.kind]) + " revealed in full: " + hit.masked + " (mask it)";
        out.findings.push_back(std::move(f));
      }
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "role", "kinds", "ignore_after"});
  auto check = std::make_unique<PiiCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  if (p.has("kinds")) {
    check->kinds = 0;
    for (auto& [name, kind_ptr] : p.strings("kinds")) {
      auto it = std::find(kKindNames.begin(), kKindNames.end(), name);
      if (it == kKindNames.end()) {
        std::string msg = "unknown kind \"" + name + "\" (phone, id_card, bank_card, email)";
        if (auto near = did_you_mean(name, kKindNames)) msg += "; did you mean \"" + *near + "\"?";
        ctx.error("E0105", kind_ptr, msg);
        continue;
      }
      check->kinds |= 1u << (it - kKindNames.begin());
    }
    if (check->kinds == 0) ctx.error("E0105", p.pointer("kinds"), "\"kinds\" names no kind to look for");
  }
  std::vector<std::string> words = kDefaultContext;
  if (p.has("ignore_after")) {
    words.clear();
    for (auto& [w, w_ptr] : p.strings("ignore_after")) words.push_back(w);
  }
  for (const std::string& w : words) {
    std::u32string u;
    utf8::decode(w, u);
    for (char32_t& c : u) {
      c = fold(c);
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    }
    check->context.push_back(u);
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_pii_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
