// Report -> JSON (deterministic: fixed key order, no hash-map iteration).
#include <cmath>

#include <nlohmann/json.hpp>

#include "chatqa/report.hpp"

namespace chatqa {
namespace {

using ojson = nlohmann::ordered_json;

ojson number(double v) {
  const double r = std::round(v * 100.0) / 100.0;
  if (std::fabs(r - std::round(r)) < 1e-9) return ojson(static_cast<long long>(std::llround(r)));
  return ojson(r);
}

ojson location_json(const Location& at) {
  ojson j = ojson::object();
  if (at.message >= 0) {
    j["message"] = at.message;
    j["time"] = at.time;
    if (at.role) j["role"] = to_string(*at.role);
  }
  if (at.has_span) {
    j["quote"] = at.quote;
    j["span"] = ojson::array({at.span_begin, at.span_end});
  }
  return j;
}

ojson finding_json(const Finding& f) {
  ojson j = location_json(f.at);
  if (!f.matched.empty()) j["matched"] = f.matched;
  if (!f.suggestion.empty()) j["suggestion"] = f.suggestion;
  if (f.has_value) j["value"] = number(f.value);
  j["explanation"] = f.explanation;
  if (f.related) {
    ojson rel = location_json(*f.related);
    j["related"] = rel;
  }
  return j;
}

}  // namespace

std::string to_json(const Report& report, const JsonReportOptions& options) {
  ojson j;
  j["session"] = report.session_id;
  j["agent"] = report.agent;
  if (!report.team.empty()) j["team"] = report.team;
  j["rule_set"] = {{"name", report.rule_set_name}, {"version", report.rule_set_version}};
  j["total"] = number(report.total);
  j["score"] = number(report.score);
  j["fatal"] = report.fatal;
  j["messages"] = report.message_count;
  if (!report.started.empty()) j["started"] = report.started;
  if (!report.error.empty()) j["error"] = report.error;
  ojson items = ojson::array();
  for (const ItemResult& r : report.items) {
    if (r.status == ItemStatus::passed && !options.include_passed) continue;
    ojson it;
    it["id"] = r.id;
    if (r.status == ItemStatus::manual_review || r.status == ItemStatus::not_applicable ||
        r.status == ItemStatus::pending || r.status == ItemStatus::passed) {
      if (options.include_passed || r.status != ItemStatus::passed) {
        it["title"] = r.title;
        it["category"] = r.category;
      }
      it["status"] = to_string(r.status);
      items.push_back(std::move(it));
      continue;
    }
    it["title"] = r.title;
    it["category"] = r.category;
    if (r.severity == ItemSeverity::fatal) it["severity"] = "fatal";
    it["status"] = r.bonus ? "bonus" : "failed";
    if (r.bonus) {
      it["awarded"] = number(r.awarded);
    } else {
      it["deducted"] = number(r.deducted);
    }
    it["hits"] = r.hits;
    if (!r.also_of.empty()) it["also_of"] = r.also_of;
    ojson findings = ojson::array();
    for (const Finding& f : r.findings) findings.push_back(finding_json(f));
    it["findings"] = std::move(findings);
    items.push_back(std::move(it));
  }
  j["items"] = std::move(items);
  return options.pretty ? j.dump(2, ' ', false, ojson::error_handler_t::replace)
                        : j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string error_record_json(const InputError& error, const std::string& input_name) {
  ojson e;
  e["code"] = error.code;
  e["message"] = error.message;
  e["input"] = input_name;
  if (error.line > 0) e["line"] = error.line;
  if (!error.json_pointer.empty()) e["pointer"] = error.json_pointer;
  ojson j;
  j["error"] = std::move(e);
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

}  // namespace chatqa
