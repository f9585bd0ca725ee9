#include "core/winback.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/policy.hpp"
#include "core/words.hpp"

namespace mend {
namespace {

constexpr Millis kDay = std::chrono::hours(24);
constexpr std::size_t kMinGaps = 3;  // fewer gaps do not show a habit

// Nearest rank: the smallest gap with at least `p` of them at or below it.
Millis rank(const std::vector<Millis>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto i = static_cast<std::size_t>(std::max(1.0, std::ceil(p * n)));
  return sorted[std::min(i, sorted.size()) - 1];
}

std::int64_t units(Millis d, Millis unit) {
  return std::max<std::int64_t>(1, (d + unit / 2) / unit);
}

// "every 2-3 weeks", "every 10 days", "every week".
std::string every(Millis low, Millis high) {
  const auto span = [](Millis d, Millis unit, std::string_view one, std::string_view many,
                       Millis other) {
    const std::int64_t a = units(d, unit);
    const std::int64_t b = units(other, unit);
    if (a == b) return a == 1 ? std::string(one) : std::to_string(a) + " " + std::string(many);
    return std::to_string(a) + "-" + std::to_string(b) + " " + std::string(many);
  };
  if (high < 14 * kDay) return "every " + span(low, kDay, "day", "days", high);
  if (high < 70 * kDay) return "every " + span(low, 7 * kDay, "week", "weeks", high);
  return "every " + span(low, 30 * kDay, "month", "months", high);
}

std::string first_name(const std::string& name) {
  const auto space = name.find(' ');
  return space == std::string::npos ? name : name.substr(0, space);
}

}  // namespace

std::string habit_span(Millis d) {
  if (d < 14 * kDay) return words::plural(units(d, kDay), "day", "days");
  if (d < 182 * kDay) return words::plural(units(d, 7 * kDay), "week", "weeks");
  if (d < 730 * kDay) return words::plural(units(d, 30 * kDay), "month", "months");
  return words::plural(units(d, 365 * kDay), "year", "years");
}

std::optional<Lapse> lapse_of(const GuestRecord& r, const GuestSettings& s, WallTime now,
                              std::string_view venue) {
  if (!r.latest || r.lapsed_flagged || r.visits < s.regular_visits) return std::nullopt;
  if (r.recent_visits.size() < kMinGaps + 1) return std::nullopt;
  std::vector<Millis> gaps;
  for (std::size_t i = 1; i < r.recent_visits.size(); ++i) {
    gaps.push_back(r.recent_visits[i] - r.recent_visits[i - 1]);
  }
  std::sort(gaps.begin(), gaps.end());
  Lapse l;
  l.customer = r.id;
  l.usual = rank(gaps, 0.5);
  l.low = rank(gaps, 0.25);
  l.high = rank(gaps, 0.75);
  l.absence = now - *r.latest;
  const auto factor_times =
      std::chrono::duration_cast<Millis>(std::chrono::duration<double, std::milli>(
          static_cast<double>(l.usual.count()) * s.winback_factor));
  if (l.absence <= s.winback_after || l.absence <= factor_times) return std::nullopt;

  const WallTime since = r.first_visit.value_or(r.recent_visits.front());
  l.evidence = "Came " + every(l.low, l.high) + " for " + habit_span(*r.latest - since) + " (" +
               words::plural(r.visits, "visit", "visits") + "); last visit " +
               habit_span(l.absence) + " ago";
  std::string issue;
  if (!r.latest_failures.empty()) {
    issue = std::string(failure_words(r.latest_failures.front()));
    l.evidence += "; that visit had " + issue;
  }
  l.evidence += ".";

  const std::string name = first_name(r.name);
  l.draft = (name.empty() ? std::string("Hello,") : "Dear " + name + ",") + " we have missed you" +
            (venue.empty() ? std::string() : " at " + std::string(venue)) + ".";
  if (!issue.empty()) {
    l.draft += " We know your last visit, with " + issue +
               ", was not what it should have been, and we are sorry.";
  }
  const std::string table = preferred_table(r);
  l.draft += " We would love to welcome you back: reply to this message and we will keep " +
             (table.empty() ? std::string("a good table") : "your usual table (" + table + ")") +
             " for you.";
  return l;
}

}  // namespace mend
