// The rule-set test runner (chatqa/testing.hpp): passing and failing cases,
// diffs, unknown ids and keys with line:col, todo, coverage, --run, discovery.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"
#include "chatqa/testing.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kGood = std::string(CHATQA_SOURCE_DIR) + "/tests/data/ruletest/good";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::shared_ptr<const chatqa::RuleSet> mini_rules(const std::string& text = slurp(kGood + "/mini.json")) {
  chatqa::CompileResult compiled = chatqa::compile_rules(text, "mini.json", kGood);
  for (const auto& d : compiled.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(compiled.ok());
  return compiled.rule_set;
}

chatqa::TestFile tests_ok(const std::string& text, const std::string& name = "t.tests.json") {
  chatqa::LoadedTestFile loaded = chatqa::parse_test_file(text, name, kGood);
  for (const auto& d : loaded.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(loaded.ok());
  return *loaded.file;
}

// A session in which every automatic item of mini.json passes.
const char* const kGoodSession = R"({"id": "S", "agent": "A1", "messages": [
  {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "在吗?"},
  {"role": "agent", "time": "2024-05-01T10:00:12+08:00", "text": "您好,很高兴为您服务。"}]})";

std::string one_case(const std::string& expect, const std::string& extra = "") {
  return std::string(R"({"rule_set": "mini.json", "cases": [
  {"name": "the case", )") +
         extra + R"("session": )" + kGoodSession + R"(,
   "expect": )" +
         expect + "}]}";
}

const chatqa::Mismatch* find_mismatch(const chatqa::CaseResult& c, const std::string& item, const std::string& field) {
  for (const auto& m : c.mismatches) {
    if (m.item == item && m.field == field) return &m;
  }
  return nullptr;
}

const chatqa::CaseResult& case_named(const chatqa::RuleTestResult& r, const std::string& name) {
  for (const auto& c : r.cases) {
    if (c.name == name) return c;
  }
  FAIL("no case named " << name);
  throw std::logic_error("unreachable");
}

const chatqa::ItemTally& tally(const chatqa::RuleTestResult& r, const std::string& id) {
  for (const auto& t : r.items) {
    if (t.id == id) return t;
  }
  FAIL("no item " << id);
  throw std::logic_error("unreachable");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("ruletest: the shipped fixture passes, case by case", "[testing]") {
  auto rules = mini_rules();
  chatqa::LoadedTestFile loaded = chatqa::load_test_file(kGood + "/mini.tests.json");
  REQUIRE(loaded.ok());
  CHECK(loaded.file->rule_file == kGood + "/mini.json");
  REQUIRE(loaded.file->cases.size() == 6);
  // Case positions point at the case objects.
  CHECK(loaded.file->cases[0].at.line == 4);
  CHECK(loaded.file->cases[0].at.column == 3);
  // session_file cases read the session relative to the test file.
  CHECK(loaded.file->cases[1].session.id == "RT-slow");

  chatqa::RuleTestResult r = chatqa::run_test_files(*rules, {*loaded.file});
  CHECK(r.diagnostics.empty());
  REQUIRE(r.cases.size() == 6);
  CHECK(r.count(chatqa::CaseStatus::passed) == 5);
  CHECK(r.count(chatqa::CaseStatus::failed) == 0);
  CHECK(r.count(chatqa::CaseStatus::todo) == 1);
  for (const auto& c : r.cases) {
    INFO(c.name);
    if (c.todo.empty()) CHECK(c.mismatches.empty());
  }
  const auto& shirk = tally(r, "no_shirking");
  CHECK(shirk.fire_cases == 1);  // the todo case does not count
  CHECK(shirk.true_positives == 1);
  CHECK(shirk.clean_cases == 2);
  CHECK(shirk.false_positives == 0);
  CHECK(r.coverage_judged);
  CHECK(r.coverage_complete());
  CHECK(r.manual == std::vector<std::string>{"tone"});
}

TEST_CASE("ruletest: a failing case shows expected vs actual", "[testing]") {
  auto rules = mini_rules();
  auto file = tests_ok(one_case(R"({"fire": ["greeting", {"id": "first_reply", "hits": 2}],
     "clean": ["no_shirking"], "score": 97, "fatal": true})"));
  chatqa::CaseResult c = chatqa::run_test_case(*rules, file.cases.at(0));
  CHECK(c.status == chatqa::CaseStatus::failed);
  REQUIRE(c.mismatches.size() == 4);
  const auto* greeting = find_mismatch(c, "greeting", "fires");
  REQUIRE(greeting);
  CHECK(greeting->expected == "fires");
  CHECK(greeting->actual == "passed");
  REQUIRE(find_mismatch(c, "first_reply", "fires"));
  const auto* score = find_mismatch(c, "", "score");
  REQUIRE(score);
  CHECK(score->expected == "97");
  CHECK(score->actual == "100");
  REQUIRE(find_mismatch(c, "", "fatal"));
  CHECK(find_mismatch(c, "no_shirking", "clean") == nullptr);

  chatqa::RuleTestRun run;
  run.suites.push_back(chatqa::run_test_files(*rules, {file}));
  const std::string text = chatqa::to_text(run);
  CHECK(contains(text, "FAIL   t.tests.json:2:3  the case\n"));
  CHECK(contains(text, "- greeting fires\n"));
  CHECK(contains(text, "+ greeting passed\n"));
  CHECK(contains(text, "- score 97\n"));
  CHECK(contains(text, "+ score 100\n"));
  CHECK(run.exit_code() == 1);
}

TEST_CASE("ruletest: details of a firing item are compared exactly", "[testing]") {
  auto rules = mini_rules();
  const std::string text = R"({"rule_set": "mini.json", "cases": [
  {"name": "shirking", "session": {"id": "S", "messages": [
     {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "到哪了?"},
     {"role": "agent", "time": "2024-05-01T10:00:10+08:00", "text": "您好,不是我处理的,我不知道。"}]},
   "expect": {"fire": [{"id": "no_shirking", "hits": 3, "messages": [1, 2], "quotes": ["不知道", "不是我处理的"],
                        "deducted": 1}],
              "clean": ["greeting"]}}]})";
  chatqa::CaseResult c = chatqa::run_test_case(*rules, tests_ok(text).cases.at(0));
  CHECK(c.status == chatqa::CaseStatus::failed);
  const auto* hits = find_mismatch(c, "no_shirking", "hits");
  REQUIRE(hits);
  CHECK(hits->expected == "3");
  CHECK(hits->actual == "2");
  const auto* messages = find_mismatch(c, "no_shirking", "messages");
  REQUIRE(messages);
  CHECK(messages->expected == "[1, 2]");
  CHECK(messages->actual == "[1, 1]");
  const auto* quotes = find_mismatch(c, "no_shirking", "quotes");
  REQUIRE(quotes);
  CHECK(quotes->expected == R"(["不知道", "不是我处理的"])");
  CHECK(quotes->actual == R"(["不是我处理的", "不知道"])");
  const auto* deducted = find_mismatch(c, "no_shirking", "deducted");
  REQUIRE(deducted);
  CHECK(deducted->actual == "2");

  chatqa::RuleTestRun run;
  run.suites.push_back(chatqa::run_test_files(*rules, {tests_ok(text)}));
  const std::string out = chatqa::to_text(run);
  // The findings of the items involved are shown under the diff.
  CHECK(contains(out, "findings:\n"));
  CHECK(contains(out, "no_shirking  #1 2024-05-01T10:00:10+08:00 \u300C不是我处理的\u300D"));
}

TEST_CASE("ruletest: an item expected clean that fires fails the case", "[testing]") {
  auto rules = mini_rules();
  const std::string text = R"({"rule_set": "mini.json", "cases": [
  {"name": "fatal", "session": {"id": "S", "messages": [
     {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "便宜点?"},
     {"role": "agent", "time": "2024-05-01T10:00:10+08:00", "text": "您好,爱买不买。"}]},
   "expect": {"clean": ["fatal_words", "greeting"]}}]})";
  chatqa::RuleTestResult r = chatqa::run_test_files(*rules, {tests_ok(text)});
  REQUIRE(r.cases.size() == 1);
  const auto* m = find_mismatch(r.cases[0], "fatal_words", "clean");
  REQUIRE(m);
  CHECK(m->actual == "fires (1 hit, -100)");
  CHECK(tally(r, "fatal_words").false_positives == 1);
  CHECK(tally(r, "greeting").false_positives == 0);
}

TEST_CASE("ruletest: unknown item ids are errors with line:col, not silent passes", "[testing]") {
  auto rules = mini_rules();
  const std::string text =
      "{\"rule_set\": \"mini.json\", \"cases\": [\n"
      "  {\"name\": \"typo in an id\", \"session\": " +
      std::string(kGoodSession) +
      ",\n"
      "   \"expect\": {\"clean\": [\"greting\"],\n"
      "              \"fire\": [{\"id\": \"nothing_like_it\"}]}}]}";
  chatqa::TestFile file = tests_ok(text);
  std::vector<chatqa::Diagnostic> diags = chatqa::check_test_file(file, *rules);
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].code == "E0505");
  CHECK(diags[0].to_string() ==
        "t.tests.json:5:25: error[E0505]: unknown item \"greting\": rule set \"ruletest-mini\" has no such item; "
        "did you mean \"greeting\"?");
  CHECK(diags[1].code == "E0505");
  CHECK(diags[1].line == 6);
  CHECK(diags[1].column == 31);
  CHECK(diags[1].message.find("did you mean") == std::string::npos);

  // The cases still run, and fail: an unknown id never passes.
  chatqa::RuleTestResult r = chatqa::run_test_files(*rules, {file});
  REQUIRE(r.cases.size() == 1);
  CHECK(r.cases[0].status == chatqa::CaseStatus::failed);
  CHECK(find_mismatch(r.cases[0], "greting", "unknown_item"));
  chatqa::RuleTestRun run;
  run.suites.push_back(std::move(r));
  CHECK(run.exit_code() == 2);
}

TEST_CASE("ruletest: unknown keys and wrong types in a test file are errors", "[testing]") {
  chatqa::LoadedTestFile bad =
      chatqa::parse_test_file(one_case(R"({"fires": ["greeting"]})", R"("todoo": "x", )"), "t.tests.json", kGood);
  CHECK_FALSE(bad.ok());
  REQUIRE(bad.diagnostics.size() == 2);
  CHECK(bad.diagnostics[0].code == "E0503");
  CHECK(bad.diagnostics[0].to_string() ==
        "t.tests.json:2:24: error[E0503]: unknown key \"todoo\" in a case; did you mean \"todo\"?");
  CHECK(bad.diagnostics[1].code == "E0503");
  CHECK(bad.diagnostics[1].message == "unknown key \"fires\" in \"expect\"; did you mean \"fire\"?");

  chatqa::LoadedTestFile types = chatqa::parse_test_file(
      one_case(R"({"fire": [{"id": "greeting", "hits": "2", "messages": [1.5]}], "score": "100"})"), "t.tests.json",
      kGood);
  CHECK_FALSE(types.ok());
  REQUIRE(types.diagnostics.size() == 3);
  for (const auto& d : types.diagnostics) CHECK(d.code == "E0504");

  chatqa::LoadedTestFile json_error =
      chatqa::parse_test_file("{\"cases\": [\n  {\"name\": \"x\",,}]}", "t.tests.json", "");
  REQUIRE(json_error.diagnostics.size() == 1);
  CHECK(json_error.diagnostics[0].code == "E0502");
  CHECK(json_error.diagnostics[0].line == 2);

  // A number too big for a double is an E0502 at the number, not an
  // exception out of parse_test_file (found by fuzz/fuzz_session).
  chatqa::LoadedTestFile overflow;
  REQUIRE_NOTHROW(overflow = chatqa::parse_test_file("{\"cases\": [\n  {\"score\": 1e999}]}", "t.tests.json", ""));
  REQUIRE(overflow.diagnostics.size() == 1);
  CHECK(overflow.diagnostics[0].code == "E0502");
  CHECK(overflow.diagnostics[0].line == 2);
  CHECK(overflow.diagnostics[0].column == 13);  // the "1" of 1e999
  CHECK(overflow.diagnostics[0].message == "invalid JSON: number overflow parsing '1e999'");

  chatqa::LoadedTestFile two_sessions =
      chatqa::parse_test_file(R"({"cases": [{"name": "x", "expect": {}}]})", "t.tests.json", "");
  REQUIRE(two_sessions.diagnostics.size() == 1);
  CHECK(two_sessions.diagnostics[0].code == "E0509");
}

TEST_CASE("ruletest: two cases with one name are an error at the second name", "[testing]") {
  // Found by fuzz/fuzz_tests: results and --run refer to cases by name, so a
  // copied case whose name was not changed made results ambiguous.
  const std::string session = R"({"id": "s", "messages": [{"role": "agent", "time": "2024-05-01T10:00:00+08:00", "text": "您好"}]})";
  const std::string text = "{\"cases\": [\n"
                           "  {\"name\": \"greets\", \"session\": " + session + ", \"expect\": {}},\n"
                           "  {\"name\": \"other\", \"session\": " + session + ", \"expect\": {}},\n"
                           "  {\"name\": \"greets\", \"session\": " + session + ", \"expect\": {}}]}";
  chatqa::LoadedTestFile dup = chatqa::parse_test_file(text, "t.tests.json", "");
  CHECK_FALSE(dup.ok());
  REQUIRE(dup.diagnostics.size() == 1);
  const chatqa::Diagnostic& d = dup.diagnostics[0];
  CHECK(d.code == "E0512");
  CHECK(d.json_pointer == "/cases/2/name");
  CHECK(d.line == 4);
  CHECK(d.column == 12);  // the second "greets"
  CHECK(d.message == "two cases are named \"greets\" (the first at line 2); case names must be unique");
}

TEST_CASE("ruletest: a bad session is an error at its place", "[testing]") {
  const std::string text = R"({"cases": [
  {"name": "bad time", "session": {"id": "S", "messages": [
     {"role": "customer", "time": "yesterday", "text": "在吗"}]},
   "expect": {}},
  {"name": "missing file", "session_file": "cases/no-such-file.json", "expect": {}}]})";
  chatqa::LoadedTestFile loaded = chatqa::parse_test_file(text, "t.tests.json", kGood);
  CHECK_FALSE(loaded.ok());
  REQUIRE(loaded.diagnostics.size() == 2);
  CHECK(loaded.diagnostics[0].code == "E0506");
  CHECK(loaded.diagnostics[0].line == 3);
  CHECK(loaded.diagnostics[1].code == "E0506");
  CHECK(loaded.diagnostics[1].line == 5);
  CHECK(contains(loaded.diagnostics[1].message, "no-such-file.json"));
}

TEST_CASE("ruletest: contradictory expectations are errors", "[testing]") {
  auto rules = mini_rules();
  auto file = tests_ok(one_case(R"({"fire": ["greeting", "tone"], "clean": ["greeting"]})"));
  std::vector<chatqa::Diagnostic> diags = chatqa::check_test_file(file, *rules);
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].code == "E0508");
  CHECK(contains(diags[0].message, "\"tone\" is manual"));
  CHECK(diags[1].code == "E0508");
  CHECK(contains(diags[1].message, "both to fire and to stay clean"));
}

TEST_CASE("ruletest: todo cases are reported, not failed", "[testing]") {
  auto rules = mini_rules();
  const std::string text = R"({"rule_set": "mini.json", "cases": [
  {"name": "still a gap", "todo": "greeting detection", "session": )" +
                           std::string(kGoodSession) + R"(, "expect": {"fire": ["greeting"]}},
  {"name": "gap closed", "todo": "was broken once", "session": )" +
                           std::string(kGoodSession) + R"(, "expect": {"clean": ["greeting"], "score": 100}}]})";
  chatqa::RuleTestRun run;
  run.suites.push_back(chatqa::run_test_files(*rules, {tests_ok(text)}));
  const auto& r = run.suites[0];
  CHECK(case_named(r, "still a gap").status == chatqa::CaseStatus::todo);
  CHECK(case_named(r, "gap closed").status == chatqa::CaseStatus::todo_passing);
  CHECK(run.exit_code() == 0);
  // Todo cases do not count towards coverage.
  CHECK(tally(r, "greeting").fire_cases == 0);
  CHECK(tally(r, "greeting").clean_cases == 0);
  const std::string out = chatqa::to_text(run);
  CHECK(contains(out, "TODO   t.tests.json:2:3  still a gap  (todo: greeting detection)\n"));
  INFO(out);
  CHECK(contains(out, "FIXED  t.tests.json:5:3  gap closed  (passes now; remove its \"todo\": was broken once)\n"));
  CHECK(contains(out, "2 cases: 0 passed, 0 failed, 1 todo, 1 todo now passing"));
  CHECK_FALSE(contains(out, "- greeting fires"));
  CHECK(contains(chatqa::to_text(run, /*verbose=*/true), "- greeting fires"));
}

TEST_CASE("ruletest: coverage lists items no case makes fire or checks clean", "[testing]") {
  auto rules = mini_rules();
  chatqa::RuleTestRun run;
  run.suites.push_back(
      chatqa::run_test_files(*rules, {tests_ok(one_case(R"({"clean": ["greeting", "first_reply"], "score": 100})"))}));
  const auto& r = run.suites[0];
  REQUIRE(r.coverage_judged);
  CHECK_FALSE(r.coverage_complete());
  CHECK(r.never_fire == std::vector<std::string>{"first_reply", "greeting", "no_shirking", "fatal_words"});
  CHECK(r.never_clean == std::vector<std::string>{"no_shirking", "fatal_words"});
  CHECK(r.manual == std::vector<std::string>{"tone"});
  CHECK(run.exit_code() == 0);  // gaps are reported...
  run.require_coverage = true;
  CHECK(run.exit_code() == 1);  // ...and fail only when coverage is required
  const std::string out = chatqa::to_text(run);
  CHECK(contains(out, "no case makes fire: first_reply, greeting, no_shirking, fatal_words\n"));
  CHECK(contains(out, "no case checks clean: no_shirking, fatal_words\n"));
  CHECK(contains(out, "manual (exempt): tone\n"));
}

TEST_CASE("ruletest: --run selects cases by name", "[testing]") {
  auto rules = mini_rules();
  chatqa::LoadedTestFile loaded = chatqa::load_test_file(kGood + "/mini.tests.json");
  REQUIRE(loaded.ok());
  chatqa::RuleTestOptions options;
  options.case_pattern = "^(shirking|fatal)";
  chatqa::RuleTestResult r = chatqa::run_test_files(*rules, {*loaded.file}, options);
  REQUIRE(r.cases.size() == 2);
  CHECK(r.cases[0].name == "shirking twice");
  CHECK(r.cases[1].name == "fatal: 爱买不买");
  CHECK_FALSE(r.coverage_judged);  // a selection says nothing about coverage

  options.case_pattern = "爱买";
  CHECK(chatqa::run_test_files(*rules, {*loaded.file}, options).cases.size() == 1);

  options.case_pattern = "(unclosed";
  chatqa::RuleTestResult bad = chatqa::run_test_files(*rules, {*loaded.file}, options);
  CHECK(bad.cases.empty());
  REQUIRE(bad.diagnostics.size() == 1);
  CHECK(bad.diagnostics[0].code == "E0510");
}

TEST_CASE("ruletest: breaking an item on purpose makes its cases fail with a readable diff", "[testing]") {
  std::string text = slurp(kGood + "/mini.json");
  const std::string limit = "\"limit_seconds\": 30";
  const auto at = text.find(limit);
  REQUIRE(at != std::string::npos);
  text.replace(at, limit.size(), "\"limit_seconds\": 300");
  auto broken = mini_rules(text);
  chatqa::LoadedTestFile loaded = chatqa::load_test_file(kGood + "/mini.tests.json");
  REQUIRE(loaded.ok());
  chatqa::RuleTestRun run;
  run.suites.push_back(chatqa::run_test_files(*broken, {*loaded.file}));
  const auto& r = run.suites[0];
  CHECK(r.count(chatqa::CaseStatus::failed) == 1);
  const auto& slow = case_named(r, "first reply after 45 s");
  CHECK(slow.status == chatqa::CaseStatus::failed);
  CHECK(tally(r, "first_reply").false_negatives == 1);
  CHECK(run.exit_code() == 1);
  const std::string out = chatqa::to_text(run);
  CHECK(contains(out, "FAIL   " + kGood +
                          "/mini.tests.json:12:3  first reply after 45 s\n"
                          "           - first_reply fires\n"
                          "           + first_reply passed\n"
                          "           - score 98\n"
                          "           + score 100\n"));
}

TEST_CASE("ruletest: a broken copy on disk fails through the whole run", "[testing]") {
  const fs::path dir = fs::temp_directory_path() / "chatqa-ruletest-broken-copy";
  fs::remove_all(dir);
  fs::create_directories(dir / "cases");
  std::string rules = slurp(kGood + "/mini.json");
  const auto at = rules.find("\"limit_seconds\": 30");
  REQUIRE(at != std::string::npos);
  rules.insert(at + std::string("\"limit_seconds\": 30").size(), "0");
  std::ofstream(dir / "mini.json") << rules;
  fs::copy_file(kGood + "/mini.tests.json", dir / "mini.tests.json");
  fs::copy_file(kGood + "/cases/slow-first-reply.json", dir / "cases/slow-first-reply.json");
  chatqa::RuleTestRun run = chatqa::run_rule_tests({dir.string()});
  fs::remove_all(dir);
  REQUIRE(run.suites.size() == 1);
  CHECK(run.suites[0].count(chatqa::CaseStatus::failed) == 1);
  CHECK(run.exit_code() == 1);
}

TEST_CASE("ruletest: discovery finds test files beside rule files and in tests/", "[testing]") {
  chatqa::RuleTestRun run = chatqa::run_rule_tests({kGood});
  CHECK(run.diagnostics.empty());
  REQUIRE(run.suites.size() == 2);
  CHECK(run.suites[0].rule_file == kGood + "/folder/rules.json");
  CHECK(run.suites[0].test_files == std::vector<std::string>{kGood + "/folder/tests/rules.tests.json"});
  CHECK(run.suites[1].rule_file == kGood + "/mini.json");
  CHECK(run.suites[0].count(chatqa::CaseStatus::passed) == 2);
  CHECK(run.exit_code() == 0);

  // A rule file named directly finds its tests, beside it or in tests/; a test file named twice runs once.
  chatqa::RuleTestRun direct = chatqa::run_rule_tests({kGood + "/mini.json"});
  REQUIRE(direct.suites.size() == 1);
  CHECK(direct.suites[0].cases.size() == 6);
  chatqa::RuleTestRun twice =
      chatqa::run_rule_tests({kGood + "/mini.tests.json", kGood + "/mini.json", kGood + "/./mini.tests.json"});
  REQUIRE(twice.suites.size() == 1);
  CHECK(twice.suites[0].cases.size() == 6);
  chatqa::RuleTestRun folder = chatqa::run_rule_tests({kGood + "/folder/rules.json"});
  REQUIRE(folder.suites.size() == 1);
  CHECK(folder.suites[0].test_files == std::vector<std::string>{kGood + "/folder/tests/rules.tests.json"});

  // A rule file without tests is a suite whose every automatic item is a gap.
  const fs::path dir = fs::temp_directory_path() / "chatqa-ruletest-no-tests";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kGood + "/folder/rules.json", dir / "rules.json");
  chatqa::RuleTestRun missing = chatqa::run_rule_tests({(dir / "rules.json").string()});
  fs::remove_all(dir);
  REQUIRE(missing.suites.size() == 1);
  CHECK(missing.suites[0].test_files.empty());
  CHECK(missing.suites[0].never_fire == std::vector<std::string>{"greeting"});
  CHECK(missing.exit_code() == 0);
  missing.require_coverage = true;
  CHECK(missing.exit_code() == 1);
  CHECK(contains(chatqa::to_text(missing), "no test file"));

  chatqa::RuleTestRun nothing = chatqa::run_rule_tests({kGood + "/no-such-dir", kGood + "/cases"});
  REQUIRE(nothing.diagnostics.size() == 2);
  CHECK(nothing.diagnostics[0].code == "E0501");
  CHECK(nothing.diagnostics[1].code == "E0511");
  CHECK(nothing.exit_code() == 2);
}

TEST_CASE("ruletest: a test file whose rule file is missing is broken", "[testing]") {
  const fs::path dir = fs::temp_directory_path() / "chatqa-ruletest-missing-rules";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "x.tests.json") << R"({"rule_set": "nowhere.json", "cases": []})";
  chatqa::RuleTestRun run = chatqa::run_rule_tests({dir.string()});
  fs::remove_all(dir);
  REQUIRE(run.diagnostics.size() == 1);
  CHECK(run.diagnostics[0].code == "E0507");
  CHECK(run.diagnostics[0].line == 1);
  CHECK(run.diagnostics[0].column == 14);
  CHECK(run.exit_code() == 2);
}

TEST_CASE("ruletest: a test file with another name is read when named, with its rule_set", "[testing]") {
  const fs::path dir = fs::temp_directory_path() / "chatqa-ruletest-other-name";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "greeting-cases.json") << R"({"rule_set": ")" << kGood << R"(/mini.json", "cases": [
  {"name": "no greeting", "session": {"id": "S", "messages": [
     {"role": "customer", "time": "2024-05-01 10:00:00", "text": "在吗"},
     {"role": "agent", "time": "2024-05-01 10:00:05", "text": "在。"}]},
   "expect": {"fire": ["greeting"], "clean": ["first_reply"]}}]})";
  std::ofstream(dir / "no-rule-set.json") << R"({"cases": []})";
  // The rule file lies outside the test file's folders: allowed by a root (else E0513).
  chatqa::RuleTestRunOptions options;
  options.compile.allowed_roots = {kGood};
  chatqa::RuleTestRun run = chatqa::run_rule_tests({(dir / "greeting-cases.json").string()}, options);
  chatqa::LoadedTestFile orphan = chatqa::load_test_file((dir / "no-rule-set.json").string());
  fs::remove_all(dir);
  REQUIRE(run.suites.size() == 1);
  CHECK(run.suites[0].rule_file == kGood + "/mini.json");
  CHECK(run.suites[0].count(chatqa::CaseStatus::passed) == 1);
  CHECK(run.exit_code() == 0);
  REQUIRE(orphan.diagnostics.size() == 1);
  CHECK(orphan.diagnostics[0].code == "E0507");
}

TEST_CASE("ruletest: JSON output is complete and deterministic", "[testing]") {
  chatqa::RuleTestRun run = chatqa::run_rule_tests({kGood});
  const std::string a = chatqa::to_json(run);
  CHECK(a == chatqa::to_json(chatqa::run_rule_tests({kGood})));
  const auto doc = nlohmann::json::parse(a);
  CHECK(doc["summary"]["cases"] == 8);
  CHECK(doc["summary"]["passed"] == 7);
  CHECK(doc["summary"]["todo"] == 1);
  CHECK(doc["summary"]["exit_code"] == 0);
  const auto& mini = doc["suites"][1];
  CHECK(mini["rule_set"]["name"] == "ruletest-mini");
  CHECK(mini["coverage"]["complete"] == true);
  CHECK(mini["coverage"]["manual"] == nlohmann::json::array({"tone"}));
  CHECK(mini["cases"][2]["status"] == "pass");
  CHECK(mini["cases"][2]["fired"][0]["id"] == "no_shirking");
  CHECK(mini["cases"][2]["fired"][0]["hits"] == 3);
  CHECK(mini["cases"][5]["status"] == "todo");
  CHECK(mini["items"][0]["id"] == "first_reply");
}
