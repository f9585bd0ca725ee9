#include "web/http_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <string>
#include <utility>

namespace mend::web {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

namespace {

// Past this much discarded input a lingering client is cut off rather than read further.
constexpr std::size_t kMaxDrainBytes = std::size_t{1} << 20;

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_method).category();
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<SessionHost> host,
                         const SessionLimits& limits)
    : stream_(std::move(socket)),
      host_(std::move(host)),
      limits_(limits),
      // Room for a full request, so pipelined bytes cannot make the buffer grow without bound.
      buffer_(limits.header_limit + limits.body_limit + 4096) {}

HttpSession::~HttpSession() { host_->session_ended(*this); }

void HttpSession::start() { do_read(); }

void HttpSession::refuse(Response res) {
  finalize_response(res, 11, false, http::verb::get);
  send(std::move(res), true);
}

void HttpSession::shutdown() {
  switch (state_) {
    case State::kReading:
    case State::kLingering: close_now(); break;
    case State::kWriting: close_after_write_ = true; break;
    case State::kClosed: break;
  }
}

void HttpSession::force_close() { close_now(); }

void HttpSession::do_read() {
  state_ = State::kReading;
  parser_.emplace();
  parser_->body_limit(limits_.body_limit);
  parser_->header_limit(limits_.header_limit);
  stream_.expires_after(limits_.read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                     self->on_read(ec);
                   });
}

void HttpSession::on_read(beast::error_code ec) {
  // A read that completed just as the session was closed is not answered.
  if (state_ == State::kClosed) return;
  if (ec) {
    if (ec == http::error::body_limit) {
      send_error(http::status::payload_too_large, error_code::kPayloadTooLarge,
                 "request body is larger than " + std::to_string(limits_.body_limit) + " bytes");
    } else if (ec == http::error::header_limit) {
      send_error(
          http::status::request_header_fields_too_large, error_code::kHeadersTooLarge,
          "request headers are larger than " + std::to_string(limits_.header_limit) + " bytes");
    } else if (is_http_error(ec) && ec != http::error::end_of_stream &&
               ec != http::error::partial_message) {
      send_error(http::status::bad_request, error_code::kBadRequest,
                 "malformed HTTP request: " + ec.message());
    } else if (ec == http::error::end_of_stream) {
      close_gracefully();  // the client closed between requests: the normal end
    } else {
      close_now();  // timeout, reset, a request cut off: there is nobody to answer
    }
    return;
  }

  Request req = parser_->release();
  // Where a WebSocket upgrade (websocket::is_upgrade(req)) will hand stream_ and req over to a
  // WebSocket session instead of answering here.
  Response res;
  try {
    res = host_->handle(req);
  } catch (...) {  // a handler's bug costs one request, not the daemon
    res = error_response(http::status::internal_server_error, error_code::kInternal,
                         "the request could not be handled");
  }
  finalize_response(res, req.version(), req.keep_alive() && !host_->stopping(), req.method());
  const bool close_after = res.need_eof();
  send(std::move(res), close_after);
}

void HttpSession::send(Response res, bool close_after) {
  state_ = State::kWriting;
  response_ = std::move(res);
  close_after_write_ = close_after_write_ || close_after;
  stream_.expires_after(limits_.write_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                      self->on_write(ec);
                    });
}

void HttpSession::on_write(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  response_ = {};
  if (ec) {
    close_now();
  } else if (close_after_write_ || host_->stopping()) {
    close_gracefully();
  } else {
    do_read();
  }
}

void HttpSession::send_error(http::status status, std::string_view code, std::string_view message) {
  Response res = error_response(status, code, message);
  finalize_response(res, 11, false, http::verb::get);
  send(std::move(res), true);
}

void HttpSession::close_gracefully() {
  if (host_->stopping()) {
    close_now();
    return;
  }
  state_ = State::kLingering;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  drained_ = 0;
  stream_.expires_after(limits_.linger_timeout);
  do_drain();
}

void HttpSession::do_drain() {
  stream_.async_read_some(boost::asio::buffer(drain_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (self->state_ == State::kClosed) return;
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) {
                              self->close_now();
                            } else {
                              self->do_drain();
                            }
                          });
}

void HttpSession::close_now() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  // Cancels the pending operation; its handler sees kClosed and lets the session go.
  stream_.close();
}

}  // namespace mend::web
