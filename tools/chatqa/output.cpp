// Output helpers: atomic files (temp + rename), CSV quoting.
#include "output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace chatqa::cli {
namespace {

// Temporary files to remove if the run is interrupted (Ctrl-C, kill): the
// signal handler may only call async-signal-safe functions, so the paths are
// kept in fixed buffers.
constexpr int kMaxTemps = 8;
char g_temp_paths[kMaxTemps][4096];
volatile std::sig_atomic_t g_temp_used[kMaxTemps];

extern "C" void remove_temps_and_reraise(int sig) {
  for (int i = 0; i < kMaxTemps; ++i) {
    if (g_temp_used[i]) ::unlink(g_temp_paths[i]);
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

int register_temp(const std::string& path) {
  static const bool installed = [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, remove_temps_and_reraise);
    return true;
  }();
  (void)installed;
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

}  // namespace

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) {
    std::fclose(file_);
    ::unlink(temp_path_.c_str());
  }
  unregister_temp(slot_);
}

std::string OutputFile::open(const std::string& path) {
  if (path.empty() || path == "-") {
    file_ = stdout;
    return {};
  }
  path_ = path;
  temp_path_ = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp_path_.data());
  if (fd < 0) return "cannot create " + temp_path_ + ": " + std::strerror(errno);
  slot_ = register_temp(temp_path_);
  // mkstemp makes 0600; give the file the usual permissions.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    ::close(fd);
    ::unlink(temp_path_.c_str());
    return "cannot open " + temp_path_;
  }
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  return {};
}

void OutputFile::write(std::string_view bytes) {
  if (!file_ || bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
}

std::string OutputFile::commit() {
  if (!file_) return "output not open";
  if (file_ == stdout) {
    if (std::fflush(stdout) != 0 || failed_) return std::string("write to stdout failed: ") + std::strerror(errno);
    return {};
  }
  std::FILE* f = file_;
  file_ = nullptr;
  unregister_temp(slot_);
  slot_ = -1;
  const bool ok = !failed_ && std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  std::fclose(f);
  if (!ok) {
    ::unlink(temp_path_.c_str());
    return "write to " + path_ + " failed: " + std::strerror(err);
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp_path_.c_str());
    return "cannot rename " + temp_path_ + " to " + path_ + ": " + why;
  }
  return {};
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
