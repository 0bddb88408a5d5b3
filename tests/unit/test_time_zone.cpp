// Zone-less times in an IANA time zone (daylight saving applied) and
// strftime-style time formats (SessionOptions::time_zone / time_formats).
#include <catch2/catch.hpp>

#include <string>

#include "chatqa/session.hpp"

using namespace chatqa;

namespace {

SessionOptions new_york() {
  SessionOptions o;
  o.time_zone = "America/New_York";
  return o;
}

std::string iso(std::string_view text, const SessionOptions& o) {
  const auto t = parse_time(text, o);
  return t ? t->to_iso8601() : "none";
}

}  // namespace

TEST_CASE("time zone: offsets follow daylight saving on both sides of each change", "[time][zone]") {
  const SessionOptions o = new_york();
  CHECK(iso("2024-03-09 12:00:00", o) == "2024-03-09T12:00:00-05:00");
  CHECK(iso("2024-03-10 12:00:00", o) == "2024-03-10T12:00:00-04:00");
  CHECK(iso("2024-11-02 12:00:00", o) == "2024-11-02T12:00:00-04:00");
  CHECK(iso("2024-11-03 12:00:00", o) == "2024-11-03T12:00:00-05:00");
  // The skipped hour (02:00-03:00 on 10 March) reads with the offset before the change.
  CHECK(iso("2024-03-10 02:30:00", o) == "2024-03-10T03:30:00-04:00");
  // The repeated hour (01:00-02:00 on 3 November): the first of the two.
  CHECK(iso("2024-11-03 01:30:00", o) == "2024-11-03T01:30:00-04:00");
  // The relaxed shapes too.
  CHECK(iso("2024/7/8 9:05", o) == "2024-07-08T09:05:00-04:00");
  // A time with its own offset keeps it; epoch times show the zone's offset then.
  CHECK(iso("2024-03-10T12:00:00+08:00", o) == "2024-03-10T12:00:00+08:00");
  CHECK(iso("2024-03-10 12:00:00 UTC", o) == "2024-03-10T12:00:00Z");
  CHECK(iso("1710054000", o) == "2024-03-10T03:00:00-04:00");
  // Elsewhere: southern hemisphere, no daylight saving.
  SessionOptions sydney;
  sydney.time_zone = "Australia/Sydney";
  CHECK(iso("2024-01-15 10:00:00", sydney) == "2024-01-15T10:00:00+11:00");
  CHECK(iso("2024-07-15 10:00:00", sydney) == "2024-07-15T10:00:00+10:00");
  SessionOptions shanghai;
  shanghai.time_zone = "Asia/Shanghai";
  CHECK(iso("2024-07-15 10:00:00", shanghai) == "2024-07-15T10:00:00+08:00");
}

TEST_CASE("time zone: a chat across the spring change is timed in real seconds", "[time][zone]") {
  const std::string json = R"({"id": "s", "messages": [
    {"role": "customer", "time": "2024-03-10 01:59:00", "text": "hello"},
    {"role": "agent", "time": "2024-03-10 03:00:30", "text": "hi"},
    {"role": "customer", "time": 1710054090, "text": "ok"}]})";
  const ParsedSession p = parse_session(json, new_york());
  REQUIRE(p.session);
  const auto& m = p.session->messages;
  CHECK(m[1].time.epoch_ms - m[0].time.epoch_ms == 90'000);  // not 3690 s
  CHECK(m[0].time.utc_offset_minutes == -300);
  CHECK(m[1].time.utc_offset_minutes == -240);
  CHECK(m[2].time.utc_offset_minutes == -240);
  // Without a zone, the fixed offset counts the hour that did not happen.
  SessionOptions fixed;
  fixed.default_utc_offset_minutes = -300;
  const ParsedSession q = parse_session(json, fixed);
  REQUIRE(q.session);
  const auto& f = q.session->messages;
  REQUIRE(f[2].role == Role::agent);  // the epoch message sorts before it now
  CHECK(f[2].time.epoch_ms - f[0].time.epoch_ms == 3'690'000);
}

TEST_CASE("time zone: names are checked; an unknown one makes times errors that say so", "[time][zone]") {
  CHECK(time_zone_known("America/New_York"));
  CHECK(time_zone_known("Asia/Shanghai"));
  CHECK(time_zone_known("UTC"));
  CHECK(!time_zone_known("Mars/Olympus_Mons"));
  CHECK(!time_zone_known(""));
  SessionOptions o;
  o.time_zone = "Mars/Olympus_Mons";
  const ParsedSession p =
      parse_session(R"({"id": "s", "messages": [{"role": "agent", "time": "2024-03-10 12:00:00", "text": "x"}]})", o);
  REQUIRE(p.error);
  CHECK(p.error->code == "E0204");
  CHECK(p.error->message.find("unknown time zone \"Mars/Olympus_Mons\"") != std::string::npos);
}

TEST_CASE("time formats: tried in order before the built-in shapes", "[time][format]") {
  SessionOptions o;
  o.default_utc_offset_minutes = 0;
  o.time_formats = {"%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%b %e, %Y %H:%M"};
  CHECK(iso("07/08/2024 2:00 PM", o) == "2024-07-08T14:00:00Z");
  CHECK(iso("07/08/2024 12:05 am", o) == "2024-07-08T00:05:00Z");
  CHECK(iso("07/08/2024 12:05 PM", o) == "2024-07-08T12:05:00Z");
  CHECK(iso("08.07.2024 14:00:01", o) == "2024-07-08T14:00:01Z");
  CHECK(iso("Jul  8, 2024 14:00", o) == "2024-07-08T14:00:00Z");
  CHECK(iso("July 8, 2024 14:00", o) == "2024-07-08T14:00:00Z");
  CHECK(iso("2024-07-08 14:00:00", o) == "2024-07-08T14:00:00Z");  // built-in shapes still read
  CHECK(iso("13/08/2024 2:00 PM", o) == "none");                   // no month 13
  CHECK(iso("07/08/2024 13:00 PM", o) == "none");                  // no 13 o'clock on a 12-hour clock
  CHECK(iso("07/08/2024", o) == "none");
  // The first format that matches wins.
  o.time_formats = {"%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"};
  CHECK(iso("07/08/2024 10:00", o) == "2024-08-07T10:00:00Z");
  // Zones, fractions, epoch, literal text, Chinese AM/PM; a zone-less one in the time zone.
  o.time_formats = {"%Y-%m-%dT%H:%M:%S.%f%z", "%s", "%Y年%m月%d日 %p%I:%M", "[%d/%b/%Y:%T"};
  CHECK(iso("2024-07-08T14:00:01.250+0530", o) == "2024-07-08T14:00:01.250+05:30");
  CHECK(iso("1720447201.5", o) == "2024-07-08T14:00:01.500Z");
  CHECK(iso("2024年7月8日 下午2:00", o) == "2024-07-08T14:00:00Z");
  CHECK(iso("[08/Jul/2024:14:00:01", o) == "2024-07-08T14:00:01Z");
  o.time_zone = "America/New_York";
  CHECK(iso("2024年3月10日 下午2:00", o) == "2024-03-10T14:00:00-04:00");
  CHECK(iso("2024年3月9日 下午2:00", o) == "2024-03-09T14:00:00-05:00");
}

TEST_CASE("time formats: bad formats are told apart; the E0204 message lists the formats", "[time][format]") {
  CHECK(!check_time_format("%m/%d/%Y %I:%M %p"));
  CHECK(!check_time_format("%s"));
  CHECK(check_time_format("%Q %H")->find("unknown directive %Q") != std::string::npos);
  CHECK(check_time_format("%H:%M")->find("needs a date") != std::string::npos);
  CHECK(check_time_format("%Y-%m-%d %"));
  CHECK(check_time_format("%T %Y-%m-%d"));
  SessionOptions o;
  o.time_formats = {"%m/%d/%Y %H:%M"};
  const ParsedSession p =
      parse_session(R"({"id": "s", "messages": [{"role": "agent", "time": "7-8-2024", "text": "x"}]})", o);
  REQUIRE(p.error);
  CHECK(p.error->code == "E0204");
  CHECK(p.error->message.find("or \"%m/%d/%Y %H:%M\"") != std::string::npos);
}
