// The venue day and its summary: where a day begins and ends in local time, which days are due,
// and what the summary counts.
#include "core/daily_summary.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;

WallTime at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

constexpr int kSixAm = 6 * 60;

TEST(VenueDay, BeginsAtTheFirstShiftInLocalTime) {
  // 02:00 UTC on the 5th is still the 4th's venue day; 07:00 is the 5th's.
  EXPECT_EQ(venue_day_start(at("2026-12-05T02:00:00Z"), 0ms, kSixAm), at("2026-12-04T06:00:00Z"));
  EXPECT_EQ(venue_day_start(at("2026-12-05T06:00:00Z"), 0ms, kSixAm), at("2026-12-05T06:00:00Z"));
  EXPECT_EQ(venue_day_start(at("2026-12-05T07:00:00Z"), 0ms, kSixAm), at("2026-12-05T06:00:00Z"));
  // At UTC+2, 06:00 local is 04:00 UTC.
  EXPECT_EQ(venue_day_start(at("2026-12-05T05:00:00Z"), 2h, kSixAm), at("2026-12-05T04:00:00Z"));
  EXPECT_EQ(venue_day_start(at("2026-12-05T03:59:59Z"), 2h, kSixAm), at("2026-12-04T04:00:00Z"));
}

TEST(VenueDay, ADayIsDueOnceItHasEnded) {
  const WallTime through = at("2026-12-04T06:00:00Z");
  EXPECT_TRUE(summary_days_due(through, at("2026-12-05T05:59:59.999Z"), 0ms, kSixAm, 7).empty());
  const auto due = summary_days_due(through, at("2026-12-05T06:00:00Z"), 0ms, kSixAm, 7);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0], (SummaryDay{"2026-12-04", through, at("2026-12-05T06:00:00Z")}));
  // Nothing again once it is sent.
  EXPECT_TRUE(summary_days_due(due[0].to, at("2026-12-05T23:00:00Z"), 0ms, kSixAm, 7).empty());
}

TEST(VenueDay, DaysMissedWhileOffComeInOrderAndAtMostAWeek) {
  const auto three =
      summary_days_due(at("2026-12-01T06:00:00Z"), at("2026-12-04T09:00:00Z"), 0ms, kSixAm, 7);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0].day, "2026-12-01");
  EXPECT_EQ(three[2].day, "2026-12-03");
  EXPECT_EQ(three[2].to, at("2026-12-04T06:00:00Z"));
  const auto month =
      summary_days_due(at("2026-11-01T06:00:00Z"), at("2026-12-04T09:00:00Z"), 0ms, kSixAm, 7);
  ASSERT_EQ(month.size(), 7u);
  EXPECT_EQ(month.front().day, "2026-11-27");
  EXPECT_EQ(month.back().day, "2026-12-03");
}

Case a_case(std::string id, CaseKind kind, const char* opened) {
  Case c;
  c.id = std::move(id);
  c.kind = kind;
  c.opened_at = at(opened);
  c.updated_at = c.opened_at;
  return c;
}

TEST(DailySummary, CountsTheDaysCasesWhatPeopleDidAndWhatItCost) {
  const SummaryDay day{"2026-12-04", at("2026-12-04T06:00:00Z"), at("2026-12-05T06:00:00Z")};
  std::vector<Case> cases;
  // Resolved: approved, a 6.00 voucher, a follow-up delivered, people's cause.
  Case a = a_case("c-1", CaseKind::kTableNoOrder, "2026-12-04T19:00:00Z");
  a.decisions.push_back(CaseDecision{
      Verdict::kApprove, Actor{"user:1", "manager"}, at("2026-12-04T19:02:00Z"), "ok", {}, {}});
  a.compensation = 6;
  a.vouchers.push_back(Voucher{"V-1", 6, std::nullopt, ""});
  a.status = CaseStatus::kResolved;
  a.resolution =
      Resolution{RootCause::kPeople, "", Actor{"user:1", "manager"}, at("2026-12-04T19:20:00Z")};
  a.messages.push_back(GuestMessage{"c-1-m1", "voucher", at("2026-12-04T19:02:00Z"), "delivered",
                                    "", at("2026-12-04T19:03:00Z")});
  cases.push_back(a);
  // Still open at the day's end.
  cases.push_back(a_case("c-2", CaseKind::kTemperatureOutOfRange, "2026-12-05T01:00:00Z"));
  // Not this day's: before and after it.
  cases.push_back(a_case("c-0", CaseKind::kTableNoOrder, "2026-12-04T05:59:59Z"));
  cases.push_back(a_case("c-3", CaseKind::kTableNoOrder, "2026-12-05T06:00:00Z"));

  const json::Value s = daily_summary(day, cases, "EUR");
  const auto num = [&](const json::Value* v) {
    return v != nullptr ? v->as_double().value_or(-1) : -1;
  };
  EXPECT_EQ(*s.get("day")->as_string(), "2026-12-04");
  EXPECT_EQ(*s.get("from")->as_string(), "2026-12-04T06:00:00Z");
  EXPECT_EQ(num(s.get("cases")->get("raised")), 2);
  EXPECT_EQ(num(s.get("cases")->get("approved")), 1);
  EXPECT_EQ(num(s.get("cases")->get("resolved")), 1);
  EXPECT_EQ(num(s.get("cases")->get("compensation")), 6);
  EXPECT_EQ(num(s.get("cases")->get("median_resolve_s")), 20 * 60);
  EXPECT_EQ(num(s.get("still_open")), 1);
  EXPECT_EQ(num(s.get("kinds")->get("table.no_order")), 1);
  EXPECT_EQ(num(s.get("kinds")->get("temperature.out_of_range")), 1);
  EXPECT_EQ(num(s.get("root_causes")->get("people")), 1);
  EXPECT_EQ(num(s.get("vouchers")->get("issued")), 1);
  EXPECT_EQ(num(s.get("vouchers")->get("value")), 6);
  EXPECT_EQ(num(s.get("messages")->get("delivered")), 1);
  EXPECT_EQ(num(s.get("employees")->get("floor")->get("raised")), 1);
  EXPECT_EQ(num(s.get("employees")->get("kitchen_safety")->get("raised")), 1);
  EXPECT_EQ(s.get("employees")->get("host"), nullptr) << "an employee with nothing that day";
}

}  // namespace
}  // namespace mend

namespace mend {
namespace {

TEST(VenueWeek, EndsWithTheSundaysVenueDay) {
  const auto day = [](const char* date) { return SummaryDay{date, {}, {}}; };
  EXPECT_TRUE(ends_week(day("2026-12-06")));  // a Sunday
  EXPECT_FALSE(ends_week(day("2026-12-05")));
  EXPECT_FALSE(ends_week(day("2026-12-07")));
  EXPECT_EQ(monday_of_week(day("2026-12-06")), "2026-11-30");
  EXPECT_EQ(monday_of_week(day("2027-01-03")), "2026-12-28");
}

}  // namespace
}  // namespace mend
