// Fuzz target: any bytes as session input (one object, an array, or JSON
// Lines) -> parse_sessions -> evaluate with the shipped zh-CN online-chat
// rule set, closed and live -> every report keeps check_report's invariants.
// A record that cannot be read must come back as an error with a code.
#include <cstdint>

#include "fuzz_common.hpp"

using namespace chatqa;

namespace {

const RuleSet& shipped_rules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    CompileResult r = compile_rule_file(CHATQA_SOURCE_DIR "/rules/zh-CN/online-chat.json");
    if (!r.ok()) fuzz::fail("the shipped rule set does not compile");
    return r.rule_set;
  }();
  return *rules;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const RuleSet& rules = shipped_rules();
  static EvalScratch scratch;
  static Report reused;
  SessionOptions options;
  options.max_message_bytes = 4096;  // keep each run short; the limits are tested elsewhere
  options.max_messages = 300;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const ParsedSession& p : parse_sessions(text, options)) {
    fuzz::require(p.session.has_value() != p.error.has_value(), "exactly one of session / error");
    if (p.error) {
      fuzz::require(p.error->code.size() == 5 && p.error->code[0] == 'E', "an input error has a code", p.error->code);
      fuzz::require(!p.error->message.empty(), "an input error has a message", p.error->code);
      continue;
    }
    for (const bool closed : {true, false}) {
      EvalOptions eval;
      eval.session_closed = closed;
      const Report fresh = evaluate(rules, *p.session, eval);
      fuzz::check_report(fresh, *p.session, rules);
      evaluate(rules, *p.session, scratch, reused, eval);
      fuzz::require(to_json(reused, {true, false}) == to_json(fresh, {true, false}),
                    "a reused scratch and report give the fresh report");
    }
  }
  return 0;
}
