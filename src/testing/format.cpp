// A test run for people (to_text) and for tools (to_json).
#include "chatqa/testing.hpp"

#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "testing/common.hpp"

namespace chatqa {

using namespace detail::rule_tests;

namespace {

std::string case_place(const CaseResult& c) {
  std::string out = c.at.file;
  if (c.at.line > 0) out += ":" + std::to_string(c.at.line) + ":" + std::to_string(c.at.column);
  return out;
}

std::string diff_label(const Mismatch& m) {
  if (m.item.empty()) return m.field;
  if (m.field == "fires" || m.field == "clean" || m.field == "unknown_item") return m.item;
  return m.item + " " + m.field;
}

// Items named in the mismatches, in rule-set (report) order, that have findings.
std::vector<const ItemResult*> items_to_show(const CaseResult& c) {
  std::vector<const ItemResult*> out;
  for (const ItemResult& r : c.report.items) {
    if (r.findings.empty()) continue;
    const bool named =
        std::any_of(c.mismatches.begin(), c.mismatches.end(), [&r](const Mismatch& m) { return m.item == r.id; });
    if (named) out.push_back(&r);
  }
  return out;
}

void write_diff(std::ostringstream& out, const CaseResult& c) {
  for (const Mismatch& m : c.mismatches) {
    out << "           - " << diff_label(m) << " " << m.expected << "\n";
    out << "           + " << diff_label(m) << " " << m.actual << "\n";
  }
  const auto shown = items_to_show(c);
  if (shown.empty()) return;
  out << "           findings:\n";
  for (const ItemResult* r : shown) {
    for (const Finding& f : r->findings) out << "             " << r->id << "  " << finding_line(f) << "\n";
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

}  // namespace

std::string to_text(const RuleTestRun& run, bool verbose) {
  std::ostringstream out;
  for (const Diagnostic& d : run.diagnostics) out << d.to_string() << "\n";
  std::size_t passed = 0, failed = 0, todo = 0, todo_passing = 0, gaps = 0;
  for (const RuleTestResult& s : run.suites) {
    out << s.rule_file;
    if (!s.rule_set_name.empty()) out << "  (" << s.rule_set_name << " " << s.rule_set_version << ")";
    out << "\n";
    for (const Diagnostic& d : s.diagnostics) out << "  " << d.to_string() << "\n";
    if (s.test_files.empty() && !s.rule_set_name.empty()) {
      out << "  no test file: write one as <rules>.tests.json beside the rule file or in tests/ next to it\n";
    }
    for (const CaseResult& c : s.cases) {
      switch (c.status) {
        case CaseStatus::passed: out << "  PASS   "; break;
        case CaseStatus::failed: out << "  FAIL   "; break;
        case CaseStatus::todo: out << "  TODO   "; break;
        case CaseStatus::todo_passing: out << "  FIXED  "; break;
      }
      out << case_place(c) << "  " << c.name;
      if (c.status == CaseStatus::todo) out << "  (todo: " << c.todo << ")";
      if (c.status == CaseStatus::todo_passing) out << "  (passes now; remove its \"todo\": " << c.todo << ")";
      out << "\n";
      if (c.status == CaseStatus::failed || (verbose && c.status == CaseStatus::todo)) write_diff(out, c);
    }
    passed += s.count(CaseStatus::passed);
    failed += s.count(CaseStatus::failed);
    todo += s.count(CaseStatus::todo);
    todo_passing += s.count(CaseStatus::todo_passing);
    if (s.items.empty()) continue;
    std::size_t width = 4;
    for (const ItemTally& t : s.items) width = std::max(width, t.id.size());
    out << "  items (cases expecting fire / clean; true positives, false positives, false negatives):\n";
    out << "    " << std::left << std::setw(static_cast<int>(width)) << "item" << std::right << "  fire clean"
        << "    TP   FP   FN\n";
    for (const ItemTally& t : s.items) {
      out << "    " << std::left << std::setw(static_cast<int>(width)) << t.id << std::right;
      if (t.manual) {
        out << "  manual\n";
        continue;
      }
      out << "  " << std::setw(4) << t.fire_cases << " " << std::setw(5) << t.clean_cases << "  " << std::setw(4)
          << t.true_positives << " " << std::setw(4) << t.false_positives << " " << std::setw(4) << t.false_negatives
          << "\n";
    }
    if (!s.coverage_judged) {
      out << "  coverage: not judged (" << (s.rule_set_name.empty() ? "rule file broken" : "cases selected by --run")
          << ")\n";
    } else if (s.coverage_complete()) {
      out << "  coverage: every item has a case that makes it fire and one that checks it clean";
      if (!s.manual.empty()) out << " (manual, exempt: " << join(s.manual) << ")";
      out << "\n";
    } else {
      ++gaps;
      out << "  coverage gaps:\n";
      if (!s.never_fire.empty()) out << "    no case makes fire: " << join(s.never_fire) << "\n";
      if (!s.never_clean.empty()) out << "    no case checks clean: " << join(s.never_clean) << "\n";
      if (!s.manual.empty()) out << "    manual (exempt): " << join(s.manual) << "\n";
    }
  }
  out << passed + failed + todo + todo_passing << " cases: " << passed << " passed, " << failed << " failed, " << todo
      << " todo";
  if (todo_passing > 0) out << ", " << todo_passing << " todo now passing";
  if (gaps > 0) out << "; " << gaps << (gaps == 1 ? " rule set" : " rule sets") << " with coverage gaps";
  if (run.has_errors()) out << "; broken rule or test files (see errors above)";
  out << "\n";
  return out.str();
}

namespace {

ojson diagnostic_json(const Diagnostic& d) {
  return ojson{
      {"file", d.file}, {"line", d.line},       {"column", d.column},       {"severity", to_string(d.severity)},
      {"code", d.code}, {"message", d.message}, {"pointer", d.json_pointer}};
}

ojson points_json(double v) {
  const double r = std::round(v * 100.0) / 100.0;
  if (std::fabs(r - std::round(r)) < 1e-9) return ojson(static_cast<long long>(std::llround(r)));
  return ojson(r);
}

}  // namespace

namespace {

// One test case: status, mismatches, score and the items that fired.
ojson case_json(const CaseResult& c) {
  ojson jc = ojson::object();
  jc["name"] = c.name;
  jc["file"] = c.at.file;
  jc["line"] = c.at.line;
  jc["column"] = c.at.column;
  jc["status"] = to_string(c.status);
  if (!c.todo.empty()) jc["todo"] = c.todo;
  ojson mismatches = ojson::array();
  for (const Mismatch& m : c.mismatches) {
    mismatches.push_back({{"item", m.item}, {"field", m.field}, {"expected", m.expected}, {"actual", m.actual}});
  }
  jc["mismatches"] = std::move(mismatches);
  jc["score"] = points_json(c.report.score);
  jc["fatal"] = c.report.fatal;
  ojson fired_items = ojson::array();
  for (const ItemResult& r : c.report.items) {
    if (r.status != ItemStatus::failed) continue;
    ojson findings = ojson::array();
    for (const Finding& f : r.findings) {
      ojson jf = ojson::object();
      jf["message"] = message_or_session(f.at);
      if (f.at.span) jf["quote"] = f.at.quote;
      jf["explanation"] = f.explanation;
      findings.push_back(std::move(jf));
    }
    fired_items.push_back({{"id", r.id},
                           {"hits", r.hits},
                           {r.bonus ? "awarded" : "deducted", points_json(r.bonus ? r.awarded : r.deducted)},
                           {"findings", std::move(findings)}});
  }
  jc["fired"] = std::move(fired_items);
  return jc;
}

// One rule file's suite: its cases, per-item tallies and coverage.
ojson suite_json(const RuleTestResult& s) {
  ojson suite = ojson::object();
  suite["rule_file"] = s.rule_file;
  suite["rule_set"] = {{"name", s.rule_set_name}, {"version", s.rule_set_version}};
  suite["test_files"] = s.test_files;
  ojson sd = ojson::array();
  for (const Diagnostic& d : s.diagnostics) sd.push_back(diagnostic_json(d));
  suite["diagnostics"] = std::move(sd);
  ojson cases = ojson::array();
  for (const CaseResult& c : s.cases) cases.push_back(case_json(c));
  suite["cases"] = std::move(cases);
  ojson items = ojson::array();
  for (const ItemTally& t : s.items) {
    items.push_back({{"id", t.id},
                     {"manual", t.manual},
                     {"fire_cases", t.fire_cases},
                     {"clean_cases", t.clean_cases},
                     {"true_positives", t.true_positives},
                     {"false_positives", t.false_positives},
                     {"false_negatives", t.false_negatives}});
  }
  suite["items"] = std::move(items);
  if (s.coverage_judged) {
    suite["coverage"] = {{"complete", s.coverage_complete()},
                         {"never_fire", s.never_fire},
                         {"never_clean", s.never_clean},
                         {"manual", s.manual}};
  } else {
    suite["coverage"] = nullptr;
  }
  return suite;
}

}  // namespace

std::string to_json(const RuleTestRun& run) {
  ojson doc = ojson::object();
  ojson diagnostics = ojson::array();
  for (const Diagnostic& d : run.diagnostics) diagnostics.push_back(diagnostic_json(d));
  ojson suites = ojson::array();
  std::size_t passed = 0, failed = 0, todo = 0, todo_passing = 0;
  for (const RuleTestResult& s : run.suites) {
    suites.push_back(suite_json(s));
    passed += s.count(CaseStatus::passed);
    failed += s.count(CaseStatus::failed);
    todo += s.count(CaseStatus::todo);
    todo_passing += s.count(CaseStatus::todo_passing);
  }
  doc["suites"] = std::move(suites);
  doc["diagnostics"] = std::move(diagnostics);
  doc["summary"] = {{"cases", passed + failed + todo + todo_passing},
                    {"passed", passed},
                    {"failed", failed},
                    {"todo", todo},
                    {"todo_passing", todo_passing},
                    {"broken_files", run.has_errors()},
                    {"exit_code", run.exit_code()}};
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace chatqa
