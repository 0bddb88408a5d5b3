// Check semantics the seed standards ask for (issue 21): a hold is a wait
// request with an action; a rushed close also after a complaint or new
// information, and a rating invitation is no answer; spoken numerals in
// templates; the nearest miss of a failed "any"; the session's punctuation
// convention and cards; hold-only and spoken-utterance waits; open threads.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;

namespace {

const std::string kHoldReturn = R"({"type": "sequence",
  "trigger": {"phrases": ["稍等"], "role": "agent",
              "with": {"phrases": ["帮您查", "核实"], "role": "agent", "look_back_messages": 1}},
  "response": {"role": "agent"}, "within_seconds": 120})";

const std::string kThanks = R"({"type": "sequence",
  "trigger": {"phrases": ["稍等"], "role": "agent"},
  "response": {"phrases": ["耐心等待", "久等"], "allow": ["请耐心等待", "请您耐心等待"], "role": "agent"},
  "within_messages": 2})";

const std::string kRushed = R"({"type": "rushed_close", "closing": ["感谢您的咨询"],
  "not_answer": ["对我的服务做出评价", "还有什么可以帮"], "complaint": ["太差了", "投诉"],
  "acknowledgements": ["好的", "谢谢", "没有了", "嗯"]})";

}  // namespace

TEST_CASE("sequence: a wait request is a hold only with the agent's action", "[checks][sequence][seed]") {
  // "The code arrives within a minute, please wait": no action, no hold, nothing expected.
  auto code = chat({{"customer", 0, "验证码没收到"}, {"agent", 10, "验证码一分钟内到达,请您稍等"}});
  CHECK(run(one_item(kHoldReturn), code).status == ItemStatus::not_applicable);
  // The action in the same message: a hold; no return within 120 s fails.
  auto same = chat({{"customer", 0, "订单到哪了"}, {"agent", 10, "请您稍等,我帮您查一下"}, {"agent", 200, "已经发货"}});
  CHECK(run(one_item(kHoldReturn), same).status == ItemStatus::failed);
  // The action in the agent's previous message counts too (look_back_messages 1).
  auto before = chat({{"customer", 0, "订单到哪了"},
                      {"agent", 10, "我帮您查一下物流"},
                      {"agent", 12, "稍等哦"},
                      {"agent", 40, "已经到您所在的城市了"}});
  CHECK(run(one_item(kHoldReturn), before).status == ItemStatus::passed);
  // ... but not from two agent messages back.
  auto far = chat({{"customer", 0, "订单到哪了"},
                   {"agent", 10, "我帮您核实一下"},
                   {"agent", 30, "已经发货了"},
                   {"agent", 40, "链接刷新慢,稍等"}});
  CHECK(run(one_item(kHoldReturn), far).status == ItemStatus::not_applicable);
  CHECK(has_error(one_item(R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "with": ["x"]}})"), "E0104",
                  "/items/0/check/trigger/with"));
}

TEST_CASE("sequence: retrigger_extends — asking for more time keeps the wait open", "[checks][sequence][seed]") {
  const std::string thanks = R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "role": "agent"},
    "response": {"phrases": ["耐心等待"], "role": "agent"}, "within_messages": 1, "retrigger_extends": true})";
  auto s = chat({{"agent", 0, "请您稍等,我帮您查询"}, {"agent", 30, "还在查询,请您再稍等"}, {"agent", 60, "感谢您的耐心等待,查到了"}});
  CHECK(run(one_item(thanks), s).status == ItemStatus::passed);
  const std::string plain = R"({"type": "sequence", "trigger": {"phrases": ["稍等"], "role": "agent"},
    "response": {"phrases": ["耐心等待"], "role": "agent"}, "within_messages": 1})";
  CHECK(run(one_item(plain), s).status == ItemStatus::failed);
  // Another message in between still counts.
  auto other = chat({{"agent", 0, "请您稍等,我帮您查询"}, {"agent", 30, "查到了"}, {"agent", 60, "感谢您的耐心等待"}});
  CHECK(run(one_item(thanks), other).status == ItemStatus::failed);
}

TEST_CASE("sequence: skip_unanswered — a chat that ends on the trigger is not judged", "[checks][sequence][seed]") {
  const std::string apology = R"({"type": "sequence", "trigger": {"phrases": ["投诉"], "role": "customer"},
    "response": {"phrases": ["抱歉"], "role": "agent"}, "within_messages": 2, "skip_unanswered": true})";
  CHECK(run(one_item(apology), chat({{"agent", 0, "您好"}, {"customer", 5, "我要投诉"}, {"customer", 9, "人呢"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(apology), chat({{"customer", 5, "我要投诉"}, {"agent", 9, "请说"}})).status == ItemStatus::failed);
}

TEST_CASE("sequence: asking to keep waiting is not thanks for waiting", "[checks][sequence][seed]") {
  auto keep = chat({{"agent", 0, "请您稍等"}, {"agent", 30, "已经为您反馈,请您耐心等待处理结果"}});
  CHECK(run(one_item(kThanks), keep).status == ItemStatus::failed);
  auto thanks = chat({{"agent", 0, "请您稍等"}, {"agent", 30, "感谢您的耐心等待,已经处理好了"}});
  CHECK(run(one_item(kThanks), thanks).status == ItemStatus::passed);
}

TEST_CASE("rushed_close: complaints and new information need an answer; a rating invitation is none",
          "[checks][rushed_close][seed]") {
  // A repeated complaint right before the closing.
  auto complaint = chat({{"customer", 0, "快递一周没到"},
                         {"agent", 10, "已经为您催促快递员,预计明天送达"},
                         {"customer", 20, "你们服务太差了"},
                         {"agent", 30, "感谢您的咨询,祝您生活愉快"}});
  auto r = run(one_item(kRushed), complaint);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK_THAT(r.findings[0].explanation, Catch::Contains("complaint"));
  // New information (not an acknowledgement) before the closing.
  auto info = chat({{"customer", 0, "快递一周没到"},
                    {"agent", 10, "已经为您催促快递员,预计明天送达"},
                    {"customer", 20, "可是我明天不在家,后天才回来"},
                    {"agent", 30, "感谢您的咨询"}});
  auto n = run(one_item(kRushed), info);
  REQUIRE(n.status == ItemStatus::failed);
  CHECK_THAT(n.findings[0].explanation, Catch::Contains("new information"));
  // An acknowledgement needs no answer.
  auto ack = chat({{"customer", 0, "快递一周没到"},
                   {"agent", 10, "已经为您催促快递员,预计明天送达"},
                   {"customer", 20, "好的谢谢"},
                   {"agent", 30, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), ack).status == ItemStatus::passed);
  // A rating invitation between the question and the closing is not an answer.
  auto rating = chat({{"customer", 0, "退款什么时候到?"},
                      {"agent", 10, "请您对我的服务做出评价"},
                      {"agent", 20, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), rating).status == ItemStatus::failed);
  // A real answer between is.
  auto answered = chat({{"customer", 0, "退款什么时候到?"},
                        {"agent", 10, "3到5个工作日原路退回"},
                        {"agent", 20, "感谢您的咨询,请您对我的服务做出评价"}});
  CHECK(run(one_item(kRushed), answered).status == ItemStatus::passed);
  // A closer (thanks) is never new information.
  auto thanks = chat({{"customer", 0, "快递一周没到"},
                      {"agent", 10, "已经为您催促快递员,预计明天送达"},
                      {"customer", 20, "已经联系上快递员了,明天送到,谢谢"},
                      {"agent", 30, "感谢您的咨询"}});
  CHECK(run(one_item(kRushed), thanks).status == ItemStatus::failed);
  const std::string with_closers = R"({"type": "rushed_close", "closing": ["感谢您的咨询"],
    "acknowledgements": ["好的"], "closers": ["谢谢"]})";
  CHECK(run(one_item(with_closers), thanks).status == ItemStatus::passed);
  // A closing that acknowledges the information answers it (answers_information).
  const std::string ack_info = R"({"type": "rushed_close", "closing": ["感谢您的反馈", "感谢您的咨询"],
    "acknowledgements": ["好的"], "answers_information": ["感谢您的反馈"], "complaint": ["太差了"]})";
  auto feedback = chat({{"customer", 0, "建议你们的app加一个夜间模式"}, {"agent", 10, "感谢您的反馈"}});
  CHECK(run(one_item(ack_info), feedback).status == ItemStatus::passed);
  auto generic = chat({{"customer", 0, "建议你们的app加一个夜间模式"}, {"agent", 10, "感谢您的咨询"}});
  CHECK(run(one_item(ack_info), generic).status == ItemStatus::failed);
  auto complained = chat({{"customer", 0, "你们服务太差了"}, {"agent", 10, "感谢您的反馈"}});
  CHECK(run(one_item(ack_info), complained).status == ItemStatus::failed);
  // A suggestion phrased as a question is information, answered by thanks for the feedback.
  const std::string sugg = R"({"type": "rushed_close", "closing": ["感谢您的反馈"],
    "acknowledgements": ["好的"], "answers_information": ["感谢您的反馈"], "suggestion": ["能不能"]})";
  CHECK(run(one_item(sugg), chat({{"customer", 0, "能不能加一个夜间模式?"}, {"agent", 10, "感谢您的反馈"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(sugg), chat({{"customer", 0, "为什么我的退款还没到?"}, {"agent", 10, "感谢您的反馈"}})).status ==
        ItemStatus::failed);
  // Without the new keys, only questions count (the old behaviour).
  CHECK(run(one_item(R"({"type": "rushed_close", "closing": ["感谢您的咨询"]})"), info).status == ItemStatus::passed);
}

TEST_CASE("template: spoken numerals are digits", "[checks][template][seed]") {
  const std::string t = R"({"type": "template", "template": "{agent}号客服"})";
  auto spoken = chat({{"agent", 0, "您好,八零五五号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), spoken).status == ItemStatus::passed);
  auto yao = chat({{"agent", 0, "您好,幺零二号客服为您服务"}}, R"({"agent": "102"})");
  CHECK(run(one_item(t), yao).status == ItemStatus::passed);
  auto other = chat({{"agent", 0, "您好,八零五六号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), other).status == ItemStatus::failed);
  // Still not glued to more digits.
  auto glued = chat({{"agent", 0, "您好,一八零五五号客服为您服务"}}, R"({"agent": "8055"})");
  CHECK(run(one_item(t), glued).status == ItemStatus::failed);
}

TEST_CASE("any: a failed composed item reports one finding, the nearest miss", "[checks][logic][seed]") {
  const std::string any = R"({"type": "any", "checks": [
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}},
    {"type": "required_phrase", "phrases": ["很高兴为您服务"], "window": {"first_messages": 1}},
    {"type": "required_phrase", "phrases": ["有什么可以帮您"], "window": {"first_messages": 1}}]})";
  auto s = chat({{"agent", 0, "在的"}});
  auto r = run(one_item(any), s);
  REQUIRE(r.status == ItemStatus::failed);
  REQUIRE(r.findings.size() == 1);
  CHECK_THAT(r.findings[0].explanation,
             Catch::Contains("您好") && Catch::Contains("also") && Catch::Contains("很高兴为您服务") &&
                 Catch::Contains("有什么可以帮您"));
  // The branch with fewer findings is the nearer miss.
  const std::string mixed = R"({"type": "any", "checks": [
    {"type": "banned_phrase", "phrases": ["不知道"]},
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}]})";
  auto m = run(one_item(mixed), chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}}));
  REQUIRE(m.findings.size() == 1);
  CHECK_THAT(m.findings[0].explanation, Catch::Contains("您好") && Catch::Contains("also"));
  // "report": "all" keeps every branch.
  const std::string all = R"({"type": "any", "report": "all", "checks": [
    {"type": "banned_phrase", "phrases": ["不知道"]},
    {"type": "required_phrase", "phrases": ["您好"], "window": {"first_messages": 1}}]})";
  CHECK(run(one_item(all), chat({{"agent", 0, "不知道"}, {"agent", 5, "真不知道"}})).findings.size() == 3);
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

TEST_CASE("silence: holds only, and waits after a spoken utterance", "[checks][silence][seed]") {
  // Queue time (a system event) and the customer's own talking are not holds.
  const std::string hold = R"({"type": "silence", "max_total_seconds": 60, "holds_only": true,
    "hold": {"phrases": ["请稍等"]}})";
  auto queued = chat({{"system", 0, "", "queued"}, {"agent", 90, "您好"}, {"customer", 95, "查话费"},
                      {"agent", 100, "请稍等"}, {"agent", 130, "感谢等待,话费38元"}});
  auto q = run(one_item(hold), queued);
  CHECK(q.status == ItemStatus::passed);  // only the 30 s hold counts
  auto long_hold = chat({{"customer", 0, "查话费"}, {"agent", 5, "请稍等"}, {"agent", 50, "还在查"},
                         {"agent", 55, "请稍等"}, {"agent", 80, "话费38元"}});
  CHECK(run(one_item(hold), long_hold).status == ItemStatus::failed);  // 45 + 25 s
  CHECK(has_error(one_item(R"({"type": "silence", "max_total_seconds": 60, "holds_only": true})"), "E0105",
                  "/items/0/check/holds_only"));
  // Dead air: the wait starts when the customer stops talking (4 characters a second).
  const std::string dead = R"({"type": "silence", "max_gap_seconds": 3, "speech_chars_per_second": 4})";
  // 20 characters = 5 s of speech; the agent answers 7 s after the start: 2 s of silence.
  auto quick = chat({{"customer", 0, "我想查一下我这个月的话费为什么这么多呀"}, {"agent", 7, "好的"}});
  CHECK(run(one_item(dead), quick).status == ItemStatus::passed);
  auto slow = chat({{"customer", 0, "我想查一下我这个月的话费为什么这么多呀"}, {"agent", 12, "好的"}});
  CHECK(run(one_item(dead), slow).status == ItemStatus::failed);
}

TEST_CASE("last_message: an open thread ends with the customer", "[checks][logic][seed]") {
  const std::string open = R"({"type": "last_message", "role": "customer",
    "unless": {"phrases": ["好的", "谢谢", "没有了"]}})";
  auto question = chat({{"agent", 0, "您好"}, {"customer", 5, "那退款什么时候到账呢"}});
  auto r = run(one_item(open), question);
  REQUIRE(r.status == ItemStatus::failed);
  CHECK(r.findings[0].at.message == 1);
  CHECK(run(one_item(open), chat({{"agent", 0, "您好"}, {"customer", 5, "好的谢谢"}})).status == ItemStatus::passed);
  CHECK(run(one_item(open), chat({{"customer", 0, "退款呢"}, {"agent", 5, "已退"}})).status == ItemStatus::passed);
  // A system event after the customer ends the chat; a bare system message does not.
  CHECK(run(one_item(open), chat({{"customer", 0, "退款什么时候到账呢"}, {"system", 5, "", "closed"}})).status ==
        ItemStatus::passed);
  CHECK(run(one_item(open), chat({{"customer", 0, "退款什么时候到账呢"}, {"system", 5, ""}})).status ==
        ItemStatus::failed);
  // As an item's "when": end-of-chat items are not judged on an open thread.
  auto closing = R"({"type": "required_phrase", "phrases": ["再见"], "window": {"last_messages": 1}})";
  auto item = run(one_item(closing, R"(, "when": {"type": "not", "check": )" + open + "}"), question);
  CHECK(item.status == ItemStatus::not_applicable);
  CHECK(has_error(one_item(R"({"type": "last_message"})"), "E0103", "/items/0/check"));
}

TEST_CASE("repetition: reply_between — the same words twice in a row are one turn", "[checks][repetition][seed]") {
  const std::string r = R"({"type": "repetition", "min_repeats": 2, "similarity": 0.8, "reply_between": true})";
  auto twice = chat({{"customer", 0, "我的退款什么时候到账"}, {"customer", 5, "我的退款什么时候到账"}, {"agent", 20, "您好"}});
  CHECK(run(one_item(r), twice).status == ItemStatus::passed);
  auto again = chat({{"customer", 0, "我的退款什么时候到账"}, {"agent", 20, "您好"}, {"customer", 30, "我的退款什么时候到账"}});
  CHECK(run(one_item(r), again).status == ItemStatus::failed);
  // Without the option, both count.
  CHECK(run(one_item(R"({"type": "repetition", "min_repeats": 2, "similarity": 0.8})"), twice).status ==
        ItemStatus::failed);
}
