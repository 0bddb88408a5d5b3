// event: fires for each message carrying one of the named events ("survey_sent",
// "transfer", "closed", ...). Used as a condition, or with `not` for "the
// survey must be sent": {"type":"not","check":{"type":"event","events":["survey_sent"]}}.
#include <algorithm>

#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

class EventCheck final : public Check {
 public:
  std::vector<std::string> events;

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    for (std::size_t i = 0; i < ctx.size(); ++i) {
      const std::string& event = ctx.message(i).event;
      if (event.empty() || std::find(events.begin(), events.end(), event) == events.end()) continue;
      Finding f = ctx.finding();
      ctx.locate(i, f.at);
      f.matched = event;
      f.explanation = "event " + event;
      out.findings.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_event_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "events"});
  auto check = std::make_unique<EventCheck>();
  for (auto& [name, where] : p.strings("events")) {
    if (name.empty()) {
      ctx.error("E0105", where, "an event name cannot be empty");
      continue;
    }
    check->events.push_back(name);
  }
  if (!p.has("events")) ctx.error("E0103", ptr, "missing required key \"events\"");
  return check;
}

}  // namespace chatqa::detail
