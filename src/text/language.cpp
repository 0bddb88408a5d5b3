#include "text/language.hpp"

#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>

#include "text/utf8.hpp"
#include "text/word_dictionary.hpp"

namespace chatqa::text {

std::string latin_language(const NormText& text) {
  std::vector<WordSpan> words;
  latin_words(text, words);
  if (words.empty()) return {};
  // CLD2 calls a lone word "reliable" more often than it is right
  // ("dowload" is not Dutch): a few words at least.
  constexpr std::size_t kMinWords = 4;
  if (words.size() < kMinWords) return "und";
  std::string joined;
  for (const WordSpan& w : words) {
    if (!joined.empty()) joined.push_back(' ');
    for (std::uint32_t k = w.norm_begin; k < w.norm_end; ++k) utf8::append(joined, text.chars[k]);
  }
  bool reliable = false;
  CLD2::Language top3[3];
  int percent3[3];
  int text_bytes = 0;
  const CLD2::Language lang = CLD2::DetectLanguageSummary(joined.data(), static_cast<int>(joined.size()), true, top3,
                                                          percent3, &text_bytes, &reliable);
  if (!reliable || lang == CLD2::UNKNOWN_LANGUAGE) return "und";
  return CLD2::LanguageCode(lang);
}

bool language_matches(const std::string& wanted, const std::string& detected) {
  if (wanted.empty() || detected.empty() || detected == "und") return true;
  const auto base = [](const std::string& code) { return code.substr(0, code.find('-')); };
  return base(wanted) == base(detected);
}

}  // namespace chatqa::text
