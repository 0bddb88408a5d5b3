// Phrase matching through the public API: evasions caught (with spans of the
// ORIGINAL text), false positives avoided, allow-lists, regex spans, limits.
#include <string>
#include <vector>

#include "test_matcher_util.hpp"

using matcher_test::agent_findings;
using matcher_test::compile;
using matcher_test::one_item;

namespace {

const char* kShirking = R"({"type": "banned_phrase", "phrases": ["不知道", "不清楚", "这不关我的事"]})";

// The one finding of `text`, checked against the expected quote and span.
void expect_one(const chatqa::RuleSet& rules, const std::string& text, const std::string& quote, std::size_t begin,
                std::size_t end) {
  INFO("message: " << text);
  const auto f = agent_findings(rules, text);
  REQUIRE(f.size() == 1);
  CHECK(f[0].quote == quote);
  CHECK(f[0].begin == begin);
  CHECK(f[0].end == end);
}

void expect_none(const chatqa::RuleSet& rules, const std::string& text) {
  INFO("message: " << text);
  const auto f = agent_findings(rules, text);
  CHECK(f.empty());
  for (const auto& x : f) INFO("unexpected: " << x.quote << " (" << x.matched << ")");
}

}  // namespace

TEST_CASE("evasions of a banned Chinese phrase are caught with original spans", "[matcher][evasion]") {
  auto rules = compile(one_item(kShirking));
  SECTION("plain") { expect_one(*rules, "这个我不知道", "不知道", 3, 6); }
  SECTION("spaces") { expect_one(*rules, "我 不 知 道", "不 知 道", 2, 7); }
  SECTION("one space") { expect_one(*rules, "我不 知道啊", "不 知道", 1, 5); }
  SECTION("ideographic spaces") { expect_one(*rules, "我不\u3000知\u3000道", "不\u3000知\u3000道", 1, 6); }
  SECTION("asterisks") { expect_one(*rules, "我不*知*道", "不*知*道", 1, 6); }
  SECTION("dots between every character") { expect_one(*rules, "不.知.道", "不.知.道", 0, 5); }
  SECTION("full stops between every character") { expect_one(*rules, "不。知。道", "不。知。道", 0, 5); }
  SECTION("emoji") { expect_one(*rules, "不😊知道", "不😊知道", 0, 4); }
  SECTION("emoji with skin tone") { expect_one(*rules, "不👍🏽知道", "不👍🏽知道", 0, 5); }
  SECTION("emoji ZWJ family counts as one symbol") {
    // 👨‍👩‍👧‍👦 is 7 code points, one picture.
    expect_one(*rules, "不👨\u200D👩\u200D👧\u200D👦知道", "不👨\u200D👩\u200D👧\u200D👦知道", 0, 10);
  }
  SECTION("zero-width space") { expect_one(*rules, "我不\u200B知\u200B道", "不\u200B知\u200B道", 1, 6); }
  SECTION("zero-width joiner") { expect_one(*rules, "不\u200D知道", "不\u200D知道", 0, 4); }
  SECTION("soft hyphen and word joiner") { expect_one(*rules, "不\u00AD知\u2060道", "不\u00AD知\u2060道", 0, 5); }
  SECTION("mixed separators up to the limit") { expect_one(*rules, "不-_~知道", "不-_~知道", 0, 6); }
  SECTION("full-width punctuation") { expect_one(*rules, "不＊知＊道", "不＊知＊道", 0, 5); }
  SECTION("two hits in one message") {
    const auto f = agent_findings(*rules, "不知道,真的不 清 楚");
    REQUIRE(f.size() == 2);
    CHECK(f[0].quote == "不知道");
    CHECK(f[1].quote == "不 清 楚");
    CHECK(f[1].begin == 6);
    CHECK(f[1].end == 11);
  }
}

TEST_CASE("separator skipping has limits", "[matcher][evasion]") {
  auto rules = compile(one_item(kShirking));
  SECTION("more separators in a row than allowed") { expect_none(*rules, "不    知道"); }
  SECTION("a sentence break inside the phrase") {
    expect_none(*rules, "不。知道了");
    expect_none(*rules, "我说不,知道吗");
    expect_none(*rules, "不!知道");
    expect_none(*rules, "不\n知道");
  }
  SECTION("across two messages") {
    CHECK(agent_findings(*rules, std::vector<std::string>{"我不知", "道"}).empty());
    CHECK(agent_findings(*rules, std::vector<std::string>{"我不", "知道了"}).empty());
  }
  SECTION("a letter in between is not a separator") { expect_none(*rules, "不x知道"); }
  SECTION("skip_separators: 0 turns skipping off") {
    auto strict = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不知道"], "normalize": {"skip_separators": 0}})"));
    expect_none(*strict, "不 知 道");
    expect_one(*strict, "我不知道", "不知道", 1, 4);
  }
  SECTION("skip_separators: 5 allows longer runs") {
    auto loose = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不知道"], "normalize": {"skip_separators": 5}})"));
    expect_one(*loose, "不    知道", "不    知道", 0, 7);
    expect_none(*loose, "不      知道");
  }
}

TEST_CASE("full-width and mixed-case Latin phrases are caught", "[matcher][evasion]") {
  auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["no", "calm down", "whatever"]})"));
  SECTION("full-width NO") { expect_one(*rules, "ＮＯ!", "ＮＯ", 0, 2); }
  SECTION("full-width calm down") { expect_one(*rules, "请ｃａｌｍ ｄｏｗｎ", "ｃａｌｍ ｄｏｗｎ", 1, 10); }
  SECTION("full-width space between words") { expect_one(*rules, "ｃａｌｍ\u3000ｄｏｗｎ", "ｃａｌｍ\u3000ｄｏｗｎ", 0, 9); }
  SECTION("mixed case") { expect_one(*rules, "Please CaLm DoWn, sir", "CaLm DoWn", 7, 16); }
  SECTION("spelled out") { expect_one(*rules, "w h a t e v e r", "w h a t e v e r", 0, 15); }
  SECTION("emoji inside a word") { expect_one(*rules, "what😒ever", "what😒ever", 0, 9); }
  SECTION("next to Chinese") { expect_one(*rules, "No不行", "No", 0, 2); }
}

TEST_CASE("Traditional forms are folded when the rule set asks for it", "[matcher][evasion][traditional]") {
  const std::string check = R"({"type": "banned_phrase", "phrases": ["不知道", "不清楚", "这不关我的事"]})";
  auto folding = compile(one_item(check, R"({"traditional_to_simplified": true})"));
  auto plain = compile(one_item(check));
  SECTION("這不關我的事") {
    expect_one(*folding, "這不關我的事", "這不關我的事", 0, 6);
    expect_one(*folding, "这不关我的事", "这不关我的事", 0, 6);
    expect_none(*plain, "這不關我的事");
  }
  SECTION("variant character 淸") { expect_one(*folding, "我不淸楚", "不淸楚", 1, 4); }
  SECTION("Traditional with separators") { expect_one(*folding, "這 不 關 我 的 事", "這 不 關 我 的 事", 0, 11); }
  SECTION("per group override") {
    auto off = compile(one_item(
        R"({"type": "banned_phrase", "phrases": ["这不关我的事"], "normalize": {"traditional": false}})",
        R"({"traditional_to_simplified": true})"));
    expect_none(*off, "這不關我的事");
  }
  SECTION("Traditional rule phrase matches Simplified text") {
    auto trad = compile(one_item(R"({"type": "banned_phrase", "phrases": ["這不關我的事"]})",
                                 R"({"traditional_to_simplified": true})"));
    expect_one(*trad, "这不关我的事", "这不关我的事", 0, 6);
  }
}

TEST_CASE("Latin phrases match whole words only", "[matcher][false-positive]") {
  auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["hell", "ill", "calm down", "don"]})"));
  SECTION("hell") {
    expect_one(*rules, "what the hell", "hell", 9, 13);
    expect_none(*rules, "hello there");
    expect_none(*rules, "he'll call you back");
    expect_none(*rules, "he’ll call you back");
    expect_none(*rules, "a shell script");
    expect_none(*rules, "h e l l o");
    expect_none(*rules, "hel-lo");
  }
  SECTION("contractions") {
    expect_none(*rules, "I'll check");
    expect_none(*rules, "I’ll check");
    expect_none(*rules, "I don't know");
    expect_none(*rules, "it doesn't matter, can't help");
    expect_one(*rules, "you look ill", "ill", 9, 12);
    expect_one(*rules, "Don's order", "Don", 0, 3);
  }
  SECTION("calm down across a sentence break") {
    expect_none(*rules, "Stay calm. Down the hall on the left.");
    expect_one(*rules, "calm    down", "calm    down", 0, 12);  // the phrase's own space is not skipping
  }
  SECTION("whole_word false lets Latin match inside words") {
    auto inside = compile(one_item(R"({"type": "banned_phrase", "phrases": ["hell"], "normalize": {"whole_word": false}})"));
    expect_one(*inside, "hello", "hell", 0, 4);
  }
}

TEST_CASE("Chinese words that a short banned entry cuts across", "[matcher][false-positive][allow]") {
  SECTION("喂 vs 喂养") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["喂"], "allow": ["喂养", "喂奶"]})"));
    expect_none(*rules, "这款奶粉适合6个月以上宝宝喂养");
    expect_one(*rules, "喂,在吗", "喂", 0, 1);
    const auto f = agent_findings(*rules, "喂?喂养方法请看说明");
    REQUIRE(f.size() == 1);
    CHECK(f[0].begin == 0);
  }
  SECTION("你 vs 你们 / 您") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["你"], "allow": ["你们"]})"));
    expect_none(*rules, "你们公司的发票怎么开");
    expect_none(*rules, "您好,请问有什么可以帮您");
    expect_one(*rules, "你好", "你", 0, 1);
    const auto f = agent_findings(*rules, "你们那边收到了吗?你看一下");
    REQUIRE(f.size() == 1);
    CHECK(f[0].begin == 9);
  }
  SECTION("不能 vs 不能为空 (allow-list, longer wins)") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不能"], "allow": ["不能为空"]})"));
    expect_none(*rules, "收货地址不能为空");
    expect_none(*rules, "收货地址不 能 为 空");  // the allow-list skips separators too
    expect_one(*rules, "这个不能退", "不能", 2, 4);
  }
  SECTION("死 vs 死机") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["死"], "allow": ["死机"]})"));
    expect_none(*rules, "手机死机了可以长按电源键重启");
    expect_one(*rules, "烦死了", "死", 1, 2);
  }
  SECTION("an allowed phrase that does not cover the hit does not hide it") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["我不知道"], "allow": ["不知道您是否"]})"));
    expect_one(*rules, "我不知道您是否满意", "我不知道", 0, 4);
  }
  SECTION("a longer banned phrase hides the shorter one it covers") {
    auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": ["不知道", "我不知道"]})"));
    const auto f = agent_findings(*rules, "我不知道");
    REQUIRE(f.size() == 1);
    CHECK(f[0].quote == "我不知道");
  }
}

TEST_CASE("regex hits map to spans of the original text", "[matcher][regex]") {
  auto rules = compile(one_item(R"({"type": "banned_phrase", "regex": ["1[3-9]\\d{9}", "订单号?\\s*[a-z]{2}\\d+"]})"));
  // A quote of a personal number is masked (EvalOptions::mask_pii), digit for digit.
  SECTION("full-width digits") {
    expect_one(*rules, "电话是１３８００１３８０００哦", "１３８****８０００", 3, 14);
  }
  SECTION("after an emoji and a zero-width space") {
    expect_one(*rules, "😊\u200B号码13800138000", "138****8000", 4, 15);
  }
  SECTION("case-folded") { expect_one(*rules, "订单号 AB123", "订单号 AB123", 0, 9); }
  SECTION("several hits") {
    const auto f = agent_findings(*rules, "13800138000 和 13900139000");
    REQUIRE(f.size() == 2);
    CHECK(f[1].begin == 14);
    CHECK(f[1].end == 25);
  }
}

TEST_CASE("the regex-set memory budget: too small is E0115, just enough finds every hit", "[matcher][regex]") {
  std::string regexes;
  for (int i = 0; i < 40; ++i) {
    regexes += std::string(i ? ", " : "") + "\"(a|b|c|d|e)+x" + std::to_string(i) + "[0-9a-z]{1,20}\"";
  }
  const std::string check = R"({"type": "banned_phrase", "regex": [)" + regexes + "]}";
  chatqa::CompileOptions tiny;
  tiny.regex_set_max_mem = 1024;
  const auto failed = chatqa::compile_rules(one_item(check), "t.json", "", tiny);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.diagnostics.at(0).code == "E0115");
  for (std::size_t budget : {std::size_t{160} << 10, std::size_t{256} << 10, std::size_t{64} << 20}) {
    INFO("budget " << budget);
    chatqa::CompileOptions options;
    options.regex_set_max_mem = budget;
    auto rules = compile(one_item(check), options);
    std::string text;
    for (int i = 0; i < 200; ++i) text += "abcdeabcde";
    text += "x7k and cx39zz";
    const auto f = agent_findings(*rules, text);
    REQUIRE(f.size() == 2);
    CHECK(f[0].end == 2003);
    CHECK(f[1].quote == "cx39zz");
  }
}

TEST_CASE("a rule set with 10,000 phrases compiles and matches", "[matcher][scale]") {
  // Deterministic pseudo-random four-character phrases from a small alphabet of common characters.
  const std::u32string alphabet = U"的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现";
  std::vector<std::string> phrases;
  std::uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::size_t>(state >> 33);
  };
  std::string list;
  while (phrases.size() < 10000) {
    std::u32string p;
    for (int k = 0; k < 4; ++k) p.push_back(alphabet[next() % alphabet.size()]);
    std::string utf8;
    for (char32_t c : p) {
      // UTF-8 of a BMP ideograph.
      utf8.push_back(static_cast<char>(0xE0 | (c >> 12)));
      utf8.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      utf8.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
    phrases.push_back(utf8);
    list += std::string(list.empty() ? "" : ", ") + "\"" + utf8 + "\"";
  }
  auto rules = compile(one_item(R"({"type": "banned_phrase", "phrases": [)" + list + "]}"));
  CHECK(rules->phrase_count() == 10000);
  for (std::size_t i : {0u, 1u, 4999u, 9998u, 9999u}) {
    INFO("phrase " << i << " " << phrases[i]);
    const auto f = agent_findings(*rules, "「" + phrases[i] + "」");
    REQUIRE_FALSE(f.empty());
    bool found = false;
    for (const auto& x : f) found = found || (x.quote == phrases[i] && x.begin == 1 && x.end == 5);
    CHECK(found);
  }
  // Spelled out with spaces, still found.
  std::string spaced;
  for (std::size_t b = 0; b < phrases[77].size(); b += 3) spaced += phrases[77].substr(b, 3) + " ";
  bool found = false;
  for (const auto& x : agent_findings(*rules, spaced)) found = found || x.matched == phrases[77];
  CHECK(found);
  // Latin text cannot hit a CJK list.
  CHECK(agent_findings(*rules, "hello, how can I help you today?").empty());
}

TEST_CASE("invalid UTF-8 in a message is an error record, not a crash", "[matcher][utf8]") {
  const std::string bad = std::string(R"({"id": "S", "messages": [{"role": "agent", "time": 1714528800, "text": "ab)") +
                          "\xE4\xB8" + R"("}]})";
  const chatqa::ParsedSession p = chatqa::parse_session(bad);
  REQUIRE(p.error);
  CHECK(p.error->code == "E0206");
  CHECK_FALSE(p.session);

  SECTION("a hand-built session with invalid UTF-8 evaluates without crashing") {
    auto rules = compile(one_item(kShirking));
    chatqa::Session s;
    s.id = "S";
    for (const std::string text : {std::string("\xE4\xB8"), std::string("\xFF\xFE不知道"), std::string("不\x80知道\xC3"),
                                   std::string("\xF4\x90\x80\x80"), std::string("\xED\xA0\x80不知道")}) {
      chatqa::Message m;
      m.role = chatqa::Role::agent;
      m.text = text;
      s.messages.push_back(m);
    }
    const chatqa::Report r = chatqa::evaluate(*rules, s);
    CHECK(r.error.empty());
    // Quotes are always valid UTF-8 cut at code-point boundaries of the original.
    for (const auto& item : r.items) {
      for (const auto& f : item.findings) CHECK(f.at.span.value().begin <= f.at.span.value().end);
    }
  }
}
