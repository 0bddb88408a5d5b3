// The C API (include/chatqa/chatqa.h) over the C++ API. Every function
// catches everything: no exception crosses into C.
#include "chatqa/chatqa.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "chatqa/chatqa.hpp"
#include "chatqa/live.hpp"
#include "capi/live_json.hpp"

struct chatqa_rules {
  std::shared_ptr<const chatqa::RuleSet> rules;
};

struct chatqa_live {
  explicit chatqa_live(chatqa::LiveSession s) : session(std::move(s)) {}
  chatqa::LiveSession session;
};

namespace {

using chatqa::detail::input_error;

thread_local std::string last_error;

// A copy of `s` in malloc'd memory (freed by chatqa_string_free), or NULL.
char* to_c_string(std::string_view s) noexcept {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (!out) {
    last_error = "out of memory";
    return nullptr;
  }
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

std::string_view view(const char* text, std::size_t len) {
  return text ? std::string_view(text, len) : std::string_view();
}

char* error_record(const chatqa::InputError& e) {
  return to_c_string(chatqa::error_record_json(e, ""));
}

chatqa_rules* finish_compile(chatqa::CompileResult&& result, char** diagnostics) {
  if (diagnostics) *diagnostics = to_c_string(chatqa::detail::diagnostics_json(result.diagnostics));
  if (!result.ok()) {
    std::string first = "the rule set has errors";
    for (const chatqa::Diagnostic& d : result.diagnostics) {
      if (d.severity == chatqa::Severity::error) {
        first = d.to_string();
        break;
      }
    }
    last_error = first;
    return nullptr;
  }
  return new chatqa_rules{std::move(result.rule_set)};
}

// The report of a session as `chatqa score` writes it (one line, no newline).
char* report_json(const chatqa::Report& report) {
  thread_local std::string out;
  chatqa::to_json(report, out);
  char* s = to_c_string(out);
  if (out.capacity() > (std::size_t{1} << 20)) std::string().swap(out);  // an outlier's memory is not kept
  return s;
}

template <typename F>
auto guarded(F&& f) noexcept -> decltype(f()) {
  last_error.clear();
  try {
    return f();
  } catch (const std::bad_alloc&) {
    last_error = "out of memory";
  } catch (const std::exception& e) {
    last_error = std::string("internal error: ") + e.what();
  } catch (...) {
    last_error = "internal error";
  }
  return nullptr;
}

}  // namespace

extern "C" {

const char* chatqa_version(void) {
  return chatqa::version();
}

const char* chatqa_last_error(void) {
  return last_error.c_str();
}

chatqa_rules* chatqa_rules_compile(const char* rules_json, size_t len, const char* base_dir, char** diagnostics_json) {
  if (diagnostics_json) *diagnostics_json = nullptr;
  return guarded([&]() -> chatqa_rules* {
    return finish_compile(chatqa::compile_rules(view(rules_json, len), "<rules>", base_dir ? base_dir : ""),
                          diagnostics_json);
  });
}

chatqa_rules* chatqa_rules_compile_file(const char* path, char** diagnostics_json) {
  if (diagnostics_json) *diagnostics_json = nullptr;
  return guarded([&]() -> chatqa_rules* {
    if (!path) {
      last_error = "no path given";
      if (diagnostics_json) *diagnostics_json = to_c_string("[]");
      return nullptr;
    }
    return finish_compile(chatqa::compile_rule_file(path), diagnostics_json);
  });
}

char* chatqa_score(const chatqa_rules* rules, const char* session_json, size_t len) {
  return guarded([&]() -> char* {
    if (!rules) {
      last_error = "no rule set given";
      return nullptr;
    }
    chatqa::ParsedSession parsed = chatqa::parse_session(view(session_json, len));
    if (!parsed.session) return error_record(*parsed.error);
    thread_local chatqa::EvalScratch scratch;
    thread_local chatqa::Report report;
    chatqa::evaluate(*rules->rules, *parsed.session, scratch, report);
    return report_json(report);
  });
}

chatqa_live* chatqa_live_open(const chatqa_rules* rules, const char* session_json, size_t len) {
  return guarded([&]() -> chatqa_live* {
    if (!rules) {
      last_error = "no rule set given";
      return nullptr;
    }
    chatqa::Session header;
    chatqa::InputError error;
    if (!chatqa::detail::parse_live_header(view(session_json, len), header, error)) {
      last_error = chatqa::error_record_json(error, "");
      return nullptr;
    }
    return new chatqa_live(chatqa::LiveSession(rules->rules, std::move(header)));
  });
}

char* chatqa_live_add(chatqa_live* live, const char* message_json, size_t len) {
  return guarded([&]() -> char* {
    if (!live) {
      last_error = "no live session given";
      return nullptr;
    }
    if (live->session.closed()) return error_record(input_error("E0701", "the live session is closed"));
    chatqa::Message message;
    chatqa::InputError error;
    if (!chatqa::detail::parse_live_message(view(message_json, len), message, error)) return error_record(error);
    return report_json(live->session.add(std::move(message)));
  });
}

char* chatqa_live_due(chatqa_live* live, double now_epoch_seconds) {
  return guarded([&]() -> char* {
    if (!live) {
      last_error = "no live session given";
      return nullptr;
    }
    if (!std::isfinite(now_epoch_seconds)) return to_c_string("[]");
    const auto now_ms = static_cast<std::int64_t>(std::llround(now_epoch_seconds * 1000.0));
    return to_c_string(chatqa::detail::due_json(live->session.due(now_ms)));
  });
}

char* chatqa_live_close(chatqa_live* live) {
  return guarded([&]() -> char* {
    if (!live) {
      last_error = "no live session given";
      return nullptr;
    }
    return report_json(live->session.close());
  });
}

void chatqa_live_free(chatqa_live* live) {
  delete live;
}

void chatqa_rules_free(chatqa_rules* rules) {
  delete rules;
}

void chatqa_string_free(char* s) {
  std::free(s);
}

}  // extern "C"
