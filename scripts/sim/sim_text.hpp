// Text the simulator writes and reads: JSON objects, RFC 3339 times and mendd's durations.
// Kept apart from the project's core so the simulator checks mendd from the outside: the
// tests parse what is written here with the core's own JSON and time code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mend::sim {

inline constexpr std::int64_t kSecond = 1000;
inline constexpr std::int64_t kMinute = 60 * kSecond;
inline constexpr std::int64_t kHour = 60 * kMinute;
inline constexpr std::int64_t kDay = 24 * kHour;

// A JSON string literal, quotes included.
std::string json_quote(std::string_view s);

// A JSON object built field by field, in order. Values are kept as JSON text, so objects nest
// by adding one's text() to another with raw().
class JsonObject {
 public:
  JsonObject& str(std::string_view key, std::string_view value);
  JsonObject& integer(std::string_view key, std::int64_t value);
  // A fixed number of decimals: prices and temperatures read as people write them.
  JsonObject& number(std::string_view key, double value, int decimals);
  JsonObject& boolean(std::string_view key, bool value);
  JsonObject& raw(std::string_view key, std::string json);

  bool empty() const { return fields_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  std::string text() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// "2026-11-22T19:42:10.123Z": always with milliseconds, always UTC.
std::string format_rfc3339_ms(std::int64_t epoch_ms);

// mendd's duration syntax: <integer><unit> groups, largest unit first, units d h m s ms
// ("10m", "1m30s", "250ms"); "0" and "0s" are zero. nullopt when malformed.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// The shortest exact form: 90000 -> "1m30s", 0 -> "0s".
std::string format_duration_ms(std::int64_t ms);

}  // namespace mend::sim
