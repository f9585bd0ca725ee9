// Staff accounts: managers list, add and disable them (never above their own role); anyone
// signed in may change their own PIN. The accounts service checks who may do what.
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

json::Value user_json(const auth::UserInfo& u) {
  json::Object o;
  o.append("id", u.id);
  o.append("name", u.name);
  o.append("role", std::string(auth::role_name(u.role)));
  o.append("disabled", u.disabled);
  o.append("created_at", format_rfc3339(u.created_at));
  return o;
}

std::optional<std::int64_t> user_id(const Params& p) { return parse_id(p.path_param("id")); }

}  // namespace

Response list_users(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  json::Array users;
  for (const auto& u : ctx.accounts.list_users()) users.push_back(user_json(u));
  json::Object o;
  o.append("users", std::move(users));
  return json_response(http::status::ok, o);
}

Response create_user(const Request& req, const Params&, const Caller& c,
                     const HandlerContext& ctx) {
  BodyReader b(req);
  const std::string name = b.string("name", Field::kRequired);
  const std::string role_text = b.string("role", Field::kRequired);
  const std::string pin = b.string("pin", Field::kRequired);
  b.only({"name", "role", "pin"});
  if (auto err = b.error()) return *err;
  auto role = auth::parse_role(role_text);
  if (!role || !auth::is_person_role(*role)) {
    return invalid_body("role must be staff, manager or admin");
  }
  auto made =
      ctx.accounts.create_user(name, *role, pin, c.as_auth_actor(), ctx.clock().wall, false);
  if (!made.ok()) return account_refused(made.problem);
  return json_response(http::status::created, user_json(*made.value));
}

Response disable_user(const Request&, const Params& p, const Caller& c, const HandlerContext& ctx) {
  auto id = user_id(p);
  if (!id) return not_found("no such user");
  auto r = ctx.accounts.disable_user(*id, c.as_auth_actor(), ctx.clock().wall);
  if (!r.ok()) return account_refused(r.problem);
  return json_response(http::status::ok, user_json(*r.value));
}

Response change_pin(const Request& req, const Params& p, const Caller& c,
                    const HandlerContext& ctx) {
  auto id = user_id(p);
  if (!id) return not_found("no such user");
  BodyReader b(req);
  const std::string pin = b.string("pin", Field::kRequired);
  b.only({"pin"});
  if (auto err = b.error()) return *err;
  auto r = ctx.accounts.change_pin(*id, pin, c.as_auth_actor(), ctx.clock().wall);
  if (!r.ok()) return account_refused(r.problem);
  return json_response(http::status::ok, user_json(*r.value));
}

}  // namespace mend::web::handlers
