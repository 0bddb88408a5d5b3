// Running test cases: a TestFile's cases against a compiled rule set ->
// CaseResults (mismatches), per-item tallies and coverage.
#include "chatqa/testing.hpp"

#include <algorithm>
#include <set>

#include <re2/re2.h>

#include "rules/did_you_mean.hpp"
#include "testing/common.hpp"

namespace chatqa {

using namespace detail::rule_tests;

std::vector<Diagnostic> check_test_file(const TestFile& file, const RuleSet& rules) {
  std::vector<Diagnostic> out;
  std::vector<std::string> ids;
  for (const ItemInfo& info : rules.items()) ids.push_back(info.id);
  auto info_of = [&](const std::string& id) -> const ItemInfo* {
    for (const ItemInfo& info : rules.items()) {
      if (info.id == id) return &info;
    }
    return nullptr;
  };
  auto report = [&](const char* code, const TestSource& at, std::string message) {
    Diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.file = at.file.empty() ? file.path : at.file;
    d.json_pointer = at.json_pointer;
    d.line = at.line;
    d.column = at.column;
    out.push_back(std::move(d));
  };
  auto known = [&](const std::string& id, const TestSource& at) {
    if (info_of(id)) return true;
    std::string msg = "unknown item \"" + id + "\": rule set \"" + rules.name() + "\" has no such item";
    if (auto near = detail::did_you_mean(id, ids)) msg += "; did you mean \"" + *near + "\"?";
    report("E0505", at, msg);
    return false;
  };
  for (const TestCase& tc : file.cases) {
    std::set<std::string> seen_fire, seen_clean;
    for (const FireExpectation& f : tc.fire) {
      if (!known(f.item, f.at)) continue;
      if (!seen_fire.insert(f.item).second) {
        report("E0508", f.at, "item \"" + f.item + "\" is listed twice in \"fire\"");
      }
      if (info_of(f.item)->check_type == "manual") {
        report("E0508", f.at, "item \"" + f.item + "\" is manual (left to a person); it can never fire");
      }
    }
    for (const CleanExpectation& c : tc.clean) {
      if (!known(c.item, c.at)) continue;
      if (!seen_clean.insert(c.item).second) {
        report("E0508", c.at, "item \"" + c.item + "\" is listed twice in \"clean\"");
      }
      if (seen_fire.count(c.item)) {
        report("E0508", c.at, "item \"" + c.item + "\" is expected both to fire and to stay clean");
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return out;
}

const char* to_string(CaseStatus status) noexcept {
  switch (status) {
    case CaseStatus::passed: return "pass";
    case CaseStatus::failed: return "fail";
    case CaseStatus::todo: return "todo";
    case CaseStatus::todo_passing: return "todo_passing";
  }
  return "fail";
}

CaseResult run_test_case(const RuleSet& rules, const TestCase& test_case) {
  CaseResult out;
  out.name = test_case.name;
  out.todo = test_case.todo;
  out.at = test_case.at;
  out.report = evaluate(rules, test_case.session);
  const Report& report = out.report;
  auto mismatch = [&](const std::string& item, const char* field, std::string expected, std::string actual) {
    out.mismatches.push_back(Mismatch{item, field, std::move(expected), std::move(actual)});
  };
  if (!report.error.empty()) mismatch("", "error", "none", report.error);
  for (const FireExpectation& f : test_case.fire) {
    const ItemResult* r = find_item(report, f.item);
    if (!r) {
      mismatch(f.item, "unknown_item", "an item of rule set \"" + rules.name() + "\"", "no such item");
      continue;
    }
    if (!fired(*r)) {
      mismatch(f.item, "fires", "fires", describe_outcome(*r));
      continue;
    }
    if (f.hits && *f.hits != r->hits) mismatch(f.item, "hits", std::to_string(*f.hits), std::to_string(r->hits));
    if (f.messages) {
      std::vector<long> actual;
      for (const Finding& finding : r->findings) actual.push_back(message_or_session(finding.at));
      if (actual != *f.messages) mismatch(f.item, "messages", list_text(*f.messages), list_text(actual));
    }
    if (f.quotes) {
      std::vector<std::string> actual;
      for (const Finding& finding : r->findings) {
        if (finding.at.span) actual.push_back(finding.at.quote);
      }
      if (actual != *f.quotes) mismatch(f.item, "quotes", list_text(*f.quotes), list_text(actual));
    }
    if (f.deducted) {
      const double actual = r->bonus ? r->awarded : r->deducted;
      if (!same_points(actual, *f.deducted)) {
        mismatch(f.item, "deducted", format_points(*f.deducted), format_points(actual));
      }
    }
  }
  for (const CleanExpectation& c : test_case.clean) {
    const ItemResult* r = find_item(report, c.item);
    if (!r) {
      mismatch(c.item, "unknown_item", "an item of rule set \"" + rules.name() + "\"", "no such item");
    } else if (fired(*r)) {
      mismatch(c.item, "clean", "clean", describe_outcome(*r));
    }
  }
  if (test_case.score && !same_points(*test_case.score, report.score)) {
    mismatch("", "score", format_points(*test_case.score), format_points(report.score));
  }
  if (test_case.fatal && *test_case.fatal != report.fatal) {
    mismatch("", "fatal", *test_case.fatal ? "true" : "false", report.fatal ? "true" : "false");
  }
  const bool pass = out.mismatches.empty();
  if (test_case.todo.empty()) {
    out.status = pass ? CaseStatus::passed : CaseStatus::failed;
  } else {
    out.status = pass ? CaseStatus::todo_passing : CaseStatus::todo;
  }
  return out;
}

std::size_t RuleTestResult::count(CaseStatus status) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(cases.begin(), cases.end(), [status](const CaseResult& c) { return c.status == status; }));
}

namespace {

void judge_coverage(RuleTestResult& out) {
  out.coverage_judged = true;
  for (std::size_t i = 0; i < out.items.size(); ++i) {
    const ItemTally& t = out.items[i];
    if (t.manual) {
      out.manual.push_back(t.id);
      continue;
    }
    if (t.fire_cases == 0) out.never_fire.push_back(t.id);
    if (t.clean_cases == 0) out.never_clean.push_back(t.id);
  }
}

}  // namespace

RuleTestResult run_test_files(const RuleSet& rules, const std::vector<TestFile>& files,
                              const RuleTestOptions& options) {
  RuleTestResult out;
  out.rule_file = rules.path();
  out.rule_set_name = rules.name();
  out.rule_set_version = rules.version();
  for (const ItemInfo& info : rules.items()) {
    ItemTally t;
    t.id = info.id;
    t.manual = info.check_type == "manual";
    out.items.push_back(std::move(t));
  }
  std::optional<RE2> pattern;
  if (!options.case_pattern.empty()) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    pattern.emplace(options.case_pattern, re_options);
    if (!pattern->ok()) {
      out.diagnostics.push_back(pattern_error(options.case_pattern, pattern->error()));
      return out;
    }
  }
  auto tally = [&out](const std::string& id) -> ItemTally* {
    for (ItemTally& t : out.items) {
      if (t.id == id) return &t;
    }
    return nullptr;
  };
  for (const TestFile& file : files) {
    out.test_files.push_back(file.path);
    for (Diagnostic& d : check_test_file(file, rules)) out.diagnostics.push_back(std::move(d));
    for (const TestCase& tc : file.cases) {
      if (pattern && !RE2::PartialMatch(tc.name, *pattern)) continue;
      CaseResult result = run_test_case(rules, tc);
      if (tc.todo.empty()) {
        for (const FireExpectation& f : tc.fire) {
          ItemTally* t = tally(f.item);
          const ItemResult* r = find_item(result.report, f.item);
          if (!t || !r) continue;
          ++t->fire_cases;
          ++(fired(*r) ? t->true_positives : t->false_negatives);
        }
        for (const CleanExpectation& c : tc.clean) {
          ItemTally* t = tally(c.item);
          const ItemResult* r = find_item(result.report, c.item);
          if (!t || !r) continue;
          ++t->clean_cases;
          if (fired(*r)) ++t->false_positives;
        }
      }
      out.cases.push_back(std::move(result));
    }
  }
  std::sort(out.test_files.begin(), out.test_files.end());
  if (!pattern) judge_coverage(out);
  return out;
}

bool RuleTestRun::has_errors() const noexcept {
  if (chatqa::has_errors(diagnostics)) return true;
  return std::any_of(suites.begin(), suites.end(),
                     [](const RuleTestResult& s) { return chatqa::has_errors(s.diagnostics); });
}

bool RuleTestRun::has_failures() const noexcept {
  for (const RuleTestResult& s : suites) {
    if (s.count(CaseStatus::failed) > 0) return true;
    if (require_coverage && s.coverage_judged && !s.coverage_complete()) return true;
  }
  return false;
}

int RuleTestRun::exit_code() const noexcept {
  if (has_errors()) return 2;
  return has_failures() ? 1 : 0;
}

}  // namespace chatqa
