// Win-back: a regular who stopped coming. A guest with a habit (at least `regular_visits`
// visits, and three gaps between the latest ones to show it) is lapsed when they have been
// away longer than both `winback_after` (90 days) and `winback_factor` (3) times their own
// usual interval, the median gap between their latest visits. Each absence is flagged once
// (GuestRecord::lapsed_flagged; the next visit clears it).
//
// What it says: the evidence in plain words ("Came every 2-3 weeks for 11 months (14 visits);
// last visit 15 weeks ago; that visit had a slow course.") and a drafted, personal note for a
// manager to approve, edit or reject before anything goes to the guest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/guest_record.hpp"
#include "core/guests.hpp"
#include "core/time.hpp"

namespace mend {

struct Lapse {
  std::string customer;
  Millis usual{0};  // the median gap between the latest visits
  Millis low{0};    // the middle half of those gaps: "every 2-3 weeks"
  Millis high{0};
  Millis absence{0};  // since the latest visit started
  std::string evidence;
  std::string draft;
};

// The lapse, when the guest is lapsed at `now` and not yet flagged for this absence.
std::optional<Lapse> lapse_of(const GuestRecord& r, const GuestSettings& s, WallTime now,
                              std::string_view venue);

// "9 days", "15 weeks", "14 months", "2 years": how long, as a guest's habit is told (weeks
// up to half a year, months up to two years).
std::string habit_span(Millis d);

}  // namespace mend
