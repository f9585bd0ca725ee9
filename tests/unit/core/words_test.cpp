// Durations, money and readings in words: what staff read in reasons, explanations and drafts.
#include "core/words.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;

TEST(WordsCompact, SecondsThenMinutesThenHoursAndMinutes) {
  EXPECT_EQ(words::compact(0ms), "0s");
  EXPECT_EQ(words::compact(45s), "45s");
  EXPECT_EQ(words::compact(59'999ms), "59s");
  EXPECT_EQ(words::compact(60s), "1m");
  EXPECT_EQ(words::compact(14min + 59s), "14m");
  EXPECT_EQ(words::compact(60min), "1h00m");
  EXPECT_EQ(words::compact(65min), "1h05m");
  EXPECT_EQ(words::compact(26h + 30min), "26h30m");
}

TEST(WordsCompact, NegativeIsZero) { EXPECT_EQ(words::compact(-5min), "0s"); }

TEST(WordsDuration, WholeMinutesThenHours) {
  EXPECT_EQ(words::duration(59s), "less than a minute");
  EXPECT_EQ(words::duration(-1min), "less than a minute");
  EXPECT_EQ(words::duration(1min), "1 minute");
  EXPECT_EQ(words::duration(14min + 59s), "14 minutes");
  EXPECT_EQ(words::duration(119min), "119 minutes");
  EXPECT_EQ(words::duration(120min), "2 hours");
  EXPECT_EQ(words::duration(125min), "2 hours 5 minutes");
  EXPECT_EQ(words::duration(181min), "3 hours 1 minute");
}

TEST(WordsLimit, BareMinutesWordsForHoursCompactOtherwise) {
  EXPECT_EQ(words::limit(10min), "10");
  EXPECT_EQ(words::limit(119min), "119");
  EXPECT_EQ(words::limit(2h), "2 hours");
  EXPECT_EQ(words::limit(90s), "1m30s");
  EXPECT_EQ(words::limit(0ms), "0");
}

TEST(WordsMinutesOrCompact, WholeMinutesAsMin) {
  EXPECT_EQ(words::minutes_or_compact(3min), "3 min");
  EXPECT_EQ(words::minutes_or_compact(90min), "90 min");
  EXPECT_EQ(words::minutes_or_compact(90s), "1m30s");
  EXPECT_EQ(words::minutes_or_compact(0ms), "0s");
}

TEST(WordsMoney, WholeAmountsBareCentsWithTwoDigits) {
  EXPECT_EQ(words::money(0), "0");
  EXPECT_EQ(words::money(180), "180");
  EXPECT_EQ(words::money(6.001), "6");
  EXPECT_EQ(words::money(7.5), "7.50");
  EXPECT_EQ(words::money(0.05), "0.05");
  EXPECT_EQ(words::money(-12), "-12");
  EXPECT_EQ(words::money(1e16), "10000000000000000.00");
}

TEST(WordsPlural, OneOrMany) {
  EXPECT_EQ(words::plural(1, "visit", "visits"), "1 visit");
  EXPECT_EQ(words::plural(0, "visit", "visits"), "0 visits");
  EXPECT_EQ(words::plural(6, "item", "items"), "6 items");
}

TEST(WordsCelsius, OneDecimal) {
  EXPECT_EQ(words::celsius(4.5), "4.5 C");
  EXPECT_EQ(words::celsius(-18), "-18.0 C");
  EXPECT_EQ(words::celsius(8), "8.0 C");
}

}  // namespace
}  // namespace mend
