// Lexicons: named phrase lists and typo dictionaries, inline or from files.
#include <fstream>
#include <sstream>

#include "rules/lexicon.hpp"
#include "rules/read_file.hpp"
#include "text/utf8.hpp"

namespace chatqa::detail {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string join_path(const std::string& base, const std::string& rel) {
  if (rel.empty() || rel[0] == '/' || base.empty()) return rel;
  return base.back() == '/' ? base + rel : base + "/" + rel;
}

// One "wrong->right[, right2]" line (codespell's format); false if malformed.
bool parse_correction(const std::string& line, std::string& wrong, std::string& right) {
  const auto arrow = line.find("->");
  if (arrow == std::string::npos) return false;
  wrong = trim(line.substr(0, arrow));
  std::string rest = line.substr(arrow + 2);
  std::vector<std::string> parts;
  std::stringstream ss(rest);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = trim(part);
    if (!part.empty()) parts.push_back(part);
  }
  if (wrong.empty() || parts.empty()) return false;
  right.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) right += (i ? ", " : "") + parts[i];
  return true;
}

}  // namespace

bool read_lexicon_file(CompileContext& ctx, const std::string& path, const std::string& pointer, bool typos,
                       Lexicon& lex) {
  const std::string full = join_path(ctx.base_dir(), path);
  FileRead file = read_file_limited(full, ctx.options().max_lexicon_file_bytes);
  if (!file.ok) {
    ctx.error("E0111", pointer, "cannot read lexicon file \"" + full + "\": " + file.error);
    return false;
  }
  const std::string& content = file.text;
  if (auto bad = utf8::find_invalid(content); bad != std::string::npos) {
    ctx.error("E0112", pointer, full + ": invalid UTF-8 at byte " + std::to_string(bad));
    return false;
  }
  std::stringstream ss(content);
  std::string line;
  int line_no = 0;
  bool ok = true;
  while (std::getline(ss, line)) {
    ++line_no;
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (typos) {
      std::string wrong, right;
      if (!parse_correction(line, wrong, right)) {
        ctx.error("E0112", pointer, full + ":" + std::to_string(line_no) + ": expected \"wrong->right\", got \"" + line + "\"");
        ok = false;
        continue;
      }
      lex.corrections.emplace_back(wrong, right);
    } else {
      lex.phrases.push_back(line);
    }
  }
  return ok;
}

void compile_lexicons(CompileContext& ctx, const json& lexicons, const std::string& pointer) {
  if (!lexicons.is_object()) {
    ctx.error("E0104", pointer, "\"lexicons\" must be an object of name -> list, not " + std::string(lexicons.type_name()));
    return;
  }
  for (auto it = lexicons.begin(); it != lexicons.end(); ++it) {
    const std::string ptr = pointer + "/" + JsonLocator::escape_token(it.key());
    Lexicon lex;
    lex.name = it.key();
    lex.pointer = ptr;
    const json& v = it.value();
    if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          ctx.error("E0104", ptr + "/" + std::to_string(i), "lexicon entries must be strings");
          continue;
        }
        lex.phrases.push_back(v[i].get<std::string>());
      }
    } else if (v.is_object()) {
      Params p(ctx, v, ptr, {"file", "format", "phrases", "typos", "description"});
      auto format = p.string("format", false, {"phrases", "typos"});
      if (auto file = p.string("file", false)) {
        const bool typos = format ? *format == "typos"
                                  : (file->find("typo") != std::string::npos ||
                                     file->find("codespell") != std::string::npos || file->find("dictionary") != std::string::npos);
        lex.is_typos = typos;
        read_lexicon_file(ctx, *file, p.pointer("file"), typos, lex);
      } else if (const json* typos = p.get("typos")) {
        lex.is_typos = true;
        if (!typos->is_object()) {
          ctx.error("E0104", p.pointer("typos"), "\"typos\" must be an object of \"wrong\": \"right\"");
        } else {
          for (auto t = typos->begin(); t != typos->end(); ++t) {
            if (!t.value().is_string()) {
              ctx.error("E0104", p.pointer("typos") + "/" + JsonLocator::escape_token(t.key()), "a correction must be a string");
              continue;
            }
            lex.corrections.emplace_back(t.key(), t.value().get<std::string>());
          }
        }
      } else if (p.has("phrases")) {
        for (auto& [s, sp] : p.strings("phrases")) lex.phrases.push_back(s);
      } else {
        ctx.error("E0103", ptr, "lexicon \"" + lex.name + "\" needs \"file\", \"phrases\" or \"typos\"");
      }
    } else {
      ctx.error("E0104", ptr, "lexicon \"" + lex.name + "\" must be a list of phrases or an object, not " + std::string(v.type_name()));
      continue;
    }
    ctx.lexicons()[lex.name] = std::move(lex);
  }
}

}  // namespace chatqa::detail
