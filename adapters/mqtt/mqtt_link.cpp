#include "adapters/mqtt/mqtt_link.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "adapters/clock.hpp"
#include "core/topics.hpp"

namespace mend {

// Paho's persistence callbacks, forwarded to the spool.
class MqttLink::Persistence : public mqtt::iclient_persistence {
 public:
  Persistence(Spool& spool, MqttLink& link) : spool_(spool), link_(link) {}
  void open(const mqtt::string&, const mqtt::string&) override {}
  void close() override {}
  void clear() override { spool_.clear(); }
  bool contains_key(const mqtt::string& key) override { return spool_.contains(key); }
  mqtt::string_collection keys() const override {
    mqtt::string_collection out;
    for (auto& k : spool_.keys()) out.push_back(k);
    return out;
  }
  void put(const mqtt::string& key, const std::vector<mqtt::string_view>& bufs) override {
    // Paho queues an incoming message under "q-<n>" (PERSISTENCE_QUEUE_KEY) when it cannot hand
    // it over at once, and acknowledges it right away: counted, so that deliver() keeps it.
    if (key.rfind("q-", 0) == 0) ++link_.queued_;
    std::vector<std::string_view> parts;
    parts.reserve(bufs.size());
    for (const auto& b : bufs) parts.emplace_back(b.data(), b.size());
    try {
      spool_.put(key, parts);
    } catch (const std::runtime_error& e) {
      // Paho queues an incoming message here (when its queue is not empty) and acknowledges it
      // even when this fails: the connection must go first, as for a failed append.
      // Its queued incoming messages are "q-<n>" (PERSISTENCE_QUEUE_KEY); the rest is outgoing.
      if (key.rfind("q-", 0) == 0) {
        std::size_t bytes = 0;
        for (const auto& b : bufs) bytes += b.size();
        link_.storage_failed(e.what(), bytes);
      }
      throw;
    }
  }
  mqtt::string get(const mqtt::string& key) const override {
    auto v = spool_.get(key);
    if (!v) throw mqtt::persistence_exception();
    return *v;
  }
  void remove(const mqtt::string& key) override { spool_.remove(key); }

 private:
  Spool& spool_;
  MqttLink& link_;
};

// Each Paho client has its own callback and listeners, stamped with the client's generation:
// what a set-aside client still reports is dropped on the executor. Its deliveries still count
// (each is written to the spool before Paho acknowledges it).
class MqttLink::Callback : public mqtt::callback {
 public:
  Callback(MqttLink& link, std::uint64_t generation) : link_(link), generation_(generation) {}
  void message_arrived(mqtt::const_message_ptr msg) override {
    link_.deliver(msg->get_topic(), msg->get_payload_str(), msg->is_duplicate());
  }
  void connection_lost(const mqtt::string& cause) override {
    boost::asio::post(link_.io_, [&link = link_, gen = generation_, cause] {
      if (gen != link.generation_) return;
      link.up_ = false;
      link.schedule_reconnect(cause.empty() ? "connection lost" : cause);
    });
  }

 private:
  MqttLink& link_;
  std::uint64_t generation_;
};

// Paho reports the outcome of connect, subscribe and publish on its own thread; all hop to the
// executor.
class MqttLink::Listener : public mqtt::iaction_listener {
 public:
  enum class What { kConnect, kSubscribe, kPublish };
  Listener(MqttLink& link, std::uint64_t generation, What what)
      : link_(link), generation_(generation), what_(what) {}
  void on_success(const mqtt::token&) override {
    if (what_ == What::kPublish) return;
    boost::asio::post(link_.io_, [&link = link_, gen = generation_, what = what_] {
      if (gen != link.generation_) return;
      if (what == What::kConnect) {
        link.on_connected();
      } else {
        link.on_subscribed();
      }
    });
  }
  void on_failure(const mqtt::token& tok) override {
    const int code = tok.get_return_code();
    if (what_ == What::kPublish) {
      // Paho C 1.3.12 frees a QoS 1 message whose write to the socket failed
      // (MQTTASYNC_FAILURE) while its session still points at the topic and payload: the next
      // connect would send freed memory (the broker drops the connection as malformed, every
      // time), and cleaning the session would free it twice. Such a client is never used again.
      if (code != MQTTASYNC_FAILURE) return;
      boost::asio::post(link_.io_, [&link = link_, gen = generation_] {
        if (gen == link.generation_) link.spoil();
      });
      return;
    }
    const std::string why = std::string(what_ == What::kConnect ? "connect" : "subscribe") +
                            " failed (code " + std::to_string(code) + ")";
    boost::asio::post(link_.io_, [&link = link_, gen = generation_, why] {
      if (gen == link.generation_) link.schedule_reconnect(why);
    });
  }

 private:
  MqttLink& link_;
  std::uint64_t generation_;
  What what_;
};

struct MqttLink::Client {
  Callback callback;
  Listener connect_listener;
  Listener subscribe_listener;
  Listener publish_listener;
  mqtt::async_client cli;  // after the listeners: it calls back into them until destroyed
  bool spoiled = false;    // holds a message Paho freed: never connect or destroy it
  Client(MqttLink& link, std::uint64_t generation, const std::string& uri, const std::string& id,
         const mqtt::create_options& co, mqtt::iclient_persistence* p)
      : callback(link, generation),
        connect_listener(link, generation, Listener::What::kConnect),
        subscribe_listener(link, generation, Listener::What::kSubscribe),
        publish_listener(link, generation, Listener::What::kPublish),
        cli(uri, id, co, p) {
    cli.set_callback(callback);
  }
};

namespace {

std::string read_secret(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("mqtt.password_file " + path + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

MqttLink::MqttLink(boost::asio::io_context& io, Options options, Handlers handlers)
    : io_(io),
      opt_(std::move(options)),
      handlers_(std::move(handlers)),
      spool_(std::make_unique<Spool>(opt_.spool_path, 4u << 20, opt_.spool_write)),
      persistence_(std::make_unique<Persistence>(*spool_, *this)),
      retry_timer_(io),
      rng_(std::random_device{}()),
      probe_backoff_(opt_.storage_probe_min, opt_.storage_probe_max),
      probe_timer_(io),
      next_seq_(spool_->last_incoming_seq()) {
  // Paho hands over the queued messages a previous run kept: they were acknowledged then.
  for (const auto& k : spool_->keys()) {
    if (k.rfind("q-", 0) == 0) ++queued_;
  }
  if (!opt_.mqtt.password_file.empty()) password_ = read_secret(opt_.mqtt.password_file);
  client_ = new_client();
}

std::unique_ptr<MqttLink::Client> MqttLink::new_client() {
  const std::string uri = std::string(opt_.mqtt.tls ? "ssl://" : "tcp://") + opt_.mqtt.host + ":" +
                          std::to_string(opt_.mqtt.port);
  const std::string id = opt_.mqtt.client_id.empty() ? "mendd-" + opt_.venue : opt_.mqtt.client_id;
  mqtt::create_options co(MQTTVERSION_3_1_1, opt_.max_buffered_publishes);
  co.set_send_while_disconnected(true);
  // A new client reads what the spool holds of the session: the commands not yet sent and the
  // messages sent but not acknowledged, each from its own saved bytes.
  return std::make_unique<Client>(*this, generation_, uri, id, co, persistence_.get());
}

void MqttLink::spoil() { client_->spoiled = true; }

void MqttLink::set_aside() {
  // Reachable from a static for the life of the process, so LeakSanitizer does not count it.
  static auto* const kept = new std::vector<std::unique_ptr<Client>>();
  kept->push_back(std::move(client_));
  ++generation_;
}

MqttLink::~MqttLink() {
  if (client_ && client_->spoiled) {
    set_aside();
    return;
  }
  // Paho's threads may still call back while the client is being destroyed: stop them first.
  try {
    if (client_ && client_->cli.is_connected()) client_->cli.disconnect(0)->wait_for(500);
  } catch (const std::exception&) {
    // going away regardless
  }
  client_.reset();
}

std::string MqttLink::status_topic() const { return topics::status(opt_.venue); }

void MqttLink::start() { connect(); }

void MqttLink::connect() {
  if (stopping_) return;
  if (client_->spoiled) {
    set_aside();
    client_ = new_client();
    spdlog::warn(
        "broker: a message's write failed in Paho C; its client is set aside for good and a new "
        "one takes over from the spool ({} so far)",
        ++replaced_);
  }
  mqtt::connect_options co;
  // Stated, not left to Paho: its default tries 3.1.1 and then falls back to 3.1 on a second
  // connection of its own, which a cut made for a failed spool write (ends_) cannot reach.
  co.set_mqtt_version(MQTTVERSION_3_1_1);
  co.set_clean_session(false);
  co.set_keep_alive_interval(std::chrono::duration_cast<std::chrono::seconds>(opt_.mqtt.keepalive));
  co.set_connect_timeout(std::chrono::seconds(10));
  co.set_automatic_reconnect(false);  // ours has jitter and runs on the executor
  co.set_will(mqtt::will_options(status_topic(), std::string("offline"), 1, true));
  if (!opt_.mqtt.username.empty()) co.set_user_name(opt_.mqtt.username);
  if (!password_.empty()) co.set_password(password_);
  if (opt_.mqtt.tls) {
    mqtt::ssl_options ssl;
    if (!opt_.mqtt.ca_file.empty()) ssl.set_trust_store(opt_.mqtt.ca_file);
    if (!opt_.mqtt.cert_file.empty()) ssl.set_key_store(opt_.mqtt.cert_file);
    if (!opt_.mqtt.key_file.empty()) ssl.set_private_key(opt_.mqtt.key_file);
    ssl.set_enable_server_cert_auth(true);
    co.set_ssl(ssl);
  }
  {
    std::lock_guard lock(ends_mu_);
    before_connect_ = tcp_connections_to(opt_.mqtt.port);
    ends_.reset();
  }
  try {
    client_->cli.connect(co, nullptr, client_->connect_listener);
  } catch (const mqtt::exception& e) {
    schedule_reconnect(std::string("connect: ") + e.what());
  }
}

void MqttLink::on_connected() {
  if (stopping_) return;
  {
    std::lock_guard lock(ends_mu_);
    if (!ends_) ends_ = new_connection(before_connect_, tcp_connections_to(opt_.mqtt.port));
  }
  auto topics = std::make_shared<mqtt::string_collection>();
  std::vector<int> qos;
  for (const auto& f : topics::inbound_filters(opt_.venue)) {
    topics->push_back(f);
    qos.push_back(1);
  }
  try {
    client_->cli.subscribe(topics, qos, nullptr, client_->subscribe_listener);
  } catch (const mqtt::exception& e) {
    schedule_reconnect(std::string("subscribe: ") + e.what());
  }
}

void MqttLink::on_subscribed() {
  // Paho may report one subscription's success more than once; the link comes up once.
  if (stopping_ || up_) return;
  try {
    client_->cli.publish(status_topic(), "online", 6, 1, true, nullptr, client_->publish_listener);
  } catch (const mqtt::exception&) {
    // its persistence could not be written (a full disk): the retained status waits
  }
  attempt_ = 0;
  up_ = true;
  if (handlers_.on_up) handlers_.on_up();
}

void MqttLink::schedule_reconnect(const std::string& why) {
  if (stopping_) return;
  if (handlers_.on_down) handlers_.on_down(why);
  up_ = false;
  if (!writable_) return;  // the disk probe reconnects once the spool takes writes again
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Millis delay = std::max(
      Millis{50},
      backoff_delay(opt_.mqtt.reconnect_min, opt_.mqtt.reconnect_max, attempt_++, unit(rng_)));
  ++reconnects_;
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) connect();
  });
}

// Paho's delivery thread, before the PUBACK goes out: the spool write is what makes the
// acknowledgement safe (see spool.hpp), and a failed one must not be acknowledged at all.
void MqttLink::deliver(const std::string& topic, const std::string& payload, bool redelivered) {
  // Paho delivers in order and queues everything behind a queued message, so while queued ones
  // are outstanding this is one of them: already acknowledged, it must be written, whatever it
  // costs the delivery thread.
  std::size_t queued = queued_.load();
  while (queued > 0 && !queued_.compare_exchange_weak(queued, queued - 1)) {
  }
  const bool acknowledged = queued > 0;
  // Already failing: a message that came before the cut took effect stays the broker's, but
  // only if the cut reached the connection it came on; otherwise it is written like any other.
  if (!writable_ && !acknowledged && cut_connection()) return;
  {
    std::unique_lock lock(flow_mu_);
    flow_cv_.wait(lock, [this] { return in_flight_ < opt_.max_in_flight || stopping_; });
    ++in_flight_;
  }
  MqttMessageIn m{topic, payload, read_clock(), ++next_seq_, redelivered};
  const Spool::Incoming in{m.seq, m.topic, m.payload, to_ms(m.received.wall)};
  if (const std::error_code ec = spool_->append_incoming(in)) {
    const bool cut = storage_failed(spool_->describe(ec), topic.size() + payload.size());
    if ((cut && !acknowledged) || !hold_until_written(in)) {
      message_done();
      return;
    }
  }
  handlers_.on_message(std::move(m));
}

// Still on Paho's delivery thread: returning acknowledges the message, so the connection is cut
// first. True when it was.
bool MqttLink::storage_failed(const std::string& why, std::size_t bytes) {
  probe_bytes_ = std::max<std::size_t>(probe_bytes_, bytes + 64);
  const bool was_writable = writable_.exchange(false);
  const bool cut = cut_connection();
  if (was_writable) {
    boost::asio::post(io_, [this, why] {
      if (handlers_.on_storage) handlers_.on_storage(false, why);
      probe_backoff_.reset();
      schedule_probe();
    });
  }
  return cut;
}

// When our socket cannot be found (two connections to the broker appeared while this one
// connected), the delivery thread is held instead, retrying the write with backoff: the message
// is then acknowledged late, but only once it is in the spool. False when the link stops first;
// the message is then acknowledged without being kept, the one loss this fallback allows.
bool MqttLink::hold_until_written(const Spool::Incoming& in) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Backoff backoff(opt_.storage_probe_min, opt_.storage_probe_max);
  std::unique_lock lock(flow_mu_);
  while (!flow_cv_.wait_for(lock, backoff.next(unit(rng)), [this] { return stopping_.load(); })) {
    lock.unlock();
    const bool ok = !spool_->append_incoming(in);
    lock.lock();
    if (ok) return true;
  }
  return false;
}

bool MqttLink::cut_connection() {
  std::lock_guard lock(ends_mu_);
  // Messages can arrive before the executor has noted the connection: find it now.
  if (!ends_) ends_ = new_connection(before_connect_, tcp_connections_to(opt_.mqtt.port));
  return ends_ && shut_down_connection(*ends_);
}

void MqttLink::schedule_probe() {
  if (stopping_) return;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Millis delay = std::max(Millis{10}, probe_backoff_.next(unit(rng_)));
  probe_timer_.expires_after(delay);
  probe_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) probe_storage();
  });
}

void MqttLink::probe_storage() {
  if (stopping_) return;
  if (spool_->probe(probe_bytes_)) {
    schedule_probe();
    return;
  }
  writable_ = true;
  if (handlers_.on_storage) {
    handlers_.on_storage(true, "spool " + spool_->path() + ": writes work again");
  }
  // A connection still up (the cut did not reach it yet) reconnects through connection_lost.
  if (!up_) connect();
}

std::vector<MqttMessageIn> MqttLink::unreleased() const {
  std::vector<MqttMessageIn> out;
  const Now now = read_clock();
  for (auto& m : spool_->incoming()) {
    // Arrival on today's monotonic clock is unknown after a restart: count it as now.
    out.push_back(MqttMessageIn{std::move(m.topic), std::move(m.payload),
                                Now{wall_from_ms(m.received_ms), now.mono}, m.seq});
  }
  return out;
}

void MqttLink::message_done() {
  {
    std::lock_guard lock(flow_mu_);
    if (in_flight_ > 0) --in_flight_;
  }
  flow_cv_.notify_one();
}

bool MqttLink::publish(const std::string& topic, const std::string& payload, bool retained) {
  try {
    client_->cli.publish(topic, payload.data(), payload.size(), 1, retained, nullptr,
                         client_->publish_listener);
    return true;
  } catch (const mqtt::exception&) {
    return false;  // the buffer while disconnected is full; the caller counts it
  }
}

void MqttLink::stop(Millis timeout) {
  stopping_ = true;
  retry_timer_.cancel();
  probe_timer_.cancel();
  flow_cv_.notify_all();
  try {
    if (client_->cli.is_connected()) {
      client_->cli.publish(status_topic(), "offline", 7, 1, true)->wait_for(timeout);
      client_->cli.disconnect(timeout.count())->wait_for(timeout);
    }
  } catch (const mqtt::exception&) {
    // the broker is gone already: the will says offline for us
  }
  up_ = false;
}

}  // namespace mend
