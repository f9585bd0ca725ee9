// What a person (or an integration) asks of a case, and why it may be refused. The tablet's
// handlers turn a request into a PersonAction; the recovery service (core/service.hpp) checks
// it (status, authority, the version the person saw) and carries it out. Plain values, so the
// handlers know nothing of how the change is stored or published.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/case.hpp"
#include "core/employees.hpp"
#include "core/insights.hpp"
#include "core/time.hpp"

namespace mend {

struct PersonAction {
  enum class Kind : std::uint8_t {
    kAcknowledge,   // "I have seen it"
    kDecide,        // approve, edit or reject the recommendation (`verdict`)
    kActioned,      // the recovery was carried out
    kResolve,       // closed with a root cause, maybe with a follow-up
    kFollowUpSend,  // the drafted follow-up goes out (maybe edited: `message`)
    kFollowUpSkip,  // the drafted follow-up does not go out
  };
  Kind kind = Kind::kAcknowledge;
  std::string case_id;
  Actor by;  // who, with their role ("staff", "manager", "admin", "integration")
  // The case version the person saw. A change made since (a re-plan, another person's action)
  // makes the action stale: it is refused, never applied to what the person did not see.
  // Absent: no check (only acknowledge allows that; see requires_version).
  std::optional<std::uint64_t> version;
  std::string note;  // acknowledge/actioned: a note; decide/follow-up: the reason; resolve: note
  Verdict verdict = Verdict::kApprove;         // kDecide
  std::optional<Recommendation> edited;        // kDecide with kEdit
  RootCause root_cause = RootCause::kProcess;  // kResolve
  // kResolve: a follow-up due `follow_up_after` from now, with this drafted message.
  std::optional<Millis> follow_up_after;
  std::string message;  // kResolve: the follow-up's draft; kFollowUpSend: the message as sent
};
std::string_view person_action_name(const PersonAction& a);  // "case.acknowledge", ...

// Which actions must say the version they were made against: everything that commits to a
// recovery. Acknowledging only says "seen", whatever the case now holds.
bool requires_version(PersonAction::Kind k);

struct ActionRefusal {
  enum class Code : std::uint8_t {
    kNotFound,         // no such case
    kConflict,         // not now: the case's status does not allow it
    kStale,            // the case changed since the version the person saw
    kVersionRequired,  // the action must say which version it was made against
    kInvalid,          // the request itself is wrong: an empty reason, an empty text
    kOverLimit,        // beyond the role's authority or the shift budget: `route_to` may
    kReadOnly,         // the box cannot save anything now (its disk is full): try again later
  };
  Code code = Code::kInvalid;
  std::string message;
  std::string route_to;  // kOverLimit: the role that may take it
};
std::string_view action_refusal_code_name(ActionRefusal::Code c);  // "not_found", "stale", ...

// A case a person opens on the tablet for what no signal shows: a complaint at the table, a
// phone call, an email. It gets a plan like any other case.
struct CaseReport {
  CaseKind kind = CaseKind::kGuestComplaint;  // guest.complaint, guest.enquiry or guest.other
  std::string table;                          // at least one of table, booking, guest
  std::string booking;
  std::string guest;    // the guest's customer id, or their name
  std::string channel;  // kReportChannels: how it reached the venue
  std::string what;     // what happened, in the reporter's words
  Severity severity = Severity::kMedium;
  Actor by;
};
inline constexpr std::size_t kMaxReportIdLength = 128;
// Why a report cannot be taken (a kind no person opens, nothing to say who it is about, no
// words), or nullopt.
std::optional<std::string> check_report(const CaseReport& r);

// A manager's change to a digital employee on the tablet; unset fields stay as they are.
struct EmployeeChange {
  EmployeeId employee = EmployeeId::kHost;
  std::optional<bool> enabled;
  std::optional<Authority> may;
  // Limits to tune ("bill_slow" = "12m"), each one the employee works to (limit_keys).
  std::map<std::string, std::string> limits;
  std::string reason;  // optional, kept in the audit log
  Actor by;
};

// A manager's decision on a suggestion of the learning view (core/insights.hpp): the
// suggestion as the handler found it for the period the manager was looking at.
struct SuggestionDecision {
  Suggestion suggestion;
  bool accept = false;
  std::string note;  // optional, kept with the decision and in the audit log
  Actor by;
  std::string by_name;
};

}  // namespace mend
