#include "adapters/push/push_sender.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "adapters/push/message_encryption.hpp"
#include "core/backoff.hpp"

namespace mend::push {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kMaxAnswerBody = std::uint64_t{64} * 1024;
constexpr std::int64_t kJwtLifetime = std::int64_t{12} * 3600;  // RFC 8292 allows up to 24 h

enum class Outcome { kSent, kGone, kRetry, kRefused };

struct Answer {
  Outcome outcome = Outcome::kRetry;
  int status = 0;
  Millis retry_after{0};
  std::string detail;  // for the log
};

Answer classify(int status, std::string_view retry_after, std::string detail) {
  Answer a;
  a.status = status;
  a.detail = std::move(detail);
  if (status >= 200 && status < 300) {
    a.outcome = Outcome::kSent;
  } else if (status == 404 || status == 410) {
    a.outcome = Outcome::kGone;
  } else if (status == 429 || status >= 500) {
    a.outcome = Outcome::kRetry;
    int seconds = 0;
    for (char c : retry_after) {
      if (c < '0' || c > '9' || seconds > 86400) break;
      seconds = seconds * 10 + (c - '0');
    }
    a.retry_after = std::chrono::seconds(seconds);
  } else {
    a.outcome = Outcome::kRefused;
  }
  return a;
}

template <class Stream>
asio::awaitable<Answer> exchange(Stream& stream, http::request<http::string_body>& req) {
  co_await http::async_write(stream, req, use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBody);
  co_await http::async_read(stream, buffer, parser, use_awaitable);
  const auto& res = parser.get();
  co_return classify(static_cast<int>(res.result_int()), res[http::field::retry_after],
                     res.body().substr(0, 200));
}

// One POST to the push service; any network failure or timeout is an answer to retry.
asio::awaitable<Answer> deliver(asio::ssl::context& tls, const Endpoint& ep,
                                http::request<http::string_body> req, Millis timeout) {
  try {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    const auto results = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
    beast::tcp_stream tcp_stream(ex);
    tcp_stream.expires_after(timeout);
    co_await tcp_stream.async_connect(results, use_awaitable);
    if (!ep.tls) co_return co_await exchange(tcp_stream, req);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls);
    // SNI, and the certificate must name the host.
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    std::string host = ep.host;
    if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 host.data()) != 1 ||
        SSL_set1_host(stream.native_handle(), ep.host.c_str()) != 1) {
      co_return Answer{Outcome::kRefused, 0, Millis{0}, "cannot set the TLS host name"};
    }
    co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    co_return co_await exchange(stream, req);
  } catch (const boost::system::system_error& e) {
    co_return Answer{Outcome::kRetry, 0, Millis{0}, e.code().message()};
  }
}

}  // namespace

PushSender::PushSender(asio::io_context& io, SenderOptions options, const VapidKey& key,
                       Metrics& metrics, const Clock& clock, Gone gone)
    : io_(io),
      options_(std::move(options)),
      key_(key),
      metrics_(metrics),
      clock_(clock),
      gone_(std::move(gone)),
      tls_(asio::ssl::context::tls_client) {
  tls_.set_default_verify_paths();
  tls_.set_verify_mode(asio::ssl::verify_peer);
}

PushSender::~PushSender() { *alive_ = false; }

bool PushSender::enqueue(PushMessage m) {
  if (queue_.size() >= options_.queue) {
    metrics_.push_dropped.inc();
    return false;
  }
  queue_.push_back(std::move(m));
  metrics_.push_queue.set(static_cast<double>(queue_.size()));
  pump();
  return true;
}

void PushSender::update(SenderOptions options) { options_ = std::move(options); }

void PushSender::stop() {
  queue_.clear();
  metrics_.push_queue.set(0);
}

void PushSender::pump() {
  while (in_flight_ < options_.in_flight && !queue_.empty()) {
    PushMessage m = std::move(queue_.front());
    queue_.pop_front();
    metrics_.push_queue.set(static_cast<double>(queue_.size()));
    ++in_flight_;
    const SenderOptions o = options_;
    auto alive = alive_;
    asio::co_spawn(
        io_,
        [this, m = std::move(m), o, alive]() -> asio::awaitable<void> {
          const auto ep = parse_endpoint(m.subscription.endpoint);
          const auto ua_public = base64url_decode(m.subscription.p256dh);
          const auto auth = base64url_decode(m.subscription.auth);
          std::string body;
          if (ep && ua_public && auth) {
            try {
              body = encrypt(m.payload, *ua_public, *auth);
            } catch (const std::exception& e) {
              spdlog::warn("push: subscription {}: {}", m.subscription_id, e.what());
            }
          }
          if (body.empty()) {
            metrics_.push_failed.inc();
          } else {
            Backoff backoff(o.retry_min, o.retry_max);
            for (unsigned attempt = 1;; ++attempt) {
              http::request<http::string_body> req{http::verb::post, ep->target, 11};
              req.set(http::field::host, ep->host);
              req.set(http::field::content_type, "application/octet-stream");
              req.set(http::field::content_encoding, "aes128gcm");
              req.set("TTL", std::to_string(
                                 std::chrono::duration_cast<std::chrono::seconds>(o.ttl).count()));
              req.set("Urgency", urgency(m.severity));
              const std::int64_t now_s = to_ms(clock_.now().wall) / 1000;
              req.set(http::field::authorization,
                      key_.authorization(ep->origin, now_s + kJwtLifetime, o.subject));
              req.body() = body;
              req.prepare_payload();
              const Answer a = co_await deliver(tls_, *ep, std::move(req), o.timeout);
              if (!*alive) co_return;
              if (a.outcome == Outcome::kSent) {
                metrics_.push_sent.inc();
                break;
              }
              if (a.outcome == Outcome::kGone) {
                metrics_.push_gone.inc();
                spdlog::info("push: subscription {} is gone ({} from {}); deleting it",
                             m.subscription_id, a.status, ep->origin);
                if (gone_) gone_(m.subscription_id, a.status);
                break;
              }
              if (a.outcome == Outcome::kRefused || attempt >= o.attempts) {
                metrics_.push_failed.inc();
                spdlog::warn(
                    "push: {} refused a message for subscription {} after {} attempt(s): "
                    "{} {}",
                    ep->origin, m.subscription_id, attempt, a.status, a.detail);
                break;
              }
              std::uniform_real_distribution<double> unit(0.0, 1.0);
              Millis wait =
                  std::max(backoff.next(unit(rng_)), std::min(a.retry_after, o.retry_max));
              asio::steady_timer timer(io_);
              timer.expires_after(wait);
              co_await timer.async_wait(use_awaitable);
              if (!*alive) co_return;
            }
          }
          --in_flight_;
          pump();
        },
        asio::detached);
  }
}

}  // namespace mend::push
