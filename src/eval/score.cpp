// Scoring: check outcomes -> item results -> linked items -> the session's score.
#include "eval/score.hpp"

#include <algorithm>
#include <cmath>

namespace chatqa::detail {
namespace {

double cost_of(const CompiledItem& item, std::size_t hits) {
  if (hits == 0) return 0;
  if (item.per_hit.empty()) return item.info.points;
  double cost = 0;
  for (std::size_t h = 0; h < hits; ++h) {
    cost += item.per_hit[std::min(h, item.per_hit.size() - 1)];
    if (cost >= item.info.points) break;  // capped: what more hits add does not count (a live chat's many)
  }
  return std::min(cost, item.info.points);
}

// Sorts findings [from, end): the ones before are sorted already and come
// first (live scoring's kept findings; else from is 0).
void sort_findings(std::vector<Finding>& findings, std::size_t from) {
  const auto before = [](const Finding& a, const Finding& b) {
    if (a.at.message != b.at.message) return a.at.message < b.at.message;  // the whole session first
    const auto begin = [](const Finding& f) { return f.at.span ? f.at.span->begin : 0; };  // a whole message first
    return begin(a) < begin(b);
  };
  // Most checks report in message order already; stable_sort would still
  // allocate its buffer and move every finding.
  auto first = findings.begin() + static_cast<std::ptrdiff_t>(from > 0 ? std::min(from, findings.size()) - 1 : 0);
  if (std::is_sorted(first, findings.end(), before)) return;
  std::stable_sort(findings.begin(), findings.end(), before);
}

}  // namespace

void score_item(const CompiledItem& item, CheckOutcome& outcome, ItemResult& r) {
  if (outcome.pending) {
    r.status = ItemStatus::pending;
  } else if (!outcome.applicable) {
    r.status = ItemStatus::not_applicable;
  } else if (outcome.findings.empty()) {
    r.status = ItemStatus::passed;
  } else {
    r.status = ItemStatus::failed;
    r.hits = outcome.findings.size();
    (item.info.bonus ? r.awarded : r.deducted) = cost_of(item, r.hits);
    sort_findings(outcome.findings, outcome.kept);
  }
  if (r.status != ItemStatus::failed) outcome.findings.clear();  // pending / not applicable: none reported
  r.findings.swap(outcome.findings);
}

// Linked items (两项并扣): a failed item also takes the full points of the items it names.
// Only items that failed on their own do: links do not chain, so the result
// does not depend on the order of the items.
void deduct_linked_items(const RuleSet::Impl& rules, EvalContext& ctx, Report& report) {
  for (std::size_t i = 0; i < rules.items.size(); ++i) {
    if (report.items[i].status != ItemStatus::failed || report.items[i].bonus || !report.items[i].also_of.empty())
      continue;
    for (std::size_t j : rules.items[i].also) {
      ItemResult& linked = report.items[j];
      if (linked.status == ItemStatus::failed || linked.bonus || !rules.items[j].check) continue;
      linked.status = ItemStatus::failed;
      linked.deducted = linked.points;
      linked.also_of = report.items[i].id;
      Finding f = ctx.finding();
      set_text(f.explanation, "deducted together with item ", report.items[i].id);
      linked.findings.push_back(std::move(f));
    }
  }
}

void score_session(const RuleSet::Impl& rules, Report& report) {
  double deducted = 0, awarded = 0, not_applicable_points = 0;
  bool fatal = false;
  for (const ItemResult& r : report.items) {
    if (r.status == ItemStatus::failed && r.severity == ItemSeverity::fatal && !r.bonus) fatal = true;
    deducted += r.deducted;
    awarded += r.awarded;
    if (r.status == ItemStatus::not_applicable && !r.bonus && r.severity == ItemSeverity::minor) {
      not_applicable_points += r.points;
    }
  }
  double score = rules.total - deducted;
  if (rules.renormalize_not_applicable && not_applicable_points > 0) {
    const double applicable = rules.total - not_applicable_points;
    score = applicable > 0 ? (applicable - deducted) / applicable * rules.total : rules.total;
  }
  score += awarded;
  score = std::clamp(score, 0.0, rules.total);
  report.fatal = fatal;
  if (fatal) score = 0;
  report.score = std::round(score * 100.0) / 100.0;
}

}  // namespace chatqa::detail
