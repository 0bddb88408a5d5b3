// CSV sessions whose rows are not consecutive: grouped by session (an
// external merge within a memory budget), or with CsvOptions::sorted an error
// record at the first row that continues a session met before.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "chatqa/reader.hpp"
#include "input/csv_groups.hpp"

using namespace chatqa;

namespace {

std::vector<ParsedSession> read_csv(const std::string& text, const ReadOptions& options) {
  std::vector<ParsedSession> out;
  SessionReader reader = SessionReader::from_text(text, options, "export.csv");
  ParsedSession p;
  while (reader.next(p)) out.push_back(std::move(p));
  return out;
}

std::string describe(const ParsedSession& p) {
  if (p.error) return "E:" + p.error->code + "@" + std::to_string(p.error->line);
  std::string s = p.session->id + ":";
  for (const auto& m : p.session->messages) s += m.text + ",";
  return s;
}

std::vector<std::string> describe(const std::vector<ParsedSession>& all) {
  std::vector<std::string> out;
  for (const auto& p : all) out.push_back(describe(p));
  return out;
}

// n sessions of 4 messages each, rows in time order (sessions interleaved).
std::string time_sorted(int n) {
  std::string csv = "session,role,time,text\n";
  for (int turn = 0; turn < 4; ++turn) {
    for (int s = 0; s < n; ++s) {
      const int second = turn * 10 + s % 10;
      csv += "s" + std::to_string(s) + "," + (turn % 2 ? "agent" : "customer") + ",2024-05-01 10:" +
             (turn < 10 ? "0" : "") + std::to_string(turn) + ":" + (second < 10 ? "0" : "") + std::to_string(second) +
             ",t" + std::to_string(turn) + "\n";
    }
  }
  return csv;
}

std::string conversation_sorted(int n) {
  std::string csv = "session,role,time,text\n";
  for (int s = 0; s < n; ++s) {
    for (int turn = 0; turn < 4; ++turn) {
      const int second = turn * 10 + s % 10;
      csv += "s" + std::to_string(s) + "," + (turn % 2 ? "agent" : "customer") + ",2024-05-01 10:" +
             (turn < 10 ? "0" : "") + std::to_string(turn) + ":" + (second < 10 ? "0" : "") + std::to_string(second) +
             ",t" + std::to_string(turn) + "\n";
    }
  }
  return csv;
}

ReadOptions csv() {
  ReadOptions o;
  o.format = InputFormat::csv;
  return o;
}

}  // namespace

TEST_CASE("CSV groups: a time-sorted export reads like the conversation-sorted one", "[reader][csv][groups]") {
  const auto by_time = read_csv(time_sorted(5), csv());
  const auto by_conversation = read_csv(conversation_sorted(5), csv());
  REQUIRE(by_time.size() == 5);
  CHECK(describe(by_time) == describe(by_conversation));
  CHECK(describe(by_time[0]) == "s0:t0,t1,t2,t3,");
  // Each message still names its own row.
  CHECK(by_time[1].message_lines == std::vector<std::size_t>{3, 8, 13, 18});
  CHECK(by_time[1].line == 3);
  for (const auto& p : by_time) CHECK(p.session->messages.size() == 4);
}

TEST_CASE("CSV groups: over the memory budget, sorted runs spill to files and merge alike", "[reader][csv][groups]") {
  ReadOptions small = csv();
  small.csv.group_memory_bytes = 4096;  // a few dozen rows a run
  const auto spilled = read_csv(time_sorted(300), small);
  const auto in_memory = read_csv(time_sorted(300), csv());
  REQUIRE(spilled.size() == 300);
  CHECK(describe(spilled) == describe(in_memory));
  CHECK(describe(spilled) == describe(read_csv(conversation_sorted(300), csv())));

  io::RowGroups groups(4096, "");
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(groups.add(io::RowGroups::kRow, "s" + std::to_string(i % 7), i + 2, std::string(20, 'x')));
  }
  REQUIRE(groups.finish());
  CHECK(groups.runs() > 5);
  io::RowGroups::Row r;
  std::vector<std::string> order;
  std::uint64_t last_seq = 0;
  while (groups.next(r)) {
    if (order.empty() || order.back() != r.id) {
      order.push_back(r.id);
    } else {
      CHECK(r.seq > last_seq);  // the rows of a session in input order
    }
    last_seq = r.seq;
  }
  CHECK(groups.error().empty());
  CHECK(order == std::vector<std::string>{"s0", "s1", "s2", "s3", "s4", "s5", "s6"});
}

TEST_CASE("CSV groups: bad rows stay with their session; a row naming none stays in place", "[reader][csv][groups]") {
  const std::string text =
      "session,role,time,text\n"
      "a,customer,2024-05-01 10:00:00,hi\n"
      "b,customer,2024-05-01 10:00:01,hello\n"
      "a,agent,2024-05-01 10:00:02,x,extra\n"  // ragged: session a is an error at line 4
      "\n"
      "b,agent,2024-05-01 10:00:03,ok\n"
      "a,agent,2024-05-01 10:00:09,late\n";
  const auto all = read_csv(text, csv());
  CHECK(describe(all) == std::vector<std::string>{"E:E0211@4", "b:hello,ok,"});
}

TEST_CASE("CSV --sorted: rows met again after other sessions are an error at that row", "[reader][csv][groups]") {
  ReadOptions sorted = csv();
  sorted.csv.sorted = true;
  const std::string text =
      "session,role,time,text\n"
      "a,customer,2024-05-01 10:00:00,hi\n"
      "b,customer,2024-05-01 10:00:01,hello\n"
      "a,agent,2024-05-01 10:00:02,back\n"
      "a,agent,2024-05-01 10:00:03,again\n"
      "c,customer,2024-05-01 10:00:04,new\n";
  const auto all = read_csv(text, sorted);
  CHECK(describe(all) == std::vector<std::string>{"a:hi,", "b:hello,", "E:E0213@4", "c:new,"});
  CHECK(all[2].error->message.find("\"a\"") != std::string::npos);
  CHECK(all[2].error->message.find("began at line 2") != std::string::npos);
  // A conversation-sorted export reads the same with and without --sorted.
  CHECK(describe(read_csv(conversation_sorted(20), sorted)) == describe(read_csv(conversation_sorted(20), csv())));
}

TEST_CASE("CSV groups: a header error or an empty input gives what it gave before", "[reader][csv][groups]") {
  CHECK(read_csv("", csv()).empty());
  CHECK(read_csv("session,role,time,text\n", csv()).empty());
  const auto bad = read_csv("session,role,when,text\na,customer,1,x\n", csv());
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].error->code == "E0211");
}

TEST_CASE("CSV groups: an unwritable temporary folder is one error record, no incomplete session",
          "[reader][csv][groups]") {
  ReadOptions o = csv();
  o.csv.group_memory_bytes = 1024;
  o.csv.temp_dir = "/nonexistent-chatqa-dir";
  const auto all = read_csv(time_sorted(100), o);
  REQUIRE(all.size() == 1);
  REQUIRE(all.back().error);
  CHECK(all.back().error->code == "E0214");
  CHECK(all.back().error->message.find("/nonexistent-chatqa-dir") != std::string::npos);
}
