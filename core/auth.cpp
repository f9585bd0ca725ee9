#include "core/auth.hpp"

#include <algorithm>
#include <array>

namespace mend::auth {

namespace {

struct PermissionRow {
  std::string_view name;
  Permission permission;
  // Who holds it: staff, manager, admin, integration.
  std::array<bool, 4> holders;
};

// The whole grid in one place. Floor work (acknowledge, action, resolve with a root cause) is
// everyone's: the person at the table knows what happened. Deciding on a recommendation is
// everyone's too, within the money their role may give (core/policy.hpp's authority: a comped
// dish over the staff limit goes to a manager). Seeing who did what is a manager's. Tokens are
// the admin's alone: they are long-lived secrets held by other machines. Integrations read.
// Phone alerts are for the people the escalation ladder calls away from the floor: managers
// and admins (staff see their alerts on the tablet at the pass). Opening a case for what a
// guest said is floor work; switching a digital employee off or on is a manager's, and so is
// the venue's learning (an integration may read it, for the owner's own reports). Knowing
// the guest is floor work, so staff read profiles and add notes; changing what a profile says,
// consent included, is a manager's, and so is handing a guest their record; erasing one cannot
// be undone, so it is the admin's. Integrations see no profiles: they are personal data.
// Everyone who works sees their own contribution record; the team's records, and vouching for
// an entry (countersigning, correcting, confirming a training), are a manager's.
constexpr PermissionRow kPermissions[] = {
    //                                            staff  manager admin  integration
    {"case.read", Permission::kCaseRead, {true, true, true, true}},
    {"floor.read", Permission::kFloorRead, {true, true, true, true}},
    {"case.acknowledge", Permission::kCaseAcknowledge, {true, true, true, false}},
    {"case.action", Permission::kCaseAction, {true, true, true, false}},
    {"case.resolve", Permission::kCaseResolve, {true, true, true, false}},
    {"case.decide", Permission::kCaseDecide, {true, true, true, false}},
    {"users.manage", Permission::kUsersManage, {false, true, true, false}},
    {"audit.read", Permission::kAuditRead, {false, true, true, false}},
    {"tokens.manage", Permission::kTokensManage, {false, false, true, false}},
    {"push.subscribe", Permission::kPushSubscribe, {false, true, true, false}},
    {"case.open", Permission::kCaseOpen, {true, true, true, false}},
    {"employees.manage", Permission::kEmployeesManage, {false, true, true, false}},
    {"insights.read", Permission::kInsightsRead, {false, true, true, true}},
    {"insights.decide", Permission::kInsightsDecide, {false, true, true, false}},
    {"guests.read", Permission::kGuestsRead, {true, true, true, false}},
    {"guests.note", Permission::kGuestsNote, {true, true, true, false}},
    {"guests.edit", Permission::kGuestsEdit, {false, true, true, false}},
    {"guests.export", Permission::kGuestsExport, {false, true, true, false}},
    {"guests.erase", Permission::kGuestsErase, {false, false, true, false}},
    {"ledger.own", Permission::kLedgerOwn, {true, true, true, false}},
    {"ledger.team", Permission::kLedgerTeam, {false, true, true, false}},
    {"ledger.sign", Permission::kLedgerSign, {false, true, true, false}},
};

bool all_same(std::string_view pin) {
  return std::all_of(pin.begin(), pin.end(), [&](char c) { return c == pin[0]; });
}

// Every digit is the one before plus `step`, modulo 10 (so 890123 counts as a run).
bool straight_run(std::string_view pin, int step) {
  for (std::size_t i = 1; i < pin.size(); ++i) {
    if ((pin[i - 1] - '0' + step + 10) % 10 != pin[i] - '0') return false;
  }
  return true;
}

// The PIN is one block of `period` digits repeated (121212, 123123).
bool repeats(std::string_view pin, std::size_t period) {
  if (pin.size() % period != 0 || pin.size() == period) return false;
  for (std::size_t i = period; i < pin.size(); ++i) {
    if (pin[i] != pin[i - period]) return false;
  }
  return true;
}

// Patterns people pick from the keypad's shape or from lists of common PINs.
constexpr std::string_view kCommonPins[] = {
    "112233", "147258", "159753", "258369", "369258", "147852", "102030", "121314",
    "696969", "131313", "100200", "111222", "123321", "654456", "789456", "456123",
};

}  // namespace

std::string_view permission_name(Permission p) {
  for (const auto& row : kPermissions) {
    if (row.permission == p) return row.name;
  }
  return "?";
}

std::optional<Permission> parse_permission(std::string_view name) {
  for (const auto& row : kPermissions) {
    if (row.name == name) return row.permission;
  }
  return std::nullopt;
}

bool allows(Role r, Permission p) {
  for (const auto& row : kPermissions) {
    if (row.permission == p) return row.holders[static_cast<std::size_t>(r)];
  }
  return false;
}

bool may_assign_role(Role actor, Role target) {
  return allows(actor, Permission::kUsersManage) && is_person_role(target) &&
         authority_rank(target) <= authority_rank(actor);
}

std::string_view pin_problem_message(PinProblem p) {
  switch (p) {
    case PinProblem::kTooShort: return "a PIN has at least 6 digits";
    case PinProblem::kTooLong: return "a PIN has at most 32 digits";
    case PinProblem::kNotDigits: return "a PIN has digits only";
    case PinProblem::kTooWeak: return "this PIN is too easy to guess";
  }
  return "?";
}

std::optional<PinProblem> check_pin(std::string_view pin) {
  if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return PinProblem::kNotDigits;
  }
  if (pin.size() < kMinPinLength) return PinProblem::kTooShort;
  if (pin.size() > kMaxPinLength) return PinProblem::kTooLong;
  if (all_same(pin) || straight_run(pin, 1) || straight_run(pin, -1) || repeats(pin, 2) ||
      repeats(pin, 3)) {
    return PinProblem::kTooWeak;
  }
  if (std::find(std::begin(kCommonPins), std::end(kCommonPins), pin) != std::end(kCommonPins)) {
    return PinProblem::kTooWeak;
  }
  return std::nullopt;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// ---- lockout ---------------------------------------------------------------------------------

Lockout::Lockout(LockoutPolicy policy, std::vector<WallTime> failures)
    : policy_(policy), failures_(std::move(failures)) {
  std::sort(failures_.begin(), failures_.end());
}

bool Lockout::counts(WallTime at, WallTime now) const {
  return at > now - policy_.window && at <= now;
}

void Lockout::forget_before(WallTime now) {
  std::erase_if(failures_, [&](WallTime at) { return !counts(at, now); });
}

int Lockout::failures_in_window(WallTime now) const {
  return static_cast<int>(std::count_if(failures_.begin(), failures_.end(),
                                        [&](WallTime at) { return counts(at, now); }));
}

Millis Lockout::delay_after(int count) const {
  if (count < policy_.free_failures) return Millis{0};
  Millis delay = policy_.first_delay;
  for (int i = policy_.free_failures; i < count && delay < policy_.max_delay; ++i) delay *= 2;
  return std::min(delay, policy_.max_delay);
}

LockoutDecision Lockout::check(WallTime now) const {
  std::vector<WallTime> recent;  // oldest first, as failures_ is sorted
  for (WallTime at : failures_) {
    if (counts(at, now)) recent.push_back(at);
  }
  const int n = static_cast<int>(recent.size());
  if (n >= policy_.max_failures_per_window) {
    // Allowed again once enough failures have left the window to go below the limit.
    const std::size_t must_leave = static_cast<std::size_t>(n - policy_.max_failures_per_window);
    return LockoutDecision{false, recent[must_leave] + policy_.window, true};
  }
  if (n == 0) return LockoutDecision{};
  const WallTime until = recent.back() + delay_after(n);
  if (now < until) return LockoutDecision{false, until, false};
  return LockoutDecision{};
}

void Lockout::record_failure(WallTime now) {
  forget_before(now);
  failures_.push_back(now);
  std::sort(failures_.begin(), failures_.end());
}

// ---- sessions --------------------------------------------------------------------------------

SessionState session_state(const SessionPolicy& policy, WallTime created, WallTime last_seen,
                           WallTime now) {
  if (created > now + policy.clock_tolerance || last_seen > now + policy.clock_tolerance) {
    return SessionState::kClockStepped;
  }
  if (now >= created + policy.lifetime) return SessionState::kLifetimeExpired;
  if (now >= std::max(created, last_seen) + policy.idle) return SessionState::kIdleExpired;
  return SessionState::kActive;
}

bool session_needs_touch(const SessionPolicy& policy, WallTime last_seen, WallTime now) {
  return now >= last_seen + policy.touch_interval;
}

}  // namespace mend::auth
