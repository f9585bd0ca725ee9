// The tablet API through App::handle, without a socket: a real SQLite store and real Argon2
// (at its cheapest), a case book, and a manual clock so idle expiry and lockout delays are
// reached without waiting.
#include "web/app.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "adapters/auth/secrets.hpp"
#include "adapters/auth/setup_code.hpp"
#include "adapters/auth/users.hpp"
#include "adapters/store/store.hpp"
#include "core/case_actions.hpp"
#include "core/json.hpp"
#include "core/service.hpp"

namespace mend::web {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr WallTime kT0 = wall_from_ms(1'795'000'000'000);
constexpr std::string_view kManagerPin = "482913";
constexpr std::string_view kStaffPin = "715264";

json::Value parse(const std::string& s) {
  auto r = json::parse(s);
  EXPECT_TRUE(r) << s;
  return r ? *r.value : json::Value();
}

std::string error_code_of(const Response& r) {
  auto v = json::parse(r.body());
  if (!v) return {};
  const json::Value* e = v.value->get("error");
  const json::Value* c = e != nullptr ? e->get("code") : nullptr;
  return c != nullptr && c->as_string() != nullptr ? *c->as_string() : std::string();
}

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("mend_app_test_" + std::to_string(rd()));
    fs::create_directories(dir_ / "ui" / "assets");
    std::ofstream(dir_ / "ui" / "index.html") << "<!doctype html><title>Mend</title>";
    std::ofstream(dir_ / "ui" / "assets" / "app-1234.js") << "console.log(1)";
    std::ofstream(dir_ / "secret.txt") << "not for the web";
    store_ = Store::open(StoreOptions{(dir_ / "mend.db").string(), true});
    auth::AuthOptions o;
    o.pin_hash = auth::PinHashParams::fastest();
    o.session.idle = 30min;
    users_ = std::make_unique<auth::Users>(*store_, o);
    auto [code, text] = auth::SetupCode::generate(mono_, 24h);
    setup_ = std::make_unique<auth::SetupCode>(std::move(code));
    setup_text_ = text;
    basic_ = std::make_unique<ApiContext>(ApiContext{
        book_, metrics_, [] { return true; }, [] { return true; }, "v-1", "0.1.0", {}, {}});
    // Actions go through the core's carry_out, as in the daemon; what changed is recorded.
    HandlerContext ctx{*basic_,
                       book_,
                       *users_,
                       *store_,
                       [this] { return tables_; },
                       [this] {
                         return Now{wall_, mono_};
                       },
                       [this](const PersonAction& a) -> ActionResult {
                         auto out = carry_out(book_, a, authority_, wall_);
                         if (auto* no = std::get_if<ActionRefusal>(&out)) return *no;
                         const auto& done = std::get<ActionDone>(out);
                         changes_.push_back(done.action + " " + done.case_id + " by " + a.by.id);
                         return *book_.find(done.case_id);
                       },
                       [] { return json::Value(json::Object{}); },
                       [this] { return static_cast<auth::SetupGate*>(setup_.get()); },
                       [this] { setup_done_ = true; },
                       dir_ / "ui",
                       R"({"openapi":"3.0.3"})"};
    // The digital employees and reports go through a recovery service and into the store, as
    // in the daemon: its effects' cases and audit records are committed before the answer.
    ctx.employees = [this] { return service_.employees(); };
    ctx.cases_since = [this](WallTime since) { return store_->load_cases_opened_since(since); };
    ctx.change_employee = [this](const EmployeeChange& ch) -> EmployeeResult {
      ActionEffects r = service_.change_employee(ch, Now{wall_, mono_});
      if (auto* no = std::get_if<ActionRefusal>(&r)) return *no;
      commit(std::get<Effects>(r));
      return service_.employees();
    };
    ctx.report = [this](const CaseReport& report) -> ActionResult {
      ActionEffects r = service_.report(report, Now{wall_, mono_});
      if (auto* no = std::get_if<ActionRefusal>(&r)) return *no;
      commit(std::get<Effects>(r));
      return *service_.cases().find(std::get<Effects>(r).opened.front());
    };
    ctx.guests = [this]() -> const GuestBook* { return &service_.guests(); };
    ctx.change_guest = [this](const GuestChange& ch) -> GuestResult {
      const Now now{wall_, mono_};
      ActionEffects r = ch.note ? service_.note_guest(ch.guest, *ch.note, ch.by, ch.by_name, now)
                                : service_.edit_guest(ch.guest, *ch.edit, ch.by, ch.by_name, now);
      if (auto* no = std::get_if<ActionRefusal>(&r)) return *no;
      commit(std::get<Effects>(r));
      return *service_.guests().record(ch.guest);
    };
    app_ = std::make_unique<App>(std::move(ctx));
  }
  void TearDown() override {
    app_.reset();
    users_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void advance(Millis d) {
    wall_ += d;
    mono_ += d;
  }

  void commit(const Effects& fx) {
    for (const auto& id : fx.cases) store_->stage_case(*service_.cases().find(id));
    for (const auto& a : fx.audit) store_->stage_audit(a);
    store_->commit();
  }

  void add_user(const std::string& name, auth::Role role, std::string_view pin) {
    auto r = users_->create_user(name, role, pin, auth::Actor::system("test"), wall_);
    ASSERT_TRUE(r.ok()) << r.problem.message;
  }

  Response call(http::verb method, const std::string& target, const std::string& body = {},
                const std::map<std::string, std::string>& headers = {}, bool tls = false) {
    Request req{method, target, 11};
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    return app_->handle(req, RequestContext{tls});
  }

  struct Signed {
    std::string cookie;  // "mend_session=..."
    std::string csrf;
  };
  Signed sign_in(const std::string& name, std::string_view pin, bool tls = false) {
    auto r = call(http::verb::post, "/api/v1/session",
                  R"({"name":")" + name + R"(","pin":")" + std::string(pin) + R"("})", {}, tls);
    EXPECT_EQ(r.result(), http::status::ok) << r.body();
    const std::string set = std::string(r[http::field::set_cookie]);
    Signed s;
    s.cookie = set.substr(0, set.find(';'));
    const json::Value v = parse(r.body());
    if (const json::Value* t = v.get("csrf_token"); t != nullptr && t->as_string()) {
      s.csrf = *t->as_string();
    }
    return s;
  }
  Response as(const Signed& s, http::verb method, const std::string& target,
              const std::string& body = {}, bool with_csrf = true) {
    std::map<std::string, std::string> h{{"Cookie", s.cookie}};
    if (with_csrf) h.emplace("X-CSRF-Token", s.csrf);
    return call(method, target, body, h);
  }
  // As a tablet does: read the case, then act on the version it showed (If-Match: its ETag).
  Response as_seen(const Signed& s, const std::string& target, const std::string& body) {
    const std::string prefix = "/api/v1/cases/";
    const std::string id =
        target.substr(prefix.size(), target.find('/', prefix.size()) - prefix.size());
    const Response read = as(s, http::verb::get, prefix + id);
    std::map<std::string, std::string> h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
    if (read.result() == http::status::ok)
      h.emplace("If-Match", std::string(read[http::field::etag]));
    return call(http::verb::post, target, body, h);
  }

  void open_case(const std::string& id, const std::string& table) {
    Decision d;
    d.op = Decision::Op::kOpen;
    d.case_id = id;
    d.kind = CaseKind::kTableNoOrder;
    d.subject.table = table;
    d.at = wall_;
    d.reason = "Table " + table + " has not ordered";
    d.evidence.push_back(Evidence{"ev-1", "guest.seated", wall_ - 10min, ""});
    book_.apply(d);
  }

  fs::path dir_;
  WallTime wall_ = kT0;
  MonoTime mono_ = MonoTime{} + 1h;
  std::unique_ptr<Store> store_;
  std::unique_ptr<auth::Users> users_;
  std::unique_ptr<auth::SetupCode> setup_;
  std::string setup_text_;
  bool setup_done_ = false;
  CaseBook book_;
  Metrics metrics_;
  std::vector<TableView> tables_;
  std::unique_ptr<ApiContext> basic_;
  std::unique_ptr<App> app_;
  std::vector<std::string> changes_;
  // The shift's authority as the daemon's ledger would answer; tests replace it.
  std::function<AuthorityVerdict(const std::string&, double)> authority_ =
      [](const std::string&, double) { return AuthorityVerdict{}; };
  RecoveryService service_{ServiceSettings{}, [](WallTime) { return Millis{0}; }};
};

// ---- who may call what -------------------------------------------------------------------

TEST_F(AppTest, NothingButThePublicRoutesAnswersAStranger) {
  const std::set<std::string> public_routes{
      "GET /livez",          "GET /readyz",          "GET /api/v1/openapi.json",
      "GET /api/v1/session", "POST /api/v1/session", "DELETE /api/v1/session",
      "GET /api/v1/setup",   "POST /api/v1/setup"};
  int checked = 0;
  for (const auto& name : app_->route_names()) {
    if (public_routes.count(name) != 0) continue;
    const auto space = name.find(' ');
    std::string target = name.substr(space + 1);
    for (auto pos = target.find("{id}"); pos != std::string::npos; pos = target.find("{id}")) {
      target.replace(pos, 4, "1");
    }
    const auto method = http::string_to_verb(name.substr(0, space));
    const Response r = call(method, target, method == http::verb::get ? "" : "{}");
    EXPECT_EQ(r.result(), http::status::unauthorized) << name;
    EXPECT_EQ(error_code_of(r), "unauthorized") << name;
    ++checked;
  }
  EXPECT_GE(checked, 12);
  // A path that does not exist does not tell a stranger so.
  EXPECT_EQ(call(http::verb::get, "/api/v1/nothing").result(), http::status::unauthorized);
  // The public ones do answer.
  EXPECT_EQ(call(http::verb::get, "/livez").result(), http::status::ok);
  EXPECT_EQ(call(http::verb::get, "/readyz").result(), http::status::ok);
  EXPECT_EQ(call(http::verb::get, "/api/v1/setup").result(), http::status::ok);
  EXPECT_EQ(call(http::verb::get, "/api/v1/openapi.json").result(), http::status::ok);
  EXPECT_EQ(call(http::verb::get, "/").result(), http::status::ok);
}

TEST_F(AppTest, SignInSetsAStrictHttpOnlyCookieSecureOnlyOverTls) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  for (bool tls : {false, true}) {
    auto r = call(http::verb::post, "/api/v1/session",
                  R"({"name":"Morgan","pin":")" + std::string(kManagerPin) + R"("})", {}, tls);
    ASSERT_EQ(r.result(), http::status::ok);
    const std::string cookie(r[http::field::set_cookie]);
    EXPECT_NE(cookie.find("mend_session="), std::string::npos);
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure") != std::string::npos, tls) << cookie;
    const json::Value v = parse(r.body());
    EXPECT_EQ(*v.get("user")->get("role")->as_string(), "manager");
    EXPECT_FALSE(v.get("csrf_token")->as_string()->empty());
  }
}

TEST_F(AppTest, WrongPinIsOneAnswerForEveryReason) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  const auto wrong =
      call(http::verb::post, "/api/v1/session", R"({"name":"Morgan","pin":"999111"})");
  const auto nobody =
      call(http::verb::post, "/api/v1/session", R"({"name":"Nobody","pin":"999111"})");
  EXPECT_EQ(wrong.result(), http::status::unauthorized);
  EXPECT_EQ(error_code_of(wrong), "sign_in_refused");
  EXPECT_EQ(nobody.result(), wrong.result());
  EXPECT_EQ(nobody.body(), wrong.body());
}

TEST_F(AppTest, RepeatedWrongPinsLockTheAccountWithAGrowingDelay) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  const std::string bad = R"({"name":"Morgan","pin":"999111"})";
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 8; ++i) {
    auto r = call(http::verb::post, "/api/v1/session", bad);
    if (r.result() == http::status::too_many_requests) {
      EXPECT_EQ(error_code_of(r), "locked_out");
      const std::int64_t wait = std::stoll(std::string(r[http::field::retry_after]));
      delays.push_back(wait);
      // Even the right PIN is refused while locked: the PIN is not even checked.
      auto right = call(http::verb::post, "/api/v1/session",
                        R"({"name":"Morgan","pin":")" + std::string(kManagerPin) + R"("})");
      EXPECT_EQ(right.result(), http::status::too_many_requests);
      advance(std::chrono::seconds(wait));
      r = call(http::verb::post, "/api/v1/session", bad);
    }
    EXPECT_EQ(r.result(), http::status::unauthorized) << i;
  }
  ASSERT_GE(delays.size(), 3u);
  for (std::size_t i = 1; i < delays.size(); ++i) EXPECT_GT(delays[i], delays[i - 1]);
}

TEST_F(AppTest, StateChangeWithoutTheCsrfTokenIsRefused) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  open_case("c-1", "T1");
  const Signed s = sign_in("Sam", kStaffPin);
  auto without = as(s, http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}", false);
  EXPECT_EQ(without.result(), http::status::forbidden);
  EXPECT_EQ(error_code_of(without), "csrf_failed");
  Signed wrong = s;
  // Another first character, whatever the real token's is.
  wrong.csrf[0] = wrong.csrf[0] == 'x' ? 'y' : 'x';
  ASSERT_NE(wrong.csrf, s.csrf);
  EXPECT_EQ(as(wrong, http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}").result(),
            http::status::forbidden);
  EXPECT_EQ(book_.find("c-1")->status, CaseStatus::kOpen);
  EXPECT_TRUE(changes_.empty());
  auto with = as(s, http::verb::post, "/api/v1/cases/c-1/acknowledge", R"({"note":"on it"})");
  EXPECT_EQ(with.result(), http::status::ok) << with.body();
  EXPECT_EQ(book_.find("c-1")->status, CaseStatus::kAcknowledged);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0], "case.acknowledge c-1 by user:1");
  // Reads need no CSRF token.
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/cases", "", false).result(), http::status::ok);
}

TEST_F(AppTest, SessionPastItsIdleExpiryIsRefused) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  const Signed s = sign_in("Sam", kStaffPin);
  advance(29min);
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/floor").result(), http::status::ok);
  advance(29min);  // seen 29 min ago: still inside the 30 min idle limit
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/floor").result(), http::status::ok);
  advance(31min);
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/floor").result(), http::status::unauthorized);
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/session").result(), http::status::unauthorized);
}

TEST_F(AppTest, StaffCannotDecideWhatNeedsAManagerAManagerCan) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  open_case("c-1", "T1");
  book_.annotate("c-1", Recommendation{"comp_item", "Dessert on the house", "manager"}, "why", {},
                 {CaseAction{"comp_item", 20, "Dessert on the house"}}, 20);
  const std::string approve = R"({"decision":"approve","reason":"fair"})";
  auto staff = as_seen(sign_in("Sam", kStaffPin), "/api/v1/cases/c-1/decide", approve);
  EXPECT_EQ(staff.result(), http::status::forbidden);
  EXPECT_EQ(error_code_of(staff), "over_limit");
  EXPECT_EQ(*parse(staff.body()).get("error")->get("route_to")->as_string(), "manager");
  EXPECT_EQ(book_.find("c-1")->status, CaseStatus::kOpen);
  auto manager = as_seen(sign_in("Morgan", kManagerPin), "/api/v1/cases/c-1/decide", approve);
  ASSERT_EQ(manager.result(), http::status::ok) << manager.body();
  EXPECT_EQ(*parse(manager.body()).get("status")->as_string(), "actioned");
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0], "case.approve c-1 by user:2");
}

TEST_F(AppTest, StaffCannotReadUsersOrAudit) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  const Signed s = sign_in("Sam", kStaffPin);
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/users").result(), http::status::forbidden);
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/audit").result(), http::status::forbidden);
  EXPECT_EQ(
      as(s, http::verb::post, "/api/v1/users", R"({"name":"Eve","role":"admin","pin":"583920"})")
          .result(),
      http::status::forbidden);
}

TEST_F(AppTest, ManagerAddsStaffAndTheAuditLogSaysWho) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  const Signed m = sign_in("Morgan", kManagerPin);
  auto made =
      as(m, http::verb::post, "/api/v1/users", R"({"name":"Sam","role":"staff","pin":"715264"})");
  ASSERT_EQ(made.result(), http::status::created) << made.body();
  auto weak =
      as(m, http::verb::post, "/api/v1/users", R"({"name":"Kim","role":"staff","pin":"123456"})");
  EXPECT_EQ(weak.result(), http::status::bad_request);
  EXPECT_EQ(error_code_of(weak), "bad_pin");
  auto admin =
      as(m, http::verb::post, "/api/v1/users", R"({"name":"Kim","role":"admin","pin":"715264"})");
  EXPECT_EQ(admin.result(), http::status::forbidden);  // a manager cannot make an admin
  auto audit = as(m, http::verb::get, "/api/v1/audit?limit=10");
  ASSERT_EQ(audit.result(), http::status::ok);
  const json::Value v = parse(audit.body());
  bool found = false;
  for (const auto& e : *v.get("entries")->as_array()) {
    if (*e.get("action")->as_string() == "user.create" &&
        *e.get("actor")->get("id")->as_string() == "user:1") {
      found = true;
    }
  }
  EXPECT_TRUE(found) << audit.body();
}

TEST_F(AppTest, BearerTokenReadsWithoutCsrfButCannotAct) {
  auto t =
      users_->create_token(auth::Role::kIntegration, "pos", auth::Actor::system("test"), wall_);
  ASSERT_TRUE(t.ok());
  open_case("c-1", "T1");
  const std::map<std::string, std::string> h{{"Authorization", "Bearer " + t.value->secret}};
  EXPECT_EQ(call(http::verb::get, "/api/v1/cases", "", h).result(), http::status::ok);
  EXPECT_EQ(call(http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}", h).result(),
            http::status::forbidden);
  const std::map<std::string, std::string> bad{{"Authorization", "Bearer mend_nope"}};
  EXPECT_EQ(call(http::verb::get, "/api/v1/cases", "", bad).result(), http::status::unauthorized);
}

// ---- first run ---------------------------------------------------------------------------

TEST_F(AppTest, SetupCodeMakesTheFirstAdminOnce) {
  const std::string body = R"({"code":")" + setup_text_ + R"(","name":"Owner","pin":"583920"})";
  auto wrong = call(http::verb::post, "/api/v1/setup",
                    R"({"code":"00000-00000-00000-00000","name":"Owner","pin":"583920"})");
  EXPECT_EQ(wrong.result(), http::status::forbidden);
  EXPECT_EQ(error_code_of(wrong), "setup_code_wrong");
  auto weak = call(http::verb::post, "/api/v1/setup",
                   R"({"code":")" + setup_text_ + R"(","name":"Owner","pin":"111111"})");
  EXPECT_EQ(error_code_of(weak), "bad_pin");
  auto ok = call(http::verb::post, "/api/v1/setup", body);
  ASSERT_EQ(ok.result(), http::status::created) << ok.body();
  EXPECT_TRUE(setup_done_);
  EXPECT_EQ(*parse(ok.body()).get("user")->get("role")->as_string(), "admin");
  EXPECT_NE(std::string(ok[http::field::set_cookie]).find("mend_session="), std::string::npos);
  EXPECT_FALSE(*parse(call(http::verb::get, "/api/v1/setup").body()).get("needed")->as_bool());
  auto again = call(http::verb::post, "/api/v1/setup", body);
  EXPECT_EQ(again.result(), http::status::forbidden);
  EXPECT_EQ(error_code_of(again), "setup_closed");
}

// ---- cases and the floor -----------------------------------------------------------------

TEST_F(AppTest, CaseActionsAnswerConflictsAndBadBodies) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  open_case("c-1", "T1");
  const Signed s = sign_in("Sam", kStaffPin);
  EXPECT_EQ(as(s, http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}").result(),
            http::status::ok);
  auto twice = as(s, http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}");
  EXPECT_EQ(twice.result(), http::status::conflict);
  EXPECT_EQ(error_code_of(twice), "conflict");
  auto cause = as(s, http::verb::post, "/api/v1/cases/c-1/resolve", R"({"root_cause":"luck"})");
  EXPECT_EQ(cause.result(), http::status::bad_request);
  EXPECT_EQ(error_code_of(cause), "invalid_body");
  auto not_json = as(s, http::verb::post, "/api/v1/cases/c-1/resolve", "{root_cause");
  EXPECT_EQ(not_json.result(), http::status::bad_request);
  auto unknown = as(s, http::verb::post, "/api/v1/cases/c-1/resolve",
                    R"({"root_cause":"people","colour":"red"})");
  EXPECT_EQ(unknown.result(), http::status::bad_request);
  auto missing = as(s, http::verb::post, "/api/v1/cases/c-404/acknowledge", "{}");
  EXPECT_EQ(missing.result(), http::status::not_found);
  auto resolved =
      as_seen(s, "/api/v1/cases/c-1/resolve", R"({"root_cause":"people","note":"short-staffed"})");
  ASSERT_EQ(resolved.result(), http::status::ok) << resolved.body();
  const json::Value v = parse(resolved.body());
  EXPECT_EQ(*v.get("resolution")->get("root_cause")->as_string(), "people");
  EXPECT_EQ(changes_.size(), 2u);
}

TEST_F(AppTest, CaseDetailCarriesTheTimelineAndGuest) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  open_case("c-1", "T1");
  const Signed s = sign_in("Sam", kStaffPin);
  advance(1min);
  as(s, http::verb::post, "/api/v1/cases/c-1/acknowledge", R"({"note":"going"})");
  const json::Value v = parse(as(s, http::verb::get, "/api/v1/cases/c-1").body());
  EXPECT_EQ(*v.get("explanation")->as_string(), "Table T1 has not ordered");
  const auto& timeline = *v.get("timeline")->as_array();
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(*timeline[0].get("what")->as_string(), "guest.seated");
  EXPECT_EQ(*timeline[1].get("what")->as_string(), "acknowledged");
  EXPECT_NE(timeline[1].get("detail")->as_string()->find("going"), std::string::npos);
}

TEST_F(AppTest, MaxAgeFiltersCases) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  open_case("c-1", "T1");
  advance(20min);
  open_case("c-2", "T2");
  const Signed s = sign_in("Sam", kStaffPin);
  const json::Value v = parse(as(s, http::verb::get, "/api/v1/cases?max_age=600").body());
  ASSERT_EQ(v.get("cases")->as_array()->size(), 1u);
  EXPECT_EQ(*(*v.get("cases")->as_array())[0].get("id")->as_string(), "c-2");
  EXPECT_EQ(as(s, http::verb::get, "/api/v1/cases?max_age=soon").result(),
            http::status::bad_request);
}

TEST_F(AppTest, FloorShowsStateTimersAndCases) {
  TableView t;
  t.table = "T1";
  t.seated = true;
  t.seated_at = kT0 - 12min;
  t.party = 4;
  t.timers.push_back(TableTimer{CaseKind::kTableNoOrder, "", kT0 - 12min, 10min, true});
  TableView u;
  u.table = "T2";
  u.seated = true;
  u.seated_at = kT0 - 40min;
  u.ordered = true;
  u.courses_waiting = {"main"};
  u.timers.push_back(TableTimer{CaseKind::kCourseSlow, "main", kT0 - 5min, 25min, false});
  tables_ = {t, u};
  open_case("c-1", "T1");
  const json::Value v = floor_to_json(tables_, book_, kT0);
  const auto& rows = *v.get("tables")->as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[0].get("state")->as_string(), "seated");
  EXPECT_EQ(*rows[1].get("state")->as_string(), "course_fired");
  const json::Value& timer = (*rows[0].get("timers")->as_array())[0];
  EXPECT_EQ(*timer.get("threshold_s")->as_double(), 600.0);
  EXPECT_TRUE(*timer.get("breached")->as_bool());
  EXPECT_FALSE(*(*rows[1].get("timers")->as_array())[0].get("breached")->as_bool());
  EXPECT_EQ(*(*rows[0].get("cases")->as_array())[0].as_string(), "c-1");
  EXPECT_TRUE(rows[1].get("cases")->as_array()->empty());
}

// ---- static files ------------------------------------------------------------------------

TEST_F(AppTest, StaticFilesStayInsideTheUiDirectory) {
  auto index = call(http::verb::get, "/");
  ASSERT_EQ(index.result(), http::status::ok);
  EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");
  auto asset = call(http::verb::get, "/assets/app-1234.js");
  ASSERT_EQ(asset.result(), http::status::ok);
  EXPECT_NE(std::string(asset[http::field::cache_control]).find("immutable"), std::string::npos);
  for (const char* evil : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/.hidden", "/assets//app-1234.js"}) {
    EXPECT_EQ(call(http::verb::get, evil).result(), http::status::not_found) << evil;
  }
  EXPECT_EQ(call(http::verb::post, "/index.html", "{}").result(), http::status::method_not_allowed);
}

// ---- the OpenAPI document ----------------------------------------------------------------

TEST(OpenApi, DocumentsEveryRouteAndNothingElse) {
  std::ifstream in(fs::path(MEND_SOURCE_DIR) / "web" / "openapi.json");
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), json::ParseLimits{64, 1u << 22});
  ASSERT_TRUE(doc) << doc.error.message;
  const json::Value* paths = doc.value->get("paths");
  ASSERT_NE(paths, nullptr);
  std::set<std::string> documented;
  for (const auto& [path, ops] : *paths->as_object()) {
    for (const auto& [method, op] : *ops.as_object()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == "GET" || upper == "POST" || upper == "DELETE" || upper == "PUT" ||
          upper == "PATCH") {
        documented.insert(upper + " " + path);
      }
    }
  }
  // The routes App serves, plus the live feed the server itself upgrades.
  Metrics metrics;
  CaseBook book;
  const fs::path dir = fs::temp_directory_path() / "mend_openapi_test";
  fs::create_directories(dir);
  fs::remove(dir / "mend.db");
  auto store = Store::open(StoreOptions{(dir / "mend.db").string(), true});
  auth::Users users(*store, auth::AuthOptions{});
  ApiContext basic{book, metrics, {}, {}, "v", "0", {}, {}};
  App app(
      HandlerContext{basic, book, users, *store, {}, [] { return Now{}; }, {}, {}, {}, {}, {}, {}});
  std::set<std::string> served;
  for (const auto& r : app.route_names()) served.insert(r);
  served.insert("GET /api/v1/live");
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << r << " is not documented";
  for (const auto& d : documented)
    EXPECT_TRUE(served.count(d)) << d << " is documented, not served";
}

TEST_F(AppTest, StaffDecideWithinTheirLimitAndTheBudgetBoundsEveryone) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  open_case("c-1", "T1");
  open_case("c-2", "T2");
  book_.annotate("c-1", Recommendation{"apology", "Apologise", "staff"}, "why", {},
                 {CaseAction{"apology", 0, "Apologise"}}, 0);
  book_.annotate("c-2", Recommendation{"comp_item", "A drink on us", "staff"}, "why", {},
                 {CaseAction{"comp_item", 6, "A drink on us"}}, 6);
  const std::string approve = R"({"decision":"approve","reason":"fair"})";
  const Signed sam = sign_in("Sam", kStaffPin);
  EXPECT_EQ(as_seen(sam, "/api/v1/cases/c-1/decide", approve).result(), http::status::ok);
  // The shift budget has run out: refused with the ledger's reason, whoever asks.
  authority_ = [](const std::string&, double amount) {
    return amount > 0 ? AuthorityVerdict{false, "the shift budget has 0 left of 300", ""}
                      : AuthorityVerdict{};
  };
  auto refused = as_seen(sam, "/api/v1/cases/c-2/decide", approve);
  EXPECT_EQ(refused.result(), http::status::forbidden);
  EXPECT_NE(refused.body().find("shift budget"), std::string::npos);
  EXPECT_EQ(book_.find("c-2")->status, CaseStatus::kOpen);
  // A reject gives nothing away: never limited by money.
  EXPECT_EQ(as_seen(sam, "/api/v1/cases/c-2/decide",
                    R"({"decision":"reject","reason":"guest left happy"})")
                .result(),
            http::status::ok);
}

TEST_F(AppTest, ResolveCanScheduleAFollowUp) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  open_case("c-1", "T1");
  const Signed s = sign_in("Sam", kStaffPin);
  auto r = as_seen(
      s, "/api/v1/cases/c-1/resolve",
      R"({"root_cause":"process","note":"x","follow_up":{"after_hours":24,"message":"Dear Ann, sorry again."}})");
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::Value v = parse(r.body());
  EXPECT_EQ(*v.get("status")->as_string(), "follow_up");
  EXPECT_EQ(*v.get("follow_up")->get("due")->as_string(), format_rfc3339(kT0 + 24h));
  auto bad = as(s, http::verb::post, "/api/v1/cases/c-1/resolve",
                R"({"root_cause":"process","follow_up":{"after_hours":-1,"message":"x"}})");
  EXPECT_EQ(bad.result(), http::status::bad_request);
}

TEST_F(AppTest, FollowUpIsSentOrSkippedBySomeoneWhoMayDecide) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  open_case("c-1", "T1");
  const Signed m = sign_in("Morgan", kManagerPin);
  auto early = as_seen(m, "/api/v1/cases/c-1/follow-up", R"({"decision":"send","reason":"ok"})");
  EXPECT_EQ(early.result(), http::status::conflict);  // nothing scheduled yet
  ASSERT_EQ(as_seen(m, "/api/v1/cases/c-1/resolve",
                    R"({"root_cause":"people","follow_up":{"after_hours":1,"message":"Dear Ann"}})")
                .result(),
            http::status::ok);
  auto bad = as(m, http::verb::post, "/api/v1/cases/c-1/follow-up",
                R"({"decision":"maybe","reason":"ok"})");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  auto sent =
      as_seen(m, "/api/v1/cases/c-1/follow-up",
              R"({"decision":"send","message":"Dear Ann, thank you.","reason":"kind words"})");
  ASSERT_EQ(sent.result(), http::status::ok) << sent.body();
  const json::Value v = parse(sent.body());
  EXPECT_EQ(*v.get("status")->as_string(), "resolved");
  EXPECT_EQ(*v.get("follow_up")->get("message")->as_string(), "Dear Ann, thank you.");
  EXPECT_EQ(changes_.back(), "case.follow_up.send c-1 by user:1");
}

// ---- case versions ------------------------------------------------------------------------

// The bug behind this: a plan re-made between a manager reading it and submitting an edit, and
// the edit applied to the new plan. Now the edit names the version it was made on.
TEST_F(AppTest, AnEditMadeOnAnOlderPlanIsRefusedWithTheCaseAsItIsNow) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  open_case("c-1", "T1");
  const Signed m = sign_in("Morgan", kManagerPin);
  const Response read = as(m, http::verb::get, "/api/v1/cases/c-1");
  ASSERT_EQ(read.result(), http::status::ok);
  EXPECT_EQ(read[http::field::etag], "\"1\"");
  EXPECT_EQ(parse(read.body()).get("version")->as_int(), 1);
  // The severity rose and the policy re-planned the case meanwhile.
  book_.annotate("c-1", Recommendation{"voucher", "A voucher worth 40", ""}, "worse now", {},
                 {CaseAction{"voucher", 40, "Voucher"}}, 40);
  const std::string edit =
      R"({"decision":"edit","reason":"cheaper","recommendation":{"text":"A coffee on us"}})";
  const std::map<std::string, std::string> seen{
      {"Cookie", m.cookie}, {"X-CSRF-Token", m.csrf}, {"If-Match", "\"1\""}};
  const Response stale = call(http::verb::post, "/api/v1/cases/c-1/decide", edit, seen);
  EXPECT_EQ(stale.result(), http::status::conflict);
  EXPECT_EQ(error_code_of(stale), "stale");
  const json::Value now = *parse(stale.body()).get("error")->get("case");
  EXPECT_EQ(now.get("version")->as_int(), 2);
  EXPECT_EQ(*now.get("recommendation")->get("text")->as_string(), "A voucher worth 40");
  EXPECT_NE(now.get("timeline"), nullptr) << "the case detail, as GET shows it";
  EXPECT_EQ(book_.find("c-1")->recommendation.text, "A voucher worth 40");
  EXPECT_TRUE(book_.find("c-1")->decisions.empty());
  EXPECT_TRUE(changes_.empty());
  // On the plan it now shows (the version in the body this time), the edit is taken.
  const Response taken = as(m, http::verb::post, "/api/v1/cases/c-1/decide",
                            R"({"decision":"edit","reason":"cheaper","version":2,)"
                            R"("recommendation":{"text":"A coffee on us"}})");
  ASSERT_EQ(taken.result(), http::status::ok) << taken.body();
  EXPECT_EQ(taken[http::field::etag], "\"3\"");
  EXPECT_EQ(book_.find("c-1")->decisions.back().before.text, "A voucher worth 40");
  EXPECT_EQ(changes_, std::vector<std::string>{"case.edit c-1 by user:1"});
}

TEST_F(AppTest, CommitmentsMustNameTheVersionAcknowledgeNeedNot) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  open_case("c-1", "T1");
  const Signed m = sign_in("Morgan", kManagerPin);
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"decide", R"({"decision":"approve","reason":"fair"})"},
           {"action", "{}"},
           {"resolve", R"({"root_cause":"people"})"},
           {"follow-up", R"({"decision":"skip","reason":"no"})"}}) {
    const Response r = as(m, http::verb::post, "/api/v1/cases/c-1/" + path, body);
    EXPECT_EQ(r.result(), http::status::precondition_required) << path << ": " << r.body();
    EXPECT_EQ(error_code_of(r), "version_required") << path;
  }
  EXPECT_EQ(book_.find("c-1")->version, 1u);
  // A malformed or contradictory version is the request's mistake.
  const auto with = [&](std::string if_match, std::string body) {
    return call(
        http::verb::post, "/api/v1/cases/c-1/action", std::move(body),
        {{"Cookie", m.cookie}, {"X-CSRF-Token", m.csrf}, {"If-Match", std::move(if_match)}});
  };
  EXPECT_EQ(with("\"one\"", "{}").result(), http::status::bad_request);
  EXPECT_EQ(with("\"1\"", R"({"version":2})").result(), http::status::bad_request);
  EXPECT_EQ(as(m, http::verb::post, "/api/v1/cases/c-1/action", R"({"version":"1"})").result(),
            http::status::bad_request);
  EXPECT_EQ(as(m, http::verb::post, "/api/v1/cases/c-1/acknowledge", "{}").result(),
            http::status::ok);
  // Acknowledged since: version 1 is stale now.
  EXPECT_EQ(error_code_of(with("W/\"1\"", "{}")), "stale");
  EXPECT_EQ(with("\"2\"", "{}").result(), http::status::ok);
}

}  // namespace
}  // namespace mend::web

namespace mend::web {
namespace {

// ---- the digital employees and a person's report -------------------------------------------

const std::string kReport =
    R"({"kind":"complaint","table":"T12","channel":"phone","what":"Cold food.","severity":"high"})";

TEST_F(AppTest, StaffReportACaseItGetsAPlanAndTheAuditLogSaysWho) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  const Signed s = sign_in("Sam", kStaffPin);
  const Response made = as(s, http::verb::post, "/api/v1/cases", kReport);
  ASSERT_EQ(made.result(), http::status::created) << made.body();
  const json::Value c = parse(made.body());
  EXPECT_EQ(*c.get("kind")->as_string(), "guest.complaint");
  EXPECT_EQ(*c.get("employee")->as_string(), "floor");
  EXPECT_EQ(*c.get("subject")->get("channel")->as_string(), "phone");
  EXPECT_EQ(*c.get("severity")->as_string(), "high");
  EXPECT_FALSE(c.get("actions")->as_array()->empty());
  EXPECT_FALSE(std::string(made[http::field::etag]).empty());
  const Response audit = as(sign_in("Morgan", kManagerPin), http::verb::get, "/api/v1/audit");
  EXPECT_NE(audit.body().find(R"("action":"case.open")"), std::string::npos) << audit.body();
  // It counts in Floor's record.
  const Response list = as(s, http::verb::get, "/api/v1/employees");
  ASSERT_EQ(list.result(), http::status::ok);
  const json::Value floor = (*parse(list.body()).get("employees")->as_array())[1];
  EXPECT_EQ(*floor.get("id")->as_string(), "floor");
  EXPECT_EQ(*floor.get("record")->get("raised")->as_int(), 1);
  EXPECT_EQ(*floor.get("record")->get("by_people")->as_int(), 1);
}

TEST_F(AppTest, AReportNeedsSignInTheRightRoleAndAGoodBody) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  EXPECT_EQ(call(http::verb::post, "/api/v1/cases", kReport).result(), http::status::unauthorized);
  const Signed s = sign_in("Sam", kStaffPin);
  const auto bad = [&](const std::string& body) {
    const Response r = as(s, http::verb::post, "/api/v1/cases", body);
    EXPECT_EQ(r.result(), http::status::bad_request) << body;
    return std::string(parse(r.body()).get("error")->get("message")->as_string()->c_str());
  };
  EXPECT_EQ(bad(R"({"kind":"complaint","channel":"phone","what":"Cold food."})"),
            "say who it is about: a table, a booking or a guest");
  EXPECT_EQ(bad(R"({"kind":"praise","table":"T1","channel":"phone","what":"Lovely."})"),
            "kind must be complaint, enquiry or other");
  EXPECT_EQ(bad(R"({"kind":"table.no_order","table":"T1","channel":"phone","what":"x"})"),
            "kind must be complaint, enquiry or other");
  EXPECT_EQ(bad(R"({"kind":"other","table":"T1","channel":"phone","what":"x","severity":"dire"})"),
            "severity must be low, medium, high or critical");
  EXPECT_EQ(bad(R"({"kind":"other","table":"T1","channel":"phone"})"), "'what' is required");
  EXPECT_TRUE(service_.cases().list(CaseFilter{}).empty());
}

TEST_F(AppTest, AnIntegrationTokenCannotReportACase) {
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  auto token =
      users_->create_token(auth::Role::kIntegration, "bridge", auth::Actor::system("test"), wall_);
  ASSERT_TRUE(token.ok());
  const Response r = call(http::verb::post, "/api/v1/cases", kReport,
                          {{"Authorization", "Bearer " + token.value->secret}});
  EXPECT_EQ(r.result(), http::status::forbidden);
}

TEST_F(AppTest, AManagerSwitchesAnEmployeeOffStaffMayNot) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  const std::string off = R"({"enabled":false,"reason":"too noisy"})";
  EXPECT_EQ(call(http::verb::patch, "/api/v1/employees/host", off).result(),
            http::status::unauthorized);
  const Signed s = sign_in("Sam", kStaffPin);
  EXPECT_EQ(as(s, http::verb::patch, "/api/v1/employees/host", off).result(),
            http::status::forbidden);
  EXPECT_TRUE(service_.employees().at(EmployeeId::kHost).enabled);

  const Signed m = sign_in("Morgan", kManagerPin);
  const Response r = as(m, http::verb::patch, "/api/v1/employees/host", off);
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::Value e = parse(r.body());
  EXPECT_FALSE(*e.get("enabled")->as_bool());
  EXPECT_EQ(*e.get("changed")->get("by")->as_string(), "user:1");
  EXPECT_FALSE(service_.employees().at(EmployeeId::kHost).enabled);
  const Response audit = as(m, http::verb::get, "/api/v1/audit");
  EXPECT_NE(audit.body().find(R"("action":"employee.change")"), std::string::npos);
  EXPECT_NE(audit.body().find(R"("enabled":{"from":true,"to":false})"), std::string::npos)
      << audit.body();
  // Everyone may read the roster; it says Host is off.
  const Response list = as(s, http::verb::get, "/api/v1/employees?days=7");
  ASSERT_EQ(list.result(), http::status::ok);
  const json::Value v = parse(list.body());
  EXPECT_EQ(*v.get("period")->get("days")->as_int(), 7);
  EXPECT_FALSE(*(*v.get("employees")->as_array())[0].get("enabled")->as_bool());
}

TEST_F(AppTest, AManagerTunesAnEmployeesLimitAndTheAuditSaysFromWhatToWhat) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  const Signed m = sign_in("Morgan", kManagerPin);
  const Response r =
      as(m, http::verb::patch, "/api/v1/employees/floor",
         R"({"limits":{"bill_slow":"12m","course.main":"20m"},"reason":"new pass"})");
  ASSERT_EQ(r.result(), http::status::ok) << r.body();
  const json::Value e = parse(r.body());
  std::map<std::string, std::string> values;
  for (const auto& l : *e.get("limits")->as_array()) {
    values[*l.get("key")->as_string()] = *l.get("value")->as_string();
  }
  EXPECT_EQ(values["bill_slow"], "12m");
  EXPECT_EQ(values["course.main"], "20m");
  EXPECT_EQ(values["course.starter"], "15m");
  const Response audit = as(m, http::verb::get, "/api/v1/audit");
  EXPECT_NE(audit.body().find(R"("limit bill_slow":{"from":"8m","to":"12m"})"), std::string::npos)
      << audit.body();
  const Response bad =
      as(m, http::verb::patch, "/api/v1/employees/floor", R"({"limits":{"bill_slow":"0s"}})");
  EXPECT_EQ(bad.result(), http::status::bad_request);
  EXPECT_NE(bad.body().find("limits.bill_slow: must be more than 0s, got 0s"), std::string::npos)
      << bad.body();
}

// A guest seated by the booking system, as the recovery service learns them.
void seat_guest(RecoveryService& service, const std::string& customer, const std::string& name,
                WallTime at, MonoTime mono) {
  Event e;
  e.id = "ev-seat-" + customer;
  e.type = EventType::kGuestSeated;
  e.ts = at;
  e.received = at;
  e.ts_from_source = true;
  GuestSeated body;
  body.table = "T4";
  body.party = 2;
  Customer c;
  c.id = customer;
  c.name = name;
  body.customer = c;
  e.body = body;
  service.on_event(e, Now{at, mono});
}

TEST_F(AppTest, StaffReadAndNoteAGuestAManagerEditsAndTheAuditNamesNoWords) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  add_user("Sam", auth::Role::kStaff, kStaffPin);
  seat_guest(service_, "cust-1", "Ada Lovelace", wall_, mono_);
  const Signed s = sign_in("Sam", kStaffPin);
  const Signed m = sign_in("Morgan", kManagerPin);

  const Response found = as(s, http::verb::get, "/api/v1/guests?q=lovelace");
  ASSERT_EQ(found.result(), http::status::ok) << found.body();
  const json::Value list = parse(found.body());
  ASSERT_EQ(list.get("guests")->as_array()->size(), 1U);
  EXPECT_EQ(*(*list.get("guests")->as_array())[0].get("id")->as_string(), "cust-1");

  const Response noted =
      as(s, http::verb::post, "/api/v1/guests/cust-1/notes", R"({"text":"likes the corner"})");
  ASSERT_EQ(noted.result(), http::status::created) << noted.body();
  const json::Value g = parse(noted.body());
  EXPECT_EQ(*(*g.get("notes")->as_array())[0].get("author")->as_string(), "Sam");
  EXPECT_EQ(*g.get("usual_party")->as_int(), 2);
  EXPECT_EQ(*g.get("preferred_table")->as_string(), "T4");

  const std::string edit = R"({"preferences":["window seat"],"health_consent":true,
                               "dietary":["nut allergy"]})";
  EXPECT_EQ(as(s, http::verb::patch, "/api/v1/guests/cust-1", edit).result(),
            http::status::forbidden);
  const Response edited = as(m, http::verb::patch, "/api/v1/guests/cust-1", edit);
  ASSERT_EQ(edited.result(), http::status::ok) << edited.body();
  const json::Value e = parse(edited.body());
  EXPECT_EQ(*(*e.get("dietary")->as_array())[0].get("basis")->as_string(), "consent");
  EXPECT_EQ(*e.get("health_consent")->get("recorded_by")->as_string(), "Morgan");

  const Response audit = as(m, http::verb::get, "/api/v1/audit");
  EXPECT_NE(audit.body().find(R"("action":"guest.note")"), std::string::npos) << audit.body();
  EXPECT_NE(audit.body().find(R"("fields":["preferences","health_consent","dietary"])"),
            std::string::npos)
      << audit.body();
  for (const char* words : {"likes the corner", "window seat", "nut allergy", "Lovelace"}) {
    EXPECT_EQ(audit.body().find(words), std::string::npos) << words;
  }

  // Bad requests say why; an unknown guest is a 404.
  const auto answer = [&](http::verb v, const std::string& target, const std::string& body) {
    const Response r = as(m, v, target, body);
    return std::to_string(static_cast<int>(r.result())) + " " + r.body();
  };
  EXPECT_EQ(answer(http::verb::get, "/api/v1/guests/nobody", "").rfind("404 ", 0), 0U);
  EXPECT_EQ(
      answer(http::verb::post, "/api/v1/guests/nobody/notes", R"({"text":"x"})").rfind("404 ", 0),
      0U);
  EXPECT_NE(answer(http::verb::post, "/api/v1/guests/cust-1/notes", R"({"text":" "})")
                .find("the note is empty"),
            std::string::npos);
  EXPECT_NE(answer(http::verb::patch, "/api/v1/guests/cust-1", "{}").find("say what changes"),
            std::string::npos);
  EXPECT_NE(answer(http::verb::patch, "/api/v1/guests/cust-1", R"({"tags":"vip"})")
                .find("'tags' must be a list of strings"),
            std::string::npos);
  EXPECT_NE(answer(http::verb::patch, "/api/v1/guests/cust-1",
                   R"({"occasions":[{"kind":"birthday","on":"soon"}]})")
                .find("must be a date"),
            std::string::npos);
  EXPECT_EQ(answer(http::verb::get, "/api/v1/guests?limit=0", "").rfind("400 ", 0), 0U);
  EXPECT_NE(answer(http::verb::get, "/api/v1/guests?who=x", "").find("unknown parameter"),
            std::string::npos);
}

TEST_F(AppTest, EmployeeChangesAndQueriesAnswerBadRequestsWithWhy) {
  add_user("Morgan", auth::Role::kManager, kManagerPin);
  const Signed m = sign_in("Morgan", kManagerPin);
  const auto code = [&](http::verb v, const std::string& target, const std::string& body = {}) {
    const Response r = as(m, v, target, body);
    return std::pair{r.result(), error_code_of(r)};
  };
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/sommelier", R"({"enabled":false})"),
            std::pair(http::status::not_found, std::string("not_found")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/host", R"({"may":"fire"})"),
            std::pair(http::status::bad_request, std::string("invalid_body")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/host", R"({"enabled":"no"})"),
            std::pair(http::status::bad_request, std::string("invalid_body")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/host", R"({})"),
            std::pair(http::status::bad_request, std::string("invalid_body")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/caretaker", R"({"enabled":false})"),
            std::pair(http::status::conflict, std::string("conflict")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/floor", R"({"limits":{"bill_slow":true}})"),
            std::pair(http::status::bad_request, std::string("invalid_body")));
  EXPECT_EQ(code(http::verb::patch, "/api/v1/employees/floor", R"({"limits":{"bill_slow":"1x"}})"),
            std::pair(http::status::bad_request, std::string("invalid_body")));
  EXPECT_EQ(code(http::verb::get, "/api/v1/employees?days=0"),
            std::pair(http::status::bad_request, std::string("invalid_parameter")));
  EXPECT_EQ(code(http::verb::get, "/api/v1/employees?weeks=2"),
            std::pair(http::status::bad_request, std::string("invalid_parameter")));
  EXPECT_EQ(call(http::verb::get, "/api/v1/employees").result(), http::status::unauthorized);
}

}  // namespace
}  // namespace mend::web
