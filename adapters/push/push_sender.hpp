// Sends Web Push messages (RFC 8030) to the push services browsers subscribed with: one
// HTTPS POST per message, its body encrypted for the device (message_encryption.hpp) and
// signed for the push service with the box's VAPID key (vapid.hpp).
//
// On the daemon's executor, never blocking it: each message is a coroutine on the io_context
// (resolve, connect, TLS with the system's CAs and the host name checked, write, read). Bounds:
// at most `queue` messages wait (a message beyond it is dropped and counted), at most
// `in_flight` are sent at once, each exchange has a deadline, and a message is tried at most
// `attempts` times. What each answer means (RFC 8030 section 5 and 8.3):
//   2xx       accepted: the push service will deliver it (counted as sent)
//   404, 410  the subscription is gone: `gone` is called and the row goes
//   429, 5xx, no answer  retried after capped exponential backoff with full jitter (a
//             Retry-After header, when given, is waited at least, up to the cap)
//   other 4xx refused for good (a bad key, a message too large): counted as failed, logged
// Plain http is used only for an endpoint on loopback (a push service on the box, as the tests
// run one); every other endpoint is https.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "adapters/clock.hpp"
#include "adapters/push/vapid.hpp"
#include "core/metrics.hpp"
#include "core/push.hpp"
#include "core/time.hpp"

namespace mend::push {

struct SenderOptions {
  std::size_t queue = 256;
  std::size_t in_flight = 4;
  std::string subject;  // the JWT's sub; empty: none
  Millis ttl = std::chrono::hours(1);
  unsigned attempts = 5;
  Millis retry_min = std::chrono::seconds(1);
  Millis retry_max = std::chrono::minutes(1);
  Millis timeout = std::chrono::seconds(15);  // one whole exchange
};

struct PushMessage {
  std::int64_t subscription_id = 0;
  Subscription subscription;
  std::string payload;  // the notification's JSON (push::notification_payload)
  Severity severity = Severity::kMedium;
};

class PushSender {
 public:
  // gone(subscription_id, status): the push service answered 404 or 410.
  using Gone = std::function<void(std::int64_t, int)>;
  PushSender(boost::asio::io_context& io, SenderOptions options, const VapidKey& key,
             Metrics& metrics, const Clock& clock, Gone gone);
  ~PushSender();
  PushSender(const PushSender&) = delete;
  PushSender& operator=(const PushSender&) = delete;

  // False when the queue is full (the message is dropped and counted).
  bool enqueue(PushMessage m);
  // New limits from a reload; messages already queued keep theirs.
  void update(SenderOptions options);
  // Waiting messages are dropped; those in flight end with their exchange.
  void stop();

 private:
  struct State;
  void pump();

  boost::asio::io_context& io_;
  SenderOptions options_;
  const VapidKey& key_;
  Metrics& metrics_;
  const Clock& clock_;
  Gone gone_;
  boost::asio::ssl::context tls_;
  std::deque<PushMessage> queue_;
  std::size_t in_flight_ = 0;
  std::minstd_rand rng_{std::random_device{}()};
  // Shared with running coroutines, so one that ends after the sender is gone sees that.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mend::push
