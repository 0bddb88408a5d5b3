// Hostile or careless rule files and sessions (issue 18): files a rule file
// may read (E0118, CompileOptions::allowed_roots / file_resolver), duplicate
// keys (E0119), huge regexes not echoed (E0109), RE2 silent on stderr, the
// findings caps (EvalOptions::max_findings_*), empty and numeric session ids,
// files a rule test file may name (E0513).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "chatqa/testing.hpp"
#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::compile_text;
using chatqa::testing::find_code;
using chatqa::testing::item_of;
using chatqa::testing::rule_set;
using chatqa::testing::rules_ok;

namespace {

namespace fs = std::filesystem;

// rules/zh-CN/ and rules/lexicons/ in a scratch folder, plus a "secret" file
// outside the rule tree; removed at the end of the test.
struct Tree {
  fs::path root;
  Tree() {
    root = fs::temp_directory_path() / ("chatqa-harden-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(root / "rules" / "zh-CN");
    fs::create_directories(root / "rules" / "lexicons");
    fs::create_directories(root / "private");
    write("private/secret.txt", "机密短语\n");
    write("rules/lexicons/shirking.txt", "不知道\n");
    write("rules/zh-CN/local.txt", "不清楚\n");
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(root / name, std::ios::binary) << content;
    return (root / name).string();
  }
  // Compiles rules/zh-CN/rules.json holding `lexicons`.
  CompileResult compile(const std::string& lexicons, const CompileOptions& options = {}) const {
    const std::string path = write("rules/zh-CN/rules.json",
                                   rule_set(R"([{"id": "a", "points": 1, "check": {"type": "manual"}}])", lexicons));
    return compile_rule_file(path, options);
  }
};

std::string messages_of(const CompileResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.to_string() + "\n";
  return out;
}

// Everything written to file descriptor 2 while `f` runs.
template <typename F>
std::string stderr_of(F&& f) {
  std::fflush(stderr);
  char name[] = "/tmp/chatqa-stderr-XXXXXX";
  const int tmp = ::mkstemp(name);
  REQUIRE(tmp >= 0);
  const int saved = ::dup(2);
  ::dup2(tmp, 2);
  f();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(tmp);
  std::ifstream in(name, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(name);
  return out;
}

}  // namespace

TEST_CASE("E0118: lexicon files outside the rule file's folder and ../lexicons are refused", "[limits][files]") {
  Tree t;
  SECTION("the rule file's folder and the lexicons folder beside it are allowed") {
    const CompileResult r = t.compile(R"({"a": {"file": "local.txt"}, "b": {"file": "../lexicons/shirking.txt"},
                                          "c": {"file": ")" + (t.root / "rules/lexicons/shirking.txt").string() + R"("}})");
    INFO(messages_of(r));
    CHECK(r.ok());
  }
  SECTION("an absolute path outside") {
    const CompileResult r = t.compile(R"({"a": {"file": ")" + (t.root / "private/secret.txt").string() + R"("}})");
    REQUIRE(!r.ok());
    const Diagnostic* d = find_code(r, "E0118");
    REQUIRE(d != nullptr);
    CHECK(d->message.find("absolute path") != std::string::npos);
    CHECK(d->line == 1);
    CHECK(find_code(r, "E0111") == nullptr);  // refused, not "cannot read"
  }
  SECTION("climbing out with ..") {
    const CompileResult r = t.compile(R"({"a": {"file": "../../private/secret.txt"}})");
    REQUIRE(find_code(r, "E0118") != nullptr);
    CHECK(find_code(r, "E0118")->message.find("\"../../private/secret.txt\"") != std::string::npos);
    for (const char* path : {"../zh-CN/../../private/secret.txt", "/etc/passwd", "../../../../../../../../dev/zero"}) {
      INFO(path);
      const CompileResult refused = t.compile(R"({"a": {"file": ")" + std::string(path) + R"("}})");
      CHECK(find_code(refused, "E0118") != nullptr);
      CHECK(find_code(refused, "E0111") == nullptr);
    }
  }
  SECTION("a symlink leading out") {
    std::error_code ec;
    fs::create_symlink(t.root / "private", t.root / "rules/zh-CN/linked", ec);
    REQUIRE(!ec);
    const CompileResult r = t.compile(R"({"a": {"file": "linked/secret.txt"}})");
    REQUIRE(find_code(r, "E0118") != nullptr);
  }
  SECTION("known_words and word_frequencies, also from a typo file's #: lines") {
    const std::string secret = (t.root / "private/secret.txt").string();
    CHECK(find_code(t.compile(R"({"t": {"typos": {"teh": "the"}, "known_words": [")" + secret + R"("]}})"), "E0118") !=
          nullptr);
    t.write("rules/zh-CN/typos.txt", "#: word_frequencies = ../../private/secret.txt\n在次->再次\n");
    const CompileResult directive = compile_rule_file(
        t.write("rules/zh-CN/rules.json",
                rule_set(R"([{"id": "a", "points": 1, "check": {"type": "typo_count", "dictionary": "@t"}}])",
                         R"({"t": {"file": "typos.txt", "format": "typos"}})")));
    INFO(messages_of(directive));
    CHECK(find_code(directive, "E0118") != nullptr);
    t.write("rules/zh-CN/typos2.txt", "#: known_words = ../../private/secret.txt\nteh->the\n");
    CHECK(find_code(t.compile(R"({"t": {"file": "typos2.txt", "format": "typos"}})"), "E0118") != nullptr);
  }
  SECTION("the system word lists are allowed for known_words only") {
    if (!fs::exists("/usr/share/dict/words")) {
      WARN("no /usr/share/dict/words: not checked");
      return;
    }
    const std::string words = fs::canonical("/usr/share/dict/words").string();
    CHECK(find_code(t.compile(R"({"t": {"typos": {"teh": "the"}, "known_words": [")" + words + R"("]}})"), "E0118") ==
          nullptr);
    CHECK(find_code(t.compile(R"({"t": {"file": ")" + words + R"("}})"), "E0118") != nullptr);
  }
  SECTION("allowed_roots adds folders") {
    CompileOptions options;
    options.allowed_roots.push_back((t.root / "private").string());
    const CompileResult r = t.compile(R"({"a": {"file": "../../private/secret.txt"}})", options);
    INFO(messages_of(r));
    CHECK(r.ok());
    options.allowed_roots = {"/"};
    CHECK(find_code(t.compile(R"({"a": {"file": "/etc/hostname"}})", options), "E0118") == nullptr);
  }
}

TEST_CASE("compile_rules with base_dir \"\" confines lexicons to the current directory", "[limits][files]") {
  // ctest runs the unit tests in the source folder: rules/lexicons/... is inside, /etc is not.
  CHECK(compile_text(rule_set(R"([])", R"({"a": {"file": "rules/lexicons/zh-CN-typos.txt", "format": "typos"}})"))
            .ok());
  CHECK(find_code(compile_text(rule_set(R"([])", R"({"a": {"file": "/etc/hostname"}})")), "E0118") != nullptr);
  CHECK(find_code(compile_text(rule_set(R"([])", R"({"a": {"file": "../x.txt"}})")), "E0118") != nullptr);
}

TEST_CASE("CompileOptions::file_resolver serves lexicons without touching the file system", "[limits][files]") {
  std::vector<FileRequest> asked;
  CompileOptions options;
  options.file_resolver = [&](const FileRequest& request) {
    asked.push_back(request);
    FileContent out;
    if (request.resolved == "tenant-7/lexicons/shirking.txt") {
      out.ok = true;
      out.text = "不知道\n不清楚\n";
    } else if (request.resolved == "tenant-7/huge.txt") {
      out.ok = true;
      out.text.assign(100, 'x');
    } else {
      out.error = "no such lexicon in the database";
    }
    return out;
  };
  RuleSource source;
  source.file_name = "tenant-7/zh-CN/rules.json";
  source.base_dir = "tenant-7/zh-CN";
  const std::string items = R"([{"id": "a", "points": 1, "check": {"type": "banned_phrase", "phrases": ["@s"]}}])";
  const CompileResult ok = compile_rules(rule_set(items, R"({"s": {"file": "../lexicons/shirking.txt"}})"), source, options);
  INFO(messages_of(ok));
  REQUIRE(ok.ok());
  CHECK(ok.rule_set->phrase_count() == 2);
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].path == "../lexicons/shirking.txt");
  CHECK(asked[0].kind == "lexicon");

  // An absolute path is the resolver's to judge (it said no): E0111 with its reason.
  const CompileResult missing = compile_rules(rule_set(items, R"({"s": {"file": "/etc/passwd"}})"), source, options);
  REQUIRE(find_code(missing, "E0111") != nullptr);
  CHECK(find_code(missing, "E0111")->message.find("no such lexicon in the database") != std::string::npos);
  CHECK(find_code(missing, "E0118") == nullptr);

  options.max_lexicon_file_bytes = 50;
  const CompileResult big = compile_rules(rule_set(items, R"({"s": {"file": "../huge.txt"}})"), source, options);
  REQUIRE(find_code(big, "E0111") != nullptr);
  CHECK(find_code(big, "E0111")->message.find("larger than the limit") != std::string::npos);
}

TEST_CASE("E0119: a key given twice in one object is an error with both positions", "[compile][diagnostics]") {
  const std::string text = "{\"name\": \"t\", \"items\": [\n"
                           "  {\"id\": \"a\", \"points\": 1,\n"
                           "   \"points\": 2, \"check\": {\"type\": \"manual\"}}]}";
  const CompileResult r = compile_text(text);
  CHECK(!r.ok());
  const Diagnostic* d = find_code(r, "E0119");
  REQUIRE(d != nullptr);
  CHECK(d->line == 3);
  CHECK(d->column == 4);
  CHECK(d->json_pointer == "/items/0/points");
  CHECK(d->message == "duplicate key \"points\": also at line 2, column 15 (only one of them would count)");

  // The same key in different objects is no duplicate; nested duplicates are found.
  CHECK(compile_text(rule_set(R"([{"id": "a", "points": 1, "check": {"type": "manual"}},
                                   {"id": "b", "points": 1, "check": {"type": "manual"}}])"))
            .ok());
  const CompileResult nested = compile_text(rule_set(R"([{"id": "a", "points": 1,
      "check": {"type": "banned_phrase", "phrases": ["x"], "phrases": ["y"]}}])"));
  REQUIRE(find_code(nested, "E0119") != nullptr);
  CHECK(find_code(nested, "E0119")->json_pointer == "/items/0/check/phrases");
  // Three times: two diagnostics, each naming the one before.
  const CompileResult thrice = compile_text(R"({"name": "t", "name": "u", "name": "v", "items": []})");
  std::size_t count = 0;
  for (const auto& diag : thrice.diagnostics) count += diag.code == "E0119";
  CHECK(count == 2);
}

TEST_CASE("E0109 does not echo a huge regex in full, and RE2 prints nothing itself", "[compile][diagnostics]") {
  std::string big = "(";
  for (int i = 0; i < 100000; ++i) big += "词" + std::to_string(i) + "|";
  big += "x";  // unclosed group: RE2 repeats the whole pattern in its reason
  nlohmann::json doc = {{"name", "t"},
                        {"items", {{{"id", "a"}, {"points", 1}, {"check", {{"type", "banned_phrase"}, {"regex", {big}}}}}}}};
  CompileResult r;
  const std::string printed = stderr_of([&] { r = compile_text(doc.dump()); });
  const Diagnostic* d = find_code(r, "E0109");
  REQUIRE(d != nullptr);
  CHECK(d->message.size() < 800);
  CHECK(d->message.find("\u2026") != std::string::npos);
  CHECK(d->message.rfind("invalid regex /(词0|词1|", 0) == 0);
  CHECK(printed.empty());

  // Other RE2 failures: too large for the budget, bad repetition, a set over its budget.
  CompileOptions tight;
  tight.regex_max_mem = 1 << 12;
  tight.regex_set_max_mem = 1 << 12;
  const std::string more = stderr_of([&] {
    for (const char* pattern : {"a{1000}{1000}", "((a{100}){100}){100}", "[a-z]{60}x[0-9]{60}", "(", "\\p{Nope}"}) {
      nlohmann::json one = {
          {"name", "t"},
          {"items", {{{"id", "a"}, {"points", 1}, {"check", {{"type", "banned_phrase"}, {"regex", {pattern}}}}}}}};
      (void)compile_text(one.dump());
      (void)compile_rules(one.dump(), RuleSource{}, tight);
    }
  });
  CHECK(more.empty());
}

TEST_CASE("findings caps keep the first findings, count the rest, and keep the deduction", "[report][limits]") {
  auto rules = rules_ok(rule_set(R"([
      {"id": "a", "points": 100, "per_hit": 1, "check": {"type": "banned_phrase", "phrases": ["不知道"], "role": "agent"}},
      {"id": "b", "points": 100, "per_hit": 0.5, "check": {"type": "banned_phrase", "phrases": ["不清楚"], "role": "agent"}}])"));
  std::vector<chatqa::testing::Line> lines;
  for (int i = 0; i < 30; ++i) lines.push_back({"agent", i * 5.0, "不知道,不清楚"});
  const Session s = chat(lines);
  const Report full = evaluate(*rules, s);
  REQUIRE(item_of(full, "a").findings.size() == 30);
  CHECK(full.truncated == 0);
  CHECK(item_of(full, "a").truncated == 0);
  CHECK(to_json(full).find("truncated") == std::string::npos);

  EvalOptions per_item;
  per_item.max_findings_per_item = 10;
  const Report capped = evaluate(*rules, s, per_item);
  const ItemResult& a = item_of(capped, "a");
  CHECK(a.findings.size() == 10);
  CHECK(a.truncated == 20);
  CHECK(a.hits == 30);
  CHECK(a.deducted == item_of(full, "a").deducted);
  CHECK(a.findings.back().at.message == 9);  // the first ones, in message order
  CHECK(capped.truncated == 40);
  CHECK(capped.score == full.score);
  const nlohmann::json j = nlohmann::json::parse(to_json(capped));
  CHECK(j["truncated"] == 40);
  CHECK(j["items"][0]["truncated"] == 20);
  CHECK(j["items"][0]["findings"].size() == 10);
  CHECK(to_text(capped).find("... 20 more findings not shown") != std::string::npos);

  EvalOptions per_report;
  per_report.max_findings_per_report = 35;
  const Report total = evaluate(*rules, s, per_report);
  CHECK(item_of(total, "a").findings.size() == 30);
  CHECK(item_of(total, "b").findings.size() == 5);
  CHECK(item_of(total, "b").truncated == 25);
  CHECK(total.truncated == 25);
  CHECK(total.score == full.score);

  // A reused report starts from zero again.
  EvalScratch scratch;
  Report reused;
  evaluate(*rules, s, scratch, reused, per_item);
  evaluate(*rules, chat({{"agent", 0, "您好"}}), scratch, reused, per_item);
  CHECK(reused.truncated == 0);
  CHECK(item_of(reused, "a").truncated == 0);
}

TEST_CASE("max_report_bytes keeps whole findings while the JSON line fits, and counts the rest", "[report][limits]") {
  auto rules = rules_ok(rule_set(R"([
      {"id": "a", "points": 100, "per_hit": 1, "check": {"type": "banned_phrase", "phrases": ["不知道"], "role": "agent"}},
      {"id": "b", "points": 100, "per_hit": 0.5, "check": {"type": "banned_phrase", "phrases": ["不清楚"], "role": "agent"}}])"));
  std::vector<chatqa::testing::Line> lines;
  // Long messages with a control character (escaped as \u0001: 6 bytes in JSON).
  const std::string filler(300, '\x01');
  for (int i = 0; i < 40; ++i) lines.push_back({"agent", i * 5.0, "不知道" + filler + "不清楚"});
  const Session s = chat(lines);
  EvalOptions unlimited;
  unlimited.max_report_bytes = 0;
  const Report full = evaluate(*rules, s, unlimited);
  const std::string full_json = to_json(full);
  REQUIRE(item_of(full, "a").findings.size() == 40);
  CHECK(evaluate(*rules, s).truncated == 0);  // the default (16 MiB) is far away
  const std::size_t finding_bytes = nlohmann::json::parse(full_json)["items"][0]["findings"][0].dump().size();

  for (const std::size_t limit : {full_json.size() - 1, full_json.size() / 2, std::size_t{3000}, std::size_t{200}}) {
    INFO(limit);
    EvalOptions options;
    options.max_report_bytes = limit;
    const Report capped = evaluate(*rules, s, options);
    const std::string line = to_json(capped);
    const nlohmann::json j = nlohmann::json::parse(line);  // whole JSON, never a cut line
    const std::size_t kept = item_of(capped, "a").findings.size() + item_of(capped, "b").findings.size();
    CHECK(capped.truncated == 80 - kept);
    CHECK(capped.truncated > 0);
    CHECK(j["truncated"] == capped.truncated);
    CHECK(item_of(capped, "a").hits == 40);
    CHECK(item_of(capped, "b").hits == 40);
    CHECK(item_of(capped, "a").deducted == item_of(full, "a").deducted);
    CHECK(capped.score == full.score);
    // In report order: item b keeps findings only when item a kept all of its own.
    if (!item_of(capped, "b").findings.empty()) CHECK(item_of(capped, "a").truncated == 0);
    if (limit >= 3000) {
      CHECK(line.size() <= limit);
      CHECK(line.size() + finding_bytes + 100 > limit);  // filled up to one finding (and room for "truncated")
    } else {
      CHECK(kept == 0);  // the report without findings is larger already: items stay, findings go
    }
  }
  // The findings caps apply first; the byte limit counts what is left.
  EvalOptions both;
  both.max_findings_per_item = 5;
  both.max_report_bytes = full_json.size() / 8;
  const Report capped = evaluate(*rules, s, both);
  CHECK(item_of(capped, "a").truncated + item_of(capped, "b").truncated == capped.truncated);
  CHECK(capped.truncated > 70);
  CHECK(to_json(capped).size() <= both.max_report_bytes);
}

TEST_CASE("session ids: integers are taken as text, empty ids are E0202", "[session]") {
  const auto parsed = [](const std::string& id) {
    return parse_session(R"({"id": )" + id + R"(, "messages": [{"role": "agent", "time": 1714528800, "text": "您好"}]})");
  };
  CHECK(parsed("123").session->id == "123");
  CHECK(parsed("-7").session->id == "-7");
  CHECK(parsed("\"S-1\"").session->id == "S-1");
  for (const char* bad : {"\"\"", "\"   \""}) {
    const ParsedSession p = parsed(bad);
    REQUIRE(p.error);
    CHECK(p.error->code == "E0202");
    CHECK(p.error->json_pointer == "/id");
  }
  for (const char* wrong : {"1.5", "true", "null", "[1]"}) {
    const ParsedSession p = parsed(wrong);
    REQUIRE(p.error);
    CHECK(p.error->code == "E0203");
  }
}

TEST_CASE("one RuleSet evaluated from several threads gives the single-thread reports", "[threads]") {
  // Run under ThreadSanitizer by scripts/sanitize tsan (ctest sanitize.tsan).
  const auto compiled = compile_rule_file(chatqa::testing::source_dir() + "/rules/zh-CN/online-chat.json");
  REQUIRE(compiled.ok());
  std::ifstream in(chatqa::testing::source_dir() + "/examples/chats/zh-CN/online.jsonl", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Session> sessions;
  for (ParsedSession& p : parse_sessions(text)) {
    if (p.session) sessions.push_back(std::move(*p.session));
  }
  REQUIRE(!sessions.empty());
  std::vector<std::string> expected;
  for (const Session& s : sessions) expected.push_back(to_json(evaluate(*compiled.rule_set, s)));
  constexpr int kThreads = 4;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      EvalScratch scratch;
      Report report;
      for (int round = 0; round < 3; ++round) {
        for (const Session& s : sessions) {
          evaluate(*compiled.rule_set, s, scratch, report);
          if (round == 2) got[static_cast<std::size_t>(t)].push_back(to_json(report));
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const auto& reports : got) CHECK(reports == expected);
}

namespace {

const char* const kSessionText =
    R"({"id": "s1", "messages": [{"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "在吗"}]})";

std::string test_file_text(const std::string& rule_set_path, const std::string& session_file) {
  return R"({"rule_set": ")" + rule_set_path + R"(", "cases": [{"name": "c", "session_file": ")" + session_file +
         R"(", "expect": {"clean": ["a"]}}]})";
}

std::string codes_of(const LoadedTestFile& loaded) {
  std::string out;
  for (const Diagnostic& d : loaded.diagnostics) out += d.to_string() + "\n";
  return out;
}

bool has_code(const std::vector<Diagnostic>& diagnostics, const std::string& code) {
  for (const Diagnostic& d : diagnostics) {
    if (d.code == code) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("E0513: rule_set and session_file of a test file stay in its folders", "[limits][files][testing]") {
  Tree t;
  const std::string rules = rule_set(R"([{"id": "a", "points": 1, "check": {"type": "manual"}}])");
  t.write("rules/zh-CN/rules.json", rules);
  fs::create_directories(t.root / "rules/en-US");
  t.write("rules/en-US/other.json", rules);
  fs::create_directories(t.root / "rules/zh-CN/cases");
  fs::create_directories(t.root / "rules/zh-CN/tests");
  t.write("rules/zh-CN/cases/s.json", kSessionText);
  t.write("private/s.json", kSessionText);
  t.write("private/rules.json", rules);
  auto load = [&](const std::string& name, const std::string& text, const std::vector<std::string>& roots = {}) {
    return load_test_file(t.write(name, text), roots);
  };

  SECTION("the test file's folder, its rule folder and the rule tree are allowed") {
    LoadedTestFile beside = load("rules/zh-CN/a.tests.json", test_file_text("rules.json", "cases/s.json"));
    INFO(codes_of(beside));
    CHECK(beside.ok());
    LoadedTestFile other = load("rules/zh-CN/b.tests.json", test_file_text("../en-US/other.json", "cases/s.json"));
    INFO(codes_of(other));
    CHECK(other.ok());
    LoadedTestFile in_tests = load("rules/zh-CN/tests/c.tests.json", test_file_text("rules.json", "../cases/s.json"));
    INFO(codes_of(in_tests));
    CHECK(in_tests.ok());
  }
  SECTION("a session file outside: E0513 at the key, nothing read") {
    for (const std::string& path : {std::string("../../private/s.json"), (t.root / "private/s.json").string(),
                                    std::string("cases/../../../private/s.json")}) {
      INFO(path);
      LoadedTestFile loaded = load("rules/zh-CN/a.tests.json", test_file_text("rules.json", path));
      INFO(codes_of(loaded));
      REQUIRE(!loaded.ok());
      REQUIRE(has_code(loaded.diagnostics, "E0513"));
      CHECK(!has_code(loaded.diagnostics, "E0506"));
      const Diagnostic& d = loaded.diagnostics.front();
      CHECK(d.code == "E0513");
      CHECK(d.json_pointer == "/cases/0/session_file");
      CHECK(d.line == 1);
      CHECK(d.message.find("--allow-root") != std::string::npos);
    }
  }
  SECTION("a tests/ folder reaches its rule folder and the tree, not further") {
    LoadedTestFile loaded =
        load("rules/zh-CN/tests/c.tests.json", test_file_text("rules.json", "../../../private/s.json"));
    CHECK(has_code(loaded.diagnostics, "E0513"));
  }
  SECTION("a symlink leading out is refused") {
    std::error_code ec;
    fs::create_symlink(t.root / "private", t.root / "rules/zh-CN/linked", ec);
    REQUIRE(!ec);
    LoadedTestFile loaded = load("rules/zh-CN/a.tests.json", test_file_text("rules.json", "linked/s.json"));
    CHECK(has_code(loaded.diagnostics, "E0513"));
  }
  SECTION("a rule file outside: E0513 at /rule_set, not E0507") {
    LoadedTestFile loaded = load("rules/zh-CN/a.tests.json", test_file_text("../../private/rules.json", "cases/s.json"));
    INFO(codes_of(loaded));
    REQUIRE(has_code(loaded.diagnostics, "E0513"));
    CHECK(!has_code(loaded.diagnostics, "E0507"));
    CHECK(loaded.diagnostics.front().json_pointer == "/rule_set");
    // parse_test_file (text in memory) applies the same folders.
    LoadedTestFile parsed = parse_test_file(test_file_text("/etc/passwd", "cases/s.json"), "x.tests.json",
                                            (t.root / "rules/zh-CN").string());
    CHECK(has_code(parsed.diagnostics, "E0513"));
  }
  SECTION("allowed roots widen the folders (RuleTestRunOptions::compile.allowed_roots for chatqa test)") {
    const std::string text = test_file_text("../../private/rules.json", "../../private/s.json");
    LoadedTestFile loaded = load("rules/zh-CN/a.tests.json", text, {(t.root / "private").string()});
    INFO(codes_of(loaded));
    CHECK(loaded.ok());
    const std::string path = t.write("rules/zh-CN/a.tests.json", text);
    RuleTestRun refused = run_rule_tests({path});
    CHECK(refused.exit_code() == 2);
    CHECK(has_code(refused.diagnostics, "E0513"));
    RuleTestRunOptions options;
    options.compile.allowed_roots = {(t.root / "private").string()};
    RuleTestRun run = run_rule_tests({path}, options);
    CHECK(run.exit_code() == 0);
    CHECK(!has_code(run.diagnostics, "E0513"));
  }
  SECTION("the rule tree is never \"/\": a test file in a top-level folder reaches only that folder") {
    LoadedTestFile parsed = parse_test_file(test_file_text("/etc/passwd", "/etc/hostname"), "x.tests.json", "/tmp");
    CHECK(has_code(parsed.diagnostics, "E0513"));
  }
}
