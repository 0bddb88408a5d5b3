// Output helpers shared by the subcommands: output files (atomic for regular
// files, direct for FIFOs and devices), write-error detection, CSV fields.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace chatqa::cli {

// Where a command writes its output. Every command writes through this class
// (or write_or_fail below), so every output target behaves the same:
//
// - "" or "-": stdout. Write errors (a full disk, `> /dev/full`, a closed
//   pipe with SIGPIPE ignored) are detected and reported by commit().
// - A regular file, or a path that does not exist yet: written to a temporary
//   file `PATH.tmp.XXXXXX` beside it and renamed over it on commit(), so
//   readers never see a half-written file. The temporary file is removed when
//   the object is destroyed without commit(), on a write error, and on
//   SIGINT, SIGTERM, SIGHUP and SIGPIPE. An existing file keeps its mode.
// - A symbolic link is followed: its final target is what is written (and,
//   when the target is a regular file, replaced); the link itself stays.
// - Anything else that exists (a FIFO, a character or block device such as
//   /dev/null or /dev/full, a socket) is opened and written directly: never
//   replaced, never truncated. A directory is an error.
//
// Not thread-safe; one object per output.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Opens the target (and, for an atomic target, creates the temporary file
  // now, so an unwritable folder fails before any work). Returns an error
  // message, or "" on success.
  std::string open(const std::string& path);
  // Appends bytes; returns false once any write has failed (later writes are
  // skipped: a command may stop its work early).
  bool write(std::string_view bytes);
  bool failed() const { return failed_; }
  // Flushes (and for an atomic target syncs and renames into place); returns
  // an error message naming the target, or "".
  std::string commit();
  bool is_stdout() const { return file_ == stdout; }
  std::FILE* file() const { return file_; }

 private:
  void note_failure(int err);

  std::string path_;       // the target as given (for messages)
  std::string target_;     // the target after following symlinks
  std::string temp_path_;  // "" unless atomic
  std::FILE* file_ = nullptr;
  bool failed_ = false;
  int errno_ = 0;  // of the first failed write
  int slot_ = -1;  // registration for removal on signals
};

// Writes `bytes` to `path` ("" or "-": stdout) through an OutputFile and
// commits. On any failure prints "chatqa COMMAND: MESSAGE" to stderr and
// returns kExitIo; returns 0 on success.
int write_or_fail(const char* command, const std::string& path, std::string_view bytes);

// Prints "chatqa COMMAND: ERROR" to stderr and returns kExitIo when `error` is
// not empty (the result of open() or commit()); returns 0 otherwise.
int fail_if(const char* command, const std::string& error);

// Final check of the process's stdout (main calls it after every command):
// flushes std::cout and stdout; returns an error message if anything written
// there was lost, or "".
std::string stdout_error();

// One CSV field (RFC 4180): quoted when it holds a delimiter, quote, CR, LF or
// edge spaces.
std::string csv_field(std::string_view value);

// Whether a file descriptor is a terminal.
bool is_terminal(int fd);

}  // namespace chatqa::cli
