// typo_count: words from a wrong->right dictionary (错别字). Each hit is a
// finding with the correction; the item fires only from `min_count` hits
// per session (the standards: 1 for typos, 2 for homophone slips).
//
// Latin-script entries are looked up as whole words (text/word_dictionary.hpp),
// the way a spell checker does; the others (Chinese) are phrases of the rule
// set's matcher, never with separators skipped. An entry may list contexts
// where its wrong form is correct text (`在次->再次 !在次日`): a hit inside one
// of its own contexts is not a typo.
#include <unordered_map>

#include <unicode/uchar.h>

#include "checks/phrase_common.hpp"
#include "rules/lexicon.hpp"
#include "text/language.hpp"
#include "text/word_dictionary.hpp"
#include "text/word_frequencies.hpp"

namespace chatqa::detail {
namespace {

// True if the original text of normalised chars [b, e) has an upper-case letter.
bool has_capital(const text::NormText& t, std::uint32_t b, std::uint32_t e) {
  for (std::uint32_t k = b; k < e; ++k) {
    if (u_isupper(static_cast<UChar32>(t.original[t.orig[k]]))) return true;
  }
  return false;
}

class TypoCountCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  std::uint32_t group = 0;                  // the non-Latin entries, in the rule set's matcher
  std::optional<std::uint32_t> exceptions;  // the entries' exception contexts
  long min_count = 1;
  std::vector<std::string> rights;                                      // per entry: "right[, right2]"
  std::unordered_map<std::uint32_t, std::uint32_t> entry_of_pattern;    // matcher pattern -> entry
  std::unordered_map<std::uint32_t, std::uint32_t> owner_of_exception;  // exception pattern -> entry
  text::WordDictionary words;                                           // Latin entries -> entry
  std::string language = "en";  // of the Latin entries; "" applies them to every message
  // Judges the non-Latin hits against the words crossing their edges (null: no list).
  std::shared_ptr<const text::WordFrequencies> frequencies;
  std::vector<std::u32string> first_right;  // per entry: its first correction, normalised
  std::vector<bool> lowercase_only;         // per entry: no typo when written with a capital (a name)
  int variant = 0;                          // of the group's matching

  struct Candidate {
    std::uint32_t begin, end;  // code points of the original text
    std::uint32_t norm_begin, norm_end;
    std::uint32_t entry;
    std::uint32_t pattern;  // matcher pattern, or kWordEntry
    bool possessive;
  };
  static constexpr std::uint32_t kWordEntry = 0xFFFFFFFFu;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    std::vector<Finding> found;
    scan(ctx, 0, found);
    if (static_cast<long>(found.size()) >= min_count) out.findings = std::move(found);
  }

  // Live: each message's typos are its own. Below min_count they wait in
  // the state; from there on the report holds them all.
  struct State : LiveState {
    std::vector<Finding> waiting;  // the typos so far while fewer than min_count
  };
  std::unique_ptr<LiveState> live_state() const override { return std::make_unique<State>(); }
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    auto& s = static_cast<State&>(state);
    const std::size_t from = s.seen;
    s.seen = ctx.size();
    if (out.findings.empty()) {  // fewer than min_count so far
      scan(ctx, from, s.waiting);
      if (static_cast<long>(s.waiting.size()) >= min_count) out.findings.swap(s.waiting);
      return;
    }
    out.kept = out.findings.size();
    scan(ctx, from, out.findings);
  }

  // Appends the typos of messages [from, end) to `found`.
  void scan(EvalContext& ctx, std::size_t from, std::vector<Finding>& found) const {
    std::vector<text::Hit> hits;
    std::vector<text::WordDictionary::Hit> word_hits;
    text::WordDictionary::Scratch scratch;
    std::vector<Candidate> found_here;
    for (std::size_t i = from; i < ctx.size(); ++i) {
      if (!roles.has(ctx.message(i).role) || ctx.message(i).text.empty()) continue;
      found_here.clear();
      visible_hits(ctx, i, group, std::nullopt, hits);
      for (const text::Hit& h : hits) {
        const auto e = entry_of_pattern.find(h.pattern);
        if (e == entry_of_pattern.end()) continue;
        // Two characters of two real words (在次 in 在次日前) are no typo.
        if (frequencies &&
            frequencies->crossing_word_wins(ctx.norm(i, variant), h.norm_begin, h.norm_end, first_right[e->second]))
          continue;
        found_here.push_back(Candidate{h.begin, h.end, h.norm_begin, h.norm_end, e->second, h.pattern, false});
      }
      std::string message_language;
      if (!words.empty()) {
        const text::NormText& t = ctx.norm(i);
        word_hits.clear();
        words.find(t, scratch, word_hits);
        // Only messages with a hit are asked their language: no cost for the others.
        if (!word_hits.empty() && !language.empty()) {
          message_language = text::latin_language(t);
          if (!text::language_matches(language, message_language)) word_hits.clear();
        }
        for (const auto& w : word_hits) {
          if (lowercase_only[w.value] && has_capital(t, w.norm_begin, w.norm_end)) continue;
          found_here.push_back(
              Candidate{t.orig[w.norm_begin], t.orig_end(w.norm_end - 1), w.norm_begin, w.norm_end, w.value, kWordEntry,
                        w.possessive});
        }
      }
      if (found_here.empty()) continue;
      if (exceptions) drop_exceptions(ctx, i, found_here);
      std::sort(found_here.begin(), found_here.end(),
                [](const Candidate& a, const Candidate& b) {
                  return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
                });
      std::uint32_t covered_to = 0;
      for (const Candidate& c : found_here) {
        // Overlapping hits (系统跟新 and 跟新一下 in 系统跟新一下) are one typo.
        if (c.begin < covered_to) continue;
        covered_to = c.end;
        Finding f = ctx.finding();
        ctx.locate(i, c.begin, c.end, f.at);
        if (c.pattern != kWordEntry) {
          f.matched = ctx.rules().matcher.pattern(c.pattern).text;
          f.suggestion = rights[c.entry];
        } else {
          const text::NormText& t = ctx.norm(i);
          f.matched = f.at.quote;
          f.suggestion = text::recase_like(
              rights[c.entry], std::u32string_view(t.original).substr(c.begin, c.end - c.begin));
          if (c.possessive) f.suggestion += "'s";
          f.language = message_language;
        }
        set_text(f.explanation, "typo ", f.at.quote, " -> ", f.suggestion);
        found.push_back(std::move(f));
      }
    }
  }

 private:
  // Drops the candidates that lie inside one of their own entry's exception contexts.
  void drop_exceptions(EvalContext& ctx, std::size_t i, std::vector<Candidate>& found_here) const {
    const auto [b, e] = ctx.hits(i, *exceptions);
    if (b == e) return;
    std::vector<text::Hit> contexts(b, e);  // copied: the pointers do not outlive other hits() calls
    found_here.erase(std::remove_if(found_here.begin(), found_here.end(),
                                    [&](const Candidate& c) {
                                      for (const text::Hit& x : contexts) {
                                        const auto owner = owner_of_exception.find(x.pattern);
                                        if (owner != owner_of_exception.end() && owner->second == c.entry &&
                                            x.begin <= c.begin && c.end <= x.end)
                                          return true;
                                      }
                                      return false;
                                    }),
                     found_here.end());
  }
};

// Long function: parses and cross-validates the check's parameters in order (language,
// normalisation, dictionary, exceptions, frequencies); each later step needs the earlier results.
std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "dictionary", "role", "min_count", "normalize", "language"});
  auto check = std::make_unique<TypoCountCheck>();
  // The language of the Latin entries: the rule set's detect_language turns
  // the per-message test off for every check, "any" for this one.
  check->language = p.string("language", false).value_or("en");
  if (check->language == "any" || !ctx.rule_set().detect_language) check->language.clear();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  check->min_count = p.integer("min_count", false, 1, 1000000).value_or(1);
  // A typo is a wrong character, so folding Traditional to Simplified would
  // turn correct text into dictionary hits (俱体 folds to 具体): off unless
  // asked. Separators are never skipped: a typo is written as one word.
  text::MatchSettings settings = p.match_settings("normalize", 0, false);
  if (settings.max_skip != 0) {
    ctx.error("E0105", p.pointer("normalize"), "a typo dictionary never skips separators: use skip_separators 0");
  }
  settings.max_skip = 0;
  check->variant = text::variant_of(settings);
  check->group = ctx.new_group(check->roles, settings);
  std::vector<TypoEntry> entries;
  NamedPath frequencies_file;
  const json* dict = p.get("dictionary");
  if (!dict) {
    ctx.error("E0103", ptr, "missing required key \"dictionary\"");
  } else if (dict->is_string()) {
    const std::string ref = dict->get<std::string>();
    if (ref.empty() || ref[0] != '@') {
      ctx.error("E0105", p.pointer("dictionary"), "\"dictionary\" must be a \"@lexicon\" reference or an object of wrong -> right");
    } else if (const Lexicon* lex = ctx.lexicon_ref(ref, p.pointer("dictionary"))) {
      if (!lex->is_typos) {
        ctx.error("E0105", p.pointer("dictionary"), "lexicon \"" + ref + "\" is a phrase list, not a wrong->right dictionary");
      }
      entries = lex->corrections;
      frequencies_file = lex->word_frequencies;
    }
  } else if (dict->is_object()) {
    for (auto it = dict->begin(); it != dict->end(); ++it) {
      const std::string entry_ptr = p.pointer("dictionary") + "/" + JsonLocator::escape_token(it.key());
      if (!it.value().is_string()) {
        ctx.error("E0104", entry_ptr, "a correction must be a string");
        continue;
      }
      TypoEntry entry;
      if (!parse_typo_entry(it.key() + "->" + it.value().get<std::string>(), entry)) {
        ctx.error("E0112", entry_ptr, "expected \"right[, right2] [!context ...]\"");
        continue;
      }
      entries.push_back(std::move(entry));
    }
    tidy_typo_entries(ctx, p.pointer("dictionary"), "(inline)", TypoSettings(), entries);
  } else {
    ctx.error("E0104", p.pointer("dictionary"), "\"dictionary\" must be a \"@lexicon\" reference or an object");
  }
  std::vector<std::pair<std::uint32_t, std::string>> contexts;  // (entry, context)
  for (const TypoEntry& e : entries) {
    const auto entry = static_cast<std::uint32_t>(check->rights.size());
    const std::u32string key = text::latin_key(e.wrong);
    if (!key.empty()) {
      if (!check->words.add(key, entry)) continue;  // a repeated wrong form: the first entry wins
      ++ctx.rule_set().dictionary_words;
    } else {
      std::string why;
      const int id = ctx.rule_set().matcher.add_literal(e.wrong, check->group, settings, &why);
      if (id < 0) {
        ctx.error("E0112", p.pointer("dictionary"), why);
        continue;
      }
      check->entry_of_pattern[static_cast<std::uint32_t>(id)] = entry;
    }
    check->rights.push_back(e.right);
    check->lowercase_only.push_back(e.lowercase_only);
    std::u32string first;
    std::vector<std::uint8_t> flags;
    text::Normalizer::instance().normalize_phrase(e.right.substr(0, e.right.find(',')), settings.traditional, first,
                                                  flags);
    check->first_right.push_back(std::move(first));
    for (const std::string& c : e.exceptions) contexts.emplace_back(entry, c);
  }
  if (!contexts.empty()) {
    check->exceptions = ctx.new_group(check->roles, settings);
    for (const auto& [entry, context] : contexts) {
      std::string why;
      const int id = ctx.rule_set().matcher.add_literal(context, *check->exceptions, settings, &why);
      if (id < 0) {
        ctx.error("E0112", p.pointer("dictionary"), "exception \"" + context + "\": " + why);
        continue;
      }
      check->owner_of_exception[static_cast<std::uint32_t>(id)] = entry;
    }
  }
  if (!frequencies_file.written.empty() && !check->entry_of_pattern.empty()) {
    std::string content, why;
    bool refused = false;
    auto list = std::make_shared<text::WordFrequencies>();
    if (!read_text_file(ctx, frequencies_file, "word_frequencies", content, &refused)) {
      if (!refused) {
        ctx.error("E0111", p.pointer("dictionary"), "cannot read word frequency list \"" + frequencies_file.joined + "\"");
      }
    } else if (!list->load(content, &why)) {
      ctx.error("E0112", p.pointer("dictionary"), frequencies_file.joined + ": " + why);
    } else {
      check->frequencies = std::move(list);
    }
  }
  return check;
}

}  // namespace

std::unique_ptr<Check> make_typo_count_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
