#include "core/risk_features.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace mend::risk {
namespace {

constexpr std::array<FeatureInfo, kFeatureCount> kInfo{{
    {"order_wait", "seated and no order yet: elapsed time over the table.no_order threshold"},
    {"course_wait",
     "the longest-waiting course fired and not served: elapsed time over its threshold"},
    {"bill_wait", "bill asked for and not brought: elapsed time over the bill.slow threshold"},
    {"party", "covers at the table"},
    {"booking_value", "the booking's expected spend (0 for a walk-in or when not given)"},
    {"guest_tier", "the guest's tier: 0 new, 1 returning, 2 regular, 3 VIP"},
    {"last_visit_failed", "1 when the guest's previous visit had a case"},
    {"kitchen_load", "courses fired and not served across the venue"},
    {"area_open_cases",
     "cases still on the floor (not resolved or in follow-up) in the table's area"},
    {"area_patterns", "recurring-problem cases about the table's area in the last 24 hours"},
    {"hour", "the local hour of day, with minutes as a fraction"},
    {"weekend", "1 on a Friday or Saturday (local time)"},
    {"table_failure_rate",
     "the table's past visits that ended badly, over its visits plus 5 (little history counts "
     "as low)"},
    {"fired_load",
     "the kitchen's load when the longest-waiting course was fired: courses then in flight (0 "
     "with no course waiting)"},
    {"guest_failure_rate",
     "the guest's past visits that ended badly, over their visits plus 5 (0 for a guest "
     "nobody named)"},
    {"seated_for",
     "minutes since the table was seated: the longer a visit has gone well, the less of it is "
     "left to go wrong"},
    {"kitchen_crowding",
     "courses in flight across the venue, squared over 10: a kitchen slows faster the fuller "
     "it is"},
    {"fired_crowding",
     "the kitchen's load when the longest-waiting course was fired, squared "
     "over 10 (0 with no course waiting)"},
    {"area_pace",
     "the mean share of its threshold each of the area's latest 5 order and bill waits took, "
     "in the last 3 hours (0 before any ended)"},
}};

constexpr std::int64_t kLookBackPatternsMs = kMsPerDay;
constexpr double kCrowdingScale = 10;

double ratio(Millis elapsed, Millis threshold) {
  if (threshold.count() <= 0) return 0;
  return std::max(0.0,
                  static_cast<double>(elapsed.count()) / static_cast<double>(threshold.count()));
}

std::string minutes_words(Millis d) {
  const auto m = std::max<std::int64_t>(0, d.count() / kMsPerMinute);
  return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}

std::string number_words(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string_view tier_words(GuestTier t) {
  switch (t) {
    case GuestTier::kNew: return "new guest";
    case GuestTier::kReturning: return "returning guest";
    case GuestTier::kRegular: return "regular guest";
    case GuestTier::kVip: return "VIP guest";
  }
  return "guest";
}

}  // namespace

const std::array<FeatureInfo, kFeatureCount>& feature_info() { return kInfo; }

std::vector<std::string> feature_names() {
  std::vector<std::string> out;
  out.reserve(kFeatureCount);
  for (const auto& f : kInfo) out.emplace_back(f.name);
  return out;
}

const TableTimer* longest_wait(const TableView& t, CaseKind kind, WallTime now) {
  const TableTimer* best = nullptr;
  double worst = -1;
  for (const auto& timer : t.timers) {
    if (timer.kind != kind) continue;
    const double r = ratio(now - timer.started, timer.threshold);
    if (r > worst) {
      worst = r;
      best = &timer;
    }
  }
  return best;
}

Feature told_as(Feature f) {
  switch (f) {
    case Feature::kKitchenCrowding: return Feature::kKitchenLoad;
    case Feature::kFiredCrowding: return Feature::kFiredLoad;
    default: return f;
  }
}

void AreaPace::observe(const std::vector<TableView>& floor, WallTime now) {
  std::map<std::string, Wait> open;
  for (const auto& t : floor) {
    for (const auto& timer : t.timers) {
      if (timer.kind != CaseKind::kTableNoOrder && timer.kind != CaseKind::kBillSlow) continue;
      open.emplace(t.table + "|" + std::string(case_kind_name(timer.kind)) + "|" +
                       std::to_string(to_ms(timer.started)),
                   Wait{t.area, timer.started, timer.threshold});
    }
  }
  for (const auto& [key, w] : open_) {
    if (open.count(key) != 0 || w.area.empty()) continue;
    auto& latest = ended_[w.area];
    latest.emplace_back(now, ratio(now - w.started, w.threshold));
    if (latest.size() > kKept) latest.erase(latest.begin());
  }
  open_ = std::move(open);
}

std::map<std::string, double> AreaPace::paces(WallTime now) const {
  std::map<std::string, double> out;
  for (const auto& [area, latest] : ended_) {
    double sum = 0;
    int n = 0;
    for (const auto& [at, share] : latest) {
      if (now - at > kWithin) continue;
      sum += share;
      ++n;
    }
    if (n > 0) out[area] = sum / n;
  }
  return out;
}

double TableHistory::rate() const {
  return static_cast<double>(bad) / static_cast<double>(visits + kHistoryPrior);
}

VenueLoad venue_load(const std::vector<TableView>& tables, const CaseBook& cases,
                     const std::unordered_map<std::string, std::string>& table_area, WallTime now) {
  VenueLoad load;
  for (const auto& t : tables) {
    load.courses_in_flight += static_cast<std::int64_t>(t.courses_waiting.size());
  }
  // One pass over the case book: recurring problems of the last day, and the cases still on
  // the floor (a case in follow-up or resolved has been dealt with there).
  const WallTime since = now - Millis(kLookBackPatternsMs);
  for (const Case* c : cases.list(CaseFilter{})) {
    const bool pattern = c->kind == CaseKind::kPatternRecurring && c->opened_at >= since;
    const bool on_floor = c->status != CaseStatus::kClosed && c->status != CaseStatus::kFollowUp &&
                          c->status != CaseStatus::kResolved;
    if (!pattern && !on_floor) continue;
    const std::string* area = &c->subject.area;
    if (area->empty() && !c->subject.table.empty()) {
      if (auto it = table_area.find(c->subject.table); it != table_area.end()) area = &it->second;
    }
    if (area->empty()) continue;
    if (pattern) ++load.patterns[*area];
    if (on_floor) ++load.open_cases[*area];
  }
  return load;
}

Features table_features(const TableFacts& f, const VenueLoad& load, WallTime now,
                        Millis utc_offset) {
  Features x{};
  const TableView& t = *f.table;
  auto wait = [&](CaseKind kind) {
    const TableTimer* timer = longest_wait(t, kind, now);
    return timer != nullptr ? ratio(now - timer->started, timer->threshold) : 0.0;
  };
  auto at = [&](Feature which) -> double& { return x.at(static_cast<std::size_t>(which)); };
  at(Feature::kOrderWait) = wait(CaseKind::kTableNoOrder);
  at(Feature::kCourseWait) = wait(CaseKind::kCourseSlow);
  at(Feature::kBillWait) = wait(CaseKind::kBillSlow);
  at(Feature::kParty) = static_cast<double>(t.party);
  at(Feature::kBookingValue) = t.value;
  at(Feature::kGuestTier) = static_cast<double>(f.guest.tier);
  at(Feature::kLastVisitFailed) = f.guest.last_visit_failures.empty() ? 0.0 : 1.0;
  at(Feature::kKitchenLoad) = static_cast<double>(load.courses_in_flight);
  auto count_in = [&](const std::map<std::string, std::int64_t>& m) {
    auto it = m.find(t.area);
    return it == m.end() ? 0.0 : static_cast<double>(it->second);
  };
  at(Feature::kAreaOpenCases) = count_in(load.open_cases);
  at(Feature::kAreaPatterns) = count_in(load.patterns);
  const std::int64_t local = (now.time_since_epoch() + utc_offset).count();
  const std::int64_t in_day = ((local % kMsPerDay) + kMsPerDay) % kMsPerDay;
  at(Feature::kHour) = static_cast<double>(in_day) / static_cast<double>(kMsPerHour);
  // 1970-01-01 was a Thursday: day 0 is weekday 4 (Sunday 0).
  const std::int64_t day = (local - in_day) / kMsPerDay;
  const std::int64_t weekday = ((day + 4) % 7 + 7) % 7;
  at(Feature::kWeekend) = (weekday == 5 || weekday == 6) ? 1.0 : 0.0;
  at(Feature::kTableFailureRate) = f.history.rate();
  at(Feature::kFiredLoad) = t.courses_waiting.empty() ? 0.0 : static_cast<double>(f.fired_load);
  at(Feature::kGuestFailureRate) = f.guest_history.rate();
  at(Feature::kSeatedFor) =
      t.seated ? static_cast<double>(std::max<std::int64_t>(0, (now - t.seated_at).count())) /
                     static_cast<double>(kMsPerMinute)
               : 0.0;
  at(Feature::kKitchenCrowding) =
      at(Feature::kKitchenLoad) * at(Feature::kKitchenLoad) / kCrowdingScale;
  at(Feature::kFiredCrowding) = at(Feature::kFiredLoad) * at(Feature::kFiredLoad) / kCrowdingScale;
  auto pace = load.pace.find(t.area);
  at(Feature::kAreaPace) = pace == load.pace.end() ? 0.0 : pace->second;
  return x;
}

std::string feature_words(Feature which, const Features& x, const TableFacts& f, WallTime now) {
  const TableView& t = *f.table;
  const double v = x.at(static_cast<std::size_t>(which));
  switch (which) {
    case Feature::kOrderWait: {
      const TableTimer* timer = longest_wait(t, CaseKind::kTableNoOrder, now);
      return timer == nullptr
                 ? ""
                 : "seated " + minutes_words(now - timer->started) + " ago with no order";
    }
    case Feature::kCourseWait: {
      const TableTimer* timer = longest_wait(t, CaseKind::kCourseSlow, now);
      if (timer == nullptr) return "";
      const std::string course = timer->course.empty() ? "a course" : timer->course;
      return course + " fired " + minutes_words(now - timer->started) + " ago";
    }
    case Feature::kBillWait: {
      const TableTimer* timer = longest_wait(t, CaseKind::kBillSlow, now);
      return timer == nullptr ? ""
                              : "bill asked for " + minutes_words(now - timer->started) + " ago";
    }
    case Feature::kParty: return "party of " + number_words(v);
    case Feature::kBookingValue: return v > 0 ? "booking worth " + number_words(v) : std::string();
    case Feature::kGuestTier:
      return f.guest.tier == GuestTier::kNew ? std::string()
                                             : std::string(tier_words(f.guest.tier));
    case Feature::kLastVisitFailed:
      if (f.guest.last_visit_failures.empty()) return "";
      return "last visit had " + std::string(failures_words(f.guest.last_visit_failures.front()));
    case Feature::kKitchenLoad:
      return "the kitchen at " + number_words(v) + (v == 1 ? " course" : " courses") + " in flight";
    case Feature::kAreaOpenCases:
      if (v <= 0) return "";
      return number_words(v) + (v == 1 ? " open case in " : " open cases in ") + t.area;
    case Feature::kAreaPatterns:
      return v > 0 ? "a recurring problem in " + t.area + " today" : std::string();
    case Feature::kHour: {
      char buf[16];
      const auto minutes = static_cast<int>(v * 60);
      std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 24, minutes % 60);
      return std::string("at ") + buf;
    }
    case Feature::kWeekend: return v > 0 ? "a weekend evening" : std::string();
    case Feature::kTableFailureRate:
      if (f.history.bad == 0) return "";
      return "this table's visits went wrong " + std::to_string(f.history.bad) + " times in " +
             std::to_string(f.history.visits);
    case Feature::kFiredLoad:
      if (v <= 0) return "";
      return "fired with the kitchen at " + number_words(v) + (v == 1 ? " course" : " courses");
    case Feature::kGuestFailureRate:
      if (f.guest_history.bad == 0) return "";
      return "the guest's visits went wrong " + std::to_string(f.guest_history.bad) + " times in " +
             std::to_string(f.guest_history.visits);
    case Feature::kSeatedFor:
      return (v < 1 ? std::string("just seated")
                    : "seated " + minutes_words(now - t.seated_at) + " ago") +
             ", most of the visit to come";
    case Feature::kKitchenCrowding:
    case Feature::kFiredCrowding: return feature_words(told_as(which), x, f, now);
    case Feature::kAreaPace: {
      if (v <= 0) return "";
      const auto percent = static_cast<long>(std::lround(v * 100));
      return "orders and bills in " + t.area + " taking " + std::to_string(percent) +
             "% of their limits";
    }
  }
  return "";
}

Feature top_reason(const std::vector<double>& contributions) {
  const std::vector<double> told = told_contributions(contributions);
  return static_cast<Feature>(std::max_element(told.begin(), told.end()) - told.begin());
}

std::vector<double> told_contributions(const std::vector<double>& contributions) {
  std::vector<double> told(kFeatureCount, 0.0);
  for (std::size_t i = 0; i < std::min(contributions.size(), kFeatureCount); ++i) {
    told[static_cast<std::size_t>(told_as(static_cast<Feature>(i)))] += contributions[i];
  }
  return told;
}

std::string reasons(const Features& x, const std::vector<double>& by_feature, const TableFacts& t,
                    WallTime now, std::size_t top) {
  const std::vector<double> contributions = told_contributions(by_feature);
  std::vector<std::size_t> order(kFeatureCount);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return contributions[a] > contributions[b];
  });
  std::string out;
  std::size_t told = 0;
  for (std::size_t i : order) {
    if (told == top || contributions[i] <= 0) break;
    std::string words = feature_words(static_cast<Feature>(i), x, t, now);
    if (words.empty()) continue;
    out += (out.empty() ? "" : "; ") + words;
    ++told;
  }
  return out;
}

}  // namespace mend::risk
