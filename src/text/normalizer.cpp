#include "text/normalizer.hpp"

#include <algorithm>
#include <memory>
#include <mutex>

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include "text/utf8.hpp"

namespace chatqa::text {
namespace {

constexpr std::uint32_t kIndirect = 0x80000000u;
constexpr char32_t kHanFirst = 0x4E00, kHanLast = 0x9FFF;  // CJK Unified Ideographs
std::once_flag g_traditional_once;

// Variant and old forms (异体字, and Japanese shinjitai that Chinese input
// methods also produce) that ICU's Traditional-Simplified transform leaves
// alone, as pairs "variant, Simplified". Folded only with
// traditional_to_simplified on. Each target is its own Simplified form.
constexpr const char* kVariantPairs =
    "淸清敎教旣既卽即峯峰麪面値值靑青晩晚呑吞衞卫囘回㑹会査查擧举緖绪鄕乡騐验尙尚髪发敍叙氷冰吿告偸偷兎兔"
    "緜绵乗乘徳德撃击歴历滙汇覚觉鬪斗黙默歯齿対对団团圀国応应戸户単单発发伝传売卖読读転转駅驿験验楽乐薬药"
    "気气様样広广変变実实経经続续済济帰归検检険险拡扩図图価价円圆処处従从県县隠隐悪恶満满歩步渉涉毎每覧览"
    "辺边鉄铁遅迟亜亚剤剂労劳営营栄荣桜樱沢泽涙泪焼烧獣兽粋粹絵绘総总縦纵聴听舎舍蔵藏蛍萤譲让豊丰鉱矿錬炼"
    "霊灵騒骚髄髓齢龄竜龙";

// Decodes `text`; each byte that does not start a valid sequence becomes one
// U+FFFD (what utf8::find_invalid calls invalid). One pass: validating and
// decoding together, writing into arrays sized by utf8::length (the code
// points of valid UTF-8, not the bytes: three a Chinese character, which
// were two thirds zero fill); a stray continuation byte, one more code point
// than utf8::length counts, makes room for itself.
void decode_lenient(std::string_view text, std::u32string& out, std::vector<std::uint32_t>& offsets) {
  const std::size_t n = text.size();
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = utf8::length(text);
  out.resize(size);
  offsets.resize(size + 1);
  char32_t* o = out.data();
  std::uint32_t* off = offsets.data();
  std::size_t k = 0, i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    off[k] = static_cast<std::uint32_t>(i);
    if (c < 0x80) {
      o[k++] = c;
      ++i;
      continue;
    }
    char32_t cp;
    const std::size_t len = utf8::decode_sequence(s + i, n - i, cp);
    if (len != 0) {
      o[k++] = cp;
      i += len;
    } else {
      if ((c & 0xC0) == 0x80) {  // not counted by utf8::length
        out.resize(out.size() + 1);
        offsets.resize(offsets.size() + 1);
        o = out.data();
        off = offsets.data();
      }
      o[k++] = 0xFFFD;
      ++i;
    }
  }
  off[k] = static_cast<std::uint32_t>(n);
  out.resize(k);
  offsets.resize(k + 1);
}

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

std::uint8_t compute_flags(char32_t c) {
  const auto type = static_cast<UCharCategory>(u_charType(static_cast<UChar32>(c)));
  std::uint8_t f = 0;
  switch (type) {
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_CONTROL_CHAR:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION: f |= kSeparator; break;
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_ENCLOSING_MARK: f |= kSeparator | kSymbol; break;
    case U_NON_SPACING_MARK:
      // Variation selectors and emoji modifiers decorate emoji; other marks are part of letters.
      if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) || (c >= 0xE0020 && c <= 0xE007F)) {
        f |= kSeparator | kSymbol;
      }
      break;
    default: break;
  }
  if (u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_EXTENDED_PICTOGRAPHIC) && !(c < 0x80)) {
    f |= kSeparator | kSymbol;
  }
  if (!(f & kSeparator) && u_isalnum(static_cast<UChar32>(c))) {
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
    if (script == USCRIPT_LATIN || script == USCRIPT_GREEK || script == USCRIPT_CYRILLIC ||
        (script == USCRIPT_COMMON && c < 0x80)) {
      f |= kWordChar;
    }
  }
  switch (c) {
    case ',':
    case '.':
    case '!':
    case '?':
    case ';':
    case ':':
    case '\n':
    case '\r':
    case 0x3002:
    case 0x3001:
    case 0xFF61:
    case 0xFF64:
    case 0x2026:
    case 0x2028:
    case 0x2029: f |= kClauseBreak; break;
    default: break;
  }
  if (is_han(c)) f |= kHan;
  if (c >= 0x1F3FB && c <= 0x1F3FF) f |= kJoined;  // emoji skin-tone modifiers
  if (c == 0x20E3) f |= kJoined;                   // combining enclosing keycap
  return f;
}

}  // namespace

Normalizer::Normalizer() : bmp_map_(kTableSize), bmp_flags_(kTableSize), compose_maybe_(kTableSize / 64, 0) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  for (char32_t c = 0; c < kTableSize; ++c) {
    bmp_flags_[c] = compute_flags(c);
    if (u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_NFC_QUICK_CHECK) == UNORM_MAYBE) {
      compose_maybe_[c >> 6] |= std::uint64_t{1} << (c & 63);
    }
    if ((c >= 0xD800 && c <= 0xDFFF) || U_FAILURE(status)) {
      bmp_map_[c] = c;
      continue;
    }
    // Fast path: most code points (CJK ideographs, lower-case ASCII) map to themselves.
    if (c < 0x80 || (c >= 0x4E00 && c <= 0x9FFF)) {
      bmp_map_[c] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
      continue;
    }
    // Emoji and pictographs: no NFKC mapping worth the ICU call (as append_mapping always did);
    // inert code points (most of them, and all unassigned ones) map to themselves.
    if ((c >= 0x1F000 && c <= 0x1FAFF) || nfkc_cf->isInert(static_cast<UChar32>(c))) {
      bmp_map_[c] = c;
      continue;
    }
    UErrorCode err = U_ZERO_ERROR;
    const icu::UnicodeString mapped = nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(c)), err);
    std::u32string cps;
    for (int32_t i = 0; i < mapped.length();) {
      const UChar32 cp = mapped.char32At(i);
      cps.push_back(static_cast<char32_t>(cp));
      i += U16_LENGTH(cp);
    }
    if (U_FAILURE(err)) cps = std::u32string(1, c);
    if (cps.size() == 1) {
      bmp_map_[c] = cps[0];
    } else {
      bmp_map_[c] = kIndirect | static_cast<std::uint32_t>(multi_.size()) << 5 | static_cast<std::uint32_t>(cps.size());
      multi_ += cps;
    }
  }
  han_identity_ = true;
  for (char32_t c = kHanFirst; c <= kHanLast; ++c) {
    if (bmp_map_[c] != c || bmp_flags_[c] != kHan) han_identity_ = false;
  }
}

const Normalizer& Normalizer::instance() {
  static const Normalizer normalizer;
  return normalizer;
}

std::uint8_t Normalizer::flags_of(char32_t c) const {
  return c < kTableSize ? bmp_flags_[c] : compute_flags(c);
}

void Normalizer::build_traditional_table() const {
  std::call_once(g_traditional_once, [this] {
    simplified_.assign(0x10000, 0);
    has_simplified_.assign(0x10000 / 64, 0);
    auto set = [this](char32_t from, char32_t to) {
      simplified_[from] = to;
      has_simplified_[from >> 6] |= std::uint64_t{1} << (from & 63);
    };
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t2s(
        icu::Transliterator::createInstance("Traditional-Simplified", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !t2s) return;
    for (char32_t c = 0x3400; c < 0x10000; ++c) {
      if (!is_han(c)) continue;
      icu::UnicodeString s(static_cast<UChar32>(c));
      t2s->transliterate(s);
      if (s.length() > 0 && s.countChar32() == 1) {
        const auto out = static_cast<char32_t>(s.char32At(0));
        if (out != c) set(c, out);
      }
    }
    std::u32string pairs;
    utf8::decode(kVariantPairs, pairs);
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
      if (pairs[i] < 0x10000 && simplified_[pairs[i]] == 0) set(pairs[i], pairs[i + 1]);
    }
  });
}

char32_t Normalizer::simplified(char32_t c) const {
  if (has_simplified_.empty() || !may_fold(c)) return c;
  return simplified_[c];
}

void Normalizer::append_mapping(char32_t c, std::u32string& out) const {
  if (c < kTableSize) {
    const std::uint32_t m = bmp_map_[c];
    if (!(m & kIndirect)) {
      out.push_back(m);
    } else {
      out.append(multi_, (m & ~kIndirect) >> 5, m & 31);
    }
    return;
  }
  if (c >= 0x1F000 && c <= 0x1FAFF) {  // emoji and pictographs: no NFKC mapping worth the ICU call
    out.push_back(c);
    return;
  }
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(err);
  const icu::UnicodeString mapped = nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(c)), err);
  if (U_FAILURE(err)) {
    out.push_back(c);
    return;
  }
  for (int32_t i = 0; i < mapped.length();) {
    const UChar32 cp = mapped.char32At(i);
    out.push_back(static_cast<char32_t>(cp));
    i += U16_LENGTH(cp);
  }
}

namespace {

// The write positions of normalize()'s arrays. Kept in locals (not captured by
// reference) so that the loop holds them in registers; only growing them
// (rare) goes through the NormText.
struct NormArrays {
  char32_t* chars;
  std::uint32_t* orig;
  std::uint8_t* flags;
  char32_t* skeleton;
  std::uint32_t* skeleton_pos;
};

__attribute__((noinline)) NormArrays size_norm(NormText& out, std::size_t size) {
  out.chars.resize(size);
  out.orig.resize(size);
  out.flags.resize(size);
  out.skeleton.resize(size);
  out.skeleton_pos.resize(size);
  return {out.chars.data(), out.orig.data(), out.flags.data(), out.skeleton.data(), out.skeleton_pos.data()};
}

}  // namespace

// Long function: the per-character hot loop of normalisation (folding, width, separators, offsets
// to the original); measured in bench/, kept in one piece so the compiler keeps its state in
// registers.
void Normalizer::normalize(std::string_view original, bool traditional, NormText& out) const {
  if (traditional) build_traditional_table();
  out.has_utf8 = false;
  out.composed = false;
  // One pass decodes (as decode_lenient: each byte that does not start a
  // valid sequence becomes one U+FFFD) and normalises. The arrays of the
  // original are sized by utf8::length, the code points of valid UTF-8; a
  // stray continuation byte, which it does not count, makes room for itself.
  // The normalised arrays hold one character per original one (nearly all
  // text); a rare expansion (ß -> ss, ㈱) grows them. Invariant at the top of
  // the loop: k + (coming - i) <= cap, where coming is the original's size.
  const std::size_t nb = original.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(original.data());
  std::size_t coming = utf8::length(original);
  out.original.resize(coming);
  out.orig_bytes.resize(coming + 1);
  char32_t* decoded = out.original.data();
  std::uint32_t* offsets = out.orig_bytes.data();
  std::size_t cap = coming, k = 0, sk = 0, i = 0;
  NormArrays a = size_norm(out, cap);
  const std::uint32_t* map = bmp_map_.data();
  const std::uint8_t* table_flags = bmp_flags_.data();
  const char32_t* to_simplified = traditional ? simplified_.data() : nullptr;  // 0x10000 entries once built
  const bool han_fast = han_identity_ && !to_simplified;
  bool digit_or_at = false;
  auto emit = [&](char32_t mapped, std::uint32_t at, bool after_zwj) {
    if (to_simplified && may_fold(mapped)) mapped = to_simplified[mapped];
    digit_or_at |= (mapped >= '0' && mapped <= '9') || mapped == '@';
    std::uint8_t f = mapped < kTableSize ? table_flags[mapped] : compute_flags(mapped);
    if (after_zwj && (f & kSymbol)) f |= kJoined;
    a.chars[k] = mapped;
    a.orig[k] = at;
    a.flags[k] = f;
    if (!(f & kSeparator)) {
      a.skeleton[sk] = mapped;
      a.skeleton_pos[sk] = static_cast<std::uint32_t>(k);
      ++sk;
    }
    ++k;
  };
  std::u32string expansion;
  char32_t previous = 0;
  std::size_t b = 0;
  while (b < nb) {
    char32_t c = bytes[b];
    offsets[i] = static_cast<std::uint32_t>(b);
    if (c < 0x80) {
      ++b;
    } else if (const std::size_t len = utf8::decode_sequence(bytes + b, nb - b, c)) {
      b += len;
    } else {
      if ((bytes[b] & 0xC0) == 0x80) {  // not counted by utf8::length
        ++coming;
        out.original.resize(coming);
        out.orig_bytes.resize(coming + 1);
        decoded = out.original.data();
        offsets = out.orig_bytes.data();
        if (k + (coming - i) > cap) {
          cap = std::max(cap * 2, k + (coming - i));
          a = size_norm(out, cap);
        }
      }
      c = 0xFFFD;
      ++b;
    }
    decoded[i] = c;
    const auto at = static_cast<std::uint32_t>(i);
    ++i;
    if (c >= kHanFirst && c <= kHanLast && han_fast) {  // an ideograph: itself, kHan
      a.chars[k] = c;
      a.orig[k] = at;
      a.flags[k] = kHan;
      a.skeleton[sk] = c;
      a.skeleton_pos[sk] = static_cast<std::uint32_t>(k);
      ++sk;
      ++k;
      previous = c;
      continue;
    }
    if (c >= 0x80 && may_compose(c)) {  // a combining sequence (rare): compose it first
      normalize_composed(original, traditional, out);
      return;
    }
    // An emoji joined to the one before by a ZWJ (👨‍👩‍👧) is part of one picture.
    const bool after_zwj = previous == 0x200D && k > 0 && (a.flags[k - 1] & kSymbol);
    previous = c;
    if (c < kTableSize && !(map[c] & kIndirect)) {  // one code point to one
      emit(map[c], at, after_zwj);
      continue;
    }
    expansion.clear();
    append_mapping(c, expansion);
    const std::size_t need = k + expansion.size() + (coming - i);
    if (need > cap) {
      cap = std::max(cap * 2, need);
      a = size_norm(out, cap);
    }
    for (char32_t mapped : expansion) emit(mapped, at, after_zwj);
  }
  offsets[i] = static_cast<std::uint32_t>(nb);
  out.original.resize(i);
  out.orig_bytes.resize(i + 1);
  out.orig_length = static_cast<std::uint32_t>(i);
  out.chars.resize(k);
  out.orig.resize(k);
  out.flags.resize(k);
  out.skeleton.resize(sk);
  out.skeleton_pos.resize(sk);
  out.has_digit_or_at = digit_or_at;
}

namespace {

// Composes `text` to NFC in place, segment by segment (a segment: a
// character and the ones that may combine with it). `from`, if given, holds
// the index of each character in the text as it was (every character of a
// composed segment gets the segment's first index).
void compose(std::u32string& text, std::vector<std::uint32_t>* from) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (from) {
    from->resize(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) (*from)[i] = static_cast<std::uint32_t>(i);
  }
  if (U_FAILURE(status)) return;
  std::u32string out;
  std::vector<std::uint32_t> out_from;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && !nfc->hasBoundaryBefore(static_cast<UChar32>(text[j]))) ++j;
    if (j - i == 1) {
      out.push_back(text[i]);
      out_from.push_back(static_cast<std::uint32_t>(i));
    } else {
      icu::UnicodeString segment;
      for (std::size_t k = i; k < j; ++k) segment.append(static_cast<UChar32>(text[k]));
      UErrorCode err = U_ZERO_ERROR;
      const icu::UnicodeString composed = nfc->normalize(segment, err);
      const icu::UnicodeString& use = U_FAILURE(err) ? segment : composed;
      for (int32_t u = 0; u < use.length();) {
        const UChar32 cp = use.char32At(u);
        out.push_back(static_cast<char32_t>(cp));
        out_from.push_back(static_cast<std::uint32_t>(i));
        u += U16_LENGTH(cp);
      }
    }
    i = j;
  }
  text.swap(out);
  if (from) from->swap(out_from);
}

}  // namespace

void Normalizer::normalize_composed(std::string_view original, bool traditional, NormText& out) const {
  // Not the hot path (a text with a combining sequence): plain code.
  decode_lenient(original, out.original, out.orig_bytes);
  out.orig_length = static_cast<std::uint32_t>(out.original.size());
  std::u32string text = out.original;
  std::vector<std::uint32_t> from;
  compose(text, &from);
  out.chars.clear();
  out.orig.clear();
  out.flags.clear();
  out.skeleton.clear();
  out.skeleton_pos.clear();
  out.has_utf8 = false;
  out.composed = true;
  bool digit_or_at = false;
  char32_t previous = 0;
  std::u32string expansion;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    const bool after_zwj = previous == 0x200D && !out.flags.empty() && (out.flags.back() & kSymbol);
    previous = c;
    expansion.clear();
    append_mapping(c, expansion);
    for (char32_t mapped : expansion) {
      if (traditional) mapped = simplified(mapped);
      digit_or_at |= (mapped >= '0' && mapped <= '9') || mapped == '@';
      std::uint8_t f = flags_of(mapped);
      if (after_zwj && (f & kSymbol)) f |= kJoined;
      if (!(f & kSeparator)) {
        out.skeleton.push_back(mapped);
        out.skeleton_pos.push_back(static_cast<std::uint32_t>(out.chars.size()));
      }
      out.chars.push_back(mapped);
      out.orig.push_back(from[i]);
      out.flags.push_back(f);
    }
  }
  out.has_digit_or_at = digit_or_at;
}

void Normalizer::skeleton_of(std::string_view original, std::u32string& out) const {
  // normalize()'s mapping and separator test, keeping only what passes.
  const std::size_t nb = original.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(original.data());
  // At most one skeleton character per code point (an invalid byte is a
  // separator), but for a rare expansion, which makes room below.
  out.resize(utf8::length(original));
  char32_t* sk = out.data();
  std::size_t k = 0;
  const std::uint32_t* map = bmp_map_.data();
  const std::uint8_t* table_flags = bmp_flags_.data();
  std::u32string expansion;
  std::size_t b = 0;
  while (b < nb) {
    char32_t c = bytes[b];
    if (c < 0x80) {
      ++b;
    } else {
      const std::size_t len = utf8::decode_sequence(bytes + b, nb - b, c);
      if (len != 0) {
        b += len;
      } else {
        c = 0xFFFD;
        ++b;
      }
    }
    if (c >= kHanFirst && c <= kHanLast && han_identity_) {
      sk[k++] = c;
      continue;
    }
    if (c >= 0x80 && may_compose(c)) {  // a combining sequence: normalize() composes it
      NormText full;
      normalize(original, false, full);
      out = full.skeleton;
      return;
    }
    if (c < kTableSize && !(map[c] & kIndirect)) {
      const char32_t mapped = map[c];
      const std::uint8_t f = mapped < kTableSize ? table_flags[mapped] : compute_flags(mapped);
      if (!(f & kSeparator)) sk[k++] = mapped;
      continue;
    }
    expansion.clear();
    append_mapping(c, expansion);
    if (k + expansion.size() + (nb - b) > out.size()) {
      out.resize(std::max(out.size() * 2, k + expansion.size() + (nb - b)));
      sk = out.data();
    }
    for (char32_t mapped : expansion) {
      if (!(flags_of(mapped) & kSeparator)) sk[k++] = mapped;
    }
  }
  out.resize(k);
}

bool Normalizer::folds_traditional(const NormText& plain) const {
  build_traditional_table();
  for (char32_t c : plain.chars) {
    if (may_fold(c)) return true;
  }
  return false;
}

void Normalizer::fold_traditional(const NormText& plain, NormText& out) const {
  build_traditional_table();
  out.chars = plain.chars;
  out.orig = plain.orig;
  out.flags = plain.flags;
  out.skeleton = plain.skeleton;
  out.skeleton_pos = plain.skeleton_pos;
  out.orig_bytes = plain.orig_bytes;
  out.original = plain.original;
  out.orig_length = plain.orig_length;
  out.has_digit_or_at = plain.has_digit_or_at;
  out.composed = plain.composed;
  out.has_utf8 = false;
  // Folding maps ideographs to ideographs: flags and the skeleton's shape stay.
  for (char32_t& c : out.chars) {
    if (may_fold(c)) c = simplified_[c];
  }
  for (std::size_t k = 0; k < out.skeleton.size(); ++k) out.skeleton[k] = out.chars[out.skeleton_pos[k]];
}

void Normalizer::normalize_phrase(std::string_view phrase, bool traditional, std::u32string& chars,
                                  std::vector<std::uint8_t>& flags) const {
  if (traditional) build_traditional_table();
  std::u32string decoded;
  std::vector<std::uint32_t> offsets;
  decode_lenient(phrase, decoded, offsets);
  compose(decoded, nullptr);
  chars.clear();
  flags.clear();
  for (char32_t c : decoded) {
    const std::size_t before = chars.size();
    append_mapping(c, chars);
    for (std::size_t k = before; k < chars.size(); ++k) {
      if (traditional) chars[k] = simplified(chars[k]);
      flags.push_back(flags_of(chars[k]));
    }
  }
}

void NormText::ensure_utf8() {
  if (has_utf8) return;
  // Sized for the worst case (4 bytes a character), written in place, cut to size.
  utf8.resize(chars.size() * 4);
  utf8_offsets.resize(chars.size() + 1);
  char* out = utf8.data();
  std::size_t n = 0;
  for (std::size_t k = 0; k < chars.size(); ++k) {
    const char32_t cp = chars[k];
    utf8_offsets[k] = static_cast<std::uint32_t>(n);
    if (cp < 0x80) {
      out[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      out[n++] = static_cast<char>(0xC0 | (cp >> 6));
      out[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[n++] = static_cast<char>(0xE0 | (cp >> 12));
      out[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out[n++] = static_cast<char>(0xF0 | (cp >> 18));
      out[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  utf8_offsets[chars.size()] = static_cast<std::uint32_t>(n);
  utf8.resize(n);
  has_utf8 = true;
}

std::uint32_t NormText::norm_index_of_byte(std::uint32_t byte) const {
  auto it = std::upper_bound(utf8_offsets.begin(), utf8_offsets.end(), byte);
  return static_cast<std::uint32_t>((it - utf8_offsets.begin()) - 1);
}

}  // namespace chatqa::text
