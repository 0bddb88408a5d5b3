// Compiling a rule file into an immutable RuleSet.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "rules/compile_context.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/gap_phrase.hpp"
#include "rules/lexicon.hpp"
#include "rules/read_file.hpp"
#include "report/format.hpp"

namespace chatqa {

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;
const std::string& RuleSet::name() const noexcept { return impl_->name; }
const std::string& RuleSet::version() const noexcept { return impl_->version; }
double RuleSet::total() const noexcept { return impl_->total; }
const std::vector<ItemInfo>& RuleSet::items() const noexcept { return impl_->infos; }
const std::string& RuleSet::path() const noexcept { return impl_->path; }
std::size_t RuleSet::phrase_count() const noexcept {
  return impl_->matcher.literal_count() + impl_->dictionary_words;
}

namespace detail {
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
  if (out.when) out.when->decide_only();  // applicability: the condition's findings are never read
  also_refs.push_back(std::move(also));
  impl.items.push_back(std::move(out));
}

using AlsoRefs = std::vector<std::vector<std::pair<std::string, std::string>>>;  // per item: (id, pointer)

// The rule file's JSON, or nullopt with E0101 in `diagnostics`.
std::optional<json> parse_rule_json(std::string_view text, const std::string& file_name,
                                    std::vector<Diagnostic>& diagnostics) {
  try {
    return json::parse(text.begin(), text.end());
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
    diagnostics.push_back(std::move(d));
  } catch (const std::exception& e) {
    Diagnostic d;
    d.code = "E0101";
    d.message = std::string("invalid JSON: ") + e.what();
    d.file = file_name;
    diagnostics.push_back(std::move(d));
  }
  return std::nullopt;
}

// The top level's keys but "items": name, version, total, options, lexicons.
void compile_header(CompileContext& ctx, RuleSet::Impl& impl, Params& top) {
  impl.name = top.string("name", true).value_or("");
  impl.version = top.string("version", false).value_or("0");
  impl.description = top.string("description", false).value_or("");
  if (top.has("total")) impl.total = top.number("total", false, 1, 1e6).value_or(100);
  if (const json* opts = top.get("options")) {
    Params o(ctx, *opts, top.pointer("options"),
             {"traditional_to_simplified", "renormalize_not_applicable", "detect_language", "latin_evasions", "max_gap"});
    ctx.set_default_traditional(o.boolean("traditional_to_simplified").value_or(false));
    ctx.set_default_max_gap(static_cast<int>(o.integer("max_gap", false, 0, 50).value_or(kDefaultMaxGap)));
    impl.renormalize_not_applicable = o.boolean("renormalize_not_applicable").value_or(false);
    impl.detect_language = o.boolean("detect_language").value_or(true);
    ctx.set_default_latin_evasions(o.boolean("latin_evasions").value_or(false));
  }
  if (const json* lex = top.get("lexicons")) compile_lexicons(ctx, *lex, top.pointer("lexicons"));
}

// Linked items ("also"): resolve ids now that all items are known.
void resolve_also(CompileContext& ctx, RuleSet::Impl& impl, const AlsoRefs& also_refs) {
  std::vector<std::string> all_ids;
  for (auto& item : impl.items) all_ids.push_back(item.info.id);
  for (std::size_t i = 0; i < impl.items.size() && i < also_refs.size(); ++i) {
    for (auto& [ref, ptr] : also_refs[i]) {
      auto it = std::find(all_ids.begin(), all_ids.end(), ref);
      if (it == all_ids.end()) {
        std::string msg = "\"also\" names unknown item \"" + ref + "\"";
        if (auto near = did_you_mean(ref, all_ids)) msg += "; did you mean \"" + *near + "\"?";
        ctx.error("E0113", ptr, msg);
      } else if (static_cast<std::size_t>(it - all_ids.begin()) == i) {
        ctx.error("E0113", ptr, "an item cannot name itself in \"also\"");
      } else {
        impl.items[i].also.push_back(static_cast<std::size_t>(it - all_ids.begin()));
      }
    }
  }
}

// The items' public descriptions, and W0101 when the minor items can cost more than the total.
void describe_items(CompileContext& ctx, RuleSet::Impl& impl) {
  double deductible = 0;
  for (auto& item : impl.items) {
    if (!item.info.bonus && item.info.severity == ItemSeverity::minor) deductible += item.info.points;
    impl.infos.push_back(item.info);
  }
  if (deductible > impl.total + 1e-9) {
    ctx.warning("W0101", "/items",
                "minor items add up to " + format_points(deductible) + " points, more than the total " +
                    format_points(impl.total) + "; scores are floored at 0");
  }
}

}  // namespace
}  // namespace detail

CompileResult compile_rules(std::string_view text, const RuleSource& source, const CompileOptions& options) {
  using namespace detail;
  const std::string& file_name = source.file_name;
  CompileResult result;
  auto impl = std::make_unique<RuleSet::Impl>();
  const std::optional<json> parsed = parse_rule_json(text, file_name, result.diagnostics);
  if (!parsed) return result;
  const json& doc = *parsed;
  JsonLocator locator(text);
  CompileContext ctx(*impl, locator, file_name, source.base_dir, options, result.diagnostics);
  ctx.report_duplicate_keys();
  if (!doc.is_object()) {
    ctx.error("E0104", "", "a rule set must be a JSON object");
    return result;
  }
  impl->path = file_name;
  Params top(ctx, doc, "",
             {"$schema", "name", "version", "total", "description", "source", "options", "lexicons", "items"});
  compile_header(ctx, *impl, top);
  const json* items = top.get("items");
  AlsoRefs also_refs;
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
  resolve_also(ctx, *impl, also_refs);
  describe_items(ctx, *impl);
  std::string why;
  impl->similar.build();
  ctx.share_equal_groups();
  if (!ctx.failed() && !impl->matcher.build(options.regex_set_max_mem, &why)) ctx.error("E0115", "/items", why);
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  if (ctx.failed()) return result;
  result.rule_set = std::make_shared<const RuleSet>(std::move(impl));
  return result;
}

CompileResult compile_rules(std::string_view json_text, const std::string& file_name, const std::string& base_dir,
                            const CompileOptions& options) {
  RuleSource source;
  source.file_name = file_name;
  source.base_dir = base_dir;
  return compile_rules(json_text, source, options);
}

CompileResult compile_rule_file(const std::string& path, const CompileOptions& options) {
  detail::FileRead file = detail::read_file_limited(path, options.max_rule_file_bytes);
  if (!file.ok) {
    CompileResult result;
    Diagnostic d;
    d.code = "E0114";
    d.message = "cannot read rule file: " + file.error;
    d.file = path;
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  const auto slash = path.rfind('/');
  RuleSource source;
  source.file_name = path;
  source.base_dir = slash == std::string::npos ? "" : path.substr(0, slash);
  return compile_rules(file.text, source, options);
}

}  // namespace chatqa
