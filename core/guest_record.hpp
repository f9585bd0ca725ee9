// What the venue knows about one guest: the profile staff see on the tablet and the guest can
// ask to export or erase. The guest book (core/guests.hpp) keeps one record per guest and
// updates it from events and from people's changes; the store keeps each record as a row.
//
// Health data. Dietary requirements and allergies are kept on the profile only while the
// guest's consent is recorded (`health_consent`). Without it, one that a booking's notes
// mention is kept for that booking only (`basis` kThisBooking) and goes when the booking's
// visit is over. Withdrawing consent drops every kept one at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

// A staff note on a guest, with who wrote it and when.
struct GuestNote {
  std::int64_t id = 0;  // per guest, from 1
  std::string text;
  std::string author;
  WallTime at;
  bool operator==(const GuestNote&) const = default;
};

enum class HealthBasis : std::uint8_t {
  kConsent,      // the guest agreed to it being kept
  kThisBooking,  // from a booking's notes, kept only for that booking
};
std::string_view health_basis_name(HealthBasis b);  // "consent", "this_booking"

struct DietaryNote {
  std::string text;  // "severe nut allergy", as written
  HealthBasis basis = HealthBasis::kThisBooking;
  std::string booking;  // the booking it came with (kThisBooking), else empty
  std::string source;   // "booking B77" or the person who recorded it
  WallTime at;
  bool operator==(const DietaryNote&) const = default;
};

struct Occasion {
  std::string kind;     // "birthday", "anniversary", ...
  std::string booking;  // the booking it was mentioned for, if any
  WallTime on;          // the booking's time, or when a person recorded it
  std::string source;
  bool operator==(const Occasion&) const = default;
};

struct HealthConsent {
  std::string recorded_by;
  WallTime at;
  bool operator==(const HealthConsent&) const = default;
};

struct GuestRecord {
  std::string id;   // the booking system's customer id
  std::string ref;  // the book's own name for the guest ("g17"): the audit log uses it
  std::string name;
  std::string email;  // as the booking system sent it, lower-cased
  std::string phone;  // digits and a leading +
  // Visits: each arrival or seating more than visit_gap after the last starts one.
  std::int64_t visits = 0;  // started, the current one included
  std::optional<WallTime> first_visit;
  std::optional<WallTime> latest;    // the latest visit's start
  std::optional<WallTime> previous;  // the one before
  std::vector<CaseKind> latest_failures;
  std::vector<CaseKind> previous_failures;
  // What was done about each visit's cases as they were resolved, one line each ("slow main
  // course: apologised, dessert on the house"), at most kCaseKindCount: for the briefing.
  std::vector<std::string> latest_recovery;
  std::vector<std::string> previous_recovery;
  // The starts of the latest visits, oldest first (at most kRecentVisits): the guest's habit,
  // for win-back (core/winback.hpp).
  std::vector<WallTime> recent_visits;
  // When win-back flagged the guest's absence since `latest`; a visit clears it.
  std::optional<WallTime> lapsed_flagged;
  double booked_value = 0;  // bookings' expected spend, each booking once
  double spend = 0;         // paid checks linked by booking -> table -> check
  std::int64_t checks = 0;  // how many paid checks make up `spend`
  std::map<std::int64_t, std::int64_t> party_sizes;  // size -> visits
  std::map<std::string, std::int64_t> tables;        // table -> visits seated there
  std::map<std::string, std::int64_t> areas;         // area -> visits
  std::vector<Occasion> occasions;
  std::set<std::string> tags;
  std::vector<std::string> preferences;
  std::vector<DietaryNote> dietary;
  std::optional<HealthConsent> health_consent;
  std::vector<GuestNote> notes;
  std::int64_t next_note = 1;
  WallTime last_seen;  // the latest event, case or change about this guest
  bool operator==(const GuestRecord&) const = default;
};

inline constexpr std::size_t kRecentVisits = 12;

// The most common party size, table and area (ties: the smallest size, the first name).
std::optional<std::int64_t> usual_party(const GuestRecord& r);
std::string preferred_table(const GuestRecord& r);
std::string preferred_area(const GuestRecord& r);

// The record as the store keeps it (times in epoch milliseconds), or with `readable_times` as
// the API shows it (RFC 3339); and back from the store's form.
json::Value guest_record_json(const GuestRecord& r, bool readable_times = false);
// Strict: a record with a bad field is refused with the field's name.
std::optional<std::string> guest_record_from_json(const json::Value& v, GuestRecord& out);

// What a booking's free-text notes say about the guest. Notes are split into clauses at
// ';', ',', '.' and new lines; a clause that names an allergy or a diet is dietary, one that
// names an occasion is an occasion; everything else stays with the booking only.
struct BookingNoteFacts {
  std::vector<std::string> dietary;    // the clauses, as written
  std::vector<std::string> occasions;  // kinds: "birthday", "anniversary", ...
  bool operator==(const BookingNoteFacts&) const = default;
};
BookingNoteFacts read_booking_notes(std::string_view notes);

// Normalised contact details, so two enquiries from "Ann@Example.com " and "ann@example.com"
// are one guest. Empty when there is nothing usable.
std::string normal_email(std::string_view email);
std::string normal_phone(std::string_view phone);
// What tells one phone number from another: its digits, only the last 9 when there are more,
// so a national "07700 900123" and an international "+44 7700 900123" are one number. Empty
// under 6 digits (an extension, a typo).
std::string phone_key(std::string_view phone);
bool same_phone(std::string_view a, std::string_view b);  // the same non-empty phone_key

}  // namespace mend
