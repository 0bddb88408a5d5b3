// template (placeholders from the session), address_form and length.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("template: the opening must name the session's own agent", "[checks][template]") {
  const std::string check =
      R"({"type": "template", "template": "您好,{agent}号客服为您服务", "window": {"first_messages": 1}})";
  CHECK(run(one_item(check), chat({{"agent", 0, "您好，A102号客服 为您服务！"}})).status == ItemStatus::passed);
  CHECK(run(one_item(check), chat({{"agent", 0, "您好a102号客服为您服务"}})).status == ItemStatus::passed);
  auto other = run(one_item(check), chat({{"agent", 0, "您好，A108号客服为您服务！"}}));
  REQUIRE(other.status == ItemStatus::failed);
  CHECK_THAT(other.findings[0].explanation, Catch::Contains("您好,A102号客服为您服务"));
  // Not glued to a longer id.
  CHECK(run(one_item(R"({"type": "template", "template": "{agent}号"})"),
            chat({{"agent", 0, "XA102号客服"}}, R"({"agent": "A102"})"))
            .status == ItemStatus::failed);
  // Only the first agent message counts.
  CHECK(run(one_item(check), chat({{"agent", 0, "在的"}, {"agent", 5, "您好,A102号客服为您服务"}})).status ==
        ItemStatus::failed);
}

TEST_CASE("template: placeholder values are normalised like the rest of the text", "[checks][template]") {
  // The literal parts are normalised once, when the rule set is compiled, a
  // value for each session: full-width, case and separators inside a value
  // match as they would inside the literal.
  const std::string check = R"({"type": "template", "template": "您好，{agent}号客服 为您服务！"})";
  CHECK(run(one_item(check), chat({{"agent", 0, "您好 a102号客服为您服务"}}, R"({"agent": "Ａ１０２"})")).status ==
        ItemStatus::passed);
  CHECK(run(one_item(check), chat({{"agent", 0, "您好A102号客服为您服务"}}, R"({"agent": "a-1 0 2"})")).status ==
        ItemStatus::passed);
  CHECK(run(one_item(check), chat({{"agent", 0, "您好A103号客服为您服务"}}, R"({"agent": "Ａ１０２"})")).status ==
        ItemStatus::failed);
}

TEST_CASE("template: team and meta placeholders, several templates, edge cases", "[checks][template]") {
  const std::string check = R"({"type": "template", "template": ["欢迎光临{meta.shop}", "{team}为您服务"]})";
  auto s = chat({{"agent", 0, "欢迎光临小米之家!"}}, R"({"meta": {"shop": "小米之家"}})");
  CHECK(run(one_item(check), s).status == ItemStatus::passed);
  CHECK(run(one_item(check), chat({{"agent", 0, "presale-1 为您服务"}}, R"({"meta": {"shop": "x"}})")).status ==
        ItemStatus::passed);
  // No value for a placeholder: cannot be checked.
  CHECK(run(one_item(check), chat({{"agent", 0, "您好"}})).status == ItemStatus::not_applicable);
  // Agent-only / empty sessions.
  const std::string simple = R"({"type": "template", "template": "{agent}号客服"})";
  auto empty = run(one_item(simple), chat({}));
  REQUIRE(empty.status == ItemStatus::failed);
  CHECK_THAT(empty.findings[0].explanation, Catch::Contains("no agent message"));
  CHECK(run(one_item(R"({"type": "template", "template": "{agent}号客服", "window": {"last_messages": 1}})"),
            chat({{"agent", 0, "您好"}}), false)
            .status == ItemStatus::pending);
  CHECK(has_error(one_item(R"({"type": "template", "template": "{agnet}号"})"), "E0105", "/items/0/check/template"));
  CHECK(has_error(one_item(R"({"type": "template", "template": "{agent号"})"), "E0105", "/items/0/check/template"));
}

TEST_CASE("address_form: 你 counted, allowed words and 您 not", "[checks][address_form]") {
  const std::string check = R"({"type": "address_form", "avoid": ["你"], "allow": ["你们", "迷你"]})";
  auto s = chat({{"agent", 0, "你好,你的订单已经发货了。"},
                 {"agent", 5, "您好,你们公司的发票已开好,这款迷你风扇也有货。"},
                 {"customer", 10, "你们几点下班"}});
  auto r = run(one_item(check, R"(, "per_hit": 1)"), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].at.span_begin == 0);
  CHECK(r.findings[1].at.span_begin == 3);
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

TEST_CASE("length: walls of text and session bounds", "[checks][length]") {
  const std::string wall = R"({"type": "length", "max_chars": 20})";
  auto s = chat({{"agent", 0, "您好,很高兴为您服务。"},
                 {"agent", 5, std::string(30, 'a')},
                 {"customer", 9, std::string(50, 'b')},
                 {"agent", 10, "a b c d e f g h i j k l m n o p q r s t"}});
  auto r = run(one_item(wall), s);
  REQUIRE(r.findings.size() == 1);  // spaces do not count; the customer's message is not the agent's
  CHECK(r.findings[0].at.message == 1);
  CHECK(r.findings[0].value == 30);

  const std::string bounds =
      R"({"type": "length", "role": ["customer", "agent"], "min_messages": 3, "max_seconds": 600})";
  auto short_chat = run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}}));
  REQUIRE(short_chat.status == ItemStatus::failed);
  CHECK_THAT(short_chat.findings[0].explanation, Catch::Contains("only 2"));
  CHECK(run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}}), false).status ==
        ItemStatus::pending);
  auto long_chat =
      run(one_item(bounds), chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 700, "好"}}));
  REQUIRE(long_chat.findings.size() == 1);
  CHECK(long_chat.findings[0].value == 700);
  auto empty = run(one_item(bounds), chat({}));
  CHECK(empty.status == ItemStatus::failed);
  // Counted nouns agree with the count.
  auto one = run(one_item(R"({"type": "length", "min_messages": 2})"), chat({{"agent", 0, "在的"}}));
  REQUIRE(one.findings.size() == 1);
  CHECK_THAT(one.findings[0].explanation, Catch::StartsWith("session has only 1 agent message (at least 2)"));
  auto three = run(one_item(R"({"type": "length", "max_messages": 2})"),
                   chat({{"agent", 0, "在的"}, {"agent", 1, "好的"}, {"agent", 2, "再见"}}));
  REQUIRE(three.findings.size() == 1);
  CHECK_THAT(three.findings[0].explanation, Catch::StartsWith("session has 3 agent messages (at most 2)"));
  CHECK(has_error(one_item(R"({"type": "length"})"), "E0103", "/items/0/check"));
}
