// punctuation: missing / space / doubled / half-width / unmatched marks, counted per message.
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
  CHECK_FALSE(r.findings[2].at.has_span);  // no punctuation: the whole message
  CHECK(run(one_item(R"({"type": "punctuation", "role": "customer", "min_count": 1})"), two).status ==
        ItemStatus::failed);
}

TEST_CASE("punctuation: options", "[checks][punctuation]") {
  // half_width "always" also flags consistently half-width Chinese text.
  CHECK(problem("您好,很高兴为您服务!") == "");
  CHECK(problem("您好,很高兴为您服务。") != "");  // mixed: half-width comma, full-width full stop
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
