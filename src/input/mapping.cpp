// Mappings of help-desk exports onto sessions (see Mapping in chatqa/reader.hpp):
// the mapping file, the transformation of one mapped JSON record, HTML to text.
#include "input/mapping.hpp"

#include "input/json_locator.hpp"

#include <cstring>

#include "input/session_json.hpp"

namespace chatqa {
namespace {

using json = nlohmann::json;

const char* const kSessionFields[] = {"id", "agent", "team"};
const char* const kMessageFields[] = {"role", "time", "text", "event", "agent"};
const char* const kCsvColumnFields[] = {"session", "role", "time", "text", "agent", "team", "event"};

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (s == n) return true;
  }
  return false;
}

// A path or a list of paths.
std::optional<std::string> read_paths(const json& v, const std::string& where, std::vector<std::string>& out) {
  out.clear();
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return std::nullopt;
  }
  if (v.is_array()) {
    for (const json& p : v) {
      if (!p.is_string()) return where + ": a path is a string";
      out.push_back(p.get<std::string>());
    }
    return std::nullopt;
  }
  return where + ": expected a path or a list of paths";
}

std::optional<RowAction> action_from(const std::string& name) {
  if (name == "message") return RowAction::message;
  if (name == "drop") return RowAction::drop;
  if (name == "event") return RowAction::event;
  if (name == "system") return RowAction::system;
  return std::nullopt;
}

std::optional<std::string> check_keys(const json& obj, const std::string& where,
                                      std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!one_of(it.key(), known)) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return where + ": unknown key \"" + it.key() + "\" (keys: " + list + ")";
    }
  }
  return std::nullopt;
}

// The text of a scalar as a role or filter value: strings as they are,
// numbers and booleans as JSON writes them, null and missing as "".
std::string scalar_text(const json* v) {
  if (!v || v->is_null()) return {};
  if (v->is_string()) return v->get<std::string>();
  if (v->is_structured()) return v->dump();
  return v->dump();
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Mapping files

// Long function: reads a mapping file's keys one after another into ReadOptions, each with its own
// validation message; a flat list is the clearest form.
std::optional<std::string> apply_mapping(std::string_view text, ReadOptions& options) {
  json j;
  InputError parse_error;
  if (!detail::parse_json_text(text, j, parse_error)) return "mapping: " + parse_error.message;
  if (!j.is_object()) return std::string("mapping: expected a JSON object");
  if (auto e = check_keys(j, "mapping",
                          {"$comment", "format", "sessions", "messages", "session", "message", "meta", "roles", "rows",
                           "html", "csv", "encoding"})) {
    return e;
  }
  Mapping& m = options.mapping;
  if (auto it = j.find("encoding"); it != j.end()) {
    if (!it->is_string() || !encoding_known(it->get<std::string>())) {
      return std::string("mapping: \"encoding\" must name an encoding (gbk, gb18030, big5, utf-16, ...)");
    }
    options.encoding = it->get<std::string>();
  }
  if (auto it = j.find("format"); it != j.end()) {
    const std::string f = it->is_string() ? it->get<std::string>() : "";
    if (f == "json") {
      options.format = InputFormat::json;
    } else if (f == "csv") {
      options.format = InputFormat::csv;
    } else if (f == "auto") {
      options.format = InputFormat::automatic;
    } else {
      return std::string("mapping: \"format\" must be \"json\", \"csv\" or \"auto\"");
    }
  }
  if (auto it = j.find("sessions"); it != j.end()) {
    if (!it->is_string()) return std::string("mapping: \"sessions\" must be a key (string)");
    m.sessions = it->get<std::string>();
  }
  if (auto it = j.find("messages"); it != j.end()) {
    if (auto e = read_paths(*it, "mapping: \"messages\"", m.messages)) return e;
  }
  auto fields = [&](const char* key, std::initializer_list<const char*> names,
                    std::map<std::string, std::vector<std::string>>& out) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    const std::string where = std::string("mapping: \"") + key + "\"";
    if (!it->is_object()) return where + " must be an object of field -> path";
    if (auto e = check_keys(*it, where, names)) return e;
    for (auto f = it->begin(); f != it->end(); ++f) {
      if (auto e = read_paths(f.value(), where + "." + f.key(), out[f.key()])) return e;
    }
    return std::nullopt;
  };
  if (auto e = fields("session", {"id", "agent", "team"}, m.session_fields)) return e;
  if (auto e = fields("message", {"role", "time", "text", "event", "agent"}, m.message_fields)) return e;
  if (auto it = j.find("meta"); it != j.end()) {
    if (!it->is_object()) return std::string("mapping: \"meta\" must be an object of name -> path");
    for (auto f = it->begin(); f != it->end(); ++f) {
      if (!f->is_string()) return "mapping: \"meta\"." + f.key() + " must be a path";
      m.meta[f.key()] = f->get<std::string>();
    }
  }
  if (auto it = j.find("roles"); it != j.end()) {
    if (!it->is_object()) return std::string("mapping: \"roles\" must be an object of value -> role");
    for (auto f = it->begin(); f != it->end(); ++f) {
      const std::string to = f->is_string() ? f->get<std::string>() : "";
      if (!role_from_string(to) && to != "drop" && to.rfind("event", 0) != 0) {
        return "mapping: \"roles\": \"" + f.key() + "\" must map to customer, agent, bot, system, event[:NAME] or drop";
      }
      m.roles[f.key()] = to;
    }
  }
  if (auto it = j.find("rows"); it != j.end()) {
    if (!it->is_array()) return std::string("mapping: \"rows\" must be a list of filters");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& r = (*it)[i];
      const std::string where = "mapping: \"rows\"[" + std::to_string(i) + "]";
      if (!r.is_object()) return where + " must be an object";
      if (auto e = check_keys(r, where, {"field", "map", "otherwise"})) return e;
      RowRule rule;
      auto field = r.find("field");
      if (field == r.end() || !field->is_string()) return where + ": \"field\" (a path or column) is needed";
      rule.field = field->get<std::string>();
      if (auto mp = r.find("map"); mp != r.end()) {
        if (!mp->is_object()) return where + ": \"map\" must be an object of value -> action";
        for (auto a = mp->begin(); a != mp->end(); ++a) {
          auto action = action_from(a->is_string() ? a->get<std::string>() : "");
          if (!action) return where + ": \"" + a.key() + "\" must map to message, drop, event or system";
          rule.actions[a.key()] = *action;
        }
      }
      if (auto o = r.find("otherwise"); o != r.end()) {
        auto action = action_from(o->is_string() ? o->get<std::string>() : "");
        if (!action) return where + ": \"otherwise\" must be message, drop, event or system";
        rule.otherwise = *action;
      }
      m.rows.push_back(std::move(rule));
    }
  }
  if (auto it = j.find("html"); it != j.end()) {
    if (!it->is_boolean()) return std::string("mapping: \"html\" must be true or false");
    m.html = it->get<bool>();
  }
  if (auto it = j.find("csv"); it != j.end()) {
    if (!it->is_object()) return std::string("mapping: \"csv\" must be an object");
    if (auto e = check_keys(*it, "mapping: \"csv\"", {"columns", "delimiter", "roles"})) return e;
    if (auto c = it->find("columns"); c != it->end()) {
      if (!c->is_object()) return std::string("mapping: \"csv\".columns must be an object of field -> column");
      for (auto f = c->begin(); f != c->end(); ++f) {
        bool known = false;
        for (const char* k : kCsvColumnFields) known = known || f.key() == k;
        if (!known) return "mapping: \"csv\".columns: unknown field \"" + f.key() + "\"";
        if (!f->is_string() || f->get<std::string>().empty()) return "mapping: \"csv\".columns." + f.key() + " must be a column name";
        options.csv.columns[f.key()] = f->get<std::string>();
      }
    }
    if (auto d = it->find("delimiter"); d != it->end()) {
      if (!d->is_string() || d->get<std::string>().size() != 1) return std::string("mapping: \"csv\".delimiter must be one character");
      options.csv.delimiter = d->get<std::string>()[0];
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// HTML to text

// Long function: a one-pass state machine over the HTML (tags, entities, whitespace, block breaks)
// sharing the output position.
std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  auto lower_tag = [&](std::size_t from, std::size_t to) {
    std::string name;
    std::size_t k = from;
    if (k < to && html[k] == '/') ++k;
    while (k < to && (std::isalnum(static_cast<unsigned char>(html[k])))) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[k])));
      ++k;
    }
    return name;
  };
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const std::size_t close = html.find('>', i + 1);
      if (close == std::string_view::npos) {
        out.append(html.substr(i));
        break;
      }
      const bool closing = i + 1 < close && html[i + 1] == '/';
      const std::string name = lower_tag(i + 1, close);
      if (name == "br") {
        out += '\n';
      } else if (closing && one_of(name, {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})) {
        if (!out.empty() && out.back() != '\n') out += '\n';
      } else if (name == "script" || name == "style") {
        if (!closing) {
          const std::string end = "</" + name;
          std::size_t e = i;
          while ((e = html.find('<', e + 1)) != std::string_view::npos) {
            if (lower_tag(e + 1, std::min(html.size(), e + 2 + name.size())) == name && html[e + 1] == '/') break;
          }
          const std::size_t gt = e == std::string_view::npos ? std::string_view::npos : html.find('>', e);
          i = gt == std::string_view::npos ? html.size() : gt + 1;
          continue;
        }
      }
      i = close + 1;
      continue;
    }
    if (c == '&') {
      const std::size_t semi = html.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string_view ent = html.substr(i + 1, semi - i - 1);
        bool done = true;
        if (ent == "amp") {
          out += '&';
        } else if (ent == "lt") {
          out += '<';
        } else if (ent == "gt") {
          out += '>';
        } else if (ent == "quot") {
          out += '"';
        } else if (ent == "apos") {
          out += '\'';
        } else if (ent == "nbsp") {
          out += ' ';
        } else if (ent.size() >= 2 && ent[0] == '#') {
          std::uint32_t cp = 0;
          bool ok = true;
          const bool hex = ent[1] == 'x' || ent[1] == 'X';
          for (std::size_t k = hex ? 2 : 1; k < ent.size() && ok; ++k) {
            const char d = ent[k];
            int v = -1;
            if (d >= '0' && d <= '9') v = d - '0';
            else if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
            else if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
            if (v < 0 || cp > 0x10FFFF) ok = false;
            else cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
          }
          if (ok && ent.size() > (hex ? 2u : 1u)) {
            append_utf8(out, cp);
          } else {
            done = false;
          }
        } else {
          done = false;
        }
        if (done) {
          i = semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  std::size_t start = 0;
  while (start < out.size() && (out[start] == '\n' || out[start] == ' ')) ++start;
  return out.substr(start);
}

// ---------------------------------------------------------------------------
// One mapped JSON record -> a session in chatqa's format

namespace detail {
namespace {

const json* at_path(const json& root, std::string_view path) {
  const json* v = &root;
  while (!path.empty()) {
    const std::size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (v->is_object()) {
      auto it = v->find(std::string(key));
      if (it == v->end()) return nullptr;
      v = &*it;
    } else if (v->is_array()) {
      std::size_t index = 0;
      if (key.empty()) return nullptr;
      for (char c : key) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<std::size_t>(c - '0');
        if (index > 1u << 30) return nullptr;
      }
      if (index >= v->size()) return nullptr;
      v = &(*v)[index];
    } else {
      return nullptr;
    }
  }
  return v;
}

// The first present, non-null value of `paths` (a "$session." path reads the session).
const json* first_of(const json& obj, const json& session, const std::vector<std::string>* paths,
                     const char* fallback) {
  if (!paths) {
    const json* v = at_path(obj, fallback);
    return v && !v->is_null() ? v : nullptr;
  }
  for (const std::string& p : *paths) {
    const bool from_session = p.rfind("$session.", 0) == 0;
    const json* v = from_session ? at_path(session, std::string_view(p).substr(9)) : at_path(obj, p);
    if (v && !v->is_null()) return v;
  }
  return nullptr;
}

const std::vector<std::string>* paths_of(const std::map<std::string, std::vector<std::string>>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

std::string map_role(const Mapping& m, const std::string& value) {
  if (m.roles.empty()) return value;
  if (auto it = m.roles.find(value); it != m.roles.end()) return it->second;
  std::size_t best = 0;
  const std::string* found = nullptr;
  for (const auto& [key, to] : m.roles) {
    if (key.size() >= 2 && key.back() == '*' && value.compare(0, key.size() - 1, key, 0, key.size() - 1) == 0 &&
        key.size() > best) {
      best = key.size();
      found = &to;
    }
  }
  if (found) return *found;
  if (auto it = m.roles.find("*"); it != m.roles.end()) return it->second;
  return value;
}

RowAction row_action(const Mapping& m, const std::function<std::string(const std::string&, bool&)>& value_of,
                     std::string& matched) {
  for (const RowRule& rule : m.rows) {
    bool present = false;
    const std::string v = value_of(rule.field, present);
    if (!present) continue;  // a row without the field is not this filter's
    auto it = rule.actions.find(v);
    const RowAction a = it != rule.actions.end() ? it->second : rule.otherwise;
    if (a != RowAction::message) {
      matched = v;
      return a;
    }
  }
  return RowAction::message;
}

namespace {

// The pointer of `target` (an address inside `root`), or nullopt.
bool find_pointer(const json& node, const json* target, std::string& path) {
  if (&node == target) return true;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::size_t size = path.size();
      path += "/" + JsonLocator::escape_token(it.key());
      if (find_pointer(it.value(), target, path)) return true;
      path.resize(size);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::size_t size = path.size();
      path += "/" + std::to_string(i);
      if (find_pointer(node[i], target, path)) return true;
      path.resize(size);
    }
  }
  return false;
}

std::string pointer_in(const json& doc, const json* target) {
  std::string path;
  return target && find_pointer(doc, target, path) ? path : std::string();
}

}  // namespace

std::string source_pointer(const json& doc, const MappingTrace& trace, const std::string& mapped) {
  // "/id", "/agent", "/team"
  for (const auto& [field, value] : trace.session) {
    if (mapped == "/" + field) return pointer_in(doc, value);
  }
  if (mapped.rfind("/messages/", 0) != 0) return {};
  const std::size_t start = 10;
  std::size_t end = mapped.find('/', start);
  const std::string index_text = mapped.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (index_text.empty() || index_text.find_first_not_of("0123456789") != std::string::npos) return {};
  const std::size_t index = std::stoul(index_text);
  if (index >= trace.rows.size()) return {};
  if (end == std::string::npos) return pointer_in(doc, trace.rows[index]);
  const std::string field = mapped.substr(end + 1);
  auto it = trace.fields[index].find(field);
  if (it != trace.fields[index].end()) return pointer_in(doc, it->second);
  return pointer_in(doc, trace.rows[index]);  // a field the row does not have: the row
}

// Long function: one pass over the session fields, then over each message path's rows; the row step
// (a lambda) shares the output messages, the agent found in rows and the trace.
json map_session(const json& doc, const Mapping& m, MappingTrace* trace) {
  if (!doc.is_object()) return doc;  // session_from_json says what is wrong
  json out = json::object();
  for (const char* f : kSessionFields) {
    const char* fallback = f;
    if (const json* v = first_of(doc, doc, paths_of(m.session_fields, f), fallback)) {
      out[f] = *v;
      if (trace) trace->session[f] = v;
    }
  }
  json meta = json::object();
  if (auto it = doc.find("meta"); it != doc.end() && it->is_object() && !m.session_fields.count("meta")) meta = *it;
  for (const auto& [name, path] : m.meta) {
    if (const json* v = at_path(doc, path); v && !v->is_null() && !v->is_structured()) meta[name] = *v;
  }
  if (!meta.empty()) out["meta"] = std::move(meta);
  json messages = json::array();
  std::string agent_from_rows;
  const std::vector<std::string> default_messages = {"messages"};
  bool any_messages_path = false;
  for (const std::string& path : m.messages.empty() ? default_messages : m.messages) {
    const json* v = at_path(doc, path);
    if (!v) continue;
    any_messages_path = true;
    std::map<std::string, const json*> sources;
    auto push = [&](json&& msg, const json& row) {
      messages.push_back(std::move(msg));
      if (!trace) return;
      trace->rows.push_back(&row);
      trace->fields.push_back(std::move(sources));
      sources.clear();
    };
    auto one = [&](const json& row) {
      sources.clear();
      if (!row.is_object()) {
        push(json(row), row);  // session_from_json reports it
        return;
      }
      std::string matched;
      const RowAction action = row_action(
          m,
          [&](const std::string& field, bool& present) {
            const json* f = at_path(row, field);
            present = f != nullptr;
            return scalar_text(f);
          },
          matched);
      if (action == RowAction::drop) return;
      json msg = json::object();
      const json* role_value = first_of(row, doc, paths_of(m.message_fields, "role"), "role");
      std::string role = role_value ? map_role(m, scalar_text(role_value)) : std::string();
      if (role == "drop") return;
      if (role_value) sources["role"] = role_value;
      if (const json* t = first_of(row, doc, paths_of(m.message_fields, "time"), "time")) {
        msg["time"] = *t;
        sources["time"] = t;
      }
      const json* event = first_of(row, doc, paths_of(m.message_fields, "event"), "event");
      if (action == RowAction::event || role.rfind("event", 0) == 0) {
        msg["role"] = "system";
        std::string name = event ? scalar_text(event) : std::string();
        if (name.empty() && role.rfind("event:", 0) == 0) name = role.substr(6);
        if (name.empty()) name = action == RowAction::event ? matched : scalar_text(role_value);
        msg["event"] = name.empty() ? std::string("event") : name;
        msg["text"] = "";
        if (event) sources["event"] = event;
        push(std::move(msg), row);
        return;
      }
      if (role_value) msg["role"] = action == RowAction::system ? std::string("system") : role;
      else if (action == RowAction::system) msg["role"] = "system";
      if (const json* text = first_of(row, doc, paths_of(m.message_fields, "text"), "text")) {
        msg["text"] = text->is_string() && m.html ? json(html_to_text(text->get<std::string>())) : *text;
        sources["text"] = text;
      } else {
        msg["text"] = "";
      }
      if (event && !event->is_null()) {
        msg["event"] = *event;
        sources["event"] = event;
      }
      if (role == "agent" && agent_from_rows.empty()) {
        if (const json* a = first_of(row, doc, paths_of(m.message_fields, "agent"), "\x01")) {
          agent_from_rows = scalar_text(a);
        }
      }
      push(std::move(msg), row);
    };
    if (v->is_array()) {
      for (const json& row : *v) one(row);
    } else {
      one(*v);
    }
  }
  if (any_messages_path) out["messages"] = std::move(messages);
  if ((!out.contains("agent") || out["agent"].is_null()) && !agent_from_rows.empty()) out["agent"] = agent_from_rows;
  return out;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Presets

std::optional<std::string_view> preset_mapping(std::string_view name) {
  for (const detail::Preset& p : detail::presets()) {
    if (name == p.name) return std::string_view(p.text);
  }
  return std::nullopt;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const detail::Preset& p : detail::presets()) out.emplace_back(p.name);
  return out;
}

}  // namespace chatqa
