// The rule set's one multi-pattern matcher.
//
// Every literal phrase of a rule set (from every item and lexicon) goes into
// one Aho–Corasick automaton per text variant (plain, and Traditional ->
// Simplified when some phrase group asks for it), built at compile time over
// normalised code points. A message is scanned once per variant; each hit is
// then verified against the separators it skipped and against word
// boundaries, and mapped back to a code-point span of the original text.
//
// Regexes go into an RE2::Set per variant (with an explicit memory budget)
// that tells which regexes hit; only those are run to find where. Before
// that, a prefilter (RE2's FilteredRE2 atoms, found with a small automaton
// over the normalised code points) rules out the regexes that cannot match,
// so most messages need neither the set nor their UTF-8 form.
//
// Thread safety: immutable after build(); match_* are const and keep their
// scratch state in the caller's buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/normalizer.hpp"

namespace re2 {
class RE2;
class Set;
}  // namespace re2

// The scans that rank characters in a bit set (the literal automaton's and
// the regex atoms') are built twice where the compiler can (GCC on x86-64):
// with the POPCNT instruction a rank is one instruction, and nearly every
// x86-64 machine has it; the loader picks the build the CPU runs. Not in
// sanitizer builds: the loader runs the (instrumented) resolver before the
// sanitizer runtime is up, and every ThreadSanitizer binary crashed on
// start (scripts/sanitize tsan).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__POPCNT__) && \
    !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define CHATQA_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define CHATQA_POPCNT_CLONES
#endif

namespace chatqa::text {

enum class WholeWord { automatic, always, never };

struct MatchSettings {
  bool traditional = false;                     // fold Traditional -> Simplified before matching
  int max_skip = 0;                             // separators that may stand in a row between two phrase characters
  WholeWord whole_word = WholeWord::automatic;  // automatic: only at Latin/Greek/Cyrillic phrase edges
  bool latin_evasions = false;                  // banned_phrase: also see through $tupid, st*pid, ѕtupid (text/evasion.hpp)
};

inline constexpr int kVariants = 2;  // 0: plain, 1: Traditional folded to Simplified
inline int variant_of(const MatchSettings& s) {
  return s.traditional ? 1 : 0;
}

struct Hit {
  std::uint32_t pattern = 0;
  std::uint32_t group = 0;
  std::uint32_t norm_begin = 0, norm_end = 0;  // in NormText::chars
  std::uint32_t begin = 0, end = 0;            // code points of the original text
};

// Whom a pattern is matched for: a bit set of the caller's (chatqa: one bit
// per message role). A text matched for an audience reports only the
// patterns whose audience shares a bit with it; the others are not verified
// (literals) or not run (regexes).
using Audience = std::uint8_t;
constexpr Audience kEveryAudience = 0xFF;

struct PatternInfo {
  std::string text;   // as written in the rule set
  std::string label;  // lexicon the phrase came from, for explanations ("" if inline)
  std::uint32_t group = 0;
  Audience audience = kEveryAudience;  // its group's (set_audience), from build()
  bool is_regex = false;
  int variant = 0;
  int max_skip = 0;
  std::u32string skeleton;
  // Per gap between skeleton chars k and k+1: 0 none, 1 the phrase has a
  // separator there, 2 the phrase has a clause break there.
  std::vector<std::uint8_t> phrase_gap;
  bool word_start = false, word_end = false;
};

// The caller's working memory for PhraseMatcher::match_regexes, reused from
// message to message and session to session (one per thread, never shared).
// Besides the atom and candidate lists it remembers the prefilter's answers
// (which regexes can match, given the atoms a text holds): texts hold the
// same few sets of atoms again and again, and RE2's filter tree allocates
// each time it is asked. The answers belong to one built matcher; used with
// another, the scratch forgets them.
struct RegexScratch {
  struct Answer {
    bool valid = false;
    int variant = 0;
    std::vector<int> atoms, candidates;
  };
  std::vector<int> found, which, wanted;  // atoms found; regexes to run; candidates for the audience
  std::uint64_t matcher = 0;    // PhraseMatcher::build_id() the answers belong to
  std::vector<Answer> answers;  // kAnswerSlots, indexed by a hash of (variant, atoms)
};

class PhraseMatcher {
 public:
  PhraseMatcher();
  ~PhraseMatcher();
  PhraseMatcher(PhraseMatcher&&) noexcept;
  PhraseMatcher& operator=(PhraseMatcher&&) noexcept;

  // Adds a literal phrase; returns its pattern id, or -1 (with `error`) when
  // the phrase has nothing to match after normalisation.
  int add_literal(std::string_view phrase, std::uint32_t group, const MatchSettings& settings, std::string* error);
  // Adds a regex (RE2 syntax, matched against normalised text); -1 with RE2's message on error.
  int add_regex(std::string_view pattern, std::uint32_t group, const MatchSettings& settings, std::size_t max_mem,
                std::string* error);
  // Builds the automata and regex sets; false (with `error`) if a set cannot be compiled.
  bool build(std::size_t set_max_mem, std::string* error);

  bool uses_variant(int variant) const { return variant_used_[variant]; }
  std::size_t literal_count() const { return literal_count_; }
  std::size_t pattern_count() const { return patterns_.size(); }
  const PatternInfo& pattern(std::uint32_t id) const { return patterns_[id]; }
  void set_label(std::uint32_t id, std::string label) { patterns_[id].label = std::move(label); }
  // The audience of the patterns of `group` (before build(); every audience unless set).
  void set_audience(std::uint32_t group, Audience audience);
  // Before build(): `group` has the same patterns as the earlier `canonical`
  // (in the same order, with the same settings and audience), so its own are
  // left out of the automata and regex sets, and the hits of `canonical`
  // stand for its hits. A lexicon used by eight checks is then matched once.
  void share_group(std::uint32_t group, std::uint32_t canonical);
  // The group whose hits are `group`'s: itself unless shared.
  std::uint32_t canonical_group(std::uint32_t group) const {
    return group < canonical_.size() ? canonical_[group] : group;
  }

  // Appends all verified hits of literal phrases in `text` (normalised as
  // `variant`), of the patterns for `audience`.
  void match_literals(const NormText& text, int variant, std::vector<Hit>& out,
                      Audience audience = kEveryAudience) const;
  // Appends the hits of the literals of EVERY variant in `text`, for a text
  // that every variant normalises the same way (no Traditional characters):
  // the same hits as match_literals for each variant, in one scan.
  void match_literals_all_variants(const NormText& text, std::vector<Hit>& out,
                                   Audience audience = kEveryAudience) const;
  // Appends all hits of regexes of `variant` in `text`, of the regexes for `audience`.
  void match_regexes(NormText& text, int variant, std::vector<Hit>& out, RegexScratch& scratch,
                     Audience audience = kEveryAudience) const;
  // Tells built matchers apart (a new number for each build() in the process).
  std::uint64_t build_id() const { return build_id_; }

 private:
  struct Automaton;
  struct RegexBank;
  bool verify(const PatternInfo& p, const NormText& text, std::uint32_t skel_end, Hit& hit) const;
  static void build_prefilter(RegexBank& bank);
  // The regexes of `variant` that can match a text holding the atoms in scratch.found (sorted).
  const std::vector<int>& candidates(const RegexBank& bank, int variant, RegexScratch& scratch) const;
  CHATQA_POPCNT_CLONES void scan_literals(const Automaton& ac, const NormText& text, std::vector<Hit>& out,
                                          Audience audience) const;
  // The verified hits of the phrases for `audience` that end at skeleton
  // char `skel_end` (the scan reached `node`).
  __attribute__((noinline)) void report_hits(const Automaton& ac, std::uint32_t node, const NormText& text,
                                             std::uint32_t skel_end, std::vector<Hit>& out, Audience audience) const;

  std::vector<PatternInfo> patterns_;
  std::vector<Audience> group_audience_;  // by group; kEveryAudience beyond
  std::vector<std::uint32_t> canonical_;  // by group (share_group); the group itself beyond
  std::vector<std::unique_ptr<Automaton>> automata_;
  // The literals of all variants in one automaton (null unless more than one
  // variant has literals): a text without Traditional characters is scanned once.
  std::unique_ptr<Automaton> all_variants_;
  std::vector<std::unique_ptr<RegexBank>> regexes_;
  bool variant_used_[kVariants] = {false, false};
  std::size_t literal_count_ = 0;
  std::uint64_t build_id_ = 0;
};

}  // namespace chatqa::text
