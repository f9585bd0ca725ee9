// Guest profiles: what the book gathers from bookings, seatings and paid checks, what booking
// notes say, consent for health data, staff notes and edits, and retention. Literal times, no
// sleeps: "a year later" is a timestamp.
#include <gtest/gtest.h>

#include "core/guest_record.hpp"
#include "core/guests.hpp"
#include "core/service.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = wall_from_ms(1'795'000'000'000);
constexpr Millis kDay = std::chrono::hours(24);

class GuestProfileTest : public ::testing::Test {
 protected:
  GuestProfileTest() {
    GuestSettings s;
    s.table_areas = {{"T1", "terrace"}, {"T2", "terrace"}, {"T5", "bar"}};
    s.keep_profiles = 540 * kDay;
    s.keep_notes = 365 * kDay;
    s.keep_dietary = 365 * kDay;
    book.update_settings(s);
  }

  GuestBook book;
  int seq = 0;

  void send(EventType type, EventBody body, WallTime ts) {
    book.on_event(test::source_event("ev-" + std::to_string(++seq), type, std::move(body), ts));
  }

  void booking(const std::string& id, const std::string& customer, std::int64_t party, WallTime at,
               std::string notes = {}) {
    BookingChanged b;
    b.booking = id;
    b.at = at;
    b.party = party;
    Customer c;
    c.id = customer;
    c.name = "Ada Lovelace";
    c.email = " Ada@Example.com ";
    c.phone = "+44 (0)20 7946 0018";
    b.customer = c;
    b.notes = std::move(notes);
    send(EventType::kBookingCreated, b, at - 3 * kDay);
  }

  void seated(const std::string& table, const std::string& booking_id, WallTime ts) {
    GuestSeated s;
    s.table = table;
    s.booking = booking_id;
    send(EventType::kGuestSeated, s, ts);
  }

  void order(const std::string& table, const std::string& check, WallTime ts) {
    OrderOpened o;
    o.table = table;
    o.check = check;
    send(EventType::kOrderOpened, o, ts);
  }

  void paid(const std::string& check, double total, WallTime ts, const std::string& table = {}) {
    CheckPaid p;
    p.check = check;
    p.total = total;
    p.table = table;
    send(EventType::kCheckPaid, p, ts);
  }

  void cleared(const std::string& table, WallTime ts) {
    TableCleared t;
    t.table = table;
    send(EventType::kTableCleared, t, ts);
  }

  // One whole visit: booked, seated, ordered, paid, cleared.
  void visit(const std::string& customer, const std::string& table, std::int64_t party,
             double total, WallTime at, std::string notes = {}) {
    const std::string n = std::to_string(++seq);
    booking("B" + n, customer, party, at, std::move(notes));
    seated(table, "B" + n, at);
    order(table, "C" + n, at + 5min);
    paid("C" + n, total, at + 90min);
    cleared(table, at + 100min);
  }
};

TEST_F(GuestProfileTest, VisitsSpendPartyAndPlaceAddUpFromBookingsSeatingsAndChecks) {
  visit("cust-1", "T1", 2, 80.0, kT0);
  visit("cust-1", "T2", 2, 95.5, kT0 + 14 * kDay);
  visit("cust-1", "T5", 4, 120.0, kT0 + 28 * kDay);
  visit("cust-1", "T1", 2, 60.0, kT0 + 42 * kDay);
  // Somebody else at T1 later: their check is theirs.
  visit("cust-2", "T1", 3, 300.0, kT0 + 43 * kDay);
  // A walk-in nobody named pays at T5: nobody's spend.
  order("T5", "C-walk", kT0 + 44 * kDay);
  paid("C-walk", 45.0, kT0 + 44 * kDay + 1h);

  const GuestRecord* r = book.record("cust-1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->visits, 4);
  EXPECT_EQ(r->first_visit, kT0);
  EXPECT_EQ(r->latest, kT0 + 42 * kDay);
  EXPECT_DOUBLE_EQ(r->spend, 80.0 + 95.5 + 120.0 + 60.0);
  EXPECT_EQ(r->checks, 4);
  EXPECT_EQ(usual_party(*r), 2);
  EXPECT_EQ(preferred_table(*r), "T1");
  EXPECT_EQ(preferred_area(*r), "terrace");
  EXPECT_EQ(r->areas.at("bar"), 1);
  EXPECT_EQ(r->name, "Ada Lovelace");
  EXPECT_EQ(r->email, "ada@example.com");
  EXPECT_EQ(r->phone, "+4402079460018");
  EXPECT_DOUBLE_EQ(book.record("cust-2")->spend, 300.0);
}

TEST_F(GuestProfileTest, ACheckIsTheGuestsWhoseTableOpenedItEvenAfterTheTableTurns) {
  booking("B1", "cust-1", 2, kT0);
  seated("T1", "B1", kT0);
  order("T1", "C1", kT0 + 5min);
  cleared("T1", kT0 + 80min);
  booking("B2", "cust-2", 2, kT0 + 85min);
  seated("T1", "B2", kT0 + 85min);
  paid("C1", 70.0, kT0 + 90min);  // paid at the bar after they got up
  EXPECT_DOUBLE_EQ(book.record("cust-1")->spend, 70.0);
  EXPECT_DOUBLE_EQ(book.record("cust-2")->spend, 0.0);
  // A check the till only names by table goes to whoever sits there.
  paid("C9", 40.0, kT0 + 3h, "T1");
  EXPECT_DOUBLE_EQ(book.record("cust-2")->spend, 40.0);
}

TEST_F(GuestProfileTest, AMoveToAnotherTableInOneVisitCountsOneVisitAndOneTable) {
  booking("B1", "cust-1", 2, kT0);
  seated("T1", "B1", kT0);
  seated("T5", "B1", kT0 + 20min);
  const GuestRecord* r = book.record("cust-1");
  EXPECT_EQ(r->visits, 1);
  EXPECT_EQ(r->tables.size(), 1U);
  EXPECT_EQ(r->party_sizes.at(2), 1);
}

TEST(BookingNotes, SayOccasionsAndDietaryNeedsAndNothingElse) {
  const BookingNoteFacts f =
      read_booking_notes("Birthday dinner for Sam; severe nut allergy, window seat please.");
  EXPECT_EQ(f.occasions, std::vector<std::string>{"birthday"});
  EXPECT_EQ(f.dietary, std::vector<std::string>{"severe nut allergy"});
  const BookingNoteFacts g = read_booking_notes("Our anniversary\nOne coeliac, one vegan");
  EXPECT_EQ(g.occasions, std::vector<std::string>{"anniversary"});
  EXPECT_EQ(g.dietary, (std::vector<std::string>{"One coeliac", "one vegan"}));
  // Words that only contain a stem are not it.
  const BookingNoteFacts h = read_booking_notes("running 10 minutes late; highchair");
  EXPECT_TRUE(h.occasions.empty());
  EXPECT_TRUE(h.dietary.empty());
  EXPECT_EQ(read_booking_notes(""), BookingNoteFacts{});
}

TEST_F(GuestProfileTest, WithoutConsentAnAllergyIsKeptForItsBookingOnly) {
  booking("B1", "cust-1", 2, kT0, "Anniversary; shellfish allergy");
  const GuestRecord* r = book.record("cust-1");
  ASSERT_EQ(r->dietary.size(), 1U);
  EXPECT_EQ(r->dietary[0].text, "shellfish allergy");
  EXPECT_EQ(r->dietary[0].basis, HealthBasis::kThisBooking);
  EXPECT_EQ(r->dietary[0].booking, "B1");
  ASSERT_EQ(r->occasions.size(), 1U);
  EXPECT_EQ(r->occasions[0].kind, "anniversary");
  EXPECT_EQ(r->occasions[0].on, kT0);
  // An update repeating the note adds nothing.
  booking("B1", "cust-1", 2, kT0, "Anniversary; shellfish allergy");
  EXPECT_EQ(book.record("cust-1")->dietary.size(), 1U);

  seated("T1", "B1", kT0);
  // Two days after the booking's time it is forgotten, and its allergy with it; the occasion
  // is the guest's and stays.
  seated("T9", "", kT0 + 2 * kDay - 1min);
  EXPECT_EQ(book.record("cust-1")->dietary.size(), 1U);
  seated("T9", "", kT0 + 2 * kDay);
  r = book.record("cust-1");
  EXPECT_TRUE(r->dietary.empty());
  EXPECT_EQ(r->occasions.size(), 1U);
}

TEST_F(GuestProfileTest, ACancelledBookingTakesItsAllergyWithIt) {
  booking("B1", "cust-1", 2, kT0, "gluten free");
  BookingCancelled c;
  c.booking = "B1";
  send(EventType::kBookingCancelled, c, kT0 - kDay);
  EXPECT_TRUE(book.record("cust-1")->dietary.empty());
}

TEST_F(GuestProfileTest, WithConsentDietaryNeedsStayAndWithdrawingItRemovesThem) {
  booking("B1", "cust-1", 2, kT0);
  // Without consent a manager cannot keep a dietary need on the profile.
  GuestEdit keep;
  keep.dietary = std::vector<std::string>{"nut allergy"};
  GuestBook::EditResult refused = book.edit("cust-1", keep, "Morgan", kT0);
  EXPECT_NE(refused.error.find("consent"), std::string::npos) << refused.error;
  EXPECT_TRUE(book.record("cust-1")->dietary.empty());

  keep.health_consent = true;
  const GuestBook::EditResult done = book.edit("cust-1", keep, "Morgan", kT0 + 1min);
  ASSERT_TRUE(done.error.empty()) << done.error;
  EXPECT_EQ(done.changed, (std::vector<std::string>{"health_consent", "dietary"}));
  const GuestRecord* r = book.record("cust-1");
  ASSERT_TRUE(r->health_consent.has_value());
  EXPECT_EQ(r->health_consent->recorded_by, "Morgan");
  ASSERT_EQ(r->dietary.size(), 1U);
  EXPECT_EQ(r->dietary[0].basis, HealthBasis::kConsent);

  // With consent, a later booking's allergy stays on the profile after the booking.
  booking("B2", "cust-1", 2, kT0 + 10 * kDay, "dairy intolerance");
  booking("B9", "cust-9", 2, kT0 + 20 * kDay);  // B2 is long forgotten by then
  r = book.record("cust-1");
  ASSERT_EQ(r->dietary.size(), 2U);
  EXPECT_EQ(r->dietary[1].text, "dairy intolerance");
  EXPECT_EQ(r->dietary[1].basis, HealthBasis::kConsent);

  GuestEdit withdraw;
  withdraw.health_consent = false;
  EXPECT_EQ(book.edit("cust-1", withdraw, "Morgan", kT0 + 21 * kDay).changed,
            std::vector<std::string>{"health_consent"});
  r = book.record("cust-1");
  EXPECT_FALSE(r->health_consent.has_value());
  EXPECT_TRUE(r->dietary.empty());
}

TEST_F(GuestProfileTest, AnEditWithOneBadFieldChangesNothing) {
  booking("B1", "cust-1", 2, kT0);
  const GuestRecord before = *book.record("cust-1");
  GuestEdit e;
  e.tags = std::vector<std::string>{"regular", "wine club"};
  e.preferences = std::vector<std::string>{"   "};
  const GuestBook::EditResult r = book.edit("cust-1", e, "Morgan", kT0);
  EXPECT_EQ(r.error, "preferences: an entry is empty");
  EXPECT_EQ(*book.record("cust-1"), before);
  EXPECT_EQ(book.edit("nobody", e, "Morgan", kT0).error, "no such guest");
}

TEST_F(GuestProfileTest, StaffNotesAreNumberedAndKeepTheirAuthor) {
  booking("B1", "cust-1", 2, kT0);
  EXPECT_EQ(book.add_note("cust-1", "prefers still water", "Sam", kT0 + 1h), 1);
  EXPECT_EQ(book.add_note("cust-1", "tips well", "Ana", kT0 + 2h), 2);
  EXPECT_FALSE(book.add_note("nobody", "x", "Sam", kT0).has_value());
  const GuestRecord* r = book.record("cust-1");
  ASSERT_EQ(r->notes.size(), 2U);
  EXPECT_EQ(r->notes[0], (GuestNote{1, "prefers still water", "Sam", kT0 + 1h}));
}

TEST_F(GuestProfileTest, RetentionDeletesExactlyWhatIsDue) {
  booking("B1", "cust-1", 2, kT0);  // seen at kT0 - 3 days (the booking was made then)
  booking("B2", "cust-2", 2, kT0 + 100 * kDay);
  GuestEdit consent;
  consent.health_consent = true;
  consent.dietary = std::vector<std::string>{"nut allergy"};
  ASSERT_TRUE(book.edit("cust-2", consent, "Morgan", kT0 + 100 * kDay).error.empty());
  book.add_note("cust-2", "old note", "Sam", kT0 + 100 * kDay);
  book.add_note("cust-2", "new note", "Sam", kT0 + 300 * kDay);
  (void)book.take_changes();

  // The first note and the allergy are due 365 days after they were written, not a moment
  // before.
  const WallTime written = kT0 + 100 * kDay;
  const GuestBook::Expired early = book.expire(written + 365 * kDay - 1ms);
  EXPECT_EQ(early.profiles + early.notes + early.dietary, 0U);
  EXPECT_TRUE(book.take_changes().empty());
  const GuestBook::Expired due = book.expire(written + 365 * kDay);
  EXPECT_EQ(due.profiles, 0U);
  EXPECT_EQ(due.notes, 1U);
  EXPECT_EQ(due.dietary, 1U);
  const GuestRecord* r = book.record("cust-2");
  ASSERT_EQ(r->notes.size(), 1U);
  EXPECT_EQ(r->notes[0].text, "new note");
  EXPECT_TRUE(r->dietary.empty());
  EXPECT_TRUE(r->health_consent.has_value());  // the consent itself stays
  const GuestChanges tidied = book.take_changes();
  ASSERT_EQ(tidied.changed.size(), 1U);
  EXPECT_EQ(tidied.changed[0].id, "cust-2");
  EXPECT_EQ(tidied.changed[0].last_seen, kT0 + 300 * kDay);  // tidying is not seeing them

  // cust-1 was last seen when the booking was made: the profile goes 540 days after that.
  const WallTime seen = book.record("cust-1")->last_seen;
  EXPECT_EQ(seen, kT0 - 3 * kDay);
  EXPECT_EQ(book.expire(seen + 540 * kDay - 1ms).profiles, 0U);
  EXPECT_EQ(book.expire(seen + 540 * kDay).profiles, 1U);
  EXPECT_EQ(book.record("cust-1"), nullptr);
  EXPECT_NE(book.record("cust-2"), nullptr);
  const GuestChanges ch = book.take_changes();
  EXPECT_EQ(ch.gone, std::vector<std::string>{"cust-1"});
  EXPECT_TRUE(ch.changed.empty());
}

TEST_F(GuestProfileTest, ChangesAreHandedOverOnceEach) {
  visit("cust-1", "T1", 2, 50.0, kT0);
  GuestChanges ch = book.take_changes();
  ASSERT_EQ(ch.changed.size(), 1U);
  EXPECT_DOUBLE_EQ(ch.changed[0].spend, 50.0);
  EXPECT_TRUE(book.take_changes().empty());
  ASSERT_TRUE(book.erase("cust-1"));
  EXPECT_FALSE(book.erase("cust-1"));
  ch = book.take_changes();
  EXPECT_TRUE(ch.changed.empty());
  EXPECT_EQ(ch.gone, std::vector<std::string>{"cust-1"});
}

TEST_F(GuestProfileTest, AVersionOneStateBecomesRowsAtTheNextSave) {
  const json::Value v1 = *json::parse(R"({"version":1,"now":1795000000000,
      "guests":[{"id":"cust-1","name":"Ada","visits":3,"latest":1794000000000,
                 "previous":1793000000000,"latest_failures":["course.slow"],
                 "previous_failures":[],"value":250}],
      "bookings":[{"booking":"B1","customer":"cust-1","value":50,"counted":true,
                   "expires":1796000000000}]})")
                              .value;
  ASSERT_EQ(book.restore(v1), std::nullopt);
  const GuestChanges ch = book.take_changes();
  ASSERT_EQ(ch.changed.size(), 1U);
  const GuestRecord& r = ch.changed[0];
  EXPECT_EQ(r.id, "cust-1");
  EXPECT_EQ(r.name, "Ada");
  EXPECT_EQ(r.visits, 3);
  EXPECT_DOUBLE_EQ(r.booked_value, 250.0);
  EXPECT_EQ(r.latest_failures, std::vector<CaseKind>{CaseKind::kCourseSlow});
  EXPECT_FALSE(r.ref.empty());
  Subject s;
  s.booking = "B1";
  EXPECT_EQ(book.profile_for(s).id, "cust-1");
}

TEST(GuestRecordJson, RoundTripsEveryFieldAndNamesABadOne) {
  GuestRecord r;
  r.id = "cust-1";
  r.ref = "g4";
  r.name = "Ada";
  r.email = "ada@example.com";
  r.phone = "+4420";
  r.visits = 5;
  r.first_visit = kT0;
  r.latest = kT0 + kDay;
  r.previous = kT0;
  r.latest_failures = {CaseKind::kCourseSlow};
  r.booked_value = 100;
  r.spend = 321.5;
  r.checks = 4;
  r.party_sizes = {{2, 3}, {4, 1}};
  r.tables = {{"T1", 3}};
  r.areas = {{"terrace", 3}};
  r.occasions = {Occasion{"birthday", "B1", kT0, "booking B1"}};
  r.tags = {"wine club"};
  r.preferences = {"window seat"};
  r.dietary = {DietaryNote{"nut allergy", HealthBasis::kConsent, "", "Morgan", kT0}};
  r.health_consent = HealthConsent{"Morgan", kT0};
  r.notes = {GuestNote{1, "tips well", "Sam", kT0}};
  r.next_note = 2;
  r.last_seen = kT0 + kDay;
  GuestRecord back;
  ASSERT_EQ(
      guest_record_from_json(json::parse(json::dump(guest_record_json(r))).value.value(), back),
      std::nullopt);
  EXPECT_EQ(back, r);

  json::Value bad = guest_record_json(r);
  bad.as_object()->set("spend", json::Value(-1));
  EXPECT_EQ(guest_record_from_json(bad, back), "field 'spend'");
  bad = guest_record_json(r);
  json::Array dietary = *bad.get("dietary")->as_array();
  dietary[0].as_object()->set("basis", "maybe");
  bad.as_object()->set("dietary", json::Value(std::move(dietary)));
  EXPECT_EQ(guest_record_from_json(bad, back), "field 'dietary.basis'");
  EXPECT_EQ(back, r);  // unchanged by a refused read
}

TEST(GuestContacts, AreNormalisedSoOneGuestIsOneGuest) {
  EXPECT_EQ(normal_email("  Ann@Example.COM "), "ann@example.com");
  EXPECT_EQ(normal_email("not an email"), "");
  EXPECT_EQ(normal_email("@example.com"), "");
  EXPECT_EQ(normal_phone("+44 20 7946 0018"), "+442079460018");
  EXPECT_EQ(normal_phone("020-7946-0018"), "02079460018");
  EXPECT_EQ(normal_phone("ext 12"), "");
}

TEST_F(GuestProfileTest, SearchFindsByNameIdEmailOrPhoneNewestFirst) {
  visit("cust-1", "T1", 2, 10.0, kT0);
  visit("cust-2", "T2", 2, 10.0, kT0 + kDay);
  const auto found = book.search("ada", 10);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0]->id, "cust-2");
  EXPECT_EQ(book.search("cust-1", 10).size(), 1U);
  EXPECT_EQ(book.search("7946", 10).size(), 2U);
  EXPECT_EQ(book.search("ada", 1).size(), 1U);
  EXPECT_TRUE(book.search("zed", 10).empty());
}

// ---- through the recovery service: audited, saved as rows, restored ------------------------

class GuestServiceTest : public ::testing::Test {
 protected:
  static ServiceSettings settings() {
    ConfigResult c = parse_config(
        "[venue]\nid = \"v1\"\nname = \"The Anchor\"\n[[area]]\nname = \"terrace\"\n"
        "tables = [\"T1\"]\n",
        "test.toml");
    EXPECT_TRUE(c.config.has_value()) << (c.errors.empty() ? "" : c.errors.front().to_string());
    return ServiceSettings::from(c.config.value_or(Config{}));
  }
  GuestServiceTest() : service_(settings(), [](WallTime) { return Millis{0}; }) {}

  void seat(const std::string& customer, const std::string& table) {
    GuestSeated body;
    body.table = table;
    body.party = 2;
    Customer c;
    c.id = customer;
    c.name = "Ada";
    body.customer = c;
    service_.on_event(test::source_event("ev-" + std::to_string(++seq_), EventType::kGuestSeated,
                                         body, now_.wall),
                      now_);
  }

  const Actor kStaff{"user:2", "staff"};
  const Actor kManager{"user:1", "manager"};
  Now now_{WallTime{Millis{1795374000000}}, MonoTime{Millis{5000000}}};
  int seq_ = 0;
  RecoveryService service_;
};

TEST_F(GuestServiceTest, ANoteIsAuditedByTheGuestsRefWithoutItsWords) {
  seat("cust-1", "T1");
  const ActionEffects r =
      service_.note_guest("cust-1", "allergic to the new waiter's jokes", kStaff, "Sam", now_);
  const Effects* fx = std::get_if<Effects>(&r);
  ASSERT_NE(fx, nullptr);
  ASSERT_EQ(fx->audit.size(), 1U);
  const AuditRecord& a = fx->audit[0];
  EXPECT_EQ(a.action, "guest.note");
  EXPECT_EQ(a.actor, "user:2");
  const GuestRecord* g = service_.guests().record("cust-1");
  EXPECT_EQ(a.target, g->ref);
  const std::string detail = json::dump(a.detail);
  EXPECT_EQ(detail, R"({"note":1})");
  EXPECT_EQ(g->notes.at(0).author, "Sam");
  EXPECT_EQ(g->preferences.size(), 0U);

  const auto refused = [&](const ActionEffects& x) {
    const auto* no = std::get_if<ActionRefusal>(&x);
    return no != nullptr ? no->message : std::string("not refused");
  };
  EXPECT_EQ(refused(service_.note_guest("cust-1", "  ", kStaff, "Sam", now_)), "the note is empty");
  EXPECT_EQ(refused(service_.note_guest("nobody", "hi", kStaff, "Sam", now_)), "no guest nobody");
  EXPECT_EQ(refused(service_.note_guest("cust-1", std::string(1001, 'x'), kStaff, "Sam", now_)),
            "the note is at most 1000 characters");
}

TEST_F(GuestServiceTest, AGuestsEnquiriesByEmailAreOneCaseThatKnowsWhoIsAsking) {
  BookingChanged b;
  b.booking = "B1";
  b.at = now_.wall;
  b.party = 2;
  b.customer = Customer{"cust-1", "Ada", "", "ada@example.org"};
  b.value = 2000;  // a VIP by spend
  service_.on_event(test::source_event("ev-b", EventType::kBookingCreated, b, now_.wall), now_);
  for (int i = 1; i <= 3; ++i) {
    EnquiryReceived q;
    q.enquiry = "E" + std::to_string(i);
    q.channel = "email";
    q.customer = Customer{"", "", "", i == 2 ? "ADA@example.org" : "ada@example.org"};
    service_.on_event(
        test::source_event("ev-q" + std::to_string(i), EventType::kEnquiryReceived, q, now_.wall),
        now_);
    now_.wall += 10min;
    now_.mono += 10min;
  }
  for (int i = 0; i < 30; ++i) {  // through the waits, ten minutes at a time
    now_.wall += 10min;
    now_.mono += 10min;
    service_.on_tick(now_);
  }
  CaseFilter f;
  f.kind = CaseKind::kEnquiryUnanswered;
  const auto cases = service_.cases().list(f);
  ASSERT_EQ(cases.size(), 1U);
  EXPECT_EQ(cases[0]->subject.customer, "cust-1");
  EXPECT_EQ(cases[0]->guest.tier, "vip");
  EXPECT_EQ(cases[0]->guest.name, "Ada");
  std::vector<std::string> enquiries;
  for (const Evidence& e : cases[0]->evidence) {
    if (e.type == "enquiry.received") enquiries.push_back(e.event);
  }
  EXPECT_EQ(enquiries, (std::vector<std::string>{"ev-q1", "ev-q2", "ev-q3"}));
}

TEST_F(GuestServiceTest, AnEditIsAuditedByTheFieldsItChanged) {
  seat("cust-1", "T1");
  GuestEdit e;
  e.tags = std::vector<std::string>{"wine club"};
  e.preferences = std::vector<std::string>{"window seat"};
  const ActionEffects r = service_.edit_guest("cust-1", e, kManager, "Morgan", now_);
  const Effects* fx = std::get_if<Effects>(&r);
  ASSERT_NE(fx, nullptr);
  ASSERT_EQ(fx->audit.size(), 1U);
  EXPECT_EQ(fx->audit[0].action, "guest.edit");
  EXPECT_EQ(json::dump(fx->audit[0].detail), R"({"fields":["tags","preferences"]})");
  // The same again changes nothing and says nothing.
  const ActionEffects again = service_.edit_guest("cust-1", e, kManager, "Morgan", now_);
  EXPECT_TRUE(std::get<Effects>(again).audit.empty());
  GuestEdit bad;
  bad.dietary = std::vector<std::string>{"nut allergy"};
  const ActionEffects no = service_.edit_guest("cust-1", bad, kManager, "Morgan", now_);
  ASSERT_TRUE(std::holds_alternative<ActionRefusal>(no));
  EXPECT_EQ(std::get<ActionRefusal>(no).code, ActionRefusal::Code::kInvalid);
}

TEST_F(GuestServiceTest, ProfilesAreSavedAsRowsWithTheirCommitAndComeBackAfterARestart) {
  seat("cust-1", "T1");
  SavedState first = service_.take_changed_state(now_, /*guests=*/true);
  ASSERT_EQ(first.guest_records.size(), 1U);
  EXPECT_EQ(first.guest_records[0].areas.at("terrace"), 1);
  // A note is in the very next save, without waiting for the book's own state.
  ASSERT_TRUE(std::holds_alternative<Effects>(
      service_.note_guest("cust-1", "birthday next week", kStaff, "Sam", now_)));
  SavedState second = service_.take_changed_state(now_, /*guests=*/false);
  EXPECT_FALSE(second.guests.has_value());
  ASSERT_EQ(second.guest_records.size(), 1U);
  EXPECT_EQ(second.guest_records[0].notes.size(), 1U);
  EXPECT_TRUE(service_.take_changed_state(now_, false).guest_records.empty());

  RecoveryService after(settings(), [](WallTime) { return Millis{0}; });
  SavedState saved;
  saved.guests = first.guests;
  saved.guest_records = second.guest_records;
  const auto restored = after.restore({}, saved, now_, /*same_boot=*/true);
  EXPECT_TRUE(restored.warnings.empty());
  const GuestRecord* g = after.guests().record("cust-1");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(*g, second.guest_records[0]);
}

TEST_F(GuestServiceTest, HousekeepingDeletesProfilesPastRetentionAndAuditsOnlyHowMany) {
  seat("cust-1", "T1");
  // The table waits for an order, and its case is about the guest too: seen then.
  now_.wall += 1h;
  now_.mono += 1h;
  (void)service_.on_tick(now_);
  (void)service_.take_changed_state(now_, true);
  const WallTime seen = service_.guests().record("cust-1")->last_seen;
  const Millis until_due = (seen + std::chrono::hours(24 * 540)) - now_.wall;
  now_.wall += until_due - 1ms;
  now_.mono += until_due - 1ms;
  (void)service_.on_tick(now_);
  ASSERT_NE(service_.guests().record("cust-1"), nullptr);
  now_.wall += 1ms;
  now_.mono += 1ms + std::chrono::hours(1);  // past the next housekeeping
  now_.wall += std::chrono::hours(1);
  const Effects fx = service_.on_tick(now_);
  const auto it = std::find_if(fx.audit.begin(), fx.audit.end(),
                               [](const AuditRecord& a) { return a.action == "guest.retention"; });
  ASSERT_NE(it, fx.audit.end());
  EXPECT_EQ(json::dump(it->detail), R"({"profiles":1,"notes":0,"dietary":0})");
  EXPECT_EQ(service_.guests().record("cust-1"), nullptr);
  EXPECT_EQ(service_.take_changed_state(now_, false).guests_gone,
            std::vector<std::string>{"cust-1"});
}

}  // namespace
}  // namespace mend
