// typo_count on Latin text: whole words, as a spell checker looks them up;
// dictionary hygiene at compile time; per-entry exceptions; canonical
// equivalence (NFC) before folding.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "test_matcher_util.hpp"

using matcher_test::agent_findings;
using matcher_test::compile;
using matcher_test::one_item;

namespace {

std::string typo_check(const std::string& dictionary) {
  return one_item(R"({"type": "typo_count", "dictionary": )" + dictionary + "}");
}

std::string typo_lexicon(const std::string& lexicon) {
  return one_item(R"({"type": "typo_count", "dictionary": "@typos"})", "{}", R"({"typos": )" + lexicon + "}");
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("chatqa-typo-words-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return (path / name).string();
  }
};

std::vector<chatqa::Diagnostic> warnings(const std::string& rules, const std::string& code) {
  chatqa::CompileResult r = chatqa::compile_rules(rules, "test.json", CHATQA_SOURCE_DIR, matcher_test::temp_files_allowed());
  REQUIRE(r.ok());
  std::vector<chatqa::Diagnostic> out;
  for (const auto& d : r.diagnostics) {
    if (d.code == code) out.push_back(d);
  }
  return out;
}

}  // namespace

TEST_CASE("Latin typos: codespell entries with punctuation never fire on correct words", "[typo_count][latin]") {
  auto rules = compile(typo_check(R"({"that;s": "that's", "wan't": "want", "teh": "the"})"));
  // The bug this fixes: punctuation between letters was folded away, so
  // wan't fired on every "want" and that;s on every "That's".
  for (const char* clean : {"That's fine", "I want it", "we want to help, I wasn't sure", "That’s it", "thats all",
                            "want; that's all", "that, s", "that; s"}) {
    INFO(clean);
    CHECK(agent_findings(*rules, clean).empty());
  }
  auto f = agent_findings(*rules, "That;s what I wan't");
  REQUIRE(f.size() == 2);
  CHECK(f[0].quote == "That;s");
  CHECK(f[0].suggestion == "That's");
  CHECK(f[1].quote == "wan't");
  CHECK(f[1].suggestion == "want");
  // A curly apostrophe is the same apostrophe.
  f = agent_findings(*rules, "I wan’t it");
  REQUIRE(f.size() == 1);
  CHECK(f[0].quote == "wan’t");
}

TEST_CASE("Latin typos: whole words only, apostrophes and hyphens inside words", "[typo_count][latin]") {
  auto rules = compile(typo_check(R"({"teh": "the", "e-mial": "e-mail", "jhon": "John", "recieve": "receive"})"));
  CHECK(agent_findings(*rules, "tehran teh-shirt steh teh's_x").size() == 1);  // only the "teh" of teh's_x
  CHECK(agent_findings(*rules, "Tehran, e-mail, emial, t.e.h").empty());
  auto f = agent_findings(*rules, "Send an E-mial to Jhon's team");
  REQUIRE(f.size() == 2);
  CHECK(f[0].quote == "E-mial");
  CHECK(f[0].suggestion == "E-mail");
  CHECK(f[1].quote == "Jhon's");  // the possessive of a typo is the typo
  CHECK(f[1].suggestion == "John's");
  f = agent_findings(*rules, "TEH ORDER. Teh order. teh order. I'll recieve it");
  REQUIRE(f.size() == 4);
  CHECK(f[0].suggestion == "THE");
  CHECK(f[1].suggestion == "The");
  CHECK(f[2].suggestion == "the");
  CHECK(f[3].quote == "recieve");
  CHECK(f[3].begin == 38);
  CHECK(f[3].end == 45);
}

TEST_CASE("Latin typos: an entry of several words matches only the same separators", "[typo_count][latin]") {
  auto rules = compile(typo_check(R"({"alot of": "a lot of", "in stead": "instead"})"));
  CHECK(agent_findings(*rules, "Thanks alot of times").size() == 1);
  CHECK(agent_findings(*rules, "Thanks   alot\tof times").size() == 1);  // whitespace runs are one space
  CHECK(agent_findings(*rules, "alot. Of course").empty());             // not across a full stop
  CHECK(agent_findings(*rules, "in-stead, in stead").size() == 1);
}

TEST_CASE("Latin typos: Chinese entries of the same dictionary still match inside text", "[typo_count][latin]") {
  auto rules = compile(typo_check(R"({"帐号": "账号", "teh": "the"})"));
  auto f = agent_findings(*rules, "您的帐号teh");
  REQUIRE(f.size() == 2);
  CHECK(f[0].quote == "帐号");
  CHECK(f[1].quote == "teh");  // a Latin word right after an ideograph is a word
}

TEST_CASE("typo_count never skips separators", "[typo_count]") {
  chatqa::CompileResult r = chatqa::compile_rules(
      one_item(R"({"type": "typo_count", "dictionary": {"帐号": "账号"}, "normalize": {"skip_separators": 2}})"),
      "t.json", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics[0].code == "E0105");
  auto rules = compile(typo_check(R"({"帐号": "账号"})"));
  CHECK(agent_findings(*rules, "帐，号").empty());
  CHECK(agent_findings(*rules, "帐 号").empty());
}

TEST_CASE("W0102: entries that suggest themselves are dropped", "[typo_count][hygiene]") {
  const std::string rules = typo_check(R"({"The": "the", "teh ": "the", "ﬁle": "file", "recieve": "receive"})");
  const auto w = warnings(rules, "W0102");
  REQUIRE(w.size() == 1);
  INFO(w[0].message);
  CHECK(w[0].message.find("2 entries") == 0);  // The and ﬁle (the ligature folds to "file")
  CHECK(w[0].message.find("The->the") != std::string::npos);
  CHECK(w[0].message.find("ﬁle->file") != std::string::npos);
  auto compiled = compile(rules);
  CHECK(agent_findings(*compiled, "the file, the ﬁle").empty());
  CHECK(agent_findings(*compiled, "recieve").size() == 1);
}

TEST_CASE("W0102: entries whose wrong form is a word of a named word list are dropped", "[typo_count][hygiene]") {
  TempDir dir;
  const std::string words = dir.write("words.txt", "form\nForm's\nTehran\ncolour/MS\n");
  const std::string rules = typo_lexicon(R"({"typos": {"form": "from", "teh": "the", "tehran": "Teheran", "colour": "color"},
                                            "known_words": [")" + words + R"("]})");
  const auto w = warnings(rules, "W0102");
  REQUIRE(w.size() == 1);
  // Tehran is only a name in the list: a typo in lower case, not capitalised.
  CHECK(w[0].message.find("2 entries of typo dictionary \"typos\" dropped") == 0);
  CHECK(w[0].message.find("form") != std::string::npos);
  CHECK(w[0].json_pointer == "/lexicons/typos");
  auto compiled = compile(rules);
  CHECK(agent_findings(*compiled, "the form, Tehran, colour").empty());
  CHECK(agent_findings(*compiled, "teh form").size() == 1);
  CHECK(agent_findings(*compiled, "flying to tehran").size() == 1);
}

TEST_CASE("W0103: a word list that cannot be read is a warning", "[typo_count][hygiene]") {
  const std::string rules = typo_lexicon(R"({"typos": {"teh": "the"}, "known_words": "no-such-word-list.txt"})");
  const auto w = warnings(rules, "W0103");
  REQUIRE(w.size() == 1);
  CHECK(w[0].message.find("no-such-word-list.txt") != std::string::npos);
  CHECK(agent_findings(*compile(rules), "teh").size() == 1);  // the dictionary still works
}

TEST_CASE("inflections: regular forms of an entry without a line each", "[typo_count][hygiene]") {
  TempDir dir;
  const std::string words = dir.write("words.txt", "tings\n");
  auto rules = compile(typo_lexicon(R"({"typos": {"recieve": "receive", "apolgy": "apology", "adres": "address",
                                                 "ting": "thing"},
                                       "inflections": true, "known_words": ")" + words + R"("})"));
  auto f = agent_findings(*rules, "recieves recieved recieving apolgies adreses adresed adresing");
  REQUIRE(f.size() == 7);
  CHECK(f[0].suggestion == "receives");
  CHECK(f[1].suggestion == "received");
  CHECK(f[2].suggestion == "receiving");
  CHECK(f[3].suggestion == "apologies");
  CHECK(f[4].suggestion == "addresses");
  CHECK(f[5].suggestion == "addressed");
  CHECK(f[6].suggestion == "addressing");
  CHECK(agent_findings(*rules, "tings").empty());  // a generated form that is a word is left out
  CHECK(agent_findings(*rules, "ting").size() == 1);
  auto off = compile(typo_lexicon(R"({"typos": {"recieve": "receive"}})"));
  CHECK(agent_findings(*off, "recieved").empty());
}

TEST_CASE("a typo file carries its own settings in #: lines", "[typo_count][hygiene]") {
  TempDir dir;
  dir.write("words.txt", "form\n");
  dir.write("my-typos.txt", "# a list\n#: inflections = true\n#: known_words = words.txt\nrecieve->receive\nform->from\n");
  const std::string rules = typo_lexicon(R"({"file": ")" + (dir.path / "my-typos.txt").string() + R"("})");
  CHECK(warnings(rules, "W0102").size() == 1);
  auto compiled = compile(rules);
  CHECK(agent_findings(*compiled, "recieving").size() == 1);
  CHECK(agent_findings(*compiled, "form").empty());
  dir.write("bad-typos.txt", "#: colour = blue\nteh->the\n");
  chatqa::CompileResult bad =
      chatqa::compile_rules(typo_lexicon(R"({"file": ")" + (dir.path / "bad-typos.txt").string() + R"("})"), "t.json", "",
                            matcher_test::temp_files_allowed());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics[0].code == "E0112");
}

TEST_CASE("per-entry exceptions: a longer correct context is not a typo", "[typo_count][exceptions]") {
  TempDir dir;
  dir.write("zh-typos.txt", "在次->再次 !在次日 !在次月\n帐号->账号\n");
  auto rules = compile(typo_lexicon(R"({"file": ")" + (dir.path / "zh-typos.txt").string() + R"("})"));
  CHECK(agent_findings(*rules, "请在次日前完成").empty());
  CHECK(agent_findings(*rules, "请在次月初处理").empty());
  auto f = agent_findings(*rules, "我在次确认一下，在次日");
  REQUIRE(f.size() == 1);
  CHECK(f[0].begin == 1);
  CHECK(f[0].suggestion == "再次");
  // Inline dictionaries take the same syntax; an exception belongs to its own entry only.
  auto inline_rules = compile(typo_check(R"({"在次": "再次 !在次日", "次日": "次日期 !x"})"));
  f = agent_findings(*inline_rules, "在次日");
  REQUIRE(f.size() == 1);
  CHECK(f[0].quote == "次日");
}

TEST_CASE("NFC: precomposed and decomposed forms match alike", "[normalizer][nfc]") {
  auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["café", "한국어"]})"));
  // e + U+0301 COMBINING ACUTE; the span covers the accent too.
  auto f = agent_findings(*rules, "un cafe\xCC\x81 noir");
  REQUIRE(f.size() == 1);
  CHECK(f[0].begin == 3);
  CHECK(f[0].end == 8);
  CHECK(f[0].quote == "cafe\xCC\x81");
  // A phrase written decomposed matches precomposed text.
  auto decomposed = compile(one_item(R"({"type": "banned_phrase", "phrases": ["cafe\u0301"]})"));
  CHECK(agent_findings(*decomposed, "café").size() == 1);
  // Hangul: conjoining jamo (U+1112 U+1161 U+11AB ...) compose to syllables.
  f = agent_findings(*rules, "저는 \xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8\xE1\x84\x8B\xE1\x85\xA5 공부");
  REQUIRE(f.size() == 1);
  CHECK(f[0].begin == 3);
  CHECK(f[0].end == 11);
  CHECK(agent_findings(*rules, "한국어").size() == 1);
  // Typos too: a decomposed accent inside a word does not split it.
  auto typos = compile(typo_check(R"({"cafés": "cafe"})"));
  CHECK(agent_findings(*typos, "cafe\xCC\x81s").size() == 1);
}

TEST_CASE("language: Latin typo entries only fire in messages of their language", "[typo_count][language]") {
  const std::string dict = R"({"ist": "is", "recieve": "receive"})";
  auto rules = compile(typo_check(dict));
  // German: "ist" is a correct word there.
  CHECK(agent_findings(*rules, "Das Paket ist unterwegs, wir haben es gestern verschickt").empty());
  // English: a typo, and the finding says which language the message was judged to be.
  chatqa::Report r = chatqa::evaluate(
      *rules, matcher_test::session({{"agent", "This ist the order we shipped to your address yesterday"},
                                     {"agent", "ist ok"},
                                     {"agent", "您好，我们会尽快 recieve 您的订单"}}));
  const auto& f = r.items[0].findings;
  REQUIRE(f.size() == 3);
  CHECK(f[0].language == "en");
  CHECK(f[1].language == "und");  // too short to tell: judged by its script, Latin
  CHECK(f[2].at.quote == "recieve");  // the Latin words of a Chinese message are judged on their own
  CHECK(chatqa::to_json(r).find(R"("language":"en")") != std::string::npos);
  // Off for one check, or for the whole rule set.
  auto any = compile(one_item(R"({"type": "typo_count", "dictionary": )" + dict + R"(, "language": "any"})"));
  CHECK(agent_findings(*any, "Das Paket ist unterwegs, wir haben es gestern verschickt").size() == 1);
  auto off = compile(one_item(R"({"type": "typo_count", "dictionary": )" + dict + "}", R"({"detect_language": false})"));
  CHECK(agent_findings(*off, "Das Paket ist unterwegs, wir haben es gestern verschickt").size() == 1);
  // A dictionary of another language applies to that language.
  auto german = compile(one_item(R"({"type": "typo_count", "dictionary": {"bekomen": "bekommen"}, "language": "de"})"));
  CHECK(agent_findings(*german, "Ich habe das Paket leider noch nicht bekomen, bitte helfen Sie mir").size() == 1);
  CHECK(agent_findings(*german, "we have not bekomen the parcel yet, could you please check the order").empty());
}

TEST_CASE("word frequencies: a real word crossing a Chinese hit's edge wins over the typo", "[typo_count][frequencies]") {
  TempDir dir;
  dir.write("words.txt", "#: total = 60101967\n在 727915 p\n次日 1719 t\n再次 5293 d\n日 10000 n\n前 50000 f\n确认 9000 v\n");
  dir.write("zh-typos.txt", "#: word_frequencies = words.txt\n在次->再次\n");
  const std::string lexicon = R"({"file": ")" + (dir.path / "zh-typos.txt").string() + R"("})";
  auto rules = compile(typo_lexicon(lexicon));
  CHECK(agent_findings(*rules, "请在次日前完成").empty());  // 在|次日: two words
  CHECK(agent_findings(*rules, "我在次确认一下").size() == 1);  // no word crosses: a typo
  CHECK(agent_findings(*rules, "在次").size() == 1);
  // The rule file can turn the file's list off.
  auto off = compile(typo_lexicon(R"({"file": ")" + (dir.path / "zh-typos.txt").string() +
                                  R"(", "word_frequencies": false})"));
  CHECK(agent_findings(*off, "请在次日前完成").size() == 1);
  // A list that cannot be read is an error.
  dir.write("broken-typos.txt", "#: word_frequencies = missing.txt\n在次->再次\n");
  chatqa::CompileResult bad = chatqa::compile_rules(
      typo_lexicon(R"({"file": ")" + (dir.path / "broken-typos.txt").string() + R"("})"), "t.json", "",
      matcher_test::temp_files_allowed());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.diagnostics[0].code == "E0111");
}

TEST_CASE("the shipped Chinese dictionary catches stock-phrase typos, not words next to each other", "[typo_count][lexicons]") {
  auto rules = compile(typo_lexicon(R"({"file": "rules/lexicons/zh-CN-typos.txt"})"));
  for (const char* typo : {"给您带来不便，请多多包含", "请您稍侯", "验证码已经通过短息发送", "系统跟新一下就好", "您的地址是真确的",
                           "非常抱谦", "已经以经处理"}) {
    INFO(typo);
    CHECK(agent_findings(*rules, typo).size() == 1);
  }
  for (const char* clean : {"话费在次月月底前缴清", "您可以经常登录查看", "我跟新同事说一下", "您真确定要取消吗",
                            "所以经过核实", "请您多多包涵", "系统会自动更新"}) {
    INFO(clean);
    CHECK(agent_findings(*rules, clean).empty());
  }
}

TEST_CASE("spelled-out words next to a one-letter word", "[matcher][spelled]") {
  auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["stupid", "crap", "hell"]})"));
  auto f = agent_findings(*rules, "You are a s t u p i d person");
  REQUIRE(f.size() == 1);
  CHECK(f[0].quote == "s t u p i d");
  f = agent_findings(*rules, "c-r-a-p. I have");
  REQUIRE(f.size() == 1);
  CHECK(f[0].quote == "c-r-a-p");
  CHECK(agent_findings(*rules, "h e l l o").empty());
  CHECK(agent_findings(*rules, "s h e l l").empty());
}
