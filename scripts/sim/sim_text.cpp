#include "scripts/sim/sim_text.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace mend::sim {

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);  // UTF-8 passes through as is
        }
    }
  }
  out.push_back('"');
  return out;
}

JsonObject& JsonObject::str(std::string_view key, std::string_view value) {
  fields_.emplace_back(std::string(key), json_quote(value));
  return *this;
}

JsonObject& JsonObject::integer(std::string_view key, std::int64_t value) {
  fields_.emplace_back(std::string(key), std::to_string(value));
  return *this;
}

JsonObject& JsonObject::number(std::string_view key, double value, int decimals) {
  // A value that rounds to zero is written as zero, never "-0.0".
  if (std::fabs(value) < 0.5 / std::pow(10.0, decimals)) value = 0.0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  fields_.emplace_back(std::string(key), buf);
  return *this;
}

JsonObject& JsonObject::boolean(std::string_view key, bool value) {
  fields_.emplace_back(std::string(key), value ? "true" : "false");
  return *this;
}

JsonObject& JsonObject::raw(std::string_view key, std::string json) {
  fields_.emplace_back(std::string(key), std::move(json));
  return *this;
}

std::string JsonObject::text() const {
  std::string out = "{";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += json_quote(fields_[i].first);
    out.push_back(':');
    out += fields_[i].second;
  }
  out.push_back('}');
  return out;
}

namespace {

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm), valid far beyond any
// service this tool plays.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct Unit {
  std::string_view name;
  std::int64_t ms;
};
// Largest first: the formatter walks this order and the parser requires it, as mendd does.
constexpr std::array<Unit, 5> kUnits{{
    {"d", kDay},
    {"h", kHour},
    {"m", kMinute},
    {"s", kSecond},
    {"ms", 1},
}};

}  // namespace

std::string format_rfc3339_ms(std::int64_t epoch_ms) {
  const std::int64_t days = floor_div(epoch_ms, kDay);
  const std::int64_t in_day = epoch_ms - days * kDay;
  int y = 0;
  unsigned mo = 0;
  unsigned d = 0;
  civil_from_days(days, y, mo, d);
  const auto h = static_cast<int>(in_day / kHour);
  const auto mi = static_cast<int>(in_day % kHour / kMinute);
  const auto s = static_cast<int>(in_day % kMinute / kSecond);
  const auto ms = static_cast<int>(in_day % kSecond);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
  return buf;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty()) return std::nullopt;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t next_unit = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t first = pos;
    std::int64_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      const int digit = text[pos] - '0';
      if (n > (kMax - digit) / 10) return std::nullopt;
      n = n * 10 + digit;
      ++pos;
    }
    if (pos == first || pos == text.size()) return std::nullopt;
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
  return total;
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms <= 0) return "0s";
  std::string out;
  for (const Unit& u : kUnits) {
    const std::int64_t n = ms / u.ms;
    if (n == 0) continue;
    ms -= n * u.ms;
    out += std::to_string(n);
    out += u.name;
  }
  return out;
}

}  // namespace mend::sim
