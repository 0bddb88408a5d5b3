#pragma once

#include "rules/compile_context.hpp"

namespace chatqa::detail {

// Reads the rule set's "lexicons" object into ctx.lexicons().
void compile_lexicons(CompileContext& ctx, const json& lexicons, const std::string& pointer);
// Reads a lexicon file (one phrase a line, or `wrong->right` lines when `typos`).
bool read_lexicon_file(CompileContext& ctx, const std::string& path, const std::string& pointer, bool typos, Lexicon& lex);

}  // namespace chatqa::detail
