// The Concierge's briefing (core/briefing.hpp): which of a shift's bookings are worth knowing,
// and what the team is told about each. Literal times, no sleeps.
#include <gtest/gtest.h>

#include "core/briefing.hpp"
#include "core/service.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr Millis kDay = std::chrono::hours(24);
const WallTime kT0 = wall_from_ms(1'795'000'000'000);

class BriefingTest : public ::testing::Test {
 protected:
  BriefingTest() {
    GuestSettings s;
    s.regular_visits = 3;
    book.update_settings(s);
  }
  void booking(const std::string& id, const std::string& customer, const std::string& name,
               WallTime at, const std::string& notes = {}, WallTime sent = kT0) {
    BookingChanged b;
    b.booking = id;
    b.at = at;
    b.party = 2;
    b.customer = Customer{customer, name, "", ""};
    b.notes = notes;
    book.on_event(test::source_event("ev-" + id + std::to_string(++seq), EventType::kBookingCreated,
                                     b, sent));
  }
  void seated(const std::string& booking_id, WallTime at) {
    GuestSeated s;
    s.table = "T1";
    s.booking = booking_id;
    book.on_event(
        test::source_event("ev-s" + std::to_string(++seq), EventType::kGuestSeated, s, at));
  }

  GuestBook book;
  int seq = 0;
};

TEST_F(BriefingTest, TheShiftsRegularsAllergiesOccasionsAndLastVisitsGoneWrong) {
  // Ann has come three times: a regular.
  for (int v = 0; v < 3; ++v) {
    const WallTime at = kT0 + v * 7 * kDay;
    booking("A" + std::to_string(v), "cust-ann", "Ann Lee", at, {}, at - kDay);
    seated("A" + std::to_string(v), at);
  }
  // A UTC midnight a month on, so the shift starts at 17:00.
  const WallTime day = wall_from_ms(floor_div(to_ms(kT0), kMsPerDay) * kMsPerDay) + 30 * kDay;
  const WallTime shift = day + 17h;
  booking("A9", "cust-ann", "Ann Lee", shift + 2h, {}, day);
  booking("B1", "cust-bo", "Bo Chen", shift + 1h, "severe nut allergy; birthday", day);
  booking("C1", "cust-cy", "Cy Diaz", shift + 3h, {}, day);          // nothing to know
  booking("D1", "cust-di", "Di Evans", day + 12h, "birthday", day);  // the shift before
  const Briefing b = make_briefing(book, shift, shift + 7h);
  ASSERT_EQ(b.entries.size(), 2U);
  EXPECT_EQ(b.entries[0].name, "Bo Chen");
  EXPECT_EQ(b.entries[0].why, (std::vector<std::string>{"dietary", "occasion"}));
  ASSERT_EQ(b.entries[0].dietary.size(), 1U);
  EXPECT_EQ(b.entries[0].dietary[0].basis, HealthBasis::kThisBooking);
  EXPECT_EQ(b.entries[1].name, "Ann Lee");
  EXPECT_EQ(b.entries[1].tier, GuestTier::kRegular);
  EXPECT_EQ(briefing_summary(b, Millis{0}),
            "2 bookings to know for the shift from 17:00: Bo Chen (severe nut allergy, birthday) "
            "at 18:00; Ann Lee (regular) at 19:00.");
}

// The Concierge in the recovery service: the briefing goes to the manager once per shift,
// briefing_lead before it starts (the box's clock at UTC, shifts at 06:00 and 16:00).
class ConciergeTest : public ::testing::Test {
 protected:
  static ServiceSettings settings(const std::string& extra = {}) {
    ConfigResult c = parse_config(
        // A long table_no_order: Ann's earlier visits open no case of their own.
        "[venue]\nid = \"v1\"\nname = \"The Anchor\"\n[detect]\ntable_no_order = \"6h\"\n"
        "[guests]\nregular_visits = 3\n" +
            extra,
        "test.toml");
    EXPECT_TRUE(c.config.has_value()) << (c.errors.empty() ? "" : c.errors.front().to_string());
    return ServiceSettings::from(c.config.value_or(Config{}));
  }
  explicit ConciergeTest(const std::string& extra = {})
      : service_(std::make_unique<RecoveryService>(settings(extra), utc)) {}

  static Millis utc(WallTime) { return Millis{0}; }
  static Now at(WallTime t) { return Now{t, MonoTime{Millis{1'000'000}} + (t - kT0)}; }
  // The host's loop: wake at each deadline the service names, from `from`, until a briefing
  // goes out (or `until`); when it went out and that wake-up's effects, if it did.
  std::optional<std::pair<WallTime, Effects>> wake_until_briefed(WallTime from, WallTime until) {
    WallTime t = from;
    while (t <= until) {
      Effects fx = service_->on_tick(at(t));
      if (!briefings(fx).empty()) return std::pair{t, std::move(fx)};
      const auto next = service_->next_deadline();
      if (!next) return std::nullopt;
      t = kT0 + (*next - at(kT0).mono);
    }
    return std::nullopt;
  }
  // A UTC midnight a month after kT0: the day the tests brief.
  static WallTime day() {
    return wall_from_ms(floor_div(to_ms(kT0), kMsPerDay) * kMsPerDay) + 30 * kDay;
  }
  Effects event(EventType type, const auto& body, WallTime t) {
    return service_->on_event(test::source_event("ev-" + std::to_string(++seq_), type, body, t),
                              at(t));
  }
  // Ann's three earlier visits (a regular from then on), and her booking tonight at 19:00;
  // a stranger's at 18:00.
  void regulars_booked() {
    for (int v = 0; v < 3; ++v) {
      GuestSeated s;
      s.table = "T4";
      s.party = 2;
      s.customer = Customer{"cust-ann", "Ann Lee", "", ""};
      event(EventType::kGuestSeated, s, day() - (21 - 7 * v) * kDay + 19h);
      TableCleared c;
      c.table = "T4";
      event(EventType::kTableCleared, c, day() - (21 - 7 * v) * kDay + 21h);
    }
    BookingChanged b;
    b.booking = "bk-ann";
    b.at = day() + 19h;
    b.party = 2;
    b.customer = Customer{"cust-ann", "Ann Lee", "", ""};
    event(EventType::kBookingCreated, b, day() + 9h);
    b.booking = "bk-stranger";
    b.at = day() + 18h;
    b.customer = Customer{"cust-new", "Cy Diaz", "", ""};
    event(EventType::kBookingCreated, b, day() + 9h);
  }
  static std::vector<const json::Value*> briefings(const Effects& fx) {
    std::vector<const json::Value*> out;
    for (const auto& a : fx.alerts) {
      const json::Value* e = a.get("event");
      if (e != nullptr && e->as_string() != nullptr && *e->as_string() == "briefing") {
        out.push_back(&a);
      }
    }
    return out;
  }
  static std::string str(const json::Value& v, const char* key) {
    const json::Value* f = v.get(key);
    return f != nullptr && f->as_string() != nullptr ? *f->as_string() : std::string();
  }

  std::unique_ptr<RecoveryService> service_;
  int seq_ = 0;
};

TEST_F(ConciergeTest, TheManagerHearsOnceHalfAnHourBeforeTheShiftWithItsRegulars) {
  regulars_booked();
  // The host's timer wakes the service for it at 15:30, for the 16:00 shift.
  const auto woke = wake_until_briefed(day() + 15h, day() + 16h);
  ASSERT_TRUE(woke.has_value());
  EXPECT_EQ(woke->first, day() + 15h + 30min);
  const Effects& fx = woke->second;
  const auto told = briefings(fx);
  ASSERT_EQ(told.size(), 1U);
  EXPECT_EQ(str(*told[0], "role"), "manager");
  EXPECT_EQ(str(*told[0], "from"), format_rfc3339(day() + 16h));
  EXPECT_EQ(str(*told[0], "text"),
            "1 booking to know for the shift from 16:00: Ann Lee (regular) at 19:00.");
  EXPECT_EQ(told[0]->get("count")->as_int(), 1);
  // Names and health notes stay in the venue: nothing of it is for the cloud.
  EXPECT_TRUE(fx.outbox.empty());
  // The tablet's view: the shift the team is preparing for, the stranger left out.
  const json::Value view = service_->briefing(at(day() + 15h + 45min), std::nullopt);
  EXPECT_EQ(str(view, "shift"), "next");
  EXPECT_TRUE(view.get("briefed")->as_bool().value_or(false));
  ASSERT_EQ(view.get("entries")->as_array()->size(), 1U);
  EXPECT_EQ(str(view.get("entries")->as_array()->front(), "name"), "Ann Lee");
  // Before the lead, the current shift; its briefing was not sent (the box was not there).
  const json::Value morning = service_->briefing(at(day() + 10h), std::nullopt);
  EXPECT_EQ(str(morning, "shift"), "current");
  EXPECT_FALSE(morning.get("briefed")->as_bool().value_or(true));
  // Once per shift: the next goes out for the morning shift, at 05:30, where Ann has booked
  // lunch (booked at 17:00, when the evening's briefing had gone out).
  BookingChanged lunch;
  lunch.booking = "bk-ann-lunch";
  lunch.at = day() + 1 * kDay + 12h;
  lunch.party = 2;
  lunch.customer = Customer{"cust-ann", "Ann Lee", "", ""};
  event(EventType::kBookingCreated, lunch, day() + 17h);
  const auto morning_shift = wake_until_briefed(day() + 17h, day() + 2 * kDay);
  ASSERT_TRUE(morning_shift.has_value());
  EXPECT_EQ(morning_shift->first, day() + 1 * kDay + 5h + 30min);
}

TEST_F(ConciergeTest, ARestartDoesNotBriefTwiceAndABoxThatWasOffBriefsLateOnlyJustAfterTheStart) {
  regulars_booked();
  ASSERT_EQ(briefings(service_->on_tick(at(day() + 15h + 30min))).size(), 1U);
  SavedState saved = service_->take_changed_state(at(day() + 15h + 31min), true, true);
  ASSERT_TRUE(saved.briefing.has_value());
  for (const Millis after : {15h + 50min, 16h + 10min}) {
    RecoveryService again(settings(), utc);
    const auto r = again.restore({}, saved, at(day() + after), true);
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_TRUE(briefings(r.effects).empty()) << "briefed twice after a restart";
  }
  // Without the saved mark (a box that was off at 15:30): late within the lead, not after.
  saved.briefing.reset();
  RecoveryService late(settings(), utc);
  EXPECT_EQ(briefings(late.restore({}, saved, at(day() + 16h + 10min), true).effects).size(), 1U);
  RecoveryService too_late(settings(), utc);
  EXPECT_TRUE(
      briefings(too_late.restore({}, saved, at(day() + 16h + 40min), true).effects).empty());
}

class ConciergeOffTest : public ConciergeTest {
 protected:
  ConciergeOffTest() : ConciergeTest("[[employee]]\nid = \"concierge\"\nenabled = false\n") {}
};

TEST_F(ConciergeOffTest, SwitchedOffItSendsNothingButTheTabletStillShowsTheShift) {
  regulars_booked();
  for (const Millis t : {15h + 30min, 15h + 59min}) {
    EXPECT_TRUE(briefings(service_->on_tick(at(day() + t))).empty());
  }
  const json::Value view = service_->briefing(at(day() + 15h + 45min), true);
  EXPECT_EQ(view.get("entries")->as_array()->size(), 1U);
}

TEST_F(ConciergeTest, ALastVisitThatWentWrongSaysWhatWasDone) {
  regulars_booked();
  // On Ann's last visit she complained; a manager resolved it with what was done.
  const WallTime last = day() - 7 * kDay + 20h;
  CaseReport r;
  r.guest = "cust-ann";
  r.table = "T4";
  r.channel = "in_person";
  r.what = "Main course arrived cold";
  r.by = Actor{"user:1", "staff"};
  const ActionEffects opened = service_->report(r, at(last));
  ASSERT_TRUE(std::holds_alternative<Effects>(opened));
  const std::string id = std::get<Effects>(opened).opened.front();
  PersonAction resolve;
  resolve.kind = PersonAction::Kind::kResolve;
  resolve.case_id = id;
  resolve.by = Actor{"user:2", "manager"};
  resolve.version = service_->cases().find(id)->version;
  resolve.note = "Apologised, main remade, dessert on the house";
  const ActionEffects done = service_->act(resolve, at(last + 30min));
  ASSERT_TRUE(std::holds_alternative<Effects>(done)) << std::get<ActionRefusal>(done).message;
  const json::Value view = service_->briefing(at(day() + 15h + 45min), true);
  ASSERT_EQ(view.get("entries")->as_array()->size(), 1U);
  const json::Value& ann = view.get("entries")->as_array()->front();
  EXPECT_EQ(json::dump(*ann.get("last_visit_recovery")),
            R"(["a complaint: Apologised, main remade, dessert on the house"])");
  EXPECT_EQ(json::dump(*ann.get("why")), R"(["regular","last_visit"])");
}

}  // namespace
}  // namespace mend
