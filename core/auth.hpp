// Staff sign-in as pure rules: roles and what each may do, which PINs are acceptable, the
// lockout after wrong PINs, and when a session ends. No I/O, no clock: every function that
// depends on time takes `now`. Hashing, randomness and storage live in adapters/auth.
//
// Which clock. Lockout and session times are WallTime, not MonoTime, because they are
// persisted and must survive a restart (and a reboot, which restarts CLOCK_BOOTTIME at zero).
// The price is that a Pi without an RTC may step its wall clock when NTP first syncs, so every
// rule here decides what a step does:
//  - forward step: failures and sessions look old. Lockouts end early (at most once per step,
//    a bounded gift to an attacker) and sessions expire (staff sign in again: safe).
//  - backward step: a stored time lies in the future. A failure in the future is not counted
//    (clamping it to `now` instead would re-arm its delay at every check, a lock lasting until
//    the clock catches up, possibly years); a session created or seen in the future is expired
//    (fail closed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/roles.hpp"
#include "core/time.hpp"

namespace mend::auth {

// ---- roles and permissions -----------------------------------------------------------------

// Roles live in core/roles.hpp; sign-in and permissions speak of them as auth::Role.
using mend::is_person_role;
using mend::parse_role;
using mend::Role;
using mend::role_name;

enum class Permission {
  kCaseRead,         // list and open cases
  kFloorRead,        // the floor view, live updates
  kCaseAcknowledge,  // "I have seen it"
  kCaseAction,       // mark the recovery done
  kCaseResolve,      // close with a root cause and a note: recording what happened is floor work
  kCaseDecide,       // approve, edit or reject a recommendation: a manager's judgement
  kUsersManage,      // add, disable, reset staff accounts (only up to one's own role)
  kAuditRead,        // the audit log
  kTokensManage,     // integration API tokens: they outlive shifts and people
  kPushSubscribe,    // alerts on one's own phone: the roles the escalation ladder calls
  kCaseOpen,         // open a case for what no signal shows (a complaint, a phone call)
  kEmployeesManage,  // switch a digital employee off or on, change what it may do
  kInsightsRead,     // the learning view: measures, repeats, suggestions, the weekly report
  kInsightsDecide,   // accept or dismiss a suggestion; mark its task done
  kGuestsRead,       // guest profiles: who is at a table, their preferences and allergies
  kGuestsNote,       // add a note to a guest's profile
  kGuestsEdit,       // change a profile: tags, preferences, occasions, consent, dietary
  kGuestsExport,     // one guest's whole record as a document, when they ask for it
  kGuestsErase,      // erase a guest: the profile goes, their events and cases are renamed
  kLedgerOwn,        // one's own contribution record: what was earned and why
  kLedgerTeam,       // everyone's records by period and kind, and the cases not closed properly
  kLedgerSign,       // countersign or correct an entry, confirm a person's training
};

std::string_view permission_name(Permission p);  // "case.decide", ...
std::optional<Permission> parse_permission(std::string_view name);

// The permission table (see auth.cpp for the whole grid and why).
bool allows(Role r, Permission p);

// Whether `actor` may create or change an account of role `target`: it needs kUsersManage and
// may not hand out more than it has (a manager cannot make an admin).
bool may_assign_role(Role actor, Role target);

// ---- PINs ------------------------------------------------------------------------------------

inline constexpr std::size_t kMinPinLength = 6;
// A bound, not advice: longer PINs are fine but a sign-in body stays small.
inline constexpr std::size_t kMaxPinLength = 32;

enum class PinProblem { kTooShort, kTooLong, kNotDigits, kTooWeak };
std::string_view pin_problem_message(PinProblem p);

// nullopt when the PIN is acceptable. Weak: one digit repeated (000000), a straight run up or
// down (123456, 987654, 890123 wraps), a short block repeated (121212, 123123), and a few
// keypad patterns (147258, 159753, ...).
std::optional<PinProblem> check_pin(std::string_view pin);

// Account names: 1 to 64 bytes, no control characters, no leading or trailing space.
inline constexpr std::size_t kMaxNameLength = 64;
bool valid_user_name(std::string_view name);

// ---- lockout ---------------------------------------------------------------------------------

struct LockoutPolicy {
  Millis window = std::chrono::hours(1);  // failures older than this are forgotten
  int free_failures = 3;                  // this many wrong PINs cost nothing
  Millis first_delay = std::chrono::seconds(1);
  // The doubling stops here. 30 s keeps a mistyping person's wait short while 100 guesses
  // still take 45 minutes; the hard limit below is the guarantee.
  Millis max_delay = std::chrono::seconds(30);
  int max_failures_per_window = 100;  // then refused until the oldest failure leaves the window
};

struct LockoutDecision {
  bool allowed = true;
  WallTime wait_until{};    // when !allowed: the first instant at which an attempt is allowed
  bool hard_limit = false;  // refused because of max_failures_per_window
};

// One account's recent failures. A refused attempt (while waiting) is not a failure: it never
// reaches the PIN check, so it neither costs the attacker nor extends the lock.
class Lockout {
 public:
  explicit Lockout(LockoutPolicy policy = {}, std::vector<WallTime> failures = {});

  LockoutDecision check(WallTime now) const;
  // Records a wrong PIN at `now` and drops failures that left the window.
  void record_failure(WallTime now);
  // A right PIN forgets every failure.
  void record_success() { failures_.clear(); }

  // Failures inside the window ending at `now`.
  int failures_in_window(WallTime now) const;
  // The delay the next attempt must wait after the last failure, given `count` failures.
  Millis delay_after(int count) const;
  const std::vector<WallTime>& failures() const { return failures_; }
  const LockoutPolicy& policy() const { return policy_; }

 private:
  // Inside the window ending at `now`, and not in the future.
  bool counts(WallTime at, WallTime now) const;
  void forget_before(WallTime now);

  LockoutPolicy policy_;
  std::vector<WallTime> failures_;  // oldest first
};

// ---- sessions --------------------------------------------------------------------------------

struct SessionPolicy {
  // Idle: a tablet left signed in at the pass stops working after a quiet spell.
  Millis idle = std::chrono::hours(2);
  // Absolute: one shift; the next shift signs in again even on a busy tablet.
  Millis lifetime = std::chrono::hours(12);
  // last_seen is written at most this often, so browsing does not write the SD card on every
  // request; the idle expiry is therefore up to this much late.
  Millis touch_interval = std::chrono::minutes(1);
  // A stored time this far in the future means the clock stepped back: treat it as expired.
  Millis clock_tolerance = std::chrono::minutes(1);
};

enum class SessionState { kActive, kIdleExpired, kLifetimeExpired, kClockStepped };

SessionState session_state(const SessionPolicy& policy, WallTime created, WallTime last_seen,
                           WallTime now);
// Whether an active session's last_seen should be written now.
bool session_needs_touch(const SessionPolicy& policy, WallTime last_seen, WallTime now);

}  // namespace mend::auth
