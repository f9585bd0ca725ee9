#include "web/routes.hpp"

#include "web/handlers/handlers.hpp"

namespace mend::web {

const std::vector<RouteEntry>& route_table() {
  using auth::Permission;
  using http::verb;
  namespace h = handlers;
  constexpr Access kPublic = Access::kPublic;
  constexpr Access kIdentified = Access::kIdentified;
  constexpr Access kSignedIn = Access::kSignedIn;
  // Changing one's own PIN needs no management right (kCaseRead: anyone signed in); the
  // accounts service checks whose PIN it is.
  static const std::vector<RouteEntry> kTable{
      {verb::get, "/livez", kPublic, {}, h::livez},
      {verb::get, "/readyz", kPublic, {}, h::readyz},
      {verb::get, "/api/v1/openapi.json", kPublic, {}, h::openapi},
      {verb::get, "/api/v1/session", kIdentified, {}, h::get_session},
      {verb::post, "/api/v1/session", kPublic, {}, h::sign_in},
      {verb::delete_, "/api/v1/session", kIdentified, {}, h::sign_out},
      {verb::get, "/api/v1/setup", kPublic, {}, h::get_setup},
      {verb::post, "/api/v1/setup", kPublic, {}, h::post_setup},

      {verb::get, "/metrics", kSignedIn, Permission::kCaseRead, h::metrics},
      {verb::get, "/api/v1/cases", kSignedIn, Permission::kCaseRead, h::list_cases},
      {verb::post, "/api/v1/cases", kSignedIn, Permission::kCaseOpen, h::report_case},
      {verb::get, "/api/v1/cases/{id}", kSignedIn, Permission::kCaseRead, h::get_case},
      {verb::post, "/api/v1/cases/{id}/acknowledge", kSignedIn, Permission::kCaseAcknowledge,
       h::acknowledge},
      {verb::post, "/api/v1/cases/{id}/action", kSignedIn, Permission::kCaseAction,
       h::mark_actioned},
      {verb::post, "/api/v1/cases/{id}/resolve", kSignedIn, Permission::kCaseResolve, h::resolve},
      {verb::post, "/api/v1/cases/{id}/decide", kSignedIn, Permission::kCaseDecide, h::decide},
      {verb::post, "/api/v1/cases/{id}/follow-up", kSignedIn, Permission::kCaseDecide,
       h::follow_up},
      {verb::get, "/api/v1/budget", kSignedIn, Permission::kCaseRead, h::budget},
      {verb::get, "/api/v1/floor", kSignedIn, Permission::kFloorRead, h::floor},
      {verb::get, "/api/v1/users", kSignedIn, Permission::kUsersManage, h::list_users},
      {verb::post, "/api/v1/users", kSignedIn, Permission::kUsersManage, h::create_user},
      {verb::post, "/api/v1/users/{id}/disable", kSignedIn, Permission::kUsersManage,
       h::disable_user},
      {verb::post, "/api/v1/users/{id}/pin", kSignedIn, Permission::kCaseRead, h::change_pin},
      {verb::get, "/api/v1/audit", kSignedIn, Permission::kAuditRead, h::audit},
      {verb::get, "/api/v1/employees", kSignedIn, Permission::kCaseRead, h::list_employees},
      {verb::patch, "/api/v1/employees/{id}", kSignedIn, Permission::kEmployeesManage,
       h::change_employee},
      {verb::get, "/api/v1/insights", kSignedIn, Permission::kInsightsRead, h::get_insights},
      {verb::post, "/api/v1/insights/suggestions", kSignedIn, Permission::kInsightsDecide,
       h::decide_suggestion},
      {verb::patch, "/api/v1/tasks/{task}", kSignedIn, Permission::kInsightsDecide, h::finish_task},
      {verb::get, "/api/v1/reports/weekly", kSignedIn, Permission::kInsightsRead, h::weekly_report},
      {verb::get, "/api/v1/risk/model", kSignedIn, Permission::kInsightsRead, h::risk_model},
      {verb::get, "/api/v1/guests", kSignedIn, Permission::kGuestsRead, h::list_guests},
      {verb::get, "/api/v1/briefing", kSignedIn, Permission::kGuestsRead, h::briefing},
      {verb::get, "/api/v1/guests/{id}", kSignedIn, Permission::kGuestsRead, h::get_guest},
      {verb::post, "/api/v1/guests/{id}/notes", kSignedIn, Permission::kGuestsNote,
       h::add_guest_note},
      {verb::patch, "/api/v1/guests/{id}", kSignedIn, Permission::kGuestsEdit, h::edit_guest},
      {verb::delete_, "/api/v1/guests/{id}", kSignedIn, Permission::kGuestsErase, h::erase_guest},
      {verb::get, "/api/v1/guests/{id}/export", kSignedIn, Permission::kGuestsExport,
       h::export_guest},
      {verb::get, "/api/v1/guests/{id}/rewards", kSignedIn, Permission::kGuestsRead,
       h::guest_rewards},
      {verb::get, "/api/v1/ledger/me", kSignedIn, Permission::kLedgerOwn, h::my_ledger},
      {verb::get, "/api/v1/ledger/team", kSignedIn, Permission::kLedgerTeam, h::team_ledger},
      {verb::post, "/api/v1/ledger/training", kSignedIn, Permission::kLedgerSign,
       h::confirm_training},
      {verb::post, "/api/v1/ledger/{seq}/countersign", kSignedIn, Permission::kLedgerSign,
       h::countersign_entry},
      {verb::post, "/api/v1/ledger/{seq}/correct", kSignedIn, Permission::kLedgerSign,
       h::correct_entry},
      {verb::get, "/api/v1/push/key", kSignedIn, Permission::kPushSubscribe, h::push_key},
      {verb::get, "/api/v1/push/subscriptions", kSignedIn, Permission::kPushSubscribe,
       h::list_push_subscriptions},
      {verb::post, "/api/v1/push/subscriptions", kSignedIn, Permission::kPushSubscribe,
       h::add_push_subscription},
      {verb::delete_, "/api/v1/push/subscriptions", kSignedIn, Permission::kPushSubscribe,
       h::delete_push_subscription},
  };
  return kTable;
}

}  // namespace mend::web
