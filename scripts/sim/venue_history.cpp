#include "scripts/sim/venue_history.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "scripts/sim/sim_random.hpp"

namespace mend::sim {
namespace {

const Actor kStaff{"user:2", "staff"};
const Actor kManager{"user:1", "manager"};

struct Story {
  CaseKind kind = CaseKind::kTableNoOrder;
  std::string table;
  std::string course;
  std::string area;
  std::string device;
  std::string booking;
  Millis at{0};  // from the day's local midnight
  Millis taken_up_after = std::chrono::minutes(3);
  std::optional<Verdict> verdict = Verdict::kApprove;
  RootCause cause = RootCause::kProcess;
  double compensation = 0;
  std::optional<std::int64_t> satisfaction;
};

Millis clock_time(int h, int m) { return std::chrono::hours(h) + std::chrono::minutes(m); }

// What the staff did with it, as the recovery service would have recorded it: taken up, the
// plan judged by a manager, carried out, resolved with its cause.
Case handled(const Story& s, std::string id, WallTime opened) {
  Case c;
  c.id = std::move(id);
  c.kind = s.kind;
  c.subject.table = s.table;
  c.subject.course = s.course;
  c.subject.area = s.area;
  c.subject.device = s.device;
  c.subject.booking = s.booking;
  c.severity = Severity::kMedium;
  c.opened_at = opened;
  c.reason = std::string(failures_words(s.kind));
  c.recommendation = Recommendation{"apology_visit", "Visit the guest and apologise.", "manager"};
  c.evidence.push_back(Evidence{c.id + "-e", "history", opened, ""});
  c.facts.started = opened - std::chrono::minutes(10);
  c.facts.threshold = std::chrono::minutes(10);
  c.compensation = s.compensation;
  c.satisfaction = s.satisfaction;
  const WallTime taken = opened + s.taken_up_after;
  const WallTime judged = taken + std::chrono::minutes(2);
  const WallTime done = judged + std::chrono::minutes(40);
  c.history.push_back(Transition{CaseStatus::kOpen, CaseStatus::kAcknowledged, kStaff, taken, ""});
  c.history.push_back(Transition{CaseStatus::kAcknowledged, CaseStatus::kAwaitingApproval,
                                 kSystemActor, taken, ""});
  CaseStatus before_resolved = CaseStatus::kActioned;
  if (s.verdict) {
    CaseDecision d{*s.verdict, kManager, judged, "", {}, {}};
    if (*s.verdict == Verdict::kEdit) {
      d.before = c.recommendation;
      d.after = Recommendation{"apology_visit", "Visit the guest, apologise, offer a drink.", ""};
      c.recommendation = d.after;
    }
    if (*s.verdict == Verdict::kReject) {
      d.reason = "not needed";
      before_resolved = CaseStatus::kAcknowledged;
    }
    c.decisions.push_back(std::move(d));
  }
  c.history.push_back(
      Transition{CaseStatus::kAwaitingApproval, before_resolved, kManager, judged, ""});
  c.history.push_back(Transition{before_resolved, CaseStatus::kResolved, kStaff, done, ""});
  c.resolution = Resolution{s.cause, "", kStaff, done};
  c.status = CaseStatus::kResolved;
  c.updated_at = done;
  c.version = c.history.size() + c.decisions.size() + 1;
  return c;
}

// The story's cases on day `d` (weekday `w`, Monday 0).
std::vector<Story> story_of(int d, int w) {
  std::vector<Story> out;
  const auto slow_main = [](std::string table, std::string area, Millis at, RootCause cause,
                            std::optional<std::int64_t> satisfaction) {
    Story s;
    s.kind = CaseKind::kCourseSlow;
    s.table = std::move(table);
    s.course = "main";
    s.area = std::move(area);
    s.at = at;
    s.cause = cause;
    s.compensation = 8;
    s.satisfaction = satisfaction;
    return s;
  };
  if (w == 4)
    out.push_back(slow_main("T4", "restaurant", clock_time(19, 10), RootCause::kProcess, 4));
  if (w == 5) {
    out.push_back(slow_main("T4", "restaurant", clock_time(19, 10), RootCause::kProcess, 3));
    out.push_back(slow_main("T7", "restaurant", clock_time(19, 40), RootCause::kProcess, 2));
  }
  if (w == 1) {
    out.push_back(
        slow_main("T17", "terrace", clock_time(13, 15), RootCause::kProduct, std::nullopt));
  }
  if (w == 2) {
    Story s;
    s.kind = CaseKind::kTableNoOrder;
    s.table = "T12";
    s.area = "bar";
    s.at = clock_time(20, 30);
    s.taken_up_after = std::chrono::minutes(25);
    s.cause = RootCause::kPeople;
    out.push_back(s);
  }
  {
    Story s;
    s.kind = CaseKind::kArrivalUnseated;
    s.booking = "b-" + std::to_string(d);
    s.at = clock_time(18, 30);
    static constexpr std::array<Verdict, 3> kTurns{Verdict::kApprove, Verdict::kEdit,
                                                   Verdict::kReject};
    s.verdict = kTurns[static_cast<std::size_t>(d % 3)];
    s.cause = RootCause::kCommunication;
    s.compensation = 5;
    out.push_back(s);
  }
  if (d % 10 == 3) {
    Story s;
    s.kind = CaseKind::kTemperatureOutOfRange;
    s.device = "fridge-1";
    s.area = "kitchen";
    s.at = clock_time(15, 0);
    s.cause = RootCause::kProduct;
    out.push_back(s);
  }
  if (d % 3 == 0) {
    Story s;
    s.kind = CaseKind::kCallUnanswered;
    s.table = "T" + std::to_string(1 + (d / 3) % 10);
    s.area = "restaurant";
    s.at = clock_time(21, 0);
    s.cause = RootCause::kProcess;
    out.push_back(s);
  }
  return out;
}

// A busy venue's other cases: seeded, at any service hour, any table.
Story extra(Rng& rng) {
  static constexpr std::array<CaseKind, 5> kKinds{CaseKind::kTableNoOrder, CaseKind::kCourseSlow,
                                                  CaseKind::kBillSlow, CaseKind::kCallUnanswered,
                                                  CaseKind::kEnquiryUnanswered};
  static constexpr std::array<const char*, 3> kCourses{"starter", "main", "dessert"};
  static constexpr std::array<Verdict, 4> kVerdicts{Verdict::kApprove, Verdict::kApprove,
                                                    Verdict::kEdit, Verdict::kReject};
  Story s;
  s.kind = kKinds[rng.below(kKinds.size())];
  const int table = static_cast<int>(rng.between(1, 30));
  if (s.kind != CaseKind::kEnquiryUnanswered) {
    s.table = "T" + std::to_string(table);
    s.area = table <= 15 ? "restaurant" : table <= 22 ? "bar" : "terrace";
  }
  if (s.kind == CaseKind::kCourseSlow) s.course = kCourses[rng.below(kCourses.size())];
  s.at = clock_time(static_cast<int>(rng.between(12, 22)), static_cast<int>(rng.between(0, 59)));
  s.taken_up_after = std::chrono::minutes(rng.between(1, 15));
  s.verdict = kVerdicts[rng.below(kVerdicts.size())];
  s.cause = static_cast<RootCause>(rng.below(kRootCauseCount));
  s.compensation = static_cast<double>(rng.between(0, 3)) * 5;
  if (rng.below(4) == 0) s.satisfaction = rng.between(1, 5);
  return s;
}

}  // namespace

WallTime monday_before(WallTime t, Millis utc_offset) {
  const std::int64_t local_day = floor_div(to_ms(t) + utc_offset.count(), kMsPerDay);
  // 1970-01-01 was a Thursday: Monday-first weekday 3.
  const std::int64_t monday = local_day - (local_day + 3 - floor_div(local_day + 3, 7) * 7);
  return wall_from_ms(monday * kMsPerDay - utc_offset.count());
}

std::vector<Case> history_cases(const HistoryOptions& o) {
  std::vector<Case> out;
  Rng rng(splitmix64(o.seed));
  for (int d = 0; d < o.days; ++d) {
    const WallTime midnight = o.start + std::chrono::days(d);
    std::vector<Story> day = story_of(d, d % 7);
    for (int i = 0; i < o.extra_per_day; ++i) day.push_back(extra(rng));
    std::stable_sort(day.begin(), day.end(),
                     [](const Story& a, const Story& b) { return a.at < b.at; });
    int n = 0;
    for (const Story& s : day) {
      out.push_back(
          handled(s, "h" + std::to_string(d) + "-" + std::to_string(++n), midnight + s.at));
    }
  }
  return out;
}

}  // namespace mend::sim
