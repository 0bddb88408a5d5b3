// Latin-script words looked up whole, the way a spell checker does.
//
// A typo dictionary's Latin entries (teh->the, wan't->want, that;s->that's)
// are not phrases to find inside text: they are words. A text is split into
// words (runs of letters and digits of Latin, Greek and Cyrillic, joined by
// an apostrophe ' ’ or a hyphen standing between two of them: don't, e-mail),
// and each whole word is looked up, case-insensitively (the text and the
// entries are both normalised: NFC, NFKC, case folding). An entry of several
// words matches only a run of words with exactly the entry's separators
// between them (whitespace runs count as one space): `that;s` matches
// "That;s" but never "That's", and no entry matches across punctuation it
// does not have.
//
// Thread safety: immutable after the last add(); find() is const and keeps
// its scratch state in the caller's buffers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/normalizer.hpp"

namespace chatqa::text {

struct WordSpan {
  std::uint32_t norm_begin = 0, norm_end = 0;  // in NormText::chars
};

// The Latin words of a normalised text, in order.
void latin_words(const NormText& t, std::vector<WordSpan>& out);

// The lookup key of a phrase: normalised, apostrophes and hyphens unified,
// whitespace runs as one space, from its first word to its last. Empty when
// the phrase is not made of Latin words and separators only (it holds an
// ideograph, kana, Hangul, ... or no word at all).
std::u32string latin_key(std::string_view phrase);
// The key of a span of normalised text (as latin_key).
void latin_key_of(const NormText& t, std::uint32_t norm_begin, std::uint32_t norm_end, std::u32string& key);

class WordDictionary {
 public:
  struct Hit {
    std::uint32_t value = 0;                     // as given to add()
    std::uint32_t norm_begin = 0, norm_end = 0;  // in NormText::chars
    bool possessive = false;                     // matched the word before a final 's ("Jhon's")
  };
  struct Scratch {
    std::vector<WordSpan> words;
    std::u32string key;
  };

  // Adds an entry by its key (latin_key); false if the key is empty or
  // already there (the first entry wins).
  bool add(const std::u32string& key, std::uint32_t value);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  // Appends the hits in `t`, in text order; at one start only the longest
  // entry, and no hit inside an earlier one.
  void find(const NormText& t, Scratch& scratch, std::vector<Hit>& out) const;

 private:
  struct KeyHash {
    std::size_t operator()(const std::u32string& s) const noexcept;
  };
  std::unordered_map<std::u32string, std::uint32_t, KeyHash> entries_;
  std::size_t max_words_ = 1;  // words in the longest entry
  // Lengths of the one-word keys: a word outside is looked up no further.
  std::size_t min_length_ = ~std::size_t{0}, max_length_ = 0;
};

// `suggestion` cased like `original` (the word as written): all upper case
// when the word is ("TEH" -> "THE"), first letter upper when the word's is
// ("Teh" -> "The"), else as written in the dictionary. Each of a list of
// suggestions ("right1, right2") is cased alike.
std::string recase_like(const std::string& suggestion, std::u32string_view original);

}  // namespace chatqa::text
