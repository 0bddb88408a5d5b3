// chatqa agree LABELS... [--rescore RULES INPUT]... : how far people agree
// with the findings: per-item precision (and recall where misses were
// labelled) from labelled files written by `chatqa label`.
//
// Without --rescore the labels are counted as they are. With --rescore the
// inputs are scored again with the current rules: a labelled finding counts
// only if the rules still produce it (a "wrong" one that is gone was fixed, a
// "right" one that is gone is now a miss), a labelled miss that the rules now
// find counts as found, and findings nobody labelled are counted (and can be
// sampled into a new labelling file with --unlabelled). Gates for CI:
// --min-precision and --min-labelled make the exit status 1 when unmet.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rule_options.hpp"
#include "chatqa/chatqa.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "labels.hpp"
#include "output.hpp"

namespace chatqa::cli {
namespace {

using labels::Json;

struct AgreeArgs {
  std::vector<std::string> label_files;
  std::vector<std::pair<std::string, std::string>> rescore;  // (rules, input)
  std::string format = "text";
  std::string output;
  std::vector<std::string> min_precision;
  std::size_t min_labelled = 0;
  std::string unlabelled;
  std::size_t per_item = 30;
  std::uint64_t seed = 1;
  int context = 3;
  std::string store;
  bool only_labelled = false;
  InputArgs input;
};

struct Label {
  std::string kind;  // finding | silent | miss
  std::string verdict;
  std::string note;
  labels::Key key;
  std::string where;  // file:line
};

// rule set -> "kind\x1ekey" -> label
using LabelStore = std::map<std::string, std::map<std::string, Label>>;

struct Row {
  std::string rule_set;
  std::string item;
  std::string check;
  bool scored = false;  // re-scored: the counts below are known
  std::size_t sessions = 0, failed = 0, findings = 0;
  std::size_t right = 0, wrong = 0, unlabelled = 0, gone_right = 0, gone_wrong = 0;
  std::size_t misses = 0, found_misses = 0, silent_right = 0;
  std::size_t silent_miss = 0;     // of `misses`: sessions sampled where the item passed, labelled miss
  std::size_t not_applicable = 0;  // labelled findings whose session the item no longer applies to
  std::size_t labelled() const { return right + wrong; }
  std::optional<double> precision() const {
    if (labelled() == 0) return std::nullopt;
    return static_cast<double>(right) / static_cast<double>(labelled());
  }
  // Re-scored, with findings and passed sessions both sampled: the two samples weighted by their
  // populations (true positives = findings x precision; misses = passed sessions x miss rate of the
  // silent sample). Otherwise the labels as they are: right / (right + misses).
  bool weighted_recall() const {
    return scored && labelled() > 0 && silent_right + silent_miss > 0 && sessions >= failed;
  }
  std::optional<double> recall() const {
    if (weighted_recall()) {
      const double tp = static_cast<double>(findings) * *precision();
      const double miss_rate = static_cast<double>(silent_miss) / static_cast<double>(silent_right + silent_miss);
      const double fn = static_cast<double>(sessions - failed) * miss_rate;
      if (tp + fn <= 0) return std::nullopt;
      return tp / (tp + fn);
    }
    const std::size_t open = misses + gone_right;
    if (open == 0 && found_misses == 0 && silent_right == 0) return std::nullopt;
    const std::size_t tp = right + found_misses;
    if (tp + open == 0) return std::nullopt;
    return static_cast<double>(tp) / static_cast<double>(tp + open);
  }
};

struct RuleSetRows {
  std::string name, version, rules;
  std::vector<std::string> inputs;
  std::size_t sessions = 0;
  std::vector<Row> rows;
};

// Wilson score interval, 95%.
std::pair<double, double> wilson(std::size_t k, std::size_t n) {
  if (n == 0) return {0, 1};
  const double z = 1.959963984540054;
  const double p = static_cast<double>(k) / static_cast<double>(n);
  const double nn = static_cast<double>(n);
  const double denom = 1 + z * z / nn;
  const double centre = (p + z * z / (2 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::string pct(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v * 100;
  return s.str() + "%";
}

double round4(double v) { return std::round(v * 10000) / 10000; }

// Long function: validates a label file record by record (each field with its own message) and
// merges it into the store; a flat sequence of checks.
bool read_labels(const std::string& file, LabelStore& store, std::size_t& bad, std::size_t& conflicts) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "chatqa agree: " << file << ": cannot open\n";
    ++bad;
    return false;
  }
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = file + ":" + std::to_string(n);
    auto fail = [&](const std::string& why) {
      std::cerr << "chatqa agree: " << where << ": " << why << "\n";
      ++bad;
    };
    Json j;
    try {
      j = Json::parse(line);
    } catch (const std::exception& e) {
      fail(std::string("invalid JSON: ") + e.what());
      continue;
    }
    if (!j.is_object()) {
      fail("a label record must be a JSON object");
      continue;
    }
    if (j.contains("chatqa_label")) continue;  // the sample's description
    Label l;
    l.where = where;
    auto str = [&](const char* k, std::string& out, bool required) {
      auto it = j.find(k);
      if (it == j.end()) {
        if (required) fail(std::string("missing \"") + k + "\"");
        return !required;
      }
      if (!it->is_string()) {
        fail(std::string("\"") + k + "\" must be a string");
        return false;
      }
      out = it->get<std::string>();
      return true;
    };
    std::string rule_set;
    l.kind = "finding";
    if (!str("rule_set", rule_set, true) || !str("item", l.key.item, true) || !str("session", l.key.session, true) ||
        !str("kind", l.kind, false) || !str("verdict", l.verdict, false) || !str("note", l.note, false)) {
      continue;
    }
    if (l.kind != "finding" && l.kind != "silent" && l.kind != "miss") {
      fail("\"kind\" must be finding, silent or miss, not \"" + l.kind + "\"");
      continue;
    }
    if (auto it = j.find("message"); it != j.end()) {
      if (!it->is_number_integer()) {
        fail("\"message\" must be an integer");
        continue;
      }
      l.key.message = it->get<long>();
    } else if (l.kind != "silent") {
      fail("missing \"message\"");
      continue;
    }
    if (auto it = j.find("span"); it != j.end() && !it->is_null()) {
      if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() || !(*it)[1].is_number_unsigned() ||
          (*it)[0].get<std::size_t>() > (*it)[1].get<std::size_t>()) {
        fail("\"span\" must be [begin, end] code-point offsets");
        continue;
      }
      l.key.has_span = true;
      l.key.begin = (*it)[0].get<std::size_t>();
      l.key.end = (*it)[1].get<std::size_t>();
    }
    const std::set<std::string> allowed = l.kind == "finding"  ? std::set<std::string>{"", "right", "wrong"}
                                          : l.kind == "silent" ? std::set<std::string>{"", "right", "miss"}
                                                               : std::set<std::string>{"", "miss"};
    if (!allowed.count(l.verdict)) {
      fail("verdict \"" + l.verdict + "\" of a " + l.kind + " must be " +
           (l.kind == "finding" ? "right or wrong" : l.kind == "silent" ? "right or miss" : "miss (or empty)"));
      continue;
    }
    if (l.kind == "miss") l.verdict = "miss";
    if (l.verdict.empty()) continue;  // not labelled yet
    const std::string id = l.kind + '\x1e' + l.key.str();
    auto& slot = store[rule_set];
    auto [it, fresh] = slot.emplace(id, l);
    if (!fresh) {
      if (it->second.verdict != l.verdict) {
        std::cerr << "chatqa agree: " << where << ": verdict \"" << l.verdict << "\" replaces \"" << it->second.verdict
                  << "\" of " << it->second.where << "\n";
        ++conflicts;
      }
      it->second = l;
    }
  }
  return true;
}

Json stripped(const std::string& rule_set, const Label& l) {
  Json j;
  if (l.kind != "finding") j["kind"] = l.kind;
  j["rule_set"] = rule_set;
  j["item"] = l.key.item;
  j["session"] = l.key.session;
  if (l.kind != "silent" || l.key.message >= 0) j["message"] = l.key.message;
  if (l.key.has_span) j["span"] = {l.key.begin, l.key.end};
  j["verdict"] = l.verdict;
  if (!l.note.empty()) j["note"] = l.note;
  return j;
}

// The labels of one rule set, by item.
struct ItemLabels {
  std::map<std::string, const Label*> findings;  // key -> label
  std::vector<const Label*> misses;              // kind miss, or silent with verdict miss
  std::size_t silent_right = 0;
};

std::map<std::string, ItemLabels> by_item(const std::map<std::string, Label>& labels) {
  std::map<std::string, ItemLabels> out;
  for (const auto& [id, l] : labels) {
    ItemLabels& il = out[l.key.item];
    if (l.kind == "finding") {
      il.findings[l.key.str()] = &l;
    } else if (l.verdict == "miss") {
      il.misses.push_back(&l);
    } else {
      ++il.silent_right;
    }
  }
  return out;
}

// Parses the --min-precision specs: "P" (every item), "ITEM=P" or "RULESET:ITEM=P".
struct Gate {
  std::string rule_set, item;  // empty: any
  double min = 0;
};

std::optional<std::string> parse_gates(const std::vector<std::string>& specs, std::vector<Gate>& out) {
  for (const std::string& spec : specs) {
    Gate g;
    std::string value = spec;
    if (auto eq = spec.rfind('='); eq != std::string::npos) {
      std::string target = spec.substr(0, eq);
      value = spec.substr(eq + 1);
      if (auto colon = target.find(':'); colon != std::string::npos) {
        g.rule_set = target.substr(0, colon);
        target = target.substr(colon + 1);
      }
      g.item = target;
      if (g.item.empty()) return "--min-precision " + spec + ": no item before '='";
    }
    try {
      std::size_t used = 0;
      g.min = std::stod(value, &used);
      if (used != value.size()) throw std::invalid_argument(value);
    } catch (const std::exception&) {
      return "--min-precision " + spec + ": \"" + value + "\" is not a number";
    }
    if (g.min > 1 && g.min <= 100) g.min /= 100;  // "95" means 95%
    if (g.min < 0 || g.min > 1) return "--min-precision " + spec + ": must be between 0 and 1 (or a percentage)";
    out.push_back(g);
  }
  return std::nullopt;
}

// The most specific gate for an item: RULESET:ITEM, then ITEM, then the default.
std::optional<double> gate_for(const std::vector<Gate>& gates, const std::string& rule_set, const std::string& item) {
  std::optional<double> any, by_item, exact;
  for (const Gate& g : gates) {
    if (g.item.empty()) {
      any = g.min;
    } else if (g.item == item && g.rule_set.empty()) {
      by_item = g.min;
    } else if (g.item == item && g.rule_set == rule_set) {
      exact = g.min;
    }
  }
  return exact ? exact : by_item ? by_item : any;
}

Json row_json(const Row& r) {
  Json j;
  j["id"] = r.item;
  if (!r.check.empty()) j["check"] = r.check;
  if (r.scored) {
    j["sessions"] = r.sessions;
    j["failed"] = r.failed;
    j["failed_share"] = r.sessions ? round4(static_cast<double>(r.failed) / static_cast<double>(r.sessions)) : 0.0;
    j["findings"] = r.findings;
  }
  j["labelled"] = r.labelled();
  j["right"] = r.right;
  j["wrong"] = r.wrong;
  if (auto p = r.precision()) {
    j["precision"] = round4(*p);
    auto [lo, hi] = wilson(r.right, r.labelled());
    j["ci95"] = {round4(lo), round4(hi)};
  } else {
    j["precision"] = nullptr;
  }
  if (r.scored) {
    j["unlabelled"] = r.unlabelled;
    j["gone_right"] = r.gone_right;
    j["gone_wrong"] = r.gone_wrong;
    j["found_misses"] = r.found_misses;
    j["not_applicable"] = r.not_applicable;
  }
  j["misses"] = r.misses;
  j["silent_right"] = r.silent_right;
  j["silent_miss"] = r.silent_miss;
  if (auto rc = r.recall()) {
    j["recall"] = round4(*rc);
    j["recall_basis"] = r.weighted_recall() ? "sampled" : "labelled";
  } else {
    j["recall"] = nullptr;
  }
  return j;
}

std::string table(const std::vector<RuleSetRows>& sets, bool markdown) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"rule set", "item", "sessions failing", "findings", "labelled", "right", "wrong", "precision",
                   "95% CI", "unlabelled", "misses", "recall"});
  for (const RuleSetRows& s : sets) {
    for (const Row& r : s.rows) {
      std::vector<std::string> c;
      c.push_back(s.name);
      c.push_back(r.item);
      if (r.scored) {
        c.push_back(std::to_string(r.failed) + "/" + std::to_string(r.sessions) + " (" +
                    (r.sessions ? pct(static_cast<double>(r.failed) / static_cast<double>(r.sessions)) : "-") + ")");
        c.push_back(std::to_string(r.findings));
      } else {
        c.push_back("-");
        c.push_back("-");
      }
      c.push_back(std::to_string(r.labelled()));
      c.push_back(std::to_string(r.right));
      c.push_back(std::to_string(r.wrong));
      if (auto p = r.precision()) {
        auto [lo, hi] = wilson(r.right, r.labelled());
        c.push_back(pct(*p));
        c.push_back(pct(lo) + "-" + pct(hi));
      } else {
        c.push_back("-");
        c.push_back("-");
      }
      c.push_back(r.scored ? std::to_string(r.unlabelled) : "-");
      c.push_back(std::to_string(r.misses + r.gone_right));
      auto rc = r.recall();
      c.push_back(rc ? pct(*rc) : "-");
      cells.push_back(std::move(c));
    }
  }
  std::string out;
  if (markdown) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out += "|";
      for (const std::string& c : cells[i]) out += " " + c + " |";
      out += "\n";
      if (i == 0) {
        out += "|";
        for (std::size_t k = 0; k < cells[0].size(); ++k) out += k < 2 ? "---|" : "--:|";
        out += "\n";
      }
    }
    return out;
  }
  std::vector<std::size_t> width(cells[0].size(), 0);
  for (const auto& row : cells) {
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  }
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t k = 0; k < row.size(); ++k) {
      std::string c = row[k];
      if (k < 2) {
        c.resize(width[k], ' ');
      } else {
        c = std::string(width[k] - c.size(), ' ') + c;
      }
      line += (k ? "  " : "") + c;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// The --rescore pairs (rules, input) grouped by rule file, in order of appearance.
std::vector<std::pair<std::string, std::vector<std::string>>> rescore_runs(
    const std::vector<std::pair<std::string, std::string>>& rescore) {
  std::vector<std::pair<std::string, std::vector<std::string>>> runs;
  for (const auto& [rules, input] : rescore) {
    auto it = std::find_if(runs.begin(), runs.end(), [&](const auto& r) { return r.first == rules; });
    if (it == runs.end()) {
      runs.push_back({rules, {input}});
    } else {
      it->second.push_back(input);
    }
  }
  return runs;
}

// What re-scoring one rule set found, per item: the finding keys now, and the
// sessions where the item was judged (passed or failed).
struct Rescored {
  std::map<std::string, std::set<std::string>> current;  // item -> finding keys
  std::map<std::string, std::set<std::string>> checked;  // item -> sessions where it passed or failed
};

// Compares the labels of one re-scored rule set with what it finds now (the
// tallies of each row: right / wrong, gone, not applicable, misses found).
void tally_labels(RuleSetRows& set, const std::map<std::string, std::size_t>& index,
                  const std::map<std::string, ItemLabels>& labels_of, Rescored& now_found,
                  const std::string& rules_path) {
  for (const auto& [item, il] : labels_of) {
    auto at = index.find(item);
    if (at == index.end()) {
      std::cerr << "chatqa agree: " << il.findings.size() + il.misses.size() << " labels of " << set.name
                << " name item \"" << item << "\", which " << rules_path << " does not have\n";
      continue;
    }
    Row& r = set.rows[at->second];
    const auto& now = now_found.current[item];
    const auto& in_scope = now_found.checked[item];
    for (const auto& [key, l] : il.findings) {
      const bool found = now.count(key) > 0;
      if (!found && !in_scope.count(l->key.session)) {
        ++r.not_applicable;  // the item no longer applies to that session (or it is gone)
        continue;
      }
      if (l->verdict == "right") {
        ++(found ? r.right : r.gone_right);
      } else {
        ++(found ? r.wrong : r.gone_wrong);
      }
    }
    for (const Label* m : il.misses) {
      // A miss that names where the finding belongs is found when a finding is there now.
      bool found = false;
      if (m->key.message >= 0) found = now.count(m->key.str()) > 0;
      ++(found ? r.found_misses : r.misses);
      if (!found && m->kind == "silent") ++r.silent_miss;
    }
    r.silent_right = il.silent_right;
  }
}

// Re-scores `inputs` with the rule file `rules_path` into `set` (one row per
// scored item, in rule-set order, written to `item_order`), offering unlabelled
// findings to `unlabelled`. Returns an exit code when the rules or inputs cannot be used.
std::optional<int> rescore_rule_set(const AgreeArgs& args, const std::string& rules_path,
                                    const std::vector<std::string>& inputs, LabelStore& store,
                                    std::set<std::string>& rescored_names, labels::Sampler& unlabelled,
                                    RuleSetRows& set, std::vector<std::string>& item_order, std::size_t& bad) {
  CompileResult compiled = compile_rule_file(rules_path, compile_options());
  for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return kExitUsage;
  const RuleSet& rules = *compiled.rule_set;
  set.name = rules.name();
  set.version = rules.version();
  set.rules = rules_path;
  set.inputs = inputs;
  if (!rescored_names.insert(set.name).second) {
    std::cerr << "chatqa agree: two rule files are named \"" << set.name << "\"; labels name rule sets by name\n";
    return kExitUsage;
  }
  const auto labels_of = by_item(store[set.name]);
  std::map<std::string, std::size_t> index;
  for (const ItemInfo& info : rules.items()) {
    if (info.check_type == "manual") continue;
    index[info.id] = set.rows.size();
    Row r;
    r.rule_set = set.name;
    r.item = info.id;
    r.check = info.check_type;
    r.scored = true;
    set.rows.push_back(r);
    item_order.push_back(info.id);
  }
  Rescored found;
  const std::string name = set.name;
  try {
    bad += labels::score_inputs(
        rules, inputs, args.input,
        [&](const Session& session, const Report& report) {
          ++set.sessions;
          for (const ItemResult& item : report.items) {
            auto at = index.find(item.id);
            if (at == index.end()) continue;
            Row& r = set.rows[at->second];
            if (item.status == ItemStatus::failed || item.status == ItemStatus::passed) {
              ++r.sessions;
              if (labels_of.count(item.id)) found.checked[item.id].insert(session.id);
            }
            if (item.status != ItemStatus::failed) continue;
            ++r.failed;
            auto li = labels_of.find(item.id);
            for (const auto& [f, dup] : labels::distinct_findings(session.id, item)) {
              ++r.findings;
              const std::string key = labels::key_of(session.id, item.id, *f).str();
              found.current[item.id].insert(key);
              if (li != labels_of.end() && li->second.findings.count(key)) continue;
              ++r.unlabelled;
              if (!args.unlabelled.empty()) {
                const Finding& finding = *f;
                const std::size_t duplicates = dup;
                unlabelled.offer(name + '\x1d' + item.id, key, [&] {
                  return labels::finding_record(name, session, item, finding, args.context, duplicates);
                });
              }
            }
          }
        },
        "agree");
  } catch (const std::runtime_error& e) {
    std::cerr << "chatqa agree: " << e.what() << "\n";
    return kExitUsage;
  }
  tally_labels(set, index, labels_of, found, rules_path);
  return std::nullopt;
}

// Rule sets only labelled, not re-scored: the labels as they are.
void add_labelled_only(const LabelStore& store, const std::set<std::string>& rescored_names,
                       std::vector<RuleSetRows>& sets) {
  for (const auto& [name, labels_of_set] : store) {
    if (rescored_names.count(name)) continue;
    RuleSetRows set;
    set.name = name;
    for (const auto& [item, il] : by_item(labels_of_set)) {
      Row r;
      r.rule_set = name;
      r.item = item;
      for (const auto& [key, l] : il.findings) ++(l->verdict == "right" ? r.right : r.wrong);
      r.misses = il.misses.size();
      for (const Label* m : il.misses) r.silent_miss += m->kind == "silent" ? 1 : 0;
      r.silent_right = il.silent_right;
      set.rows.push_back(r);
    }
    sets.push_back(std::move(set));
  }
}

// The gates (--min-labelled, --min-precision) each row fails, as lines for people.
std::vector<std::string> gate_failures(const AgreeArgs& args, const std::vector<Gate>& gates,
                                       const std::vector<RuleSetRows>& sets) {
  std::vector<std::string> failures;
  for (const RuleSetRows& s : sets) {
    for (const Row& r : s.rows) {
      const std::size_t need = r.scored ? std::min(args.min_labelled, r.findings) : args.min_labelled;
      if (args.min_labelled > 0 && r.labelled() < need && (r.scored ? r.findings > 0 : r.labelled() > 0)) {
        failures.push_back(s.name + " " + r.item + ": " + std::to_string(r.labelled()) + " labelled findings, want " +
                           std::to_string(need));
      }
      const auto min = gate_for(gates, s.name, r.item);
      const auto p = r.precision();
      if (min && p && *p + 1e-12 < *min) {
        failures.push_back(s.name + " " + r.item + ": precision " + pct(*p) + " (" + std::to_string(r.right) + "/" +
                           std::to_string(r.labelled()) + ") below " + pct(*min));
      }
    }
  }
  return failures;
}

// --only-labelled: keep the rows that have labels (or misses, or labels gone).
void keep_labelled_rows(std::vector<RuleSetRows>& sets) {
  for (RuleSetRows& s : sets) {
    std::vector<Row> kept;
    for (const Row& r : s.rows) {
      if (r.labelled() > 0 || r.misses > 0 || r.found_misses > 0 || r.gone_right > 0 || r.gone_wrong > 0) {
        kept.push_back(r);
      }
    }
    s.rows = std::move(kept);
  }
}

// The agreement table (text, markdown or JSON) to --output.
int write_agreement(const AgreeArgs& args, const std::vector<RuleSetRows>& sets,
                    const std::vector<std::string>& failures) {
  OutputFile out;
  if (std::string err = out.open(args.output); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  if (args.format == "json") {
    Json j;
    Json list = Json::array();
    for (const RuleSetRows& s : sets) {
      Json js;
      js["name"] = s.name;
      if (!s.rules.empty()) {
        js["version"] = s.version;
        js["rules"] = s.rules;
        js["inputs"] = s.inputs;
        js["sessions"] = s.sessions;
      }
      Json items = Json::array();
      for (const Row& r : s.rows) items.push_back(row_json(r));
      js["items"] = items;
      list.push_back(js);
    }
    j["rule_sets"] = list;
    j["gates"] = {{"passed", failures.empty()}, {"failures", failures}};
    out.write(j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  } else {
    out.write(table(sets, args.format == "markdown"));
  }
  if (std::string err = out.commit(); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

// --unlabelled: the sampled unlabelled findings, in rule-set and item order, to label.
int write_unlabelled(const AgreeArgs& args, const std::vector<RuleSetRows>& sets,
                     const std::vector<std::pair<std::string, std::vector<std::string>>>& unlabelled_items,
                     labels::Sampler& unlabelled) {
  OutputFile u;
  if (std::string err = u.open(args.unlabelled); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  // The first record describes the sample, as in `chatqa label`.
  Json header;
  header["chatqa_label"] = 1;
  header["from"] = "agree --unlabelled";
  Json names = Json::array();
  for (const RuleSetRows& s : sets) {
    if (!s.rules.empty()) names.push_back({{"name", s.name}, {"version", s.version}});
  }
  header["rule_sets"] = names;
  header["seed"] = args.seed;
  header["per_item"] = args.per_item;
  u.write(labels::line_of(header));
  std::size_t written = 0;
  for (const auto& [name, items] : unlabelled_items) {
    for (const std::string& item : items) {
      for (const Json& rec : unlabelled.take(name + '\x1d' + item)) {
        u.write(labels::line_of(rec));
        ++written;
      }
    }
  }
  if (std::string err = u.commit(); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  std::cerr << "chatqa agree: " << written << " unlabelled findings to label in " << args.unlabelled << "\n";
  return kExitOk;
}

// --store: every label read, merged, in a stable order.
int write_store(const std::string& path, const LabelStore& store) {
  OutputFile s;
  if (std::string err = s.open(path); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  for (const auto& [name, labels_of_set] : store) {
    std::vector<const Label*> all;
    for (const auto& [id, l] : labels_of_set) all.push_back(&l);
    std::sort(all.begin(), all.end(), [](const Label* a, const Label* b) {
      auto t = [](const Label* l) {
        return std::make_tuple(l->key.item, l->key.session, l->key.message, l->key.has_span, l->key.begin, l->key.end,
                               l->kind);
      };
      return t(a) < t(b);
    });
    for (const Label* l : all) s.write(labels::line_of(stripped(name, *l)));
  }
  if (std::string err = s.commit(); !err.empty()) {
    std::cerr << "chatqa agree: " << err << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

int run_agree(const AgreeArgs& args) {
  std::vector<Gate> gates;
  if (auto err = parse_gates(args.min_precision, gates)) {
    std::cerr << "chatqa agree: " << *err << "\n";
    return kExitUsage;
  }
  if (!args.unlabelled.empty() && args.rescore.empty()) {
    std::cerr << "chatqa agree: --unlabelled needs --rescore (the findings of the current rules)\n";
    return kExitUsage;
  }
  LabelStore store;
  std::size_t bad = 0, conflicts = 0;
  for (const std::string& file : args.label_files) read_labels(file, store, bad, conflicts);

  std::vector<RuleSetRows> sets;
  std::set<std::string> rescored_names;
  labels::Sampler unlabelled(args.seed, args.per_item);
  std::vector<std::pair<std::string, std::vector<std::string>>> unlabelled_items;  // rule set -> item order
  for (const auto& [rules_path, inputs] : rescore_runs(args.rescore)) {
    RuleSetRows set;
    std::vector<std::string> order;
    if (auto exit = rescore_rule_set(args, rules_path, inputs, store, rescored_names, unlabelled, set, order, bad)) {
      return *exit;
    }
    unlabelled_items.push_back({set.name, order});
    sets.push_back(std::move(set));
  }
  add_labelled_only(store, rescored_names, sets);

  const std::vector<std::string> failures = gate_failures(args, gates, sets);
  if (args.only_labelled) keep_labelled_rows(sets);
  if (int exit = write_agreement(args, sets, failures); exit != kExitOk) return exit;
  if (!args.unlabelled.empty()) {
    if (int exit = write_unlabelled(args, sets, unlabelled_items, unlabelled); exit != kExitOk) return exit;
  }
  if (!args.store.empty()) {
    if (int exit = write_store(args.store, store); exit != kExitOk) return exit;
  }

  for (const std::string& f : failures) std::cerr << "chatqa agree: gate failed: " << f << "\n";
  if (bad > 0) return kExitBadInput;
  return failures.empty() ? kExitOk : kExitBadInput;
}

}  // namespace

void add_agree_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<AgreeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "agree",
      "Per-item precision (and recall where misses were labelled) from files labelled after `chatqa label`.\n"
      "With --rescore RULES INPUT the inputs are scored again with the current rules: labelled findings count\n"
      "only if still found, unlabelled findings are counted (and sampled with --unlabelled FILE).");
  cmd->add_option("labels", args->label_files, "Labelled files (JSON Lines)")->required();
  cmd->add_option("--rescore", args->rescore, "Score INPUT with RULES again (repeatable; one rule file, many inputs)")
      ->allow_extra_args(false);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE (atomically) instead of stdout");
  cmd->add_option("--min-precision", args->min_precision,
                  "Gate: exit 1 when an item's labelled precision is below P. P, ITEM=P or RULESET:ITEM=P "
                  "(0.95 or 95); the most specific applies; repeatable");
  cmd->add_option("--min-labelled", args->min_labelled,
                  "Gate: exit 1 when an item has fewer labelled findings than this (or than its findings)")
      ->capture_default_str();
  cmd->add_option("--unlabelled", args->unlabelled,
                  "With --rescore: write a seeded sample of the findings nobody labelled to FILE, to label next");
  cmd->add_option("--per-item", args->per_item, "Findings per item for --unlabelled")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed for --unlabelled")->capture_default_str();
  cmd->add_option("--context", args->context, "Messages either side in --unlabelled records (-1: whole session)")
      ->capture_default_str();
  cmd->add_option("--store", args->store,
                  "Write the merged labels to FILE without text (ids, indexes, spans, verdicts, notes only)");
  cmd->add_flag("--only-labelled", args->only_labelled,
                "Show only items with labels (gates still apply to every item)");
  add_input_options(cmd, args->input);
  cmd->callback([args, &run] { run = [args] { return run_agree(*args); }; });
}

}  // namespace chatqa::cli
