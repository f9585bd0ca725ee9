// The detection engine, driven by a manual clock with literal times. No sleeps: "ten minutes
// later" is a number handed to on_tick.
#include "core/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kT0Wall = 1795374000000;  // 2026-11-22T19:00:00Z
constexpr std::int64_t kT0Mono = 5000000;        // the box has been up for ~83 minutes

// A manual clock: wall and monotonic time move together unless a test says otherwise.
struct ManualClock {
  Now now{wall_from_ms(kT0Wall), mono_from_ms(kT0Mono)};
  void advance(Millis d) {
    now.wall += d;
    now.mono += d;
  }
  WallTime wall_at(Millis since_t0) const { return wall_from_ms(kT0Wall) + since_t0; }
};

EventType type_of(const EventBody& body) {
  return std::visit(
      [](const auto& b) -> EventType {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, OrderOpened>) return EventType::kOrderOpened;
        if constexpr (std::is_same_v<T, ItemsFired>) return EventType::kItemsFired;
        if constexpr (std::is_same_v<T, ItemsServed>) return EventType::kItemsServed;
        if constexpr (std::is_same_v<T, CheckRequested>) return EventType::kCheckRequested;
        if constexpr (std::is_same_v<T, CheckPaid>) return EventType::kCheckPaid;
        if constexpr (std::is_same_v<T, ItemVoided>) return EventType::kItemVoided;
        if constexpr (std::is_same_v<T, VoucherRedeemed>) return EventType::kVoucherRedeemed;
        if constexpr (std::is_same_v<T, BookingChanged>) return EventType::kBookingCreated;
        if constexpr (std::is_same_v<T, BookingCancelled>) return EventType::kBookingCancelled;
        if constexpr (std::is_same_v<T, GuestArrived>) return EventType::kGuestArrived;
        if constexpr (std::is_same_v<T, GuestSeated>) return EventType::kGuestSeated;
        if constexpr (std::is_same_v<T, TableCleared>) return EventType::kTableCleared;
        if constexpr (std::is_same_v<T, EnquiryReceived>) return EventType::kEnquiryReceived;
        if constexpr (std::is_same_v<T, EnquiryAnswered>) return EventType::kEnquiryAnswered;
        if constexpr (std::is_same_v<T, Temperature>) return EventType::kTemperature;
        if constexpr (std::is_same_v<T, CallButton>) return EventType::kCallButton;
        if constexpr (std::is_same_v<T, Occupancy>) return EventType::kOccupancy;
        if constexpr (std::is_same_v<T, Queue>) return EventType::kQueue;
        if constexpr (std::is_same_v<T, DeviceStatus>) return EventType::kDeviceStatus;
        if constexpr (std::is_same_v<T, ReviewReceived>) return EventType::kReviewReceived;
        if constexpr (std::is_same_v<T, RewardRedeemed>) return EventType::kRewardRedeemed;
        return EventType::kSurveyAnswered;
      },
      body);
}

class EngineTest : public ::testing::Test {
 public:  // the parameterised cases below drive the fixture from lambdas
  static DetectionSettings default_settings() {
    DetectionSettings s;
    s.devices.push_back(DeviceConfig{"fridge-1", "fridge", "walk-in fridge", "kitchen",
                                     std::nullopt, std::nullopt, std::nullopt, Millis{0}});
    s.devices.push_back(DeviceConfig{"freezer-1", "freezer", "chest freezer", "kitchen", -30.0,
                                     -15.0, 10min, Millis{0}});
    s.areas.push_back(AreaConfig{"terrace", {"T20", "T21", "T22"}});
    return s;
  }

  // Sends an event that happened at `ts` (default: now) and returns the engine's output.
  EngineOutput send(EventBody body, std::optional<WallTime> ts = std::nullopt,
                    std::string id = {}) {
    Event e;
    e.id = id.empty() ? "ev-" + std::to_string(++seq_) : id;
    e.type = type_of(body);
    e.ts = ts.value_or(clock.now.wall);
    e.received = clock.now.wall;
    e.ts_from_source = true;
    e.body = std::move(body);
    EngineOutput out = engine.on_event(e, clock.now);
    record(out);
    return out;
  }
  EngineOutput tick() {
    EngineOutput out = engine.on_tick(clock.now);
    record(out);
    return out;
  }
  // Advances the clock to t0 + d and ticks.
  EngineOutput tick_at(Millis since_t0) {
    const Millis delta = (clock.wall_at(since_t0) - clock.now.wall);
    clock.advance(delta);
    return tick();
  }
  void record(const EngineOutput& out) {
    for (const auto& d : out.decisions) all.push_back(d);
  }
  std::vector<Decision> opened(CaseKind kind) const {
    std::vector<Decision> r;
    for (const auto& d : all) {
      if (d.op == Decision::Op::kOpen && d.kind == kind) r.push_back(d);
    }
    return r;
  }
  std::size_t count(Decision::Op op) const {
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [op](const Decision& d) { return d.op == op; }));
  }

  ManualClock clock;
  Engine engine{default_settings()};
  std::vector<Decision> all;
  int seq_ = 0;
};

// ---- each kind fires exactly at its threshold ------------------------------------------------

// Starts a wait of one kind at t0 and tells which case it should open and when.
struct ThresholdCase {
  const char* name;
  CaseKind kind;
  Millis threshold;
  std::function<void(EngineTest&)> start;
};

class ThresholdTest : public EngineTest, public ::testing::WithParamInterface<ThresholdCase> {};

TEST_P(ThresholdTest, FiresExactlyAtThresholdAndNotOneSecondBefore) {
  const ThresholdCase& tc = GetParam();
  tc.start(*this);
  EXPECT_TRUE(opened(tc.kind).empty()) << "opened at the start";
  EXPECT_EQ(engine.next_deadline(), mono_from_ms(kT0Mono) + tc.threshold);

  tick_at(tc.threshold - 1s);
  EXPECT_TRUE(opened(tc.kind).empty()) << "opened one second early";

  tick_at(tc.threshold);
  const auto cases = opened(tc.kind);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].at, clock.wall_at(tc.threshold));
  EXPECT_EQ(cases[0].threshold, tc.threshold);
  EXPECT_EQ(cases[0].started, clock.wall_at(0s));
  ASSERT_FALSE(cases[0].evidence.empty());
  EXPECT_FALSE(cases[0].reason.empty());

  tick_at(tc.threshold + 1s);
  EXPECT_EQ(opened(tc.kind).size(), 1u) << "a wait opens one case, once";
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, ThresholdTest,
    ::testing::Values(
        ThresholdCase{"table_no_order", CaseKind::kTableNoOrder, 10min,
                      [](EngineTest& f) {
                        f.send(GuestSeated{"T12", "", 4, std::nullopt});
                      }},
        ThresholdCase{"table_no_order_occupancy", CaseKind::kTableNoOrder, 10min,
                      [](EngineTest& f) {
                        f.send(Occupancy{"occ-1", "T3", true});
                      }},
        ThresholdCase{"course_starter", CaseKind::kCourseSlow, 15min,
                      [](EngineTest& f) {
                        f.send(ItemsFired{"C1", "starter", "T12", {}});
                      }},
        ThresholdCase{"course_main", CaseKind::kCourseSlow, 25min,
                      [](EngineTest& f) {
                        f.send(ItemsFired{"C1", "main", "T12", {}});
                      }},
        ThresholdCase{"course_dessert", CaseKind::kCourseSlow, 12min,
                      [](EngineTest& f) {
                        f.send(ItemsFired{"C1", "dessert", "T12", {}});
                      }},
        ThresholdCase{"course_drinks", CaseKind::kCourseSlow, 8min,
                      [](EngineTest& f) {
                        f.send(ItemsFired{"C1", "drinks", "", {}});
                      }},
        ThresholdCase{"course_other", CaseKind::kCourseSlow, 20min,
                      [](EngineTest& f) {
                        f.send(ItemsFired{"C1", "cheese", "T12", {}});
                      }},
        ThresholdCase{"bill_slow", CaseKind::kBillSlow, 8min,
                      [](EngineTest& f) {
                        f.send(CheckRequested{"C1", "T12"});
                      }},
        ThresholdCase{"call_unanswered", CaseKind::kCallUnanswered, 3min,
                      [](EngineTest& f) {
                        f.send(CallButton{"btn-12", "T12", true});
                      }},
        ThresholdCase{"arrival_booking", CaseKind::kArrivalUnseated, 10min,
                      [](EngineTest& f) {
                        f.send(GuestArrived{"B77", std::nullopt, std::nullopt});
                      }},
        ThresholdCase{"arrival_walk_in", CaseKind::kArrivalUnseated, 10min,
                      [](EngineTest& f) {
                        f.send(GuestArrived{"", 2, std::nullopt});
                      }},
        ThresholdCase{"enquiry_unanswered", CaseKind::kEnquiryUnanswered, 2h,
                      [](EngineTest& f) {
                        f.send(EnquiryReceived{"E5", "email", std::nullopt, "party", 400.0});
                      }},
        ThresholdCase{"temperature_default_band", CaseKind::kTemperatureOutOfRange, 15min,
                      [](EngineTest& f) {
                        f.send(Temperature{"fridge-1", 7.5, TemperatureUnit::kCelsius});
                      }},
        ThresholdCase{"temperature_device_band", CaseKind::kTemperatureOutOfRange, 10min,
                      [](EngineTest& f) {
                        f.send(Temperature{"freezer-1", -9.0, TemperatureUnit::kCelsius});
                      }},
        ThresholdCase{"device_offline_status", CaseKind::kDeviceOffline, 5min,
                      [](EngineTest& f) {
                        f.send(DeviceStatus{"btn-12", false});
                      }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(EngineTest, DeviceSilenceFiresAtItsLimit) {
  DetectionSettings s = default_settings();
  s.devices.push_back(
      DeviceConfig{"probe-1", "probe", "pass", "kitchen", 55.0, 90.0, std::nullopt, 4min});
  engine = Engine(s);
  send(Temperature{"probe-1", 63.0, TemperatureUnit::kCelsius});
  tick_at(3min);
  send(Temperature{"probe-1", 64.0, TemperatureUnit::kCelsius});  // alive: the watch restarts
  tick_at(7min - 1s);
  EXPECT_TRUE(opened(CaseKind::kDeviceOffline).empty());
  tick_at(7min);
  const auto cases = opened(CaseKind::kDeviceOffline);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].subject.device, "probe-1");
  EXPECT_EQ(cases[0].severity, Severity::kHigh) << "a silent food probe matters";
  EXPECT_NE(cases[0].reason.find("sent nothing"), std::string::npos) << cases[0].reason;
}

TEST_F(EngineTest, RegisteredDeviceThatNeverSpeaksIsNoticed) {
  DetectionSettings s = default_settings();
  s.devices.push_back(DeviceConfig{"probe-2", "probe", "", "", std::nullopt, std::nullopt,
                                   std::nullopt, std::nullopt});  // default silence, 5m
  engine = Engine(s);
  tick();  // mendd starts: the watch begins now
  tick_at(5min - 1s);
  EXPECT_TRUE(opened(CaseKind::kDeviceOffline).empty());
  tick_at(5min);
  ASSERT_EQ(opened(CaseKind::kDeviceOffline).size(), 1u);
  EXPECT_EQ(opened(CaseKind::kDeviceOffline)[0].subject.device, "probe-2");
}

TEST_F(EngineTest, NegativeReviewOpensAtOnce) {
  send(ReviewReceived{"R1", "google", 1, "Cold food, nobody came", std::nullopt, "B77", {}});
  send(ReviewReceived{"R2", "google", 2, "", std::nullopt, "", {}});
  send(ReviewReceived{"R3", "google", 3, "fine", std::nullopt, "", {}});
  const auto cases = opened(CaseKind::kReviewNegative);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].subject.review, "R1");
  EXPECT_EQ(cases[0].severity, Severity::kHigh);
  EXPECT_EQ(cases[1].severity, Severity::kMedium);
  EXPECT_NE(cases[0].reason.find("1-star review on google"), std::string::npos);
}

TEST_F(EngineTest, SecondVoidOnACheckOpensAndLaterVoidsAddEvidence) {
  send(OrderOpened{"T5", "C9", 2, "amy"});
  send(ItemVoided{"C9", "steak", "sent back", 28.0, ""});
  EXPECT_TRUE(opened(CaseKind::kVoidsRepeated).empty());
  send(ItemVoided{"C9", "wine", "", 9.0, ""});
  auto cases = opened(CaseKind::kVoidsRepeated);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].subject.check, "C9");
  EXPECT_EQ(cases[0].subject.table, "T5");
  EXPECT_EQ(cases[0].evidence.size(), 2u);
  send(ItemVoided{"C9", "dessert", "", 7.0, ""});
  EXPECT_EQ(opened(CaseKind::kVoidsRepeated).size(), 1u);
  EXPECT_EQ(all.back().op, Decision::Op::kAddEvidence);
  EXPECT_EQ(all.back().case_id, cases[0].case_id);
}

TEST_F(EngineTest, ThirdCaseOfAKindInAnAreaWithinTheWindowIsAPattern) {
  // Three terrace tables left without an order within two hours.
  send(GuestSeated{"T20", "", 2, std::nullopt});
  tick_at(10min);
  tick_at(30min);
  send(GuestSeated{"T21", "", 2, std::nullopt});
  tick_at(40min);
  EXPECT_TRUE(opened(CaseKind::kPatternRecurring).empty());
  send(GuestSeated{"T1", "", 2, std::nullopt});  // the dining room: another area
  tick_at(50min);
  EXPECT_TRUE(opened(CaseKind::kPatternRecurring).empty());
  tick_at(60min);
  send(GuestSeated{"T22", "", 2, std::nullopt});
  tick_at(70min - 1s);
  EXPECT_TRUE(opened(CaseKind::kPatternRecurring).empty());
  tick_at(70min);
  const auto patterns = opened(CaseKind::kPatternRecurring);
  ASSERT_EQ(patterns.size(), 1u);
  EXPECT_EQ(patterns[0].subject.kind, "table.no_order");
  EXPECT_EQ(patterns[0].subject.area, "terrace");
  EXPECT_EQ(patterns[0].evidence.size(), 3u);
  EXPECT_EQ(patterns[0].evidence[0].type, "case");
}

TEST_F(EngineTest, CasesOutsideThePatternWindowDoNotCount) {
  for (int i = 0; i < 3; ++i) {
    send(GuestSeated{"T2" + std::to_string(i), "", 2, std::nullopt});
    tick_at(std::chrono::duration_cast<Millis>(61min * (i + 1)));
    send(TableCleared{"T2" + std::to_string(i)});
  }
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 3u);
  EXPECT_TRUE(opened(CaseKind::kPatternRecurring).empty()) << "first and third are 2h+ apart";
}

// ---- answers end waits ---------------------------------------------------------------------

struct AnswerCase {
  const char* name;
  CaseKind kind;  // the wait's kind (an answer may rightly start waits of other kinds)
  Millis threshold;
  std::function<void(EngineTest&)> start;
  std::function<void(EngineTest&)> answer;
};

class AnswerTest : public EngineTest, public ::testing::WithParamInterface<AnswerCase> {};

TEST_P(AnswerTest, AnswerOneSecondBeforeTheDeadlineOpensNothing) {
  const AnswerCase& tc = GetParam();
  tc.start(*this);
  ASSERT_GE(engine.pending_waits(), 1u);
  tick_at(tc.threshold - 1s);
  tc.answer(*this);
  tick_at(tc.threshold);
  tick_at(tc.threshold * 3);
  EXPECT_TRUE(opened(tc.kind).empty());
}

INSTANTIATE_TEST_SUITE_P(
    EveryWait, AnswerTest,
    ::testing::Values(
        AnswerCase{"order_opened", CaseKind::kTableNoOrder, 10min,
                   [](EngineTest& f) {
                     f.send(GuestSeated{"T12", "", 4, std::nullopt});
                   },
                   [](EngineTest& f) {
                     f.send(OrderOpened{"T12", "C1", 4, ""});
                   }},
        AnswerCase{"served", CaseKind::kCourseSlow, 25min,
                   [](EngineTest& f) {
                     f.send(ItemsFired{"C1", "main", "T12", {}});
                   },
                   [](EngineTest& f) {
                     f.send(ItemsServed{"C1", "main", ""});
                   }},
        AnswerCase{"paid_ends_courses", CaseKind::kCourseSlow, 25min,
                   [](EngineTest& f) {
                     f.send(ItemsFired{"C1", "main", "T12", {}});
                   },
                   [](EngineTest& f) {
                     f.send(CheckPaid{"C1", 80.0, "EUR", {}, ""});
                   }},
        AnswerCase{"paid", CaseKind::kBillSlow, 8min,
                   [](EngineTest& f) {
                     f.send(CheckRequested{"C1", "T12"});
                   },
                   [](EngineTest& f) {
                     f.send(CheckPaid{"C1", 80.0, "EUR", 8.0, "T12"});
                   }},
        AnswerCase{"call_cleared", CaseKind::kCallUnanswered, 3min,
                   [](EngineTest& f) {
                     f.send(CallButton{"btn", "T12", true});
                   },
                   [](EngineTest& f) {
                     f.send(CallButton{"btn", "T12", false});
                   }},
        AnswerCase{"seated_booking", CaseKind::kArrivalUnseated, 10min,
                   [](EngineTest& f) {
                     f.send(GuestArrived{"B77", std::nullopt, std::nullopt});
                   },
                   [](EngineTest& f) {
                     f.send(GuestSeated{"T4", "B77", 2, std::nullopt});
                   }},
        AnswerCase{"seated_walk_in", CaseKind::kArrivalUnseated, 10min,
                   [](EngineTest& f) {
                     f.send(GuestArrived{"", 3, std::nullopt});
                   },
                   [](EngineTest& f) {
                     f.send(GuestSeated{"T4", "", 3, std::nullopt});
                   }},
        AnswerCase{"booking_cancelled", CaseKind::kArrivalUnseated, 10min,
                   [](EngineTest& f) {
                     f.send(GuestArrived{"B77", std::nullopt, std::nullopt});
                   },
                   [](EngineTest& f) {
                     f.send(BookingCancelled{"B77", "left"});
                   }},
        AnswerCase{"enquiry_answered", CaseKind::kEnquiryUnanswered, 2h,
                   [](EngineTest& f) {
                     f.send(EnquiryReceived{"E1", "phone", std::nullopt, "", std::nullopt});
                   },
                   [](EngineTest& f) {
                     f.send(EnquiryAnswered{"E1", "sam"});
                   }},
        AnswerCase{"back_in_range", CaseKind::kTemperatureOutOfRange, 15min,
                   [](EngineTest& f) {
                     f.send(Temperature{"fridge-1", 42.0, TemperatureUnit::kFahrenheit});  // 5.6 C
                   },
                   [](EngineTest& f) {
                     f.send(Temperature{"fridge-1", 39.0, TemperatureUnit::kFahrenheit});
                   }},
        AnswerCase{"device_online", CaseKind::kDeviceOffline, 5min,
                   [](EngineTest& f) {
                     f.send(DeviceStatus{"btn", false});
                   },
                   [](EngineTest& f) {
                     f.send(DeviceStatus{"btn", true});
                   }},
        AnswerCase{"occupancy_empty", CaseKind::kTableNoOrder, 10min,
                   [](EngineTest& f) {
                     f.send(Occupancy{"occ", "T3", true});
                   },
                   [](EngineTest& f) {
                     f.send(Occupancy{"occ", "T3", false});
                   }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(EngineTest, WalkInSeatingAnswersTheArrivalOfTheSameParty) {
  send(GuestArrived{"", 2, std::nullopt});
  tick_at(1min);
  send(GuestArrived{"", 5, std::nullopt});
  tick_at(2min);
  send(GuestSeated{"T8", "", 5, std::nullopt});  // the party of five, not the first pair
  tick_at(10min);
  const auto cases = opened(CaseKind::kArrivalUnseated);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].party, 2);
}

TEST_F(EngineTest, AnswerAfterTheBreachLandsOnTheCase) {
  send(GuestSeated{"T12", "", 4, std::nullopt});
  tick_at(10min);
  ASSERT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
  tick_at(14min);
  send(OrderOpened{"T12", "C1", 4, ""});
  ASSERT_EQ(all.back().op, Decision::Op::kAddEvidence);
  EXPECT_EQ(all.back().case_id, opened(CaseKind::kTableNoOrder)[0].case_id);
  EXPECT_EQ(all.back().evidence[0].type, "order.opened");
  EXPECT_NE(all.back().reason.find("14m"), std::string::npos) << all.back().reason;
  EXPECT_EQ(engine.pending_waits(), 0u);
}

// ---- timestamps and order ------------------------------------------------------------------

TEST_F(EngineTest, LateEventCountsFromItsOwnTimestamp) {
  // Seated at 19:00, but the booking system only tells us at 19:09.
  tick_at(9min);
  send(GuestSeated{"T12", "", 2, std::nullopt}, clock.wall_at(0s));
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  tick_at(10min - 1s);
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u) << "breached 1 minute after it arrived";
}

TEST_F(EngineTest, EventLaterThanItsThresholdOpensOnArrivalWithHigherSeverity) {
  tick_at(25min);
  auto out = send(GuestSeated{"T12", "", 2, std::nullopt}, clock.wall_at(0s));
  const auto cases = opened(CaseKind::kTableNoOrder);
  ASSERT_EQ(cases.size(), 1u) << "already 25m past a 10m limit";
  EXPECT_EQ(cases[0].at, clock.wall_at(25min));
  EXPECT_EQ(cases[0].severity, Severity::kCritical) << "medium, +2 for being 2.5x over";
}

TEST_F(EngineTest, TimestampSlightlyInTheFutureCountsFromThatTimestamp) {
  // The codec has already turned a ts more than 5 minutes ahead into the receive time; a ts
  // 2 minutes ahead is kept, so the wait ends 12 minutes from now.
  send(GuestSeated{"T12", "", 2, std::nullopt}, clock.wall_at(2min));
  tick_at(12min - 1s);
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  tick_at(12min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
}

TEST_F(EngineTest, DuplicateIdIsOneEvent) {
  auto first = send(ItemVoided{"C1", "soup", "", std::nullopt, ""}, std::nullopt, "void-1");
  EXPECT_FALSE(first.duplicate);
  auto again = send(ItemVoided{"C1", "soup", "", std::nullopt, ""}, std::nullopt, "void-1");
  EXPECT_TRUE(again.duplicate);
  EXPECT_TRUE(opened(CaseKind::kVoidsRepeated).empty()) << "one void, sent twice by a bridge";
  send(ItemVoided{"C1", "bread", "", std::nullopt, ""}, std::nullopt, "void-2");
  EXPECT_EQ(opened(CaseKind::kVoidsRepeated).size(), 1u);
}

TEST_F(EngineTest, DuplicateCapacityIsBounded) {
  DetectionSettings s = default_settings();
  s.dedup_capacity = 3;
  engine = Engine(s);
  send(Queue{"q", 1}, std::nullopt, "a");
  send(Queue{"q", 1}, std::nullopt, "b");
  send(Queue{"q", 1}, std::nullopt, "c");
  EXPECT_TRUE(send(Queue{"q", 1}, std::nullopt, "c").duplicate);
  send(Queue{"q", 1}, std::nullopt, "d");  // "a" falls out of the window
  EXPECT_FALSE(send(Queue{"q", 1}, std::nullopt, "a").duplicate);
}

TEST_F(EngineTest, OutOfOrderAnswersArrivingFirstPreventTheWait) {
  send(OrderOpened{"T12", "C1", 2, ""}, clock.wall_at(3min));
  send(GuestSeated{"T12", "", 2, std::nullopt}, clock.wall_at(1min));
  send(ItemsServed{"C2", "main", "T7"}, clock.wall_at(30min));
  send(ItemsFired{"C2", "main", "T7", {}}, clock.wall_at(2min));
  send(CheckPaid{"C3", 40.0, "EUR", {}, "T9"}, clock.wall_at(4min));
  send(CheckRequested{"C3", "T9"}, clock.wall_at(2min));
  send(GuestSeated{"T4", "B9", 2, std::nullopt}, clock.wall_at(5min));
  send(GuestArrived{"B9", std::nullopt, std::nullopt}, clock.wall_at(4min));
  send(EnquiryAnswered{"E3", "sam"}, clock.wall_at(6min));
  send(EnquiryReceived{"E3", "web", std::nullopt, "", std::nullopt}, clock.wall_at(1min));
  EXPECT_EQ(engine.pending_waits(), 1u) << "only T4's order is awaited";
  tick_at(4h);
  for (const auto& d : all) {
    if (d.op == Decision::Op::kOpen) {
      EXPECT_EQ(d.kind, CaseKind::kTableNoOrder);
      EXPECT_EQ(d.subject.table, "T4");
    }
  }
}

TEST_F(EngineTest, ClearedTableEndsEveryWaitItHad) {
  send(GuestSeated{"T12", "B1", 4, std::nullopt});
  send(OrderOpened{"T12", "C1", 4, ""});
  send(ItemsFired{"C1", "main", "", {}});  // the table comes from the check
  send(CheckRequested{"C1", ""});
  send(CallButton{"btn-12", "T12", true});
  EXPECT_EQ(engine.pending_waits(), 3u);
  tick_at(2min);
  send(TableCleared{"T12"});
  EXPECT_EQ(engine.pending_waits(), 0u);
  tick_at(3h);
  EXPECT_EQ(count(Decision::Op::kOpen), 0u);
  EXPECT_TRUE(engine.tables().empty());
}

TEST_F(EngineTest, ClockHandedAnEarlierTimeNeitherFiresEarlyNorCrashes) {
  send(GuestSeated{"T12", "", 2, std::nullopt});
  tick_at(9min);
  Now earlier = clock.now;
  earlier.mono -= 8min;
  earlier.wall -= 8min;
  EXPECT_TRUE(engine.on_tick(earlier).decisions.empty());
  // An event stamped by a clock that went back is taken at the latest time seen.
  Event e;
  e.id = "x";
  e.type = EventType::kCallButton;
  e.ts = earlier.wall;
  e.received = earlier.wall;
  e.body = CallButton{"btn", "T2", true};
  EXPECT_TRUE(engine.on_event(e, earlier).decisions.empty());
  tick_at(10min - 1s);
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
}

TEST_F(EngineTest, WallClockJumpDoesNotMoveARunningWait) {
  send(GuestSeated{"T12", "", 2, std::nullopt});
  clock.now.wall += std::chrono::hours(24 * 365);  // NTP's first sync on a box with no RTC
  clock.now.mono += 9min;
  tick();
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  clock.now.mono += 1min;
  tick();
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
}

// ---- cases: one per subject, severity ------------------------------------------------------

TEST_F(EngineTest, RepeatBreachAddsEvidenceToTheOpenCase) {
  send(CallButton{"btn", "T12", true});
  tick_at(3min);
  ASSERT_EQ(opened(CaseKind::kCallUnanswered).size(), 1u);
  const std::string id = opened(CaseKind::kCallUnanswered)[0].case_id;
  send(CallButton{"btn", "T12", false});
  tick_at(10min);
  send(CallButton{"btn", "T12", true});
  tick_at(13min);
  EXPECT_EQ(opened(CaseKind::kCallUnanswered).size(), 1u);
  ASSERT_EQ(all.back().op, Decision::Op::kAddEvidence);
  EXPECT_EQ(all.back().case_id, id);
  EXPECT_EQ(all.back().evidence[0].type, "callbutton");
}

TEST_F(EngineTest, AfterAPersonClosesTheCaseTheNextBreachOpensANewOne) {
  send(Temperature{"fridge-1", 9.0, TemperatureUnit::kCelsius});
  tick_at(15min);
  const std::string first = opened(CaseKind::kTemperatureOutOfRange).at(0).case_id;
  send(Temperature{"fridge-1", 3.0, TemperatureUnit::kCelsius});
  engine.on_case_closed(first);
  send(Temperature{"fridge-1", 8.0, TemperatureUnit::kCelsius});
  tick_at(30min);
  const auto cases = opened(CaseKind::kTemperatureOutOfRange);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_NE(cases[1].case_id, first);
}

TEST_F(EngineTest, NewSeatingAfterClearOpensItsOwnCase) {
  send(GuestSeated{"T12", "", 2, std::nullopt});
  tick_at(10min);
  send(TableCleared{"T12"});
  send(GuestSeated{"T12", "", 3, std::nullopt});
  tick_at(20min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 2u);
}

TEST_F(EngineTest, SeverityRisesAtOneAndAHalfAndTwiceTheThreshold) {
  send(GuestSeated{"T12", "", 2, std::nullopt});
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder)[0].severity, Severity::kMedium);
  tick_at(15min - 1s);
  EXPECT_EQ(count(Decision::Op::kRaiseSeverity), 0u);
  tick_at(15min);
  ASSERT_EQ(count(Decision::Op::kRaiseSeverity), 1u);
  EXPECT_EQ(all.back().severity, Severity::kHigh);
  tick_at(20min);
  ASSERT_EQ(count(Decision::Op::kRaiseSeverity), 2u);
  EXPECT_EQ(all.back().severity, Severity::kCritical);
  tick_at(2h);
  EXPECT_EQ(count(Decision::Op::kRaiseSeverity), 2u);
}

// An odd threshold in milliseconds (a compressed demo) has no exact half: the raise at 1.5x
// must still come, once, and the deadline must move on (it once rescheduled itself forever).
TEST_F(EngineTest, OddMillisecondThresholdsStillRaiseAndMoveOn) {
  DetectionSettings s = default_settings();
  s.detect.table_no_order = Millis{42857};
  engine = Engine(s);
  send(GuestSeated{"T12", "", 2, std::nullopt});
  tick_at(Millis{42857});
  ASSERT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
  tick_at(Millis{64285});
  EXPECT_EQ(count(Decision::Op::kRaiseSeverity), 0u) << "raised before 1.5x";
  tick_at(Millis{64286});
  EXPECT_EQ(count(Decision::Op::kRaiseSeverity), 1u);
  const auto next = engine.next_deadline();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, mono_from_ms(kT0Mono) + Millis{2 * 42857});
}

TEST_F(EngineTest, SeverityRisesWithBookingValueAndPartySize) {
  send(BookingChanged{"B1", clock.wall_at(0s), 8, Customer{"cust-1", "Ada", "", ""}, 420.0, "",
                      "web"});
  send(GuestSeated{"T1", "B1", std::nullopt, std::nullopt});  // party of 8 from the booking
  send(GuestSeated{"T2", "", 2, std::nullopt});
  tick_at(10min);
  const auto cases = opened(CaseKind::kTableNoOrder);
  ASSERT_EQ(cases.size(), 2u);
  const auto& big = cases[0].subject.table == "T1" ? cases[0] : cases[1];
  const auto& small = cases[0].subject.table == "T1" ? cases[1] : cases[0];
  EXPECT_EQ(big.severity, Severity::kCritical) << "medium +1 value +1 party";
  EXPECT_EQ(big.party, 8);
  EXPECT_EQ(big.value, 420.0);
  EXPECT_EQ(big.subject.booking, "B1");
  EXPECT_EQ(big.subject.customer, "cust-1");
  EXPECT_EQ(small.severity, Severity::kMedium);
}

TEST_F(EngineTest, DeviceBackOnlineProposesClosingItsCase) {
  send(DeviceStatus{"fridge-1", false});
  tick_at(5min);
  const auto cases = opened(CaseKind::kDeviceOffline);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].severity, Severity::kHigh) << "a fridge sensor";
  send(DeviceStatus{"fridge-1", false});  // the retained last will, delivered again
  EXPECT_EQ(opened(CaseKind::kDeviceOffline).size(), 1u);
  send(DeviceStatus{"fridge-1", true});
  ASSERT_EQ(all.back().op, Decision::Op::kClose);
  EXPECT_EQ(all.back().case_id, cases[0].case_id);
}

TEST_F(EngineTest, CaseIdsAreUniqueAndSequential) {
  send(ReviewReceived{"R1", "google", 1, "", std::nullopt, "", {}});
  send(ReviewReceived{"R2", "google", 1, "", std::nullopt, "", {}});
  const auto cases = opened(CaseKind::kReviewNegative);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].case_id, "c-000001");
  EXPECT_EQ(cases[1].case_id, "c-000002");
}

TEST_F(EngineTest, ReasonSaysWhatHappenedInPlainWords) {
  send(GuestSeated{"T12", "", 4, std::nullopt});
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder)[0].reason,
            "Table T12 was seated 10m ago and has not ordered (limit 10m).");
  send(Temperature{"fridge-1", 7.46, TemperatureUnit::kCelsius});
  tick_at(25min);
  EXPECT_EQ(opened(CaseKind::kTemperatureOutOfRange)[0].reason,
            "Device fridge-1 (fridge, walk-in fridge) has read 7.5 C, outside 0.0 C to 5.0 C, "
            "for 15m (limit 15m).");
}

// ---- export and restore --------------------------------------------------------------------

TEST_F(EngineTest, RestoreMidWaitFiresOnTimeWithinOneBoot) {
  send(GuestSeated{"T12", "", 4, std::nullopt});
  tick_at(7min);
  const EngineState state = engine.export_state(clock.now);
  // mendd restarts: thirty seconds later a new engine picks the state up.
  clock.advance(30s);
  Engine restarted(default_settings());
  ASSERT_EQ(restarted.restore(state, clock.now, /*same_boot=*/true), std::nullopt);
  engine = std::move(restarted);
  EXPECT_EQ(engine.pending_waits(), 1u);
  EXPECT_EQ(engine.next_deadline(), mono_from_ms(kT0Mono) + 10min);
  tick_at(10min - 1s);
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u) << "3 minutes later, not 10";
}

TEST_F(EngineTest, RestoreAfterARebootCountsTheDowntimeFromTheWallClock) {
  send(GuestSeated{"T12", "", 4, std::nullopt});
  tick_at(7min);
  const EngineState state = engine.export_state(clock.now);
  // The box reboots: the monotonic clock starts again near zero, the wall clock goes on.
  clock.now.wall += 1min;
  clock.now.mono = mono_from_ms(20000);
  Engine restarted(default_settings());
  ASSERT_EQ(restarted.restore(state, clock.now, /*same_boot=*/false), std::nullopt);
  engine = std::move(restarted);
  clock.advance(2min - 1s);
  tick();
  EXPECT_TRUE(opened(CaseKind::kTableNoOrder).empty());
  clock.advance(1s);
  tick();
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u) << "7 + 1 down + 2 = 10 minutes";
}

TEST_F(EngineTest, RestoredStateKeepsCasesSeatingsAndCounters) {
  send(BookingChanged{"B1", clock.wall_at(0s), 6, std::nullopt, 300.0, "", ""});
  send(GuestSeated{"T12", "B1", std::nullopt, std::nullopt});
  send(OrderOpened{"T12", "C1", 6, ""});
  send(ItemVoided{"C1", "soup", "", std::nullopt, ""});
  send(CallButton{"btn", "T12", true});
  tick_at(3min);
  const std::string call_case = opened(CaseKind::kCallUnanswered).at(0).case_id;
  const EngineState state = engine.export_state(clock.now);

  Engine restarted(default_settings());
  ASSERT_EQ(restarted.restore(state, clock.now), std::nullopt);
  engine = std::move(restarted);
  // The void count survived: one more void opens the case.
  send(ItemVoided{"C1", "bread", "", std::nullopt, ""});
  ASSERT_EQ(opened(CaseKind::kVoidsRepeated).size(), 1u);
  EXPECT_EQ(opened(CaseKind::kVoidsRepeated)[0].case_id, "c-000002") << "ids continue";
  // The open call case survived: answering the button lands on it.
  send(CallButton{"btn", "T12", false});
  EXPECT_EQ(all.back().case_id, call_case);
  const auto tables = engine.tables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].party, 6);
  EXPECT_TRUE(tables[0].ordered);
}

TEST_F(EngineTest, RestoreRefusesStateItDoesNotKnow) {
  json::Object bad;
  bad.append("version", 99);
  send(GuestSeated{"T12", "", 4, std::nullopt});
  EXPECT_NE(engine.restore(EngineState{json::Value(bad)}, clock.now), std::nullopt);
  EXPECT_EQ(engine.pending_waits(), 1u) << "a refused restore changes nothing";
  EXPECT_NE(engine.restore(EngineState{json::Value("nonsense")}, clock.now), std::nullopt);
}

TEST_F(EngineTest, ExportOfARestoredEngineIsTheSame) {
  send(GuestSeated{"T12", "", 4, std::nullopt});
  send(EnquiryReceived{"E1", "email", std::nullopt, "wedding", 2000.0});
  send(Temperature{"fridge-1", 8.0, TemperatureUnit::kCelsius});
  tick_at(20min);
  const EngineState a = engine.export_state(clock.now);
  Engine restarted(default_settings());
  ASSERT_EQ(restarted.restore(a, clock.now), std::nullopt);
  EXPECT_EQ(json::dump(restarted.export_state(clock.now).data).size(), json::dump(a.data).size());
  EXPECT_EQ(restarted.pending_waits(), engine.pending_waits());
}

// ---- one guest's enquiries ------------------------------------------------------------------

TEST_F(EngineTest, OneGuestsUnansweredEnquiriesAreOneCaseWithTheirHistory) {
  const auto from = [](std::string id, std::string email, std::string phone) {
    return Customer{std::move(id), "", std::move(phone), std::move(email)};
  };
  // By email, then by id and the same email, then by phone written another way with the id's
  // email: one guest. Another guest's enquiry is a case of its own.
  send(EnquiryReceived{"E1", "email", from("", "Ann@Example.com", ""), "party", {}});
  send(EnquiryReceived{"E2", "web", from("cust-7", "ann@example.com ", "+44 7700 900123"), "", {}},
       clock.wall_at(10min));
  send(EnquiryReceived{"E3", "phone", from("", "", "07700 900123"), "", {}}, clock.wall_at(20min));
  send(EnquiryReceived{"E9", "email", from("", "bob@example.com", ""), "", {}},
       clock.wall_at(20min));
  for (const Millis at : {Millis{2h}, Millis{2h + 10min}, Millis{2h + 20min}}) {
    tick_at(at);  // each breaches in turn
  }
  const auto cases = opened(CaseKind::kEnquiryUnanswered);
  ASSERT_EQ(cases.size(), 2U);
  EXPECT_EQ(cases[0].subject.enquiry, "E1");
  EXPECT_EQ(cases[1].subject.enquiry, "E9");
  EXPECT_EQ(cases[0].severity, Severity::kLow);
  std::vector<std::string> about_ann;
  for (const Decision& d : all) {
    if (d.case_id != cases[0].case_id) continue;
    for (const Evidence& e : d.evidence) {
      about_ann.push_back(e.event);
      if (e.event != "ev-3") continue;
      EXPECT_EQ(d.reason.rfind("Another enquiry from the same guest", 0), 0U) << d.reason;
      EXPECT_GE(d.severity, Severity::kHigh) << "each further enquiry raises it";
    }
  }
  EXPECT_EQ(about_ann, (std::vector<std::string>{"ev-1", "ev-2", "ev-3"}));

  // The link survives a restart, and the saved state holds hashes, not her details.
  const EngineState saved = engine.export_state(clock.now);
  const std::string text = json::dump(saved.data);
  EXPECT_EQ(text.find("ann@example.com"), std::string::npos);
  EXPECT_EQ(text.find("900123"), std::string::npos);
  Engine restarted(default_settings());
  ASSERT_EQ(restarted.restore(saved, clock.now), std::nullopt);
  engine = std::move(restarted);
  send(EnquiryReceived{"E4", "email", from("", "ANN@example.com", ""), "", {}});
  tick_at(6h);
  EXPECT_EQ(opened(CaseKind::kEnquiryUnanswered).size(), 2U) << "still one case for Ann";

  // Once her case is closed, a new enquiry starts a new one.
  engine.on_case_closed(cases[0].case_id);
  send(EnquiryReceived{"E5", "email", from("", "ann@example.com", ""), "", {}});
  tick_at(9h);
  EXPECT_EQ(opened(CaseKind::kEnquiryUnanswered).size(), 3U);
}

TEST_F(EngineTest, AnErasedGuestsEnquiriesAreNoLongerLinked) {
  send(EnquiryReceived{"E1", "email", Customer{"cust-7", "", "", "ann@example.com"}, "", {}});
  EXPECT_GT(engine.rename_customer("cust-7", "erased-g1"), 0U);
  EXPECT_EQ(json::dump(*engine.export_state(clock.now).data.get("enquirers")), "[]");
  send(EnquiryReceived{"E2", "email", Customer{"", "", "", "ann@example.com"}, "", {}});
  tick_at(3h);
  EXPECT_EQ(opened(CaseKind::kEnquiryUnanswered).size(), 2U);
}

// ---- settings and the floor ----------------------------------------------------------------

TEST_F(EngineTest, NewThresholdsApplyToNewWaitsOnly) {
  send(GuestSeated{"T1", "", 2, std::nullopt});
  DetectionSettings s = default_settings();
  s.detect.table_no_order = 5min;
  engine.update_settings(s);
  send(GuestSeated{"T2", "", 2, std::nullopt});
  tick_at(5min);
  ASSERT_EQ(opened(CaseKind::kTableNoOrder).size(), 1u);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder)[0].subject.table, "T2");
  tick_at(10min);
  EXPECT_EQ(opened(CaseKind::kTableNoOrder).size(), 2u);
}

TEST_F(EngineTest, TablesShowTheLiveFloor) {
  send(GuestSeated{"T20", "", 2, std::nullopt});
  send(GuestSeated{"T3", "", 4, std::nullopt});
  send(OrderOpened{"T3", "C7", 4, ""});
  send(ItemsFired{"C7", "starter", "T3", {}});
  send(CheckRequested{"C7", "T3"});
  const auto tables = engine.tables();
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].table, "T20");
  EXPECT_EQ(tables[0].area, "terrace");
  EXPECT_FALSE(tables[0].ordered);
  EXPECT_EQ(tables[1].table, "T3");
  EXPECT_TRUE(tables[1].ordered);
  EXPECT_TRUE(tables[1].bill_requested);
  EXPECT_EQ(tables[1].courses_waiting, std::vector<std::string>{"starter"});
}

TEST_F(EngineTest, ManyWaitsStayOrderedByDeadline) {
  // 300 tables seated a second apart: each breaches in turn, exactly on its own deadline.
  for (int i = 0; i < 300; ++i) {
    send(GuestSeated{"T" + std::to_string(i), "", 2, std::nullopt},
         clock.wall_at(Millis{i * 1000}));
  }
  for (int i = 0; i < 300; ++i) {
    tick_at(10min + Millis{i * 1000});
    ASSERT_EQ(opened(CaseKind::kTableNoOrder).size(), static_cast<std::size_t>(i + 1));
    EXPECT_EQ(opened(CaseKind::kTableNoOrder).back().subject.table, "T" + std::to_string(i));
  }
}

}  // namespace
}  // namespace mend
