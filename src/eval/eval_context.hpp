// Evaluation-side internals: the per-call state of one evaluate() (normalised
// texts, phrase hits, recycled findings), which the evaluator builds and
// every check reads through EvalContext. Nothing of compiling is here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"
#include "rules/rule_set_impl.hpp"
#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::detail {

// The per-message working memory of one evaluation (EvalScratch::Impl, or
// a local one). EvalContext sizes it for the session and resets what it
// reads, so nothing of an earlier session shows through; the vectors keep
// their capacity, and each NormText its buffers.
struct EvalBuffers {
  std::vector<text::NormText> norm[text::kVariants];
  std::vector<std::uint8_t> norm_state[text::kVariants];
  // Hits of all messages in one array; message i's are [hits_begin[i], hits_end[i]).
  std::vector<text::Hit> hits;
  std::vector<std::uint32_t> hits_begin, hits_end;
  // Per message, one bit per phrase group: the group has hits there. Most
  // questions "hits of group g in message i" are answered by the bit alone.
  std::vector<std::uint64_t> group_bits;  // message i's words: [i * group_words, (i + 1) * group_words)
  std::size_t group_words = 0;
  std::vector<std::uint8_t> matched;
  text::RegexScratch regex;               // match_regexes' lists and remembered prefilter answers
  std::vector<std::string> times;         // "" until formatted
  // Per message: whether its quotes come from the text with personal
  // numbers masked (see EvalContext::shown_text), and that text.
  std::vector<std::uint8_t> mask_state;
  std::vector<std::string> masked;
  std::vector<std::vector<std::uint32_t>> masked_bytes;  // byte offset of each code point of `masked`, plus its size
  std::u32string mask_work;
  std::vector<std::u32string> skeletons;  // skeleton-only normalisations (see EvalContext::skeleton)
  std::vector<std::uint8_t> skeleton_built;
  // Latin-evasion folds of the plain texts (see EvalContext::evasion_folded).
  std::vector<text::NormText> evasion;
  std::vector<std::uint8_t> evasion_state;  // 0 not asked, 1 folded, 2 nothing to fold
  // Findings (and related locations) of the caller's last report, whose
  // strings' memory EvalContext::finding() hands out again: a report's
  // strings (times, quotes, explanations) are mostly too long to be stored
  // inside std::string, so a fresh finding costs several allocations.
  std::vector<Finding> spare_findings;
  std::vector<Location> spare_locations;
  // Similar-phrase groups (see EvalContext::hits): per message, computed on
  // the first question about one of them; then per (message, slot) the
  // group's hits (its literal and regex hits and its similar spans, sorted)
  // in sim_hits[sim_begin[k], sim_end[k]), their scores beside them, and
  // the nearest span.
  std::vector<std::uint8_t> sim_done;
  std::vector<text::Hit> sim_hits;
  std::vector<double> sim_scores;  // per sim_hits entry: the similarity, or -1 for a literal / regex hit
  std::vector<std::uint32_t> sim_begin, sim_end;
  std::vector<text::SimilarMatch> sim_nearest;  // per (message, slot); score -1: none
  std::vector<text::SimilarMatch> sim_found, sim_near;
  text::SimilarityScratch sim_scratch;

  // Live scoring (LiveSession sets `live`): per item, the state its check
  // keeps from one evaluation of the growing chat to the next
  // (Check::live_state; null when it keeps none), made on first use.
  bool live = false;
  std::vector<std::unique_ptr<LiveState>> live_states;
  std::vector<std::uint8_t> live_state_asked;
  // Live scoring: per check (EvalContext::first_message), how far the
  // search for its first message went and what it found (npos: none yet).
  struct FirstMessage {
    std::size_t searched = 0, found = static_cast<std::size_t>(-1);
  };
  std::map<const void*, FirstMessage> first_messages;

  // Frees everything (after a huge session, so one outlier does not pin its memory).
  void release() { *this = EvalBuffers(); }
};

// A clock a running chat has started (live scoring): a check whose
// condition will be broken at `message`'s time + `limit_seconds` if nothing
// happens before (the customer waits for a reply; a hold promised a return).
// Checks report them through EvalContext::open_deadline; LiveSession::due
// turns them into warnings.
struct Deadline {
  std::size_t item = 0;     // index of the rule-set item
  std::size_t message = 0;  // the message that started the clock
  double limit_seconds = 0;
  const char* kind = "";    // "reply", "follow_up", "silence", "silence_total"
  std::string what;         // "first reply", "response (感谢您的耐心等待)"
  // The clock starts this long after `message`'s time (silence: the end of
  // a spoken message; minus the waits already spent of a total).
  double offset_seconds = 0;
};

// Per-call evaluation state: normalised text and phrase hits, computed at most
// once per message and shared by every check. Everything lives in the call
// (one EvalContext per evaluate(), its buffers in the call or in the caller's
// EvalScratch), never in the shared RuleSet.
class EvalContext {
 public:
  // `kept`: the buffers hold this session's first `kept` messages already
  // (normalised text, hits, times), from an evaluation of an earlier state
  // of the same live session; only the messages after them start afresh.
  EvalContext(const RuleSet::Impl& rules, const Session& session, const EvalOptions& options, EvalBuffers& buffers,
              std::size_t kept = 0);

  const Session& session() const { return session_; }
  const RuleSet::Impl& rules() const { return rules_; }
  const EvalOptions& options() const { return options_; }
  std::size_t size() const { return session_.messages.size(); }
  const Message& message(std::size_t i) const { return session_.messages[i]; }

  // Normalised text of message i (variant 0 = plain, 1 = Traditional folded).
  // A message without Traditional characters shares one text for both.
  const text::NormText& norm(std::size_t i, int variant = 0);
  // The plain variant's skeleton of message i: from norm(i) if that is built,
  // else normalised for the skeleton alone (for checks that need nothing
  // else of the message, such as repetition on customer messages).
  const std::u32string& skeleton(std::size_t i);
  // The Latin-evasion fold of message i's plain text (text/evasion.hpp),
  // built once for every check that asks; null when the text has nothing a
  // fold would change.
  const text::NormText* evasion_folded(std::size_t i);
  // Hits of `group` in message i, ordered by span (begin, then longer first).
  // The pointers stay valid until the hits of ANOTHER message are first asked
  // for (all messages' hits share one array): copy them out before that.
  std::pair<const text::Hit*, const text::Hit*> hits(std::size_t i, std::uint32_t group);
  // Whether `group` has a literal or regex hit in message i: never compares
  // the message with the group's example sentences ("similar"), so a check
  // that only asks whether a window has a hit asks this first and pays for
  // similarity only when no literal phrase is there.
  bool has_literal_hit(std::size_t i, std::uint32_t group) {
    auto [b, e] = literal_hits(i, group);
    return b != e;
  }

  // For a hit of a group with example sentences ("similar"): its
  // similarity to the example it names; none for a literal or regex hit.
  std::optional<double> similarity(std::size_t i, const text::Hit& hit);
  // The span of message i nearest to an example of `group` (matching or
  // not), if some span shares a feature with one; score -1 when none.
  const text::SimilarMatch& nearest_similar(std::size_t i, std::uint32_t group);

  // The first message for which `test(i)` holds, for a test that depends on
  // message i alone (and what is built from it: hits, normalised text).
  // Live scoring remembers, per `key` (the asking check), how far the search
  // went, so a growing chat is searched from where it stopped.
  template <typename Test>
  std::optional<std::size_t> first_message(const void* key, Test test) {
    BufferFirst* memo = nullptr;
    std::size_t i = 0;
    if (buf_.live && !options_.session_closed) {
      memo = &buf_.first_messages[key];
      if (memo->found != kNone) return memo->found;
      i = memo->searched;
    }
    for (; i < size(); ++i) {
      if (!test(i)) continue;
      if (memo) memo->found = memo->searched = i;
      return i;
    }
    if (memo) memo->searched = size();
    return std::nullopt;
  }

  // Message i's time as ISO 8601, formatted once per call.
  const std::string& time_of(std::size_t i);
  // Writes the location of message i (whole message) or of a span of it
  // into `loc` (every field), whose strings keep their memory.
  void locate(std::size_t i, Location& loc);
  void locate(std::size_t i, std::uint32_t begin, std::uint32_t end, Location& loc);
  // An empty Finding (as Finding{}), made of the memory of one from an
  // earlier report where there is one. Checks fill it in with locate(),
  // related() and set_text(), which keep that memory, and push it.
  Finding finding();
  // f.related, engaged (a default Location, also made of kept memory where
  // there is some) if it was not.
  Location& related(Finding& f);
  // Keeps the memory of findings the report no longer holds, for finding().
  void recycle(std::vector<Finding>& findings);
  // Quotes code points [begin, end) of message i's text as shown
  // (shown_text): the original, with personal numbers masked.
  std::string_view quoted(std::size_t i, std::uint32_t begin, std::uint32_t end);
  // Message i's text as outputs may show it: personal numbers (the pii
  // check's detector, text/pii_detect.hpp) masked code point for code point,
  // so spans into the original text are spans into this one too. The
  // original text itself when there is nothing to mask or
  // EvalOptions::mask_pii is off. Every check quoting a message uses this.
  const std::string& shown_text(std::size_t i);

  // Live scoring: a check saw a clock running at the end of the chat (see
  // Deadline). Kept only while deadlines are collected (LiveSession).
  bool collects_deadlines() const { return deadlines_ != nullptr && !options_.session_closed; }
  void open_deadline(std::size_t message, double limit_seconds, const char* kind, std::string what,
                     double offset_seconds = 0) {
    if (collects_deadlines()) {
      deadlines_->push_back(Deadline{item_, message, limit_seconds, kind, std::move(what), offset_seconds});
    }
  }
  // Where open_deadline() puts them (null: nowhere), and for which item.
  void collect_deadlines(std::vector<Deadline>* out) { deadlines_ = out; }
  void set_item(std::size_t index) { item_ = index; }

 private:
  void match_message(std::size_t i);
  void match_similar(std::size_t i);
  std::pair<const text::Hit*, const text::Hit*> literal_hits(std::size_t i, std::uint32_t group);
  bool build_masked(std::size_t i);
  text::NormText& build_norm(std::size_t i, int variant);

  using BufferFirst = EvalBuffers::FirstMessage;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  enum : std::uint8_t { kNotBuilt, kBuilt, kSameAsPlain };
  enum : std::uint8_t { kMaskUnknown, kMaskClean, kMaskMasked };
  const RuleSet::Impl& rules_;
  const Session& session_;
  const EvalOptions& options_;
  EvalBuffers& buf_;
  std::vector<Deadline>* deadlines_ = nullptr;
  std::size_t item_ = 0;
};

// Evaluates `session` into `report` (every field), reusing `buffers`, whose
// first `kept` messages are already built (see EvalContext). Deadlines of a
// running chat go to `deadlines` if not null. Never throws: a failure sets
// report.error.
void evaluate_session(const RuleSet& rules, const Session& session, const EvalOptions& options,
                      EvalBuffers& buffers, Report& report, std::size_t kept = 0,
                      std::vector<Deadline>* deadlines = nullptr) noexcept;

// Seconds between two messages.
inline double seconds_between(const Message& a, const Message& b) {
  return static_cast<double>(b.time.epoch_ms - a.time.epoch_ms) / 1000.0;
}

// out = the parts one after another, written into out's own memory (where
// `out = a + b + c` would build a new string and free out's).
template <typename... Parts>
void set_text(std::string& out, const Parts&... parts) {
  out.clear();
  (out.append(std::string_view(parts)), ...);
}

}  // namespace chatqa::detail

namespace chatqa {

struct EvalScratch::Impl {
  detail::EvalBuffers buffers;
};

}  // namespace chatqa
