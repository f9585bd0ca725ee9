// Every tablet handler, one file per resource (web/handlers/<resource>.cpp). Each is a plain
// function (request, path and query parameters, caller, context) -> response, registered with
// its permission in web/routes.cpp.
#pragma once

#include <vector>

#include "web/handlers/context.hpp"

namespace mend::web::handlers {

// health.cpp: GET /livez, /readyz (public), /metrics (a token or a session).
Response livez(const Request&, const Params&, const Caller&, const HandlerContext&);
Response readyz(const Request&, const Params&, const Caller&, const HandlerContext&);
Response metrics(const Request&, const Params&, const Caller&, const HandlerContext&);

// openapi.cpp: GET /api/v1/openapi.json.
Response openapi(const Request&, const Params&, const Caller&, const HandlerContext&);

// session.cpp: sign-in (POST), who am I (GET), sign-out (DELETE) of /api/v1/session.
Response get_session(const Request&, const Params&, const Caller&, const HandlerContext&);
Response sign_in(const Request&, const Params&, const Caller&, const HandlerContext&);
Response sign_out(const Request&, const Params&, const Caller&, const HandlerContext&);
// The answer to a successful sign-in: the session as JSON with its cookie.
Response session_started(const auth::SignInResult& r, http::status status, const Params& p,
                         const HandlerContext& ctx);

// setup.cpp: the first-run page's GET (is a setup needed) and POST (the first admin).
Response get_setup(const Request&, const Params&, const Caller&, const HandlerContext&);
Response post_setup(const Request&, const Params&, const Caller&, const HandlerContext&);

// cases.cpp: reading cases, and what people do with them (each becomes a PersonAction).
Response list_cases(const Request&, const Params&, const Caller&, const HandlerContext&);
Response get_case(const Request&, const Params&, const Caller&, const HandlerContext&);
Response acknowledge(const Request&, const Params&, const Caller&, const HandlerContext&);
Response mark_actioned(const Request&, const Params&, const Caller&, const HandlerContext&);
Response resolve(const Request&, const Params&, const Caller&, const HandlerContext&);
Response decide(const Request&, const Params&, const Caller&, const HandlerContext&);
Response follow_up(const Request&, const Params&, const Caller&, const HandlerContext&);
// POST /api/v1/cases: a case a person opens for what no signal shows.
Response report_case(const Request&, const Params&, const Caller&, const HandlerContext&);

// employees.cpp: the digital employees with their track records, and a manager's change.
Response list_employees(const Request&, const Params&, const Caller&, const HandlerContext&);
Response change_employee(const Request&, const Params&, const Caller&, const HandlerContext&);

// insights.cpp: the learning view (measures, repeats, suggestions and tasks) over a period, a
// decision on a suggestion, a task done, and the weekly report.
Response get_insights(const Request&, const Params&, const Caller&, const HandlerContext&);
Response decide_suggestion(const Request&, const Params&, const Caller&, const HandlerContext&);
Response finish_task(const Request&, const Params&, const Caller&, const HandlerContext&);
Response weekly_report(const Request&, const Params&, const Caller&, const HandlerContext&);

// guests.cpp: finding and reading guest profiles, a note from staff, a manager's edit, a
// guest's export and erasure.
Response export_guest(const Request&, const Params&, const Caller&, const HandlerContext&);
Response erase_guest(const Request&, const Params&, const Caller&, const HandlerContext&);
Response list_guests(const Request&, const Params&, const Caller&, const HandlerContext&);
Response get_guest(const Request&, const Params&, const Caller&, const HandlerContext&);
Response add_guest_note(const Request&, const Params&, const Caller&, const HandlerContext&);
Response edit_guest(const Request&, const Params&, const Caller&, const HandlerContext&);
// The Concierge's briefing: the shift's bookings worth knowing.
Response briefing(const Request&, const Params&, const Caller&, const HandlerContext&);

// ledger.cpp: the contribution ledger: one's own record, the team's, a manager's
// countersignature, correction and confirmed training, and a guest's rewards statement.
Response my_ledger(const Request&, const Params&, const Caller&, const HandlerContext&);
Response team_ledger(const Request&, const Params&, const Caller&, const HandlerContext&);
Response countersign_entry(const Request&, const Params&, const Caller&, const HandlerContext&);
Response correct_entry(const Request&, const Params&, const Caller&, const HandlerContext&);
Response confirm_training(const Request&, const Params&, const Caller&, const HandlerContext&);
Response guest_rewards(const Request&, const Params&, const Caller&, const HandlerContext&);

// floor.cpp and budget.cpp.
Response floor(const Request&, const Params&, const Caller&, const HandlerContext&);
Response budget(const Request&, const Params&, const Caller&, const HandlerContext&);

// users.cpp: accounts (managers), and one's own PIN.
Response list_users(const Request&, const Params&, const Caller&, const HandlerContext&);
Response create_user(const Request&, const Params&, const Caller&, const HandlerContext&);
Response disable_user(const Request&, const Params&, const Caller&, const HandlerContext&);
Response change_pin(const Request&, const Params&, const Caller&, const HandlerContext&);

// push.cpp: the VAPID public key, and the caller's own push subscriptions.
Response push_key(const Request&, const Params&, const Caller&, const HandlerContext&);
Response list_push_subscriptions(const Request&, const Params&, const Caller&,
                                 const HandlerContext&);
Response add_push_subscription(const Request&, const Params&, const Caller&, const HandlerContext&);
Response delete_push_subscription(const Request&, const Params&, const Caller&,
                                  const HandlerContext&);

// audit.cpp: GET /api/v1/audit.
Response audit(const Request&, const Params&, const Caller&, const HandlerContext&);

// risk.cpp: GET /api/v1/risk/model, the at-risk model page.
Response risk_model(const Request&, const Params&, const Caller&, const HandlerContext&);

// static_files.cpp: the tablet UI's files (every path outside the API).
Response static_file(const Request&, const Params&, const Caller&, const HandlerContext&);

}  // namespace mend::web::handlers

namespace mend::web {

// The floor as JSON from the engine's tables and the open cases (also the live feed's), with
// who sits at each table when the guest book knows them.
// With `risks` (a model is in use), each table carries its risk; else its risk is null.
json::Value floor_to_json(const std::vector<TableView>& tables, const CaseBook& cases, WallTime now,
                          const GuestBook* guests = nullptr,
                          const std::map<std::string, risk::TableRisk>* risks = nullptr);
// The case detail: the case, its explanation, the guest's context and a merged timeline.
json::Value case_detail_json(const Case& c);

}  // namespace mend::web
