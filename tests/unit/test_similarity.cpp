// Similar-phrase matching (相似话术): the measure, the "similar" key of phrase
// groups, explanations and diagnostics.
#include <catch2/catch.hpp>

#include "test_checks_helpers.hpp"
#include "text/similarity.hpp"

using namespace checks_test;

namespace {

// The similarity of sentence a to example b (or their cosine).
double similarity_of(const std::string& a, const std::string& b, bool plain_cosine = false) {
  chatqa::text::NormText ta, tb;
  chatqa::text::Normalizer::instance().normalize(a, false, ta);
  chatqa::text::Normalizer::instance().normalize(b, false, tb);
  chatqa::text::FeatureVector va, vb;
  std::vector<std::uint64_t> keys;
  chatqa::text::text_features(ta, va, keys);
  chatqa::text::text_features(tb, vb, keys);
  return plain_cosine ? chatqa::text::cosine(va, vb) : chatqa::text::similarity(va, vb);
}

std::string further_help(const std::string& similar) {
  return one_item(R"({"type": "required_phrase", "role": "agent", "window": {"last_messages": 2},
                      "similar": )" + similar + "}");
}

const std::string kFurtherHelp =
    R"({"examples": ["请问还有别的需要我帮忙的吗", "请问还有什么可以帮您的吗", "Is there anything else I can help you with?"],
        "threshold": 0.5})";

}  // namespace

TEST_CASE("similarity: weights follow the reference corpus", "[similar]") {
  using chatqa::text::feature_weight;
  auto han = [](char32_t c) { return feature_weight((std::uint64_t{1} << 60) | c); };
  CHECK(han(U'的') < han(U'帮'));
  CHECK(han(U'有') < han(U'忙'));
  chatqa::text::NormText t;
  std::vector<std::uint64_t> keys;
  chatqa::text::Normalizer::instance().normalize("the refund", false, t);
  chatqa::text::feature_keys(t, 0, static_cast<std::uint32_t>(t.chars.size()), keys);
  REQUIRE(keys.size() == 2);
  CHECK(feature_weight(keys[0]) < feature_weight(keys[1]));  // "the" weighs less than "refund"
}

TEST_CASE("similarity: the measure", "[similar]") {
  CHECK(similarity_of("请问还有别的需要我帮忙的吗", "请问还有别的需要我帮忙的吗") == Approx(1.0));
  // Punctuation, width and case do not count; the order of clauses does not either.
  CHECK(similarity_of("您好，很高兴为您服务！", "您好。很高兴为您服务") == Approx(1.0));
  // A space is not a clause break: 好很 is a pair of the first, not of the second.
  CHECK(similarity_of("您好 很高兴为您服务", "您好。很高兴为您服务") < 1.0);
  CHECK(similarity_of("Is there ANYTHING else?", "is there anything else") == Approx(1.0));
  // Stems: "helping" and "help" are one feature.
  CHECK(similarity_of("happy to help", "happy helping") > 0.6);
  const double paraphrase = similarity_of("请问还有其他需要帮助的吗", "请问还有别的需要我帮忙的吗");
  const double unrelated = similarity_of("请问您的订单号是多少", "请问还有别的需要我帮忙的吗");
  CHECK(paraphrase > 0.4);
  CHECK(unrelated < 0.3);
  CHECK(similarity_of("a b", "c d") == 0);
  // The cosine is symmetric; a fragment of an example is scaled down by the
  // share of the example's weight it holds.
  CHECK(similarity_of("感谢您的耐心等待", "谢谢您耐心等候", true) ==
        Approx(similarity_of("谢谢您耐心等候", "感谢您的耐心等待", true)));
  CHECK(similarity_of("谢谢", "谢谢您的理解与支持", true) > 0.5);
  CHECK(similarity_of("谢谢", "谢谢您的理解与支持") < 0.35);
  CHECK(similarity_of("谢谢您的理解与支持，祝您生活愉快", "谢谢您的理解与支持") ==
        Approx(similarity_of("谢谢您的理解与支持，祝您生活愉快", "谢谢您的理解与支持", true)));
  // Digits, @mentions and bracketed placeholders are not features.
  CHECK(similarity_of("订单12345已发货[呵呵] @小王", "订单98765已发货") == Approx(1.0));
}

TEST_CASE("similar: a paraphrase of an example satisfies required_phrase", "[similar]") {
  auto rs = rules(further_help(kFurtherHelp));
  SECTION("a paraphrase in its own clause of a longer message") {
    auto r = chatqa::evaluate(*rs, chat({{"customer", 0, "好的知道了"},
                                         {"agent", 10, "已经为您处理好了，请问还有其他需要我帮忙的吗？祝您生活愉快"}}));
    CHECK(item(r).status == chatqa::ItemStatus::passed);
  }
  SECTION("English") {
    auto r = chatqa::evaluate(*rs, chat({{"customer", 0, "ok"}, {"agent", 10, "Done. Anything else I can help with?"}}));
    CHECK(item(r).status == chatqa::ItemStatus::passed);
  }
  SECTION("an unrelated question fails, naming the nearest example and its similarity") {
    auto r = chatqa::evaluate(*rs, chat({{"customer", 0, "好的"}, {"agent", 10, "请问您的订单号是多少？"}}));
    const chatqa::ItemResult x = item(r);
    REQUIRE(x.status == chatqa::ItemStatus::failed);
    REQUIRE(x.findings.size() == 1);
    const chatqa::Finding& f = x.findings[0];
    CHECK(f.nearest == "请问还有什么可以帮您的吗");
    CHECK(f.similarity.value_or(-1) > 0);
    CHECK(f.similarity.value_or(-1) < 0.5);
    REQUIRE(f.related);
    CHECK(f.related->message == 1);
    CHECK(f.related->quote == "请问您的订单号是多少");
    CHECK(f.explanation.find("nearest: #1 「请问您的订单号是多少」 ≈ 「请问还有什么可以帮您的吗」") != std::string::npos);
    CHECK(f.explanation.find("< 0.50") != std::string::npos);
    const std::string json = chatqa::to_json(r);
    CHECK(json.find("\"nearest\":\"请问还有什么可以帮您的吗\"") != std::string::npos);
    CHECK(json.find("\"similarity\":0.") != std::string::npos);
  }
  SECTION("no message shares a feature: no nearest") {
    auto r = chatqa::evaluate(*rs, chat({{"customer", 0, "好的"}, {"agent", 10, "123"}}));
    const chatqa::ItemResult x = item(r);
    REQUIRE(x.findings.size() == 1);
    CHECK(x.findings[0].nearest.empty());
    CHECK_FALSE(x.findings[0].similarity.has_value());
  }
  SECTION("only the window is compared") {
    auto r = chatqa::evaluate(*rs, chat({{"agent", 0, "请问还有其他需要帮助的吗"},
                                         {"agent", 10, "好的"},
                                         {"agent", 20, "再见"}}));
    CHECK(item(r).status == chatqa::ItemStatus::failed);
  }
}

TEST_CASE("similar: the threshold decides", "[similar]") {
  const std::string text = "请问还有其他需要帮助的吗";
  const double s = similarity_of(text, "请问还有别的需要我帮忙的吗");
  auto with = [&](double threshold) {
    auto rs = rules(further_help(R"({"examples": ["请问还有别的需要我帮忙的吗"], "threshold": )" +
                                 std::to_string(threshold) + "}"));
    return item(chatqa::evaluate(*rs, chat({{"agent", 0, text}}))).status;
  };
  CHECK(with(s - 0.01) == chatqa::ItemStatus::passed);
  CHECK(with(s + 0.01) == chatqa::ItemStatus::failed);
  // Without a threshold: the default, 0.5.
  auto rs = rules(further_help(R"({"examples": ["请问还有别的需要我帮忙的吗"]})"));
  CHECK(item(chatqa::evaluate(*rs, chat({{"agent", 0, text}}))).status ==
        (s >= 0.5 ? chatqa::ItemStatus::passed : chatqa::ItemStatus::failed));
}

TEST_CASE("similar: excluded examples", "[similar]") {
  // "有什么可以帮您" opens a chat; it is close to the further-help question
  // but must not count as one.
  const std::string without = R"({"examples": ["请问还有什么可以帮您的吗"], "threshold": 0.5})";
  const std::string with =
      R"({"examples": ["请问还有什么可以帮您的吗"], "exclude": ["有什么可以帮您"], "threshold": 0.5})";
  const chatqa::Session s = chat({{"agent", 0, "您好，有什么可以帮您？"}});
  CHECK(item(chatqa::evaluate(*rules(further_help(without)), s)).status == chatqa::ItemStatus::passed);
  const chatqa::ItemResult x = item(chatqa::evaluate(*rules(further_help(with)), s));
  REQUIRE(x.status == chatqa::ItemStatus::failed);
  CHECK(x.findings[0].explanation.find("closer to the excluded 「有什么可以帮您」") != std::string::npos);
  // The real question still passes.
  CHECK(item(chatqa::evaluate(*rules(further_help(with)), chat({{"agent", 0, "请问您还有什么可以帮您的吗"}}))).status ==
        chatqa::ItemStatus::passed);
}

TEST_CASE("similar: banned_phrase findings name the example and the similarity", "[similar]") {
  auto rs = rules(one_item(R"({"type": "banned_phrase", "role": "agent",
                               "similar": {"examples": ["这个问题不归我们管"], "threshold": 0.55}})",
                           R"(, "per_hit": 1)"));
  auto r = chatqa::evaluate(*rs, chat({{"customer", 0, "怎么办"},
                                       {"agent", 10, "您好。这个问题不归我们管的，我们也没办法。这个问题不归我管"}}));
  const chatqa::ItemResult x = item(r);
  REQUIRE(x.status == chatqa::ItemStatus::failed);
  REQUIRE(x.findings.size() == 2);  // two sentences, two hits
  for (const chatqa::Finding& f : x.findings) {
    CHECK(f.matched == "这个问题不归我们管");
    CHECK(f.similarity.value_or(-1) >= 0.55);
    CHECK(f.explanation.rfind("banned phrase (similar to 「这个问题不归我们管」, 0.", 0) == 0);
  }
  CHECK(x.findings[0].at.quote == "这个问题不归我们管的");
  CHECK(x.findings[0].at.span.value().begin == 3);
  CHECK(x.findings[1].at.quote == "这个问题不归我管");
  // Literal phrases of the same group still match, beside the examples.
  auto both = rules(one_item(R"({"type": "banned_phrase", "role": "agent", "phrases": ["没办法"],
                                 "similar": {"examples": ["这个问题不归我们管"]}})"));
  const chatqa::ItemResult y = item(chatqa::evaluate(*both, chat({{"agent", 0, "这个问题不归我们管，没办法"}})));
  REQUIRE(y.findings.size() == 2);
  CHECK(y.findings[0].similarity.value_or(-1) >= 0.5);
  CHECK(y.findings[1].matched == "没办法");
  CHECK_FALSE(y.findings[1].similarity.has_value());
}

TEST_CASE("similar: only the group's roles are compared", "[similar]") {
  auto rs = rules(one_item(R"({"type": "banned_phrase", "role": "agent",
                               "similar": {"examples": ["这个问题不归我们管"]}})"));
  CHECK(item(chatqa::evaluate(*rs, chat({{"customer", 0, "这个问题不归我们管吗"}}))).status ==
        chatqa::ItemStatus::passed);
}

TEST_CASE("similar: sequence triggers and responses", "[similar]") {
  auto rs = rules(one_item(R"({"type": "sequence",
      "trigger": {"role": "agent", "similar": {"examples": ["请您稍等，我帮您查询一下"]}},
      "response": {"role": "agent", "similar": {"examples": ["感谢您的耐心等待"]}},
      "within_messages": 2})"));
  CHECK(item(chatqa::evaluate(*rs, chat({{"agent", 0, "您稍等一下，我这边帮您查一下"},
                                         {"agent", 60, "谢谢您耐心等待，查到了"}})))
            .status == chatqa::ItemStatus::passed);
  const chatqa::ItemResult x = item(chatqa::evaluate(*rs, chat({{"agent", 0, "您稍等一下，我这边帮您查一下"},
                                                                {"agent", 60, "查到了，已经发货"}})));
  REQUIRE(x.status == chatqa::ItemStatus::failed);
  CHECK(x.findings[0].at.quote == "您稍等一下，我这边帮您查一下");
  CHECK(x.findings[0].explanation.find("≈「感谢您的耐心等待」") != std::string::npos);
}

TEST_CASE("similar: examples from a lexicon, and match all", "[similar]") {
  auto rs = rules(one_item(R"({"type": "required_phrase", "role": "agent", "match": "all", "phrases": ["您好"],
                               "similar": {"examples": ["@closing_examples"]}})",
                           "", R"({"closing_examples": ["感谢您的咨询，祝您生活愉快", "Thanks for contacting us"]})"));
  CHECK(item(chatqa::evaluate(*rs, chat({{"agent", 0, "您好"}, {"agent", 9, "感谢咨询，祝您生活愉快！"}}))).status ==
        chatqa::ItemStatus::passed);
  const chatqa::ItemResult x = item(chatqa::evaluate(*rs, chat({{"agent", 0, "您好"}, {"agent", 9, "好的"}})));
  REQUIRE(x.findings.size() == 1);
  CHECK(x.findings[0].explanation.find("≈「感谢您的咨询，祝您生活愉快」 (+1 similar)") != std::string::npos);
}

TEST_CASE("similar: the same report every time", "[similar]") {
  auto rs = rules(further_help(kFurtherHelp));
  const chatqa::Session s = chat({{"customer", 0, "好的"}, {"agent", 10, "请问您的订单号是多少？还有别的事吗"}});
  chatqa::EvalScratch scratch;
  const std::string first = chatqa::to_json(chatqa::evaluate(*rs, s, scratch));
  for (int k = 0; k < 3; ++k) CHECK(chatqa::to_json(chatqa::evaluate(*rs, s, scratch)) == first);
  CHECK(chatqa::to_json(chatqa::evaluate(*rs, s)) == first);
}

TEST_CASE("similar: compile diagnostics", "[similar]") {
  auto codes = [](const std::string& similar) {
    const chatqa::CompileResult r = compile(further_help(similar));
    std::string out;
    for (const auto& d : r.diagnostics) out += d.code + " ";
    return out;
  };
  CHECK(codes(R"({"threshold": 0.5})") == "E0130 ");
  CHECK(codes(R"({"examples": []})") == "E0130 ");
  CHECK(codes(R"({"examples": ["好"], "threshold": 1.5})") == "E0131 ");
  CHECK(codes(R"({"examples": ["好"], "threshold": "high"})") == "E0131 ");
  CHECK(codes(R"({"examples": ["好"], "threshold": 0.2})") == "W0131 ");
  CHECK(codes(R"({"examples": ["？？！"]})") == "E0132 ");
  CHECK(codes(R"({"examples": ["您好"], "exclude": ["您好！"]})") == "E0133 ");
  CHECK(codes(R"({"examples": ["好"], "treshold": 0.5})").find("E0102") != std::string::npos);
  CHECK(codes(R"(["好"])") == "E0104 ");
  CHECK(codes(R"({"examples": ["@nope"]})") == "E0108 ");
  // A group with only "similar" needs no phrases.
  CHECK(codes(R"({"examples": ["好的"]})").empty());
  const chatqa::CompileResult r = compile(further_help(R"({"examples": ["好"], "threshold": 1.5})"));
  REQUIRE(!r.diagnostics.empty());
  CHECK(r.diagnostics[0].json_pointer == "/items/0/check/similar/threshold");
  CHECK(r.diagnostics[0].line > 0);
}

// ---------------------------------------------------------------- gap phrases

TEST_CASE("gap phrases: parts in order with at most N characters between", "[gap]") {
  auto rs = rules(one_item(R"({"type": "required_phrase", "role": "agent", "phrases": ["还有…帮", "其他…{4}问题"]})"));
  auto status = [&](const std::string& text) { return item(chatqa::evaluate(*rs, chat({{"agent", 0, text}}))).status; };
  CHECK(status("请问还有什么可以帮您的吗") == chatqa::ItemStatus::passed);  // 5 between: within the default 8
  CHECK(status("还有，我可以帮您") == chatqa::ItemStatus::passed);           // separators do not count
  CHECK(status("还有帮") == chatqa::ItemStatus::passed);                     // zero between
  CHECK(status("帮您看看还有") == chatqa::ItemStatus::failed);               // order matters
  CHECK(status("还有一二三四五六七八九帮") == chatqa::ItemStatus::failed);   // 9 > 8
  CHECK(status("还有问题。帮我看看") == chatqa::ItemStatus::failed);         // not across a sentence end
  CHECK(status("其他的小问题") == chatqa::ItemStatus::passed);               // 2 <= 4
  CHECK(status("其他一二三四五问题") == chatqa::ItemStatus::failed);         // 5 > 4
}

TEST_CASE("gap phrases: the finding spans the whole match and shows the phrase", "[gap]") {
  auto rs = rules(one_item(R"({"type": "banned_phrase", "role": "agent", "phrases": ["不归…管"]})"));
  auto r = chatqa::evaluate(*rs, chat({{"agent", 0, "您好，这个不归我们管的"}}));
  const chatqa::ItemResult x = item(r);
  REQUIRE(x.findings.size() == 1);
  CHECK(x.findings[0].at.quote == "不归我们管");
  CHECK(x.findings[0].at.span.value().begin == 5);
  CHECK(x.findings[0].at.span.value().end == 10);
  CHECK(x.findings[0].matched == "不归…管");
  CHECK(x.findings[0].explanation == "banned phrase 不归…管");
}

TEST_CASE("gap phrases: rule-set default, Latin words, lexicons and errors", "[gap]") {
  auto rs = rules(one_item(R"({"type": "required_phrase", "role": "agent", "phrases": ["@help"]})", "",
                           R"({"help": ["anything…help"]})", R"(, "options": {"max_gap": 3})"));
  auto status = [&](const std::string& text) { return item(chatqa::evaluate(*rs, chat({{"agent", 0, text}}))).status; };
  CHECK(status("Anything else I can help with?") == chatqa::ItemStatus::failed);  // "else I can": 8 letters > 3
  CHECK(status("anything to help") == chatqa::ItemStatus::passed);
  CHECK(status("anythingx help") == chatqa::ItemStatus::failed);  // whole words at Latin edges
  auto codes = [](const std::string& phrase) {
    std::string out;
    for (const auto& d : compile(one_item(R"({"type": "required_phrase", "phrases": [")" + phrase + R"("]})")).diagnostics)
      out += d.code + " ";
    return out;
  };
  CHECK(codes("还有…") == "E0134 ");
  CHECK(codes("…帮") == "E0134 ");
  CHECK(codes("还有…{x}帮") == "E0134 ");
  CHECK(codes("还有…{51}帮") == "E0134 ");
  CHECK(codes("还有…{12}帮").empty());
}

TEST_CASE("gap phrases: many wide Latin gaps fit the regex budget", "[gap]") {
  // Each gap repeats its letter class N times: with the exact Unicode classes
  // four 8-letter gaps overflowed the 8 MB regex budget (E0115).
  std::string phrases;
  for (int k = 0; k < 16; ++k) phrases += std::string(k ? ", " : "") + "\"if…{30}you need to" + std::to_string(k) + "\"";
  phrases += ", \"anything…{20}help you with\"";
  const auto result = compile(one_item(R"({"type": "banned_phrase", "role": "agent", "phrases": [)" + phrases + "]}"));
  CHECK(result.diagnostics.empty());
  REQUIRE(result.rule_set);
  auto status = [&](const std::string& text) {
    return item(chatqa::evaluate(*result.rule_set, chat({{"agent", 0, text}}))).status;
  };
  CHECK(status("Is there anything, at all, that I could help you with?") == chatqa::ItemStatus::failed);
  CHECK(status("If the screen stays dark, you need to3 hold the key.") == chatqa::ItemStatus::failed);  // comma is free
  CHECK(status("Anything else? Yes. Help you with that.") == chatqa::ItemStatus::passed);  // not across ? and .
  CHECK(status("Anything \u00e9l\u00e8ve caf\u00e9 to help you with") == chatqa::ItemStatus::failed);  // accented letters count
  CHECK(status("anything \u4f60\u597d\u4e16\u754c\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341"
               "\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03 help you with") == chatqa::ItemStatus::passed);  // 21 > 20
}

// ---------------------------------------------------------------- paraphrased repeats

TEST_CASE("repetition with the weighted measure groups paraphrases", "[similar][repetition]") {
  const std::string check = R"({"type": "repetition", "role": "customer", "min_repeats": 3, "measure": "weighted",
                                "similarity": 0.45})";
  auto rs = rules(one_item(check));
  const std::vector<Row> paraphrases = {{"customer", 0, "我的快递什么时候能到？"},
                                        {"agent", 10, "您好，请提供单号"},
                                        {"customer", 20, "快递到底什么时候到啊"},
                                        {"agent", 30, "正在查询"},
                                        {"customer", 40, "请问我的快递啥时候到"}};
  const chatqa::ItemResult x = item(chatqa::evaluate(*rs, chat(paraphrases)));
  REQUIRE(x.status == chatqa::ItemStatus::failed);
  REQUIRE(x.findings.size() == 1);
  CHECK(x.findings[0].value == 3);
  // Dice over character pairs at the same threshold does not see them as one question.
  auto dice = rules(one_item(R"({"type": "repetition", "role": "customer", "min_repeats": 3, "similarity": 0.45})"));
  CHECK(item(chatqa::evaluate(*dice, chat(paraphrases))).status == chatqa::ItemStatus::passed);
  // Different questions are not grouped.
  CHECK(item(chatqa::evaluate(*rs, chat({{"customer", 0, "我的快递什么时候能到？"},
                                         {"customer", 20, "你们的退款政策是什么"},
                                         {"customer", 40, "发票怎么开"}})))
            .status == chatqa::ItemStatus::passed);
}

TEST_CASE("weighted repetition ignores placeholders, digits and cards", "[similar][repetition]") {
  auto rs = rules(one_item(R"({"type": "repetition", "role": "customer", "min_repeats": 2, "measure": "weighted"})"));
  // The same question with different masked numbers and stickers: one question asked twice.
  CHECK(item(chatqa::evaluate(*rs, chat({{"customer", 0, "订单123456怎么还没发货[怒]"},
                                         {"customer", 20, "订单987654怎么还没发货 @客服小王"}})))
            .status == chatqa::ItemStatus::failed);
  // A product card sent twice is not a repeated question.
  const std::string card = "商品名称：蓝牙耳机\n价格：199元\n数量：1";
  CHECK(item(chatqa::evaluate(*rs, chat({{"customer", 0, card}, {"customer", 20, card}}))).status ==
        chatqa::ItemStatus::not_applicable);
  CHECK(item(chatqa::evaluate(*rs, chat({{"customer", 0, "https://shop.example.com/item/12345"},
                                         {"customer", 20, "https://shop.example.com/item/12345"}})))
            .status == chatqa::ItemStatus::not_applicable);
  // "ngram" belongs to the Dice measure.
  CHECK(!compile(one_item(R"({"type": "repetition", "measure": "weighted", "ngram": 3})")).ok());
}
