// The digital employees: who they are, their track record over a period (from the store's
// cases), and a manager's change to one (carried out and audited by the recovery service).
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::int64_t kDefaultDays = 30;
constexpr std::int64_t kMaxDays = 365;

// Cases opened since `from`, as the store has them.
std::vector<Case> cases_since(const HandlerContext& ctx, WallTime from) {
  return ctx.cases_since ? ctx.cases_since(from) : std::vector<Case>{};
}

Roster roster_of(const HandlerContext& ctx) { return ctx.employees ? ctx.employees() : Roster{}; }

json::Value roster_json(const Roster& roster, const std::vector<Case>& cases) {
  json::Array list;
  for (const Employee& e : roster.all()) {
    list.emplace_back(employee_to_json(e, track_record(e.id, cases)));
  }
  return list;
}

}  // namespace

Response list_employees(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  std::int64_t days = kDefaultDays;
  for (const auto& [k, v] : p.query.items()) {
    if (k != "days") {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "unknown parameter '" + k + "': only days is allowed");
    }
    auto n = parse_id(&v);
    if (!n || *n < 1 || *n > kMaxDays || p.query.count("days") > 1) {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "days must be a whole number from 1 to 365, once");
    }
    days = *n;
  }
  const WallTime to = ctx.clock().wall;
  const WallTime from = to - std::chrono::hours(24 * days);
  const std::vector<Case> cases = cases_since(ctx, from);
  json::Object period;
  period.append("from", format_rfc3339(from));
  period.append("to", format_rfc3339(to));
  period.append("days", days);
  json::Object o;
  o.append("period", std::move(period));
  o.append("employees", roster_json(roster_of(ctx), cases));
  return json_response(http::status::ok, json::Value(std::move(o)));
}

Response change_employee(const Request& req, const Params& p, const Caller& c,
                         const HandlerContext& ctx) {
  const std::string* name = p.path_param("id");
  const auto id = employee_from_name(*name);
  if (!id) return not_found("no employee '" + *name + "'");
  BodyReader b(req);
  EmployeeChange ch;
  ch.employee = *id;
  ch.by = c.as_case_actor();
  ch.enabled = b.boolean("enabled", Field::kOptional);
  const std::string may = b.string("may", Field::kOptional);
  ch.reason = b.string("reason", Field::kOptional);
  ch.limits = b.text_map("limits", Field::kOptional).value_or(ch.limits);
  b.only({"enabled", "may", "limits", "reason"});
  if (auto err = b.error()) return *err;
  if (!may.empty()) {
    ch.may = authority_from_name(may);
    if (!ch.may) return invalid_body("may must be recommend or act");
  }
  if (!ctx.change_employee) {
    return refuse(http::status::conflict, "conflict", "employees cannot be changed here");
  }
  const EmployeeResult r = ctx.change_employee(ch);
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return action_refused(*no);
  const Roster& roster = std::get<Roster>(r);
  const WallTime to = ctx.clock().wall;
  const std::vector<Case> cases = cases_since(ctx, to - std::chrono::hours(24 * kDefaultDays));
  return json_response(http::status::ok,
                       employee_to_json(roster.at(*id), track_record(*id, cases)));
}

}  // namespace mend::web::handlers
