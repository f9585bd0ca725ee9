// The cloud link against "the cloud": a second, real Mosquitto on loopback that speaks only TLS
// and requires a client certificate on mendd's listener (a CA, the broker's and the box's
// certificates are made with openssl for each test). The cloud side's consumer subscribes on a
// plain loopback listener of the same broker with a persistent session, as a stateless cloud
// consumer would, and dedupes by msg_id. In every case: the set of events the venue's bridge
// handed over equals the set the cloud received, first arrivals in sequence order, and the
// outbox is empty once all is acknowledged.
#include <mqtt/async_client.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "core/json.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "test-venue";
const std::string kGroup = "group-1";
const std::string kOpenssl = "/usr/bin/openssl";

// A CA, the cloud broker's certificate (for 127.0.0.1) and the box's client certificate.
struct Certificates {
  std::string ca, server_cert, server_key, box_cert, box_key;
  explicit Certificates(const TempDir& dir) {
    const std::string d = dir.path() + "/pki";
    std::filesystem::create_directories(d);
    ca = d + "/ca.pem";
    server_cert = d + "/server.pem";
    server_key = d + "/server.key";
    box_cert = d + "/box.pem";
    box_key = d + "/box.key";
    const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt",
                                         "ec_paramgen_curve:prime256v1", "-nodes"};
    const auto req = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = {kOpenssl, "req"};
      argv.insert(argv.end(), args.begin(), args.end());
      run_capture(argv);
    };
    std::vector<std::string> a = {"-x509",   "-days",       "2",    "-subj", "/CN=test cloud CA",
                                  "-keyout", d + "/ca.key", "-out", ca};
    a.insert(a.begin(), ec.begin(), ec.end());
    req(a);
    a = {"-subj", "/CN=127.0.0.1", "-keyout", server_key, "-out", d + "/server.csr"};
    a.insert(a.begin(), ec.begin(), ec.end());
    req(a);
    write_file(d + "/san.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run_capture({kOpenssl, "x509", "-req", "-in", d + "/server.csr", "-CA", ca, "-CAkey",
                 d + "/ca.key", "-CAcreateserial", "-days", "2", "-extfile", d + "/san.ext", "-out",
                 server_cert});
    a = {"-subj", "/CN=box-" + kVenue, "-keyout", box_key, "-out", d + "/box.csr"};
    a.insert(a.begin(), ec.begin(), ec.end());
    req(a);
    run_capture({kOpenssl, "x509", "-req", "-in", d + "/box.csr", "-CA", ca, "-CAkey",
                 d + "/ca.key", "-CAcreateserial", "-days", "2", "-out", box_cert});
  }
};

// The cloud broker: TLS with required client certificates for boxes, a plain loopback listener
// for the cloud side's consumer, persistence so a restart keeps the consumer's session.
class CloudBroker {
 public:
  CloudBroker(const TempDir& dir, const Certificates& pki)
      : dir_(dir.path() + "/cloud"), tls_port_(free_port()), plain_port_(free_port()) {
    std::filesystem::create_directories(dir_);
    write_file(dir_ + "/mosquitto.conf",
               "per_listener_settings false\nallow_anonymous true\n"
               "persistence true\npersistence_location " +
                   dir_ +
                   "/\nautosave_interval 1\nuser root\n"
                   "log_type error\nlog_type warning\n"
                   "listener " +
                   std::to_string(tls_port_) + " 127.0.0.1\ncafile " + pki.ca + "\ncertfile " +
                   pki.server_cert + "\nkeyfile " + pki.server_key +
                   "\nrequire_certificate true\n"
                   "listener " +
                   std::to_string(plain_port_) + " 127.0.0.1\n");
  }
  void start() {
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{"mosquitto", "-c", dir_ + "/mosquitto.conf"},
        dir_ + "/mosquitto.log");
    if (!wait_until(
            [this] { return proc_->running() && port_open(plain_port_) && port_open(tls_port_); },
            10s)) {
      throw std::runtime_error("the cloud broker did not start: " +
                               read_file(dir_ + "/mosquitto.log"));
    }
  }
  void stop() {
    if (!proc_) return;
    proc_->signal(SIGTERM);
    if (!proc_->wait(10s)) proc_->kill_now();
    proc_.reset();
  }
  void pause() { proc_->signal(SIGSTOP); }
  void resume() { proc_->signal(SIGCONT); }
  ~CloudBroker() {
    if (proc_) {
      proc_->signal(SIGCONT);
      stop();
    }
  }
  int tls_port() const { return tls_port_; }
  int plain_port() const { return plain_port_; }

 private:
  std::string dir_;
  int tls_port_;
  int plain_port_;
  std::unique_ptr<Process> proc_;
};

// The cloud side: a persistent-session subscriber to mend/v1/#, deduping by msg_id.
class Consumer : public mqtt::callback {
 public:
  explicit Consumer(int port)
      : cli_("tcp://127.0.0.1:" + std::to_string(port), "cloud-consumer", nullptr) {
    cli_.set_callback(*this);
    mqtt::connect_options co;
    co.set_clean_session(false);
    co.set_automatic_reconnect(std::chrono::milliseconds(100), std::chrono::seconds(1));
    cli_.connect(co)->wait_for(10s);
    cli_.subscribe("mend/v1/#", 1)->wait_for(10s);
  }
  ~Consumer() override {
    try {
      cli_.disconnect()->wait_for(2s);
    } catch (const std::exception&) {
    }
  }
  void message_arrived(mqtt::const_message_ptr msg) override {
    std::lock_guard lock(mu_);
    ++received_;
    const json::Value v = parse(msg->get_payload_str());
    const std::string id = str(v.get("msg_id"));
    if (!seen_.insert(id).second) return;  // the cloud side's dedupe
    const json::Value* seq = v.get("seq");
    seqs_.push_back(seq != nullptr && seq->as_int() ? *seq->as_int() : -1);
    topics_.insert(msg->get_topic());
    if (str(v.get("class")) == "events") {
      const json::Value* data = v.get("data");
      if (data != nullptr) event_ids_.push_back(str(data->get("id")));
    }
  }
  std::set<std::string> event_ids() {
    std::lock_guard lock(mu_);
    return {event_ids_.begin(), event_ids_.end()};
  }
  std::vector<std::int64_t> seqs() {
    std::lock_guard lock(mu_);
    return seqs_;
  }
  std::size_t duplicates_dropped() {
    std::lock_guard lock(mu_);
    return received_ - seen_.size();
  }
  std::set<std::string> topics() {
    std::lock_guard lock(mu_);
    return topics_;
  }

 private:
  mqtt::async_client cli_;
  std::mutex mu_;
  std::size_t received_ = 0;
  std::set<std::string> seen_;
  std::vector<std::int64_t> seqs_;
  std::vector<std::string> event_ids_;
  std::set<std::string> topics_;
};

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

}  // namespace
}  // namespace mend::test
