// The guest book: who a case's guest is, so the recovery policy can treat a regular whose last
// visit also went wrong differently from a first-time walk-in.
//
// What it learns, all from events (the book never reads a clock):
//  - booking.created/updated: the customer's id and name, which customer a booking belongs to,
//    and the booking's value. A booking's value counts once in the guest's lifetime value; an
//    update replaces that booking's share rather than adding to it.
//  - guest.arrived and guest.seated: a visit, for the customer named directly or through the
//    booking. Seatings closer than visit_gap to the visit's start are the same visit (an
//    arrival then a seating, a move to another table); a later one starts a new visit. A
//    report more than visit_gap older than the current visit's start is a late duplicate of
//    something already superseded and is not counted.
//
// "Now" for the book is the latest event ts (or case opening) it has seen. A visit is in
// progress for visit_gap after its start: while it is, a profile's `visits` and `last_visit`
// describe the visits before it; afterwards the finished visit is the last visit. Cases are
// recorded against the guest's latest visit (a bad review the next day lands on the visit it
// is about); a case for a guest never seen arriving has no visit and is not recorded.
//
// Tiers, computed when a profile is asked for (so new settings apply at once):
//  - kVip:       the id is in vip_customers, or lifetime_value >= vip_spend;
//  - kRegular:   else visits (earlier visits) >= regular_visits;
//  - kReturning: else visits >= 1;
//  - kNew:       else, and for anybody the book does not know.
//
// Profiles (core/guest_record.hpp): each guest's record also gathers spend from paid checks
// (booking -> the table it was seated at -> the check opened there), party sizes, tables and
// areas, occasions and dietary notes from booking notes, and what staff add. The store keeps
// one row per guest: take_changes() hands over the records changed since the last call.
//
// Retention (expire): a guest not seen for keep_profiles is deleted; a staff note older than
// keep_notes and a consented dietary note older than keep_dietary go on their own; a dietary
// note kept for one booking goes when that booking is forgotten.
//
// Bounds: at most max_guests guests (the least recently seen are forgotten); a booking is
// forgotten two days after its time or its last update, whichever is later, and there are at
// most two bookings per guest slot (the furthest in the future goes first); a table's seating
// and a check's guest are forgotten when the check is paid, the table cleared, or after a day.
// Lookups are O(1) on average, bookkeeping O(log n).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/event.hpp"
#include "core/guest_record.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class GuestTier : std::uint8_t { kNew, kReturning, kRegular, kVip };
std::string_view guest_tier_name(GuestTier t);  // "new", "returning", "regular", "vip"
std::optional<GuestTier> guest_tier_from_name(std::string_view name);

struct GuestSettings {
  int regular_visits = 5;                          // this many earlier visits make a regular
  double vip_spend = 1500;                         // lifetime booking value that makes a VIP
  std::vector<std::string> vip_customers;          // customer ids the venue marks VIP by hand
  Millis visit_gap = std::chrono::hours(6);        // seatings closer than this are one visit
  std::size_t max_guests = 20000;                  // bound: the least recently seen are forgotten
  std::map<std::string, std::string> table_areas;  // table -> area, for the preferred area
  Millis keep_profiles = std::chrono::hours(24 * 540);  // not seen this long: deleted
  Millis keep_notes = std::chrono::hours(24 * 365);     // a staff note's own clock
  Millis keep_dietary = std::chrono::hours(24 * 365);   // a consented dietary note's own clock
  Millis winback_after = std::chrono::hours(24 * 90);   // win-back: never flagged before this
  double winback_factor = 3;                            // nor before this many usual intervals
};

// What changed since the last take_changes(): records to write and ids to delete.
struct GuestChanges {
  std::vector<GuestRecord> changed;
  std::vector<std::string> gone;
  bool empty() const { return changed.empty() && gone.empty(); }
};

// A person's change to a profile. Unset fields stay as they are.
struct GuestEdit {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<std::string>> preferences;
  // true records the guest's consent to keep health data; false withdraws it, and every
  // dietary note kept on consent goes with it.
  std::optional<bool> health_consent;
  // The dietary notes kept on consent, replaced as a whole; needs consent (given now or before).
  std::optional<std::vector<std::string>> dietary;
  // Occasions a person records, replaced as a whole (those from bookings stay).
  std::optional<std::vector<Occasion>> occasions;
};

struct GuestProfile {
  std::string id;    // customer id; empty when the case names no known guest
  std::string name;  // from the booking's customer.name, may be empty
  GuestTier tier = GuestTier::kNew;
  int visits = 0;                                // earlier visits, not counting the current one
  std::optional<WallTime> last_visit;            // the previous visit's start
  std::vector<CaseKind> last_visit_failures;     // distinct kinds opened then, first opened first
  std::vector<std::string> last_visit_recovery;  // what was done about them, as resolved
  double lifetime_value = 0;
  bool operator==(const GuestProfile&) const = default;
};

// A guest's visit began: their `visits`th.
struct VisitStarted {
  std::string id;
  std::string ref;
  std::int64_t visits = 0;
  WallTime at;
};

class GuestBook {
 public:
  explicit GuestBook(GuestSettings settings = {});
  ~GuestBook();
  GuestBook(GuestBook&&) noexcept;
  GuestBook& operator=(GuestBook&&) noexcept;

  // Takes effect at once: tiers are computed on demand, and a smaller max_guests forgets the
  // least recently seen guests now.
  void update_settings(GuestSettings settings);

  // Learns from booking.created/updated, guest.arrived and guest.seated (see above). Every
  // event's ts moves the book's "now" forward; other events teach it nothing else.
  void on_event(const Event& e);

  // A case opened for a guest (subject.customer, or subject.booking -> customer) is recorded
  // against that guest's latest visit, so the next visit knows "last visit had a slow main".
  void on_case_opened(const Case& c);
  // A case about a guest was resolved: what was done goes with the visit it opened in.
  void on_case_resolved(const Case& c);

  // The profile for whoever a subject names (its customer, else its booking's customer). An
  // unknown guest gives tier kNew and an empty id, unless the id is one the venue lists as
  // VIP: then the id is kept and the tier is kVip.
  GuestProfile profile_for(const Subject& s) const;
  std::optional<GuestProfile> find(std::string_view customer_id) const;
  std::size_t size() const;

  // The whole record, with dietary notes for bookings already over left out.
  const GuestRecord* record(std::string_view customer_id) const;
  // The bookings expected in [from, to), earliest first, with their guest's customer id.
  struct BookingView {
    std::string booking;
    std::string customer;
    WallTime at;
    std::int64_t party = 0;
  };
  std::vector<BookingView> bookings_between(WallTime from, WallTime to) const;
  // The guest with this email, else this phone (same_phone), the most recently seen if
  // several; empty when none. An enquiry that names only a contact finds its guest.
  std::string id_for_contact(std::string_view email, std::string_view phone) const;
  // Guests whose name, id, email or phone contains `query` (case-insensitive), most recently
  // seen first; at most `limit`.
  std::vector<const GuestRecord*> search(std::string_view query, std::size_t limit) const;

  // ---- people's changes (the service checks roles and audits) ----------------------------
  // Adds a staff note; returns its id, or nullopt for a guest the book does not know.
  std::optional<std::int64_t> add_note(std::string_view customer_id, std::string text,
                                       std::string author, WallTime now);
  // Applies an edit; returns what is wrong with it (and changes nothing), or the names of
  // the fields it changed.
  struct EditResult {
    std::vector<std::string> changed;
    std::string error;  // non-empty: refused
  };
  EditResult edit(std::string_view customer_id, const GuestEdit& e, const std::string& by,
                  WallTime now);
  // Deletes the guest's record and every booking, table and check linked to them; true when
  // there was one.
  bool erase(std::string_view customer_id);

  // The visits started since the last call, in order (the ledger's loyalty stamps).
  std::vector<VisitStarted> take_started_visits();

  // Win-back (core/winback.hpp): the regulars lapsed at `now`, each flagged so it is said once
  // per absence; `venue` signs the drafted notes.
  std::vector<struct Lapse> take_lapsed(WallTime now, std::string_view venue);

  // Retention: deletes what is due at `now`; returns how many profiles, notes and dietary
  // notes went.
  struct Expired {
    std::size_t profiles = 0;
    std::size_t notes = 0;
    std::size_t dietary = 0;
  };
  Expired expire(WallTime now);

  // ---- persistence -------------------------------------------------------------------------
  // The records changed or deleted since the last call.
  GuestChanges take_changes();
  // Every record, for a full save.
  std::vector<GuestRecord> records() const;
  // The book's own state (bookings, seatings, checks, "now"), to persist across restarts;
  // the records are saved as rows. restore() replaces all state from both; on an error it
  // returns the message and changes nothing. A version 1 state, which held the guests
  // itself, is read too, and its guests are all reported by the next take_changes().
  json::Value export_state() const;
  std::optional<std::string> restore(const json::Value& state,
                                     std::vector<GuestRecord> records = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mend
