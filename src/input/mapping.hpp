// Mapped exports (internal to chatqa::io): one mapped JSON record -> a
// session object in chatqa's format; role and row decisions shared with CSV.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/reader.hpp"

namespace chatqa::detail {

// A session object in chatqa's format from a record of a mapped export.
nlohmann::json map_session(const nlohmann::json& doc, const Mapping& mapping);
// The role (or "event" / "drop") a role value maps to.
std::string map_role(const Mapping& mapping, const std::string& value);
// The action of the first row filter that does not keep the row as a message;
// `value_of(field, present)` reads a field of the row; `matched` gets its value.
RowAction row_action(const Mapping& mapping, const std::function<std::string(const std::string&, bool&)>& value_of,
                     std::string& matched);

// Shipped presets (presets/*.json, compiled in: presets.cpp is generated).
struct Preset {
  const char* name;
  const char* text;
};
const std::vector<Preset>& presets();

}  // namespace chatqa::detail
