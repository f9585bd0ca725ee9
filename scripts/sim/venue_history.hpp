// The simulator's history mode: weeks of a venue's past, as the cases its staff handled, with
// the causes they found. The learning view, its tests and its benchmark need history with
// known answers, and playing sixty evenings through the broker in real time is not a test.
//
// The story is fixed, so its answers can be worked out by hand (tests/sim/history_test.cpp
// does): over `days` days from a Monday,
//   - slow mains at table T4 every Friday and Saturday at 19:10, and at T7 every Saturday at
//     19:40, each resolved as process (the pass is short-handed);
//   - a slow main at T17 every Tuesday at 13:15, resolved as product;
//   - table T12 waiting to order every Wednesday at 20:30, taken up after 25 minutes and
//     resolved as people;
//   - a guest waiting to be seated every day at 18:30, whose recommendation people approve,
//     edit and reject in turn (day % 3), resolved as communication;
//   - fridge-1 out of range at 15:00 on every tenth day from day 3, resolved as product;
//   - an unanswered call every third day at 21:00 at T1..T10 in turn, resolved as process.
// Every other case is taken up 3 minutes after it opens. `busy` adds `extra_per_day` cases of
// mixed kinds at other times (seeded, so the same options give the same history) for the
// benchmark; the known answers above then hold only for the story's own cases.
#pragma once

#include <cstdint>
#include <vector>

#include "core/case.hpp"
#include "core/time.hpp"

namespace mend::sim {

struct HistoryOptions {
  WallTime start;  // the first day's local midnight; must be a Monday
  int days = 60;
  Millis utc_offset{0};
  int extra_per_day = 0;
  std::uint64_t seed = 1;
};

// The cases, oldest first, all resolved.
std::vector<Case> history_cases(const HistoryOptions& o);

// The Monday local midnight at or before `t`.
WallTime monday_before(WallTime t, Millis utc_offset);

}  // namespace mend::sim
