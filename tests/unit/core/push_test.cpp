// The pure rules of Web Push alerts: who hears of an alert, how urgent it is, what the phone
// shows (within one record), which subscriptions are kept.
#include "core/push.hpp"

#include <gtest/gtest.h>

namespace mend::push {
namespace {

const std::map<std::string, Severity> kQuiet{{"manager", Severity::kHigh},
                                             {"admin", Severity::kCritical}};

json::Value alert(const std::string& role, const std::string& severity, std::string text = "") {
  json::Object o;
  o.append("case", "c-000001");
  o.append("event", "opened");
  o.append("role", role);
  o.append("severity", severity);
  o.append("kind", "table.no_order");
  json::Object subject;
  subject.append("table", "T12");
  o.append("subject", json::Value(std::move(subject)));
  o.append("text", std::move(text));
  o.append("at", "2024-05-01T19:30:00Z");
  return json::Value(std::move(o));
}

TEST(PushAudience, OnlyTheAlertsOwnRoleAtOrAboveItsQuietFloor) {
  EXPECT_TRUE(alert_reaches("manager", Severity::kHigh, Role::kManager, kQuiet));
  EXPECT_TRUE(alert_reaches("manager", Severity::kCritical, Role::kManager, kQuiet));
  EXPECT_FALSE(alert_reaches("manager", Severity::kMedium, Role::kManager, kQuiet));  // quiet
  EXPECT_FALSE(alert_reaches("staff", Severity::kCritical, Role::kManager, kQuiet));  // the floor's
  EXPECT_FALSE(
      alert_reaches("manager", Severity::kCritical, Role::kAdmin, kQuiet));  // not its rung
  EXPECT_TRUE(alert_reaches("admin", Severity::kCritical, Role::kAdmin, kQuiet));
  EXPECT_FALSE(alert_reaches("admin", Severity::kHigh, Role::kAdmin, kQuiet));
  // A role without a quiet rule hears every severity; integration is nobody's phone.
  EXPECT_TRUE(alert_reaches("staff", Severity::kLow, Role::kStaff, kQuiet));
  EXPECT_FALSE(alert_reaches("integration", Severity::kCritical, Role::kIntegration, {}));
}

TEST(PushAudience, FromTheAlertsJson) {
  EXPECT_TRUE(alert_reaches(alert("manager", "high"), Role::kManager, kQuiet));
  EXPECT_FALSE(alert_reaches(alert("manager", "medium"), Role::kManager, kQuiet));
  EXPECT_FALSE(alert_reaches(alert("manager", "dreadful"), Role::kManager, {}));
  EXPECT_FALSE(alert_reaches(json::Value(json::Object{}), Role::kManager, {}));
}

TEST(PushUrgency, FollowsSeverity) {
  EXPECT_EQ(urgency(Severity::kLow), "low");
  EXPECT_EQ(urgency(Severity::kMedium), "normal");
  EXPECT_EQ(urgency(Severity::kHigh), "high");
  EXPECT_EQ(urgency(Severity::kCritical), "high");
  EXPECT_EQ(alert_severity(alert("manager", "critical")), Severity::kCritical);
}

TEST(PushPayload, SaysWhatAndWhereAndOpensTheCase) {
  const auto text =
      notification_payload(alert("manager", "high", "Seated 14 min, no order"), "The Anchor");
  const auto parsed = json::parse(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed.value->get("title")->as_string(), "The Anchor: Table no order · Table T12");
  EXPECT_EQ(*parsed.value->get("body")->as_string(), "Seated 14 min, no order");
  EXPECT_EQ(*parsed.value->get("case")->as_string(), "c-000001");
  EXPECT_EQ(*parsed.value->get("tag")->as_string(), "mend-case-c-000001");
  EXPECT_EQ(*parsed.value->get("url")->as_string(), "/#/cases/c-000001");
}

TEST(PushPayload, TheConciergesBriefingOpensTheBriefingNotACase) {
  const auto alert = json::parse(
      R"({"event":"briefing","role":"manager","severity":"medium","text":"1 booking to know for )"
      R"(the shift from 16:00: Ann Lee (regular) at 19:00.","from":"2026-12-07T16:00:00Z",)"
      R"("to":"2026-12-08T06:00:00Z","count":1,"at":"2026-12-07T15:30:00Z"})");
  ASSERT_TRUE(alert);
  EXPECT_TRUE(alert_reaches(*alert.value, Role::kManager, {}));
  EXPECT_FALSE(alert_reaches(*alert.value, Role::kStaff, {}));
  const auto parsed = json::parse(notification_payload(*alert.value, "The Anchor"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed.value->get("title")->as_string(), "The Anchor: Briefing");
  EXPECT_EQ(*parsed.value->get("body")->as_string(),
            "1 booking to know for the shift from 16:00: Ann Lee (regular) at 19:00.");
  EXPECT_EQ(*parsed.value->get("tag")->as_string(), "mend-briefing");
  EXPECT_EQ(*parsed.value->get("url")->as_string(), "/#/briefing");
}

TEST(PushPayload, ALongTextIsShortenedToFitOneRecordAtACharacterBoundary) {
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "é\"";  // 3 bytes, 4 once escaped
  const auto text = notification_payload(alert("manager", "high", long_text), "");
  EXPECT_LE(text.size(), kMaxPlaintext);
  const auto parsed = json::parse(text);
  ASSERT_TRUE(parsed) << "still JSON, still UTF-8";
  const std::string body = *parsed.value->get("body")->as_string();
  EXPECT_GT(body.size(), 1000u);
  EXPECT_EQ(body.substr(body.size() - 3), "…");
}

TEST(PushSubscription, KeepsWhatABrowserSendsAndNamesWhatIsWrong) {
  Subscription ok{
      "https://push.example.net/send/abc",
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
      "BTBZMqHH6r4Tts7J_aSIgg"};
  EXPECT_EQ(check_subscription(ok), std::nullopt);
  auto s = ok;
  s.endpoint = "http://push.example.net/send/abc";
  EXPECT_NE(check_subscription(s)->find("https"), std::string::npos);
  s.endpoint = "http://127.0.0.1:9999/push/1";  // a push service on the box itself
  EXPECT_EQ(check_subscription(s), std::nullopt);
  s.endpoint = "ftp://x";
  EXPECT_TRUE(check_subscription(s));
  s.endpoint = "https://" + std::string(kMaxEndpointLength, 'a');
  EXPECT_TRUE(check_subscription(s));
  s = ok;
  s.p256dh = "BTBZMqHH6r4Tts7J_aSIgg";
  EXPECT_NE(check_subscription(s)->find("p256dh"), std::string::npos);
  s = ok;
  s.auth = "not base64!";
  EXPECT_NE(check_subscription(s)->find("auth"), std::string::npos);
}

TEST(PushEndpoint, TheOriginIsTheJwtAudience) {
  auto e = parse_endpoint("https://fcm.example.com/fcm/send/x?y=1#frag");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "fcm.example.com");
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(e->target, "/fcm/send/x?y=1");
  EXPECT_EQ(e->origin, "https://fcm.example.com");
  e = parse_endpoint("http://127.0.0.1:8123/p/7");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->port, "8123");
  EXPECT_EQ(e->origin, "http://127.0.0.1:8123");
  e = parse_endpoint("https://[::1]:9000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->target, "/");
  EXPECT_FALSE(parse_endpoint("https://user@host/"));
  EXPECT_FALSE(parse_endpoint("https://host:99999/"));
  EXPECT_FALSE(parse_endpoint("https:///x"));
}

TEST(PushBase64url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes) << n;
    bytes += static_cast<char>(n * 37 + 11);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8="), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("a+b/"));
  EXPECT_FALSE(base64url_decode("abcde"));
}

}  // namespace
}  // namespace mend::push
