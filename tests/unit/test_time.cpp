// Time formats of the session format: ISO 8601 with offset / Z / fractional
// seconds, "YYYY-MM-DD HH:MM:SS" in a default zone, epoch seconds and
// milliseconds.
#include <cstdint>

#include <catch2/catch.hpp>

#include "chatqa/session.hpp"

using chatqa::parse_time;
using chatqa::time_from_epoch_number;
using chatqa::Timestamp;

namespace {
constexpr std::int64_t kMay1_0200Z = 1714528800000;  // 2024-05-01T02:00:00Z == 10:00 at +08:00
constexpr int kPlus8 = 8 * 60;
}  // namespace

TEST_CASE("ISO 8601 with an offset keeps the offset it was written in", "[time]") {
  auto t = parse_time("2024-05-01T10:00:00+08:00", kPlus8);
  REQUIRE(t);
  CHECK(t->epoch_ms == kMay1_0200Z);
  CHECK(t->utc_offset_minutes == 480);
  CHECK(t->to_iso8601() == "2024-05-01T10:00:00+08:00");

  auto west = parse_time("2024-04-30T21:00:00-05:00", kPlus8);
  REQUIRE(west);
  CHECK(west->epoch_ms == kMay1_0200Z);
  CHECK(west->utc_offset_minutes == -300);
  CHECK(west->to_iso8601() == "2024-04-30T21:00:00-05:00");

  // Basic-format and hour-only offsets.
  CHECK(parse_time("2024-05-01T10:00:00+0800", 0)->epoch_ms == kMay1_0200Z);
  CHECK(parse_time("2024-05-01T10:00:00+08", 0)->epoch_ms == kMay1_0200Z);
  // Half-hour zone (India).
  auto india = parse_time("2024-05-01T07:30:00+05:30", 0);
  REQUIRE(india);
  CHECK(india->epoch_ms == kMay1_0200Z);
  CHECK(india->to_iso8601() == "2024-05-01T07:30:00+05:30");
}

TEST_CASE("ISO 8601 in UTC (Z)", "[time]") {
  auto t = parse_time("2024-05-01T02:00:00Z", kPlus8);
  REQUIRE(t);
  CHECK(t->epoch_ms == kMay1_0200Z);
  CHECK(t->utc_offset_minutes == 0);
  CHECK(t->to_iso8601() == "2024-05-01T02:00:00Z");
  CHECK(parse_time("2024-05-01t02:00:00z", kPlus8)->epoch_ms == kMay1_0200Z);
}

TEST_CASE("ISO 8601 with fractional seconds", "[time]") {
  auto t = parse_time("2024-05-01T10:00:00.250+08:00", kPlus8);
  REQUIRE(t);
  CHECK(t->epoch_ms == kMay1_0200Z + 250);
  CHECK(t->to_iso8601() == "2024-05-01T10:00:00.250+08:00");
  CHECK(parse_time("2024-05-01T02:00:00.5Z", 0)->epoch_ms == kMay1_0200Z + 500);
  // Digits beyond milliseconds are truncated.
  CHECK(parse_time("2024-05-01T02:00:00.123456Z", 0)->epoch_ms == kMay1_0200Z + 123);
  CHECK(parse_time("2024-05-01T02:00:00,75Z", 0)->epoch_ms == kMay1_0200Z + 750);
  CHECK_FALSE(parse_time("2024-05-01T02:00:00.Z", 0));
}

TEST_CASE("'YYYY-MM-DD HH:MM:SS' is read in the default zone", "[time]") {
  auto t = parse_time("2024-05-01 10:00:00", kPlus8);
  REQUIRE(t);
  CHECK(t->epoch_ms == kMay1_0200Z);
  CHECK(t->to_iso8601() == "2024-05-01T10:00:00+08:00");

  auto utc = parse_time("2024-05-01 10:00:00", 0);
  REQUIRE(utc);
  CHECK(utc->epoch_ms == kMay1_0200Z + 8 * 3600 * 1000);
  CHECK(utc->to_iso8601() == "2024-05-01T10:00:00Z");

  auto ny = parse_time("2024-05-01 10:00:00", -4 * 60);
  REQUIRE(ny);
  CHECK(ny->epoch_ms == kMay1_0200Z + 12 * 3600 * 1000);
  CHECK(ny->to_iso8601() == "2024-05-01T10:00:00-04:00");

  // "T" without an offset is also local time; seconds may be left out.
  CHECK(parse_time("2024-05-01T10:00:00", kPlus8)->epoch_ms == kMay1_0200Z);
  CHECK(parse_time("2024-05-01 10:00", kPlus8)->epoch_ms == kMay1_0200Z);
  CHECK(parse_time("  2024-05-01 10:00:00 ", kPlus8)->epoch_ms == kMay1_0200Z);
}

TEST_CASE("epoch seconds and milliseconds are told apart by magnitude", "[time]") {
  Timestamp s = time_from_epoch_number(1714528800, kPlus8);
  CHECK(s.epoch_ms == kMay1_0200Z);
  CHECK(s.utc_offset_minutes == kPlus8);
  CHECK(s.to_iso8601() == "2024-05-01T10:00:00+08:00");

  Timestamp ms = time_from_epoch_number(1714528800123.0, kPlus8);
  CHECK(ms.epoch_ms == kMay1_0200Z + 123);
  CHECK(ms.to_iso8601() == "2024-05-01T10:00:00.123+08:00");

  CHECK(time_from_epoch_number(1714528800.5, 0).epoch_ms == kMay1_0200Z + 500);
  // Strings of digits are epoch numbers too.
  CHECK(parse_time("1714528800", kPlus8)->epoch_ms == kMay1_0200Z);
  CHECK(parse_time("1714528800123", kPlus8)->epoch_ms == kMay1_0200Z + 123);
}

TEST_CASE("calendar edge cases", "[time]") {
  CHECK(parse_time("2024-02-29T23:59:59Z", 0)->epoch_ms == 1709251199000);
  CHECK_FALSE(parse_time("2023-02-29T10:00:00Z", 0));
  CHECK(parse_time("1999-12-31 23:59:59", 0)->epoch_ms == 946684799000);
  // Crossing midnight by the offset.
  CHECK(parse_time("2024-05-01T01:00:00+08:00", 0)->to_iso8601() == "2024-05-01T01:00:00+08:00");
  CHECK(Timestamp{-1000, 0}.to_iso8601() == "1969-12-31T23:59:59Z");
}

TEST_CASE("formatting any Timestamp built by hand stays defined", "[time]") {
  // No overflow (checked under -fsanitize=undefined) and no buffer overrun.
  for (std::int64_t ms : {INT64_MAX, INT64_MIN, std::int64_t{0}}) {
    for (int offset : {0, 480, INT32_MAX, INT32_MIN}) {
      INFO(ms << " " << offset);
      const std::string s = Timestamp{ms, offset}.to_iso8601();
      CHECK(s.size() >= 20);
    }
  }
}

TEST_CASE("text that is not a time is rejected", "[time]") {
  for (const char* bad : {"", "   ", "yesterday", "2024-05-01", "2024-13-01 10:00:00", "2024-04-31 10:00:00",
                          "2024-05-01 24:00:00", "2024-05-01 10:60:00", "2024-05-01T10:00:00+25:00",
                          "2024-05-01T10:00:00+08:00x", "2024-05-01X10:00:00", "05/01/2024 10:00:00",
                          "12345678901234567890", "999999999999999", "-1714528800"}) {
    // ("2024/05/01 10:00:00" and "... +08:00" with a space are export shapes
    // read since issue 17: see test_reader.cpp, "[time]".)
    INFO("time: \"" << bad << "\"");
    CHECK_FALSE(parse_time(bad, kPlus8));
  }
}
