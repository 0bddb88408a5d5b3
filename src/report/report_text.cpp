// Report -> a short text form for people.
#include <sstream>

#include "chatqa/report.hpp"

namespace chatqa {

std::string to_text(const Report& report, const Session* session) {
  std::ostringstream out;
  out << "session " << report.session_id;
  if (!report.agent.empty()) out << "  agent " << report.agent;
  out << "  [" << report.rule_set_name << " " << report.rule_set_version << "]\n";
  out << "score " << format_points(report.score) << " / " << format_points(report.total);
  if (report.fatal) out << "  FATAL";
  out << "\n";
  if (!report.error.empty()) out << "  error: " << report.error << "\n";
  std::string manual, not_applicable, pending;
  for (const ItemResult& r : report.items) {
    std::string* list = r.status == ItemStatus::manual_review    ? &manual
                        : r.status == ItemStatus::not_applicable ? &not_applicable
                        : r.status == ItemStatus::pending        ? &pending
                                                                 : nullptr;
    if (list) *list += (list->empty() ? "" : ", ") + r.id;
    if (r.status != ItemStatus::failed) continue;
    out << "  " << (r.bonus ? "+" + format_points(r.awarded) : "-" + format_points(r.deducted));
    out << "  " << r.id;
    if (r.title != r.id) out << "  " << r.title;
    if (r.severity == ItemSeverity::fatal && r.status == ItemStatus::failed) out << "  (fatal)";
    out << "\n";
    for (const Finding& f : r.findings) {
      out << "      ";
      if (f.at.message) out << "#" << *f.at.message << " " << f.at.time << " ";
      if (f.at.span) out << "\u300C" << f.at.quote << "\u300D ";
      out << f.explanation << "\n";
      if (session && f.at.message && *f.at.message < session->messages.size() && !f.at.span &&
          !session->messages[*f.at.message].text.empty()) {
        out << "        " << to_string(session->messages[*f.at.message].role) << ": "
            << mask_pii(session->messages[*f.at.message].text) << "\n";
      }
    }
  }
  if (!pending.empty()) out << "  pending (session still open): " << pending << "\n";
  if (!manual.empty()) out << "  manual review: " << manual << "\n";
  if (!not_applicable.empty()) out << "  not applicable: " << not_applicable << "\n";
  return out.str();
}

}  // namespace chatqa
