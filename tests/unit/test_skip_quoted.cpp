// skip_quoted: words inside quotation marks are someone else's (the
// customer's, an app's message): address_form skips them by default,
// banned_phrase when asked.
#include "test_matcher_util.hpp"

using matcher_test::agent_findings;
using matcher_test::compile;
using matcher_test::one_item;

TEST_CASE("skip_quoted: address_form ignores 你 inside quotes by default", "[skip_quoted][address_form]") {
  auto rules = compile(one_item(R"({"type": "address_form", "avoid": ["你"]})"));
  CHECK(agent_findings(*rules, "系统提示“你的账号已冻结”，请您稍后再试").empty());
  CHECK(agent_findings(*rules, "您看到的「你已被移出群聊」是系统消息").empty());
  CHECK(agent_findings(*rules, "页面显示『你的订单已取消』吗").empty());
  CHECK(agent_findings(*rules, "弹窗写着\"你的请求过于频繁\"对吗").empty());
  CHECK(agent_findings(*rules, "这首《我只在乎你》可以在会员曲库收听").empty());  // a title
  // The agent's own words, and a quote left open, still count.
  CHECK(agent_findings(*rules, "你好，系统提示“您的账号已冻结”").size() == 1);
  CHECK(agent_findings(*rules, "系统提示“你的账号已冻结").size() == 1);
  CHECK(agent_findings(*rules, "“您好”你再试试").size() == 1);
  auto off = compile(one_item(R"({"type": "address_form", "avoid": ["你"], "skip_quoted": false})"));
  CHECK(agent_findings(*off, "系统提示“你的账号已冻结”").size() == 1);
}

TEST_CASE("skip_quoted: banned_phrase skips quoted words only when asked", "[skip_quoted][banned_phrase]") {
  auto plain = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不知道", "shut up"]})"));
  auto quoted = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不知道", "shut up"], "skip_quoted": true})"));
  const std::string repeat = "您说的「不知道怎么操作」是指哪一步呢？";
  CHECK(agent_findings(*plain, repeat).size() == 1);
  CHECK(agent_findings(*quoted, repeat).empty());
  CHECK(agent_findings(*quoted, "The app said \"shut up and wait\"? That is not our message").empty());
  CHECK(agent_findings(*quoted, "我不知道，您说的「这个」是什么").size() == 1);
  CHECK(agent_findings(*quoted, "Please shut up").size() == 1);
}
