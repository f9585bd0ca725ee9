// One HTTP/1.1 connection: read a request, hand it to the host's handler, write the answer,
// repeat while keep-alive holds. Everything about the connection lives here (limits,
// timeouts, closing politely); nothing about what a request means does.
//
// One request at a time: the next request is read only once the response is written, so the
// write queue is one response deep and a client that pipelines or stops reading cannot make
// the session buffer without bound.
//
// Growth points, kept in mind by the shape: a WebSocket upgrade is detected in on_read() and
// the stream and request handed to a WebSocket session; TLS replaces beast::tcp_stream with
// an ssl_stream over it (the timeouts stay on the lowest layer) and adds a handshake before
// the first read and a TLS shutdown in close_gracefully().
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "web/http.hpp"

namespace mend::web {

class HttpSession;

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

// The server side of a session: the handler, and being told when the session ends.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual Response handle(const Request& req) = 0;
  // The server is stopping: answer the request in hand with `Connection: close`.
  virtual bool stopping() const = 0;
  // Called from the session's destructor.
  virtual void session_ended(HttpSession& session) = 0;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionHost> host,
              const SessionLimits& limits);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Starts reading requests.
  void start();
  // Writes `res` (a refusal: the server is at its connection cap) and closes.
  void refuse(Response res);
  // The server is stopping: a session waiting for (or part way through) a request closes now;
  // one writing a response finishes it, then closes.
  void shutdown();
  // The stop grace period is over: closes whatever the session is doing.
  void force_close();

 private:
  enum class State : std::uint8_t { kReading, kWriting, kLingering, kClosed };

  void do_read();
  void on_read(boost::beast::error_code ec);
  void send(Response res, bool close_after);
  void on_write(boost::beast::error_code ec);
  // Sends a response made by the session itself (bad input) and closes after it.
  void send_error(http::status status, std::string_view code, std::string_view message);
  // Half-closes, then drains what the client still sends for a bounded time and size.
  void close_gracefully();
  void do_drain();
  void close_now();

  boost::beast::tcp_stream stream_;
  std::shared_ptr<SessionHost> host_;
  SessionLimits limits_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;  // the one response being written
  bool close_after_write_ = false;
  State state_ = State::kReading;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
};

}  // namespace mend::web
