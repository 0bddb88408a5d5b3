// Helpers shared by the phrase-based checks.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <vector>

#include "checks/check.hpp"

namespace chatqa::detail {

// Reads "phrases" (literals and "@lexicon" refs), "regex" and "similar"
// (example sentences, see compile_similar) of `p` into one new group read
// from messages of `roles`. Reports E0103 when `required` and all are empty.
std::uint32_t compile_phrase_group(Params& p, RoleMask roles, const text::MatchSettings& settings, bool required);

// Similar-phrase matching: the threshold when a "similar" object gives
// none, and the one below which compiling warns (W0131).
constexpr double kDefaultSimilarThreshold = 0.5;
constexpr double kLowSimilarThreshold = 0.3;
// Reads "similar" ({"examples": [...], "threshold": t, "exclude": [...]}) of
// `p` into `group` (src/rules/similar.cpp); false when `p` has none.
bool compile_similar(Params& p, std::uint32_t group);

// The allow-list of `key` ("allow") as its own group, matched like the check's
// phrases; nullopt when there is none.
std::optional<std::uint32_t> compile_allow_group(Params& p, const std::string& key, RoleMask roles,
                                                 const text::MatchSettings& settings);

// One group per entry of "phrases" and "regex" (for match: "all").
std::vector<std::uint32_t> compile_phrase_groups(Params& p, RoleMask roles, const text::MatchSettings& settings);

// Hits of `group` in message i that are not covered by a longer hit of the
// same group nor by a hit of `allow` (the allow-list: the longer allowed
// phrase covering a hit wins).
void visible_hits(EvalContext& ctx, std::size_t i, std::uint32_t group, std::optional<std::uint32_t> allow,
                  std::vector<text::Hit>& out);

// The text of a hit's pattern as the rule set wrote it: a phrase, a regex,
// or the example sentence a similar hit was closest to.
const std::string& pattern_text(const RuleSet::Impl& rules, std::uint32_t pattern);
// Sets f.matched (and, for a similar hit, f.similarity) for hit h of message i.
void set_matched(EvalContext& ctx, std::size_t i, const text::Hit& h, Finding& f);
// " (similar to 「example」, 0.72)" for a similar hit, else "".
std::string similar_note(const Finding& f);

// "不知道" or "不知道 (shirking)": the phrase as the rule wrote it, and its lexicon.
std::string describe_pattern(const RuleSet::Impl& rules, std::uint32_t pattern);
// Up to `limit` phrases of a group, for "missing" explanations.
std::string sample_phrases(const RuleSet::Impl& rules, std::uint32_t group, std::size_t limit = 3);

}  // namespace chatqa::detail

namespace chatqa::detail {

// Indices of messages, in time order. Every phrase check of every session
// selects one, so a usual session's stay inside the object; a longer list
// moves to the heap.
class MessageList {
 public:
  MessageList() = default;
  MessageList(const MessageList&) = delete;
  MessageList& operator=(const MessageList&) = delete;

  const std::size_t* begin() const { return data(); }
  const std::size_t* end() const { return data() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t front() const { return data()[0]; }
  std::size_t back() const { return data()[size_ - 1]; }
  void push_back(std::size_t message) {
    if (heap_.empty() && size_ < kLocal) {
      local_[size_++] = message;
      return;
    }
    if (heap_.empty()) heap_.assign(local_, local_ + size_);
    heap_.push_back(message);
    ++size_;
  }
  // Keeps the first / last n (n <= size()).
  void keep_first(std::size_t n) {
    if (!heap_.empty()) heap_.resize(n);
    size_ = n;
  }
  void keep_last(std::size_t n) {
    std::size_t* d = mutable_data();
    std::copy(d + (size_ - n), d + size_, d);
    keep_first(n);
  }

 private:
  static constexpr std::size_t kLocal = 64;
  const std::size_t* data() const { return heap_.empty() ? local_ : heap_.data(); }
  std::size_t* mutable_data() { return heap_.empty() ? local_ : heap_.data(); }
  std::size_t local_[kLocal];
  std::vector<std::size_t> heap_;  // all of them, once there are more than kLocal
  std::size_t size_ = 0;
};

// The part of a conversation a phrase check looks at: its "window" object.
// Keys (all optional, combinable):
//   first_seconds / last_seconds  messages within T s of the session's first / last message
//   after / before                {"phrases", "regex", "role"}: only messages after (before)
//                                 the first message holding this anchor (the anchor message excluded)
//   first_messages / last_messages  then only the first / last N of them
// Every selection keeps only messages of the check's roles.
struct Scope {
  long first_messages = 0, last_messages = 0;
  double first_seconds = -1, last_seconds = -1;
  std::optional<std::uint32_t> after, before;  // anchor phrase groups
  RoleMask after_roles, before_roles;
  std::string after_text, before_text;  // sample anchor phrases, for explanations

  bool empty() const {
    return first_messages == 0 && last_messages == 0 && first_seconds < 0 && last_seconds < 0 && !after && !before;
  }
  // True when the window depends on how the session ends (live scoring: pending).
  bool needs_end() const { return last_messages > 0 || last_seconds >= 0; }
  // Writes the messages of `roles` in the window to `in` (empty before), in
  // time order; false when the "after" anchor never occurs (there is no
  // window to look at).
  bool select(EvalContext& ctx, RoleMask roles, MessageList& in) const;
  // "the first 1 agent message(s)", "agent messages after 请稍等", ...
  std::string describe(RoleMask roles) const;

  // Live scoring: true when the window only grows at the chat's end (no
  // anchors, no "last"): a message, once in or out, stays so as the chat
  // goes on, so a check can look at each new message once.
  bool grows_at_end() const { return last_messages == 0 && last_seconds < 0 && !after && !before; }
  // For such a window: whether message i (the messages before it already
  // asked, in order) is in it; `members` counts the ones that were.
  bool admits(EvalContext& ctx, RoleMask roles, std::size_t i, long& members) const {
    const Message& m = ctx.message(i);
    if (!roles.has(m.role) || !m.is_utterance()) return false;
    if (first_seconds >= 0 && seconds_between(ctx.message(0), m) > first_seconds) return false;
    if (first_messages > 0 && members >= first_messages) return false;
    ++members;
    return true;
  }
};

// The live state of a check that looks at each message of a window that
// grows at the end once (Scope::grows_at_end).
struct WindowLiveState : LiveState {
  long members = 0;
};

// Reads the scope object at `key` of `p` (absent: the whole session).
Scope parse_scope(Params& p, const std::string& key, RoleMask roles, const text::MatchSettings& settings);

// The body of banned_phrase and address_form: one finding per visible hit
// of `group` in the messages `scope` selects, with `at` and `matched` set and
// the rest filled in by `describe(finding, hit)`. Pending while a live chat
// has no end yet for a scope that needs one; not applicable when the scope's
// anchor never occurred.
// True if code points [begin, end) of `t`'s original text lie inside a pair
// of quotation marks (「」 『』 “” ‘’ ﹁﹂ or straight "" ＂＂) or title marks
// (《》 〈〉): words the message quotes (the customer's, an app's message, a
// song or book title), not the writer's own.
bool inside_quotes(const text::NormText& t, std::uint32_t begin, std::uint32_t end);

// The Latin evasions of a phrase group's literal phrases ($tupid, st*pid,
// ѕtupid, stuuupid, stu-pid; text/evasion.hpp), matched in the evasion-folded
// text of a message. Built at compile time when the group's settings ask for
// latin_evasions; immutable after.
class EvasionMatcher {
 public:
  // Adds the evasion forms of the literal phrases of `group` (already in the rule set's matcher).
  void build(const RuleSet::Impl& rules, std::uint32_t group, const text::MatchSettings& settings);
  bool empty() const { return base_.empty(); }
  // Adds to `hits` (message i's visible hits, sorted by span) the evasion hits
  // that none of them overlaps and no hit of `allow` covers; each names the
  // rule set's pattern it disguises.
  void add_hits(EvalContext& ctx, std::size_t i, std::optional<std::uint32_t> allow, std::vector<text::Hit>& hits) const;

 private:
  text::PhraseMatcher matcher_;
  std::vector<std::uint32_t> base_;  // per evasion pattern: the rule set's pattern
};

// find_visible_hits' findings in message i (`hits` is scratch).
template <typename Describe>
void visible_hit_findings(EvalContext& ctx, std::size_t i, std::vector<Finding>& out, std::vector<text::Hit>& hits,
                          std::uint32_t group, std::optional<std::uint32_t> allow, Describe& describe,
                          bool skip_quoted, const EvasionMatcher* evasions) {
  visible_hits(ctx, i, group, allow, hits);
  if (evasions) evasions->add_hits(ctx, i, allow, hits);
  for (const text::Hit& h : hits) {
    if (skip_quoted && inside_quotes(ctx.norm(i), h.begin, h.end)) continue;
    Finding f = ctx.finding();
    ctx.locate(i, h.begin, h.end, f.at);
    set_matched(ctx, i, h, f);
    describe(f, h);
    out.push_back(std::move(f));
  }
}

// The live form of find_visible_hits for a window that grows at the end:
// the findings of the messages from s.seen on are added to those handed back.
template <typename Describe>
void find_new_visible_hits(EvalContext& ctx, WindowLiveState& s, CheckOutcome& out, const Scope& scope,
                           RoleMask roles, std::uint32_t group, std::optional<std::uint32_t> allow,
                           Describe describe, bool skip_quoted, const EvasionMatcher* evasions) {
  out.kept = out.findings.size();
  std::vector<text::Hit> hits;
  for (std::size_t i = s.seen; i < ctx.size(); ++i) {
    if (!scope.admits(ctx, roles, i, s.members)) continue;
    visible_hit_findings(ctx, i, out.findings, hits, group, allow, describe, skip_quoted, evasions);
  }
  s.seen = ctx.size();
}

template <typename Describe>
void find_visible_hits(EvalContext& ctx, CheckOutcome& out, const Scope& scope, RoleMask roles, std::uint32_t group,
                       std::optional<std::uint32_t> allow, Describe describe, bool skip_quoted = false,
                       const EvasionMatcher* evasions = nullptr) {
  if (scope.needs_end() && !ctx.options().session_closed) {
    out.pending = true;  // which messages are "last" is not known yet
    return;
  }
  MessageList window;
  if (!scope.select(ctx, roles, window)) {
    out.applicable = false;  // the "after" anchor never occurred
    return;
  }
  std::vector<text::Hit> hits;
  for (std::size_t i : window) {
    visible_hit_findings(ctx, i, out.findings, hits, group, allow, describe, skip_quoted, evasions);
  }
}

// Code points [begin, end) of message i's original text, quoted for a
// finding; long quotes are cut to `limit` code points with "…".
std::string short_quote(EvalContext& ctx, std::size_t i, std::size_t limit = 40);

// The nearest miss of `group` over the messages of `in`, written into f
// (nearest, similarity, related: the closest span) and returned as
// "; nearest: #3 「…」 ≈ 「example」 0.41 < 0.5"; "" when the group has no
// examples or no message shares a feature with one.
std::string near_miss(EvalContext& ctx, const MessageList& in, std::uint32_t group, Finding& f);

// Skeleton characters of message i outside every hit of `groups` (what else the
// message says besides those phrases); groups that are not set are skipped.
long chars_outside(EvalContext& ctx, std::size_t i, std::initializer_list<std::optional<std::uint32_t>> groups);

// The first visible hit of `group` in message i, if any.
std::optional<text::Hit> first_hit(EvalContext& ctx, std::size_t i, std::uint32_t group,
                                   std::optional<std::uint32_t> allow = std::nullopt);

}  // namespace chatqa::detail
