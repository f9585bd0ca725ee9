// The first-run page: while no account exists, the one-time setup code from mendd's log makes
// the first admin and signs them in.
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {

Response get_setup(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  json::Object o;
  o.append("needed", ctx.accounts.user_count() == 0);
  return json_response(http::status::ok, o);
}

Response post_setup(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  const Now now = ctx.clock();
  auth::SetupGate* gate = ctx.setup ? ctx.setup() : nullptr;
  if (ctx.accounts.user_count() > 0 || gate == nullptr) {
    return refuse(http::status::forbidden, "setup_closed",
                  "this box is set up: sign in, or ask a manager for an account");
  }
  BodyReader b(req);
  const std::string code = b.string("code", Field::kRequired);
  const std::string name = b.string("name", Field::kRequired);
  const std::string pin = b.string("pin", Field::kRequired);
  b.only({"code", "name", "pin"});
  if (auto err = b.error()) return *err;
  // Check the account before spending the code, so a weak PIN does not burn it.
  if (!auth::valid_user_name(name)) {
    return refuse(http::status::bad_request, "bad_name",
                  "a name is 1 to 64 characters, without leading or trailing spaces");
  }
  if (auto problem = auth::check_pin(pin)) {
    return refuse(http::status::bad_request, "bad_pin", auth::pin_problem_message(*problem));
  }
  const auto result = gate->consume(code, now.mono);
  if (result != auth::SetupCodeResult::kOk) {
    return refuse(http::status::forbidden, "setup_code_wrong",
                  "the setup code is " + std::string(auth::setup_code_result_name(result)) +
                      ": use the code mendd printed to its log (restart mendd for a new one)");
  }
  auto made = ctx.accounts.create_user(name, auth::Role::kAdmin, pin,
                                       auth::Actor::system("setup-code"), now.wall, true);
  if (!made.ok()) return account_refused(made.problem);
  if (ctx.setup_done) ctx.setup_done();
  auto r = ctx.accounts.sign_in(name, pin, now.wall);
  if (r.status != auth::SignInStatus::kOk) {
    return refuse(http::status::internal_server_error, error_code::kInternal,
                  "the account was made but signing in failed; sign in again");
  }
  return session_started(r, http::status::created, p, ctx);
}

}  // namespace mend::web::handlers
