// The daemon's one connection to the venue's broker (Paho MQTT C++, MQTT 3.1.1).
//
// - A persistent session (clean session off, a stable client id), so the broker queues what
//   arrives while mendd is down and hands it over on reconnect.
// - `venue/<venue>/mend/status` is the last will (`offline`, retained); `online` is published
//   once the subscriptions are in place.
// - Reconnects with capped exponential backoff and full jitter, driven from the daemon's
//   executor; subscriptions are renewed on every connect.
// - Every message is in the Spool (see spool.hpp) before Paho may acknowledge it, so nothing
//   the broker has been told we received is only in memory.
//
// - A spool write that fails (disk full, I/O error) is not acknowledged: the link cuts its own
//   connection before Paho can send the PUBACK (connection_cut.hpp says why that is the only
//   way with Paho), takes nothing more, reports on_storage(false, why), probes the disk with
//   capped exponential backoff and full jitter, and once a probe write succeeds reports
//   on_storage(true, ...) and reconnects. The broker kept the unacknowledged message and
//   everything after it in the persistent session and hands them over again (a message whose
//   ack was lost with the connection comes again with `redelivered` set).
// - Paho C 1.3.12 frees a QoS 1 message whose write to the socket failed while its session
//   still holds it. The client that did so is set aside for the life of the process (neither
//   connected nor destroyed again) and a new one takes over with the same id and spool, from
//   which Paho reads the commands not yet sent and the messages not yet acknowledged.
//
// Threads: Paho calls on_message on its own delivery thread; the handler must hand the message
// to the executor and return. Everything else (on_up, on_down, reconnect timers) runs on the
// executor given at construction. At most `max_in_flight` messages wait for the executor: past
// that the delivery thread waits, Paho stops reading, and the broker holds the rest.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "adapters/mqtt/connection_cut.hpp"
#include "adapters/mqtt/spool.hpp"
#include "core/backoff.hpp"
#include "core/config.hpp"
#include "core/time.hpp"

namespace mend {

struct MqttMessageIn {
  std::string topic;
  std::string payload;
  Now received;              // read on arrival
  std::uint64_t seq = 0;     // ingest sequence number: the spool is released by it after a commit
  bool redelivered = false;  // the broker's DUP flag: an earlier copy may have been spooled
};

class MqttLink {
 public:
  struct Handlers {
    std::function<void(MqttMessageIn)> on_message;    // Paho's thread: hand off and return
    std::function<void()> on_up;                      // executor: subscribed, online published
    std::function<void(const std::string&)> on_down;  // executor: why
    // executor: the spool stopped (false) or started again (true) taking writes. Called once
    // per change; `why` is the write error, or what the probe found.
    std::function<void(bool writable, const std::string& why)> on_storage;
  };
  struct Options {
    MqttConfig mqtt;
    std::string venue;
    std::string spool_path;
    std::size_t max_in_flight = 10000;
    int max_buffered_publishes = 10000;  // published while disconnected, sent on reconnect
    // The disk probe while the spool is unwritable: capped exponential backoff, full jitter.
    Millis storage_probe_min{500};
    Millis storage_probe_max{30000};
    // Every spool write goes through this (tests inject faults); empty means pwrite(2).
    Spool::WriteFn spool_write;
  };

  // Throws std::runtime_error when the spool cannot be opened or the password file read.
  MqttLink(boost::asio::io_context& io, Options options, Handlers handlers);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  void start();
  // Publishes `offline` (a clean stop is not a lost connection) and disconnects, waiting at
  // most `timeout`.
  void stop(Millis timeout);

  // QoS 1. Buffered (bounded) while disconnected; returns false when it could not be queued.
  bool publish(const std::string& topic, const std::string& payload, bool retained);

  // Messages a previous run received and never saw committed, oldest first: the daemon
  // ingests them again before it connects.
  std::vector<MqttMessageIn> unreleased() const;

  // The executor has finished with one delivered message (back-pressure bookkeeping).
  void message_done();
  // Everything up to seq is committed to the store.
  void release(std::uint64_t seq) { spool_->release(seq); }

  bool connected() const { return up_.load(); }
  // False from a failed spool write until a probe write succeeds.
  bool storage_writable() const { return writable_.load(); }
  std::uint64_t reconnects() const { return reconnects_.load(); }
  // Paho clients replaced after one freed a message it still held (see the .cpp).
  std::uint64_t clients_replaced() const { return replaced_.load(); }
  Spool::Stats spool_stats() const { return spool_->stats(); }
  std::string status_topic() const;

 private:
  class Persistence;
  class Callback;
  class Listener;
  struct Client;
  std::unique_ptr<Client> new_client();
  void spoil();
  void set_aside();
  void connect();
  void schedule_reconnect(const std::string& why);
  void on_connected();
  void on_subscribed();
  void deliver(const std::string& topic, const std::string& payload, bool redelivered);
  bool storage_failed(const std::string& why, std::size_t bytes);
  bool hold_until_written(const Spool::Incoming& in);
  bool cut_connection();
  void schedule_probe();
  void probe_storage();

  boost::asio::io_context& io_;
  Options opt_;
  Handlers handlers_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Persistence> persistence_;
  std::string password_;
  boost::asio::steady_timer retry_timer_;
  std::mt19937_64 rng_;
  unsigned attempt_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> writable_{true};
  std::atomic<std::size_t> probe_bytes_{0};
  Backoff probe_backoff_;
  boost::asio::steady_timer probe_timer_;
  std::mutex ends_mu_;
  std::vector<TcpEnds> before_connect_;  // this process's connections to the broker's port
  std::optional<TcpEnds> ends_;          // our connection to the broker, once known
  std::atomic<bool> up_{false};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> next_seq_{0};
  std::atomic<std::size_t> queued_{
      0};  // messages Paho queued (and acknowledged), not yet delivered
  std::mutex flow_mu_;
  std::condition_variable flow_cv_;
  std::size_t in_flight_ = 0;
  std::uint64_t generation_ = 0;  // of client_: what earlier clients report is dropped
  std::atomic<std::uint64_t> replaced_{0};
  std::unique_ptr<Client> client_;  // last: it calls back into the members above
};

}  // namespace mend
