#include "adapters/clock.hpp"

#include <time.h>

#include <chrono>
#include <ctime>

namespace mend {
namespace {
std::int64_t read_ms(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}
}  // namespace

Now read_clock() {
  return Now{wall_from_ms(read_ms(CLOCK_REALTIME)), mono_from_ms(read_ms(CLOCK_BOOTTIME))};
}

Millis local_utc_offset(WallTime at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  ::localtime_r(&t, &local);
  return std::chrono::seconds(local.tm_gmtoff);
}

}  // namespace mend
