// The four checks of the card: response_time, required_phrase,
// banned_phrase, typo_count.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;

namespace {

std::string response_item(const std::string& params) {
  return R"([{"id": "rt", "points": 2, "check": {"type": "response_time", )" + params + "}}]";
}

const ItemResult& rt(const Report& r) {
  return item_of(r, "rt");
}

}  // namespace

// ------------------------------------------------------------- response_time

TEST_CASE("response_time first: slow first reply", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"customer", 0, "在吗"}, {"agent", 45, "您好"}, {"customer", 50, "好"}, {"agent", 200, "嗯"}}));
  REQUIRE(rt(r).status == ItemStatus::failed);
  REQUIRE(rt(r).findings.size() == 1);  // only the first turn counts
  const Finding& f = rt(r).findings[0];
  CHECK(f.at.message == 1);
  CHECK(f.at.time == "2024-05-01T10:00:45+08:00");
  CHECK(f.at.role == Role::agent);
  REQUIRE(f.related);
  CHECK(f.related->message == 0);
  CHECK(f.value == 45);
  CHECK(f.explanation == "first reply after 45 s (limit 30 s)");
  CHECK(r.score == 98);
}

TEST_CASE("response_time first: a reply exactly at the limit passes", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"customer", 0, "在吗"}, {"agent", 30, "您好"}}));
  CHECK(rt(r).status == ItemStatus::passed);
  CHECK(r.score == 100);
}

TEST_CASE("response_time: the agent speaks first", "[checks][response_time]") {
  const Session s = chat({{"agent", 0, "您好,很高兴为您服务"}, {"customer", 100, "我想退货"}, {"agent", 110, "好的"}});
  CHECK(rt(run(response_item(R"("mode": "first", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report strict = run(response_item(R"("mode": "first", "limit_seconds": 5)"), s);
  REQUIRE(rt(strict).findings.size() == 1);
  CHECK(rt(strict).findings[0].value == 10);  // from the customer's message, not the session start
  CHECK(rt(strict).findings[0].related->message == 1);
}

TEST_CASE("response_time: no agent reply at all", "[checks][response_time]") {
  const Session s = chat({{"customer", 0, "在吗"}, {"customer", 60, "人呢?"}});
  Report first = run(response_item(R"("mode": "first", "limit_seconds": 30)"), s);
  REQUIRE(rt(first).status == ItemStatus::failed);  // unanswered defaults to a violation for "first"
  REQUIRE(rt(first).findings.size() == 1);
  CHECK(rt(first).findings[0].at.message == 0);
  CHECK(rt(first).findings[0].explanation == "the customer never got a reply");

  CHECK(rt(run(response_item(R"("mode": "each", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report each = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s);
  REQUIRE(rt(each).findings.size() == 1);
  CHECK(rt(each).findings[0].at.message == 0);  // the run starts at its first message

  Report ignore = run(response_item(R"("mode": "first", "limit_seconds": 30, "unanswered": "ignore")"), s);
  CHECK(rt(ignore).status == ItemStatus::passed);
}

TEST_CASE("response_time: a burst of customer messages starts the clock at the first", "[checks][response_time]") {
  const Session s =
      chat({{"customer", 0, "在吗"}, {"customer", 5, "我的快递"}, {"customer", 20, "到哪了"}, {"agent", 40, "您好"}});
  for (const char* mode : {"first", "each", "max"}) {
    INFO(mode);
    Report r = run(response_item(std::string(R"("mode": ")") + mode + R"(", "limit_seconds": 30)"), s);
    REQUIRE(rt(r).findings.size() == 1);
    CHECK(rt(r).findings[0].value == 40);
    CHECK(rt(r).findings[0].related->message == 0);
    CHECK(rt(r).findings[0].at.message == 3);
  }
}

TEST_CASE("response_time modes each / mean / max over several turns", "[checks][response_time]") {
  // Turns: 10 s, 40 s, 50 s.
  const Session s = chat({{"customer", 0, "a"},
                          {"agent", 10, "b"},
                          {"customer", 20, "c"},
                          {"agent", 60, "d"},
                          {"customer", 70, "e"},
                          {"agent", 120, "f"}});
  Report each = run(response_item(R"("mode": "each", "limit_seconds": 30)"), s);
  REQUIRE(rt(each).findings.size() == 2);
  CHECK(rt(each).findings[0].at.message == 3);
  CHECK(rt(each).findings[0].value == 40);
  CHECK(rt(each).findings[1].at.message == 5);
  CHECK(rt(each).hits == 2);

  Report mean = run(response_item(R"("mode": "mean", "limit_seconds": 30)"), s);
  REQUIRE(rt(mean).findings.size() == 1);
  CHECK(rt(mean).findings[0].value == Approx(100.0 / 3));
  CHECK(rt(mean).findings[0].at.message == -1);  // the whole session
  CHECK(rt(mean).findings[0].explanation == "mean reply time 33.33 s over 3 replies (limit 30 s)");
  CHECK(rt(run(response_item(R"("mode": "mean", "limit_seconds": 34)"), s)).status == ItemStatus::passed);

  Report max = run(response_item(R"("mode": "max", "limit_seconds": 30)"), s);
  REQUIRE(rt(max).findings.size() == 1);
  CHECK(rt(max).findings[0].value == 50);
  CHECK(rt(max).findings[0].at.message == 5);
}

TEST_CASE("response_time: a last customer message left unanswered", "[checks][response_time]") {
  const Session s =
      chat({{"customer", 0, "a"}, {"agent", 10, "b"}, {"customer", 20, "谢谢"}, {"customer", 25, "再见"}});
  CHECK(rt(run(response_item(R"("mode": "each", "limit_seconds": 30)"), s)).status == ItemStatus::passed);
  Report v = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s);
  REQUIRE(rt(v).findings.size() == 1);
  CHECK(rt(v).findings[0].at.message == 2);
  CHECK(rt(v).findings[0].explanation == "customer message left unanswered at the end of the session");
  // Live: the chat is still running, the agent may still answer.
  Report live = run(response_item(R"("mode": "each", "limit_seconds": 30, "unanswered": "violation")"), s, false);
  CHECK(rt(live).status == ItemStatus::pending);
  CHECK(live.score == 100);
}

TEST_CASE("response_time: no customer message is not_applicable", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"agent", 0, "您好"}, {"agent", 10, "在吗"}}));
  CHECK(rt(r).status == ItemStatus::not_applicable);
  CHECK(r.score == 100);
}

TEST_CASE("response_time: bot and system messages are not replies unless the rule says so", "[checks][response_time]") {
  const Session s = chat(
      {{"customer", 0, "在吗"}, {"bot", 2, "自动回复:客服马上就来"}, {"system", 3, "转人工"}, {"agent", 50, "您好"}});
  Report agent_only = run(response_item(R"("mode": "first", "limit_seconds": 30)"), s);
  REQUIRE(rt(agent_only).findings.size() == 1);
  CHECK(rt(agent_only).findings[0].value == 50);
  Report with_bot = run(response_item(R"("mode": "first", "limit_seconds": 30, "reply_roles": ["agent", "bot"])"), s);
  CHECK(rt(with_bot).status == ItemStatus::passed);
}

TEST_CASE("response_time: out-of-order input is timed in time order", "[checks][response_time]") {
  Report r = run(response_item(R"("mode": "first", "limit_seconds": 30)"),
                 chat({{"agent", 45, "您好"}, {"customer", 0, "在吗"}}));
  REQUIRE(rt(r).findings.size() == 1);
  CHECK(rt(r).findings[0].value == 45);
  CHECK(rt(r).findings[0].at.message == 1);  // index into the time-ordered messages
}

// ------------------------------------------------------------- required_phrase

namespace {
std::string required_item(const std::string& params) {
  return R"([{"id": "req", "points": 2, "check": {"type": "required_phrase", )" + params + "}}]";
}
const ItemResult& req(const Report& r) {
  return item_of(r, "req");
}
}  // namespace

TEST_CASE("required_phrase in the first N agent messages", "[checks][required_phrase]") {
  const std::string item = required_item(R"("phrases": ["您好"], "window": {"first_messages": 1})");
  CHECK(req(run(item, chat({{"customer", 0, "在吗"}, {"agent", 5, "您好,请问有什么可以帮您?"}}))).status ==
        ItemStatus::passed);
  // Spaced out or full-width punctuation in between still counts.
  CHECK(req(run(item, chat({{"agent", 5, "您 好!"}}))).status == ItemStatus::passed);
  Report late = run(item, chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"agent", 6, "您好"}}));
  REQUIRE(req(late).status == ItemStatus::failed);
  REQUIRE(req(late).findings.size() == 1);
  CHECK(req(late).findings[0].at.message == 1);
  CHECK(req(late).findings[0].explanation == "required phrase missing in the first 1 agent message(s): 您好");
  // The customer saying it does not count.
  CHECK(req(run(item, chat({{"customer", 0, "您好"}, {"agent", 5, "在"}}))).status == ItemStatus::failed);
}

TEST_CASE("required_phrase in the last N messages, pending while live", "[checks][required_phrase]") {
  const std::string item =
      required_item(R"("phrases": ["感谢您的咨询", "祝您生活愉快"], "window": {"last_messages": 2})");
  const Session good =
      chat({{"agent", 0, "您好"}, {"customer", 5, "谢谢"}, {"agent", 10, "感谢您的咨询!"}, {"agent", 11, "再见"}});
  CHECK(req(run(item, good)).status == ItemStatus::passed);
  const Session early = chat({{"agent", 0, "感谢您的咨询"}, {"agent", 5, "a"}, {"agent", 10, "b"}});
  CHECK(req(run(item, early)).status == ItemStatus::failed);
  CHECK(req(run(item, early, false)).status == ItemStatus::pending);
}

TEST_CASE("required_phrase within the first T seconds of the session", "[checks][required_phrase]") {
  const std::string item = required_item(R"("phrases": ["您好"], "window": {"first_seconds": 10})");
  CHECK(req(run(item, chat({{"customer", 0, "在吗"}, {"agent", 10, "您好"}}))).status == ItemStatus::passed);
  Report late = run(item, chat({{"customer", 0, "在吗"}, {"agent", 8, "稍等"}, {"agent", 11, "您好"}}));
  REQUIRE(req(late).status == ItemStatus::failed);
  CHECK(req(late).findings[0].explanation.find("the first 10 s") != std::string::npos);
}

TEST_CASE("required_phrase match any / all", "[checks][required_phrase]") {
  const Session s = chat({{"agent", 0, "您好,请问有什么可以帮您?"}});
  CHECK(req(run(required_item(R"("phrases": ["很高兴为您服务", "有什么可以帮您"])"), s)).status == ItemStatus::passed);
  CHECK(req(run(required_item(R"("phrases": ["很高兴为您服务", "有什么可以帮您"], "match": "any")"), s)).status ==
        ItemStatus::passed);
  Report all = run(required_item(R"("phrases": ["您好", "很高兴为您服务", "有什么可以帮您"], "match": "all")"), s);
  REQUIRE(req(all).status == ItemStatus::failed);
  REQUIRE(req(all).findings.size() == 1);  // one finding per missing phrase
  CHECK(req(all).findings[0].explanation.find("很高兴为您服务") != std::string::npos);
  CHECK(req(all).findings[0].explanation.find("您好") == std::string::npos);
  Report none = run(required_item(R"("phrases": ["很高兴", "感谢"], "regex": ["工号\\d+"], "match": "all")"), s);
  CHECK(req(none).findings.size() == 3);
}

TEST_CASE("required_phrase with no message of the role in the window", "[checks][required_phrase]") {
  Report r =
      run(required_item(R"("phrases": ["您好"], "window": {"first_messages": 1})"), chat({{"customer", 0, "在吗"}}));
  REQUIRE(req(r).status == ItemStatus::failed);
  CHECK(req(r).findings[0].at.message == -1);
  CHECK(req(r).findings[0].explanation.rfind("no agent message in", 0) == 0);
}

TEST_CASE("required_phrase windows of a long session (more messages than a window keeps inline)",
          "[checks][required_phrase]") {
  // 150 agent messages, 您好 only in #0, 感谢您的咨询 only in #148: windows
  // of 100 and 140 messages and "last 2" of 150 are selected past the 64
  // indices a window holds without the heap.
  std::vector<chatqa::testing::Line> rows;
  for (int i = 0; i < 150; ++i) {
    std::string text = "第" + std::to_string(i) + "条";
    if (i == 0) text = "您好";
    if (i == 148) text = "感谢您的咨询";
    rows.push_back({"agent", static_cast<double>(i), text});
  }
  const Session s = chat(rows);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"last_messages": 2})"), s)).status ==
        ItemStatus::passed);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"first_messages": 140})"), s)).status ==
        ItemStatus::failed);
  CHECK(req(run(required_item(R"("phrases": ["感谢您的咨询"], "window": {"first_messages": 149})"), s)).status ==
        ItemStatus::passed);
  Report last = run(required_item(R"("phrases": ["您好"], "window": {"last_messages": 100})"), s);
  REQUIRE(req(last).status == ItemStatus::failed);
  CHECK(req(last).findings[0].at.message == 50);  // the window's first message
  CHECK(req(run(required_item(R"("phrases": ["您好"], "window": {"last_messages": 150})"), s)).status ==
        ItemStatus::passed);
  // The whole session: a banned phrase in message 120 is found there.
  rows[120].text = "这个我不知道";
  Report ban =
      run(R"([{"id": "req", "points": 2, "check": {"type": "banned_phrase", "phrases": ["不知道"]}}])", chat(rows));
  REQUIRE(req(ban).findings.size() == 1);
  CHECK(req(ban).findings[0].at.message == 120);
}

// ------------------------------------------------------------- banned_phrase

namespace {
std::string banned_item(const std::string& params, const std::string& extra = "") {
  return R"([{"id": "ban", "points": 5, "per_hit": 1, )" + extra + R"("check": {"type": "banned_phrase", )" + params +
         "}}]";
}
const ItemResult& ban(const Report& r) {
  return item_of(r, "ban");
}
}  // namespace

TEST_CASE("banned_phrase: one finding per occurrence, agent messages only by default", "[checks][banned_phrase]") {
  Report r = run(banned_item(R"("phrases": ["不知道"])"),
                 chat({{"customer", 0, "你不知道吗"}, {"agent", 5, "不知道,真的不知道"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.message == 1);
  CHECK(ban(r).findings[0].at.span_begin == 0);
  CHECK(ban(r).findings[0].at.span_end == 3);
  CHECK(ban(r).findings[1].at.span_begin == 6);
  CHECK(ban(r).findings[1].at.quote == "不知道");
  CHECK(ban(r).findings[1].matched == "不知道");
  CHECK(ban(r).findings[0].explanation == "banned phrase 不知道");
  CHECK(ban(r).deducted == 2);

  Report customers = run(banned_item(R"("phrases": ["不知道"], "role": "customer")"),
                         chat({{"customer", 0, "你不知道吗"}, {"agent", 5, "不知道"}}));
  REQUIRE(ban(customers).findings.size() == 1);
  CHECK(ban(customers).findings[0].at.message == 0);
}

TEST_CASE("banned_phrase in full-width form", "[checks][banned_phrase]") {
  Report r =
      run(banned_item(R"("phrases": ["stupid", "SB"])"), chat({{"agent", 0, "你才是ＳＢ,You are ＳＴＵＰＩＤ!"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.quote == "ＳＢ");
  CHECK(ban(r).findings[0].at.span_begin == 3);
  CHECK(ban(r).findings[0].at.span_end == 5);
  CHECK(ban(r).findings[1].at.quote == "ＳＴＵＰＩＤ");
  CHECK(ban(r).findings[1].at.span_begin == 14);
  CHECK(ban(r).findings[1].at.span_end == 20);

  // A phrase written full-width in the rule matches half-width text too.
  Report rule_fw = run(banned_item(R"("phrases": ["ＡＢＣ"])"), chat({{"agent", 0, "abc"}}));
  CHECK(ban(rule_fw).hits == 1);
}

TEST_CASE("banned_phrase: a longer allowed phrase covering the hit wins", "[checks][banned_phrase]") {
  Report r = run(banned_item(R"("phrases": ["不能"], "allow": ["不能为空"])"),
                 chat({{"agent", 0, "密码不能为空,我不能帮您改"}}));
  REQUIRE(ban(r).findings.size() == 1);
  CHECK(ban(r).findings[0].at.span_begin == 8);
  CHECK(ban(r).findings[0].at.span_end == 10);
  CHECK(ban(r).findings[0].at.quote == "不能");

  // An allowed phrase that only overlaps the hit does not excuse it.
  Report overlap =
      run(banned_item(R"("phrases": ["不知道"], "allow": ["知道了"])"), chat({{"agent", 0, "我不知道了"}}));
  CHECK(ban(overlap).hits == 1);
  // Lexicon from the brief: 不知道 allowed inside 不知道您是否.
  Report brief =
      run(banned_item(R"("phrases": ["@shirking"], "allow": ["不知道您是否"])"),
          chat({{"agent", 0, "不知道您是否方便?这个我不知道"}}), true, R"({"shirking": ["不知道", "不清楚"]})");
  REQUIRE(ban(brief).findings.size() == 1);
  CHECK(ban(brief).findings[0].at.span_begin == 12);
  CHECK(ban(brief).findings[0].explanation == "banned phrase 不知道 (shirking)");
}

TEST_CASE("banned_phrase spans are code points of the original text", "[checks][banned_phrase]") {
  // 😀 and 𠀀 are outside the BMP (4 UTF-8 bytes, 2 UTF-16 units); ｘ is full-width.
  Report r = run(banned_item(R"("phrases": ["不知道"], "regex": ["你.到底"])"),
                 chat({{"agent", 0, "😀𠀀ｘ不知道,😀你们到底想怎样"}}));
  REQUIRE(ban(r).findings.size() == 2);
  CHECK(ban(r).findings[0].at.span_begin == 3);
  CHECK(ban(r).findings[0].at.span_end == 6);
  CHECK(ban(r).findings[0].at.quote == "不知道");
  CHECK(ban(r).findings[1].at.span_begin == 8);
  CHECK(ban(r).findings[1].at.span_end == 12);
  CHECK(ban(r).findings[1].at.quote == "你们到底");
  CHECK(ban(r).findings[1].explanation == "banned phrase /你.到底/");
}

// ------------------------------------------------------------- typo_count

namespace {
std::string typo_item(const std::string& params) {
  return R"([{"id": "typo", "points": 5, "per_hit": 1, "check": {"type": "typo_count", )" + params + "}}]";
}
const ItemResult& typo(const Report& r) {
  return item_of(r, "typo");
}
}  // namespace

TEST_CASE("typo_count: each hit is a finding with its correction", "[checks][typo_count]") {
  Report r = run(typo_item(R"("dictionary": {"帐号": "账号", "登陆": "登录"})"),
                 chat({{"customer", 0, "帐号登陆不了"}, {"agent", 5, "请您重新登陆帐号试试"}}));
  REQUIRE(typo(r).findings.size() == 2);  // the customer's typos are not the agent's
  CHECK(typo(r).findings[0].at.quote == "登陆");
  CHECK(typo(r).findings[0].at.span_begin == 4);
  CHECK(typo(r).findings[0].suggestion == "登录");
  CHECK(typo(r).findings[0].explanation == "typo 登陆 -> 登录");
  CHECK(typo(r).findings[1].suggestion == "账号");
  CHECK(typo(r).deducted == 2);
}

TEST_CASE("typo_count: min_count threshold (homophones count from 2)", "[checks][typo_count]") {
  const std::string item = typo_item(R"("dictionary": "@homophones", "min_count": 2)");
  const std::string lex = R"({"homophones": {"typos": {"在坐": "在座", "即然": "既然"}}})";
  Report one = run(item, chat({{"agent", 0, "即然这样,我帮您处理"}}), true, lex);
  CHECK(typo(one).status == ItemStatus::passed);
  CHECK(typo(one).findings.empty());
  Report two = run(item, chat({{"agent", 0, "即然这样"}, {"agent", 5, "即然您同意"}}), true, lex);
  REQUIRE(typo(two).status == ItemStatus::failed);
  CHECK(typo(two).findings.size() == 2);
  CHECK(typo(two).deducted == 2);
}
