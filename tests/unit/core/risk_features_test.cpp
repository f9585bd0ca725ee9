// The at-risk model's features and its memory of visits, on literal evenings: the engine gets
// the events a till and a booking system would send, and the features are checked against
// values worked out by hand. A manual clock; no sleeps.
#include <gtest/gtest.h>

#include "core/engine.hpp"
#include "core/risk_features.hpp"
#include "core/risk_tracker.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend::risk {
namespace {

using namespace std::chrono_literals;
using test::source_event;

// Saturday 2026-11-21 19:00:00Z; the venue is an hour ahead of UTC, so 20:00 local.
constexpr std::int64_t kSat19 = 1795287600000;
constexpr Millis kOffset = 1h;

WallTime at(Millis since) { return wall_from_ms(kSat19) + since; }

double of(const Features& x, Feature f) { return x.at(static_cast<std::size_t>(f)); }

class Evening : public ::testing::Test {
 protected:
  static DetectionSettings settings() {
    DetectionSettings s;
    s.areas.push_back(AreaConfig{"terrace", {"T1", "T2", "T3"}});
    s.areas.push_back(AreaConfig{"bar", {"T9"}});
    return s;
  }
  void send(EventType type, EventBody body, Millis since) {
    const Event e = source_event("ev-" + std::to_string(++seq_), type, std::move(body), at(since));
    engine.on_event(e, Now{at(since), mono_from_ms(1000000 + since.count())});
  }
  const TableView& table(const std::vector<TableView>& all, const std::string& name) {
    for (const auto& t : all) {
      if (t.table == name) return t;
    }
    ADD_FAILURE() << name << " is not seated";
    return all.front();
  }
  // T1: booked (party 4, worth 180), seated 19:00, ordered 19:02, main fired 19:05.
  // T2: a walk-in of 2 seated 19:10, no order. T3: seated 19:12, starter and drinks fired.
  void play() {
    send(EventType::kBookingCreated,
         BookingChanged{"B1", at(0min), 4, Customer{"cust-1", "Ann", "", ""}, 180.0, "", ""},
         -120min);
    send(EventType::kGuestSeated, GuestSeated{"T1", "B1", 4, std::nullopt}, 0min);
    send(EventType::kOrderOpened, OrderOpened{"T1", "C1", 4, ""}, 2min);
    send(EventType::kItemsFired, ItemsFired{"C1", "main", "T1", {}}, 5min);
    send(EventType::kGuestSeated, GuestSeated{"T2", "", 2, std::nullopt}, 10min);
    send(EventType::kGuestSeated, GuestSeated{"T3", "", 3, std::nullopt}, 12min);
    send(EventType::kOrderOpened, OrderOpened{"T3", "C3", 3, ""}, 13min);
    send(EventType::kItemsFired, ItemsFired{"C3", "starter", "T3", {}}, 15min);
    send(EventType::kItemsFired, ItemsFired{"C3", "drinks", "T3", {}}, 20min);
  }

  Engine engine{settings()};
  CaseBook cases;
  std::unordered_map<std::string, std::string> area_of{
      {"T1", "terrace"}, {"T2", "terrace"}, {"T3", "terrace"}, {"T9", "bar"}};
  int seq_ = 0;
};

Case a_case(std::string id, CaseKind kind, Subject s, WallTime opened, CaseStatus status) {
  Case c;
  c.id = std::move(id);
  c.kind = kind;
  c.subject = std::move(s);
  c.opened_at = opened;
  c.updated_at = opened;
  c.status = status;
  return c;
}

TEST_F(Evening, FeaturesOfASeatedTableAreWhatTheEveningSays) {
  play();
  // An open case on T2 (waiting to order), a recurring problem on the terrace three hours
  // ago (resolved), one two days ago, and an open case in the bar.
  Subject t2;
  t2.table = "T2";
  cases.load(a_case("c1", CaseKind::kTableNoOrder, t2, at(20min), CaseStatus::kOpen));
  Subject terrace;
  terrace.area = "terrace";
  cases.load(a_case("c2", CaseKind::kPatternRecurring, terrace, at(-3h), CaseStatus::kResolved));
  cases.load(a_case("c3", CaseKind::kPatternRecurring, terrace, at(-48h), CaseStatus::kResolved));
  Subject t9;
  t9.table = "T9";
  cases.load(a_case("c4", CaseKind::kBillSlow, t9, at(1min), CaseStatus::kAcknowledged));

  const WallTime now = at(23min);
  const auto floor = engine.tables();
  const VenueLoad load = venue_load(floor, cases, area_of, now);
  EXPECT_EQ(load.courses_in_flight, 3);  // T1's main, T3's starter and drinks
  EXPECT_EQ(load.open_cases.at("terrace"), 1);
  EXPECT_EQ(load.open_cases.at("bar"), 1);
  EXPECT_EQ(load.patterns.at("terrace"), 1);

  TableFacts t1{&table(floor, "T1"), GuestFacts{GuestTier::kRegular, {CaseKind::kCourseSlow}},
                TableHistory{7, 2}, TableHistory{3, 1}, 2};
  const Features x = table_features(t1, load, now, kOffset);
  EXPECT_DOUBLE_EQ(of(x, Feature::kOrderWait), 0);
  EXPECT_DOUBLE_EQ(of(x, Feature::kCourseWait), 18.0 / 25.0);  // main fired 18 of 25 minutes
  EXPECT_DOUBLE_EQ(of(x, Feature::kBillWait), 0);
  EXPECT_DOUBLE_EQ(of(x, Feature::kParty), 4);
  EXPECT_DOUBLE_EQ(of(x, Feature::kBookingValue), 180);
  EXPECT_DOUBLE_EQ(of(x, Feature::kGuestTier), 2);
  EXPECT_DOUBLE_EQ(of(x, Feature::kLastVisitFailed), 1);
  EXPECT_DOUBLE_EQ(of(x, Feature::kKitchenLoad), 3);
  EXPECT_DOUBLE_EQ(of(x, Feature::kAreaOpenCases), 1);
  EXPECT_DOUBLE_EQ(of(x, Feature::kAreaPatterns), 1);
  EXPECT_DOUBLE_EQ(of(x, Feature::kHour), 20.0 + 23.0 / 60.0);  // local time
  EXPECT_DOUBLE_EQ(of(x, Feature::kWeekend), 1);
  EXPECT_DOUBLE_EQ(of(x, Feature::kTableFailureRate), 2.0 / 12.0);
  EXPECT_DOUBLE_EQ(of(x, Feature::kFiredLoad), 2);  // the main went into a kitchen of 2
  EXPECT_DOUBLE_EQ(of(x, Feature::kGuestFailureRate), 1.0 / 8.0);
  EXPECT_DOUBLE_EQ(of(x, Feature::kSeatedFor), 23);         // seated at 19:00
  EXPECT_DOUBLE_EQ(of(x, Feature::kKitchenCrowding), 0.9);  // 3 x 3 / 10
  EXPECT_DOUBLE_EQ(of(x, Feature::kFiredCrowding), 0.4);    // 2 x 2 / 10
  EXPECT_DOUBLE_EQ(of(x, Feature::kAreaPace), 0) << "no wait has ended on the terrace";

  // T2 has waited 13 minutes for an order against 10; a walk-in nobody knows.
  TableFacts t2facts{&table(floor, "T2"), {}, {}, {}, 5};
  const Features y = table_features(t2facts, load, now, kOffset);
  EXPECT_DOUBLE_EQ(of(y, Feature::kFiredLoad), 0) << "no course waiting";
  EXPECT_DOUBLE_EQ(of(y, Feature::kGuestFailureRate), 0);
  EXPECT_DOUBLE_EQ(of(y, Feature::kOrderWait), 1.3);
  EXPECT_DOUBLE_EQ(of(y, Feature::kCourseWait), 0);
  EXPECT_DOUBLE_EQ(of(y, Feature::kBookingValue), 0);
  EXPECT_DOUBLE_EQ(of(y, Feature::kGuestTier), 0);
  EXPECT_DOUBLE_EQ(of(y, Feature::kTableFailureRate), 0);
  EXPECT_DOUBLE_EQ(of(y, Feature::kSeatedFor), 13);
  EXPECT_DOUBLE_EQ(of(y, Feature::kFiredCrowding), 0);

  // The course furthest into its own threshold counts: T3's starter (8 of 15 minutes), not its
  // drinks (3 of 8).
  TableFacts t3{&table(floor, "T3"), {}, {}};
  EXPECT_DOUBLE_EQ(of(table_features(t3, load, now, kOffset), Feature::kCourseWait), 8.0 / 15.0);
}

TEST_F(Evening, ASundayMorningInUtcIsNotAWeekendEveningLocally) {
  play();
  const auto floor = engine.tables();
  TableFacts t1{&table(floor, "T1"), {}, {}};
  // Saturday 23:30Z is Sunday 00:30 at +1h, and Saturday 22:30 at -1h.
  const WallTime late = at(4h + 30min);
  EXPECT_DOUBLE_EQ(of(table_features(t1, {}, late, 1h), Feature::kWeekend), 0);
  EXPECT_DOUBLE_EQ(of(table_features(t1, {}, late, 1h), Feature::kHour), 0.5);
  EXPECT_DOUBLE_EQ(of(table_features(t1, {}, late, -1h), Feature::kWeekend), 1);
  EXPECT_DOUBLE_EQ(of(table_features(t1, {}, late, -1h), Feature::kHour), 22.5);
}

TEST_F(Evening, ReasonsArePlainWordsForTheLargestContributions) {
  play();
  const WallTime now = at(23min);
  const auto floor = engine.tables();
  const VenueLoad load = venue_load(floor, cases, area_of, now);
  TableFacts t1{&table(floor, "T1"), GuestFacts{GuestTier::kRegular, {CaseKind::kCourseSlow}},
                TableHistory{}};
  const Features x = table_features(t1, load, now, kOffset);
  std::vector<double> contributions(kFeatureCount, 0.0);
  contributions[static_cast<std::size_t>(Feature::kCourseWait)] = 2.0;
  contributions[static_cast<std::size_t>(Feature::kKitchenLoad)] = 1.0;
  contributions[static_cast<std::size_t>(Feature::kLastVisitFailed)] = 0.5;
  contributions[static_cast<std::size_t>(Feature::kParty)] = -3.0;  // lowers the risk: not a reason
  EXPECT_EQ(reasons(x, contributions, t1, now),
            "main fired 18 minutes ago; the kitchen at 3 courses in flight; last visit had slow "
            "courses");
  EXPECT_EQ(reasons(x, contributions, t1, now, 1), "main fired 18 minutes ago");
  // A feature with nothing to tell is skipped, not written as an empty reason.
  TableFacts unknown{&table(floor, "T1"), {}, {}};
  EXPECT_EQ(reasons(x, contributions, unknown, now),
            "main fired 18 minutes ago; the kitchen at 3 courses in flight");
}

TEST_F(Evening, AnAreasPaceIsTheShareOfTheirThresholdsItsLatestWaitsTook) {
  play();
  AreaPace pace;
  pace.observe(engine.tables(), at(23min));
  EXPECT_TRUE(pace.paces(at(23min)).empty()) << "no order or bill wait has ended yet";
  // T2 orders 15 minutes after it was seated (threshold 10): the terrace runs at 1.5.
  send(EventType::kOrderOpened, OrderOpened{"T2", "C2", 2, ""}, 25min);
  pace.observe(engine.tables(), at(25min));
  ASSERT_EQ(pace.paces(at(25min)).size(), 1U);
  EXPECT_DOUBLE_EQ(pace.paces(at(25min)).at("terrace"), 1.5);
  // T1 asks for the bill at 40 and pays at 46 (threshold 8): the mean of 1.5 and 0.75.
  send(EventType::kCheckRequested, CheckRequested{"C1", "T1"}, 40min);
  pace.observe(engine.tables(), at(40min));
  send(EventType::kCheckPaid, CheckPaid{"C1", 180.0, "EUR", std::nullopt, "T1"}, 46min);
  pace.observe(engine.tables(), at(46min));
  EXPECT_DOUBLE_EQ(pace.paces(at(46min)).at("terrace"), (1.5 + 0.75) / 2);
  EXPECT_EQ(pace.paces(at(46min)).count("bar"), 0U);
  // Three hours on, those waits say nothing about the terrace's staff tonight.
  EXPECT_TRUE(pace.paces(at(46min) + AreaPace::kWithin + 1min).empty());
  // The features read the area's pace from the venue's load.
  const auto floor = engine.tables();
  VenueLoad load = venue_load(floor, cases, area_of, at(46min));
  load.pace = pace.paces(at(46min));
  TableFacts t3{&table(floor, "T3"), {}, {}};
  EXPECT_DOUBLE_EQ(of(table_features(t3, load, at(46min), kOffset), Feature::kAreaPace), 1.125);
}

TEST_F(Evening, ALoadsCrowdingIsToldAsTheLoadItself) {
  play();
  const WallTime now = at(23min);
  const auto floor = engine.tables();
  const VenueLoad load = venue_load(floor, cases, area_of, now);
  TableFacts t1{&table(floor, "T1"), {}, {}};
  const Features x = table_features(t1, load, now, kOffset);
  std::vector<double> contributions(kFeatureCount, 0.0);
  contributions[static_cast<std::size_t>(Feature::kCourseWait)] = 2.0;
  contributions[static_cast<std::size_t>(Feature::kKitchenLoad)] = 1.0;
  contributions[static_cast<std::size_t>(Feature::kKitchenCrowding)] = 1.5;  // 2.5 with the load
  EXPECT_EQ(reasons(x, contributions, t1, now),
            "the kitchen at 3 courses in flight; main fired 18 minutes ago");
  EXPECT_EQ(top_reason(contributions), Feature::kKitchenLoad);

  std::vector<double> early(kFeatureCount, 0.0);
  early[static_cast<std::size_t>(Feature::kSeatedFor)] = 1.0;
  EXPECT_EQ(reasons(x, early, t1, now), "seated 23 minutes ago, most of the visit to come");
}

TEST(FeatureInfo, EveryFeatureHasANameAndADescription) {
  const auto names = feature_names();
  ASSERT_EQ(names.size(), kFeatureCount);
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    EXPECT_FALSE(feature_info().at(i).name.empty()) << i;
    EXPECT_FALSE(feature_info().at(i).description.empty()) << names[i];
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(names[i], names[j]);
  }
}

// ---- the tracker ----------------------------------------------------------------------------

TEST_F(Evening, AVisitIsSnapshottedUntilItsFirstCaseAndLabelledByIt) {
  play();
  RiskTracker tracker;
  auto observe = [&](Millis since) {
    const auto floor = engine.tables();
    std::vector<RiskTracker::Seated> seated;
    for (const auto& t : floor) {
      Features x{};
      x[0] = static_cast<double>(since.count());
      seated.push_back(RiskTracker::Seated{&t, x});
    }
    tracker.observe(seated, at(since));
  };
  observe(23min);
  observe(25min);  // too soon for another snapshot
  observe(28min);
  const Visit* v = tracker.open_visit("T1");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->id, "T1@" + std::to_string(kSat19));
  EXPECT_EQ(v->booking, "B1");
  ASSERT_EQ(v->snapshots.size(), 2U);
  EXPECT_EQ(v->snapshots[1].at, at(28min));

  Subject s;
  s.table = "T1";
  s.check = "C1";
  s.course = "main";
  tracker.on_case(a_case("c9", CaseKind::kCourseSlow, s, at(30min), CaseStatus::kOpen), at(30min));
  observe(40min);  // after the case: no more snapshots
  EXPECT_EQ(tracker.open_visit("T1")->snapshots.size(), 2U);
  EXPECT_TRUE(tracker.open_visit("T1")->bad);
  EXPECT_EQ(tracker.open_visit("T1")->outcome, "course.slow");
  EXPECT_EQ(tracker.open_visit("T1")->first_case, at(30min));

  // T3 was fine until it left; a survey of 2 from its guest, hours later, makes it bad.
  send(EventType::kTableCleared, TableCleared{"T3"}, 90min);
  observe(90min);
  EXPECT_EQ(tracker.open_visit("T3"), nullptr);
  tracker.on_feedback("", "", "T3", at(30min), "survey 2");
  tracker.take_changed();
  tracker.settle(at(90min) + 24h - 1ms);
  EXPECT_TRUE(tracker.take_changed().empty()) << "settled before its label window closed";
  tracker.settle(at(90min) + 24h);
  const auto settled = tracker.take_changed();
  ASSERT_EQ(settled.size(), 1U);
  EXPECT_EQ(settled[0].table, "T3");
  EXPECT_TRUE(settled[0].settled);
  EXPECT_TRUE(settled[0].bad);
  EXPECT_EQ(settled[0].outcome, "survey 2");
  EXPECT_EQ(tracker.history("T3").visits, 1);
  EXPECT_EQ(tracker.history("T3").bad, 1);
  EXPECT_EQ(tracker.history("T1").visits, 0) << "T1 is still seated";

  // A case of a kind that is not a label (a fridge) leaves a visit alone.
  Subject fridge;
  fridge.table = "T2";
  fridge.device = "fridge-1";
  tracker.on_case(
      a_case("c10", CaseKind::kTemperatureOutOfRange, fridge, at(91min), CaseStatus::kOpen),
      at(91min));
  EXPECT_FALSE(tracker.open_visit("T2")->bad);
}

TEST_F(Evening, TheTrackersStateSurvivesARestartAndRefusesABrokenOne) {
  play();
  RiskTracker tracker;
  const auto floor = engine.tables();
  std::vector<RiskTracker::Seated> seated;
  for (const auto& t : floor) seated.push_back(RiskTracker::Seated{&t, Features{}});
  tracker.observe(seated, at(23min));
  tracker.on_feedback("B1", "", "", std::nullopt, "review 1");

  // The host keeps the unsettled visits as rows and the histories as state.
  std::vector<Visit> rows;
  for (const char* t : {"T1", "T2", "T3"}) rows.push_back(*tracker.open_visit(t));
  RiskTracker again;
  ASSERT_EQ(again.restore(tracker.export_state(), rows), std::nullopt);
  ASSERT_NE(again.open_visit("T1"), nullptr);
  EXPECT_EQ(*again.open_visit("T1"), *tracker.open_visit("T1"));
  EXPECT_EQ(again.open_visit("T1")->outcome, "review 1");
  EXPECT_EQ(again.next_due(), tracker.next_due());

  Visit v;
  json::Value broken = visit_to_json(*tracker.open_visit("T1"));
  broken.as_object()->set("seated_at", "yesterday");
  EXPECT_EQ(visit_from_json(broken, v), "visit: 'seated_at' is missing or of the wrong type");
  EXPECT_NE(again.restore(json::Value(json::Object{}), {}), std::nullopt);
  EXPECT_NE(again.open_visit("T1"), nullptr) << "a refused state changed what was there";
}

}  // namespace
}  // namespace mend::risk
