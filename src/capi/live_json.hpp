// JSON in and out of live sessions, shared by the C API (capi.cpp) and
// `chatqa serve`: a live session's header, one message, due warnings,
// diagnostics. Internal: not installed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chatqa/diagnostic.hpp"
#include "chatqa/live.hpp"
#include "chatqa/session.hpp"
#include "input/input_error.hpp"

namespace chatqa::detail {

// One message of a live session, read as parse_session reads the messages of
// a session (same checks, same codes; pointers relative to the message).
bool parse_live_message(std::string_view json_text, Message& message, InputError& error);
// A live session's header: a session whose "messages" may be missing or empty.
bool parse_live_header(std::string_view json_text, Session& header, InputError& error);
// A JSON array of due warnings (see chatqa_live_due in chatqa.h).
std::string due_json(const std::vector<DueWarning>& warnings);
// A JSON array of diagnostics (see chatqa_rules_compile in chatqa.h).
std::string diagnostics_json(const std::vector<Diagnostic>& diagnostics);

}  // namespace chatqa::detail
