// pii: the agent reveals a customer's personal number in full — a Chinese
// mobile number (1[3-9] + 9 digits, optionally after 86), an 18-digit resident
// ID number (region, birth date and ISO 7064 MOD 11-2 check digit all valid),
// a bank card number (16-19 digits passing the Luhn check) or an e-mail
// address. The detector (text/pii_detect.hpp, shared with the masking pass
// over every output) sees digits in many forms (full-width, circled, Chinese
// numerals) and through separators ("6222 0212 3456 7890", "138.1234.5678",
// "(138)12345678", zero-width characters). Masked forms (138****5678,
// z***@qq.com) pass, and numbers right after an order / tracking word
// ("订单号") are not personal.
//
// Findings quote the number MASKED, never in full: a report must not spread
// what it flags. The span still points at the real digits.
#include <algorithm>
#include <string_view>

#include "checks/check.hpp"
#include "text/pii_detect.hpp"

namespace chatqa::detail {
namespace {

const std::vector<std::string> kKindNames = {"phone", "id_card", "bank_card", "email"};

class PiiCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  text::PiiDetector detector;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override { scan(ctx, 0, out); }

  // Live: each message's findings are its own; a new message adds its own.
  std::unique_ptr<LiveState> live_state() const override { return std::make_unique<LiveState>(); }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    out.kept = out.findings.size();
    scan(ctx, state.seen, out);
    state.seen = ctx.size();
  }

  // The findings of messages [from, end).
  void scan(EvalContext& ctx, std::size_t from, CheckOutcome& out) const {
    std::vector<text::PiiHit> found;
    for (std::size_t i = from; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role) || ctx.message(i).text.empty()) continue;
      const text::NormText& norm = ctx.norm(i);
      const std::u32string& cps = norm.original;  // decoded once per message, shared
      // Fewer than 11 digits and no '@' (most messages): nothing to find.
      if (!text::may_hold_pii(cps)) continue;
      found.clear();
      detector.scan(cps, found);
      for (const text::PiiHit& hit : found) {
        static const char* kWhat[] = {"", "mobile number", "resident ID number", "", "bank card number", "", "",
                                      "", "e-mail address"};
        Finding f = ctx.finding();
        ctx.locate(i, hit.begin, hit.end, f.at);
        f.at.quote = hit.masked;  // never the number itself
        f.matched = kKindNames[hit.kind == text::kPiiPhone    ? 0
                               : hit.kind == text::kPiiIdCard ? 1
                               : hit.kind == text::kPiiBankCard ? 2
                                                                : 3];
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
  unsigned kinds = text::kPiiAll;
  if (p.has("kinds")) {
    kinds = 0;
    for (auto& [name, kind_ptr] : p.strings("kinds")) {
      auto it = std::find(kKindNames.begin(), kKindNames.end(), name);
      if (it == kKindNames.end()) {
        std::string msg = "unknown kind \"" + name + "\" (phone, id_card, bank_card, email)";
        if (auto near = did_you_mean(name, kKindNames)) msg += "; did you mean \"" + *near + "\"?";
        ctx.error("E0105", kind_ptr, msg);
        continue;
      }
      kinds |= 1u << (it - kKindNames.begin());
    }
    if (kinds == 0) ctx.error("E0105", p.pointer("kinds"), "\"kinds\" names no kind to look for");
  }
  std::vector<std::string> words = text::PiiDetector::default_context();
  if (p.has("ignore_after")) {
    words.clear();
    for (auto& [w, w_ptr] : p.strings("ignore_after")) words.push_back(w);
  }
  check->detector = text::PiiDetector(kinds, words);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_pii_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
