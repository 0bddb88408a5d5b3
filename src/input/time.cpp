// Time parsing and formatting for the session format (ISO 8601 with offset,
// "YYYY-MM-DD HH:MM:SS" in a default zone, epoch seconds / milliseconds).
#include <algorithm>
#include <cmath>
#include <cctype>
#include <cstdio>

#include "chatqa/session.hpp"
#include "input/time_format.hpp"

namespace chatqa {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > s.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

// An optional fraction of a second at pos (".250" or ",250"): adds its
// milliseconds to `millis` and moves pos past it; false for a separator
// with no digits after it.
bool read_fraction(std::string_view s, std::size_t& pos, int& millis) {
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return true;
  ++pos;
  int scale = 100;
  const std::size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    millis += (s[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos != start;
}

unsigned days_in_month(int y, int m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

}  // namespace

Timestamp time_from_epoch_number(double value, int default_offset) {
  Timestamp t;
  const double ms = std::fabs(value) >= 1e11 ? value : value * 1000.0;
  t.epoch_ms = static_cast<std::int64_t>(std::llround(ms));
  t.utc_offset_minutes = default_offset;
  return t;
}

namespace detail {
std::optional<Timestamp> compose_time(int year, int month, int day, int hour, int minute, int second, int millis,
                                      int offset) {
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t local_seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  Timestamp t;
  t.epoch_ms = (local_seconds - static_cast<std::int64_t>(offset) * 60) * 1000 + millis;
  t.utc_offset_minutes = offset;
  return t;
}
}  // namespace detail

namespace {
// `zoned` (if given) is set when the text names its zone or is an instant
// (epoch digits); `epoch` when it is epoch digits.
std::optional<Timestamp> parse_time_strict(std::string_view s, int default_offset, bool* zoned = nullptr,
                                           bool* epoch = nullptr);
std::optional<Timestamp> parse_time_relaxed(std::string_view s, int default_offset, bool* zoned = nullptr);
}  // namespace

std::optional<Timestamp> parse_time(std::string_view s, int default_offset) {
  if (auto t = parse_time_strict(s, default_offset)) return t;
  return parse_time_relaxed(s, default_offset);
}

std::optional<Timestamp> parse_time(std::string_view s, const SessionOptions& options) {
  for (const std::string& format : options.time_formats) {
    if (auto t = detail::parse_time_format(s, format, options)) return t;
  }
  if (options.time_zone.empty()) return parse_time(s, options.default_utc_offset_minutes);
  bool zoned = false, epoch = false;
  auto t = parse_time_strict(s, 0, &zoned, &epoch);
  if (!t) t = parse_time_relaxed(s, 0, &zoned);
  if (!t) return t;
  if (epoch) {
    t->utc_offset_minutes = detail::zone_offset_at_utc(options.time_zone, t->epoch_ms, options.default_utc_offset_minutes);
    return t;
  }
  if (zoned) return t;
  return detail::from_local(t->epoch_ms, options.time_zone);  // read with offset 0: the local wall time
}

namespace {
std::optional<Timestamp> parse_time_strict(std::string_view s, int default_offset, bool* zoned, bool* epoch_digits) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : s) all_digits = all_digits && c >= '0' && c <= '9';
  if (all_digits) {
    if (s.size() > 15) return std::nullopt;
    const double epoch = std::stod(std::string(s));
    if (epoch > 253402300799999.0) return std::nullopt;  // after 9999-12-31 even as milliseconds
    if (zoned) *zoned = true;
    if (epoch_digits) *epoch_digits = true;
    return time_from_epoch_number(epoch, default_offset);
  }
  int year, month, day, hour, minute, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 16 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
  }
  int millis = 0;
  if (!read_fraction(s, pos, millis)) return std::nullopt;
  int offset = default_offset;
  if (pos < s.size()) {
    if (zoned) *zoned = true;
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      offset = 0;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      int oh, om = 0;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      std::size_t p = pos + 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (p < s.size()) {
        if (!digits(s, p, 2, om)) return std::nullopt;
        p += 2;
      }
      if (p != s.size() || oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  return detail::compose_time(year, month, day, hour, minute, second, millis, offset);
}

// The common unambiguous shapes exports write besides ISO 8601:
//   2024/07/08 14:00:01, 2024-7-8 9:05, 2024.07.08 14:00, 2024年7月8日 14:00:01
//   (year first; then optional ".fff", and a zone: Z, UTC, GMT, +08:00, +0800)
//   Mon, 08 Jul 2024 14:00:01 +0000 and 8 Jul 2024 14:00 GMT (RFC 2822)
// Day-first or month-first numeric dates (07/08/2024) are ambiguous: not read.
// Long function: one left-to-right parse (date, time, fraction, zone) of the formats listed above,
// each step reading where the previous one stopped.
std::optional<Timestamp> parse_time_relaxed(std::string_view s, int default_offset, bool* zoned) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::size_t pos = 0;
  auto number = [&](int max_digits, int& out) {
    const std::size_t start = pos;
    out = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && static_cast<int>(pos - start) < max_digits) {
      out = out * 10 + (s[pos] - '0');
      ++pos;
    }
    return pos > start;
  };
  auto skip_spaces = [&] {
    while (pos < s.size() && s[pos] == ' ') ++pos;
  };
  auto take = [&](std::string_view lit) {
    if (s.substr(pos, lit.size()) == lit) {
      pos += lit.size();
      return true;
    }
    return false;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  auto month_name = [&]() -> int {
    if (pos + 3 > s.size()) return 0;
    char m[3];
    for (int i = 0; i < 3; ++i) m[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[pos + i])));
    for (int i = 0; i < 12; ++i) {
      if (m[0] == kMonths[i][0] && m[1] == kMonths[i][1] && m[2] == kMonths[i][2]) {
        pos += 3;
        while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;  // "July"
        return i + 1;
      }
    }
    return 0;
  };
  if (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) {
    // RFC 2822: an optional day name, then "8 Jul 2024".
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
    if (!take(",")) return std::nullopt;
    skip_spaces();
  }
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    const std::size_t start = pos;
    int first = 0;
    number(4, first);
    if (pos - start == 4) {  // year first
      year = first;
      const bool cjk = take("\xE5\xB9\xB4");  // 年
      char sep = 0;
      if (!cjk) {
        if (pos >= s.size() || (s[pos] != '-' && s[pos] != '/' && s[pos] != '.')) return std::nullopt;
        sep = s[pos++];
      }
      if (!number(2, month)) return std::nullopt;
      if (cjk ? !take("\xE6\x9C\x88") : (pos >= s.size() || s[pos++] != sep)) return std::nullopt;  // 月
      if (!number(2, day)) return std::nullopt;
      if (cjk) {
        if (!take("\xE6\x97\xA5")) take("\xE5\x8F\xB7");  // 日 or 号
      }
    } else if (pos - start <= 2) {  // RFC 2822: day, month name, year
      day = first;
      skip_spaces();
      month = month_name();
      if (month == 0) return std::nullopt;
      skip_spaces();
      const std::size_t ys = pos;
      if (!number(4, year) || pos - ys != 4) return std::nullopt;
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
    ++pos;
  } else {
    const std::size_t before = pos;
    skip_spaces();
    if (pos == before) return std::nullopt;  // a date alone is no message time
  }
  if (!number(2, hour) || !take(":") || !number(2, minute)) return std::nullopt;
  if (take(":") && !number(2, second)) return std::nullopt;
  if (!read_fraction(s, pos, millis)) return std::nullopt;
  skip_spaces();
  int offset = default_offset;
  if (pos < s.size()) {
    if (zoned) *zoned = true;
    std::string_view zone = s.substr(pos);
    if (zone == "Z" || zone == "z" || zone == "UTC" || zone == "GMT" || zone == "UT") {
      offset = 0;
      pos = s.size();
    } else if (zone[0] == '+' || zone[0] == '-') {
      const int sign = zone[0] == '-' ? -1 : 1;
      ++pos;
      int oh = 0, om = 0;
      const std::size_t start = pos;
      if (!number(2, oh) || pos - start != 2) return std::nullopt;
      take(":");
      const std::size_t ms = pos;
      if (pos < s.size() && (!number(2, om) || pos - ms != 2)) return std::nullopt;
      if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  return detail::compose_time(year, month, day, hour, minute, second, millis, offset);
}
}  // namespace

std::string Timestamp::to_iso8601() const {
  std::string out;
  detail::assign_iso8601(*this, out);
  return out;
}

void detail::assign_iso8601(const Timestamp& t, std::string& out) {
  char buf[kIso8601Max];
  out.assign(buf, format_iso8601(t, buf));
}

std::size_t detail::format_iso8601(const Timestamp& t, char* buf) {
  const std::int64_t epoch_ms = t.epoch_ms;
  const int utc_offset_minutes = t.utc_offset_minutes;
  // Sessions built by hand may hold any value: keep the arithmetic in range
  // (years -9999..99999) rather than overflow.
  constexpr std::int64_t kLimitMs = 3093527980800000;  // ~ year 99999
  const std::int64_t instant = std::clamp<std::int64_t>(epoch_ms, -kLimitMs, kLimitMs);
  const int offset_minutes = std::clamp(utc_offset_minutes, -24 * 60 + 1, 24 * 60 - 1);
  const std::int64_t local_ms = instant + static_cast<std::int64_t>(offset_minutes) * 60000;
  std::int64_t days = local_ms >= 0 ? local_ms / 86400000 : -((-local_ms + 86399999) / 86400000);
  const std::int64_t ms_of_day = local_ms - days * 86400000;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const int hh = static_cast<int>(ms_of_day / 3600000);
  const int mm = static_cast<int>(ms_of_day / 60000 % 60);
  const int ss = static_cast<int>(ms_of_day / 1000 % 60);
  const int ms = static_cast<int>(ms_of_day % 1000);
  // Written digit by digit: this runs for every message a report quotes, and
  // snprintf costs far more than the rest of the conversion. The text is the
  // same as "%04lld-%02u-%02uT%02d:%02d:%02d" [".%03d"] ("Z" | "%c%02d:%02d").
  char* p = buf;
  auto two = [&p](unsigned v) {
    *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  if (y >= 0 && y <= 9999) {
    two(static_cast<unsigned>(y) / 100);
    two(static_cast<unsigned>(y) % 100);
  } else {
    p += std::snprintf(p, 24, "%04lld", static_cast<long long>(y));
  }
  *p++ = '-';
  two(m);
  *p++ = '-';
  two(d);
  *p++ = 'T';
  two(static_cast<unsigned>(hh));
  *p++ = ':';
  two(static_cast<unsigned>(mm));
  *p++ = ':';
  two(static_cast<unsigned>(ss));
  if (ms != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + ms / 100);
    two(static_cast<unsigned>(ms % 100));
  }
  if (utc_offset_minutes == 0) {
    *p++ = 'Z';
  } else {
    const long long off = utc_offset_minutes < 0 ? -static_cast<long long>(utc_offset_minutes) : utc_offset_minutes;
    *p++ = utc_offset_minutes < 0 ? '-' : '+';
    if (off / 60 < 100) {
      two(static_cast<unsigned>(off / 60));
    } else {
      p += std::snprintf(p, 24, "%02lld", off / 60);
    }
    *p++ = ':';
    two(static_cast<unsigned>(off % 60));
  }
  return static_cast<std::size_t>(p - buf);
}

}  // namespace chatqa
