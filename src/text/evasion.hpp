// Latin-script evasions of banned phrases, seen through (opt-in:
// "normalize": {"latin_evasions": true}, or the rule set's options).
//
// People dodge a word filter with look-alikes: $tupid, 5tup1d, cr@p, sh!t;
// letters of other scripts that look Latin (Cyrillic ѕtupid: ICU's
// confusable skeletons, uspoof); squeezed repeats (stuuupid); a mask for a
// letter (st*pid, f**k); a hyphen inside the word (stu-pid). fold() maps a
// normalised text to a folded one in which those read as the plain word,
// keeping the map to the original text; fold_phrase() folds a phrase the same
// way, and phrase_variants() lists what the phrase may look like in folded
// text (a letter masked, a letter doubled).
//
// Precision comes first, so folding is confined to Latin words:
// - digits and symbols read as letters only inside a word that has at least
//   three letters of its own, or two in lower case (5tup1d, cr@p, he11; not
//   "A55", "A5S", "455", "B2B");
// - a symbol reads as a letter only before a letter or digit of its word
//   ($tupid, sh!t; not the "!" ending "hello!");
// - letters of other scripts read as Latin only in a word that already has
//   a Latin letter (ѕtupid; a Russian word stays Russian);
// - 1, !, |, i and l are one letter in folded text and phrases alike (he11 is
//   hell), so are 0/o, $/5/s, @/4/a, 3/e, 7/t;
// - a run of three or more of one letter reads as two (stuuupid: stuupid, which
//   a phrase variant with that letter doubled matches).
//
// Thread safety: stateless after the first call (tables built once).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "text/normalizer.hpp"

namespace chatqa::text {

// The character a mask (* between letters) becomes in folded text, and that
// phrase variants use for a masked letter: a Latin letter no text uses.
inline constexpr char32_t kMaskLetter = 0x02AC;

// True if fold() could change `t` (it has a Latin word with a digit, a
// symbol, a non-ASCII letter, a mask, a hyphen or a run of three letters).
bool may_fold_evasions(const NormText& t);

// The folded form of `t` (see above); spans map to the same original text.
void fold_evasions(const NormText& t, NormText& out);

// A phrase folded the same way (its UTF-8).
std::string fold_evasion_phrase(std::string_view phrase);

// The forms of a folded phrase to match: itself, each inner letter masked
// (st*pid), two neighbouring inner letters masked (f**k), each letter doubled
// (stuupid); each a phrase of Latin letters only.
std::vector<std::string> evasion_variants(const std::string& folded_phrase);

}  // namespace chatqa::text
