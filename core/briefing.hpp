// The Concierge's briefing: before a shift starts, a note for the team about the bookings in it
// worth knowing. A booking is worth knowing when its guest is a regular or a VIP, has dietary
// needs or allergies kept (with their basis), an occasion mentioned for it, or a last visit
// that went wrong; each entry says why, with the guest's preferences and how many staff notes
// there are. Bookings of guests nobody knows anything about are left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/guests.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct BriefingEntry {
  std::string booking;
  WallTime at;
  std::int64_t party = 0;
  std::string customer;
  std::string name;
  GuestTier tier = GuestTier::kNew;
  std::vector<std::string> preferences;
  std::vector<DietaryNote> dietary;
  std::vector<std::string> occasions;  // kinds mentioned for this booking
  std::optional<WallTime> last_visit;
  std::vector<CaseKind> last_visit_issues;
  std::vector<std::string> last_visit_recovery;  // what was done about them
  std::size_t notes = 0;
  std::vector<std::string> why;  // "vip", "regular", "dietary", "occasion", "last_visit"
};

struct Briefing {
  WallTime from;                       // the shift's start
  WallTime to;                         // its end
  std::vector<BriefingEntry> entries;  // earliest booking first
};

// The bookings expected in [from, to) that are worth knowing.
Briefing make_briefing(const GuestBook& book, WallTime from, WallTime to);

// As GET /api/v1/briefing carries it (times RFC 3339): which shift ("current", "next"), its
// summary line, and whether its alert has gone out, with the bookings.
json::Value briefing_json(const Briefing& b, std::string_view shift, std::string summary,
                          bool briefed);
// One line for an alert: "4 bookings to know for the shift from 17:30: Ann Lee (VIP, nut
// allergy) at 19:00, ...", local times through `utc_offset`.
std::string briefing_summary(const Briefing& b, Millis utc_offset);

}  // namespace mend
