// Mergeable summaries: counts and exact score histograms.
#include "summary.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

namespace chatqa::cli {
namespace {

using ojson = nlohmann::ordered_json;
using json = nlohmann::json;

constexpr int kFormatVersion = 1;
constexpr double kPercentiles[] = {5, 10, 25, 50, 75, 90, 95};

// Hundredths -> a JSON number written the way reports write points.
ojson points(std::int64_t centi) {
  if (centi % 100 == 0) return ojson(centi / 100);
  return ojson(static_cast<double>(centi) / 100.0);
}

std::string points_text(std::int64_t centi) {
  char buf[32];
  if (centi % 100 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(centi / 100));
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(centi) / 100.0);
  std::string s(buf);
  if (s.back() == '0') s.pop_back();
  return s;
}

// a / b rounded half away from zero, as an integer.
std::int64_t div_round(std::int64_t a, std::uint64_t b) {
  if (b == 0) return 0;
  const auto sb = static_cast<std::int64_t>(b);
  return a >= 0 ? (a + sb / 2) / sb : -((-a + sb / 2) / sb);
}

// A ratio with 4 decimals, exactly reproducible.
ojson ratio(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return ojson(0);
  const std::int64_t r = div_round(static_cast<std::int64_t>(num) * 10000, den);
  if (r % 10000 == 0) return ojson(r / 10000);
  return ojson(static_cast<double>(r) / 10000.0);
}

std::string percentile_key(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "p%g", p);
  return buf;
}

void add_item(std::map<std::string, ItemTally>& items, const SessionDigest::Item& it) {
  ItemTally& t = items[it.id];
  if (t.title.empty() || (!it.title.empty() && it.title < t.title)) t.title = it.title;
  if (t.category.empty() || (!it.category.empty() && it.category < t.category)) t.category = it.category;
  if (it.status == "failed") {
    ++t.failed;
    t.deducted_centi += it.deducted_centi;
  } else if (it.status == "bonus") {
    ++t.bonus;
    t.awarded_centi += it.awarded_centi;
  } else if (it.status == "manual_review") {
    ++t.manual_review;
  } else if (it.status == "not_applicable") {
    ++t.not_applicable;
  } else if (it.status == "pending") {
    ++t.pending;
  }
}

ojson group_json(const GroupStats& g, bool full_items) {
  ojson j;
  j["sessions"] = g.sessions;
  if (g.sessions > 0) {
    j["mean"] = points(div_round(g.sum_centi(), g.sessions));
    j["min"] = points(g.histogram.begin()->first);
    j["max"] = points(g.histogram.rbegin()->first);
  }
  j["fatal"] = g.fatal;
  ojson pct = ojson::object();
  if (g.sessions > 0) {
    for (double p : kPercentiles) pct[percentile_key(p)] = points(g.percentile_centi(p));
  }
  j["percentiles"] = std::move(pct);
  ojson hist = ojson::array();
  for (const auto& [score, count] : g.histogram) hist.push_back(ojson::array({points(score), count}));
  j["histogram"] = std::move(hist);
  ojson items = ojson::object();
  for (const auto& [id, t] : g.items) {
    ojson it;
    if (full_items) {
      it["title"] = t.title;
      it["category"] = t.category;
    }
    it["failed"] = t.failed;
    it["rate"] = ratio(t.failed, g.sessions);
    it["deducted"] = points(t.deducted_centi);
    if (t.bonus > 0 || full_items) {
      it["bonus"] = t.bonus;
      it["awarded"] = points(t.awarded_centi);
    }
    if (t.manual_review > 0 || full_items) it["manual_review"] = t.manual_review;
    if (t.not_applicable > 0 || full_items) it["not_applicable"] = t.not_applicable;
    if (t.pending > 0 || full_items) it["pending"] = t.pending;
    items[id] = std::move(it);
  }
  j["items"] = std::move(items);
  return j;
}

template <typename T>
T get_or(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

GroupStats group_from_json(const json& j) {
  GroupStats g;
  g.sessions = get_or<std::uint64_t>(j, "sessions", 0);
  g.fatal = get_or<std::uint64_t>(j, "fatal", 0);
  for (const json& pair : j.at("histogram")) {
    g.histogram[to_centi(pair.at(0).get<double>())] += pair.at(1).get<std::uint64_t>();
  }
  if (auto items = j.find("items"); items != j.end()) {
    for (auto it = items->begin(); it != items->end(); ++it) {
      ItemTally t;
      const json& v = it.value();
      t.title = get_or<std::string>(v, "title", "");
      t.category = get_or<std::string>(v, "category", "");
      t.failed = get_or<std::uint64_t>(v, "failed", 0);
      t.deducted_centi = to_centi(get_or<double>(v, "deducted", 0));
      t.bonus = get_or<std::uint64_t>(v, "bonus", 0);
      t.awarded_centi = to_centi(get_or<double>(v, "awarded", 0));
      t.manual_review = get_or<std::uint64_t>(v, "manual_review", 0);
      t.not_applicable = get_or<std::uint64_t>(v, "not_applicable", 0);
      t.pending = get_or<std::uint64_t>(v, "pending", 0);
      g.items[it.key()] = std::move(t);
    }
  }
  return g;
}

}  // namespace

int hour_of(const std::string& iso) {
  // "YYYY-MM-DDTHH:..." in the offset the input used: the local hour.
  if (iso.size() < 13 || (iso[10] != 'T' && iso[10] != ' ')) return -1;
  if (!std::isdigit(static_cast<unsigned char>(iso[11])) || !std::isdigit(static_cast<unsigned char>(iso[12]))) {
    return -1;
  }
  const int h = (iso[11] - '0') * 10 + (iso[12] - '0');
  return h < 24 ? h : -1;
}

std::int64_t to_centi(double points) {
  return std::llround(points * 100.0);
}

SessionDigest digest_of(const Report& report) {
  SessionDigest d;
  d.session = report.session_id;
  d.agent = report.agent;
  d.team = report.team;
  d.rule_set = report.rule_set_name + "@" + report.rule_set_version;
  d.score_centi = to_centi(report.score);
  d.fatal = report.fatal;
  d.messages = report.message_count;
  d.hour = hour_of(report.started);
  for (const ItemResult& r : report.items) {
    if (r.status == ItemStatus::passed) continue;
    SessionDigest::Item it;
    it.id = r.id;
    it.title = r.title;
    it.category = r.category;
    if (r.status == ItemStatus::failed) {
      it.status = r.bonus ? "bonus" : "failed";
    } else {
      it.status = to_string(r.status);
    }
    it.deducted_centi = to_centi(r.deducted);
    it.awarded_centi = to_centi(r.awarded);
    d.items.push_back(std::move(it));
  }
  return d;
}

std::optional<SessionDigest> digest_from_report_json(const std::string& json_text, std::string& why) {
  try {
    const json j = json::parse(json_text);
    if (!j.is_object() || !j.contains("session") || !j.contains("score")) {
      why = "not a report (no \"session\" and \"score\")";
      return std::nullopt;
    }
    SessionDigest d;
    d.session = j.at("session").get<std::string>();
    d.agent = get_or<std::string>(j, "agent", "");
    d.team = get_or<std::string>(j, "team", "");
    if (auto rs = j.find("rule_set"); rs != j.end() && rs->is_object()) {
      d.rule_set = get_or<std::string>(*rs, "name", "") + "@" + get_or<std::string>(*rs, "version", "");
    }
    d.score_centi = to_centi(j.at("score").get<double>());
    d.fatal = get_or<bool>(j, "fatal", false);
    d.messages = get_or<std::size_t>(j, "messages", 0);
    d.hour = hour_of(get_or<std::string>(j, "started", ""));
    if (auto items = j.find("items"); items != j.end()) {
      for (const json& v : *items) {
        SessionDigest::Item it;
        it.id = v.at("id").get<std::string>();
        it.title = get_or<std::string>(v, "title", "");
        it.category = get_or<std::string>(v, "category", "");
        it.status = get_or<std::string>(v, "status", "");
        if (it.status == "passed") continue;
        it.deducted_centi = to_centi(get_or<double>(v, "deducted", 0));
        it.awarded_centi = to_centi(get_or<double>(v, "awarded", 0));
        d.items.push_back(std::move(it));
      }
    }
    return d;
  } catch (const json::exception& e) {
    why = std::string("not a report: ") + e.what();
    return std::nullopt;
  }
}

void ItemTally::merge(const ItemTally& o) {
  if (title.empty() || (!o.title.empty() && o.title < title)) title = o.title;
  if (category.empty() || (!o.category.empty() && o.category < category)) category = o.category;
  failed += o.failed;
  deducted_centi += o.deducted_centi;
  bonus += o.bonus;
  awarded_centi += o.awarded_centi;
  manual_review += o.manual_review;
  not_applicable += o.not_applicable;
  pending += o.pending;
}

void GroupStats::add(const SessionDigest& d) {
  ++sessions;
  if (d.fatal) ++fatal;
  ++histogram[d.score_centi];
  for (const auto& it : d.items) add_item(items, it);
}

void GroupStats::merge(const GroupStats& o) {
  sessions += o.sessions;
  fatal += o.fatal;
  for (const auto& [score, count] : o.histogram) histogram[score] += count;
  for (const auto& [id, t] : o.items) items[id].merge(t);
}

std::int64_t GroupStats::percentile_centi(double p) const {
  if (sessions == 0) return 0;
  // Nearest rank: the smallest score with at least ceil(p% of n) sessions at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(sessions)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (const auto& [score, count] : histogram) {
    seen += count;
    if (seen >= rank) return score;
  }
  return histogram.rbegin()->first;
}

std::int64_t GroupStats::sum_centi() const {
  std::int64_t sum = 0;
  for (const auto& [score, count] : histogram) sum += score * static_cast<std::int64_t>(count);
  return sum;
}

bool WorstSession::operator<(const WorstSession& o) const {
  if (score_centi != o.score_centi) return score_centi < o.score_centi;
  if (fatal != o.fatal) return fatal;
  if (session != o.session) return session < o.session;
  if (agent != o.agent) return agent < o.agent;
  return team < o.team;
}

void Summary::add(const SessionDigest& d) {
  if (!d.rule_set.empty()) rule_sets_.insert(d.rule_set);
  overall_.add(d);
  agents_[d.agent].add(d);
  teams_[d.team].add(d);
  if (d.hour >= 0) ++hours_[static_cast<std::size_t>(d.hour)];
  if (worst_k_ == 0) return;
  WorstSession w{d.score_centi, d.fatal, d.session, d.agent, d.team};
  if (worst_.size() == worst_k_ && !(w < worst_.back())) return;
  worst_.insert(std::upper_bound(worst_.begin(), worst_.end(), w), std::move(w));
  if (worst_.size() > worst_k_) worst_.pop_back();
}

void Summary::add_error(const std::string& code) {
  ++errors_;
  ++error_codes_[code];
}

void Summary::merge(const Summary& o) {
  rule_sets_.insert(o.rule_sets_.begin(), o.rule_sets_.end());
  overall_.merge(o.overall_);
  for (const auto& [name, g] : o.agents_) agents_[name].merge(g);
  for (const auto& [name, g] : o.teams_) teams_[name].merge(g);
  for (std::size_t h = 0; h < 24; ++h) hours_[h] += o.hours_[h];
  errors_ += o.errors_;
  for (const auto& [code, n] : o.error_codes_) error_codes_[code] += n;
  // Each side kept its own top K; the top min(K) of the union is exact.
  worst_k_ = std::min(worst_k_, o.worst_k_);
  std::vector<WorstSession> all = worst_;
  all.insert(all.end(), o.worst_.begin(), o.worst_.end());
  std::sort(all.begin(), all.end());
  if (all.size() > worst_k_) all.resize(worst_k_);
  worst_ = std::move(all);
}

std::string Summary::to_json() const {
  ojson j;
  j["chatqa_summary"] = kFormatVersion;
  j["rule_sets"] = rule_sets_;
  j["records"] = records();
  j["sessions"] = sessions();
  j["errors"] = errors_;
  j["error_codes"] = error_codes_;
  j["overall"] = group_json(overall_, true);
  ojson teams = ojson::object();
  for (const auto& [name, g] : teams_) teams[name] = group_json(g, false);
  j["teams"] = std::move(teams);
  ojson agents = ojson::object();
  for (const auto& [name, g] : agents_) agents[name] = group_json(g, false);
  j["agents"] = std::move(agents);
  j["hours"] = hours_;
  j["worst_k"] = worst_k_;
  ojson worst = ojson::array();
  for (const WorstSession& w : worst_) {
    ojson e;
    e["session"] = w.session;
    e["agent"] = w.agent;
    if (!w.team.empty()) e["team"] = w.team;
    e["score"] = points(w.score_centi);
    e["fatal"] = w.fatal;
    worst.push_back(std::move(e));
  }
  j["worst"] = std::move(worst);
  return j.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

bool Summary::looks_like_summary(const std::string& head) {
  std::size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i >= head.size() || head[i] != '{') return false;
  ++i;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  return head.compare(i, 16, "\"chatqa_summary\"") == 0;
}

std::optional<Summary> Summary::from_json(const std::string& text, std::string& why) {
  try {
    const json j = json::parse(text);
    if (!j.is_object() || !j.contains("chatqa_summary")) {
      why = "not a chatqa summary";
      return std::nullopt;
    }
    if (j.at("chatqa_summary").get<int>() != kFormatVersion) {
      why = "unsupported summary format version " + j.at("chatqa_summary").dump();
      return std::nullopt;
    }
    Summary s(get_or<std::size_t>(j, "worst_k", 20));
    for (const json& r : j.at("rule_sets")) s.rule_sets_.insert(r.get<std::string>());
    s.errors_ = get_or<std::uint64_t>(j, "errors", 0);
    for (auto it = j.at("error_codes").begin(); it != j.at("error_codes").end(); ++it) {
      s.error_codes_[it.key()] = it.value().get<std::uint64_t>();
    }
    s.overall_ = group_from_json(j.at("overall"));
    for (auto it = j.at("teams").begin(); it != j.at("teams").end(); ++it) {
      s.teams_[it.key()] = group_from_json(it.value());
    }
    for (auto it = j.at("agents").begin(); it != j.at("agents").end(); ++it) {
      s.agents_[it.key()] = group_from_json(it.value());
    }
    const json& hours = j.at("hours");
    for (std::size_t h = 0; h < 24 && h < hours.size(); ++h) s.hours_[h] = hours[h].get<std::uint64_t>();
    for (const json& w : j.at("worst")) {
      s.worst_.push_back(WorstSession{to_centi(w.at("score").get<double>()), get_or<bool>(w, "fatal", false),
                                      w.at("session").get<std::string>(), get_or<std::string>(w, "agent", ""),
                                      get_or<std::string>(w, "team", "")});
    }
    std::sort(s.worst_.begin(), s.worst_.end());
    if (s.worst_.size() > s.worst_k_) s.worst_.resize(s.worst_k_);
    return s;
  } catch (const json::exception& e) {
    why = std::string("bad summary: ") + e.what();
    return std::nullopt;
  }
}

namespace {

// Display width: CJK and other wide code points take two columns.
std::string pad(const std::string& s, std::size_t width) {
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cols += len >= 3 ? 2 : 1;
    i += len;
  }
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

void group_rows(std::ostringstream& out, const std::string& heading, const std::map<std::string, GroupStats>& groups) {
  out << "\n" << heading << "\n";
  out << "  " << pad("name", 18) << pad("sessions", 10) << pad("mean", 8) << pad("min", 8) << pad("p10", 8)
      << pad("p50", 8) << pad("fatal", 7) << "most failed item\n";
  for (const auto& [name, g] : groups) {
    std::string top;
    std::uint64_t top_failed = 0;
    for (const auto& [id, t] : g.items) {
      if (t.failed > top_failed) {
        top_failed = t.failed;
        top = id + " (" + std::to_string(t.failed) + ")";
      }
    }
    out << "  " << pad(name.empty() ? "(none)" : name, 18) << pad(std::to_string(g.sessions), 10)
        << pad(points_text(div_round(g.sum_centi(), g.sessions)), 8) << pad(points_text(g.histogram.begin()->first), 8)
        << pad(points_text(g.percentile_centi(10)), 8) << pad(points_text(g.percentile_centi(50)), 8)
        << pad(std::to_string(g.fatal), 7) << top << "\n";
  }
}

}  // namespace

std::string Summary::to_text() const {
  std::ostringstream out;
  out << "records " << records() << "  sessions " << sessions() << "  errors " << errors_;
  for (const auto& [code, n] : error_codes_) out << "  " << code << " x" << n;
  out << "\n";
  for (const auto& r : rule_sets_) out << "rule set " << r << "\n";
  if (overall_.sessions == 0) return out.str();
  out << "score  mean " << points_text(div_round(overall_.sum_centi(), overall_.sessions)) << "  min "
      << points_text(overall_.histogram.begin()->first) << "  max " << points_text(overall_.histogram.rbegin()->first)
      << "  fatal " << overall_.fatal << "\n";
  out << "percentiles";
  for (double p : kPercentiles) out << "  " << percentile_key(p) << " " << points_text(overall_.percentile_centi(p));
  out << "\n\nitems\n";
  out << "  " << pad("id", 24) << pad("failed", 9) << pad("rate", 9) << pad("deducted", 10) << "title\n";
  for (const auto& [id, t] : overall_.items) {
    char rate[16];
    std::snprintf(rate, sizeof rate, "%.1f%%",
                  100.0 * static_cast<double>(t.failed) / static_cast<double>(overall_.sessions));
    const std::string manual = t.manual_review > 0 ? "  (manual review: " + std::to_string(t.manual_review) + ")" : "";
    out << "  " << pad(id, 24) << pad(std::to_string(t.failed), 9) << pad(rate, 9)
        << pad(points_text(t.deducted_centi), 10) << t.title << manual << "\n";
  }
  group_rows(out, "teams", teams_);
  group_rows(out, "agents", agents_);
  out << "\nworst sessions\n";
  for (const WorstSession& w : worst_) {
    out << "  " << pad(points_text(w.score_centi), 8) << pad(w.session, 20) << w.agent << (w.fatal ? "  FATAL" : "")
        << "\n";
  }
  return out.str();
}

}  // namespace chatqa::cli
