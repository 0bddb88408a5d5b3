// Scoring: per_hit up to the cap, escalating per_hit, fatal, bonus capped at
// the total, manual and not_applicable items, linked ("also") items, live
// scoring.
#include <catch2/catch.hpp>

#include "core_helpers.hpp"

using namespace chatqa;
using chatqa::testing::chat;
using chatqa::testing::item_of;
using chatqa::testing::run;

namespace {

// An item that costs one hit per 不知道 in agent messages.
std::string shirking(const std::string& id, const std::string& scoring) {
  return R"({"id": ")" + id + R"(", "points": )" + scoring +
         R"(, "check": {"type": "banned_phrase", "phrases": ["不知道"]}})";
}

Session with_hits(int hits) {
  std::vector<chatqa::testing::Line> lines{{"customer", 0, "在吗"}};
  for (int i = 0; i < hits; ++i) lines.push_back({"agent", 5.0 + i, "这个我不知道"});
  return chat(lines);
}

}  // namespace

TEST_CASE("without per_hit any hit costs the whole points", "[scoring]") {
  for (int hits : {1, 3}) {
    Report r = run("[" + shirking("a", "5") + "]", with_hits(hits));
    CHECK(item_of(r, "a").deducted == 5);
    CHECK(item_of(r, "a").hits == static_cast<std::size_t>(hits));
    CHECK(r.score == 95);
  }
  Report clean = run("[" + shirking("a", "5") + "]", with_hits(0));
  CHECK(item_of(clean, "a").status == ItemStatus::passed);
  CHECK(clean.score == 100);
}

TEST_CASE("per_hit accumulates up to the item's points", "[scoring]") {
  const std::string items = "[" + shirking("a", R"(5, "per_hit": 2)") + "]";
  const double expected[] = {0, 2, 4, 5, 5};
  for (int hits = 1; hits <= 4; ++hits) {
    INFO(hits << " hits");
    Report r = run(items, with_hits(hits));
    CHECK(item_of(r, "a").deducted == expected[hits]);
    CHECK(r.score == 100 - expected[hits]);
  }
  Report half = run("[" + shirking("a", R"(5, "per_hit": 0.5)") + "]", with_hits(3));
  CHECK(half.score == 98.5);
}

TEST_CASE("an escalating per_hit list repeats its last entry", "[scoring]") {
  const std::string items = "[" + shirking("a", R"(10, "per_hit": [1, 2, 4])") + "]";
  const double expected[] = {0, 1, 3, 7, 10, 10};  // 1+2+4+4 = 11 is capped at 10
  for (int hits = 1; hits <= 5; ++hits) {
    INFO(hits << " hits");
    CHECK(item_of(run(items, with_hits(hits)), "a").deducted == expected[hits]);
  }
}

TEST_CASE("a fatal item scores the whole session 0", "[scoring]") {
  const std::string items = "[" + shirking("minor", R"(2, "per_hit": 1)") + R"(,
    {"id": "fatal_words", "points": 100, "severity": "fatal", "check": {"type": "banned_phrase", "phrases": ["爱买不买"]}}])";
  Report r = run(items, chat({{"customer", 0, "能便宜点吗"}, {"agent", 5, "爱买不买"}}));
  CHECK(r.fatal);
  CHECK(r.score == 0);
  CHECK(item_of(r, "fatal_words").status == ItemStatus::failed);
  CHECK(item_of(r, "fatal_words").severity == ItemSeverity::fatal);
  CHECK(to_json(r).find(R"("score":0,"fatal":true)") != std::string::npos);

  Report ok = run(items, chat({{"customer", 0, "能便宜点吗"}, {"agent", 5, "不知道"}}));
  CHECK_FALSE(ok.fatal);
  CHECK(ok.score == 99);

  // A fatal item with few points still zeroes the score.
  Report small = run(R"([{"id": "f", "points": 1, "severity": "fatal", "check": {"type": "banned_phrase", "phrases": ["滚"]}}])",
                     chat({{"agent", 0, "滚"}}));
  CHECK(small.fatal);
  CHECK(small.score == 0);
}

TEST_CASE("bonus items add points but never above the total", "[scoring]") {
  const std::string items = "[" + shirking("minor", R"(5, "per_hit": 1)") + R"(,
    {"id": "closed_sale", "points": 2, "bonus": true, "check": {"type": "contains", "phrases": ["已为您下单"]}}])";
  Report full = run(items, chat({{"customer", 0, "买"}, {"agent", 5, "已为您下单"}}));
  CHECK(item_of(full, "closed_sale").status == ItemStatus::failed);  // "fired"; the report says bonus
  CHECK(item_of(full, "closed_sale").awarded == 2);
  CHECK(item_of(full, "closed_sale").deducted == 0);
  CHECK(full.score == 100);
  CHECK(to_json(full).find(R"("status":"bonus","awarded":2)") != std::string::npos);

  Report partial = run(items, chat({{"customer", 0, "买"}, {"agent", 5, "不知道,已为您下单"}, {"agent", 6, "不知道"}}));
  CHECK(item_of(partial, "minor").deducted == 2);
  CHECK(partial.score == 100);  // 98 + 2
  Report more = run(items, chat({{"customer", 0, "买"}, {"agent", 5, "不知道不知道不知道,已为您下单"}}));
  CHECK(more.score == 99);  // 97 + 2
  Report none = run(items, chat({{"customer", 0, "买"}, {"agent", 5, "不知道"}}));
  CHECK(item_of(none, "closed_sale").status == ItemStatus::passed);
  CHECK(none.score == 99);
}

TEST_CASE("manual items are listed for review, never scored", "[scoring]") {
  Report r = run(R"([{"id": "tone", "title": "服务态度", "category": "服务态度", "points": 18, "check": {"type": "manual", "note": "听录音"}}])",
                 chat({{"customer", 0, "在吗"}, {"agent", 5, "在"}}));
  const ItemResult& tone = item_of(r, "tone");
  CHECK(tone.status == ItemStatus::manual_review);
  CHECK(tone.deducted == 0);
  CHECK(tone.findings.empty());
  CHECK(r.score == 100);
  CHECK(to_json(r).find(R"({"id":"tone","title":"服务态度","category":"服务态度","status":"manual_review"})") !=
        std::string::npos);
}

TEST_CASE("not_applicable items are neither passed nor failed", "[scoring]") {
  Report r = run(R"([{"id": "first_reply", "points": 2, "check": {"type": "response_time", "mode": "first", "limit_seconds": 30}}])",
                 chat({{"agent", 0, "您好"}, {"system", 5, "会话结束"}}));
  CHECK(item_of(r, "first_reply").status == ItemStatus::not_applicable);
  CHECK(item_of(r, "first_reply").deducted == 0);
  CHECK(r.score == 100);
  CHECK(to_json(r).find(R"("status":"not_applicable")") != std::string::npos);
}

TEST_CASE("linked items (also, 两项并扣) are deducted together", "[scoring]") {
  const std::string items = R"([
    {"id": "no_greeting", "points": 2, "also": ["no_name"], "check": {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}},
    {"id": "no_name", "points": 3, "check": {"type": "required_phrase", "phrases": ["工号"], "window": {"first_messages": 1}}}])";
  // Greeting missing: both go, even though the ID was given.
  Report both = run(items, chat({{"customer", 0, "在吗"}, {"agent", 5, "工号1234为您服务"}}));
  CHECK(item_of(both, "no_greeting").deducted == 2);
  const ItemResult& linked = item_of(both, "no_name");
  CHECK(linked.status == ItemStatus::failed);
  CHECK(linked.deducted == 3);
  CHECK(linked.also_of == "no_greeting");
  REQUIRE(linked.findings.size() == 1);
  CHECK(linked.findings[0].explanation == "deducted together with item no_greeting");
  CHECK(both.score == 95);
  CHECK(to_json(both).find(R"("also_of":"no_greeting")") != std::string::npos);

  // The link is one way: the ID missing alone costs only its own points.
  Report one = run(items, chat({{"customer", 0, "在吗"}, {"agent", 5, "您好"}}));
  CHECK(item_of(one, "no_greeting").status == ItemStatus::passed);
  CHECK(item_of(one, "no_name").deducted == 3);
  CHECK(item_of(one, "no_name").also_of.empty());
  CHECK(one.score == 97);
}

TEST_CASE("linked deductions do not chain, whatever the item order", "[scoring]") {
  // a -> b -> c: only a fails on its own. b is taken with a; c is not taken
  // with b (b did not fail on its own). The result must not depend on order.
  const std::string a = R"({"id": "a", "points": 1, "also": ["b"], "check": {"type": "banned_phrase", "phrases": ["不知道"]}})";
  const std::string b = R"({"id": "b", "points": 2, "also": ["c"], "check": {"type": "banned_phrase", "phrases": ["爱买不买"]}})";
  const std::string c = R"({"id": "c", "points": 4, "check": {"type": "banned_phrase", "phrases": ["滚"]}})";
  const Session s = chat({{"agent", 0, "不知道"}});
  for (const std::string& items : {"[" + a + "," + b + "," + c + "]", "[" + c + "," + b + "," + a + "]"}) {
    INFO(items);
    Report r = run(items, s);
    CHECK(item_of(r, "b").deducted == 2);
    CHECK(item_of(r, "c").status == ItemStatus::passed);
    CHECK(r.score == 97);
  }
}

TEST_CASE("the score is floored at 0 and rounded to cents", "[scoring]") {
  Report r = run("[" + shirking("a", "60") + "," + shirking("b", "60") + "]", with_hits(1));
  CHECK(r.score == 0);
  CHECK_FALSE(r.fatal);
  Report third = run("[" + shirking("a", R"(1, "per_hit": 0.333)") + "]", with_hits(1));
  CHECK(third.score == 99.67);
}

TEST_CASE("live scoring: undecidable items are pending, not failed", "[scoring]") {
  const std::string items = R"([
    {"id": "closing", "points": 2, "check": {"type": "required_phrase", "phrases": ["感谢您的咨询"], "window": {"last_messages": 1}}},
    {"id": "each_reply", "points": 3, "check": {"type": "response_time", "mode": "each", "limit_seconds": 30, "unanswered": "violation"}},
    {"id": "banned", "points": 5, "check": {"type": "banned_phrase", "phrases": ["不知道"]}}])";
  const Session running = chat({{"customer", 0, "在吗"}, {"agent", 5, "不知道"}, {"customer", 10, "啊?"}});
  Report live = run(items, running, false);
  CHECK(item_of(live, "closing").status == ItemStatus::pending);
  CHECK(item_of(live, "each_reply").status == ItemStatus::pending);
  CHECK(item_of(live, "banned").status == ItemStatus::failed);  // already certain
  CHECK(live.score == 95);
  CHECK(to_json(live).find(R"({"id":"closing","title":"closing","category":"","status":"pending"})") != std::string::npos);

  Report closed = run(items, running, true);
  CHECK(item_of(closed, "closing").status == ItemStatus::failed);
  CHECK(item_of(closed, "each_reply").status == ItemStatus::failed);
  CHECK(closed.score == 90);
}

TEST_CASE("evaluate takes sessions built by hand, never throws", "[scoring]") {
  auto rules = chatqa::testing::rules_ok(chatqa::testing::rule_set(R"([
    {"id": "rt", "points": 2, "check": {"type": "response_time", "mode": "first", "limit_seconds": 30}},
    {"id": "greet", "points": 2, "check": {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}},
    {"id": "ban", "points": 2, "check": {"type": "banned_phrase", "phrases": ["不知道"]}}])"));
  Session s;
  s.id = "hand";
  Message agent;
  agent.role = Role::agent;
  agent.time.epoch_ms = 60000;
  agent.text = "您好,不知道";
  Message customer;
  customer.role = Role::customer;
  customer.time.epoch_ms = 0;
  customer.text = "在吗";
  s.messages = {agent, customer};  // out of order
  Report r = evaluate(*rules, s);
  CHECK(r.error.empty());
  REQUIRE(item_of(r, "rt").findings.size() == 1);
  CHECK(item_of(r, "rt").findings[0].value == 60);
  CHECK(item_of(r, "ban").findings[0].at.message == 1);
  CHECK(item_of(r, "greet").status == ItemStatus::passed);

  // No messages, and text that is not valid UTF-8.
  Session empty;
  empty.id = "empty";
  REQUIRE_NOTHROW(evaluate(*rules, empty));
  CHECK(item_of(evaluate(*rules, empty), "rt").status == ItemStatus::not_applicable);
  Session bad = s;
  bad.messages[0].text = "不知\xE9\x81";
  bad.messages[1].text = "\xFF\xFE不知道\xC3";
  Report br;
  REQUIRE_NOTHROW(br = evaluate(*rules, bad));
  REQUIRE_NOTHROW(to_json(br));
  REQUIRE_NOTHROW(to_text(br, &bad));
}
