// chatqa summarize SUMMARY_OR_REPORTS...: merge summaries and/or reports into one summary.
//
// Inputs may be summaries written by `score --summary` / `summarize`, report
// streams written by `score` (JSON Lines or a JSON array, gzip or not), or a
// mix. Merging is exact: summarizing the summaries of shards gives, byte for
// byte, the summary of the whole.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "input.hpp"
#include "output.hpp"
#include "summary.hpp"

namespace chatqa::cli {
namespace {

struct SummarizeArgs {
  std::vector<std::string> inputs;
  std::string format = "json";
  std::string output;
  std::size_t worst = 20;
};

std::string error_code_of(const std::string& text) {
  // Error records as `score` writes them: {"error":{"code":"E0201",...}}
  const std::string key = "\"code\":\"";
  const auto at = text.find(key);
  if (at == std::string::npos) return "unknown";
  const auto end = text.find('"', at + key.size());
  return text.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
}

int run_summarize(const SummarizeArgs& args) {
  Summary total(args.worst);
  std::uint64_t unreadable = 0;
  ReadOptions options;
  options.format = InputFormat::json;
  options.max_record_bytes = std::size_t{1} << 30;  // summaries of many agents can be large
  for (const std::string& name : args.inputs) {
    read_records(name, options, [&](Record&& r) {
      std::string why;
      if (r.error) {
        why = r.error->code + " " + r.error->message;
      } else if (Summary::looks_like_summary(r.text)) {
        if (auto s = Summary::from_json(r.text, why)) {
          total.merge(*s);
          return true;
        }
      } else if (r.text.rfind("{\"error\":", 0) == 0) {
        total.add_error(error_code_of(r.text));
        return true;
      } else if (auto d = digest_from_report_json(r.text, why)) {
        total.add(*d);
        return true;
      }
      ++unreadable;
      std::cerr << r.input << ":" << r.line << ": " << why << "\n";
      return true;
    });
  }
  if (int code = write_or_fail("summarize", args.output, args.format == "text" ? total.to_text() : total.to_json() + "\n")) {
    return code;
  }
  return unreadable > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void add_summarize_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<SummarizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "summarize",
      "Per agent, team and item: sessions, mean/min score, percentiles, fatal count, deduction frequency, worst "
      "sessions.\nInputs: summaries (score --summary) and/or report files; the result is again a mergeable summary.");
  cmd->add_option("inputs", args->inputs, "Summary or report files (JSON, JSONL, .gz); - for stdin")->required();
  cmd->add_option("--format", args->format, "json (mergeable) or text (tables for people)")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE (atomically) instead of stdout");
  cmd->add_option("--worst", args->worst, "Worst sessions to keep")->capture_default_str();
  cmd->callback([args, &run] { run = [args] { return run_summarize(*args); }; });
}

}  // namespace chatqa::cli
