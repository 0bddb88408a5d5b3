// Summaries of scoring runs: per agent, per team and per item, mergeable.
//
// A Summary holds only counts and exact histograms (scores are kept in
// hundredths of a point, as reports round them), so merging the summaries of
// shards gives exactly the summary of the whole, byte for byte, in any order:
// means, minima and percentiles are derived from the histograms when the
// summary is written, never stored as state.
//
// Thread safety: a Summary is a plain value; use one per thread or lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chatqa/report.hpp"

namespace chatqa::cli {

// What a summary needs from one report (built from a Report or its JSON).
struct SessionDigest {
  struct Item {
    std::string id, title, category;
    std::string status;  // failed | bonus | manual_review | not_applicable | pending
    std::int64_t deducted_centi = 0;
    std::int64_t awarded_centi = 0;
  };
  std::string session, agent, team;
  std::string rule_set;  // "name@version"
  std::int64_t score_centi = 0;
  bool fatal = false;
  std::size_t messages = 0;
  int hour = -1;            // local hour of the first message, -1 if unknown
  std::vector<Item> items;  // items that did not pass
};

SessionDigest digest_of(const Report& report);
// From a report as JSON text; nullopt (and `why`) if the text is not a report.
std::optional<SessionDigest> digest_from_report_json(const std::string& json_text, std::string& why);

// Points as hundredths (the resolution of reports).
std::int64_t to_centi(double points);
// Local hour (0-23) of an ISO 8601 time as written, -1 if none.
int hour_of(const std::string& iso);

struct ItemTally {
  std::string title, category;
  std::uint64_t failed = 0;  // sessions that lost points on the item
  std::int64_t deducted_centi = 0;
  std::uint64_t bonus = 0;
  std::int64_t awarded_centi = 0;
  std::uint64_t manual_review = 0, not_applicable = 0, pending = 0;
  void merge(const ItemTally& other);
};

struct GroupStats {
  std::uint64_t sessions = 0;
  std::uint64_t fatal = 0;
  std::map<std::int64_t, std::uint64_t> histogram;  // score (centi) -> sessions
  std::map<std::string, ItemTally> items;

  void add(const SessionDigest& d);
  void merge(const GroupStats& other);
  // Nearest-rank percentile (p in 0..100) of the score, in centi; 0 if empty.
  std::int64_t percentile_centi(double p) const;
  std::int64_t sum_centi() const;
};

struct WorstSession {
  std::int64_t score_centi = 0;
  bool fatal = false;
  std::string session, agent, team;
  // Lowest score first; ties by session id, agent, team: a total order, so
  // the top K of a merge does not depend on the order of the shards.
  bool operator<(const WorstSession& o) const;
};

class Summary {
 public:
  explicit Summary(std::size_t worst_k = 20) : worst_k_(worst_k) {}

  void add(const SessionDigest& digest);
  void add_error(const std::string& code);
  void merge(const Summary& other);

  std::uint64_t records() const { return sessions() + errors_; }
  std::uint64_t sessions() const { return overall_.sessions; }
  std::uint64_t errors() const { return errors_; }
  const std::map<std::string, GroupStats>& agents() const { return agents_; }
  const GroupStats& overall() const { return overall_; }

  // The summary as JSON (deterministic; ends without a newline).
  std::string to_json() const;
  // Readable tables for people.
  std::string to_text() const;
  // Reads a summary written by to_json(); nullopt (and `why`) if it is not one.
  static std::optional<Summary> from_json(const std::string& text, std::string& why);
  // True if the JSON text (its first bytes suffice) is a summary, not reports.
  static bool looks_like_summary(const std::string& head);

 private:
  std::size_t worst_k_;
  std::set<std::string> rule_sets_;
  GroupStats overall_;
  std::map<std::string, GroupStats> agents_, teams_;
  std::array<std::uint64_t, 24> hours_{};
  std::uint64_t errors_ = 0;
  std::map<std::string, std::uint64_t> error_codes_;
  std::vector<WorstSession> worst_;  // sorted, at most worst_k_
};

}  // namespace chatqa::cli
