// The venue simulator's options and text: thresholds by name, validation, the config snippet
// mendd needs for a run, and the JSON lines of --dry-run and --truth.
#include "scripts/sim/venue_sim.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace mend::sim {
namespace {

// ---- thresholds by name --------------------------------------------------------------------
struct DurationKey {
  std::string_view name;
  std::int64_t Thresholds::*field;
  bool zero_ok;
};
constexpr std::array<DurationKey, 14> kDurationKeys = {{
    {"table_no_order", &Thresholds::table_no_order, false},
    {"bill_slow", &Thresholds::bill_slow, false},
    {"call_unanswered", &Thresholds::call_unanswered, false},
    {"arrival_unseated", &Thresholds::arrival_unseated, false},
    {"enquiry_unanswered", &Thresholds::enquiry_unanswered, false},
    {"temperature_for", &Thresholds::temperature_for, false},
    {"device_offline", &Thresholds::device_offline, true},
    {"device_silence", &Thresholds::device_silence, true},
    {"pattern_window", &Thresholds::pattern_window, false},
    {"course_default", &Thresholds::course_default, false},
    {"course.starter", &Thresholds::course_starter, false},
    {"course.main", &Thresholds::course_main, false},
    {"course.dessert", &Thresholds::course_dessert, false},
    {"course.drinks", &Thresholds::course_drinks, false},
}};
struct CountKey {
  std::string_view name;
  int Thresholds::*field;
  int min;
  int max;
};
// review_max_rating stops at 3: a healthy review is rated 4 or 5, above it.
constexpr std::array<CountKey, 3> kCountKeys = {{
    {"review_max_rating", &Thresholds::review_max_rating, 0, 3},
    {"voids_count", &Thresholds::voids_count, 1, 1000},
    {"pattern_count", &Thresholds::pattern_count, 2, 1000},
}};

bool valid_venue(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string toml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_quote(items[i]);
  }
  return out + "]";
}

std::string degrees(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", c);
  return buf;
}

std::string plain_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

std::int64_t Thresholds::course(std::string_view name) const {
  if (name == "starter") return course_starter;
  if (name == "main") return course_main;
  if (name == "dessert") return course_dessert;
  if (name == "drinks") return course_drinks;
  return course_default;
}

std::optional<std::string> set_threshold(Thresholds& t, std::string_view key,
                                         std::string_view value) {
  for (const DurationKey& k : kDurationKeys) {
    if (k.name != key) continue;
    const auto ms = parse_duration_ms(value);
    if (!ms) {
      return "threshold " + std::string(key) + ": expected a duration such as \"10m\" or " +
             "\"1m30s\", got \"" + std::string(value) + "\"";
    }
    if (*ms == 0 && !k.zero_ok) return "threshold " + std::string(key) + " must be more than 0";
    t.*k.field = *ms;
    return std::nullopt;
  }
  for (const CountKey& k : kCountKeys) {
    if (k.name != key) continue;
    int n = 0;
    std::size_t used = 0;
    try {
      n = std::stoi(std::string(value), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || n < k.min || n > k.max) {
      return "threshold " + std::string(key) + ": expected an integer from " +
             std::to_string(k.min) + " to " + std::to_string(k.max) + ", got \"" +
             std::string(value) + "\"";
    }
    t.*k.field = n;
    return std::nullopt;
  }
  return "unknown threshold '" + std::string(key) + "' (known: " + toml_list(threshold_keys()) +
         ")";
}

std::vector<std::string> threshold_keys() {
  std::vector<std::string> out;
  out.reserve(kDurationKeys.size() + kCountKeys.size());
  for (const DurationKey& k : kDurationKeys) out.emplace_back(k.name);
  for (const CountKey& k : kCountKeys) out.emplace_back(k.name);
  return out;
}

std::optional<std::string> validate(const Options& o) {
  if (!valid_venue(o.venue)) return "venue must be 1-64 of a-z, 0-9 and '-'";
  if (!std::isfinite(o.pace) || o.pace <= 0 || o.pace > 100000) {
    return "pace must be more than 0 and at most 100000";
  }
  if (!(o.failure_rate >= 0 && o.failure_rate <= 1)) return "failure rate must be from 0 to 1";
  if (o.duration_ms < 10 * kMinute || o.duration_ms > 2 * kDay) {
    return "duration must be from 10m to 2d";
  }
  if (o.tables < 1 || o.tables > 500) return "tables must be from 1 to 500";
  if (o.start_wall_ms < 0) return "start wall time must be epoch milliseconds >= 0";
  const Thresholds& t = o.thresholds;
  for (const DurationKey& k : kDurationKeys) {
    const std::int64_t v = t.*k.field;
    if (v < 0 || (v == 0 && !k.zero_ok)) {
      return "threshold " + std::string(k.name) + " must be more than 0";
    }
    const std::int64_t at_pace = std::llround(static_cast<double>(v) / o.pace);
    if (v > 0 && at_pace < kMinScaledThresholdMs) {
      return "at pace " + plain_number(o.pace) + " threshold " + std::string(k.name) +
             " would be " + std::to_string(at_pace) + "ms, under " +
             std::to_string(kMinScaledThresholdMs) + "ms: use a lower pace";
    }
  }
  for (const CountKey& k : kCountKeys) {
    const int v = t.*k.field;
    if (v < k.min || v > k.max) {
      return "threshold " + std::string(k.name) + " must be from " + std::to_string(k.min) +
             " to " + std::to_string(k.max);
    }
  }
  const std::int64_t step = o.reading_interval_ms;
  if (step < kSecond) return "reading interval must be at least 1s";
  const auto within = [&](std::int64_t limit) {
    return static_cast<double>(step) <= kHealthyMax * static_cast<double>(limit);
  };
  if (t.device_silence > 0 && !within(t.device_silence)) {
    return "reading interval must be at most " + plain_number(kHealthyMax * 100) +
           "% of device_silence, or healthy readings would look like silence";
  }
  if (!within(t.temperature_for)) {
    return "reading interval must be at most " + plain_number(kHealthyMax * 100) +
           "% of temperature_for";
  }
  return std::nullopt;
}

std::string table_name(int number) { return "T" + std::to_string(number); }

std::string area_of_table(int number, int tables) {
  const int restaurant = (tables + 1) / 2;
  const int bar = restaurant + (tables - restaurant + 1) / 2;
  if (number <= restaurant) return "restaurant";
  if (number <= bar) return "bar";
  return "terrace";
}

std::string config_snippet(const Options& o) {
  const Thresholds& t = o.thresholds;
  const auto dur = [&](std::int64_t ms) {
    return json_quote(format_duration_ms(std::llround(static_cast<double>(ms) / o.pace)));
  };
  std::string s;
  s += "# Generated by venue-sim for venue \"" + o.venue + "\" at pace " + plain_number(o.pace) +
       ": every threshold is the\n# service-time value divided by the pace, so mendd sees a "
       "compressed evening with\n# compressed limits. Merge into mendd's config in place of its "
       "[detect], [[device]]\n# and [[area]] entries.\n";
  s += "[detect]\n";
  s += "table_no_order = " + dur(t.table_no_order) + "\n";
  s += "course_default = " + dur(t.course_default) + "\n";
  s += "bill_slow = " + dur(t.bill_slow) + "\n";
  s += "call_unanswered = " + dur(t.call_unanswered) + "\n";
  s += "arrival_unseated = " + dur(t.arrival_unseated) + "\n";
  s += "enquiry_unanswered = " + dur(t.enquiry_unanswered) + "\n";
  s += "temperature_low = 0.0\n";
  s += "temperature_high = 5.0\n";
  s += "temperature_for = " + dur(t.temperature_for) + "\n";
  s += "device_offline = " + dur(t.device_offline) + "\n";
  s += "device_silence = " + dur(t.device_silence) + "\n";
  s += "review_max_rating = " + std::to_string(t.review_max_rating) + "\n";
  s += "voids_count = " + std::to_string(t.voids_count) + "\n";
  s += "pattern_count = " + std::to_string(t.pattern_count) + "\n";
  s += "pattern_window = " + dur(t.pattern_window) + "\n";
  s += "\n[detect.course]\n";
  s += "starter = " + dur(t.course_starter) + "\n";
  s += "main = " + dur(t.course_main) + "\n";
  s += "dessert = " + dur(t.course_dessert) + "\n";
  s += "drinks = " + dur(t.course_drinks) + "\n";
  for (const DeviceSpec& d : devices()) {
    s += "\n[[device]]\n";
    s += "id = " + json_quote(d.id) + "\n";
    s += "kind = " + json_quote(d.kind) + "\n";
    s += "area = " + json_quote(d.area) + "\n";
    if (d.low) s += "low = " + degrees(*d.low) + "\n";
    if (d.high) s += "high = " + degrees(*d.high) + "\n";
    if (!d.watch_silence) s += "silence = \"0s\"  # sends only when pressed\n";
  }
  for (const std::string_view area : {"restaurant", "bar", "terrace"}) {
    std::vector<std::string> tables;
    for (int i = 1; i <= o.tables; ++i) {
      if (area_of_table(i, o.tables) == area) tables.push_back(table_name(i));
    }
    if (tables.empty()) continue;
    s += "\n[[area]]\n";
    s += "name = " + json_quote(area) + "\n";
    s += "tables = " + toml_list(tables) + "\n";
  }
  return s;
}

std::string message_json_line(const Message& m) {
  const bool is_json = !m.payload.empty() && m.payload.front() == '{';
  return JsonObject()
      .integer("at_ms", m.at_ms)
      .str("topic", m.topic)
      .integer("qos", m.qos)
      .boolean("retained", m.retained)
      .raw("payload", is_json ? m.payload : json_quote(m.payload))
      .text();
}

std::string truth_json_line(const TruthEntry& t, const Options& options) {
  JsonObject subject;
  for (const auto& [key, value] : t.subject) subject.str(key, value);
  return JsonObject()
      .str("kind", t.kind)
      .raw("subject", subject.text())
      .str("scope", t.scope)
      .integer("at_ms", t.at_ms)
      .str("at", format_rfc3339_ms(options.start_wall_ms + t.at_ms))
      .integer("started_ms", t.started_ms)
      .integer("threshold_ms", t.threshold_ms)
      .str("threshold", format_duration_ms(t.threshold_ms))
      .boolean("derived", t.derived)
      .str("cause", t.cause)
      .text();
}

std::string day_json_line(const DayTruth& d) {
  return JsonObject()
      .str("record", "day")
      .integer("day", d.day)
      .str("start", format_rfc3339_ms(d.start_wall_ms))
      .integer("weekday", d.weekday)
      .str("short_staffed", d.short_staffed)
      .number("short_staffed_factor", d.short_staffed_factor, 2)
      .integer("rush_ms", d.rush_ms)
      .text();
}

std::string visit_json_line(const VisitTruth& v, const Options& options) {
  std::string cases = "[";
  for (const std::string& c : v.cases) cases += (cases.size() > 1 ? "," : "") + json_quote(c);
  std::string causes = "[";
  for (const std::string& c : v.causes) causes += (causes.size() > 1 ? "," : "") + json_quote(c);
  return JsonObject()
      .str("record", "visit")
      .str("table", v.table)
      .str("area", v.area)
      .str("check", v.check)
      .str("booking", v.booking)
      .str("customer", v.customer)
      .boolean("regular", v.regular)
      .boolean("sensitive", v.sensitive)
      .integer("party", v.party)
      .integer("seated_ms", v.seated_ms)
      .str("seated", format_rfc3339_ms(options.start_wall_ms + v.seated_ms))
      .integer("cleared_ms", v.cleared_ms)
      .number("worst_wait", v.worst_wait, 3)
      .integer("survey", v.survey)
      .boolean("negative_review", v.negative_review)
      .boolean("ended_badly", v.ended_badly)
      .raw("cases", cases + "]")
      .raw("causes", causes + "]")
      .text();
}

}  // namespace mend::sim
