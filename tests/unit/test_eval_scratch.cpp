// EvalScratch: evaluate() with reused working memory gives the same reports
// as without, whatever the scratch held before.
#include <fstream>
#include <sstream>
#include <thread>

#include "core_helpers.hpp"

using namespace chatqa;
using namespace chatqa::testing;

namespace {

// Reports with their passed items, compact (options set by name).
JsonReportOptions with_passed() {
  JsonReportOptions options;
  options.include_passed = true;
  return options;
}

std::shared_ptr<const RuleSet> shipped_online_chat() {
  CompileResult r = compile_rule_file(source_dir() + "/rules/zh-CN/online-chat.json");
  REQUIRE(r.ok());
  return r.rule_set;
}

// The bundled example chats, one session per line.
std::vector<Session> example_sessions() {
  std::ifstream in(source_dir() + "/examples/chats/zh-CN/online.jsonl");
  REQUIRE(in);
  std::vector<Session> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(session_ok(line));
  }
  REQUIRE(out.size() >= 5);
  return out;
}

Session session_of(const std::vector<std::pair<Role, std::string>>& turns, long start_ms = 1714500000000) {
  Session s;
  s.id = "scratch";
  long t = start_ms;
  for (const auto& [role, text] : turns) {
    Message m;
    m.role = role;
    m.text = text;
    m.time.epoch_ms = t;
    m.time.utc_offset_minutes = 480;
    s.messages.push_back(std::move(m));
    t += 5000;
  }
  return s;
}

}  // namespace

TEST_CASE("a reused EvalScratch gives the reports of a fresh evaluation", "[report][scratch]") {
  const auto rules = shipped_online_chat();
  const std::vector<Session> sessions = example_sessions();
  EvalScratch scratch;
  // Forwards, backwards, and each session twice in a row: long sessions
  // after short ones and the other way round leave stale entries behind.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < sessions.size(); ++i) order.push_back(i);
  for (std::size_t i = sessions.size(); i-- > 0;) {
    order.push_back(i);
    order.push_back(i);
  }
  for (std::size_t i : order) {
    INFO("session " << sessions[i].id);
    const std::string fresh = to_json(evaluate(*rules, sessions[i]), with_passed());
    const std::string reused = to_json(evaluate(*rules, sessions[i], scratch), with_passed());
    CHECK(reused == fresh);
  }
}

TEST_CASE("stale normalised text and hits never leak into the next session", "[report][scratch]") {
  const auto rules = rules_ok(rule_set(R"([
    {"id": "banned", "title": "banned", "points": 5, "check": {"type": "banned_phrase", "phrases": ["不知道"], "role": "agent"}},
    {"id": "trad", "title": "trad", "points": 5,
     "check": {"type": "banned_phrase", "phrases": ["没办法"], "role": "agent", "normalize": {"traditional": true}}}
  ])"));
  // Message 1 has a banned phrase and a Traditional form; the next session's
  // message 1 is clean and shorter, so a stale entry would show.
  const Session dirty = session_of({{Role::customer, "在吗"}, {Role::agent, "我不 知 道，沒辦法處理"}});
  const Session clean = session_of({{Role::customer, "在吗"}, {Role::agent, "好的"}});
  EvalScratch scratch;
  const Report first = evaluate(*rules, dirty, scratch);
  CHECK(item_of(first, "banned").status == ItemStatus::failed);
  CHECK(item_of(first, "trad").status == ItemStatus::failed);
  const Report second = evaluate(*rules, clean, scratch);
  CHECK(item_of(second, "banned").status == ItemStatus::passed);
  CHECK(item_of(second, "trad").status == ItemStatus::passed);
  const Report third = evaluate(*rules, dirty, scratch);
  CHECK(to_json(third) == to_json(first));
  CHECK(item_of(third, "banned").findings.at(0).at.quote == "不 知 道");
}

TEST_CASE("EvalScratch survives a huge session, a move, and one per thread", "[report][scratch]") {
  const auto rules = shipped_online_chat();
  const std::vector<Session> sessions = example_sessions();
  EvalScratch scratch;
  // More text than kKeepBytes: evaluated, then the memory is released.
  std::string huge;
  while (huge.size() <= EvalScratch::kKeepBytes) huge += "您好，请稍等，我帮您查询一下订单。";
  const Session big = session_of({{Role::customer, "在吗"}, {Role::agent, huge}});
  CHECK(to_json(evaluate(*rules, big, scratch)) == to_json(evaluate(*rules, big)));
  CHECK(to_json(evaluate(*rules, sessions[0], scratch)) == to_json(evaluate(*rules, sessions[0])));

  EvalScratch moved = std::move(scratch);
  CHECK(to_json(evaluate(*rules, sessions[1], moved)) == to_json(evaluate(*rules, sessions[1])));
  // The moved-from scratch still works (it gets new working memory).
  CHECK(to_json(evaluate(*rules, sessions[1], scratch)) == to_json(evaluate(*rules, sessions[1])));

  std::vector<std::string> expected;
  for (const Session& s : sessions) expected.push_back(to_json(evaluate(*rules, s)));
  std::vector<std::vector<std::string>> got(2);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      EvalScratch own;
      for (int round = 0; round < 3; ++round) {
        for (const Session& s : sessions) got[t].push_back(to_json(evaluate(*rules, s, own)));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < 2; ++t) {
    REQUIRE(got[t].size() == 3 * sessions.size());
    for (std::size_t k = 0; k < got[t].size(); ++k) CHECK(got[t][k] == expected[k % sessions.size()]);
  }
}

TEST_CASE("a reused Report is overwritten completely by the next evaluation", "[report][scratch]") {
  const auto shipped = shipped_online_chat();
  const auto small = rules_ok(rule_set(R"([
    {"id": "rude", "title": "rude", "points": 10, "severity": "fatal",
     "check": {"type": "banned_phrase", "phrases": ["滚"], "role": "agent"}},
    {"id": "greet", "title": "greet", "points": 5,
     "check": {"type": "required_phrase", "phrases": ["您好"], "role": "agent"}}
  ])"));
  const Session fatal = session_of({{Role::customer, "在吗"}, {Role::agent, "滚"}});
  const Session fine = session_of({{Role::customer, "在吗"}, {Role::agent, "您好，请问有什么可以帮您"}});
  const Session empty;
  std::vector<Session> sessions = example_sessions();
  sessions.insert(sessions.begin(), fatal);
  sessions.push_back(empty);
  sessions.push_back(fine);

  EvalScratch scratch;
  Report report;
  // Alternate the rule sets (30-odd items, then 2) and the sessions, so every
  // field, item array and finding list of the previous report differs.
  for (int round = 0; round < 2; ++round) {
    for (const Session& s : sessions) {
      for (const RuleSet* rules : {shipped.get(), small.get()}) {
        INFO("session " << s.id << " items " << rules->items().size());
        evaluate(*rules, s, scratch, report);
        const Report fresh = evaluate(*rules, s);
        CHECK(to_json(report, with_passed()) == to_json(fresh, with_passed()));
        CHECK(report.fatal == fresh.fatal);
        CHECK(report.items.size() == rules->items().size());
      }
    }
  }
  evaluate(*small, fatal, scratch, report);
  CHECK(report.fatal);
  CHECK(report.score == 0);
  evaluate(*small, fine, scratch, report);
  CHECK_FALSE(report.fatal);
  CHECK(report.score == report.total);
  CHECK(item_of(report, "rude").findings.empty());
  CHECK(item_of(report, "greet").status == ItemStatus::passed);
}

TEST_CASE("a report's findings lend their memory to the next report's, field by field cleared", "[report][scratch]") {
  // evaluate() into a kept report reuses the memory of the last report's
  // findings for new ones, of any item. The typo item comes last, so its
  // findings (suggestion, quote, span) are the first reused, by the next
  // session's late reply (related message, value) and banned phrase; the
  // late reply's (related, value) then go to findings without them.
  const auto rules = rules_ok(rule_set(R"([
    {"id": "late", "points": 5, "per_hit": 1, "check": {"type": "response_time", "mode": "each", "limit_seconds": 30}},
    {"id": "banned", "points": 5, "per_hit": 1, "check": {"type": "banned_phrase", "phrases": ["不知道"], "role": "agent"}},
    {"id": "typo", "points": 5, "per_hit": 1, "check": {"type": "typo_count", "dictionary": {"登陆": "登录"}}}
  ])"));
  const Session typos = session_of({{Role::customer, "登陆不了"}, {Role::agent, "请重新登陆,登陆后再试"}});
  const Session late =
      chat({{"customer", 0, "在吗"}, {"agent", 60, "我不知道"}, {"customer", 70, "?"}, {"agent", 75, "好的"}});
  const Session banned = session_of({{Role::customer, "在吗"}, {Role::agent, "不知道,不知道"}});
  EvalScratch scratch;
  Report report;
  for (const Session* s : {&typos, &late, &banned, &typos, &banned, &late, &late, &typos}) {
    INFO("session " << s->messages.at(1).text);
    evaluate(*rules, *s, scratch, report);
    const Report fresh = evaluate(*rules, *s);
    CHECK(to_json(report, with_passed()) == to_json(fresh, with_passed()));
    REQUIRE(report.items.size() == fresh.items.size());
    for (std::size_t i = 0; i < fresh.items.size(); ++i) {
      REQUIRE(report.items[i].findings.size() == fresh.items[i].findings.size());
      for (std::size_t k = 0; k < fresh.items[i].findings.size(); ++k) {
        const Finding& a = report.items[i].findings[k];
        const Finding& b = fresh.items[i].findings[k];
        CHECK(a.suggestion == b.suggestion);
        CHECK(a.matched == b.matched);
        CHECK(a.explanation == b.explanation);
        CHECK(a.at.quote == b.at.quote);
        CHECK(a.at.span.has_value() == b.at.span.has_value());
        CHECK(a.value == b.value);
        CHECK(a.related.has_value() == b.related.has_value());
      }
    }
  }
  CHECK(item_of(report, "typo").findings.size() == 2);
}
