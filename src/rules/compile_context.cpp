// Params and CompileContext: reading one JSON object of a rule file with
// diagnostics, and the state compiling keeps (lexicons, phrase groups).
#include "rules/compile_context.hpp"

#include <algorithm>

#include "checks/registry.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/gap_phrase.hpp"
#include "report/format.hpp"
#include "text/utf8.hpp"

namespace chatqa::detail {

// ---------------------------------------------------------------- Params

Params::Params(CompileContext& ctx, const json& object, std::string pointer, std::vector<std::string> allowed)
    : ctx_(ctx), object_(object), pointer_(std::move(pointer)) {
  if (!object_.is_object()) return;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    std::string msg = "unknown key \"" + it.key() + "\"";
    if (auto near = did_you_mean(it.key(), allowed)) msg += "; did you mean \"" + *near + "\"?";
    ctx_.error("E0102", this->pointer(it.key()), msg, true);
  }
}

const json* Params::get(const std::string& key) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

std::string Params::pointer(const std::string& key) const {
  return pointer_ + "/" + JsonLocator::escape_token(key);
}

std::optional<double> Params::number(const std::string& key, bool required, double min, double max) {
  const json* v = get(key);
  if (!v) {
    if (required) ctx_.error("E0103", pointer_, "missing required key \"" + key + "\"");
    return std::nullopt;
  }
  if (!v->is_number()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be a number, not " + std::string(v->type_name()));
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!(d >= min && d <= max)) {
    ctx_.error("E0105", pointer(key),
               "\"" + key + "\" is " + v->dump() + ", outside " + format_points(min) + ".." + format_points(max));
    return std::nullopt;
  }
  return d;
}

std::optional<long> Params::integer(const std::string& key, bool required, long min, long max) {
  const json* v = get(key);
  if (v && v->is_number() && !v->is_number_integer() && !v->is_number_unsigned()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be a whole number");
    return std::nullopt;
  }
  auto d = number(key, required, static_cast<double>(min), static_cast<double>(max));
  if (!d) return std::nullopt;
  return static_cast<long>(*d);
}

std::optional<std::string> Params::string(const std::string& key, bool required,
                                          const std::vector<std::string>& one_of) {
  const json* v = get(key);
  if (!v) {
    if (required) ctx_.error("E0103", pointer_, "missing required key \"" + key + "\"");
    return std::nullopt;
  }
  if (!v->is_string()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be a string, not " + std::string(v->type_name()));
    return std::nullopt;
  }
  std::string s = v->get<std::string>();
  if (!one_of.empty() && std::find(one_of.begin(), one_of.end(), s) == one_of.end()) {
    std::string msg = "\"" + key + "\" must be one of";
    for (std::size_t i = 0; i < one_of.size(); ++i) msg += (i ? ", " : " ") + one_of[i];
    if (auto near = did_you_mean(s, one_of)) msg += "; did you mean \"" + *near + "\"?";
    ctx_.error("E0105", pointer(key), msg);
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Params::boolean(const std::string& key) {
  const json* v = get(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

RoleMask Params::roles(const std::string& key, RoleMask fallback) {
  const json* v = get(key);
  if (!v) return fallback;
  RoleMask mask;
  auto one = [&](const json& r, const std::string& ptr) {
    if (!r.is_string()) {
      ctx_.error("E0104", ptr, "a role must be a string");
      return;
    }
    auto role = role_from_string(r.get<std::string>());
    if (!role) {
      std::string msg = "unknown role \"" + r.get<std::string>() + "\" (customer, agent, bot or system)";
      if (auto near = did_you_mean(r.get<std::string>(), {"customer", "agent", "bot", "system"})) {
        msg += "; did you mean \"" + *near + "\"?";
      }
      ctx_.error("E0105", ptr, msg);
      return;
    }
    mask = mask | RoleMask::of(*role);
  };
  if (v->is_array()) {
    for (std::size_t i = 0; i < v->size(); ++i) one((*v)[i], pointer(key) + "/" + std::to_string(i));
  } else {
    one(*v, pointer(key));
  }
  return mask.empty() ? fallback : mask;
}

text::MatchSettings Params::match_settings(const std::string& key, int default_skip, bool inherit_traditional) {
  text::MatchSettings s;
  s.traditional = inherit_traditional && ctx_.default_traditional();
  s.latin_evasions = ctx_.default_latin_evasions();
  s.max_skip = default_skip;
  const json* v = get(key);
  if (!v) return s;
  Params p(ctx_, *v, pointer(key), {"traditional", "skip_separators", "whole_word", "latin_evasions"});
  if (!v->is_object()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be an object");
    return s;
  }
  if (auto t = p.boolean("traditional")) s.traditional = *t;
  if (auto e = p.boolean("latin_evasions")) s.latin_evasions = *e;
  if (const json* skip = p.get("skip_separators")) {
    if (skip->is_boolean()) {
      s.max_skip = skip->get<bool>() ? 3 : 0;
    } else if (auto n = p.integer("skip_separators", false, 0, 16)) {
      s.max_skip = static_cast<int>(*n);
    }
  }
  if (const json* ww = p.get("whole_word")) {
    if (ww->is_boolean()) {
      s.whole_word = ww->get<bool>() ? text::WholeWord::always : text::WholeWord::never;
    } else if (auto w = p.string("whole_word", false, {"auto"})) {
      s.whole_word = text::WholeWord::automatic;
    }
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> Params::strings(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  const json* v = get(key);
  if (!v) return out;
  if (v->is_string()) {
    out.emplace_back(v->get<std::string>(), pointer(key));
    return out;
  }
  if (!v->is_array()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be a list of strings, not " + std::string(v->type_name()));
    return out;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string ptr = pointer(key) + "/" + std::to_string(i);
    if (!(*v)[i].is_string()) {
      ctx_.error("E0104", ptr, "entries of \"" + key + "\" must be strings");
      continue;
    }
    out.emplace_back((*v)[i].get<std::string>(), ptr);
  }
  return out;
}

// ---------------------------------------------------------------- CompileContext

CompileContext::CompileContext(RuleSet::Impl& impl, const JsonLocator& locator, std::string file, std::string base_dir,
                               const CompileOptions& options, std::vector<Diagnostic>& diagnostics)
    : impl_(impl),
      locator_(locator),
      file_(std::move(file)),
      base_dir_(std::move(base_dir)),
      options_(options),
      files_(options, base_dir_),
      diagnostics_(diagnostics) {}

NamedFileRead CompileContext::read_named_file(const NamedPath& path, std::string_view kind, const std::string& pointer) {
  NamedFileRead file = files_.read(path, kind, options_.max_lexicon_file_bytes);
  if (file.refused) {
    error("E0118", pointer,
          std::string(kind == "lexicon" ? "lexicon file" : kind == "known_words" ? "word list" : "word frequency list") +
              " \"" + path.written + "\" refused: " + file.error +
              " (the rule file's folder, the lexicons folder beside it, and folders added with --allow-root / "
              "CompileOptions::allowed_roots)");
  }
  return file;
}

void CompileContext::error(const std::string& code, const std::string& pointer, const std::string& message,
                           bool at_key) {
  Diagnostic d;
  d.severity = Severity::error;
  d.code = code;
  d.message = message;
  d.file = file_;
  d.json_pointer = pointer;
  const TextPosition pos = at_key ? locator_.key(pointer) : locator_.value(pointer);
  d.line = pos.line;
  d.column = pos.column;
  diagnostics_.push_back(std::move(d));
  ++errors_;
}

void CompileContext::report_duplicate_keys() {
  for (const JsonLocator::DuplicateKey& dup : locator_.duplicate_keys()) {
    const TextPosition first = locator_.at_offset(dup.first);
    const TextPosition second = locator_.at_offset(dup.second);
    const auto slash = dup.pointer.rfind('/');
    const std::string key = utf8::shorten(dup.pointer.substr(slash + 1), 64);
    Diagnostic d;
    d.severity = Severity::error;
    d.code = "E0119";
    d.message = "duplicate key \"" + key + "\": also at line " + std::to_string(first.line) + ", column " +
                std::to_string(first.column) + " (only one of them would count)";
    d.file = file_;
    d.json_pointer = dup.pointer;
    d.line = second.line;
    d.column = second.column;
    diagnostics_.push_back(std::move(d));
    ++errors_;
  }
}

void CompileContext::warning(const std::string& code, const std::string& pointer, const std::string& message) {
  Diagnostic d;
  d.severity = Severity::warning;
  d.code = code;
  d.message = message;
  d.file = file_;
  d.json_pointer = pointer;
  const TextPosition pos = locator_.value(pointer);
  d.line = pos.line;
  d.column = pos.column;
  diagnostics_.push_back(std::move(d));
}

const Lexicon* CompileContext::lexicon_ref(const std::string& ref, const std::string& pointer) {
  const std::string name = ref.substr(1);
  auto it = lexicons_.find(name);
  if (it != lexicons_.end()) return &it->second;
  std::vector<std::string> names;
  for (auto& [n, l] : lexicons_) names.push_back(n);
  std::string msg = "unknown lexicon \"" + ref + "\"";
  if (auto near = did_you_mean(name, names)) msg += "; did you mean \"@" + *near + "\"?";
  error("E0108", pointer, msg);
  return nullptr;
}

std::uint32_t CompileContext::new_group(RoleMask roles, const text::MatchSettings& settings) {
  PhraseGroup g;
  g.id = static_cast<std::uint32_t>(impl_.groups.size());
  g.roles = roles;
  g.settings = settings;
  impl_.groups.push_back(g);
  impl_.matched_roles = impl_.matched_roles | roles;
  // A message is matched only for the groups of its role (EvalContext::match_message).
  impl_.matcher.set_audience(g.id, roles.bits);
  return g.id;
}

void CompileContext::add_phrases(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& phrases) {
  const text::MatchSettings& settings = impl_.groups[group].settings;
  auto add_one = [&](const std::string& phrase, const std::string& ptr, const std::string& label) {
    if (impl_.matcher.literal_count() >= options_.max_phrases) {
      error("E0116", ptr, "more than " + std::to_string(options_.max_phrases) + " phrases in the rule set");
      return;
    }
    std::string why;
    if (is_gap_phrase(phrase)) {
      const std::string regex = gap_phrase_regex(phrase, settings, default_max_gap_, why);
      const int id = regex.empty() ? -1 : impl_.matcher.add_regex(regex, group, settings, options_.regex_max_mem, &why);
      if (id < 0) {
        error("E0134", ptr, why);
        return;
      }
      impl_.pattern_display[static_cast<std::uint32_t>(id)] = phrase;
      if (!label.empty()) impl_.matcher.set_label(static_cast<std::uint32_t>(id), label);
      return;
    }
    const int id = impl_.matcher.add_literal(phrase, group, settings, &why);
    if (id < 0) {
      error("E0105", ptr, why);
    } else if (!label.empty()) {
      impl_.matcher.set_label(static_cast<std::uint32_t>(id), label);
    }
  };
  for (const auto& [phrase, ptr] : phrases) {
    if (!phrase.empty() && phrase[0] == '@') {
      const Lexicon* lex = lexicon_ref(phrase, ptr);
      if (!lex) continue;
      if (lex->is_typos) {
        error("E0105", ptr, "\"" + phrase + "\" is a typo dictionary; use it as a typo_count \"dictionary\"");
        continue;
      }
      for (const auto& p : lex->phrases) add_one(p, ptr, lex->name);
    } else {
      add_one(phrase, ptr, "");
    }
  }
}

void CompileContext::share_equal_groups() {
  const text::PhraseMatcher& matcher = impl_.matcher;
  std::vector<std::vector<std::uint32_t>> patterns(impl_.groups.size());  // per group, in id order
  for (std::uint32_t id = 0; id < matcher.pattern_count(); ++id) {
    const std::uint32_t g = matcher.pattern(id).group;
    if (g < patterns.size()) patterns[g].push_back(id);
  }
  std::sort(shareable_.begin(), shareable_.end());
  shareable_.erase(std::unique(shareable_.begin(), shareable_.end()), shareable_.end());
  auto field = [](std::string& key, std::string_view s) {
    key += std::to_string(s.size());
    key += ':';
    key += s;
  };
  std::map<std::string, std::uint32_t> first;  // key -> the first group with it
  for (std::uint32_t g : shareable_) {
    const PhraseGroup& group = impl_.groups[g];
    if (group.similar_slot >= 0 || group.settings.latin_evasions || patterns[g].empty()) continue;
    std::string key = std::to_string(group.roles.bits) + ' ' + std::to_string(group.settings.traditional) + ' ' +
                      std::to_string(group.settings.max_skip) + ' ' +
                      std::to_string(static_cast<int>(group.settings.whole_word)) + ' ';
    for (std::uint32_t id : patterns[g]) {
      const text::PatternInfo& p = matcher.pattern(id);
      key += p.is_regex ? 'r' : 'l';
      field(key, p.text);
      field(key, p.label);
      auto display = impl_.pattern_display.find(id);
      if (display == impl_.pattern_display.end()) {
        key += '-';
      } else {
        field(key, display->second);
      }
    }
    auto [it, inserted] = first.emplace(std::move(key), g);
    if (!inserted) impl_.matcher.share_group(g, it->second);
  }
}

void CompileContext::add_regexes(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& regexes) {
  const text::MatchSettings& settings = impl_.groups[group].settings;
  for (const auto& [pattern, ptr] : regexes) {
    std::string why;
    if (impl_.matcher.add_regex(pattern, group, settings, options_.regex_max_mem, &why) < 0) {
      // Cut: a huge pattern is not echoed in full (RE2's reason repeats it).
      error("E0109", ptr, "invalid regex /" + utf8::shorten(pattern, 80) + "/: " + utf8::shorten(why, 120));
    }
  }
}

std::unique_ptr<Check> CompileContext::compile_check(const json& check, const std::string& pointer) {
  // Checks nest through "not", "all", "any", "when" (compile_check <->
  // their factories): bounded here, so neither compiling nor evaluating can
  // recurse deeper than max_check_depth.
  if (check_depth_ >= options_.max_check_depth) {
    error("E0117", pointer,
          "checks nested deeper than " + std::to_string(options_.max_check_depth) + " levels (max_check_depth)");
    return nullptr;
  }
  struct Depth {
    int& d;
    explicit Depth(int& depth) : d(depth) { ++d; }
    ~Depth() { --d; }
  } depth(check_depth_);
  if (!check.is_object()) {
    error("E0104", pointer, "\"check\" must be an object, not " + std::string(check.type_name()));
    return nullptr;
  }
  auto type = check.find("type");
  if (type == check.end()) {
    error("E0103", pointer, "missing required key \"type\"");
    return nullptr;
  }
  if (!type->is_string()) {
    error("E0104", pointer + "/type", "\"type\" must be a string");
    return nullptr;
  }
  const auto& registry = check_registry();
  auto it = registry.find(type->get<std::string>());
  if (it == registry.end()) {
    std::vector<std::string> names;
    for (auto& [n, f] : registry) names.push_back(n);
    std::string msg = "unknown check type \"" + type->get<std::string>() + "\"";
    if (auto near = did_you_mean(type->get<std::string>(), names)) msg += "; did you mean \"" + *near + "\"?";
    error("E0107", pointer + "/type", msg);
    return nullptr;
  }
  return it->second(*this, check, pointer);
}

}  // namespace chatqa::detail
