// Output helpers: output targets (temp + rename for regular files, direct
// writes for FIFOs and devices), write-error detection, CSV quoting.
#include "output.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "commands.hpp"

namespace chatqa::cli {
namespace {

// Temporary files to remove if the run is interrupted (Ctrl-C, kill, a closed
// pipe): the signal handler may only call async-signal-safe functions, so the
// paths are kept in fixed buffers.
constexpr int kMaxTemps = 8;
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
char g_temp_paths[kMaxTemps][4096];
volatile std::sig_atomic_t g_temp_used[kMaxTemps];

extern "C" void remove_temps_and_reraise(int sig) {
  for (int i = 0; i < kMaxTemps; ++i) {
    if (g_temp_used[i]) ::unlink(g_temp_paths[i]);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
}

void install_handlers() {
  static const bool installed = [] {
    for (int sig : kCleanupSignals) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0) continue;
      // A signal the caller chose to ignore (nohup, SIGPIPE ignored by a
      // parent) stays ignored: a write to a closed pipe then fails with EPIPE,
      // which commit() reports.
      if (old.sa_handler == SIG_IGN) continue;
      struct sigaction act {};
      act.sa_handler = remove_temps_and_reraise;
      sigemptyset(&act.sa_mask);
      ::sigaction(sig, &act, nullptr);
    }
    return true;
  }();
  (void)installed;
}

int register_temp(const std::string& path) {
  if (path.size() >= sizeof g_temp_paths[0]) return -1;
  for (int i = 0; i < kMaxTemps; ++i) {
    if (!g_temp_used[i]) {
      std::memcpy(g_temp_paths[i], path.c_str(), path.size() + 1);
      g_temp_used[i] = 1;
      return i;
    }
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) g_temp_used[slot] = 0;
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Follows symbolic links from `path` to the final target (which may not exist
// yet). Sets `exists` and, if it does, `st` (of the final target, not a link).
std::string follow_links(const std::string& path, std::string& target, struct stat& st, bool& exists) {
  target = path;
  for (int hops = 0; hops < 40; ++hops) {
    if (::lstat(target.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        exists = false;
        return {};
      }
      return "cannot open " + path + ": " + std::strerror(errno);
    }
    if (!S_ISLNK(st.st_mode)) {
      exists = true;
      return {};
    }
    std::string link(4096, '\0');
    const ssize_t n = ::readlink(target.c_str(), link.data(), link.size());
    if (n < 0 || static_cast<std::size_t>(n) >= link.size()) {
      return "cannot read the link " + target + ": " + std::strerror(n < 0 ? errno : ENAMETOOLONG);
    }
    link.resize(static_cast<std::size_t>(n));
    target = link.front() == '/' ? link : dir_of(target) + "/" + link;
  }
  return "cannot open " + path + ": " + std::strerror(ELOOP);
}

}  // namespace

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) {
    std::fclose(file_);
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  }
  unregister_temp(slot_);
}

std::string OutputFile::open(const std::string& path) {
  if (path.empty() || path == "-") {
    path_ = "stdout";
    file_ = stdout;
    return {};
  }
  path_ = path;
  struct stat st {};
  bool exists = false;
  if (std::string err = follow_links(path, target_, st, exists); !err.empty()) return err;
  if (exists && S_ISDIR(st.st_mode)) return "cannot write to " + path + ": " + std::strerror(EISDIR);
  if (exists && !S_ISREG(st.st_mode)) {
    // A FIFO, a device, a socket: written in place, never replaced or truncated.
    const int fd = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
    file_ = ::fdopen(fd, "wb");
    if (!file_) {
      const int err = errno;
      ::close(fd);
      return "cannot open " + path + ": " + std::strerror(err);
    }
    return {};
  }
  temp_path_ = target_ + ".tmp.XXXXXX";
  // The file is created and registered for removal with the signals blocked:
  // a signal in between would leave it behind.
  install_handlers();
  sigset_t block, previous;
  sigemptyset(&block);
  for (int sig : kCleanupSignals) sigaddset(&block, sig);
  ::pthread_sigmask(SIG_BLOCK, &block, &previous);
  const int fd = ::mkstemp(temp_path_.data());
  const int mkstemp_errno = errno;
  if (fd >= 0) slot_ = register_temp(temp_path_);
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (fd < 0) {
    temp_path_.clear();
    return "cannot create a file in " + dir_of(target_) + " (for " + path + "): " + std::strerror(mkstemp_errno);
  }
  // mkstemp makes 0600: an existing file keeps its mode, a new one gets the
  // usual permissions.
  if (exists) {
    ::fchmod(fd, st.st_mode & 07777);
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
    unregister_temp(slot_);
    slot_ = -1;
    return "cannot open " + path + ": " + std::strerror(err);
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  return {};
}

void OutputFile::note_failure(int err) {
  if (!failed_) errno_ = err != 0 ? err : EIO;
  failed_ = true;
}

bool OutputFile::write(std::string_view bytes) {
  if (!file_ || failed_) return !failed_;
  if (bytes.empty()) return true;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size() || std::ferror(file_)) note_failure(errno);
  return !failed_;
}

std::string OutputFile::commit() {
  if (!file_) return "output not open";
  if (file_ == stdout) {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) note_failure(errno);
    if (failed_) return "write to stdout failed: " + std::string(std::strerror(errno_));
    return {};
  }
  std::FILE* f = file_;
  file_ = nullptr;
  errno = 0;
  if (!failed_ && (std::fflush(f) != 0 || std::ferror(f))) note_failure(errno);
  // fsync makes the rename durable; devices and FIFOs may not support it.
  if (!failed_ && !temp_path_.empty() && ::fsync(::fileno(f)) != 0) note_failure(errno);
  if (std::fclose(f) != 0 && !failed_) note_failure(errno);
  if (failed_) {
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    unregister_temp(slot_);
    slot_ = -1;
    return "write to " + path_ + " failed: " + std::strerror(errno_);
  }
  if (temp_path_.empty()) return {};
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp_path_.c_str());
    unregister_temp(slot_);
    slot_ = -1;
    return "cannot rename " + temp_path_ + " to " + target_ + ": " + why;
  }
  unregister_temp(slot_);
  slot_ = -1;
  return {};
}

int fail_if(const char* command, const std::string& error) {
  if (error.empty()) return 0;
  std::cerr << "chatqa " << command << ": " << error << "\n";
  return kExitIo;
}

int write_or_fail(const char* command, const std::string& path, std::string_view bytes) {
  OutputFile out;
  if (int code = fail_if(command, out.open(path))) return code;
  out.write(bytes);
  return fail_if(command, out.commit());
}

std::string stdout_error() {
  std::cout.flush();
  const bool cout_bad = !std::cout.good();
  errno = 0;
  const bool stdio_bad = std::fflush(stdout) != 0 || std::ferror(stdout);
  if (!cout_bad && !stdio_bad) return {};
  const int err = errno != 0 ? errno : EIO;
  return std::string("write to stdout failed: ") + std::strerror(err);
}

std::string csv_field(std::string_view value) {
  const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool is_terminal(int fd) {
  return ::isatty(fd) == 1;
}

}  // namespace chatqa::cli
