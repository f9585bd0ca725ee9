#include "adapters/cloud/cloud_link.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <limits>
#include <stdexcept>

#include "adapters/clock.hpp"
#include "core/backoff.hpp"
#include "core/json.hpp"
#include "core/topics.hpp"

namespace mend {

// Each Paho client has its own callback and listeners, stamped with the client's generation:
// what a set-aside client still reports is dropped on the executor, acks excepted (the broker
// has those messages).
class CloudLink::Callback : public mqtt::callback {
 public:
  Callback(CloudLink& link, std::uint64_t generation) : link_(link), generation_(generation) {}
  void connection_lost(const mqtt::string& cause) override {
    boost::asio::post(link_.io_, [&link = link_, gen = generation_, cause] {
      if (gen == link.generation_) link.on_lost(cause.empty() ? "connection lost" : cause);
    });
  }
  void message_arrived(mqtt::const_message_ptr msg) override {
    boost::asio::post(link_.io_,
                      [&link = link_, topic = msg->get_topic(), payload = msg->get_payload_str()] {
                        link.on_message(topic, payload);
                      });
  }

 private:
  CloudLink& link_;
  std::uint64_t generation_;
};

// Paho reports connects and publishes on its own threads; both hop to the executor. A publish
// carries its row id as the token's user context.
class CloudLink::Listener : public mqtt::iaction_listener {
 public:
  enum class What { kConnect, kPublish };
  Listener(CloudLink& link, std::uint64_t generation, What what)
      : link_(link), generation_(generation), what_(what) {}
  void on_success(const mqtt::token& tok) override {
    if (what_ == What::kConnect) {
      const bool session = tok.get_connect_response().is_session_present();
      boost::asio::post(link_.io_, [&link = link_, gen = generation_, session] {
        if (gen == link.generation_) link.on_connected(session);
      });
      return;
    }
    const auto id =
        static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(tok.get_user_context()));
    boost::asio::post(link_.io_, [&link = link_, id] { link.on_acked(id); });
  }
  void on_failure(const mqtt::token& tok) override {
    const int code = tok.get_return_code();
    const std::string why = std::string(what_ == What::kConnect ? "connect" : "publish") +
                            " failed (code " + std::to_string(code) + ")";
    if (what_ == What::kConnect) {
      boost::asio::post(link_.io_, [&link = link_, gen = generation_, why] {
        if (gen != link.generation_) return;
        link.connecting_ = false;
        link.schedule_reconnect(why);
      });
      return;
    }
    // Paho C 1.3.12 frees a QoS 1 publish whose write to the socket failed (MQTTASYNC_FAILURE)
    // while its session copy still points at the topic and payload: the next connect would send
    // freed memory and dropping the session would free it twice (seen under ASan in
    // CloudTest.StoppedAndRestartedMidStreamNothingIsLost). Such a client is never used again.
    const bool spoiled = code == MQTTASYNC_FAILURE;
    boost::asio::post(link_.io_, [&link = link_, gen = generation_, why, spoiled] {
      if (gen == link.generation_) link.on_publish_failed(why, spoiled);
    });
  }

 private:
  CloudLink& link_;
  std::uint64_t generation_;
  What what_;
};

struct CloudLink::Client {
  Callback callback;
  Listener connect_listener;
  Listener publish_listener;
  mqtt::async_client cli;  // after the listeners: it calls back into them until destroyed
  bool spoiled = false;    // holds a message Paho freed: never connect or destroy it
  Client(CloudLink& link, std::uint64_t generation, const std::string& uri, const std::string& id)
      : callback(link, generation),
        connect_listener(link, generation, Listener::What::kConnect),
        publish_listener(link, generation, Listener::What::kPublish),
        // No client persistence: the outbox is the buffer.
        cli(uri, id, mqtt::create_options(MQTTVERSION_3_1_1), nullptr) {
    cli.set_callback(callback);
  }
};

namespace {

// How many acknowledged ids the link keeps before it looks which of them are deleted.
constexpr std::size_t kForgetAfter = 1024;

// Paho C knows ssl://; mqtts:// is the same thing under its registered name.
std::string paho_uri(const std::string& url) {
  if (url.starts_with("ssl://")) return url;
  if (url.starts_with("mqtts://")) return "ssl://" + url.substr(8);
  throw std::runtime_error("cloud.url " + url + ": must start with ssl:// or mqtts://");
}

}  // namespace

CloudLink::CloudLink(boost::asio::io_context& io, CloudConfig config, std::string venue,
                     Handlers handlers)
    : io_(io),
      config_(std::move(config)),
      venue_(std::move(venue)),
      handlers_(std::move(handlers)),
      retry_timer_(io),
      rng_(std::random_device{}()),
      uri_(paho_uri(config_.url)),
      client_id_(config_.client_id.empty() ? "mend-" + config_.group + "-" + venue_
                                           : config_.client_id) {
  client_ = std::make_unique<Client>(*this, generation_, uri_, client_id_);
}

CloudLink::~CloudLink() {
  if (client_ && client_->spoiled) {
    set_aside();
    return;
  }
  try {
    if (client_ && client_->cli.is_connected()) client_->cli.disconnect(0)->wait_for(500);
  } catch (const std::exception&) {
    // going away regardless
  }
  client_.reset();
}

void CloudLink::set_aside() {
  // Reachable from a static for the life of the process, so LeakSanitizer does not count it.
  static auto* const kept = new std::vector<std::unique_ptr<Client>>();
  kept->push_back(std::move(client_));
  ++generation_;
  spdlog::warn(
      "cloud: a message's write failed in Paho C; its client is set aside for good and a new "
      "one takes over ({} so far)",
      kept->size());
}

void CloudLink::start() { connect(); }

void CloudLink::connect() {
  if (stopping_ || connecting_ || up_) return;
  if (!client_ || client_->spoiled) {
    if (client_) set_aside();
    client_ = std::make_unique<Client>(*this, generation_, uri_, client_id_);
  }
  mqtt::connect_options co;
  co.set_mqtt_version(MQTTVERSION_3_1_1);
  co.set_clean_session(false);
  co.set_keep_alive_interval(std::chrono::duration_cast<std::chrono::seconds>(config_.keepalive));
  co.set_connect_timeout(std::chrono::seconds(10));
  co.set_automatic_reconnect(false);  // ours has jitter and runs on the executor
  mqtt::ssl_options ssl;
  ssl.set_trust_store(config_.ca_file);
  ssl.set_key_store(config_.cert_file);
  ssl.set_private_key(config_.key_file);
  ssl.set_enable_server_cert_auth(true);
  co.set_ssl(ssl);
  try {
    connecting_ = true;
    client_->cli.connect(co, nullptr, client_->connect_listener);
  } catch (const mqtt::exception& e) {
    connecting_ = false;
    schedule_reconnect(std::string("connect: ") + e.what());
  }
}

void CloudLink::on_connected(bool session_present) {
  connecting_ = false;
  if (stopping_ || up_) return;  // Paho may report one connect twice
  up_ = true;
  attempt_ = 0;
  // Resume from the lowest row not acknowledged: whatever was in flight goes again.
  next_after_ = 0;
  in_flight_.clear();
  if (handlers_.on_state) handlers_.on_state(true, "connected");
  // Subscribed at this process's first connect (the broker then sends the retained document
  // again, which the handler recognises as the version it has) and whenever the broker has no
  // session for the box. A resumed session keeps the subscriptions and queues what came
  // meanwhile. Not subscribing again there also keeps a subscribe off the wire while a flaky
  // link drops: Paho C 1.3.12 can read a pending subscribe's topic after its send thread freed
  // it on the disconnect (seen under ASan in CloudTest.StoppedAndRestartedMidStreamNothingIsLost).
  if (!subscribed_ || !session_present) {
    if (handlers_.config) subscribe(topics::cloud_config(config_.group, venue_));
    if (handlers_.receipt) subscribe(topics::cloud_receipts(config_.group, venue_));
    subscribed_ = true;
  }
  pump();
}

void CloudLink::subscribe(const std::string& topic) {
  try {
    client_->cli.subscribe(topic, 1);
  } catch (const mqtt::exception& e) {
    spdlog::warn("cloud: cannot subscribe to {}: {}", topic, e.what());
  }
}

void CloudLink::on_message(const std::string& topic, const std::string& payload) {
  if (stopping_) return;
  if (topic == topics::cloud_config(config_.group, venue_)) {
    if (handlers_.config) handlers_.config(payload);
  } else if (topic == topics::cloud_receipts(config_.group, venue_)) {
    if (handlers_.receipt) handlers_.receipt(payload);
  }
}

void CloudLink::on_lost(const std::string& why) {
  if (stopping_) return;
  const bool was_up = up_;
  up_ = false;
  in_flight_.clear();
  if (was_up) {
    try {
      if (client_->cli.is_connected()) client_->cli.disconnect(0);
    } catch (const mqtt::exception&) {
      // already gone
    }
  }
  if (was_up && handlers_.on_state) handlers_.on_state(false, why);
  if (was_up || !connecting_) schedule_reconnect(why);
}

void CloudLink::on_publish_failed(const std::string& why, bool spoiled) {
  if (spoiled) client_->spoiled = true;
  on_lost(why);
}

void CloudLink::schedule_reconnect(const std::string& why) {
  if (stopping_) return;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Millis delay =
      std::max(Millis{50},
               backoff_delay(config_.reconnect_min, config_.reconnect_max, attempt_++, unit(rng_)));
  if (attempt_ == 1) spdlog::warn("cloud: {}; retrying", why);
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

void CloudLink::on_acked(std::int64_t id) {
  // An ack from an earlier connection still counts: the broker has the message.
  if (!acked_.insert(id).second) return;
  in_flight_.erase(id);
  ++acknowledged_;
  last_ack_ = read_clock().wall;
  if (handlers_.acked) handlers_.acked(id);
  // Acknowledged ids are kept only until their rows are deleted, so that a reconnect does not
  // send them again; now and then forget those the store no longer holds (one indexed read), or
  // the set would grow for as long as mendd runs.
  if (acked_.size() >= kForgetAfter && handlers_.read) {
    const std::vector<OutboxRow> first = handlers_.read(0, 1);
    const std::int64_t lowest =
        first.empty() ? std::numeric_limits<std::int64_t>::max() : first.front().id;
    acked_.erase(acked_.begin(), acked_.lower_bound(lowest));
  }
  // Refill once half the window is free: one read of many rows, not one read per ack.
  if (in_flight_.size() * 2 <= static_cast<std::size_t>(config_.in_flight)) pump();
}

void CloudLink::kick() { pump(); }

void CloudLink::pump() {
  if (!up_ || stopping_ || !handlers_.read) return;
  const auto window = static_cast<std::size_t>(config_.in_flight);
  while (in_flight_.size() < window) {
    const bool from_start = next_after_ == 0;
    const std::vector<OutboxRow> rows = handlers_.read(next_after_, window - in_flight_.size());
    if (from_start) {
      // Acknowledged rows below the lowest one left are deleted: forget them.
      const std::int64_t lowest =
          rows.empty() ? std::numeric_limits<std::int64_t>::max() : rows.front().id;
      acked_.erase(acked_.begin(), acked_.lower_bound(lowest));
    }
    if (rows.empty()) return;
    for (const OutboxRow& row : rows) {
      next_after_ = row.id;
      if (acked_.contains(row.id)) continue;  // acknowledged, its delete not committed yet
      std::string_view cls = topics::mend_class(row.topic);
      if (cls.empty()) cls = "other";
      const std::string payload = envelope(row, venue_, cls);
      // The row id rides in Paho's opaque user context and comes back with the PUBACK; it is
      // never dereferenced.
      void* context =
          reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr): an id, not a pointer
              static_cast<std::intptr_t>(row.id));
      try {
        client_->cli.publish(topics::cloud(config_.group, venue_, cls), payload.data(),
                             payload.size(), 1, false, context, client_->publish_listener);
      } catch (const mqtt::exception& e) {
        on_lost(std::string("publish: ") + e.what());
        return;
      }
      in_flight_.insert(row.id);
    }
  }
}

std::string CloudLink::envelope(const OutboxRow& row, std::string_view venue,
                                std::string_view cls) {
  std::string out = "{\"msg_id\":";
  json::append_quoted(out, std::string(venue) + ":" + std::to_string(row.id));
  out += ",\"seq\":" + std::to_string(row.id) + ",\"venue\":";
  json::append_quoted(out, venue);
  out += ",\"class\":";
  json::append_quoted(out, cls);
  out += ",\"created\":";
  json::append_quoted(out, format_rfc3339(wall_from_ms(row.created)));
  out += ",\"data\":";
  // Our own JSON, kept as it is; anything else travels as a string.
  if (json::parse(row.payload, json::ParseLimits{64, row.payload.size() + 1})) {
    out += row.payload;
  } else {
    json::append_quoted(out, row.payload);
  }
  out += '}';
  return out;
}

CloudLink::Status CloudLink::status() const {
  return Status{up_, in_flight_.size(), acknowledged_, last_ack_};
}

void CloudLink::stop(Millis timeout) {
  stopping_ = true;
  retry_timer_.cancel();
  try {
    if (client_->cli.is_connected()) client_->cli.disconnect(timeout.count())->wait_for(timeout);
  } catch (const mqtt::exception&) {
    // the broker is gone already
  }
  up_ = false;
}

}  // namespace mend
