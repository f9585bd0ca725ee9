// The simulator's returning guests: a year of a venue's regulars and occasional guests, with
// their habits, the regulars who stopped coming, and enquiries that name a guest only by email
// or phone, as events (bookings and seatings) for the guest book. Each guest carries the ground
// truth: whether win-back should flag them at `now` (by their true habit, which the box never
// sees: it sees only the visits), so a test can report the lapsed flag's precision and recall.
//
// Who is in it (shares of `guests`, seeded):
//  - 45 % steady regulars: every `interval` (7-40 days, each gap within +-30 %), for a year up
//    to a last visit less than one interval ago;
//  - 20 % lapsed regulars: the same, but the last visit is 1.05-3 times the win-back limit ago
//    (the limit: the longer of `winback_after` and `winback_factor` times their interval);
//  - 10 % regulars away, but not long enough: 0.75-0.97 times that limit;
//  - 25 % occasional guests: 1-4 visits over the year, never a habit.
// A third of the guests also send one to three enquiries in the last month, by email (in any
// case) or by phone (written with spaces), without their customer id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/time.hpp"

namespace mend::sim {

struct GuestHabitOptions {
  WallTime now;  // the moment the venue is seen from
  int guests = 300;
  std::uint64_t seed = 1;
  // The ground truth's rule, as the venue's [guests] settings.
  int regular_visits = 5;
  Millis winback_after = std::chrono::hours(24 * 90);
  double winback_factor = 3;
};

struct SimGuest {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  Millis interval{0};  // the true habit; 0 for an occasional guest
  std::vector<WallTime> visits;
  bool lapsed = false;                 // ground truth: win-back should flag them at `now`
  std::vector<std::string> enquiries;  // the ids of the enquiries they sent
};

struct GuestPopulation {
  std::vector<SimGuest> guests;
  std::vector<Event> events;  // oldest first: bookings, seatings and enquiries
};

GuestPopulation guest_habits(const GuestHabitOptions& o);

}  // namespace mend::sim
