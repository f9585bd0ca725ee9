// The simulator's returning guests (scripts/sim/guest_habits.hpp) through the guest book: the
// win-back flag against the population's ground truth, reported as precision and recall, and
// enquiries that name a guest only by email or phone found to be theirs.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "core/guests.hpp"
#include "core/winback.hpp"
#include "scripts/sim/guest_habits.hpp"

namespace mend::sim {
namespace {

const WallTime kNow = wall_from_ms(1'795'000'000'000);

GuestHabitOptions population(int guests) {
  GuestHabitOptions o;
  o.now = kNow;
  o.guests = guests;
  return o;
}

// The venue's [guests] settings, as the population's ground truth assumes them.
GuestSettings settings(const GuestHabitOptions& o) {
  GuestSettings s;
  s.regular_visits = o.regular_visits;
  s.winback_after = o.winback_after;
  s.winback_factor = o.winback_factor;
  return s;
}

TEST(GuestHabits, TheSameSeedGivesTheSameGuests) {
  GuestHabitOptions o = population(50);
  const GuestPopulation a = guest_habits(o);
  const GuestPopulation b = guest_habits(o);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    EXPECT_EQ(a.events[i].id, b.events[i].id);
    EXPECT_EQ(a.events[i].ts, b.events[i].ts);
    EXPECT_EQ(a.events[i].body, b.events[i].body);
  }
  o.seed = 2;
  EXPECT_NE(guest_habits(o).events.size(), a.events.size());
}

TEST(GuestHabits, TheLapsedFlagFindsTheRegularsWhoStoppedComing) {
  GuestHabitOptions o = population(600);
  const GuestPopulation p = guest_habits(o);
  GuestBook book(settings(o));
  for (const Event& e : p.events) book.on_event(e);
  std::set<std::string> flagged;
  for (const Lapse& l : book.take_lapsed(kNow, "The Anchor")) flagged.insert(l.customer);

  int truth = 0;
  int hits = 0;
  for (const SimGuest& g : p.guests) {
    if (!g.lapsed) continue;
    ++truth;
    if (flagged.count(g.id) != 0) ++hits;
  }
  ASSERT_GT(truth, 50) << "the population should have lapsed regulars to find";
  ASSERT_FALSE(flagged.empty());
  const double precision = static_cast<double>(hits) / static_cast<double>(flagged.size());
  const double recall = static_cast<double>(hits) / static_cast<double>(truth);
  std::printf(
      "win-back over %d simulated guests: %zu flagged, %d should be; precision %.3f, "
      "recall %.3f\n",
      o.guests, flagged.size(), truth, precision, recall);
  RecordProperty("precision", std::to_string(precision));
  RecordProperty("recall", std::to_string(recall));
  // Misses and false alarms come from guests whose seen gaps wander near their limit.
  EXPECT_GE(precision, 0.9);
  EXPECT_GE(recall, 0.9);

  // Flagged once: a second look the same day finds nobody new.
  EXPECT_TRUE(book.take_lapsed(kNow, "The Anchor").empty());
}

TEST(GuestHabits, AnEnquiryByEmailOrPhoneAloneIsFoundToBeItsGuests) {
  GuestHabitOptions o = population(200);
  const GuestPopulation p = guest_habits(o);
  GuestBook book(settings(o));
  std::map<std::string, std::string> sender;
  for (const SimGuest& g : p.guests) {
    for (const std::string& q : g.enquiries) sender[q] = g.id;
  }
  ASSERT_GT(sender.size(), 30U);
  std::size_t right = 0;
  for (const Event& e : p.events) {
    if (const auto* q = std::get_if<EnquiryReceived>(&e.body)) {
      EXPECT_TRUE(q->customer->id.empty());
      right += book.id_for_contact(q->customer->email, q->customer->phone) == sender[q->enquiry];
    }
    book.on_event(e);
  }
  EXPECT_EQ(right, sender.size());
}

}  // namespace
}  // namespace mend::sim
