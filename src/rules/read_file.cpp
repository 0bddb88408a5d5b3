// The one file reader (see read_file.hpp).
#include "rules/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace chatqa::detail {

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

FileRead read_file_limited(const std::string& path, std::size_t max_bytes) {
  FileRead out;
  // O_NONBLOCK: opening a FIFO without a writer must not hang; it is refused
  // right after by the fstat below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    out.error = std::strerror(errno);
    ::close(fd);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = S_ISDIR(st.st_mode) ? "a directory, not a file" : "not a regular file";
    ::close(fd);
    return out;
  }
  if (static_cast<unsigned long long>(st.st_size) > max_bytes) {
    out.error = "larger than the limit of " + byte_size_text(max_bytes) + " (" +
                std::to_string(static_cast<unsigned long long>(st.st_size)) + " bytes)";
    ::close(fd);
    return out;
  }
  out.text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  for (;;) {
    if (got == out.text.size()) {
      if (got >= max_bytes + 1) break;
      out.text.resize(std::min(max_bytes + 1, got + 65536));  // the file grew: read on, up to the limit
    }
    const ssize_t n = ::read(fd, out.text.data() + got, out.text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = std::strerror(errno);
      ::close(fd);
      out.text.clear();
      return out;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.text.resize(got);
  if (got > max_bytes) {
    out.error = "larger than the limit of " + byte_size_text(max_bytes);
    out.text.clear();
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace chatqa::detail
