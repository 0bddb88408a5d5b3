// Mapped exports (internal to chatqa::io): one mapped JSON record -> a
// session object in chatqa's format; role and row decisions shared with CSV.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/reader.hpp"

namespace chatqa::detail {

// Where the parts of a mapped session came from in the export's record.
struct MappingTrace {
  std::map<std::string, const nlohmann::json*> session;             // "id", "agent", "team" -> source value
  std::vector<const nlohmann::json*> rows;                            // mapped message -> its source row
  std::vector<std::map<std::string, const nlohmann::json*>> fields;  // mapped message -> field -> source value
};

// A session object in chatqa's format from a record of a mapped export;
// `trace` (if given) records where each part came from.
nlohmann::json map_session(const nlohmann::json& doc, const Mapping& mapping, MappingTrace* trace = nullptr);
// A JSON pointer into the mapped session ("/messages/3/time") as a pointer
// into the export's record ("/history/5/timestamp"), or "" when the part has
// no single source.
std::string source_pointer(const nlohmann::json& doc, const MappingTrace& trace, const std::string& mapped_pointer);
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
