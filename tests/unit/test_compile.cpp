// Rule-set compilation: every diagnostic code, with its line:column checked.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "core_helpers.hpp"
#include "rules/rule_set_impl.hpp"

using namespace chatqa;
using chatqa::testing::compile_text;
using chatqa::testing::find_code;
using chatqa::testing::rule_set;

namespace {

const Diagnostic& only(const CompileResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.to_string());
  const Diagnostic* d = find_code(r, code);
  REQUIRE(d != nullptr);
  return *d;
}

// A scratch directory for lexicon files, removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("chatqa-core-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

const char* const kManual = R"({"type": "manual"})";

}  // namespace

TEST_CASE("a valid rule set compiles without diagnostics", "[compile]") {
  auto r = compile_text(rule_set(R"([
    {"id": "first_reply", "title": "首次响应", "category": "响应时间", "points": 2,
     "check": {"type": "response_time", "mode": "first", "limit_seconds": 30}},
    {"id": "tone", "points": 18, "check": {"type": "manual"}}])"));
  CHECK(r.ok());
  CHECK(r.diagnostics.empty());
  REQUIRE(r.rule_set->items().size() == 2);
  CHECK(r.rule_set->items()[0].title == "首次响应");
  CHECK(r.rule_set->items()[0].check_type == "response_time");
  CHECK(r.rule_set->items()[1].title == "tone");  // title defaults to the id
  CHECK(r.rule_set->name() == "t");
  CHECK(r.rule_set->total() == 100);
}

TEST_CASE("E0101: JSON syntax error at its line:column", "[compile][diagnostics]") {
  auto r = compile_text("{\"name\": \"t\",\n \"items\": [,]}");
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  const Diagnostic& d = r.diagnostics[0];
  CHECK(d.code == "E0101");
  CHECK(d.line == 2);
  CHECK(d.column == 12);  // the stray ','
  CHECK(d.file == "rules.json");
  CHECK(d.to_string().rfind("rules.json:2:12: error[E0101]: invalid JSON", 0) == 0);

  // Columns count code points: three Chinese characters before the error.
  auto cjk = compile_text("{\"name\": \"规则集\" \"items\": []}");
  REQUIRE(cjk.diagnostics.size() == 1);
  CHECK(cjk.diagnostics[0].line == 1);
  CHECK(cjk.diagnostics[0].column == 22);  // nlohmann stops at the end of the unexpected token "items"

  auto truncated = compile_text("{\"name\": \"t\",\n\"items\": [\n");
  REQUIRE(truncated.diagnostics.size() == 1);
  CHECK(truncated.diagnostics[0].code == "E0101");
  CHECK(truncated.diagnostics[0].line >= 2);

  // A \u without four hex digits: one E0101 at its place. Locating it threw
  // std::invalid_argument out of compile_rules (found by fuzz/fuzz_session
  // through the same locator); `chatqa check` printed only "stoul".
  CompileResult bad_escape;
  REQUIRE_NOTHROW(bad_escape = compile_text("{\"name\": \"t\",\n \"items\": [{\"id\": \"a\\uZZ\"}]}"));
  REQUIRE(bad_escape.diagnostics.size() == 1);
  CHECK(bad_escape.diagnostics[0].code == "E0101");
  CHECK(bad_escape.diagnostics[0].line == 2);
  CHECK_NOTHROW(compile_text("{\"name\": \"\\u12\"}"));

  // A number too big for a double: E0101 at the number, with nlohmann's words.
  auto overflow = compile_text("{\"name\": \"t\",\n \"total\": 3e4412}");
  REQUIRE(overflow.diagnostics.size() == 1);
  CHECK(overflow.diagnostics[0].code == "E0101");
  CHECK(overflow.diagnostics[0].line == 2);
  CHECK(overflow.diagnostics[0].column == 11);
  CHECK(overflow.diagnostics[0].message == "invalid JSON: number overflow parsing '3e4412'");
  CHECK_NOTHROW(compile_text("{\"name\": \"\\uD83D\\uZZZZ\", \"items\": [,]}"));
}

TEST_CASE("keys written with \\u escapes are located where they are written", "[compile][diagnostics]") {
  // "\u0070ointz" is "pointz": an unknown key, reported at the key itself.
  auto r = compile_text("{\"name\": \"t\", \"items\": [\n  {\"id\": \"\\u4e00\", \"\\u0070ointz\": 1, \"check\": {\"type\": \"manual\"}}]}");
  bool found = false;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.code != "E0102") continue;
    found = true;
    CHECK(d.json_pointer == "/items/0/pointz");
    CHECK(d.line == 2);
    CHECK(d.column == 20);
  }
  CHECK(found);
}

TEST_CASE("E0102: unknown key, at the KEY, with did-you-mean", "[compile][diagnostics]") {
  const std::string text = "{\"name\": \"t\", \"version\": \"1\",\n"
                           " \"items\": [\n"
                           "  {\"id\": \"问候语\", \"pionts\": 2, \"check\": {\"type\": \"manual\"}},\n"
                           "  {\"id\": \"b\", \"points\": 2,\n"
                           "   \"check\": {\"type\": \"response_time\", \"limit_second\": 30}}\n"
                           " ]}";
  auto r = compile_text(text);
  CHECK_FALSE(r.ok());
  std::vector<const Diagnostic*> unknown;
  for (const auto& d : r.diagnostics) {
    if (d.code == "E0102") unknown.push_back(&d);
  }
  REQUIRE(unknown.size() == 2);
  CHECK(unknown[0]->line == 3);
  CHECK(unknown[0]->column == 17);  // code points: 问候语 is 3 columns
  CHECK(unknown[0]->json_pointer == "/items/0/pionts");
  CHECK(unknown[0]->message == "unknown key \"pionts\"; did you mean \"points\"?");
  CHECK(unknown[0]->to_string() == "rules.json:3:17: error[E0102]: unknown key \"pionts\"; did you mean \"points\"?");
  CHECK(unknown[1]->line == 5);
  CHECK(unknown[1]->column == 39);
  CHECK(unknown[1]->message.find("did you mean \"limit_seconds\"") != std::string::npos);

  // A UTF-8 byte order mark does not shift columns.
  auto bom = compile_text("\xEF\xBB\xBF{\"name\": \"t\", \"itmes\": [], \"items\": []}");
  REQUIRE(find_code(bom, "E0102"));
  CHECK(find_code(bom, "E0102")->line == 1);
  CHECK(find_code(bom, "E0102")->column == 15);

  // Top level, and no suggestion when nothing is close.
  auto top = compile_text("{\"name\": \"t\", \"itmes\": [], \"items\": [], \"zzzzzzzzzzzz\": 1}");
  const Diagnostic* itmes = nullptr;
  const Diagnostic* far = nullptr;
  for (const auto& d : top.diagnostics) {
    if (d.json_pointer == "/itmes") itmes = &d;
    if (d.json_pointer == "/zzzzzzzzzzzz") far = &d;
  }
  REQUIRE(itmes);
  CHECK(itmes->column == 15);
  CHECK(itmes->message.find("did you mean \"items\"") != std::string::npos);
  REQUIRE(far);
  CHECK(far->message == "unknown key \"zzzzzzzzzzzz\"");
}

TEST_CASE("E0103: missing required keys", "[compile][diagnostics]") {
  auto r = compile_text(std::string("{\"name\": \"t\",\n \"items\": [\n") +
                        "  {\"id\": \"a\", \"check\": {\"type\": \"manual\"}},\n" +
                        "  {\"id\": \"b\", \"points\": 1, \"check\": {\"type\": \"response_time\"}}]}");
  const Diagnostic& points = only(r, "E0103");
  CHECK(points.json_pointer == "/items/0");
  CHECK(points.line == 3);
  CHECK(points.column == 3);
  CHECK(points.message == "missing required key \"points\"");
  bool limit = false;
  for (const auto& d : r.diagnostics) {
    if (d.code == "E0103" && d.json_pointer == "/items/1/check") {
      limit = true;
      CHECK(d.line == 4);
      CHECK(d.column == 37);
      CHECK(d.message.find("limit_seconds") != std::string::npos);
    }
  }
  CHECK(limit);

  auto no_items = compile_text("{\"name\": \"t\"}");
  CHECK(only(no_items, "E0103").message == "missing required key \"items\"");
  auto no_phrases = compile_text(rule_set(R"([{"id": "a", "points": 1, "check": {"type": "banned_phrase"}}])"));
  CHECK(only(no_phrases, "E0103").json_pointer == "/items/0/check");

  // A check without "type": found by fuzz/fuzz_rules reading freed memory
  // (under ASan) where the item looked the type up; now one E0103.
  auto no_type = compile_text(rule_set(R"([{"id": "a", "points": 1, "check": {"phrases": ["x"]}}])"));
  const Diagnostic& type = only(no_type, "E0103");
  CHECK(type.json_pointer == "/items/0/check");
  CHECK(type.message == "missing required key \"type\"");
  CHECK_FALSE(no_type.ok());
}

TEST_CASE("E0104: wrong types", "[compile][diagnostics]") {
  auto r = compile_text("{\"name\": \"t\", \"items\": [\n  {\"id\": \"a\", \"points\": \"2\", \"check\": {\"type\": \"manual\"}}]}");
  const Diagnostic& d = only(r, "E0104");
  CHECK(d.json_pointer == "/items/0/points");
  CHECK(d.line == 2);
  CHECK(d.column == 25);  // at the value "2"

  for (const char* bad : {R"("items": {})", R"("items": [1])", R"("items": [{"id": 1, "points": 1, "check": {"type": "manual"}}])",
                          R"("items": [{"id": "a", "points": 1, "check": "manual"}])",
                          R"("items": [{"id": "a", "points": 1, "check": {"type": "banned_phrase", "phrases": "不知道", "role": 3}}])",
                          R"("lexicons": [], "items": [])"}) {
    INFO(bad);
    auto res = compile_text(std::string("{\"name\": \"t\", ") + bad + "}");
    CHECK_FALSE(res.ok());
    CHECK(find_code(res, "E0104"));
  }
}

TEST_CASE("E0105: values out of range or not one of the choices", "[compile][diagnostics]") {
  auto r = compile_text(
      "{\"name\": \"t\", \"items\": [\n"
      "  {\"id\": \"a\", \"points\": 1, \"check\": {\"type\": \"response_time\", \"mode\": \"fist\", \"limit_seconds\": 30}}]}");
  const Diagnostic& d = only(r, "E0105");
  CHECK(d.json_pointer == "/items/0/check/mode");
  CHECK(d.line == 2);
  CHECK(d.column == 71);
  CHECK(d.message.find("did you mean \"first\"") != std::string::npos);

  for (const char* bad :
       {R"({"type": "response_time", "limit_seconds": -1})", R"({"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1, "last_messages": 1}})",
        R"({"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 0}})",
        R"({"type": "banned_phrase", "phrases": ["不知道"], "role": "agnet"})",
        R"({"type": "banned_phrase", "phrases": ["  ,。 "]})"}) {
    INFO(bad);
    auto res = compile_text(rule_set(std::string(R"([{"id": "a", "points": 1, "check": )") + bad + "}]"));
    CHECK_FALSE(res.ok());
    CHECK(find_code(res, "E0105"));
  }
}

TEST_CASE("E0106: duplicate item id, at the second one", "[compile][diagnostics]") {
  auto r = compile_text(std::string("{\"name\": \"t\", \"items\": [\n") + "  {\"id\": \"a\", \"points\": 1, \"check\": " + kManual +
                        "},\n" + "  {\"id\": \"a\", \"points\": 1, \"check\": " + kManual + "}]}");
  const Diagnostic& d = only(r, "E0106");
  CHECK(d.line == 3);
  CHECK(d.column == 10);
  CHECK(d.json_pointer == "/items/1/id");
  CHECK(d.message == "duplicate item id \"a\"");
}

TEST_CASE("E0107: unknown check type, with did-you-mean", "[compile][diagnostics]") {
  auto r = compile_text("{\"name\": \"t\", \"items\": [\n  {\"id\": \"a\", \"points\": 1, \"check\": {\"type\": \"banned_phrases\"}}]}");
  const Diagnostic& d = only(r, "E0107");
  CHECK(d.json_pointer == "/items/0/check/type");
  CHECK(d.line == 2);
  CHECK(d.column == 46);
  CHECK(d.message == "unknown check type \"banned_phrases\"; did you mean \"banned_phrase\"?");
}

TEST_CASE("E0108: unknown @lexicon, with did-you-mean", "[compile][diagnostics]") {
  auto r = compile_text(
      "{\"name\": \"t\", \"lexicons\": {\"shirking\": [\"不知道\"]}, \"items\": [\n"
      "  {\"id\": \"a\", \"points\": 1, \"check\": {\"type\": \"banned_phrase\", \"phrases\": [\"不清楚\", \"@shirkng\"]}}]}");
  const Diagnostic& d = only(r, "E0108");
  CHECK(d.json_pointer == "/items/0/check/phrases/1");
  CHECK(d.line == 2);
  CHECK(d.column == 82);
  CHECK(d.message == "unknown lexicon \"@shirkng\"; did you mean \"@shirking\"?");

  auto dict = compile_text(rule_set(R"([{"id": "a", "points": 1, "check": {"type": "typo_count", "dictionary": "@typos"}}])"));
  CHECK(only(dict, "E0108").json_pointer == "/items/0/check/dictionary");
}

TEST_CASE("E0109: a regex RE2 rejects, with RE2's message", "[compile][diagnostics]") {
  auto r = compile_text(
      "{\"name\": \"t\", \"items\": [\n"
      "  {\"id\": \"a\", \"points\": 1, \"check\": {\"type\": \"banned_phrase\", \"regex\": [\"你(到底\"]}}]}");
  const Diagnostic& d = only(r, "E0109");
  CHECK(d.json_pointer == "/items/0/check/regex/0");
  CHECK(d.line == 2);
  CHECK(d.column == 73);
  CHECK(d.message.find("invalid regex /你(到底/") == 0);
  CHECK(d.message.find("missing )") != std::string::npos);  // RE2's own words

  auto backref = compile_text(rule_set(R"([{"id": "a", "points": 1, "check": {"type": "banned_phrase", "regex": ["(a)\\1"]}}])"));
  CHECK(find_code(backref, "E0109"));
}

TEST_CASE("E0110: points negative or above the total", "[compile][diagnostics]") {
  auto neg = compile_text("{\"name\": \"t\", \"items\": [\n  {\"id\": \"a\", \"points\": -1, \"check\": {\"type\": \"manual\"}}]}");
  const Diagnostic& d = only(neg, "E0110");
  CHECK(d.json_pointer == "/items/0/points");
  CHECK(d.line == 2);
  CHECK(d.column == 25);

  auto above = compile_text(rule_set(R"([{"id": "a", "points": 11, "check": {"type": "manual"}}])", "{}", 10));
  CHECK(only(above, "E0110").message == "\"points\" is 11, must be between 0 and the total (10)");
  CHECK(compile_text(rule_set(R"([{"id": "a", "points": 10, "check": {"type": "manual"}}])", "{}", 10)).ok());
}

TEST_CASE("E0111: an unreadable lexicon file, at its \"file\" value", "[compile][diagnostics]") {
  TempDir dir;
  auto r = compile_text(
      "{\"name\": \"t\",\n \"lexicons\": {\"typos\": {\"file\": \"missing-typos.txt\"}},\n \"items\": []}", dir.path.string());
  const Diagnostic& d = only(r, "E0111");
  CHECK(d.json_pointer == "/lexicons/typos/file");
  CHECK(d.line == 2);
  CHECK(d.column == 33);
  CHECK(d.message.find("missing-typos.txt") != std::string::npos);

  std::filesystem::create_directories(dir.path / "a-dir");
  CompileResult is_dir;
  REQUIRE_NOTHROW(is_dir = compile_text(R"({"name": "t", "lexicons": {"x": {"file": "a-dir"}}, "items": []})", dir.path.string()));
  CHECK(only(is_dir, "E0111").json_pointer == "/lexicons/x/file");
}

TEST_CASE("E0112: a bad line in a typo dictionary names the file line", "[compile][diagnostics]") {
  TempDir dir;
  dir.write("zh-typos.txt", "# comment\n帐号->账号\n\n这是一行没有箭头的\n登陆->登录, \n");
  auto r = compile_text(
      "{\"name\": \"t\",\n \"lexicons\": {\"typos\": {\"file\": \"zh-typos.txt\", \"format\": \"typos\"}},\n \"items\": []}",
      dir.path.string());
  const Diagnostic& d = only(r, "E0112");
  CHECK(d.line == 2);
  CHECK(d.column == 33);
  CHECK(d.message.find("zh-typos.txt:4: expected \"wrong->right\"") != std::string::npos);
  CHECK(r.diagnostics.size() == 1);  // line 5 with a trailing comma is fine

  dir.write("bad-utf8-typos.txt", "a->b\n\xFF\n");
  auto utf8 = compile_text(R"({"name": "t", "lexicons": {"t": {"file": "bad-utf8-typos.txt"}}, "items": []})", dir.path.string());
  CHECK(only(utf8, "E0112").message.find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("E0113: \"also\" naming an unknown item or itself", "[compile][diagnostics]") {
  auto r = compile_text(std::string("{\"name\": \"t\", \"items\": [\n") +
                        "  {\"id\": \"greeting\", \"points\": 1, \"check\": " + kManual + "},\n" +
                        "  {\"id\": \"closing\", \"points\": 1, \"also\": [\"greting\"], \"check\": " + kManual + "}]}");
  const Diagnostic& d = only(r, "E0113");
  CHECK(d.json_pointer == "/items/1/also/0");
  CHECK(d.line == 3);
  CHECK(d.column == 43);
  CHECK(d.message == "\"also\" names unknown item \"greting\"; did you mean \"greeting\"?");

  auto self = compile_text(rule_set(R"([{"id": "a", "points": 1, "also": "a", "check": {"type": "manual"}}])"));
  CHECK(only(self, "E0113").message == "an item cannot name itself in \"also\"");
}

TEST_CASE("E0114: an unreadable rule file", "[compile][diagnostics]") {
  auto r = compile_rule_file("/nonexistent/dir/rules.json");
  CHECK_FALSE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].code == "E0114");
  CHECK(r.diagnostics[0].file == "/nonexistent/dir/rules.json");
  CHECK(r.diagnostics[0].to_string() == "/nonexistent/dir/rules.json: error[E0114]: cannot read rule file: No such file or directory");

  TempDir dir;  // a directory is not a readable file, and must not throw
  auto is_dir = compile_rule_file(dir.path.string());
  CHECK_FALSE(is_dir.ok());
  REQUIRE(is_dir.diagnostics.size() == 1);
  CHECK(is_dir.diagnostics[0].code == "E0114");
}

TEST_CASE("E0116 and regex memory budgets", "[compile][diagnostics]") {
  const std::string rules = rule_set(R"([{"id": "a", "points": 1, "check": {"type": "banned_phrase",
      "phrases": ["不知道", "不清楚"], "regex": ["(a|b|c|d|e|f|g)[0-9]{1,30}x{2,40}"]}}])");
  CompileOptions small;
  small.max_phrases = 1;
  auto phrases = compile_rules(rules, "rules.json", "", small);
  CHECK(only(phrases, "E0116").json_pointer == "/items/0/check/phrases/1");

  // A regex over its own budget is rejected with RE2's message.
  CompileOptions tiny_regex;
  tiny_regex.regex_max_mem = 2048;
  auto big = compile_rules(rule_set(R"([{"id": "a", "points": 1, "check": {"type": "banned_phrase", "regex": ["[a-z]{200}x{300}"]}}])"),
                           "rules.json", "", tiny_regex);
  CHECK(only(big, "E0109").message.find("pattern too large") != std::string::npos);

  // The rule set's combined regex set over its budget.
  CompileOptions tiny_set;
  tiny_set.regex_set_max_mem = 1024;
  auto set = compile_rules(rules, "rules.json", "", tiny_set);
  CHECK_FALSE(set.ok());
  CHECK(only(set, "E0115").json_pointer == "/items");

  // Within the default budgets the same rules compile and both kinds match.
  auto fine = compile_rules(rules, "rules.json", "");
  REQUIRE(fine.ok());
  Session s = chatqa::testing::session_ok(
      R"({"id": "s", "messages": [{"role": "agent", "time": 1, "text": "编号 c123xxx 不清楚"}]})");
  Report report = evaluate(*fine.rule_set, s);
  CHECK(chatqa::testing::item_of(report, "a").hits == 2);
}

TEST_CASE("a rule file compiles with lexicons relative to it", "[compile]") {
  TempDir dir;
  std::filesystem::create_directories(dir.path / "zh-CN");
  std::filesystem::create_directories(dir.path / "lexicons");
  dir.write("lexicons/shirking.txt", "# 推诿\n不知道\n不清楚\n");
  dir.write("zh-CN/rules.json", R"({"name": "t", "lexicons": {"shirking": {"file": "../lexicons/shirking.txt"}},
      "items": [{"id": "a", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@shirking"]}}]})");
  auto r = compile_rule_file((dir.path / "zh-CN" / "rules.json").string());
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(r.ok());
  CHECK(r.rule_set->phrase_count() == 2);
  CHECK(r.rule_set->path() == (dir.path / "zh-CN" / "rules.json").string());
}

TEST_CASE("W0101: minor items adding up to more than the total is a warning", "[compile][diagnostics]") {
  auto r = compile_text(rule_set(R"([{"id": "a", "points": 8, "check": {"type": "manual"}},
                                     {"id": "b", "points": 8, "check": {"type": "manual"}},
                                     {"id": "c", "points": 10, "severity": "fatal", "check": {"type": "manual"}}])",
                                 "{}", 10));
  CHECK(r.ok());
  const Diagnostic& d = only(r, "W0101");
  CHECK(d.severity == Severity::warning);
  CHECK(d.message == "minor items add up to 16 points, more than the total 10; scores are floored at 0");
  CHECK_FALSE(has_errors(r.diagnostics));
}

TEST_CASE("diagnostics come in file order and never throw on hostile input", "[compile][diagnostics]") {
  auto r = compile_text(std::string("{\"name\": \"t\", \"items\": [\n") +
                        "  {\"id\": \"a\", \"points\": 1, \"check\": {\"type\": \"nope\"}},\n" +
                        "  {\"id\": \"b\", \"pionts\": 1, \"check\": {\"type\": \"manual\"}}]}");
  REQUIRE(r.diagnostics.size() >= 3);
  for (std::size_t i = 1; i < r.diagnostics.size(); ++i) {
    const auto& a = r.diagnostics[i - 1];
    const auto& b = r.diagnostics[i];
    CHECK((a.line < b.line || (a.line == b.line && a.column <= b.column)));
  }
  for (const char* hostile : {"", "null", "[]", "\"x\"", "{\"name\": \"t\", \"items\": [null]}", "\xFF\xFE",
                              "{\"name\": \"t\", \"items\": [], \"description\": [[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]}"}) {
    INFO(hostile);
    CompileResult res;
    REQUIRE_NOTHROW(res = compile_text(hostile));
    CHECK_FALSE(res.ok());
  }
  std::string deep(3000, '[');
  deep += std::string(3000, ']');
  CompileResult res;
  REQUIRE_NOTHROW(res = compile_text("{\"name\": \"t\", \"items\": [], \"description\": " + deep + "}"));
  CHECK(find_code(res, "E0104"));
}

TEST_CASE("compile_rules: RuleSource and the two-string overload compile alike", "[compile]") {
  const std::string text = R"({"name": "x", "items": [{"id": "a", "points": 1, "check": {"type": "banned_phrase",
      "phrases": ["@typos"]}}], "lexicons": {"typos": ["不知道"]}, "bogus": 1})";
  RuleSource source;
  source.file_name = "named.json";
  source.base_dir = "some/dir";
  const CompileResult by_struct = compile_rules(text, source);
  const CompileResult by_strings = compile_rules(text, "named.json", "some/dir");
  REQUIRE(by_struct.diagnostics.size() == 1);
  REQUIRE(by_strings.diagnostics.size() == 1);
  CHECK(by_struct.diagnostics[0].to_string() == by_strings.diagnostics[0].to_string());
  CHECK(by_struct.diagnostics[0].file == "named.json");
}

namespace {
// A rule set whose one item's check is `levels` nots around a banned phrase
// (level 1 is the item's own check).
std::string nested_nots(int levels) {
  std::string check = R"({"type": "banned_phrase", "phrases": ["爱买不买"]})";
  for (int i = 1; i < levels; ++i) check = R"({"type": "not", "check": )" + check + "}";
  return R"({"name": "n", "version": "1", "total": 100, "items": [
    {"id": "x", "title": "x", "category": "c", "points": 1, "check": )" +
         check + "}]}";
}
}  // namespace

TEST_CASE("E0117: checks nested deeper than max_check_depth", "[compile][diagnostics][limits]") {
  CHECK(compile_text(nested_nots(32)).ok());
  const CompileResult deep = compile_text(nested_nots(33));
  REQUIRE_FALSE(deep.ok());
  const Diagnostic* d = find_code(deep, "E0117");
  REQUIRE(d != nullptr);
  CHECK(d->message == "checks nested deeper than 32 levels (max_check_depth)");
  CHECK(deep.diagnostics.size() == 1);
  CompileOptions options;
  options.max_check_depth = 40;
  CHECK(compile_rules(nested_nots(33), "rules.json", "", options).ok());
  // Thousands of levels: one diagnostic, no deep recursion.
  const CompileResult very_deep = compile_text(nested_nots(5000));
  CHECK(find_code(very_deep, "E0117") != nullptr);
  CHECK(very_deep.diagnostics.size() == 1);
}

TEST_CASE("E0114 / E0111: special and oversized files are refused before reading", "[compile][diagnostics][limits]") {
  const CompileResult zero = compile_rule_file("/dev/zero");
  REQUIRE(find_code(zero, "E0114") != nullptr);
  CHECK(find_code(zero, "E0114")->message == "cannot read rule file: not a regular file");
  const auto dir = std::filesystem::temp_directory_path() / "chatqa-limits-test";
  std::filesystem::create_directories(dir);
  CHECK(find_code(compile_rule_file(dir.string()), "E0114")->message == "cannot read rule file: a directory, not a file");
  const auto rules = dir / "rules.json";
  std::ofstream(rules) << R"({"name": "n", "version": "1", "total": 100, "lexicons": {"w": {"file": "words.txt"}},
    "items": [{"id": "x", "title": "x", "category": "c", "points": 1,
               "check": {"type": "banned_phrase", "phrases": ["@w"]}}]})";
  std::ofstream(dir / "words.txt") << "爱买不买\n你自己不会看吗\n";
  CHECK(compile_rule_file(rules.string()).ok());
  CompileOptions small;
  small.max_lexicon_file_bytes = 10;
  const CompileResult big = compile_rule_file(rules.string(), small);
  REQUIRE(find_code(big, "E0111") != nullptr);
  CHECK(find_code(big, "E0111")->message.find("larger than the limit of 10 bytes") != std::string::npos);
  small = CompileOptions();
  small.max_rule_file_bytes = 100;
  CHECK(find_code(compile_rule_file(rules.string(), small), "E0114")->message.find("larger than the limit") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("phrase groups with equal patterns, roles and settings share one group's hits", "[compile][matcher]") {
  // Items 0 and 1: the same lexicon for the same role; 2: for the customer;
  // 3: the same phrases written inline (no lexicon label); 4: another max_skip.
  const std::string items = R"([
    {"id": "a", "title": "a", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@w"]}},
    {"id": "b", "title": "b", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@w"]}},
    {"id": "c", "title": "c", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@w"], "role": "customer"}},
    {"id": "d", "title": "d", "points": 1, "check": {"type": "banned_phrase", "phrases": ["不知道", "没办法"]}},
    {"id": "e", "title": "e", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@w"], "normalize": {"skip_separators": false}}}])";
  const auto rules = chatqa::testing::rules_ok(rule_set(items, R"({"w": {"phrases": ["不知道", "没办法"]}})"));
  const RuleSet::Impl& impl = detail::RuleSetAccess::impl(*rules);
  REQUIRE(impl.groups.size() == 5);
  CHECK(impl.matcher.canonical_group(0) == 0);
  CHECK(impl.matcher.canonical_group(1) == 0);  // shared
  CHECK(impl.matcher.canonical_group(2) == 2);  // other roles
  CHECK(impl.matcher.canonical_group(3) == 3);  // other labels
  CHECK(impl.matcher.canonical_group(4) == 4);  // other settings
  const Session s = chatqa::testing::chat({{"customer", 0, "你们是不是不知道"}, {"agent", 5, "我不 知道,真的没办法"}});
  const Report r = evaluate(*rules, s);
  const ItemResult& a = chatqa::testing::item_of(r, "a");
  const ItemResult& b = chatqa::testing::item_of(r, "b");
  REQUIRE(a.findings.size() == 2);
  REQUIRE(b.findings.size() == a.findings.size());
  for (std::size_t k = 0; k < a.findings.size(); ++k) {
    CHECK(b.findings[k].matched == a.findings[k].matched);
    CHECK(b.findings[k].explanation == a.findings[k].explanation);
    REQUIRE(a.findings[k].at.span);
    CHECK(b.findings[k].at.span->begin == a.findings[k].at.span->begin);
    CHECK(b.findings[k].at.span->end == a.findings[k].at.span->end);
    CHECK(b.findings[k].at.message == std::optional<std::size_t>(1));
  }
  CHECK(a.findings[0].explanation.find("(w)") != std::string::npos);
  REQUIRE(chatqa::testing::item_of(r, "c").findings.size() == 1);
  CHECK(chatqa::testing::item_of(r, "c").findings[0].at.message == std::optional<std::size_t>(0));
  REQUIRE(chatqa::testing::item_of(r, "d").findings.size() == 2);
  CHECK(chatqa::testing::item_of(r, "d").findings[0].explanation.find("(w)") == std::string::npos);
  CHECK(chatqa::testing::item_of(r, "e").findings.size() == 1);  // 不 知道 needs a skipped separator
}
