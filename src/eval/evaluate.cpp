// Evaluation: (RuleSet, Session) -> Report, the public evaluate() calls.
// Per-call state only (eval_context.cpp); scoring in score.cpp.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "eval/eval_context.hpp"
#include "eval/score.hpp"
#include "input/time_format.hpp"
#include "text/pii_detect.hpp"

namespace chatqa {
namespace detail {
namespace {

// The caller's report may hold an earlier session's items: assigning into
// them (rather than building new ones) keeps their strings' and finding
// arrays' memory, and its findings go back to the context, whose
// finding() reuses theirs.
void recycle_items(EvalContext& ctx, Report& report) {
  for (ItemResult& r : report.items) {
    if (r.findings.capacity() > 256) {
      std::vector<Finding>().swap(r.findings);  // an outlier's findings are not kept
    } else {
      ctx.recycle(r.findings);
    }
  }
}

// Every field of r but its (emptied) findings, as for an item not yet evaluated.
void start_item(const CompiledItem& item, ItemResult& r) {
  r.id = item.info.id;
  r.title = item.info.title;
  r.category = item.info.category;
  r.severity = item.info.severity;
  r.bonus = item.info.bonus;
  r.status = ItemStatus::passed;
  r.points = item.info.points;
  r.deducted = 0;
  r.awarded = 0;
  r.hits = 0;
  r.truncated = 0;
  r.also_of.clear();
}

// The masking pass over what findings say besides their quotes (which
// EvalContext::quoted masks with the whole message in view): explanations
// and suggestions may hold text a check took from the input (a quote, an
// event name, a filled-in template).
void mask_text(std::string& s) {
  if (s.empty() || !text::may_hold_pii(std::string_view(s))) return;
  std::string masked = text::mask_pii(s);
  if (masked != s) s = std::move(masked);
}

// The findings caps (EvalOptions::max_findings_per_item / _per_report):
// after scoring, so hits and deductions count every finding.
void cap_findings(const EvalOptions& options, Report& report) {
  std::size_t room = options.max_findings_per_report ? options.max_findings_per_report : SIZE_MAX;
  for (ItemResult& r : report.items) {
    std::size_t keep = r.findings.size();
    if (options.max_findings_per_item) keep = std::min(keep, options.max_findings_per_item);
    keep = std::min(keep, room);
    room -= keep;
    if (keep == r.findings.size()) continue;
    r.truncated = r.findings.size() - keep;
    report.truncated += r.truncated;
    r.findings.erase(r.findings.begin() + static_cast<std::ptrdiff_t>(keep), r.findings.end());
  }
}

// Masks the findings of each item from kept[index] on (the ones before were
// masked when they were new: live scoring hands them back untouched).
void mask_findings(Report& report, const std::vector<std::size_t>* kept) {
  for (std::size_t index = 0; index < report.items.size(); ++index) {
    ItemResult& r = report.items[index];
    const std::size_t from = kept ? std::min((*kept)[index], r.findings.size()) : 0;
    for (std::size_t k = from; k < r.findings.size(); ++k) {
      mask_text(r.findings[k].explanation);
      mask_text(r.findings[k].suggestion);
    }
  }
}

// Live scoring: item `index`'s state (made on first use; null when its
// check keeps none).
LiveState* live_state_of(const CompiledItem& item, std::size_t index, EvalBuffers& buffers) {
  if (buffers.live_states.size() <= index) {
    buffers.live_states.resize(index + 1);
    buffers.live_state_asked.resize(index + 1, 0);
  }
  if (!buffers.live_state_asked[index]) {
    buffers.live_state_asked[index] = 1;
    buffers.live_states[index] = item.check->live_state();
  }
  return buffers.live_states[index].get();
}

// Runs each item's check (unless manual, or its "when" condition does not
// hold) and scores the report (eval/score.hpp).
//
// Live scoring (buffers.live, session not closed): an item whose check keeps
// a LiveState gets back the findings it reported last time, if the report
// still holds them as the check left them (not cleared by a pending or
// not-applicable verdict, nor cut by the findings caps, nor replaced by a
// linked item's finding); else its state starts over.
void evaluate_into(const RuleSet::Impl& rules, const Session& session, const EvalOptions& options, EvalBuffers& buffers,
                   Report& report, std::size_t kept, std::vector<Deadline>* deadlines) {
  EvalContext ctx(rules, session, options, buffers, kept);
  const bool live = buffers.live && !options.session_closed;
  if (!live) recycle_items(ctx, report);
  report.items.resize(rules.items.size());
  std::vector<std::size_t> kept_findings;
  if (live) kept_findings.assign(rules.items.size(), 0);
  for (std::size_t index = 0; index < rules.items.size(); ++index) {
    const CompiledItem& item = rules.items[index];
    ItemResult& r = report.items[index];
    LiveState* state = live && item.check ? live_state_of(item, index, buffers) : nullptr;
    if (live) {
      const bool intact = state && r.also_of.empty() && r.truncated == 0 && r.findings.size() == state->produced;
      if (state && !intact) {  // its findings are gone: start over
        buffers.live_states[index] = item.check->live_state();
        state = buffers.live_states[index].get();
      }
      if (!intact) ctx.recycle(r.findings);
    }
    start_item(item, r);
    if (!item.check) {
      r.status = ItemStatus::manual_review;
      continue;
    }
    if (item.when) {
      CheckOutcome condition;
      item.when->evaluate(ctx, condition);
      if (!condition.applicable || condition.findings.empty()) {
        r.status = ItemStatus::not_applicable;
        if (live) ctx.recycle(r.findings);
        continue;
      }
    }
    CheckOutcome outcome;
    // The cleared array of the last session (its capacity is reused), or
    // the findings a live state gets back.
    outcome.findings.swap(r.findings);
    ctx.set_item(index);
    ctx.collect_deadlines(deadlines);
    if (state) {
      item.check->evaluate_live(ctx, *state, outcome);
      state->produced = outcome.findings.size();
    } else {
      item.check->evaluate(ctx, outcome);
    }
    ctx.collect_deadlines(nullptr);
    score_item(item, outcome, r);
    if (live) kept_findings[index] = r.findings.empty() ? 0 : outcome.kept;
  }
  deduct_linked_items(rules, ctx, report);
  cap_findings(options, report);
  if (options.mask_pii) mask_findings(report, live ? &kept_findings : nullptr);
  score_session(rules, report);
}

}  // namespace

// Writes every field of `report` (which may hold an earlier session's).
void evaluate_session(const RuleSet& rules, const Session& session, const EvalOptions& options,
                      EvalBuffers& buffers, Report& report, std::size_t kept,
                      std::vector<Deadline>* deadlines) noexcept {
  try {
    const RuleSet::Impl& impl = detail::RuleSetAccess::impl(rules);
    report.session_id = session.id;
    report.agent = session.agent;
    report.team = session.team;
    report.rule_set_name = impl.name;
    report.rule_set_version = impl.version;
    report.total = impl.total;
    report.score = 0;
    report.fatal = false;
    report.message_count = session.messages.size();
    report.started.clear();
    report.error.clear();
    report.truncated = 0;
    if (!session.messages.empty()) {
      const Timestamp& first =
          std::min_element(session.messages.begin(), session.messages.end(), [](const Message& a, const Message& b) {
            return a.time.epoch_ms < b.time.epoch_ms;
          })->time;
      assign_iso8601(first, report.started);
    }
    const bool ordered =
        std::is_sorted(session.messages.begin(), session.messages.end(),
                       [](const Message& a, const Message& b) { return a.time.epoch_ms < b.time.epoch_ms; });
    if (deadlines) deadlines->clear();
    if (ordered) {
      evaluate_into(impl, session, options, buffers, report, kept, deadlines);
    } else {  // built by hand, out of order: evaluate an ordered copy
      Session sorted = session;
      sorted.sort_messages();
      evaluate_into(impl, sorted, options, buffers, report, 0, deadlines);
    }
  } catch (const std::exception& e) {
    report.items.clear();
    report.error = std::string("evaluation failed: ") + e.what();
  } catch (...) {
    report.items.clear();
    report.error = "evaluation failed";
  }
}

}  // namespace detail

namespace {

void evaluate_with(const RuleSet& rules, const Session& session, const EvalOptions& options,
                   detail::EvalBuffers& buffers, Report& report) noexcept {
  detail::evaluate_session(rules, session, options, buffers, report);
}

}  // namespace

Report evaluate(const RuleSet& rules, const Session& session, const EvalOptions& options) noexcept {
  detail::EvalBuffers buffers;
  Report report;
  evaluate_with(rules, session, options, buffers, report);
  return report;
}

EvalScratch::EvalScratch() : impl_(std::make_unique<Impl>()) {}
EvalScratch::~EvalScratch() = default;
EvalScratch::EvalScratch(EvalScratch&&) noexcept = default;
EvalScratch& EvalScratch::operator=(EvalScratch&&) noexcept = default;

void evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch, Report& report,
              const EvalOptions& options) noexcept {
  if (!scratch.impl_) {  // moved from: give it working memory again
    try {
      scratch.impl_ = std::make_unique<EvalScratch::Impl>();
    } catch (...) {
      detail::EvalBuffers buffers;
      evaluate_with(rules, session, options, buffers, report);
      return;
    }
  }
  detail::EvalBuffers& buffers = scratch.impl_->buffers;
  evaluate_with(rules, session, options, buffers, report);
  // Text bytes, plus what a message's (mostly empty) entries cost.
  std::size_t bytes = session.messages.size() * sizeof(text::NormText) * text::kVariants;
  for (const Message& m : session.messages) bytes += m.text.size();
  // An outlier session (or a failed evaluation, whose buffers may be half
  // built) does not leave its memory behind.
  if (bytes > EvalScratch::kKeepBytes || !report.error.empty()) buffers.release();
}

Report evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch,
                const EvalOptions& options) noexcept {
  Report report;
  evaluate(rules, session, scratch, report, options);
  return report;
}

}  // namespace chatqa
