// Report -> JSON (deterministic: fixed key order, no hash-map iteration).
#include "chatqa/report.hpp"
#include "report/json_writer.hpp"
#include "report/report_size.hpp"

namespace chatqa {
namespace {

using detail::JsonWriter;

void location_members(JsonWriter& w, const Location& at) {
  if (at.message) {
    w.member("message", *at.message);
    w.member("time", at.time);
    if (at.role) w.literal_member("role", to_string(*at.role));
  }
  if (at.span) {
    w.member("quote", at.quote);
    w.key("span");
    w.begin_array();
    w.value(static_cast<unsigned long long>(at.span->begin));
    w.value(static_cast<unsigned long long>(at.span->end));
    w.end_array();
  }
}

void write_finding(JsonWriter& w, const Finding& f) {
  w.begin_object();
  location_members(w, f.at);
  if (!f.matched.empty()) w.member("matched", f.matched);
  if (!f.nearest.empty()) w.member("nearest", f.nearest);
  if (f.similarity) {
    // Two decimals, as the explanation shows it.
    w.key("similarity");
    w.number(static_cast<double>(static_cast<long>(*f.similarity * 100 + 0.5)) / 100);
  }
  if (!f.suggestion.empty()) w.member("suggestion", f.suggestion);
  if (!f.language.empty()) w.member("language", f.language);
  if (f.value) {
    w.key("value");
    w.number(*f.value);
  }
  w.member("explanation", f.explanation);
  if (f.related) {
    w.key("related");
    w.begin_object();
    location_members(w, *f.related);
    w.end_object();
  }
  w.end_object();
}

void write_item(JsonWriter& w, const ItemResult& r, const JsonReportOptions& options, bool with_findings = true) {
  w.begin_object();
  w.member("id", r.id);
  if (r.status != ItemStatus::failed) {
    if (options.include_passed || r.status != ItemStatus::passed) {
      w.member("title", r.title);
      w.member("category", r.category);
    }
    w.literal_member("status", to_string(r.status));
    w.end_object();
    return;
  }
  w.member("title", r.title);
  w.member("category", r.category);
  if (r.severity == ItemSeverity::fatal) w.literal_member("severity", "fatal");
  w.literal_member("status", r.bonus ? "bonus" : "failed");
  w.key(r.bonus ? "awarded" : "deducted");
  w.number(r.bonus ? r.awarded : r.deducted);
  w.member("hits", static_cast<unsigned long long>(r.hits));
  if (!r.also_of.empty()) w.member("also_of", r.also_of);
  w.key("findings");
  w.begin_array();
  if (with_findings) {
    for (const Finding& f : r.findings) write_finding(w, f);
  }
  w.end_array();
  // Findings left out by the caps (EvalOptions::max_findings_*); absent when none.
  if (r.truncated) w.member("truncated", static_cast<unsigned long long>(r.truncated));
  w.end_object();
}

// About the compact JSON size of `report` (a little more), so the output is
// allocated once instead of growing by doubling, copying itself each time.
std::size_t estimated_size(const Report& report) {
  auto location = [](const Location& at) { return 96 + at.time.size() + at.quote.size(); };
  std::size_t n = 256 + report.session_id.size() + report.agent.size() + report.team.size() +
                  report.rule_set_name.size() + report.rule_set_version.size() + report.error.size();
  for (const ItemResult& r : report.items) {
    n += 48 + r.id.size();
    if (r.status == ItemStatus::passed) continue;
    n += 96 + r.title.size() + r.category.size() + r.also_of.size();
    for (const Finding& f : r.findings) {
      n += 64 + location(f.at) + f.matched.size() + f.nearest.size() + f.suggestion.size() + f.language.size() + f.explanation.size();
      if (f.related) n += location(*f.related);
    }
  }
  return n;
}

void write_report(JsonWriter& w, const Report& report, const JsonReportOptions& options, bool with_findings) {
  w.begin_object();
  w.member("session", report.session_id);
  w.member("agent", report.agent);
  if (!report.team.empty()) w.member("team", report.team);
  w.key("rule_set");
  w.begin_object();
  w.member("name", report.rule_set_name);
  w.member("version", report.rule_set_version);
  w.end_object();
  w.key("total");
  w.number(report.total);
  w.key("score");
  w.number(report.score);
  w.member("fatal", report.fatal);
  w.member("messages", static_cast<unsigned long long>(report.message_count));
  if (!report.started.empty()) w.member("started", report.started);
  if (!report.error.empty()) w.member("error", report.error);
  if (report.truncated) w.member("truncated", static_cast<unsigned long long>(report.truncated));
  w.key("items");
  w.begin_array();
  for (const ItemResult& r : report.items) {
    if (r.status == ItemStatus::passed && !options.include_passed) continue;
    write_item(w, r, options, with_findings);
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string to_json(const Report& report, const JsonReportOptions& options) {
  std::string out;
  to_json(report, out, options);
  return out;
}

void to_json(const Report& report, std::string& out, const JsonReportOptions& options) {
  out.clear();
  // Escapes and indentation can make it longer: then it grows as usual.
  out.reserve(estimated_size(report) * (options.pretty ? 2 : 1));
  JsonWriter w(out, options.pretty ? 2 : -1);
  write_report(w, report, options, true);
  w.finish();
}

namespace detail {

std::size_t json_bytes_upper_bound(const Report& report) noexcept {
  // Strings: 6 bytes per byte (a \u00XX escape) and the quotes; everything
  // else of an object (keys, numbers, punctuation) in the constant.
  auto text = [](const std::string& s) { return 6 * s.size() + 2; };
  auto location = [&](const Location& at) { return 160 + text(at.time) + text(at.quote); };
  std::size_t n = 512 + text(report.session_id) + text(report.agent) + text(report.team) +
                  text(report.rule_set_name) + text(report.rule_set_version) + text(report.error) +
                  text(report.started);
  for (const ItemResult& r : report.items) {
    n += 256 + text(r.id) + text(r.title) + text(r.category) + text(r.also_of);
    for (const Finding& f : r.findings) {
      n += 256 + location(f.at) + text(f.matched) + text(f.nearest) + text(f.suggestion) + text(f.language) +
           text(f.explanation);
      if (f.related) n += location(*f.related);
    }
  }
  return n;
}

std::size_t json_bytes_without_findings(const Report& report, std::string& scratch) {
  scratch.clear();
  JsonWriter w(scratch);
  JsonReportOptions every_item;
  every_item.include_passed = true;
  write_report(w, report, every_item, false);
  w.finish();
  return scratch.size();
}

std::size_t finding_json_bytes(const Finding& finding, std::string& scratch) {
  scratch.clear();
  JsonWriter w(scratch);
  write_finding(w, finding);
  w.finish();
  return scratch.size();
}

}  // namespace detail

std::string error_record_json(const InputError& error, const std::string& input_name) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("error");
  w.begin_object();
  w.member("code", error.code);
  w.member("message", mask_pii(error.message));  // an echo of the input: personal numbers masked
  w.member("input", input_name);
  if (error.line > 0) w.member("line", static_cast<unsigned long long>(error.line));
  if (!error.json_pointer.empty()) w.member("pointer", error.json_pointer);
  w.end_object();
  w.end_object();
  w.finish();
  return out;
}

}  // namespace chatqa
