// PhraseMatcher at compile time: patterns are added, then build() makes the
// automata (aho_corasick.hpp) and the regex banks (regex_prefilter.hpp).
// Matching: aho_corasick.cpp, phrase_verify.cpp, regex_prefilter.cpp.
#include "text/phrase_matcher.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "text/aho_corasick.hpp"
#include "text/regex_prefilter.hpp"
#include "text/utf8.hpp"

namespace chatqa::text {

PhraseMatcher::PhraseMatcher() {
  for (int v = 0; v < kVariants; ++v) {
    automata_.push_back(std::make_unique<Automaton>());
    regexes_.push_back(std::make_unique<RegexBank>());
  }
}
PhraseMatcher::~PhraseMatcher() = default;
PhraseMatcher::PhraseMatcher(PhraseMatcher&&) noexcept = default;
PhraseMatcher& PhraseMatcher::operator=(PhraseMatcher&&) noexcept = default;

int PhraseMatcher::add_literal(std::string_view phrase, std::uint32_t group, const MatchSettings& settings,
                               std::string* error) {
  const Normalizer& norm = Normalizer::instance();
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  norm.normalize_phrase(phrase, settings.traditional, chars, flags);
  PatternInfo p;
  p.text = std::string(phrase);
  p.group = group;
  p.variant = variant_of(settings);
  p.max_skip = settings.max_skip;
  std::uint8_t pending_gap = 0;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (flags[i] & kSeparator) {
      if (!p.skeleton.empty()) pending_gap = std::max<std::uint8_t>(pending_gap, (flags[i] & kClauseBreak) ? 2 : 1);
      continue;
    }
    if (!p.skeleton.empty()) p.phrase_gap.push_back(pending_gap);
    pending_gap = 0;
    p.skeleton.push_back(chars[i]);
  }
  if (p.skeleton.empty()) {
    if (error) *error = "phrase \"" + std::string(phrase) + "\" has no letters, digits or ideographs to match";
    return -1;
  }
  const bool first_word = norm.flags_of(p.skeleton.front()) & kWordChar;
  const bool last_word = norm.flags_of(p.skeleton.back()) & kWordChar;
  switch (settings.whole_word) {
    case WholeWord::automatic:
      p.word_start = first_word;
      p.word_end = last_word;
      break;
    case WholeWord::always: p.word_start = p.word_end = true; break;
    case WholeWord::never: break;
  }
  const auto id = static_cast<std::uint32_t>(patterns_.size());
  automata_[p.variant]->pending.push_back(id);
  variant_used_[p.variant] = true;
  patterns_.push_back(std::move(p));
  ++literal_count_;
  return static_cast<int>(id);
}

namespace {
RE2::Options regex_options(std::size_t max_mem) {
  RE2::Options o;
  o.set_max_mem(static_cast<int64_t>(max_mem));
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  return o;
}

// The string a regex matches when it is a plain literal, else "": no RE2
// operator, and backslashes only before ASCII punctuation (\? \. \[ ...).
// With the default options (case-sensitive, UTF-8) such a regex matches
// exactly these bytes.
std::string literal_of(std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) return {};
      const auto e = static_cast<unsigned char>(pattern[i + 1]);
      if (e >= 0x80 || !std::ispunct(e)) return {};  // \d, \s, \pN, \x41, ...: not literal
      out += static_cast<char>(e);
      ++i;
      continue;
    }
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) return {};
    out += c;
  }
  return out;
}
}  // namespace

int PhraseMatcher::add_regex(std::string_view pattern, std::uint32_t group, const MatchSettings& settings,
                             std::size_t max_mem, std::string* error) {
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), regex_options(max_mem));
  if (!re->ok()) {
    if (error) *error = re->error();
    return -1;
  }
  PatternInfo p;
  p.text = std::string(pattern);
  p.group = group;
  p.is_regex = true;
  p.variant = variant_of(settings);
  const auto id = static_cast<std::uint32_t>(patterns_.size());
  RegexBank& bank = *regexes_[p.variant];
  bank.ids.push_back(id);
  bank.regexes.push_back(std::move(re));
  bank.literal.push_back(literal_of(pattern));
  variant_used_[p.variant] = true;
  patterns_.push_back(std::move(p));
  return static_cast<int>(id);
}

void PhraseMatcher::set_audience(std::uint32_t group, Audience audience) {
  if (group_audience_.size() <= group) group_audience_.resize(group + 1, kEveryAudience);
  group_audience_[group] = audience;
}

void PhraseMatcher::share_group(std::uint32_t group, std::uint32_t canonical) {
  while (canonical_.size() <= group) canonical_.push_back(static_cast<std::uint32_t>(canonical_.size()));
  canonical_[group] = canonical;
}

bool PhraseMatcher::build(std::size_t set_max_mem, std::string* error) {
  static std::atomic<std::uint64_t> builds{0};
  build_id_ = ++builds;
  for (PatternInfo& p : patterns_) {
    p.audience = p.group < group_audience_.size() ? group_audience_[p.group] : kEveryAudience;
  }
  // The patterns of shared groups are not matched: their canonical group's are.
  auto shared = [&](std::uint32_t id) { return canonical_group(patterns_[id].group) != patterns_[id].group; };
  for (int v = 0; v < kVariants; ++v) {
    std::vector<std::uint32_t>& pending = automata_[v]->pending;
    pending.erase(std::remove_if(pending.begin(), pending.end(), shared), pending.end());
    RegexBank& bank = *regexes_[v];
    std::size_t kept = 0;
    for (std::size_t i = 0; i < bank.ids.size(); ++i) {
      if (shared(bank.ids[i])) continue;
      bank.ids[kept] = bank.ids[i];
      bank.regexes[kept] = std::move(bank.regexes[i]);
      bank.literal[kept] = std::move(bank.literal[i]);
      ++kept;
    }
    bank.ids.resize(kept);
    bank.regexes.resize(kept);
    bank.literal.resize(kept);
  }
  std::size_t literal_variants = 0;
  for (int v = 0; v < kVariants; ++v) literal_variants += !automata_[v]->pending.empty();
  if (literal_variants > 1) {
    all_variants_ = std::make_unique<Automaton>();
    for (int v = 0; v < kVariants; ++v) {
      all_variants_->pending.insert(all_variants_->pending.end(), automata_[v]->pending.begin(),
                                    automata_[v]->pending.end());
    }
    all_variants_->build(patterns_);
  }
  for (int v = 0; v < kVariants; ++v) {
    automata_[v]->build(patterns_);
    RegexBank& bank = *regexes_[v];
    if (bank.regexes.empty()) continue;
    bank.all.resize(bank.regexes.size());
    for (std::size_t i = 0; i < bank.all.size(); ++i) bank.all[i] = static_cast<int>(i);
    // Size the DFA budget from the pattern count, within the caller's cap.
    const std::size_t budget =
        std::min<std::size_t>(set_max_mem, std::max<std::size_t>(8u << 20, bank.regexes.size() << 18));
    bank.set = std::make_unique<RE2::Set>(regex_options(budget), RE2::UNANCHORED);
    for (auto& re : bank.regexes) {
      std::string err;
      if (bank.set->Add(re->pattern(), &err) < 0) {
        if (error) *error = "regex /" + utf8::shorten(re->pattern(), 80) + "/: " + utf8::shorten(err, 120);
        return false;
      }
    }
    if (!bank.set->Compile()) {
      // Reported (E0115) rather than silently running every regex on its
      // own: the caller set the budget. A DFA that runs out of memory while
      // matching falls back to the single regexes (match_regexes).
      if (error) *error = "the rule set's regexes do not fit in the regex memory budget (regex_set_max_mem)";
      return false;
    }
    build_prefilter(bank);
  }
  return true;
}

}  // namespace chatqa::text
