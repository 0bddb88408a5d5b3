// Item logic: all / any / not, the meta / has_role / message_count conditions
// for "when", re-normalising not-applicable items, escalating per_hit; and the
// "window" scopes of the phrase checks.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {
const std::string kNoGreeting =
    R"({"type": "required_phrase", "phrases": ["您好"], "role": "agent", "window": {"first_messages": 1}})";
chatqa::Report report(const std::string& rules_text, const chatqa::Session& s, bool closed = true) {
  auto rs = rules(rules_text);
  chatqa::EvalOptions o;
  o.session_closed = closed;
  return chatqa::evaluate(*rs, s, o);
}
}  // namespace

TEST_CASE("all / any / not", "[checks][logic]") {
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  const std::string all = R"({"type": "all", "checks": [)" + kNoGreeting + "," + banned + "]}";
  const std::string any = R"({"type": "any", "checks": [)" + kNoGreeting + "," + banned + "]}";
  const std::string neg = R"({"type": "not", "check": )" + banned + "}";
  auto both = chat({{"agent", 0, "在的"}, {"agent", 5, "这个我不知道"}});
  auto one = chat({{"agent", 0, "您好"}, {"agent", 5, "这个我不知道"}});
  auto none = chat({{"agent", 0, "您好"}, {"agent", 5, "已经发货了"}});

  auto a = run(one_item(all), both);
  REQUIRE(a.status == ItemStatus::failed);
  CHECK(a.findings.size() == 2);  // the findings of both inner checks
  CHECK(run(one_item(all), one).status == ItemStatus::passed);

  auto y = run(one_item(any), one);
  REQUIRE(y.status == ItemStatus::failed);
  REQUIRE(y.findings.size() == 1);
  CHECK(y.findings[0].at.quote == "不知道");
  CHECK(run(one_item(any), none).status == ItemStatus::passed);

  auto n = run(one_item(neg), none);
  REQUIRE(n.status == ItemStatus::failed);
  REQUIRE(n.findings.size() == 1);
  CHECK(n.findings[0].at.message == -1);
  CHECK_THAT(n.findings[0].explanation, Catch::Contains("banned_phrase"));
  CHECK(run(one_item(neg), one).status == ItemStatus::passed);
  auto custom = run(one_item(R"({"type": "not", "check": )" + banned + R"(, "explanation": "从未说过不知道"})"), none);
  CHECK(custom.findings[0].explanation == "从未说过不知道");

  // Nested: greeting missing AND (banned phrase OR no 您好 at all).
  const std::string nested = R"({"type": "all", "checks": [)" + kNoGreeting + R"(, {"type": "any", "checks": [)" +
                             banned + R"(, {"type": "not", "check": {"type": "contains", "phrases": ["您好"]}}]}]})";
  CHECK(run(one_item(nested), both).status == ItemStatus::failed);
  CHECK(run(one_item(nested), chat({{"agent", 0, "在的"}, {"agent", 5, "您好"}})).status == ItemStatus::passed);
  CHECK(run(one_item(nested), chat({{"agent", 0, "在的"}})).status == ItemStatus::failed);

  // A guard's finding neither counts as a hit nor shows beside the real findings.
  const std::string guarded = R"({"type": "all", "checks": [)" + banned +
                              R"(, {"type": "not", "check": {"type": "meta", "field": "vip", "equals": "true"}}]})";
  auto twice = chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}});
  auto g = run(one_item(guarded, R"(, "per_hit": 1)"), twice);
  REQUIRE(g.status == ItemStatus::failed);
  CHECK(g.hits == 2);
  CHECK(g.deducted == 2);
  for (const auto& f : g.findings) CHECK(f.at.quote == "不知道");
  CHECK(run(one_item(guarded), chat({{"agent", 0, "不知道"}}, R"({"meta": {"vip": true}})")).status ==
        ItemStatus::passed);
  // Only guards fired: their findings stay (the item needs something to show).
  auto only = run(
      one_item(
          R"({"type": "all", "checks": [{"type": "has_role", "role": "agent"}, {"type": "message_count", "max": 5}]})"),
      twice);
  CHECK(only.findings.size() == 2);

  CHECK(has_error(one_item(R"({"type": "all", "checks": []})"), "E0104", "/items/0/check/checks"));
  CHECK(has_error(one_item(R"({"type": "any", "checks": [{"type": "banned_phrase", "phrase": ["x"]}]})"), "E0102",
                  "/items/0/check/checks/0/phrase"));
  CHECK(has_error(one_item(R"({"type": "not", "checks": []})"), "E0102", "/items/0/check/checks"));
  CHECK(has_error(one_item(R"({"type": "not", "check": {"type": "manual"}})"), "E0105", "/items/0/check/check/type"));
}

TEST_CASE("all / any / not: pending and not applicable", "[checks][logic]") {
  const std::string last = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  auto s = chat({{"agent", 0, "这个我不知道"}});
  // Live: "all" of a pending and a firing check is pending; "any" already fired.
  CHECK(run(one_item(R"({"type": "all", "checks": [)" + last + "," + banned + "]}"), s, false).status ==
        ItemStatus::pending);
  CHECK(run(one_item(R"({"type": "any", "checks": [)" + last + "," + banned + "]}"), s, false).status ==
        ItemStatus::failed);
  CHECK(run(one_item(R"({"type": "not", "check": )" + last + "}"), s, false).status == ItemStatus::pending);
  // Not applicable inside: the whole is n/a only when every part is.
  const std::string na = R"({"type": "repetition"})";  // no customer messages: n/a
  CHECK(run(one_item(R"({"type": "not", "check": )" + na + "}"), s).status == ItemStatus::not_applicable);
  CHECK(run(one_item(R"({"type": "any", "checks": [)" + na + "," + banned + "]}"), s).status == ItemStatus::failed);
  CHECK(run(one_item(R"({"type": "all", "checks": [)" + na + "," + banned + "]}"), s).status == ItemStatus::passed);
}

TEST_CASE("any whose findings nobody reads (when, not) decides at its first fired branch", "[checks][logic]") {
  // Under "not" and as an item's "when" only the state of "any" counts, so it
  // stops at the first branch that fires: the outcome must be the one a full
  // evaluation gives, whatever the later branches (pending, n/a, firing) say.
  const std::string last = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  const std::string banned = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  const std::string greet = R"({"type": "required_phrase", "phrases": ["您好"]})";
  const std::string na = R"({"type": "repetition"})";
  const std::string fired_first = R"({"type": "any", "checks": [)" + banned + "," + last + "," + na + "]}";
  const std::string fired_last = R"({"type": "any", "checks": [)" + last + "," + na + "," + banned + "]}";
  auto s = chat({{"agent", 0, "这个我不知道"}});
  for (const std::string& cond : {fired_first, fired_last}) {
    for (bool closed : {true, false}) {
      INFO(cond << (closed ? " closed" : " live"));
      // when: applicable, so the check runs (no 您好: failed)
      CHECK(run(one_item(greet, R"(, "when": )" + cond), s, closed).status == ItemStatus::failed);
      // not: the negated any fired, so the not is clean
      CHECK(run(one_item(R"({"type": "not", "check": )" + cond + "}"), s, closed).status == ItemStatus::passed);
    }
  }
  // Nothing fired yet: live, the pending branch keeps the negation pending; once
  // the chat is closed the missing 再见 fires, so the negation is clean
  auto quiet = chat({{"agent", 0, "您好"}});
  const std::string none = R"({"type": "any", "checks": [)" + banned + "," + last + "]}";
  CHECK(run(one_item(R"({"type": "not", "check": )" + none + "}"), quiet, false).status == ItemStatus::pending);
  CHECK(run(one_item(R"({"type": "not", "check": )" + none + "}"), quiet, true).status == ItemStatus::passed);
  // No branch can fire: the "when" leaves the item not applicable
  const std::string never = R"({"type": "any", "checks": [)" + banned + "," + na + "]}";
  CHECK(run(one_item(greet, R"(, "when": )" + never), quiet, true).status == ItemStatus::not_applicable);
  // The same "any" as an item's check still reports its nearest miss
  auto y = run(one_item(fired_last), s);
  REQUIRE(y.status == ItemStatus::failed);
  CHECK(y.findings.size() == 1);
}

TEST_CASE("conditions for \"when\": meta, has_role, message_count", "[checks][logic]") {
  const std::string check = R"({"type": "banned_phrase", "phrases": ["不知道"]})";
  auto s = chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}},
                R"({"meta": {"channel": "app", "vip": true, "level": 3}})");
  auto status = [&](const std::string& when) { return run(one_item(check, R"(, "when": )" + when), s).status; };
  CHECK(status(R"({"type": "meta", "field": "channel", "equals": "app"})") == ItemStatus::failed);
  CHECK(status(R"({"type": "meta", "field": "channel", "equals": "web"})") == ItemStatus::not_applicable);
  CHECK(status(R"({"type": "meta", "field": "channel", "in": ["web", "app"]})") == ItemStatus::failed);
  CHECK(status(R"({"type": "meta", "field": "vip", "equals": true})") == ItemStatus::failed);
  CHECK(status(R"({"type": "meta", "field": "level", "equals": 3})") == ItemStatus::failed);
  CHECK(status(R"({"type": "meta", "field": "region"})") == ItemStatus::not_applicable);
  CHECK(status(R"({"type": "has_role", "role": "customer"})") == ItemStatus::failed);
  CHECK(status(R"({"type": "has_role", "role": ["bot", "system"]})") == ItemStatus::not_applicable);
  CHECK(status(R"({"type": "message_count", "min": 2})") == ItemStatus::failed);
  CHECK(status(R"({"type": "message_count", "min": 3})") == ItemStatus::not_applicable);
  CHECK(status(R"({"type": "message_count", "max": 1, "role": "agent"})") == ItemStatus::failed);
  CHECK(status(R"({"type": "not", "check": {"type": "meta", "field": "channel", "equals": "web"}})") ==
        ItemStatus::failed);
  CHECK(status(R"({"type": "event", "events": ["survey_sent"]})") == ItemStatus::not_applicable);
  auto surveyed = chat({{"agent", 0, "感谢您的咨询"}, {"system", 5, "", "survey_sent"}});
  const std::string invite = R"({"type": "all", "checks": [
    {"type": "required_phrase", "phrases": ["评价"], "window": {"last_messages": 2}},
    {"type": "not", "check": {"type": "event", "events": ["survey_sent", "survey_pushed"]}}]})";
  CHECK(run(one_item(invite), surveyed).status == ItemStatus::passed);
  CHECK(run(one_item(invite), chat({{"agent", 0, "感谢您的咨询"}})).status == ItemStatus::failed);
  // Agent-only session: an item for chats with a customer does not apply.
  CHECK(run(one_item(check, R"(, "when": {"type": "has_role", "role": "customer"})"), chat({{"agent", 0, "不知道"}}))
            .status == ItemStatus::not_applicable);
  CHECK(has_error(one_item(check, R"(, "when": {"type": "meta", "field": "channel", "equal": "web"})"), "E0102",
                  "/items/0/when/equal"));
  CHECK(has_error(one_item(check, R"(, "when": {"type": "has_role"})"), "E0103", "/items/0/when"));
  CHECK(has_error(one_item(check, R"(, "when": {"type": "message_count", "min": 5, "max": 2})"), "E0105",
                  "/items/0/when/max"));
}

TEST_CASE("renormalize_not_applicable and escalating per_hit", "[checks][logic]") {
  const std::string items = R"(, "items": [
    {"id": "web_only", "points": 40, "when": {"type": "meta", "field": "channel", "equals": "web"},
     "check": {"type": "banned_phrase", "phrases": ["不知道"]}},
    {"id": "address", "points": 60, "per_hit": [10, 20, 30], "check": {"type": "address_form", "avoid": ["你"]}}]})";
  const std::string plain = R"({"name": "t", "version": "1", "total": 100)" + items;
  const std::string renorm =
      R"({"name": "t", "version": "1", "total": 100, "options": {"renormalize_not_applicable": true})" + items;
  auto app = chat({{"agent", 0, "你好,你的订单到了"}}, R"({"meta": {"channel": "app"}})");
  auto r1 = report(plain, app);
  CHECK(item(r1, "web_only").status == ItemStatus::not_applicable);
  CHECK(item(r1, "address").hits == 2);
  CHECK(item(r1, "address").deducted == 30);  // 10 + 20
  CHECK(r1.score == 70);
  auto r2 = report(renorm, app);
  CHECK(r2.score == Approx(50));  // (60 - 30) / 60 * 100
  auto many = chat({{"agent", 0, "你你你你你"}}, R"({"meta": {"channel": "web"}})");
  auto r3 = report(plain, many);
  CHECK(item(r3, "address").deducted == 60);  // 10 + 20 + 30 + 30 + 30, capped at the item's points
  CHECK(report(renorm, many).score == 40);    // web: nothing n/a, no re-normalising
}

TEST_CASE("window scopes on banned_phrase / contains / required_phrase", "[checks][scope]") {
  auto s = chat({{"agent", 0, "您好,很高兴为您服务"},
                 {"customer", 10, "我要退货"},
                 {"agent", 20, "好的,我帮您处理"},
                 {"customer", 200, "没有了"},
                 {"agent", 210, "再见"},
                 {"agent", 215, "祝您生活愉快"}});
  auto count = [&](const std::string& check) { return run(one_item(check), s).findings.size(); };
  // first / last N of the role
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"first_messages": 1}})") == 2);
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"last_messages": 2}})") == 1);
  // before / after another phrase (anchor role: customer)
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"before": {"phrases": ["没有了"], "role": "customer"}}})") ==
      0);
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"after": {"phrases": ["退货"], "role": "customer"}}})") ==
      1);
  CHECK(
      count(
          R"({"type": "banned_phrase", "phrases": ["您"], "window": {"after": {"phrases": ["退货"], "role": "customer"}, "before": {"phrases": ["没有了"], "role": "customer"}}})") ==
      1);
  // time windows
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"first_seconds": 30}})") == 3);
  CHECK(count(R"({"type": "contains", "phrases": ["您"], "window": {"last_seconds": 10}})") == 1);
  // an "after" anchor that never occurs: not applicable
  CHECK(
      run(one_item(
              R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"after": {"phrases": ["投诉"], "role": "customer"}}})"),
          s)
          .status == ItemStatus::not_applicable);
  // required_phrase in the last 10 s, and required before the customer's 没有了
  CHECK(run(one_item(R"({"type": "required_phrase", "phrases": ["祝您生活愉快"], "window": {"last_seconds": 10}})"), s)
            .status == ItemStatus::passed);
  auto before = run(
      one_item(
          R"({"type": "required_phrase", "phrases": ["还有什么可以帮"], "window": {"before": {"phrases": ["没有了"], "role": "customer"}}})"),
      s);
  REQUIRE(before.status == ItemStatus::failed);
  CHECK_THAT(before.findings[0].explanation, Catch::Contains("before 没有了"));
  // live: a window on the end of the chat is pending
  CHECK(run(one_item(R"({"type": "banned_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})"), s, false)
            .status == ItemStatus::pending);
  CHECK(has_error(one_item(R"({"type": "banned_phrase", "phrases": ["x"], "window": {"first_message": 1}})"), "E0102",
                  "/items/0/check/window/first_message"));
  CHECK(has_error(
      one_item(R"({"type": "banned_phrase", "phrases": ["x"], "window": {"first_messages": 1, "last_messages": 1}})"),
      "E0105", "/items/0/check/window/last_messages"));
  CHECK(has_error(one_item(R"({"type": "required_phrase", "phrases": ["x"], "window": {}})"), "E0105",
                  "/items/0/check/window"));
}
