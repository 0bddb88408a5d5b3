// Reading sessions: one object, an array, JSON Lines; ordering; every input
// error code with its location.
#include <string>

#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::session_ok;

namespace {
constexpr std::int64_t kMay1_0200Z = 1714528800000;  // 2024-05-01T10:00:00+08:00

std::string one_line(const std::string& id, const std::string& text = "在吗") {
  return R"({"id": ")" + id + R"(", "messages": [{"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": ")" +
         text + R"("}]})";
}
}  // namespace

TEST_CASE("a session object with every field", "[session]") {
  Session s = session_ok(R"({"id": "S-0001", "agent": "A102", "team": "presale-1",
    "meta": {"channel": "web", "vip": true, "level": 3, "geo": {"city": "杭州"}, "tags": ["a"]},
    "messages": [
      {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "在吗?"},
      {"role": "agent", "time": "2024-05-01T10:00:12+08:00", "text": "您好"},
      {"role": "bot", "time": "2024-05-01T10:00:13+08:00", "text": "自动回复"},
      {"role": "system", "time": "2024-05-01T10:09:00+08:00", "text": "", "event": "survey_sent"}]})");
  CHECK(s.id == "S-0001");
  CHECK(s.agent == "A102");
  CHECK(s.team == "presale-1");
  CHECK(s.meta.at("channel") == "web");
  CHECK(s.meta.at("vip") == "true");
  CHECK(s.meta.at("level") == "3");
  CHECK(s.meta.at("geo.city") == "杭州");
  CHECK(s.meta.count("tags") == 0);
  REQUIRE(s.messages.size() == 4);
  CHECK(s.messages[0].role == Role::customer);
  CHECK(s.messages[1].role == Role::agent);
  CHECK(s.messages[2].role == Role::bot);
  CHECK(s.messages[3].role == Role::system);
  CHECK(s.messages[3].event == "survey_sent");
  CHECK(s.messages[1].time.epoch_ms == kMay1_0200Z + 12000);
}

TEST_CASE("numeric ids and agents are read as text", "[session]") {
  Session s = session_ok(R"({"id": 42, "agent": 7, "messages": [{"role": "agent", "time": 1714528800, "text": "hi"}]})");
  CHECK(s.id == "42");
  CHECK(s.agent == "7");
}

TEST_CASE("every time format inside a session", "[session][time]") {
  Session s = session_ok(R"({"id": "t", "messages": [
    {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "a"},
    {"role": "customer", "time": "2024-05-01T02:00:01Z", "text": "b"},
    {"role": "customer", "time": "2024-05-01T10:00:02.500+08:00", "text": "c"},
    {"role": "customer", "time": "2024-05-01 10:00:03", "text": "d"},
    {"role": "customer", "time": 1714528804, "text": "e"},
    {"role": "customer", "time": 1714528805250, "text": "f"},
    {"role": "customer", "time": 1714528806.5, "text": "g"}]})");
  REQUIRE(s.messages.size() == 7);
  const std::int64_t expected[] = {0, 1000, 2500, 3000, 4000, 5250, 6500};
  for (std::size_t i = 0; i < 7; ++i) {
    INFO("message " << i);
    CHECK(s.messages[i].time.epoch_ms == kMay1_0200Z + expected[i]);
    CHECK(s.messages[i].input_index == i);
  }
  CHECK(s.messages[1].time.to_iso8601() == "2024-05-01T02:00:01Z");
  CHECK(s.messages[3].time.to_iso8601() == "2024-05-01T10:00:03+08:00");
  CHECK(s.messages[4].time.to_iso8601() == "2024-05-01T10:00:04+08:00");
}

TEST_CASE("a non-default zone for times without an offset", "[session][time]") {
  SessionOptions options;
  options.default_utc_offset_minutes = 0;
  Session s = session_ok(R"({"id": "t", "messages": [
    {"role": "customer", "time": "2024-05-01 02:00:00", "text": "a"},
    {"role": "agent", "time": "2024-05-01T10:00:05+08:00", "text": "b"},
    {"role": "agent", "time": 1714528810, "text": "c"}]})",
                         options);
  CHECK(s.messages[0].time.epoch_ms == kMay1_0200Z);
  CHECK(s.messages[0].time.to_iso8601() == "2024-05-01T02:00:00Z");
  CHECK(s.messages[1].time.to_iso8601() == "2024-05-01T10:00:05+08:00");  // explicit offset wins
  CHECK(s.messages[2].time.to_iso8601() == "2024-05-01T02:00:10Z");

  options.default_utc_offset_minutes = -7 * 60;
  Session la = session_ok(R"({"id": "t", "messages": [{"role": "customer", "time": "2024-04-30 19:00:00", "text": "a"}]})",
                          options);
  CHECK(la.messages[0].time.epoch_ms == kMay1_0200Z);
  CHECK(la.messages[0].time.to_iso8601() == "2024-04-30T19:00:00-07:00");
}

TEST_CASE("out-of-order messages are ordered by time, stably", "[session]") {
  Session s = session_ok(R"({"id": "o", "messages": [
    {"role": "agent", "time": "2024-05-01T10:00:30+08:00", "text": "third"},
    {"role": "customer", "time": "2024-05-01T10:00:00+08:00", "text": "first"},
    {"role": "agent", "time": "2024-05-01T02:00:10Z", "text": "second-a"},
    {"role": "customer", "time": "2024-05-01 10:00:10", "text": "second-b"},
    {"role": "system", "time": 1714528810, "text": "second-c"},
    {"role": "customer", "time": "2024-05-01T10:00:05+08:00", "text": "between"}]})");
  std::vector<std::string> texts;
  for (const auto& m : s.messages) texts.push_back(m.text);
  CHECK(texts == std::vector<std::string>{"first", "between", "second-a", "second-b", "second-c", "third"});
  CHECK(s.messages[0].input_index == 1);
  CHECK(s.messages[5].input_index == 0);

  // A session built by hand is ordered by sort_messages() the same way.
  Session hand;
  hand.id = "h";
  for (int i = 0; i < 3; ++i) {
    Message m;
    m.time.epoch_ms = i == 0 ? 5 : 1;
    m.text = std::to_string(i);
    hand.messages.push_back(m);
  }
  hand.sort_messages();
  CHECK(hand.messages[0].text == "1");
  CHECK(hand.messages[1].text == "2");
  CHECK(hand.messages[2].text == "0");
}

TEST_CASE("parse_sessions reads an array of sessions with their lines", "[session]") {
  const std::string text = "[\n" + one_line("a") + ",\n" + one_line("b") + ",\n" +
                           R"({"id": "c", "messages": [{"role": "robot", "time": 1, "text": "x"}]})" + "\n]\n";
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 3);
  CHECK(all[0].session->id == "a");
  CHECK(all[0].line == 2);
  CHECK(all[1].session->id == "b");
  CHECK(all[1].line == 3);
  REQUIRE(all[2].error);
  CHECK(all[2].error->code == "E0205");
  CHECK(all[2].error->line == 4);
  CHECK(all[2].error->json_pointer == "/2/messages/0/role");
}

TEST_CASE("parse_sessions reads one pretty-printed object", "[session]") {
  auto all = parse_sessions("\n\n{\n  \"id\": \"p\",\n  \"messages\": [\n    {\"role\": \"agent\", \"time\": 1, \"text\": \"x\"}\n  ]\n}\n");
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].session);
  CHECK(all[0].session->id == "p");
  CHECK(all[0].line == 3);
}

TEST_CASE("E0201: a bad line in JSON Lines does not stop the others", "[session][errors]") {
  const std::string text = one_line("a") + "\n" + R"({"id": "b", "messages": [}})" + "\n\n" + one_line("c") + "\r\n" +
                           "not json at all\n" + one_line("d");
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 5);
  CHECK(all[0].session->id == "a");
  CHECK(all[0].line == 1);
  REQUIRE(all[1].error);
  CHECK(all[1].error->code == "E0201");
  CHECK(all[1].error->line == 2);
  CHECK(all[1].line == 2);
  // The byte offset points into line 2 of the whole input.
  CHECK(all[1].error->byte_offset >= one_line("a").size() + 1);
  CHECK(all[1].error->byte_offset < one_line("a").size() + 1 + 28);
  CHECK(all[2].session->id == "c");
  CHECK(all[2].line == 4);
  CHECK(all[3].error->code == "E0201");
  CHECK(all[3].error->line == 5);
  CHECK(all[4].session->id == "d");
  CHECK(all[4].line == 6);
}

TEST_CASE("E0201: a truncated FIRST line of JSON Lines does not swallow the rest", "[session][errors]") {
  const std::string text = R"({"id": "a", "messages": [{"role": "agent", "time": 1)" "\n" + one_line("b") + "\n" +
                           one_line("c") + "\n";
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 3);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0201");
  CHECK(all[0].error->line == 1);
  REQUIRE(all[1].session);
  CHECK(all[1].session->id == "b");
  CHECK(all[1].line == 2);
  REQUIRE(all[2].session);
  CHECK(all[2].line == 3);
}

TEST_CASE("E0201: a broken multi-line document is one error at the right line", "[session][errors]") {
  auto all = parse_sessions("{\n  \"id\": \"p\",\n  \"messages\": [\n    {\"role\": \"agent\" \"time\": 1}\n  ]\n}\n");
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0201");
  CHECK(all[0].error->line == 4);
  CHECK(all[0].error->message.find("invalid JSON") == 0);

  // An array is read element by element (streaming: it is never held whole),
  // so a doubled comma between two sessions loses none of them.
  const std::string array = "[\n" + one_line("a") + ",\n" + one_line("b") + ",,\n" + one_line("c") + "\n]\n";
  auto lenient_array = parse_sessions(array);
  REQUIRE(lenient_array.size() == 3);
  for (const auto& p : lenient_array) CHECK(p.session);
  CHECK(lenient_array[2].line == 4);

  auto single = parse_session(R"({"id": "x", "messages": [)");
  REQUIRE(single.error);
  CHECK(single.error->code == "E0201");
  CHECK(single.error->line == 1);
}

TEST_CASE("E0201: a stray '}' inside an array is located, not looped on forever", "[session][errors]") {
  // Found by fuzz/fuzz_session: locating the error in this broken document
  // stepped on the '}' of the second message without moving, adding one
  // pointer per turn until memory ran out. (Replayed from fuzz/regressions too.)
  const std::string text =
      "{\"id\": \"a\", \"messages\": [\n"
      "{\"role\": \"agent\", \"time\": \"2024-05-05T16:20:00+08:00\", \"text\": \"hi\"},\n"
      "agent\", \"time\": \"2024-05-05T16:21:00+08:00\", \"text\": \"y\"}]}\n";
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0201");
  CHECK(all[0].error->line == 3);
  auto one = parse_session(text);
  REQUIRE(one.error);
  CHECK(one.error->code == "E0201");
}

TEST_CASE("E0201: a bad \\u escape in a broken document is an error, not an exception", "[session][errors]") {
  // Found by fuzz/fuzz_session: locating the error parsed the four "hex
  // digits" with std::stoul, whose exception left parse_sessions.
  const std::string text =
      "{\"id\": \"a\", \"messages\": [\n"
      "{\"role\": \"\\ustomer\", \"time\": \"2024-05-05T16:20:00+08:00\", \"text\": \"hi\"}\n"
      "]}\n";
  std::vector<ParsedSession> all;
  REQUIRE_NOTHROW(all = parse_sessions(text));
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0201");
  CHECK(all[0].error->line == 2);
  CHECK_NOTHROW(parse_sessions("{\"id\": \"\\uD83D\\u12\",\n \"messages\": [\n"));
}

TEST_CASE("E0201: a number too big for a double is an error at its line, not an exception", "[session][errors]") {
  // Found by fuzz/fuzz_session: nlohmann throws out_of_range (not
  // parse_error) for 3e441235800000, and it left parse_sessions.
  const std::string line2 = R"({"id": "b", "messages": [{"role": "agent", "time": 3e441235800000, "text": "hi"}]})";
  const std::string text = one_line("a") + "\n" + line2 + "\n" + one_line("c") + "\n";
  std::vector<ParsedSession> all;
  REQUIRE_NOTHROW(all = parse_sessions(text));
  REQUIRE(all.size() == 3);
  CHECK(all[0].session);
  REQUIRE(all[1].error);
  CHECK(all[1].error->code == "E0201");
  CHECK(all[1].error->line == 2);
  CHECK(all[1].error->message == "invalid JSON: number overflow parsing '3e441235800000'");
  CHECK(all[2].session);
  ParsedSession one;
  REQUIRE_NOTHROW(one = parse_session(line2));
  REQUIRE(one.error);
  CHECK(one.error->code == "E0201");
  CHECK(one.error->byte_offset == line2.find("3e44"));
  // Pretty-printed: the error is placed on the number's line.
  std::vector<ParsedSession> pretty;
  REQUIRE_NOTHROW(pretty = parse_sessions("{\"id\": \"p\",\n \"messages\": [\n  {\"time\": -1e400}\n ]}\n"));
  REQUIRE(pretty.size() == 1);
  REQUIRE(pretty[0].error);
  CHECK(pretty[0].error->line == 3);
}

TEST_CASE("E0202: missing fields", "[session][errors]") {
  struct Case {
    const char* json;
    const char* pointer;
    const char* says;
  };
  const Case cases[] = {
      {R"({"messages": []})", "", "\"id\""},
      {R"({"id": "x"})", "", "\"messages\""},
      {R"({"id": "x", "messages": [{"time": 1, "text": "a"}]})", "/messages/0", "\"role\""},
      {R"({"id": "x", "messages": [{"role": "agent", "time": 1, "text": "a"}, {"role": "agent", "text": "a"}]})",
       "/messages/1", "\"time\""},
      {R"({"id": "x", "messages": [{"role": "agent", "time": 1}]})", "/messages/0", "\"text\""},
      {R"([1, 2])", "", "object"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto p = parse_session(c.json);
    REQUIRE(p.error);
    CHECK_FALSE(p.session);
    CHECK(p.error->code == "E0202");
    CHECK(p.error->json_pointer == c.pointer);
    CHECK(p.error->message.find(c.says) != std::string::npos);
    CHECK(p.error->line == 1);
  }
}

TEST_CASE("E0203: wrong types", "[session][errors]") {
  struct Case {
    const char* json;
    const char* pointer;
  };
  const Case cases[] = {
      {R"({"id": true, "messages": []})", "/id"},
      {R"({"id": "x", "agent": ["a"], "messages": []})", "/agent"},
      {R"({"id": "x", "meta": "web", "messages": []})", "/meta"},
      {R"({"id": "x", "messages": {}})", "/messages"},
      {R"({"id": "x", "messages": ["hi"]})", "/messages/0"},
      {R"({"id": "x", "messages": [{"role": 1, "time": 1, "text": "a"}]})", "/messages/0/role"},
      {R"({"id": "x", "messages": [{"role": "agent", "time": true, "text": "a"}]})", "/messages/0/time"},
      {R"({"id": "x", "messages": [{"role": "agent", "time": 1, "text": 5}]})", "/messages/0/text"},
      {R"({"id": "x", "messages": [{"role": "system", "time": 1, "event": 5}]})", "/messages/0/event"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto p = parse_session(c.json);
    REQUIRE(p.error);
    CHECK(p.error->code == "E0203");
    CHECK(p.error->json_pointer == c.pointer);
  }
}

TEST_CASE("E0204: bad times, including epoch numbers out of range", "[session][errors]") {
  for (const char* time : {R"("2024-05-01 25:00:00")", R"("soon")", R"("")", "1e300", "-1e300", "1e30"}) {
    INFO("time " << time);
    auto p = parse_session(std::string(R"({"id": "x", "messages": [{"role": "agent", "time": 1, "text": "a"},
      {"role": "agent", "time": )") + time + R"(, "text": "b"}]})");
    REQUIRE(p.error);
    CHECK(p.error->code == "E0204");
    CHECK(p.error->json_pointer == "/messages/1/time");
  }
}

TEST_CASE("E0205: unknown role", "[session][errors]") {
  auto p = parse_session(R"({"id": "x", "messages": [{"role": "Agent", "time": 1, "text": "a"}]})");
  REQUIRE(p.error);
  CHECK(p.error->code == "E0205");
  CHECK(p.error->json_pointer == "/messages/0/role");
  CHECK(p.error->message.find("\"Agent\"") != std::string::npos);
}

TEST_CASE("E0206: invalid UTF-8, with its byte offset; other lines still read", "[session][errors]") {
  const std::string bad_line = one_line("b", "ab\xC3\x28");
  const std::string text = one_line("a") + "\n" + bad_line + "\n" + one_line("c") + "\n";
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 3);
  CHECK(all[0].session);
  REQUIRE(all[1].error);
  CHECK(all[1].error->code == "E0206");
  CHECK(all[1].error->line == 2);
  CHECK(all[1].error->byte_offset == one_line("a").size() + 1 + bad_line.find('\xC3'));
  CHECK(all[2].session);

  for (const char* bytes : {"\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE4\xBD"}) {
    auto p = parse_session(one_line("x", bytes));
    REQUIRE(p.error);
    CHECK(p.error->code == "E0206");
  }
}

TEST_CASE("E0207: size limits", "[session][errors]") {
  SessionOptions options;
  options.max_messages = 2;
  auto many = parse_session(R"({"id": "x", "messages": [{"role": "agent", "time": 1, "text": "a"},
    {"role": "agent", "time": 2, "text": "a"}, {"role": "agent", "time": 3, "text": "a"}]})",
                            options);
  REQUIRE(many.error);
  CHECK(many.error->code == "E0207");
  CHECK(many.error->json_pointer == "/messages");

  options = SessionOptions{};
  options.max_message_bytes = 6;
  CHECK(parse_session(one_line("x", "你好"), options).session);  // exactly 6 bytes
  auto big = parse_session(one_line("x", "你好!"), options);
  REQUIRE(big.error);
  CHECK(big.error->code == "E0207");
  CHECK(big.error->json_pointer == "/messages/0/text");
}

TEST_CASE("E0208: a session without messages", "[session][errors]") {
  auto p = parse_session(R"({"id": "x", "messages": []})");
  REQUIRE(p.error);
  CHECK(p.error->code == "E0208");
}

TEST_CASE("deeply nested input is an error, not a hang or a crash", "[session][errors]") {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  const std::string text = "[" + one_line("a") + ", {\"id\": \"b\", \"meta\": {\"x\": " + deep +
                           "}, \"messages\": [{\"role\": \"agent\", \"time\": 1, \"text\": \"a\"}]}]";
  auto all = parse_sessions(text);
  REQUIRE(all.size() == 2);
  CHECK(all[0].session);
  CHECK(all[1].session);

  std::string deep_meta = "{\"id\": \"c\", \"meta\": ";
  for (int i = 0; i < 5000; ++i) deep_meta += "{\"k\": ";
  deep_meta += "1";
  deep_meta += std::string(5000, '}');
  deep_meta += ", \"messages\": [{\"role\": \"agent\", \"time\": 1, \"text\": \"a\"}]}";
  auto p = parse_session(deep_meta);
  CHECK((p.session || p.error));
}

TEST_CASE("empty and blank inputs give no records", "[session]") {
  CHECK(parse_sessions("").empty());
  CHECK(parse_sessions(" \n\n\t\n").empty());
  CHECK(parse_sessions("\xEF\xBB\xBF\n").empty());
  auto bom = parse_sessions("\xEF\xBB\xBF" + one_line("a") + "\n" + one_line("b"));
  REQUIRE(bom.size() == 2);
  CHECK(bom[0].session->id == "a");
  CHECK(bom[1].session->id == "b");
}
