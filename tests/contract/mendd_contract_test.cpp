// The API's documented answers, each brought about once against the real mendd: a success and
// the documented errors of every operation in web/openapi.json. Every answer (these and every
// other whole-binary test's) is recorded by the harness and validated against the document by
// tests/contract/check.mjs; this file makes sure there is something to validate for each
// operation and status, and asserts the status it expects, so a changed answer fails here too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/clock.hpp"
#include "core/json.hpp"
#include "scripts/sim/history_store.hpp"
#include "tests/integration/harness.hpp"
#include "tests/web/live_clients.hpp"

namespace mend::test {
namespace {

using web::testing::WsClient;

const std::string kVenue = "contract-venue";
const std::string kManagerPin = "482913";
const std::string kStaffPin = "715264";
const std::map<std::string, std::string> kJson{{"Content-Type", "application/json"}};

// A body over mendd's limit (64 KiB).
std::string oversize() { return std::string(std::size_t{70} * 1024, 'x'); }

int g_seq = 0;
std::string seated(const std::string& table, int party) {
  return R"({"id":"contract-)" + std::to_string(now_ms()) + "-" + std::to_string(++g_seq) +
         R"(","ts":)" + std::to_string(now_ms()) + R"(,"table":")" + table + R"(","party":)" +
         std::to_string(party) + "}";
}

struct Session {
  std::string cookie;
  std::string csrf;
};

struct Box {
  TempDir dir;
  std::unique_ptr<Mosquitto> broker;
  std::unique_ptr<Mendd> mendd;
  std::unique_ptr<MqttProbe> probe;

  // `history`: days of the simulator's story in the store before mendd first opens it.
  explicit Box(int history = 0) {
    broker = std::make_unique<Mosquitto>(dir);
    MenddOptions o;
    o.venue = kVenue;
    o.detect = "table_no_order = \"1s\"\n";
    // Staff may give nothing away: a party of 6's comped drink needs a manager.
    o.extra = "[policy]\nstaff_limit = 0\n";
    mendd = std::make_unique<Mendd>(dir, broker->port(), o);
    if (history > 0) {
      std::filesystem::create_directories(std::filesystem::path(mendd->db_path()).parent_path());
      sim::HistoryOptions h;
      const WallTime now = wall_from_ms(now_ms());
      const Millis offset = local_utc_offset(now);
      h.start = sim::monday_before(now - std::chrono::days(history), offset);
      // Up to today's midnight whatever the weekday, so the last complete week is all there.
      h.days = static_cast<int>(floor_div(to_ms(now) + offset.count(), kMsPerDay) -
                                floor_div(to_ms(h.start) + offset.count(), kMsPerDay));
      h.utc_offset = local_utc_offset(h.start);
      sim::write_history(mendd->db_path(), h, kVenue);
    }
    mendd->start();
    probe = std::make_unique<MqttProbe>(broker->port(), "contract-probe");
  }

  int port() const { return mendd->http_port(); }

  void add_user(const std::string& name, const std::string& role, const std::string& pin) {
    const std::string pin_file = dir.file("pin-" + name);
    std::ofstream(pin_file) << pin << "\n";
    run_capture({mendctl_binary(), "user", "add", "--name", name, "--role", role, "--pin-file",
                 pin_file, "--store", mendd->db_path()});
  }

  Session sign_in(const std::string& name, const std::string& pin) {
    const HttpResult r = http(port(), "POST", "/api/v1/session",
                              R"({"name":")" + name + R"(","pin":")" + pin + R"("})", kJson);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.headers.count("set-cookie") ? r.headers.at("set-cookie") : "";
    return Session{set.substr(0, set.find(';')), str(parse(r.body).get("csrf_token"))};
  }

  // What a tablet does: an action on a case says the version it was decided on, the one read
  // just before. Off where a test wants to send none.
  bool say_version = true;
  void add_version(const std::string& method, const std::string& target, const std::string& body,
                   std::map<std::string, std::string>& h) {
    static const std::string kCases = "/api/v1/cases/";
    if (!say_version || method != "POST" || target.rfind(kCases, 0) != 0 ||
        body.find("\"version\"") != std::string::npos) {
      return;
    }
    const auto slash = target.find('/', kCases.size());
    if (slash == std::string::npos) return;
    const HttpResult r = mendd->api("GET", target.substr(0, slash));
    if (auto it = r.headers.find("etag"); r.status == 200 && it != r.headers.end()) {
      h["If-Match"] = it->second;
    }
  }

  HttpResult as(const Session& s, const std::string& method, const std::string& target,
                const std::string& body = {}, bool with_csrf = true) {
    std::map<std::string, std::string> h{{"Cookie", s.cookie},
                                         {"Content-Type", "application/json"}};
    if (with_csrf) h["X-CSRF-Token"] = s.csrf;
    add_version(method, target, body, h);
    return http(port(), method, target, body, h);
  }

  HttpResult api(const std::string& method, const std::string& target,
                 const std::string& body = {}) {
    std::map<std::string, std::string> h = kJson;
    add_version(method, target, body, h);
    return mendd->api(method, target, body, h);
  }

  // Seats a table and waits (bounded) for its open case; returns the case's id.
  std::string open_case(const std::string& table, int party) {
    probe->publish("venue/" + kVenue + "/booking/guest.seated", seated(table, party));
    std::string id;
    EXPECT_TRUE(wait_until(
        [&] {
          const HttpResult r = api("GET", "/api/v1/cases?status=open");
          if (r.status != 200) return false;
          const json::Value list = parse(r.body);  // alive across the loop
          for (const auto& c : *list.get("cases")->as_array()) {
            if (str(c.get("subject")->get("table")) == table) id = str(c.get("id"));
          }
          return !id.empty();
        },
        15s, 50ms))
        << "no case for " << table;
    return id;
  }
};

std::string path_of(const std::string& pointer_path, const std::string& id) {
  std::string target = pointer_path;
  for (auto pos = target.find("{id}"); pos != std::string::npos; pos = target.find("{id}")) {
    target.replace(pos, 4, id);
  }
  return target;
}

struct Operation {
  std::string method;  // upper case
  std::string path;
  std::set<std::string> statuses;
  bool public_route = false;  // `security: []`
};

std::vector<Operation> documented_operations() {
  auto doc = parse(read_file(std::string(MEND_SOURCE_DIR) + "/web/openapi.json"));
  std::vector<Operation> out;
  for (const auto& [path, item] : *doc.get("paths")->as_object()) {
    for (const auto& [method, op] : *item.as_object()) {
      if (method != "get" && method != "post" && method != "delete") continue;
      Operation o;
      for (char c : method)
        o.method += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      o.path = path;
      for (const auto& [status, response] : *op.get("responses")->as_object()) {
        (void)response;
        o.statuses.insert(status);
      }
      const json::Value* security = op.get("security");
      o.public_route =
          security != nullptr && security->as_array() != nullptr && security->as_array()->empty();
      out.push_back(std::move(o));
    }
  }
  return out;
}

// ---- sign-in and first run ---------------------------------------------------------------

TEST(Contract, FirstRunSetupThenSignInAndOut) {
  Box box;
  EXPECT_EQ(http(box.port(), "GET", "/livez").status, 200);
  EXPECT_EQ(http(box.port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/openapi.json").status, 200);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/setup").status, 200);

  std::smatch m;
  std::string log;
  ASSERT_TRUE(wait_until(
      [&] {
        log = box.mendd->log();
        return std::regex_search(log, m, std::regex(R"(setup code (\S+) \(valid)"));
      },
      10s))
      << log;
  const std::string code = m[1];
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/setup", "[1]", kJson).status, 400);
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/setup",
                 R"({"code":"WRONG-CODE","name":"Alex","pin":"640271"})", kJson)
                .status,
            403);
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/setup", oversize(), kJson).status, 413);
  const HttpResult made = http(box.port(), "POST", "/api/v1/setup",
                               R"({"code":")" + code + R"(","name":"Alex","pin":"640271"})", kJson);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string set_cookie =
      made.headers.count("set-cookie") ? made.headers.at("set-cookie") : "";
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/session", {}, {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/session").status, 401);

  // Sign-in: refused, malformed, then locked out after the free wrong PINs.
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/session", "{}", kJson).status, 400);
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/session", oversize(), kJson).status, 413);
  const Session alex = box.sign_in("Alex", "640271");
  EXPECT_EQ(box.as(alex, "DELETE", "/api/v1/session", {}, false).status, 403);
  EXPECT_EQ(box.as(alex, "DELETE", "/api/v1/session").status, 204);
  int last = 0;
  for (int i = 0; i < 8 && last != 429; ++i) {
    last = http(box.port(), "POST", "/api/v1/session", R"({"name":"Alex","pin":"190273"})", kJson)
               .status;
    if (last != 429) {
      EXPECT_EQ(last, 401);
    }
  }
  EXPECT_EQ(last, 429) << "wrong PINs lock the name out";
}

// ---- what every operation refuses --------------------------------------------------------

TEST(Contract, EveryOperationRefusesAStrangerAnOversizeBodyAndAMissingCsrfToken) {
  Box box;
  box.add_user("Morgan", "manager", kManagerPin);
  const Session morgan = box.sign_in("Morgan", kManagerPin);
  int checked = 0;
  for (const Operation& o : documented_operations()) {
    const std::string target = path_of(o.path, "1");
    if (o.path == "/api/v1/live") continue;  // an upgrade: LiveFeedUpgradesAndRefuses
    if (!o.public_route && o.statuses.count("401") != 0) {
      EXPECT_EQ(http(box.port(), o.method, target, o.method == "GET" ? "" : "{}", kJson).status,
                401)
          << o.method << " " << o.path;
      ++checked;
    }
    if (o.method == "POST" && o.statuses.count("413") != 0) {
      EXPECT_EQ(box.as(morgan, o.method, target, oversize()).status, 413)
          << o.method << " " << o.path;
    }
    if (o.method == "POST" && !o.public_route && o.statuses.count("403") != 0) {
      const HttpResult r = box.as(morgan, o.method, target, "{}", false);
      EXPECT_EQ(r.status, 403) << o.method << " " << o.path << " " << r.body;
    }
  }
  EXPECT_GE(checked, 15);
}

// ---- cases -------------------------------------------------------------------------------

TEST(Contract, CasesAnswerEveryDecisionAsDocumented) {
  Box box;
  box.add_user("Sam", "staff", kStaffPin);
  const Session sam = box.sign_in("Sam", kStaffPin);
  EXPECT_EQ(box.api("GET", "/api/v1/cases").status, 200);
  EXPECT_EQ(box.api("GET", "/api/v1/cases?status=sideways").status, 400);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/audit").status, 403);
  EXPECT_EQ(box.api("GET", "/api/v1/floor").status, 200);
  EXPECT_EQ(box.api("GET", "/api/v1/budget").status, 200);
  EXPECT_EQ(box.api("GET", "/metrics").status, 200);

  // One case through acknowledge, actioned, resolved with a follow-up, and the follow-up sent.
  const std::string a = box.open_case("T1", 2);
  const std::string ca = "/api/v1/cases/" + a;
  EXPECT_EQ(box.api("GET", ca).status, 200);
  EXPECT_EQ(box.api("GET", "/api/v1/cases/c-nope").status, 404);
  EXPECT_EQ(box.api("POST", "/api/v1/cases/c-nope/acknowledge", "{}").status, 404);
  EXPECT_EQ(box.api("POST", ca + "/acknowledge", R"({"note":7})").status, 400);
  EXPECT_EQ(box.api("POST", ca + "/acknowledge", "{}").status, 200);
  EXPECT_EQ(box.api("POST", ca + "/acknowledge", "{}").status, 409);  // already acknowledged
  EXPECT_EQ(box.api("POST", ca + "/action", R"({"note":7})").status, 400);
  EXPECT_EQ(box.api("POST", "/api/v1/cases/c-nope/action", "{}").status, 404);
  EXPECT_EQ(box.api("POST", ca + "/action", R"({"note":"done"})").status, 200);
  EXPECT_EQ(box.api("POST", ca + "/action", R"({"note":"again"})").status, 409);
  EXPECT_EQ(box.api("POST", ca + "/resolve", R"({"root_cause":"luck"})").status, 400);
  EXPECT_EQ(box.api("POST", "/api/v1/cases/c-nope/resolve", R"({"root_cause":"people"})").status,
            404);
  EXPECT_EQ(box.api("POST", ca + "/follow-up", R"({"decision":"skip","reason":"none yet"})").status,
            409);  // no follow-up waiting
  EXPECT_EQ(box.api("POST", ca + "/resolve",
                    R"({"root_cause":"people","note":"short-staffed",)"
                    R"("follow_up":{"after_hours":24,"message":"Thank you for coming"}})")
                .status,
            200);
  EXPECT_EQ(box.api("POST", ca + "/follow-up", R"({"decision":"later"})").status, 400);
  EXPECT_EQ(box.api("POST", "/api/v1/cases/c-nope/follow-up", R"({"decision":"skip","reason":"x"})")
                .status,
            404);
  EXPECT_EQ(
      box.api("POST", ca + "/follow-up", R"({"decision":"send","reason":"kind words"})").status,
      200);
  EXPECT_EQ(box.api("POST", ca + "/resolve", R"({"root_cause":"people"})").status, 409);

  // A party of 6: its plan comps a drink, over the staff limit; a manager approves it, once.
  const std::string b = box.open_case("T2", 6);
  const std::string cb = "/api/v1/cases/" + b;
  const std::string approve = R"({"decision":"approve","reason":"a drink"})";
  const HttpResult over = box.as(sam, "POST", cb + "/decide", approve);
  EXPECT_EQ(over.status, 403) << over.body;
  EXPECT_EQ(str(parse(over.body).get("error")->get("code")), "over_limit");
  EXPECT_EQ(box.api("POST", cb + "/decide", R"({"decision":"maybe"})").status, 400);
  EXPECT_EQ(box.api("POST", "/api/v1/cases/c-nope/decide", approve).status, 404);
  EXPECT_EQ(box.api("POST", cb + "/decide", approve).status, 200);
  EXPECT_EQ(box.api("POST", cb + "/decide", approve).status, 409);
}

// ---- case versions ----------------------------------------------------------------------

TEST(Contract, CaseVersionsAreChecked) {
  Box box;
  box.say_version = false;
  const std::string id = box.open_case("T3", 2);
  const std::string c = "/api/v1/cases/" + id;
  const HttpResult first = box.api("GET", c);
  ASSERT_EQ(first.status, 200);
  if (first.headers.count("etag") == 0) {
    // web/openapi.json requires the ETag, so contract_check fails while it is absent.
    GTEST_SKIP() << "mendd sends no case versions yet (the server side is not merged)";
  }
  const std::int64_t seen = *parse(first.body).get("version")->as_int();
  EXPECT_EQ(first.headers.at("etag"), "\"" + std::to_string(seen) + "\"");
  const std::string reject = R"({"decision":"reject","reason":"not now"})";
  const std::map<std::string, std::string> bodies{
      {"/decide", reject},
      {"/action", R"({"note":"done"})"},
      {"/resolve", R"({"root_cause":"people"})"},
      {"/follow-up", R"({"decision":"skip","reason":"none"})"}};
  for (const auto& [action, body] : bodies) {
    const HttpResult r = box.api("POST", c + action, body);
    EXPECT_EQ(r.status, 428) << action << " " << r.body;
  }
  // Another person acknowledges: what was seen is now stale.
  const HttpResult ack = box.api("POST", c + "/acknowledge", "{}");
  ASSERT_EQ(ack.status, 200);
  const std::int64_t now = *parse(ack.body).get("version")->as_int();
  EXPECT_GT(now, seen);
  const HttpResult stale = box.mendd->api(
      "POST", c + "/decide", reject,
      {{"Content-Type", "application/json"}, {"If-Match", "\"" + std::to_string(seen) + "\""}});
  ASSERT_EQ(stale.status, 409) << stale.body;
  const json::Value refusal = parse(stale.body);
  EXPECT_EQ(str(refusal.get("error")->get("code")), "stale");
  EXPECT_EQ(*refusal.get("error")->get("case")->get("version")->as_int(), now);
  // The body's version works as well as the header.
  const HttpResult again =
      box.api("POST", c + "/decide",
              R"({"decision":"reject","reason":"not now","version":)" + std::to_string(now) + "}");
  EXPECT_EQ(again.status, 200) << again.body;
}

// ---- people and the audit log ------------------------------------------------------------

TEST(Contract, UsersAndTheAuditLogAnswerAsDocumented) {
  Box box;
  box.add_user("Sam", "staff", kStaffPin);
  const Session sam = box.sign_in("Sam", kStaffPin);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/users").status, 403);
  EXPECT_EQ(box.api("GET", "/api/v1/users").status, 200);
  const HttpResult made =
      box.api("POST", "/api/v1/users", R"({"name":"Kim","role":"staff","pin":"915372"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string kim = std::to_string(*parse(made.body).get("id")->as_int());
  EXPECT_EQ(
      box.api("POST", "/api/v1/users", R"({"name":"Kim","role":"staff","pin":"915372"})").status,
      409);
  EXPECT_EQ(box.api("POST", "/api/v1/users", R"({"name":"Lee","role":"staff","pin":"1"})").status,
            400);
  EXPECT_EQ(box.api("POST", "/api/v1/users/" + kim + "/pin", R"({"pin":"1"})").status, 400);
  EXPECT_EQ(box.api("POST", "/api/v1/users/999999/pin", R"({"pin":"826451"})").status, 404);
  EXPECT_EQ(box.api("POST", "/api/v1/users/" + kim + "/pin", R"({"pin":"826451"})").status, 200);
  EXPECT_EQ(box.api("POST", "/api/v1/users/999999/disable", "{}").status, 404);
  EXPECT_EQ(box.api("POST", "/api/v1/users/" + kim + "/disable", "{}").status, 200);
  EXPECT_EQ(box.api("GET", "/api/v1/audit?limit=5").status, 200);
  EXPECT_EQ(box.api("GET", "/api/v1/audit?limit=lots").status, 400);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/budget").status, 200);
}

// ---- the digital employees and a person's report -------------------------------------------

TEST(Contract, EmployeesAndReportsAnswerAsDocumented) {
  Box box;
  box.add_user("Sam", "staff", kStaffPin);
  const Session sam = box.sign_in("Sam", kStaffPin);
  const HttpResult made =
      box.as(sam, "POST", "/api/v1/cases",
             R"({"kind":"complaint","table":"T4","channel":"in_person","what":"Soup was cold."})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(str(parse(made.body).get("employee")), "floor");
  EXPECT_EQ(
      box.as(sam, "POST", "/api/v1/cases", R"({"kind":"complaint","channel":"phone"})").status,
      400);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/cases", "{}", false).status, 403);

  EXPECT_EQ(box.as(sam, "GET", "/api/v1/employees").status, 200);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/employees?days=1000").status, 400);
  EXPECT_EQ(
      http(box.port(), "PATCH", "/api/v1/employees/host", R"({"enabled":false})", kJson).status,
      401);
  EXPECT_EQ(box.as(sam, "PATCH", "/api/v1/employees/host", R"({"enabled":false})").status, 403);
  EXPECT_EQ(box.api("PATCH", "/api/v1/employees/sommelier", R"({"enabled":false})").status, 404);
  EXPECT_EQ(box.api("PATCH", "/api/v1/employees/host", R"({"may":"fire"})").status, 400);
  EXPECT_EQ(box.api("PATCH", "/api/v1/employees/caretaker", R"({"enabled":false})").status, 409);
  const HttpResult off = box.api("PATCH", "/api/v1/employees/host", R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(*parse(off.body).get("enabled")->as_bool());
  EXPECT_EQ(
      box.api("PATCH", "/api/v1/employees/floor", R"({"limits":{"course.main":"0s"}})").status,
      400);
  EXPECT_EQ(box.api("PATCH", "/api/v1/employees/floor", R"({"limits":["x"]})").status, 400);
  const HttpResult tuned = box.api("PATCH", "/api/v1/employees/reputation",
                                   R"({"limits":{"review_max_rating":3},"reason":"strict"})");
  ASSERT_EQ(tuned.status, 200) << tuned.body;
  EXPECT_NE(tuned.body.find(R"("key":"review_max_rating","value":"3","configured":"2")"),
            std::string::npos)
      << tuned.body;
}

// ---- guest profiles ------------------------------------------------------------------------

TEST(Contract, GuestProfilesAnswerAsDocumented) {
  Box box;
  box.add_user("Sam", "staff", kStaffPin);
  const Session sam = box.sign_in("Sam", kStaffPin);
  box.probe->publish("venue/" + kVenue + "/booking/guest.seated",
                     R"({"id":"contract-guest-1","table":"T9","party":2,)"
                     R"("customer":{"id":"cust-1","name":"Ada Lovelace"}})");
  ASSERT_TRUE(wait_until([&] { return box.as(sam, "GET", "/api/v1/guests/cust-1").status == 200; },
                         15s, 50ms))
      << "the seated guest has no profile";
  const HttpResult found = box.as(sam, "GET", "/api/v1/guests?q=lovelace&limit=5");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(parse(found.body).get("guests")->as_array()->size(), 1u);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests?limit=0").status, 400);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests").status, 401);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests/cust-1").status, 401);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests/cust-404").status, 404);
  // Integrations read cases, never profiles.
  const std::string reader =
      run_capture({mendctl_binary(), "token", "create", "--label", "reports", "--role",
                   "integration", "--store", box.mendd->db_path()});
  const std::map<std::string, std::string> as_reader{
      {"Authorization", "Bearer " + reader.substr(0, reader.find_last_not_of("\r\n") + 1)}};
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/cases", "", as_reader).status, 200);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests", "", as_reader).status, 403);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests/cust-1", "", as_reader).status, 403);

  // The Concierge's briefing: Ada's booking in an hour, with an allergy for it, is in this
  // shift's or the next one's.
  box.probe->publish("venue/" + kVenue + "/booking/booking.created",
                     R"({"id":"contract-booking-1","booking":"bk-1","party":2,"at":)" +
                         std::to_string(now_ms() + 3'600'000) +
                         R"(,"customer":{"id":"cust-1","name":"Ada Lovelace"},)"
                         R"("notes":"shellfish allergy"})");
  const auto briefed = [&] {
    std::size_t n = 0;
    for (const char* shift : {"current", "next"}) {
      const HttpResult b = box.as(sam, "GET", std::string("/api/v1/briefing?shift=") + shift);
      if (b.status != 200) return std::size_t{0};
      n += parse(b.body).get("entries")->as_array()->size();
    }
    return n;
  };
  EXPECT_TRUE(wait_until([&] { return briefed() == 1; }, 15s, 50ms))
      << "the booking with an allergy is not in the briefing";
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/briefing").status, 200);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/briefing?shift=tomorrow").status, 400);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/briefing").status, 401);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/briefing", "", as_reader).status, 403);

  const std::string note = R"({"text":"likes the corner table"})";
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/guests/cust-1/notes", note, kJson).status, 401);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/guests/cust-1/notes", note, false).status, 403);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/guests/cust-404/notes", note).status, 404);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/guests/cust-1/notes", R"({"text":""})").status, 400);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/guests/cust-1/notes", note).status, 201);

  const std::string edit = R"({"health_consent":true,"dietary":["nut allergy"]})";
  EXPECT_EQ(http(box.port(), "PATCH", "/api/v1/guests/cust-1", edit, kJson).status, 401);
  EXPECT_EQ(box.as(sam, "PATCH", "/api/v1/guests/cust-1", edit).status, 403);
  EXPECT_EQ(box.api("PATCH", "/api/v1/guests/cust-404", edit).status, 404);
  EXPECT_EQ(box.api("PATCH", "/api/v1/guests/cust-1", R"({"dietary":["nut allergy"]})").status,
            400);
  const HttpResult edited = box.api("PATCH", "/api/v1/guests/cust-1", edit);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(str(parse(edited.body).get("dietary")->as_array()->at(0).get("basis")), "consent");

  // A manager hands the guest their record; only an admin erases it.
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests/cust-1/export").status, 401);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests/cust-1/export").status, 403);
  EXPECT_EQ(box.api("GET", "/api/v1/guests/cust-404/export").status, 404);
  const HttpResult exported = box.api("GET", "/api/v1/guests/cust-1/export");
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(str(parse(exported.body).get("profile")->get("name")), "Ada Lovelace");
  const std::string admin = run_capture({mendctl_binary(), "token", "create", "--label", "owner",
                                         "--role", "admin", "--store", box.mendd->db_path()});
  const std::map<std::string, std::string> as_admin{
      {"Authorization", "Bearer " + admin.substr(0, admin.find_last_not_of("\r\n") + 1)}};
  EXPECT_EQ(http(box.port(), "DELETE", "/api/v1/guests/cust-1").status, 401);
  EXPECT_EQ(box.api("DELETE", "/api/v1/guests/cust-1").status, 403);  // a manager's token
  EXPECT_EQ(http(box.port(), "DELETE", "/api/v1/guests/cust-404", "", as_admin).status, 404);
  const HttpResult erased = http(box.port(), "DELETE", "/api/v1/guests/cust-1", "", as_admin);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(str(parse(erased.body).get("pseudonym")),
            "erased-" + str(parse(erased.body).get("ref")));
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests/cust-1").status, 404);
}

// ---- the contribution ledger ---------------------------------------------------------------

TEST(Contract, TheLedgerAnswersAsDocumented) {
  Box box;
  box.add_user("Sam", "staff", kStaffPin);
  box.add_user("Mo", "manager", "482913");
  const Session sam = box.sign_in("Sam", kStaffPin);
  const Session mo = box.sign_in("Mo", "482913");
  // Sam closes a case properly: a root cause, and the follow-up a manager sends.
  const std::string ca = "/api/v1/cases/" + box.open_case("T1", 2);
  ASSERT_EQ(box.as(sam, "POST", ca + "/resolve",
                   R"({"root_cause":"process","follow_up":{"after_hours":1,"message":"Sorry"}})")
                .status,
            200);
  ASSERT_EQ(box.api("POST", ca + "/follow-up", R"({"decision":"send","reason":"kind"})").status,
            200);

  const HttpResult mine = box.as(sam, "GET", "/api/v1/ledger/me");
  ASSERT_EQ(mine.status, 200) << mine.body;
  const json::Value me = parse(mine.body);
  const std::string sam_id = str(me.get("person"));
  ASSERT_EQ(me.get("entries")->as_array()->size(), 1u);
  const json::Value& earned = me.get("entries")->as_array()->front();
  EXPECT_EQ(str(earned.get("rule")), "case_closed");
  EXPECT_EQ(str(earned.get("status")), "awaiting_countersign");
  EXPECT_EQ(me.get("points")->as_double(), 0.0);
  const std::string seq = std::to_string(earned.get("seq")->as_int().value_or(0));
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/ledger/me?all=1").status, 400);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/ledger/me").status, 401);
  const std::string reader =
      run_capture({mendctl_binary(), "token", "create", "--label", "reports", "--role",
                   "integration", "--store", box.mendd->db_path()});
  const std::map<std::string, std::string> as_reader{
      {"Authorization", "Bearer " + reader.substr(0, reader.find_last_not_of("\r\n") + 1)}};
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/ledger/me", "", as_reader).status, 403);

  EXPECT_EQ(box.as(sam, "GET", "/api/v1/ledger/team").status, 403);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/ledger/team").status, 401);
  EXPECT_EQ(box.as(mo, "GET", "/api/v1/ledger/team?period=decade").status, 400);
  const HttpResult team = box.as(mo, "GET", "/api/v1/ledger/team?period=week");
  ASSERT_EQ(team.status, 200) << team.body;
  EXPECT_EQ(parse(team.body).get("awaiting_countersign")->as_array()->size(), 1u);

  // Mo countersigns it; staff may not, and nobody twice.
  const std::string sign = "/api/v1/ledger/" + seq + "/countersign";
  EXPECT_EQ(http(box.port(), "POST", sign, "", kJson).status, 401);
  EXPECT_EQ(box.as(sam, "POST", sign).status, 403);
  EXPECT_EQ(box.as(mo, "POST", sign, R"({"note":"x"})").status, 400);
  EXPECT_EQ(box.as(mo, "POST", "/api/v1/ledger/999/countersign").status, 404);
  const HttpResult signed_entry = box.as(mo, "POST", sign);
  ASSERT_EQ(signed_entry.status, 200) << signed_entry.body;
  EXPECT_EQ(str(parse(signed_entry.body).get("status")), "counts");
  EXPECT_EQ(box.as(mo, "POST", sign).status, 409);
  EXPECT_EQ(parse(box.as(sam, "GET", "/api/v1/ledger/me").body).get("points")->as_double(), 1.0);

  // A correction is an entry of its own; the entry it cancels stays, corrected.
  const std::string correct = "/api/v1/ledger/" + seq + "/correct";
  EXPECT_EQ(http(box.port(), "POST", correct, R"({"reason":"x"})", kJson).status, 401);
  EXPECT_EQ(box.as(sam, "POST", correct, R"({"reason":"x"})").status, 403);
  EXPECT_EQ(box.as(mo, "POST", correct, "{}").status, 400);
  EXPECT_EQ(box.as(mo, "POST", "/api/v1/ledger/999/correct", R"({"reason":"x"})").status, 404);
  const HttpResult corrected = box.as(mo, "POST", correct, R"({"reason":"wrong table"})");
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  EXPECT_EQ(str(parse(corrected.body).get("status")), "corrected");
  EXPECT_EQ(box.as(mo, "POST", correct, R"({"reason":"again"})").status, 409);

  const std::string training = "/api/v1/ledger/training";
  const std::string for_sam = R"({"person":")" + sam_id + R"(","what":"Allergen training"})";
  EXPECT_EQ(http(box.port(), "POST", training, for_sam, kJson).status, 401);
  EXPECT_EQ(box.as(sam, "POST", training, for_sam).status, 403);
  EXPECT_EQ(box.as(mo, "POST", training, R"({"person":"user:999","what":"x"})").status, 400);
  const std::string mo_id = str(parse(box.as(mo, "GET", "/api/v1/ledger/me").body).get("person"));
  EXPECT_EQ(box.as(mo, "POST", training, R"({"person":")" + mo_id + R"(","what":"x"})").status,
            409);
  const HttpResult trained = box.as(mo, "POST", training, for_sam);
  ASSERT_EQ(trained.status, 201) << trained.body;
  EXPECT_EQ(str(parse(trained.body).get("rule")), "training");

  // A guest's statement.
  box.probe->publish("venue/" + kVenue + "/booking/guest.seated",
                     R"({"id":"contract-ledger-guest","table":"T8","party":2,)"
                     R"("customer":{"id":"cust-7","name":"Bo Chen"}})");
  ASSERT_TRUE(wait_until([&] { return box.as(sam, "GET", "/api/v1/guests/cust-7").status == 200; },
                         15s, 50ms));
  const HttpResult statement = box.as(sam, "GET", "/api/v1/guests/cust-7/rewards");
  ASSERT_EQ(statement.status, 200) << statement.body;
  EXPECT_EQ(parse(statement.body).get("balance")->as_double(), 0.0);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests/cust-7/rewards?x=1").status, 400);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/guests/cust-404/rewards").status, 404);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests/cust-7/rewards").status, 401);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/guests/cust-7/rewards", "", as_reader).status, 403);
}

// ---- the learning view -------------------------------------------------------------------

TEST(Contract, TheLearningViewAnswersAsDocumented) {
  Box box(60);
  box.add_user("Sam", "staff", kStaffPin);
  const Session sam = box.sign_in("Sam", kStaffPin);

  const HttpResult month = box.api("GET", "/api/v1/insights");
  ASSERT_EQ(month.status, 200) << month.body;
  const json::Value view = parse(month.body);
  ASSERT_GT(view.get("suggestions")->as_array()->size(), 1u) << month.body;
  const std::string first = str(view.get("suggestions")->as_array()->at(0).get("id"));
  const std::string second = str(view.get("suggestions")->as_array()->at(1).get("id"));
  EXPECT_EQ(box.api("GET", "/api/v1/insights?period=custom&from=2026-11-01&to=2026-11-30").status,
            200);
  EXPECT_EQ(box.api("GET", "/api/v1/insights?period=fortnight").status, 400);
  EXPECT_EQ(box.api("GET", "/api/v1/insights?kind=course.slow&kind=bill.slow").status, 400);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/insights").status, 401);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/insights").status, 403);

  const std::string accept =
      R"({"suggestion":")" + first + R"(","decision":"accept","view":{"period":"30d"}})";
  EXPECT_EQ(http(box.port(), "POST", "/api/v1/insights/suggestions", accept, kJson).status, 401);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/insights/suggestions", accept).status, 403);
  EXPECT_EQ(box.api("POST", "/api/v1/insights/suggestions",
                    R"({"suggestion":")" + first + R"(","decision":"maybe"})")
                .status,
            400);
  EXPECT_EQ(box.api("POST", "/api/v1/insights/suggestions",
                    R"({"suggestion":"when:bill.slow:sat:20-21","decision":"accept"})")
                .status,
            404);
  const HttpResult accepted = box.api("POST", "/api/v1/insights/suggestions", accept);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const std::int64_t task = *parse(accepted.body).get("task")->as_int();
  EXPECT_EQ(box.api("POST", "/api/v1/insights/suggestions", accept).status, 409);
  const HttpResult dismissed =
      box.api("POST", "/api/v1/insights/suggestions",
              R"({"suggestion":")" + second +
                  R"(","decision":"dismiss","note":"known; a new oven is ordered"})");
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_EQ(str(parse(dismissed.body).get("decision")), "dismissed");

  const std::string done = R"({"done":true})";
  const std::string target = "/api/v1/tasks/" + std::to_string(task);
  EXPECT_EQ(http(box.port(), "PATCH", target, done, kJson).status, 401);
  EXPECT_EQ(box.as(sam, "PATCH", target, done).status, 403);
  EXPECT_EQ(box.api("PATCH", target, R"({"done":false})").status, 400);
  EXPECT_EQ(box.api("PATCH", "/api/v1/tasks/999", done).status, 404);
  const HttpResult finished = box.api("PATCH", target, done);
  ASSERT_EQ(finished.status, 200) << finished.body;
  EXPECT_FALSE(parse(finished.body).get("done_at")->is_null());
  EXPECT_EQ(box.api("PATCH", target, done).status, 409);

  // The decisions show in the view, and were audited.
  const json::Value after = parse(box.api("GET", "/api/v1/insights").body);
  EXPECT_EQ(str(after.get("suggestions")->as_array()->at(0).get("decision")->get("decision")),
            "accepted");
  EXPECT_EQ(after.get("tasks")->as_array()->size(), 1u);
  const std::string audit = box.api("GET", "/api/v1/audit?limit=20").body;
  EXPECT_NE(audit.find("suggestion.accept"), std::string::npos);
  EXPECT_NE(audit.find("suggestion.dismiss"), std::string::npos);
  EXPECT_NE(audit.find("task.done"), std::string::npos);

  const HttpResult week = box.api("GET", "/api/v1/reports/weekly");
  ASSERT_EQ(week.status, 200) << week.body;
  EXPECT_TRUE(*parse(week.body).get("complete")->as_bool());
  EXPECT_GT(*parse(week.body).get("current")->get("cases")->as_int(), 10);
  EXPECT_EQ(box.api("GET", "/api/v1/reports/weekly?week=2026-12-01").status, 400);  // a Tuesday
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/reports/weekly").status, 401);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/reports/weekly").status, 403);

  // The at-risk model: off while the box has no table-visits to learn from, and it says why.
  const HttpResult risk = box.api("GET", "/api/v1/risk/model");
  ASSERT_EQ(risk.status, 200) << risk.body;
  EXPECT_EQ(str(parse(risk.body).get("status")), "off");
  EXPECT_NE(str(parse(risk.body).get("reason")).find("table-visits with a known outcome"),
            std::string::npos)
      << risk.body;
  EXPECT_TRUE(parse(risk.body).get("model")->is_null());
  EXPECT_EQ(box.api("GET", "/api/v1/risk/model?version=1").status, 400);
  EXPECT_EQ(http(box.port(), "GET", "/api/v1/risk/model").status, 401);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/risk/model").status, 403);
}

// ---- the live feed -----------------------------------------------------------------------

TEST(Contract, LiveFeedUpgradesAndRefuses) {
  Box box;
  const std::map<std::string, std::string> bearer{
      {"Authorization", "Bearer " + box.mendd->token()}};
  const auto upgrade = [&](const std::string& target, const std::map<std::string, std::string>& h,
                           bool keep_reading) {
    WsClient<false> ws(static_cast<std::uint16_t>(box.port()));
    EXPECT_FALSE(ws.connect_error());
    boost::beast::websocket::response_type res;
    const auto ec = ws.upgrade(target, h, &res);
    HttpResult r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    r.body = res.body();
    record_exchange("GET", target, r);
    if (!ec && keep_reading) record_live_message(ws.read());  // the hello
    return r.status;
  };
  EXPECT_EQ(upgrade("/api/v1/live", bearer, true), 101);
  EXPECT_EQ(upgrade("/api/v1/live", {}, false), 401);
  auto foreign = bearer;
  foreign["Origin"] = "https://evil.example";
  EXPECT_EQ(upgrade("/api/v1/live", foreign, false), 403);
  EXPECT_EQ(upgrade("/api/v1/live?since=minus-one", bearer, false), 400);
}

}  // namespace
}  // namespace mend::test
