// chatqa — compiled rule sets.
//
// A rule file (JSON, see docs/rules.md) is compiled once into an immutable
// RuleSet: all parsing, validation, lexicon loading, regex compilation and
// automaton building happen here. Compilation never throws; it returns
// diagnostics with stable codes and rule-file line:column.
//
// Thread safety: a RuleSet is immutable after compilation. Evaluating one
// RuleSet from any number of threads at once is safe; share it as
// std::shared_ptr<const RuleSet>.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chatqa/diagnostic.hpp"
#include "chatqa/export.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

namespace detail {
struct RuleSetAccess;  // the library's own access to the compiled form
}  // namespace detail

// A file that a rule file names: a lexicon file, a word list
// (`known_words`), a frequency list (`word_frequencies`), also when a typo
// dictionary's own "#:" line names it. See CompileOptions::file_resolver.
struct FileRequest {
  std::string path;      // as written (in the rule file or the "#:" line)
  std::string resolved;  // joined with the folder of the file naming it, normalised lexically ("a/../b" -> "b")
  std::string kind;      // "lexicon", "known_words" or "word_frequencies"
};

// What a FileResolver answers: the file's text, or why there is none.
struct FileContent {
  bool ok = false;
  std::string text;   // when ok (still limited to max_lexicon_file_bytes)
  std::string error;  // when not ok: shown in the diagnostic (E0111, W0103)
};

using FileResolver = std::function<FileContent(const FileRequest&)>;

struct CompileOptions {
  // Memory budget of each compiled regex (RE2 max_mem), in bytes.
  std::size_t regex_max_mem = 8u << 20;
  // Memory budget of the rule set's combined regex prefilter (RE2::Set).
  std::size_t regex_set_max_mem = 64u << 20;
  // Most literal phrases a rule set may hold (after lexicon expansion).
  std::size_t max_phrases = 1000000;
  // Most bytes a lexicon file may have (checked before reading).
  std::size_t max_lexicon_file_bytes = 64u << 20;
  // Most bytes a rule file may have (compile_rule_file; checked before reading).
  std::size_t max_rule_file_bytes = 16u << 20;
  // Deepest nesting of checks inside checks ("not", "all", "any", "when"):
  // an item's check is depth 1. Deeper is E0117; no rule file can make the
  // compiler or the evaluator recurse further.
  int max_check_depth = 32;
  // Folders the files a rule file names may be read from, besides the
  // defaults: the rule file's folder (RuleSource::base_dir; "" = the current
  // directory) and the "lexicons" folder beside it (rules/zh-CN/x.json may
  // read rules/lexicons/...), and for `known_words` also the system word
  // lists /usr/share/dict and /usr/share/hunspell. A path resolving outside
  // all of them (absolute, climbing with "..", or through a symlink) is
  // E0118 and nothing is read. "/" allows every file (docs/limits.md).
  std::vector<std::string> allowed_roots;
  // When set, the files a rule file names are asked from this callback (a
  // database, an archive, a tenant's upload) instead of the file system:
  // chatqa opens none of them itself and applies no roots. Called on the
  // compiling thread only, during compile_rules / compile_rule_file.
  FileResolver file_resolver;
};

enum class ItemSeverity { minor, fatal };

// Read-only description of one item of a compiled rule set.
struct ItemInfo {
  std::string id;
  std::string title;
  std::string category;
  double points = 0;
  ItemSeverity severity = ItemSeverity::minor;
  bool bonus = false;
  std::string check_type;
  std::string description;
  std::string source;
};

class RuleSet {
 public:
  struct Impl;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  const std::string& name() const noexcept;
  const std::string& version() const noexcept;
  double total() const noexcept;
  const std::vector<ItemInfo>& items() const noexcept;
  // Path the rule set was read from ("" if compiled from text).
  const std::string& path() const noexcept;
  // Number of literal phrases compiled into the shared matcher.
  std::size_t phrase_count() const noexcept;

  // For the library only (detail::RuleSetAccess): Impl is not part of the API.
  friend struct detail::RuleSetAccess;

 private:
  const Impl& impl() const noexcept { return *impl_; }
  std::unique_ptr<Impl> impl_;
};

struct CompileResult {
  std::shared_ptr<const RuleSet> rule_set;  // null when there are errors
  std::vector<Diagnostic> diagnostics;      // errors and warnings, in file order
  bool ok() const noexcept { return rule_set != nullptr; }
};

// Compiles the rule file at `path`; lexicon files resolve relative to it.
CompileResult compile_rule_file(const std::string& path, const CompileOptions& options = {});

// Where rule-set text comes from, for compile_rules (fields set by name).
struct RuleSource {
  std::string file_name;  // used in diagnostics and as RuleSet::path(); "" if none
  std::string base_dir;   // lexicon files resolve relative to it ("" = current directory)
};

// Compiles rule-set JSON text.
CompileResult compile_rules(std::string_view json_text, const RuleSource& source, const CompileOptions& options = {});
// The same with the source's two strings side by side (kept for existing
// callers; RuleSource says which string is which).
CompileResult compile_rules(std::string_view json_text, const std::string& file_name,
                            const std::string& base_dir, const CompileOptions& options = {});

}  // namespace chatqa
CHATQA_PUBLIC_END
