// LiveSession: a chat fed message by message gives, after every message, the
// report evaluate() gives on the chat so far (live), and on close the batch
// report of the whole chat; due() warns before deadlines run out.
#include <algorithm>
#include <fstream>
#include <random>

#include "chatqa/live.hpp"
#include "core_helpers.hpp"

using namespace chatqa;
using namespace chatqa::testing;

namespace {

const JsonReportOptions kAllItems{true, false};

std::shared_ptr<const RuleSet> shipped(const std::string& path) {
  CompileResult r = compile_rule_file(source_dir() + "/" + path);
  REQUIRE(r.ok());
  return r.rule_set;
}

// Message texts and events of the bundled example chats, by role: the
// material random sessions are made of.
struct Material {
  std::vector<Message> messages;
};

Material material_of(const std::vector<std::string>& files) {
  Material m;
  for (const std::string& file : files) {
    std::ifstream in(source_dir() + "/" + file);
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      for (Message& msg : session_ok(line).messages) m.messages.push_back(std::move(msg));
    }
  }
  REQUIRE(m.messages.size() > 50);
  return m;
}

// A random session: texts drawn from the material with random roles now and
// then, gaps of 0 to 150 s (equal times included), and now and then a
// message that arrives late (earlier than the one before it).
Session random_session(std::mt19937& rng, const Material& material, std::size_t length) {
  Session s;
  s.id = "R-" + std::to_string(rng() % 100000);
  s.agent = "A102";
  std::int64_t t = 1714528800000;
  std::uniform_int_distribution<std::size_t> pick(0, material.messages.size() - 1);
  for (std::size_t i = 0; i < length; ++i) {
    Message m = material.messages[pick(rng)];
    if (rng() % 5 == 0) m.role = static_cast<Role>(rng() % 4);
    const unsigned gap = rng() % 8;
    t += gap == 0 ? 0 : gap < 6 ? static_cast<std::int64_t>(rng() % 40000) : static_cast<std::int64_t>(rng() % 150000);
    m.time.epoch_ms = rng() % 10 == 0 ? t - static_cast<std::int64_t>(rng() % 60000) : t;
    m.time.utc_offset_minutes = 480;
    m.input_index = i;
    s.messages.push_back(std::move(m));
  }
  return s;
}

// The session as evaluate() sees the first `n` messages given in input order.
Session prefix_of(const Session& s, std::size_t n) {
  Session p = s;
  p.messages.resize(n);
  p.sort_messages();
  return p;
}

std::string live_json(const RuleSet& rules, const Session& s) {
  EvalOptions live;
  live.session_closed = false;
  return to_json(evaluate(rules, s, live), kAllItems);
}

}  // namespace

TEST_CASE("a live session fed message by message equals evaluate, after every message and closed", "[live]") {
  const Material material = material_of({"examples/chats/zh-CN/online.jsonl", "examples/chats/zh-CN/hotline.jsonl",
                                         "examples/chats/en-US/support.jsonl"});
  const std::vector<std::string> rule_files = {"rules/zh-CN/online-chat.json", "rules/zh-CN/hotline.json",
                                               "rules/en-US/support.json"};
  std::mt19937 rng(20241207);
  int sessions = 0;
  for (const std::string& file : rule_files) {
    const auto rules = shipped(file);
    for (int round = 0; round < 40; ++round) {
      const std::size_t length = 1 + rng() % (round < 30 ? 25 : 70);
      const Session whole = random_session(rng, material, length);
      // The header brings the first few messages now and then (a session
      // picked up part way).
      const std::size_t in_header = rng() % 4 == 0 ? rng() % (length + 1) : 0;
      Session header = whole;
      header.messages.resize(in_header);
      LiveSession live(rules, header);
      INFO(file << " round " << round << ": " << length << " messages, " << in_header << " in the header");
      CHECK(to_json(live.report(), kAllItems) == live_json(*rules, prefix_of(whole, in_header)));
      for (std::size_t i = in_header; i < length; ++i) {
        const Report& so_far = live.add(whole.messages[i]);
        INFO("after message " << i);
        REQUIRE(to_json(so_far, kAllItems) == live_json(*rules, prefix_of(whole, i + 1)));
      }
      Session sorted = whole;
      sorted.sort_messages();
      CHECK(to_json(live.close(), kAllItems) == to_json(evaluate(*rules, sorted), kAllItems));
      CHECK(to_json(live.close()) == to_json(evaluate(*rules, sorted)));  // closing again: the same
      ++sessions;
    }
  }
  CHECK(sessions == 120);
}

TEST_CASE("end-of-chat items are pending while the chat runs", "[live]") {
  const auto rules = shipped("rules/zh-CN/online-chat.json");
  Session header;
  header.id = "L-1";
  header.agent = "A102";
  LiveSession live(rules, header);
  CHECK(live.report().message_count == 0);
  Message m;
  m.role = Role::customer;
  m.text = "在吗?";
  m.time.epoch_ms = 1714528800000;
  m.time.utc_offset_minutes = 480;
  const Report& r = live.add(m);
  CHECK(r.error.empty());
  CHECK(item_of(r, "first_reply").status == ItemStatus::pending);
  const Report& closed = live.close();
  CHECK(item_of(closed, "first_reply").status == ItemStatus::failed);
  CHECK(live.closed());
  // After close, adding changes nothing.
  m.role = Role::agent;
  m.time.epoch_ms += 5000;
  CHECK(live.add(m).message_count == 1);
}

TEST_CASE("due() warns before the first reply and a hold run out", "[live]") {
  const auto rules = shipped("rules/zh-CN/online-chat.json");
  Session header;
  header.id = "L-2";
  LiveSession live(rules, header);
  const std::int64_t t0 = 1714528800000;  // 2024-05-01T10:00:00+08:00
  auto message = [&](Role role, const char* text, std::int64_t at) {
    Message m;
    m.role = role;
    m.text = text;
    m.time.epoch_ms = at;
    m.time.utc_offset_minutes = 480;
    return m;
  };
  live.add(message(Role::customer, "在吗?我的订单还没发货", t0));
  // 20 s of 30: nothing yet; 25 s of 30: the first reply is due.
  CHECK(live.due(t0 + 20000).empty());
  std::vector<DueWarning> due = live.due(t0 + 25000);
  REQUIRE(due.size() == 2);  // first_reply and each_reply share the clock
  CHECK(due[0].item == "first_reply");
  CHECK(due[0].kind == "reply");
  CHECK(due[0].message == 0);
  CHECK(due[0].since == "2024-05-01T10:00:00+08:00");
  CHECK(due[0].deadline == "2024-05-01T10:00:30+08:00");
  CHECK(due[0].limit_seconds == 30);
  CHECK(due[0].remaining_seconds == 5);
  CHECK(due[0].explanation == "first reply to message #0 due by 2024-05-01T10:00:30+08:00 (limit 30 s): 5 s left");
  CHECK(due[1].item == "each_reply");
  // Missed: still listed, with negative time left.
  due = live.due(t0 + 33000);
  REQUIRE(!due.empty());
  CHECK(due[0].remaining_seconds == -3);
  CHECK(due[0].explanation.find("3 s late") != std::string::npos);

  // The agent answers and asks the customer to wait: the hold's 2 minutes run.
  live.add(message(Role::agent, "您好,很高兴为您服务,请您稍等,我帮您查询一下", t0 + 10000));
  CHECK(live.due(t0 + 11000).empty());
  due = live.due(t0 + 10000 + 100000);  // 20 s of 120 left
  REQUIRE(due.size() == 1);
  CHECK(due[0].item == "wait_return");
  CHECK(due[0].kind == "follow_up");
  CHECK(due[0].message == 1);
  CHECK(due[0].remaining_seconds == 20);
  // The agent comes back: nothing is due any more.
  live.add(message(Role::agent, "感谢您的耐心等待,已经为您查到了", t0 + 60000));
  CHECK(live.due(t0 + 200000).empty());
  live.close();
  CHECK(live.due(t0 + 200000).empty());
}

TEST_CASE("a late message takes its place by time, as in the batch report", "[live]") {
  const auto rules = shipped("rules/zh-CN/online-chat.json");
  Session header;
  header.id = "L-3";
  LiveSession live(rules, header);
  const std::int64_t t0 = 1714528800000;
  Session whole;
  whole.id = "L-3";
  for (auto [role, text, at] :
       std::vector<std::tuple<Role, const char*, std::int64_t>>{{Role::customer, "你好", t0},
                                                                {Role::agent, "我不知道", t0 + 40000},
                                                                {Role::agent, "您好,很高兴为您服务", t0 + 20000},
                                                                {Role::customer, "好的", t0 + 20000}}) {
    Message m;
    m.role = role;
    m.text = text;
    m.time.epoch_ms = at;
    m.time.utc_offset_minutes = 480;
    live.add(m);
    whole.messages.push_back(m);
  }
  whole.sort_messages();
  REQUIRE(live.session().messages.size() == 4);
  CHECK(live.session().messages[1].text == "您好,很高兴为您服务");
  CHECK(live.session().messages[2].text == "好的");
  CHECK(to_json(live.close(), kAllItems) == to_json(evaluate(*rules, whole), kAllItems));
}
