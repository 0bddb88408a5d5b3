// LiveSession: a chat scored while it runs. The evaluation buffers (each
// message's normalised text, phrase hits and formatted time) live as long as
// the session, so adding a message builds only that message's; the checks run
// over what is kept.
#include "chatqa/live.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "eval/eval_context.hpp"
#include "report/format.hpp"

namespace chatqa {

struct LiveSession::Impl {
  std::shared_ptr<const RuleSet> rules;
  LiveOptions options;
  Session session;
  detail::EvalBuffers buffers;
  // The first `built` messages of `session` are built in `buffers`.
  std::size_t built = 0;
  std::size_t added = 0;  // messages added so far (their input_index)
  Report report;
  std::vector<detail::Deadline> deadlines;
  bool closed = false;

  void evaluate(bool close) {
    EvalOptions eval;
    eval.session_closed = close;
    buffers.live = true;  // the checks keep their states (Check::live_state) from one message to the next
    detail::evaluate_session(*rules, session, eval, buffers, report, built, close ? nullptr : &deadlines);
    if (report.error.empty()) {
      built = session.messages.size();
    } else {  // half-built buffers are not trusted again
      built = 0;
      buffers.release();
      deadlines.clear();
    }
  }

  void insert(Message&& message) {
    message.input_index = added++;
    // After every message of the same or an earlier time: the order a
    // stable sort by time gives the whole session.
    auto at = std::upper_bound(session.messages.begin(), session.messages.end(), message.time.epoch_ms,
                               [](std::int64_t t, const Message& m) { return t < m.time.epoch_ms; });
    const auto index = static_cast<std::size_t>(at - session.messages.begin());
    built = std::min(built, index);
    // The checks' states took the messages after this one into account:
    // they start over (the next evaluation costs one of the whole chat).
    if (index < session.messages.size()) {
      buffers.live_states.clear();
      buffers.live_state_asked.clear();
      buffers.first_messages.clear();
    }
    session.messages.insert(at, std::move(message));
  }
};

LiveSession::LiveSession(std::shared_ptr<const RuleSet> rules, Session header, const LiveOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->rules = std::move(rules);
  impl_->options = options;
  std::vector<Message> messages = std::move(header.messages);
  header.messages.clear();
  impl_->session = std::move(header);
  impl_->session.messages.reserve(messages.size());
  for (Message& m : messages) impl_->insert(std::move(m));
  impl_->evaluate(false);
}

LiveSession::~LiveSession() = default;
LiveSession::LiveSession(LiveSession&&) noexcept = default;
LiveSession& LiveSession::operator=(LiveSession&&) noexcept = default;

const Report& LiveSession::add(Message message) noexcept {
  Impl& s = *impl_;
  if (s.closed) return s.report;
  try {
    s.insert(std::move(message));
  } catch (...) {
    s.report.error = "out of memory adding a message";
    return s.report;
  }
  s.evaluate(false);
  return s.report;
}

const Report& LiveSession::report() const noexcept {
  return impl_->report;
}

const Report& LiveSession::close() noexcept {
  Impl& s = *impl_;
  if (!s.closed) {
    s.closed = true;
    s.deadlines.clear();
    s.evaluate(true);
  }
  return s.report;
}

bool LiveSession::closed() const noexcept {
  return impl_->closed;
}

const Session& LiveSession::session() const noexcept {
  return impl_->session;
}

std::vector<DueWarning> LiveSession::due(std::int64_t now_epoch_ms) const {
  const Impl& s = *impl_;
  std::vector<std::pair<const detail::Deadline*, std::int64_t>> due;
  for (const detail::Deadline& d : s.deadlines) {
    if (d.message >= s.session.messages.size()) continue;
    const std::int64_t start = s.session.messages[d.message].time.epoch_ms;
    const auto deadline = start + static_cast<std::int64_t>(std::llround((d.offset_seconds + d.limit_seconds) * 1000.0));
    const double remaining = static_cast<double>(deadline - now_epoch_ms) / 1000.0;
    if (remaining <= d.limit_seconds * s.options.warn_fraction) due.emplace_back(&d, deadline);
  }
  std::stable_sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return a.first->item < b.first->item;
  });
  std::vector<DueWarning> out;
  out.reserve(due.size());
  const auto& items = s.rules->items();
  for (const auto& [d, deadline] : due) {
    const Message& started = s.session.messages[d->message];
    DueWarning w;
    w.item = d->item < items.size() ? items[d->item].id : std::string();
    w.kind = d->kind;
    w.message = d->message;
    w.since = started.time.to_iso8601();
    w.deadline_epoch_ms = deadline;
    w.deadline = Timestamp{deadline, started.time.utc_offset_minutes}.to_iso8601();
    w.limit_seconds = d->limit_seconds;
    w.remaining_seconds = static_cast<double>(deadline - now_epoch_ms) / 1000.0;
    w.explanation = d->what + " to message #" + std::to_string(d->message) + " due by " + w.deadline + " (limit " +
                    format_points(d->limit_seconds) + " s): " +
                    (w.remaining_seconds >= 0 ? format_points(w.remaining_seconds) + " s left"
                                              : format_points(-w.remaining_seconds) + " s late");
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace chatqa
