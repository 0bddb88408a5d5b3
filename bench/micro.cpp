// Google Benchmark micro-benchmarks of the text layer, on ~2 MB of message
// text from the synthetic corpus (bench/corpus.hpp):
//   BM_Normalize              NFKC + case/width folding + skeleton, MB/s
//   BM_MatchLiterals/N        Aho-Corasick over normalised text, N phrases, separator skipping on
//   BM_Re2SetLiterals/N       the same literals in one RE2::Set over the skeleton (which phrases, not where)
//   BM_Evaluate               whole evaluation of one parsed session with the shipped zh-CN rule set
//   BM_OneCheck/check:N       one check alone (repetition, pii, literal regexes), µs per session
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <re2/re2.h>
#include <re2/set.h>

#include "chatqa/chatqa.hpp"
#include "corpus.hpp"
#include "text/normalizer.hpp"
#include "text/phrase_matcher.hpp"
#include "text/similarity.hpp"
#include "text/utf8.hpp"

namespace {

struct Sample {
  std::vector<chatqa::Session> sessions;
  std::vector<std::string> texts;
  std::vector<chatqa::text::NormText> normalised;
  std::int64_t bytes = 0;
};

const Sample& sample() {
  static const Sample s = [] {
    Sample out;
    chatqa_bench::CorpusOptions o;
    o.bytes = 4'000'000;
    std::ostringstream corpus;
    chatqa_bench::write_corpus(o, corpus);
    for (auto& p : chatqa::parse_sessions(corpus.str())) {
      if (!p.session) continue;
      for (const auto& m : p.session->messages) {
        out.texts.push_back(m.text);
        out.bytes += static_cast<std::int64_t>(m.text.size());
      }
      out.sessions.push_back(std::move(*p.session));
    }
    out.normalised.resize(out.texts.size());
    for (std::size_t i = 0; i < out.texts.size(); ++i) {
      chatqa::text::Normalizer::instance().normalize(out.texts[i], false, out.normalised[i]);
    }
    return out;
  }();
  return s;
}

void BM_Normalize(benchmark::State& state) {
  const Sample& s = sample();
  chatqa::text::NormText t;
  for (auto _ : state) {
    for (const auto& text : s.texts) chatqa::text::Normalizer::instance().normalize(text, state.range(0) != 0, t);
    benchmark::DoNotOptimize(t.skeleton.data());
  }
  state.SetBytesProcessed(state.iterations() * s.bytes);
}
BENCHMARK(BM_Normalize)->Arg(0)->Arg(1)->ArgName("traditional")->Unit(benchmark::kMillisecond);

void BM_MatchLiterals(benchmark::State& state) {
  const Sample& s = sample();
  chatqa::text::PhraseMatcher m;
  chatqa::text::MatchSettings settings;
  settings.max_skip = 3;
  for (const auto& p : chatqa_bench::scaling_phrases(static_cast<std::size_t>(state.range(0)))) {
    m.add_literal(p, 0, settings, nullptr);
  }
  m.build(64u << 20, nullptr);
  std::vector<chatqa::text::Hit> hits;
  std::int64_t total = 0;
  for (auto _ : state) {
    for (const auto& t : s.normalised) {
      hits.clear();
      m.match_literals(t, 0, hits);
      total += static_cast<std::int64_t>(hits.size());
    }
  }
  state.counters["hits_per_pass"] = static_cast<double>(total) / static_cast<double>(state.iterations());
  state.SetBytesProcessed(state.iterations() * s.bytes);
}
BENCHMARK(BM_MatchLiterals)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Re2SetLiterals(benchmark::State& state) {
  const Sample& s = sample();
  RE2::Options o;
  o.set_max_mem(int64_t{1} << 30);
  o.set_log_errors(false);
  o.set_literal(true);
  RE2::Set set(o, RE2::UNANCHORED);
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  for (const auto& p : chatqa_bench::scaling_phrases(static_cast<std::size_t>(state.range(0)))) {
    chatqa::text::Normalizer::instance().normalize_phrase(p, false, chars, flags);
    std::u32string skel;
    for (std::size_t k = 0; k < chars.size(); ++k) {
      if (!(flags[k] & chatqa::text::kSeparator)) skel.push_back(chars[k]);
    }
    set.Add(chatqa::utf8::encode(skel), nullptr);
  }
  if (!set.Compile()) {
    state.SkipWithError("RE2::Set::Compile failed");
    return;
  }
  std::vector<std::string> skeletons;
  for (const auto& t : s.normalised) skeletons.push_back(chatqa::utf8::encode(t.skeleton));
  std::vector<int> which;
  std::int64_t total = 0, failures = 0;
  for (auto _ : state) {
    for (const auto& sk : skeletons) {
      which.clear();
      RE2::Set::ErrorInfo info{};
      if (!set.Match(sk, &which, &info) && info.kind != RE2::Set::kNoError) ++failures;
      total += static_cast<std::int64_t>(which.size());
    }
  }
  state.counters["matching_texts_per_pass"] = static_cast<double>(total) / static_cast<double>(state.iterations());
  state.counters["dfa_failures"] = static_cast<double>(failures);
  state.SetBytesProcessed(state.iterations() * s.bytes);
}
BENCHMARK(BM_Re2SetLiterals)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Similar-phrase matching of every message (all roles) against N example
// sentences in 7 groups: the sentences below, then the corpus's phrases.
void BM_SimilarMatch(benchmark::State& state) {
  const Sample& s = sample();
  static const char* const kExamples[] = {
      "请问还有别的需要我帮忙的吗", "请问还有什么可以帮您的吗", "感谢您的咨询，祝您生活愉快", "请您对我的服务做出评价",
      "请您稍等，我帮您查询一下", "您的问题需要同相关人员确认，请您稍等", "感谢您的耐心等待", "您好，很高兴为您服务",
      "Is there anything else I can help you with?", "Thanks for contacting us, have a great day",
      "Please hold on while I check", "Thank you for waiting"};
  chatqa::text::SimilarityIndex index;
  for (std::uint32_t g = 0; g < 7; ++g) index.add_group(g, 0.5, 0xFF);
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> examples(std::begin(kExamples), std::end(kExamples));
  for (const auto& p : chatqa_bench::scaling_phrases(n)) examples.push_back(p);
  examples.resize(n);
  for (std::size_t k = 0; k < examples.size(); ++k) {
    index.add_example(static_cast<std::uint32_t>(k % 7), examples[k], 0, false, nullptr);
  }
  index.build();
  chatqa::text::SimilarityScratch scratch;
  std::vector<chatqa::text::SimilarMatch> matches, nearest;
  std::int64_t total = 0;
  for (auto _ : state) {
    for (const auto& t : s.normalised) {
      matches.clear();
      nearest.clear();
      index.match(t, 0, 0xFF, scratch, matches, nearest);
      total += static_cast<std::int64_t>(matches.size());
    }
  }
  state.counters["matches_per_pass"] = static_cast<double>(total) / static_cast<double>(state.iterations());
  state.counters["messages_per_pass"] = static_cast<double>(s.normalised.size());
  state.SetBytesProcessed(state.iterations() * s.bytes);
}
BENCHMARK(BM_SimilarMatch)->Arg(12)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_Evaluate(benchmark::State& state) {
  const Sample& s = sample();
  static const auto rules = chatqa::compile_rule_file(std::string(CHATQA_SOURCE_DIR) + "/rules/zh-CN/online-chat.json");
  if (!rules.ok()) {
    state.SkipWithError("rules/zh-CN/online-chat.json does not compile");
    return;
  }
  // Arg 0: a fresh working memory per call; 1: one EvalScratch reused, as a service thread would.
  chatqa::EvalScratch scratch;
  const bool reuse = state.range(0) != 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const chatqa::Report r = reuse ? chatqa::evaluate(*rules.rule_set, s.sessions[i], scratch)
                                   : chatqa::evaluate(*rules.rule_set, s.sessions[i]);
    benchmark::DoNotOptimize(r.score);
    i = (i + 1) % s.sessions.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate)->ArgName("scratch")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// One check alone, as a one-item rule set, over the sample's sessions (µs per
// session): the checks the shipped rule sets' precision work made costlier.
//   repetition: no_repeat_ask of zh-CN online-chat (Dice 0.55 over bigrams, reply_between)
//   pii:        the mobile-number check (a digit prefilter per agent message)
//   question:   literal regexes (\\? and 吗) on customer messages, as the open-thread guards ask
const char* const kOneCheck[] = {
    R"({"type": "repetition", "role": "customer", "min_repeats": 2, "similarity": 0.55, "min_chars": 6,
        "reply_between": true})",
    R"({"type": "pii", "kinds": ["phone"]})",
    R"({"type": "contains", "regex": ["\\?", "吗"], "role": "customer"})",
};
void BM_OneCheck(benchmark::State& state) {
  const Sample& s = sample();
  const std::string text = std::string(R"({"name": "micro", "version": "1", "total": 100, "items": [)") +
                           R"({"id": "x", "title": "x", "points": 10, "check": )" + kOneCheck[state.range(0)] + "}]}";
  const chatqa::CompileResult rules = chatqa::compile_rules(text, "micro.json", "");
  if (!rules.ok()) {
    state.SkipWithError("the one-check rule set does not compile");
    return;
  }
  chatqa::EvalScratch scratch;
  chatqa::Report report;
  std::size_t i = 0;
  for (auto _ : state) {
    chatqa::evaluate(*rules.rule_set, s.sessions[i], scratch, report);
    benchmark::DoNotOptimize(report.score);
    i = (i + 1) % s.sessions.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OneCheck)->ArgName("check")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
