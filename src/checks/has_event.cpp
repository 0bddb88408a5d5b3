// has_event: a condition that fires when the session has a message carrying
// one of the given events ("survey_sent", "transfer", ...) — e.g. a survey
// pushed by the system stands in for the agent inviting a rating.
#include <algorithm>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

class HasEventCheck final : public Check {
 public:
  std::vector<std::string> events;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      const std::string& event = ctx.message(i).event;
      if (event.empty() || std::find(events.begin(), events.end(), event) == events.end()) continue;
      Finding f;
      f.at = ctx.at(i);
      f.explanation = "the session has event " + event;
      out.findings.push_back(std::move(f));
      return;
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_has_event_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "event"});
  auto check = std::make_unique<HasEventCheck>();
  for (auto& [event, event_ptr] : p.strings("event")) {
    if (event.empty()) {
      ctx.error("E0105", event_ptr, "an event name cannot be empty");
    } else {
      check->events.push_back(event);
    }
  }
  if (!p.has("event")) ctx.error("E0103", ptr, "missing required key \"event\"");
  return check;
}

}  // namespace chatqa::detail
