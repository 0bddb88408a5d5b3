// Files a rule file names (lexicons, word lists, frequency lists): resolved
// against the folder of the file naming them, confined to the allowed roots
// (CompileOptions::allowed_roots and the defaults), or asked from the
// embedder's CompileOptions::file_resolver. Every such read goes through
// FileAccess::read; docs/limits.md "Files a rule file may read".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/rule_set.hpp"

namespace chatqa::detail {

// A path as written and as joined with the folder of the file naming it.
struct NamedPath {
  std::string written;
  std::string joined;
  std::string pointer;  // where the rule file names it (for diagnostics)
};

struct NamedFileRead {
  bool ok = false;
  bool refused = false;  // outside the allowed roots (E0118): nothing was read
  std::string text;      // when ok
  std::string error;     // why not: the refusal, or the read error
};

// The canonical form of an existing folder ("" if it does not exist or is not a folder).
std::string canonical_dir(const std::string& dir);
// Whether the canonical `path` is `root` or lies below it (root "/" holds everything).
bool path_inside(const std::string& path, const std::string& root);
// `path` made absolute with "..", "." and symlinks resolved (the parts that
// exist), as a confined read checks and then opens it; "" on error.
std::string resolved_path(const std::string& path);

class FileAccess {
 public:
  // `base_dir`: the rule file's folder ("" = the current directory).
  FileAccess(const CompileOptions& options, const std::string& base_dir);

  // Reads `path` (kind: "lexicon", "known_words", "word_frequencies"), at most `max_bytes`.
  NamedFileRead read(const NamedPath& path, std::string_view kind, std::size_t max_bytes) const;

  // The allowed roots (canonical), for messages and tests.
  const std::vector<std::string>& roots() const { return roots_; }

  // `base` joined with `rel` ("" base: rel; absolute rel: rel).
  static std::string join(const std::string& base, const std::string& rel);

 private:
  bool allowed(const std::string& canonical, std::string_view kind) const;

  const CompileOptions& options_;
  std::vector<std::string> roots_;       // canonical, no trailing slash ("/" stays "/")
  std::vector<std::string> word_roots_;  // extra roots of known_words
};

}  // namespace chatqa::detail
