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
