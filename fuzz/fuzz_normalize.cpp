// Fuzz target: any bytes (valid UTF-8 or not) -> Normalizer. The offset maps
// must stay consistent, so that every hit maps back to a span of the original
// text: one original index, flag and (for non-separators) skeleton entry per
// normalised character; skeleton_of and fold_traditional agree with
// normalize; the UTF-8 form maps back to the same characters.
#include <cstdint>

#include "fuzz_common.hpp"
#include "text/normalizer.hpp"

using chatqa::fuzz::require;
using namespace chatqa::text;

namespace {

void check_maps(const NormText& t, std::string_view original) {
  const std::size_t n = t.chars.size();
  require(t.orig.size() == n && t.flags.size() == n, "one orig index and flag per character");
  require(t.orig_bytes.size() == t.orig_length + 1, "one byte offset per original code point, plus the end");
  require(t.original.size() == t.orig_length, "decoded original length");
  require(t.orig_bytes.front() == 0 && t.orig_bytes.back() == original.size(), "byte offsets cover the text");
  for (std::size_t i = 1; i < t.orig_bytes.size(); ++i) require(t.orig_bytes[i - 1] < t.orig_bytes[i], "byte offsets increase");
  for (std::size_t i = 0; i < n; ++i) {
    require(t.orig[i] < t.orig_length, "orig index inside the original");
    if (i > 0) require(t.orig[i - 1] <= t.orig[i], "orig indexes never go back");
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (t.flags[i] & kSeparator) continue;
    require(k < t.skeleton.size() && t.skeleton_pos[k] == i && t.skeleton[k] == t.chars[i],
            "the skeleton is exactly the non-separators");
    ++k;
  }
  require(k == t.skeleton.size() && t.skeleton_pos.size() == k, "skeleton length");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Normalizer& norm = Normalizer::instance();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  NormText plain;
  norm.normalize(text, false, plain);
  check_maps(plain, text);

  std::u32string skeleton;
  norm.skeleton_of(text, skeleton);
  require(skeleton == plain.skeleton, "skeleton_of equals normalize's skeleton");

  NormText traditional;
  norm.normalize(text, true, traditional);
  check_maps(traditional, text);
  if (norm.folds_traditional(plain)) {
    NormText folded;
    norm.fold_traditional(plain, folded);
    require(folded.chars == traditional.chars && folded.orig == traditional.orig, "fold_traditional equals normalize");
  } else {
    require(plain.chars == traditional.chars, "nothing to fold: the same characters");
  }

  plain.ensure_utf8();
  require(plain.utf8_offsets.size() == plain.chars.size() + 1, "one UTF-8 offset per character, plus the end");
  require(chatqa::fuzz::code_points(plain.utf8) == plain.chars, "the UTF-8 form decodes to the characters");
  for (std::size_t i = 0; i < plain.chars.size(); ++i) {
    require(plain.norm_index_of_byte(plain.utf8_offsets[i]) == i, "UTF-8 offsets map back to their character");
  }
  return 0;
}
