// The broker link against a real Mosquitto (the limits Mend ships) with the spool's disk
// failing at write N, for every N over a small evening: ten guest.seated messages, each
// acknowledged to the publisher by the broker. Whatever N, nothing crashes, the link reports
// the disk unwritable and then writable again, the message whose write failed comes again from
// the broker, and every message the broker accepted ends up in the spool: once, or once more
// only when the broker redelivered it (an ack lost with the cut connection).
#include <mqtt/async_client.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "adapters/mqtt/mqtt_link.hpp"
#include "tests/adapters/faulty_disk.hpp"
#include "tests/integration/harness.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;
using test::wait_until;

constexpr int kMessages = 10;
constexpr const char* kTopic = "venue/v/booking/guest.seated";

// One run of the link on its own executor thread, recording what its handlers saw.
class LinkRun {
 public:
  LinkRun(int port, const std::string& dir, const std::string& client_id, Spool::WriteFn write)
      : spool_path_(dir + "/" + client_id + ".spool") {
    MqttLink::Options o;
    o.mqtt.host = "127.0.0.1";
    o.mqtt.port = port;
    o.mqtt.client_id = client_id;
    o.mqtt.keepalive = 30s;
    o.mqtt.reconnect_min = 20ms;
    o.mqtt.reconnect_max = 200ms;
    o.venue = "v";
    o.spool_path = spool_path_;
    o.storage_probe_min = 20ms;
    o.storage_probe_max = 200ms;
    o.spool_write = std::move(write);
    MqttLink::Handlers h;
    h.on_message = [this](MqttMessageIn m) {
      {
        std::lock_guard lock(mu_);
        got_.push_back(std::move(m));
      }
      link_->message_done();
    };
    h.on_up = [this] { ++ups_; };
    h.on_down = [this](const std::string& why) {
      std::lock_guard lock(mu_);
      downs_.push_back(why);
    };
    h.on_storage = [this](bool writable, const std::string& why) {
      std::lock_guard lock(mu_);
      storage_.emplace_back(writable, why);
    };
    link_ = std::make_unique<MqttLink>(io_, std::move(o), std::move(h));
    thread_ = std::thread([this] { io_.run(); });
    boost::asio::post(io_, [this] { link_->start(); });
  }
  ~LinkRun() {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      link_->stop(1s);
      stopped.set_value();
    });
    stopped.get_future().wait();
    link_.reset();
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  int ups() const { return ups_; }
  std::uint64_t clients_replaced() const { return link_->clients_replaced(); }
  // Why the link went down, each time, oldest first.
  std::string downs() {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& d : downs_) out += d + "\n";
    return out;
  }
  // `n` publishes from the link's executor, as mendd's case updates are made; returns once
  // they are handed to Paho.
  void publish_burst(const std::string& tag, int n) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      for (int i = 0; i < n; ++i) {
        (void)link_->publish("venue/v/mend/cases/" + tag + "-" + std::to_string(i),
                             R"({"id":")" + tag + "-" + std::to_string(i) + R"("})", false);
      }
      done.set_value();
    });
    done.get_future().wait();
  }
  std::vector<MqttMessageIn> got() {
    std::lock_guard lock(mu_);
    return got_;
  }
  std::vector<std::pair<bool, std::string>> storage() {
    std::lock_guard lock(mu_);
    return storage_;
  }
  const std::string& spool_path() const { return spool_path_; }

 private:
  std::string spool_path_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  std::mutex mu_;
  std::vector<MqttMessageIn> got_;
  std::vector<std::pair<bool, std::string>> storage_;
  std::vector<std::string> downs_;
  std::atomic<int> ups_{0};
  std::unique_ptr<MqttLink> link_;
  std::thread thread_;
};

class LinkFaultTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<test::TempDir>();
    broker_ = std::make_unique<test::Mosquitto>(*dir_);
  }
  static void TearDownTestSuite() {
    broker_.reset();
    dir_.reset();
  }
  static std::unique_ptr<test::TempDir> dir_;
  static std::unique_ptr<test::Mosquitto> broker_;
};
std::unique_ptr<test::TempDir> LinkFaultTest::dir_;
std::unique_ptr<test::Mosquitto> LinkFaultTest::broker_;

std::map<std::string, int> spooled_payloads(const std::string& path) {
  std::map<std::string, int> out;
  for (const auto& m : Spool(path).incoming()) ++out[m.payload];
  return out;
}

// The publisher connects before the link, as a venue's bridges do; each publish returns once
// the broker has acknowledged it.
std::vector<std::string> publish_evening(mqtt::async_client& pub, const std::string& tag) {
  std::vector<std::string> sent;
  for (int i = 0; i < kMessages; ++i) {
    std::string payload = R"({"id":")" + tag + "-" + std::to_string(i) + R"(","table":"T7"})";
    EXPECT_TRUE(pub.publish(kTopic, payload.data(), payload.size(), 1, false)->wait_for(10s));
    sent.push_back(std::move(payload));
  }
  return sent;
}

// Each parameter's clean run has its own ids: the link's session is persistent, and another
// run's session would hand over that run's leftovers.
std::size_t clean_run_writes(int port, const std::string& dir, const std::string& tag) {
  testing::FaultyDisk never(0);
  mqtt::async_client pub("tcp://127.0.0.1:" + std::to_string(port), "pub-clean-" + tag, nullptr);
  pub.connect()->wait_for(10s);
  LinkRun run(port, dir, "mendd-clean-" + tag, never.write_fn());
  EXPECT_TRUE(wait_until([&] { return run.ups() >= 1; }, 10s));
  const auto sent = publish_evening(pub, "clean");
  EXPECT_TRUE(wait_until([&] { return run.got().size() >= sent.size(); }, 10s));
  pub.disconnect()->wait_for(5s);
  return never.calls();
}

TEST_P(LinkFaultTest, AFailedSpoolWriteIsNeverAcknowledgedAndComesAgainOnceTheDiskWorks) {
  const int port = broker_->port();
  const std::size_t writes = clean_run_writes(port, dir_->path(), std::to_string(GetParam()));
  ASSERT_GE(writes, static_cast<std::size_t>(kMessages));
  // Every N for a full disk; the first, a middle and the last write for an I/O error (each N
  // costs a reconnect, a few seconds).
  std::vector<std::size_t> fail_at;
  for (std::size_t n = 1; n <= writes; ++n) {
    if (GetParam() == ENOSPC || n == 1 || n == writes / 2 || n == writes) fail_at.push_back(n);
  }
  for (const std::size_t n : fail_at) {
    const std::string tag = std::to_string(GetParam()) + "-" + std::to_string(n);
    SCOPED_TRACE("spool write " + std::to_string(n) + " fails");
    mqtt::async_client pub("tcp://127.0.0.1:" + std::to_string(port), "pub-" + tag, nullptr);
    ASSERT_TRUE(pub.connect()->wait_for(10s));
    testing::FaultyDisk disk(n, GetParam());
    std::string spool_path;
    std::vector<std::string> sent;
    {
      LinkRun run(port, dir_->path(), "mendd-" + tag, disk.write_fn());
      ASSERT_TRUE(wait_until([&] { return run.ups() >= 1; }, 10s));
      sent = publish_evening(pub, tag);
      // The evening's writes include the link's own (its retained status): past them, the
      // failing write is a message's.
      // Paho's own writes vary from run to run: more messages until write N has come.
      for (int extra = 0; extra < 3 * kMessages && !disk.failed(); ++extra) {
        const std::string more = R"({"id":")" + tag + "-x" + std::to_string(extra) + R"("})";
        EXPECT_TRUE(pub.publish(kTopic, more.data(), more.size(), 1, false)->wait_for(10s));
        sent.push_back(more);
      }
      ASSERT_TRUE(wait_until([&] { return disk.failed(); }, 10s)) << "write " << n << " never came";
      ASSERT_TRUE(wait_until([&] { return !run.storage().empty(); }, 10s))
          << "the failed write was not reported";
      EXPECT_FALSE(run.storage().front().first);
      EXPECT_NE(run.storage().front().second.find(GetParam() == ENOSPC ? "No space"
                                                                       : "Input/output error"),
                std::string::npos)
          << run.storage().front().second;
      disk.clear();  // space came back
      ASSERT_TRUE(wait_until([&] { return run.storage().size() >= 2; }, 10s))
          << "the probe never found the disk writable again";
      EXPECT_TRUE(run.storage()[1].first);
      std::map<std::string, int> delivered;
      const bool all = wait_until(
          [&] {
            delivered.clear();
            for (const auto& m : run.got()) ++delivered[m.payload];
            for (const auto& p : sent) {
              if (delivered.count(p) == 0) return false;
            }
            return true;
          },
          20s);
      EXPECT_TRUE(all) << "a message the broker accepted never reached the spool";
      std::map<std::string, int> redelivered;
      for (const auto& m : run.got()) {
        if (m.redelivered) ++redelivered[m.payload];
      }
      for (const auto& [payload, times] : delivered) {
        EXPECT_LE(times - 1, redelivered[payload]) << payload << " delivered twice as new";
      }
      // The write that failed was a message's (or the next one's, the disk staying full):
      // that message was not acknowledged, so the broker sent it again, marked as a repeat.
      EXPECT_FALSE(redelivered.empty()) << "nothing came again: an unwritten message was acked";
      spool_path = run.spool_path();
    }
    const auto spooled = spooled_payloads(spool_path);
    for (const auto& p : sent) {
      auto it = spooled.find(p);
      ASSERT_NE(it, spooled.end()) << p << " acknowledged to the publisher, missing in the spool";
    }
    EXPECT_EQ(spooled.size(), sent.size());
    pub.disconnect()->wait_for(5s);
  }
}

INSTANTIATE_TEST_SUITE_P(DiskFullAndIoError, LinkFaultTest, ::testing::Values(ENOSPC, EIO),
                         [](const auto& param_info) {
                           return param_info.param == ENOSPC ? "ENOSPC" : "EIO";
                         });

// Paho C 1.3.12 frees a QoS 1 message whose write to the socket failed while the session still
// holds it (mqtt_link.hpp). The link publishes while the broker goes away and comes back, round
// after round. Before the link set such a client aside, its next connect sent the freed bytes:
// the broker dropped it as malformed on every reconnect and the link never came back (and under
// ASan the read of freed memory stopped the test).
TEST(LinkRestart, PublishingWhileTheBrokerGoesAndComesBackTheLinkAlwaysReturns) {
  test::TempDir dir;
  test::Mosquitto broker(dir);
  testing::FaultyDisk never(0);
  LinkRun run(broker.port(), dir.path(), "mendd-restart", never.write_fn());
  ASSERT_TRUE(wait_until([&] { return run.ups() >= 1; }, 10s));
  for (int round = 0; round < 10; ++round) {
    std::atomic<int> bursts{0};
    std::thread publisher([&] {
      for (int b = 0; b < 20; ++b) {
        run.publish_burst("r" + std::to_string(round) + "b" + std::to_string(b), 100);
        ++bursts;
      }
    });
    // The broker goes in the middle of the round's publishing, a little later each round.
    const bool publishing = wait_until([&] { return bursts >= 1 + round; }, 10s);
    broker.kill9();
    publisher.join();
    ASSERT_TRUE(publishing);
    broker.start();
    ASSERT_TRUE(wait_until([&] { return run.ups() >= round + 2; }, 30s))
        << "round " << round << ", down for:\n"
        << run.downs();
  }
  // Back for good: what it publishes now reaches the broker's subscribers.
  test::MqttProbe watcher(broker.port(), "watcher");
  watcher.subscribe("venue/v/mend/cases/#");
  run.publish_burst("after", 50);
  EXPECT_TRUE(
      wait_until([&] { return watcher.latest().count("venue/v/mend/cases/after-49") == 1; }, 20s));
  RecordProperty("clients_replaced", static_cast<int>(run.clients_replaced()));
}

}  // namespace
}  // namespace mend
