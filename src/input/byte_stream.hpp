// Bytes of one input (internal to chatqa::io): a file descriptor or a text in
// memory, gunzipped when it starts with the gzip magic (whatever its name),
// concatenated gzip members included.
//
// Thread safety: one thread at a time; the optional byte counter may be read
// from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <zlib.h>

namespace chatqa::io {

class ByteStream {
 public:
  // Reads `fd` (not closed here). `bytes_read` counts raw bytes consumed.
  ByteStream(int fd, std::atomic<std::uint64_t>* bytes_read);
  // Reads `text` (not copied: it must outlive the stream).
  explicit ByteStream(std::string_view text);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Reads up to `cap` decompressed bytes; 0 at the end or on error (see error()).
  std::size_t read(char* out, std::size_t cap);
  // Why the bytes stopped early ("" if they did not).
  const std::string& error() const { return error_; }

 private:
  void fill();

  static constexpr std::size_t kChunk = 256 * 1024;
  int fd_ = -1;
  std::string_view memory_;
  std::size_t memory_pos_ = 0;
  std::atomic<std::uint64_t>* bytes_read_ = nullptr;
  std::string raw_;
  std::size_t raw_pos_ = 0, raw_len_ = 0;
  bool raw_eof_ = false;
  bool decided_ = false, gzip_ = false, inflating_ = false, in_member_ = false;
  z_stream zs_;
  std::string error_;
};

}  // namespace chatqa::io
