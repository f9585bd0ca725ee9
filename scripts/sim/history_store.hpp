// Writes the simulator's history (venue_history.hpp) into a new Mend store, as mendd would have
// kept it: the cases, and optionally each day's raw events from a generated evening so the
// file has a busy venue's size. The learning view's tests and its benchmark read it back
// through the store, as mendd does.
#pragma once

#include <cstdint>
#include <string>

#include "scripts/sim/guest_habits.hpp"
#include "scripts/sim/venue_history.hpp"

namespace mend::sim {

struct HistoryWritten {
  std::int64_t cases = 0;
  std::int64_t events = 0;
  std::int64_t guests = 0;
};

// `tables` > 0: each day also gets the raw events of an evening of that many tables (the
// venue-sim generator, seeded by the day) for `venue`. `guests`: also the profiles of a year
// of returning guests (guest_habits.hpp), as the guest book would have kept them. The store
// must not exist yet.
HistoryWritten write_history(const std::string& store_path, const HistoryOptions& o,
                             const std::string& venue = "the-anchor", int tables = 0,
                             const GuestHabitOptions* guests = nullptr);

}  // namespace mend::sim
