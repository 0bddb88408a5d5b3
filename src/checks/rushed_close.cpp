// rushed_close: the agent closes the chat (a closing phrase, or a "closed"
// event) while the customer's last question is still unanswered, or urges the
// customer to leave (催客户下线).
//
// The customer's last message before a closing counts as a question when it
// has "?" / "？", a question particle at its end (吗 / 呢), or a question word
// (怎么, 什么, 多少, ... — "question" overrides these); phrases of
// "question_allow" covering a question word cancel it (没什么了, 什么都不).
// With "complaint" phrases, a complaint (重复抱怨) needs an answer too, and
// with "acknowledgements" any message that says more than an acknowledgement
// (好的 / 谢谢 / 没有了) does: the customer added information (补充说明情况),
// and the standard wants the agent to repeat the proposal or calm the
// customer before the closing.
// It is answered when an agent message came between it and the closing —
// except one that only holds closing or "not_answer" phrases (a rating
// invitation, the further-help question) — or when the closing message
// itself says more than its closing and not_answer phrases (at least
// `min_answer_chars` other characters).
#include <algorithm>

#include "checks/phrase_common.hpp"

namespace chatqa::detail {
namespace {

const std::vector<std::string> kQuestionWords = {
    "怎么",   "什么",    "为什么",    "为啥",   "多少",   "多久",   "哪里",     "哪儿",       "哪个",
    "哪些",   "几天",    "几号",      "几点",   "如何",   "能不能", "可不可以", "可以不可以", "是不是",
    "有没有", "会不会",  "要不要",    "行不行", "how",    "what",   "why",      "when",       "where",
    "which",  "can you", "could you", "is it",  "do you", "does it"};
const std::vector<std::string> kQuestionRegex = {"\\?", "[吗呢么嘛][\\s\\p{P}\\p{S}]*$"};
const std::vector<std::string> kQuestionAllow = {"没什么", "没有什么", "什么都不", "什么也不",
                                                 "不怎么", "没多少",   "没多久",   "what a"};

class RushedCloseCheck final : public ResumableCheck<RushedCloseCheck> {
 public:
  RoleMask roles = RoleMask::of(Role::agent);
  RoleMask customer = RoleMask::of(Role::customer);
  std::optional<std::uint32_t> closing, urge, not_answer, complaint, acknowledgements, closers, answers_information, suggestion;
  std::uint32_t question = 0, question_allow = 0;
  long min_info_chars = 4;
  std::vector<std::string> closing_events = {"closed"};
  long min_answer_chars = 8;

  bool is_question(EvalContext& ctx, std::size_t i) const {
    std::vector<text::Hit> hits;
    visible_hits(ctx, i, question, question_allow, hits);
    return !hits.empty();
  }

  long other_chars(EvalContext& ctx, std::size_t i) const { return chars_outside(ctx, i, {closing, not_answer}); }

  // An agent message that answers: not one made only of closing / not_answer phrases.
  bool answers(EvalContext& ctx, std::size_t i) const {
    if (!not_answer && !closing) return true;
    bool formula = false;
    for (const auto& g : {closing, not_answer}) {
      if (!g) continue;
      auto [b, e] = ctx.hits(i, *g);
      formula = formula || b != e;
    }
    return !formula || other_chars(ctx, i) >= min_answer_chars;
  }

  // Why the customer's message i needs an answer: "question", "complaint",
  // "new information", or nullptr when it does not.
  const char* needs_answer(EvalContext& ctx, std::size_t i) const {
    // A suggestion phrased as a question (能不能加个夜间模式?) is information:
    // thanking for it answers it.
    const bool suggests = suggestion && first_hit(ctx, i, *suggestion);
    if (!suggests && is_question(ctx, i)) return "question";
    if (complaint && first_hit(ctx, i, *complaint)) return "complaint";
    if (acknowledgements && !(closers && first_hit(ctx, i, *closers)) &&
        chars_outside(ctx, i, {acknowledgements}) >= min_info_chars) {
      return "new information";
    }
    return nullptr;
  }

  // The pass over the messages (kept between evaluations by live scoring):
  // a message's findings depend on it and the messages before it only.
  struct State : LiveState {
    std::vector<bool> question_reported;
    long last_customer = -1;
    bool agent_since = false;  // an agent message after the customer's last message
  };

  // Live (ResumableCheck): the pass goes on from the new messages; the
  // findings handed back are kept as they are.
  void evaluate_live(EvalContext& ctx, LiveState& state, CheckOutcome& out) const override {
    out.kept = out.findings.size();
    run(ctx, static_cast<State&>(state), out);
  }

  // Long function: one pass over messages [s.seen, end) with the customer's last message and
  // whether an agent answered it; urges and closings are judged as they come.
  void run(EvalContext& ctx, State& s, CheckOutcome& out) const {
    std::vector<bool>& question_reported = s.question_reported;
    question_reported.resize(ctx.size(), false);
    long& last_customer = s.last_customer;
    bool& agent_since = s.agent_since;
    const std::size_t from = s.seen;
    s.seen = ctx.size();
    for (std::size_t i = from; i < ctx.size(); ++i) {
      const Message& m = ctx.message(i);
      if (customer.has(m.role)) {
        last_customer = static_cast<long>(i);
        agent_since = false;
        continue;
      }
      if (m.role == Role::system && m.event.empty() && m.text.empty()) continue;
      bool closes = false;
      if (roles.has(m.role) && closing) {
        auto [b, e] = ctx.hits(i, *closing);
        closes = b != e;
      }
      const bool closed_event =
          !m.event.empty() && std::find(closing_events.begin(), closing_events.end(), m.event) != closing_events.end();
      if (roles.has(m.role) && urge) {
        std::vector<text::Hit> hits;
        visible_hits(ctx, i, *urge, std::nullopt, hits);
        for (const text::Hit& h : hits) {
          Finding f = ctx.finding();
          ctx.locate(i, h.begin, h.end, f.at);
          f.matched = ctx.rules().matcher.pattern(h.pattern).text;
          f.explanation = "urges the customer to leave: " + describe_pattern(ctx.rules(), h.pattern);
          out.findings.push_back(std::move(f));
        }
      }
      if ((closes || closed_event) && last_customer >= 0 &&
          !question_reported[static_cast<std::size_t>(last_customer)]) {
        const auto q = static_cast<std::size_t>(last_customer);
        const bool answered = agent_since || (closes && other_chars(ctx, i) >= min_answer_chars);
        const char* why = answered ? nullptr : needs_answer(ctx, q);
        // A closing that acknowledges what the customer told (感谢您的反馈)
        // answers new information, though not a question or a complaint.
        if (why && closes && answers_information && std::string_view(why) == "new information" &&
            first_hit(ctx, i, *answers_information)) {
          why = nullptr;
        }
        if (why) {
          question_reported[q] = true;
          Finding f = ctx.finding();
          ctx.locate(q, ctx.related(f));
          f.related->quote = short_quote(ctx, q);
          if (closes) {
            auto [b, e] = ctx.hits(i, *closing);
            ctx.locate(i, b->begin, b->end, f.at);
            f.matched = ctx.rules().matcher.pattern(b->pattern).text;
            f.explanation = "closed with " + describe_pattern(ctx.rules(), b->pattern) +
                            " while the customer's " + why + " was unanswered: 「" + f.related->quote + "」 (#" +
                            std::to_string(q) + ")";
          } else {
            ctx.locate(i, f.at);
            f.explanation = "session closed (event " + m.event + ") while the customer's " + why +
                            " was unanswered: 「" + f.related->quote + "」 (#" + std::to_string(q) + ")";
          }
          out.findings.push_back(std::move(f));
        }
      }
      if (roles.has(m.role) && answers(ctx, i)) agent_since = true;
    }
  }
};

std::unique_ptr<Check> make(CompileContext& ctx, const json& j, const std::string& ptr) {
  Params p(ctx, j, ptr,
           {"type", "role", "closing", "closing_regex", "closing_events", "urge", "urge_regex", "question",
            "question_regex", "question_allow", "min_answer_chars", "not_answer", "not_answer_regex", "complaint",
            "acknowledgements", "closers", "answers_information", "suggestion", "min_info_chars", "normalize"});
  auto check = std::make_unique<RushedCloseCheck>();
  check->roles = p.roles("role", RoleMask::of(Role::agent));
  const text::MatchSettings settings = p.match_settings("normalize", 3);
  auto closing = p.strings("closing");
  auto closing_regex = p.strings("closing_regex");
  if (!closing.empty() || !closing_regex.empty()) {
    check->closing = ctx.new_group(check->roles, settings);
    ctx.add_phrases(*check->closing, closing);
    ctx.add_regexes(*check->closing, closing_regex);
  }
  if (p.has("closing_events")) {
    check->closing_events.clear();
    for (auto& [event, ptr_] : p.strings("closing_events")) check->closing_events.push_back(event);
  }
  if (!check->closing && check->closing_events.empty()) {
    ctx.error("E0103", ptr, "needs \"closing\" phrases or \"closing_events\"");
  }
  auto urge = p.strings("urge");
  auto urge_regex = p.strings("urge_regex");
  if (!urge.empty() || !urge_regex.empty()) {
    check->urge = ctx.new_group(check->roles, settings);
    ctx.add_phrases(*check->urge, urge);
    ctx.add_regexes(*check->urge, urge_regex);
  }
  auto not_answer = p.strings("not_answer");
  auto not_answer_regex = p.strings("not_answer_regex");
  if (!not_answer.empty() || !not_answer_regex.empty()) {
    check->not_answer = ctx.new_group(check->roles, settings);
    ctx.add_phrases(*check->not_answer, not_answer);
    ctx.add_regexes(*check->not_answer, not_answer_regex);
  }
  auto complaint = p.strings("complaint");
  if (!complaint.empty()) {
    check->complaint = ctx.new_group(check->customer, settings);
    ctx.add_phrases(*check->complaint, complaint);
  }
  auto acks = p.strings("acknowledgements");
  if (!acks.empty()) {
    check->acknowledgements = ctx.new_group(check->customer, settings);
    ctx.add_phrases(*check->acknowledgements, acks);
  }
  auto answers_information = p.strings("answers_information");
  if (!answers_information.empty()) {
    check->answers_information = ctx.new_group(check->roles, settings);
    ctx.add_phrases(*check->answers_information, answers_information);
  }
  auto suggestion = p.strings("suggestion");
  if (!suggestion.empty()) {
    check->suggestion = ctx.new_group(check->customer, settings);
    ctx.add_phrases(*check->suggestion, suggestion);
  }
  auto closers = p.strings("closers");
  if (!closers.empty()) {
    check->closers = ctx.new_group(check->customer, settings);
    ctx.add_phrases(*check->closers, closers);
  }
  check->min_info_chars = p.integer("min_info_chars", false, 1, 10000).value_or(4);
  // Question detection on customer messages.
  auto defaults = [&](const std::string& key, const std::vector<std::string>& fallback) {
    auto given = p.strings(key);
    if (p.has(key)) return given;
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& s : fallback) out.emplace_back(s, p.pointer());
    return out;
  };
  text::MatchSettings question_settings = settings;
  question_settings.max_skip = 0;
  check->question = ctx.new_group(check->customer, question_settings);
  ctx.add_phrases(check->question, defaults("question", kQuestionWords));
  ctx.add_regexes(check->question, defaults("question_regex", kQuestionRegex));
  check->question_allow = ctx.new_group(check->customer, question_settings);
  ctx.add_phrases(check->question_allow, defaults("question_allow", kQuestionAllow));
  check->min_answer_chars = p.integer("min_answer_chars", false, 0, 10000).value_or(8);
  return check;
}

}  // namespace

std::unique_ptr<Check> make_rushed_close_check(CompileContext& ctx, const json& j, const std::string& ptr) {
  return make(ctx, j, ptr);
}

}  // namespace chatqa::detail
