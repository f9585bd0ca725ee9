// Capped exponential backoff with full jitter, on literal draws.
#include "core/backoff.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;

TEST(BackoffDelay, GrowsByDoublingUpToTheCapWithFullJitter) {
  EXPECT_EQ(backoff_delay(1000ms, 60s, 0, 0.999999), 999ms);
  EXPECT_EQ(backoff_delay(1000ms, 60s, 3, 0.5), 4000ms);      // ceiling 8 s
  EXPECT_EQ(backoff_delay(1000ms, 60s, 10, 0.5), 30000ms);    // capped at 60 s
  EXPECT_EQ(backoff_delay(1000ms, 60s, 1000, 0.5), 30000ms);  // no overflow
  EXPECT_EQ(backoff_delay(1000ms, 60s, 5, 0.0), 0ms);         // full jitter reaches zero
}

TEST(BackoffDelay, ADrawOutsideTheUnitIntervalIsClamped) {
  EXPECT_EQ(backoff_delay(100ms, 1s, 0, -3.0), 0ms);
  EXPECT_EQ(backoff_delay(100ms, 1s, 0, 7.0), 100ms);
}

TEST(Backoff, CountsFailuresInARowAndStartsOverAfterAReset) {
  Backoff b(500ms, 4s);
  EXPECT_EQ(b.next(1.0), 500ms);
  EXPECT_EQ(b.next(1.0), 1000ms);
  EXPECT_EQ(b.next(1.0), 2000ms);
  EXPECT_EQ(b.next(1.0), 4000ms);
  EXPECT_EQ(b.next(1.0), 4000ms);  // the cap holds
  EXPECT_EQ(b.attempts(), 5u);
  EXPECT_EQ(b.next(0.25), 1000ms);
  b.reset();
  EXPECT_EQ(b.attempts(), 0u);
  EXPECT_EQ(b.next(1.0), 500ms);
}

}  // namespace
}  // namespace mend
