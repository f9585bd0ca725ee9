#include "web/app.hpp"

#include <utility>

namespace mend::web {
namespace {

bool state_changing(http::verb v) {
  return v == http::verb::post || v == http::verb::put || v == http::verb::patch ||
         v == http::verb::delete_;
}

}  // namespace

App::App(HandlerContext ctx) : ctx_(std::move(ctx)) {
  for (const RouteEntry& e : route_table()) {
    const bool pub = e.access != Access::kSignedIn;
    (pub ? public_ : private_).add(e.method, e.pattern, {});
    (pub ? public_entries_ : private_entries_).push_back(&e);
  }
}

std::optional<Caller> App::authenticate(const Request& req, WallTime now) {
  const std::string_view authz = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authz.size() > kBearer.size() && authz.substr(0, kBearer.size()) == kBearer) {
    auto token = ctx_.accounts.verify_token(authz.substr(kBearer.size()));
    if (!token) return std::nullopt;
    return Caller{"token:" + std::to_string(token->id), token->role, token->label, {}, 0};
  }
  const std::string secret = cookie_value(req[http::field::cookie], kSessionCookie);
  if (secret.empty()) return std::nullopt;
  auto s = ctx_.accounts.session(secret, now);
  if (!s) return std::nullopt;
  return Caller{"user:" + std::to_string(s->user_id), s->role, s->user_name, secret, s->user_id};
}

std::optional<Principal> App::authorize_upgrade(const Request& req) {
  auto c = authenticate(req, ctx_.clock().wall);
  if (!c || !auth::allows(c->role, auth::Permission::kFloorRead)) return std::nullopt;
  return Principal{c->id, std::string(auth::role_name(c->role))};
}

Response App::handle(const Request& req, const RequestContext& rc) {
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const bool api =
      path.rfind("/api/", 0) == 0 || path == "/metrics" || path == "/livez" || path == "/readyz";
  if (!api) {
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return refuse(http::status::method_not_allowed, error_code::kMethodNotAllowed,
                    "the tablet's pages are read with GET");
    }
    return handlers::static_file(req, Params{}, Caller{}, ctx_);
  }

  auto pub = public_.resolve(req, rc);
  if (auto* m = std::get_if<RouteMatch>(&pub)) {
    const RouteEntry& e = *public_entries_[m->route];
    Caller caller;
    if (e.access == Access::kIdentified) {
      caller = authenticate(req, ctx_.clock().wall).value_or(Caller{});
    }
    return e.handler(req, m->params, caller, ctx_);
  }
  // A public path under another method (405) or an unreadable target (400) is answered now;
  // anything else may be a signed-in route.
  if (std::get<Response>(pub).result() != http::status::not_found) {
    return std::move(std::get<Response>(pub));
  }

  auto caller = authenticate(req, ctx_.clock().wall);
  if (!caller) return unauthorized();
  if (state_changing(req.method()) && !caller->session_secret.empty() &&
      !ctx_.accounts.csrf_valid(caller->session_secret, req[kCsrfHeader])) {
    return refuse(http::status::forbidden, "csrf_failed",
                  "the CSRF token is missing or wrong: reload the page");
  }
  auto found = private_.resolve(req, rc);
  if (auto* res = std::get_if<Response>(&found)) return std::move(*res);
  const auto& m = std::get<RouteMatch>(found);
  const RouteEntry& e = *private_entries_[m.route];
  if (!auth::allows(caller->role, e.need)) return forbidden(*caller, e.need);
  return e.handler(req, m.params, *caller, ctx_);
}

std::vector<std::string> App::route_names() const {
  std::vector<std::string> out;
  for (const Router* r : {&public_, &private_}) {
    for (const auto& name : r->route_names()) out.push_back(name);
  }
  return out;
}

}  // namespace mend::web
