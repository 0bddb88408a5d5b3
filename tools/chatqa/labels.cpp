// Labelled findings: keys, sampling and label records (see labels.hpp).
#include "labels.hpp"

#include <algorithm>
#include <iostream>

namespace chatqa::cli::labels {

std::string Key::str() const {
  std::string s = session;
  s += '\x1f';
  s += item;
  s += '\x1f';
  s += std::to_string(message);
  s += '\x1f';
  s += has_span ? std::to_string(begin) + ":" + std::to_string(end) : std::string("-");
  return s;
}

Key key_of(const std::string& session, const std::string& item, const Finding& f) {
  Key k;
  k.session = session;
  k.item = item;
  k.message = message_or_session(f.at);
  k.has_span = f.at.span.has_value();
  if (k.has_span) {
    k.begin = f.at.span->begin;
    k.end = f.at.span->end;
  }
  return k;
}

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Json message_json(const Session& session, std::size_t i, long marked) {
  const Message& m = session.messages[i];
  Json j;
  j["message"] = i;
  j["role"] = to_string(m.role);
  if (!m.event.empty()) j["event"] = m.event;
  j["text"] = m.text;
  if (static_cast<long>(i) == marked) j["finding"] = true;
  return j;
}

Json context_of(const Session& session, long message, int context) {
  Json out = Json::array();
  const std::size_t n = session.messages.size();
  std::size_t from = 0, to = n;
  if (context >= 0 && message >= 0) {
    const auto c = static_cast<std::size_t>(context);
    const auto m = static_cast<std::size_t>(message);
    from = m > c ? m - c : 0;
    to = std::min(n, m + c + 1);
  }
  for (std::size_t i = from; i < to; ++i) out.push_back(message_json(session, i, message));
  return out;
}

Json location_json(const Location& at) {
  Json j;
  j["message"] = message_or_session(at);
  if (at.span) j["span"] = {at.span->begin, at.span->end};
  if (!at.quote.empty()) j["quote"] = at.quote;
  return j;
}

}  // namespace

std::uint64_t sample_hash(std::uint64_t seed, const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return mix(h ^ mix(seed));
}

Json finding_record(const std::string& rule_set, const Session& session, const ItemResult& item, const Finding& f,
                    int context, std::size_t duplicates) {
  Json j;
  j["kind"] = "finding";
  j["rule_set"] = rule_set;
  j["item"] = item.id;
  j["session"] = session.id;
  j["message"] = message_or_session(f.at);
  if (f.at.span) j["span"] = {f.at.span->begin, f.at.span->end};
  if (!f.at.quote.empty()) j["quote"] = f.at.quote;
  if (!f.matched.empty()) j["matched"] = f.matched;
  if (!f.suggestion.empty()) j["suggestion"] = f.suggestion;
  j["explanation"] = f.explanation;
  if (f.related) j["related"] = location_json(*f.related);
  if (duplicates > 1) j["duplicates"] = duplicates;
  j["messages"] = session.messages.size();
  j["context"] = context_of(session, message_or_session(f.at), context);
  j["verdict"] = "";
  j["note"] = "";
  return j;
}

Json silent_record(const std::string& rule_set, const Session& session, const ItemResult& item) {
  Json j;
  j["kind"] = "silent";
  j["rule_set"] = rule_set;
  j["item"] = item.id;
  j["session"] = session.id;
  j["message"] = -1;
  j["messages"] = session.messages.size();
  j["context"] = context_of(session, -1, -1);
  j["verdict"] = "";
  j["note"] = "";
  return j;
}

void Sampler::offer(const std::string& item, const std::string& key, const std::function<Json()>& make) {
  if (per_item_ == 0) return;
  const std::uint64_t h = sample_hash(seed_, key);
  auto& heap = heaps_[item];
  auto less = [](const Entry& a, const Entry& b) { return a.hash != b.hash ? a.hash < b.hash : a.key < b.key; };
  if (heap.size() >= per_item_) {
    const Entry& worst = heap.front();
    if (!(h < worst.hash || (h == worst.hash && key < worst.key))) return;
    std::pop_heap(heap.begin(), heap.end(), less);
    heap.pop_back();
  }
  heap.push_back({h, key, make()});
  std::push_heap(heap.begin(), heap.end(), less);
}

std::vector<Json> Sampler::take(const std::string& item) {
  std::vector<Json> out;
  auto it = heaps_.find(item);
  if (it == heaps_.end()) return out;
  auto& heap = it->second;
  std::sort(heap.begin(), heap.end(),
            [](const Entry& a, const Entry& b) { return a.hash != b.hash ? a.hash < b.hash : a.key < b.key; });
  for (Entry& e : heap) out.push_back(std::move(e.record));
  heaps_.erase(it);
  return out;
}

std::size_t score_inputs(const RuleSet& rules, const std::vector<std::string>& inputs, const InputArgs& input_args,
                         const std::function<void(const Session&, const Report&)>& fn, const char* command) {
  ReadOptions options;
  if (auto err = apply_input_options(input_args, options)) {
    throw std::runtime_error(*err);
  }
  std::size_t bad = 0;
  EvalScratch scratch;
  Report report;
  for (const std::string& name : inputs) {
    read_records(name, options, [&](Record&& r) {
      ParsedSession parsed = SessionReader::parse(r, options);
      if (parsed.error) {
        std::cerr << "chatqa " << command << ": " << r.input << ":" << parsed.error->line << ": error["
                  << parsed.error->code << "]: " << parsed.error->message << "\n";
        ++bad;
        return true;
      }
      evaluate(rules, *parsed.session, scratch, report);
      if (!report.error.empty()) {
        std::cerr << "chatqa " << command << ": " << r.input << ":" << r.line << ": session \""
                  << parsed.session->id << "\" could not be evaluated: " << report.error << "\n";
        ++bad;
        return true;
      }
      fn(*parsed.session, report);
      return true;
    });
  }
  return bad;
}

std::vector<std::pair<const Finding*, std::size_t>> distinct_findings(const std::string& session,
                                                                      const ItemResult& item) {
  std::vector<std::pair<const Finding*, std::size_t>> out;
  std::map<std::string, std::size_t> at;
  for (const Finding& f : item.findings) {
    const std::string k = key_of(session, item.id, f).str();
    auto [it, fresh] = at.emplace(k, out.size());
    if (fresh) {
      out.emplace_back(&f, 1);
    } else {
      ++out[it->second].second;
    }
  }
  return out;
}

std::string line_of(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace chatqa::cli::labels
