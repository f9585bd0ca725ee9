// The recovery policy: what to do about a case, for whom, at what cost, and who may approve it.
//
// A venue's policy is a list of rules, one per failure kind, severity band and (optionally)
// guest tier, each a short list of actions with a compensation value and a text the tablet
// shows: an instruction for staff, or a draft of what to say or send, with the guest's name and
// the case's facts filled in. PolicyConfig::defaults() is a policy a restaurant can use on day
// one. Authority: each role may approve compensation up to its per-case limit, and all roles
// together spend from one budget per shift; ShiftLedger keeps that account. A venue may let
// low-risk kinds run without a person (decide_automatic) within a small budget; by default none
// do. Pure: times and the box's UTC offset are passed in.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/guests.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class ActionType : std::uint8_t {
  kApology,
  kManagerVisit,
  kCompItem,
  kDiscount,
  kVoucher,
  kFollowUpMessage,
  kChaseKitchen,
  kSendRunner,
  kCallMaintenance,
  kFixCause,
};
inline constexpr int kActionTypeCount = 10;
// The actions' names, in the enum's order: the one list the config and the plans use.
inline constexpr std::array<std::string_view, kActionTypeCount> kActionTypeNames{
    "apology",           "manager_visit", "comp_item",   "discount",         "voucher",
    "follow_up_message", "chase_kitchen", "send_runner", "call_maintenance", "fix_cause"};
std::string_view action_type_name(ActionType t);
std::optional<ActionType> action_type_from_name(std::string_view name);
bool is_compensation(ActionType t);     // comp_item, discount, voucher
bool is_customer_facing(ActionType t);  // apology, manager_visit, compensation, follow_up_message

// `text` may use these placeholders; anything else in braces is left as written (and
// PolicyConfig::validate reports it):
//   {name}     the guest's name, or "the guest"
//   {greeting} "Dear <name>," or "Hello," when the name is unknown, to open a written message
//   {table}    "table T12", or "the table"
//   {check}    "check C7", or "the check"
//   {course}   "main", or "course"
//   {device}   "fridge-1", or "the device"
//   {kind}     the failure in plain words ("slow courses"); for pattern.recurring, the kind
//              that recurs
//   {minutes}  how long the wait has lasted so far, in whole minutes
//   {limit}    the case's threshold, in whole minutes
//   {party}    the party's size, or "?" when unknown
//   {venue}    the venue's name
//   {value}    the action's own value ("6", "7.50")
struct ActionTemplate {
  ActionType type = ActionType::kFixCause;
  double value = 0;  // compensation, in the venue's currency; 0 for actions that give nothing
  std::string text;
  bool operator==(const ActionTemplate&) const = default;
};

struct PolicyRule {
  CaseKind kind = CaseKind::kTableNoOrder;
  Severity min_severity = Severity::kLow;
  std::optional<GuestTier> tier;  // unset: any tier
  std::vector<ActionTemplate> actions;
  // The lowest role that must approve the plan whatever it costs ("" for none beyond what the
  // compensation needs): a public reply to a review speaks for the venue, so a manager signs it.
  std::string min_approval;
  bool operator==(const PolicyRule&) const = default;
};

struct PolicyConfig {
  // The rule for a case: same kind, min_severity <= the case's severity, tier equal or unset.
  // The most specific wins: a rule for the guest's tier beats one for any tier, then the
  // highest min_severity. A rule is a whole plan: rules do not add up.
  std::vector<PolicyRule> rules;
  // Compensation one role may approve for one case. Roles rank staff < manager < admin.
  std::map<std::string, double> per_case_limit{{"staff", 15}, {"manager", 150}, {"admin", 1e9}};
  double shift_budget = 300;  // compensation per shift, all roles together (admin may exceed it)
  std::vector<int> shift_starts{6 * 60, 16 * 60};  // minutes after local midnight
  std::vector<CaseKind> automatic;  // kinds whose plan may run without a person; default none
  double auto_budget = 0;           // compensation per shift for automatic plans
  // Day-one rules for every kind (defaults() has rules; a default-constructed config has none,
  // and recommend() then falls back to the one-line default_recommendation).
  static PolicyConfig defaults();
  // Every problem found, in plain words; empty when the config is usable.
  std::vector<std::string> validate() const;
  bool operator==(const PolicyConfig&) const = default;
};

struct PlannedAction {
  ActionType type = ActionType::kFixCause;
  double value = 0;
  std::string text;  // placeholders filled
  bool operator==(const PlannedAction&) const = default;
};

struct Plan {
  std::vector<PlannedAction> actions;
  double compensation = 0;  // sum of the compensation actions' values
  // "" when nothing is customer-facing or compensating and the rule asks for no one; else the
  // lowest role whose per_case_limit covers `compensation` (at least "staff", at least the
  // rule's min_approval; "admin" when no limit covers it).
  std::string needs_approval_by;
  bool automatic = false;  // set by decide_automatic, never by recommend
  std::string text;        // the actions' texts as one paragraph for the tablet
  std::string action;      // the first action's name, for Recommendation::action
  bool operator==(const Plan&) const = default;
};

// The plan for a case and its guest (an empty profile for an unknown guest). Falls back to
// default_recommendation when no rule matches.
Plan recommend(const PolicyConfig& p, const Case& c, const GuestProfile& g,
               std::string_view venue_name, Millis utc_offset, WallTime now);
Recommendation to_recommendation(const Plan& plan);

// Why the case was flagged, in plain words, e.g. "Table T12 was seated at 19:32 and has not
// ordered for 14 minutes (limit 10). Party of 4, booking value 180. Returning guest, 6 visits;
// last visit had a slow course." The first sentence is the kind's own (from the subject, the
// facts and the evidence); the party and value when known; the guest's when the guest is known
// (a non-empty id). Clock times are local: UTC + utc_offset.
std::string explain(const Case& c, const GuestProfile& g, Millis utc_offset, WallTime now);
// What a past failure was, as "last visit had ...": "a slow course", "a long wait to order".
std::string_view failure_words(CaseKind k);

// ---- authority and the shift budget ------------------------------------------------------

struct AuthorityVerdict {
  bool allowed = true;
  std::string reason;    // why not, when refused
  std::string route_to;  // the lowest role that may take it; "" when allowed or when none may
};

// The compensation spent in the current shift. Shifts start at PolicyConfig::shift_starts,
// local time; spending resets at each start.
class ShiftLedger {
 public:
  explicit ShiftLedger(const PolicyConfig& p);  // copies the limits and shifts
  void update_policy(const PolicyConfig& p);

  // May `role` approve `amount` for one case now? Refuses over the role's per-case limit ("over
  // the staff limit of 15 per case: a manager can approve it") and over what is left of the
  // shift budget ("the shift budget has 20 left of 300"); the highest role (admin) may exceed
  // the shift budget, not its per-case limit.
  AuthorityVerdict check(const std::string& role, double amount, WallTime now,
                         Millis utc_offset) const;
  // Records compensation given for a case (automatic: by an automatic plan, which also counts
  // against auto_budget). Forgets spending from earlier shifts.
  void spend(const std::string& case_id, double amount, bool automatic, WallTime now,
             Millis utc_offset);

  struct Status {
    WallTime shift_start;
    WallTime shift_end;
    double budget = 0;
    double spent = 0;
    double remaining = 0;  // never below 0
    double auto_budget = 0;
    double auto_spent = 0;
  };
  Status status(WallTime now, Millis utc_offset) const;

  json::Value export_state() const;
  // Replaces the spending with `v`'s; the reason when `v` is malformed (nothing changes then).
  std::optional<std::string> restore(const json::Value& v);

  struct Entry {
    std::string case_id;
    double amount = 0;
    bool automatic = false;
    WallTime at;
    bool operator==(const Entry&) const = default;
  };

 private:
  std::map<std::string, double> limits_;
  double budget_ = 0;
  double auto_budget_ = 0;
  std::vector<int> shift_starts_;  // sorted
  std::vector<Entry> entries_;
};

// Whether the case's plan may run without a person, and sets plan.automatic to match: the
// kind is in p.automatic, the plan needs no more than staff, and its compensation fits both
// what is left of the auto budget and of the shift budget this shift. Default config: never.
bool decide_automatic(const PolicyConfig& p, const Case& c, Plan& plan, const ShiftLedger& ledger,
                      WallTime now, Millis utc_offset);

}  // namespace mend
