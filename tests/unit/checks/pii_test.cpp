// pii: personal numbers revealed in full, quoted masked. (The detector and masking itself: test_pii_masking.cpp.)
// Code: src/checks/pii.cpp. Docs: docs/checks.md#pii.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {
const std::string kPii = R"({"type": "pii"})";

// Every finding's quote, joined, to assert that no full number leaks.
std::string quotes(const chatqa::ItemResult& r) {
  std::string out;
  for (const auto& f : r.findings)
    out += f.at.quote + "|" + f.explanation + "|" + f.matched + "|" + f.suggestion + "\n";
  return out;
}
}  // namespace

TEST_CASE("pii: mobile number in full is flagged and quoted masked", "[checks][pii]") {
  auto s = chat({{"customer", 0, "我的手机号是13812345678"}, {"agent", 10, "好的,您的手机号13812345678已登记。"}});
  auto r = run(one_item(kPii), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);  // the customer's own message is not the agent revealing it
  const auto& f = r.findings[0];
  CHECK(f.at.message == 1);
  CHECK(f.at.quote == "138****5678");
  CHECK(f.at.span.value().begin == 8);
  CHECK(f.at.span.value().end == 19);
  CHECK(f.matched == "phone");
  CHECK_THAT(quotes(r), !Catch::Contains("13812345678"));
  // The JSON report carries only the masked form too.
  auto rs = rules(one_item(kPii));
  const std::string json = chatqa::to_json(chatqa::evaluate(*rs, s));
  CHECK_THAT(json, Catch::Contains("138****5678") && !Catch::Contains("13812345678"));
}

TEST_CASE("pii: masked forms and non-personal numbers pass", "[checks][pii]") {
  auto s = chat({{"agent", 0, "您的手机号138****5678,尾号5678,已为您登记。"},
                 {"agent", 5, "订单号 4026371180923461 已经发货,运单号 SF1234567890123。"},
                 {"agent", 10, "客服热线 400-800-8888,价格 1299 元。"},
                 {"agent", 15, "身份证号 110101********1234 已核对。"},
                 {"agent", 20, "请发邮件到 s***@example.com 。"}});
  auto r = run(one_item(kPii), s);
  INFO(quotes(r));
  CHECK(r.status == ItemStatus::passed);
}

TEST_CASE("pii: resident ID numbers need a valid check digit", "[checks][pii]") {
  // 11010519491231002X is the standard's worked example (check digit X).
  auto valid = run(one_item(kPii), chat({{"agent", 0, "您的身份证号是11010519491231002X,对吗?"}}));
  REQUIRE(valid.status == ItemStatus::failed);
  CHECK(valid.findings[0].matched == "id_card");
  CHECK(valid.findings[0].at.quote == "110***********002X");
  CHECK(valid.findings[0].at.span.value().end - valid.findings[0].at.span.value().begin == 18);
  // Same digits with a wrong check digit: not an ID number.
  CHECK(run(one_item(kPii), chat({{"agent", 0, "您的身份证号是110105194912310021,对吗?"}})).status ==
        ItemStatus::passed);
}

TEST_CASE("pii: bank cards need the Luhn check; spaces and full-width digits are seen through", "[checks][pii]") {
  auto r = run(one_item(kPii), chat({{"agent", 0, "卡号 6222 0212 3456 7890 128 已绑定"},
                                     {"agent", 5, "卡号６２２２０２１２３４５６７８９０１２８"},
                                     {"agent", 10, "卡号6222021234567890129"}}));
  INFO(quotes(r));
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].matched == "bank_card");
  CHECK(r.findings[0].at.quote == "6222***********0128");
  CHECK(r.findings[1].at.message == 1);
  CHECK_THAT(quotes(r), !Catch::Contains("62220212345678901"));
}

TEST_CASE("pii: e-mail addresses and the kinds filter", "[checks][pii]") {
  auto s = chat({{"agent", 0, "Your account email is zhang.wei@example.com, and your phone is +86 13912345678."}});
  auto all = run(one_item(kPii), s);
  REQUIRE(all.findings.size() == 2);
  CHECK(all.findings[0].at.quote == "z***@example.com");
  CHECK(all.findings[1].at.quote == "86139****5678");
  auto phones = run(one_item(R"({"type": "pii", "kinds": ["phone"]})"), s);
  REQUIRE(phones.findings.size() == 1);
  CHECK(phones.findings[0].matched == "phone");
  CHECK(has_error(one_item(R"({"type": "pii", "kinds": ["phones"]})"), "E0105", "/items/0/check/kinds/0"));
}

TEST_CASE("pii: edge cases", "[checks][pii]") {
  CHECK(run(one_item(kPii), chat({})).status == ItemStatus::passed);
  CHECK(run(one_item(kPii), chat({{"customer", 0, "13812345678"}})).status == ItemStatus::passed);
  // A longer digit string that merely contains a phone number is not one.
  CHECK(run(one_item(kPii), chat({{"agent", 0, "流水 2138123456789 已处理"}})).status == ItemStatus::passed);
}
