// punctuation: missing / space / doubled / half-width / unmatched marks, counted per message.
// Code: src/checks/punctuation.cpp. Docs: docs/checks.md#punctuation.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {
const std::string kOne = R"({"type": "punctuation", "min_count": 1})";

// The explanation of the single finding of `text` as an agent message ("" if none).
std::string problem(const std::string& text, const std::string& check = kOne) {
  auto r = run(one_item(check), chat({{"agent", 0, text}}));
  if (r.findings.empty()) return "";
  REQUIRE(r.findings.size() == 1);
  return r.findings[0].explanation;
}
}  // namespace

namespace {
// "<explanation> [begin,end) quote" of the single finding of `text` as an agent message, without the
// count suffix; just the explanation for a whole-message finding; "" if none.
std::string located(const std::string& text, const std::string& check = kOne) {
  auto r = run(one_item(check), chat({{"agent", 0, text}}));
  if (r.findings.empty()) return "";
  REQUIRE(r.findings.size() == 1);
  const chatqa::Finding& f = r.findings[0];
  const std::string suffix = " (1 message, from 1)";
  REQUIRE(f.explanation.size() > suffix.size());
  CHECK(f.explanation.compare(f.explanation.size() - suffix.size(), suffix.size(), suffix) == 0);
  const std::string what = f.explanation.substr(0, f.explanation.size() - suffix.size());
  if (!f.at.span.has_value()) return what;
  return what + " [" + std::to_string(f.at.span.value().begin) + "," + std::to_string(f.at.span.value().end) + ") " + f.at.quote;
}
const std::string kNo = "punctuation: no punctuation in a message of ";
const std::string kSpace = "punctuation: space used instead of punctuation ";
const std::string kDoubled = "punctuation: doubled or clashing punctuation ";
const std::string kHalf = "punctuation: half-width punctuation in Chinese text ";
const std::string kClosing = "punctuation: closing mark without its opening one ";
const std::string kNeverClosed = "punctuation: opening mark never closed ";
const std::string kQuote = "punctuation: unmatched quotation mark ";
}  // namespace

TEST_CASE("punctuation: each kind of problem", "[checks][punctuation]") {
  CHECK_THAT(problem("好的亲这边已经为您登记补发了预计明天发出"), Catch::Contains("no punctuation"));
  CHECK_THAT(problem("您好 很高兴为您服务"), Catch::Contains("space"));
  CHECK_THAT(problem("好的。。马上为您处理。"), Catch::Contains("doubled"));
  CHECK_THAT(problem("好的，，马上为您处理。"), Catch::Contains("doubled"));
  CHECK_THAT(problem("好的，我看一下,马上为您处理。"), Catch::Contains("half-width"));
  CHECK_THAT(problem("请点击“我的订单查看物流。"), Catch::Contains("never closed"));
  CHECK_THAT(problem("请在（我的订单中查看。"), Catch::Contains("never closed"));
  CHECK_THAT(problem("请在我的订单】中查看。"), Catch::Contains("without its opening"));
  CHECK_THAT(problem("Thanks for waiting I checked your order and it ships tomorrow morning from Shanghai"),
             Catch::Contains("no punctuation"));
}

TEST_CASE("punctuation: precision — these are not errors", "[checks][punctuation]") {
  for (const char* ok : {"好的", "收到", "好的亲", "4026371180923461", "https://shop.example.com/item?id=123&from=chat",
                         "您好，很高兴为您服务，请问有什么可以帮您？", "您好,很高兴为您服务,请问有什么可以帮您?",
                         "这款支持WiFi 6，满 300 减 30。", "稍等哦……马上就好。", "好的😊", "[图片]", "好的 :)",
                         "1) 打开设置 2) 点击账户。", "价格是1,299.00元，2024-05-01发货。",
                         "请发到 service@example.com 谢谢", "Sure, let me check that for you.", "ok"}) {
    INFO(ok);
    CHECK(problem(ok) == "");
  }
}

TEST_CASE("punctuation: counted per message, from min_count (default 3)", "[checks][punctuation]") {
  const std::string check = R"({"type": "punctuation"})";
  auto two = chat({{"agent", 0, "您好 很高兴为您服务"},
                   {"customer", 5, "这个有货吗 什么时候发"},
                   {"agent", 10, "有货的。。"},
                   {"agent", 15, "好的，马上为您处理。"}});
  CHECK(run(one_item(check), two).status == ItemStatus::passed);  // 2 agent messages: below 3
  auto three = chat({{"agent", 0, "您好 很高兴为您服务"},
                     {"agent", 10, "有货的。。"},
                     {"agent", 12, "今天下单明天就能发货了亲放心"},
                     {"agent", 15, "好的，马上为您处理。"}});
  auto r = run(one_item(check), three);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 3);
  CHECK(r.findings[0].at.message == 0);
  CHECK(r.findings[0].at.quote == "好 很");
  CHECK(r.findings[1].at.quote == "。。");
  CHECK_FALSE(r.findings[2].at.span.has_value());  // no punctuation: the whole message
  CHECK(run(one_item(R"({"type": "punctuation", "role": "customer", "min_count": 1})"), two).status ==
        ItemStatus::failed);
}

TEST_CASE("punctuation: options", "[checks][punctuation]") {
  // half_width "always" also flags consistently half-width Chinese text.
  CHECK(problem("您好,很高兴为您服务!") == "");
  // The default judges each mark against the session's own use of its full-width form: no ，
  // anywhere, so the half-width comma is the convention; "mixed" looks at the message's marks.
  CHECK(problem("您好,很高兴为您服务。") == "");
  CHECK(problem("您好,很高兴为您服务。", R"({"type": "punctuation", "min_count": 1, "half_width": "mixed"})") != "");
  CHECK(problem("您好,很高兴为您服务", R"({"type": "punctuation", "min_count": 1, "half_width": "always"})") != "");
  // kinds narrows what is looked for.
  CHECK(problem("您好 很高兴为您服务", R"({"type": "punctuation", "min_count": 1, "kinds": ["repeated"]})") == "");
  CHECK(problem("好的马上为您处理", R"({"type": "punctuation", "min_count": 1, "min_length": 5})") != "");
  CHECK(has_error(one_item(R"({"type": "punctuation", "kinds": ["spaces"]})"), "E0105", "/items/0/check/kinds/0"));
  CHECK(has_error(one_item(R"({"type": "punctuation", "min": 3})"), "E0102", "/items/0/check/min"));
}

TEST_CASE("punctuation: edge cases", "[checks][punctuation]") {
  CHECK(run(one_item(kOne), chat({})).status == ItemStatus::passed);
  CHECK(run(one_item(kOne), chat({{"customer", 0, "这个有货吗 什么时候发"}})).status == ItemStatus::passed);
  CHECK(run(one_item(kOne), chat({{"system", 0, "", "closed"}})).status == ItemStatus::passed);
}

// Exact spans and the order of the kinds, pinned on the behaviour of the
// multi-pass implementation so that a rewrite is held to it.
TEST_CASE("punctuation: first problem wins, in kind order", "[checks][punctuation]") {
  // no_punctuation > space > repeated > half_width > unmatched; each reports its first occurrence.
  CHECK(located("好的亲这边已经为您登记 补发了预计明天发出") == kNo + "20 words/characters");
  CHECK(located("好的，我看一下 马上为您处理。。") == kSpace + "[6,9) 下 马");
  CHECK(located("好的。。我看一下,马上。") == kDoubled + "[2,4) 。。");
  CHECK(located("好的,,,马上。") == kDoubled + "[2,4) ,,");
  const std::string mixed = R"({"type": "punctuation", "min_count": 1, "half_width": "mixed"})";
  CHECK(located("您好,我看一下（马上处理。", mixed) == kHalf + "[2,3) ,");
  CHECK(located("好的..马上为您处理。") == kDoubled + "[2,4) ..");  // ".." is no ellipsis, so not half-width
  // kinds switched off fall through to the next one.
  const std::string late =
      R"({"type": "punctuation", "min_count": 1, "kinds": ["half_width", "unmatched"], "half_width": "mixed"})";
  CHECK(located("好的。。我看一下,马上（处理。", late) == kHalf + "[8,9) ,");
  CHECK(located("好的。。请看（订单 详情", late) == kNeverClosed + "[6,7) （");
  CHECK(located("好的亲这边已经为您登记补发了预计明天发出", R"({"type": "punctuation", "min_count": 1,
                "kinds": ["space"]})") == "");
}

TEST_CASE("punctuation: spans of each kind", "[checks][punctuation]") {
  CHECK(located("好\u3000\u3000很好。") == kSpace + "[0,4) 好\u3000\u3000很");
  CHECK(located("好\t很好。") == kSpace + "[0,3) 好\t很");
  CHECK(located("𠀀𠀁 好") == kSpace + "[1,4) 𠀁 好");  // code points, not UTF-16 units
  CHECK(located("好 a很好。") == "");
  CHECK(located("好 ") == "");
  CHECK(located("，。") == kDoubled + "[0,2) ，。");
  CHECK(located("好的、、") == kDoubled + "[2,4) 、、");
  CHECK(located("好的：；") == kDoubled + "[2,4) ：；");
  CHECK(located("好的，,马上。") == kDoubled + "[2,4) ，,");
  CHECK(located("好的,。") == kDoubled + "[2,4) ,。");
  CHECK(located("好的！！") == "");  // ! ? are no clause marks
  CHECK(located("好的...马上为您处理。") == "");
  CHECK(located("....") == "");
  CHECK(located("共3件.请查收。") == kHalf + "[3,4) .");
  CHECK(located("好的.。") == kHalf + "[2,3) .");
  CHECK(located("好的.") == "");  // no full-width mark: not mixed
  CHECK(located("（好的】") == kClosing + "[3,4) 】");
  CHECK(located("《订单（详情》页）") == kClosing + "[6,7) 》");
  CHECK(located("好的”订单“") == kClosing + "[2,3) ”");
  CHECK(located("【订单】】") == kClosing + "[4,5) 】");
  CHECK(located("（好的（订单）") == kNeverClosed + "[0,1) （");
  CHECK(located("请看“订单”和“物流。") == kNeverClosed + "[7,8) “");
  CHECK(located("他说\"好的\"然后\"走了。") == kQuote + "[2,3) \"");
  CHECK(located("他说＂好的\"。") == "");  // full-width " pairs with half-width "
  CHECK(located("《订单（详情）》") == "");
}

TEST_CASE("punctuation: emoticons and list markers", "[checks][punctuation]") {
  CHECK(located("好的 :( 没问题") == "");
  CHECK(located("好的:-(") == "");
  CHECK(located("好的:)谢谢(") == kNeverClosed + "[6,7) (");
  CHECK(located("好,)") == kClosing + "[2,3) )");
  // "1)" is a list marker; "（1）" and "(2)" are numbers in brackets, closed
  // (a supervisor would not call them unmatched).
  CHECK(located("（1）打开设置（2）点击账户。") == "");
  CHECK(located("1)好的(2)") == "");
  CHECK(located("1)打开设置 2)点击账户。") == "");
  CHECK(located("（1打开设置") == kNeverClosed + "[0,1) （");
  CHECK(located("好的(a))") == kClosing + "[5,6) )");
}

TEST_CASE("punctuation: URLs, e-mail addresses and numbers are skipped", "[checks][punctuation]") {
  // A URL takes the ASCII (and full-width ASCII) marks right after it.
  CHECK(located("链接https://a.cn/x,,谢谢") == "");
  CHECK(located("请打开www.a.cn，，谢谢") == "");
  CHECK(located("请访问ｗｗｗ．ａ．ｃｏｍ，，谢谢") == "");
  CHECK(located("请访问HTTPS://Shop.Example.com/a(b 查看。") == "");
  CHECK(located("见www.a.cn/x..") == "");
  CHECK(located("请打开https://a.cn/x。。谢谢") == kDoubled + "[17,19) 。。");
  CHECK(located("请打开https://a.cn/x 。。谢谢") == kDoubled + "[18,20) 。。");
  CHECK(located("见www.a.cn ..好") == kDoubled + "[10,12) ..");
  CHECK(located("请发送到a..b@x.cn") == "");
  CHECK(located("请发送到a..b") == kDoubled + "[5,7) ..");
  CHECK(located("好的@小王。。") == kDoubled + "[5,7) 。。");
  // A number keeps only the marks between its digits.
  CHECK(located("订单号123456.。") == "");
  CHECK(located("价格是99..谢谢") == kDoubled + "[5,7) ..");
  CHECK(located("版本1.2..已更新") == kDoubled + "[5,7) ..");
  CHECK(located("订单1..2已更新") == kDoubled + "[3,5) ..");
  CHECK(located("共1,,2件") == kDoubled + "[2,4) ,,");
  CHECK(located("1,299,。") == kDoubled + "[5,7) ,。");
  CHECK(located("3.5元。。") == kDoubled + "[4,6) 。。");
  // A full-width mark inside a number does not make the message "mixed".
  CHECK(located("好的,价格1，299元") == "");
  CHECK(located("好的,价格1，元") == kHalf + "[2,3) ,");
  // Skipped marks are no punctuation, and skipped text no units.
  CHECK(located("订单号是 2024-05-01 请查收您的包裹哦亲爱的") == kNo + "15 words/characters");
  CHECK(located("请联系 kefu@shop.com 或者拨打 400-800-1234 我们会尽快处理您的问题") == kNo + "18 words/characters");
  CHECK(located("Please check order 12345 and reply tomorrow morning thanks a lot") == kNo + "10 words/characters");
  CHECK(located("Please check https://a.cn/x and reply tomorrow morning thanks a lot") == "");
}

TEST_CASE("punctuation: text units", "[checks][punctuation]") {
  // Han characters count one each, a Latin word one (also right after a Han character).
  const std::string five = R"({"type": "punctuation", "min_count": 1, "min_length": 5})";
  const std::string six = R"({"type": "punctuation", "min_count": 1, "min_length": 6})";
  CHECK(located("Hello世界abc def", five) == kNo + "5 words/characters");
  CHECK(located("Hello世界abc def", six) == "");
  CHECK(located("😊😊😊😊😊😊😊😊😊😊好的") == "");
  CHECK(located("好的亲这边已经为您登记\n补发了预计明天发出") == "");  // a line break counts as punctuation
  CHECK(located("It's fine thanks for waiting we will ship today and call you soon") == "");
}

TEST_CASE("punctuation: half-width marks against the session's own convention", "[checks][punctuation][seed]") {
  const std::string p = R"({"type": "punctuation", "min_count": 1, "kinds": ["half_width"]})";
  // No full-width mark anywhere in the agent's messages: the export's convention, no error.
  auto plain = chat({{"agent", 0, "您好,请问有什么可以帮您?"}, {"agent", 5, "好的,我看一下."}});
  CHECK(run(one_item(p), plain).status == ItemStatus::passed);
  // The same agent uses full-width marks in another message: the half-width ones are errors.
  auto mixed = chat({{"agent", 0, "您好，请问有什么可以帮您？"}, {"agent", 5, "好的,我看一下."}});
  auto r = run(one_item(p), mixed);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings.size() == 1);
  CHECK(r.findings[0].at.message == 1);
  // Judged per mark: commas half-width throughout (the export's), ？ full-width once: only a half-width ? counts.
  auto per_mark = chat({{"agent", 0, "您好,请问有什么可以帮您？"}, {"agent", 5, "好的,我看一下."}, {"agent", 9, "是这个订单吗?"}});
  auto pm = run(one_item(p), per_mark);
  REQUIRE(pm.status == ItemStatus::failed);
  REQUIRE(pm.findings.size() == 1);
  CHECK(pm.findings[0].at.message == 2);
  CHECK(pm.findings[0].at.quote == "?");
  // "mixed" looks at the message alone; "always" flags any.
  CHECK(run(one_item(R"({"type": "punctuation", "min_count": 1, "kinds": ["half_width"], "half_width": "mixed"})"),
            mixed)
            .status == ItemStatus::passed);
  CHECK(run(one_item(R"({"type": "punctuation", "min_count": 1, "kinds": ["half_width"], "half_width": "always"})"),
            plain)
            .status == ItemStatus::failed);
}

TEST_CASE("punctuation: cards and pasted key-value text are skipped", "[checks][punctuation][seed]") {
  const std::string p = R"({"type": "punctuation", "min_count": 1, "half_width": "always"})";
  auto card = chat({{"agent", 0, "商品名称:空气炸锅 价格:299元 库存:有货"}});
  CHECK(run(one_item(p), card).status == ItemStatus::passed);
  auto lines = chat({{"agent", 0, "订单信息\n收货人:张先生\n地址:北京市朝阳区\n状态:已发货"}});
  CHECK(run(one_item(p), lines).status == ItemStatus::passed);
  // One label is prose.
  auto prose = chat({{"agent", 0, "温馨提示:这款空气炸锅今天下单明天发货"}});
  CHECK(run(one_item(p), prose).status == ItemStatus::failed);
  // Turning off "space instead of punctuation".
  auto spaced = chat({{"agent", 0, "您好 很高兴为您服务。"}});
  CHECK(run(one_item(p), spaced).status == ItemStatus::failed);
  CHECK(run(one_item(R"({"type": "punctuation", "min_count": 1, "kinds": ["no_punctuation", "repeated", "half_width", "unmatched"]})"),
            spaced)
            .status == ItemStatus::passed);
}
