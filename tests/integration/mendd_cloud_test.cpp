// The whole mendd's cloud link against "the cloud" (cloud_fixture.hpp). In every case: the set
// of events the venue's bridge handed over equals the set the cloud received, first arrivals in
// sequence order, and the outbox is empty once all is acknowledged.
#include <mqtt/async_client.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "core/json.hpp"
#include "core/time.hpp"
#include "tests/integration/cloud_fixture.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "test-venue";
const std::string kGroup = "group-1";

// Rows waiting in mendd's outbox (committed ones: the test reads the file).
std::string outbox_rows(Mendd& mendd) {
  const auto n = sql(mendd.db_path(), "SELECT COUNT(*) FROM outbox");
  return n.empty() ? std::string("?") : n.front();
}

std::string cloud_section(const Certificates& pki, int port) {
  return "[cloud]\nenabled = true\nurl = \"ssl://127.0.0.1:" + std::to_string(port) +
         "\"\nca_file = \"" + pki.ca + "\"\ncert_file = \"" + pki.box_cert + "\"\nkey_file = \"" +
         pki.box_key + "\"\ngroup = \"" + kGroup +
         "\"\nevents = true\nin_flight = 8\nkeepalive = \"1s\"\n"
         "reconnect_min = \"100ms\"\nreconnect_max = \"1s\"\n";
}

class CloudTest : public ::testing::Test {
 protected:
  CloudTest() : pki_(dir_), venue_broker_(dir_), cloud_(dir_, pki_) {}

  MenddOptions options() {
    MenddOptions o;
    o.venue = kVenue;
    o.extra = cloud_section(pki_, cloud_.tls_port());
    return o;
  }
  // guest.seated events with their ids, each acknowledged by the venue's broker.
  std::vector<std::string> publish(MqttProbe& bridge, const std::string& tag, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(tag + "-" + std::to_string(i));
      bridge.publish("venue/" + kVenue + "/booking/guest.seated",
                     R"({"id":")" + ids.back() + R"(","ts":)" + std::to_string(now_ms()) +
                         R"(,"table":"T)" + std::to_string(i % 20) + R"("})");
    }
    return ids;
  }
  // Bad reviews: each opens a case at once (a record for the cloud, besides its raw event).
  std::vector<std::string> publish_bad_reviews(MqttProbe& bridge, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back("rv-" + std::to_string(i));
      bridge.publish("venue/" + kVenue + "/feedback/review.received",
                     R"({"id":")" + ids.back() + R"(","ts":)" + std::to_string(now_ms()) +
                         R"(,"review":"r-)" + std::to_string(i) +
                         R"(","source":"google","rating":1})");
    }
    return ids;
  }
  // Everything sent arrived, each once after the dedupe, first arrivals in sequence order, and
  // mendd's outbox is empty.
  void expect_all_arrived(Consumer& consumer, Mendd& mendd, const std::vector<std::string>& sent) {
    const std::set<std::string> want(sent.begin(), sent.end());
    EXPECT_TRUE(wait_until([&] { return consumer.event_ids() == want; }, 60s))
        << consumer.event_ids().size() << " of " << want.size() << " events reached the cloud\n"
        << mendd.log();
    const auto seqs = consumer.seqs();
    for (std::size_t i = 1; i < seqs.size(); ++i) {
      ASSERT_LT(seqs[i - 1], seqs[i]) << "out of order at " << i;
    }
    EXPECT_TRUE(wait_until([&] { return outbox_rows(mendd) == "0"; }, 20s))
        << "acknowledged rows stay in the outbox";
  }

  TempDir dir_;
  Certificates pki_;
  Mosquitto venue_broker_;
  CloudBroker cloud_;
};

TEST_F(CloudTest, DownAtStartTheLinkStillResumesLater) {
  // The cloud side's consumer has its session from before; then the cloud goes away.
  cloud_.start();
  { Consumer earlier(cloud_.plain_port()); }
  cloud_.stop();
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();  // the cloud is not there: mendd is ready all the same
  MqttProbe bridge(venue_broker_.port(), "booking-bridge");
  const auto sent = publish(bridge, "early", 50);
  ASSERT_TRUE(wait_until([&] { return outbox_rows(mendd) != "0"; }, 20s));
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  expect_all_arrived(consumer, mendd, sent);
  EXPECT_TRUE(consumer.topics().count("mend/v1/" + kGroup + "/" + kVenue + "/events"));
}

TEST_F(CloudTest, StoppedAndRestartedMidStreamNothingIsLost) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "booking-bridge");
  auto sent = publish(bridge, "before", 200);
  cloud_.stop();
  const auto during = publish(bridge, "during", 200);
  sent.insert(sent.end(), during.begin(), during.end());
  cloud_.start();
  expect_all_arrived(consumer, mendd, sent);
}

TEST_F(CloudTest, AHalfOpenLinkIsNoticedAndResumed) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "booking-bridge");
  auto sent = publish(bridge, "before", 20);
  cloud_.pause();  // the TCP connection stays; nothing answers
  const auto during = publish(bridge, "during", 50);
  sent.insert(sent.end(), during.begin(), during.end());
  // Past a few keepalives (1 s) mendd has given the silent connection up.
  EXPECT_TRUE(wait_until(
      [&] {
        return mendd.log().find("cloud ssl://") != std::string::npos &&
               mendd.log().find("reconnecting") != std::string::npos;
      },
      30s))
      << mendd.log();
  cloud_.resume();
  expect_all_arrived(consumer, mendd, sent);
}

TEST_F(CloudTest, Kill9WithUnsentRowsSendsThemAfterTheRestart) {
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "booking-bridge");
  const auto sent = publish(bridge, "kept", 100);
  ASSERT_TRUE(wait_until([&] { return outbox_rows(mendd) == "100"; }, 20s));
  mendd.kill9();
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  mendd.start();
  expect_all_arrived(consumer, mendd, sent);
}

// The cloud away for long enough that the outbox reaches its limit (100 rows here): raw events
// go first, oldest first, every drop counted; the manager gets one cloud.outbox_full case;
// /readyz says how far behind the link is. When the cloud is back, every case reaches it, the
// newest events too, in order, and the case closes itself.
TEST_F(CloudTest, AtItsLimitTheOutboxGivesUpRawEventsFirstAndSaysSo) {
  MenddOptions o = options();
  o.extra += "outbox_rows = 100\n";
  Mendd mendd(dir_, venue_broker_.port(), o);
  mendd.start();  // the cloud is not there
  MqttProbe bridge(venue_broker_.port(), "booking-bridge");
  const auto reviews = publish_bad_reviews(bridge, 5);
  const auto sent = publish(bridge, "seated", 300);
  const auto metric = [&](const std::string& series) {
    const HttpResult r = mendd.api("GET", "/metrics");
    const auto at = r.body.find("\n" + series + " ");  // the sample, not its # HELP line
    return at == std::string::npos ? -1.0 : std::stod(r.body.substr(at + series.size() + 2));
  };
  const auto full_case = [&] {
    const HttpResult r = mendd.api("GET", "/api/v1/cases?kind=cloud.outbox_full");
    const json::Value v = parse(r.body);
    const json::Value* cases = v.get("cases");
    return cases != nullptr && cases->is_array() && !cases->as_array()->empty()
               ? std::optional<json::Value>(cases->as_array()->back())
               : std::nullopt;
  };
  // Every event is in (the store says so), and the outbox has been trimmed to its limit.
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd.db_path(), "SELECT COUNT(*) FROM events") ==
                   std::vector<std::string>{"305"} &&
               std::stoi(outbox_rows(mendd)) <= 100 && full_case().has_value();
      },
      30s))
      << outbox_rows(mendd) << " rows in the outbox\n"
      << mendd.log();
  EXPECT_GT(metric("mend_cloud_dropped_total{class=\"telemetry\"}"), 0);
  EXPECT_EQ(metric("mend_cloud_dropped_total{class=\"records\"}"), 0) << "records went first";
  const double depth = metric("mend_outbox_depth");
  EXPECT_GT(depth, 0);
  EXPECT_LE(depth, 100);
  const json::Value c = *full_case();
  EXPECT_EQ(str(c.get("status")), "open");
  EXPECT_NE(str(c.get("reason")).find("gave up"), std::string::npos) << json::dump(c);

  const HttpResult ready = http(mendd.http_port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << "the venue works without the cloud: " << ready.body;
  const json::Value link = *parse(ready.body).get("cloud");
  EXPECT_EQ(link.get("connected")->as_bool(), std::optional<bool>(false));
  EXPECT_EQ(link.get("outbox_full")->as_bool(), std::optional<bool>(true));
  EXPECT_LE(*link.get("unsent")->as_int(), 100);
  EXPECT_NE(link.get("oldest_unsent_seconds"), nullptr);
  // Exactly the mendd log lines a burst deserves: one when it starts.
  std::size_t told = 0;
  for (auto at = mendd.log().find("outbox full"); at != std::string::npos;
       at = mendd.log().find("outbox full", at + 1)) {
    ++told;
  }
  EXPECT_EQ(told, 1u) << mendd.log();

  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  // Every case reached the cloud: the five reviews' and the outbox's own.
  EXPECT_TRUE(wait_until([&] { return consumer.case_ids().size() >= 6; }, 60s))
      << consumer.case_ids().size() << " cases reached the cloud\n"
      << mendd.log();
  EXPECT_TRUE(wait_until([&] { return outbox_rows(mendd) == "0"; }, 30s));
  // The events that arrived are the newest ones, in the order they were sent.
  const auto order = consumer.event_order();
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.back(), sent.back());
  const auto first = std::find(sent.begin(), sent.end(), order.front());
  ASSERT_NE(first, sent.end()) << order.front();
  EXPECT_EQ(std::vector<std::string>(first, sent.end()), order);
  const auto seqs = consumer.seqs();
  for (std::size_t i = 1; i < seqs.size(); ++i) ASSERT_LT(seqs[i - 1], seqs[i]) << i;
  // With room again, the case closes itself.
  EXPECT_TRUE(wait_until(
      [&] {
        const auto now = full_case();
        return now && str(now->get("status")) != "open";
      },
      30s))
      << json::dump(*full_case());
  EXPECT_EQ(link.get("enabled")->as_bool(), std::optional<bool>(true));
}

// The venue group tunes the box from the cloud: a retained, versioned document is checked with
// the file's schema, applied only when all of it is valid, answered on config_status, audited,
// and kept, so that the box runs on it after a restart without the cloud.
TEST_F(CloudTest, ConfigurationFromTheCloudIsCheckedAppliedAnsweredAndKept) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  MqttProbe group(cloud_.plain_port(), "venue-group-admin");
  const std::string config_topic = "mend/v1/" + kGroup + "/" + kVenue + "/config";
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "feedback-bridge");
  int reviews = 0;
  // A three-star review, once mendd has it in its store.
  const auto three_stars = [&] {
    const std::string id = "r3-" + std::to_string(++reviews);
    bridge.publish("venue/" + kVenue + "/feedback/review.received",
                   R"({"id":")" + id + R"(","ts":)" + std::to_string(now_ms()) + R"(,"review":")" +
                       id + R"(","source":"google","rating":3})");
    EXPECT_TRUE(wait_until(
        [&] {
          return sql(mendd.db_path(), "SELECT COUNT(*) FROM events") ==
                 std::vector<std::string>{std::to_string(reviews)};
        },
        20s))
        << mendd.log();
  };
  const auto complaints = [&] {
    const json::Value v = parse(mendd.api("GET", "/api/v1/cases?kind=review.negative").body);
    const json::Value* cases = v.get("cases");
    return cases != nullptr && cases->is_array() ? cases->as_array()->size() : 0;
  };
  const auto answer = [&](std::int64_t version) -> std::optional<json::Value> {
    for (const auto& a : consumer.of_class("config_status")) {
      if (a.get("version") != nullptr && a.get("version")->as_int() == version) return a;
    }
    return std::nullopt;
  };
  const auto applied_version = [&] {
    const json::Value ready = parse(http(mendd.http_port(), "GET", "/readyz").body);
    const json::Value* v = ready.get("cloud")->get("config_version");
    return v != nullptr ? v->as_int().value_or(-1) : 0;
  };
  const auto send = [&](std::int64_t version, const std::string& toml) {
    json::Object doc;
    doc.append("version", version);
    doc.append("config", toml);
    group.publish(config_topic, json::dump(json::Value(std::move(doc))), 1, /*retained=*/true);
    EXPECT_TRUE(wait_until([&] { return answer(version).has_value(); }, 20s))
        << "no answer to version " << version << "\n"
        << mendd.log();
    return answer(version).value_or(json::Value());
  };

  three_stars();
  EXPECT_EQ(complaints(), 0u) << "the file says two stars or fewer";

  // Version 1: three stars count as a complaint at this venue group.
  const json::Value v1 = send(1, "[detect]\nreview_max_rating = 3\n");
  EXPECT_EQ(v1.get("applied")->as_bool(), std::optional<bool>(true)) << json::dump(v1);
  EXPECT_EQ(applied_version(), 1);
  three_stars();
  EXPECT_TRUE(wait_until([&] { return complaints() == 1; }, 20s)) << mendd.log();
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& a : consumer.of_class("audit")) {
          if (str(a.get("action")) == "config.cloud_applied") return true;
        }
        return false;
      },
      20s))
      << "the change is in the audit log the cloud receives";

  // Version 2 tries to move the box to another broker and has a bad value: nothing of it applies.
  const json::Value v2 =
      send(2, "[detect]\nreview_max_rating = 4\nbill_slow = \"soon\"\n\n[mqtt]\nport = 1\n");
  EXPECT_EQ(v2.get("applied")->as_bool(), std::optional<bool>(false));
  const std::string errors = json::dump(*v2.get("errors"));
  EXPECT_NE(errors.find("cloud config v2:3:1: detect.bill_slow"), std::string::npos) << errors;
  EXPECT_NE(errors.find("cannot be set from the cloud"), std::string::npos) << errors;
  EXPECT_EQ(applied_version(), 1);

  // Version 3 applies; version 2 again is older and refused, never a silent roll-back.
  EXPECT_EQ(send(3, "[detect]\nreview_max_rating = 3\n\n[log]\nlevel = \"debug\"\n")
                .get("applied")
                ->as_bool(),
            std::optional<bool>(true));
  group.publish(config_topic, R"({"version":2,"config":""})", 1, true);
  EXPECT_TRUE(wait_until(
      [&] {
        const auto all = consumer.of_class("config_status");
        return all.size() >= 4 && json::dump(all.back()).find("older") != std::string::npos;
      },
      20s))
      << mendd.log();
  EXPECT_EQ(applied_version(), 3);

  // A restart without the cloud: the box runs on version 3, kept in its store.
  mendd.stop();
  cloud_.stop();
  mendd.start();
  EXPECT_EQ(applied_version(), 3);
  three_stars();
  EXPECT_TRUE(wait_until([&] { return complaints() == 2; }, 20s)) << mendd.log();
}

// A follow-up the manager sends goes to the cloud with the id its delivery receipt names back;
// the receipt reaches the case on the tablet. A receipt that cannot be read, or names a message
// the box never sent, is refused and kept as a dead letter; the same receipt twice is one.
TEST_F(CloudTest, AFollowUpsDeliveryReceiptFromTheCloudReachesTheCase) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  MqttProbe integration(cloud_.plain_port(), "messaging-integration");
  const std::string receipts = "mend/v1/" + kGroup + "/" + kVenue + "/receipts";
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "feedback-bridge");
  bridge.publish("venue/" + kVenue + "/feedback/review.received",
                 R"({"id":"rv-1","ts":)" + std::to_string(now_ms()) +
                     R"(,"review":"r-1","source":"google","rating":1,"customer":{"id":"cust-7"}})");
  std::string id;
  ASSERT_TRUE(wait_until(
      [&] {
        const json::Value all = parse(mendd.api("GET", "/api/v1/cases").body);
        const json::Value* cases = all.get("cases");
        if (cases == nullptr || !cases->is_array() || cases->as_array()->empty()) return false;
        id = str(cases->as_array()->front().get("id"));
        return true;
      },
      20s))
      << mendd.log();
  const auto the_case = [&] { return parse(mendd.api("GET", "/api/v1/cases/" + id).body); };
  const auto post = [&](const std::string& what, const std::string& body) {
    const json::Value c = the_case();
    const auto version = c.get("version") != nullptr ? c.get("version")->as_int().value_or(0) : 0;
    return mendd.api("POST", "/api/v1/cases/" + id + "/" + what, body,
                     {{"Content-Type", "application/json"},
                      {"If-Match", "\"" + std::to_string(version) + "\""}});
  };
  ASSERT_EQ(post("resolve", R"({"root_cause":"product","follow_up":{"after_hours":24,)"
                            R"("message":"Sorry about your meal"}})")
                .status,
            200);
  ASSERT_EQ(post("follow-up", R"({"decision":"send","reason":"worth a word"})").status, 200);

  const std::string message = id + "-m1";
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& m : consumer.of_class("follow_ups")) {
          if (str(m.get("message_id")) == message) return true;
        }
        return false;
      },
      20s))
      << "the follow-up reaches the cloud with its id\n"
      << mendd.log();
  const auto message_status = [&] {
    const json::Value c = the_case();
    const json::Value* ms = c.get("messages");
    if (ms == nullptr || !ms->is_array() || ms->as_array()->empty()) return std::string();
    return str(ms->as_array()->front().get("status"));
  };
  EXPECT_EQ(message_status(), "sent");
  const auto dead_letters = [&] {
    const auto n = sql(mendd.db_path(), "SELECT COUNT(*) FROM dead_letters");
    return n.empty() ? std::string("?") : n.front();
  };

  integration.publish(receipts, "not a receipt");
  integration.publish(
      receipts, R"({"message":")" + id + R"(-m9","case":")" + id + R"(","status":"delivered"})");
  EXPECT_TRUE(wait_until([&] { return dead_letters() == "2"; }, 20s)) << mendd.log();
  const std::string delivered =
      R"({"message":")" + message + R"(","case":")" + id + R"(","status":"delivered"})";
  integration.publish(receipts, delivered);
  integration.publish(receipts, delivered);
  EXPECT_TRUE(wait_until([&] { return message_status() == "delivered"; }, 20s)) << mendd.log();
  EXPECT_TRUE(wait_until(
      [&] {
        int receipts_audited = 0;
        for (const auto& a : consumer.of_class("audit")) {
          if (str(a.get("action")) == "case.message_receipt") ++receipts_audited;
        }
        return receipts_audited == 1;
      },
      20s))
      << "the receipt is audited once";
  EXPECT_EQ(dead_letters(), "2");
  const auto kept =
      sql(mendd.db_path(), "SELECT message FROM dead_letters WHERE topic = '" + receipts + "'");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_NE(kept[1].find("sent no message " + id + "-m9"), std::string::npos) << kept[1];
  EXPECT_TRUE(mendd.process()->running());
}

// A venue day that ended while the box was off is summarised when it starts again, from the
// cases in its store: the cloud hears what that day held.
constexpr std::int64_t kDay = 86'400'000;

// The start of the venue day in progress (06:00 local, the first shift), epoch ms.
std::int64_t venue_day_in_progress() {
  const std::int64_t now = now_ms();
  std::time_t secs = now / 1000;
  std::tm local{};
  localtime_r(&secs, &local);
  const std::int64_t offset = static_cast<std::int64_t>(local.tm_gmtoff) * 1000;
  constexpr std::int64_t kSixAm = 6 * 3'600'000;
  const std::int64_t local_ms = now + offset - kSixAm;
  return (local_ms - ((local_ms % kDay) + kDay) % kDay) + kSixAm - offset;
}

TEST_F(CloudTest, AVenueDayThatEndedWhileTheBoxWasOffIsSummarisedAtStart) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  MqttProbe bridge(venue_broker_.port(), "feedback-bridge");
  publish_bad_reviews(bridge, 1);
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd.db_path(), "SELECT COUNT(*) FROM cases") == std::vector<std::string>{"1"};
      },
      20s))
      << mendd.log();
  // One entry in the contribution ledger: a manager confirms Sam's training.
  const std::string pin_file = dir_.file("pin-sam");
  write_file(pin_file, "715264\n");
  run_capture({mendctl_binary(), "user", "add", "--name", "Sam", "--role", "staff", "--pin-file",
               pin_file, "--store", mendd.db_path()});
  const HttpResult trained = mendd.api("POST", "/api/v1/ledger/training",
                                       R"({"person":"user:1","what":"Allergen training"})",
                                       {{"Content-Type", "application/json"}});
  ASSERT_EQ(trained.status, 201) << trained.body;
  mendd.stop();

  // The venue day runs from 06:00 local (the first shift). The case moves to the day before the
  // one in progress, and the box last summarised the day before that.
  const std::int64_t today = venue_day_in_progress();
  const std::int64_t yesterday = today - kDay;
  const std::string opened = format_rfc3339(wall_from_ms(yesterday + kDay / 2));
  sql_write(mendd.db_path(),
            "UPDATE cases SET opened_at = " + std::to_string(yesterday + kDay / 2) +
                ", json = json_set(json, '$.opened_at', '" + opened + "')");
  sql_write(mendd.db_path(), "INSERT OR REPLACE INTO meta(key, value) VALUES ('summary', " +
                                 std::string("'{\"through\":\"") +
                                 format_rfc3339(wall_from_ms(yesterday)) + "\"}')");
  mendd.start();

  ASSERT_TRUE(wait_until([&] { return !consumer.of_class("summary").empty(); }, 30s))
      << mendd.log();
  const auto summaries = consumer.of_class("summary");
  ASSERT_EQ(summaries.size(), 1u) << "only the day that ended";
  const json::Value& s = summaries.front();
  EXPECT_EQ(str(s.get("from")), format_rfc3339(wall_from_ms(yesterday)));
  EXPECT_EQ(str(s.get("to")), format_rfc3339(wall_from_ms(today)));
  EXPECT_EQ(s.get("cases")->get("raised")->as_int(), std::optional<std::int64_t>(1))
      << json::dump(s);
  EXPECT_EQ(s.get("kinds")->get("review.negative")->as_int(), std::optional<std::int64_t>(1));
  EXPECT_EQ(s.get("employees")->get("reputation")->get("raised")->as_int(),
            std::optional<std::int64_t>(1));
  EXPECT_TRUE(wait_until(
      [&] {
        const auto kept = sql(mendd.db_path(), "SELECT value FROM meta WHERE key = 'summary'");
        return !kept.empty() &&
               kept.front().find(format_rfc3339(wall_from_ms(today))) != std::string::npos;
      },
      20s))
      << "the box remembers the day is sent";
  // With the day, the ledger's head as it stood: what a later rewrite would be checked against.
  ASSERT_TRUE(wait_until([&] { return !consumer.of_class("ledger").empty(); }, 20s));
  const json::Value head = consumer.of_class("ledger").front();
  EXPECT_EQ(str(head.get("day")), str(s.get("day")));
  EXPECT_EQ(head.get("seq")->as_int(), std::optional<std::int64_t>(1));
  EXPECT_EQ(std::vector<std::string>{str(head.get("hash"))},
            sql(mendd.db_path(), "SELECT hash FROM ledger WHERE seq = 1"));
}

TEST_F(CloudTest, AWeekThatEndedGoesToTheGroupAsAReportWithItsSundaysSummary) {
  cloud_.start();
  Consumer consumer(cloud_.plain_port());
  Mendd mendd(dir_, venue_broker_.port(), options());
  mendd.start();
  mendd.stop();
  // The box last summarised a week ago: the seven days since hold one Sunday.
  const std::int64_t today = venue_day_in_progress();
  sql_write(mendd.db_path(), "INSERT OR REPLACE INTO meta(key, value) VALUES ('summary', " +
                                 std::string("'{\"through\":\"") +
                                 format_rfc3339(wall_from_ms(today - 7 * kDay)) + "\"}')");
  mendd.start();

  ASSERT_TRUE(wait_until(
      [&] {
        return consumer.of_class("summary").size() == 7 && !consumer.of_class("weekly").empty();
      },
      30s))
      << mendd.log();
  const auto weeks = consumer.of_class("weekly");
  ASSERT_EQ(weeks.size(), 1u);
  const json::Value& w = weeks.front();
  // The week ends where the Sunday's venue day ends, and began on the Monday six days before.
  std::string sunday;
  for (const auto& day : consumer.of_class("summary")) {
    if (str(day.get("to")) == str(w.get("period")->get("to"))) sunday = str(day.get("day"));
  }
  ASSERT_FALSE(sunday.empty()) << json::dump(w);
  const WallTime sunday_at = *parse_rfc3339(sunday + "T12:00:00Z");
  EXPECT_EQ(str(w.get("week")), format_rfc3339(sunday_at - std::chrono::days(6)).substr(0, 10));
  EXPECT_EQ(std::chrono::floor<std::chrono::days>(sunday_at).time_since_epoch().count() % 7, 3)
      << sunday << " is a Sunday (day 3 counting from a Thursday)";
  EXPECT_EQ(w.get("employees")->as_array()->size(), 9u);
  EXPECT_EQ(w.get("current")->get("cases")->as_int(), std::optional<std::int64_t>(0));
}

}  // namespace
}  // namespace mend::test
