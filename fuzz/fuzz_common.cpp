#include "fuzz_common.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "text/utf8.hpp"

namespace chatqa::fuzz {

std::u32string code_points(std::string_view s) {
  std::u32string out;
  utf8::decode(s, out);
  return out;
}

namespace {

std::string utf8_of(const std::u32string& cps, std::size_t begin, std::size_t end) {
  return utf8::encode(std::u32string_view(cps).substr(begin, end - begin));
}

void check_location(const Location& at, const Session& ordered, const char* what) {
  if (!at.message) {
    require(!at.span, what, "a span without a message");
    return;
  }
  require(*at.message < ordered.messages.size(), what, "message index out of range");
  const Message& m = ordered.messages[*at.message];
  require(at.time == m.time.to_iso8601(), what, "time is not the message's");
  if (!at.span) return;
  const std::u32string cps = code_points(m.text);
  require(at.span->begin <= at.span->end && at.span->end <= cps.size(), what,
          "span [" + std::to_string(at.span->begin) + ", " + std::to_string(at.span->end) + ") outside a message of " +
              std::to_string(cps.size()) + " code points");
  const std::string original = utf8_of(cps, at.span->begin, at.span->end);
  if (at.quote == original) return;
  // Personal data (the pii check) is quoted masked ("138****5678",
  // "a***@example.com"): never the original, always with '*' in it.
  const bool masked = at.quote.find('*') != std::string::npos &&
                      !at.quote.empty() && code_points(at.quote).size() <= at.span->end - at.span->begin + 3;
  require(masked, what, "quote \"" + at.quote + "\" is not the original text of its span \"" + original + "\"");
}

}  // namespace

void check_report(const Report& report, const Session& session, const RuleSet& rules) {
  require(report.error.empty(), "evaluation failed", report.error);
  require(report.items.size() == rules.items().size(), "one result per item");
  require(std::isfinite(report.score) && report.score >= 0 && report.score <= report.total, "score in [0, total]",
          std::to_string(report.score));
  require(!report.fatal || report.score == 0, "a fatal report scores 0");
  require(report.message_count == session.messages.size(), "message count");
  Session ordered = session;
  ordered.sort_messages();
  for (const ItemResult& item : report.items) {
    require(item.deducted >= 0 && item.deducted <= item.points + 1e-9, "deduction within the item's points", item.id);
    require(item.status == ItemStatus::failed || item.findings.empty(), "findings only on failed items", item.id);
    for (const Finding& f : item.findings) {
      check_location(f.at, ordered, item.id.c_str());
      if (f.related) check_location(*f.related, ordered, item.id.c_str());
    }
  }
  for (const bool passed : {false, true}) {
    JsonReportOptions options;
    options.include_passed = passed;
    const std::string json = to_json(report, options);
    require(nlohmann::json::accept(json), "to_json writes valid JSON", json.substr(0, 200));
  }
  (void)to_text(report, &session);
}

}  // namespace chatqa::fuzz
