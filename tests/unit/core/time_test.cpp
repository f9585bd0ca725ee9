// RFC 3339 timestamps and compact durations: what bridges send in `ts` and what installers
// write in the config.
#include "core/time.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace mend {
namespace {

using namespace std::chrono_literals;

std::optional<std::int64_t> ms_of(std::string_view text) {
  const auto t = parse_rfc3339(text);
  if (!t) return std::nullopt;
  return to_ms(*t);
}

// --- parse_rfc3339 -------------------------------------------------------------------------

TEST(ParseRfc3339, UtcWithZ) {
  EXPECT_EQ(ms_of("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10Z"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-22t19:42:10z"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-22 19:42:10Z"), 1795376530000);
}

TEST(ParseRfc3339, OffsetsAreSubtractedToGetUtc) {
  EXPECT_EQ(ms_of("2026-11-22T20:42:10+01:00"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-22T14:42:10-05:00"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-23T01:12:10+05:30"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10+00:00"), 1795376530000);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10-00:00"), 1795376530000);
  // Crossing midnight and a year boundary.
  EXPECT_EQ(ms_of("2027-01-01T00:30:00+01:00"), ms_of("2026-12-31T23:30:00Z"));
}

TEST(ParseRfc3339, FractionalSecondsAreTruncatedToMilliseconds) {
  EXPECT_EQ(ms_of("2026-11-22T19:42:10.5Z"), 1795376530500);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10.05Z"), 1795376530050);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10.123Z"), 1795376530123);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10.123999999Z"), 1795376530123);
  EXPECT_EQ(ms_of("2026-11-22T20:42:10.250+01:00"), 1795376530250);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10.Z"), std::nullopt);
  EXPECT_EQ(ms_of("2026-11-22T19:42:10,5Z"), std::nullopt);
}

TEST(ParseRfc3339, LeapYears) {
  EXPECT_EQ(ms_of("2024-02-29T12:00:00Z"), 1709208000000);
  EXPECT_EQ(ms_of("2000-02-29T00:00:00Z"), 951782400000);  // divisible by 400
  EXPECT_EQ(ms_of("2023-02-29T12:00:00Z"), std::nullopt);
  EXPECT_EQ(ms_of("1900-02-29T12:00:00Z"), std::nullopt);  // divisible by 100, not 400
  EXPECT_EQ(ms_of("2100-02-29T12:00:00Z"), std::nullopt);
  EXPECT_EQ(ms_of("2024-03-01T00:00:00Z").value() - ms_of("2024-02-28T00:00:00Z").value(),
            2 * 24 * 3600 * 1000);
}

TEST(ParseRfc3339, OutOfRangeFieldsAreRefused) {
  for (std::string_view bad : {
           "2026-13-01T00:00:00Z",  // month 13
           "2026-00-10T00:00:00Z",  // month 0
           "2026-11-00T00:00:00Z",  // day 0
           "2026-11-31T00:00:00Z",  // November has 30 days
           "2026-02-30T00:00:00Z",
           "2026-04-31T00:00:00Z",
           "2026-11-22T24:00:00Z",  // hour 24
           "2026-11-22T19:60:00Z",  // minute 60
           "2026-11-22T19:42:61Z",
           "2026-11-22T19:42:10+24:00",
           "2026-11-22T19:42:10+01:60",
       }) {
    EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
  }
}

TEST(ParseRfc3339, ALeapSecondIsTheEndOfSecond59) {
  EXPECT_EQ(ms_of("2016-12-31T23:59:60Z"), ms_of("2016-12-31T23:59:59.999Z"));
}

TEST(ParseRfc3339, TheOffsetIsMandatory) {
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10.123"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10+01"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10+0100"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10 UTC"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-11-22T19:42:10GMT"), std::nullopt);
}

TEST(ParseRfc3339, OtherShapesAreRefused) {
  for (std::string_view bad : {
           "",
           "2026-11-22",
           "19:42:10Z",
           "2026-11-22T19:42Z",
           "26-11-22T19:42:10Z",
           "2026/11/22T19:42:10Z",
           "2026-11-22X19:42:10Z",
           "2026-1-22T19:42:10Z",
           "+2026-11-22T19:42:10Z",
           " 2026-11-22T19:42:10Z",
           "2026-11-22T19:42:10Z ",
           "2026-11-22T19:42:10ZZ",
           "2026-11-22T19:42:10+01:00Z",
           "2026-11-22T19:4a:10Z",
           "1795376530000",
       }) {
    EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << '"' << bad << '"';
  }
}

// --- format_rfc3339 --------------------------------------------------------------------------

TEST(FormatRfc3339, UtcWithMillisecondsOnlyWhenNonZero) {
  EXPECT_EQ(format_rfc3339(wall_from_ms(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(1795376530000)), "2026-11-22T19:42:10Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(1795376530007)), "2026-11-22T19:42:10.007Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(1709208000000)), "2024-02-29T12:00:00Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(253402300799999)), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(-62135596800000)), "0001-01-01T00:00:00Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  // Every 97 hours, 13 minutes and 7.031 seconds from 1950 to 2100: all months, leap days and
  // millisecond values get visited.
  const std::int64_t step = ((97 * 60 + 13) * 60 + 7) * 1000 + 31;
  int checked = 0;
  for (std::int64_t ms = -631152000000; ms < 4102444800000; ms += step) {
    const WallTime t = wall_from_ms(ms);
    const std::string text = format_rfc3339(t);
    const auto back = parse_rfc3339(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, t) << text;
    ++checked;
  }
  EXPECT_GT(checked, 13000);
}

TEST(FormatRfc3339, YearsOutsideRfc3339AreWrittenButNotParsedBack) {
  EXPECT_EQ(format_rfc3339(wall_from_ms(253402300800000)), "10000-01-01T00:00:00Z");
  EXPECT_EQ(parse_rfc3339("10000-01-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(format_rfc3339(wall_from_ms(-62167219200001)), "-0001-12-31T23:59:59.999Z");
}

// The whole int64 millisecond range formats, without overflow (run under UBSan by
// scripts/test).
TEST(FormatRfc3339, TheWholeInt64Range) {
  EXPECT_EQ(format_rfc3339(wall_from_ms(std::numeric_limits<std::int64_t>::max())),
            "292278994-08-17T07:12:55.807Z");
  EXPECT_EQ(format_rfc3339(wall_from_ms(std::numeric_limits<std::int64_t>::min())),
            "-292275055-05-16T16:47:04.192Z");
}

// --- durations -----------------------------------------------------------------------------

TEST(ParseDuration, TheUnitsOfTheConfig) {
  EXPECT_EQ(parse_duration("90s"), Millis{90'000});
  EXPECT_EQ(parse_duration("10m"), Millis{600'000});
  EXPECT_EQ(parse_duration("2h"), Millis{7'200'000});
  EXPECT_EQ(parse_duration("1h30m"), Millis{5'400'000});
  EXPECT_EQ(parse_duration("250ms"), Millis{250});
  EXPECT_EQ(parse_duration("30d"), Millis{2'592'000'000});
  EXPECT_EQ(parse_duration("1d2h3m4s5ms"), Millis{93'784'005});
  EXPECT_EQ(parse_duration("1m1ms"), Millis{60'001});
  EXPECT_EQ(parse_duration("90m"), Millis{5'400'000});  // no carrying required
}

TEST(ParseDuration, ZeroWithOrWithoutAUnit) {
  EXPECT_EQ(parse_duration("0"), Millis{0});
  EXPECT_EQ(parse_duration("0s"), Millis{0});
  EXPECT_EQ(parse_duration("0ms"), Millis{0});
}

TEST(ParseDuration, MalformedIsRefused) {
  for (std::string_view bad : {
           "",      "10",  "-5m",    "+5m",   "1.5h", "5 m",  " 5m",   "5m ",
           "m",     "5M",  "5x",     "5min",  "5sec", "1h1h", "30m1h", "5s1m",
           "1ms1s", "1hm", "1h 30m", "0x10s", "10m0", "s10",  "1e3ms", "\xEF\xBC\x95m",
       }) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(ParseDuration, OverflowIsRefused) {
  EXPECT_EQ(parse_duration("9223372036854775807ms"),
            Millis{std::numeric_limits<std::int64_t>::max()});
  EXPECT_EQ(parse_duration("9223372036854775808ms"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999s"), std::nullopt);
  EXPECT_EQ(parse_duration("106751991167d"), Millis{106751991167LL * 86'400'000});
  EXPECT_EQ(parse_duration("106751991168d"), std::nullopt);  // the product overflows
  EXPECT_EQ(parse_duration("106751991167d7h"), Millis{106751991167LL * 86'400'000 + 7 * 3'600'000});
  EXPECT_EQ(parse_duration("106751991167d8h"), std::nullopt);  // the sum overflows
}

TEST(FormatDuration, LargestUnitsFirst) {
  EXPECT_EQ(format_duration(Millis{0}), "0s");
  EXPECT_EQ(format_duration(Millis{90'000}), "1m30s");
  EXPECT_EQ(format_duration(10min), "10m");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(Millis{250}), "250ms");
  EXPECT_EQ(format_duration(std::chrono::days{30}), "30d");
  EXPECT_EQ(format_duration(Millis{86'400'001}), "1d1ms");
  EXPECT_EQ(format_duration(Millis{-90'000}), "-1m30s");
  EXPECT_EQ(format_duration(Millis{std::numeric_limits<std::int64_t>::min()}),
            "-106751991167d7h12m55s808ms");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, std::int64_t{1000},
                          std::int64_t{59'999}, std::int64_t{3'600'000}, std::int64_t{93'784'005},
                          std::int64_t{2'592'000'000}, std::numeric_limits<std::int64_t>::max()}) {
    const std::string text = format_duration(Millis{ms});
    EXPECT_EQ(parse_duration(text), Millis{ms}) << text;
  }
}

}  // namespace
}  // namespace mend
