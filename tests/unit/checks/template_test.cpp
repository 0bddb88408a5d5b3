// template: required text with placeholders from the session (agent, team, meta).
// Code: src/checks/template.cpp. Docs: docs/checks.md#template.
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

TEST_CASE("template: spoken numerals are digits", "[checks][template][seed]") {
  const std::string t = R"({"type": "template", "template": "{agent}号客服"})";
  auto spoken = chat({{"agent", 0, "您好,八零五五号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), spoken).status == ItemStatus::passed);
  auto yao = chat({{"agent", 0, "您好,幺零二号客服为您服务"}}, R"({"agent": "102"})");
  CHECK(run(one_item(t), yao).status == ItemStatus::passed);
  auto other = chat({{"agent", 0, "您好,八零五六号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), other).status == ItemStatus::failed);
  // Still not glued to more digits.
  auto glued = chat({{"agent", 0, "您好,一八零五五号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), glued).status == ItemStatus::failed);
}
