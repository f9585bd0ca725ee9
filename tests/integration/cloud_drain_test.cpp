// A 72-hour cloud outage at a busy venue, compressed: the same rows and bytes the outbox would
// gather, written into a real store, then drained by the real cloud link to "the cloud"
// (cloud_fixture.hpp). It must stay within the default limits, lose nothing and arrive in
// order. The drain rate (until every row is acknowledged and deleted) is printed beside a
// reference measured in the same run: a plain Paho client publishing the same payloads over TLS
// with the same window to the same broker, with a subscriber taking them as the cloud's does.
//
// The busy venue (docs/cloud.md): 300 cases a day, each published about six times as it
// changes (1.6 KB each), 600 alerts (0.4 KB), 1,500 audit entries (0.35 KB): 3,900 rows a day.
// Raw events stay on the box unless cloud.events is on (the cap test covers that case).
#include <mqtt/async_client.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <deque>
#include <future>
#include <iostream>
#include <thread>

#include "adapters/cloud/cloud_link.hpp"
#include "adapters/store/store.hpp"
#include "core/disk_budget.hpp"
#include "tests/integration/cloud_fixture.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "busy-venue";
constexpr int kDays = 3;
constexpr int kCasesPerDay = 300 * 6;
constexpr int kAlertsPerDay = 600;
constexpr int kAuditPerDay = 1500;

struct Row {
  std::string topic;
  std::string payload;
};

std::string padded(const std::string& head, std::size_t size) {
  std::string s = head + R"(,"text":")";
  s.append(size > s.size() + 2 ? size - s.size() - 2 : 0, 'x');
  return s + "\"}";
}

// One day's rows, interleaved as a service would write them.
std::vector<Row> busy_day(int day) {
  std::vector<Row> rows;
  const std::string base = "venue/" + kVenue + "/mend/";
  for (int i = 0; i < kCasesPerDay + kAlertsPerDay + kAuditPerDay; ++i) {
    const std::string id = std::to_string(day) + "-" + std::to_string(i);
    if (i % 13 < 6) {
      rows.push_back({base + "cases/c-" + id, padded(R"({"id":"c-)" + id + "\"", 1600)});
    } else if (i % 13 < 8) {
      rows.push_back({base + "alerts", padded(R"({"case":"c-)" + id + "\"", 400)});
    } else {
      rows.push_back({base + "audit", padded(R"({"target":"c-)" + id + "\"", 350)});
    }
  }
  return rows;
}

CloudConfig cloud_config(const Certificates& pki, int port) {
  CloudConfig c;
  c.enabled = true;
  c.url = "ssl://127.0.0.1:" + std::to_string(port);
  c.ca_file = pki.ca;
  c.cert_file = pki.box_cert;
  c.key_file = pki.box_key;
  c.group = "group-1";
  c.client_id = "mend-group-1-" + kVenue;
  return c;
}

// The reference: the same payloads from a plain Paho client, QoS 1, the same window, over TLS
// with the same certificates. Returns the seconds until the last PUBACK.
double reference_seconds(const CloudConfig& c, const std::vector<Row>& rows) {
  mqtt::async_client cli(c.url, "reference-publisher", nullptr);
  mqtt::ssl_options ssl;
  ssl.set_trust_store(c.ca_file);
  ssl.set_key_store(c.cert_file);
  ssl.set_private_key(c.key_file);
  mqtt::connect_options co;
  co.set_ssl(ssl);
  co.set_clean_session(true);
  cli.connect(co)->wait();
  const auto started = std::chrono::steady_clock::now();
  std::deque<mqtt::delivery_token_ptr> window;
  for (const Row& r : rows) {
    if (window.size() >= static_cast<std::size_t>(c.in_flight)) {
      window.front()->wait();
      window.pop_front();
    }
    window.push_back(cli.publish("reference/" + r.topic, r.payload, 1, false));
  }
  for (auto& t : window) t->wait();
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  cli.disconnect()->wait();
  return s;
}

TEST(CloudDrain, SeventyTwoHoursOfABusyVenueStayWithinTheLimitsAndDrainInOrder) {
  TempDir dir;
  Certificates pki(dir, kVenue);
  CloudBroker cloud(dir, pki);
  cloud.start();
  Consumer consumer(cloud.plain_port());
  auto store = Store::open(StoreOptions{dir.path() + "/mend.db", true});

  // The outage: an hour's rows per commit, written at their hour.
  const WallTime now{
      std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())};
  std::vector<Row> all;
  for (int day = 0; day < kDays; ++day) {
    const std::vector<Row> rows = busy_day(day);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto hour = static_cast<int>(i * 24 / rows.size());
      const WallTime at = now - std::chrono::hours((kDays - day) * 24 - hour);
      store->stage_outbox(rows[i].topic, rows[i].payload, at);
      if (i + 1 == rows.size() || static_cast<int>((i + 1) * 24 / rows.size()) != hour) {
        store->commit();
      }
    }
    all.insert(all.end(), rows.begin(), rows.end());
  }
  const CloudConfig config = cloud_config(pki, cloud.tls_port());
  const OutboxCaps caps{static_cast<std::size_t>(config.outbox_rows),
                        parse_space_amount(config.outbox_bytes)->bytes, config.outbox_age};
  const OutboxUsage held = store->outbox_usage();
  EXPECT_EQ(held.rows, all.size());
  EXPECT_FALSE(over_caps(held, caps, now)) << "72 hours fit the default limits";
  EXPECT_EQ(store->trim_outbox(caps, now).total(), 0u);

  // The link comes back.
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  CloudLink::Handlers h;
  h.read = [&](std::int64_t after, std::size_t limit) { return store->outbox_after(after, limit); };
  h.acked = [&](std::int64_t id) {
    store->stage_outbox_delete(id);
    if (store->staged_count() >= 256) store->commit();
  };
  CloudLink link(io, config, kVenue, std::move(h));
  std::thread runner([&] { io.run(); });
  const auto started = std::chrono::steady_clock::now();
  boost::asio::post(io, [&] { link.start(); });
  // The last PUBACKs may still be on their way to the link: wait for the outbox to empty.
  const auto outbox_left = [&] {
    std::promise<std::size_t> left;
    boost::asio::post(io, [&] {
      store->commit();
      left.set_value(store->outbox_usage().rows);
    });
    return left.get_future().get();
  };
  const bool drained = wait_until([&] { return outbox_left() == 0; }, 240s, 20ms);
  const double drain_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_TRUE(drained) << outbox_left() << " rows were not acknowledged and deleted";
  EXPECT_TRUE(wait_until([&] { return consumer.seqs().size() >= all.size(); }, 30s));
  boost::asio::post(io, [&] { link.stop(Millis{2000}); });
  guard.reset();
  runner.join();

  // Everything, each once after the dedupe, in sequence order with no gap.
  const auto seqs = consumer.seqs();
  ASSERT_EQ(seqs.size(), all.size());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i + 1)) << "at " << i;
  }

  Consumer reference_consumer(cloud.plain_port(), "reference/#", "reference-consumer");
  const double ref_s = reference_seconds(config, all);
  const double rate = static_cast<double>(all.size()) / drain_s;
  const double ref_rate = static_cast<double>(all.size()) / ref_s;
  std::cout << "72-hour outage: " << all.size() << " rows, " << format_bytes(held.bytes)
            << " in the outbox (limits " << config.outbox_rows << " rows, " << config.outbox_bytes
            << ")\n"
            << "drain: " << static_cast<long>(rate) << " rows/s (" << drain_s << " s); "
            << "reference, a plain TLS publisher with the same window: "
            << static_cast<long>(ref_rate) << " rows/s (" << ref_s << " s); ratio "
            << rate / ref_rate << "\n";
  RecordProperty("drain_rows_per_s", static_cast<int>(rate));
  RecordProperty("reference_rows_per_s", static_cast<int>(ref_rate));
  RecordProperty("outbox_bytes", static_cast<int>(held.bytes));
}

}  // namespace
}  // namespace mend::test
