// Compiling a rule file into an immutable RuleSet.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "checks/registry.hpp"
#include "rules/compile_context.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/lexicon.hpp"

namespace chatqa {

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;
const std::string& RuleSet::name() const noexcept { return impl_->name; }
const std::string& RuleSet::version() const noexcept { return impl_->version; }
double RuleSet::total() const noexcept { return impl_->total; }
const std::vector<ItemInfo>& RuleSet::items() const noexcept { return impl_->infos; }
const std::string& RuleSet::path() const noexcept { return impl_->path; }
std::size_t RuleSet::phrase_count() const noexcept { return impl_->matcher.literal_count(); }

namespace detail {

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

std::string Params::pointer(const std::string& key) const { return pointer_ + "/" + JsonLocator::escape_token(key); }

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
    ctx_.error("E0105", pointer(key), "\"" + key + "\" is " + v->dump() + ", outside " + format_points(min) + ".." + format_points(max));
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

std::optional<std::string> Params::string(const std::string& key, bool required, const std::vector<std::string>& one_of) {
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
  s.max_skip = default_skip;
  const json* v = get(key);
  if (!v) return s;
  Params p(ctx_, *v, pointer(key), {"traditional", "skip_separators", "whole_word"});
  if (!v->is_object()) {
    ctx_.error("E0104", pointer(key), "\"" + key + "\" must be an object");
    return s;
  }
  if (auto t = p.boolean("traditional")) s.traditional = *t;
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
    : impl_(impl), locator_(locator), file_(std::move(file)), base_dir_(std::move(base_dir)), options_(options),
      diagnostics_(diagnostics) {}

void CompileContext::error(const std::string& code, const std::string& pointer, const std::string& message, bool at_key) {
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

void CompileContext::add_regexes(std::uint32_t group, const std::vector<std::pair<std::string, std::string>>& regexes) {
  const text::MatchSettings& settings = impl_.groups[group].settings;
  for (const auto& [pattern, ptr] : regexes) {
    std::string why;
    if (impl_.matcher.add_regex(pattern, group, settings, options_.regex_max_mem, &why) < 0) {
      error("E0109", ptr, "invalid regex /" + pattern + "/: " + why);
    }
  }
}

std::unique_ptr<Check> CompileContext::compile_check(const json& check, const std::string& pointer) {
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

// ---------------------------------------------------------------- rule set

namespace {

void compile_item(CompileContext& ctx, RuleSet::Impl& impl, const json& item, const std::string& ptr,
                  std::set<std::string>& ids, std::vector<std::vector<std::pair<std::string, std::string>>>& also_refs) {
  CompiledItem out;
  std::vector<std::pair<std::string, std::string>> also;
  if (!item.is_object()) {
    ctx.error("E0104", ptr, "an item must be an object");
    also_refs.push_back({});
    impl.items.push_back(std::move(out));
    return;
  }
  Params p(ctx, item, ptr,
           {"id", "title", "category", "points", "per_hit", "severity", "bonus", "also", "when", "check", "description",
            "source"});
  ItemInfo& info = out.info;
  if (auto id = p.string("id", true)) {
    info.id = *id;
    if (!ids.insert(*id).second) ctx.error("E0106", p.pointer("id"), "duplicate item id \"" + *id + "\"");
  }
  info.title = p.string("title", false).value_or(info.id);
  info.category = p.string("category", false).value_or("");
  info.description = p.string("description", false).value_or("");
  info.source = p.string("source", false).value_or("");
  if (const json* pts = p.get("points")) {
    if (!pts->is_number()) {
      ctx.error("E0104", p.pointer("points"), "\"points\" must be a number");
    } else if (pts->get<double>() < 0 || pts->get<double>() > impl.total) {
      ctx.error("E0110", p.pointer("points"),
                "\"points\" is " + pts->dump() + ", must be between 0 and the total (" + format_points(impl.total) + ")");
    } else {
      info.points = pts->get<double>();
    }
  } else {
    ctx.error("E0103", ptr, "missing required key \"points\"");
  }
  if (const json* ph = p.get("per_hit")) {
    if (ph->is_number() && ph->get<double>() > 0) {
      out.per_hit.push_back(ph->get<double>());
    } else if (ph->is_array() && !ph->empty()) {
      for (std::size_t i = 0; i < ph->size(); ++i) {
        if (!(*ph)[i].is_number() || (*ph)[i].get<double>() < 0) {
          ctx.error("E0104", p.pointer("per_hit") + "/" + std::to_string(i), "per_hit entries must be numbers >= 0");
        } else {
          out.per_hit.push_back((*ph)[i].get<double>());
        }
      }
    } else {
      ctx.error("E0104", p.pointer("per_hit"), "\"per_hit\" must be a positive number or a list of numbers");
    }
  }
  if (auto sev = p.string("severity", false, {"minor", "fatal"})) {
    info.severity = *sev == "fatal" ? ItemSeverity::fatal : ItemSeverity::minor;
  }
  info.bonus = p.boolean("bonus").value_or(false);
  if (info.bonus && info.severity == ItemSeverity::fatal) {
    ctx.error("E0105", p.pointer("bonus"), "a bonus item cannot be fatal");
  }
  also = p.strings("also");
  if (const json* check = p.get("check")) {
    // find(), not operator[]: on a const object a missing key is undefined
    // behaviour (fuzz_rules found a check without "type" reading freed memory).
    const json* type = nullptr;
    if (check->is_object()) {
      const auto it = check->find("type");
      if (it != check->end()) type = &*it;
    }
    if (type && type->is_string() && type->get<std::string>() == "manual") {
      info.check_type = "manual";
      Params(ctx, *check, p.pointer("check"), {"type", "note"});
    } else {
      out.check = ctx.compile_check(*check, p.pointer("check"));
      if (type && type->is_string()) info.check_type = type->get<std::string>();
    }
  } else {
    ctx.error("E0103", ptr, "missing required key \"check\"");
  }
  if (const json* when = p.get("when")) out.when = ctx.compile_check(*when, p.pointer("when"));
  also_refs.push_back(std::move(also));
  impl.items.push_back(std::move(out));
}

}  // namespace
}  // namespace detail

CompileResult compile_rules(std::string_view text, const std::string& file_name, const std::string& base_dir,
                            const CompileOptions& options) {
  using namespace detail;
  CompileResult result;
  auto impl = std::make_unique<RuleSet::Impl>();
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // A syntax error (parse_error, with its byte) or a number too big for a
    // double (out_of_range.406, located by the number it names).
    Diagnostic d;
    d.code = "E0101";
    d.message = "invalid JSON: " + json_error_detail(e.what());
    d.file = file_name;
    if (const auto offset = json_error_offset(text, e)) {
      const TextPosition pos = JsonLocator(text).at_offset(*offset);
      d.line = pos.line;
      d.column = pos.column;
    }
    result.diagnostics.push_back(std::move(d));
    return result;
  } catch (const std::exception& e) {
    Diagnostic d;
    d.code = "E0101";
    d.message = std::string("invalid JSON: ") + e.what();
    d.file = file_name;
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  JsonLocator locator(text);
  CompileContext ctx(*impl, locator, file_name, base_dir, options, result.diagnostics);
  if (!doc.is_object()) {
    ctx.error("E0104", "", "a rule set must be a JSON object");
    return result;
  }
  impl->path = file_name;
  Params top(ctx, doc, "", {"$schema", "name", "version", "total", "description", "source", "options", "lexicons", "items"});
  impl->name = top.string("name", true).value_or("");
  impl->version = top.string("version", false).value_or("0");
  impl->description = top.string("description", false).value_or("");
  if (top.has("total")) impl->total = top.number("total", false, 1, 1e6).value_or(100);
  if (const json* opts = top.get("options")) {
    Params o(ctx, *opts, top.pointer("options"), {"traditional_to_simplified", "renormalize_not_applicable"});
    ctx.set_default_traditional(o.boolean("traditional_to_simplified").value_or(false));
    impl->renormalize_not_applicable = o.boolean("renormalize_not_applicable").value_or(false);
  }
  if (const json* lex = top.get("lexicons")) compile_lexicons(ctx, *lex, top.pointer("lexicons"));
  const json* items = top.get("items");
  std::vector<std::vector<std::pair<std::string, std::string>>> also_refs;
  if (!items) {
    ctx.error("E0103", "", "missing required key \"items\"");
  } else if (!items->is_array()) {
    ctx.error("E0104", top.pointer("items"), "\"items\" must be a list");
  } else {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < items->size(); ++i) {
      compile_item(ctx, *impl, (*items)[i], "/items/" + std::to_string(i), ids, also_refs);
    }
  }
  // Linked items ("also"): resolve ids now that all items are known.
  std::vector<std::string> all_ids;
  for (auto& item : impl->items) all_ids.push_back(item.info.id);
  for (std::size_t i = 0; i < impl->items.size() && i < also_refs.size(); ++i) {
    for (auto& [ref, ptr] : also_refs[i]) {
      auto it = std::find(all_ids.begin(), all_ids.end(), ref);
      if (it == all_ids.end()) {
        std::string msg = "\"also\" names unknown item \"" + ref + "\"";
        if (auto near = did_you_mean(ref, all_ids)) msg += "; did you mean \"" + *near + "\"?";
        ctx.error("E0113", ptr, msg);
      } else if (static_cast<std::size_t>(it - all_ids.begin()) == i) {
        ctx.error("E0113", ptr, "an item cannot name itself in \"also\"");
      } else {
        impl->items[i].also.push_back(static_cast<std::size_t>(it - all_ids.begin()));
      }
    }
  }
  double deductible = 0;
  for (auto& item : impl->items) {
    if (!item.info.bonus && item.info.severity == ItemSeverity::minor) deductible += item.info.points;
    impl->infos.push_back(item.info);
  }
  if (deductible > impl->total + 1e-9) {
    ctx.warning("W0101", "/items",
                "minor items add up to " + format_points(deductible) + " points, more than the total " +
                    format_points(impl->total) + "; scores are floored at 0");
  }
  std::string why;
  if (!ctx.failed() && !impl->matcher.build(options.regex_set_max_mem, &why)) ctx.error("E0115", "/items", why);
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  if (ctx.failed()) return result;
  result.rule_set = std::make_shared<const RuleSet>(std::move(impl));
  return result;
}

CompileResult compile_rule_file(const std::string& path, const CompileOptions& options) {
  std::string text;
  bool readable = false;
  try {  // reading a directory throws from the stream buffer
    std::ifstream in(path, std::ios::binary);
    if (in) {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      readable = !in.bad();
    }
  } catch (const std::exception&) {
    readable = false;
  }
  if (!readable) {
    CompileResult result;
    Diagnostic d;
    d.code = "E0114";
    d.message = "cannot read rule file";
    d.file = path;
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  const auto slash = path.rfind('/');
  return compile_rules(text, path, slash == std::string::npos ? "" : path.substr(0, slash), options);
}

}  // namespace chatqa
