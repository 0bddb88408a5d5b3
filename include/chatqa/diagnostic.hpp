// chatqa — diagnostics as data.
//
// Compiling a rule set or parsing an input never throws: every problem is a
// Diagnostic with a stable code (listed in docs/diagnostics.md) and, where the
// problem has a place, the file, JSON pointer and 1-based line:column of it.
// Columns count Unicode code points, not bytes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "chatqa/export.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

enum class Severity { error, warning, note };

const char* to_string(Severity severity) noexcept;

// Where something is in a file: the one location type of the API, shared by
// Diagnostic, InputError and the test sources of chatqa/testing.hpp. A part
// that is not known is empty (file, json_pointer) or 0 (line, column).
struct SourceLocation {
  std::string file;          // rule file, test file or input name; empty if none
  std::string json_pointer;  // RFC 6901 pointer into the document (or input record); may be empty
  std::size_t line = 0;      // 1-based; 0 when unknown
  std::size_t column = 0;    // 1-based code-point column; 0 when unknown
};

// A problem of a rule file or test file, at its SourceLocation (file,
// json_pointer, line, column: the base's members).
struct Diagnostic : SourceLocation {
  Severity severity = Severity::error;
  std::string code;     // "E0102"; stable across releases
  std::string message;  // one line, no trailing period

  // "file:line:col: error[E0102]: message" (parts that are unknown are left out).
  std::string to_string() const;
};

// True if any diagnostic is an error.
bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept;

}  // namespace chatqa
CHATQA_PUBLIC_END
