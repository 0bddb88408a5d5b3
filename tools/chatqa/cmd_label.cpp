// chatqa label -r RULES INPUT... : a seeded random sample of findings per item,
// with their context, as a labelling file for people to judge.
//
// Each record is one finding (session, message, item, span, quote, the
// messages around it) with an empty "verdict" to fill in ("right"/"wrong")
// and an optional "note". With --silent N it also samples N sessions per item
// in which the item passed, to be labelled "right" or "miss" (recall). The
// first record describes the sample: rule set, inputs, seed and, per item,
// how many sessions and findings there were. Same inputs and seed, same file,
// whatever the input order. `chatqa agree` reads the labelled file.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rule_options.hpp"
#include "chatqa/chatqa.hpp"
#include "commands.hpp"
#include "input.hpp"
#include "labels.hpp"
#include "output.hpp"

namespace chatqa::cli {
namespace {

struct LabelArgs {
  std::string rules;
  std::vector<std::string> inputs;
  std::size_t per_item = 30;
  std::size_t silent = 0;
  std::uint64_t seed = 1;
  std::vector<std::string> items;
  int context = 3;
  std::string output;
  InputArgs input;
};

struct ItemCounts {
  std::size_t sessions = 0, failed = 0, findings = 0, silent = 0;
};

// The items to sample (--items, default every scored item), in rule-set
// order; nullopt after telling about an --items id the rule set lacks.
std::optional<std::vector<const ItemInfo*>> items_to_label(const LabelArgs& args, const RuleSet& rules) {
  std::set<std::string> wanted;
  for (const std::string& list : args.items) {
    std::stringstream s(list);
    for (std::string id; std::getline(s, id, ',');) {
      if (!id.empty()) wanted.insert(id);
    }
  }
  std::vector<const ItemInfo*> items;
  for (const ItemInfo& info : rules.items()) {
    if (info.check_type == "manual") continue;
    if (wanted.empty() || wanted.count(info.id)) items.push_back(&info);
  }
  for (const std::string& id : wanted) {
    bool known = false;
    for (const ItemInfo& info : rules.items()) known = known || info.id == id;
    if (!known) {
      std::cerr << "chatqa label: no item \"" << id << "\" in " << args.rules << "\n";
      return std::nullopt;
    }
  }
  return items;
}

// The first record of a sample: what was sampled from where, and per item how much.
labels::Json sample_header(const LabelArgs& args, const RuleSet& rules, const std::vector<const ItemInfo*>& items,
                           std::map<std::string, ItemCounts>& counts) {
  const std::string& name = rules.name();
  labels::Json header;
  header["chatqa_label"] = 1;
  header["rule_set"] = {{"name", name}, {"version", rules.version()}};
  header["inputs"] = args.inputs;
  header["seed"] = args.seed;
  header["per_item"] = args.per_item;
  if (args.silent > 0) header["silent_per_item"] = args.silent;
  labels::Json per_item = labels::Json::object();
  for (const ItemInfo* info : items) {
    const ItemCounts& c = counts[info->id];
    per_item[info->id] = {{"sessions", c.sessions},
                          {"failed", c.failed},
                          {"findings", c.findings},
                          {"sampled", std::min(c.findings, args.per_item)}};
    if (args.silent > 0) per_item[info->id]["silent_sampled"] = std::min(c.silent, args.silent);
  }
  header["items"] = per_item;
  return header;
}

int run_label(const LabelArgs& args) {
  CompileResult compiled = compile_rule_file(args.rules, compile_options());
  for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
  if (!compiled.ok()) return kExitUsage;
  const RuleSet& rules = *compiled.rule_set;

  const auto selected = items_to_label(args, rules);
  if (!selected) return kExitUsage;
  const std::vector<const ItemInfo*>& items = *selected;
  std::set<std::string> chosen;
  for (const ItemInfo* info : items) chosen.insert(info->id);

  labels::Sampler findings(args.seed, args.per_item);
  labels::Sampler silent(args.seed ^ 0x5157ULL, args.silent);
  std::map<std::string, ItemCounts> counts;
  const std::string& name = rules.name();
  std::size_t bad = 0;
  try {
    bad = labels::score_inputs(
        rules, args.inputs, args.input,
        [&](const Session& session, const Report& report) {
          for (const ItemResult& item : report.items) {
            if (!chosen.count(item.id)) continue;
            ItemCounts& c = counts[item.id];
            if (item.status == ItemStatus::failed || item.status == ItemStatus::passed) ++c.sessions;
            if (item.status == ItemStatus::passed) {
              ++c.silent;
              silent.offer(item.id, session.id + '\x1f' + item.id,
                           [&] { return labels::silent_record(name, session, item); });
            }
            if (item.status != ItemStatus::failed) continue;
            ++c.failed;
            for (const auto& [f, dup] : labels::distinct_findings(session.id, item)) {
              ++c.findings;
              const Finding& finding = *f;
              const std::size_t duplicates = dup;
              findings.offer(item.id, labels::key_of(session.id, item.id, finding).str(), [&] {
                return labels::finding_record(name, session, item, finding, args.context, duplicates);
              });
            }
          }
        },
        "label");
  } catch (const std::runtime_error& e) {
    std::cerr << "chatqa label: " << e.what() << "\n";
    return kExitUsage;
  }

  OutputFile out;
  if (std::string err = out.open(args.output); !err.empty()) {
    std::cerr << "chatqa label: " << err << "\n";
    return kExitUsage;
  }
  const labels::Json header = sample_header(args, rules, items, counts);
  out.write(labels::line_of(header));
  std::size_t written = 0;
  for (const ItemInfo* info : items) {
    for (const labels::Json& j : findings.take(info->id)) {
      out.write(labels::line_of(j));
      ++written;
    }
    for (const labels::Json& j : silent.take(info->id)) {
      out.write(labels::line_of(j));
      ++written;
    }
  }
  if (std::string err = out.commit(); !err.empty()) {
    std::cerr << "chatqa label: " << err << "\n";
    return kExitUsage;
  }
  if (!out.is_stdout()) std::cerr << "chatqa label: " << written << " records to label in " << args.output << "\n";
  return bad > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void add_label_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<LabelArgs>();
  CLI::App* cmd = app.add_subcommand(
      "label",
      "Write a seeded random sample of findings per item, with the messages around each, to a labelling file\n"
      "(JSON Lines): fill in \"verdict\" (right/wrong) and an optional \"note\", then run `chatqa agree`.");
  cmd->add_option("-r,--rules", args->rules, "Rule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("inputs", args->inputs, "Sessions (JSON, JSONL, CSV, .gz); - for stdin")->required();
  cmd->add_option("--per-item", args->per_item, "Findings sampled per item (all when fewer)")->capture_default_str();
  cmd->add_option("--silent", args->silent,
                  "Also sample this many sessions per item in which the item passed, to label misses")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sample")->capture_default_str();
  cmd->add_option("--items", args->items, "Only these items (comma-separated ids; repeatable)");
  cmd->add_option("--context", args->context, "Messages shown either side of a finding's message (-1: whole session)")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write to FILE (atomically) instead of stdout");
  add_input_options(cmd, args->input);
  cmd->callback([args, &run] { run = [args] { return run_label(*args); }; });
}

}  // namespace chatqa::cli
