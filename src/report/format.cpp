// Numbers and counts as people read them.
#include "report/format.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "chatqa/report.hpp"

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

std::string counted(std::size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace detail
}  // namespace chatqa
