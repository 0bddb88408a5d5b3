// Scoring, the last stage of evaluation, in three steps that evaluate_into
// runs in order: each item from its check's outcome (score_item), then the
// linked items (deduct_linked_items), then the session's score and fatal
// flag (score_session). Reads the compiled items, writes the Report.
#pragma once

#include "chatqa/report.hpp"
#include "eval/check_interface.hpp"
#include "eval/eval_context.hpp"
#include "rules/rule_set_impl.hpp"

namespace chatqa::detail {

// The status of an item whose check ran, from the check's outcome: pending,
// not applicable, passed or failed; a failed item gets its hits, its cost
// (deducted, or awarded for a bonus) and its findings in message order.
// Moves the outcome's findings into r.findings (none unless failed).
void score_item(const CompiledItem& item, CheckOutcome& outcome, ItemResult& r);

// Linked items (两项并扣): a failed item also takes the full points of the
// items it names ("also"), each with a finding saying so (from ctx's kept
// memory).
void deduct_linked_items(const RuleSet::Impl& rules, EvalContext& ctx, Report& report);

// report.score and report.fatal from the scored items: total minus
// deductions (renormalised over the applicable items if the rule set says
// so), plus bonuses, clamped to [0, total], 0 when a fatal item failed,
// rounded to hundredths.
void score_session(const RuleSet::Impl& rules, Report& report);

}  // namespace chatqa::detail
