// Reports: JSON layout, byte-for-byte determinism, code-point spans into the
// original text, error records, the text form.
#include <random>

#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::rules_ok;
using chatqa::testing::rule_set;

namespace {

const char* const kItems = R"J([
  {"id": "first_reply", "title": "首次响应不超过30秒", "category": "响应时间", "points": 2,
   "check": {"type": "response_time", "mode": "first", "limit_seconds": 30}},
  {"id": "greeting", "title": "标准开头语", "category": "开头语/结束语", "points": 2,
   "check": {"type": "required_phrase", "phrases": ["您好"], "role": "agent", "window": {"first_messages": 1}}},
  {"id": "no_shirking", "title": "服务禁语(推诿)", "category": "服务用语", "points": 5, "per_hit": 1,
   "check": {"type": "banned_phrase", "phrases": ["@shirking"], "allow": ["不知道您是否"], "role": "agent"}},
  {"id": "typos", "title": "错别字", "category": "错别字", "points": 5, "per_hit": 1,
   "check": {"type": "typo_count", "dictionary": {"帐号": "账号"}, "min_count": 1}},
  {"id": "tone", "title": "服务态度", "category": "服务态度", "points": 18, "check": {"type": "manual"}}])J";

const char* const kLexicons = R"({"shirking": ["不知道", "不清楚", "不是我处理的"]})";

const char* const kSession = R"({"id": "S-0001", "agent": "A102", "team": "presale-1", "meta": {"channel": "web"},
 "messages": [
  {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "在吗?"},
  {"role": "agent", "time": "2024-05-01T10:00:42+08:00", "text": "在的,请问有什么可以帮您?"},
  {"role": "customer", "time": "2024-05-01T10:01:00+08:00", "text": "我的帐号登不上"},
  {"role": "agent", "time": "2024-05-01T10:02:10+08:00", "text": "👍🏻ＯＫ,这个我不知道,请提供帐号"}]})";

Report sample_report() {
  static const auto rules = rules_ok(rule_set(kItems, kLexicons));
  return evaluate(*rules, chatqa::testing::session_ok(kSession));
}

}  // namespace

TEST_CASE("report JSON layout", "[report]") {
  const std::string json = to_json(sample_report());
  CHECK(json ==
        R"J({"session":"S-0001","agent":"A102","team":"presale-1","rule_set":{"name":"t","version":"1"},"total":100,"score":94,"fatal":false,"messages":4,"started":"2024-05-01T10:00:00+08:00","items":[)J"
        R"J({"id":"first_reply","title":"首次响应不超过30秒","category":"响应时间","status":"failed","deducted":2,"hits":1,"findings":[{"message":1,"time":"2024-05-01T10:00:42+08:00","role":"agent","value":42,"explanation":"first reply after 42 s (limit 30 s)","related":{"message":0,"time":"2024-05-01T10:00:00+08:00","role":"customer"}}]},)J"
        R"J({"id":"greeting","title":"标准开头语","category":"开头语/结束语","status":"failed","deducted":2,"hits":1,"findings":[{"message":1,"time":"2024-05-01T10:00:42+08:00","role":"agent","explanation":"required phrase missing in the first 1 agent message(s): 您好"}]},)J"
        R"J({"id":"no_shirking","title":"服务禁语(推诿)","category":"服务用语","status":"failed","deducted":1,"hits":1,"findings":[{"message":3,"time":"2024-05-01T10:02:10+08:00","role":"agent","quote":"不知道","span":[8,11],"matched":"不知道","explanation":"banned phrase 不知道 (shirking)"}]},)J"
        R"J({"id":"typos","title":"错别字","category":"错别字","status":"failed","deducted":1,"hits":1,"findings":[{"message":3,"time":"2024-05-01T10:02:10+08:00","role":"agent","quote":"帐号","span":[15,17],"matched":"帐号","suggestion":"账号","explanation":"typo 帐号 -> 账号"}]},)J"
        R"J({"id":"tone","title":"服务态度","category":"服务态度","status":"manual_review"}]})J");
}

TEST_CASE("report JSON is byte-identical across runs and compilations", "[report]") {
  const std::string first = to_json(sample_report());
  for (int i = 0; i < 5; ++i) {
    auto rules = rules_ok(rule_set(kItems, kLexicons));
    const Report r = evaluate(*rules, chatqa::testing::session_ok(kSession));
    CHECK(to_json(r) == first);
    CHECK(to_json(r, {true, true}) == to_json(sample_report(), {true, true}));
  }
}

TEST_CASE("spans are code points into the ORIGINAL text", "[report]") {
  // 👍🏻 is two astral code points (emoji + skin tone); ＯＫ is full-width.
  const Report r = sample_report();
  const ItemResult& ban = item_of(r, "no_shirking");
  REQUIRE(ban.findings.size() == 1);
  CHECK(ban.findings[0].at.span.value().begin == 8);
  CHECK(ban.findings[0].at.span.value().end == 11);
  CHECK(ban.findings[0].at.quote == "不知道");

  // Check the span against the original text, code point by code point.
  auto code_points = [](const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      out.push_back(s.substr(i, len));
      i += len;
    }
    return out;
  };
  const auto cps = code_points("👍🏻ＯＫ,这个我不知道,请提供帐号");
  std::string quoted;
  for (std::size_t i = 8; i < 11; ++i) quoted += cps[i];
  CHECK(quoted == "不知道");

  // Phrases written half-width match full-width text; the quote is the original.
  auto rules = rules_ok(rule_set(R"([{"id": "ok", "points": 1, "check": {"type": "banned_phrase", "phrases": ["ok"]}}])"));
  Report ok = evaluate(*rules, chat({{"agent", 0, "𠀀😀ＯＫ"}}));
  REQUIRE(item_of(ok, "ok").findings.size() == 1);
  CHECK(item_of(ok, "ok").findings[0].at.span.value().begin == 2);
  CHECK(item_of(ok, "ok").findings[0].at.span.value().end == 4);
  CHECK(item_of(ok, "ok").findings[0].at.quote == "ＯＫ");
  CHECK(to_json(ok).find(R"("quote":"ＯＫ","span":[2,4])") != std::string::npos);
}

TEST_CASE("to_json into a kept string replaces what it held", "[report]") {
  const Report r = sample_report();
  Report empty;  // no items: a short report
  empty.session_id = "S-0";
  JsonReportOptions everything;
  everything.include_passed = true;
  everything.pretty = true;
  for (const JsonReportOptions options : {JsonReportOptions{}, everything}) {
    std::string out = std::string(20000, 'x');  // longer than any report here, and not JSON
    to_json(r, out, options);
    CHECK(out == to_json(r, options));
    to_json(empty, out, options);  // shorter than what the string held
    CHECK(out == to_json(empty, options));
    to_json(r, out, options);
    CHECK(out == to_json(r, options));
  }
  std::string small;
  small.reserve(8);  // less than the report needs: it grows
  to_json(r, small);
  CHECK(small == to_json(r));
}

TEST_CASE("include_passed and pretty options", "[report]") {
  const Report r = sample_report();
  CHECK(to_json(r).find("\n") == std::string::npos);
  JsonReportOptions all;
  all.include_passed = true;
  auto rules = rules_ok(rule_set(kItems, kLexicons));
  Report clean = evaluate(*rules, chat({{"customer", 0, "在吗"}, {"agent", 5, "您好"}}));
  CHECK(to_json(clean).find("greeting") == std::string::npos);
  CHECK(to_json(clean, all).find(R"({"id":"greeting","title":"标准开头语","category":"开头语/结束语","status":"passed"})") !=
        std::string::npos);
  JsonReportOptions pretty;
  pretty.pretty = true;
  const std::string p = to_json(r, pretty);
  CHECK(p.rfind("{\n  \"session\": \"S-0001\",\n", 0) == 0);
}

TEST_CASE("the error record of an input that could not be read", "[report]") {
  InputError e;
  e.code = "E0201";
  e.message = "invalid JSON: syntax error";
  e.line = 2;
  e.json_pointer = "";
  CHECK(error_record_json(e, "chats.jsonl") ==
        R"J({"error":{"code":"E0201","message":"invalid JSON: syntax error","input":"chats.jsonl","line":2}})J");
  e.json_pointer = "/messages/0/time";
  e.code = "E0204";
  CHECK(error_record_json(e, "-").find(R"("line":2,"pointer":"/messages/0/time")") != std::string::npos);

  // From the parser, end to end.
  auto all = parse_sessions("{\"id\": \"a\", \"messages\": [{\"role\": \"agent\", \"time\": 1, \"text\": \"x\"}]}\n{oops}\n");
  REQUIRE(all.size() == 2);
  REQUIRE(all[1].error);
  const std::string record = error_record_json(*all[1].error, "chats.jsonl");
  CHECK(record.find(R"({"error":{"code":"E0201","message":"invalid JSON: )") == 0);
  CHECK(record.find(R"("input":"chats.jsonl","line":2})") != std::string::npos);
}

TEST_CASE("the text form", "[report]") {
  const Session s = chatqa::testing::session_ok(kSession);
  const std::string text = to_text(sample_report(), &s);
  CHECK(text.rfind("session S-0001  agent A102  [t 1]\nscore 94 / 100\n", 0) == 0);
  CHECK(text.find("  -2  first_reply  首次响应不超过30秒\n") != std::string::npos);
  CHECK(text.find("#3 2024-05-01T10:02:10+08:00 「不知道」 banned phrase 不知道 (shirking)") != std::string::npos);
  CHECK(text.find("  manual review: tone\n") != std::string::npos);
  CHECK(text.find("agent: 在的,请问有什么可以帮您?") != std::string::npos);  // quoted for span-less findings

  auto rules = rules_ok(rule_set(R"([{"id": "f", "title": "致命禁语", "points": 100, "severity": "fatal",
      "check": {"type": "banned_phrase", "phrases": ["爱买不买"]}}])"));
  const std::string fatal = to_text(evaluate(*rules, chat({{"agent", 0, "爱买不买"}})));
  CHECK(fatal.find("score 0 / 100  FATAL\n") != std::string::npos);
  CHECK(fatal.find("-100  f  致命禁语  (fatal)") != std::string::npos);
}

TEST_CASE("format_points", "[report]") {
  CHECK(format_points(2) == "2");
  CHECK(format_points(0) == "0");
  CHECK(format_points(1.5) == "1.5");
  CHECK(format_points(99.666) == "99.67");
  CHECK(format_points(0.1 + 0.2) == "0.3");
  CHECK(format_points(-1) == "-1");
}

TEST_CASE("JSON strings: escapes and invalid UTF-8 as nlohmann writes them", "[report][json]") {
  // The report writer's strings are byte-identical to nlohmann's dump() with
  // error_handler_t::replace, except that a truncated multi-byte sequence
  // becomes one U+FFFD per byte (as the normaliser counts it), not one in all.
  const std::vector<std::string> cases = {
      "",
      "plain ascii",
      "quote \" backslash \\ slash /",
      "controls \x01\x02\x1f \b\f\n\r\t and DEL \x7f",
      "中文，全角！emoji 😀 and 🇨🇳",
      "overlong \xC0\xAF and \xE0\x80\xAF",
      "surrogate \xED\xA0\x80 end",
      "above U+10FFFF \xF4\x90\x80\x80",
      "stray continuation \x80\xBF here",
      "lead without continuation \xC3(",
      std::string("nul \0 inside", 12),  // 12 bytes: the NUL is the 5th
  };
  for (const std::string& text : cases) {
    INFO(text);
    Report report;
    report.session_id = text;
    const std::string expected =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string out = to_json(report);
    const std::string prefix = "{\"session\":";
    REQUIRE(out.compare(0, prefix.size(), prefix) == 0);
    CHECK(out.substr(prefix.size(), expected.size()) == expected);
    CHECK(out[prefix.size() + expected.size()] == ',');
  }
  Report truncated;
  truncated.session_id = "cut \xE4\xBD here \xF0\x9F\x98";
  CHECK(to_json(truncated).rfind("{\"session\":\"cut \xEF\xBF\xBD\xEF\xBF\xBD here "
                                 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\",", 0) == 0);
}

TEST_CASE("JSON strings: a byte to escape at every position of the eight-byte scan", "[report][json]") {
  // The writer copies plain ASCII eight bytes at a time; a byte it must
  // look at (control, quote, backslash, non-ASCII) in any lane of a word,
  // and at any offset from the start, is still written as nlohmann writes it.
  const std::vector<std::string> specials = {std::string(1, '\0'), "\x01", "\x1f", "\"", "\\",  "\x7f",
                                             "\x80",               " ",    "~",    "é", "中", "😀"};
  for (const std::string& special : specials) {
    for (std::size_t pos = 0; pos <= 17; ++pos) {
      std::string text(24, 'a');
      text.replace(pos, 1, special);
      INFO("byte " << static_cast<int>(static_cast<unsigned char>(special[0])) << " at " << pos);
      Report report;
      report.session_id = text;
      const std::string expected =
          nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      const std::string out = to_json(report);
      CHECK(out.substr(11, expected.size()) == expected);  // after {"session":
      CHECK(out[11 + expected.size()] == ',');
    }
  }
}

TEST_CASE("JSON strings: Chinese runs mixed with escapes and invalid bytes", "[report][json]") {
  // The writer decodes a run of multi-byte characters in one go and goes
  // back to the eight-byte ASCII test after it: random mixes of runs, ASCII,
  // characters to escape and stray bytes, at every alignment, are still
  // written as nlohmann writes them.
  const std::vector<std::string> pieces = {"中", "文字", "，", "😀",    "é",    "a",    "abcdefghij", " ",
                                           "\"", "\\",   "\n", "\x01", "\x7f", "\x80", "\xBF\xBF",   "号客服"};
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 24);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    for (std::size_t k = count(rng); k > 0; --k) text += pieces[pick(rng)];
    INFO(text);
    Report report;
    report.session_id = text;
    const std::string expected = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string out = to_json(report);
    CHECK(out.substr(11, expected.size()) == expected);  // after {"session":
    CHECK(out[11 + expected.size()] == ',');
  }
}
