// chatqa score -r RULES [INPUT...|-]: score sessions, one output record per input record.
//
// Streaming pipeline: a reader thread cuts the inputs into records and hands
// them out in batches; N worker threads parse and evaluate; the calling thread
// writes the results in input order. The number of batches in flight is
// bounded, so memory stays constant whatever the input size.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "chatqa/chatqa.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
#include "summary.hpp"

namespace chatqa::cli {
namespace {

struct ScoreArgs {
  std::string rules;
  std::vector<std::string> inputs;
  std::string format = "jsonl";
  bool csv_findings = false;
  bool include_passed = false;
  std::string output;
  unsigned threads = 0;
  bool quiet = false;
  std::optional<double> fail_under;
  std::string summary;
  std::size_t worst = 20;
  bool line_buffered = false;
  InputArgs input;
};

// Co-process mode: each report is written and flushed as soon as its record
// is read, so a program can send one session and read its report back. On
// with --line-buffered, and by default when JSON Lines come from a pipe (or
// socket) on stdin and go to one on stdout.
bool is_pipe(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

bool line_buffered(const ScoreArgs& args, const std::vector<std::string>& inputs, const ReadOptions& read) {
  if (args.line_buffered) return true;
  const bool stdin_only = std::all_of(inputs.begin(), inputs.end(), [](const std::string& n) { return n == "-"; });
  const bool csv = read.format == InputFormat::csv || !read.csv.columns.empty();
  return stdin_only && !csv && args.format == "jsonl" && args.output.empty() && is_pipe(0) && is_pipe(1);
}

// Everything a worker needs; read-only while the pipeline runs.
struct Context {
  const RuleSet* rules = nullptr;
  ReadOptions read_options;
  std::string format;
  bool csv_findings = false;
  bool include_passed = false;
  bool want_digest = false;
};

struct Result {
  std::string text;  // formatted output for this record (may be empty: CSV findings of a clean session)
  bool scored = false;
  double score = 0;
  std::string error_code;  // set for error records
  std::optional<SessionDigest> digest;
};

// ---------------------------------------------------------------------------
// Formatting

std::string csv_header(const RuleSet& rules, bool findings) {
  std::string h;
  if (findings) {
    h = "session,agent,team,item,title,category,severity,status,deducted,message,time,role,quote,span_begin,span_end,"
        "explanation,error";
  } else {
    h = "session,agent,team,score,fatal,messages";
    for (const ItemInfo& item : rules.items()) h += "," + csv_field(item.id);
    h += ",error";
  }
  return h + "\r\n";
}

std::string item_cell(const ItemResult& r) {
  switch (r.status) {
    case ItemStatus::passed: return "0";
    case ItemStatus::failed: return r.bonus ? "+" + format_points(r.awarded) : format_points(r.deducted);
    case ItemStatus::manual_review: return "manual";
    case ItemStatus::not_applicable: return "n/a";
    case ItemStatus::pending: return "pending";
  }
  return "";
}

std::string error_text(const InputError& e, const std::string& input) {
  std::string where = input;
  if (e.line > 0) where += ":" + std::to_string(e.line);
  return e.code + " " + where + ": " + e.message;
}

std::string format_error(const InputError& e, const std::string& input, const Context& ctx, std::size_t columns) {
  if (ctx.format == "csv") {
    std::string row;
    if (ctx.csv_findings) {
      row = std::string(16, ',');
    } else {
      row = std::string(6 + columns, ',');
    }
    return row + csv_field(error_text(e, input)) + "\r\n";
  }
  if (ctx.format == "text") return "error[" + e.code + "] " + error_text(e, input).substr(e.code.size() + 1) + "\n\n";
  return error_record_json(e, input);
}

std::string format_text_or_csv(const Report& report, const Session& session, const Context& ctx) {
  if (ctx.format == "text") return to_text(report, &session) + "\n";
  // CSV
  const std::string head = csv_field(report.session_id) + "," + csv_field(report.agent) + "," + csv_field(report.team);
  if (!ctx.csv_findings) {
    std::string row = head + "," + format_points(report.score) + "," + (report.fatal ? "true" : "false") + "," +
                      std::to_string(report.message_count);
    for (const ItemResult& r : report.items) row += "," + csv_field(item_cell(r));
    row += "," + csv_field(report.error);
    return row + "\r\n";
  }
  std::string rows;
  for (const ItemResult& r : report.items) {
    if (r.status != ItemStatus::failed) continue;
    const std::string item = head + "," + csv_field(r.id) + "," + csv_field(r.title) + "," + csv_field(r.category) +
                             "," + (r.severity == ItemSeverity::fatal ? "fatal" : "minor") + "," +
                             (r.bonus ? "bonus" : "failed") + "," +
                             (r.bonus ? "+" + format_points(r.awarded) : format_points(r.deducted));
    if (r.findings.empty()) {
      rows += item + ",,,,,,,,\r\n";
      continue;
    }
    for (const Finding& f : r.findings) {
      rows += item + ",";
      if (f.at.message) {
        rows += std::to_string(*f.at.message) + "," + csv_field(f.at.time) + "," +
                (f.at.role ? std::string(to_string(*f.at.role)) : std::string());
      } else {
        rows += ",,";
      }
      rows += "," + csv_field(f.at.quote) + ",";
      if (f.at.span)
        rows += std::to_string(f.at.span->begin) + "," + std::to_string(f.at.span->end);
      else
        rows += ",";
      rows += "," + csv_field(f.explanation) + ",\r\n";
    }
  }
  if (!report.error.empty()) rows += head + std::string(14, ',') + csv_field(report.error) + "\r\n";
  return rows;
}

// Writes the report into `out` (JSON formats reuse its memory: see to_json).
void format_report(const Report& report, const Session& session, const Context& ctx, std::string& out) {
  if (ctx.format == "jsonl" || ctx.format == "json") {
    to_json(report, out, {ctx.include_passed, ctx.format == "json"});
    return;
  }
  out = format_text_or_csv(report, session, ctx);
}

// Overwrites every field of `out` (a result of an earlier batch, whose
// text's memory the JSON formats reuse).
void score_record(const Record& record, const Context& ctx, EvalScratch& scratch, Report& report, Result& out) {
  out.scored = false;
  out.score = 0;
  out.error_code.clear();
  out.digest.reset();
  const std::size_t columns = ctx.rules->items().size();
  ParsedSession parsed = SessionReader::parse(record, ctx.read_options);
  if (parsed.error) {
    out.error_code = parsed.error->code;
    out.text = format_error(*parsed.error, record.input, ctx, columns);
    return;
  }
  evaluate(*ctx.rules, *parsed.session, scratch, report);
  format_report(report, *parsed.session, ctx, out.text);
  out.scored = report.error.empty();
  out.score = report.score;
  if (ctx.want_digest) out.digest = digest_of(report);
}

// ---------------------------------------------------------------------------
// Progress on stderr: "1,234,567 sessions  45,678/s  12.3 MB/s  1.2 GB of 3.4 GB  ETA 0:01:23"

std::string with_commas(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

class Progress {
 public:
  Progress(std::uint64_t total_bytes, const std::atomic<std::uint64_t>& bytes_read,
           const std::atomic<std::uint64_t>& records)
      : total_(total_bytes), bytes_read_(bytes_read), records_(records), start_(std::chrono::steady_clock::now()) {}

  void start() {
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
        std::fprintf(stderr, "\r\033[K%s", line().c_str());
        std::fflush(stderr);
      }
    });
  }

  void finish(std::uint64_t errors) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    const double secs = elapsed();
    std::fprintf(
        stderr, "\r\033[Kchatqa: %s records (%s errors) in %s, %s/s\n", with_commas(records_.load()).c_str(),
        with_commas(errors).c_str(), duration_text(secs).c_str(),
        with_commas(static_cast<std::uint64_t>(static_cast<double>(records_.load()) / std::max(secs, 1e-3))).c_str());
  }

 private:
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

  std::string line() const {
    const double secs = std::max(elapsed(), 1e-3);
    const double read = static_cast<double>(bytes_read_.load());
    const std::uint64_t done = records_.load();
    std::string s = with_commas(done) + " sessions  " +
                    with_commas(static_cast<std::uint64_t>(static_cast<double>(done) / secs)) + "/s  " +
                    bytes_text(read / secs) + "/s  " + bytes_text(read);
    if (total_ > 0) {
      const double fraction = std::min(1.0, read / static_cast<double>(total_));
      char pct[16];
      std::snprintf(pct, sizeof pct, " (%.0f%%)", fraction * 100);
      s += " of " + bytes_text(static_cast<double>(total_)) + pct;
      if (fraction > 0.001) s += "  ETA " + duration_text(secs / fraction - secs);
    }
    return s;
  }

  std::uint64_t total_;
  const std::atomic<std::uint64_t>& bytes_read_;
  const std::atomic<std::uint64_t>& records_;
  std::chrono::steady_clock::time_point start_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// ---------------------------------------------------------------------------
// The pipeline

struct Batch {
  std::uint64_t seq = 0;
  std::vector<Record> records;
  std::vector<Result> results;
};

class Pipeline {
 public:
  Pipeline(std::size_t max_in_flight) : max_in_flight_(max_in_flight) {}

  // Reader side: blocks while too many batches are in flight.
  void push(std::vector<Record>&& records) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [this] { return in_flight_ < max_in_flight_; });
    Batch b;
    b.seq = next_seq_++;
    b.records = std::move(records);
    ++in_flight_;
    work_.push_back(std::move(b));
    work_ready_.notify_one();
  }

  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    work_ready_.notify_all();
    done_ready_.notify_all();
  }

  // Worker side: false when there is no more work. The batch comes with
  // the results of one already written, if there is one, to overwrite.
  bool take(Batch& out) {
    std::unique_lock<std::mutex> lock(mutex_);
    work_ready_.wait(lock, [this] { return !work_.empty() || closed_; });
    if (work_.empty()) return false;
    out = std::move(work_.front());
    work_.pop_front();
    if (!spare_results_.empty()) {
      out.results = std::move(spare_results_.back());
      spare_results_.pop_back();
    }
    return true;
  }

  void finished(Batch&& b) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::uint64_t seq = b.seq;
    done_.emplace(seq, std::move(b));
    if (seq == next_write_) done_ready_.notify_one();
  }

  // Writer side: whether the next batch in input order is there already
  // (next() would not wait).
  bool has_next() {
    std::lock_guard<std::mutex> lock(mutex_);
    return done_.count(next_write_) > 0;
  }

  // Writer side: the next batch in input order; false at the end.
  bool next(Batch& out) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_ready_.wait(lock, [this] { return done_.count(next_write_) > 0 || (closed_ && next_write_ == next_seq_); });
    auto it = done_.find(next_write_);
    if (it == done_.end()) return false;
    out = std::move(it->second);
    done_.erase(it);
    ++next_write_;
    return true;
  }

  // Writer side, after writing a batch: its results go back to the workers,
  // whose next reports are written into the same memory (a fresh string per
  // report is a large allocation each time). Outsized texts are not kept.
  void written(std::vector<Result>&& results) {
    for (Result& r : results) {
      if (r.text.capacity() > kKeepTextBytes) std::string().swap(r.text);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    --in_flight_;
    // About one a worker: batches come back at the rate workers take them.
    if (spare_results_.size() < max_in_flight_ / 4 + 1) spare_results_.push_back(std::move(results));
    space_.notify_one();
  }

 private:
  std::size_t max_in_flight_;
  std::mutex mutex_;
  std::condition_variable space_, work_ready_, done_ready_;
  std::deque<Batch> work_;
  std::map<std::uint64_t, Batch> done_;
  static constexpr std::size_t kKeepTextBytes = 64u << 10;
  std::vector<std::vector<Result>> spare_results_;
  std::size_t in_flight_ = 0;
  std::uint64_t next_seq_ = 0, next_write_ = 0;
  bool closed_ = false;
};

int usage_error(const std::string& message) {
  std::cerr << "chatqa score: " << message << "\n";
  return kExitUsage;
}

// Long function: sets up the batch pipeline (outputs opened before any work, the reader thread,
// the workers, the in-order writer, progress) whose threads share the locals here; scoring and
// formatting one record are the functions above.
int run_score(const ScoreArgs& args) {
  // Options first: a usage error must not leave anything behind.
  ReadOptions read_options;
  if (auto err = apply_input_options(args.input, read_options)) return usage_error(*err);

  CompileResult compiled = compile_rule_file(args.rules);
  for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return kExitUsage;

  Context ctx;
  ctx.rules = compiled.rule_set.get();
  ctx.read_options = read_options;
  ctx.format = args.format;
  ctx.csv_findings = args.csv_findings;
  ctx.include_passed = args.include_passed;
  ctx.want_digest = !args.summary.empty();
  if (args.csv_findings && args.format != "csv") return usage_error("--csv-findings needs --format csv");

  // Both outputs are opened before any work: an unwritable target fails now,
  // not after the whole run.
  OutputFile out;
  if (int code = fail_if("score", out.open(args.output))) return code;
  OutputFile summary_file;
  if (!args.summary.empty()) {
    if (int code = fail_if("score", summary_file.open(args.summary))) return code;
  }
  // Set once the output is lost (disk full, /dev/full): the reader stops, the
  // records in flight drain, and the run ends with exit 2.
  std::atomic<bool> output_lost{false};

  std::vector<std::string> inputs = args.inputs;
  if (inputs.empty()) inputs.push_back("-");
  std::uint64_t total_bytes = 0;
  for (const auto& name : inputs) total_bytes += input_size(name);

  const bool flush_each = line_buffered(args, inputs, read_options);
  const unsigned threads = args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  Pipeline pipeline(static_cast<std::size_t>(threads) * 4 + 2);
  std::atomic<std::uint64_t> bytes_read{0}, records_written{0};

  std::optional<Progress> progress;
  if (!args.quiet && is_terminal(2)) {
    progress.emplace(total_bytes, bytes_read, records_written);
    progress->start();
  }

  std::thread reader([&] {
    constexpr std::size_t kBatchRecords = 128;
    constexpr std::size_t kBatchBytes = 1u << 20;
    std::vector<Record> batch;
    std::size_t batch_bytes = 0;
    const std::function<bool(Record &&)> emit = [&](Record&& r) {
      batch_bytes += r.text.size();
      batch.push_back(std::move(r));
      if (flush_each || batch.size() >= kBatchRecords || batch_bytes >= kBatchBytes) {
        pipeline.push(std::move(batch));
        batch = {};
        batch_bytes = 0;
      }
      return !output_lost.load(std::memory_order_relaxed);
    };
    for (const auto& name : inputs) {
      if (output_lost.load(std::memory_order_relaxed)) break;
      read_records(name, read_options, emit, &bytes_read);
    }
    if (!batch.empty()) pipeline.push(std::move(batch));
    pipeline.close();
  });

  std::vector<std::thread> workers;
  for (unsigned i = 0; i < threads; ++i) {
    workers.emplace_back([&] {
      Batch b;
      EvalScratch scratch;  // this worker's working memory, reused for every session
      Report report;        // and its report's
      while (pipeline.take(b)) {
        b.results.resize(b.records.size());
        for (std::size_t i = 0; i < b.records.size(); ++i) {
          score_record(b.records[i], ctx, scratch, report, b.results[i]);
        }
        b.records.clear();
        pipeline.finished(std::move(b));
        b = Batch{};
      }
    });
  }

  std::optional<Summary> summary;
  if (!args.summary.empty()) summary.emplace(args.worst);
  std::uint64_t errors = 0, below = 0;
  bool first = true;
  if (args.format == "csv") out.write(csv_header(*ctx.rules, args.csv_findings));
  if (args.format == "json") out.write("[");
  Batch b;
  while (pipeline.next(b)) {
    for (Result& r : b.results) {
      if (!r.error_code.empty()) ++errors;
      if (r.scored && args.fail_under && r.score < *args.fail_under) ++below;
      if (summary) {
        if (r.digest) {
          summary->add(*r.digest);
        } else if (!r.error_code.empty()) {
          summary->add_error(r.error_code);
        }
      }
      if (args.format == "json") {
        out.write(first ? "\n" : ",\n");
        out.write(r.text);
      } else {
        out.write(r.text);
        if (args.format == "jsonl") out.write("\n");
      }
      first = false;
    }
    if (out.failed()) output_lost.store(true, std::memory_order_relaxed);
    records_written.fetch_add(b.results.size(), std::memory_order_relaxed);
    pipeline.written(std::move(b.results));
    // Co-process: what is written goes out before waiting for more input.
    if (flush_each && !pipeline.has_next()) std::fflush(out.file());
    b = Batch{};
  }
  reader.join();
  for (auto& w : workers) w.join();
  if (args.format == "json") out.write(first ? "]\n" : "\n]\n");
  if (progress) progress->finish(errors);

  int status = kExitOk;
  if (int code = fail_if("score", out.commit())) return code;  // the summary's temp file goes with summary_file
  if (summary) {
    summary_file.write(summary->to_json());
    summary_file.write("\n");
    if (int code = fail_if("score", summary_file.commit())) return code;
  }
  if (errors > 0) {
    status = kExitBadInput;
    if (!args.quiet) {
      std::cerr << "chatqa score: " << errors << " of " << records_written.load()
                << " input records could not be scored (see the error records)\n";
    }
  }
  if (below > 0) {
    status = kExitBadInput;
    if (!args.quiet) {
      std::cerr << "chatqa score: " << below << " session(s) scored below " << format_points(*args.fail_under) << "\n";
    }
  }
  return status;
}

}  // namespace

void add_score_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Score sessions: one report (or error record) per input record, in input order.\n"
      "Inputs: JSON object, JSON array, JSON Lines, or CSV (one message per row); any of them gzip-compressed.\n"
      "Exit status: 0 all scored, 1 some records could not be scored (or --fail-under), 2 usage or rule errors.");
  cmd->add_option("-r,--rules", args->rules, "Rule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("inputs", args->inputs, "Input files; - (or none) for stdin");
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"jsonl", "json", "csv", "text"}))
      ->capture_default_str();
  cmd->add_flag("--csv-findings", args->csv_findings, "With --format csv: one row per finding instead of per session");
  cmd->add_flag("--include-passed", args->include_passed, "JSON reports also list the items that passed");
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout (a regular file is replaced atomically; see docs/cli.md)");
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 1024u));
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line or notes on stderr");
  cmd->add_option("--fail-under", args->fail_under, "Exit 1 if any session scores below SCORE (for gating)");
  cmd->add_option("--summary", args->summary, "Also write the run's mergeable summary (JSON) to FILE");
  cmd->add_option("--worst", args->worst, "Worst sessions kept in the summary")->capture_default_str();
  cmd->add_flag("--line-buffered", args->line_buffered,
                "Write and flush each report as soon as its session is read (co-process mode; the default when "
                "JSON Lines come from a pipe on stdin and go to a pipe on stdout)");
  add_input_options(cmd, args->input);
  cmd->callback([args, &run] { run = [args] { return run_score(*args); }; });
}

}  // namespace chatqa::cli
