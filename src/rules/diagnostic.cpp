#include "chatqa/diagnostic.hpp"
#include "chatqa/version.hpp"

namespace chatqa {

const char* version() noexcept { return CHATQA_VERSION_STRING; }

const char* to_string(Severity severity) noexcept {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::string Diagnostic::to_string() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':' + std::to_string(line);
      if (column > 0) out += ':' + std::to_string(column);
    }
    out += ": ";
  }
  out += chatqa::to_string(severity);
  out += '[' + code + "]: " + message;
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::error) return true;
  }
  return false;
}

}  // namespace chatqa
