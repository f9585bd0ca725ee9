// Recovery cases: what failed, for whom, how bad, what proves it, and who did what about it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class CaseKind : std::uint8_t {
  kTableNoOrder,
  kCourseSlow,
  kBillSlow,
  kCallUnanswered,
  kArrivalUnseated,
  kEnquiryUnanswered,
  kTemperatureOutOfRange,
  kDeviceOffline,
  kReviewNegative,
  kVoidsRepeated,
  kPatternRecurring,
  kStoreUnwritable,  // the box's own disk: nothing can be saved
  kStoreLowSpace,    // the box's own disk: running out of room
  kCloudOutboxFull,  // the cloud link's outbox at its limits: unsent messages given up
  // Opened by a person on the tablet for what no signal shows (core/intake.hpp).
  kGuestComplaint,
  kGuestEnquiry,
  kGuestOther,
  // A regular who stopped coming (core/winback.hpp): opened by the service's housekeeping.
  kGuestLapsed,
  // A source of events the detectors rely on (core/source_health.hpp): a bridge gone silent
  // or offline mid-service, or a source whose clock is off.
  kSourceSilent,
  kSourceClockSkew,
};
inline constexpr int kCaseKindCount = 20;
// The kinds' names, in the enum's order: the one list the config, the API and the store use.
inline constexpr std::array<std::string_view, kCaseKindCount> kCaseKindNames{
    "table.no_order",
    "course.slow",
    "bill.slow",
    "call.unanswered",
    "arrival.unseated",
    "enquiry.unanswered",
    "temperature.out_of_range",
    "device.offline",
    "review.negative",
    "voids.repeated",
    "pattern.recurring",
    "store.unwritable",
    "store.low_space",
    "cloud.outbox_full",
    "guest.complaint",
    "guest.enquiry",
    "guest.other",
    "guest.lapsed",
    "source.silent",
    "source.clock_skew"};
std::string_view case_kind_name(CaseKind k);  // "table.no_order", ...
// The failure in the plural, as people say it: "slow courses", "tables waiting to order".
std::string_view failures_words(CaseKind k);
std::optional<CaseKind> case_kind_from_name(std::string_view name);
// ["table.no_order", ...], in the list's order.
json::Value case_kinds_json(const std::vector<CaseKind>& kinds);

enum class Severity : std::uint8_t { kLow, kMedium, kHigh, kCritical };
inline constexpr std::array<std::string_view, 4> kSeverityNames{"low", "medium", "high",
                                                                "critical"};
std::string_view severity_name(Severity s);
std::optional<Severity> severity_from_name(std::string_view name);
// Moves `steps` levels up, stopping at critical.
Severity raise(Severity s, int steps);

enum class CaseStatus : std::uint8_t {
  kOpen,
  kAcknowledged,
  kAwaitingApproval,
  kActioned,
  kFollowUp,
  kResolved,
  kClosed,
};
std::string_view case_status_name(CaseStatus s);
std::optional<CaseStatus> case_status_from_name(std::string_view name);

// Who or what a case is about. Only the fields that apply are set.
struct Subject {
  std::string table;
  std::string check;
  std::string course;
  std::string booking;
  std::string customer;
  std::string device;
  std::string enquiry;
  std::string walk_in;  // arrival.unseated without a booking: the guest.arrived event's id
  std::string review;
  std::string area;
  std::string kind;     // pattern.recurring: the kind that recurs
  std::string channel;  // a case a person opened: how it reached them (phone, in_person, ...)
  bool operator==(const Subject&) const = default;
};
json::Value subject_to_json(const Subject& s);

struct Evidence {
  std::string event;  // event id, or a case id for pattern.recurring
  std::string type;   // event type ("guest.seated"), or "case"
  WallTime ts;
  std::string note;  // plain words, may be empty
  bool operator==(const Evidence&) const = default;
};

struct Actor {
  std::string id;    // user id, token id, or "mend" for the engine
  std::string role;  // staff, manager, admin, integration, system
  bool operator==(const Actor&) const = default;
};
inline const Actor kSystemActor{"mend", "system"};
json::Value actor_to_json(const Actor& a);  // {"id":..,"role":..}
std::optional<Actor> actor_of(const json::Value* by);

struct Transition {
  CaseStatus from = CaseStatus::kOpen;
  CaseStatus to = CaseStatus::kOpen;
  Actor by;
  WallTime at;
  std::string note;
  bool operator==(const Transition&) const = default;
};

struct Recommendation {
  std::string action;  // "take_order_now", "apology_visit", ...
  std::string text;
  std::string needs_approval_by;  // role, empty when none is needed
  bool operator==(const Recommendation&) const = default;
};
json::Value recommendation_to_json(const Recommendation& r);

// What a resolved case's failure came down to, for learning which failures repeat and why.
enum class RootCause : std::uint8_t { kProcess, kPeople, kProduct, kPolicy, kCommunication };
inline constexpr int kRootCauseCount = 5;
std::string_view root_cause_name(RootCause r);
std::optional<RootCause> root_cause_from_name(std::string_view name);

// A manager's judgement on the recommendation. An edit keeps what it replaced.
enum class Verdict : std::uint8_t { kApprove, kEdit, kReject };
std::string_view verdict_name(Verdict v);
std::optional<Verdict> verdict_from_name(std::string_view name);

struct CaseDecision {
  Verdict verdict = Verdict::kApprove;
  Actor by;
  WallTime at;
  std::string reason;
  Recommendation before;  // kEdit only
  Recommendation after;   // kEdit only
  bool operator==(const CaseDecision&) const = default;
};

struct Resolution {
  RootCause root_cause = RootCause::kProcess;
  std::string note;
  Actor by;
  WallTime at;
  bool operator==(const Resolution&) const = default;
};

// What the engine knew when it opened the case, for explanations and for the guest's context.
struct CaseFacts {
  WallTime started;  // when the wait began (the starting event's ts); epoch when not a wait
  Millis threshold{0};
  std::int64_t party = 0;
  double value = 0;  // booking value, 0 when unknown
  bool operator==(const CaseFacts&) const = default;
};

// Who the guest is, as the guest book knew when the case opened.
struct GuestSummary {
  std::string id;  // customer id; empty when unknown
  std::string name;
  std::string tier = "new";  // new, returning, regular, vip
  int visits = 0;            // earlier visits
  bool operator==(const GuestSummary&) const = default;
};

// One step of the recovery plan (core/policy.hpp makes them).
struct CaseAction {
  std::string type;  // "apology", "comp_item", "voucher", ...
  double value = 0;  // compensation, in the venue's currency
  std::string text;
  bool operator==(const CaseAction&) const = default;
};

// A voucher given as compensation: its id is what the till sends back in voucher.redeemed.
struct Voucher {
  std::string id;
  double value = 0;
  std::optional<WallTime> redeemed_at;
  std::string redeemed_check;
  bool operator==(const Voucher&) const = default;
};

// A message to the guest after the recovery (the next day, say), drafted for approval.
struct FollowUp {
  WallTime due;
  std::string message;
  bool notified = false;  // people were told it is due
  bool operator==(const FollowUp&) const = default;
};

// A message for the guest that went out to the venue's messaging integration through the cloud
// link (a follow-up, a voucher), and what its delivery receipt said.
struct GuestMessage {
  std::string id;               // "<case>-m<n>": the receipt names it
  std::string type;             // follow_up, voucher, win_back
  WallTime sent_at;             // when it was put in the outbox
  std::string status = "sent";  // sent, delivered, failed
  std::string detail;           // the receipt's words, for a failure above all
  std::optional<WallTime> receipt_at;
  bool operator==(const GuestMessage&) const = default;
};

struct Case {
  std::string id;
  // Changes with every change to the case, so a person's action can say which state it was
  // made against (core/actions.hpp). Starts at 1 when the case opens.
  std::uint64_t version = 0;
  CaseKind kind = CaseKind::kTableNoOrder;
  Subject subject;
  Severity severity = Severity::kMedium;
  CaseStatus status = CaseStatus::kOpen;
  WallTime opened_at;
  WallTime updated_at;
  std::string reason;  // why it was flagged, in plain words
  std::vector<Evidence> evidence;
  std::vector<Transition> history;
  Recommendation recommendation;
  std::vector<CaseDecision> decisions;
  std::optional<Resolution> resolution;
  CaseFacts facts;
  // The recovery policy's view (issue "recovery policy"): why, for whom, what to do, how much.
  std::string explanation;
  GuestSummary guest;
  std::vector<CaseAction> actions;
  double compensation = 0;
  bool automatic = false;  // the venue's policy let it run without a person
  std::vector<Voucher> vouchers;
  std::optional<FollowUp> follow_up;
  std::vector<GuestMessage> messages;
  std::optional<std::int64_t> satisfaction;  // 1-5 from survey.answered
  bool operator==(const Case&) const = default;
};

// nullopt when `from -> to` is allowed, otherwise why not ("a closed case cannot change").
std::optional<std::string> check_transition(CaseStatus from, CaseStatus to);

// Applies a status change with who and when; refuses (returns the reason, changes nothing)
// what check_transition refuses.
std::optional<std::string> apply_transition(Case& c, CaseStatus to, const Actor& by, WallTime at,
                                            std::string note);

// The case state published on venue/<venue>/mend/cases/<id> (signals.md), plus history.
json::Value case_to_json(const Case& c);
std::optional<Case> case_from_json(const json::Value& v);

}  // namespace mend
