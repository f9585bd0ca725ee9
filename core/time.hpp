// Time as the core sees it. The core never reads a clock: the host hands it `Now`, a pair of
// the wall clock (for event timestamps, display and storage) and a monotonic clock (for every
// wait and deadline, so an NTP step on a box with no RTC cannot move a table's timer).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mend {

using Millis = std::chrono::milliseconds;

// Wall time: milliseconds since the Unix epoch, UTC.
using WallTime = std::chrono::sys_time<Millis>;

// The tag clock for monotonic instants (CLOCK_BOOTTIME on the box). It has no now(): only the
// host's real clock adapter produces values of it, tests use literals.
struct MonoClock {
  using duration = Millis;
  using rep = Millis::rep;
  using period = Millis::period;
  using time_point = std::chrono::time_point<MonoClock, Millis>;
  // The Clock requirements fix this name.
  static constexpr bool is_steady = true;  // NOLINT(readability-identifier-naming)
};
using MonoTime = MonoClock::time_point;

struct Now {
  WallTime wall;
  MonoTime mono;
};

inline constexpr std::int64_t kMsPerSecond = 1000;
inline constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

// Floor division, so times before the epoch (or a day start before local midnight in UTC)
// land on the previous day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

constexpr WallTime wall_from_ms(std::int64_t ms) { return WallTime{Millis{ms}}; }
constexpr MonoTime mono_from_ms(std::int64_t ms) { return MonoTime{Millis{ms}}; }
constexpr std::int64_t to_ms(WallTime t) { return t.time_since_epoch().count(); }
constexpr std::int64_t to_ms(MonoTime t) { return t.time_since_epoch().count(); }

// RFC 3339 date-time with a mandatory offset ("Z" or "+hh:mm"/"-hh:mm"), optional fractional
// seconds (truncated to milliseconds), 'T' or 't' or ' ' as separator, 'z' accepted. Returns
// nullopt for anything else, including out-of-range fields (month 13, Feb 30, hour 24, a
// second of 60 is accepted as 59.999 to tolerate leap seconds).
std::optional<WallTime> parse_rfc3339(std::string_view text);

// "2026-11-22T19:42:10Z", or with ".123" when the milliseconds are not zero.
std::string format_rfc3339(WallTime t);

// Durations in config and on the wire: one or more <integer><unit> groups, units ms, s, m, h,
// d ("90s", "10m", "2h", "1h30m", "250ms", "30d"). "0" and "0s" are zero. No sign, no spaces,
// no fractions; overflow is an error. Returns nullopt when malformed.
std::optional<Millis> parse_duration(std::string_view text);

// The shortest exact form using the largest units: 90000ms -> "1m30s", 0 -> "0s".
std::string format_duration(Millis d);

}  // namespace mend
