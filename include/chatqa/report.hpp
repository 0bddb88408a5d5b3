// chatqa — evaluation and deduction reports.
//
// evaluate() is a const function of (RuleSet, Session) -> Report. Its
// working memory lives in the call, or in an EvalScratch the caller owns, so
// any number of threads may evaluate the same RuleSet at once. It never
// throws: an internal failure yields a Report whose `error` is set.
//
// Spans are Unicode code-point offsets [begin, end) into the ORIGINAL message
// text (as given in Message::text), not bytes and not normalised text. Quotes
// are the original text of the span with personal numbers masked
// (EvalOptions::mask_pii): as many code points as the span.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/export.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

enum class ItemStatus {
  passed,          // checked, nothing found
  failed,          // found: points deducted (or bonus awarded, see ItemResult::bonus)
  manual_review,   // needs a person; never scored
  not_applicable,  // the check could not apply to this session
  pending,         // live scoring: cannot be decided until the session closes
};

const char* to_string(ItemStatus status) noexcept;

// Code points [begin, end) into the ORIGINAL message text.
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// A place in the session that a finding points at (for sequence findings: the
// trigger that started the expectation). Absent values are empty optionals:
// no `message` = the whole session; no `span` = the whole message.
struct Location {
  std::optional<std::size_t> message;  // index into the time-ordered messages
  std::string time;                    // ISO 8601, as the message's timestamp ("" without a message)
  std::optional<Role> role;
  std::string quote;  // the original text of the span ("" without one)
  std::optional<Span> span;
};

struct Finding {
  Location at;
  std::string explanation;  // one line a person can read
  std::string suggestion;   // e.g. the correction of a typo
  std::string matched;      // the rule phrase / pattern that matched, if any
  std::string language;     // typo findings of Latin words: the message's language ("en"; "und": not sure), else 
  std::optional<Location> related;  // e.g. the trigger of a missing response
  // Measured value where one applies (seconds late, count, ...).
  std::optional<double> value;
  // Similar-phrase matching (a phrase group's "similar" examples): the
  // cosine similarity, from 0 to 1, of the quoted span to the example
  // sentence in `matched` (a hit) or in `nearest` (the closest span to a
  // phrase that was missing); none when no similarity applies.
  std::optional<double> similarity;
  std::string nearest;  // the example sentence closest to a missing phrase, if any
};

struct ItemResult {
  std::string id;
  std::string title;
  std::string category;
  ItemSeverity severity = ItemSeverity::minor;
  bool bonus = false;
  ItemStatus status = ItemStatus::passed;
  double points = 0;    // the item's maximum
  double deducted = 0;  // points taken off (bonus items: 0)
  double awarded = 0;   // bonus points given
  std::size_t hits = 0;
  std::string also_of;  // set when deducted together with another item (两项并扣)
  std::vector<Finding> findings;  // ordered by message, then span
  // Findings left out by EvalOptions::max_findings_per_item,
  // max_findings_per_report or max_report_bytes (the first ones are kept);
  // `hits` and the deduction count them all.
  std::size_t truncated = 0;
};

struct Report {
  std::string session_id;
  std::string agent;
  std::string team;
  std::string rule_set_name;
  std::string rule_set_version;
  double total = 0;
  double score = 0;
  bool fatal = false;
  std::size_t message_count = 0;
  std::string started;            // time of the first message (ISO 8601); "" if none
  std::vector<ItemResult> items;  // every item of the rule set, in rule-set order
  std::string error;              // non-empty if evaluation itself failed
  std::size_t truncated = 0;      // findings left out, all items together (ItemResult::truncated)
};

struct EvalOptions {
  // False while a chat is still running (live scoring): checks that need the
  // end of the session (closing phrase, unanswered last turn) report `pending`
  // instead of failing.
  bool session_closed = true;
  // Personal numbers (mobile, ID card and bank card numbers, e-mail
  // addresses; the pii check's detector) are masked in everything the report
  // quotes: quotes, related quotes, explanations, suggestions. Masking
  // replaces digits with '*' code point for code point, so a quote is still
  // exactly as long as its span. Off only for trusted, internal uses.
  bool mask_pii = true;
  // Findings a report keeps (docs/limits.md): each item its first
  // `max_findings_per_item` (in message order), the whole report its first
  // `max_findings_per_report` (in item order). The rest are counted in
  // ItemResult::truncated and Report::truncated; hits, deductions and the
  // score still count every finding. 0 = no limit.
  std::size_t max_findings_per_item = 1000;
  std::size_t max_findings_per_report = 10000;
  // Bytes of the report as compact JSON (to_json, one JSON Lines line):
  // findings are kept, in report order, while the report stays within this;
  // the rest are counted in `truncated` like the caps above. Only findings
  // are left out (never items), so the limit holds unless the report
  // without any finding is larger already. 0 = no limit.
  std::size_t max_report_bytes = std::size_t{16} << 20;
};

Report evaluate(const RuleSet& rules, const Session& session, const EvalOptions& options = {}) noexcept;

// `text` with personal numbers masked as reports mask them (see
// EvalOptions::mask_pii): same number of code points, spans into `text` stay
// valid. For anything else an application shows of a chat (transcripts,
// logs). Never throws on invalid UTF-8 (invalid bytes are kept as they are).
std::string mask_pii(std::string_view text);

// Working memory of evaluate() kept between calls: the normalised text of
// every message, the phrase hits, the formatted times. Reusing one per thread
// saves their allocations on every session after the first (the batch
// scorer keeps one per worker). The report does not depend on what the
// scratch held before. Not thread-safe: one thread at a time per scratch.
// Memory is kept up to the size of the largest session seen, except that a
// session of more than about `kKeepBytes` of text releases it afterwards.
class EvalScratch {
 public:
  static constexpr std::size_t kKeepBytes = std::size_t{4} << 20;

  EvalScratch();
  ~EvalScratch();
  EvalScratch(EvalScratch&&) noexcept;
  EvalScratch& operator=(EvalScratch&&) noexcept;
  EvalScratch(const EvalScratch&) = delete;
  EvalScratch& operator=(const EvalScratch&) = delete;

  struct Impl;

 private:
  friend void evaluate(const RuleSet&, const Session&, EvalScratch&, Report&, const EvalOptions&) noexcept;
  std::unique_ptr<Impl> impl_;
};

// As above, with the caller's scratch (same report, fewer allocations).
Report evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch,
                const EvalOptions& options = {}) noexcept;

// As above, into the caller's `report`: every field is overwritten (it is
// equal to the report the other overloads return), and the memory of its
// item array and strings is reused. A worker that keeps one Report next to
// its EvalScratch allocates almost nothing per session.
void evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch, Report& report,
              const EvalOptions& options = {}) noexcept;

struct JsonReportOptions {
  bool include_passed = false;  // also list items that passed
  bool pretty = false;          // indented, for people
};

// One JSON object (no trailing newline). Deterministic, byte for byte.
std::string to_json(const Report& report, const JsonReportOptions& options = {});
// The same text written into `out` (its old content replaced), reusing its
// memory: a worker that keeps one output string, as it keeps its EvalScratch
// and Report, writes each report without allocating. (A fresh string per
// report is a large allocation each time, and glibc's malloc answers one by
// merging every small block freed since the last: the session's parse tree.)
void to_json(const Report& report, std::string& out, const JsonReportOptions& options = {});
// The error record that stands in for an input record that could not be scored.
std::string error_record_json(const InputError& error, const std::string& input_name);
// A short text form for people; `session` (optional) lets it quote messages.
std::string to_text(const Report& report, const Session* session = nullptr);

}  // namespace chatqa
CHATQA_PUBLIC_END
