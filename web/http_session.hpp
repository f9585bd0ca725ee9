// One HTTP/1.1 connection: read a request, hand it to the host's handler, write the answer,
// repeat while keep-alive holds. Everything about the connection lives here (limits,
// timeouts, closing politely); nothing about what a request means does.
//
// One request at a time: the next request is read only once the response is written, so the
// write queue is one response deep and a client that pipelines or stops reading cannot make
// the session buffer without bound.
//
// The same code serves plain TCP (the loopback listener) and TLS (the LAN listener): the
// session is a template over its stream, and a TLS session adds a handshake before the first
// read and a TLS shutdown when it closes; timeouts stay on the lowest (TCP) layer. A WebSocket
// upgrade to the live path is detected in on_read(): the stream and request are handed to a
// WsSession and this session ends.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "web/http.hpp"
#include "web/live_hub.hpp"

namespace mend::web {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct SessionLimits {
  std::size_t body_limit = std::size_t{64} * 1024;
  std::uint32_t header_limit = 8 * 1024;
  // A whole request (headers and body) must arrive within this, and an idle keep-alive
  // connection is closed after it: a slow-loris client cannot hold a slot for longer.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // After an error response the session keeps reading (and discarding) for this long before
  // closing, so the client receives the response instead of a reset for the bytes it was still
  // sending.
  std::chrono::milliseconds linger_timeout{2'000};
};

// One live-feed WebSocket's bounds. The queue bound is what a slow tablet may cost: past it
// the tablet is disconnected (close 1013, "try again later") and reconnects with `since`.
struct WebSocketLimits {
  std::size_t queue_messages = 1024;
  std::size_t queue_bytes = std::size_t{1} << 20;
  // Tablets only ever send a small {"since":N}; anything larger is a protocol error (1009).
  std::size_t client_message_limit = std::size_t{4} * 1024;
  // No frame from the tablet (pong included) for this long: the link is dead. Beast pings at
  // half of it.
  std::chrono::milliseconds idle_timeout{60'000};
  // Without `?since=` a session waits this long for a first {"since":N} message before it
  // follows live from where it connected (nothing published meanwhile is lost).
  std::chrono::milliseconds first_message_wait{2'000};
  // A close handshake (sent behind a write the peer is not reading) gets this long, then the
  // TCP connection is cut.
  std::chrono::milliseconds close_timeout{2'000};
};

// A connection the server can stop: an HTTP session or a WebSocket session.
class Session {
 public:
  virtual ~Session() = default;
  // The server is stopping: end politely (finish a response in flight, send a close frame).
  virtual void shutdown() = 0;
  // The stop grace period is over: close whatever the session is doing.
  virtual void force_close() = 0;
};

// What the server decides about a WebSocket upgrade request.
struct UpgradeVerdict {
  bool live = false;                 // false: not the live path, the handler answers it
  std::optional<Response> refusal;   // 400, 401, 403, 503: sent instead of upgrading
  std::optional<LiveCursor> cursor;  // from `?since=N[&run=ID]`
  std::optional<Principal> principal;
};

// The server side of a session: the handler, upgrades, and being told when a session ends.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual Response handle(const Request& req, const RequestContext& context) = 0;
  // The server is stopping: answer the request in hand with `Connection: close`.
  virtual bool stopping() const = 0;
  // Called from a session's destructor.
  virtual void session_ended(Session& session) = 0;
  virtual UpgradeVerdict check_upgrade(const Request& req, const RequestContext& context) = 0;
  // A WebSocket session that took over an HTTP session's connection; the server tracks it
  // (cap, stop) from now on.
  virtual void adopt(const std::shared_ptr<Session>& session) = 0;
  virtual const std::shared_ptr<LiveHub>& live_hub() const = 0;
  virtual const WebSocketLimits& websocket_limits() const = 0;
};

template <class Stream>
class HttpSession : public Session, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `stream_args` build the stream: the socket, and for TLS the server's ssl::context, which
  // outlives every session. One forwarding constructor rather than two constrained ones, which
  // clang 14 (clang-tidy) cannot tell apart.
  template <class... StreamArgs>
  HttpSession(std::shared_ptr<SessionHost> host, const SessionLimits& limits,
              StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        host_(std::move(host)),
        limits_(limits),
        // Room for a full request, so pipelined bytes cannot make the buffer grow without bound.
        buffer_(limits.header_limit + limits.body_limit + 4096) {}
  ~HttpSession() override;
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Starts reading requests.
  void start();
  // Writes `res` (a refusal: the server is at its connection cap) and closes.
  void refuse(Response res);
  // The server is stopping: a session waiting for (or part way through) a request closes now;
  // one writing a response finishes it, then closes.
  void shutdown() override;
  void force_close() override;

 private:
  enum class State : std::uint8_t { kHandshaking, kReading, kWriting, kLingering, kClosed };

  // TLS: the handshake, then `next` (the first read, or sending a refusal).
  void handshake_then(bool refusal);
  void do_read();
  void upgrade(Request req, UpgradeVerdict verdict);
  void on_read(boost::beast::error_code ec);
  void send(Response res, bool close_after);
  void on_write(boost::beast::error_code ec);
  // Sends a response made by the session itself (bad input) and closes after it.
  void send_error(http::status status, std::string_view code, std::string_view message);
  // Half-closes, then drains what the client still sends for a bounded time and size.
  void close_gracefully();
  void do_drain();
  void close_now();

  Stream stream_;
  std::shared_ptr<SessionHost> host_;
  SessionLimits limits_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;  // the one response being written (or the refusal awaiting a handshake)
  bool close_after_write_ = false;
  State state_ = State::kReading;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
};

}  // namespace mend::web
