// The detection engine: events and the passage of time in, decisions out.
//
// How it works. Every failure kind in signals.md is "something started and nothing answered
// it in time" (a seating and no order, a fired course and no serve) or "something happened
// that is a failure by itself" (a bad review, a second void). The first sort is a Wait: a
// subject, a start taken from the starting event's own ts, and a deadline on the monotonic
// clock. The answering event removes the wait; on_tick() turns the waits whose deadline has
// come into decisions. A wait that has breached stays until it is answered, raising severity
// at 1.5x and 2x its threshold, so the answering event still lands on its case as evidence.
//
// Event timestamps are wall time from the source; deadlines are monotonic. An event's ts is
// turned into a monotonic anchor once, when it arrives (anchor = now.mono - (now.wall - ts)),
// so a late event counts from its own ts and a later jump of the wall clock moves nothing.
//
// The engine never reads a clock and never sleeps: the host calls on_tick(now) at
// next_deadline(). A `now` earlier than one already seen is treated as the latest seen, so a
// clock handed in out of order can neither fire a wait early nor run time backwards.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/case.hpp"
#include "core/config.hpp"
#include "core/event.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct Decision {
  enum class Op : std::uint8_t {
    kOpen,           // a new case: kind, subject, severity, evidence, reason
    kAddEvidence,    // more evidence on an open case (a repeat breach, the answering event)
    kRaiseSeverity,  // the wait goes on: severity is now `severity`
    kClose,          // the condition has cleared by itself (a device back online); the case
                     // book closes the case only if nobody has acted on it yet
  };
  Op op = Op::kOpen;
  std::string case_id;
  CaseKind kind = CaseKind::kTableNoOrder;
  Subject subject;
  Severity severity = Severity::kMedium;
  std::vector<Evidence> evidence;
  std::string reason;  // plain words: why this decision
  WallTime at;         // the wall time of the decision
  // Facts for explanations and policy: when the wait started (the starting event's ts), its
  // threshold, and what is known of the party.
  WallTime started;
  Millis threshold{0};
  std::int64_t party = 0;
  double value = 0;  // booking value, 0 when unknown
};
std::string_view decision_op_name(Decision::Op op);

struct EngineOutput {
  std::vector<Decision> decisions;
  bool duplicate = false;  // the event's id was seen before: nothing was done
  std::optional<MonoTime> next_deadline;
};

// Everything the engine needs from the config; built from a Config so SIGHUP can swap it.
struct DetectionSettings {
  DetectConfig detect;
  std::vector<DeviceConfig> devices;
  std::vector<AreaConfig> areas;
  std::size_t dedup_capacity = 100000;  // recent event ids remembered for duplicate checks
  // Kinds whose employee is switched off: their waits still run (so the floor view stays
  // true), but no new case of them is opened. Set by the recovery service from its roster.
  std::array<bool, kCaseKindCount> silenced{};
  static DetectionSettings from(const Config& c);
};

// A plain, serialisable copy of the engine's state (see export_state/restore). It records the
// monotonic and wall time of the export, so a restore can count the time the daemon was down.
struct EngineState {
  json::Value data;
};

// A wait running on a table (no order yet, a course not served, a bill not brought), so the
// floor view can show its timer against its threshold.
struct TableTimer {
  CaseKind kind = CaseKind::kTableNoOrder;
  std::string course;  // course.slow only
  WallTime started;    // the starting event's ts
  Millis threshold{0};
  bool breached = false;
};

// The live picture of one table, for the floor view.
struct TableView {
  std::string table;
  std::string area;
  bool seated = false;
  WallTime seated_at;
  std::string booking;
  std::string customer;  // as the seating or its booking named them
  std::int64_t party = 0;
  double value = 0;  // the booking's expected spend, 0 when unknown
  std::vector<std::string> checks;
  bool ordered = false;
  bool bill_requested = false;
  std::vector<std::string> courses_waiting;  // fired, not served
  std::vector<TableTimer> timers;            // oldest start first
};

class Engine {
 public:
  explicit Engine(DetectionSettings settings);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  EngineOutput on_event(const Event& e, Now now);
  EngineOutput on_tick(Now now);

  // A person closed the case: forget it, so the next breach for its subject opens a new one.
  void on_case_closed(std::string_view case_id);

  // A case that no wait or rule of the engine's opens: the box's own health, which the host
  // measures, and a regular who stopped coming. One per kind and subject while open, like every
  // case: an open one gets the evidence instead. clear_case: the condition is over; the case book
  // closes the case unless a person has acted on it.
  EngineOutput raise_case(CaseKind kind, const Subject& subject, Severity severity,
                          std::string reason, Evidence evidence, Now now);
  EngineOutput clear_case(CaseKind kind, const Subject& subject, std::string reason,
                          Evidence evidence, Now now);
  // A case a person opened for what no signal shows (a complaint at the table, a phone call):
  // always a new case, whoever else has one open for the same table.
  EngineOutput open_reported(CaseKind kind, const Subject& subject, Severity severity,
                             std::string reason, Evidence evidence, Now now);

  std::optional<MonoTime> next_deadline() const;

  // New thresholds apply to waits started from now on; running waits keep their deadlines.
  void update_settings(DetectionSettings settings);

  EngineState export_state(Now now) const;
  // Replaces all state. Returns an error message (and changes nothing) when the state is not
  // one this build can read. Within one boot the monotonic clock carries every deadline as it
  // was; after a reboot (same_boot false) the monotonic clock restarted, so the downtime is
  // taken from the wall clock instead (never negative).
  std::optional<std::string> restore(const EngineState& state, Now now, bool same_boot = true);

  // A stable hash of one way a guest is named ("id:cust-19", "email:ann@example.com",
  // "phone:" and its phone_key), as the engine keeps it: 16 hex digits (FNV-1a, 64 bits).
  static std::string identity_hash(std::string_view way);

  // An erased guest (core/erasure.hpp): the tables, bookings and waits that name the customer
  // name `pseudonym` instead, and the ways their enquiries were linked are forgotten. Returns
  // how many it renamed.
  std::size_t rename_customer(const std::string& customer, const std::string& pseudonym);

  // How well a source can be heard (core/source_health.hpp). A wait it would answer that comes
  // due while it is in doubt (unusually quiet) or blind (silent, offline) is held instead of
  // breaching: the guest's silence cannot be told from the source's. In doubt, for kMaxDoubt at
  // most; blind, until the source is back. A wait held while blind is added as evidence to the
  // source's open source.silent case (subject.device is the source's name), if there is one.
  // When the source is heard again, held waits wait kReturnGrace more, so the late events of a
  // bridge catching up can end them from their own times; those still unanswered then breach.
  enum class Sight : std::uint8_t { kSeeing, kDoubt, kBlind };
  EngineOutput set_sight(Source s, Sight sight, Now now);
  static constexpr Millis kReturnGrace = std::chrono::minutes(2);
  static constexpr Millis kMaxDoubt = std::chrono::minutes(3);
  struct HeldWait {
    CaseKind kind = CaseKind::kTableNoOrder;
    Evidence start;
    std::string words;  // "Held: Table T1 was seated 12m ago and has not ordered (limit 10m)."
  };
  std::vector<HeldWait> held(Source s, Now now) const;
  // A source's clock was found off by `by` (core/source_health.hpp): the waits its events
  // started, not yet breached, move by that much, as if their events had come corrected.
  EngineOutput shift_source(Source s, Millis by, Now now);
  // The source whose events answer a kind's waits, if any.
  static std::optional<Source> answered_by(CaseKind kind);

  std::size_t pending_waits() const;
  bool seated(const std::string& table) const;
  std::vector<TableView> tables() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mend
