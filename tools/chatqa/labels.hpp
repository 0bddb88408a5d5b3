// Labelled findings: what `chatqa label` writes and `chatqa agree` reads.
//
// A label file is JSON Lines. An optional first record describes the sample
// ({"chatqa_label": 1, "rule_set": ..., "items": {...}}); every other record
// is one labelled thing, identified by (rule_set, item, session, message,
// span):
//   kind "finding" (default): a finding the rules produced; verdict "right" or
//                             "wrong" (empty: not labelled yet).
//   kind "silent":            a session where the item passed; verdict "right"
//                             (rightly silent) or "miss" (it should have fired).
//   kind "miss":              a finding the rules should have produced.
// Other keys (quote, context, explanation, note) are for the person labelling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"
#include "input.hpp"

namespace chatqa::cli::labels {

using Json = nlohmann::ordered_json;

// A finding's message index as label files write it: -1 for the whole session.
inline long message_or_session(const Location& at) {
  return at.message ? static_cast<long>(*at.message) : -1;
}

// Where a finding is: enough to find it again after the rules change.
struct Key {
  std::string session;
  std::string item;
  long message = -1;  // -1: the whole session
  bool has_span = false;
  std::size_t begin = 0, end = 0;  // code points into the original message text

  // "session\x1fitem\x1fmessage\x1fbegin:end" (span "-" when none).
  std::string str() const;
};

Key key_of(const std::string& session, const std::string& item, const Finding& f);

// Seeded, order-independent sampling key of a string (splitmix64 over FNV-1a).
std::uint64_t sample_hash(std::uint64_t seed, const std::string& text);

// Label record of a finding, with `context` messages either side of the
// message it points at (negative: the whole session).
Json finding_record(const std::string& rule_set, const Session& session, const ItemResult& item, const Finding& f,
                    int context, std::size_t duplicates);
// Label record of a session in which `item` passed: the whole session as context.
Json silent_record(const std::string& rule_set, const Session& session, const ItemResult& item);

// Per item, the `per_item` records with the smallest sampling keys: a seeded
// random sample that does not depend on input order, in constant memory.
class Sampler {
 public:
  Sampler(std::uint64_t seed, std::size_t per_item) : seed_(seed), per_item_(per_item) {}
  // `make` is called only when the candidate enters the sample.
  void offer(const std::string& item, const std::string& key, const std::function<Json()>& make);
  // The sample of one item, in sampling-key order.
  std::vector<Json> take(const std::string& item);

 private:
  struct Entry {
    std::uint64_t hash;
    std::string key;
    Json record;
  };
  std::uint64_t seed_;
  std::size_t per_item_;
  std::map<std::string, std::vector<Entry>> heaps_;
};

// Reads `inputs` as sessions (the input options of score), evaluates each
// with `rules` and hands (session, report) to `fn`. Unreadable records are
// reported on stderr and counted; returns that count.
std::size_t score_inputs(const RuleSet& rules, const std::vector<std::string>& inputs, const InputArgs& input_args,
                         const std::function<void(const Session&, const Report&)>& fn, const char* command);

// Findings of one item with equal keys counted once: (finding, how many share its key).
std::vector<std::pair<const Finding*, std::size_t>> distinct_findings(const std::string& session,
                                                                      const ItemResult& item);

// One JSON line (UTF-8 kept, invalid bytes replaced), with a newline.
std::string line_of(const Json& j);

}  // namespace chatqa::cli::labels
