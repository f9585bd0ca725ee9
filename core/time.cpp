// RFC 3339 timestamps and compact durations. Calendar arithmetic is done on plain integers
// (days since the epoch, proleptic Gregorian) so the whole int64 millisecond range formats
// without overflow and nothing here depends on the host's time zone database.
#include "core/time.hpp"

#include <array>
#include <cstddef>
#include <limits>

namespace mend {
namespace {

constexpr bool is_leap(std::int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

constexpr int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// Days since 1970-01-01 for a proleptic Gregorian date. Years are shifted to start in March so
// the leap day is the last day of the shifted year, then counted in 400-year eras of 146097
// days; floor division keeps it right for negative years too.
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                          // [0, 399]
  const std::int64_t mp = m > 2 ? m - 3 : m + 9;                   // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;             // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;                              // 719468: 0000-03-01
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

// The inverse of days_from_civil.
constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{era * 400 + yoe + (m <= 2 ? 1 : 0), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(0, 1, 1) == -719528);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).day == 31);
static_assert(civil_from_days(11016).month == 2 && civil_from_days(11016).day == 29);

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`; -1 when any of them is not a digit or the text is short.
int fixed_digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

void put_digits(std::string& out, std::int64_t v, int width) {
  std::array<char, 24> buf{};
  std::size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (std::size_t i = n; i < static_cast<std::size_t>(width); ++i) out.push_back('0');
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace

std::optional<WallTime> parse_rfc3339(std::string_view text) {
  // Fixed layout up to the seconds: YYYY-MM-DDTHH:MM:SS (19 bytes).
  if (text.size() < 20) return std::nullopt;
  const int year = fixed_digits(text, 0, 4);
  const int month = fixed_digits(text, 5, 2);
  const int day = fixed_digits(text, 8, 2);
  const int hour = fixed_digits(text, 11, 2);
  const int minute = fixed_digits(text, 14, 2);
  int second = fixed_digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  const char sep = text[10];
  if (text[4] != '-' || text[7] != '-' || (sep != 'T' && sep != 't' && sep != ' ') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }

  std::size_t pos = 19;
  int millis = 0;
  if (text[pos] == '.') {
    ++pos;
    const std::size_t first = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      if (pos - first < 3) millis = millis * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == first) return std::nullopt;
    for (std::size_t i = pos - first; i < 3; ++i) millis *= 10;  // ".5" is 500 ms
  }
  if (second == 60) {
    // A leap second has no place on a POSIX time line: pin it to the end of second 59.
    second = 59;
    millis = 999;
  }

  if (pos >= text.size()) return std::nullopt;  // the offset is mandatory
  std::int64_t offset_ms = 0;
  const char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    ++pos;
  } else if (zone == '+' || zone == '-') {
    const int oh = fixed_digits(text, pos + 1, 2);
    const int om = fixed_digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || text[pos + 3] != ':' || oh > 23 || om > 59) return std::nullopt;
    offset_ms = (oh * kMsPerHour + om * kMsPerMinute) * (zone == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const std::int64_t local_ms = days_from_civil(year, month, day) * kMsPerDay + hour * kMsPerHour +
                                minute * kMsPerMinute + second * kMsPerSecond + millis;
  // Local time = UTC + offset, so UTC = local - offset.
  return wall_from_ms(local_ms - offset_ms);
}

std::string format_rfc3339(WallTime t) {
  const std::int64_t ms = to_ms(t);
  const std::int64_t days = floor_div(ms, kMsPerDay);
  // Not ms - days * kMsPerDay: for the earliest times that product is below the int64 range.
  std::int64_t rem = ms % kMsPerDay;
  if (rem < 0) rem += kMsPerDay;  // [0, kMsPerDay)
  const Civil c = civil_from_days(days);

  std::string out;
  out.reserve(24);
  // Years outside 0000-9999 cannot be written in RFC 3339; they come out with a sign or more
  // digits (ISO 8601 expanded style) rather than being clamped, and parse_rfc3339 refuses them.
  if (c.year < 0) out.push_back('-');
  put_digits(out, c.year < 0 ? -c.year : c.year, 4);
  out.push_back('-');
  put_digits(out, c.month, 2);
  out.push_back('-');
  put_digits(out, c.day, 2);
  out.push_back('T');
  put_digits(out, rem / kMsPerHour, 2);
  rem %= kMsPerHour;
  out.push_back(':');
  put_digits(out, rem / kMsPerMinute, 2);
  rem %= kMsPerMinute;
  out.push_back(':');
  put_digits(out, rem / kMsPerSecond, 2);
  rem %= kMsPerSecond;
  if (rem != 0) {
    out.push_back('.');
    put_digits(out, rem, 3);
  }
  out.push_back('Z');
  return out;
}

namespace {

struct DurationUnit {
  std::string_view name;
  std::int64_t ms;
};

// Largest first: format_duration walks this order, parse_duration requires it.
constexpr std::array<DurationUnit, 5> kUnits = {{
    {"d", kMsPerDay},
    {"h", kMsPerHour},
    {"m", kMsPerMinute},
    {"s", kMsPerSecond},
    {"ms", 1},
}};

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  if (text == "0") return Millis{0};
  if (text.empty()) return std::nullopt;

  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into kUnits: each unit at most once, largest first
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t first = pos;
    std::int64_t n = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      const int digit = text[pos] - '0';
      if (n > (kMax - digit) / 10) return std::nullopt;
      n = n * 10 + digit;
      ++pos;
    }
    if (pos == first || pos == text.size()) return std::nullopt;  // no number, or no unit

    // "ms" before "m": "1ms" is one millisecond, never a minute followed by a stray 's'.
    std::size_t unit = kUnits.size();
    if (text.substr(pos, 2) == "ms") {
      unit = 4;
    } else {
      for (std::size_t i = 0; i < 4; ++i) {
        if (text[pos] == kUnits[i].name[0]) unit = i;
      }
    }
    if (unit == kUnits.size() || unit < next_unit) return std::nullopt;
    pos += kUnits[unit].name.size();
    next_unit = unit + 1;

    if (n > kMax / kUnits[unit].ms) return std::nullopt;
    const std::int64_t part = n * kUnits[unit].ms;
    if (total > kMax - part) return std::nullopt;
    total += part;
  }
  return Millis{total};
}

std::string format_duration(Millis d) {
  std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::string out;
  // Negative durations never come out of parse_duration; they are written with a sign for
  // display. The magnitude is taken unsigned so the minimum int64 does not overflow.
  std::uint64_t rest = static_cast<std::uint64_t>(count);
  if (count < 0) {
    out.push_back('-');
    rest = 0 - rest;
  }
  for (const DurationUnit& u : kUnits) {
    const std::uint64_t unit_ms = static_cast<std::uint64_t>(u.ms);
    const std::uint64_t n = rest / unit_ms;
    if (n == 0) continue;
    rest -= n * unit_ms;
    out += std::to_string(n);
    out += u.name;
  }
  return out;
}

}  // namespace mend
