// A session from a parsed JSON value (internal): what parse_session does
// after parsing, for readers that build the value themselves (mapped exports).
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chatqa/session.hpp"

namespace chatqa::detail {

// Parses `text` as one JSON value; on failure fills `error` (E0201 / E0206).
bool parse_json_text(std::string_view text, nlohmann::json& out, InputError& error);
// Fills `session` from a session object in chatqa's format, or returns the first problem.
std::optional<InputError> session_from_json(const nlohmann::json& j, const SessionOptions& options, Session& session);

}  // namespace chatqa::detail
