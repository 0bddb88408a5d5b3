// Lexicons: named phrase lists and typo dictionaries, inline or from files.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "rules/lexicon.hpp"
#include "rules/read_file.hpp"
#include "text/utf8.hpp"
#include "text/word_dictionary.hpp"

namespace chatqa::detail {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string join_path(const std::string& base, const std::string& rel) { return FileAccess::join(base, rel); }

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// A directive line of a typo file: "#: key = value" (the same keys as the
// lexicon object's, for a file that carries its own settings).
bool parse_directive(const std::string& line, std::string& key, std::string& value) {
  if (line.rfind("#:", 0) != 0) return false;
  const auto eq = line.find('=');
  if (eq == std::string::npos) return false;
  key = trim(line.substr(2, eq - 2));
  value = trim(line.substr(eq + 1));
  return !key.empty();
}

}  // namespace

// One "wrong->right[, right2] [!context ...]" line (codespell's format, and
// per-entry exceptions: longer texts holding `wrong` that are correct, each
// after a " !"); false if malformed.
bool parse_typo_entry(const std::string& line, TypoEntry& entry) {
  const auto arrow = line.find("->");
  if (arrow == std::string::npos) return false;
  entry.wrong = trim(line.substr(0, arrow));
  std::string rest = line.substr(arrow + 2);
  entry.exceptions.clear();
  if (const auto bang = rest.find(" !"); bang != std::string::npos) {
    std::stringstream contexts(rest.substr(bang + 1));
    std::string context;
    while (contexts >> context) {
      if (context.size() < 2 || context[0] != '!') return false;
      entry.exceptions.push_back(context.substr(1));
    }
    rest.erase(bang);
  }
  std::vector<std::string> parts;
  std::stringstream ss(rest);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = trim(part);
    if (!part.empty()) parts.push_back(part);
  }
  if (entry.wrong.empty() || parts.empty()) return false;
  entry.right.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) entry.right += (i ? ", " : "") + parts[i];
  return true;
}

bool read_lexicon_file(CompileContext& ctx, const std::string& path, const std::string& pointer, bool typos,
                       Lexicon& lex, TypoSettings& directives) {
  const std::string full = join_path(ctx.base_dir(), path);
  NamedFileRead file = ctx.read_named_file(NamedPath{path, full, pointer}, "lexicon", pointer);
  if (!file.ok) {
    if (!file.refused) ctx.error("E0111", pointer, "cannot read lexicon file \"" + full + "\": " + file.error);
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
    std::string key, value;
    if (typos && parse_directive(line, key, value)) {
      const std::string where = full + ":" + std::to_string(line_no) + ": ";
      if (key == "word_frequencies") {
        if (lex.word_frequencies.written.empty() && value != "none") {
          lex.word_frequencies = NamedPath{value, join_path(dir_of(full), value), pointer};
        }
      } else if (key == "known_words") {
        if (value != "none") directives.known_words.push_back(NamedPath{value, join_path(dir_of(full), value), pointer});
      } else if (key == "inflections") {
        directives.inflections = value == "true";
      } else {
        ctx.error("E0112", pointer, where + "unknown directive \"" + key + "\" (word_frequencies, known_words, inflections)");
        ok = false;
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (typos) {
      TypoEntry entry;
      if (!parse_typo_entry(line, entry)) {
        ctx.error("E0112", pointer, full + ":" + std::to_string(line_no) + ": expected \"wrong->right\", got \"" + line + "\"");
        ok = false;
        continue;
      }
      lex.corrections.push_back(std::move(entry));
    } else {
      lex.phrases.push_back(line);
    }
  }
  return ok;
}

namespace {

// What hygiene compares: a Latin phrase's word key, else the normalised
// characters without separators.
std::u32string comparable(const std::string& phrase) {
  std::u32string key = text::latin_key(phrase);
  if (!key.empty()) return key;
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  text::Normalizer::instance().normalize_phrase(phrase, false, chars, flags);
  for (std::size_t k = 0; k < chars.size(); ++k) {
    if (!(flags[k] & text::kSeparator)) key.push_back(chars[k]);
  }
  return key;
}

std::vector<std::string> split_rights(const std::string& right) {
  std::vector<std::string> out;
  std::stringstream ss(right);
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = trim(part);
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

bool ascii_letters(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// The regular English inflection of `word` with `suffix` ("s", "ed", "ing"):
// recieve -> recieves, recieved, recieving; apology -> apologies; box -> boxes.
// (No consonant doubling: stop -> stopped is irregular here, and left out.)
std::string inflect(const std::string& word, const std::string& suffix) {
  const std::size_t n = word.size();
  const char last = static_cast<char>(std::tolower(static_cast<unsigned char>(word[n - 1])));
  const char before = n >= 2 ? static_cast<char>(std::tolower(static_cast<unsigned char>(word[n - 2]))) : 'a';
  const bool consonant_y = last == 'y' && !is_vowel(before);
  if (suffix == "s") {
    if (last == 's' || last == 'x' || last == 'z' || ((last == 'h') && (before == 'c' || before == 's'))) return word + "es";
    if (consonant_y) return word.substr(0, n - 1) + "ies";
    return word + "s";
  }
  if (suffix == "ed") {
    if (last == 'e') return word + "d";
    if (consonant_y) return word.substr(0, n - 1) + "ied";
    return word + "ed";
  }
  // "ing"
  if (last == 'e' && before == 'i') return word.substr(0, n - 2) + "ying";
  if (last == 'e' && before != 'e' && before != 'y' && before != 'o') return word.substr(0, n - 1) + "ing";
  return word + "ing";
}

std::string entries_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " entry" : " entries");
}

std::string examples(const std::vector<std::string>& shown, std::size_t total) {
  std::string out;
  for (std::size_t i = 0; i < shown.size(); ++i) out += (i ? ", " : "") + shown[i];
  if (total > shown.size()) out += ", …";
  return out;
}

}  // namespace

bool read_text_file(CompileContext& ctx, const NamedPath& path, std::string_view kind, std::string& content,
                    bool* refused) {
  NamedFileRead file = ctx.read_named_file(path, kind, path.pointer);
  if (refused) *refused = file.refused;
  if (!file.ok) return false;
  content = std::move(file.text);
  return utf8::find_invalid(content) == std::string::npos;
}

// Long function: three passes in order (self-suggestions, inflections, word lists) over the same
// kept entries and keys; the later passes depend on what the earlier kept.
void tidy_typo_entries(CompileContext& ctx, const std::string& pointer, const std::string& name,
                       const TypoSettings& settings, std::vector<TypoEntry>& entries) {
  constexpr std::size_t kExamples = 5;
  std::vector<std::u32string> keys(entries.size());
  std::unordered_set<std::u32string> seen;
  // 1. An entry whose wrong form is one of its own suggestions flags correct text.
  std::vector<std::string> self_examples;
  std::size_t self = 0;
  std::vector<TypoEntry> kept;
  std::vector<std::u32string> kept_keys;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::u32string key = comparable(entries[i].wrong);
    bool suggests_itself = false;
    for (const std::string& r : split_rights(entries[i].right)) suggests_itself |= comparable(r) == key;
    if (suggests_itself) {
      if (self_examples.size() < kExamples) self_examples.push_back(entries[i].wrong + "->" + entries[i].right);
      ++self;
      continue;
    }
    seen.insert(key);
    kept.push_back(std::move(entries[i]));
    kept_keys.push_back(key);
  }
  if (self > 0) {
    ctx.warning("W0102", pointer,
                entries_text(self) + " of typo dictionary \"" + name +
                    "\" dropped: the wrong form is one of its own suggestions after normalisation (" +
                    examples(self_examples, self) + ")");
  }
  // 2. Regular inflections of single-word Latin entries (recieve -> recieved), each once.
  const std::size_t explicit_count = kept.size();
  if (settings.inflections) {
    for (std::size_t i = 0; i < explicit_count; ++i) {
      const TypoEntry e = kept[i];  // a copy: kept grows below
      if (!ascii_letters(e.wrong) || e.wrong.size() < 3) continue;
      const std::vector<std::string> rights = split_rights(e.right);
      if (!std::all_of(rights.begin(), rights.end(), ascii_letters)) continue;
      for (const char* suffix : {"s", "ed", "ing"}) {
        TypoEntry g;
        g.wrong = inflect(e.wrong, suffix);
        for (std::size_t r = 0; r < rights.size(); ++r) g.right += (r ? ", " : "") + inflect(rights[r], suffix);
        const std::u32string key = comparable(g.wrong);
        if (!seen.insert(key).second) continue;
        kept.push_back(std::move(g));
        kept_keys.push_back(key);
      }
    }
  }
  // 3. An entry whose wrong form is a correct word of a named word list.
  if (!settings.known_words.empty()) {
    std::unordered_set<std::u32string> wanted(kept_keys.begin(), kept_keys.end());
    std::unordered_set<std::u32string> known, proper;  // lower-case words; capitalised ones (names)
    for (const NamedPath& path : settings.known_words) {
      std::string content;
      bool refused = false;
      if (!read_text_file(ctx, path, "known_words", content, &refused)) {
        if (refused) continue;  // E0118
        ctx.warning("W0103", pointer,
                    "cannot read word list \"" + path.joined + "\" (missing, too large or not UTF-8): typo dictionary \"" +
                        name + "\" is not checked against it");
        continue;
      }
      std::stringstream lines(content);
      std::string word;
      std::u32string key;
      while (std::getline(lines, word)) {
        if (const auto slash = word.find('/'); slash != std::string::npos) word.erase(slash);  // hunspell .dic flags
        word = trim(word);
        if (word.empty()) continue;
        key.clear();
        bool ascii = true;
        const bool capitalised = word[0] >= 'A' && word[0] <= 'Z';
        for (char c : word) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          if (!((c >= 'a' && c <= 'z') || c == '\'')) ascii = false;
          key.push_back(static_cast<unsigned char>(c));
        }
        if (!ascii) key = comparable(word);
        if (wanted.count(key)) (capitalised ? proper : known).insert(key);
      }
    }
    // A wrong form that the list knows only as a name (Ballance) stays a
    // typo written in lower case, and is no typo capitalised.
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (!known.count(kept_keys[i]) && proper.count(kept_keys[i])) kept[i].lowercase_only = true;
    }
    std::vector<TypoEntry> clean;
    std::vector<std::string> word_examples;
    std::size_t words = 0, generated = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (!known.count(kept_keys[i])) {
        clean.push_back(std::move(kept[i]));
        continue;
      }
      if (i >= explicit_count) {
        ++generated;  // an inflection that happens to be a word ("wich" -> "wiches"?): silently not added
        continue;
      }
      if (word_examples.size() < kExamples) word_examples.push_back(kept[i].wrong);
      ++words;
    }
    if (words > 0) {
      ctx.warning("W0102", pointer,
                  entries_text(words) + " of typo dictionary \"" + name +
                      "\" dropped: the wrong form is a correct word of the word list (" +
                      examples(word_examples, words) + ")");
    }
    kept.swap(clean);
  }
  entries.swap(kept);
}

// Long function: one loop over the lexicons that dispatches on their kinds (list, typo dictionary,
// file) with a diagnostic for each wrong shape.
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
      Params p(ctx, v, ptr,
               {"file", "format", "phrases", "typos", "description", "known_words", "inflections", "word_frequencies"});
      auto format = p.string("format", false, {"phrases", "typos"});
      TypoSettings settings;
      if (auto file = p.string("file", false)) {
        const bool typos = format ? *format == "typos"
                                  : (file->find("typo") != std::string::npos ||
                                     file->find("codespell") != std::string::npos || file->find("dictionary") != std::string::npos);
        lex.is_typos = typos;
        read_lexicon_file(ctx, *file, p.pointer("file"), typos, lex, settings);
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
            // The value may carry exceptions too: "right !context".
            TypoEntry entry;
            if (!parse_typo_entry(t.key() + "->" + t.value().get<std::string>(), entry)) {
              ctx.error("E0112", p.pointer("typos") + "/" + JsonLocator::escape_token(t.key()),
                        "expected \"right[, right2] [!context ...]\"");
              continue;
            }
            lex.corrections.push_back(std::move(entry));
          }
        }
      } else if (p.has("phrases")) {
        for (auto& [s, sp] : p.strings("phrases")) lex.phrases.push_back(s);
      } else {
        ctx.error("E0103", ptr, "lexicon \"" + lex.name + "\" needs \"file\", \"phrases\" or \"typos\"");
      }
      // The rule file's keys win over the typo file's own "#:" directives.
      if (p.has("known_words")) {
        settings.known_words.clear();
        for (auto& [path, path_ptr] : p.strings("known_words")) {
          settings.known_words.push_back(NamedPath{path, join_path(ctx.base_dir(), path), path_ptr});
        }
      }
      if (auto inflections = p.boolean("inflections")) settings.inflections = *inflections;
      if (const json* wf = p.get("word_frequencies")) {
        if (wf->is_boolean() && !wf->get<bool>()) {
          lex.word_frequencies = NamedPath{};
        } else if (auto path = p.string("word_frequencies", false)) {
          lex.word_frequencies = NamedPath{*path, join_path(ctx.base_dir(), *path), p.pointer("word_frequencies")};
        }
      }
      if (!lex.is_typos) {
        for (const char* key : {"known_words", "inflections", "word_frequencies"}) {
          if (p.has(key)) ctx.error("E0105", p.pointer(key), "\"" + std::string(key) + "\" is for typo dictionaries");
        }
      }
      if (lex.is_typos) tidy_typo_entries(ctx, ptr, lex.name, settings, lex.corrections);
    } else {
      ctx.error("E0104", ptr, "lexicon \"" + lex.name + "\" must be a list of phrases or an object, not " + std::string(v.type_name()));
      continue;
    }
    ctx.lexicons()[lex.name] = std::move(lex);
  }
}

}  // namespace chatqa::detail
