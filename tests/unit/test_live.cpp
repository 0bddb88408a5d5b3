// LiveSession: a chat fed message by message gives, after every message, the
// report evaluate() gives on the chat so far (live), and on close the batch
// report of the whole chat; due() warns before deadlines run out.
#include <algorithm>
#include <filesystem>
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

// Feeds `whole` (in input order; the first `in_header` messages in the
// header) to a LiveSession: after every message its report equals
// evaluate() on the chat so far, and closed, evaluate() on the whole chat.
void check_fed_one_by_one(const std::shared_ptr<const RuleSet>& rules, const Session& whole, std::size_t in_header) {
  Session header = whole;
  header.messages.resize(in_header);
  LiveSession live(rules, header);
  CHECK(to_json(live.report(), kAllItems) == live_json(*rules, prefix_of(whole, in_header)));
  for (std::size_t i = in_header; i < whole.messages.size(); ++i) {
    const Report& so_far = live.add(whole.messages[i]);
    INFO("after message " << i);
    REQUIRE(to_json(so_far, kAllItems) == live_json(*rules, prefix_of(whole, i + 1)));
  }
  Session sorted = whole;
  sorted.sort_messages();
  CHECK(to_json(live.close(), kAllItems) == to_json(evaluate(*rules, sorted), kAllItems));
  CHECK(to_json(live.close()) == to_json(evaluate(*rules, sorted)));  // closing again: the same
}

// Every rule set shipped under rules/<language>/ (not their test files).
std::vector<std::string> shipped_rule_files() {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const auto& dir : fs::directory_iterator(source_dir() + "/rules")) {
    const std::string lang = dir.path().filename().string();  // zh-CN, en-US (not labels/, lexicons/)
    if (!dir.is_directory() || lang.size() != 5 || lang[2] != '-') continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      const std::string name = f.path().filename().string();
      if (f.path().extension() != ".json" || name.find(".tests.") != std::string::npos) continue;
      out.push_back(fs::relative(f.path(), source_dir()).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a live session fed message by message equals evaluate, after every message and closed", "[live]") {
  const Material material = material_of({"examples/chats/zh-CN/online.jsonl", "examples/chats/zh-CN/hotline.jsonl",
                                         "examples/chats/en-US/support.jsonl"});
  const std::vector<std::string> rule_files = shipped_rule_files();
  REQUIRE(rule_files.size() >= 4);
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
      INFO(file << " round " << round << ": " << length << " messages, " << in_header << " in the header");
      check_fed_one_by_one(rules, whole, in_header);
      ++sessions;
    }
  }
  CHECK(sessions == 40 * static_cast<int>(rule_files.size()));
}

TEST_CASE("a long live session equals evaluate after every message", "[live]") {
  // Long enough for states kept over hundreds of messages, findings by the
  // hundred and late messages far back.
  const Material material = material_of({"examples/chats/zh-CN/online.jsonl", "examples/chats/zh-CN/hotline.jsonl"});
  std::mt19937 rng(7);
  for (const std::string file : {"rules/zh-CN/online-chat.json", "rules/zh-CN/hotline.json"}) {
    INFO(file);
    check_fed_one_by_one(shipped(file), random_session(rng, material, 300), 0);
  }
}

TEST_CASE("live sessions of real chats equal evaluate after every message", "[live][realchat]") {
  namespace fs = std::filesystem;
  fs::path realchat;
  for (const char* up : {"../shared/realchat", "../../shared/realchat"}) {
    if (fs::exists(fs::path(source_dir()) / up / "stc3-train-cn.jsonl")) realchat = fs::path(source_dir()) / up;
  }
  if (realchat.empty()) {
    WARN("../shared/realchat is absent: skipped");
    return;
  }
  std::mt19937 rng(19);
  const std::vector<std::string> rule_files = shipped_rule_files();
  int sessions = 0;
  for (const auto& [file, language] : {std::pair<const char*, const char*>{"stc3-train-cn.jsonl", "zh-CN"},
                                       std::pair<const char*, const char*>{"stc3-train-en.jsonl", "en-US"}}) {
    std::ifstream in(realchat / file);
    REQUIRE(in);
    std::string line;
    std::vector<Session> chats;
    for (std::size_t n = 0; chats.size() < 24 && std::getline(in, line); ++n) {
      if (n % 37 != 0 || line.empty()) continue;  // spread over the file
      chats.push_back(session_ok(line));
    }
    for (const std::string& rule_file : rule_files) {
      if (rule_file.find(language) == std::string::npos) continue;
      const auto rules = shipped(rule_file);
      for (std::size_t k = 0; k < chats.size(); ++k) {
        Session whole = chats[k];
        if (k % 2 == 1) {  // real times: the timing items apply
          whole.meta.erase("times");
          whole.meta.erase("channel");
          std::int64_t t = 1714528800000;
          for (Message& m : whole.messages) {
            t += static_cast<std::int64_t>(rng() % 90000);
            m.time.epoch_ms = rng() % 10 == 0 ? t - static_cast<std::int64_t>(rng() % 60000) : t;
          }
        }
        for (std::size_t i = 0; i < whole.messages.size(); ++i) whole.messages[i].input_index = i;
        INFO(rule_file << ": " << file << " chat " << whole.id);
        check_fed_one_by_one(rules, whole, 0);
        ++sessions;
      }
    }
  }
  CHECK(sessions > 0);
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

TEST_CASE("due() warns before a silence runs out: each wait and the waits in total", "[live]") {
  const auto rules = rules_ok(rule_set(R"([
    {"id": "silence", "title": "t", "category": "c", "points": 5,
     "check": {"type": "silence", "max_gap_seconds": 30, "max_total_seconds": 60}}])"));
  Session header;
  header.id = "L-4";
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
  live.add(message(Role::customer, "在吗?", t0));
  CHECK(live.due(t0 + 20000).empty());  // 10 s of the 30 left: more than a sixth
  std::vector<DueWarning> due = live.due(t0 + 25000);
  REQUIRE(due.size() == 1);  // the wait; the total (60 s) has 35 s left
  CHECK(due[0].item == "silence");
  CHECK(due[0].kind == "silence");
  CHECK(due[0].message == 0);
  CHECK(due[0].deadline == "2024-05-01T10:00:30+08:00");
  CHECK(due[0].remaining_seconds == 5);
  // The agent answers after 20 s; the customer writes again at 40 s: this
  // wait may last 30 s, and all waits together 60 s, 40 of which are left.
  live.add(message(Role::agent, "您好,请讲", t0 + 20000));
  CHECK(live.due(t0 + 30000).empty());
  live.add(message(Role::customer, "我的订单还没发货", t0 + 40000));
  due = live.due(t0 + 72000);
  REQUIRE(due.size() == 2);
  CHECK(due[0].kind == "silence");
  CHECK(due[0].message == 2);
  CHECK(due[0].deadline == "2024-05-01T10:01:10+08:00");
  CHECK(due[0].remaining_seconds == -2);  // missed
  CHECK(due[1].kind == "silence_total");
  CHECK(due[1].deadline == "2024-05-01T10:01:20+08:00");
  CHECK(due[1].limit_seconds == 60);
  CHECK(due[1].remaining_seconds == 8);
  CHECK(due[1].explanation.find("8 s left") != std::string::npos);
  // Answered: nothing runs.
  live.add(message(Role::agent, "已为您查询", t0 + 50000));
  CHECK(live.due(t0 + 200000).empty());
  CHECK(item_of(live.report(), "silence").status == ItemStatus::passed);
}

TEST_CASE("a live session's findings build up as batch scoring finds them", "[live]") {
  // Items whose checks keep live state: per-message findings, a count
  // threshold, a count note on every finding, the slowest turn, the mean.
  const auto rules = rules_ok(rule_set(R"([
    {"id": "banned", "title": "t", "category": "c", "points": 10, "per_hit": [2],
     "check": {"type": "banned_phrase", "phrases": ["不知道"]}},
    {"id": "first2", "title": "t", "category": "c", "points": 10,
     "check": {"type": "banned_phrase", "phrases": ["不知道"], "window": {"first_messages": 2}}},
    {"id": "punct", "title": "t", "category": "c", "points": 3,
     "check": {"type": "punctuation", "min_count": 2}},
    {"id": "slowest", "title": "t", "category": "c", "points": 3,
     "check": {"type": "response_time", "mode": "max", "limit_seconds": 10}},
    {"id": "mean", "title": "t", "category": "c", "points": 3,
     "check": {"type": "response_time", "mode": "mean", "limit_seconds": 10}}])"));
  const Session whole = chat({{"customer", 0, "你好,在吗?"},
                              {"agent", 12, "不知道 这个要问一下 我们这边也不太清楚"},
                              {"customer", 15, "那怎么办?"},
                              {"agent", 40, "我也不知道 你明天再来问问看吧 好吗 再见"},
                              {"customer", 41, "好吧。"},
                              {"agent", 43, "不知道,抱歉。"},
                              {"customer", 50, "嗯。"},
                              {"agent", 90, "我不知道您说的是什么意思 请您再说一遍好吗"}});
  check_fed_one_by_one(rules, whole, 0);
  LiveSession live(rules, Session{});
  for (const Message& m : whole.messages) live.add(m);
  CHECK(item_of(live.report(), "banned").hits == 4);
  CHECK(item_of(live.report(), "first2").hits == 2);
  CHECK(item_of(live.report(), "punct").hits == 3);
  CHECK(item_of(live.report(), "slowest").findings.at(0).value == 40);
}

TEST_CASE("a live item over the findings cap equals evaluate", "[live]") {
  // Past max_findings_per_item (1,000) the report no longer holds all of an
  // item's findings: its live state starts over from the whole chat.
  const auto rules = rules_ok(rule_set(R"([
    {"id": "banned", "title": "t", "category": "c", "points": 10, "per_hit": [1],
     "check": {"type": "banned_phrase", "phrases": ["不知道"]}}])"));
  Session whole;
  whole.id = "L-5";
  for (std::size_t i = 0; i < 1003; ++i) {
    Message m;
    m.role = i % 2 ? Role::agent : Role::customer;
    m.text = i % 2 ? "不知道,不知道" : "请问?";
    m.time.epoch_ms = 1714528800000 + static_cast<std::int64_t>(i) * 1000;
    m.input_index = i;
    whole.messages.push_back(m);
  }
  Session header;
  header.id = whole.id;
  LiveSession live(rules, header);
  for (std::size_t i = 0; i < whole.messages.size(); ++i) {
    const Report& so_far = live.add(whole.messages[i]);
    if (i < 995 && i % 97 != 0) continue;
    INFO("after message " << i);
    REQUIRE(to_json(so_far, kAllItems) == live_json(*rules, prefix_of(whole, i + 1)));
  }
  CHECK(item_of(live.report(), "banned").truncated == 2);
  CHECK(to_json(live.close(), kAllItems) == to_json(evaluate(*rules, whole), kAllItems));
}

TEST_CASE("a live repetition finding grows as in batch, personal numbers masked", "[live]") {
  // The group's finding quotes every repeat: a repeat whose quote holds no
  // personal number is appended to the masked explanation; one with many
  // digits (an order number, not masked) has the explanation masked anew.
  const auto rules = rules_ok(rule_set(R"([
    {"id": "repeat", "title": "t", "category": "c", "points": 5,
     "check": {"type": "repetition", "min_repeats": 2}}])"));
  std::vector<Line> lines;
  for (int k = 0; k < 12; ++k) {
    const double t = k * 20.0;
    lines.push_back({"customer", t, k % 3 == 0   ? "我的手机号13812345678怎么还没收到验证码"
                                    : k % 3 == 1 ? "订单号123456789012345678怎么还没发货啊"
                                                 : "我的手机号13812345678怎么还没收到验证码呢"});
    lines.push_back({"agent", t + 5, "您好,正在为您查询"});
  }
  const Session whole = chat(lines, "L-6");
  check_fed_one_by_one(rules, whole, 0);
  Session header = whole;
  header.messages.clear();
  LiveSession live(rules, header);
  for (const Message& m : whole.messages) live.add(m);
  const ItemResult& r = item_of(live.report(), "repeat");
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].explanation.find("13812345678") == std::string::npos);
  CHECK(r.findings[0].explanation.find("138****5678") != std::string::npos);
}
