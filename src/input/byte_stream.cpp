// Raw bytes -> decompressed bytes (see byte_stream.hpp).
#include "input/byte_stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace chatqa::io {

ByteStream::ByteStream(int fd, std::atomic<std::uint64_t>* bytes_read) : fd_(fd), bytes_read_(bytes_read) {
  std::memset(&zs_, 0, sizeof zs_);
}

ByteStream::ByteStream(std::string_view text) : memory_(text) { std::memset(&zs_, 0, sizeof zs_); }

ByteStream::~ByteStream() {
  if (inflating_) inflateEnd(&zs_);
}

std::size_t ByteStream::read(char* out, std::size_t cap) {
  while (true) {
    if (!error_.empty()) return 0;
    if (raw_pos_ == raw_len_ && !raw_eof_) fill();
    if (!decided_) {
      if (raw_len_ - raw_pos_ < 2 && !raw_eof_) {  // need two bytes to tell
        fill();  // keeps the byte already there (a pipe may deliver one at a time)
        continue;
      }
      decided_ = true;
      gzip_ = raw_len_ - raw_pos_ >= 2 && static_cast<unsigned char>(raw_[raw_pos_]) == 0x1f &&
              static_cast<unsigned char>(raw_[raw_pos_ + 1]) == 0x8b;
      if (gzip_) {
        if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
          error_ = "cannot initialise zlib";
          return 0;
        }
        inflating_ = true;
        in_member_ = true;
      }
    }
    if (!gzip_) {
      if (raw_pos_ == raw_len_) return 0;  // eof (or read error, see error())
      const std::size_t n = std::min(cap, raw_len_ - raw_pos_);
      std::memcpy(out, raw_.data() + raw_pos_, n);
      raw_pos_ += n;
      return n;
    }
    if (raw_pos_ == raw_len_ && raw_eof_) {
      if (in_member_) error_ = "truncated gzip data (unexpected end of file)";
      return 0;
    }
    if (!in_member_) {  // another gzip member follows (or trailing bytes)
      if (inflateReset(&zs_) != Z_OK) {
        error_ = "zlib reset failed";
        return 0;
      }
      in_member_ = true;
    }
    zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_pos_);
    zs_.avail_in = static_cast<uInt>(raw_len_ - raw_pos_);
    zs_.next_out = reinterpret_cast<Bytef*>(out);
    zs_.avail_out = static_cast<uInt>(cap);
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    raw_pos_ = raw_len_ - zs_.avail_in;
    const std::size_t produced = cap - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      in_member_ = false;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = std::string("corrupt gzip data (") + (zs_.msg ? zs_.msg : "inflate failed") + ")";
      return produced;
    }
    if (produced > 0) return produced;
  }
}

// Reads more raw bytes after those not consumed yet (moved to the front).
void ByteStream::fill() {
  raw_.resize(kChunk);
  const std::size_t kept = raw_len_ - raw_pos_;
  if (kept > 0 && raw_pos_ > 0) std::memmove(raw_.data(), raw_.data() + raw_pos_, kept);
  raw_pos_ = 0;
  raw_len_ = kept;
  if (fd_ < 0) {
    const std::size_t n = std::min(raw_.size() - kept, memory_.size() - memory_pos_);
    if (n == 0) {
      raw_eof_ = true;
      return;
    }
    std::memcpy(raw_.data() + kept, memory_.data() + memory_pos_, n);
    memory_pos_ += n;
    raw_len_ = kept + n;
    return;
  }
  while (true) {
    const ssize_t n = ::read(fd_, raw_.data() + kept, raw_.size() - kept);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = std::string("read failed: ") + std::strerror(errno);
      raw_eof_ = true;
    } else if (n == 0) {
      raw_eof_ = true;
    } else {
      raw_len_ = kept + static_cast<std::size_t>(n);
      if (bytes_read_) bytes_read_->fetch_add(static_cast<std::size_t>(n), std::memory_order_relaxed);
    }
    return;
  }
}

}  // namespace chatqa::io
