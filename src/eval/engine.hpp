// Internal engine types shared by the compiler, the checks and the evaluator.
// Not installed; nothing here is part of the public API.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"
#include "input/json_locator.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::detail {

using json = nlohmann::json;

// A set of roles, as a bit mask over chatqa::Role.
struct RoleMask {
  std::uint8_t bits = 0;
  static RoleMask of(Role r) { return RoleMask{static_cast<std::uint8_t>(1u << static_cast<int>(r))}; }
  bool has(Role r) const { return bits & (1u << static_cast<int>(r)); }
  bool empty() const { return bits == 0; }
  RoleMask operator|(RoleMask o) const { return RoleMask{static_cast<std::uint8_t>(bits | o.bits)}; }
};
std::string describe(RoleMask roles);
// "1 message", "3 messages": `n` and the noun, plural unless n is 1 (the noun
// may be preceded by words: counted(2, "agent message") is "2 agent messages").
std::string counted(std::size_t n, const std::string& noun);

// A named list of phrases or typo corrections, from the rule set's "lexicons".
struct Lexicon {
  std::string name;
  std::vector<std::string> phrases;                              // phrase lexicons
  std::vector<std::pair<std::string, std::string>> corrections;  // typo lexicons: wrong -> "right[, right2]"
  bool is_typos = false;
  std::string pointer;  // where it is defined
};

// Literal phrases and regexes that are matched together; checks refer to a
// group by id and read its hits per message.
struct PhraseGroup {
  std::uint32_t id = 0;
  RoleMask roles;
  text::MatchSettings settings;
};

class CompileContext;
class EvalContext;

struct CheckOutcome {
  bool applicable = true;
  bool pending = false;  // live scoring: undecidable until the session closes
  // The findings only say that a condition holds (not, meta, has_role, ...):
  // "all"/"any" drop them beside findings of real checks, so a guard neither
  // adds a hit nor clutters the report.
  bool condition_only = false;
  std::vector<Finding> findings;
};

// One check type (response_time, banned_phrase, ...). Built at compile time
// from its JSON parameters; evaluate() is const and keeps no state.
class Check {
 public:
  virtual ~Check() = default;
  virtual void evaluate(EvalContext& ctx, CheckOutcome& out) const = 0;
};

using CheckFactory = std::unique_ptr<Check> (*)(CompileContext& ctx, const json& check, const std::string& pointer);
// Check type name -> factory. The one list of check types: see checks/registry.cpp.
const std::map<std::string, CheckFactory>& check_registry();

struct CompiledItem {
  ItemInfo info;
  std::vector<double> per_hit;    // empty: the whole `points` on any hit; else cost of hit 1, 2, ... (last repeats)
  std::vector<std::size_t> also;  // items deducted together with this one
  std::unique_ptr<Check> check;   // null for manual items
  std::unique_ptr<Check> when;    // the item applies only if this check fires (null: always)
};

}  // namespace chatqa::detail

namespace chatqa {

struct RuleSet::Impl {
  std::string name, version, path, description;
  double total = 100;
  bool renormalize_not_applicable = false;
  std::vector<ItemInfo> infos;
  std::vector<detail::CompiledItem> items;
  text::PhraseMatcher matcher;
  std::vector<detail::PhraseGroup> groups;
  detail::RoleMask matched_roles;  // roles whose messages some phrase group reads
};

}  // namespace chatqa

namespace chatqa::detail {

// Reads a check's or item's JSON object: reports unknown keys (with "did you
// mean"), wrong types and out-of-range values as diagnostics.
class Params {
 public:
  Params(CompileContext& ctx, const json& object, std::string pointer, std::vector<std::string> allowed_keys);

  const json* get(const std::string& key) const;
  bool has(const std::string& key) const { return get(key) != nullptr; }
  std::string pointer(const std::string& key) const;
  const std::string& pointer() const { return pointer_; }
  CompileContext& ctx() { return ctx_; }

  std::optional<double> number(const std::string& key, bool required, double min, double max);
  std::optional<long> integer(const std::string& key, bool required, long min, long max);
  std::optional<std::string> string(const std::string& key, bool required, const std::vector<std::string>& one_of = {});
  std::optional<bool> boolean(const std::string& key);
  // A role name or a list of them; `fallback` when absent.
  RoleMask roles(const std::string& key, RoleMask fallback);
  // Phrase-matching options of "normalize" ({traditional, skip_separators, whole_word}).
  // `inherit_traditional`: default `traditional` to the rule set's option.
  text::MatchSettings match_settings(const std::string& key, int default_skip, bool inherit_traditional = true);
  // A list of strings ("phrases", "allow", ...); absent = empty.
  std::vector<std::pair<std::string, std::string>> strings(const std::string& key);  // (value, pointer)

 private:
  CompileContext& ctx_;
  const json& object_;
  std::string pointer_;
};

class CompileContext {
 public:
  CompileContext(RuleSet::Impl& impl, const JsonLocator& locator, std::string file, std::string base_dir,
                 const CompileOptions& options, std::vector<Diagnostic>& diagnostics);

  void error(const std::string& code, const std::string& pointer, const std::string& message, bool at_key = false);
  void warning(const std::string& code, const std::string& pointer, const std::string& message);
  bool failed() const { return errors_ > 0; }

  const CompileOptions& options() const { return options_; }
  const std::string& base_dir() const { return base_dir_; }
  RuleSet::Impl& rule_set() { return impl_; }
  bool default_traditional() const { return default_traditional_; }
  void set_default_traditional(bool on) { default_traditional_ = on; }

  std::map<std::string, Lexicon>& lexicons() { return lexicons_; }
  // Resolves "@name" (reporting E0108 at `pointer` if unknown).
  const Lexicon* lexicon_ref(const std::string& ref, const std::string& pointer);

  // Creates an empty phrase group read by messages of `roles`.
  std::uint32_t new_group(RoleMask roles, const text::MatchSettings& settings);
  // Adds phrases ("literal" or "@lexicon") to a group. `label` names the group in explanations.
  void add_phrases(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& phrases);
  void add_regexes(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& regexes);

  // Compiles a nested check object (for composition and conditions).
  std::unique_ptr<Check> compile_check(const json& check, const std::string& pointer);

 private:
  RuleSet::Impl& impl_;
  const JsonLocator& locator_;
  std::string file_, base_dir_;
  const CompileOptions& options_;
  std::vector<Diagnostic>& diagnostics_;
  std::map<std::string, Lexicon> lexicons_;
  int errors_ = 0;
  bool default_traditional_ = false;
};

// The closest of `candidates` to `word` by edit distance, if close enough.
std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

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
  std::vector<std::u32string> skeletons;  // skeleton-only normalisations (see EvalContext::skeleton)
  std::vector<std::uint8_t> skeleton_built;
  // Findings (and related locations) of the caller's last report, whose
  // strings' memory EvalContext::finding() hands out again: a report's
  // strings (times, quotes, explanations) are mostly too long to be stored
  // inside std::string, so a fresh finding costs several allocations.
  std::vector<Finding> spare_findings;
  std::vector<Location> spare_locations;

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
  const char* kind = "";  // "reply", "follow_up"
  std::string what;       // "first reply", "response (感谢您的耐心等待)"
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
  // Hits of `group` in message i, ordered by span (begin, then longer first).
  // The pointers stay valid until the hits of ANOTHER message are first asked
  // for (all messages' hits share one array): copy them out before that.
  std::pair<const text::Hit*, const text::Hit*> hits(std::size_t i, std::uint32_t group);

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
  // Quotes code points [begin, end) of message i's original text.
  std::string_view quoted(std::size_t i, std::uint32_t begin, std::uint32_t end);

  // Live scoring: a check saw a clock running at the end of the chat (see
  // Deadline). Kept only while deadlines are collected (LiveSession).
  bool collects_deadlines() const { return deadlines_ != nullptr && !options_.session_closed; }
  void open_deadline(std::size_t message, double limit_seconds, const char* kind, std::string what) {
    if (collects_deadlines()) deadlines_->push_back(Deadline{item_, message, limit_seconds, kind, std::move(what)});
  }
  // Where open_deadline() puts them (null: nowhere), and for which item.
  void collect_deadlines(std::vector<Deadline>* out) { deadlines_ = out; }
  void set_item(std::size_t index) { item_ = index; }

 private:
  void match_message(std::size_t i);
  text::NormText& build_norm(std::size_t i, int variant);

  enum : std::uint8_t { kNotBuilt, kBuilt, kSameAsPlain };
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
void evaluate_session(const RuleSet& rules, const Session& session, const EvalOptions& options, EvalBuffers& buffers,
                      Report& report, std::size_t kept = 0, std::vector<Deadline>* deadlines = nullptr) noexcept;

// Seconds between two messages.
inline double seconds_between(const Message& a, const Message& b) {
  return static_cast<double>(b.time.epoch_ms - a.time.epoch_ms) / 1000.0;
}
std::string format_seconds(double seconds);

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
