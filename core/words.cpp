#include "core/words.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace mend::words {

namespace {
constexpr std::int64_t kMsPerMinute = 60'000;
}  // namespace

std::string compact(Millis d) {
  d = std::max(d, Millis{0});
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (secs < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(secs));
  } else if (secs < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(secs / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(secs / 3600),
                  static_cast<long long>((secs % 3600) / 60));
  }
  return buf;
}

std::string duration(Millis d) {
  const std::int64_t m = std::max<std::int64_t>(0, d.count() / kMsPerMinute);
  if (m < 1) return "less than a minute";
  if (m < 120) return plural(m, "minute", "minutes");
  const std::int64_t rest = m % 60;
  return plural(m / 60, "hour", "hours") +
         (rest == 0 ? "" : " " + plural(rest, "minute", "minutes"));
}

std::string limit(Millis t) {
  if (t.count() % kMsPerMinute != 0) return format_duration(t);
  const std::int64_t m = t.count() / kMsPerMinute;
  return m < 120 ? std::to_string(m) : duration(t);
}

std::string minutes_or_compact(Millis d) {
  const auto whole = std::chrono::duration_cast<std::chrono::minutes>(d);
  if (whole.count() > 0 && whole == d) return std::to_string(whole.count()) + " min";
  return format_duration(d);
}

std::string money(double v) {
  char buf[48];
  if (std::abs(v - std::round(v)) < 0.005 && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string celsius(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f C", c);
  return buf;
}

}  // namespace mend::words
