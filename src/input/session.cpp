// Reading one session from its JSON text (whole inputs: reader.cpp).
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "chatqa/session.hpp"
#include "input/input_error.hpp"
#include "input/json_locator.hpp"
#include "input/session_json.hpp"
#include "input/time_format.hpp"
#include "text/utf8.hpp"

namespace chatqa {
namespace {

using json = nlohmann::json;

const char* const kRoleNames[] = {"customer", "agent", "bot", "system"};
constexpr double kMaxEpochNumber = 253402300799999.0;  // 9999-12-31T23:59:59.999Z in milliseconds
constexpr int kMaxMetaDepth = 32;                      // deeper "meta" objects are not flattened

InputError make_error(const char* code, const std::string& message, std::string pointer = {}) {
  return detail::input_error(code, message, std::move(pointer));
}

std::string type_name(const json& v) { return v.type_name(); }

void flatten_meta(const json& value, const std::string& prefix, std::map<std::string, std::string>& out, int depth = 0) {
  if (depth > kMaxMetaDepth) return;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const json& v = it.value();
    if (v.is_object()) {
      flatten_meta(v, key, out, depth + 1);
    } else if (v.is_string()) {
      out[key] = v.get<std::string>();
    } else if (!v.is_array() && !v.is_null()) {
      out[key] = v.dump();
    }
  }
}

std::optional<std::string> string_or_number(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return std::nullopt;
}

// Fills `session` from a parsed JSON object or returns the first problem.
// Long function: reads a session's fields in order and returns the first problem with its location;
// a flat sequence of field checks.
std::optional<InputError> session_from_json_impl(const json& j, const SessionOptions& options, Session& session) {
  if (!j.is_object()) {
    return make_error("E0202", "a session must be a JSON object, not " + type_name(j));
  }
  auto id = j.find("id");
  if (id == j.end()) {
    // A wrapper ({"chats": [...]}) read as a session: say where the sessions may be.
    std::string hint;
    for (auto it = j.begin(); it != j.end() && hint.empty(); ++it) {
      if (it.key() != "messages" && it->is_array() && !it->empty() && (*it)[0].is_object()) {
        hint = " (\"" + it.key() + "\" holds an array of objects: if those are the sessions, read them with "
               "--sessions-at " + it.key() + " or a --preset)";
      }
    }
    return make_error("E0202", "session has no \"id\"" + hint);
  }
  auto id_text = string_or_number(*id);
  if (!id_text) return make_error("E0203", "\"id\" must be a string or an integer, not " + type_name(*id), "/id");
  // An empty id names no session: reports, summaries and samples could not
  // tell such sessions apart.
  if (id_text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return make_error("E0202", "session \"id\" is empty", "/id");
  }
  session.id = *id_text;
  for (const char* key : {"agent", "team"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    auto text = string_or_number(*it);
    if (!text) {
      return make_error("E0203", std::string("\"") + key + "\" must be a string, not " + type_name(*it),
                        std::string("/") + key);
    }
    (key[0] == 'a' ? session.agent : session.team) = *text;
  }
  if (auto meta = j.find("meta"); meta != j.end() && !meta->is_null()) {
    if (!meta->is_object()) return make_error("E0203", "\"meta\" must be an object, not " + type_name(*meta), "/meta");
    flatten_meta(*meta, "", session.meta);
  }
  auto messages = j.find("messages");
  if (messages == j.end()) return make_error("E0202", "session \"" + session.id + "\" has no \"messages\"");
  if (!messages->is_array()) {
    return make_error("E0203", "\"messages\" must be an array, not " + type_name(*messages), "/messages");
  }
  if (messages->empty()) return make_error("E0208", "session \"" + session.id + "\" has no messages", "/messages");
  if (messages->size() > options.max_messages) {
    return make_error("E0207", "session has " + std::to_string(messages->size()) + " messages, more than the limit of " +
                                   std::to_string(options.max_messages),
                      "/messages");
  }
  session.messages.reserve(messages->size());
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = "/messages/" + std::to_string(i);
    if (!m.is_object()) return make_error("E0203", "message must be an object, not " + type_name(m), where);
    Message msg;
    msg.input_index = i;
    auto role = m.find("role");
    if (role == m.end()) return make_error("E0202", "message has no \"role\"", where);
    if (!role->is_string()) return make_error("E0203", "\"role\" must be a string", where + "/role");
    auto parsed_role = role_from_string(role->get<std::string>());
    if (!parsed_role) {
      return make_error("E0205",
                        "unknown role \"" + role->get<std::string>() + "\" (expected customer, agent, bot or system)",
                        where + "/role");
    }
    msg.role = *parsed_role;
    auto time = m.find("time");
    if (time == m.end()) return make_error("E0202", "message has no \"time\"", where);
    if (time->is_number()) {
      // Epoch seconds or milliseconds of the years 0001..9999; beyond that
      // the number is no time (and would overflow the millisecond clock).
      const double epoch = time->get<double>();
      if (!(std::fabs(epoch) <= kMaxEpochNumber)) {
        return make_error("E0204", "bad time " + time->dump() + " (epoch seconds or milliseconds out of range)",
                          where + "/time");
      }
      msg.time = time_from_epoch_number(epoch, options.default_utc_offset_minutes);
      if (!options.time_zone.empty()) {
        msg.time.utc_offset_minutes =
            detail::zone_offset_at_utc(options.time_zone, msg.time.epoch_ms, options.default_utc_offset_minutes);
      }
    } else if (time->is_string()) {
      auto t = parse_time(time->get<std::string>(), options);
      if (!t) {
        std::string expected = "ISO 8601, \"YYYY-MM-DD HH:MM:SS\" or epoch seconds";
        for (const std::string& f : options.time_formats) expected += ", or \"" + f + "\"";
        if (!options.time_zone.empty() && !time_zone_known(options.time_zone)) {
          expected += "; unknown time zone \"" + options.time_zone + "\"";
        }
        return make_error("E0204", "bad time \"" + time->get<std::string>() + "\" (expected " + expected + ")",
                          where + "/time");
      }
      msg.time = *t;
    } else {
      return make_error("E0203", "\"time\" must be a string or a number, not " + type_name(*time), where + "/time");
    }
    auto text = m.find("text");
    if (text != m.end() && !text->is_null()) {
      if (!text->is_string()) return make_error("E0203", "\"text\" must be a string, not " + type_name(*text), where + "/text");
      msg.text = text->get<std::string>();
      if (msg.text.size() > options.max_message_bytes) {
        return make_error("E0207", "message text is " + std::to_string(msg.text.size()) +
                                       " bytes, more than the limit of " + std::to_string(options.max_message_bytes),
                          where + "/text");
      }
    }
    auto event = m.find("event");
    if (event != m.end() && !event->is_null()) {
      if (!event->is_string()) return make_error("E0203", "\"event\" must be a string", where + "/event");
      msg.event = event->get<std::string>();
    }
    if (text == m.end() && msg.event.empty()) return make_error("E0202", "message has neither \"text\" nor \"event\"", where);
    session.messages.push_back(std::move(msg));
  }
  session.sort_messages();
  return std::nullopt;
}

ParsedSession from_value(const json& j, const SessionOptions& options) {
  ParsedSession out;
  Session session;
  if (auto err = session_from_json_impl(j, options, session)) {
    out.error = std::move(err);
  } else {
    out.session = std::move(session);
  }
  return out;
}

// Parses `text` as one JSON value; on failure fills `error`.
bool parse_json_impl(std::string_view text, json& out, InputError& error) {
  if (auto bad = utf8::find_invalid(text); bad != std::string_view::npos) {
    error = make_error("E0206", "invalid UTF-8 at byte " + std::to_string(bad));
    error.byte_offset = bad;
    return false;
  }
  // nlohmann stops at a NUL as at the end of the input: what follows it
  // would be dropped without a word.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    error = make_error("E0201", "invalid JSON: NUL byte at byte " + std::to_string(nul) +
                                    " (the bytes after it are no JSON; a corrupt or padded file?)");
    error.byte_offset = nul;
    return false;
  }
  try {
    out = json::parse(text.begin(), text.end());
    return true;
  } catch (const json::exception& e) {
    // A syntax error, or a number too big for a double (out_of_range.406: no
    // parse_error, and it escaped parse_sessions until fuzz_session found it).
    error = make_error("E0201", "invalid JSON: " + json_error_detail(e.what()));
    error.byte_offset = json_error_offset(text, e).value_or(0);
    return false;
  }
}

}  // namespace

namespace detail {
bool parse_json_text(std::string_view text, nlohmann::json& out, InputError& error) {
  return parse_json_impl(text, out, error);
}
std::optional<InputError> session_from_json(const nlohmann::json& j, const SessionOptions& options, Session& session) {
  return session_from_json_impl(j, options, session);
}
}  // namespace detail

const char* to_string(Role role) noexcept { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> role_from_string(std::string_view name) noexcept {
  for (int i = 0; i < 4; ++i) {
    if (name == kRoleNames[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

void Session::sort_messages() {
  std::stable_sort(messages.begin(), messages.end(),
                   [](const Message& a, const Message& b) { return a.time.epoch_ms < b.time.epoch_ms; });
}

ParsedSession parse_session(std::string_view text, const SessionOptions& options) {
  ParsedSession out;
  out.line = 1;
  json j;
  InputError error;
  if (!parse_json_impl(text, j, error)) {
    out.error = std::move(error);
    out.error->line = 1;
    return out;
  }
  out = from_value(j, options);
  out.line = 1;
  if (out.error) out.error->line = 1;
  return out;
}

}  // namespace chatqa
