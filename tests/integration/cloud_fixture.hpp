// "The cloud" for the tests: a second, real Mosquitto on loopback that speaks only TLS and
// requires a client certificate on the boxes' listener (a CA, the broker's and the box's
// certificates are made with openssl for each test), and the cloud side's consumer, which
// subscribes on a plain loopback listener of the same broker with a persistent session, as a
// stateless cloud consumer would, and dedupes by msg_id.
#pragma once

#include <mqtt/async_client.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {

inline const std::string kOpenssl = "/usr/bin/openssl";

// A CA, the cloud broker's certificate (for 127.0.0.1) and the box's client certificate.
struct Certificates {
  std::string ca, server_cert, server_key, box_cert, box_key;
  // The box's certificate names the venue, as a real box's does.
  explicit Certificates(const TempDir& dir, const std::string& venue = "test-venue") {
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
    a = {"-subj", "/CN=box-" + venue, "-keyout", box_key, "-out", d + "/box.csr"};
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
  // `filter` and `id`: another subscriber beside the cloud's (a benchmark's reference).
  explicit Consumer(int port, const std::string& filter = "mend/v1/#",
                    const std::string& id = "cloud-consumer")
      : cli_("tcp://127.0.0.1:" + std::to_string(port), id, nullptr) {
    cli_.set_callback(*this);
    mqtt::connect_options co;
    co.set_clean_session(false);
    co.set_automatic_reconnect(std::chrono::milliseconds(100), std::chrono::seconds(1));
    cli_.connect(co)->wait_for(10s);
    cli_.subscribe(filter, 1)->wait_for(10s);
  }
  ~Consumer() override {
    try {
      cli_.disconnect()->wait_for(2s);
    } catch (const std::exception&) {
    }
  }
  void message_arrived(mqtt::const_message_ptr msg) override {
    // What the venue group sends to the box (its configuration, delivery receipts) is not the
    // box's; only the box's messages are counted.
    const std::string& topic = msg->get_topic();
    const std::string cls = topic.substr(topic.rfind('/') + 1);
    if (cls == "config" || cls == "receipts") return;
    std::lock_guard lock(mu_);
    ++received_;
    const json::Value v = parse(msg->get_payload_str());
    const std::string id = str(v.get("msg_id"));
    if (!seen_.insert(id).second) return;  // the cloud side's dedupe
    const json::Value* seq = v.get("seq");
    seqs_.push_back(seq != nullptr && seq->as_int() ? *seq->as_int() : -1);
    topics_.insert(msg->get_topic());
    const json::Value* data = v.get("data");
    if (data == nullptr) return;
    if (str(v.get("class")) == "events") event_ids_.push_back(str(data->get("id")));
    if (str(v.get("class")) == "cases") case_ids_.insert(str(data->get("id")));
    by_class_[str(v.get("class"))].push_back(*data);
  }
  // The data of every message of one class, in arrival order after the dedupe.
  std::vector<json::Value> of_class(const std::string& cls) {
    std::lock_guard lock(mu_);
    const auto it = by_class_.find(cls);
    return it == by_class_.end() ? std::vector<json::Value>{} : it->second;
  }
  std::set<std::string> event_ids() {
    std::lock_guard lock(mu_);
    return {event_ids_.begin(), event_ids_.end()};
  }
  std::set<std::string> case_ids() {
    std::lock_guard lock(mu_);
    return case_ids_;
  }
  // Event ids in the order they first arrived.
  std::vector<std::string> event_order() {
    std::lock_guard lock(mu_);
    return event_ids_;
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
  std::set<std::string> case_ids_;
  std::map<std::string, std::vector<json::Value>> by_class_;
};

}  // namespace mend::test
