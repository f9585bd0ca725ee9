// The tablet's whole HTTP surface behind one function: sign-in, the REST API v1, the OpenAPI
// document and the static UI, with authentication, CSRF and role checks in front of every
// route that is not public. Like the basic handlers it is a plain function from request to
// response: tests call App::handle without a socket, and the daemon hands it to both listeners.
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

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/auth/setup_code.hpp"
#include "adapters/auth/users.hpp"
#include "adapters/store/store.hpp"
#include "core/auth.hpp"
#include "core/case_book.hpp"
#include "core/engine.hpp"
#include "core/policy.hpp"
#include "web/api.hpp"
#include "web/http.hpp"
#include "web/router.hpp"

namespace mend::web {

inline constexpr std::string_view kSessionCookie = "mend_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// Who is calling, once authenticated.
struct Caller {
  std::string id;  // "user:3", "token:2"
  auth::Role role = auth::Role::kStaff;
  std::string name;            // the person's name; a token's label
  std::string session_secret;  // set when the caller came with the session cookie
  std::int64_t user_id = 0;    // a person's account; 0 for a token
  Actor as_case_actor() const { return Actor{id, std::string(auth::role_name(role))}; }
  auth::Actor as_auth_actor() const { return auth::Actor{id, role}; }
};

// What a case change made through the API asks of the daemon: persist the case and its audit
// record, then publish the case on MQTT and to the live feed.
struct CaseChangeNotice {
  const Case& c;
  std::string action;  // "case.acknowledge", "case.approve", ...
  json::Value detail;
  const Caller& by;
};

struct AppContext {
  ApiContext& basic;  // health, metrics, reading cases
  CaseBook& cases;
  auth::Users& users;
  Store& store;
  // The engine's tables for the floor view.
  std::function<std::vector<TableView>()> tables;
  // This adapter reads the clock (the core never does): wall time for records, monotonic for
  // the setup code's expiry.
  std::function<Now()> clock;
  std::function<void(const CaseChangeNotice&)> case_changed;
  // Authority: may this role approve `amount` for one case now (per-case limit, shift budget)?
  // Unset: no limit (the basic API's tests).
  std::function<AuthorityVerdict(const std::string& role, double amount)> authority;
  // The shift budget as GET /api/v1/budget shows it.
  std::function<json::Value()> budget;
  // The one-time setup code while no account exists (the daemon makes it); null otherwise.
  auth::SetupCode* setup = nullptr;
  // Called after the setup code made the first account, so the daemon can drop the code.
  std::function<void()> setup_done;
  std::filesystem::path ui_dir;  // the built tablet UI; empty: no UI is served
  std::string openapi;           // the OpenAPI document's text
};

class App {
 public:
  explicit App(AppContext ctx);

  Response handle(const Request& req, const RequestContext& rc);

  // For the live feed's upgrade: the caller behind the session cookie or bearer token.
  std::optional<Principal> authorize_upgrade(const Request& req);

  // The routes for the OpenAPI check: "GET /api/v1/cases/{id}", ...
  std::vector<std::string> route_names() const;

 private:
  std::optional<Caller> authenticate(const Request& req, WallTime now);
  Response serve_static(const Request& req) const;

  AppContext ctx_;
  Router public_;
  Router private_;
  std::unique_ptr<Caller> current_;  // the caller of the request being handled
};

// Exposed for tests: the floor as JSON from the engine's tables and the open cases.
json::Value floor_to_json(const std::vector<TableView>& tables, const CaseBook& cases,
                          WallTime now);
// The case detail: the case, its explanation, the guest's context and a merged timeline.
json::Value case_detail_json(const Case& c);
// The value of cookie `name` in a Cookie header, or empty.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace mend::web
