// Trust in the sources, on a manual clock: a bridge that dies mid-service gives one
// source.silent case instead of a storm, and only the real breaches once it is back; a source
// whose clock is wrong is corrected and reported once; a bridge replaying its buffer is late,
// not skewed.
#include "core/source_health.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/service.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kT0Wall = 1795374000000;  // 2026-11-22T19:00:00Z
constexpr std::int64_t kT0Mono = 5000000;

// ---- SourceHealth alone --------------------------------------------------------------------

class HealthTest : public ::testing::Test {
 protected:
  void advance(Millis d) {
    now_.wall += d;
    now_.mono += d;
  }
  // An event from `s`, sent `late` before it arrives.
  void hear(Source s, Millis late = 0ms) {
    const EventType type = s == Source::kTill      ? EventType::kOrderOpened
                           : s == Source::kBooking ? EventType::kGuestSeated
                                                   : EventType::kReviewReceived;
    Event e = sent_at("e" + std::to_string(++seq_), type, OrderOpened{}, now_.wall - late);
    e.received = now_.wall;
    health_.on_event(e, now_);
  }
  // Both the till and the booking system send every minute for `minutes`.
  void busy(int minutes) {
    for (int i = 0; i < minutes; ++i) {
      hear(Source::kTill);
      hear(Source::kBooking);
      advance(1min);
      health_.update(now_);
    }
  }
  SourceState state(Source s) { return health_.view(s, now_).state; }

  SourceHealth health_;
  Now now_{wall_from_ms(kT0Wall), mono_from_ms(kT0Mono)};
  int seq_ = 0;
};

TEST_F(HealthTest, ATillThatStopsMidServiceIsQuietThenSilent) {
  busy(30);
  // The till stops; the booking system goes on seating guests every minute.
  const MonoTime stopped = now_.mono - 1min;  // its last message
  EXPECT_EQ(health_.next_change(), stopped + 2min);
  // Its silence is costing something: two of the waits it would answer are held.
  const auto held = [](Source s) { return s == Source::kTill ? 2 : 0; };
  for (int i = 0; i < 10; ++i) {
    hear(Source::kBooking);
    advance(30s);
    health_.update(now_, held);
    const Millis quiet = now_.mono - stopped;
    const SourceState want = quiet < 2min   ? SourceState::kLive
                             : quiet < 5min ? SourceState::kQuiet
                                            : SourceState::kSilent;
    EXPECT_EQ(state(Source::kTill), want) << "after " << quiet.count() << " ms";
    EXPECT_EQ(health_.blind(Source::kTill), want != SourceState::kLive);
    EXPECT_EQ(health_.view(Source::kTill, now_).reported, want == SourceState::kSilent);
  }
  EXPECT_EQ(state(Source::kBooking), SourceState::kLive);
  // One message and it is live again.
  hear(Source::kTill);
  const auto changes = health_.update(now_);
  ASSERT_EQ(changes.size(), 1U);
  EXPECT_TRUE(changes[0].state_changed);
  EXPECT_TRUE(changes[0].report_changed);
  EXPECT_EQ(state(Source::kTill), SourceState::kLive);
}

TEST_F(HealthTest, ASilenceThatCostsNothingIsNotReported) {
  busy(30);
  // The booking system has seated everyone; the till goes on. Nothing of the booking's is due.
  for (int i = 0; i < 10; ++i) {
    hear(Source::kTill);
    advance(1min);
    health_.update(now_, [](Source) { return 0; });
  }
  // Unusually quiet, so a wait of its that came due would be held a little; but not reported.
  EXPECT_EQ(state(Source::kBooking), SourceState::kQuiet);
  EXPECT_FALSE(health_.view(Source::kBooking, now_).reported);
  // One wait held alone (a last bill at closing time) is not enough either.
  health_.update(now_, [](Source) { return 1; });
  EXPECT_FALSE(health_.view(Source::kBooking, now_).reported);
}

TEST_F(HealthTest, TheTillOrderingForTablesNobodySeatedShowsTheBookingSystemSilent) {
  busy(30);
  for (int i = 0; i < 10; ++i) {
    hear(Source::kTill);
    if (i % 2 == 0) health_.on_missing(Source::kBooking);  // an order for an unseated table
    advance(1min);
    health_.update(now_, [](Source) { return 0; });
  }
  EXPECT_EQ(state(Source::kBooking), SourceState::kSilent);
  EXPECT_TRUE(health_.view(Source::kBooking, now_).reported);
  hear(Source::kBooking);
  health_.update(now_);
  EXPECT_EQ(state(Source::kBooking), SourceState::kLive);
}

TEST_F(HealthTest, AVenueThatWindsDownIsNotABridgeGoneSilent) {
  busy(30);
  // Everything stops at once: the evening is over. A short hold, then nothing is reported.
  advance(3min);
  health_.update(now_);
  EXPECT_EQ(state(Source::kTill), SourceState::kQuiet);
  advance(30min);
  health_.update(now_);
  EXPECT_EQ(state(Source::kTill), SourceState::kLive);
  EXPECT_FALSE(health_.view(Source::kTill, now_).reported);
  EXPECT_FALSE(health_.blind(Source::kBooking));
}

TEST_F(HealthTest, ASparseSourceIsNeverCalledQuiet) {
  // Feedback comes a few times an evening: a long gap in it says nothing.
  for (int i = 0; i < 5; ++i) {
    hear(Source::kFeedback);
    hear(Source::kTill);
    advance(20min);
    health_.update(now_);
  }
  advance(2h);
  health_.update(now_);
  EXPECT_EQ(state(Source::kFeedback), SourceState::kLive);
}

TEST_F(HealthTest, ABridgeThatSaysItIsOfflineIsBlindAtOnceAndReportedOnceInService) {
  busy(30);
  health_.on_status(Source::kTill, false, now_);
  health_.update(now_);
  EXPECT_EQ(state(Source::kTill), SourceState::kOffline);
  EXPECT_TRUE(health_.blind(Source::kTill));
  EXPECT_FALSE(health_.view(Source::kTill, now_).reported);
  for (int i = 0; i < 5; ++i) {
    hear(Source::kBooking);
    advance(1min);
  }
  health_.update(now_);
  EXPECT_TRUE(health_.view(Source::kTill, now_).reported);
  health_.on_status(Source::kTill, true, now_);
  health_.update(now_);
  EXPECT_EQ(state(Source::kTill), SourceState::kLive);
}

TEST_F(HealthTest, ATillEightMinutesSlowIsCorrectedByItsOffset) {
  for (int i = 0; i < 12; ++i) {
    hear(Source::kTill, 8min + Millis{i * 150});  // a little network jitter
    advance(1min);
  }
  const SourceView v = health_.view(Source::kTill, now_);
  EXPECT_TRUE(v.skewed);
  EXPECT_GE(v.correction, 8min);
  EXPECT_LE(v.correction, 8min + 2s);
  EXPECT_EQ(health_.correction(Source::kTill), v.correction);
  EXPECT_EQ(health_.correction(Source::kBooking), 0ms);
  // Set right: once the estimate falls under half the limit, no more correction.
  for (int i = 0; i < 31; ++i) {
    hear(Source::kTill, 1s);
    advance(1min);
  }
  EXPECT_FALSE(health_.view(Source::kTill, now_).skewed);
  EXPECT_EQ(health_.correction(Source::kTill), 0ms);
}

TEST_F(HealthTest, ABridgeReplayingFiveMinutesOfBufferIsLateNotSkewed) {
  // The broker was down five minutes; the bridge kept 20 events and sends them all at once.
  for (int i = 0; i < 20; ++i) hear(Source::kTill, Millis{300000 - i * 15000});
  const SourceView v = health_.view(Source::kTill, now_);
  EXPECT_FALSE(v.skewed);
  EXPECT_GT(v.spread, 30s);
  EXPECT_EQ(health_.correction(Source::kTill), 0ms);
}

TEST_F(HealthTest, AFastClockIsCorrectedBackwards) {
  for (int i = 0; i < 9; ++i) hear(Source::kBooking, -3min);
  EXPECT_TRUE(health_.view(Source::kBooking, now_).skewed);
  EXPECT_EQ(health_.correction(Source::kBooking), -3min);
}

TEST_F(HealthTest, TheUsualPaceOfAnHourIsLearnedAndKept) {
  busy(75);  // 19:00 to 20:15, so the hour 19:00-20:00 is learned whole
  const json::Value saved = health_.to_json();
  SourceHealth next;
  next.restore(saved);
  // A day later at 19:00 the till has not been heard since mendd started: its usual pace says
  // two quiet minutes at this hour are already unusual.
  Now later{now_.wall + 24h - 75min, now_.mono + 1h};
  next.update(later);
  later.wall += 3min;
  later.mono += 3min;
  next.update(later);
  EXPECT_EQ(next.view(Source::kTill, later).state, SourceState::kQuiet);
  EXPECT_DOUBLE_EQ(next.view(Source::kTill, later).pace, 1.0);
  // The hour before had no usual pace yet: nothing held.
  SourceHealth fresh;
  Now early{now_.wall + 24h - 135min, now_.mono + 1h};
  fresh.restore(saved);
  fresh.update(early);
  early.wall += 3min;
  early.mono += 3min;
  fresh.update(early);
  EXPECT_EQ(fresh.view(Source::kTill, early).state, SourceState::kLive);
}

TEST_F(HealthTest, ACorrectionIsKeptAcrossARestart) {
  for (int i = 0; i < 9; ++i) hear(Source::kTill, 8min);
  SourceHealth next;
  next.restore(health_.to_json());
  EXPECT_EQ(next.correction(Source::kTill), 8min);
  // Restored reports nothing new: its case is in the store already.
  EXPECT_TRUE(next.update(now_).empty());
}

TEST_F(HealthTest, ASkewLimitOfZeroWatchesNoClock) {
  SourceHealth off(SourceSettings{0ms});
  for (int i = 0; i < 12; ++i) {
    Event e =
        sent_at("x" + std::to_string(i), EventType::kOrderOpened, OrderOpened{}, now_.wall - 8min);
    e.received = now_.wall;
    off.on_event(e, now_);
  }
  EXPECT_EQ(off.correction(Source::kTill), 0ms);
}

// ---- the service: no storms ----------------------------------------------------------------

class SourcesServiceTest : public ::testing::Test {
 protected:
  SourcesServiceTest() {
    ConfigResult r = parse_config("[venue]\nid = \"v1\"\nname = \"The Anchor\"\n", "test.toml");
    service_ = std::make_unique<RecoveryService>(ServiceSettings::from(*r.config),
                                                 [](WallTime) { return Millis{0}; });
  }

  void advance(Millis d) {
    now_.wall += d;
    now_.mono += d;
  }
  Effects run_until(MonoTime t) {
    Effects all;
    while (auto due = service_->next_deadline()) {
      if (*due > t) break;
      advance(*due - now_.mono);
      all.merge(service_->on_tick(now_));
    }
    advance(t - now_.mono);
    return all;
  }
  Effects run_for(Millis d) { return run_until(now_.mono + d); }

  // An event sent at `ts` by its source's clock and received now.
  Effects send(EventType type, EventBody body, WallTime ts) {
    Event e = sent_at("ev-" + std::to_string(++seq_), type, std::move(body), ts);
    e.received = now_.wall;
    return service_->on_event(e, now_);
  }
  Effects seat(const std::string& table, Millis clock = 0ms) {
    GuestSeated b;
    b.table = table;
    b.party = 2;
    return send(EventType::kGuestSeated, b, now_.wall - clock);
  }
  Effects order(const std::string& table, WallTime ts) {
    return send(EventType::kOrderOpened, OrderOpened{table, "C-" + table, 2, ""}, ts);
  }
  Effects clear(const std::string& table) {
    return send(EventType::kTableCleared, TableCleared{table}, now_.wall);
  }
  // Half an hour of ordinary service: a table seated, ordering and leaving every minute.
  void warm_up() {
    for (int i = 0; i < 30; ++i) {
      const std::string t = "W" + std::to_string(i);
      seat(t);
      run_for(20s);
      order(t, now_.wall);
      run_for(20s);
      clear(t);
      run_for(20s);
    }
  }

  std::vector<const Case*> cases(CaseKind kind) const {
    CaseFilter f;
    f.kind = kind;
    return service_->cases().list(f);
  }

  std::unique_ptr<RecoveryService> service_;
  Now now_{wall_from_ms(kT0Wall), mono_from_ms(kT0Mono)};
  int seq_ = 0;
};

TEST_F(SourcesServiceTest, ATillSilentWithFourteenTablesSeatedIsOneCaseNotFourteen) {
  warm_up();
  // The till bridge dies. The booking system seats 14 tables over the next ten minutes.
  std::vector<WallTime> seated;
  for (int i = 0; i < 14; ++i) {
    seated.push_back(now_.wall);
    seat("T" + std::to_string(i));
    run_for(40s);
  }
  run_for(20min - 14 * 40s);

  EXPECT_TRUE(cases(CaseKind::kTableNoOrder).empty());
  const auto silent = cases(CaseKind::kSourceSilent);
  ASSERT_EQ(silent.size(), 1U);
  const Case& c = *silent.front();
  EXPECT_EQ(c.subject.device, "till");
  EXPECT_EQ(c.status, CaseStatus::kOpen);
  // Called silent once two tables' waits were held, the second at 10m40s after the last order.
  EXPECT_EQ(c.reason,
            "No till events for 11 minutes while 14 tables were seated. Held instead of raised: 2 "
            "tables waiting to order; each is listed here.");
  // Every table that would have been flagged is listed, each once.
  const auto held = std::count_if(c.evidence.begin(), c.evidence.end(),
                                  [](const Evidence& e) { return e.type == "guest.seated"; });
  EXPECT_EQ(held, 14);
  const std::vector<SourceView> views = service_->sources(now_);
  EXPECT_EQ(views[static_cast<std::size_t>(Source::kTill)].state, SourceState::kSilent);

  // The till comes back with what it buffered: tables 0-9 ordered five minutes after sitting
  // down, in time; tables 10-13 never ordered.
  for (int i = 0; i < 10; ++i) order("T" + std::to_string(i), seated[i] + 5min);
  EXPECT_EQ(cases(CaseKind::kSourceSilent).front()->status, CaseStatus::kClosed);
  EXPECT_TRUE(cases(CaseKind::kTableNoOrder).empty());  // late events get their grace
  run_for(Engine::kReturnGrace);
  std::vector<std::string> breached;
  for (const Case* n : cases(CaseKind::kTableNoOrder)) breached.push_back(n->subject.table);
  std::sort(breached.begin(), breached.end());
  EXPECT_EQ(breached, (std::vector<std::string>{"T10", "T11", "T12", "T13"}));
  for (const Case* n : cases(CaseKind::kTableNoOrder)) {
    EXPECT_NE(n->reason.find("held while the till system was silent"), std::string::npos)
        << n->reason;
  }
  // Nothing about the till's clock: its late events were late, not skewed.
  EXPECT_TRUE(cases(CaseKind::kSourceClockSkew).empty());
}

TEST_F(SourcesServiceTest, AWaitThatBreachesWhileItsSourceIsLiveIsRaisedAsEver) {
  warm_up();
  seat("T1");
  seat("T2");
  // The till goes on with T2; T1 alone is forgotten.
  for (int i = 0; i < 11; ++i) {
    order("T2", now_.wall);
    run_for(1min);
  }
  ASSERT_EQ(cases(CaseKind::kTableNoOrder).size(), 1U);
  EXPECT_TRUE(cases(CaseKind::kSourceSilent).empty());
}

TEST_F(SourcesServiceTest, ATillEightMinutesSlowIsOneSkewCaseAndNoFalseBills) {
  // Its clock says every event happened eight minutes before it did.
  const Millis slow = 8min;
  for (int i = 0; i < 12; ++i) {
    const std::string t = "T" + std::to_string(i);
    seat(t);
    order(t, now_.wall - slow);
    run_for(1min);
  }
  // Bills asked for and paid in four minutes: well within the 8-minute limit.
  for (int i = 0; i < 12; ++i) {
    const std::string t = "T" + std::to_string(i);
    send(EventType::kCheckRequested, CheckRequested{"C-" + t, t}, now_.wall - slow);
    run_for(4min);
    send(EventType::kCheckPaid, CheckPaid{"C-" + t, 40, "GBP", std::nullopt, t}, now_.wall - slow);
  }
  run_for(30min);
  EXPECT_TRUE(cases(CaseKind::kBillSlow).empty());
  EXPECT_TRUE(cases(CaseKind::kTableNoOrder).empty());
  const auto skew = cases(CaseKind::kSourceClockSkew);
  ASSERT_EQ(skew.size(), 1U);
  EXPECT_EQ(skew.front()->subject.device, "till");
  EXPECT_NE(skew.front()->reason.find("is 8 minutes slow"), std::string::npos)
      << skew.front()->reason;
  const SourceView v = service_->sources(now_)[static_cast<std::size_t>(Source::kTill)];
  EXPECT_TRUE(v.skewed);
  EXPECT_EQ(v.correction, slow);
}

TEST_F(SourcesServiceTest, ASlowClockFoundAfterItsFirstEventsMovesTheirWaits) {
  // A booking system 8 minutes slow: its first seatings look 8 minutes old, so their
  // no-order waits would breach 2 minutes after the guests sat down.
  const Millis slow = 8min;
  for (int i = 0; i < 9; ++i) {
    seat("T" + std::to_string(i), slow);
    run_for(10s);
  }
  run_for(5min);
  EXPECT_TRUE(cases(CaseKind::kTableNoOrder).empty());
  EXPECT_EQ(cases(CaseKind::kSourceClockSkew).size(), 1U);
  // Unanswered, they breach at their true ten minutes.
  run_for(5min);
  EXPECT_EQ(cases(CaseKind::kTableNoOrder).size(), 9U);
}

}  // namespace
}  // namespace mend
