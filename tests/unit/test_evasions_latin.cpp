// Latin evasions of banned phrases (opt-in: normalize.latin_evasions, or the
// rule set's options.latin_evasions): look-alikes, confusable letters of
// other scripts, squeezed repeats, masks, hyphens inside a word; and the
// precision that must come with them.
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "test_matcher_util.hpp"

using matcher_test::agent_findings;
using matcher_test::compile;
using matcher_test::one_item;

namespace {

const char* kPhrases = R"(["stupid", "crap", "shut up", "idiot", "ass", "hell"])";

std::string evasion_rules(bool on) {
  return one_item(std::string(R"({"type": "banned_phrase", "phrases": )") + kPhrases +
                  R"(, "normalize": {"latin_evasions": )" + (on ? "true" : "false") + "}}");
}

}  // namespace

TEST_CASE("latin evasions: disguised words are seen through", "[evasions][latin]") {
  auto rules = compile(evasion_rules(true));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"you are $tupid", "$tupid"},
      {"you are 5tup1d", "5tup1d"},
      {"what a load of cr@p", "cr@p"},
      {"you are stuuupid", "stuuupid"},
      {"you are \xD1\x95tupid", "\xD1\x95tupid"},  // Cyrillic ѕ (U+0455)
      {"you are st*pid", "st*pid"},
      {"you are stu-pid", "stu-pid"},
      {"sh|_|t up", ""},  // not a phrase we know how to read: nothing claimed
      {"SHUT UUUP now", "SHUT UUUP"},
      {"what the he11", "he11"},
      {"you 1d10t", "1d10t"},
      {"you are a s t u p i d person", "s t u p i d"},
      {"c-r-a-p. I have", "c-r-a-p"},
  };
  for (const auto& [text, quote] : cases) {
    INFO(text);
    const auto f = agent_findings(*rules, text);
    if (quote.empty()) {
      CHECK(f.empty());
      continue;
    }
    REQUIRE(f.size() == 1);
    CHECK(f[0].quote == quote);
  }
  // The finding names the phrase it disguised.
  auto f = agent_findings(*rules, "you are 5tup1d");
  REQUIRE(f.size() == 1);
  CHECK(f[0].matched == "stupid");
}

TEST_CASE("latin evasions: opt-in", "[evasions][latin]") {
  auto off = compile(evasion_rules(false));
  CHECK(agent_findings(*off, "you are $tupid").empty());
  CHECK(agent_findings(*off, "you are st*pid").empty());
  CHECK(agent_findings(*off, "you are stupid").size() == 1);
  auto whole_set = compile(one_item(std::string(R"({"type": "banned_phrase", "phrases": )") + kPhrases + "}",
                                    R"({"latin_evasions": true})"));
  CHECK(agent_findings(*whole_set, "you are $tupid").size() == 1);
}

TEST_CASE("latin evasions: no hit on clean English", "[evasions][latin][clean]") {
  auto rules = compile(evasion_rules(true));
  for (const char* clean :
       {"Your Galaxy A55 has shipped", "Please go to counter 455", "We need to assess the damage", "a first-class seat",
        "the Essex branch", "a passage in the manual", "hello!! how are you", "a shell script", "Hello there!!!",
        "the class of 2005", "Model A5S", "size 55", "the 5th of May", "I'll help", "he'll call", "shut-off valve",
        "pass@word", "email: sales@shop.com", "c++ and c#", "a 3-step guide", "1-800-555-0199", "hellooo there",
        "Sussex", "cr4zy deals", "the idiom", "crape myrtle", "stupidity", "asap", "as soon as possible"}) {
    INFO(clean);
    CHECK(agent_findings(*rules, clean).empty());
  }
}

TEST_CASE("latin evasions: no hit on any word of wamerican", "[evasions][latin][clean]") {
  const char* list = "/usr/share/dict/american-english";
  if (!std::filesystem::exists(list)) {
    WARN("wamerican is not installed: nothing checked");
    return;
  }
  auto rules = compile(evasion_rules(true));
  auto plain = compile(evasion_rules(false));
  std::ifstream in(list);
  std::string word;
  std::vector<std::string> messages;
  while (std::getline(in, word)) messages.push_back(word);  // each word on its own
  std::size_t hits = 0;
  for (std::size_t b = 0; b < messages.size(); b += 200) {
    std::vector<std::string> chunk(messages.begin() + static_cast<std::ptrdiff_t>(b),
                                   messages.begin() + static_cast<std::ptrdiff_t>(std::min(messages.size(), b + 200)));
    std::set<long> really;  // words that are the phrase itself (hell's, Hell)
    for (const auto& f : agent_findings(*plain, chunk)) really.insert(f.message);
    for (const auto& f : agent_findings(*rules, chunk)) {
      if (really.count(f.message)) continue;
      ++hits;
      FAIL_CHECK("\"" << chunk[static_cast<std::size_t>(f.message)] << "\" read as " << f.matched);
    }
  }
  CHECK(hits == 0);
}
