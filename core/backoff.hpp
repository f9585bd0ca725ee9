// Capped exponential backoff with full jitter, for every retry in Mend (broker reconnects, disk
// probes, store commits). Each delay is drawn uniformly from [0, min(cap, base * 2^attempt)],
// so a venue's bridges and mendd do not all retry together after the broker or the disk comes
// back. Pure: the caller draws the random number and owns the clock.
#pragma once

#include "core/time.hpp"

namespace mend {

// The delay for the given attempt (0 for the first retry). `unit` is a draw from [0, 1);
// values outside are clamped.
Millis backoff_delay(Millis base, Millis cap, unsigned attempt, double unit);

// The attempt counter that goes with backoff_delay: next() for each failure in a row, reset()
// after a success.
class Backoff {
 public:
  Backoff(Millis base, Millis cap) : base_(base), cap_(cap) {}
  Millis next(double unit) { return backoff_delay(base_, cap_, attempt_++, unit); }
  void reset() { attempt_ = 0; }
  // Failures in a row since the last reset.
  unsigned attempts() const { return attempt_; }

 private:
  Millis base_;
  Millis cap_;
  unsigned attempt_ = 0;
};

}  // namespace mend
