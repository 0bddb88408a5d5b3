// The shipped typo dictionaries (rules/lexicons/*-typos.txt), loaded through
// a rule set exactly as users load them, and codespell-format files.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "test_matcher_util.hpp"

using matcher_test::compile;

namespace {

struct Entry {
  std::string wrong;
  std::vector<std::string> rights;
  std::vector<std::string> exceptions;  // " !context" after the rights
  int line = 0;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// An independent reader of the wrong->right[, right2] format, to cross-check the library's.
std::vector<Entry> read_entries(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::vector<Entry> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto arrow = line.find("->");
    INFO(path << ":" << n << ": " << line);
    REQUIRE(arrow != std::string::npos);
    Entry e;
    e.wrong = trim(line.substr(0, arrow));
    e.line = n;
    std::string right_part = line.substr(arrow + 2);
    if (const auto bang = right_part.find(" !"); bang != std::string::npos) {
      std::stringstream contexts(right_part.substr(bang + 1));
      std::string context;
      while (contexts >> context) e.exceptions.push_back(context.substr(1));
      right_part.erase(bang);
    }
    std::stringstream rest(right_part);
    std::string part;
    while (std::getline(rest, part, ',')) {
      if (!trim(part).empty()) e.rights.push_back(trim(part));
    }
    REQUIRE_FALSE(e.wrong.empty());
    REQUIRE_FALSE(e.rights.empty());
    out.push_back(e);
  }
  return out;
}

std::string typo_rules(const std::string& file_json) {
  return R"({"name": "t", "version": "1", "total": 100, "lexicons": {"typos": )" + file_json +
         R"(}, "items": [{"id": "x", "title": "typos", "points": 100, "per_hit": 1,
             "check": {"type": "typo_count", "dictionary": "@typos", "min_count": 1}}]})";
}

// Scores `texts` as agent messages of one session; returns the findings per message.
std::map<long, std::vector<matcher_test::Found>> findings_per_message(const chatqa::RuleSet& rules,
                                                                      const std::vector<std::string>& texts) {
  std::vector<std::pair<std::string, std::string>> messages;
  for (const auto& t : texts) messages.emplace_back("agent", t);
  std::map<long, std::vector<matcher_test::Found>> out;
  for (auto& f : matcher_test::findings(rules, matcher_test::session(messages))) out[f.message].push_back(f);
  return out;
}

std::string utf8_substr_cp(const std::string& s, std::size_t begin, std::size_t end) {
  std::size_t cp = 0, b = std::string::npos, e = s.size();
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (cp == begin && b == std::string::npos) b = i;
    if (cp == end) {
      e = i;
      break;
    }
    ++cp;
  }
  return s.substr(b, e - b);
}

void check_shipped_list(const std::string& name, std::size_t minimum) {
  const std::string path = std::string(CHATQA_SOURCE_DIR) + "/rules/lexicons/" + name;
  INFO(path);
  const std::vector<Entry> entries = read_entries(path);

  // Counts: the list is big enough, and the library loads every entry.
  CHECK(entries.size() >= minimum);
  auto rules = compile(typo_rules(R"({"file": "rules/lexicons/)" + name + R"("})"));
  std::size_t patterns = entries.size();  // each entry, and each of its exception contexts
  for (const Entry& e : entries) patterns += e.exceptions.size();
  CHECK(rules->phrase_count() == patterns);

  // No wrong form is listed twice, nor used as a right form of the same list.
  std::set<std::string> wrongs, rights;
  for (const Entry& e : entries) {
    INFO("line " << e.line << ": " << e.wrong);
    CHECK(wrongs.insert(e.wrong).second);
    for (const auto& r : e.rights) rights.insert(r);
  }
  for (const Entry& e : entries) {
    INFO("line " << e.line << ": " << e.wrong << " is also a right form");
    CHECK(rights.count(e.wrong) == 0);
  }

  // Every wrong form, written as a message, is found as a whole with its correction.
  std::vector<std::string> texts;
  for (const Entry& e : entries) texts.push_back(e.wrong);
  auto found = findings_per_message(*rules, texts);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO("line " << entries[i].line << ": " << entries[i].wrong);
    bool whole = false;
    for (const auto& f : found[static_cast<long>(i)]) {
      whole = whole || (f.quote == entries[i].wrong && f.begin == 0 && f.suggestion.find(entries[i].rights[0]) == 0);
    }
    CHECK(whole);
  }

  // No right form, written as a message, is flagged: correct text stays clean.
  texts.clear();
  std::vector<const Entry*> owner;
  for (const Entry& e : entries) {
    for (const auto& r : e.rights) {
      texts.push_back(r);
      owner.push_back(&e);
    }
  }
  found = findings_per_message(*rules, texts);
  for (const auto& [message, list] : found) {
    for (const auto& f : list) {
      FAIL_CHECK("right form \"" << texts[static_cast<std::size_t>(message)] << "\" (line " << owner[message]->line
                                 << ") is flagged as typo \"" << f.quote << "\"");
    }
  }
}

}  // namespace

TEST_CASE("the zh-CN typo dictionary loads, and its right forms are clean", "[lexicons]") {
  check_shipped_list("zh-CN-typos.txt", 300);
}

TEST_CASE("the en-US typo dictionary loads, and its right forms are clean", "[lexicons]") {
  check_shipped_list("en-US-typos.txt", 500);
}

TEST_CASE("the English list matches whole words only", "[lexicons]") {
  auto rules = compile(typo_rules(R"({"file": "rules/lexicons/en-US-typos.txt"})"));
  const auto found = findings_per_message(
      *rules, {"I flew to Tehran yesterday", "Teh order has shipped", "we will recieve it", "unrecieved", "recieved."});
  CHECK(found.count(0) == 0);
  REQUIRE(found.count(1) == 1);
  CHECK(found.at(1).size() == 1);
  CHECK(found.at(1)[0].quote == "Teh");
  CHECK(found.at(1)[0].suggestion == "The");  // cased like the word written
  REQUIRE(found.count(2) == 1);
  CHECK(found.at(2)[0].quote == "recieve");
  CHECK(found.at(2)[0].begin == 8);
  CHECK(found.count(3) == 0);
  REQUIRE(found.count(4) == 1);
  CHECK(found.at(4)[0].quote == "recieved");
}

TEST_CASE("the Chinese list matches inside running text", "[lexicons]") {
  auto rules = compile(typo_rules(R"({"file": "rules/lexicons/zh-CN-typos.txt"})"));
  const auto found = findings_per_message(*rules, {"您好，再接再励哦", "安装包已经发您了", "我们迫不急待地想为您服务"});
  REQUIRE(found.count(0) == 1);
  CHECK(found.at(0)[0].quote == "再接再励");
  CHECK(found.at(0)[0].begin == 3);
  CHECK(found.at(0)[0].suggestion == "再接再厉");
  CHECK(found.count(1) == 0);
  REQUIRE(found.count(2) == 1);
  CHECK(utf8_substr_cp("我们迫不急待地想为您服务", found.at(2)[0].begin, found.at(2)[0].end) == "迫不急待");
}

TEST_CASE("a codespell-format dictionary loads", "[lexicons]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("chatqa-lexicon-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / "dictionary.txt";
  {
    std::ofstream out(file, std::ios::binary);
    out << "\xEF\xBB\xBF"  // a BOM, as Windows editors write
        << "abandonned->abandoned\r\n"
        << "accesible->accessible\n"
        << "aci->acpi, ach, aye,\n"
        << "\n"
        << "# a comment\n"
        << "adn->and\n";
  }
  for (const std::string lexicon : {R"({"file": ")" + file.string() + R"("})",
                                    R"({"file": ")" + file.string() + R"(", "format": "typos"})"}) {
    INFO(lexicon);
    auto rules = compile(typo_rules(lexicon));
    CHECK(rules->phrase_count() == 4);
    const auto found = findings_per_message(*rules, {"it was abandonned", "the aci table", "salt adn pepper", "accessible"});
    REQUIRE(found.count(0) == 1);
    CHECK(found.at(0)[0].suggestion == "abandoned");
    REQUIRE(found.count(1) == 1);
    CHECK(found.at(1)[0].suggestion == "acpi, ach, aye");
    CHECK(found.at(1)[0].begin == 4);
    REQUIRE(found.count(2) == 1);
    CHECK(found.at(2)[0].quote == "adn");
    CHECK(found.count(3) == 0);
  }
  SECTION("a malformed line is reported with its line number") {
    {
      std::ofstream out(dir / "bad-typos.txt", std::ios::binary);
      out << "good->fine\nno arrow here\n";
    }
    const auto r = chatqa::compile_rules(typo_rules(R"({"file": ")" + (dir / "bad-typos.txt").string() + R"("})"),
                                         "t.json", "", matcher_test::temp_files_allowed());
    REQUIRE_FALSE(r.ok());
    bool line2 = false;
    for (const auto& d : r.diagnostics) line2 = line2 || d.message.find(":2:") != std::string::npos;
    CHECK(line2);
  }
  fs::remove_all(dir);
}
