// Carries out what a person asks of a case (core/actions.hpp) on the case book: the one path
// every person's action takes, so the version, authority and status are checked the same way
// whoever calls it. Pure: the caller supplies `now` and the authority check (the shift budget
// lives with the caller), and gets back the audit record to keep with the changed case.
//
// Order of the checks: the case exists; the action says the version it was made against when
// it must (requires_version) and that version is the case's current one; the caller's role may
// commit this much (the recommendation's needs_approval_by, then the per-case limit and the
// shift budget); finally the case book checks the status and the input, changing nothing on
// refusal.
#pragma once

#include <functional>
#include <string>
#include <variant>

#include "core/actions.hpp"
#include "core/case_book.hpp"
#include "core/json.hpp"
#include "core/policy.hpp"

namespace mend {

// May `role` approve `amount` of compensation on one case now (per-case limit, shift budget)?
// Empty: no limit.
using AuthorityCheck = std::function<AuthorityVerdict(const std::string& role, double amount)>;

// A carried-out action: which case changed, and its audit record's action ("case.approve")
// and detail (reason, note, before/after of an edit, the follow-up's message, ...).
struct ActionDone {
  std::string case_id;
  std::string action;
  json::Value detail;
};

using ActionOutcome = std::variant<ActionDone, ActionRefusal>;

ActionOutcome carry_out(CaseBook& book, const PersonAction& action, const AuthorityCheck& authority,
                        WallTime now);

}  // namespace mend
