// meta: a condition on a field of the session's "meta" object, for an item's
// "when" (or inside all/any/not). Fires when the field equals `equals`, is
// one of `in`, or (with neither) is present and not empty.
#include <algorithm>

#include "checks/check.hpp"

namespace chatqa::detail {
namespace {

class MetaCheck final : public Check {
 public:
  std::string field;
  std::vector<std::string> values;  // empty: the field just has to be there

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    const auto& meta = ctx.session().meta;
    auto it = meta.find(field);
    if (it == meta.end() || it->second.empty()) return;
    if (!values.empty() && std::find(values.begin(), values.end(), it->second) == values.end()) return;
    out.condition_only = true;
    Finding f = ctx.finding();
    f.explanation = "meta." + field + " is " + it->second;
    out.findings.push_back(std::move(f));
  }
};

// Meta values are kept as strings; numbers and booleans as their JSON text.
std::optional<std::string> scalar(CompileContext& ctx, const json& v, const std::string& ptr) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  ctx.error("E0104", ptr, "a meta value must be a string, number or boolean");
  return std::nullopt;
}

}  // namespace

std::unique_ptr<Check> make_meta_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "field", "equals", "in"});
  auto check = std::make_unique<MetaCheck>();
  check->field = p.string("field", true).value_or("");
  if (p.has("equals") && p.has("in")) ctx.error("E0105", p.pointer("in"), "use either \"equals\" or \"in\", not both");
  if (const json* eq = p.get("equals")) {
    if (auto v = scalar(ctx, *eq, p.pointer("equals"))) check->values.push_back(*v);
  }
  if (const json* in = p.get("in")) {
    if (!in->is_array() || in->empty()) {
      ctx.error("E0104", p.pointer("in"), "\"in\" must be a non-empty list of values");
    } else {
      for (std::size_t k = 0; k < in->size(); ++k) {
        if (auto v = scalar(ctx, (*in)[k], p.pointer("in") + "/" + std::to_string(k))) check->values.push_back(*v);
      }
    }
  }
  return check;
}

}  // namespace chatqa::detail
