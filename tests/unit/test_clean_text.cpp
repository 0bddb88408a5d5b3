// Clean-text false-positive tests: every shipped rule set's lexicons run over
// clean text that nobody wrote for chatqa (Debian packages: fortunes-zh for
// Chinese; wamerican and hunspell-en-us word lists for English) and over
// innocent sentences written for these tests (tests/data/clean/). Typo
// dictionaries and fatal items must find nothing there at all: a fatal hit on
// innocent text is a release blocker. Banned-phrase items must find nothing
// in the innocent sentences.
//
// The Debian texts are installed by scripts/setup; a test whose text is
// missing says so and checks nothing else.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_matcher_util.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string strip_ansi(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

// The fortunes of a fortune(6) file, each one text (wrapped Chinese lines joined).
std::vector<std::string> fortunes(const fs::path& path) {
  std::vector<std::string> out;
  std::stringstream in(read_file(path));
  std::string line, current;
  while (std::getline(in, line)) {
    if (line == "%") {
      if (!current.empty()) out.push_back(current);
      current.clear();
      continue;
    }
    line = strip_ansi(line);
    if (!current.empty() && !line.empty() && static_cast<unsigned char>(line[0]) < 0x80 &&
        static_cast<unsigned char>(current.back()) < 0x80)
      current += ' ';
    current += line;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// Lines of a word list (hunspell .dic: the count line skipped, /FLAGS cut), `per` words a message.
std::vector<std::string> word_messages(const fs::path& path, std::size_t per) {
  std::vector<std::string> out;
  std::stringstream in(read_file(path));
  std::string word, current;
  std::size_t n = 0;
  while (std::getline(in, word)) {
    if (const auto slash = word.find('/'); slash != std::string::npos) word.erase(slash);
    if (word.empty() || (word[0] >= '0' && word[0] <= '9')) continue;
    current += (current.empty() ? "" : " ") + word;
    if (++n % per == 0) {
      out.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::vector<std::string> innocent_sentences(const std::string& name) {
  std::vector<std::string> out;
  std::stringstream in(read_file(fs::path(CHATQA_SOURCE_DIR) / "tests/data/clean" / name));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') out.push_back(line);
  }
  return out;
}

struct Hit {
  std::string item, matched, quote, text;
};

// Scores `texts` as agent messages (64 a session) with `rules`; the findings
// of the items `wanted` picks.
template <typename Wanted>
std::vector<Hit> hits(const chatqa::RuleSet& rules, const std::vector<std::string>& texts, Wanted wanted) {
  std::vector<Hit> out;
  chatqa::EvalScratch scratch;
  for (std::size_t b = 0; b < texts.size(); b += 64) {
    chatqa::Session s;
    s.id = "clean";
    for (std::size_t i = b; i < texts.size() && i < b + 64; ++i) {
      chatqa::Message m;
      m.role = chatqa::Role::agent;
      m.time.epoch_ms = static_cast<std::int64_t>(i) * 1000;
      m.text = texts[i];
      s.messages.push_back(std::move(m));
    }
    const chatqa::Report r = chatqa::evaluate(rules, s, scratch);
    REQUIRE(r.error.empty());
    for (std::size_t k = 0; k < r.items.size(); ++k) {
      if (!wanted(rules.items()[k])) continue;
      for (const auto& f : r.items[k].findings) {
        if (!f.at.message) continue;
        out.push_back({r.items[k].id, f.matched, f.at.quote, s.messages[*f.at.message].text});
      }
    }
  }
  return out;
}

std::vector<fs::path> shipped_rule_sets() {
  std::vector<fs::path> out;
  for (const auto& dir : {"rules/zh-CN", "rules/en-US"}) {
    for (const auto& e : fs::directory_iterator(fs::path(CHATQA_SOURCE_DIR) / dir)) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() == ".json" && name.find(".tests.") == std::string::npos) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_typo(const chatqa::ItemInfo& i) {
  return i.check_type == "typo_count";
}
bool is_fatal(const chatqa::ItemInfo& i) {
  return i.severity == chatqa::ItemSeverity::fatal;
}
bool is_phrase(const chatqa::ItemInfo& i) {
  return i.check_type == "banned_phrase" && !i.bonus;
}

// The typo findings on Debian's texts, less the genuine ones listed in
// tests/data/clean/debian-text-typos.txt (those texts are not free of typos).
std::vector<Hit> unexpected_typos(std::vector<Hit> found) {
  const auto known = innocent_sentences("debian-text-typos.txt");
  const std::set<std::string> genuine(known.begin(), known.end());
  found.erase(std::remove_if(found.begin(), found.end(), [&](const Hit& h) { return genuine.count(h.matched) > 0; }),
              found.end());
  return found;
}

void report(const std::vector<Hit>& found, const std::string& what) {
  for (const Hit& h : found) {
    FAIL_CHECK(what << ": item " << h.item << " fired on \"" << h.quote << "\" (" << h.matched << ") in: " << h.text);
  }
}

std::vector<std::string> chinese_corpus() {
  std::vector<std::string> texts;
  for (const char* name : {"chinese.u8", "tang300.u8", "song100.u8"}) {
    const fs::path p = fs::path("/usr/share/games/fortunes") / name;
    if (fs::exists(p)) {
      auto f = fortunes(p);
      texts.insert(texts.end(), f.begin(), f.end());
    }
  }
  return texts;
}

std::vector<std::string> english_corpus() {
  std::vector<std::string> texts;
  for (const char* name : {"/usr/share/dict/american-english", "/usr/share/hunspell/en_US.dic"}) {
    if (fs::exists(name)) {
      auto w = word_messages(name, 12);
      texts.insert(texts.end(), w.begin(), w.end());
    }
  }
  return texts;
}

}  // namespace

TEST_CASE("clean text: typo and fatal items find nothing in Debian's Chinese fortunes", "[clean]") {
  const auto texts = chinese_corpus();
  if (texts.empty()) {
    WARN("fortunes-zh is not installed (scripts/setup installs it): nothing checked");
    return;
  }
  for (const fs::path& file : shipped_rule_sets()) {
    INFO(file.string());
    chatqa::CompileResult r = chatqa::compile_rule_file(file.string());
    REQUIRE(r.ok());
    report(unexpected_typos(hits(*r.rule_set, texts, is_typo)), "typo dictionary on fortunes-zh");
    report(hits(*r.rule_set, texts, is_fatal), "fatal item on fortunes-zh");
  }
}

TEST_CASE("clean text: typo and fatal items find nothing in English word lists", "[clean]") {
  const auto texts = english_corpus();
  if (texts.empty()) {
    WARN("wamerican / hunspell-en-us are not installed (scripts/setup installs them): nothing checked");
    return;
  }
  for (const fs::path& file : shipped_rule_sets()) {
    INFO(file.string());
    chatqa::CompileResult r = chatqa::compile_rule_file(file.string());
    REQUIRE(r.ok());
    report(unexpected_typos(hits(*r.rule_set, texts, is_typo)), "typo dictionary on English word lists");
    report(hits(*r.rule_set, texts, is_fatal), "fatal item on English word lists");
  }
}

TEST_CASE("clean text: no typo, fatal or banned-phrase item fires on innocent sentences", "[clean]") {
  std::vector<std::string> texts = innocent_sentences("innocent-zh.txt");
  const auto en = innocent_sentences("innocent-en.txt");
  texts.insert(texts.end(), en.begin(), en.end());
  REQUIRE(texts.size() > 50);
  for (const fs::path& file : shipped_rule_sets()) {
    INFO(file.string());
    chatqa::CompileResult r = chatqa::compile_rule_file(file.string());
    REQUIRE(r.ok());
    report(hits(*r.rule_set, texts, [](const chatqa::ItemInfo& i) { return is_typo(i) || is_fatal(i) || is_phrase(i); }),
           "innocent sentence");
  }
}

TEST_CASE("clean text: codespell's whole dictionary on real English chats finds no correct English word", "[clean][realchat]") {
  const fs::path codespell = "/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt";
  fs::path realchat;
  for (const char* up : {"../shared/realchat", "../../shared/realchat"}) {
    if (fs::exists(fs::path(CHATQA_SOURCE_DIR) / up / "stc3-train-en.jsonl")) realchat = fs::path(CHATQA_SOURCE_DIR) / up;
  }
  const char* word_lists[] = {"/usr/share/dict/american-english", "/usr/share/hunspell/en_US.dic"};
  if (!fs::exists(codespell) || realchat.empty() || !fs::exists(word_lists[0]) || !fs::exists(word_lists[1])) {
    WARN("codespell, wamerican, hunspell-en-us or ../shared/realchat is missing: nothing checked");
    return;
  }
  // As a user would point chatqa at codespell's dictionary, with the word lists that drop its real words.
  const std::string rules = R"({"name": "codespell", "lexicons": {"typos": {"file": ")" + codespell.string() +
                            R"(", "known_words": [")" + word_lists[0] + R"(", ")" + word_lists[1] + R"("]}},
    "items": [{"id": "typos", "points": 100, "per_hit": 1, "check": {"type": "typo_count", "dictionary": "@typos"}}]})";
  chatqa::CompileResult compiled = chatqa::compile_rules(rules, "codespell.json", "");
  REQUIRE(compiled.ok());
  // The correct words: every lower-case entry of the word lists.
  std::set<std::string> words;
  for (const char* list : word_lists) {
    std::stringstream in(read_file(list));
    std::string w;
    while (std::getline(in, w)) {
      if (const auto slash = w.find('/'); slash != std::string::npos) w.erase(slash);
      for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      words.insert(w);
    }
  }
  std::stringstream in(read_file(realchat / "stc3-train-en.jsonl"));
  std::string line;
  std::size_t sessions = 0, found = 0;
  chatqa::EvalScratch scratch;
  while (std::getline(in, line)) {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) continue;
    ++sessions;
    const chatqa::Report r = chatqa::evaluate(*compiled.rule_set, *p.session, scratch);
    for (const auto& f : r.items[0].findings) {
      ++found;
      std::string q = f.at.quote;
      for (char& c : q) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (q.size() > 2 && (q.substr(q.size() - 2) == "'s")) q.erase(q.size() - 2);
      INFO("session " << r.session_id << " message " << (f.at.message ? std::to_string(*f.at.message) : "-"));
      CHECK_FALSE(words.count(q));
    }
  }
  CHECK(sessions > 1000);
  WARN("codespell on real English chats: " << found << " typo findings in " << sessions << " sessions");
}

TEST_CASE("clean text: Latin evasions add no finding on real English chats", "[clean][realchat][evasions]") {
  fs::path realchat;
  for (const char* up : {"../shared/realchat", "../../shared/realchat"}) {
    if (fs::exists(fs::path(CHATQA_SOURCE_DIR) / up / "stc3-train-en.jsonl")) realchat = fs::path(CHATQA_SOURCE_DIR) / up;
  }
  if (realchat.empty()) {
    WARN("../shared/realchat is missing: nothing checked");
    return;
  }
  // The shipped en-US set (evasions on) and the same set with them off must
  // agree on every banned-phrase item: the real chats hold no disguised phrase.
  const fs::path file = fs::path(CHATQA_SOURCE_DIR) / "rules/en-US/support.json";
  std::string text = read_file(file);
  // Evasions are on per banned-phrase item (normalize.latin_evasions): turn every one off.
  const std::string on = R"("latin_evasions": true)";
  REQUIRE(text.find(on) != std::string::npos);
  chatqa::CompileResult with = chatqa::compile_rule_file(file.string());
  REQUIRE(with.ok());
  for (auto at = text.find(on); at != std::string::npos; at = text.find(on, at)) {
    text.replace(at, on.size(), R"("latin_evasions": false)");
  }
  chatqa::CompileResult without = chatqa::compile_rules(text, file.string(), file.parent_path().string());
  REQUIRE(without.ok());
  std::stringstream in(read_file(realchat / "stc3-train-en.jsonl"));
  std::string line;
  std::size_t findings = 0;
  while (std::getline(in, line)) {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) continue;
    const chatqa::Report a = chatqa::evaluate(*with.rule_set, *p.session);
    const chatqa::Report b = chatqa::evaluate(*without.rule_set, *p.session);
    for (std::size_t k = 0; k < a.items.size(); ++k) {
      if (with.rule_set->items()[k].check_type != "banned_phrase") continue;
      findings += a.items[k].findings.size();
      INFO("session " << a.session_id << " item " << a.items[k].id);
      CHECK(a.items[k].findings.size() == b.items[k].findings.size());
    }
  }
  WARN("en-US banned-phrase findings on real English chats: " << findings);
}
