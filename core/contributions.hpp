// The contribution ledger (docs/ledger.md): staff's verified recovery work, and guests'
// rewards, as append-only entries.
//
// The core decides what is written, only from outcomes it sees: a case resolved with a root
// cause whose follow-up went out, a guest recovered (a survey of 4-5 about the case, or its
// voucher redeemed on a return visit), a pattern resolved that did not recur in its area for
// the rule's window, a training a manager confirmed. Nothing is earned for a click: each entry
// names its evidence (cases, events, audit rows). The store chains every entry into a BLAKE2b
// hash chain when it commits (adapters/store/ledger_chain.hpp).
//
// Nothing is edited. A manager's countersignature and a correction are entries of their own
// that refer to the entry they are about, and every total (a person's points, a guest's
// balance) is folded from the entries (LedgerFold), never kept anywhere else.
//
// Guests are named by the guest book's ref ("g17"), not the booking system's id: an erasure
// deletes the profile that links the two, and the chain never has to change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/actions.hpp"
#include "core/case.hpp"
#include "core/config.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class LedgerKind : std::uint8_t {
  kContribution,  // a staff member's verified work: points
  kCountersign,   // a manager's countersignature of a contribution
  kCorrection,    // cancels an entry (a contribution or a reward), with the reason
  kReward,        // a guest's credit: a loyalty stamp, a recovery voucher
  kRedemption,    // a guest's credit used at the till
};
std::string_view ledger_kind_name(LedgerKind k);
std::optional<LedgerKind> ledger_kind_from_name(std::string_view name);

// The contribution rules' names, as the config's [ledger] keys and the entries say them.
inline constexpr std::string_view kRuleCaseClosed = "case_closed";
inline constexpr std::string_view kRuleGuestRecovered = "guest_recovered";
inline constexpr std::string_view kRuleCauseFixed = "cause_fixed";
inline constexpr std::string_view kRuleTraining = "training";
inline constexpr std::string_view kContributionRules[] = {kRuleCaseClosed, kRuleGuestRecovered,
                                                          kRuleCauseFixed, kRuleTraining};
// Rewards and redemptions.
inline constexpr std::string_view kRuleStamp = "stamp";      // a loyalty stamp after N visits
inline constexpr std::string_view kRuleVoucher = "voucher";  // a recovery case's voucher
inline constexpr std::string_view kRuleReward = "reward";    // reward.redeemed at the till

// What earns what: the config's [ledger] (core/config.hpp).
using LedgerRules = LedgerSettings;
bool needs_countersign(const LedgerRules& rules, std::string_view rule);

struct LedgerEvidence {
  std::string type;        // "case", "event", "voucher", "audit"
  std::string id;          // the case, event or voucher id
  std::string action;      // audit: the row's action ("case.resolve") ...
  std::string target;      // ... and target; the store finds the row
  std::int64_t audit = 0;  // audit: the row's id, which the store fills in at commit
  bool operator==(const LedgerEvidence&) const = default;
};

struct LedgerEntry {
  std::int64_t seq = 0;  // 1, 2, ...: the chain's order
  WallTime at;
  LedgerKind kind = LedgerKind::kContribution;
  std::string rule;    // see the kRule names; empty for countersign and correction
  std::string person;  // contribution: who earned it ("user:3")
  std::string guest;   // reward, redemption: the guest book's ref
  // Points (a contribution), credit (a reward: more than 0; a redemption: less than 0), or for
  // a correction minus what the corrected entry was worth.
  double value = 0;
  std::string why;  // plain words, for the person reading their record
  std::vector<LedgerEvidence> evidence;
  Actor by;                  // who wrote it: mend, or the manager who confirmed it
  std::int64_t refers = 0;   // countersign, correction: the entry they are about
  bool countersign = false;  // a contribution that counts once countersigned
  bool operator==(const LedgerEntry&) const = default;
};
// The entry's canonical JSON: the text the chain hashes (keys in a fixed order).
json::Value ledger_entry_to_json(const LedgerEntry& e);
// Strict: nullopt when a field is missing or of the wrong type.
std::optional<LedgerEntry> ledger_entry_from_json(const json::Value& v);

// An entry as the store keeps it: its canonical text (what the hash covers) and its place in
// the chain (adapters/store chains them).
struct LedgerRow {
  LedgerEntry entry;
  std::string text;
  std::string prev_hash;
  std::string hash;
};

// The entries folded: what each one's standing is, and every total. Feed entries in seq order.
class LedgerFold {
 public:
  struct Standing {
    LedgerKind kind = LedgerKind::kContribution;
    std::string rule;
    std::string person;
    std::string guest;
    double value = 0;
    bool needs_countersign = false;
    std::int64_t countersigned_by = 0;  // the countersign entry
    std::int64_t corrected_by = 0;      // the correction entry
    // Counted in the totals: not corrected, and countersigned when it needs to be.
    bool counts() const;
  };

  void add(const LedgerEntry& e);
  const Standing* standing(std::int64_t seq) const;
  std::int64_t last_seq() const { return last_; }
  // The sum of the guest's counted rewards and redemptions.
  double balance(const std::string& guest) const;
  // Counted points of a person.
  double points(const std::string& person) const;

 private:
  std::map<std::int64_t, Standing> entries_;
  std::map<std::string, double, std::less<>> balances_;
  std::map<std::string, double, std::less<>> points_;
  std::int64_t last_ = 0;
  void count(const Standing& s, double sign);
};

// Why a manager's act on the ledger was refused, or the entry it wrote.
using LedgerResult = std::variant<LedgerEntry, ActionRefusal>;

// The rules applied to what happens; the service calls it and puts what it writes in Effects.
class Contributions {
 public:
  explicit Contributions(LedgerRules rules = {});
  void update_rules(LedgerRules rules) { rules_ = std::move(rules); }
  const LedgerRules& rules() const { return rules_; }

  // The entries the store holds, oldest first, and what save() wrote (the watches on resolved
  // patterns). Entries that do not follow on from each other are a broken store: throws
  // std::runtime_error naming the first.
  void restore(const std::vector<LedgerEntry>& entries, const json::Value* saved);
  json::Value save() const;

  const LedgerFold& fold() const { return fold_; }

  // ---- outcomes (each appends to `out` what it earned) --------------------------------
  // A case's follow-up went out (`by` sent it): the resolver earns case_closed, once per case,
  // when the case was resolved with a root cause.
  void follow_up_sent(const Case& c, WallTime at, std::vector<LedgerEntry>& out);
  // A case was resolved: a pattern's resolution starts its recurrence window.
  void case_resolved(const Case& c);
  // A case opened: a recurrence ends the window of the pattern it repeats.
  void case_opened(const Case& c);
  // A survey about the case scored 4 or 5, or the case's voucher was redeemed: the person who
  // resolved the case (or approved its plan) earns guest_recovered, once per case.
  void guest_recovered(const Case& c, const std::string& event_id, std::string_view how,
                       WallTime at, std::vector<LedgerEntry>& out);
  // A recovery plan with vouchers was approved: each voucher is the guest's credit, once.
  void vouchers_given(const Case& c, const std::string& guest, WallTime at,
                      std::vector<LedgerEntry>& out);
  // A guest started a visit (their `visits`th): every stamp_every visits earn a stamp.
  void visit_started(const std::string& guest, std::int64_t visits, const std::string& event_id,
                     WallTime at, std::vector<LedgerEntry>& out);
  // Credit used at the till: a voucher (its value) or reward.redeemed (an amount). Refused,
  // with why, beyond the guest's balance, or for a voucher already taken off.
  std::optional<std::string> redeem(const std::string& guest, double amount, std::string_view rule,
                                    const std::string& voucher, const std::string& event_id,
                                    const std::string& check, WallTime at,
                                    std::vector<LedgerEntry>& out);
  // Pattern windows that ended with no recurrence: cause_fixed for whoever resolved them.
  void due(WallTime now, std::vector<LedgerEntry>& out);
  std::optional<WallTime> next_due() const;

  // ---- a manager's acts ---------------------------------------------------------------
  LedgerResult countersign(std::int64_t seq, const Actor& by, WallTime at);
  LedgerResult correct(std::int64_t seq, const std::string& reason, const Actor& by, WallTime at);
  LedgerResult training(const std::string& person, const std::string& what, const Actor& by,
                        WallTime at);

 private:
  struct Watch {  // a resolved pattern, until its window passes or the kind recurs
    std::string case_id;
    CaseKind kind = CaseKind::kTableNoOrder;  // the kind that recurred
    std::string area;
    std::string person;  // who resolved it
    WallTime resolved;
    WallTime due;
  };
  void append(LedgerEntry e, std::vector<LedgerEntry>& out);
  // A contribution mend writes for an outcome it saw.
  void earn(std::string_view rule, std::string person, double value, std::string why,
            std::vector<LedgerEvidence> evidence, WallTime at, std::vector<LedgerEntry>& out);
  std::string earner(const Case& c) const;
  LedgerRules rules_;
  LedgerFold fold_;
  std::set<std::string, std::less<>> earned_;  // "rule:case" / "voucher:id": once each
  std::vector<Watch> watches_;
};

}  // namespace mend
