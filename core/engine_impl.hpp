// The engine's private parts: Engine::Impl, its state and the detectors' declarations. Its
// definitions are spread by concern: engine.cpp (the public API, time, housekeeping, dedup),
// engine_cases.cpp (waits breaching into cases, severity, reasons, patterns), engine_floor.cpp
// (tables, checks, arrivals, enquiries, reviews), engine_devices.cpp (temperature, silence,
// offline) and engine_state.cpp (export and restore). Not for use outside core/engine*.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/engine.hpp"
#include "core/wait_queue.hpp"

namespace mend {

struct Engine::Impl {
  // ---- state -------------------------------------------------------------------------------
  struct OpenCase {
    std::string id;
    Severity severity = Severity::kMedium;
    std::string table;  // the table it belongs to, so table.cleared can let it go
    std::string check;  // likewise for check.paid
  };
  struct TableState {
    bool seated = false;
    bool from_sensor = false;
    WallTime seated_at;
    std::string booking;
    std::string customer;
    std::int64_t party = 0;
    double value = 0;
    std::optional<WallTime> last_order;  // newest order.opened ts for this seating
    std::vector<std::string> checks;
    bool bill_requested = false;
  };
  struct CheckState {
    std::string table;
    std::int64_t voids = 0;
    std::vector<Evidence> void_evidence;
    std::vector<std::pair<std::string, WallTime>> served;  // course -> last served ts
    std::vector<std::string> fired;  // courses fired, so their waits are found without a scan
    std::optional<WallTime> paid;
    MonoTime touched;
  };
  struct BookingInfo {
    WallTime at;
    std::int64_t party = 0;
    double value = 0;
    std::string customer;
    std::optional<WallTime> seated;
    MonoTime touched;
  };
  struct PatternHit {
    MonoTime at;
    WallTime wall;
    std::string case_id;
  };

  DetectionSettings settings;
  std::unordered_map<std::string, std::string> table_area;
  std::unordered_map<std::string, const DeviceConfig*> devices;

  WaitQueue waits;

  std::unordered_map<std::string, OpenCase> open_cases;    // case key -> case
  std::unordered_map<std::string, std::string> case_keys;  // case id -> case key
  std::uint64_t case_seq = 0;

  std::unordered_map<std::string, TableState> tables;
  std::unordered_map<std::string, CheckState> checks;
  std::unordered_map<std::string, BookingInfo> bookings;
  std::unordered_map<std::string, WallTime> answered_enquiries;
  std::unordered_map<std::string, MonoTime> answered_touched;
  // Who sent each enquiry, so one guest's unanswered enquiries make one case: each way the
  // guest was named (customer id, email, phone) -> the guest's key, the first way they were
  // named. Both are hashes (identity_hash), so the saved state holds no contact details.
  struct Enquirer {
    std::string guest;
    MonoTime touched;
  };
  std::unordered_map<std::string, Enquirer> enquirers;
  static constexpr Millis kEnquirerMemory = std::chrono::hours(30 * 24);
  static constexpr std::size_t kMaxEnquirers = 20000;
  std::deque<std::string> walkins;  // walk-in arrival wait keys, oldest first
  std::unordered_map<std::string, std::deque<PatternHit>> patterns;

  std::unordered_set<std::string> seen;
  std::deque<const std::string*> seen_order;

  bool started = false;
  MonoTime last_mono{};
  MonoTime next_housekeeping{};

  explicit Impl(DetectionSettings s) { apply_settings(std::move(s)); }

  void apply_settings(DetectionSettings s);

  // ---- keys and evidence -------------------------------------------------------------------
  static constexpr Millis kForgetAfter = std::chrono::hours(24);  // breached, unanswered waits
  static constexpr Millis kHousekeeping = std::chrono::hours(1);
  static constexpr int kStateVersion = 1;
  // Waits that are not the case's own key (device silence and device status share one case).
  static constexpr char kTagSilence = 'S';
  static constexpr char kTagOfflineStatus = 'O';

  static Evidence evidence_of(const Event& e, std::string note = {}) {
    return Evidence{e.id, std::string(event_type_name(e.type)), e.ts, std::move(note)};
  }

  // Wait and case keys: the kind's number, then the subject. Cheap to build, unique per kind.
  static std::string make_key(char tag, std::string_view a, std::string_view b = {}) {
    std::string k;
    k.reserve(2 + a.size() + 1 + b.size());
    k.push_back(tag);
    k.push_back(':');
    k.append(a);
    if (!b.empty()) {
      k.push_back('\x1f');
      k.append(b);
    }
    return k;
  }

  static char tag_of(CaseKind k) { return static_cast<char>('a' + static_cast<int>(k)); }

  // ---- time --------------------------------------------------------------------------------
  // Clamps `now` so the monotonic clock never runs backwards inside the engine.
  Now clamp(Now now);
  static MonoTime anchor_of(WallTime ts, Now now) { return now.mono - (now.wall - ts); }

  // ---- waits -------------------------------------------------------------------------------
  // Starts a wait unless one with the key is already running (the first start counts). A wait
  // whose deadline has already passed (a late event) breaches at once.
  void start_wait(Wait w, Now now, EngineOutput& out);

  // The answering event ends the wait. If it had already breached, the case learns when.
  void end_wait(const std::string& key, const Event& answer, std::string_view what, Now now,
                EngineOutput& out);

  Decision base_decision(Decision::Op op, const Wait& w, std::string case_id, Now now) const;

  // Fires a due wait: breach (open or add evidence), raise severity, or forget.
  void fire(std::uint32_t slot, Now now, EngineOutput& out);

  void breach(Wait& w, int stage, Now now, EngineOutput& out);

  // Holds a due wait whose answering source is blind (Engine::set_blind); true when held.
  bool hold(std::uint32_t slot, Now now, EngineOutput& out);
  std::string held_words(const Wait& w, Now now) const;
  std::array<Sight, kSourceCount> sight{};
  std::array<std::optional<MonoTime>, kSourceCount> back_at{};   // no longer blind since
  static constexpr Millis kHoldRecheck = std::chrono::hours(1);  // set_blind reschedules sooner

  // Its employee is switched off (core/employees.hpp): no new case of the kind is opened.
  bool silenced(CaseKind k) const { return settings.silenced[static_cast<std::size_t>(k)]; }

  // Registers a new open case and returns its Open decision, to be completed and emitted.
  Decision open_case(CaseKind kind, const std::string& case_key, const Subject& subject, Severity s,
                     Now now);

  void emit_open(Decision d, Now now, EngineOutput& out);

  // ---- severity and words ------------------------------------------------------------------
  Severity severity_for(const Wait& w, int stage) const;

  std::string reason_for(const Wait& w, Millis elapsed) const;

  // ---- patterns ----------------------------------------------------------------------------
  std::string scope_of(CaseKind kind, const Subject& s) const;

  void note_pattern(CaseKind kind, const Subject& subject, const std::string& case_id, Now now,
                    EngineOutput& out);

  // ---- subjects ----------------------------------------------------------------------------
  std::string area_of_table(const std::string& table) const;

  Subject table_subject(const std::string& table) const;

  // Drops the open-case links of a subject whose life ended, so the next party at the table or
  // the next check starts cases of its own. The cases themselves stay open for the staff.
  void release_cases(const std::string& table, const std::string& check);

  std::string check_table(const std::string& check, const std::string& given) const;

  CheckState& touch_check(const std::string& check, const std::string& table, Now now);

  // ---- events ------------------------------------------------------------------------------
  void seat(const std::string& table, const Event& e, const std::string& booking,
            std::optional<std::int64_t> party, const std::optional<Customer>& customer,
            bool from_sensor, Now now, EngineOutput& out);

  // A walk-in seated: it answers the oldest walk-in arrival of the same party size (or the
  // oldest at all when the seating does not say the party).
  void seat_walkin(std::int64_t party, const Event& e, Now now, EngineOutput& out);

  void clear_table(const std::string& table, const Event& e, Now now, EngineOutput& out,
                   bool keep_order);

  void end_check_waits(const std::string& check, const Event& e, std::string_view what, Now now,
                       EngineOutput& out);

  void on_order_opened(const Event& e, const OrderOpened& b, Now now, EngineOutput& out);

  void on_items_fired(const Event& e, const ItemsFired& b, Now now, EngineOutput& out);

  void fill_party(Wait& w, const std::string& table) const;

  void on_items_served(const Event& e, const ItemsServed& b, Now now, EngineOutput& out);

  void on_check_requested(const Event& e, const CheckRequested& b, Now now, EngineOutput& out);

  void on_check_paid(const Event& e, const CheckPaid& b, Now now, EngineOutput& out);

  void on_item_voided(const Event& e, const ItemVoided& b, Now now, EngineOutput& out);

  void on_booking_changed(const Event& e, const BookingChanged& b, Now now);

  void on_guest_arrived(const Event& e, const GuestArrived& b, Now now, EngineOutput& out);

  void on_enquiry_received(const Event& e, const EnquiryReceived& b, Now now, EngineOutput& out);
  // The guest behind an enquiry's customer fields (their key), learning the ways they were
  // named; empty when it names nobody.
  std::string enquirer_of(const std::optional<Customer>& c, Now now);

  void on_enquiry_answered(const Event& e, const EnquiryAnswered& b, Now now, EngineOutput& out);

  void on_call_button(const Event& e, const CallButton& b, Now now, EngineOutput& out);

  void on_occupancy(const Event& e, const Occupancy& b, Now now, EngineOutput& out);

  void on_review(const Event& e, const ReviewReceived& b, Now now, EngineOutput& out);

  // ---- devices -----------------------------------------------------------------------------
  std::string device_words(const std::string& device) const;
  std::string device_area(const std::string& device) const;
  Millis silence_of(const std::string& device) const;

  // Any message from a device: it is alive. Restarts its silence watch and ends an offline
  // case it had.
  void device_seen(const std::string& device, const Event& e, Now now, EngineOutput& out);

  // `last` is the message that proves the device alive; none when the watch starts with mendd.
  void arm_silence(const std::string& device, Now now, const Event* last);

  void device_back(const std::string& device, const Event& e, Now now, EngineOutput& out);

  void on_status(const Event& e, const DeviceStatus& b, Now now, EngineOutput& out);

  void on_temperature(const Event& e, const Temperature& b, Now now, EngineOutput& out);

  // ---- housekeeping ------------------------------------------------------------------------
  // Forgets what can no longer matter, so a box that runs for months stays small: checks and
  // bookings untouched for a day, answered enquiries, old pattern hits.
  void housekeeping(Now now);

  void start(Now now);

  // ---- dedup -------------------------------------------------------------------------------
  bool remember(const std::string& id);

  // Housekeeping is not a deadline: it rides on calls that come anyway, since state only
  // grows when events arrive.
  std::optional<MonoTime> next_deadline();

  void run_due(Now now, EngineOutput& out);
};

}  // namespace mend
