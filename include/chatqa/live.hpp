// chatqa — scoring a chat while it runs.
//
//   chatqa::Session header;                  // id, agent, team, meta
//   header.id = "S-0001";
//   chatqa::LiveSession live(rules, header);
//   for (each message as it arrives) {
//     const chatqa::Report& so_far = live.add(message);   // end-of-chat items "pending"
//     for (const chatqa::DueWarning& w : live.due(now_epoch_ms)) alert(w);
//   }
//   const chatqa::Report& final_report = live.close();   // == evaluate(*rules, whole session)
//
// The normalised text, phrase hits and formatted time of every earlier
// message are kept, so add() normalises and matches only the new message;
// most checks also keep what they concluded over the earlier messages and
// look at the new one only (docs/performance.md, "Live scoring"). A message
// older than the last one is put in its place by time (as parse_session
// orders them); the messages after it are re-normalised and the checks start
// over (that add() costs about one evaluate() of the chat).
//
// Thread safety: a LiveSession is used by one thread at a time. Any number of
// LiveSessions (and evaluate() calls) may share one RuleSet.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chatqa/export.hpp"
#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {

// A deadline of the running chat: what will be broken if nothing happens.
struct DueWarning {
  std::string item;      // id of the rule-set item that will fail
  std::string kind;      // "reply": the customer waits for a reply (response_time);
                         // "follow_up": an expected response (sequence), e.g. the return after a hold;
                         // "silence": the customer's wait (silence's max_gap_seconds);
                         // "silence_total": the waits in total (max_total_seconds), the open one included
  std::size_t message = 0;  // index of the message that started the clock
  std::string since;     // its time (ISO 8601)
  std::string deadline;  // when the item fails (ISO 8601, in the offset of `since`)
  std::int64_t deadline_epoch_ms = 0;
  double limit_seconds = 0;
  double remaining_seconds = 0;  // at `now`; negative: already missed
  std::string explanation;       // one line a person can read
};

struct LiveOptions {
  // due(now) lists a deadline once no more than this fraction of its limit
  // is left: 1/6 warns at 25 s of a 30 s reply limit and with 20 s left of a
  // 2-minute hold. 1 lists every running clock.
  double warn_fraction = 1.0 / 6.0;
};

class LiveSession {
 public:
  // `header` gives id, agent, team and meta; its messages, if any, are added
  // as by add(). The session keeps its own reference to `rules`.
  LiveSession(std::shared_ptr<const RuleSet> rules, Session header, const LiveOptions& options = {});
  ~LiveSession();
  LiveSession(LiveSession&&) noexcept;
  LiveSession& operator=(LiveSession&&) noexcept;
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // Adds a message and returns the report so far, in which items that can
  // only be decided when the chat ends are `pending`. The reference stays
  // valid until the next call that changes the session. After close(), the
  // message is ignored and the final report returned. Never throws: a
  // failure shows as Report::error.
  const Report& add(Message message) noexcept;
  // The report so far (as the last add() returned it).
  const Report& report() const noexcept;
  // The deadlines of the chat due by `now_epoch_ms` (see LiveOptions) or
  // already missed, earliest first. Empty after close().
  std::vector<DueWarning> due(std::int64_t now_epoch_ms) const;
  // Ends the chat: the final report, equal to evaluate() on the whole
  // session. Closing again returns it again.
  const Report& close() noexcept;

  bool closed() const noexcept;
  // The session so far: header and messages, ordered by time.
  const Session& session() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatqa
CHATQA_PUBLIC_END
