// The one reader of every file chatqa opens by name (rule files, lexicon
// files, rule test files): the size is checked with stat() BEFORE reading,
// only regular files are read (a FIFO, a device such as /dev/zero, a
// directory or a socket is refused), and the read itself stops at the limit
// (a file that grows while being read). One wording for every refusal.
#pragma once

#include <cstddef>
#include <string>

namespace chatqa::detail {

struct FileRead {
  bool ok = false;
  std::string text;   // the content, when ok
  std::string error;  // why not, e.g. "not a regular file", "larger than the limit of 16 MiB (20 MiB)"
};

FileRead read_file_limited(const std::string& path, std::size_t max_bytes);

// "16 MiB", "512 KiB", "300 bytes".
std::string byte_size_text(std::size_t bytes);

}  // namespace chatqa::detail
