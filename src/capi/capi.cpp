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

#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"
#include "chatqa/live.hpp"
#include "report/json_writer.hpp"

struct chatqa_rules {
  std::shared_ptr<const chatqa::RuleSet> rules;
};

struct chatqa_live {
  explicit chatqa_live(chatqa::LiveSession s) : session(std::move(s)) {}
  chatqa::LiveSession session;
};

namespace {

using nlohmann::json;

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

chatqa::InputError input_error(const char* code, std::string message, std::string pointer = {}) {
  chatqa::InputError e;
  e.code = code;
  e.message = std::move(message);
  e.json_pointer = std::move(pointer);
  return e;
}

char* error_record(const chatqa::InputError& e) {
  return to_c_string(chatqa::error_record_json(e, ""));
}

std::string diagnostics_json(const std::vector<chatqa::Diagnostic>& diagnostics) {
  std::string out;
  chatqa::detail::JsonWriter w(out);
  w.begin_array();
  for (const chatqa::Diagnostic& d : diagnostics) {
    w.begin_object();
    w.literal_member("severity", chatqa::to_string(d.severity));
    w.member("code", d.code);
    w.member("message", d.message);
    w.member("file", d.file);
    w.member("pointer", d.json_pointer);
    w.member("line", static_cast<long long>(d.line));
    w.member("column", static_cast<long long>(d.column));
    w.member("text", d.to_string());
    w.end_object();
  }
  w.end_array();
  w.finish();
  return out;
}

chatqa_rules* finish_compile(chatqa::CompileResult&& result, char** diagnostics) {
  if (diagnostics) *diagnostics = to_c_string(diagnostics_json(result.diagnostics));
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

// One message of a live session, read as parse_session reads the messages of
// a session (same checks, same diagnostics; pointers relative to the message).
bool parse_message(std::string_view text, chatqa::Message& message, chatqa::InputError& error) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // parse_session words it (UTF-8 and syntax errors): ask it.
    chatqa::ParsedSession p = chatqa::parse_session(text);
    error = p.error ? *p.error : input_error("E0201", std::string("invalid JSON: ") + e.what());
    error.line = 0;
    return false;
  }
  if (!j.is_object()) {
    error = input_error("E0203", std::string("a message must be a JSON object, not ") + j.type_name());
    return false;
  }
  json wrapped = json::object();
  wrapped["id"] = "live";
  wrapped["messages"] = json::array({std::move(j)});
  chatqa::ParsedSession p = chatqa::parse_session(wrapped.dump());
  if (p.error) {
    error = *p.error;
    error.line = 0;
    const std::string prefix = "/messages/0";
    if (error.json_pointer.compare(0, prefix.size(), prefix) == 0) error.json_pointer.erase(0, prefix.size());
    return false;
  }
  message = std::move(p.session->messages.front());
  return true;
}

// A live session's header: a session whose "messages" may be missing or empty.
bool parse_header(std::string_view text, chatqa::Session& header, chatqa::InputError& error) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    chatqa::ParsedSession p = chatqa::parse_session(text);
    error = p.error ? *p.error : input_error("E0201", std::string("invalid JSON: ") + e.what());
    return false;
  }
  if (!j.is_object()) {
    error = input_error("E0202", std::string("a session must be a JSON object, not ") + j.type_name());
    return false;
  }
  auto messages = j.find("messages");
  const bool none = messages == j.end() || messages->is_null() || (messages->is_array() && messages->empty());
  if (none) {  // a placeholder message, so the header is read as a session is
    j["messages"] = json::array({json{{"role", "system"}, {"time", 0}, {"event", "live"}}});
  }
  chatqa::ParsedSession p = chatqa::parse_session(j.dump());
  if (p.error) {
    error = *p.error;
    return false;
  }
  header = std::move(*p.session);
  if (none) header.messages.clear();
  return true;
}

std::string due_json(const std::vector<chatqa::DueWarning>& warnings) {
  std::string out;
  chatqa::detail::JsonWriter w(out);
  w.begin_array();
  for (const chatqa::DueWarning& d : warnings) {
    w.begin_object();
    w.member("item", d.item);
    w.member("kind", d.kind);
    w.member("message", d.message);
    w.member("since", d.since);
    w.member("deadline", d.deadline);
    w.key("limit_seconds");
    w.number(d.limit_seconds);
    w.key("remaining_seconds");
    w.number(d.remaining_seconds);
    w.member("explanation", d.explanation);
    w.end_object();
  }
  w.end_array();
  w.finish();
  return out;
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
    if (!parse_header(view(session_json, len), header, error)) {
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
    if (!parse_message(view(message_json, len), message, error)) return error_record(error);
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
    return to_c_string(due_json(live->session.due(now_ms)));
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
