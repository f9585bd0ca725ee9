// The open and recent cases, and the one place their state changes: engine decisions and
// people's actions both come through here, so every change is checked the same way.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/case.hpp"
#include "core/engine.hpp"

namespace mend {

// What a decision or an action did to a case, for the edges to persist and publish.
struct CaseChange {
  enum class What : std::uint8_t { kOpened, kEvidence, kSeverity, kStatus };
  What what = What::kOpened;
  std::string case_id;
  std::optional<Transition> transition;  // kStatus: the status change made
};

// A recommendation a restaurant can use on day one: the fix to the cause, said plainly.
// Recovery policy (compensation, approval budgets) builds on this.
Recommendation default_recommendation(CaseKind kind, const Subject& subject);

struct CaseFilter {
  std::optional<CaseStatus> status;
  std::optional<CaseKind> kind;
  bool open_only = false;  // every status but closed
  // Opened at or after this wall time (the API's max_age).
  std::optional<WallTime> opened_since;
};

// Why a person's action on a case was not taken. The API maps the code to its status.
struct CaseRefusal {
  enum class Code : std::uint8_t {
    kNotFound,  // no such case
    kConflict,  // not now: the case's status does not allow it
    kInvalid,   // the request itself is wrong: an empty reason, an empty edited text
  };
  Code code = Code::kInvalid;
  std::string message;
};
using CaseResult = std::variant<CaseChange, CaseRefusal>;

// Bounds on what people type, so a case stays small enough to publish and show.
inline constexpr std::size_t kMaxNoteLength = 1000;
inline constexpr std::size_t kMaxRecommendationLength = 1000;

// Every change to a case, whoever makes it, moves its version up by one (an open starts it
// at 1), so a person's action made against an older version can be refused (case_actions.hpp).
class CaseBook {
 public:
  // Applies one engine decision. An Open makes a case; evidence and severity land on the case
  // if it is still in the book; a Close closes the case only while it is still "open" (nobody
  // has acted on it), otherwise it is kept as evidence. Returns nothing when the decision
  // names a case the book does not have.
  std::optional<CaseChange> apply(const Decision& d);

  // A person (or integration) changes a case's status. On refusal returns why, and nothing
  // changes.
  std::variant<CaseChange, std::string> transition(const std::string& case_id, CaseStatus to,
                                                   const Actor& by, WallTime at, std::string note);

  // ---- what people do with a case (the tablet and the API) ---------------------------------
  // Each checks the case's status and the input, records who and when, and changes nothing
  // when it refuses. Who may call which is the caller's check (core/auth.hpp permissions).

  // "I have seen it": open -> acknowledged.
  CaseResult acknowledge(const std::string& case_id, const Actor& by, WallTime at,
                         std::string note);
  // A manager's judgement on the recommendation, with a reason (required). Approve and edit
  // move the case to actioned (the recovery is authorised and under way); an edit replaces the
  // recommendation and keeps the old one in the decision. Reject sends the case back to the
  // floor as acknowledged. Allowed while the case is open, acknowledged or awaiting approval.
  CaseResult decide(const std::string& case_id, Verdict verdict, std::string reason,
                    std::optional<Recommendation> edited, const Actor& by, WallTime at);
  // The recovery was carried out.
  CaseResult mark_actioned(const std::string& case_id, const Actor& by, WallTime at,
                           std::string note);
  // Closes the recovery with its root cause and a note. With a follow-up, the case moves on to
  // follow_up: a drafted message to the guest, due at its time, that a person approves.
  CaseResult resolve(const std::string& case_id, RootCause cause, std::string note, const Actor& by,
                     WallTime at, std::optional<FollowUp> follow_up = {});

  // ---- the recovery policy's part ---------------------------------------------------------

  // Sets what the policy made of a freshly opened case: the recommendation, the explanation,
  // the guest and the plan's actions with their compensation.
  void annotate(const std::string& case_id, Recommendation recommendation, std::string explanation,
                GuestSummary guest, std::vector<CaseAction> actions, double compensation);
  // A voucher.redeemed from the till: links back to the case that issued the voucher (adds the
  // event as evidence). Nothing when no case in the book issued it.
  std::optional<CaseChange> voucher_redeemed(const std::string& voucher_id, const Evidence& ev,
                                             const std::string& check);
  // A survey.answered for a case: records the guest's satisfaction with the recovery.
  std::optional<CaseChange> survey_answered(const std::string& case_id, std::int64_t score,
                                            const Evidence& ev);
  // The drafted follow-up of a case in follow_up: `send` (with the message as approved, maybe
  // edited) or not; either way the case is resolved again. Who, when and why are kept.
  CaseResult finish_follow_up(const std::string& case_id, bool send, std::string message,
                              std::string reason, const Actor& by, WallTime at);
  // Follow-ups due at `now` whose people have not been told yet; marks them told.
  std::vector<std::string> take_due_follow_ups(WallTime now);
  // The earliest follow-up not yet told, so the host can wake up for it.
  std::optional<WallTime> next_follow_up() const;
  // Closes resolved cases last changed before `before`, so the book (and every start's load)
  // stays small on a box that runs for years; one with a voucher still to redeem stays until
  // `vouchers_before`, so the till's redemption can still find it. Returns the closed ids.
  std::vector<std::string> close_settled(WallTime before, WallTime vouchers_before, WallTime at);
  // A message for the guest goes out: it is kept on the case as sent; returns its id.
  std::string add_message(const std::string& case_id, std::string type, WallTime at);
  // The messaging integration's receipt for one of the case's messages (delivered or failed).
  // Refuses an unknown case or message; a receipt for a message already decided changes
  // nothing more (a receipt can arrive twice).
  CaseResult message_receipt(const std::string& case_id, const std::string& message_id,
                             bool delivered, std::string detail, WallTime at);
  // Marks a case decided by the venue's policy without a person.
  void mark_automatic(const std::string& case_id);

  // Puts back a case read from the store at start.
  void load(Case c);
  // Drops closed cases last updated before `before`, so the book stays small; the store keeps
  // them.
  std::size_t forget_closed(WallTime before);

  const Case* find(const std::string& case_id) const;
  std::vector<const Case*> list(const CaseFilter& filter) const;
  std::size_t open_count() const;

 private:
  std::map<std::string, Case> cases_;
};

}  // namespace mend
