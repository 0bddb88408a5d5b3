// Input encodings (internal to chatqa::io): bytes in a legacy encoding (GBK,
// GB18030, Big5, UTF-16, ...) -> UTF-8 through ICU converters, chunk by
// chunk; and a guess at the encoding of bytes that are not UTF-8, for the
// hint in error records.
//
// Thread safety: a Transcoder is used by one thread at a time; the free
// functions are thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace chatqa::io {

class Transcoder {
 public:
  // A converter from `encoding` (an ICU converter name or alias: gbk,
  // gb18030, big5, utf-16 (BOM-detected), utf-16le, shift_jis, ...) to
  // UTF-8; null with `error` set for an unknown name.
  static std::unique_ptr<Transcoder> open(const std::string& encoding, std::string& error);
  ~Transcoder();
  Transcoder(const Transcoder&) = delete;
  Transcoder& operator=(const Transcoder&) = delete;

  // Appends the UTF-8 of `in` to `out`. A sequence cut at the end of a chunk
  // is completed by the next; `flush` at the end of the input. Bytes that are
  // not valid in the encoding become U+FFFD.
  void convert(std::string_view in, std::string& out, bool flush);

 private:
  struct Impl;
  explicit Transcoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether ICU knows the encoding `name`.
bool encoding_known(const std::string& name);

// The first bytes of an input that are not UTF-8: a hint for error records,
// naming the likely encoding ("; the input is not UTF-8: it looks like
// GB18030 (read it with --encoding gb18030)"), or "" if `sample` is UTF-8
// (a sequence cut at its end is not held against it).
std::string encoding_hint(std::string_view sample);

}  // namespace chatqa::io
