// The learning view's numbers, on the simulator's history (scripts/sim/venue_history.hpp),
// whose story is fixed: every answer below is worked out by hand from that story, not read back
// from the code under test.
#include "core/insights.hpp"

#include "core/config.hpp"
#include "core/learning.hpp"
#include "core/service.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "scripts/sim/venue_history.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

// A Monday.
const WallTime kStart = *parse_rfc3339("2026-09-07T00:00:00Z");

std::vector<Case> history(int days, Millis utc_offset = 0ms) {
  sim::HistoryOptions o;
  o.start = kStart - utc_offset;
  o.days = days;
  o.utc_offset = utc_offset;
  return sim::history_cases(o);
}

UtcOffsetAt fixed(Millis offset) {
  return [offset](WallTime) { return offset; };
}

InsightsQuery days(int from, int to, std::string words) {
  InsightsQuery q;
  q.from = kStart + std::chrono::days(from);
  q.to = kStart + std::chrono::days(to);
  q.period_words = std::move(words);
  return q;
}

int count_of(const std::map<std::string, int>& m, const std::string& key) {
  const auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

std::vector<std::string> texts(const Insights& in) {
  std::vector<std::string> out;
  for (const auto& s : in.suggestions) out.push_back(s.text);
  return out;
}

TEST(Insights, SixtyDaysOfHistoryCountAsTheStoryTellsThem) {
  const auto cases = history(60);
  const Insights in =
      compute_insights(days(0, 60, "in these 60 days"), cases, Roster(), fixed(0ms));
  const Measures& m = in.current;
  // Slow mains: 8 Fridays + 8 Saturdays at T4, 8 Saturdays at T7, 9 Tuesdays at T17.
  EXPECT_EQ(count_of(m.by_kind, "course.slow"), 33);
  EXPECT_EQ(count_of(m.by_kind, "arrival.unseated"), 60);
  EXPECT_EQ(count_of(m.by_kind, "table.no_order"), 9);            // Wednesdays
  EXPECT_EQ(count_of(m.by_kind, "temperature.out_of_range"), 6);  // days 3, 13, ... 53
  EXPECT_EQ(count_of(m.by_kind, "call.unanswered"), 20);          // every third day
  EXPECT_EQ(m.cases, 128);
  EXPECT_EQ(m.by_hour[19], 24);
  EXPECT_EQ(m.by_hour[13], 9);
  EXPECT_EQ(m.by_hour[18], 60);
  EXPECT_EQ(m.by_hour[21], 20);
  // Saturdays: 8 arrivals, 16 slow mains, the fridge on day 33, calls on days 12, 33 and 54.
  EXPECT_EQ(m.by_weekday[5], 28);
  EXPECT_EQ(count_of(m.by_root_cause, "process"), 44);
  EXPECT_EQ(count_of(m.by_root_cause, "product"), 15);
  EXPECT_EQ(count_of(m.by_root_cause, "people"), 9);
  EXPECT_EQ(count_of(m.by_root_cause, "communication"), 60);
  EXPECT_EQ(count_of(m.by_area, "restaurant"), 44);
  EXPECT_EQ(count_of(m.by_area, ""), 60);
  // Everything taken up after 3 minutes but T12's 9 (25 minutes): under one in ten.
  EXPECT_EQ(m.acknowledge.count, 128);
  EXPECT_EQ(m.acknowledge.p50, 3min);
  EXPECT_EQ(m.acknowledge.p90, 3min);
  // The 20 rejected arrivals were never carried out; the rest 2 minutes after being taken up.
  EXPECT_EQ(m.act.count, 108);
  EXPECT_EQ(m.act.p90, 5min);
  EXPECT_EQ(m.resolve.p50, 45min);
  // Approved and edited plans: 33 slow mains at 8, 40 arrivals at 5.
  EXPECT_DOUBLE_EQ(m.compensation, 464);
  EXPECT_EQ(m.approved, 88);
  EXPECT_EQ(m.edited, 20);
  EXPECT_EQ(m.rejected, 20);
  // Surveys after the weekend's slow mains: 4 on Fridays, 3 and 2 on Saturdays.
  EXPECT_EQ(m.surveys, 24);
  EXPECT_EQ(m.satisfied, 8);
  EXPECT_DOUBLE_EQ(*m.satisfaction, 3.0);
}

TEST(Insights, ThePeriodBeforeIsAsLongAndComesRightBefore) {
  const auto cases = history(60);
  const Insights in =
      compute_insights(days(30, 60, "in these 30 days"), cases, Roster(), fixed(0ms));
  EXPECT_EQ(in.previous_from, kStart);
  // Days 0-29: 17 slow mains, 4 Wednesdays, 30 arrivals, 3 fridge alarms, 10 calls.
  EXPECT_EQ(in.previous.cases, 64);
  EXPECT_EQ(in.current.cases, 64);
  EXPECT_EQ(count_of(in.previous.by_kind, "course.slow"), 17);
  EXPECT_EQ(count_of(in.current.by_kind, "course.slow"), 16);
}

TEST(Insights, RepeatsAreTheSameFailureAtOnePlaceInDifferentWeeks) {
  const auto cases = history(60);
  const Insights in =
      compute_insights(days(0, 60, "in these 60 days"), cases, Roster(), fixed(0ms));
  std::vector<std::string> got;
  for (const Repeat& r : in.repeats) {
    got.push_back(std::string(case_kind_name(r.kind)) + " " + r.place + " " + r.where + " " +
                  std::to_string(r.weeks) + "w " + std::to_string(r.cases.size()));
  }
  const std::vector<std::string> first_nine{"call.unanswered area restaurant 9w 20",
                                            "table.no_order area bar 9w 9",
                                            "table.no_order table T12 9w 9",
                                            "course.slow area terrace 9w 9",
                                            "course.slow table T17 9w 9",
                                            "course.slow area restaurant 8w 24",
                                            "course.slow table T4 8w 16",
                                            "course.slow table T7 8w 8",
                                            "temperature.out_of_range area kitchen 6w 6"};
  ASSERT_EQ(got.size(), 19u);  // and T1..T10's calls, each twice, 30 days apart
  EXPECT_EQ(std::vector<std::string>(got.begin(), got.begin() + 9), first_nine);
  EXPECT_EQ(got.back(), "call.unanswered table T9 2w 2");
  EXPECT_EQ(in.repeats[6].course, "main");
  EXPECT_EQ(in.repeats[6].root_causes.at("process"), 16);
}

TEST(Insights, TodayStillSeesTheRepeatsOfTheWeeksBefore) {
  const auto cases = history(60);
  // Day 58 is a Wednesday: T12 waits to order at 20:30.
  const Insights in = compute_insights(days(58, 59, "today"), cases, Roster(), fixed(0ms));
  EXPECT_EQ(in.current.cases, 2);  // that and the arrival at 18:30
  const auto t12 = std::find_if(in.repeats.begin(), in.repeats.end(),
                                [](const Repeat& r) { return r.where == "T12"; });
  ASSERT_NE(t12, in.repeats.end());
  EXPECT_EQ(t12->weeks, 4);  // the 28 days to the end of day 58 hold the Wednesdays 37..58
}

TEST(Insights, SuggestionsSayWhatTheNumbersShowAndWhatToConsider) {
  const auto cases = history(60);
  const Insights in =
      compute_insights(days(0, 60, "in these 60 days"), cases, Roster(), fixed(0ms));
  const std::vector<std::string> want{
      "9 of the 9 tables waiting to order in these 60 days were on Wednesday between 20:00 and "
      "21:00; 9 were resolved as people. Consider a refresher for the team who work at those "
      "times.",
      "24 of the 33 slow mains in these 60 days were on Friday or Saturday between 19:00 and "
      "20:00; 24 were resolved as process. Consider a second person on the pass at those times.",
      "People changed or rejected 40 of Host's 60 recommendations in these 60 days (20 edited, "
      "20 rejected). Consider changing what it recommends (the recovery policy for its cases) or "
      "its limits.",
      "The restaurant had 20 unanswered calls in 9 different weeks; 20 were resolved as process. "
      "Consider another server on the floor in that area.",
      "Table T12 had 9 tables waiting to order in 9 different weeks; 9 were resolved as people. "
      "Consider a refresher for the team who work at that table.",
      "Table T17 had 9 slow mains in 9 different weeks; 9 were resolved as product. Consider the "
      "dishes or the equipment behind it.",
      "The restaurant had 24 slow mains in 8 different weeks; 24 were resolved as process. "
      "Consider a second person on the pass in that area.",
      "Table T4 had 16 slow mains in 8 different weeks; 16 were resolved as process. Consider a "
      "second person on the pass at that table.",
      "Table T7 had 8 slow mains in 8 different weeks; 8 were resolved as process. Consider a "
      "second person on the pass at that table.",
      "The kitchen had 6 cold stores out of range in 6 different weeks; 6 were resolved as "
      "product. Consider having the equipment serviced.",
  };
  EXPECT_EQ(texts(in), want);
  const Suggestion& mains = in.suggestions[1];
  EXPECT_EQ(mains.id, "when:course.slow/main:fri,sat:19-20");
  EXPECT_EQ(mains.employee, EmployeeId::kFloor);
  EXPECT_EQ(mains.owner, "manager");
  EXPECT_EQ(mains.evidence.size(), 24u);
  EXPECT_EQ(in.suggestions[2].id, "rework:host");
  EXPECT_EQ(in.suggestions[2].evidence.size(), 40u);
}

TEST(Insights, HoursAndWeekdaysAreTheVenuesOwn) {
  // The same story at UTC+2: its 19:10 is 17:10 UTC.
  const auto cases = history(60, 2h);
  const auto local = compute_insights(days(0, 60, "in these 60 days"), cases, Roster(), fixed(2h));
  EXPECT_EQ(local.current.by_hour[19], 24);
  EXPECT_EQ(local.suggestions[1].id, "when:course.slow/main:fri,sat:19-20");
  const auto utc = compute_insights(days(0, 60, "in these 60 days"), cases, Roster(), fixed(0ms));
  EXPECT_EQ(utc.current.by_hour[17], 24);
}

TEST(Insights, AFilterNarrowsEverything) {
  const auto cases = history(60);
  InsightsQuery q = days(0, 60, "in these 60 days");
  q.kind = CaseKind::kCourseSlow;
  const Insights in = compute_insights(q, cases, Roster(), fixed(0ms));
  EXPECT_EQ(in.current.cases, 33);
  for (const Repeat& r : in.repeats) EXPECT_EQ(r.kind, CaseKind::kCourseSlow);
  for (const Suggestion& s : in.suggestions) EXPECT_EQ(s.employee, EmployeeId::kFloor);
  q.kind.reset();
  q.employee = EmployeeId::kHost;
  EXPECT_EQ(compute_insights(q, cases, Roster(), fixed(0ms)).current.cases, 60);
  q.employee.reset();
  q.area = "kitchen";
  EXPECT_EQ(compute_insights(q, cases, Roster(), fixed(0ms)).current.cases, 6);
}

TEST(Insights, CasesLeftWaitingForAPersonAreNamed) {
  auto cases = history(14);
  // The first four guests at the door waited 25 minutes for a person too, as T12 did twice.
  int changed = 0;
  for (Case& c : cases) {
    if (c.kind != CaseKind::kArrivalUnseated || changed == 4) continue;
    ++changed;
    for (auto& t : c.history) t.at += 22min;
    for (auto& d : c.decisions) d.at += 22min;
  }
  const Insights in =
      compute_insights(days(0, 14, "in these 14 days"), cases, Roster(), fixed(0ms));
  ASSERT_EQ(in.current.cases,
            31);  // 14 arrivals, 8 slow mains, 2 Wednesdays, 2 fridge alarms, 5 calls
  const auto waiting = std::find_if(in.suggestions.begin(), in.suggestions.end(),
                                    [](const Suggestion& s) { return s.rule == "waiting"; });
  ASSERT_NE(waiting, in.suggestions.end());
  EXPECT_EQ(waiting->text,
            "1 in 10 cases in these 14 days waited 25 minutes or more before anyone took it up. "
            "Consider who carries the tablet and who gets the alerts at the times those cases "
            "opened.");
  // The four and T12's two.
  EXPECT_EQ(waiting->evidence.size(), 6u);
}

TEST(Insights, AFewDaysSuggestNothing) {
  // Four arrivals are too few to judge Host by, four slow mains too few to see a time in.
  const auto cases = history(4);
  const Insights in = compute_insights(days(0, 4, "this week"), cases, Roster(), fixed(0ms));
  EXPECT_TRUE(in.suggestions.empty());
  EXPECT_TRUE(in.repeats.empty());
}

TEST(Spread, IsTheNearestRank) {
  std::vector<Millis> v;
  for (int i = 10; i >= 1; --i) v.emplace_back(i);
  const Spread s = spread(v);
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.p50, 5ms);
  EXPECT_EQ(s.p90, 9ms);
  EXPECT_FALSE(spread({}).p50);
  EXPECT_EQ(spread({7ms}).p90, 7ms);
}

TEST(History, TheSameSeedGivesTheSameBusyHistory) {
  sim::HistoryOptions o;
  o.start = kStart;
  o.days = 3;
  o.extra_per_day = 40;
  const auto a = sim::history_cases(o);
  EXPECT_EQ(a, sim::history_cases(o));
  EXPECT_GE(a.size(), 120u);
  o.seed = 2;
  EXPECT_NE(a, sim::history_cases(o));
  EXPECT_EQ(sim::monday_before(kStart + std::chrono::days(6) + 23h, 0ms), kStart);
  EXPECT_EQ(sim::monday_before(kStart + std::chrono::days(7), 0ms), kStart + std::chrono::days(7));
}

}  // namespace
}  // namespace mend

namespace mend {
namespace {

using namespace std::chrono_literals;

// The suggestion book behind the recovery service: each suggestion decided once, an accepted
// one a task until done, every change audited and kept across a restart.
class LearningServiceTest : public ::testing::Test {
 protected:
  LearningServiceTest()
      : service_(ServiceSettings::from(*parse_config("[venue]\nid = \"v\"\n", "t.toml").config),
                 [](WallTime) { return Millis{0}; }) {}

  static Suggestion suggestion(const std::string& id) {
    Suggestion s;
    s.id = id;
    s.rule = "when";
    s.text = "12 of the 16 slow mains were on Friday or Saturday.";
    s.employee = EmployeeId::kFloor;
    s.owner = "manager";
    s.evidence = {"c1", "c2"};
    return s;
  }
  ActionEffects decide(const std::string& id, bool accept, const std::string& note = {}) {
    return service_.decide_suggestion(
        SuggestionDecision{suggestion(id), accept, note, Actor{"user:1", "manager"}, "Morgan"},
        now_);
  }

  Now now_{*parse_rfc3339("2026-12-06T10:00:00Z"), mono_from_ms(1000)};
  RecoveryService service_;
};

TEST_F(LearningServiceTest, AnAcceptedSuggestionIsATaskUntilItIsDoneAndEachStepIsAudited) {
  const ActionEffects accepted = decide("when:course.slow/main:fri,sat:19-20", true, "from Friday");
  ASSERT_TRUE(std::holds_alternative<Effects>(accepted));
  const auto& audit = std::get<Effects>(accepted).audit;
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "suggestion.accept");
  EXPECT_EQ(audit[0].actor, "user:1");
  EXPECT_EQ(audit[0].target, "when:course.slow/main:fri,sat:19-20");
  EXPECT_EQ(
      json::dump(audit[0].detail),
      R"({"text":"12 of the 16 slow mains were on Friday or Saturday.","task":1,"owner":"manager","note":"from Friday"})");
  const SuggestionRecord* task = service_.learning().task(1);
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->by_name, "Morgan");
  EXPECT_FALSE(task->done_at);

  // Decided once: a second decision, either way, is refused and changes nothing.
  const ActionEffects again = decide("when:course.slow/main:fri,sat:19-20", false);
  ASSERT_TRUE(std::holds_alternative<ActionRefusal>(again));
  EXPECT_EQ(std::get<ActionRefusal>(again).code, ActionRefusal::Code::kConflict);
  EXPECT_EQ(std::get<ActionRefusal>(again).message,
            "this suggestion was accepted by user:1 at 2026-12-06T10:00:00Z");

  now_.wall += 2h;
  const ActionEffects done = service_.finish_task(1, Actor{"user:2", "admin"}, now_);
  ASSERT_TRUE(std::holds_alternative<Effects>(done));
  EXPECT_EQ(std::get<Effects>(done).audit.at(0).action, "task.done");
  EXPECT_EQ(service_.learning().task(1)->done_at, now_.wall);
  EXPECT_EQ(std::get<ActionRefusal>(service_.finish_task(1, Actor{"user:2", "admin"}, now_)).code,
            ActionRefusal::Code::kConflict);
  EXPECT_EQ(std::get<ActionRefusal>(service_.finish_task(9, Actor{"user:2", "admin"}, now_)).code,
            ActionRefusal::Code::kNotFound);
}

TEST_F(LearningServiceTest, ADismissedSuggestionHasNoTaskAndTheBookSurvivesARestart) {
  const ActionEffects dismissed = decide("rework:host", false, "the door is being rebuilt");
  ASSERT_TRUE(std::holds_alternative<Effects>(dismissed));
  EXPECT_EQ(std::get<Effects>(dismissed).audit.at(0).action, "suggestion.dismiss");
  EXPECT_EQ(std::get<ActionRefusal>(service_.finish_task(1, Actor{"user:1", "manager"}, now_)).code,
            ActionRefusal::Code::kNotFound);
  decide("where:table.no_order:table:T12", true);
  const SavedState saved = service_.take_changed_state(now_, false);
  ASSERT_TRUE(saved.learning.has_value());
  EXPECT_FALSE(service_.take_changed_state(now_, false).learning.has_value());

  RecoveryService restarted(service_.settings(), [](WallTime) { return Millis{0}; });
  const auto r = restarted.restore({}, saved, now_, true);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(restarted.learning().all(), service_.learning().all());
  // Numbering goes on from where it was.
  ASSERT_TRUE(std::holds_alternative<Effects>(
      restarted.decide_suggestion(SuggestionDecision{suggestion("waiting:acknowledge"), true, "",
                                                     Actor{"user:1", "manager"}, ""},
                                  now_)));
  EXPECT_EQ(restarted.learning().find("waiting:acknowledge")->task, 3);
}

TEST(SuggestionBook, WhenFullTheOldestSpentRecordMakesRoom) {
  SuggestionBook book;
  const Actor by{"user:1", "manager"};
  const WallTime at = *parse_rfc3339("2026-12-06T10:00:00Z");
  Suggestion s;
  for (std::size_t i = 0; i < kMaxSuggestionRecords; ++i) {
    s.id = "s" + std::to_string(i);
    ASSERT_FALSE(book.decide(s, /*accept=*/i != 3, "", by, "", at));
  }
  // s3 was dismissed: it goes first.
  s.id = "one more";
  EXPECT_FALSE(book.decide(s, true, "", by, "", at));
  EXPECT_EQ(book.find("s3"), nullptr);
  EXPECT_EQ(book.all().size(), kMaxSuggestionRecords);
  // Every other record is an open task: nothing may be dropped.
  s.id = "and another";
  EXPECT_EQ(*book.decide(s, true, "", by, "", at),
            "there are 500 open tasks from suggestions: finish some first");
}

}  // namespace
}  // namespace mend

namespace mend {
namespace {

TEST(WeeklyReport, IsTheWeeksInsightsWithEachEmployeesRecord) {
  sim::HistoryOptions o;
  o.start = *parse_rfc3339("2026-09-07T00:00:00Z");
  o.days = 14;
  const auto cases = sim::history_cases(o);
  InsightsQuery week;
  week.from = o.start + std::chrono::days(7);
  week.to = o.start + std::chrono::days(14);
  week.period_words = "in the week of 2026-09-14";
  const json::Object r =
      weekly_report(week, "2026-09-14", cases, Roster(), [](WallTime) { return Millis{0}; });
  const json::Value v(r);
  EXPECT_EQ(*v.get("week")->as_string(), "2026-09-14");
  // Days 7-13: 7 arrivals, slow mains on Tuesday, Friday and twice Saturday, T12 on Wednesday,
  // the fridge on day 13, calls on days 9 and 12. The week before has a third call (days 0, 3
  // and 6) and the fridge on day 3.
  EXPECT_EQ(v.get("current")->get("cases")->as_int(), std::optional<std::int64_t>(15));
  EXPECT_EQ(v.get("previous")->get("cases")->as_int(), std::optional<std::int64_t>(16));
  const auto& employees = *v.get("employees")->as_array();
  ASSERT_EQ(employees.size(), 9u);
  EXPECT_EQ(*employees[0].get("id")->as_string(), "host");
  EXPECT_EQ(employees[0].get("record")->get("raised")->as_int(), std::optional<std::int64_t>(7));
}

}  // namespace
}  // namespace mend
