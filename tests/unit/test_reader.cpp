// SessionReader: the one definition of an input record (JSON shapes, record
// boundaries, CSV rows), from text and from files.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "chatqa/reader.hpp"

using namespace chatqa;

namespace {

std::string one_line(const std::string& id) {
  return R"({"id": ")" + id + R"(", "messages": [{"role": "agent", "time": 1, "text": "x"}]})";
}

std::vector<ParsedSession> read_text(const std::string& text, const ReadOptions& options = {},
                                     const std::string& name = "<text>") {
  std::vector<ParsedSession> out;
  SessionReader reader = SessionReader::from_text(text, options, name);
  ParsedSession p;
  while (reader.next(p)) out.push_back(std::move(p));
  return out;
}

std::vector<std::string> ids(const std::vector<ParsedSession>& all) {
  std::vector<std::string> out;
  for (const auto& p : all) out.push_back(p.session ? p.session->id : "E:" + p.error->code);
  return out;
}

struct TempFile {
  std::string path;
  TempFile(const std::string& suffix, const std::string& bytes) {
    path = "/tmp/chatqa-test-reader-" + std::to_string(::getpid()) + suffix;
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("reader: objects separated only by CR are separate records", "[reader][boundaries]") {
  auto all = read_text(one_line("a") + "\r" + one_line("b") + "\r" + one_line("c"));
  CHECK(ids(all) == std::vector<std::string>{"a", "b", "c"});
  CHECK(all[1].line == 2);
  CHECK(all[2].line == 3);
  // CRLF is one line end, not two.
  auto crlf = read_text(one_line("a") + "\r\n" + one_line("b") + "\r\n");
  CHECK(ids(crlf) == std::vector<std::string>{"a", "b"});
  CHECK(crlf[1].line == 2);
}

TEST_CASE("reader: }{ and two objects on one line are separate records", "[reader][boundaries]") {
  auto adjacent = read_text(one_line("a") + one_line("b") + "\n" + one_line("c"));
  CHECK(ids(adjacent) == std::vector<std::string>{"a", "b", "c"});
  CHECK(adjacent[1].line == 1);
  CHECK(adjacent[2].line == 2);
  auto spaced = read_text(one_line("a") + "  \t" + one_line("b"));
  CHECK(ids(spaced) == std::vector<std::string>{"a", "b"});
  CHECK(spaced[1].byte_offset == one_line("a").size() + 3);
  // Garbage after an object on its line: one error for the line, not two.
  auto garbage = read_text(one_line("a") + " xyz\n" + one_line("b"));
  CHECK(ids(garbage) == std::vector<std::string>{"E:E0201", "b"});
}

TEST_CASE("reader: bytes after a NUL are an error record, not dropped", "[reader][boundaries]") {
  auto all = read_text(one_line("a") + "\n" + one_line("b") + std::string("\0garbage", 8) + "\n" + one_line("c"));
  REQUIRE(all.size() == 3);
  CHECK(all[0].session);
  REQUIRE(all[1].error);
  CHECK(all[1].error->code == "E0201");
  CHECK(all[1].error->line == 2);
  CHECK(all[1].error->message.find("NUL") != std::string::npos);
  CHECK(all[2].session);
  // A file padded with NULs at the end says so.
  auto padded = read_text(one_line("a") + "\n" + std::string(16, '\0'));
  REQUIRE(padded.size() == 2);
  CHECK(padded[1].error);
  // parse_session alone refuses the NUL too.
  CHECK(parse_session(one_line("a") + std::string("\0x", 2)).error);
}

TEST_CASE("reader: a pretty-printed document whose first line closes a brace is one record", "[reader]") {
  // The command line's old splitter took such a first line for a JSON Lines
  // record and gave one error per line of a valid document.
  const std::string doc = "{\"id\": \"p\", \"meta\": {\"channel\": \"web\"}, \"messages\": [\n"
                          " {\"role\": \"agent\", \"time\": 1, \"text\": \"x\"},\n"
                          " {\"role\": \"customer\", \"time\": 2, \"text\": \"y\"}\n]}\n";
  auto all = read_text(doc + doc);
  CHECK(ids(all) == std::vector<std::string>{"p", "p"});
  CHECK(all[1].line == 5);
}

TEST_CASE("reader: a truncated pretty document does not swallow the next ones", "[reader]") {
  auto with = [](const std::string& id) {
    return "{\n  \"id\": \"" + id + "\",\n  \"messages\": [\n    {\"role\": \"agent\", \"time\": 1, \"text\": \"x\"}\n  ]\n}\n";
  };
  const std::string truncated = with("b").substr(0, 40) + "\n";
  auto all = read_text(with("a") + truncated + with("c"));
  CHECK(ids(all) == std::vector<std::string>{"a", "E:E0201", "c"});
  CHECK(all[1].line == 7);
  CHECK(all[2].line == 11);
}

TEST_CASE("reader: file and text read alike; gzip by magic; directory and missing file", "[reader]") {
  const std::string text = one_line("a") + "\n" + one_line("b") + "\n";
  TempFile file(".jsonl", text);
  SessionReader reader = SessionReader::open(file.path);
  std::vector<ParsedSession> from_file;
  ParsedSession p;
  while (reader.next(p)) from_file.push_back(std::move(p));
  CHECK(ids(from_file) == ids(read_text(text)));
  CHECK(from_file[1].input == file.path);

  auto dir = [] {
    SessionReader r = SessionReader::open("/tmp");
    ParsedSession q;
    REQUIRE(r.next(q));
    CHECK_FALSE(r.next(q));
    return q;
  }();
  REQUIRE(dir.error);
  CHECK(dir.error->code == "E0212");
  SessionReader missing = SessionReader::open("/nonexistent/x.jsonl");
  REQUIRE(missing.next(p));
  CHECK(p.error->code == "E0209");
}

TEST_CASE("reader: parse_sessions is a loop over SessionReader", "[reader]") {
  const std::string text = "[\n" + one_line("a") + ",\n42,\n" + one_line("b") + "\n]\n";
  auto a = parse_sessions(text);
  auto b = read_text(text);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].line == b[i].line);
    CHECK(a[i].session.has_value() == b[i].session.has_value());
  }
  REQUIRE(a[1].error);
  CHECK(a[1].error->json_pointer == "/1");
  CHECK(a[1].error->line == 3);
}

// ---------------------------------------------------------------- CSV

namespace {
ReadOptions csv_options() {
  ReadOptions o;
  o.format = InputFormat::csv;
  return o;
}
}  // namespace

TEST_CASE("reader CSV: an unclosed quote is an error at its row; the rest of the file is still read",
          "[reader][csv]") {
  const std::string csv =
      "session,role,time,text\n"
      "s1,customer,2024-05-01 10:00:00,hello\n"
      "s1,agent,2024-05-01 10:00:05,\"您好 oops\n"
      "s2,customer,2024-05-01 11:00:00,在吗\n"
      "s2,agent,2024-05-01 11:00:03,您好\n";
  auto all = read_text(csv, csv_options());
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0211");
  CHECK(all[0].error->line == 3);
  CHECK(all[0].error->message.find("never closed") != std::string::npos);
  REQUIRE(all[1].session);
  CHECK(all[1].session->id == "s2");
  CHECK(all[1].session->messages.size() == 2);
  CHECK(all[1].line == 4);
  CHECK(all[1].message_lines == std::vector<std::size_t>{4, 5});
}

TEST_CASE("reader CSV: an unclosed quote longer than a record is found before the end", "[reader][csv]") {
  std::string csv = "session,role,time,text\ns1,agent,2024-05-01 10:00:00,\"open\n";
  for (int i = 0; i < 200; ++i) csv += "s" + std::to_string(2 + i) + ",customer,2024-05-01 10:00:00,line\n";
  ReadOptions o = csv_options();
  o.max_record_bytes = 1000;
  auto all = read_text(csv, o);
  REQUIRE(all.size() == 201);
  CHECK(all[0].error);
  CHECK(all[1].session);
  CHECK(all[200].session->id == "s201");
}

TEST_CASE("reader CSV: a ragged row makes its session an error record", "[reader][csv]") {
  const std::string csv =
      "session,role,time,text\n"
      "s1,customer,2024-05-01 10:00:00,hello,extra\n"
      "s1,agent,2024-05-01 10:00:05,hi\n"
      "s2,customer,2024-05-01 11:00:00\n"
      "s3,customer,2024-05-01 11:00:00,ok\n";
  auto all = read_text(csv, csv_options());
  REQUIRE(all.size() == 3);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0211");
  CHECK(all[0].error->line == 2);
  CHECK(all[0].error->message.find("5 fields, the header has 4") != std::string::npos);
  REQUIRE(all[1].error);
  CHECK(all[1].error->line == 4);
  CHECK(all[2].session);
}

TEST_CASE("reader CSV: an error in a message names its row", "[reader][csv]") {
  const std::string csv =
      "session,role,time,text\n"
      "s1,customer,2024-05-01 10:00:00,\"two\nlines\"\n"
      "s1,agent,soon,hi\n";
  auto all = read_text(csv, csv_options());
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0204");
  CHECK(all[0].error->line == 4);
  CHECK(all[0].error->json_pointer == "/messages/1/time");
}

// ---------------------------------------------------------------- mappings

TEST_CASE("html_to_text: tags, entities, line breaks", "[reader][mapping]") {
  CHECK(html_to_text("<p>I don&#39;t know &amp; &lt;b&gt;</p>") == "I don't know & <b>");
  CHECK(html_to_text("<p>Hi Sam,<br>thanks</p><p>Bye&nbsp;now</p>") == "Hi Sam,\nthanks\nBye now");
  CHECK(html_to_text("&#x4F60;&#22909; <script>x()</script>ok") == "你好 ok");
  CHECK(html_to_text("a < b & c") == "a < b & c");
  CHECK(html_to_text("&#0;&#xD800;") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("mapping: a wrapper object's sessions array, streamed", "[reader][mapping]") {
  ReadOptions o;
  o.mapping.sessions = "chats";
  const std::string text = "{\"count\": 2, \"chats\": [\n" + one_line("a") + ",\n" + one_line("b") +
                           "\n], \"next\": {\"x\": [1, \"]}\"]}}\n" + one_line("c") + "\n";
  auto all = read_text(text, o);
  CHECK(ids(all) == std::vector<std::string>{"a", "b", "c"});
  CHECK(all[1].line == 3);
  // An error inside is placed under the wrapper's key.
  auto bad = read_text("{\"chats\": [" + one_line("a") + ", {\"id\": \"b\"}]}", o);
  REQUIRE(bad.size() == 2);
  REQUIRE(bad[1].error);
  CHECK(bad[1].error->json_pointer == "/chats/1");
}

TEST_CASE("mapping: fields, roles with prefixes, row filters, agent from an agent row", "[reader][mapping]") {
  ReadOptions o;
  REQUIRE_FALSE(apply_mapping(R"({"messages": ["first", "rest"],
      "session": {"id": "conv"}, "meta": {"channel": "src.via"},
      "message": {"role": "who", "time": ["at", "$session.started"], "text": "body", "agent": "who"},
      "roles": {"visitor": "customer", "agent:*": "agent", "sys": "event:note"},
      "rows": [{"field": "kind", "map": {"private": "drop", "assign": "event"}}], "html": true})",
                              o));
  const std::string doc = R"({"conv": 7, "started": 100, "src": {"via": "web"},
      "first": {"who": "visitor", "body": "<b>hi</b>"},
      "rest": [{"who": "agent:9", "kind": "assign", "at": 105},
               {"who": "agent:9", "kind": "private", "at": 106, "body": "secret"},
               {"who": "sys", "at": 107},
               {"who": "agent:9", "at": 150, "body": "hello"}]})";
  auto all = read_text(doc, o);
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].session);
  const Session& s = *all[0].session;
  CHECK(s.id == "7");
  CHECK(s.agent == "agent:9");
  CHECK(s.meta.at("channel") == "web");
  REQUIRE(s.messages.size() == 4);
  CHECK(s.messages[0].text == "hi");
  CHECK(s.messages[0].time.epoch_ms == 100000);
  CHECK(s.messages[1].event == "assign");
  CHECK_FALSE(s.messages[1].is_utterance());
  CHECK(s.messages[2].event == "note");
  CHECK(s.messages[3].role == Role::agent);
}

TEST_CASE("mapping: files are checked, presets are shipped", "[reader][mapping]") {
  ReadOptions o;
  CHECK(apply_mapping(R"({"mesages": "x"})", o)->find("unknown key \"mesages\"") != std::string::npos);
  CHECK(apply_mapping(R"({"roles": {"a": "boss"}})", o));
  CHECK(apply_mapping(R"({"rows": [{"map": {}}]})", o));
  CHECK(apply_mapping("not json", o));
  for (const char* name : {"zendesk", "intercom", "intercom-csv", "chatwoot", "kefu-csv"}) {
    auto text = preset_mapping(name);
    REQUIRE(text);
    ReadOptions p;
    INFO(name);
    CHECK_FALSE(apply_mapping(*text, p));
    CHECK(p.mapping.active());
  }
  CHECK_FALSE(preset_mapping("nope"));
}

TEST_CASE("mapping: CSV rows filtered, meta columns, the agent from an agent row", "[reader][mapping][csv]") {
  ReadOptions o;
  o.format = InputFormat::csv;
  o.mapping.meta["channel"] = "via";
  o.mapping.roles = {{"visitor", "customer"}, {"admin", "agent"}};
  RowRule notes;
  notes.field = "type";
  notes.actions = {{"note", RowAction::drop}, {"assignment", RowAction::event}};
  o.mapping.rows.push_back(notes);
  const std::string csv =
      "session,role,time,text,agent,type,via\n"
      "s1,visitor,2024-05-01 10:00:00,hello,V-1,comment,web\n"
      "s1,admin,2024-05-01 10:00:05,,A-7,assignment,web\n"
      "s1,admin,2024-05-01 10:00:06,internal,A-7,note,web\n"
      "s1,admin,2024-05-01 10:00:40,hi,A-7,comment,web\n";
  auto all = read_text(csv, o);
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].session);
  const Session& s = *all[0].session;
  CHECK(s.agent == "A-7");
  CHECK(s.meta.at("channel") == "web");
  REQUIRE(s.messages.size() == 3);
  CHECK(s.messages[1].event == "assignment");
  CHECK(all[0].message_lines == std::vector<std::size_t>{2, 3, 5});
}

// ---------------------------------------------------------------- times

TEST_CASE("parse_time: the common unambiguous export shapes", "[reader][time]") {
  const std::int64_t base = 1720447201000;  // 2024-07-08T14:00:01Z
  const int cst = 8 * 60;
  struct Case {
    const char* text;
    std::int64_t epoch_ms;
    int offset;
  };
  const Case cases[] = {
      {"2024/07/08 14:00:01", base - cst * 60000, cst},
      {"2024-7-8 14:00:01", base - cst * 60000, cst},
      {"2024-7-8 9:05", base - cst * 60000 - (4 * 3600 + 55 * 60 + 1) * 1000, cst},
      {"2024.07.08 14:00:01", base - cst * 60000, cst},
      {"2024年7月8日 14:00:01", base - cst * 60000, cst},
      {"2024-07-08 14:00:01 UTC", base, 0},
      {"2024/07/08 14:00:01.250 +0200", base - 120 * 60000 + 250, 120},
      {"Mon, 08 Jul 2024 14:00:01 +0000", base, 0},
      {"8 Jul 2024 14:00:01 GMT", base, 0},
      {"Mon, 8 July 2024 16:00:01 +02:00", base, 120},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto t = parse_time(c.text, cst);
    REQUIRE(t);
    CHECK(t->epoch_ms == c.epoch_ms);
    CHECK(t->utc_offset_minutes == c.offset);
  }
  for (const char* bad : {"07/08/2024 14:00", "2024/07/08", "2024/13/08 14:00", "2024/02/30 10:00", "Mon 8 Jul 2024 14:00",
                          "2024-07-08 14:00 EST", "8 Jul 24 14:00", "soon"}) {
    INFO(bad);
    CHECK_FALSE(parse_time(bad, cst));
  }
}

TEST_CASE("mapping: an error in a mapped record points at the export's own field and line", "[reader][mapping]") {
  ReadOptions o;
  REQUIRE_FALSE(apply_mapping(*preset_mapping("zendesk"), o));
  const std::string text =
      "{\"chats\": [\n"
      "  {\"id\": \"z1\", \"history\": [\n"
      "    {\"type\": \"chat.memberjoin\", \"nick\": \"agent:7\", \"timestamp\": \"2024-07-08T10:00:00Z\"},\n"
      "    {\"type\": \"chat.msg\", \"nick\": \"visitor\", \"msg\": \"hi\", \"timestamp\": \"2024-07-08T10:00:01Z\"},\n"
      "    {\"type\": \"chat.msg\", \"nick\": \"agent:7\", \"msg\": \"hello\",\n"
      "     \"timestamp\": \"later\"}]},\n"
      "  {\"id\": \"z2\", \"history\": [{\"type\": \"chat.msg\", \"nick\": \"visitor\", \"msg\": \"x\"}]}\n"
      "]}\n";
  auto all = read_text(text, o);
  REQUIRE(all.size() == 2);
  REQUIRE(all[0].error);
  CHECK(all[0].error->code == "E0204");
  CHECK(all[0].error->json_pointer == "/chats/0/history/2/timestamp");  // not /messages/2/time
  CHECK(all[0].error->line == 6);
  REQUIRE(all[1].error);
  CHECK(all[1].error->code == "E0202");
  CHECK(all[1].error->json_pointer == "/chats/1/history/0");  // the row without a time
  CHECK(all[1].error->line == 7);
}
