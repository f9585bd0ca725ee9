// Web Push alerts end to end: the real mendd, a real Mosquitto, and a push service played by
// PushReceiver on loopback. The test subscribes as a browser would (its own P-256 key pair and
// auth secret, through the API with a manager's session), then decrypts every message the
// receiver got per RFC 8291 with that private key and checks its VAPID token's ES256 signature
// against the key GET /api/v1/push/key gave. Every wait has a deadline and waits for an
// outcome; nothing sleeps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/push/crypto.hpp"
#include "adapters/push/message_encryption.hpp"
#include "adapters/push/vapid.hpp"
#include "core/json.hpp"
#include "core/push.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/push_receiver.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "push-venue";
const std::map<std::string, std::string> kJson{{"Content-Type", "application/json"}};

struct Session {
  std::string cookie;
  std::string csrf;
};

// A browser's side of a subscription: its key pair and auth secret stay here.
struct Device {
  push::crypto::Pkey key = push::crypto::generate_p256();
  std::string auth = push::crypto::random_bytes(16);
  std::string endpoint;
  std::string json() const {
    return R"({"endpoint":")" + endpoint + R"(","expirationTime":null,"keys":{"p256dh":")" +
           push::base64url_encode(push::crypto::raw_public_key(key.get())) + R"(","auth":")" +
           push::base64url_encode(auth) + R"("}})";
  }
};

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string seated(const std::string& table, int party) {
  static int seq = 0;
  return R"({"id":"push-)" + std::to_string(now_ms()) + "-" + std::to_string(++seq) + R"(","ts":)" +
         std::to_string(now_ms()) + R"(,"table":")" + table + R"(","party":)" +
         std::to_string(party) + "}";
}

struct Box {
  TempDir dir;
  std::unique_ptr<Mosquitto> broker;
  std::unique_ptr<Mendd> mendd;
  std::unique_ptr<MqttProbe> probe;

  explicit Box(const std::string& extra) {
    broker = std::make_unique<Mosquitto>(dir);
    MenddOptions o;
    o.venue = kVenue;
    // Three late tables would also be a recurring pattern: not what this test is about.
    o.detect = "table_no_order = \"10s\"\npattern_count = 10\n";
    o.extra = extra;
    mendd = std::make_unique<Mendd>(dir, broker->port(), o);
    mendd->start();
    probe = std::make_unique<MqttProbe>(broker->port(), "push-probe");
  }
  int port() const { return mendd->http_port(); }

  Session user(const std::string& name, const std::string& role, const std::string& pin) {
    const std::string pin_file = dir.file("pin-" + name);
    std::ofstream(pin_file) << pin << "\n";
    run_capture({mendctl_binary(), "user", "add", "--name", name, "--role", role, "--pin-file",
                 pin_file, "--store", mendd->db_path()});
    const HttpResult r = http(port(), "POST", "/api/v1/session",
                              R"({"name":")" + name + R"(","pin":")" + pin + R"("})", kJson);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.headers.count("set-cookie") ? r.headers.at("set-cookie") : "";
    return Session{set.substr(0, set.find(';')), str(parse(r.body).get("csrf_token"))};
  }

  HttpResult as(const Session& s, const std::string& method, const std::string& target,
                const std::string& body = {}) {
    return http(
        port(), method, target, body,
        {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"Content-Type", "application/json"}});
  }

  // Seats a table and waits (bounded) for its case; returns the case's id.
  std::string open_case(const std::string& table, int party) {
    probe->publish("venue/" + kVenue + "/booking/guest.seated", seated(table, party));
    std::string id;
    EXPECT_TRUE(wait_until(
        [&] {
          const HttpResult r = mendd->api("GET", "/api/v1/cases?status=open");
          if (r.status != 200) return false;
          const json::Value list = parse(r.body);
          for (const auto& c : *list.get("cases")->as_array()) {
            if (str(c.get("subject")->get("table")) == table) id = str(c.get("id"));
          }
          return !id.empty();
        },
        30s, 50ms))
        << "no case for " << table;
    return id;
  }

  double metric(const std::string& name) {
    const std::string text = mendd->api("GET", "/metrics").body;
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
  }
};

// What the receiver got, as a browser would read it: decrypted, and its token checked.
json::Value open_message(const PushReceiver::Request& r, const Device& d,
                         const std::string& vapid_key, const std::string& audience) {
  EXPECT_EQ(r.headers.count("content-encoding") ? r.headers.at("content-encoding") : "",
            "aes128gcm");
  const std::string authz = r.headers.count("authorization") ? r.headers.at("authorization") : "";
  const auto t = authz.find("t=");
  const auto k = authz.find(", k=");
  EXPECT_EQ(authz.rfind("vapid ", 0), 0u) << authz;
  if (t == std::string::npos || k == std::string::npos) return {};
  EXPECT_EQ(authz.substr(k + 4), vapid_key);
  const auto check =
      push::verify_vapid_jwt(authz.substr(t + 2, k - t - 2), *push::base64url_decode(vapid_key),
                             audience, now_ms() / 1000);
  EXPECT_TRUE(check.claims) << check.why;
  if (check.claims) {
    EXPECT_EQ(str(parse(*check.claims).get("sub")), "mailto:manager@push-venue.example");
  }
  const push::Decrypted plain = push::decrypt(r.body, d.key.get(), d.auth);
  EXPECT_TRUE(plain.plaintext) << plain.why;
  return plain.plaintext ? parse(*plain.plaintext) : json::Value();
}

// The escalation ladder tells staff at once and the manager a second later, well before a
// waiting table's severity rises (at 1.5 times table_no_order); the manager's quiet rule lets
// only high and critical through; staff may give enough that no plan waits for approval.
const std::string kConfig = R"([policy]
staff_limit = 150

[escalation]
ladder = ["staff@0s", "manager@1s"]
quiet = ["manager:high"]

[push]
subject = "mailto:manager@push-venue.example"
)";

TEST(Push, AManagerGetsExactlyTheAlertsForTheirRoleAndQuietRuleAndAGoneDeviceIsForgotten) {
  PushReceiver receiver;
  Box box(kConfig);
  const Session sam = box.user("Sam", "manager", "482913");
  const Session kim = box.user("Kim", "staff", "715264");

  const HttpResult key = box.as(sam, "GET", "/api/v1/push/key");
  ASSERT_EQ(key.status, 200) << key.body;
  const std::string vapid_key = str(parse(key.body).get("public_key"));
  ASSERT_EQ(push::base64url_decode(vapid_key)->size(), 65u);
  EXPECT_EQ(box.as(kim, "GET", "/api/v1/push/key").status, 403);

  Device phone;
  phone.endpoint = receiver.origin() + "/push/sam-phone";
  Device staff_phone;
  staff_phone.endpoint = receiver.origin() + "/push/kim-phone";
  EXPECT_EQ(box.as(kim, "POST", "/api/v1/push/subscriptions", staff_phone.json()).status, 403)
      << "staff are alerted on the tablet, not their phones";
  const HttpResult bad = box.as(sam, "POST", "/api/v1/push/subscriptions",
                                R"({"endpoint":")" + phone.endpoint +
                                    R"(","keys":{"p256dh":"BTBZMqHH6r4Tts7J_aSIgg","auth":"x"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("p256dh"), std::string::npos) << bad.body;
  const HttpResult made = box.as(sam, "POST", "/api/v1/push/subscriptions", phone.json());
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/push/subscriptions", phone.json()).status, 200)
      << "the same device again is a renewal";
  const HttpResult mine = box.as(sam, "GET", "/api/v1/push/subscriptions");
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(parse(mine.body).get("subscriptions")->as_array()->size(), 1u);
  EXPECT_EQ(box.as(kim, "GET", "/api/v1/push/subscriptions").status, 403);

  // A medium case: staff hear of it (not by push), the manager's quiet rule keeps it off the
  // phone. Then a high one (a party of 8): the manager's phone, once; the push service is busy
  // the first time and takes it on the retry.
  box.open_case("T1", 2);
  receiver.script("/push/sam-phone", {503});
  const std::string high = box.open_case("T2", 8);
  ASSERT_TRUE(wait_until([&] { return box.metric("mend_push_sent_total") == 1; }, 20s))
      << box.mendd->log();
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 2u) << "a 503, then the retry";
  EXPECT_EQ(got[0].answered, 503);
  for (const auto& r : got) {
    EXPECT_EQ(r.target, "/push/sam-phone");
    EXPECT_EQ(r.headers.count("urgency") ? r.headers.at("urgency") : "", "high");
    EXPECT_EQ(r.headers.count("ttl") ? r.headers.at("ttl") : "", "3600");
    const json::Value n = open_message(r, phone, vapid_key, receiver.origin());
    EXPECT_EQ(str(n.get("case")), high);
    EXPECT_EQ(str(n.get("severity")), "high");
    EXPECT_EQ(str(n.get("event")), "escalated") << "the ladder's second rung";
    EXPECT_NE(str(n.get("title")).find("T2"), std::string::npos) << str(n.get("title"));
  }
  EXPECT_EQ(box.metric("mend_push_dropped_total"), 0);
  EXPECT_EQ(box.metric("mend_push_failed_total"), 0);
  EXPECT_EQ(box.metric("mend_push_queue"), 0);

  // The phone's push service says the subscription is gone: mendd forgets it.
  receiver.script("/push/sam-phone", {410});
  box.open_case("T3", 9);
  ASSERT_TRUE(wait_until(
      [&] {
        const HttpResult r = box.as(sam, "GET", "/api/v1/push/subscriptions");
        return r.status == 200 && parse(r.body).get("subscriptions")->as_array()->empty();
      },
      20s))
      << box.mendd->log();
  EXPECT_EQ(receiver.received().size(), 3u);
  EXPECT_EQ(box.metric("mend_push_gone_total"), 1);
  const std::string audit = box.as(sam, "GET", "/api/v1/audit?limit=20").body;
  EXPECT_NE(audit.find("push.gone"), std::string::npos) << audit;
  EXPECT_NE(audit.find("push.subscribe"), std::string::npos) << audit;
  EXPECT_NE(audit.find("push.renew"), std::string::npos) << audit;
}

TEST(Push, TurningAlertsOffIsOnesOwnAndSaysWhatIsWrong) {
  PushReceiver receiver;
  Box box(kConfig);
  const Session sam = box.user("Sam", "manager", "482913");
  const Session alex = box.user("Alex", "admin", "640271");
  const Session kim = box.user("Kim", "staff", "715264");
  Device phone;
  phone.endpoint = receiver.origin() + "/push/sam-phone";
  ASSERT_EQ(box.as(sam, "POST", "/api/v1/push/subscriptions", phone.json()).status, 201);
  const std::string target = "/api/v1/push/subscriptions?endpoint=" + url_encode(phone.endpoint);
  EXPECT_EQ(box.as(sam, "DELETE", "/api/v1/push/subscriptions").status, 400);
  EXPECT_EQ(box.as(kim, "DELETE", target).status, 403);
  EXPECT_EQ(box.as(alex, "DELETE", target).status, 404) << "not Alex's device";
  EXPECT_EQ(box.as(sam, "DELETE", target).status, 204);
  EXPECT_EQ(box.as(sam, "DELETE", target).status, 404);
  EXPECT_NE(box.as(sam, "GET", "/api/v1/audit?limit=5").body.find("push.unsubscribe"),
            std::string::npos);
  // An API token is no person's device.
  EXPECT_EQ(box.mendd->api("POST", "/api/v1/push/subscriptions", phone.json(), kJson).status, 403);
}

TEST(Push, WithPushOffTheApiSaysSo) {
  Box box("[push]\nenabled = false\n");
  const Session sam = box.user("Sam", "manager", "482913");
  Device phone;
  phone.endpoint = "https://push.example.net/x";
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/push/key").status, 404);
  EXPECT_EQ(box.as(sam, "GET", "/api/v1/push/subscriptions").status, 404);
  EXPECT_EQ(box.as(sam, "POST", "/api/v1/push/subscriptions", phone.json()).status, 404);
  EXPECT_EQ(box.as(sam, "DELETE", "/api/v1/push/subscriptions?endpoint=x").status, 404);
  EXPECT_FALSE(std::filesystem::exists(box.dir.path() + "/state/push"));
}

}  // namespace
}  // namespace mend::test
