// The venue group's cloud broker: the store's outbox, in order, at least once.
//
// - A second Paho client (MQTT 3.1.1, TLS with the box's client certificate, a persistent
//   session, QoS 1). It publishes only while connected: the outbox is the buffer, not Paho's
//   offline queue, and Paho keeps nothing of its own (no client persistence).
// - Rows go out in id order, at most cloud.in_flight unacknowledged at a time, each on
//   mend/v1/<group>/<venue>/<class> as {"msg_id","seq","venue","class","created","data"}.
// - A row is let go (Handlers::acked, which deletes it at the store's next commit) only after
//   the broker's PUBACK. After any reconnect the link starts again from the lowest row not
//   acknowledged, so a message may arrive twice (same msg_id) but never not at all; the cloud
//   side dedupes by (venue, msg_id).
// - A first connect that fails is retried like any other: capped exponential backoff with
//   full jitter, for as long as mendd runs.
// - On each connect it subscribes (QoS 1) to mend/v1/<group>/<venue>/config, where the venue
//   group retains the box's configuration document (core/cloud_config.hpp); each delivery goes
//   to Handlers::config, the retained one again after every reconnect. It also subscribes to
//   mend/v1/<group>/<venue>/receipts, where the venue's messaging integration says whether a
//   message to a guest was delivered (core/guest_messages.hpp); each goes to Handlers::receipt.
//
// - Paho C 1.3.12 frees a QoS 1 message whose write to the socket failed while its session still
//   holds it. The client that did so is set aside for the life of the process (neither
//   connected nor destroyed again, either of which would touch that memory) and a new client
//   with the same id takes over; the broker keeps the session.
//
// Threads: everything runs on the executor given at construction; Paho's callbacks hop to it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/outbox.hpp"
#include "core/time.hpp"

namespace mend {

class CloudLink {
 public:
  struct Handlers {
    // Up to `limit` committed rows with an id above `after`, in id order.
    std::function<std::vector<OutboxRow>(std::int64_t after, std::size_t limit)> read;
    // The broker acknowledged row `id`.
    std::function<void(std::int64_t id)> acked;
    // The link came up (true) or went down (false, with why).
    std::function<void(bool up, const std::string& why)> on_state;
    // A configuration document arrived from the cloud.
    std::function<void(const std::string& payload)> config;
    // A delivery receipt for a message to a guest arrived.
    std::function<void(const std::string& payload)> receipt;
  };
  struct Status {
    bool connected = false;
    std::size_t in_flight = 0;
    std::uint64_t acknowledged = 0;    // since mendd started
    std::optional<WallTime> last_ack;  // when the broker last acknowledged a row
  };

  // Throws std::runtime_error when the URL is not ssl:// or mqtts://.
  CloudLink(boost::asio::io_context& io, CloudConfig config, std::string venue, Handlers handlers);
  ~CloudLink();
  CloudLink(const CloudLink&) = delete;
  CloudLink& operator=(const CloudLink&) = delete;

  void start();
  void stop(Millis timeout);
  // Rows may have been committed: send what the window allows.
  void kick();
  Status status() const;

  // The message the cloud receives for one row.
  static std::string envelope(const OutboxRow& row, std::string_view venue, std::string_view cls);

 private:
  class Callback;
  class Listener;
  struct Client;
  void connect();
  void on_connected(bool session_present);
  void on_lost(const std::string& why);
  void on_publish_failed(const std::string& why, bool spoiled);
  void on_acked(std::int64_t id);
  void on_message(const std::string& topic, const std::string& payload);
  void subscribe(const std::string& topic);
  void schedule_reconnect(const std::string& why);
  void pump();
  void set_aside();

  boost::asio::io_context& io_;
  CloudConfig config_;
  std::string venue_;
  Handlers handlers_;
  boost::asio::steady_timer retry_timer_;
  std::mt19937_64 rng_;
  unsigned attempt_ = 0;
  bool up_ = false;
  bool connecting_ = false;
  bool subscribed_ = false;  // this process has subscribed once
  bool stopping_ = false;
  std::int64_t next_after_ = 0;  // the last row id handed to Paho on this connection
  std::set<std::int64_t> in_flight_;
  std::set<std::int64_t> acked_;  // acknowledged, until the store no longer returns them
  std::uint64_t acknowledged_ = 0;
  std::optional<WallTime> last_ack_;
  std::string uri_;
  std::string client_id_;
  std::uint64_t generation_ = 0;    // of client_: what earlier clients report is dropped
  std::unique_ptr<Client> client_;  // last: it calls back into the members above
};

}  // namespace mend
