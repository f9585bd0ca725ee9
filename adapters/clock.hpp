// The real clock: the only place outside tests where `Now` is made.
#pragma once

#include "core/time.hpp"

namespace mend {

// Wall time from CLOCK_REALTIME; monotonic time from CLOCK_BOOTTIME, which keeps counting
// while the box is suspended and never jumps when NTP first sets the wall clock.
Now read_clock();

}  // namespace mend
