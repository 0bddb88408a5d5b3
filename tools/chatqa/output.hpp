// Output helpers shared by the subcommands: atomic output files, CSV fields.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace chatqa::cli {

// Writes to a temporary file beside `path` and renames it over `path` on
// commit(), so readers never see a half-written file. With path "" or "-" it
// writes to stdout. Destroying it without commit() removes the temporary file,
// and so does an interrupt (SIGINT, SIGTERM, SIGHUP).
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Returns an error message, or "" on success.
  std::string open(const std::string& path);
  void write(std::string_view bytes);
  // Flushes and renames into place; returns an error message or "".
  std::string commit();
  bool is_stdout() const { return file_ == stdout; }
  std::FILE* file() const { return file_; }

 private:
  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  int slot_ = -1;  // registration for removal on SIGINT/SIGTERM
};

// One CSV field (RFC 4180): quoted when it holds a delimiter, quote, CR, LF or
// edge spaces.
std::string csv_field(std::string_view value);

// Whether a file descriptor is a terminal.
bool is_terminal(int fd);

}  // namespace chatqa::cli
