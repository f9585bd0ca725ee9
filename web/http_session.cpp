#include "web/http_session.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <string>
#include <utility>

#include "web/ws_session.hpp"

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

template <class Stream>
HttpSession<Stream>::~HttpSession() {
  host_->session_ended(*this);
}

template <class Stream>
void HttpSession<Stream>::start() {
  if constexpr (kTls) {
    handshake_then(false);
  } else {
    do_read();
  }
}

template <class Stream>
void HttpSession<Stream>::refuse(Response res) {
  finalize_response(res, 11, false, http::verb::get);
  if constexpr (kTls) {
    // A refusal the client could not decrypt would read as a broken server, not a busy one.
    response_ = std::move(res);
    handshake_then(true);
  } else {
    send(std::move(res), true);
  }
}

template <class Stream>
void HttpSession<Stream>::handshake_then(bool refusal) {
  state_ = State::kHandshaking;
  // The read timeout bounds the handshake too: a client that connects and says nothing is cut
  // off like a slow-loris request.
  beast::get_lowest_layer(stream_).expires_after(limits_.read_timeout);
  if constexpr (kTls) {
    stream_.async_handshake(
        boost::asio::ssl::stream_base::server, buffer_.data(),
        [self = this->shared_from_this(), refusal](beast::error_code ec, std::size_t used) {
          if (self->state_ == State::kClosed) return;
          if (ec) {
            self->close_now();
            return;
          }
          self->buffer_.consume(used);
          if (refusal) {
            self->send(std::move(self->response_), true);
          } else {
            self->do_read();
          }
        });
  }
}

template <class Stream>
void HttpSession<Stream>::shutdown() {
  switch (state_) {
    case State::kHandshaking:
    case State::kReading:
    case State::kLingering: close_now(); break;
    case State::kWriting: close_after_write_ = true; break;
    case State::kClosed: break;
  }
}

template <class Stream>
void HttpSession<Stream>::force_close() {
  close_now();
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  state_ = State::kReading;
  parser_.emplace();
  parser_->body_limit(limits_.body_limit);
  parser_->header_limit(limits_.header_limit);
  beast::get_lowest_layer(stream_).expires_after(limits_.read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = this->shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                     self->on_read(ec);
                   });
}

template <class Stream>
void HttpSession<Stream>::on_read(beast::error_code ec) {
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
  const RequestContext context{kTls};
  if (beast::websocket::is_upgrade(req)) {
    UpgradeVerdict verdict = host_->check_upgrade(req, context);
    if (verdict.refusal) {
      Response refusal = std::move(*verdict.refusal);
      finalize_response(refusal, req.version(), false, req.method());
      send(std::move(refusal), true);
      return;
    }
    if (verdict.live) {
      upgrade(std::move(req), std::move(verdict));
      return;
    }
  }
  Response res;
  try {
    res = host_->handle(req, context);
  } catch (...) {  // a handler's bug costs one request, not the daemon
    res = error_response(http::status::internal_server_error, error_code::kInternal,
                         "the request could not be handled");
  }
  finalize_response(res, req.version(), req.keep_alive() && !host_->stopping(), req.method());
  const bool close_after = res.need_eof();
  send(std::move(res), close_after);
}

template <class Stream>
void HttpSession<Stream>::upgrade(Request req, UpgradeVerdict verdict) {
  // The connection now belongs to the WebSocket session; this one ends when on_read returns.
  state_ = State::kClosed;
  beast::get_lowest_layer(stream_).expires_never();
  auto ws =
      std::make_shared<WsSession<Stream>>(std::move(stream_), host_, host_->live_hub(),
                                          host_->websocket_limits(), std::move(verdict.cursor));
  host_->adopt(ws);
  ws->run(std::move(req));
}

template <class Stream>
void HttpSession<Stream>::send(Response res, bool close_after) {
  state_ = State::kWriting;
  response_ = std::move(res);
  close_after_write_ = close_after_write_ || close_after;
  beast::get_lowest_layer(stream_).expires_after(limits_.write_timeout);
  http::async_write(stream_, response_,
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                      self->on_write(ec);
                    });
}

template <class Stream>
void HttpSession<Stream>::on_write(beast::error_code ec) {
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

template <class Stream>
void HttpSession<Stream>::send_error(http::status status, std::string_view code,
                                     std::string_view message) {
  Response res = error_response(status, code, message);
  finalize_response(res, 11, false, http::verb::get);
  send(std::move(res), true);
}

template <class Stream>
void HttpSession<Stream>::close_gracefully() {
  if (host_->stopping()) {
    close_now();
    return;
  }
  state_ = State::kLingering;
  drained_ = 0;
  beast::get_lowest_layer(stream_).expires_after(limits_.linger_timeout);
  if constexpr (kTls) {
    // close_notify, then wait (bounded) for the client's: the TLS way to say "that was all".
    stream_.async_shutdown(
        [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
  } else {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    do_drain();
  }
}

template <class Stream>
void HttpSession<Stream>::do_drain() {
  stream_.async_read_some(boost::asio::buffer(drain_),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (self->state_ == State::kClosed) return;
                            self->drained_ += n;
                            if (ec || self->drained_ > kMaxDrainBytes) {
                              self->close_now();
                            } else {
                              self->do_drain();
                            }
                          });
}

template <class Stream>
void HttpSession<Stream>::close_now() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  auto& tcp_layer = beast::get_lowest_layer(stream_);
  beast::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
  // Cancels the pending operation; its handler sees kClosed and lets the session go.
  tcp_layer.close();
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace mend::web
