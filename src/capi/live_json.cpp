// JSON in and out of live sessions (see live_json.hpp).
#include "capi/live_json.hpp"

#include <nlohmann/json.hpp>

#include "chatqa/report.hpp"
#include "report/json_writer.hpp"

namespace chatqa::detail {

using nlohmann::json;

std::string diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const Diagnostic& d : diagnostics) {
    w.begin_object();
    w.literal_member("severity", to_string(d.severity));
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

// Reads `text` as one JSON object into `j`. Syntax and UTF-8 errors are
// worded by parse_session (as for a whole session); a value that is not an
// object is `not_object_code` ("WHAT must be a JSON object, not ...").
static bool parse_object(std::string_view text, const char* not_object_code, const char* what, json& j,
                         InputError& error) {
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    ParsedSession p = parse_session(text);
    error = p.error ? *p.error : input_error("E0201", std::string("invalid JSON: ") + e.what());
    return false;
  }
  if (!j.is_object()) {
    error = input_error(not_object_code, std::string(what) + " must be a JSON object, not " + j.type_name());
    return false;
  }
  return true;
}

// One message of a live session, read as parse_session reads the messages of
// a session (same checks, same diagnostics; pointers relative to the message).
bool parse_live_message(std::string_view text, Message& message, InputError& error) {
  json j;
  if (!parse_object(text, "E0203", "a message", j, error)) {
    error.line = 0;
    return false;
  }
  json wrapped = json::object();
  wrapped["id"] = "live";
  wrapped["messages"] = json::array({std::move(j)});
  ParsedSession p = parse_session(wrapped.dump());
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
bool parse_live_header(std::string_view text, Session& header, InputError& error) {
  json j;
  if (!parse_object(text, "E0202", "a session", j, error)) return false;
  auto messages = j.find("messages");
  const bool none = messages == j.end() || messages->is_null() || (messages->is_array() && messages->empty());
  if (none) {  // a placeholder message, so the header is read as a session is
    j["messages"] = json::array({json{{"role", "system"}, {"time", 0}, {"event", "live"}}});
  }
  ParsedSession p = parse_session(j.dump());
  if (p.error) {
    error = *p.error;
    return false;
  }
  header = std::move(*p.session);
  if (none) header.messages.clear();
  return true;
}

std::string due_json(const std::vector<DueWarning>& warnings) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const DueWarning& d : warnings) {
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

}  // namespace chatqa::detail
