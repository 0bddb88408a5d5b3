// Regexes: the prefilter (which regexes can match, from the atoms a text
// holds), then the RE2::Set on the candidates' text, then the single regexes
// that hit, for where.
#include "text/regex_prefilter.hpp"

#include <algorithm>

#include <unicode/uchar.h>

#include "text/utf8.hpp"

namespace chatqa::text {

namespace {
// AtomScanner::scan in the builds CHATQA_POPCNT_CLONES makes (it ranks characters too).
CHATQA_POPCNT_CLONES void find_atoms(const AtomScanner& atoms, const std::u32string& text, std::vector<int>& found) {
  atoms.scan(text, found);
}
}  // namespace

void PhraseMatcher::build_prefilter(RegexBank& bank) {
  auto filter = std::make_unique<re2::FilteredRE2>(1);
  for (std::size_t i = 0; i < bank.regexes.size(); ++i) {
    int id = -1;
    if (filter->Add(bank.regexes[i]->pattern(), bank.regexes[i]->options(), &id) != RE2::NoError ||
        id != static_cast<int>(i)) {
      return;  // (cannot happen: each regex compiled once already) no prefilter
    }
  }
  std::vector<std::string> atoms_utf8;
  filter->Compile(&atoms_utf8);
  std::vector<std::u32string> atoms(atoms_utf8.size());
  for (std::size_t a = 0; a < atoms_utf8.size(); ++a) {
    if (utf8::find_invalid(atoms_utf8[a]) != std::string_view::npos) return;
    utf8::decode(atoms_utf8[a], atoms[a]);
    for (char32_t c : atoms[a]) {
      if (c >= 0x80 && u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_CASED)) return;
    }
  }
  bank.atoms.build(atoms);
  filter->AllPotentials({}, &bank.unfiltered);
  std::sort(bank.unfiltered.begin(), bank.unfiltered.end());
  bank.filter = std::move(filter);
}

namespace {
constexpr std::size_t kAnswerSlots = 64;  // a power of two
}  // namespace

const std::vector<int>& PhraseMatcher::candidates(const RegexBank& bank, int variant, RegexScratch& scratch) const {
  if (scratch.matcher != build_id_ || scratch.answers.size() != kAnswerSlots) {
    scratch.answers.resize(kAnswerSlots);
    for (RegexScratch::Answer& a : scratch.answers) a.valid = false;
    scratch.matcher = build_id_;
  }
  std::uint64_t hash = 0xcbf29ce484222325u ^ static_cast<std::uint64_t>(variant);
  for (int atom : scratch.found) hash = (hash ^ static_cast<std::uint64_t>(atom)) * 0x100000001b3u;
  RegexScratch::Answer& a = scratch.answers[(hash ^ hash >> 29) & (kAnswerSlots - 1)];
  if (a.valid && a.variant == variant && a.atoms == scratch.found) return a.candidates;
  a.valid = false;  // until filled in (AllPotentials might throw bad_alloc)
  bank.filter->AllPotentials(scratch.found, &a.candidates);
  std::sort(a.candidates.begin(), a.candidates.end());
  a.atoms = scratch.found;
  a.variant = variant;
  a.valid = true;
  return a.candidates;
}

void PhraseMatcher::match_regexes(NormText& text, int variant, std::vector<Hit>& out, RegexScratch& scratch,
                                  Audience audience) const {
  const RegexBank& bank = *regexes_[variant];
  if (bank.regexes.empty()) return;
  const std::vector<int>* which = &bank.all;
  if (bank.filter) {
    find_atoms(bank.atoms, text.chars, scratch.found);
    // Most texts hold no atom: asking the filter tree costs more than the scan.
    which = scratch.found.empty() ? &bank.unfiltered : &candidates(bank, variant, scratch);
  }
  auto for_audience = [&](int w) {
    return (patterns_[bank.ids[static_cast<std::size_t>(w)]].audience & audience) != 0;
  };
  if (!std::all_of(which->begin(), which->end(), for_audience)) {  // only the audience's regexes run
    scratch.wanted.clear();
    std::copy_if(which->begin(), which->end(), std::back_inserter(scratch.wanted), for_audience);
    which = &scratch.wanted;
  }
  if (which->empty()) return;  // no regex can match here
  text.ensure_utf8();
  const re2::StringPiece input(text.utf8);
  const std::string_view whole(text.utf8);
  auto add_hit = [&](int w, std::size_t begin, std::size_t end) {
    const auto b = static_cast<std::uint32_t>(begin);
    const auto e = static_cast<std::uint32_t>(end);
    Hit hit;
    hit.pattern = bank.ids[static_cast<std::size_t>(w)];
    hit.group = patterns_[hit.pattern].group;
    hit.norm_begin = text.norm_index_of_byte(b);
    hit.norm_end = text.norm_index_of_byte(e - 1) + 1;
    hit.begin = text.orig[hit.norm_begin];
    hit.end = text.orig_end(hit.norm_end - 1);
    out.push_back(hit);
  };
  // Plain literals by a string search (RE2's leftmost, non-overlapping
  // matches of a literal are the successive finds); the rest by RE2.
  std::size_t by_re2 = 0;
  for (int w : *which) {
    const std::string& lit = bank.literal[static_cast<std::size_t>(w)];
    if (lit.empty()) {
      ++by_re2;
      continue;
    }
    for (std::size_t b = whole.find(lit); b != std::string_view::npos; b = whole.find(lit, b + lit.size())) {
      add_hit(w, b, b + lit.size());
    }
  }
  if (by_re2 == 0) return;
  // With a prefilter and at most two candidates, each runs on its own (that
  // beats a pass of the whole set); else the set says which regexes match.
  if (bank.set && !(bank.filter && by_re2 <= 2)) {
    scratch.which.clear();
    RE2::Set::ErrorInfo info{};
    if (bank.set->Match(input, &scratch.which, &info) || info.kind == RE2::Set::kNoError) {
      // The set holds every regex: keep those that can match here (a candidate, for the audience).
      std::sort(scratch.which.begin(), scratch.which.end());
      scratch.which.erase(std::remove_if(scratch.which.begin(), scratch.which.end(),
                                         [&](int w) { return !std::binary_search(which->begin(), which->end(), w); }),
                          scratch.which.end());
      which = &scratch.which;
    }  // else the set's DFA ran out of memory: each candidate on its own
  }
  for (int w : *which) {
    if (!bank.literal[static_cast<std::size_t>(w)].empty()) continue;  // found above
    const RE2& re = *bank.regexes[static_cast<std::size_t>(w)];
    std::size_t pos = 0;
    re2::StringPiece m;
    while (pos <= input.size() && re.Match(input, pos, input.size(), RE2::UNANCHORED, &m, 1)) {
      const auto b = static_cast<std::size_t>(m.data() - input.data());
      const std::size_t e = b + m.size();
      if (m.empty()) {
        pos = b + 1;
        continue;
      }
      pos = e;
      add_hit(w, b, e);
    }
  }
}

}  // namespace chatqa::text
