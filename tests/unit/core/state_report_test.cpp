// Log once per state change plus a reminder: literal times, one observe() per attempt.
#include "core/state_report.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;
using Say = StateReport::Say;

constexpr const char* kFull = "database or disk is full";

TEST(StateReport, TheQuietStateSaysNothingEvenForAlongTime) {
  StateReport r("ok", 60s);
  EXPECT_EQ(r.observe("ok", mono_from_ms(1000)).say, Say::kNothing);
  EXPECT_EQ(r.observe("ok", mono_from_ms(1000 + 3'600'000)).say, Say::kNothing);
}

TEST(StateReport, AFailureIsSaidOnceThenRemindedWithTheCountThenTheRecovery) {
  StateReport r("ok", 60s);
  auto first = r.observe(kFull, mono_from_ms(1000));
  EXPECT_EQ(first.say, Say::kChanged);
  EXPECT_EQ(first.previous, "ok");
  // A retry every 3 ms for just under a minute: silence.
  std::int64_t t = 1000;
  int said = 0;
  for (int i = 0; i < 19'999; ++i) {
    t += 3;
    if (r.observe(kFull, mono_from_ms(t)).say != Say::kNothing) ++said;
  }
  EXPECT_EQ(t, 60'997);
  EXPECT_EQ(said, 0);
  // The reminder is due at exactly 60 s after the first line.
  auto reminder = r.observe(kFull, mono_from_ms(61'000));
  EXPECT_EQ(reminder.say, Say::kReminder);
  EXPECT_EQ(reminder.attempts, 20'001u);  // the first, the 19,999 quiet ones, this one
  EXPECT_EQ(reminder.lasted, 60s);
  EXPECT_EQ(r.observe(kFull, mono_from_ms(61'001)).say, Say::kNothing);
  EXPECT_EQ(r.observe(kFull, mono_from_ms(120'999)).say, Say::kNothing);
  EXPECT_EQ(r.observe(kFull, mono_from_ms(121'000)).say, Say::kReminder);
  auto back = r.observe("ok", mono_from_ms(130'000));
  EXPECT_EQ(back.say, Say::kChanged);
  EXPECT_EQ(back.previous, kFull);
  EXPECT_EQ(back.lasted, 129s);
  EXPECT_EQ(r.observe("ok", mono_from_ms(500'000)).say, Say::kNothing);
}

TEST(StateReport, ADifferentErrorIsAChangeOfItsOwn) {
  StateReport r("ok", 60s);
  EXPECT_EQ(r.observe(kFull, mono_from_ms(0)).say, Say::kChanged);
  auto io = r.observe("disk I/O error", mono_from_ms(10));
  EXPECT_EQ(io.say, Say::kChanged);
  EXPECT_EQ(io.previous, kFull);
  EXPECT_EQ(r.state(), "disk I/O error");
}

}  // namespace
}  // namespace mend
