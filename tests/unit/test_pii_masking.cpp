// The personal-number detector (text/pii_detect.hpp) and the masking pass
// over every output: numbers in every form, false positives avoided, masks
// that keep the code-point length, and reports that never quote a number.
#include <string>
#include <vector>

#include "test_checks_helpers.hpp"
#include "text/pii_detect.hpp"
#include "text/utf8.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {

std::vector<chatqa::text::PiiHit> hits_of(const std::string& text) {
  std::u32string cps;
  chatqa::utf8::decode(text, cps);
  std::vector<chatqa::text::PiiHit> out;
  chatqa::text::PiiDetector::standard().scan(cps, out);
  return out;
}

std::size_t code_points(const std::string& s) {
  std::u32string cps;
  chatqa::utf8::decode(s, cps);
  return cps.size();
}

}  // namespace

TEST_CASE("pii detector: numbers through separators and in every digit form", "[pii][mask]") {
  struct Case {
    std::string text, masked;
  };
  const std::vector<Case> cases = {
      {"电话13972941357", "电话139****1357"},
      {"电话139 7294 1357", "电话139 **** 1357"},
      {"电话139.7294.1357", "电话139.****.1357"},
      {"电话139／7294／1357", "电话139／****／1357"},
      {"电话139_7294_1357", "电话139_****_1357"},
      {"电话(139)72941357", "电话(139)****1357"},
      {"电话（139）7294-1357", "电话（139）****-1357"},
      {"电话139 - 7294 - 1357", "电话139 - **** - 1357"},
      {"电话139\u200b7294\u200b1357", "电话139\u200b****\u200b1357"},
      {"电话1\u200b3\u200b9\u200b7\u200b2\u200b9\u200b4\u200b1\u200b3\u200b5\u200b7",
       "电话1\u200b3\u200b9\u200b*\u200b*\u200b*\u200b*\u200b1\u200b3\u200b5\u200b7"},
      {"电话139\u00ad7294\u00ad1357", "电话139\u00ad****\u00ad1357"},
      {"电话１３９７２９４１３５７", "电话１３９****１３５７"},
      {"电话①③⑨⑦②⑨④①③⑤⑦", "电话①③⑨****①③⑤⑦"},
      {"电话❶❸❾❼❷❾❹❶❸❺❼", "电话❶❸❾****❶❸❺❼"},
      {"电话一三九七二九四一三五七", "电话一三九****一三五七"},
      {"电话幺三九七二九四幺三五七", "电话幺三九****幺三五七"},
      {"电话𝟏𝟑𝟗𝟕𝟐𝟗𝟒𝟏𝟑𝟓𝟕", "电话𝟏𝟑𝟗****𝟏𝟑𝟓𝟕"},
      {"+86 139 7294 1357", "+86 139 **** 1357"},
      {"卡号6222.0212.3456.7890.128", "卡号6222.****.****.***0.128"},
      {"卡号6222 0212 3456 7890 128", "卡号6222 **** **** ***0 128"},
      {"身份证11010519491231002X", "身份证110***********002X"},
      {"mail zhang.wei@example.com", "mail z********@example.com"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(hits_of(c.text).size() == 1);
    const std::string masked = chatqa::mask_pii(c.text);
    CHECK(masked == c.masked);
    CHECK(code_points(masked) == code_points(c.text));
  }
}

TEST_CASE("pii detector: dates, times, amounts, order numbers and codes are not personal", "[pii][mask]") {
  const std::vector<std::string> innocent = {
      "2024.05.01",
      "2024/05/01 10:00:00",
      "2024-05-01 13:45:12",
      "2024.05.01-2024.05.31",
      "2024/5/1-2024/5/31",
      "金额 1380.50 元",
      "金额 13,812,345,678 元",
      "价格 1299 元,运费 12.5 元",
      "12:30:45",
      "IP 192.168.100.123",
      "版本 13.8.1234",
      "订单号 139.7294.1357",
      "订单号：一三九七二九四一三五七",
      "运单 6222 0212 3456 7890 128",
      "SF13972941357",
      "13972941357ab",
      "一二三四五六七八九十",
      "三三两两,一五一十,七上八下",
      "第一,第二,第三",
      "①先登录 ②再付款 ③等待发货",
      "1.3972941357",
      "139.72.94.13.57",
      "已为您登记 138****5678",
  };
  for (const std::string& text : innocent) {
    INFO(text);
    CHECK(hits_of(text).empty());
    CHECK(chatqa::mask_pii(text) == text);
  }
}

TEST_CASE("pii masking: invalid UTF-8 is kept, digit runs of raw input are masked", "[pii][mask]") {
  const std::string bad = std::string("电话13972941357 \xff\xfe end");
  const std::string masked = chatqa::mask_pii(bad);
  CHECK(masked == std::string("电话139****1357 \xff\xfe end"));
  CHECK(chatqa::text::mask_digit_runs("\"卡号6222021234") == "\"卡号62******34");
  CHECK(chatqa::text::mask_digit_runs("2024-05-06 25:00:00") == "2024-05-06 25:00:00");
}

TEST_CASE("pii check: every variant is flagged and quoted masked", "[checks][pii][mask]") {
  for (const std::string number : {"139.7294.1357", "139／7294／1357", "139_7294_1357", "(139)72941357",
                                   "139\u200b7294\u200b1357", "139\u00ad7294\u00ad1357", "①③⑨⑦②⑨④①③⑤⑦",
                                   "一三九七二九四一三五七", "6222.0212.3456.7890.128"}) {
    INFO(number);
    auto r = run(one_item(R"({"type": "pii"})"), chat({{"agent", 0, "您的号码是" + number + "对吗"}}));
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].at.span.value().begin == (number[0] == '(' ? 6u : 5u));  // the bracket is not part of it
    CHECK(r.findings[0].at.span.value().end == 5 + code_points(number));
    CHECK(r.findings[0].at.quote.find("7294") == std::string::npos);
    CHECK(r.findings[0].at.quote.find("3456") == std::string::npos);
  }
}

TEST_CASE("pii masking: quotes and explanations of other checks never carry the number", "[pii][mask]") {
  const std::string rules_text = R"({"name": "t", "version": "1", "total": 100, "items": [
    {"id": "call", "title": "t", "category": "c", "points": 5, "per_hit": 1,
     "check": {"type": "banned_phrase", "regex": ["打.{0,30}电话"], "role": "agent"}},
    {"id": "repeat", "title": "t", "category": "c", "points": 3,
     "check": {"type": "repetition", "role": "customer", "min_repeats": 2, "similarity": 0.75, "min_chars": 6}},
    {"id": "rushed", "title": "t", "category": "c", "points": 3,
     "check": {"type": "rushed_close", "closing": ["感谢您的咨询"]}}]})";
  auto rs = rules(rules_text);
  auto s = chat({{"customer", 0, "我的电话是139.7294.1357，帮我查下"},
                 {"agent", 10, "你打139.7294.1357这个电话查"},
                 {"customer", 20, "我的电话是139.7294.1357，帮我查下"},
                 {"customer", 30, "我的电话是139.7294.1357，帮我查下吗？"},
                 {"agent", 40, "感谢您的咨询"}});
  const chatqa::Report report = chatqa::evaluate(*rs, s);
  std::size_t findings = 0;
  for (const auto& item : report.items) {
    INFO(item.id);
    CHECK(item.status == ItemStatus::failed);
    for (const auto& f : item.findings) {
      ++findings;
      CHECK(f.at.quote.find("7294") == std::string::npos);
      CHECK(f.explanation.find("7294") == std::string::npos);
      if (f.related) CHECK(f.related->quote.find("7294") == std::string::npos);
      if (f.at.span.has_value()) CHECK(code_points(f.at.quote) == f.at.span.value().end - f.at.span.value().begin);
    }
  }
  CHECK(findings >= 3);
  const auto& call = report.items[0].findings.at(0);
  CHECK(call.at.quote == "打139.****.1357这个电话");
  CHECK(call.at.span.value().begin == 1);
  for (const std::string& out : {chatqa::to_json(report), chatqa::to_text(report, &s)}) {
    CHECK(out.find("7294") == std::string::npos);
  }
  // Off on request: the original text.
  chatqa::EvalOptions raw;
  raw.mask_pii = false;
  CHECK(chatqa::evaluate(*rs, s, raw).items[0].findings.at(0).at.quote == "打139.7294.1357这个电话");
}

TEST_CASE("pii masking: error records echo input masked", "[pii][mask]") {
  auto role = chatqa::parse_session(
      R"({"id": "x", "messages": [{"role": "13972941357", "time": "2024-05-01 10:00:00", "text": "x"}]})");
  REQUIRE(role.error);
  CHECK(role.error->code == "E0205");
  CHECK(role.error->message.find("7294") == std::string::npos);
  auto empty = chatqa::parse_session(R"({"id": "139-7294-1357", "messages": []})");
  REQUIRE(empty.error);
  CHECK(empty.error->code == "E0208");
  CHECK(empty.error->message.find("7294") == std::string::npos);
  auto broken = chatqa::parse_session(R"({"id": "x", "messages": [{"role": "agent", "text": "卡号6222021234)");
  REQUIRE(broken.error);
  CHECK(broken.error->code == "E0201");
  CHECK(broken.error->message.find("021234") == std::string::npos);
  chatqa::InputError e;
  e.code = "E0204";
  e.message = "bad time \"139 7294 1357\"";
  CHECK(chatqa::error_record_json(e, "in.jsonl").find("7294") == std::string::npos);
}
