// chatqa explain -r RULES SESSION_FILE [--id ID]: why a chat lost points.
//
// Prints the transcript as a person reads it, each finding under the message
// it points at (item, points, the quoted span highlighted), then the score
// table. Colour on a terminal (--color auto), never in files or pipes.
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "chatqa/chatqa.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"

namespace chatqa::cli {
namespace {

struct ExplainArgs {
  std::string rules;
  std::string input;
  std::string id;
  std::string color = "auto";
  std::string output;
  InputArgs input_options;
};

struct Style {
  bool on = false;
  std::string operator()(const char* code, const std::string& text) const {
    return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
};
constexpr const char* kBold = "1";
constexpr const char* kDim = "2";
constexpr const char* kRed = "1;31";
constexpr const char* kGreen = "32";
constexpr const char* kYellow = "33";
constexpr const char* kCyan = "36";

// Code points of a UTF-8 string with their byte offsets (plus one final offset).
std::vector<std::pair<UChar32, std::size_t>> code_points(const std::string& text) {
  std::vector<std::pair<UChar32, std::size_t>> out;
  std::int32_t i = 0;
  const auto n = static_cast<std::int32_t>(text.size());
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  while (i < n) {
    const std::int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    out.emplace_back(c, static_cast<std::size_t>(start));
  }
  out.emplace_back(0, text.size());
  return out;
}

// Terminal columns of a code point: wide East Asian characters take two,
// combining marks and format characters none.
int columns(UChar32 c) {
  if (c < 0) return 1;
  const auto category = static_cast<UCharCategory>(u_charType(c));
  if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK || category == U_FORMAT_CHAR) return 0;
  const int width = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
  return width == U_EA_WIDE || width == U_EA_FULLWIDTH ? 2 : 1;
}

std::string clock_of(const Timestamp& t) {
  const std::string iso = t.to_iso8601();
  return iso.size() >= 19 ? iso.substr(11, 8) : iso;
}

std::string date_of(const Timestamp& t) {
  return t.to_iso8601().substr(0, 10);
}

std::string points_of(const ItemResult& r) {
  if (r.status != ItemStatus::failed) return "";
  return r.bonus ? "+" + format_points(r.awarded) : "-" + format_points(r.deducted);
}

// Column where message text starts: "#12  10:00:00  customer ".
constexpr std::size_t kTextColumn = 5 + 8 + 2 + 9;

struct Marked {
  const ItemResult* item;
  const Finding* finding;
};

// One message's text with the spans of its findings highlighted (colour), or
// followed by a caret line under them (no colour). `text` is the message as
// shown (chatqa::mask_pii: same code points as the original, so the spans
// apply).
std::string render_text(const std::string& text, const std::vector<Marked>& marks, const Style& style,
                        const std::string& indent) {
  const auto cps = code_points(text);
  const std::size_t count = cps.size() - 1;
  std::vector<bool> marked(count, false);
  for (const Marked& m : marks) {
    if (!m.finding->at.span) continue;
    for (std::size_t i = m.finding->at.span->begin; i < m.finding->at.span->end && i < count; ++i) marked[i] = true;
  }
  std::vector<std::string> pieces(count);
  for (std::size_t i = 0; i < count; ++i) pieces[i] = text.substr(cps[i].second, cps[i + 1].second - cps[i].second);
  std::string out = indent;
  std::string carets = indent;
  bool any_caret = false;
  std::string run;  // highlighted code points not yet written
  auto flush_carets = [&] {
    if (!run.empty()) out += style(kRed, run);
    run.clear();
    if (any_caret && !style.on) {
      while (!carets.empty() && carets.back() == ' ') carets.pop_back();
      out += "\n" + carets;
    }
    carets = indent;
    any_caret = false;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& piece = pieces[i];
    if (piece == "\n") {
      flush_carets();
      out += "\n" + indent;
      continue;
    }
    if (marked[i]) {
      run += piece;
    } else {
      if (!run.empty()) out += style(kRed, run);
      out += piece;
      run.clear();
    }
    const int w = columns(cps[i].first);
    carets += std::string(static_cast<std::size_t>(w), marked[i] ? '^' : ' ');
    any_caret = any_caret || marked[i];
  }
  flush_carets();
  return out + "\n";
}

std::string finding_line(const ItemResult& r, const Finding& f, const Style& style) {
  std::string line = "      " + style(r.bonus ? kGreen : kRed, r.bonus ? "+" : "\u2717") + " " + style(kBold, r.id) +
                     " " + r.title + "  " + style(r.bonus ? kGreen : kYellow, points_of(r));
  if (r.severity == ItemSeverity::fatal) line += " " + style(kRed, "FATAL");
  line += "\n        " + f.explanation;
  if (f.at.span)
    line += "  \u300C" + f.at.quote + "\u300D [" + std::to_string(f.at.span->begin) + ", " +
            std::to_string(f.at.span->end) + ")";
  if (!f.suggestion.empty()) line += "  -> " + f.suggestion;
  if (f.related && f.related->message) {
    line += style(kDim, "  (see #" + std::to_string(*f.related->message) + " " + f.related->time + ")");
  }
  return line + "\n";
}

std::string explain(const Report& report, const Session& session, const Style& style) {
  std::string out;
  out += style(kBold, "session " + report.session_id);
  if (!report.agent.empty()) out += "  agent " + report.agent;
  if (!report.team.empty()) out += "  team " + report.team;
  out += "  rule set " + report.rule_set_name + " " + report.rule_set_version + "\n";
  if (!report.error.empty()) out += style(kRed, "error: " + report.error) + "\n";

  std::map<long, std::vector<Marked>> by_message;
  for (const ItemResult& r : report.items) {
    if (r.status != ItemStatus::failed) continue;
    for (const Finding& f : r.findings) by_message[f.at.message ? static_cast<long>(*f.at.message) : -1L].push_back({&r, &f});
  }
  std::string last_date;
  for (std::size_t i = 0; i < session.messages.size(); ++i) {
    const Message& m = session.messages[i];
    if (date_of(m.time) != last_date) {
      last_date = date_of(m.time);
      out += style(kDim, "-- " + last_date + " --") + "\n";
    }
    std::string role = to_string(m.role);
    role.resize(9, ' ');
    std::string index = "#" + std::to_string(i);
    index.resize(std::max<std::size_t>(index.size() + 1, 5), ' ');
    out += style(kDim, index) + clock_of(m.time) + "  " + style(m.role == Role::agent ? kCyan : kBold, role);
    if (!m.event.empty()) out += style(kDim, "[" + mask_pii(m.event) + "] ");
    auto marks = by_message.find(static_cast<long>(i));
    const std::vector<Marked> none;
    // Personal numbers masked in the transcript as in the findings' quotes.
    const std::string text = render_text(mask_pii(m.text), marks == by_message.end() ? none : marks->second, style, "");
    // The first line follows the header; continuation lines are indented under it.
    std::string indented;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += std::string(kTextColumn, ' ');
    }
    while (!indented.empty() && indented.back() == ' ') indented.pop_back();
    out += indented;
    if (marks != by_message.end()) {
      for (const Marked& mk : marks->second) out += finding_line(*mk.item, *mk.finding, style);
    }
  }
  if (auto whole = by_message.find(-1); whole != by_message.end()) {
    out += "\n" + style(kBold, "whole session") + "\n";
    for (const Marked& mk : whole->second) out += finding_line(*mk.item, *mk.finding, style);
  }

  out += "\n" + style(kBold, "score table") + "\n";
  out += "  item                      status          points  result\n";
  for (const ItemResult& r : report.items) {
    std::string id = r.id;
    id.resize(std::max<std::size_t>(id.size() + 1, 26), ' ');
    std::string status = to_string(r.status);
    if (r.status == ItemStatus::failed && r.bonus) status = "bonus";
    status.resize(16, ' ');
    std::string pts = format_points(r.points);
    pts.resize(8, ' ');
    const std::string result = points_of(r);
    out += "  " + id + (r.status == ItemStatus::failed ? style(r.bonus ? kGreen : kRed, status) : status) + pts +
           (result.empty() ? std::string("  ") : result) + "  " + r.title + "\n";
  }
  out += style(kBold, "score " + format_points(report.score) + " / " + format_points(report.total));
  if (report.fatal) out += "  " + style(kRed, "FATAL (a fatal item failed: the session scores 0)");
  return out + "\n";
}

int run_explain(const ExplainArgs& args) {
  ReadOptions options;
  if (auto err = apply_input_options(args.input_options, options)) {
    std::cerr << "chatqa explain: " << *err << "\n";
    return kExitUsage;
  }
  CompileResult compiled = compile_rule_file(args.rules);
  for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return kExitUsage;
  Style style;
  style.on = args.color == "always" ||
             (args.color == "auto" && args.output.empty() && is_terminal(1) && !std::getenv("NO_COLOR"));
  OutputFile out;
  if (int code = fail_if("explain", out.open(args.output))) return code;
  std::size_t shown = 0, bad = 0;
  read_records(args.input, options, [&](Record&& r) {
    if (r.error) {
      std::cerr << r.input << ":" << r.line << ": error[" << r.error->code << "]: " << r.error->message << "\n";
      ++bad;
      return true;
    }
    ParsedSession parsed = SessionReader::parse(r, options);
    if (parsed.error) {
      if (args.id.empty()) {
        std::cerr << r.input << ":" << parsed.error->line << ": error[" << parsed.error->code << "]: " << parsed.error->message
                  << "\n";
        ++bad;
      }
      return true;
    }
    if (!args.id.empty() && parsed.session->id != args.id) return true;
    if (shown > 0) out.write("\n");
    const Report report = evaluate(*compiled.rule_set, *parsed.session);
    ++shown;
    return out.write(explain(report, *parsed.session, style));  // stop reading once the output is lost
  });
  if (int code = fail_if("explain", out.commit())) return code;
  if (shown == 0) {
    std::cerr << "chatqa explain: "
              << (args.id.empty() ? "no session in " + args.input
                                  : "no session with id \"" + args.id + "\" in " + args.input)
              << "\n";
    return kExitBadInput;
  }
  return bad > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void add_explain_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Show why a chat lost points: the transcript with each finding under its message, then the score table");
  cmd->add_option("-r,--rules", args->rules, "Rule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("session_file", args->input, "Sessions (JSON, JSONL, CSV, .gz); - for stdin")->required();
  cmd->add_option("--id", args->id, "Explain only the session with this id (default: every session in the file)");
  cmd->add_option("--color", args->color, "Highlight with ANSI colour")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  add_input_options(cmd, args->input_options);
  cmd->callback([args, &run] { run = [args] { return run_explain(*args); }; });
}

}  // namespace chatqa::cli
