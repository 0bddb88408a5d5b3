// silence and repetition: how long the customer waited, and whether they had to repeat themselves.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

TEST_CASE("silence: one gap over 30 s and the total over 2 minutes", "[checks][silence]") {
  const std::string check = R"({"type": "silence", "max_gap_seconds": 30, "max_total_seconds": 120})";
  SECTION("clean chat") {
    auto s = chat({{"customer", 0, "在吗"},
                   {"agent", 10, "您好,请问有什么可以帮您?"},
                   {"customer", 30, "发货了吗"},
                   {"agent", 50, "已经发货了。"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
  }
  SECTION("a 45 s gap fires once, at the reply, with the waiting message related") {
    auto s = chat({{"customer", 0, "在吗"},
                   {"customer", 20, "???"},
                   {"agent", 45, "您好,在的"},
                   {"customer", 50, "好"},
                   {"agent", 55, "请问有什么可以帮您?"}});
    auto r = run(one_item(check), s);
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].at.message == 2);
    REQUIRE(r.findings[0].related);
    CHECK(r.findings[0].related->message == 0);  // waiting since the FIRST unanswered message
    CHECK(r.findings[0].value == Approx(45));
  }
  SECTION("short waits adding up to more than 2 minutes") {
    std::vector<Row> rows;
    for (int k = 0; k < 6; ++k) {
      rows.push_back({"customer", k * 60, "问题" + std::to_string(k)});
      rows.push_back({"agent", k * 60 + 25, "回答" + std::to_string(k)});
    }
    auto r = run(one_item(check), chat(rows));
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].at.message == -1);
    CHECK(r.findings[0].value == Approx(150));
    CHECK_THAT(r.findings[0].explanation, Catch::Contains("150 s in total"));
  }
  SECTION("hold phrases: waiting after 请稍等 counts too") {
    const std::string with_hold =
        R"({"type": "silence", "max_gap_seconds": 30, "hold": {"phrases": ["请稍等", "请您稍等"]}})";
    auto s = chat({{"customer", 0, "查下物流"}, {"agent", 5, "请您稍等"}, {"agent", 95, "查到了,明天到"}});
    auto r = run(one_item(with_hold), s);
    REQUIRE(r.status == ItemStatus::failed);
    CHECK(r.findings[0].at.message == 2);
    CHECK(r.findings[0].value == Approx(90));
    CHECK(run(one_item(check), s).status == ItemStatus::passed);  // without hold: a 5 s wait
  }
  SECTION("edge: empty and agent-only sessions are not applicable") {
    CHECK(run(one_item(check), chat({})).status == ItemStatus::not_applicable);
    CHECK(run(one_item(check), chat({{"agent", 0, "您好"}, {"agent", 100, "在吗"}})).status ==
          ItemStatus::not_applicable);
  }
  SECTION("edge: the customer's last message left unanswered") {
    auto s = chat(
        {{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 10, "还有个问题"}, {"system", 70, "", "closed"}});
    auto closed = run(one_item(check), s, true);
    REQUIRE(closed.status == ItemStatus::failed);
    CHECK(closed.findings[0].at.message == 2);
    CHECK_THAT(closed.findings[0].explanation, Catch::Contains("no reply at the end"));
    // Live, with the wait still short: undecided.
    auto live = chat({{"customer", 0, "在吗"}, {"agent", 5, "在的"}, {"customer", 10, "还有个问题"}});
    CHECK(run(one_item(check), live, false).status == ItemStatus::pending);
    CHECK(run(one_item(check), live, true).status == ItemStatus::passed);
  }
  CHECK(has_error(one_item(R"({"type": "silence"})"), "E0103", "/items/0/check"));
  CHECK(has_error(one_item(R"({"type": "silence", "max_gap": 30})"), "E0102", "/items/0/check/max_gap"));
}

TEST_CASE("repetition: the customer asks the same thing 3 times", "[checks][repetition]") {
  const std::string check = R"({"type": "repetition"})";
  SECTION("three near-duplicates fire once, quoting every repeat") {
    auto s = chat({{"customer", 0, "我的快递什么时候到?"},
                   {"agent", 10, "您好,请提供一下订单号。"},
                   {"customer", 20, "4026371180923461"},
                   {"agent", 30, "好的,我看一下。"},
                   {"customer", 60, "我的快递到底什么时候到"},
                   {"agent", 70, "正在查询。"},
                   {"customer", 90, "快递什么时候到??"}});
    auto r = run(one_item(check), s);
    REQUIRE(r.status == ItemStatus::failed);
    REQUIRE(r.findings.size() == 1);
    const auto& f = r.findings[0];
    CHECK(f.at.message == 6);
    REQUIRE(f.related);
    CHECK(f.related->message == 0);
    CHECK(f.value == 3);
    CHECK_THAT(f.explanation, Catch::Contains("#0 「我的快递什么时候到?」") && Catch::Contains("#4") &&
                                  Catch::Contains("#6 「快递什么时候到??」"));
  }
  SECTION("English, with punctuation and case differences") {
    auto s = chat({{"customer", 0, "Where is my refund?"},
                   {"agent", 5, "Let me check."},
                   {"customer", 60, "where is my refund"},
                   {"agent", 65, "One moment."},
                   {"customer", 120, "WHERE IS MY REFUND!!!"}});
    CHECK(run(one_item(check), s).status == ItemStatus::failed);
  }
  SECTION("different questions and short acknowledgements do not count") {
    auto s = chat({{"customer", 0, "这款有现货吗"},
                   {"agent", 5, "有的"},
                   {"customer", 10, "好的"},
                   {"customer", 12, "好的"},
                   {"customer", 14, "好的"},
                   {"customer", 20, "什么时候发货"},
                   {"customer", 30, "能开发票吗"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
  }
  SECTION("only twice is below the default of 3; min_repeats 2 fires") {
    auto s = chat({{"customer", 0, "退款什么时候到账"}, {"agent", 5, "请稍等"}, {"customer", 60, "退款什么时候到账?"}});
    CHECK(run(one_item(check), s).status == ItemStatus::passed);
    CHECK(run(one_item(R"({"type": "repetition", "min_repeats": 2})"), s).status == ItemStatus::failed);
  }
  SECTION("similarity threshold is configurable") {
    auto s = chat({{"customer", 0, "我的快递到底什么时候到"},
                   {"customer", 30, "快递什么时候到啊"},
                   {"customer", 60, "快递什么时候能到"}});
    CHECK(run(one_item(R"({"type": "repetition", "similarity": 0.95})"), s).status == ItemStatus::passed);
    CHECK(run(one_item(R"({"type": "repetition", "similarity": 0.4})"), s).status == ItemStatus::failed);
    CHECK(run(one_item(check), s).status == ItemStatus::passed);  // default 0.6: only the last two are alike
  }
  SECTION("edge: empty and agent-only sessions") {
    CHECK(run(one_item(check), chat({})).status == ItemStatus::not_applicable);
    CHECK(run(one_item(check), chat({{"agent", 0, "您好,请问有什么可以帮您?"},
                                     {"agent", 1, "您好,请问有什么可以帮您?"},
                                     {"agent", 2, "您好,请问有什么可以帮您?"}}))
              .status == ItemStatus::not_applicable);
  }
  SECTION("repeats more than 200 customer messages apart are not compared (keeps huge sessions fast)") {
    std::vector<Row> rows;
    unsigned seed = 12345;
    auto filler = [&] {
      std::u32string t;
      for (int k = 0; k < 8; ++k) {
        seed = seed * 1103515245u + 12345u;
        t.push_back(static_cast<char32_t>(0x4E00 + (seed >> 8) % 20000));
      }
      std::string out;
      for (char32_t c : t) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
      return out;
    };
    int t = 0;
    for (int round = 0; round < 3; ++round) {
      rows.push_back({"customer", t++, "我的退款什么时候到账"});
      for (int k = 0; k < (round < 2 ? 210 : 0); ++k) rows.push_back({"customer", t++, filler()});
    }
    CHECK(run(one_item(check), chat(rows)).status == ItemStatus::passed);
    rows.push_back({"customer", t++, "我的退款什么时候到账"});
    rows.push_back({"customer", t++, "我的退款什么时候到账?"});
    CHECK(run(one_item(check), chat(rows)).status == ItemStatus::failed);
  }
  CHECK(has_error(one_item(R"({"type": "repetition", "similarity": 2})"), "E0105", "/items/0/check/similarity"));
  CHECK(has_error(one_item(R"({"type": "repetition", "min_repeat": 3})"), "E0102", "/items/0/check/min_repeat"));
}
