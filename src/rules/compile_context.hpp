// Compile-side internals: what the compiler and each check's factory use
// to read a rule file (Params: one JSON object's keys, with diagnostics;
// CompileContext: diagnostics, lexicons, phrase groups, nested checks).
// Lives only while compile_rules runs; evaluation never sees it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/diagnostic.hpp"
#include "chatqa/rule_set.hpp"
#include "input/json_locator.hpp"
#include "rules/file_access.hpp"
#include "rules/role_mask.hpp"
#include "rules/rule_set_impl.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::detail {

using json = nlohmann::json;

// One line of a typo dictionary: `wrong->right[, right2] [!context ...]`.
struct TypoEntry {
  std::string wrong, right;             // right: "right[, right2]"
  std::vector<std::string> exceptions;  // longer contexts where `wrong` is correct text
  bool lowercase_only = false;          // a name in a word list (Ballance): a typo only written in lower case
};

// A named list of phrases or typo corrections, from the rule set's "lexicons".
struct Lexicon {
  std::string name;
  std::vector<std::string> phrases;    // phrase lexicons
  std::vector<TypoEntry> corrections;  // typo lexicons
  bool is_typos = false;
  std::string pointer;  // where it is defined
  // Typo lexicons: the frequency word list that judges Chinese hits against
  // the words crossing their edges ("" none); see docs/checks.md#typo_count.
  NamedPath word_frequencies;  // .written "" = none
};

class CompileContext;

// Reads a check's or item's JSON object: reports unknown keys (with "did you
// mean"), wrong types and out-of-range values as diagnostics.
class Params {
 public:
  Params(CompileContext& ctx, const json& object, std::string pointer, std::vector<std::string> allowed_keys);

  const json* get(const std::string& key) const;
  bool has(const std::string& key) const { return get(key) != nullptr; }
  std::string pointer(const std::string& key) const;
  const std::string& pointer() const { return pointer_; }
  CompileContext& ctx() { return ctx_; }

  std::optional<double> number(const std::string& key, bool required, double min, double max);
  std::optional<long> integer(const std::string& key, bool required, long min, long max);
  std::optional<std::string> string(const std::string& key, bool required, const std::vector<std::string>& one_of = {});
  std::optional<bool> boolean(const std::string& key);
  // A role name or a list of them; `fallback` when absent.
  RoleMask roles(const std::string& key, RoleMask fallback);
  // Phrase-matching options of "normalize" ({traditional, skip_separators, whole_word}).
  // `inherit_traditional`: default `traditional` to the rule set's option.
  text::MatchSettings match_settings(const std::string& key, int default_skip, bool inherit_traditional = true);
  // A list of strings ("phrases", "allow", ...); absent = empty.
  std::vector<std::pair<std::string, std::string>> strings(const std::string& key);  // (value, pointer)

 private:
  CompileContext& ctx_;
  const json& object_;
  std::string pointer_;
};

class CompileContext {
 public:
  CompileContext(RuleSet::Impl& impl, const JsonLocator& locator, std::string file, std::string base_dir,
                 const CompileOptions& options, std::vector<Diagnostic>& diagnostics);

  void error(const std::string& code, const std::string& pointer, const std::string& message, bool at_key = false);
  void warning(const std::string& code, const std::string& pointer, const std::string& message);
  bool failed() const { return errors_ > 0; }
  // E0119 for each key an object of the rule file has twice (both positions).
  void report_duplicate_keys();

  const CompileOptions& options() const { return options_; }
  const std::string& base_dir() const { return base_dir_; }
  // Reads a file the rule file names (a lexicon, word list, frequency list;
  // `kind` as in FileRequest), within the allowed roots or from the
  // options' file_resolver (file_access.hpp). A path outside the roots is
  // reported here (E0118 at `pointer`) and comes back with `refused` set.
  NamedFileRead read_named_file(const NamedPath& path, std::string_view kind, const std::string& pointer);
  RuleSet::Impl& rule_set() { return impl_; }
  bool default_traditional() const { return default_traditional_; }
  void set_default_traditional(bool on) { default_traditional_ = on; }
  // The most characters a bare "…" of a gap phrase allows (options.max_gap).
  int default_max_gap() const { return default_max_gap_; }
  void set_default_max_gap(int n) { default_max_gap_ = n; }
  bool default_latin_evasions() const { return default_latin_evasions_; }
  void set_default_latin_evasions(bool on) { default_latin_evasions_ = on; }

  std::map<std::string, Lexicon>& lexicons() { return lexicons_; }
  // Resolves "@name" (reporting E0108 at `pointer` if unknown).
  const Lexicon* lexicon_ref(const std::string& ref, const std::string& pointer);

  // Creates an empty phrase group read by messages of `roles`.
  std::uint32_t new_group(RoleMask roles, const text::MatchSettings& settings);
  // Adds phrases ("literal" or "@lexicon") to a group. `label` names the group in explanations.
  void add_phrases(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& phrases);
  void add_regexes(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& regexes);
  // A group that checks read only through EvalContext::hits (its hits'
  // spans and its patterns' texts, labels and display): it may share the
  // hits of an equal group (share_equal_groups).
  void mark_shareable(std::uint32_t group) { shareable_.push_back(group); }
  // Before the matcher is built: each shareable group whose patterns (texts,
  // labels, display, in order), roles and match settings equal an earlier
  // shareable group's is matched as that group (PhraseMatcher::share_group).
  // Not groups with example sentences or Latin evasions (their hits carry
  // more than the patterns say).
  void share_equal_groups();

  // Compiles a nested check object (for composition and conditions).
  std::unique_ptr<Check> compile_check(const json& check, const std::string& pointer);

 private:
  RuleSet::Impl& impl_;
  const JsonLocator& locator_;
  std::string file_, base_dir_;
  const CompileOptions& options_;
  FileAccess files_;
  std::vector<Diagnostic>& diagnostics_;
  std::map<std::string, Lexicon> lexicons_;
  int errors_ = 0;
  int check_depth_ = 0;  // of the compile_check calls under way
  bool default_traditional_ = false;
  int default_max_gap_ = 8;
  bool default_latin_evasions_ = false;
  std::vector<std::uint32_t> shareable_;
};

}  // namespace chatqa::detail
