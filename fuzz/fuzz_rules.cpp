// Fuzz target: any bytes as rule-set JSON -> compile_rules. Broken rule sets
// must come back as located error diagnostics, never as a crash; a rule set
// that compiles is run over the bundled example chats (closed and live) and
// every report keeps check_report's invariants.
#include <cstdint>
#include <fstream>
#include <sstream>

#include "fuzz_common.hpp"

using namespace chatqa;

namespace {

const std::vector<Session>& example_sessions() {
  static const std::vector<Session> sessions = [] {
    std::vector<Session> out;
    for (const char* name : {"/examples/chats/zh-CN/online.jsonl", "/examples/chats/en-US/support.jsonl"}) {
      std::ifstream in(std::string(CHATQA_SOURCE_DIR) + name);
      std::stringstream text;
      text << in.rdbuf();
      for (ParsedSession& p : parse_sessions(text.str())) {
        if (p.session) out.push_back(std::move(*p.session));
      }
    }
    if (out.empty()) fuzz::fail("no example sessions");
    return out;
  }();
  return sessions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<Session>& sessions = example_sessions();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Lexicon references resolve next to the shipped zh-CN rule sets.
  const CompileResult r = compile_rules(text, "fuzz.json", CHATQA_SOURCE_DIR "/rules/zh-CN");
  for (const Diagnostic& d : r.diagnostics) {
    fuzz::require(d.code.size() == 5 && (d.code[0] == 'E' || d.code[0] == 'W'), "a diagnostic has a code", d.code);
    fuzz::require(!d.message.empty(), "a diagnostic has a message", d.code);
    fuzz::require(d.line >= 0 && d.column >= 0, "a diagnostic's location is not negative", d.to_string());
    // A regex is echoed cut (issue 18: a 50 MB pattern made a 52 MB line).
    fuzz::require((d.code != "E0109" && d.code != "E0115") || d.message.size() < 2048, "a regex diagnostic is short",
                  d.code);
  }
  fuzz::require(r.ok() != has_errors(r.diagnostics), "a rule set compiles exactly when there are no errors");
  if (!r.ok()) return 0;
  for (const Session& s : sessions) {
    for (const bool closed : {true, false}) {
      EvalOptions eval;
      eval.session_closed = closed;
      fuzz::check_report(evaluate(*r.rule_set, s, eval), s, *r.rule_set);
    }
  }
  return 0;
}
