// template: a required phrase with placeholders filled from the session,
// e.g. "您好,{agent}号客服为您服务" where {agent} is the session's agent id.
// Placeholders: {agent}, {team}, {id} (the session id), {meta.NAME}. The
// filled text is matched on the normalised skeleton (no spaces, punctuation
// or emoji; full-width folded; case folded), so "您好，A102号客服 为您服务！"
// matches; spoken numerals count as digits (八零五五 is 8055, 幺 is 1). Any of
// several templates may be given; the window is the one of
// required_phrase. A session lacking a placeholder's value (no agent id) is
// not applicable.
#include "checks/phrase_common.hpp"
#include "text/normalizer.hpp"

namespace chatqa::detail {
namespace {

struct Part {
  std::string literal;  // text, or the placeholder name when is_field
  bool is_field = false;
  // The literal's skeleton, made at compile time. Normalisation maps each
  // code point on its own, so a filled template's skeleton is its parts'
  // skeletons one after another: only the placeholders' values are
  // normalised per session.
  std::u32string skeleton;
};
using Template = std::vector<Part>;

class TemplateCheck final : public Check {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  Scope scope;
  std::string window_text;                                  // scope.describe(roles)
  std::vector<std::pair<std::string, Template>> templates;  // (as written, parts)

  // The value of placeholder `name` in the session; null if it has none.
  static const std::string* field(const Session& s, const std::string& name) {
    const std::string* v = nullptr;
    if (name == "agent") {
      v = &s.agent;
    } else if (name == "team") {
      v = &s.team;
    } else if (name == "id") {
      v = &s.id;
    } else {
      auto it = s.meta.find(name.substr(5));  // "meta.NAME"
      if (it != s.meta.end()) v = &it->second;
    }
    return v && !v->empty() ? v : nullptr;
  }

  static bool alnum(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); }
  // `needle` in `hay`, not glued to more letters or digits where it starts or
  // ends with one: agent 102 is not found in "1102号客服".
  static bool contains(const std::u32string& hay, const std::u32string& needle) {
    if (needle.empty()) return false;
    for (auto pos = hay.find(needle); pos != std::u32string::npos; pos = hay.find(needle, pos + 1)) {
      const std::size_t end = pos + needle.size();
      if (alnum(needle.front()) && pos > 0 && alnum(hay[pos - 1])) continue;
      if (alnum(needle.back()) && end < hay.size() && alnum(hay[end])) continue;
      return true;
    }
    return false;
  }

  // Spoken numerals as digits (零〇 0, 一幺 1, 二两 2, 三…九): a speech
  // transcript writes agent 8055 as 八零五五 and 1 as 幺. Returns false
  // when `s` has none (nothing to change).
  static bool digits_of_numerals(std::u32string& s) {
    bool changed = false;
    for (char32_t& c : s) {
      char32_t d = 0;
      switch (c) {
        case U'零': case U'〇': d = U'0'; break;
        case U'一': case U'幺': d = U'1'; break;
        case U'二': case U'两': d = U'2'; break;
        case U'三': d = U'3'; break;
        case U'四': d = U'4'; break;
        case U'五': d = U'5'; break;
        case U'六': d = U'6'; break;
        case U'七': d = U'7'; break;
        case U'八': d = U'8'; break;
        case U'九': d = U'9'; break;
        default: continue;
      }
      c = d;
      changed = true;
    }
    return changed;
  }

  void evaluate(EvalContext& ctx, CheckOutcome& out) const override {
    if (scope.needs_end() && !ctx.options().session_closed) {
      out.pending = true;
      return;
    }
    // The filled templates' skeletons: the literal parts' made at compile
    // time, each placeholder's value normalised here. The filled texts are
    // only written when a finding quotes them.
    std::vector<std::u32string> filled;
    std::u32string value;
    for (const auto& written_parts : templates) {
      std::u32string& skel = filled.emplace_back();
      for (const Part& part : written_parts.second) {
        if (!part.is_field) {
          skel += part.skeleton;
          continue;
        }
        const std::string* v = field(ctx.session(), part.literal);
        if (!v) {
          out.applicable = false;  // nothing to fill the placeholder with
          return;
        }
        text::Normalizer::instance().skeleton_of(*v, value);
        skel += value;
      }
      digits_of_numerals(skel);
    }
    MessageList window;
    if (!scope.select(ctx, roles, window)) {
      out.applicable = false;
      return;
    }
    std::u32string spoken;
    for (std::size_t i : window) {
      const std::u32string& written = ctx.norm(i).skeleton;
      spoken = written;
      const std::u32string& message = digits_of_numerals(spoken) ? spoken : written;
      for (const std::u32string& skel : filled) {
        if (contains(message, skel)) return;
      }
    }
    Finding f = ctx.finding();
    if (!window.empty()) ctx.locate(window.front(), f.at);
    std::string wanted;
    for (const auto& written_parts : templates) {
      wanted += wanted.empty() ? "「" : " / 「";
      for (const Part& part : written_parts.second)
        wanted += part.is_field ? *field(ctx.session(), part.literal) : part.literal;
      wanted += "」";
    }
    f.matched = templates.front().first;
    if (window.empty()) {
      set_text(f.explanation, "no ", describe(roles), " message in ", window_text, " (required: ", wanted, ")");
    } else {
      set_text(f.explanation, "required text missing in ", window_text, ": ", wanted);
    }
    out.findings.push_back(std::move(f));
  }
};

std::optional<Template> parse_template(CompileContext& ctx, const std::string& text, const std::string& ptr) {
  Template out;
  std::string literal;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      ctx.error("E0105", ptr, "\"}\" without \"{\" in template \"" + text + "\"");
      return std::nullopt;
    }
    if (text[i] != '{') {
      literal.push_back(text[i]);
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string::npos) {
      ctx.error("E0105", ptr, "unclosed \"{\" in template \"" + text + "\"");
      return std::nullopt;
    }
    const std::string name = text.substr(i + 1, close - i - 1);
    if (name != "agent" && name != "team" && name != "id" && !(name.rfind("meta.", 0) == 0 && name.size() > 5)) {
      std::string msg = "unknown placeholder {" + name + "} (agent, team, id, meta.NAME)";
      if (auto near = did_you_mean(name, {"agent", "team", "id"})) msg += "; did you mean {" + *near + "}?";
      ctx.error("E0105", ptr, msg);
      return std::nullopt;
    }
    if (!literal.empty()) out.push_back({literal, false, {}});
    literal.clear();
    out.push_back({name, true, {}});
    i = close;
  }
  if (!literal.empty()) out.push_back({literal, false, {}});
  if (out.empty()) {
    ctx.error("E0105", ptr, "empty template");
    return std::nullopt;
  }
  return out;
}

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr, {"type", "template", "role", "window"});
  auto check = std::make_unique<TemplateCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  auto written = p.strings("template");
  if (!p.has("template")) ctx.error("E0103", ptr, "missing required key \"template\"");
  for (auto& [text, text_ptr] : written) {
    if (auto t = parse_template(ctx, text, text_ptr)) {
      for (Part& part : *t) {
        if (!part.is_field) text::Normalizer::instance().skeleton_of(part.literal, part.skeleton);
      }
      check->templates.emplace_back(text, std::move(*t));
    }
  }
  if (p.has("template") && written.empty()) ctx.error("E0105", p.pointer("template"), "\"template\" is empty");
  text::MatchSettings settings;
  settings.traditional = ctx.default_traditional();
  settings.max_skip = 3;
  check->scope = parse_scope(p, "window", check->roles, settings);
  check->window_text = check->scope.describe(check->roles);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_template_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
