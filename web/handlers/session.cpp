// Sign-in, who is signed in, and sign-out. The session lives in an HttpOnly, SameSite=Strict
// cookie (Secure over TLS); the CSRF token that goes with it is in the answer's body.
#include <algorithm>

#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

json::Value session_json(const Caller& c, const HandlerContext& ctx) {
  json::Object user;
  user.append("id", c.user_id);
  user.append("name", c.name);
  user.append("role", std::string(auth::role_name(c.role)));
  json::Object o;
  o.append("user", std::move(user));
  if (!c.session_secret.empty()) o.append("csrf_token", ctx.accounts.csrf_token(c.session_secret));
  return o;
}

std::string session_cookie(const std::string& secret, bool tls, std::int64_t max_age_s) {
  std::string c = std::string(kSessionCookie) + "=" + secret +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (tls) c += "; Secure";
  return c;
}

std::string clear_cookie(bool tls) {
  std::string c = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (tls) c += "; Secure";
  return c;
}

Response locked_out(WallTime retry_at, WallTime now) {
  const auto wait_s = std::max<std::int64_t>(
      1,
      (std::chrono::duration_cast<std::chrono::milliseconds>(retry_at - now).count() + 999) / 1000);
  json::Object extra;
  extra.append("retry_at", format_rfc3339(retry_at));
  auto res =
      refuse_with(http::status::too_many_requests, "locked_out",
                  "too many wrong PINs: try again in " + std::to_string(wait_s) + " s", extra);
  res.set(http::field::retry_after, std::to_string(wait_s));
  return res;
}

}  // namespace

Response session_started(const auth::SignInResult& r, http::status status, const Params& p,
                         const HandlerContext& ctx) {
  const Caller c{"user:" + std::to_string(r.session->user_id), r.session->role,
                 r.session->user_name, r.session_secret, r.session->user_id};
  auto res = json_response(status, session_json(c, ctx));
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.accounts.session_lifetime());
  res.set(http::field::set_cookie,
          session_cookie(r.session_secret, p.context.tls, lifetime.count()));
  return res;
}

Response get_session(const Request&, const Params&, const Caller& c, const HandlerContext& ctx) {
  if (c.session_secret.empty()) return unauthorized("not signed in");
  return json_response(http::status::ok, session_json(c, ctx));
}

Response sign_in(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  BodyReader b(req);
  const std::string name = b.string("name", Field::kRequired);
  const std::string pin = b.string("pin", Field::kRequired);
  b.only({"name", "pin"});
  if (auto err = b.error()) return *err;
  if (pin.size() > auth::kMaxPinLength) {
    return refuse(http::status::unauthorized, "sign_in_refused", "wrong name or PIN");
  }
  const Now now = ctx.clock();
  auto r = ctx.accounts.sign_in(name, pin, now.wall);
  switch (r.status) {
    case auth::SignInStatus::kOk: break;
    case auth::SignInStatus::kRefused:
      return refuse(http::status::unauthorized, "sign_in_refused", "wrong name or PIN");
    case auth::SignInStatus::kBusy:
      return refuse(http::status::too_many_requests, "busy",
                    "another sign-in for this name is being checked; try again");
    case auth::SignInStatus::kLockedOut: return locked_out(r.retry_at, now.wall);
  }
  return session_started(r, http::status::ok, p, ctx);
}

Response sign_out(const Request& req, const Params& p, const Caller& c, const HandlerContext& ctx) {
  if (c.session_secret.empty()) return unauthorized("not signed in");
  if (!ctx.accounts.csrf_valid(c.session_secret, req[kCsrfHeader])) {
    return refuse(http::status::forbidden, "csrf_failed", "the CSRF token is missing or wrong");
  }
  ctx.accounts.sign_out(c.session_secret, ctx.clock().wall);
  Response res{http::status::no_content, req.version()};
  res.set(http::field::set_cookie, clear_cookie(p.context.tls));
  return res;
}

}  // namespace mend::web::handlers
