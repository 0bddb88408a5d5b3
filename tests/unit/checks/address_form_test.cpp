// address_form: forms of address to avoid (你 for 您), allowed words.
// Code: src/checks/address_form.cpp. Docs: docs/checks.md#address_form.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("address_form: 你 counted, allowed words and 您 not", "[checks][address_form]") {
  const std::string check = R"({"type": "address_form", "avoid": ["你"], "allow": ["你们", "迷你"]})";
  auto s = chat({{"agent", 0, "你好,你的订单已经发货了。"},
                 {"agent", 5, "您好,你们公司的发票已开好,这款迷你风扇也有货。"},
                 {"customer", 10, "你们几点下班"}});
  auto r = run(one_item(check, R"(, "per_hit": 1)"), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].at.span.value().begin == 0);
  CHECK(r.findings[1].at.span.value().begin == 3);
  CHECK(r.findings[0].suggestion == "您");
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("use 您"));
  CHECK(r.deducted == 2);
  CHECK(run(one_item(check), chat({{"agent", 0, "您好,您的订单已发货。"}})).status == ItemStatus::passed);
  CHECK(run(one_item(check), chat({})).status == ItemStatus::passed);
  // Generalised: use "please" not "pls".
  auto en = run(one_item(R"({"type": "address_form", "avoid": ["pls", "u"], "prefer": "please / you"})"),
                chat({{"agent", 0, "Pls send u the receipt, thank you."}}));
  CHECK(en.findings.size() == 2);
  CHECK(has_error(one_item(R"({"type": "address_form"})"), "E0103", "/items/0/check"));
}
