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
};

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
