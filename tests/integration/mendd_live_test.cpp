// The real mendd against a real Mosquitto: signals published over MQTT become cases on the
// retained case topics and on /api/v1/cases, within bounded time. Thresholds are seconds here
// so the suite stays quick; the engine's own tests check exact timing with a manual clock.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "core/json.hpp"
#include "core/time.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "test-venue";
const std::string kBase = "venue/" + kVenue + "/";

int g_id = 0;
std::string next_id() { return "it-" + std::to_string(now_ms()) + "-" + std::to_string(++g_id); }

// A payload with a fresh id and ts = now - ago_ms, plus the given fields (JSON members).
std::string payload(const std::string& fields, std::int64_t ago_ms = 0, std::string id = {}) {
  if (id.empty()) id = next_id();
  return R"({"id":")" + id + R"(","ts":)" + std::to_string(now_ms() - ago_ms) +
         (fields.empty() ? "" : "," + fields) + "}";
}

// The cases mendd serves, by kind.
std::multimap<std::string, json::Value> api_cases(Mendd& mendd, const std::string& query = "") {
  std::multimap<std::string, json::Value> out;
  const HttpResult r = mendd.api("GET", "/api/v1/cases" + query);
  if (r.status != 200) return out;
  const json::Value v = parse(r.body);
  if (const json::Value* cases = v.get("cases"); cases != nullptr && cases->is_array()) {
    for (const auto& c : *cases->as_array()) out.emplace(str(c.get("kind")), c);
  }
  return out;
}

// Retained case states seen on venue/<venue>/mend/cases/+, by kind.
std::multimap<std::string, json::Value> retained_cases(MqttProbe& probe) {
  std::multimap<std::string, json::Value> out;
  for (const auto& [topic, body] : probe.latest()) {
    if (topic.rfind(kBase + "mend/cases/", 0) != 0 || body.empty()) continue;
    const json::Value v = parse(body);
    out.emplace(str(v.get("kind")), v);
  }
  return out;
}

const std::string kShortThresholds = R"(table_no_order = "2s"
bill_slow = "2s"
call_unanswered = "2s"
arrival_unseated = "2s"
enquiry_unanswered = "2s"
temperature_for = "2s"
device_offline = "2s"
device_silence = "0s"
pattern_count = 3
pattern_window = "1h"
course_default = "2s"

[detect.course]
starter = "2s"
main = "2s"
dessert = "2s"
drinks = "2s"
)";

const std::string kDevicesAndAreas = R"(
[[device]]
id = "fridge-1"
kind = "fridge"
location = "walk-in fridge by the pass"
area = "kitchen"
low = 0.0
high = 5.0

[[device]]
id = "btn-1"
kind = "callbutton"
area = "floor"

[[area]]
name = "terrace"
tables = ["T30", "T31", "T32"]
)";

class LiveTest : public ::testing::Test {
 public:  // restart_mid_wait drives the fixture
  void SetUp() override {
    broker = std::make_unique<Mosquitto>(dir);
    MenddOptions o;
    o.venue = kVenue;
    o.detect = kShortThresholds;
    o.extra = kDevicesAndAreas;
    mendd = std::make_unique<Mendd>(dir, broker->port(), o);
    mendd->start();
    probe = std::make_unique<MqttProbe>(broker->port(), "probe-" + next_id());
    probe->subscribe(kBase + "mend/#");
  }
  void TearDown() override {
    if (HasFailure() && mendd) std::cerr << "---- mendd log ----\n" << mendd->log();
  }
  void pub(const std::string& suffix, const std::string& body, bool retained = false) {
    probe->publish(kBase + suffix, body, 1, retained);
  }

  TempDir dir;
  std::unique_ptr<Mosquitto> broker;
  std::unique_ptr<Mendd> mendd;
  std::unique_ptr<MqttProbe> probe;
};

TEST_F(LiveTest, EveryFailureKindOpensItsCaseOnTheRetainedTopicAndTheApi) {
  pub("booking/guest.seated", payload(R"("table":"T1","party":4)"));
  pub("till/items.fired", payload(R"("check":"C1","course":"main","table":"T2")"));
  pub("till/check.requested", payload(R"("check":"C2","table":"T3")"));
  pub("sensor/btn-1/callbutton", payload(R"("table":"T4","state":"pressed")"));
  pub("booking/guest.arrived", payload(R"("booking":"B7","party":2)"));
  pub("booking/enquiry.received", payload(R"("enquiry":"E1","channel":"email")"));
  pub("sensor/fridge-1/temperature", payload(R"("value":9.5)"));
  pub("sensor/pir-9/status", "offline", true);
  pub("feedback/review.received", payload(R"("review":"R1","source":"google","rating":1)"));
  pub("till/item.voided", payload(R"("check":"C3","item":"steak")"));
  pub("till/item.voided", payload(R"("check":"C3","item":"wine")"));
  for (const char* t : {"T30", "T31", "T32"}) {
    pub("booking/guest.seated", payload(R"("table":")" + std::string(t) + R"(","party":2)"));
  }

  const std::set<std::string> kinds = {
      "table.no_order",           "course.slow",      "bill.slow",
      "call.unanswered",          "arrival.unseated", "enquiry.unanswered",
      "temperature.out_of_range", "device.offline",   "review.negative",
      "voids.repeated",           "pattern.recurring"};
  const auto all_there = [&](const std::multimap<std::string, json::Value>& m) {
    for (const auto& k : kinds) {
      if (m.count(k) == 0) return false;
    }
    return true;
  };
  ASSERT_TRUE(wait_until([&] { return all_there(retained_cases(*probe)); }, 15s))
      << "retained kinds seen: " << retained_cases(*probe).size();
  const auto api = api_cases(*mendd);
  EXPECT_TRUE(all_there(api));

  // The right subjects, and one case per subject and kind.
  EXPECT_EQ(api.count("table.no_order"), 4u);  // T1 and the three terrace tables
  const auto course = api.find("course.slow")->second;
  EXPECT_EQ(str(course.get("subject")->get("check")), "C1");
  EXPECT_EQ(str(course.get("subject")->get("course")), "main");
  EXPECT_EQ(str(api.find("temperature.out_of_range")->second.get("subject")->get("device")),
            "fridge-1");
  EXPECT_EQ(str(api.find("device.offline")->second.get("subject")->get("device")), "pir-9");
  EXPECT_EQ(str(api.find("review.negative")->second.get("status")), "open");

  // Each opening was announced on the alerts topic.
  std::size_t alerts = 0;
  for (const auto& [topic, body] : probe->received()) {
    if (topic == kBase + "mend/alerts") ++alerts;
  }
  EXPECT_GE(alerts, kinds.size());

  // A case's detail is served too.
  const std::string id = str(course.get("id"));
  const HttpResult detail = mendd->api("GET", "/api/v1/cases/" + id);
  EXPECT_EQ(detail.status, 200);
  EXPECT_EQ(str(parse(detail.body).get("id")), id);
  EXPECT_EQ(mendd->api("GET", "/api/v1/cases/c-999999").status, 404);
}

// A till bridge with a last will, as docs/signals.md asks: killed, the broker says it is
// offline for it, and mendd shows the till offline until it says it is back.
TEST_F(LiveTest, ABridgesLastWillTellsMenddTheTillIsOffline) {
  const std::string status = kBase + "till/status";
  const auto till_state = [&](const std::string& value) {
    return mendd->api("GET", "/metrics")
               .body.find(R"(mend_source_state{source="till"} )" + value + "\n") !=
           std::string::npos;
  };
  pub("till/status", "online", /*retained=*/true);
  // The bridge: connected with its will, and subscribed to its own status so the test knows
  // when it is connected (it prints the retained "online").
  Process bridge({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker->port()), "-i",
                  "till-bridge", "-q", "1", "-t", status, "--will-topic", status, "--will-payload",
                  "offline", "--will-qos", "1", "--will-retain"},
                 dir.path() + "/bridge.log");
  ASSERT_TRUE(wait_until([&] { return bridge.log().find("online") != std::string::npos; }, 10s))
      << bridge.log();
  ASSERT_TRUE(wait_until([&] { return till_state("0"); }, 10s));
  bridge.kill_now();
  EXPECT_TRUE(wait_until([&] { return till_state("3"); }, 10s))
      << mendd->api("GET", "/metrics").body;
  // Back: the bridge (restarted) says so.
  pub("till/status", "online", /*retained=*/true);
  EXPECT_TRUE(wait_until([&] { return till_state("0"); }, 10s));
}

TEST_F(LiveTest, AnAnswerInTimeOpensNoCase) {
  pub("booking/guest.seated", payload(R"("table":"T9","party":2)"));
  pub("till/items.fired", payload(R"("check":"C9","course":"drinks","table":"T9")"));
  pub("sensor/btn-1/callbutton", payload(R"("table":"T9","state":"pressed")"));
  pub("till/order.opened", payload(R"("table":"T9","check":"C9")"));
  pub("till/items.served", payload(R"("check":"C9","course":"drinks")"));
  pub("sensor/btn-1/callbutton", payload(R"("table":"T9","state":"cleared")"));
  // A witness: a table seated after all of that and never answered. Its wait ends after every
  // wait of T9's would have, and the engine fires waits in deadline order, so once its case is
  // open, T9's would be too had any of them not been answered.
  pub("booking/guest.seated", payload(R"("table":"T10","party":2)"));
  ASSERT_TRUE(wait_until([&] { return api_cases(*mendd).count("table.no_order") == 1; }, 10s));
  const auto cases = api_cases(*mendd);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(str(cases.begin()->second.get("subject")->get("table")), "T10");
}

TEST_F(LiveTest, ADuplicateIdIsOneEvent) {
  const std::string id = next_id();
  const std::string body = payload(R"("table":"T5","check":"C5")", 0, id);
  pub("till/order.opened", body);
  pub("till/order.opened", body);
  pub("till/order.opened", body);
  ASSERT_TRUE(wait_until(
      [&] {
        return mendd->api("GET", "/metrics").body.find("mend_events_duplicate_total 2") !=
               std::string::npos;
      },
      10s))
      << mendd->api("GET", "/metrics").body;
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd->db_path(), "SELECT count(*) FROM events WHERE id='" + id + "'") ==
               std::vector<std::string>{"1"};
      },
      10s));
}

TEST_F(LiveTest, MalformedPayloadsAreDeadLetteredWithTheReasonAndTheDaemonGoesOn) {
  pub("till/order.opened", "this is not json");
  pub("till/order.opened", payload(R"("check":"C1")"));   // table missing
  pub("booking/guest.seated", payload(R"("table":12)"));  // wrong type
  pub("feedback/review.received", payload(R"("review":"R","source":"x","rating":9)"));
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd->db_path(), "SELECT count(*) FROM dead_letters") ==
               std::vector<std::string>{"4"};
      },
      10s));
  const auto reasons = sql(mendd->db_path(), "SELECT reason FROM dead_letters ORDER BY id");
  EXPECT_EQ(reasons,
            (std::vector<std::string>{"not_json", "missing_field", "wrong_type", "invalid_value"}));
  const auto raw =
      sql(mendd->db_path(), "SELECT CAST(payload AS TEXT) FROM dead_letters ORDER BY id");
  EXPECT_EQ(raw.front(), "this is not json");  // kept as it came
  EXPECT_EQ(http(mendd->http_port(), "GET", "/livez").status, 200);
  // And it still works.
  const std::string id = next_id();
  pub("till/order.opened", payload(R"("table":"T1","check":"C1")", 0, id));
  EXPECT_TRUE(wait_until(
      [&] {
        return sql(mendd->db_path(), "SELECT count(*) FROM events WHERE id='" + id + "'") ==
               std::vector<std::string>{"1"};
      },
      10s));
  EXPECT_NE(
      mendd->api("GET", "/metrics").body.find(R"(mend_events_refused_total{reason="not_json"} 1)"),
      std::string::npos);
}

// A table seated just before mendd stops is flagged after the restart, at the end of its own
// wait and not before. (That the wait continues exactly where it was, rather than starting
// again, is checked on a manual clock: ServiceTest.ARestartMidWait....)
void restart_mid_wait(LiveTest& t, bool crash) {
  t.mendd->stop();
  MenddOptions o;
  o.venue = kVenue;
  o.detect = R"(table_no_order = "4s")";
  t.mendd = std::make_unique<Mendd>(t.dir, t.broker->port(), o);
  t.mendd->start();
  const std::int64_t seated = now_ms();
  const std::string id = next_id();
  t.pub("booking/guest.seated", payload(R"("table":"T7","party":2)", 0, id));
  // Stopped once the seating is on disk, as a person would check it.
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(t.mendd->db_path(), "SELECT count(*) FROM events WHERE id='" + id + "'") ==
               std::vector<std::string>{"1"};
      },
      10s));
  if (crash) {
    t.mendd->kill9();
  } else {
    t.mendd->stop();
  }
  t.mendd->start();
  ASSERT_TRUE(wait_until([&] { return api_cases(*t.mendd).count("table.no_order") == 1; }, 20s));
  const json::Value c = api_cases(*t.mendd).find("table.no_order")->second;
  const auto opened = parse_rfc3339(str(c.get("opened_at")));
  ASSERT_TRUE(opened.has_value());
  EXPECT_GE(to_ms(*opened) - seated, 3900) << "fired early";
}

TEST_F(LiveTest, RestartMidWaitFiresOnTime) { restart_mid_wait(*this, false); }
TEST_F(LiveTest, CrashMidWaitFiresOnTime) { restart_mid_wait(*this, true); }

TEST_F(LiveTest, BrokerRestartMidStreamLosesNothingTheBrokerKept) {
  constexpr int kEach = 200;
  std::vector<std::string> ids;
  const auto flood = [&](MqttProbe& p) {
    for (int i = 0; i < kEach; ++i) {
      ids.push_back(next_id());
      p.publish(kBase + "sensor/q-1/queue",
                payload(R"("count":)" + std::to_string(i), 0, ids.back()));
    }
  };
  flood(*probe);
  broker->stop();  // a clean stop saves the broker's persistence
  probe.reset();
  broker->start();
  MqttProbe again(broker->port(), "probe2-" + next_id());
  flood(again);
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd->db_path(), "SELECT count(*) FROM events WHERE type='queue'") ==
               std::vector<std::string>{std::to_string(2 * kEach)};
      },
      20s))
      << sql(mendd->db_path(), "SELECT count(*) FROM events WHERE type='queue'").front();
  EXPECT_EQ(http(mendd->http_port(), "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace mend::test
