// The language of a message's Latin-script words, for dictionaries that
// apply to one language (typo_count's Latin entries).
//
// CLD2 (Compact Language Detector 2, Debian's libcld2) judges the Latin
// words of the text, joined by spaces: in a Chinese message with a few
// English words it is the English that counts. When CLD2 is not sure, or the
// text has fewer than four Latin words ("ok thx", "pls recieve": too short to
// judge), the text is judged by its script alone:
// "und" (undetermined), which every Latin-script dictionary accepts.
//
// Thread safety: stateless; safe from any thread.
#pragma once

#include <string>

#include "text/normalizer.hpp"

namespace chatqa::text {

// An ISO 639 code ("en", "es", "de", ...) or "und" when CLD2 is not sure;
// "" when the text has no Latin word.
std::string latin_language(const NormText& text);

// True if a dictionary of language `wanted` ("en") applies to text judged
// `detected` ("en", "en-GB"... or "und").
bool language_matches(const std::string& wanted, const std::string& detected);

}  // namespace chatqa::text
