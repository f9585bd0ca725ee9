// The real clock: the only place outside tests where `Now` is made. The daemon reads time
// through a Clock, so a test can hand it another one.
#pragma once

#include "core/time.hpp"

namespace mend {

// Wall time from CLOCK_REALTIME; monotonic time from CLOCK_BOOTTIME, which keeps counting
// while the box is suspended and never jumps when NTP first sets the wall clock.
Now read_clock();

// The box's offset from UTC at a wall time, for local clock times (explanations, shift
// boundaries, the learning view's hours). The time zone is the box's: the installer sets it.
Millis local_utc_offset(WallTime at);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Now now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Now now() const override { return read_clock(); }
};

}  // namespace mend
