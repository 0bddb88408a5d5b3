// What a rule file compiles into: RuleSet::Impl, immutable once built and
// shared by every evaluation (read-only, so safe from many threads). Written
// by the compiler (rules/compile.cpp, through CompileContext), read by the
// evaluator (eval/) and the checks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "eval/check_interface.hpp"
#include "rules/role_mask.hpp"
#include "text/phrase_matcher.hpp"

namespace chatqa::detail {

// Literal phrases and regexes that are matched together; checks refer to a
// group by id and read its hits per message.
struct PhraseGroup {
  std::uint32_t id = 0;
  RoleMask roles;
  text::MatchSettings settings;
};

struct CompiledItem {
  ItemInfo info;
  std::vector<double> per_hit;    // empty: the whole `points` on any hit; else cost of hit 1, 2, ... (last repeats)
  std::vector<std::size_t> also;  // items deducted together with this one
  std::unique_ptr<Check> check;   // null for manual items
  std::unique_ptr<Check> when;    // the item applies only if this check fires (null: always)
};

}  // namespace chatqa::detail

namespace chatqa {

struct RuleSet::Impl {
  std::string name, version, path, description;
  double total = 100;
  bool renormalize_not_applicable = false;
  bool detect_language = true;  // options.detect_language: Latin typo entries only in messages of their language
  std::vector<ItemInfo> infos;
  std::vector<detail::CompiledItem> items;
  text::PhraseMatcher matcher;
  std::size_t dictionary_words = 0;  // Latin typo entries, looked up as words outside the matcher
  std::vector<detail::PhraseGroup> groups;
  detail::RoleMask matched_roles;  // roles whose messages some phrase group reads
};

}  // namespace chatqa
