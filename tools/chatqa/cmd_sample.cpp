// chatqa sample REPORTS... : pick sessions for human re-check, the way QA standards do.
//
// Per agent: a share of the agent's sessions (default 1%, at least 1), more
// for agents whose mean score is low, fewer for agents with a perfect record.
// Within an agent, part of the picks go to very short and very long chats
// (by message count, against all sessions of the input), the rest are spread
// round-robin over the hours of the day the chats started in. Choices within a
// group follow a seeded hash of the session id, so the same input and seed
// give the same sample, whatever the input order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
#include "summary.hpp"

namespace chatqa::cli {
namespace {

struct SampleArgs {
  std::vector<std::string> inputs;
  double rate = 1.0;  // percent
  std::size_t min_per_agent = 1;
  double low_score = 80;
  double low_factor = 3;
  double perfect_factor = 0.5;
  double extreme_share = 0.5;
  double short_percentile = 10;
  double long_percentile = 90;
  std::uint64_t seed = 1;
  std::string format = "text";
  std::string output;
};

struct Candidate {
  std::string session, agent;
  std::int64_t score_centi = 0;
  std::size_t messages = 0;
  int hour = -1;
  bool deducted = false;
  std::uint64_t key = 0;
};

struct Pick {
  const Candidate* c;
  std::string reason;
};

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_key(std::uint64_t seed, const std::string& a, const std::string& b) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : a) h = (h ^ c) * 1099511628211ULL;
  h = (h ^ 0xff) * 1099511628211ULL;
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ULL;
  return mix(h ^ mix(seed));
}

// "1 message", "12 messages".
std::string messages_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " message" : " messages"); }

std::string fixed(double v, int decimals) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(decimals);
  s << v;
  std::string out = s.str();
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::size_t nearest_rank(std::vector<std::size_t> sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

int run_sample(const SampleArgs& args) {
  std::vector<Candidate> all;
  std::optional<Summary> history;
  std::uint64_t unreadable = 0;
  ReadOptions options;
  options.format = InputFormat::json;
  options.max_record_bytes = std::size_t{1} << 30;
  for (const std::string& name : args.inputs) {
    read_records(name, options, [&](Record&& r) {
      std::string why;
      if (r.error) {
        why = r.error->code + " " + r.error->message;
      } else if (Summary::looks_like_summary(r.text)) {
        if (auto s = Summary::from_json(r.text, why)) {
          if (history) {
            history->merge(*s);
          } else {
            history = std::move(s);
          }
          return true;
        }
      } else if (r.text.rfind("{\"error\":", 0) == 0) {
        return true;  // an input record that was never scored: nothing to re-check
      } else if (auto d = digest_from_report_json(r.text, why)) {
        Candidate c;
        c.session = d->session;
        c.agent = d->agent;
        c.score_centi = d->score_centi;
        c.messages = d->messages;
        c.hour = d->hour;
        for (const auto& it : d->items) c.deducted = c.deducted || it.status == "failed";
        c.key = hash_key(args.seed, c.agent, c.session);
        all.push_back(std::move(c));
        return true;
      }
      ++unreadable;
      std::cerr << r.input << ":" << r.line << ": " << why << "\n";
      return true;
    });
  }

  std::vector<std::size_t> lengths;
  lengths.reserve(all.size());
  for (const Candidate& c : all) lengths.push_back(c.messages);
  std::sort(lengths.begin(), lengths.end());
  const std::size_t short_max = nearest_rank(lengths, args.short_percentile);
  const std::size_t long_min = nearest_rank(lengths, args.long_percentile);
  const bool have_extremes = short_max < long_min;
  lengths = {};

  std::map<std::string, std::vector<const Candidate*>> by_agent;
  for (const Candidate& c : all) by_agent[c.agent].push_back(&c);

  std::vector<Pick> picks;
  for (auto& [agent, sessions] : by_agent) {
    // The agent's record: from the summary given (e.g. the last two months), else from these reports.
    double mean = 0;
    bool perfect = true;
    std::string record_source = "these reports";
    const GroupStats* hist = nullptr;
    if (history) {
      auto it = history->agents().find(agent);
      if (it != history->agents().end() && it->second.sessions > 0) hist = &it->second;
    }
    if (hist) {
      mean = static_cast<double>(hist->sum_centi()) / static_cast<double>(hist->sessions) / 100.0;
      for (const auto& [id, t] : hist->items) perfect = perfect && t.failed == 0;
      record_source = "the summary";
    } else {
      std::int64_t sum = 0;
      for (const Candidate* c : sessions) {
        sum += c->score_centi;
        perfect = perfect && !c->deducted;
      }
      mean = static_cast<double>(sum) / static_cast<double>(sessions.size()) / 100.0;
    }
    double rate = args.rate;
    std::string why_rate = fixed(rate, 2) + "%";
    if (mean < args.low_score) {
      rate *= args.low_factor;
      why_rate = fixed(rate, 2) + "% (mean " + fixed(mean, 2) + " below " + fixed(args.low_score, 2) + " in " +
                 record_source + ")";
    } else if (perfect) {
      rate *= args.perfect_factor;
      why_rate = fixed(rate, 2) + "% (perfect record in " + record_source + ")";
    }
    const double wanted = std::ceil(static_cast<double>(sessions.size()) * rate / 100.0 - 1e-9);
    std::size_t k = std::max(args.min_per_agent, static_cast<std::size_t>(std::max(0.0, wanted)));
    k = std::min(k, sessions.size());
    if (k == 0) continue;
    const std::string base = "agent " + agent + ": " + why_rate + " of " + std::to_string(sessions.size()) +
                             " sessions -> " + std::to_string(k) + "; ";

    auto by_key = [](const Candidate* a, const Candidate* b) {
      return a->key != b->key ? a->key < b->key : a->session < b->session;
    };
    std::sort(sessions.begin(), sessions.end(), by_key);
    std::vector<bool> taken(sessions.size(), false);

    // Very short and very long chats first, alternately.
    std::size_t extreme_quota = static_cast<std::size_t>(std::floor(static_cast<double>(k) * args.extreme_share + 0.5));
    std::vector<std::size_t> shorts, longs;
    if (have_extremes) {
      for (std::size_t i = 0; i < sessions.size(); ++i) {
        if (sessions[i]->messages <= short_max) shorts.push_back(i);
        if (sessions[i]->messages >= long_min) longs.push_back(i);
      }
    }
    std::size_t si = 0, li = 0;
    for (bool want_short = true; extreme_quota > 0 && (si < shorts.size() || li < longs.size());
         want_short = !want_short) {
      if (want_short && si < shorts.size()) {
        const std::size_t i = shorts[si++];
        taken[i] = true;
        picks.push_back({sessions[i], base + "very short chat (" + messages_text(sessions[i]->messages) + ", p" +
                                          fixed(args.short_percentile, 2) + " = " +
                                          std::to_string(short_max) + ")"});
        --extreme_quota;
      } else if (!want_short && li < longs.size()) {
        const std::size_t i = longs[li++];
        taken[i] = true;
        picks.push_back({sessions[i], base + "very long chat (" + messages_text(sessions[i]->messages) + ", p" +
                                          fixed(args.long_percentile, 2) + " = " +
                                          std::to_string(long_min) + ")"});
        --extreme_quota;
      }
    }
    std::size_t remaining = k - std::count(taken.begin(), taken.end(), true);

    // The rest round-robin over the hours the chats started in, busy and quiet alike.
    std::map<int, std::vector<std::size_t>> hours;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      if (!taken[i]) hours[sessions[i]->hour].push_back(i);
    }
    std::vector<std::pair<std::uint64_t, int>> order;
    for (const auto& [hour, list] : hours) order.emplace_back(hash_key(args.seed, agent, std::to_string(hour)), hour);
    std::sort(order.begin(), order.end());
    std::map<int, std::size_t> next;
    while (remaining > 0) {
      bool any = false;
      for (const auto& [key, hour] : order) {
        if (remaining == 0) break;
        std::size_t& n = next[hour];
        const auto& list = hours[hour];
        if (n >= list.size()) continue;
        const std::size_t i = list[n++];
        picks.push_back(
            {sessions[i], base + (hour >= 0 ? "spread over " + std::to_string(hours.size()) +
                                                  " hours of the day: started at " + std::to_string(hour) + "h"
                                            : std::string("start time unknown"))});
        --remaining;
        any = true;
      }
      if (!any) break;
    }
  }

  OutputFile out;
  if (int code = fail_if("sample", out.open(args.output))) return code;
  if (args.format == "csv") out.write("session,agent,score,messages,hour,reason\r\n");
  for (const Pick& p : picks) {
    const Candidate& c = *p.c;
    const std::string score = fixed(static_cast<double>(c.score_centi) / 100.0, 2);
    const std::string hour = c.hour >= 0 ? std::to_string(c.hour) : "";
    if (args.format == "jsonl") {
      nlohmann::ordered_json j;
      j["session"] = c.session;
      j["agent"] = c.agent;
      j["score"] = nlohmann::ordered_json::parse(score);
      j["messages"] = c.messages;
      if (c.hour >= 0) j["hour"] = c.hour;
      j["reason"] = p.reason;
      out.write(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
    } else if (args.format == "csv") {
      out.write(csv_field(c.session) + "," + csv_field(c.agent) + "," + score + "," + std::to_string(c.messages) + "," +
                hour + "," + csv_field(p.reason) + "\r\n");
    } else {
      out.write(c.session + "\t" + c.agent + "\t" + score + "\t" + p.reason + "\n");
    }
  }
  if (int code = fail_if("sample", out.commit())) return code;
  return unreadable > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void add_sample_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sample",
      "Pick sessions for human re-check: a share per agent (more for low scores, fewer for perfect records),\n"
      "very short and very long chats first, the rest spread over the hours of the day. Seeded, reproducible.\n"
      "Inputs: report files from `score`; a summary (e.g. of past months) may be added to judge each agent's record.");
  cmd->add_option("inputs", args->inputs, "Report files (JSONL, JSON, .gz) and optionally a summary; - for stdin")
      ->required();
  cmd->add_option("--rate", args->rate, "Percent of each agent's sessions")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--min-per-agent", args->min_per_agent, "At least this many per agent")->capture_default_str();
  cmd->add_option("--low-score", args->low_score, "Agents whose mean is below this get --low-factor times the rate")
      ->capture_default_str();
  cmd->add_option("--low-factor", args->low_factor, "Rate multiplier for low-scoring agents")->capture_default_str();
  cmd->add_option("--perfect-factor", args->perfect_factor, "Rate multiplier for agents with no deduction")
      ->capture_default_str();
  cmd->add_option("--extreme-share", args->extreme_share, "Share of an agent's picks for very short/long chats")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--short-percentile", args->short_percentile,
                  "Chats at or below this message-count percentile are "
                  "very short")
      ->capture_default_str();
  cmd->add_option("--long-percentile", args->long_percentile, "Chats at or above this percentile are very long")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the choice")->capture_default_str();
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "jsonl", "csv"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE (atomically) instead of stdout");
  cmd->callback([args, &run] { run = [args] { return run_sample(*args); }; });
}

}  // namespace chatqa::cli
