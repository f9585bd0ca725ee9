// The venue's learning: what went wrong over a period and how the recovery went, compared with
// the period before; the failures that keep coming back to one table or area over weeks; and
// suggestions in plain words drawn from those numbers, each with the cases behind it.
//
// Everything here is computed from cases (the store's, opened in the periods asked about): a
// pure function of them, the period and the venue's local time, so the same cases always give
// the same answer and the tests can check it against a history with known causes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/case.hpp"
#include "core/employees.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct InsightsQuery {
  WallTime from;  // the period asked about: [from, to)
  WallTime to;
  // How the period reads in a sentence: "in the last 30 days", "this week".
  std::string period_words;
  // Only these cases count (unset: all of them).
  std::optional<CaseKind> kind;
  std::optional<EmployeeId> employee;
  std::string area;  // empty: every area
  // The minimum span looked at for repeats, ending at `to`: a repeat over weeks needs weeks to
  // show, even when the period asked about is today.
  Millis repeat_span = std::chrono::days(28);
};

// The nearest-rank 50th and 90th percentile of some durations, and how many there were.
struct Spread {
  int count = 0;
  std::optional<Millis> p50;
  std::optional<Millis> p90;
};
Spread spread(std::vector<Millis> v);

struct Measures {
  int cases = 0;
  std::map<std::string, int> by_kind;
  std::map<std::string, int> by_area;  // "" when a case has no area
  std::map<std::string, int> by_root_cause;
  std::array<int, 24> by_hour{};    // the venue's local hour the case opened in
  std::array<int, 7> by_weekday{};  // Monday first
  double compensation = 0;          // of plans approved, edited or run automatically
  Spread acknowledge;               // opened -> a person first took it up
  Spread act;                       // opened -> the plan was carried out
  Spread resolve;                   // opened -> resolved
  int surveys = 0;
  int satisfied = 0;  // surveys of 4 or 5
  std::optional<double> satisfaction;
  // What people did with the recommendations: rework is edited + rejected.
  int approved = 0;
  int edited = 0;
  int rejected = 0;
  int automatic = 0;
};

// The same failure at the same place in several different weeks.
struct Repeat {
  CaseKind kind = CaseKind::kTableNoOrder;
  std::string course;  // course.slow: which course ("main"), so slow mains are not starters
  std::string place;   // "table" or "area"
  std::string where;   // "T4", "terrace"
  int weeks = 0;       // distinct local weeks (Monday to Sunday) with one
  int tables = 0;      // distinct tables among its cases
  std::vector<std::string> cases;
  WallTime first;
  WallTime last;
  std::map<std::string, int> root_causes;
};

struct Suggestion {
  std::string id;    // stable for the same finding: "when:course.slow/main:fri,sat:19-20"
  std::string rule;  // when, where, rework, waiting
  std::string text;  // the finding and what to consider, in plain words
  EmployeeId employee = EmployeeId::kAnalyst;  // whose cases it is about
  std::string owner;                           // the role a task made from it goes to
  std::vector<std::string> evidence;           // the cases behind it
};

struct Insights {
  InsightsQuery query;
  WallTime previous_from;  // the period before, as long as the one asked about
  Measures current;
  Measures previous;
  std::vector<Repeat> repeats;  // most weeks first
  std::vector<Suggestion> suggestions;
};

// The venue's offset from UTC at a wall time (hours and weekdays are local).
using UtcOffsetAt = std::function<Millis(WallTime)>;

// At most this many repeats and suggestions are listed.
inline constexpr std::size_t kMaxRepeats = 20;
inline constexpr std::size_t kMaxSuggestions = 10;

// `cases`: at least those opened from the previous period's start (or `to - repeat_span`,
// whichever is earlier) to `to`; others are ignored.
Insights compute_insights(const InsightsQuery& q, const std::vector<Case>& cases,
                          const Roster& roster, const UtcOffsetAt& utc_offset);

// The earliest opening time compute_insights reads.
WallTime insights_reads_from(const InsightsQuery& q);

// `decision_of` (optional) adds a "decision" to each suggestion: what people did with it.
json::Object insights_to_json(
    const Insights& in, const std::function<json::Value(const Suggestion&)>& decision_of = nullptr);

// The weekly report: the insights of `week` (Monday to Monday) against the week before, the
// week's Monday as "week", and each employee with its record over the week. The tablet's
// printable report and the summary that goes to the venue group are both this.
json::Object weekly_report(
    const InsightsQuery& week, std::string_view monday, const std::vector<Case>& cases,
    const Roster& roster, const UtcOffsetAt& utc_offset,
    const std::function<json::Value(const Suggestion&)>& decision_of = nullptr);

}  // namespace mend
