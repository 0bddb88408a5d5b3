// chatqa_bench_run: the whole-run benchmark driver (see bench/README.md and
// docs/performance.md). Streams a JSON Lines corpus through libchatqa and
// prints, in one run, a table and a JSON object with:
//   - normalisation throughput and literal-matching throughput per core
//     (1,000 phrases, separator skipping on), Aho-Corasick vs RE2::Set;
//   - phrase-count scaling (100 / 1,000 / 10,000 phrases);
//   - end-to-end scoring (parse + evaluate + JSON report) vs a parse-only
//     pass over the same input, 1 thread and N threads (each 4 MB block is
//     run by the three in turn, so their ratios share the machine's state);
//   - peak RSS, and RSS growth while streaming.
//
//   chatqa_bench_run --input corpus.jsonl [--rules FILE] [--threads N]
//                    [--sample-mb N] [--quick] [--json FILE]
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <re2/re2.h>
#include <re2/set.h>

#include "chatqa/chatqa.hpp"
#include "corpus.hpp"
#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"

namespace {

using json = nlohmann::ordered_json;

double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double process_cpu() { return cpu_now(CLOCK_PROCESS_CPUTIME_ID); }
double thread_cpu() { return cpu_now(CLOCK_THREAD_CPUTIME_ID); }

// Resident set size now, in MB.
double current_rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}
double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1e3;  // ru_maxrss is in KB on Linux
}
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// A fixed set of workers; the calling thread is worker 0.
class Pool {
 public:
  explicit Pool(int threads) : threads_(std::max(1, threads)) {
    for (int w = 1; w < threads_; ++w) workers_.emplace_back([this, w] { loop(w); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return threads_; }

  // Runs job(worker) on every worker and waits for all of them.
  void run(const std::function<void(int)>& job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &job;
      busy_ = threads_ - 1;
      ++generation_;
    }
    wake_.notify_all();
    job(0);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return busy_ == 0; });
  }

 private:
  void loop(int w) {
    std::uint64_t seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        job = job_;
      }
      (*job)(w);
      std::lock_guard<std::mutex> lock(mu_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  int busy_ = 0;
  bool stop_ = false;
};

struct PassResult {
  std::string name;
  int threads = 1;
  double wall = 0, cpu = 0;
  std::uint64_t bytes = 0, sessions = 0, errors = 0, output_bytes = 0;
  double rss_early_mb = 0, rss_max_later_mb = 0;  // RSS after ~10% of the input, and the most after that
  double mb_per_s() const { return static_cast<double>(bytes) / 1e6 / wall; }
  double mb_per_cpu_s() const { return static_cast<double>(bytes) / 1e6 / cpu; }
  double sessions_per_s() const { return static_cast<double>(sessions) / wall; }
};

// One way of processing the input: `work(line, worker)` on `pool`; returns
// output bytes, or -1 for an error record.
struct PassConfig {
  std::string name;
  Pool* pool;
  std::function<long(std::string_view, int)> work;
};

// Streams `path` in 4 MB blocks, cut at line ends, and runs every config on
// each block in turn (each block's lines shared out to the config's pool in
// chunks), timing each. The configs see the same input under the same
// machine conditions, block by block, so their ratios hold on a machine
// whose speed drifts (a shared VM here: passes run one after the other
// differed by 15%).
std::vector<PassResult> paired_passes(const std::string& path, const std::vector<PassConfig>& configs) {
  constexpr std::size_t kBlock = 4u << 20;
  std::vector<PassResult> results(configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k) {
    results[k].name = configs[k].name;
    results[k].threads = configs[k].pool->size();
  }
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const auto total = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  std::string block, carry;
  std::vector<std::string_view> lines;
  struct alignas(64) Counters {
    std::uint64_t sessions = 0, errors = 0, output = 0;
  };
  std::uint64_t bytes = 0;
  bool early_taken = false;
  double rss_early = 0, rss_max_later = 0;
  std::vector<char> buf(kBlock);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    block.assign(carry);
    block.append(buf.data(), got);
    const std::size_t cut = in ? block.rfind('\n') : block.size() - 1;
    if (cut == std::string::npos) {
      carry = block;
      continue;
    }
    carry.assign(block, cut + 1, std::string::npos);
    block.resize(cut + 1);
    bytes += block.size();
    lines.clear();
    for (std::size_t pos = 0; pos < block.size();) {
      std::size_t end = block.find('\n', pos);
      if (end == std::string::npos) end = block.size();
      if (end > pos) lines.emplace_back(block.data() + pos, end - pos);
      pos = end + 1;
    }
    for (std::size_t k = 0; k < configs.size(); ++k) {
      const PassConfig& config = configs[k];
      std::vector<Counters> counters(static_cast<std::size_t>(config.pool->size()));
      std::atomic<std::size_t> next{0};
      const double wall0 = wall_now(), cpu0 = process_cpu();
      config.pool->run([&](int w) {
        Counters& c = counters[static_cast<std::size_t>(w)];
        // Chunks of 8 sessions: small enough that the threads finish a block
        // together (a block is ~650 sessions; at its end one thread may wait
        // for the other's last chunk).
        for (;;) {
          const std::size_t begin = next.fetch_add(8);
          if (begin >= lines.size()) return;
          const std::size_t end = std::min(lines.size(), begin + 8);
          for (std::size_t i = begin; i < end; ++i) {
            const long out = config.work(lines[i], w);
            ++c.sessions;
            if (out < 0) {
              ++c.errors;
            } else {
              c.output += static_cast<std::uint64_t>(out);
            }
          }
        }
      });
      PassResult& r = results[k];
      r.wall += wall_now() - wall0;
      r.cpu += process_cpu() - cpu0;
      r.bytes += block.size();
      for (const auto& c : counters) {
        r.sessions += c.sessions;
        r.errors += c.errors;
        r.output_bytes += c.output;
      }
    }
    const double rss = current_rss_mb();
    if (!early_taken && bytes * 10 >= total) {
      rss_early = rss;
      early_taken = true;
    } else if (early_taken) {
      rss_max_later = std::max(rss_max_later, rss);
    }
  }
  if (rss_max_later == 0) rss_max_later = rss_early;
  for (PassResult& r : results) {
    r.rss_early_mb = rss_early;
    r.rss_max_later_mb = rss_max_later;
  }
  return results;
}

// Reads about `mb` MB of whole lines from the start of `path`.
std::vector<std::string> message_sample(const std::string& path, double mb, std::uint64_t& text_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::vector<std::string> texts;
  std::uint64_t read = 0;
  text_bytes = 0;
  while (read < mb * 1e6 && std::getline(in, line)) {
    read += line.size() + 1;
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) continue;
    for (auto& m : p.session->messages) {
      text_bytes += m.text.size();
      texts.push_back(std::move(m.text));
    }
  }
  return texts;
}

struct Rate {
  double mb_per_cpu_s = 0;  // MB of original text per CPU second of the one thread doing it
  double seconds = 0;
  int rounds = 0;
};

// Runs `body` (one pass over the sample) until at least `min_seconds` of thread CPU time.
Rate measure(std::uint64_t bytes, double min_seconds, const std::function<void()>& body) {
  body();  // warm-up
  Rate r;
  const double c0 = thread_cpu();
  do {
    body();
    ++r.rounds;
    r.seconds = thread_cpu() - c0;
  } while (r.seconds < min_seconds);
  r.mb_per_cpu_s = static_cast<double>(bytes) * r.rounds / 1e6 / r.seconds;
  return r;
}

chatqa::text::PhraseMatcher build_matcher(const std::vector<std::string>& phrases) {
  chatqa::text::PhraseMatcher m;
  chatqa::text::MatchSettings s;
  s.max_skip = 3;
  for (const auto& p : phrases) m.add_literal(p, 0, s, nullptr);
  std::string error;
  m.build(64u << 20, &error);
  return m;
}

std::string fmt(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

int usage() {
  std::cerr << "usage: chatqa_bench_run --input FILE.jsonl [--rules FILE] [--threads N] [--sample-mb N]\n"
               "                        [--min-seconds S] [--quick] [--json FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, json_path;
  std::string rules_path = std::string(CHATQA_SOURCE_DIR) + "/rules/zh-CN/online-chat.json";
  int threads = 2;
  double sample_mb = 20, min_seconds = 1.0;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage());
      return argv[++i];
    };
    if (arg == "--input") input = value();
    else if (arg == "--rules") rules_path = value();
    else if (arg == "--threads") threads = std::stoi(value());
    else if (arg == "--sample-mb") sample_mb = std::stod(value());
    else if (arg == "--min-seconds") min_seconds = std::stod(value());
    else if (arg == "--json") json_path = value();
    else if (arg == "--quick") quick = true;
    else return usage();
  }
  if (input.empty()) return usage();
  if (quick) {
    sample_mb = std::min(sample_mb, 1.0);
    min_seconds = std::min(min_seconds, 0.05);
  }
  const std::string load_before = load_average();

  chatqa::CompileResult compiled = chatqa::compile_rule_file(rules_path);
  if (!compiled.ok()) {
    for (const auto& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
    return 1;
  }
  const chatqa::RuleSet& rules = *compiled.rule_set;

  // ---- end to end, streaming ------------------------------------------------
  auto parse_only = [](std::string_view line, int) -> long {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    return p.session ? static_cast<long>(p.session->messages.size()) : -1;
  };
  // One EvalScratch, Report and output string per worker, as `chatqa score`
  // keeps them per thread.
  std::vector<chatqa::EvalScratch> eval_scratch(static_cast<std::size_t>(std::max(threads, 1)));
  std::vector<chatqa::Report> reports(eval_scratch.size());
  std::vector<std::string> outputs(eval_scratch.size());
  auto score = [&rules, &eval_scratch, &reports, &outputs](std::string_view line, int worker) -> long {
    chatqa::ParsedSession p = chatqa::parse_session(line);
    if (!p.session) return -1;
    const auto w = static_cast<std::size_t>(worker);
    chatqa::evaluate(rules, *p.session, eval_scratch[w], reports[w]);
    chatqa::to_json(reports[w], outputs[w]);
    return static_cast<long>(outputs[w].size());
  };
  Pool one(1);
  std::unique_ptr<Pool> many;
  std::vector<PassConfig> configs = {{"parse only", &one, parse_only}, {"score", &one, score}};
  if (threads > 1) {
    many = std::make_unique<Pool>(threads);
    configs.push_back({"score", many.get(), score});
  }
  const std::vector<PassResult> passes = paired_passes(input, configs);
  const PassResult& parse1 = passes[0];
  const PassResult& score1 = passes[1];
  const PassResult& scoreN = passes.back();
  const double rss_after_streaming = peak_rss_mb();

  // ---- normalisation and matching, single thread, on a sample ----------------
  std::uint64_t text_bytes = 0;
  const std::vector<std::string> texts = message_sample(input, sample_mb, text_bytes);
  const auto& normalizer = chatqa::text::Normalizer::instance();
  chatqa::text::NormText scratch;
  const Rate norm_rate = measure(text_bytes, min_seconds, [&] {
    for (const auto& t : texts) normalizer.normalize(t, false, scratch);
  });
  std::vector<chatqa::text::NormText> normalised(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) normalizer.normalize(texts[i], false, normalised[i]);

  json scaling = json::array();
  std::vector<double> match_rates;
  std::vector<std::uint64_t> match_hits;
  for (std::size_t count : {std::size_t{100}, std::size_t{1000}, std::size_t{10000}}) {
    const chatqa::text::PhraseMatcher matcher = build_matcher(chatqa_bench::scaling_phrases(count));
    std::vector<chatqa::text::Hit> hits;
    std::uint64_t hit_count = 0;
    const Rate r = measure(text_bytes, min_seconds, [&] {
      hit_count = 0;
      for (const auto& t : normalised) {
        hits.clear();
        matcher.match_literals(t, 0, hits);
        hit_count += hits.size();
      }
    });
    match_rates.push_back(r.mb_per_cpu_s);
    match_hits.push_back(hit_count);
    scaling.push_back({{"phrases", count}, {"mb_per_s", r.mb_per_cpu_s}, {"hits", hit_count}});
  }

  // The same 1,000 literals in one RE2::Set over the separator-free skeleton
  // (which only says WHICH phrases occur, not where, and skips no separators).
  double set_rate = 0;
  bool set_ok = true;
  {
    RE2::Options o;
    o.set_max_mem(int64_t{1} << 30);
    o.set_log_errors(false);
    o.set_literal(true);
    RE2::Set set(o, RE2::UNANCHORED);
    std::u32string chars;
    std::vector<std::uint8_t> flags;
    for (const auto& p : chatqa_bench::scaling_phrases(1000)) {
      normalizer.normalize_phrase(p, false, chars, flags);
      std::u32string skel;
      for (std::size_t k = 0; k < chars.size(); ++k) {
        if (!(flags[k] & chatqa::text::kSeparator)) skel.push_back(chars[k]);
      }
      std::string utf8;
      for (char32_t c : skel) {
        if (c < 0x80) utf8.push_back(static_cast<char>(c));
        else if (c < 0x800) { utf8.push_back(static_cast<char>(0xC0 | (c >> 6))); utf8.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
        else { utf8.push_back(static_cast<char>(0xE0 | (c >> 12))); utf8.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F))); utf8.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
      }
      set.Add(utf8, nullptr);
    }
    set_ok = set.Compile();
    std::vector<std::string> skeletons;
    for (const auto& t : normalised) {
      std::string u;
      for (char32_t c : t.skeleton) {
        if (c < 0x80) u.push_back(static_cast<char>(c));
        else if (c < 0x800) { u.push_back(static_cast<char>(0xC0 | (c >> 6))); u.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
        else if (c < 0x10000) { u.push_back(static_cast<char>(0xE0 | (c >> 12))); u.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F))); u.push_back(static_cast<char>(0x80 | (c & 0x3F))); }
      }
      skeletons.push_back(std::move(u));
    }
    if (set_ok) {
      std::vector<int> which;
      set_rate = measure(text_bytes, min_seconds, [&] {
                   for (const auto& s : skeletons) {
                     which.clear();
                     RE2::Set::ErrorInfo info{};
                     if (!set.Match(s, &which, &info) && info.kind != RE2::Set::kNoError) set_ok = false;
                   }
                 }).mb_per_cpu_s;
    }
  }
  const double peak = peak_rss_mb();
  const std::string load_after = load_average();

  // ---- report ------------------------------------------------------------------
  const double e2e_ratio = score1.mb_per_s() / parse1.mb_per_s();
  const double thread_speedup = scoreN.mb_per_s() / score1.mb_per_s();
  // The same two figures from CPU time: what they would be on otherwise idle
  // cores (a shared, busy machine stretches wall time, not CPU time).
  const double e2e_ratio_cpu = score1.mb_per_cpu_s() / parse1.mb_per_cpu_s();
  const double thread_speedup_cpu = scoreN.threads * score1.cpu / scoreN.cpu;
  const double ratio_1000 = match_rates[0] / match_rates[1];   // cost(1000) / cost(100)
  const double ratio_10000 = match_rates[0] / match_rates[2];  // cost(10000) / cost(100)
  const double rss_growth = scoreN.rss_max_later_mb - scoreN.rss_early_mb;

  json out;
  out["input"] = {{"path", input}, {"bytes", parse1.bytes}, {"sessions", parse1.sessions}};
  out["rules"] = {{"path", rules_path}, {"name", rules.name()}, {"items", rules.items().size()},
                  {"phrases", rules.phrase_count()}};
  out["machine"] = {{"hardware_threads", std::thread::hardware_concurrency()},
                    {"load_average_before", load_before}, {"load_average_after", load_after}};
  out["normalize"] = {{"mb_per_s_per_core", norm_rate.mb_per_cpu_s}, {"sample_text_bytes", text_bytes}};
  out["match"] = {{"phrases", 1000},
                  {"skip_separators", 3},
                  {"aho_corasick_mb_per_s_per_core", match_rates[1]},
                  {"re2_set_mb_per_s_per_core", set_rate},
                  {"re2_set_ok", set_ok}};
  out["phrase_scaling"] = {{"runs", scaling}, {"cost_ratio_1000_vs_100", ratio_1000},
                           {"cost_ratio_10000_vs_100", ratio_10000}};
  json jp = json::array();
  for (const auto& p : passes) {
    jp.push_back({{"pass", p.name}, {"threads", p.threads}, {"wall_s", p.wall}, {"cpu_s", p.cpu},
                  {"mb_per_s", p.mb_per_s()}, {"mb_per_cpu_s", p.mb_per_cpu_s()}, {"sessions_per_s", p.sessions_per_s()}, {"sessions", p.sessions},
                  {"errors", p.errors}, {"report_bytes", p.output_bytes}, {"rss_at_10pct_mb", p.rss_early_mb},
                  {"rss_max_after_10pct_mb", p.rss_max_later_mb}});
  }
  out["end_to_end"] = {{"passes", jp}, {"score_vs_parse_ratio", e2e_ratio}, {"score_vs_parse_ratio_cpu", e2e_ratio_cpu},
                       {"thread_speedup", thread_speedup}, {"thread_speedup_cpu_bound", thread_speedup_cpu},
                       {"threads", scoreN.threads}};
  out["memory"] = {{"peak_rss_mb", peak}, {"peak_rss_after_streaming_mb", rss_after_streaming},
                   {"rss_growth_while_streaming_mb", rss_growth}};
  auto target = [](double value, double limit, bool at_least) {
    return json{{"value", value}, {"target", limit}, {"met", at_least ? value >= limit : value <= limit}};
  };
  out["targets"] = {
      {"match_1000_mb_per_s_per_core", target(match_rates[1], 100, true)},
      {"cost_ratio_10000_vs_100", target(ratio_10000, 1.3, false)},
      {"score_vs_parse_ratio", target(e2e_ratio, 0.5, true)},
      {"thread_speedup", target(thread_speedup, 1.8, true)},
      {"rss_growth_while_streaming_mb", target(rss_growth, 16, false)},
  };

  std::printf("chatqa benchmark — %s (%.1f MB, %llu sessions), rules %s (%zu phrases), load %s\n\n", input.c_str(),
              static_cast<double>(parse1.bytes) / 1e6, static_cast<unsigned long long>(parse1.sessions),
              rules.name().c_str(), rules.phrase_count(), load_before.c_str());
  std::printf("%-48s %14s %10s\n", "measure", "value", "target");
  auto row = [](const std::string& what, const std::string& value, const std::string& goal) {
    std::printf("%-48s %14s %10s\n", what.c_str(), value.c_str(), goal.c_str());
  };
  row("normalise, MB/s per core", fmt(norm_rate.mb_per_cpu_s), "");
  row("match 100 phrases (skip 3), MB/s per core", fmt(match_rates[0]), "");
  row("match 1,000 phrases (skip 3), MB/s per core", fmt(match_rates[1]), ">= 100");
  row("match 10,000 phrases (skip 3), MB/s per core", fmt(match_rates[2]), "");
  row("  RE2::Set, same 1,000 literals, MB/s per core", set_ok ? fmt(set_rate) : "failed", "");
  row("cost ratio 1,000 / 100 phrases", fmt(ratio_1000, 2), "");
  row("cost ratio 10,000 / 100 phrases", fmt(ratio_10000, 2), "<= 1.3");
  for (const auto& p : passes) {
    row(p.name + ", " + std::to_string(p.threads) + " thread(s), MB/s (wall)", fmt(p.mb_per_s()), "");
    row(p.name + ", " + std::to_string(p.threads) + " thread(s), MB per CPU-second", fmt(p.mb_per_cpu_s()), "");
    row(p.name + ", " + std::to_string(p.threads) + " thread(s), sessions/s", fmt(p.sessions_per_s(), 0), "");
  }
  row("score / parse-only throughput (1 thread, wall)", fmt(e2e_ratio, 2), ">= 0.50");
  row("score / parse-only throughput (1 thread, CPU)", fmt(e2e_ratio_cpu, 2), "");
  row("score speed-up, " + std::to_string(scoreN.threads) + " threads vs 1 (wall)", fmt(thread_speedup, 2), ">= 1.8");
  row("  on idle cores (threads x CPU(1) / CPU(N))", fmt(thread_speedup_cpu, 2), "");
  row("RSS growth while streaming (after 10%), MB", fmt(rss_growth), "<= 16");
  row("peak RSS, MB", fmt(peak), "");
  std::printf("\n%s\n", out.dump(2).c_str());
  if (!json_path.empty()) {
    std::ofstream j(json_path);
    j << out.dump(2) << "\n";
  }
  return 0;
}
