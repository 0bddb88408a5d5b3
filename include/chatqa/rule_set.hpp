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
