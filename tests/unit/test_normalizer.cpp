// chatqa::text::Normalizer: folds, flags, skeleton and the offset map back to
// the original text.
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "text/normalizer.hpp"
#include "text/utf8.hpp"

using chatqa::text::Normalizer;
using chatqa::text::NormText;

namespace {

NormText norm(const std::string& s, bool traditional = false) {
  NormText t;
  Normalizer::instance().normalize(s, traditional, t);
  return t;
}

std::string u8(const std::u32string& s) {
  return chatqa::utf8::encode(s);
}

// Every normalised char maps to an original code point, in order; skeleton
// positions point at non-separators.
void check_invariants(const NormText& t) {
  REQUIRE(t.orig.size() == t.chars.size());
  REQUIRE(t.flags.size() == t.chars.size());
  REQUIRE(t.skeleton.size() == t.skeleton_pos.size());
  REQUIRE(t.orig_bytes.size() == t.orig_length + 1);
  REQUIRE(t.original.size() == t.orig_length);
  for (std::size_t i = 0; i < t.orig.size(); ++i) {
    CHECK(t.orig[i] < t.orig_length);
    if (i > 0) CHECK(t.orig[i - 1] <= t.orig[i]);
  }
  for (std::size_t k = 0; k < t.skeleton.size(); ++k) {
    CHECK(t.chars[t.skeleton_pos[k]] == t.skeleton[k]);
    CHECK_FALSE(t.flags[t.skeleton_pos[k]] & chatqa::text::kSeparator);
  }
}

// Every part of two normalised texts is the same.
void check_same(const NormText& a, const NormText& b) {
  CHECK(a.chars == b.chars);
  CHECK(a.orig == b.orig);
  CHECK(a.flags == b.flags);
  CHECK(a.skeleton == b.skeleton);
  CHECK(a.skeleton_pos == b.skeleton_pos);
  CHECK(a.orig_bytes == b.orig_bytes);
  CHECK(a.orig_length == b.orig_length);
  CHECK(a.original == b.original);
  CHECK(a.has_digit_or_at == b.has_digit_or_at);
}

}  // namespace

TEST_CASE("NFKC, case and width folding", "[normalizer]") {
  CHECK(u8(norm("ＮＯ").chars) == "no");
  CHECK(u8(norm("ｃａｌｍ\u3000ｄｏｗｎ").chars) == "calm down");
  CHECK(u8(norm("Straße").chars) == "strasse");
  CHECK(u8(norm("ﬁle").chars) == "file");
  CHECK(u8(norm("①２３").chars) == "123");
  CHECK(u8(norm("ＡＢＣ，你好！").chars) == "abc,你好!");
  CHECK(u8(norm("ｶﾀｶﾅ").chars) == "カタカナ");
  CHECK(u8(norm("\U0001D400").chars) == "a");  // mathematical bold capital A, outside the BMP
}

TEST_CASE("default-ignorable characters vanish but keep the offset map", "[normalizer]") {
  const NormText t = norm("不\u200B知\u200D道\uFEFF");
  CHECK(u8(t.chars) == "不知道");
  CHECK(t.orig_length == 6);
  REQUIRE(t.orig.size() == 3);
  CHECK(t.orig[0] == 0);
  CHECK(t.orig[1] == 2);
  CHECK(t.orig[2] == 4);
  check_invariants(t);
}

TEST_CASE("multi-character expansions map back to their source", "[normalizer]") {
  const NormText t = norm("aßb");
  CHECK(u8(t.chars) == "assb");
  REQUIRE(t.orig.size() == 4);
  CHECK(t.orig[1] == 1);
  CHECK(t.orig[2] == 1);
  CHECK(t.orig[3] == 2);
  check_invariants(t);
}

TEST_CASE("skeleton drops separators, emoji and symbols", "[normalizer]") {
  const NormText t = norm("不 😊知*道, OK👍🏽!");
  CHECK(u8(t.skeleton) == "不知道ok");
  check_invariants(t);
  CHECK(t.orig[t.skeleton_pos[1]] == 3);
  CHECK(t.orig[t.skeleton_pos[2]] == 5);
  CHECK(t.orig[t.skeleton_pos[3]] == 8);
}

TEST_CASE("character flags", "[normalizer]") {
  const Normalizer& n = Normalizer::instance();
  using namespace chatqa::text;
  CHECK(n.flags_of(U'a') & kWordChar);
  CHECK(n.flags_of(U'7') & kWordChar);
  CHECK(n.flags_of(U'я') & kWordChar);
  CHECK_FALSE(n.flags_of(U'你') & kWordChar);
  CHECK(n.flags_of(U'你') & kHan);
  CHECK(n.flags_of(U'。') & kClauseBreak);
  CHECK(n.flags_of(U'!') & kClauseBreak);
  CHECK(n.flags_of(U' ') & kSeparator);
  CHECK_FALSE(n.flags_of(U' ') & kClauseBreak);
  CHECK(n.flags_of(U'😊') & kSymbol);
  CHECK(n.flags_of(U'\U0001F3FD') & kSeparator);  // skin-tone modifier
  CHECK_FALSE(n.flags_of(U'ー') & kSeparator);    // katakana long vowel mark is a letter
}

TEST_CASE("Traditional to Simplified, per character", "[normalizer][traditional]") {
  CHECK(u8(norm("這不關我的事", true).chars) == "这不关我的事");
  CHECK(u8(norm("這不關我的事", false).chars) == "這不關我的事");
  CHECK(u8(norm("請稍等，謝謝", true).chars) == "请稍等,谢谢");
  CHECK(u8(norm("我不淸楚", true).chars) == "我不清楚");
  // Characters that are already Simplified, or not Chinese, stay as they are.
  CHECK(u8(norm("这是ABC", true).chars) == "这是abc");
  const NormText t = norm("這 不", true);
  check_invariants(t);
  CHECK(u8(t.skeleton) == "这不");
}

TEST_CASE("normalize_phrase agrees with normalize", "[normalizer]") {
  std::u32string chars;
  std::vector<std::uint8_t> flags;
  // normalize() decodes and maps in one loop; normalize_phrase() decodes
  // first, then maps each code point: invalid bytes, expansions (ß, ﬁ, ㈱)
  // and both together must come out the same.
  for (const std::string s : {std::string("不 知 道"), std::string("ＣＡＬＭ ｄｏｗｎ"), std::string("這不關我"),
                              std::string("Straße"), std::string("\x80\x80ß\x80ﬁ㈱\x80\xE4\xB8不"),
                              std::string("ß\xBF\xBF\xBF\xBF"), std::string("㈱") + std::string(40, '\x80') + "ﬃ"}) {
    for (bool trad : {false, true}) {
      INFO(s << " " << trad);
      Normalizer::instance().normalize_phrase(s, trad, chars, flags);
      const NormText t = norm(s, trad);
      check_invariants(t);
      CHECK(chars == t.chars);
      CHECK(flags == t.flags);
    }
  }
}

TEST_CASE("invalid UTF-8 does not crash the normaliser", "[normalizer][utf8]") {
  for (const std::string s :
       {std::string("\xE4\xB8"), std::string("\xFF"), std::string("a\x80z"), std::string("\xF4\x90\x80\x80"),
        std::string("\xED\xA0\x80"), std::string("\xC0\xAF"), std::string("不\xE4知道")}) {
    const NormText t = norm(s);
    check_invariants(t);
    CHECK(t.orig_bytes.back() == s.size());
    // Each original code point starts at a strictly later byte.
    for (std::size_t i = 1; i < t.orig_bytes.size(); ++i) CHECK(t.orig_bytes[i - 1] < t.orig_bytes[i]);
  }
  const NormText t = norm("不\xE4知道");
  CHECK(u8(t.skeleton).find("知道") != std::string::npos);
}

TEST_CASE("a reused NormText equals a fresh one, for valid and invalid UTF-8", "[normalizer][utf8]") {
  // The arrays are sized by the bytes that start a code point; stray
  // continuation bytes (each one more U+FFFD) must make room for themselves,
  // whatever size the buffers had from the text before.
  const std::vector<std::string> texts = {"您好,很高兴为您服务",
                                          "\x80\x80\x80\x80\x80\x80" "abc",
                                          "a",
                                          "\xBF不\x80知\x80道\x80",
                                          "ＮＯ ｗａｙ ß ﬁ ㈱",
                                          std::string(300, '\x80'),
                                          "",
                                          "短",
                                          "\xE4\xB8\xE4\xB8\xE4",
                                          "👨‍👩‍👧 1️⃣ 不 知 道"};
  const Normalizer& n = Normalizer::instance();
  NormText reused;
  std::u32string reused_skeleton;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& text : texts) {
      INFO(round << " " << text);
      n.normalize(text, false, reused);
      const NormText fresh = norm(text);
      check_invariants(reused);
      check_same(reused, fresh);
      n.skeleton_of(text, reused_skeleton);
      CHECK(reused_skeleton == fresh.skeleton);
    }
  }
  const NormText strays = norm(std::string(300, '\x80'));
  CHECK(strays.orig_length == 300);
  CHECK(strays.orig_bytes.back() == 300);
}

TEST_CASE("UTF-8 view of the normalised text maps bytes back", "[normalizer]") {
  NormText t = norm("Ａ不😊");
  t.ensure_utf8();
  CHECK(t.utf8 == "a不😊");
  CHECK(t.norm_index_of_byte(0) == 0);
  CHECK(t.norm_index_of_byte(1) == 1);
  CHECK(t.norm_index_of_byte(3) == 1);
  CHECK(t.norm_index_of_byte(4) == 2);
}

TEST_CASE("fold_traditional equals normalising with the Traditional fold", "[normalizer][traditional]") {
  for (const std::string s : {"這不關我的事", "我不淸楚 😊 ＯＫ", "請稍等，謝謝！", "plain ascii", "", "不\xE4知道"}) {
    const NormText plain = norm(s, false);
    NormText folded;
    Normalizer::instance().fold_traditional(plain, folded);
    const NormText direct = norm(s, true);
    check_same(folded, direct);
  }
}

TEST_CASE("skeleton_of is the skeleton of normalize", "[normalizer]") {
  const chatqa::text::Normalizer& n = chatqa::text::Normalizer::instance();
  std::vector<std::string> texts = {
      "",
      "不 知 道",
      "不*知*道，不😊知道，不\u200B知道",
      "ＮＯ ｗａｙ！ Mixed CASE ß ﬁ ㈱ ½",
      "👨‍👩‍👧 family, 👍🏽 ok 1️⃣",
      "沒辦法處理，請稍候。",
      "invalid \xC3( \xE4\xBD end \xF0\x9F\x98",
      "𠀀𠀁 astral ideographs and \U0001D400 math bold",
      "tabs\tnew\nlines\r\n and  spaces",
      "don't o'clock he'll",
  };
  // And every message of the bundled example chats.
  for (const char* file : {"/examples/chats/zh-CN/online.jsonl", "/examples/chats/zh-CN/hotline.jsonl",
                           "/examples/chats/en-US/support.jsonl"}) {
    std::ifstream in(std::string(CHATQA_SOURCE_DIR) + file);
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const nlohmann::json session = nlohmann::json::parse(line);
      for (const auto& m : session.at("messages")) {
        if (m.contains("text")) texts.push_back(m["text"].get<std::string>());
      }
    }
  }
  REQUIRE(texts.size() > 100);
  for (const std::string& text : texts) {
    INFO(text);
    chatqa::text::NormText full;
    n.normalize(text, false, full);
    std::u32string skeleton = U"stale";
    n.skeleton_of(text, skeleton);
    CHECK(skeleton == full.skeleton);
  }
}

TEST_CASE("has_digit_or_at tells whether the PII check has anything to read", "[normalizer][pii]") {
  CHECK_FALSE(norm("您好，请问有什么可以帮您？").has_digit_or_at);
  CHECK_FALSE(norm("no numbers here, only words").has_digit_or_at);
  CHECK_FALSE(norm("").has_digit_or_at);
  CHECK(norm("订单号 12").has_digit_or_at);
  CHECK(norm("电话１３８").has_digit_or_at);         // full-width digits fold to ASCII
  CHECK(norm("邮箱 ａ＠ｂ．ｃｎ").has_digit_or_at);  // full-width at sign
  CHECK(norm("第①号").has_digit_or_at);              // NFKC: circled one is '1'
  // The reused output is reset by the next text.
  NormText t;
  Normalizer::instance().normalize("138", false, t);
  REQUIRE(t.has_digit_or_at);
  Normalizer::instance().normalize("您好", false, t);
  CHECK_FALSE(t.has_digit_or_at);
  NormText folded;
  Normalizer::instance().fold_traditional(norm("電話 138"), folded);
  CHECK(folded.has_digit_or_at);
}

TEST_CASE("utf8::length counts the bytes that do not continue a sequence", "[utf8]") {
  // Counted eight bytes at a time, then one by one: every length from 0 to
  // 40 and every offset of the multi-byte characters against the 8-byte
  // words, compared with the byte-by-byte definition.
  const std::string pool = "a不😊ñ\x80\xBF\xC3(Ｚ\n\xF0\x9F";
  auto one_by_one = [](const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
  };
  std::string s;
  for (std::size_t i = 0; i < 40; ++i) {
    CHECK(chatqa::utf8::length(s) == one_by_one(s));
    s += pool[(i * 7) % pool.size()];
  }
  CHECK(chatqa::utf8::length("") == 0);
  CHECK(chatqa::utf8::length("您好,很高兴为您服务") == 10);
  CHECK(chatqa::utf8::length(std::string(17, '\x80')) == 0);
  CHECK(chatqa::utf8::length("abcdefghijklmnopq") == 17);
  CHECK(chatqa::utf8::length("😊😊😊😊😊") == 5);
  // Long texts: per-lane counters are summed before they could overflow
  // (a lane sees at most one byte per 16).
  std::string chinese;
  for (int i = 0; i < 5000; ++i) chinese += "不";
  CHECK(chatqa::utf8::length(chinese) == 5000);
  CHECK(chatqa::utf8::length(std::string(100000, '\x80')) == 0);
  std::string mixed;
  for (std::size_t i = 0; i < 20000; ++i) mixed += pool[(i * 13) % pool.size()];
  CHECK(chatqa::utf8::length(mixed) == one_by_one(mixed));
}
