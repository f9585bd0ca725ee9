#include "core/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace mend {

Millis backoff_delay(Millis base, Millis cap, unsigned attempt, double unit) {
  // Doubling stops once it passes the cap, so a long outage cannot overflow the shift.
  Millis ceiling = base;
  for (unsigned i = 0; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  unit = std::clamp(unit, 0.0, 1.0);
  return Millis{static_cast<Millis::rep>(std::floor(static_cast<double>(ceiling.count()) * unit))};
}

}  // namespace mend
