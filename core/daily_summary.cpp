#include "core/daily_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/employees.hpp"

namespace mend {
namespace {

// "2026-12-05" for a count of days since the epoch.
std::string date_of(std::int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

json::Object counts_to_json(const std::map<std::string, std::int64_t>& counts) {
  json::Object o;
  for (const auto& [k, n] : counts) o.append(k, n);
  return o;
}

}  // namespace

namespace {

std::int64_t day_number(const SummaryDay& d) {
  const auto t = parse_rfc3339(d.day + "T00:00:00Z");
  return t ? floor_div(to_ms(*t), kMsPerDay) : 0;
}

}  // namespace

bool ends_week(const SummaryDay& day) {
  // 1970-01-01 was a Thursday: Monday-first weekday 3, Sunday 6.
  const std::int64_t n = day_number(day);
  return n + 3 - floor_div(n + 3, 7) * 7 == 6;
}

std::string monday_of_week(const SummaryDay& day) { return date_of(day_number(day) - 6); }

WallTime venue_day_start(WallTime now, Millis utc_offset, int day_start_minutes) {
  const std::int64_t off = utc_offset.count();
  const std::int64_t start = day_start_minutes * kMsPerMinute;
  const std::int64_t local = to_ms(now) + off;
  const std::int64_t day = floor_div(local - start, kMsPerDay);
  return wall_from_ms(day * kMsPerDay + start - off);
}

std::vector<SummaryDay> summary_days_due(WallTime through, WallTime now, Millis utc_offset,
                                         int day_start_minutes, int max_days) {
  std::vector<SummaryDay> out;
  const std::int64_t off = utc_offset.count();
  const std::int64_t start = day_start_minutes * kMsPerMinute;
  // Local day numbers: the first day that began at or after `through`, up to the one that
  // ended by `now`.
  const std::int64_t first = floor_div(to_ms(through) + off - start + kMsPerDay - 1, kMsPerDay);
  const std::int64_t last = floor_div(to_ms(now) + off - start, kMsPerDay) - 1;
  for (std::int64_t d = std::max(first, last - max_days + 1); d <= last; ++d) {
    out.push_back(SummaryDay{date_of(d), wall_from_ms(d * kMsPerDay + start - off),
                             wall_from_ms((d + 1) * kMsPerDay + start - off)});
  }
  return out;
}

json::Value daily_summary(const SummaryDay& day, const std::vector<Case>& all,
                          std::string_view currency) {
  std::vector<Case> cases;
  for (const Case& c : all) {
    if (c.opened_at >= day.from && c.opened_at < day.to) cases.push_back(c);
  }
  std::map<std::string, std::int64_t> kinds;
  std::map<std::string, std::int64_t> causes;
  std::map<std::string, std::int64_t> messages;
  std::int64_t still_open = 0;
  std::int64_t vouchers = 0;
  double voucher_value = 0;
  for (const Case& c : cases) {
    ++kinds[std::string(case_kind_name(c.kind))];
    if (c.resolution) ++causes[std::string(root_cause_name(c.resolution->root_cause))];
    if (c.status != CaseStatus::kResolved && c.status != CaseStatus::kClosed &&
        c.status != CaseStatus::kFollowUp) {
      ++still_open;
    }
    for (const auto& v : c.vouchers) {
      ++vouchers;
      voucher_value += v.value;
    }
    for (const auto& m : c.messages) ++messages[m.status];
  }
  json::Object o;
  o.append("day", day.day);
  o.append("from", format_rfc3339(day.from));
  o.append("to", format_rfc3339(day.to));
  o.append("currency", currency);
  o.append("cases", track_record_to_json(track_record(std::nullopt, cases)));
  o.append("still_open", still_open);
  o.append("kinds", counts_to_json(kinds));
  o.append("root_causes", counts_to_json(causes));
  json::Object v;
  v.append("issued", vouchers);
  v.append("value", voucher_value);
  o.append("vouchers", std::move(v));
  o.append("messages", counts_to_json(messages));
  json::Object employees;
  for (int i = 0; i < kEmployeeCount; ++i) {
    const auto e = static_cast<EmployeeId>(i);
    const TrackRecord r = track_record(e, cases);
    if (r.raised > 0) employees.append(std::string(employee_name(e)), track_record_to_json(r));
  }
  o.append("employees", std::move(employees));
  return o;
}

}  // namespace mend
