// The digital employees: each failure kind belongs to one named job (Host, Floor, Kitchen
// safety, Inbox, Reputation, Analyst, Caretaker for the box's own health, Win-back for lapsed
// regulars), so a venue can see what each is for, switch one off, keep it to recommending, and
// judge it by its record. Concierge owns no kind: it writes the briefing before each shift.
//
// Which kinds an employee owns is fixed here (employee_of): it is what the code detects, not a
// setting. What a venue may set ([[employee]] in the config) is the words shown for it (job,
// signals), its owner, whether it is on and what it may do; a manager may then switch it
// off/on or change what it may do on the tablet, which the recovery service keeps (and audits)
// as an override of the file.
//
// The track record is computed from cases (the store's, over a period): what people did with
// the employee's cases is its measure, not what it thinks of itself.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/config.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class EmployeeId : std::uint8_t {
  kHost,
  kFloor,
  kKitchenSafety,
  kInbox,
  kReputation,
  kAnalyst,
  kCaretaker,
  kWinback,
  kConcierge,  // the shift briefing (core/briefing.hpp): no cases of its own
};
inline constexpr int kEmployeeCount = 9;
inline constexpr std::array<std::string_view, kEmployeeCount> kEmployeeNames{
    "host",    "floor",     "kitchen_safety", "inbox",    "reputation",
    "analyst", "caretaker", "winback",        "concierge"};
std::string_view employee_name(EmployeeId e);
std::optional<EmployeeId> employee_from_name(std::string_view name);

// The one employee whose job a kind of case is. A case a person opens belongs to the
// employee whose job it would have been: a complaint to Floor, an enquiry to Inbox.
EmployeeId employee_of(CaseKind k);
std::vector<CaseKind> kinds_of(EmployeeId e);

// What an employee may do with its cases: recommend only, or act automatically where the
// venue's policy (policy.automatic, within its budget) lets a plan run without a person.
enum class Authority : std::uint8_t { kRecommend, kAct };
inline constexpr std::array<std::string_view, 2> kAuthorityNames{"recommend", "act"};
std::string_view authority_name(Authority a);
std::optional<Authority> authority_from_name(std::string_view name);

// The words a [[employee]] entry may use in `signals` beyond event types: what Analyst and
// Caretaker read is not a venue's signal.
inline constexpr std::array<std::string_view, 4> kInnerSignals{"cases", "disk", "cloud_link",
                                                               "sources"};
bool is_signal_name(std::string_view name);

// The [detect] limits an employee works to, which a manager may tune on the tablet: bill_slow,
// course.<name> for each course detect.course names, ... Caretaker has none.
std::vector<std::string> limit_keys(EmployeeId e, const DetectConfig& detect);

// A tablet's change to one employee, by a person; unset fields stay as they are.
struct EmployeeOverride {
  std::optional<bool> enabled;
  std::optional<Authority> may;
  // Limits tuned away from the config's, as the file would write them ("12m"). Set back to
  // the config's value, a limit leaves this map and follows the file again.
  std::map<std::string, std::string> limits;
  std::string by;    // who made the last change (an actor id)
  std::string role;  // and their role
  WallTime at;
  bool operator==(const EmployeeOverride&) const = default;
};

// One of an employee's limits as it works now, and what the config says.
struct EmployeeLimit {
  std::string key;         // "bill_slow", "course.main"
  std::string value;       // "12m"
  std::string configured;  // the config's value; differs from `value` when tuned on the tablet
  std::string description;
  bool operator==(const EmployeeLimit&) const = default;
};

// One employee as it works now: the built-in defaults, the config's entry over them, the
// tablet's override over that.
struct Employee {
  EmployeeId id = EmployeeId::kHost;
  std::string title;  // "Kitchen safety"
  std::string job;    // one sentence
  std::vector<std::string> signals;
  Authority may = Authority::kAct;
  std::string owner;  // a role: who answers for it
  bool enabled = true;
  std::optional<EmployeeOverride> changed;  // the tablet's last change, if any
  // Its kinds the venue's policy lets run without a person (policy.automatic); they do only
  // while it may act.
  std::vector<CaseKind> automatic;
  std::vector<EmployeeLimit> limits;  // in limit_keys order
};

// Every employee, in kEmployeeNames order.
class Roster {
 public:
  // The built-in set with the config's [[employee]] entries applied (check_rules has refused
  // unknown ids, repeats and a caretaker switched off).
  static Roster from(const std::vector<EmployeeConfig>& entries);
  Roster();  // the built-in set

  const Employee& at(EmployeeId e) const { return list_[static_cast<std::size_t>(e)]; }
  const std::array<Employee, kEmployeeCount>& all() const { return list_; }
  // Whether a case of this kind may be opened by its employee.
  bool raises(CaseKind k) const { return at(employee_of(k)).enabled; }
  bool may_act(CaseKind k) const { return at(employee_of(k)).may == Authority::kAct; }

  // The tablet's overrides, applied over the file's settings (and kept across a reload).
  void apply(EmployeeId e, const EmployeeOverride& o);
  // The kinds the venue's policy lets run without a person, each to its employee.
  void set_automatic(const std::vector<CaseKind>& kinds);
  // Each employee's limits: the ones `detect` works to, against the config's.
  void set_limits(const DetectConfig& detect, const DetectConfig& configured);

 private:
  std::array<Employee, kEmployeeCount> list_;
};

// The tablet's overrides as the service saves them (SavedState) and reads them back.
json::Value overrides_to_json(const std::array<std::optional<EmployeeOverride>, kEmployeeCount>& o);
std::optional<std::array<std::optional<EmployeeOverride>, kEmployeeCount>> overrides_from_json(
    const json::Value& v);

// What people did with an employee's cases over a period.
struct TrackRecord {
  int raised = 0;        // cases of its kinds opened in the period
  int by_people = 0;     // of those, opened by a person on the tablet
  int acknowledged = 0;  // a person took it up (acknowledged, decided or resolved it)
  // The last judgement on each case's recommendation. Automatic plans are counted apart: no
  // person judged them.
  int approved = 0;  // approved as it was
  int edited = 0;
  int rejected = 0;
  int automatic = 0;
  int resolved = 0;
  // approved / (approved + edited + rejected): how often people took its recommendation as
  // it was. Unset when nobody judged one.
  std::optional<double> precision;
  std::optional<Millis> median_acknowledge;  // opened -> a person first took it up
  std::optional<Millis> median_resolve;      // opened -> resolved
  double compensation = 0;                   // of the plans approved, edited or run automatically
  // survey.answered about its cases (1-5): how many, their mean, and how many said 4 or 5.
  int surveys = 0;
  std::optional<double> satisfaction;
  int satisfied = 0;
};

// The record of employee `e` (of them all when unset) from `cases` (all opened in the period
// being measured).
TrackRecord track_record(std::optional<EmployeeId> e, const std::vector<Case>& cases);
TrackRecord track_record(std::optional<EmployeeId> e, const std::vector<const Case*>& cases);

// When a person first took a case up (a status change or a decision), if anyone has.
std::optional<WallTime> first_taken_up(const Case& c);
// The last judgement people made on the case's recommendation; unset when nobody judged it
// (or the venue's policy ran it automatically).
std::optional<Verdict> last_verdict(const Case& c);

// A duration in whole seconds (null when unset), as the API shows it.
json::Value seconds_or_null(std::optional<Millis> d);
json::Value track_record_to_json(const TrackRecord& r);

// An employee and its record as GET /api/v1/employees shows them.
json::Value employee_to_json(const Employee& e, const TrackRecord& r);

// How a person's report reached the venue (a case opened on the tablet).
inline constexpr std::array<std::string_view, 5> kReportChannels{"in_person", "phone", "email",
                                                                 "message", "other"};

}  // namespace mend
