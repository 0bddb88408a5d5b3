// chatqa_bench_live: the cost of LiveSession::add as a chat grows.
//
// A chat of N messages (default 1,200) is made from the messages of the
// bundled example chats (customer and agent turns, 8-20 s apart) and fed to
// a LiveSession message by message, R times (default 15). Each add() is
// timed (CPU time of the thread), and so is the report's JSON (what the C API
// and `chatqa serve` return after each message). Printed: the median cost of
// add() around message 10 and around message 1,000, their ratio, and what
// re-evaluating the whole chat so far (evaluate() on the prefix, what live
// scoring cost before LiveSession) costs at message 1,000.
//
//   chatqa_bench_live [--rules FILE] [--messages N] [--rounds R] [--json]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "chatqa/chatqa.hpp"

namespace {

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::vector<chatqa::Message> material(const std::string& source_dir) {
  std::vector<chatqa::Message> out;
  for (const char* file : {"/examples/chats/zh-CN/online.jsonl", "/examples/chats/zh-CN/hotline.jsonl"}) {
    std::ifstream in(source_dir + file);
    std::string line;
    while (std::getline(in, line)) {
      chatqa::ParsedSession p = chatqa::parse_session(line);
      if (!p.session) continue;
      for (chatqa::Message& m : p.session->messages) {
        if (m.role == chatqa::Role::customer || m.role == chatqa::Role::agent) out.push_back(std::move(m));
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string source_dir = CHATQA_SOURCE_DIR;
  std::string rules_path = source_dir + "/rules/zh-CN/online-chat.json";
  std::size_t messages = 1200, rounds = 15;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rules") && i + 1 < argc) {
      rules_path = argv[++i];
    } else if (!std::strcmp(argv[i], "--messages") && i + 1 < argc) {
      messages = std::max<std::size_t>(1100, std::strtoul(argv[++i], nullptr, 10));
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      rounds = std::max<std::size_t>(1, std::strtoul(argv[++i], nullptr, 10));
    } else if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else {
      std::cerr << "usage: chatqa_bench_live [--rules FILE] [--messages N>=1100] [--rounds R] [--json]\n";
      return 2;
    }
  }
  chatqa::CompileResult compiled = chatqa::compile_rule_file(rules_path);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
    return 2;
  }
  const auto rules = compiled.rule_set;
  const std::vector<chatqa::Message> pool = material(source_dir);
  if (pool.empty()) {
    std::cerr << "no example chats under " << source_dir << "\n";
    return 2;
  }
  // The chat: pool messages in turn, alternating customer / agent, 8-20 s apart.
  std::vector<chatqa::Message> chat;
  std::int64_t t = 1714528800000;
  for (std::size_t i = 0; i < messages; ++i) {
    chatqa::Message m = pool[(i * 7) % pool.size()];
    m.role = i % 2 == 0 ? chatqa::Role::customer : chatqa::Role::agent;
    t += 8000 + static_cast<std::int64_t>((i * 37) % 13) * 1000;
    m.time.epoch_ms = t;
    m.time.utc_offset_minutes = 480;
    chat.push_back(std::move(m));
  }

  // add() at each position, and add() + to_json, over the rounds.
  std::vector<std::vector<double>> add_cost(messages), add_json_cost(messages);
  std::string out;
  for (std::size_t r = 0; r < rounds; ++r) {
    chatqa::Session header;
    header.id = "bench-live";
    chatqa::LiveSession live(rules, header);
    for (std::size_t i = 0; i < messages; ++i) {
      const double t0 = thread_seconds();
      const chatqa::Report& report = live.add(chat[i]);
      const double t1 = thread_seconds();
      chatqa::to_json(report, out);
      const double t2 = thread_seconds();
      add_cost[i].push_back(t1 - t0);
      add_json_cost[i].push_back(t2 - t0);
    }
  }
  auto window = [&](const std::vector<std::vector<double>>& cost, std::size_t from, std::size_t to) {
    std::vector<double> all;
    for (std::size_t i = from; i < to; ++i) all.insert(all.end(), cost[i].begin(), cost[i].end());
    return median(all) * 1e6;
  };
  // Around message 10 (messages 5-14) and around message 1,000 (995-1,004).
  const double add10 = window(add_cost, 5, 15), add1000 = window(add_cost, 995, 1005);
  const double json10 = window(add_json_cost, 5, 15), json1000 = window(add_json_cost, 995, 1005);
  // Before LiveSession: the whole chat so far evaluated again at each message.
  chatqa::Session prefix;
  prefix.id = "bench-live";
  prefix.messages.assign(chat.begin(), chat.begin() + 1000);
  chatqa::EvalOptions running;
  running.session_closed = false;
  chatqa::EvalScratch scratch;
  chatqa::Report report;
  std::vector<double> whole;
  for (std::size_t r = 0; r < rounds; ++r) {
    const double t0 = thread_seconds();
    chatqa::evaluate(*rules, prefix, scratch, report, running);
    whole.push_back(thread_seconds() - t0);
  }
  const double whole1000 = median(whole) * 1e6;

  if (json) {
    std::printf(
        "{\"rules\":\"%s\",\"messages\":%zu,\"rounds\":%zu,\"add_us_at_10\":%.2f,\"add_us_at_1000\":%.2f,"
        "\"add_ratio\":%.2f,\"add_json_us_at_10\":%.2f,\"add_json_us_at_1000\":%.2f,\"add_json_ratio\":%.2f,"
        "\"reevaluate_us_at_1000\":%.2f}\n",
        rules->name().c_str(), messages, rounds, add10, add1000, add1000 / add10, json10, json1000, json1000 / json10,
        whole1000);
  } else {
    std::printf("rule set %s %s; a chat of %zu messages fed %zu times (median CPU time per message)\n",
                rules->name().c_str(), rules->version().c_str(), messages, rounds);
    std::printf("  add()              at message 10: %8.1f us   at message 1,000: %8.1f us   ratio %.2f\n", add10,
                add1000, add1000 / add10);
    std::printf("  add() + to_json()  at message 10: %8.1f us   at message 1,000: %8.1f us   ratio %.2f\n", json10,
                json1000, json1000 / json10);
    std::printf("  evaluate() of the whole chat at message 1,000 (live scoring without LiveSession): %.1f us\n",
                whole1000);
  }
  return 0;
}
