#include "web/app.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "adapters/auth/secrets.hpp"

namespace mend::web {
namespace {

using auth::Permission;
using auth::Role;

constexpr std::size_t kMaxStaticFile = 8u << 20;
constexpr std::size_t kMaxAuditPage = 500;

bool state_changing(http::verb v) {
  return v == http::verb::post || v == http::verb::put || v == http::verb::patch ||
         v == http::verb::delete_;
}

Response refuse(http::status status, std::string_view code, std::string_view message) {
  return error_response(status, code, message);
}

Response unauthorized(std::string_view message = "sign in first") {
  auto res = refuse(http::status::unauthorized, error_code::kUnauthorized, message);
  res.set(http::field::www_authenticate, "Bearer realm=\"mend\"");
  return res;
}

Response invalid_body(const std::string& message) {
  return refuse(http::status::bad_request, "invalid_body", message);
}

// The request's JSON body as an object, or the 400 that says what is wrong with it.
std::variant<json::Value, Response> body_object(const Request& req, bool allow_empty) {
  if (req.body().empty() && allow_empty) return json::Value(json::Object{});
  const auto type = req[http::field::content_type];
  if (type.substr(0, kJsonType.size()) != kJsonType) {
    return refuse(http::status::unsupported_media_type, "unsupported_media_type",
                  "send the body as application/json");
  }
  auto parsed = json::parse(req.body());
  if (!parsed) return invalid_body("the body is not valid JSON: " + parsed.error.message);
  if (!parsed.value->is_object()) return invalid_body("the body must be a JSON object");
  return std::move(*parsed.value);
}

// A string field: absent -> fallback; present but not a string -> the error message.
std::variant<std::string, Response> string_field(const json::Value& body, std::string_view key,
                                                 bool required) {
  const json::Value* v = body.get(key);
  if (v == nullptr || v->is_null()) {
    if (required) return invalid_body("'" + std::string(key) + "' is required");
    return std::string();
  }
  const std::string* s = v->as_string();
  if (s == nullptr) return invalid_body("'" + std::string(key) + "' must be a string");
  return *s;
}

// Fields a body may have; anything else is a mistake worth reporting.
std::optional<Response> only_fields(const json::Value& body,
                                    std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : *body.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      std::string message = "unknown field '";
      message += key;
      message += "'; allowed: ";
      message += names;
      return invalid_body(message);
    }
  }
  return std::nullopt;
}

Response forbidden(const Caller& c, Permission p) {
  return refuse(http::status::forbidden, "forbidden",
                "a " + std::string(auth::role_name(c.role)) + " may not " +
                    std::string(auth::permission_name(p)));
}

Response case_refused(const CaseRefusal& r) {
  switch (r.code) {
    case CaseRefusal::Code::kNotFound:
      return refuse(http::status::not_found, error_code::kNotFound, r.message);
    case CaseRefusal::Code::kConflict: return refuse(http::status::conflict, "conflict", r.message);
    case CaseRefusal::Code::kInvalid: return invalid_body(r.message);
  }
  return invalid_body(r.message);
}

std::string_view content_type_for(const std::filesystem::path& p) {
  static const std::map<std::string, std::string_view> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
  };
  auto it = kTypes.find(p.extension().string());
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

// A URL path that may name a file under the UI directory: plain segments of safe characters,
// none of them "." or "..", so nothing outside the directory can be reached.
bool safe_static_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 200) return false;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') return false;
    for (char ch : seg) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return true;
}

std::optional<std::string> read_small_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(p, ec);
  if (ec || size > kMaxStaticFile) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

json::Value user_json(const auth::UserInfo& u) {
  json::Object o;
  o.append("id", u.id);
  o.append("name", u.name);
  o.append("role", std::string(auth::role_name(u.role)));
  o.append("disabled", u.disabled);
  o.append("created_at", format_rfc3339(u.created_at));
  return o;
}

json::Value session_json(const Caller& c) {
  json::Object user;
  user.append("id", c.user_id);
  user.append("name", c.name);
  user.append("role", std::string(auth::role_name(c.role)));
  json::Object o;
  o.append("user", std::move(user));
  if (!c.session_secret.empty()) o.append("csrf_token", auth::csrf_for_session(c.session_secret));
  return o;
}

Response account_refused(const auth::AccountProblem& p) {
  const auto code = auth::account_error_name(p.code);
  switch (p.code) {
    case auth::AccountError::kNotAllowed:
      return refuse(http::status::forbidden, "forbidden", p.message);
    case auth::AccountError::kNoSuchUser:
    case auth::AccountError::kNoSuchToken:
      return refuse(http::status::not_found, error_code::kNotFound, p.message);
    case auth::AccountError::kNameTaken:
    case auth::AccountError::kUsersExist: return refuse(http::status::conflict, code, p.message);
    default: return refuse(http::status::bad_request, code, p.message);
  }
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

std::optional<std::int64_t> parse_id(const std::string* s) {
  if (s == nullptr || s->empty() || s->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char ch : *s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

}  // namespace

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

json::Value floor_to_json(const std::vector<TableView>& tables, const CaseBook& cases,
                          WallTime now) {
  // Open cases by table, so a tile can show its badge.
  std::map<std::string, std::vector<std::string>> by_table;
  for (const Case* c : cases.list(CaseFilter{})) {
    if (c->subject.table.empty() || c->status == CaseStatus::kResolved ||
        c->status == CaseStatus::kClosed) {
      continue;
    }
    by_table[c->subject.table].push_back(c->id);
  }
  json::Array out;
  for (const auto& t : tables) {
    json::Object o;
    o.append("table", t.table);
    o.append("area", t.area);
    const char* state = t.bill_requested             ? "bill_asked"
                        : !t.courses_waiting.empty() ? "course_fired"
                        : t.ordered                  ? "ordered"
                                                     : "seated";
    o.append("state", state);
    o.append("seated_at", format_rfc3339(t.seated_at));
    o.append("party", t.party);
    o.append("booking", t.booking);
    json::Array timers;
    for (const auto& w : t.timers) {
      json::Object tj;
      tj.append("kind", case_kind_name(w.kind));
      tj.append("course", w.course);
      tj.append("started", format_rfc3339(w.started));
      tj.append("threshold_s", static_cast<double>(w.threshold.count()) / 1000.0);
      tj.append("deadline", format_rfc3339(w.started + w.threshold));
      tj.append("breached", w.breached || now >= w.started + w.threshold);
      timers.emplace_back(std::move(tj));
    }
    o.append("timers", std::move(timers));
    json::Array ids;
    if (auto it = by_table.find(t.table); it != by_table.end()) {
      for (const auto& id : it->second) ids.emplace_back(id);
    }
    o.append("cases", std::move(ids));
    out.emplace_back(std::move(o));
  }
  json::Object body;
  body.append("now", format_rfc3339(now));
  body.append("tables", std::move(out));
  return body;
}

json::Value case_detail_json(const Case& c) {
  json::Value v = case_to_json(c);
  json::Object& o = *v.as_object();
  if (c.explanation.empty()) o.append("explanation", c.reason);  // cases from before the policy
  // The guest as the policy saw them (case_to_json), plus this visit's booking and party.
  json::Value* guest_value = o.find("guest");
  if (guest_value == nullptr || !guest_value->is_object()) {
    o.append("guest", json::Object{});
    guest_value = o.find("guest");
  }
  json::Object& guest = *guest_value->as_object();
  if (!c.subject.customer.empty() && guest.find("id") == nullptr) {
    guest.append("id", c.subject.customer);
  }
  if (!c.subject.booking.empty()) guest.append("booking", c.subject.booking);
  if (c.facts.party > 0) guest.append("party", c.facts.party);
  if (c.facts.value > 0) guest.append("booking_value", c.facts.value);
  // Evidence and what people did, in time order: the sheet's story of the case.
  struct Item {
    WallTime at;
    std::string what;
    std::string detail;
  };
  std::vector<Item> items;
  for (const auto& e : c.evidence) items.push_back({e.ts, e.type, e.note});
  for (const auto& t : c.history) {
    items.push_back({t.at, std::string(case_status_name(t.to)),
                     t.by.id + " (" + t.by.role + ")" + (t.note.empty() ? "" : ": " + t.note)});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.at < b.at; });
  json::Array timeline;
  for (const auto& i : items) {
    json::Object io;
    io.append("at", format_rfc3339(i.at));
    io.append("what", i.what);
    io.append("detail", i.detail);
    timeline.emplace_back(std::move(io));
  }
  o.append("timeline", std::move(timeline));
  return v;
}

App::App(AppContext ctx) : ctx_(std::move(ctx)) {
  ApiContext& basic = ctx_.basic;
  public_.add(http::verb::get, "/livez",
              [&basic](const Request& r, const Params& p) { return handle_livez(basic, r, p); });
  public_.add(http::verb::get, "/readyz",
              [&basic](const Request& r, const Params& p) { return handle_readyz(basic, r, p); });
  public_.add(http::verb::get, "/api/v1/openapi.json", [this](const Request&, const Params&) {
    return text_response(http::status::ok, ctx_.openapi, kJsonType);
  });

  // ---- sign-in --------------------------------------------------------------------------
  public_.add(http::verb::get, "/api/v1/session", [this](const Request& req, const Params&) {
    const Now now = ctx_.clock();
    auto caller = authenticate(req, now.wall);
    if (!caller || caller->session_secret.empty()) return unauthorized("not signed in");
    return json_response(http::status::ok, session_json(*caller));
  });
  public_.add(http::verb::post, "/api/v1/session", [this](const Request& req, const Params& p) {
    auto body = body_object(req, false);
    if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
    const json::Value& b = std::get<json::Value>(body);
    if (auto bad = only_fields(b, {"name", "pin"})) return std::move(*bad);
    auto name = string_field(b, "name", true);
    if (auto* bad = std::get_if<Response>(&name)) return std::move(*bad);
    auto pin = string_field(b, "pin", true);
    if (auto* bad = std::get_if<Response>(&pin)) return std::move(*bad);
    const std::string& pin_text = std::get<std::string>(pin);
    if (pin_text.size() > auth::kMaxPinLength) {
      return refuse(http::status::unauthorized, "sign_in_refused", "wrong name or PIN");
    }
    const Now now = ctx_.clock();
    auto r = ctx_.users.sign_in(std::get<std::string>(name), pin_text, now.wall);
    switch (r.status) {
      case auth::SignInStatus::kOk: break;
      case auth::SignInStatus::kRefused:
        return refuse(http::status::unauthorized, "sign_in_refused", "wrong name or PIN");
      case auth::SignInStatus::kBusy:
        return refuse(http::status::too_many_requests, "busy",
                      "another sign-in for this name is being checked; try again");
      case auth::SignInStatus::kLockedOut: {
        const auto wait_s = std::max<std::int64_t>(
            1,
            (std::chrono::duration_cast<std::chrono::milliseconds>(r.retry_at - now.wall).count() +
             999) /
                1000);
        json::Object error;
        error.append("code", "locked_out");
        error.append("message",
                     "too many wrong PINs: try again in " + std::to_string(wait_s) + " s");
        error.append("retry_at", format_rfc3339(r.retry_at));
        json::Object o;
        o.append("error", std::move(error));
        auto res = json_response(http::status::too_many_requests, o);
        res.set(http::field::retry_after, std::to_string(wait_s));
        return res;
      }
    }
    Caller c{"user:" + std::to_string(r.session->user_id), r.session->role, r.session->user_name,
             r.session_secret, r.session->user_id};
    auto res = json_response(http::status::ok, session_json(c));
    const auto lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(ctx_.users.options().session.lifetime);
    res.set(http::field::set_cookie,
            session_cookie(r.session_secret, p.context.tls, lifetime.count()));
    return res;
  });
  public_.add(http::verb::delete_, "/api/v1/session", [this](const Request& req, const Params& p) {
    const Now now = ctx_.clock();
    auto caller = authenticate(req, now.wall);
    if (!caller || caller->session_secret.empty()) return unauthorized("not signed in");
    const auto token = req[kCsrfHeader];
    if (!auth::Users::csrf_matches(caller->session_secret, token)) {
      return refuse(http::status::forbidden, "csrf_failed", "the CSRF token is missing or wrong");
    }
    ctx_.users.sign_out(caller->session_secret, now.wall);
    Response res{http::status::no_content, req.version()};
    res.set(http::field::set_cookie, clear_cookie(p.context.tls));
    return res;
  });

  // ---- first run ------------------------------------------------------------------------
  public_.add(http::verb::get, "/api/v1/setup", [this](const Request&, const Params&) {
    json::Object o;
    o.append("needed", ctx_.users.user_count() == 0);
    return json_response(http::status::ok, o);
  });
  public_.add(http::verb::post, "/api/v1/setup", [this](const Request& req, const Params& p) {
    const Now now = ctx_.clock();
    if (ctx_.users.user_count() > 0 || ctx_.setup == nullptr) {
      return refuse(http::status::forbidden, "setup_closed",
                    "this box is set up: sign in, or ask a manager for an account");
    }
    auto body = body_object(req, false);
    if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
    const json::Value& b = std::get<json::Value>(body);
    if (auto bad = only_fields(b, {"code", "name", "pin"})) return std::move(*bad);
    auto code = string_field(b, "code", true);
    if (auto* bad = std::get_if<Response>(&code)) return std::move(*bad);
    auto name = string_field(b, "name", true);
    if (auto* bad = std::get_if<Response>(&name)) return std::move(*bad);
    auto pin = string_field(b, "pin", true);
    if (auto* bad = std::get_if<Response>(&pin)) return std::move(*bad);
    // Check the account before spending the code, so a weak PIN does not burn it.
    if (!auth::valid_user_name(std::get<std::string>(name))) {
      return refuse(http::status::bad_request, "bad_name",
                    "a name is 1 to 64 characters, without leading or trailing spaces");
    }
    if (auto problem = auth::check_pin(std::get<std::string>(pin))) {
      return refuse(http::status::bad_request, "bad_pin", auth::pin_problem_message(*problem));
    }
    const auto result = ctx_.setup->consume(std::get<std::string>(code), now.mono);
    if (result != auth::SetupCode::Result::kOk) {
      return refuse(http::status::forbidden, "setup_code_wrong",
                    "the setup code is " + std::string(auth::setup_code_result_name(result)) +
                        ": use the code mendd printed to its log (restart mendd for a new one)");
    }
    auto made = ctx_.users.create_user(std::get<std::string>(name), Role::kAdmin,
                                       std::get<std::string>(pin),
                                       auth::Actor::system("setup-code"), now.wall, true);
    if (!made.ok()) return account_refused(made.problem);
    if (ctx_.setup_done) ctx_.setup_done();
    auto r = ctx_.users.sign_in(std::get<std::string>(name), std::get<std::string>(pin), now.wall);
    if (r.status != auth::SignInStatus::kOk) {
      return refuse(http::status::internal_server_error, error_code::kInternal,
                    "the account was made but signing in failed; sign in again");
    }
    Caller c{"user:" + std::to_string(r.session->user_id), r.session->role, r.session->user_name,
             r.session_secret, r.session->user_id};
    auto res = json_response(http::status::created, session_json(c));
    const auto lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(ctx_.users.options().session.lifetime);
    res.set(http::field::set_cookie,
            session_cookie(r.session_secret, p.context.tls, lifetime.count()));
    return res;
  });

  // ---- signed-in routes -----------------------------------------------------------------
  // `need` checks the caller's role before the handler runs.
  const auto guarded = [this](Permission need, auto fn) {
    return [this, need, fn](const Request& req, const Params& p) -> Response {
      const Caller& c = *current_;
      if (!auth::allows(c.role, need)) return forbidden(c, need);
      return fn(req, p, c);
    };
  };

  private_.add(
      http::verb::get, "/metrics",
      guarded(Permission::kCaseRead, [&basic](const Request& r, const Params& p, const Caller&) {
        return handle_metrics(basic, r, p);
      }));
  private_.add(http::verb::get, "/api/v1/cases",
               guarded(Permission::kCaseRead,
                       [this, &basic](const Request& r, const Params& p, const Caller&) {
                         // max_age is this layer's: it needs the clock.
                         Params rest = p;
                         Query::Items kept;
                         std::optional<WallTime> since;
                         for (const auto& [k, v] : p.query.items()) {
                           if (k != "max_age") {
                             kept.emplace_back(k, v);
                             continue;
                           }
                           auto secs = parse_id(&v);
                           if (!secs || p.query.count("max_age") > 1) {
                             return refuse(http::status::bad_request, error_code::kInvalidParameter,
                                           "max_age must be a whole number of seconds, once");
                           }
                           since = ctx_.clock().wall - std::chrono::seconds(*secs);
                         }
                         rest.query = Query(std::move(kept));
                         return handle_list_cases(basic, r, rest, since);
                       }));
  private_.add(
      http::verb::get, "/api/v1/cases/{id}",
      guarded(Permission::kCaseRead, [this](const Request&, const Params& p, const Caller&) {
        const std::string* id = p.path_param("id");
        const Case* c = ctx_.cases.find(*id);
        if (c == nullptr) {
          return refuse(http::status::not_found, error_code::kNotFound,
                        "no case with id '" + *id + "'");
        }
        return json_response(http::status::ok, case_detail_json(*c));
      }));

  // A case action: parse the body, let `act` change the case through the book, then hand the
  // change to the daemon (store, audit, MQTT, live) and answer with the case.
  const auto case_action = [this, guarded](Permission need, auto act) {
    return guarded(need,
                   [this, act](const Request& req, const Params& p, const Caller& c) -> Response {
                     auto body = body_object(req, true);
                     if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
                     const std::string& id = *p.path_param("id");
                     const Now now = ctx_.clock();
                     std::string action;
                     json::Object detail;
                     std::variant<CaseResult, Response> r =
                         act(std::get<json::Value>(body), id, c, now.wall, action, detail);
                     if (auto* bad = std::get_if<Response>(&r)) return std::move(*bad);
                     const CaseResult& result = std::get<CaseResult>(r);
                     if (const auto* no = std::get_if<CaseRefusal>(&result))
                       return case_refused(*no);
                     const Case* changed = ctx_.cases.find(id);
                     if (ctx_.case_changed) {
                       ctx_.case_changed(
                           CaseChangeNotice{*changed, action, json::Value(std::move(detail)), c});
                     }
                     return json_response(http::status::ok, case_detail_json(*changed));
                   });
  };
  using Result = std::variant<CaseResult, Response>;

  private_.add(
      http::verb::post, "/api/v1/cases/{id}/acknowledge",
      case_action(Permission::kCaseAcknowledge,
                  [this](const json::Value& b, const std::string& id, const Caller& c, WallTime at,
                         std::string& action, json::Object& detail) -> Result {
                    if (auto bad = only_fields(b, {"note"})) return std::move(*bad);
                    auto note = string_field(b, "note", false);
                    if (auto* bad = std::get_if<Response>(&note)) return std::move(*bad);
                    action = "case.acknowledge";
                    detail.append("note", std::get<std::string>(note));
                    return ctx_.cases.acknowledge(id, c.as_case_actor(), at,
                                                  std::get<std::string>(note));
                  }));
  private_.add(
      http::verb::post, "/api/v1/cases/{id}/action",
      case_action(Permission::kCaseAction,
                  [this](const json::Value& b, const std::string& id, const Caller& c, WallTime at,
                         std::string& action, json::Object& detail) -> Result {
                    if (auto bad = only_fields(b, {"note"})) return std::move(*bad);
                    auto note = string_field(b, "note", false);
                    if (auto* bad = std::get_if<Response>(&note)) return std::move(*bad);
                    action = "case.action";
                    detail.append("note", std::get<std::string>(note));
                    return ctx_.cases.mark_actioned(id, c.as_case_actor(), at,
                                                    std::get<std::string>(note));
                  }));
  private_.add(
      http::verb::post, "/api/v1/cases/{id}/resolve",
      case_action(Permission::kCaseResolve,
                  [this](const json::Value& b, const std::string& id, const Caller& c, WallTime at,
                         std::string& action, json::Object& detail) -> Result {
                    if (auto bad = only_fields(b, {"root_cause", "note", "follow_up"})) {
                      return std::move(*bad);
                    }
                    std::optional<FollowUp> follow_up;
                    if (const json::Value* f = b.get("follow_up"); f != nullptr && !f->is_null()) {
                      if (!f->is_object()) return invalid_body("'follow_up' must be an object");
                      if (auto bad = only_fields(*f, {"after_hours", "message"})) {
                        return std::move(*bad);
                      }
                      const json::Value* hours = f->get("after_hours");
                      const auto h = hours != nullptr ? hours->as_double() : std::nullopt;
                      if (!h || *h <= 0 || *h > 24 * 90) {
                        return invalid_body(
                            "follow_up.after_hours must be a number of hours, up "
                            "to 90 days");
                      }
                      auto message = string_field(*f, "message", true);
                      if (auto* bad = std::get_if<Response>(&message)) return std::move(*bad);
                      follow_up = FollowUp{at + std::chrono::milliseconds(static_cast<std::int64_t>(
                                                    *h * 3600.0 * 1000.0)),
                                           std::get<std::string>(message), false};
                      detail.append("follow_up_due", format_rfc3339(follow_up->due));
                    }
                    auto cause_text = string_field(b, "root_cause", true);
                    if (auto* bad = std::get_if<Response>(&cause_text)) return std::move(*bad);
                    auto cause = root_cause_from_name(std::get<std::string>(cause_text));
                    if (!cause) {
                      return invalid_body(
                          "root_cause must be one of process, people, product, policy, "
                          "communication");
                    }
                    auto note = string_field(b, "note", false);
                    if (auto* bad = std::get_if<Response>(&note)) return std::move(*bad);
                    action = "case.resolve";
                    detail.append("root_cause", std::get<std::string>(cause_text));
                    detail.append("note", std::get<std::string>(note));
                    return ctx_.cases.resolve(id, *cause, std::get<std::string>(note),
                                              c.as_case_actor(), at, std::move(follow_up));
                  }));
  private_.add(
      http::verb::post, "/api/v1/cases/{id}/decide",
      case_action(
          Permission::kCaseDecide,
          [this](const json::Value& b, const std::string& id, const Caller& c, WallTime at,
                 std::string& action, json::Object& detail) -> Result {
            if (auto bad = only_fields(b, {"decision", "reason", "recommendation"})) {
              return std::move(*bad);
            }
            auto verdict_text = string_field(b, "decision", true);
            if (auto* bad = std::get_if<Response>(&verdict_text)) return std::move(*bad);
            auto verdict = verdict_from_name(std::get<std::string>(verdict_text));
            if (!verdict) return invalid_body("decision must be approve, edit or reject");
            auto reason = string_field(b, "reason", true);
            if (auto* bad = std::get_if<Response>(&reason)) return std::move(*bad);
            std::optional<Recommendation> edited;
            if (const json::Value* rec = b.get("recommendation"); rec != nullptr) {
              if (!rec->is_object()) return invalid_body("'recommendation' must be an object");
              if (auto bad = only_fields(*rec, {"action", "text"})) return std::move(*bad);
              auto text = string_field(*rec, "text", true);
              if (auto* bad = std::get_if<Response>(&text)) return std::move(*bad);
              auto act = string_field(*rec, "action", false);
              if (auto* bad = std::get_if<Response>(&act)) return std::move(*bad);
              edited = Recommendation{std::get<std::string>(act), std::get<std::string>(text), ""};
            }
            const Case* before = ctx_.cases.find(id);
            const Recommendation old =
                before != nullptr ? before->recommendation : Recommendation{};
            // Authority: money and judgement the caller's role may not give go to a role that
            // may. A reject gives nothing, so anyone who may decide may reject.
            if (before != nullptr && *verdict != Verdict::kReject) {
              const std::string role(auth::role_name(c.role));
              const std::string& needs = before->recommendation.needs_approval_by;
              AuthorityVerdict v;
              if (!needs.empty() && role_rank(role) < role_rank(needs)) {
                v = AuthorityVerdict{false, "this case needs a " + needs + "'s approval", needs};
              } else if (ctx_.authority) {
                v = ctx_.authority(role, before->compensation);
              }
              if (!v.allowed) {
                json::Object error;
                error.append("code", "over_limit");
                error.append("message", v.reason);
                error.append("route_to", v.route_to);
                json::Object o;
                o.append("error", std::move(error));
                return json_response(http::status::forbidden, o);
              }
            }
            action = "case." + std::string(verdict_name(*verdict));
            detail.append("reason", std::get<std::string>(reason));
            auto r = ctx_.cases.decide(id, *verdict, std::get<std::string>(reason), edited,
                                       c.as_case_actor(), at);
            if (*verdict == Verdict::kEdit && std::holds_alternative<CaseChange>(r)) {
              detail.append("before", recommendation_to_json(old));
              detail.append("after", recommendation_to_json(ctx_.cases.find(id)->recommendation));
            }
            return r;
          }));

  // The drafted follow-up message: a customer-facing message, so a person decides.
  private_.add(
      http::verb::post, "/api/v1/cases/{id}/follow-up",
      case_action(Permission::kCaseDecide,
                  [this](const json::Value& b, const std::string& id, const Caller& c, WallTime at,
                         std::string& action, json::Object& detail) -> Result {
                    if (auto bad = only_fields(b, {"decision", "message", "reason"})) {
                      return std::move(*bad);
                    }
                    auto decision = string_field(b, "decision", true);
                    if (auto* bad = std::get_if<Response>(&decision)) return std::move(*bad);
                    const std::string& d = std::get<std::string>(decision);
                    if (d != "send" && d != "skip") {
                      return invalid_body("decision must be send or skip");
                    }
                    auto message = string_field(b, "message", false);
                    if (auto* bad = std::get_if<Response>(&message)) return std::move(*bad);
                    auto reason = string_field(b, "reason", true);
                    if (auto* bad = std::get_if<Response>(&reason)) return std::move(*bad);
                    action = "case.follow_up." + d;
                    detail.append("reason", std::get<std::string>(reason));
                    auto r = ctx_.cases.finish_follow_up(
                        id, d == "send", std::get<std::string>(message),
                        std::get<std::string>(reason), c.as_case_actor(), at);
                    if (std::holds_alternative<CaseChange>(r)) {
                      detail.append("message", ctx_.cases.find(id)->follow_up->message);
                    }
                    return r;
                  }));
  private_.add(http::verb::get, "/api/v1/budget",
               guarded(Permission::kCaseRead, [this](const Request&, const Params&, const Caller&) {
                 return json_response(http::status::ok,
                                      ctx_.budget ? ctx_.budget() : json::Value(json::Object{}));
               }));
  private_.add(
      http::verb::get, "/api/v1/floor",
      guarded(Permission::kFloorRead, [this](const Request&, const Params&, const Caller&) {
        return json_response(http::status::ok,
                             floor_to_json(ctx_.tables ? ctx_.tables() : std::vector<TableView>{},
                                           ctx_.cases, ctx_.clock().wall));
      }));

  // ---- users and audit (managers) -------------------------------------------------------
  private_.add(
      http::verb::get, "/api/v1/users",
      guarded(Permission::kUsersManage, [this](const Request&, const Params&, const Caller&) {
        json::Array users;
        for (const auto& u : ctx_.users.list_users()) users.push_back(user_json(u));
        json::Object o;
        o.append("users", std::move(users));
        return json_response(http::status::ok, o);
      }));
  private_.add(http::verb::post, "/api/v1/users",
               guarded(Permission::kUsersManage,
                       [this](const Request& req, const Params&, const Caller& c) -> Response {
                         auto body = body_object(req, false);
                         if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
                         const json::Value& b = std::get<json::Value>(body);
                         if (auto bad = only_fields(b, {"name", "role", "pin"}))
                           return std::move(*bad);
                         auto name = string_field(b, "name", true);
                         if (auto* bad = std::get_if<Response>(&name)) return std::move(*bad);
                         auto role_text = string_field(b, "role", true);
                         if (auto* bad = std::get_if<Response>(&role_text)) return std::move(*bad);
                         auto pin = string_field(b, "pin", true);
                         if (auto* bad = std::get_if<Response>(&pin)) return std::move(*bad);
                         auto role = auth::parse_role(std::get<std::string>(role_text));
                         if (!role || !auth::is_person_role(*role)) {
                           return invalid_body("role must be staff, manager or admin");
                         }
                         auto made = ctx_.users.create_user(std::get<std::string>(name), *role,
                                                            std::get<std::string>(pin),
                                                            c.as_auth_actor(), ctx_.clock().wall);
                         if (!made.ok()) return account_refused(made.problem);
                         return json_response(http::status::created, user_json(*made.value));
                       }));
  private_.add(
      http::verb::post, "/api/v1/users/{id}/disable",
      guarded(Permission::kUsersManage,
              [this](const Request&, const Params& p, const Caller& c) -> Response {
                auto id = parse_id(p.path_param("id"));
                if (!id) {
                  return refuse(http::status::not_found, error_code::kNotFound, "no such user");
                }
                auto r = ctx_.users.disable_user(*id, c.as_auth_actor(), ctx_.clock().wall);
                if (!r.ok()) return account_refused(r.problem);
                return json_response(http::status::ok, user_json(*r.value));
              }));
  // Changing one's own PIN needs no management right; Users checks the rest.
  private_.add(http::verb::post, "/api/v1/users/{id}/pin",
               guarded(Permission::kCaseRead,
                       [this](const Request& req, const Params& p, const Caller& c) -> Response {
                         auto id = parse_id(p.path_param("id"));
                         if (!id) {
                           return refuse(http::status::not_found, error_code::kNotFound,
                                         "no such user");
                         }
                         auto body = body_object(req, false);
                         if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
                         const json::Value& b = std::get<json::Value>(body);
                         if (auto bad = only_fields(b, {"pin"})) return std::move(*bad);
                         auto pin = string_field(b, "pin", true);
                         if (auto* bad = std::get_if<Response>(&pin)) return std::move(*bad);
                         auto r = ctx_.users.change_pin(*id, std::get<std::string>(pin),
                                                        c.as_auth_actor(), ctx_.clock().wall);
                         if (!r.ok()) return account_refused(r.problem);
                         return json_response(http::status::ok, user_json(*r.value));
                       }));
  private_.add(http::verb::get, "/api/v1/audit",
               guarded(Permission::kAuditRead,
                       [this](const Request&, const Params& p, const Caller&) -> Response {
                         std::size_t limit = 100;
                         std::int64_t before = 0;
                         for (const auto& [k, v] : p.query.items()) {
                           auto n = parse_id(&v);
                           if (k == "limit" && n && *n >= 1 &&
                               *n <= static_cast<std::int64_t>(kMaxAuditPage)) {
                             limit = static_cast<std::size_t>(*n);
                           } else if (k == "before" && n) {
                             before = *n;
                           } else {
                             return refuse(http::status::bad_request, error_code::kInvalidParameter,
                                           "allowed: limit (1 to 500) and before (an entry's seq)");
                           }
                         }
                         json::Array entries;
                         for (const auto& row : ctx_.store.audit(limit, before)) {
                           json::Object e;
                           e.append("seq", row.id);
                           e.append("at", format_rfc3339(row.at));
                           json::Object actor;
                           actor.append("id", row.actor);
                           actor.append("role", row.role);
                           e.append("actor", std::move(actor));
                           e.append("action", row.action);
                           e.append("subject", row.target);
                           auto detail = json::parse(row.detail);
                           e.append("detail",
                                    detail ? std::move(*detail.value) : json::Value(row.detail));
                           e.append("hash", row.hash);
                           entries.emplace_back(std::move(e));
                         }
                         json::Object o;
                         o.append("entries", std::move(entries));
                         return json_response(http::status::ok, o);
                       }));
}

std::optional<Caller> App::authenticate(const Request& req, WallTime now) {
  const std::string_view authz = req[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authz.size() > kBearer.size() && authz.substr(0, kBearer.size()) == kBearer) {
    auto token = ctx_.users.verify_token(authz.substr(kBearer.size()));
    if (!token) return std::nullopt;
    return Caller{"token:" + std::to_string(token->id), token->role, token->label, {}, 0};
  }
  const std::string secret = cookie_value(req[http::field::cookie], kSessionCookie);
  if (secret.empty()) return std::nullopt;
  auto s = ctx_.users.session(secret, now);
  if (!s) return std::nullopt;
  return Caller{"user:" + std::to_string(s->user_id), s->role, s->user_name, secret, s->user_id};
}

std::optional<Principal> App::authorize_upgrade(const Request& req) {
  auto c = authenticate(req, ctx_.clock().wall);
  if (!c || !auth::allows(c->role, Permission::kFloorRead)) return std::nullopt;
  return Principal{c->id, std::string(auth::role_name(c->role))};
}

Response App::serve_static(const Request& req) const {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  if (path == "/") path = "/index.html";
  if (ctx_.ui_dir.empty() || !safe_static_path(path)) {
    return refuse(http::status::not_found, error_code::kNotFound, "no such page");
  }
  const std::filesystem::path file = ctx_.ui_dir / std::filesystem::path(path.substr(1));
  auto body = read_small_file(file);
  if (!body) return refuse(http::status::not_found, error_code::kNotFound, "no such page");
  auto res = text_response(http::status::ok, std::move(*body), content_type_for(file));
  // Vite names built assets by their content hash: they never change under one name.
  if (path.rfind("/assets/", 0) == 0) {
    res.set(http::field::cache_control, "public, max-age=31536000, immutable");
  } else {
    res.set(http::field::cache_control, "no-cache");
  }
  return res;
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
    return serve_static(req);
  }
  Response pub = public_.route(req, rc);
  if (pub.result() != http::status::not_found && pub.result() != http::status::method_not_allowed) {
    return pub;
  }
  if (pub.result() == http::status::method_not_allowed) return pub;

  const Now now = ctx_.clock();
  auto caller = authenticate(req, now.wall);
  if (!caller) return unauthorized();
  if (state_changing(req.method()) && !caller->session_secret.empty() &&
      !auth::Users::csrf_matches(caller->session_secret, req[kCsrfHeader])) {
    return refuse(http::status::forbidden, "csrf_failed",
                  "the CSRF token is missing or wrong: reload the page");
  }
  current_ = std::make_unique<Caller>(std::move(*caller));
  Response res = private_.route(req, rc);
  current_.reset();
  return res;
}

std::vector<std::string> App::route_names() const {
  std::vector<std::string> out;
  for (const Router* r : {&public_, &private_}) {
    for (const auto& name : r->route_names()) out.push_back(name);
  }
  return out;
}

}  // namespace mend::web
