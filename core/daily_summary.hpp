// The venue's day, once, for the venue group: what went wrong, what people did about it and
// what it cost. The day runs from the first shift start (PolicyConfig::shift_starts, local
// time) to the next day's; the summary goes out at its end, on mend/v1/<group>/<venue>/summary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct SummaryDay {
  std::string day;  // the local date the day began on, "2026-12-05"
  WallTime from;
  WallTime to;
  bool operator==(const SummaryDay&) const = default;
};

// The start of the venue day that holds `now`: local midnight plus `day_start_minutes`.
WallTime venue_day_start(WallTime now, Millis utc_offset, int day_start_minutes);

// The days that ended after `through` and by `now`, oldest first; at most `max_days` (the
// newest), so a box that was off for a month does not send a month of empty days.
std::vector<SummaryDay> summary_days_due(WallTime through, WallTime now, Millis utc_offset,
                                         int day_start_minutes, int max_days);

// Whether `day` is the last of its week (a Sunday): the week's summary goes out with its own.
bool ends_week(const SummaryDay& day);
// The Monday that began the week `day` ends ("2026-11-30" for "2026-12-06").
std::string monday_of_week(const SummaryDay& day);

// The summary of `day` from `cases` (those opened in it; others are ignored).
json::Value daily_summary(const SummaryDay& day, const std::vector<Case>& cases,
                          std::string_view currency);

}  // namespace mend
