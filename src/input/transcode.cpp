// Input encodings through ICU converters (see transcode.hpp).
#include "input/transcode.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "text/utf8.hpp"

namespace chatqa::io {

struct Transcoder::Impl {
  UConverter* from = nullptr;
  UConverter* to = nullptr;
  std::vector<UChar> pivot = std::vector<UChar>(16 * 1024);
  UChar* pivot_source = nullptr;
  UChar* pivot_target = nullptr;
  bool reset = true;
  ~Impl() {
    if (from) ucnv_close(from);
    if (to) ucnv_close(to);
  }
};

Transcoder::Transcoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transcoder::~Transcoder() = default;

std::unique_ptr<Transcoder> Transcoder::open(const std::string& encoding, std::string& error) {
  auto impl = std::make_unique<Impl>();
  UErrorCode status = U_ZERO_ERROR;
  impl->from = ucnv_open(encoding.c_str(), &status);
  if (U_FAILURE(status) || !impl->from || encoding.empty()) {
    error = "unknown encoding \"" + encoding + "\" (e.g. gbk, gb18030, big5, utf-16, utf-16le, shift_jis)";
    return nullptr;
  }
  status = U_ZERO_ERROR;
  impl->to = ucnv_open("UTF-8", &status);
  if (U_FAILURE(status)) {
    error = "cannot open the UTF-8 converter";
    return nullptr;
  }
  impl->pivot_source = impl->pivot_target = impl->pivot.data();
  return std::unique_ptr<Transcoder>(new Transcoder(std::move(impl)));
}

void Transcoder::convert(std::string_view in, std::string& out, bool flush) {
  Impl& c = *impl_;
  const char* source = in.data();
  const char* const source_end = in.data() + in.size();
  const std::size_t start = out.size();
  out.resize(start + in.size() * 2 + 64);  // CJK: 2 bytes -> 3; resized when short
  char* target = out.data() + start;
  for (;;) {
    UErrorCode status = U_ZERO_ERROR;
    char* const target_end = out.data() + out.size();
    ucnv_convertEx(c.to, c.from, &target, target_end, &source, source_end, c.pivot.data(), &c.pivot_source,
                   &c.pivot_target, c.pivot.data() + c.pivot.size(), c.reset, flush, &status);
    c.reset = false;
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      const std::size_t used = static_cast<std::size_t>(target - out.data());
      out.resize(out.size() * 2);
      target = out.data() + used;
      continue;
    }
    break;  // other failures cannot happen with the substituting callbacks
  }
  out.resize(static_cast<std::size_t>(target - out.data()));
}

bool encoding_known(const std::string& name) {
  if (name.empty()) return false;
  UErrorCode status = U_ZERO_ERROR;
  UConverter* c = ucnv_open(name.c_str(), &status);
  if (c) ucnv_close(c);
  return U_SUCCESS(status) && c;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// Whether `sample` is UTF-8 but for a sequence cut at its end.
bool is_utf8(std::string_view sample) {
  const std::size_t bad = utf8::find_invalid(sample);
  if (bad == std::string_view::npos) return true;
  if (sample.size() - bad >= 4) return false;
  // A lead byte and continuation bytes only, up to the end: cut, not wrong.
  const auto lead = static_cast<unsigned char>(sample[bad]);
  if (lead < 0xC2 || lead > 0xF4) return false;
  for (std::size_t i = bad + 1; i < sample.size(); ++i) {
    if ((static_cast<unsigned char>(sample[i]) & 0xC0) != 0x80) return false;
  }
  return true;
}

}  // namespace

std::string encoding_hint(std::string_view sample) {
  if (is_utf8(sample)) return {};
  std::string guess;
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector* detector = ucsdet_open(&status);
  if (U_SUCCESS(status)) {
    ucsdet_setText(detector, sample.data(), static_cast<int32_t>(std::min<std::size_t>(sample.size(), 1 << 20)),
                   &status);
    int32_t found = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(detector, &found, &status);
    for (int32_t i = 0; U_SUCCESS(status) && matches && i < found; ++i) {
      const char* name = ucsdet_getName(matches[i], &status);
      const int32_t confidence = ucsdet_getConfidence(matches[i], &status);
      if (U_FAILURE(status) || !name || lower(name) == "utf-8" || confidence < 10) continue;
      guess = lower(name);
      break;
    }
    ucsdet_close(detector);
  }
  // Chinese exports: GB18030 reads GBK and GB2312 alike.
  if (guess.empty()) {
    return "; the input is not UTF-8: name its encoding with --encoding (e.g. gb18030, big5, utf-16le)";
  }
  return "; the input is not UTF-8: it looks like " + guess + " (read it with --encoding " + guess + ")";
}

}  // namespace chatqa::io
