// Win-back (core/winback.hpp): who counts as lapsed, what the evidence and the draft say, and
// through the service: one case per absence, the manager's edited note going to the guest.
// Literal times, no sleeps.
#include <gtest/gtest.h>

#include "core/service.hpp"
#include "core/winback.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr Millis kDay = std::chrono::hours(24);
const WallTime kNow = wall_from_ms(1'795'000'000'000);

// A guest who came `visits` times, every `every` (give or take `jitter`, alternating), the last
// time `away` before kNow.
GuestRecord habit(int visits, Millis every, Millis away, Millis jitter = Millis{0}) {
  GuestRecord r;
  r.id = "cust-1";
  r.ref = "g1";
  r.name = "Ann Lee";
  WallTime t = kNow - away;
  std::vector<WallTime> starts(static_cast<std::size_t>(visits));
  for (int i = visits - 1; i >= 0; --i) {  // the latest first
    starts[static_cast<std::size_t>(i)] = t;
    t -= every + (i % 2 == 0 ? jitter : -jitter);
  }
  r.visits = visits;
  r.first_visit = starts.front();
  r.latest = starts.back();
  const auto from = starts.size() > kRecentVisits ? starts.size() - kRecentVisits : 0;
  r.recent_visits.assign(starts.begin() + static_cast<std::ptrdiff_t>(from), starts.end());
  r.tables = {{"T4", 9}, {"T2", 1}};
  return r;
}

GuestSettings settings() {
  GuestSettings s;
  s.regular_visits = 5;
  s.winback_after = 90 * kDay;
  s.winback_factor = 3;
  return s;
}

TEST(Winback, ARegularAwayBeyondBothLimitsIsLapsedWithTheEvidenceInWords) {
  GuestRecord r = habit(25, 17 * kDay, 105 * kDay, 3 * kDay);
  r.latest_failures = {CaseKind::kCourseSlow};
  const auto l = lapse_of(r, settings(), kNow, "The Anchor");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->usual, 20 * kDay);
  EXPECT_EQ(l->evidence,
            "Came every 2-3 weeks for 14 months (25 visits); last visit 15 weeks ago; that visit "
            "had a slow course.");
  EXPECT_EQ(l->draft,
            "Dear Ann, we have missed you at The Anchor. We know your last visit, with a slow "
            "course, was not what it should have been, and we are sorry. We would love to "
            "welcome you back: reply to this message and we will keep your usual table (T4) for "
            "you.");
}

TEST(Winback, TheLimitsAreTheVenuesMinimumAndTheGuestsOwnHabit) {
  const GuestSettings s = settings();
  // Weekly: three times the habit is three weeks, so the venue's 90 days decide.
  EXPECT_FALSE(lapse_of(habit(20, 7 * kDay, 85 * kDay), s, kNow, "V"));
  EXPECT_TRUE(lapse_of(habit(20, 7 * kDay, 95 * kDay), s, kNow, "V"));
  // Every 45 days: 90 days away is only two of their intervals.
  EXPECT_FALSE(lapse_of(habit(8, 45 * kDay, 120 * kDay), s, kNow, "V"));
  EXPECT_TRUE(lapse_of(habit(8, 45 * kDay, 140 * kDay), s, kNow, "V"));
  // No habit: too few visits, or too few gaps known.
  EXPECT_FALSE(lapse_of(habit(4, 7 * kDay, 200 * kDay), s, kNow, "V"));
  GuestRecord few_gaps = habit(20, 7 * kDay, 200 * kDay);
  few_gaps.recent_visits.erase(few_gaps.recent_visits.begin(), few_gaps.recent_visits.end() - 3);
  EXPECT_FALSE(lapse_of(few_gaps, s, kNow, "V"));
  // Said once per absence.
  GuestRecord flagged = habit(20, 7 * kDay, 200 * kDay);
  flagged.lapsed_flagged = kNow - kDay;
  EXPECT_FALSE(lapse_of(flagged, s, kNow, "V"));
}

class WinbackServiceTest : public ::testing::Test {
 protected:
  static ServiceSettings service_settings() {
    ConfigResult c = parse_config("[venue]\nid = \"v1\"\nname = \"The Anchor\"\n", "test.toml");
    EXPECT_TRUE(c.config.has_value()) << (c.errors.empty() ? "" : c.errors.front().to_string());
    ServiceSettings s = ServiceSettings::from(c.config.value_or(Config{}));
    s.guest_messaging = true;
    return s;
  }
  WinbackServiceTest() : service_(service_settings(), [](WallTime) { return Millis{0}; }) {}

  void visit(WallTime at, const std::string& who = "cust-1") {
    GuestSeated body;
    body.table = who == "cust-1" ? "T4" : "T9";
    body.party = 2;
    body.customer = who == "cust-1" ? Customer{"cust-1", "Ann Lee", "", "ann@example.org"}
                                    : Customer{who, "Bo", "", ""};
    at_ = at;
    const Now now{at, MonoTime{Millis{5000000}} + (at - kNow + 400 * kDay)};
    service_.on_event(
        test::source_event("ev-" + std::to_string(++seq_), EventType::kGuestSeated, body, at), now);
  }
  Now now_at(WallTime at) const {
    return Now{at, MonoTime{Millis{5000000}} + (at - kNow + 400 * kDay)};
  }
  std::vector<const Case*> lapses() const {
    CaseFilter f;
    f.kind = CaseKind::kGuestLapsed;
    return service_.cases().list(f);
  }

  RecoveryService service_;
  WallTime at_;
  int seq_ = 0;
};

TEST_F(WinbackServiceTest, OneCaseAnAbsenceAndTheManagersEditedNoteGoesToTheGuest) {
  for (int week = 0; week < 12; ++week) {
    visit(kNow - 200 * kDay + week * 14 * kDay + kDay, "cust-2");
    visit(kNow - 200 * kDay + week * 14 * kDay);
  }
  service_.on_tick(now_at(at_ + kDay));
  EXPECT_TRUE(lapses().empty()) << "still coming";

  const Now later = now_at(at_ + 100 * kDay);
  service_.on_tick(later);
  ASSERT_EQ(lapses().size(), 2U) << "a case each";
  const Case& c = *lapses()[lapses()[0]->subject.customer == "cust-1" ? 0 : 1];
  EXPECT_EQ(c.subject.customer, "cust-1");
  EXPECT_EQ(c.reason.rfind("Came every 2 weeks", 0), 0U) << c.reason;
  EXPECT_EQ(c.recommendation.action, "win_back_message");
  EXPECT_EQ(c.recommendation.needs_approval_by, "manager");
  EXPECT_EQ(c.recommendation.text.rfind("Dear Ann, we have missed you at The Anchor.", 0), 0U)
      << c.recommendation.text;
  const std::string id = c.id;

  // A day later nothing new is said about the same absence.
  service_.on_tick(now_at(at_ + 101 * kDay));
  EXPECT_EQ(lapses().size(), 2U);

  PersonAction a;
  a.kind = PersonAction::Kind::kDecide;
  a.case_id = id;
  a.verdict = Verdict::kEdit;
  a.note = "warmer";
  a.edited = Recommendation{"win_back_message", "Ann, your table misses you. Come back soon!", ""};
  a.by = Actor{"user:1", "manager"};
  a.version = service_.cases().find(id)->version;
  const ActionEffects r = service_.act(a, now_at(at_ + 101 * kDay));
  const Effects* fx = std::get_if<Effects>(&r);
  ASSERT_NE(fx, nullptr) << std::get<ActionRefusal>(r).message;
  ASSERT_EQ(fx->outbox.size(), 1U);
  EXPECT_EQ(fx->outbox[0].topic, "venue/v1/mend/follow_ups");
  EXPECT_NE(fx->outbox[0].payload.find(R"("type":"win_back")"), std::string::npos);
  EXPECT_NE(fx->outbox[0].payload.find("Ann, your table misses you. Come back soon!"),
            std::string::npos)
      << fx->outbox[0].payload;

  // She comes back, stays away again: a new absence, a new case once this one is closed.
  visit(at_ + 102 * kDay);
  EXPECT_FALSE(service_.guests().record("cust-1")->lapsed_flagged.has_value());
}

TEST_F(WinbackServiceTest, AnErasedGuestsLapseCaseKeepsNoTraceOfTheirId) {
  for (int week = 0; week < 12; ++week) visit(kNow - 200 * kDay + week * 14 * kDay);
  const Now later = now_at(at_ + 100 * kDay);
  service_.on_tick(later);
  ASSERT_EQ(lapses().size(), 1U);
  const std::string ref = service_.guests().record("cust-1")->ref;
  const ActionEffects r = service_.erase_guest("cust-1", Actor{"user:9", "admin"}, later);
  ASSERT_TRUE(std::holds_alternative<Effects>(r));
  ASSERT_EQ(lapses().size(), 1U);
  EXPECT_EQ(lapses()[0]->subject.customer, "erased-" + ref);
  // The engine keys the open case by the guest: the saved state holds the pseudonym instead.
  const SavedState saved = service_.take_changed_state(later, true, true);
  const std::string engine = json::dump(*saved.engine);
  EXPECT_EQ(engine.find("cust-1"), std::string::npos);
  EXPECT_NE(engine.find("erased-" + ref), std::string::npos);
  // Still one case for that absence: nothing new is raised for the pseudonym.
  service_.on_tick(now_at(at_ + 101 * kDay));
  EXPECT_EQ(lapses().size(), 1U);
}

}  // namespace
}  // namespace mend
