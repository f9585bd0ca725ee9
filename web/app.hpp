// The tablet's whole HTTP surface behind one function: sign-in, the REST API v1, the OpenAPI
// document and the static UI, with authentication, CSRF and role checks in front of every
// route that is not public. The routes and their handlers are web/routes.cpp's table; App
// only authenticates, checks CSRF and the route's permission, and hands the caller to the
// handler with the request. Tests call App::handle without a socket, and the daemon hands it
// to both listeners.
//
// Public without a session or token: GET /livez, GET /readyz, the sign-in and first-run
// routes (/api/v1/session, /api/v1/setup), GET /api/v1/openapi.json and the static UI. Every
// other path, even one that does not exist, answers 401 to a stranger, so the API's shape is
// not revealed before sign-in.
//
// CSRF: a browser attaches the session cookie to any request, including one a foreign page
// makes; SameSite=Strict stops most of that, and a per-session token in the X-CSRF-Token
// header, which a foreign page cannot read, stops the rest. Bearer tokens are never attached
// by a browser, so they need no CSRF token.
//
// Threads: runs on the daemon's executor thread, like everything else in web/. A sign-in runs
// Argon2id on this thread (about 0.1 s here, more on a Pi): messages wait in the broker link
// meanwhile, none is lost, and sign-in is rare.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "web/handlers/context.hpp"
#include "web/handlers/handlers.hpp"
#include "web/http.hpp"
#include "web/router.hpp"
#include "web/routes.hpp"

namespace mend::web {

class App {
 public:
  explicit App(HandlerContext ctx);

  Response handle(const Request& req, const RequestContext& rc);

  // For the live feed's upgrade: the caller behind the session cookie or bearer token.
  std::optional<Principal> authorize_upgrade(const Request& req);

  // The routes for the OpenAPI check: "GET /api/v1/cases/{id}", ...
  std::vector<std::string> route_names() const;

 private:
  std::optional<Caller> authenticate(const Request& req, WallTime now);

  HandlerContext ctx_;
  // Public routes are matched first, so a stranger learns nothing of the signed-in ones: every
  // other path answers 401 before sign-in.
  Router public_;
  Router private_;
  std::vector<const RouteEntry*> public_entries_;  // in the order added to public_
  std::vector<const RouteEntry*> private_entries_;
};

}  // namespace mend::web
