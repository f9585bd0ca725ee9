// What every tablet handler gets: the request, its path and query parameters, who is calling
// and the context below. A handler is a plain function of those four; web/routes.cpp lists
// them all, with the permission each needs, in one table. The context holds the core's case
// book (read only), small interfaces for accounts and the audit log (core/accounts.hpp,
// core/audit_log.hpp) and functions the daemon provides; no adapter is visible from here.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/accounts.hpp"
#include "core/actions.hpp"
#include "core/audit_log.hpp"
#include "core/auth.hpp"
#include "core/case_book.hpp"
#include "core/contributions.hpp"
#include "core/employees.hpp"
#include "core/engine.hpp"
#include "core/erasure.hpp"
#include "core/guests.hpp"
#include "core/learning.hpp"
#include "core/push_registry.hpp"
#include "core/risk_training.hpp"
#include "web/api.hpp"
#include "web/http.hpp"
#include "web/router.hpp"

namespace mend::web {

inline constexpr std::string_view kSessionCookie = "mend_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// Who is calling. A stranger (on a public route, without credentials) has an empty id.
struct Caller {
  std::string id;  // "user:3", "token:2"
  auth::Role role = auth::Role::kStaff;
  std::string name;            // the person's name; a token's label
  std::string session_secret;  // set when the caller came with the session cookie
  std::int64_t user_id = 0;    // a person's account; 0 for a token
  bool signed_in() const { return !id.empty(); }
  Actor as_case_actor() const { return Actor{id, std::string(auth::role_name(role))}; }
  auth::Actor as_auth_actor() const { return auth::Actor{id, role}; }
};

// What a person's action on a case came to: the case as it is now, or why it was refused.
using ActionResult = std::variant<Case, ActionRefusal>;
// What a manager's change to a digital employee came to: the roster after it, or why not.
using EmployeeResult = std::variant<Roster, ActionRefusal>;
// What a decision on a suggestion, or a task marked done, came to.
using LearningResult = std::variant<SuggestionRecord, ActionRefusal>;
// A person's change to a guest's profile: a note to add, or an edit (a manager's).
struct GuestChange {
  std::string guest;
  std::optional<std::string> note;
  std::optional<GuestEdit> edit;
  Actor by;
  std::string by_name;
};
using GuestResult = std::variant<GuestRecord, ActionRefusal>;
// An erasure done (who the guest is now called), or why not.
using EraseResult = std::variant<GuestErasure, ActionRefusal>;
// What the venue holds about a guest beyond the profile, for an export: the cases about them
// and their raw events (as stored), oldest first.
struct GuestHistory {
  std::vector<Case> cases;
  std::vector<json::Value> events;
};

// A manager's act on the contribution ledger (core/contributions.hpp).
struct LedgerAct {
  enum class Kind : std::uint8_t { kCountersign, kCorrect, kTraining };
  Kind kind = Kind::kCountersign;
  std::int64_t seq = 0;  // countersign, correct: the entry
  std::string reason;    // correct
  std::string person;    // training: whose ("user:3")
  std::string what;      // training: which
  Actor by;
};
using LedgerResult = std::variant<LedgerEntry, ActionRefusal>;

// What the model page shows: the model in use (or why there is none) and every version kept.
struct RiskModelView {
  const risk::Model* model = nullptr;
  std::string off_reason;
  std::vector<risk::ModelVersion> versions;  // newest first
};

struct HandlerContext {
  ApiContext& basic;  // health, metrics, reading cases
  const CaseBook& cases;
  auth::Accounts& accounts;
  AuditLog& audit;
  // The engine's tables for the floor view.
  std::function<std::vector<TableView>()> tables;
  // The daemon reads the clock (the core never does): wall time for records, monotonic for
  // the setup code's expiry.
  std::function<Now()> clock;
  // Carries out a person's action on a case (checks, change, store, audit, publish). Unset:
  // every action is refused as a conflict.
  std::function<ActionResult(const PersonAction&)> act;
  // The shift budget as GET /api/v1/budget shows it.
  std::function<json::Value()> budget;
  // The one-time setup code while no account exists; null once it is spent (or never made).
  std::function<auth::SetupGate*()> setup;
  // Called after the setup code made the first account, so the daemon can drop the code.
  std::function<void()> setup_done;
  std::filesystem::path ui_dir;  // the built tablet UI; empty: no UI is served
  std::string openapi;           // the OpenAPI document's text
  // Push subscriptions and the box's VAPID key; null while [push] is off.
  push::Registry* push = nullptr;
  // The digital employees as they work now (the config and the tablet's changes).
  std::function<Roster()> employees = nullptr;
  // Cases opened at or after a time, closed ones too, from the store: track records.
  std::function<std::vector<Case>(WallTime)> cases_since = nullptr;
  // Carries out a manager's change to an employee (checks, store, audit). Unset: refused.
  std::function<EmployeeResult(const EmployeeChange&)> change_employee = nullptr;
  // Opens a case a person reported (checks, plan, store, audit, publish). Unset: refused.
  std::function<ActionResult(const CaseReport&)> report = nullptr;
  // The venue's offset from UTC at a wall time: the learning view's hours, days and weeks.
  // Unset: UTC.
  std::function<Millis(WallTime)> utc_offset = nullptr;
  // The suggestions decided and their tasks; deciding one and finishing a task (checks, store,
  // audit). Unset: none, and refused.
  std::function<SuggestionBook()> learning = nullptr;
  std::function<LearningResult(const SuggestionDecision&)> decide_suggestion = nullptr;
  std::function<LearningResult(std::int64_t, const Actor&)> finish_task = nullptr;
  // The guest book, read on the daemon's thread like the case book; null: no profiles.
  std::function<const GuestBook*()> guests = nullptr;
  // Carries out a change to a guest's profile (checks, store, audit). Unset: refused.
  std::function<GuestResult(const GuestChange&)> change_guest = nullptr;
  // Erases a guest (the profile, and the guest renamed in memory and in the store's rows, in
  // one commit; audited). Unset: refused.
  std::function<EraseResult(const std::string&, const Actor&)> erase_guest = nullptr;
  // The guest's cases and events for an export, which it audits (guest.export). Unset: the
  // export has the profile only.
  std::function<GuestHistory(const std::string&, const Actor&)> guest_history = nullptr;
  // The Concierge's briefing for the current shift (false), the next (true) or the one the
  // team is preparing for (unset). Unset function: an empty object.
  std::function<json::Value(std::optional<bool>)> briefing = nullptr;
  // The contribution ledger: the stored rows about a person, or a guest's ref, or all (both
  // empty); its rules and totals; a manager's act (checks, store, audit). Unset: no ledger.
  std::function<std::vector<LedgerRow>(const std::string& person, const std::string& guest)>
      ledger_rows = nullptr;
  std::function<const Contributions*()> contributions = nullptr;
  std::function<LedgerResult(const LedgerAct&)> ledger_act = nullptr;
  // The at-risk model (core/risk_model.hpp): each seated table's risk for the floor, and the
  // model page (risk.cpp builds it from the model in use and the store's versions).
  std::function<const std::map<std::string, risk::TableRisk>*()> risks = nullptr;
  std::function<RiskModelView()> risk_model = nullptr;
  std::string currency = {};  // the venue's, for money in answers
};

using HandlerFn = Response (*)(const Request&, const Params&, const Caller&, const HandlerContext&);

// ---- answers shared by the handlers ---------------------------------------------------------

Response refuse(http::status status, std::string_view code, std::string_view message);
Response invalid_body(std::string_view message);
Response unauthorized(std::string_view message = "sign in first");
Response not_found(std::string_view message);
Response forbidden(const Caller& c, auth::Permission p);
// {"error":{"code":...,"message":...}} plus `extra`'s members inside "error".
Response refuse_with(http::status status, std::string_view code, std::string_view message,
                     const json::Object& extra);
// A refused account change: 403, 404, 409 or 400 with the account error's code.
Response account_refused(const auth::AccountProblem& p);
// A refused action as its documented answer: 404, 409, 428, 400, 403 over_limit (with
// route_to) or 503 read_only. A stale case's 409 says only the message here (cases.cpp adds
// the case as it is now).
Response action_refused(const ActionRefusal& r);
// 400 invalid_parameter for a query parameter other than `keys`, or one given twice.
std::optional<Response> only_params(const Params& p, std::initializer_list<std::string_view> keys);
// A whole number from a path or query value (up to 18 digits), or nullopt.
std::optional<std::int64_t> parse_id(const std::string* s);
// The value of cookie `name` in a Cookie header, or empty.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace mend::web
