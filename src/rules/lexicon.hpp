#pragma once

#include "rules/compile_context.hpp"

namespace chatqa::detail {

// Settings of a typo dictionary's compile-time hygiene (lexicon keys, or
// "#: key = value" lines of the file).
struct TypoSettings {
  std::vector<NamedPath> known_words;  // word lists of correct words
  bool inflections = false;              // also the regular inflections of single-word entries
};

// Parses one "wrong->right[, right2] [!context ...]" line; false if malformed.
bool parse_typo_entry(const std::string& line, TypoEntry& entry);

// Reads a whole text file a rule file names (confined and size-limited like
// lexicon files, valid UTF-8); false if it cannot. `*refused`: outside the
// allowed roots (E0118 already reported).
bool read_text_file(CompileContext& ctx, const NamedPath& path, std::string_view kind, std::string& content,
                    bool* refused);

// Reads the rule set's "lexicons" object into ctx.lexicons().
void compile_lexicons(CompileContext& ctx, const json& lexicons, const std::string& pointer);
// Reads a lexicon file (one phrase a line, or `wrong->right` lines when
// `typos`; a typo file's "#:" directives go to `directives`).
bool read_lexicon_file(CompileContext& ctx, const std::string& path, const std::string& pointer, bool typos,
                       Lexicon& lex, TypoSettings& directives);
// Drops the entries of a typo dictionary that would flag correct text (W0102):
// a wrong form that is one of its own suggestions after normalisation, or a
// correct word of `settings.known_words`; adds the inflections if asked.
void tidy_typo_entries(CompileContext& ctx, const std::string& pointer, const std::string& name,
                       const TypoSettings& settings, std::vector<TypoEntry>& entries);

}  // namespace chatqa::detail
