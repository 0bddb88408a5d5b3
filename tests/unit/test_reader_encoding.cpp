// Inputs in legacy encodings (ReadOptions::encoding, ICU converters), UTF-16
// told by its BOM, and the hint naming the likely encoding when bytes are not
// UTF-8.
#include <unicode/ucnv.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "chatqa/reader.hpp"

using namespace chatqa;

namespace {

// `utf8` in `encoding`, through ICU.
std::string encode(const std::string& utf8, const char* encoding) {
  std::string out(utf8.size() * 4 + 16, '\0');
  UErrorCode status = U_ZERO_ERROR;
  const int32_t n = ucnv_convert(encoding, "UTF-8", out.data(), static_cast<int32_t>(out.size()), utf8.data(),
                                 static_cast<int32_t>(utf8.size()), &status);
  REQUIRE(U_SUCCESS(status));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::vector<ParsedSession> read(const std::string& text, const ReadOptions& options, const std::string& name) {
  std::vector<ParsedSession> out;
  SessionReader reader = SessionReader::from_text(text, options, name);
  ParsedSession p;
  while (reader.next(p)) out.push_back(std::move(p));
  return out;
}

std::string dump(const std::vector<ParsedSession>& all) {
  std::string s;
  for (const auto& p : all) {
    if (p.error) {
      s += "E:" + p.error->code + "@" + std::to_string(p.error->line) + "\n";
      continue;
    }
    s += p.session->id + "|" + p.session->agent + "\n";
    for (const auto& m : p.session->messages) s += "  " + m.time.to_iso8601() + " " + m.text + "\n";
  }
  return s;
}

const std::string kCsv =
    "会话ID,发送方,发送时间,消息内容,客服工号\n"
    "S1,客户,2024-05-01 10:00:00,\"在吗?\n想问个问题\",A7\n"
    "S1,客服,2024-05-01 10:00:10,您好，很高兴为您服务。,A7\n"
    "S2,客户,2024-05-01 11:00:00,退货,A8\n";

ReadOptions kefu() {
  ReadOptions o;
  REQUIRE(!apply_mapping(*preset_mapping("kefu-csv"), o));
  return o;
}

}  // namespace

TEST_CASE("encoding: a GBK, GB18030, Big5 or UTF-16 CSV reads like its UTF-8 twin", "[reader][encoding]") {
  const std::string expected = dump(read(kCsv, kefu(), "export.csv"));
  REQUIRE(expected.find("您好，很高兴为您服务") != std::string::npos);
  for (const char* name : {"gbk", "gb18030", "GB2312", "utf-16le", "utf-16be"}) {
    ReadOptions o = kefu();
    o.encoding = name;
    INFO(name);
    CHECK(dump(read(encode(kCsv, name), o, "export.csv")) == expected);
  }
  // Big5 holds traditional characters (the simplified header above has none).
  const std::string traditional =
      "session,role,time,text\n"
      "t1,customer,2024-05-01 10:00:00,請問退貨要多久？\n"
      "t1,agent,2024-05-01 10:00:09,您好，很高興為您服務。\n";
  ReadOptions big5;
  big5.encoding = "big5";
  CHECK(dump(read(encode(traditional, "big5"), big5, "t.csv")) == dump(read(traditional, ReadOptions{}, "t.csv")));
  CHECK(dump(read(traditional, ReadOptions{}, "t.csv")).find("很高興為您服務") != std::string::npos);
  // UTF-16 with a BOM needs no option; "utf-16" reads the BOM's byte order.
  const std::string utf16 = std::string("\xFF\xFE") + encode(kCsv, "utf-16le");
  CHECK(dump(read(utf16, kefu(), "export.csv")) == expected);
  ReadOptions o = kefu();
  o.encoding = "utf-16";
  CHECK(dump(read(utf16, o, "export.csv")) == expected);
  CHECK(dump(read(std::string("\xFE\xFF") + encode(kCsv, "utf-16be"), o, "export.csv")) == expected);
}

TEST_CASE("encoding: characters cut between chunks are joined; JSON Lines too", "[reader][encoding]") {
  std::string jsonl;
  for (int i = 0; jsonl.size() < 700 * 1024; ++i) {
    jsonl += R"({"id": "s)" + std::to_string(i) +
             R"(", "messages": [{"role": "agent", "time": 1, "text": "您好,很高兴为您服务,请问有什么可以帮您?"}]})" + "\n";
  }
  ReadOptions utf8;
  const std::string expected = dump(read(jsonl, utf8, "a.jsonl"));
  ReadOptions gbk;
  gbk.encoding = "gbk";
  // Odd prefixes shift every chunk boundary through the 2-byte characters.
  for (const std::string pad : {"", " ", "  ", "   "}) {
    const std::string text = pad + jsonl;
    CHECK(dump(read(encode(text, "gbk"), gbk, "a.jsonl")) == dump(read(text, utf8, "a.jsonl")));
  }
  CHECK(!expected.empty());
}

TEST_CASE("encoding: bytes that are not UTF-8 get a hint naming the likely encoding", "[reader][encoding]") {
  // A GBK CSV read as UTF-8: its Chinese header matches no column.
  const auto header = read(encode(kCsv, "gbk"), kefu(), "export.csv");
  REQUIRE(header.size() == 1);
  REQUIRE(header[0].error);
  CHECK(header[0].error->code == "E0211");
  CHECK(header[0].error->message.find("not UTF-8: it looks like gb18030 (read it with --encoding gb18030)") !=
        std::string::npos);
  // An ASCII header, GBK texts: E0206 with the hint.
  const std::string ascii =
      "session,role,time,text\n"
      "s1,customer,2024-05-01 10:00:00,在吗?我想问一下我的订单什么时候发货，已经等了三天了\n"
      "s1,agent,2024-05-01 10:00:10,您好，很高兴为您服务，请问有什么可以帮您?\n";
  const auto texts = read(encode(ascii, "gbk"), ReadOptions{}, "export.csv");
  REQUIRE(texts.size() == 1);
  REQUIRE(texts[0].error);
  CHECK(texts[0].error->code == "E0206");
  CHECK(texts[0].error->message.find("--encoding gb18030") != std::string::npos);
  // JSON too.
  const std::string json =
      R"({"id": "s1", "messages": [{"role": "agent", "time": 1, "text": "您好，很高興為您服務，請問有什麼可以幫您？"}]})";
  const auto j = read(encode(json, "big5"), ReadOptions{}, "a.jsonl");
  REQUIRE(j.size() == 1);
  REQUIRE(j[0].error);
  CHECK(j[0].error->code == "E0206");
  CHECK(j[0].error->message.find("--encoding big5") != std::string::npos);
  // UTF-8 input: no hint.
  const auto ok = read(ascii + "s2,agent,soon,x\n", ReadOptions{}, "export.csv");
  REQUIRE(ok.size() == 2);
  CHECK(ok[1].error->message.find("UTF-8") == std::string::npos);
}

TEST_CASE("encoding: an unknown name is one error record", "[reader][encoding]") {
  ReadOptions o;
  o.encoding = "klingon-8";
  const auto all = read("{}", o, "a.jsonl");
  REQUIRE(all.size() == 1);
  CHECK(all[0].error->code == "E0215");
  CHECK(encoding_known("GBK"));
  CHECK(encoding_known("big5"));
  CHECK(!encoding_known("klingon-8"));
}
