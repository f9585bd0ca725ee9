// The guest book, fed events with literal times. No sleeps: "a week later" is a timestamp.
#include "core/guests.hpp"

#include <gtest/gtest.h>

#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = wall_from_ms(1'795'000'000'000);
constexpr Millis kWeek = std::chrono::hours(24 * 7);

class GuestBookTest : public ::testing::Test {
 protected:
  GuestBook book;
  int seq = 0;

  void send(EventType type, EventBody body, WallTime ts) {
    book.on_event(test::source_event("ev-" + std::to_string(++seq), type, std::move(body), ts));
  }

  static std::optional<Customer> customer(std::string id, std::string name = {}) {
    Customer c;
    c.id = std::move(id);
    c.name = std::move(name);
    return c;
  }

  void booking(const std::string& id, std::optional<Customer> c, std::optional<double> value,
               WallTime ts, EventType type = EventType::kBookingCreated) {
    BookingChanged b;
    b.booking = id;
    b.at = ts + 2h;
    b.party = 2;
    b.customer = std::move(c);
    b.value = value;
    send(type, b, ts);
  }

  void seated(std::string booking_id, std::optional<Customer> c, WallTime ts) {
    GuestSeated s;
    s.table = "T" + std::to_string(seq);
    s.booking = std::move(booking_id);
    s.party = 2;
    s.customer = std::move(c);
    send(EventType::kGuestSeated, s, ts);
  }

  void arrived(std::string booking_id, std::optional<Customer> c, WallTime ts) {
    GuestArrived a;
    a.booking = std::move(booking_id);
    a.customer = std::move(c);
    send(EventType::kGuestArrived, a, ts);
  }

  void case_for(CaseKind kind, Subject s, WallTime at) {
    Case c;
    c.id = "c-" + std::to_string(++seq);
    c.kind = kind;
    c.subject = std::move(s);
    c.opened_at = at;
    c.updated_at = at;
    book.on_case_opened(c);
  }

  GuestProfile of(const std::string& customer_id) const {
    Subject s;
    s.customer = customer_id;
    return book.profile_for(s);
  }
};

TEST(GuestTierTest, NamesRoundTrip) {
  for (GuestTier t :
       {GuestTier::kNew, GuestTier::kReturning, GuestTier::kRegular, GuestTier::kVip}) {
    EXPECT_EQ(guest_tier_from_name(guest_tier_name(t)), t);
  }
  EXPECT_EQ(guest_tier_name(GuestTier::kReturning), "returning");
  EXPECT_FALSE(guest_tier_from_name("gold").has_value());
}

TEST_F(GuestBookTest, NewThenReturningThenRegularAcrossVisits) {
  seated("", customer("cust-1", "Ada"), kT0);
  GuestProfile p = of("cust-1");
  EXPECT_EQ(p.id, "cust-1");
  EXPECT_EQ(p.name, "Ada");
  EXPECT_EQ(p.visits, 0);
  EXPECT_EQ(p.tier, GuestTier::kNew);
  EXPECT_FALSE(p.last_visit.has_value());

  seated("", customer("cust-1"), kT0 + kWeek);
  p = of("cust-1");
  EXPECT_EQ(p.visits, 1);
  EXPECT_EQ(p.tier, GuestTier::kReturning);
  EXPECT_EQ(p.last_visit, kT0);
  EXPECT_EQ(p.name, "Ada");  // a later event without a name keeps the one we have

  for (int i = 2; i <= 5; ++i) seated("", customer("cust-1"), kT0 + i * kWeek);
  p = of("cust-1");
  EXPECT_EQ(p.visits, 5);  // six visits, the current one not counted
  EXPECT_EQ(p.tier, GuestTier::kRegular);
  EXPECT_EQ(p.last_visit, kT0 + 4 * kWeek);
}

TEST_F(GuestBookTest, SeatingsWithinVisitGapAreOneVisit) {
  seated("", customer("cust-1"), kT0);
  arrived("", customer("cust-1"), kT0 + kWeek);
  seated("", customer("cust-1"), kT0 + kWeek + 10min);  // arrival then seating
  seated("", customer("cust-1"), kT0 + kWeek + 90min);  // moved to the terrace
  GuestProfile p = of("cust-1");
  EXPECT_EQ(p.visits, 1);
  EXPECT_EQ(p.last_visit, kT0);

  // Once the gap has passed the visit is over and becomes the last visit.
  seated("", customer("someone-else"), kT0 + kWeek + 7h);
  p = of("cust-1");
  EXPECT_EQ(p.visits, 2);
  EXPECT_EQ(p.last_visit, kT0 + kWeek);  // the visit started with the arrival
}

TEST_F(GuestBookTest, VipByList) {
  GuestSettings s;
  s.vip_customers = {"cust-vip"};
  book.update_settings(s);
  seated("", customer("cust-vip"), kT0);
  EXPECT_EQ(of("cust-vip").tier, GuestTier::kVip);
  EXPECT_EQ(of("cust-listed").tier, GuestTier::kNew);
  // Listed by hand but never seen: still a VIP, and the id is kept.
  s.vip_customers.emplace_back("cust-listed");
  book.update_settings(s);
  EXPECT_EQ(of("cust-listed").tier, GuestTier::kVip);
  EXPECT_EQ(of("cust-listed").id, "cust-listed");
}

TEST_F(GuestBookTest, VipBySpend) {
  booking("B1", customer("cust-1"), 900.0, kT0);
  EXPECT_EQ(of("cust-1").tier, GuestTier::kNew);
  booking("B2", customer("cust-1"), 600.0, kT0 + kWeek);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 1500.0);
  EXPECT_EQ(of("cust-1").tier, GuestTier::kVip);
}

TEST_F(GuestBookTest, BookingValueCountsOncePerBooking) {
  booking("B1", customer("cust-1", "Ada"), 200.0, kT0);
  booking("B1", customer("cust-1", "Ada"), 200.0, kT0 + 1min, EventType::kBookingUpdated);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 200.0);
  // An update that changes the value replaces the booking's share.
  booking("B1", customer("cust-1"), 260.0, kT0 + 2min, EventType::kBookingUpdated);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 260.0);
  // An update without a value or customer keeps both.
  booking("B1", std::nullopt, std::nullopt, kT0 + 3min, EventType::kBookingUpdated);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 260.0);
  booking("B2", customer("cust-1"), 40.0, kT0 + 4min);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 300.0);
  // A booking moved to another customer takes its share with it.
  booking("B2", customer("cust-2"), 40.0, kT0 + 5min, EventType::kBookingUpdated);
  EXPECT_DOUBLE_EQ(of("cust-1").lifetime_value, 260.0);
  EXPECT_DOUBLE_EQ(of("cust-2").lifetime_value, 40.0);
}

TEST_F(GuestBookTest, CaseOnOneVisitShowsOnTheNext) {
  booking("B1", customer("cust-1"), 100.0, kT0);
  seated("B1", std::nullopt, kT0 + 2h);  // the guest only through the booking
  Subject s;
  s.table = "T1";
  s.booking = "B1";
  case_for(CaseKind::kCourseSlow, s, kT0 + 2h + 40min);
  case_for(CaseKind::kCourseSlow, s, kT0 + 3h);  // another slow course: one kind
  case_for(CaseKind::kBillSlow, s, kT0 + 3h + 30min);
  EXPECT_TRUE(book.profile_for(s).last_visit_failures.empty());  // this visit, not the last

  seated("", customer("cust-1"), kT0 + kWeek);
  const GuestProfile p = of("cust-1");
  EXPECT_EQ(p.last_visit, kT0 + 2h);
  EXPECT_EQ(p.last_visit_failures,
            (std::vector<CaseKind>{CaseKind::kCourseSlow, CaseKind::kBillSlow}));
  // The visit after that no longer carries them.
  seated("", customer("cust-1"), kT0 + 2 * kWeek);
  EXPECT_TRUE(of("cust-1").last_visit_failures.empty());
}

TEST_F(GuestBookTest, ProfileForFindsTheGuestThroughTheBooking) {
  booking("B7", customer("cust-7", "Grace"), 80.0, kT0);
  Subject s;
  s.table = "T3";
  s.booking = "B7";
  const GuestProfile p = book.profile_for(s);
  EXPECT_EQ(p.id, "cust-7");
  EXPECT_EQ(p.name, "Grace");
  EXPECT_DOUBLE_EQ(p.lifetime_value, 80.0);
  // A seating that names both teaches the booking too.
  seated("B8", customer("cust-8"), kT0);
  s.booking = "B8";
  EXPECT_EQ(book.profile_for(s).id, "cust-8");
}

TEST_F(GuestBookTest, UnknownGuestIsNew) {
  seated("", std::nullopt, kT0);  // a walk-in nobody named teaches nothing
  EXPECT_EQ(book.size(), 0U);
  Subject s;
  s.customer = "nobody";
  s.booking = "B404";
  const GuestProfile p = book.profile_for(s);
  EXPECT_EQ(p, GuestProfile{});
  EXPECT_EQ(p.tier, GuestTier::kNew);
  EXPECT_TRUE(p.id.empty());
  EXPECT_FALSE(book.find("nobody").has_value());
  EXPECT_EQ(book.profile_for(Subject{}).tier, GuestTier::kNew);
}

TEST_F(GuestBookTest, ExportRestoreRoundTrip) {
  booking("B1", customer("cust-1", "Ada"), 120.0, kT0);
  seated("B1", std::nullopt, kT0 + 2h);
  Subject s;
  s.booking = "B1";
  case_for(CaseKind::kTableNoOrder, s, kT0 + 2h + 10min);
  seated("", customer("cust-1"), kT0 + kWeek);
  booking("B2", customer("cust-2", "Grace"), 2000.0, kT0 + kWeek);

  const json::Value state = book.export_state();
  // The records go through their stored JSON, as the store keeps them.
  std::vector<GuestRecord> rows;
  for (const GuestRecord& r : book.records()) {
    GuestRecord back;
    ASSERT_EQ(
        guest_record_from_json(json::parse(json::dump(guest_record_json(r))).value.value(), back),
        std::nullopt);
    EXPECT_EQ(back, r);
    rows.push_back(std::move(back));
  }
  GuestBook other;
  ASSERT_EQ(other.restore(json::parse(json::dump(state)).value.value(), rows), std::nullopt);
  EXPECT_EQ(other.size(), book.size());
  for (const char* id : {"cust-1", "cust-2"}) {
    EXPECT_EQ(other.find(id), book.find(id)) << id;
  }
  EXPECT_EQ(json::dump(other.export_state()), json::dump(state));
  Subject via_booking;
  via_booking.booking = "B2";
  EXPECT_EQ(other.profile_for(via_booking), book.profile_for(via_booking));
  // The restored booking's share is still counted once.
  Event e;
  BookingChanged b;
  b.booking = "B2";
  b.at = kT0 + kWeek;
  b.value = 2100.0;
  e.type = EventType::kBookingUpdated;
  e.ts = kT0 + kWeek + 1h;
  e.body = b;
  other.on_event(e);
  EXPECT_DOUBLE_EQ(other.find("cust-2")->lifetime_value, 2100.0);
}

TEST_F(GuestBookTest, RestoreOfGarbageKeepsState) {
  booking("B1", customer("cust-1"), 50.0, kT0);
  const std::string before = json::dump(book.export_state());
  json::Object bad_guest;
  bad_guest.append("version", 1);
  bad_guest.append("guests", json::Array{json::Value(json::Object{})});
  bad_guest.append("bookings", json::Array{});
  const std::vector<json::Value> garbage = {
      json::Value(),
      json::Value("hello"),
      json::Value(json::Object{}),
      *json::parse(R"({"version":3,"guests":[],"bookings":[]})").value,
      *json::parse(R"({"version":2,"bookings":[],"seatings":{}})").value,
      *json::parse(R"({"version":2,"bookings":[],"checks":[{"check":"","customer":"a",
                       "expires":0}]})")
           .value,
      *json::parse(R"({"version":1,"guests":{},"bookings":[]})").value,
      *json::parse(R"({"version":1,"guests":[{"id":"a","visits":-1}],"bookings":[]})").value,
      *json::parse(R"({"version":1,"guests":[{"id":"a","visits":1},{"id":"a","visits":2}],
                       "bookings":[]})")
           .value,
      *json::parse(R"({"version":1,"guests":[],"bookings":[{"booking":"B","customer":"a",
                       "value":1,"counted":"yes","expires":0}]})")
           .value,
      json::Value(std::move(bad_guest)),
      *json::parse(R"({"version":1,"guests":[{"id":"x","visits":1,
                       "latest_failures":["food.cold"]}],"bookings":[]})")
           .value,
  };
  for (const json::Value& g : garbage) {
    EXPECT_TRUE(book.restore(g).has_value()) << json::dump(g);
    EXPECT_EQ(json::dump(book.export_state()), before);
  }
  EXPECT_DOUBLE_EQ(book.find("cust-1")->lifetime_value, 50.0);
}

TEST_F(GuestBookTest, BoundEvictsTheLeastRecentlySeen) {
  GuestSettings s;
  s.max_guests = 3;
  book.update_settings(s);
  seated("", customer("a"), kT0);
  seated("", customer("b"), kT0 + 1min);
  seated("", customer("c"), kT0 + 2min);
  seated("", customer("a"), kT0 + 3min);  // a is seen again: b is now the oldest
  seated("", customer("d"), kT0 + 4min);
  EXPECT_EQ(book.size(), 3U);
  EXPECT_FALSE(book.find("b").has_value());
  EXPECT_TRUE(book.find("a").has_value());
  EXPECT_TRUE(book.find("c").has_value());
  EXPECT_TRUE(book.find("d").has_value());
  // A smaller bound applies at once.
  s.max_guests = 1;
  book.update_settings(s);
  EXPECT_EQ(book.size(), 1U);
  EXPECT_TRUE(book.find("d").has_value());
}

TEST_F(GuestBookTest, BookingsAreForgottenTwoDaysAfterTheirTime) {
  booking("B1", customer("cust-1"), 10.0, kT0);  // for kT0 + 2h
  Subject s;
  s.booking = "B1";
  seated("", customer("other"), kT0 + 2h + 47h);
  EXPECT_EQ(book.profile_for(s).id, "cust-1");
  seated("", customer("other"), kT0 + 2h + 48h);
  EXPECT_TRUE(book.profile_for(s).id.empty());
  EXPECT_TRUE(book.find("cust-1").has_value());  // the guest stays
}

}  // namespace
}  // namespace mend
