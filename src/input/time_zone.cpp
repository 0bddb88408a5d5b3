// Times in an IANA time zone (ICU's zone data) and in strftime-style formats
// (SessionOptions::time_zone, SessionOptions::time_formats).
#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cctype>
#include <cstring>
#include <map>
#include <memory>

#include "chatqa/session.hpp"
#include "input/time_format.hpp"

namespace chatqa {
namespace {

// One ICU zone per name and thread: creating one costs far more than a lookup.
const icu::BasicTimeZone* zone_named(const std::string& name) {
  thread_local std::map<std::string, std::unique_ptr<icu::TimeZone>> zones;
  auto it = zones.find(name);
  if (it == zones.end()) {
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
    if (tz && *tz == icu::TimeZone::getUnknown()) tz.reset();
    if (zones.size() > 64) zones.clear();
    it = zones.emplace(name, std::move(tz)).first;
  }
  return dynamic_cast<const icu::BasicTimeZone*>(it->second.get());
}

const char* const kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                               "july",    "august",   "september", "october", "november", "december"};
const char* const kDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

bool ieq_prefix(std::string_view s, std::size_t pos, std::string_view word) {
  if (pos + word.size() > s.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[pos + i])) != word[i]) return false;
  }
  return true;
}

// A full or 3-letter English name from `names` at `pos`: its index, or -1.
int name_at(std::string_view s, std::size_t& pos, const char* const* names, int count) {
  for (int i = 0; i < count; ++i) {
    const std::string_view full(names[i]);
    if (ieq_prefix(s, pos, full)) {
      pos += full.size();
      return i;
    }
  }
  for (int i = 0; i < count; ++i) {
    const std::string_view abbr(names[i], 3);
    if (ieq_prefix(s, pos, abbr)) {
      pos += 3;
      if (pos < s.size() && s[pos] == '.') ++pos;  // "Sept." is not read, "Sep." is
      return i;
    }
  }
  return -1;
}

struct Fields {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int pm = -1;  // -1 no %p, 0 am, 1 pm
  bool twelve = false;
  bool zoned = false;
  int offset = 0;
  bool epoch = false;
  double epoch_value = 0;
};

bool number(std::string_view s, std::size_t& pos, int min_digits, int max_digits, int& out) {
  const std::size_t start = pos;
  out = 0;
  while (pos < s.size() && pos - start < static_cast<std::size_t>(max_digits) && s[pos] >= '0' && s[pos] <= '9') {
    out = out * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos - start >= static_cast<std::size_t>(min_digits);
}

bool zone_offset(std::string_view s, std::size_t& pos, int& offset) {
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    offset = 0;
    return true;
  }
  for (std::string_view name : {"UTC", "GMT", "UT"}) {
    if (s.substr(pos, name.size()) == name) {
      pos += name.size();
      offset = 0;
      if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return true;
    }
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  const int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int h = 0, m = 0;
  if (!number(s, pos, 2, 2, h)) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && !number(s, pos, 2, 2, m)) return false;
  if (h > 23 || m > 59) return false;
  offset = sign * (h * 60 + m);
  return true;
}

// Matches `s` against `format` (see docs/cli.md --time-format).
// Long function: one left-to-right scan of the format, a case per directive, each reading where the
// previous one stopped.
bool match(std::string_view s, std::string_view format, Fields& f) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
      continue;
    }
    if (c != '%') {
      if (pos >= s.size() || s[pos] != c) return false;
      ++pos;
      continue;
    }
    if (++i >= format.size()) return false;
    int v = 0;
    switch (format[i]) {
      case 'Y':
        if (!number(s, pos, 4, 4, f.year)) return false;
        break;
      case 'y':
        if (!number(s, pos, 2, 2, v)) return false;
        f.year = v < 69 ? 2000 + v : 1900 + v;
        break;
      case 'm':
        if (!number(s, pos, 1, 2, f.month)) return false;
        break;
      case 'e':
        while (pos < s.size() && s[pos] == ' ') ++pos;
        [[fallthrough]];
      case 'd':
        if (!number(s, pos, 1, 2, f.day)) return false;
        break;
      case 'H':
        if (!number(s, pos, 1, 2, f.hour)) return false;
        break;
      case 'I':
        if (!number(s, pos, 1, 2, f.hour)) return false;
        f.twelve = true;
        break;
      case 'M':
        if (!number(s, pos, 2, 2, f.minute)) return false;
        break;
      case 'S':
        if (!number(s, pos, 2, 2, f.second)) return false;
        break;
      case 'f': {
        const std::size_t start = pos;
        int scale = 100;
        f.millis = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          f.millis += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return false;
        break;
      }
      case 'p':
        if (ieq_prefix(s, pos, "am") || ieq_prefix(s, pos, "pm")) {
          f.pm = std::tolower(static_cast<unsigned char>(s[pos])) == 'p';
          pos += 2;
        } else if (ieq_prefix(s, pos, "a.m.") || ieq_prefix(s, pos, "p.m.")) {
          f.pm = std::tolower(static_cast<unsigned char>(s[pos])) == 'p';
          pos += 4;
        } else if (s.substr(pos, 6) == "\xE4\xB8\x8A\xE5\x8D\x88" || s.substr(pos, 6) == "\xE4\xB8\x8B\xE5\x8D\x88") {
          f.pm = s.substr(pos, 6) == "\xE4\xB8\x8B\xE5\x8D\x88";  // 上午 / 下午
          pos += 6;
        } else {
          return false;
        }
        break;
      case 'b':
      case 'h':
      case 'B': {
        const int m = name_at(s, pos, kMonths, 12);
        if (m < 0) return false;
        f.month = m + 1;
        break;
      }
      case 'a':
      case 'A':
        if (name_at(s, pos, kDays, 7) < 0) return false;
        break;
      case 'z':
      case 'Z':
        if (!zone_offset(s, pos, f.offset)) return false;
        f.zoned = true;
        break;
      case 's': {
        const std::size_t start = pos;
        if (pos < s.size() && s[pos] == '-') ++pos;
        while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.')) ++pos;
        if (pos == start) return false;
        f.epoch = true;
        f.epoch_value = std::strtod(std::string(s.substr(start, pos - start)).c_str(), nullptr);
        break;
      }
      case 'T':
        if (!match(s.substr(pos), "%H:%M:%S", f)) return false;
        return true;  // only as the last directive: see check_time_format
      case '%':
        if (pos >= s.size() || s[pos] != '%') return false;
        ++pos;
        break;
      default:
        return false;
    }
  }
  return pos == s.size();
}

}  // namespace

bool time_zone_known(std::string_view name) {
  return !name.empty() && zone_named(std::string(name)) != nullptr;
}

std::optional<std::string> check_time_format(std::string_view format) {
  bool date = false, hour = false, epoch = false;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 >= format.size()) return std::string("the format ends with a lone '%'");
    const char d = format[++i];
    if (std::strchr("YymdebhB", d)) date = true;
    if (std::strchr("HIT", d)) hour = true;
    if (d == 's') epoch = true;
    if (d == 'T' && i + 1 != format.size()) return std::string("%T must end the format (write %H:%M:%S)");
    if (!std::strchr("YymdeHIMSfpbhBaAzZsT%", d)) {
      return std::string("unknown directive %") + d +
             " (known: %Y %y %m %d %e %H %I %M %S %f %p %b %B %h %a %A %z %Z %s %T %%)";
    }
  }
  if (!epoch && (!date || !hour)) return std::string("a format needs a date (%Y/%y, %m or %b, %d) and an hour (%H or %I)");
  return std::nullopt;
}

namespace detail {

int zone_offset_at_utc(const std::string& zone, std::int64_t epoch_ms, int fallback) {
  const icu::BasicTimeZone* tz = zone_named(zone);
  if (!tz) return fallback;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  tz->getOffset(static_cast<UDate>(epoch_ms), false, raw, dst, status);
  return U_SUCCESS(status) ? (raw + dst) / 60000 : fallback;
}

std::optional<Timestamp> from_local(std::int64_t local_ms, const std::string& zone) {
  const icu::BasicTimeZone* tz = zone_named(zone);
  if (!tz) return std::nullopt;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  // The hour skipped in spring: read with the offset before the change; the
  // hour repeated in autumn: the first of the two (still daylight time).
  tz->getOffsetFromLocal(static_cast<UDate>(local_ms), UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst, status);
  if (U_FAILURE(status)) return std::nullopt;
  Timestamp t;
  t.epoch_ms = local_ms - static_cast<std::int64_t>(raw + dst);
  // Shown with the offset in force at that instant: a skipped 02:30 is 03:30 daylight time.
  int32_t raw_then = 0, dst_then = 0;
  tz->getOffset(static_cast<UDate>(t.epoch_ms), false, raw_then, dst_then, status);
  t.utc_offset_minutes = U_SUCCESS(status) ? (raw_then + dst_then) / 60000 : (raw + dst) / 60000;
  return t;
}

std::optional<Timestamp> parse_time_format(std::string_view text, std::string_view format,
                                           const SessionOptions& options) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  Fields f;
  if (!match(text, format, f)) return std::nullopt;
  if (f.epoch) {
    if (!(f.epoch_value > -62135596800.0 && f.epoch_value < 253402300800.0)) return std::nullopt;
    Timestamp t;
    t.epoch_ms = static_cast<std::int64_t>(f.epoch_value * 1000.0);
    t.utc_offset_minutes = options.time_zone.empty()
                               ? options.default_utc_offset_minutes
                               : zone_offset_at_utc(options.time_zone, t.epoch_ms, options.default_utc_offset_minutes);
    return t;
  }
  if (f.twelve) {
    if (f.hour < 1 || f.hour > 12) return std::nullopt;
    if (f.pm == 1 && f.hour < 12) f.hour += 12;
    if (f.pm == 0 && f.hour == 12) f.hour = 0;
  }
  // The wall time as if the zone were UTC (offset 0), checked for range.
  const std::optional<Timestamp> local = compose_time(f.year, f.month, f.day, f.hour, f.minute, f.second, f.millis, 0);
  if (!local) return std::nullopt;
  const std::int64_t local_ms = local->epoch_ms;
  if (!f.zoned && !options.time_zone.empty()) return from_local(local_ms, options.time_zone);
  const int offset = f.zoned ? f.offset : options.default_utc_offset_minutes;
  Timestamp t;
  t.epoch_ms = local_ms - static_cast<std::int64_t>(offset) * 60000;
  t.utc_offset_minutes = offset;
  return t;
}

}  // namespace detail
}  // namespace chatqa
