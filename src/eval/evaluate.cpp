// Evaluation: (RuleSet, Session) -> Report. Per-call state only.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "eval/engine.hpp"
#include "input/time_format.hpp"

namespace chatqa {

const char* to_string(ItemStatus status) noexcept {
  switch (status) {
    case ItemStatus::passed: return "passed";
    case ItemStatus::failed: return "failed";
    case ItemStatus::manual_review: return "manual_review";
    case ItemStatus::not_applicable: return "not_applicable";
    case ItemStatus::pending: return "pending";
  }
  return "passed";
}

std::string format_points(double value) {
  const double rounded = std::round(value * 100.0) / 100.0;
  // Fast path for the usual values (points, seconds): non-negative and far
  // from the limits of an integer, printed from the whole number of
  // hundredths. Same text as the snprintf path below, which handles the rest.
  if (rounded >= 0 && rounded < 1e12 && !std::signbit(rounded)) {
    const bool whole = std::fabs(rounded - std::round(rounded)) < 1e-9;
    const auto hundredths = static_cast<std::uint64_t>(std::llround(rounded * 100.0));
    std::uint64_t int_part = whole ? static_cast<std::uint64_t>(std::llround(rounded)) : hundredths / 100;
    char buf[32];
    char* end = buf + sizeof buf;
    char* p = end;
    if (!whole) {
      const unsigned frac = static_cast<unsigned>(hundredths % 100);
      if (frac % 10 != 0) *--p = static_cast<char>('0' + frac % 10);
      *--p = static_cast<char>('0' + frac / 10);
      *--p = '.';
    }
    do {
      *--p = static_cast<char>('0' + int_part % 10);
      int_part /= 10;
    } while (int_part != 0);
    return std::string(p, end);
  }
  char buf[64];
  if (std::fabs(rounded - std::round(rounded)) < 1e-9) {
    std::snprintf(buf, sizeof buf, "%.0f", rounded);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", rounded);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    return s;
  }
  return buf;
}

namespace detail {

std::string format_seconds(double seconds) {
  return format_points(seconds) + " s";
}

EvalContext::EvalContext(const RuleSet::Impl& rules, const Session& session, const EvalOptions& options,
                         EvalBuffers& buffers, std::size_t kept)
    : rules_(rules), session_(session), options_(options), buf_(buffers) {
  const std::size_t n = session.messages.size();
  if (kept > n) kept = n;
  // Resized, never shrunk: the NormTexts and strings kept keep their buffers.
  // The state arrays say what is stale, so only they are reset (from `kept`
  // on: a live session's earlier messages stay built).
  for (int v = 0; v < text::kVariants; ++v) {
    if (buf_.norm[v].size() < n) buf_.norm[v].resize(n);
    buf_.norm_state[v].resize(n);
    std::fill(buf_.norm_state[v].begin() + kept, buf_.norm_state[v].end(), kNotBuilt);
  }
  // Kept messages' hits stay where they are in the one array; new ones are
  // appended after them.
  if (kept == 0) buf_.hits.clear();
  buf_.hits_begin.resize(n);
  buf_.hits_end.resize(n);
  std::fill(buf_.hits_begin.begin() + kept, buf_.hits_begin.end(), 0);
  std::fill(buf_.hits_end.begin() + kept, buf_.hits_end.end(), 0);
  buf_.matched.resize(n);
  std::fill(buf_.matched.begin() + kept, buf_.matched.end(), 0);
  buf_.group_words = (rules.groups.size() + 63) / 64;
  buf_.group_bits.resize(n * buf_.group_words);
  std::fill(buf_.group_bits.begin() + kept * buf_.group_words, buf_.group_bits.end(), 0);
  if (buf_.times.size() < n) buf_.times.resize(n);
  for (std::size_t i = kept; i < n; ++i) buf_.times[i].clear();
  if (buf_.skeletons.size() < n) buf_.skeletons.resize(n);
  buf_.skeleton_built.resize(n);
  std::fill(buf_.skeleton_built.begin() + kept, buf_.skeleton_built.end(), 0);
}

const std::u32string& EvalContext::skeleton(std::size_t i) {
  if (buf_.norm_state[0][i] == kBuilt) return buf_.norm[0][i].skeleton;
  std::u32string& s = buf_.skeletons[i];
  if (!buf_.skeleton_built[i]) {
    text::Normalizer::instance().skeleton_of(session_.messages[i].text, s);
    buf_.skeleton_built[i] = 1;
  }
  return s;
}

text::NormText& EvalContext::build_norm(std::size_t i, int variant) {
  text::NormText& slot = buf_.norm[variant][i];
  if (variant == 1) {  // derived from the plain variant (which quotes need anyway)
    const text::NormText& plain = build_norm(i, 0);
    if (!text::Normalizer::instance().folds_traditional(plain)) {
      buf_.norm_state[1][i] = kSameAsPlain;
      return buf_.norm[0][i];
    }
    if (buf_.norm_state[1][i] == kNotBuilt) text::Normalizer::instance().fold_traditional(plain, slot);
  } else if (buf_.norm_state[0][i] == kNotBuilt) {
    text::Normalizer::instance().normalize(session_.messages[i].text, false, slot);
  }
  buf_.norm_state[variant][i] = kBuilt;
  return slot;
}

const text::NormText& EvalContext::norm(std::size_t i, int variant) {
  switch (buf_.norm_state[variant][i]) {
    case kBuilt: return buf_.norm[variant][i];
    case kSameAsPlain: return buf_.norm[0][i];
    default: return build_norm(i, variant);
  }
}

void EvalContext::match_message(std::size_t i) {
  buf_.matched[i] = 1;
  const Role role = session_.messages[i].role;
  const auto begin = static_cast<std::uint32_t>(buf_.hits.size());
  buf_.hits_begin[i] = buf_.hits_end[i] = begin;
  if (!rules_.matched_roles.has(role) || session_.messages[i].text.empty()) return;
  const text::PhraseMatcher& matcher = rules_.matcher;
  // Only the groups of the message's role are matched (set_audience at compile time).
  const text::Audience audience = RoleMask::of(role).bits;
  if (matcher.uses_variant(0) && matcher.uses_variant(1) && (norm(i, 1), buf_.norm_state[1][i] == kSameAsPlain)) {
    // No Traditional characters: both variants are the plain text, whose
    // literals of every variant one scan finds.
    text::NormText& t = buf_.norm[0][i];
    matcher.match_literals_all_variants(t, buf_.hits, audience);
    for (int v = 0; v < text::kVariants; ++v) matcher.match_regexes(t, v, buf_.hits, buf_.regex, audience);
  } else {
    for (int v = 0; v < text::kVariants; ++v) {
      if (!matcher.uses_variant(v)) continue;
      norm(i, v);
      // The regex matcher builds the UTF-8 form on the text it is given.
      text::NormText& t = buf_.norm_state[v][i] == kSameAsPlain ? buf_.norm[0][i] : buf_.norm[v][i];
      matcher.match_literals(t, v, buf_.hits, audience);
      matcher.match_regexes(t, v, buf_.hits, buf_.regex, audience);
    }
  }
  const auto first = buf_.hits.begin() + begin;
  buf_.hits.erase(std::remove_if(first, buf_.hits.end(),
                                 [&](const text::Hit& h) { return !rules_.groups[h.group].roles.has(role); }),
                  buf_.hits.end());
  std::sort(buf_.hits.begin() + begin, buf_.hits.end(), [](const text::Hit& a, const text::Hit& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  });
  buf_.hits_end[i] = static_cast<std::uint32_t>(buf_.hits.size());
  std::uint64_t* bits = buf_.group_bits.data() + i * buf_.group_words;
  for (auto h = buf_.hits.begin() + begin; h != buf_.hits.end(); ++h)
    bits[h->group >> 6] |= std::uint64_t{1} << (h->group & 63);
}

std::pair<const text::Hit*, const text::Hit*> EvalContext::hits(std::size_t i, std::uint32_t group) {
  if (!buf_.matched[i]) match_message(i);
  const text::Hit* all = buf_.hits.data();
  const text::Hit* first = all + buf_.hits_begin[i];
  const text::Hit* last = all + buf_.hits_end[i];
  if (!(buf_.group_bits[i * buf_.group_words + (group >> 6)] >> (group & 63) & 1)) return {last, last};
  auto lo = std::lower_bound(first, last, group, [](const text::Hit& h, std::uint32_t g) { return h.group < g; });
  auto hi = std::upper_bound(lo, last, group, [](std::uint32_t g, const text::Hit& h) { return g < h.group; });
  return {lo, hi};
}

const std::string& EvalContext::time_of(std::size_t i) {
  std::string& t = buf_.times[i];
  if (t.empty()) assign_iso8601(session_.messages[i].time, t);  // into memory kept from earlier sessions
  return t;
}

void EvalContext::locate(std::size_t i, Location& loc) {
  loc.message = static_cast<long>(i);
  loc.time = time_of(i);
  loc.role = session_.messages[i].role;
  loc.quote.clear();
  loc.span_begin = loc.span_end = 0;
  loc.has_span = false;
}

void EvalContext::locate(std::size_t i, std::uint32_t begin, std::uint32_t end, Location& loc) {
  locate(i, loc);
  loc.quote.assign(quoted(i, begin, end));
  loc.span_begin = begin;
  loc.span_end = end;
  loc.has_span = true;
}

std::string_view EvalContext::quoted(std::size_t i, std::uint32_t begin, std::uint32_t end) {
  const text::NormText& t = norm(i, 0);
  if (begin > t.orig_length) begin = t.orig_length;
  if (end > t.orig_length) end = t.orig_length;
  if (end < begin) end = begin;
  return std::string_view(session_.messages[i].text)
      .substr(t.orig_bytes[begin], t.orig_bytes[end] - t.orig_bytes[begin]);
}

namespace {

// Findings (and related locations) kept for reuse: enough for a busy
// session; a finding holding a long string (a quote of a huge message) is
// not kept.
constexpr std::size_t kSpareFindings = 256;
constexpr std::size_t kSpareStringBytes = 1024;

std::size_t string_bytes(const Location& loc) {
  return loc.time.capacity() + loc.quote.capacity();
}

void clear_location(Location& loc) {
  loc.message = -1;
  loc.time.clear();
  loc.role.reset();
  loc.quote.clear();
  loc.span_begin = loc.span_end = 0;
  loc.has_span = false;
}

}  // namespace

void EvalContext::recycle(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    if (buf_.spare_findings.size() >= kSpareFindings) break;
    const std::size_t bytes = string_bytes(f.at) + (f.related ? string_bytes(*f.related) : 0) +
                              f.explanation.capacity() + f.suggestion.capacity() + f.matched.capacity();
    if (bytes <= kSpareStringBytes) buf_.spare_findings.push_back(std::move(f));
  }
  findings.clear();
}

Finding EvalContext::finding() {
  if (buf_.spare_findings.empty()) return Finding();
  Finding f = std::move(buf_.spare_findings.back());
  buf_.spare_findings.pop_back();
  if (f.related) {
    if (buf_.spare_locations.size() < kSpareFindings) buf_.spare_locations.push_back(std::move(*f.related));
    f.related.reset();
  }
  clear_location(f.at);
  f.explanation.clear();
  f.suggestion.clear();
  f.matched.clear();
  f.value = 0;
  f.has_value = false;
  return f;
}

Location& EvalContext::related(Finding& f) {
  if (f.related) return *f.related;
  if (buf_.spare_locations.empty()) return f.related.emplace();
  f.related.emplace(std::move(buf_.spare_locations.back()));
  buf_.spare_locations.pop_back();
  clear_location(*f.related);
  return *f.related;
}

namespace {

double cost_of(const CompiledItem& item, std::size_t hits) {
  if (hits == 0) return 0;
  if (item.per_hit.empty()) return item.info.points;
  double cost = 0;
  for (std::size_t h = 0; h < hits; ++h) cost += item.per_hit[std::min(h, item.per_hit.size() - 1)];
  return std::min(cost, item.info.points);
}

void sort_findings(std::vector<Finding>& findings) {
  const auto before = [](const Finding& a, const Finding& b) {
    if (a.at.message != b.at.message) return a.at.message < b.at.message;
    return a.at.span_begin < b.at.span_begin;
  };
  // Most checks report in message order already; stable_sort would still
  // allocate its buffer and move every finding.
  if (std::is_sorted(findings.begin(), findings.end(), before)) return;
  std::stable_sort(findings.begin(), findings.end(), before);
}

void evaluate_into(const RuleSet::Impl& rules, const Session& session, const EvalOptions& options, EvalBuffers& buffers,
                   Report& report, std::size_t kept, std::vector<Deadline>* deadlines) {
  EvalContext ctx(rules, session, options, buffers, kept);
  // The caller's report may hold an earlier session's items: assigning into
  // them (rather than building new ones) keeps their strings' and finding
  // arrays' memory, and its findings go back to the context, whose
  // finding() reuses theirs.
  for (ItemResult& r : report.items) {
    if (r.findings.capacity() > 256) {
      std::vector<Finding>().swap(r.findings);  // an outlier's findings are not kept
    } else {
      ctx.recycle(r.findings);
    }
  }
  report.items.resize(rules.items.size());
  for (std::size_t index = 0; index < rules.items.size(); ++index) {
    const CompiledItem& item = rules.items[index];
    ItemResult& r = report.items[index];
    r.id = item.info.id;
    r.title = item.info.title;
    r.category = item.info.category;
    r.severity = item.info.severity;
    r.bonus = item.info.bonus;
    r.status = ItemStatus::passed;
    r.points = item.info.points;
    r.deducted = 0;
    r.awarded = 0;
    r.hits = 0;
    r.also_of.clear();
    if (!item.check) {
      r.status = ItemStatus::manual_review;
      continue;
    }
    if (item.when) {
      CheckOutcome condition;
      item.when->evaluate(ctx, condition);
      if (!condition.applicable || condition.findings.empty()) {
        r.status = ItemStatus::not_applicable;
        continue;
      }
    }
    CheckOutcome outcome;
    outcome.findings.swap(r.findings);  // the cleared array of the last session: its capacity is reused
    ctx.set_item(index);
    ctx.collect_deadlines(deadlines);
    item.check->evaluate(ctx, outcome);
    ctx.collect_deadlines(nullptr);
    if (outcome.pending) {
      r.status = ItemStatus::pending;
    } else if (!outcome.applicable) {
      r.status = ItemStatus::not_applicable;
    } else if (outcome.findings.empty()) {
      r.status = ItemStatus::passed;
    } else {
      r.status = ItemStatus::failed;
      r.hits = outcome.findings.size();
      (item.info.bonus ? r.awarded : r.deducted) = cost_of(item, r.hits);
      sort_findings(outcome.findings);
    }
    if (r.status != ItemStatus::failed) outcome.findings.clear();  // pending / not applicable: none reported
    r.findings.swap(outcome.findings);
  }
  // Linked items (两项并扣): a failed item also takes the full points of the items it names.
  // Only items that failed on their own do: links do not chain, so the result
  // does not depend on the order of the items.
  for (std::size_t i = 0; i < rules.items.size(); ++i) {
    if (report.items[i].status != ItemStatus::failed || report.items[i].bonus || !report.items[i].also_of.empty())
      continue;
    for (std::size_t j : rules.items[i].also) {
      ItemResult& linked = report.items[j];
      if (linked.status == ItemStatus::failed || linked.bonus || !rules.items[j].check) continue;
      linked.status = ItemStatus::failed;
      linked.deducted = linked.points;
      linked.also_of = report.items[i].id;
      Finding f = ctx.finding();
      set_text(f.explanation, "deducted together with item ", report.items[i].id);
      linked.findings.push_back(std::move(f));
    }
  }
  double deducted = 0, awarded = 0, not_applicable_points = 0;
  bool fatal = false;
  for (const ItemResult& r : report.items) {
    if (r.status == ItemStatus::failed && r.severity == ItemSeverity::fatal && !r.bonus) fatal = true;
    deducted += r.deducted;
    awarded += r.awarded;
    if (r.status == ItemStatus::not_applicable && !r.bonus && r.severity == ItemSeverity::minor) {
      not_applicable_points += r.points;
    }
  }
  double score = rules.total - deducted;
  if (rules.renormalize_not_applicable && not_applicable_points > 0) {
    const double applicable = rules.total - not_applicable_points;
    score = applicable > 0 ? (applicable - deducted) / applicable * rules.total : rules.total;
  }
  score += awarded;
  score = std::clamp(score, 0.0, rules.total);
  report.fatal = fatal;
  if (fatal) score = 0;
  report.score = std::round(score * 100.0) / 100.0;
}

}  // namespace

// Writes every field of `report` (which may hold an earlier session's).
void evaluate_session(const RuleSet& rules, const Session& session, const EvalOptions& options, EvalBuffers& buffers,
                      Report& report, std::size_t kept, std::vector<Deadline>* deadlines) noexcept {
  try {
    const RuleSet::Impl& impl = rules.impl();
    report.session_id = session.id;
    report.agent = session.agent;
    report.team = session.team;
    report.rule_set_name = impl.name;
    report.rule_set_version = impl.version;
    report.total = impl.total;
    report.score = 0;
    report.fatal = false;
    report.message_count = session.messages.size();
    report.started.clear();
    report.error.clear();
    if (!session.messages.empty()) {
      const Timestamp& first =
          std::min_element(session.messages.begin(), session.messages.end(), [](const Message& a, const Message& b) {
            return a.time.epoch_ms < b.time.epoch_ms;
          })->time;
      assign_iso8601(first, report.started);
    }
    const bool ordered =
        std::is_sorted(session.messages.begin(), session.messages.end(),
                       [](const Message& a, const Message& b) { return a.time.epoch_ms < b.time.epoch_ms; });
    if (deadlines) deadlines->clear();
    if (ordered) {
      evaluate_into(impl, session, options, buffers, report, kept, deadlines);
    } else {  // built by hand, out of order: evaluate an ordered copy
      Session sorted = session;
      sorted.sort_messages();
      evaluate_into(impl, sorted, options, buffers, report, 0, deadlines);
    }
  } catch (const std::exception& e) {
    report.items.clear();
    report.error = std::string("evaluation failed: ") + e.what();
  } catch (...) {
    report.items.clear();
    report.error = "evaluation failed";
  }
}

}  // namespace detail

namespace {

void evaluate_with(const RuleSet& rules, const Session& session, const EvalOptions& options,
                   detail::EvalBuffers& buffers, Report& report) noexcept {
  detail::evaluate_session(rules, session, options, buffers, report);
}

}  // namespace

Report evaluate(const RuleSet& rules, const Session& session, const EvalOptions& options) noexcept {
  detail::EvalBuffers buffers;
  Report report;
  evaluate_with(rules, session, options, buffers, report);
  return report;
}

EvalScratch::EvalScratch() : impl_(std::make_unique<Impl>()) {}
EvalScratch::~EvalScratch() = default;
EvalScratch::EvalScratch(EvalScratch&&) noexcept = default;
EvalScratch& EvalScratch::operator=(EvalScratch&&) noexcept = default;

void evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch, Report& report,
              const EvalOptions& options) noexcept {
  if (!scratch.impl_) {  // moved from: give it working memory again
    try {
      scratch.impl_ = std::make_unique<EvalScratch::Impl>();
    } catch (...) {
      detail::EvalBuffers buffers;
      evaluate_with(rules, session, options, buffers, report);
      return;
    }
  }
  detail::EvalBuffers& buffers = scratch.impl_->buffers;
  evaluate_with(rules, session, options, buffers, report);
  // Text bytes, plus what a message's (mostly empty) entries cost.
  std::size_t bytes = session.messages.size() * sizeof(text::NormText) * text::kVariants;
  for (const Message& m : session.messages) bytes += m.text.size();
  // An outlier session (or a failed evaluation, whose buffers may be half
  // built) does not leave its memory behind.
  if (bytes > EvalScratch::kKeepBytes || !report.error.empty()) buffers.release();
}

Report evaluate(const RuleSet& rules, const Session& session, EvalScratch& scratch,
                const EvalOptions& options) noexcept {
  Report report;
  evaluate(rules, session, scratch, report, options);
  return report;
}

}  // namespace chatqa
