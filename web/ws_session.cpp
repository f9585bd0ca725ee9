#include "web/ws_session.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <string>
#include <utility>

namespace mend::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// {"since":N} or {"since":N,"run":"<id>"}; nullopt for anything else.
std::optional<LiveCursor> parse_cursor_message(std::string_view text) {
  const auto parsed = json::parse(text, json::ParseLimits{4, 4096});
  if (!parsed || !parsed.value->is_object()) return std::nullopt;
  const json::Value* since = parsed.value->get("since");
  if (since == nullptr || !since->as_int() || *since->as_int() < 0) return std::nullopt;
  LiveCursor cursor{static_cast<std::uint64_t>(*since->as_int()), {}};
  if (const json::Value* run = parsed.value->get("run")) {
    if (run->as_string() == nullptr) return std::nullopt;
    cursor.run = *run->as_string();
  }
  return cursor;
}

}  // namespace

template <class Stream>
WsSession<Stream>::WsSession(Stream&& stream, std::shared_ptr<SessionHost> host,
                             std::shared_ptr<LiveHub> hub, const WebSocketLimits& limits,
                             std::optional<LiveCursor> cursor)
    : ws_(std::move(stream)),
      host_(std::move(host)),
      hub_(std::move(hub)),
      limits_(limits),
      cursor_(std::move(cursor)),
      timer_(ws_.get_executor()) {}

template <class Stream>
WsSession<Stream>::~WsSession() {
  if (subscribed_) hub_->unsubscribe(*this);
  host_->session_ended(*this);
}

template <class Stream>
void WsSession<Stream>::run(Request req) {
  connected_at_seq_ = hub_->last_seq();
  // Beast's server defaults (handshake 30 s, keepalive pings) with our idle bound.
  auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeout.idle_timeout = limits_.idle_timeout;
  ws_.set_option(timeout);
  ws_.read_message_max(limits_.client_message_limit);
  ws_.async_accept(
      req, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

template <class Stream>
void WsSession<Stream>::on_accept(beast::error_code ec) {
  if (closed_) return;
  if (ec || closing_) {
    close_now();
    return;
  }
  accepted_ = true;
  if (cursor_) {
    subscribe(cursor_);
  } else {
    // Give the tablet a moment to say where it left off; if it says nothing it follows from
    // where it connected, so what was published in the meantime still reaches it.
    timer_.expires_after(limits_.first_message_wait);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code e) {
      if (e || self->subscribed_ || self->closing_) return;
      self->subscribe(LiveCursor{self->connected_at_seq_, self->hub_->run_id()});
    });
  }
  do_read();
}

template <class Stream>
void WsSession<Stream>::subscribe(const std::optional<LiveCursor>& cursor) {
  if (subscribed_ || closing_) return;
  subscribed_ = true;  // deliver() may clear it again if even the catch-up does not fit
  // One message of the bound is the hello.
  const std::size_t messages = limits_.queue_messages > 1 ? limits_.queue_messages - 1 : 0;
  const std::size_t bytes = limits_.queue_bytes > 256 ? limits_.queue_bytes - 256 : 0;
  hub_->subscribe(*this, cursor, messages, bytes);
}

template <class Stream>
void WsSession<Stream>::do_read() {
  ws_.async_read(read_buffer_,
                 [self = this->shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                   self->on_read(ec);
                 });
}

template <class Stream>
void WsSession<Stream>::on_read(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    // The peer's close frame (answered by Beast), a dead link at the idle timeout, a message
    // over the limit (Beast has sent 1009): either way the session is over.
    close_now();
    return;
  }
  if (!subscribed_ && !closing_) {
    timer_.cancel();
    std::optional<LiveCursor> cursor =
        ws_.got_text() ? parse_cursor_message(beast::buffers_to_string(read_buffer_.data()))
                       : std::nullopt;
    subscribe(cursor ? cursor : LiveCursor{connected_at_seq_, hub_->run_id()});
  }
  read_buffer_.consume(read_buffer_.size());
  do_read();
}

template <class Stream>
bool WsSession<Stream>::deliver(const LiveMessage& message) {
  if (closing_ || closed_) return true;
  if (queue_.size() + 1 > limits_.queue_messages ||
      queued_bytes_ + message->size() > limits_.queue_bytes) {
    close_with(websocket::close_code::try_again_later, true);
    return false;
  }
  queue_.push_back(message);
  queued_bytes_ += message->size();
  hub_->note_queue(queue_.size(), queued_bytes_);
  if (!writing_) do_write();
  return true;
}

template <class Stream>
void WsSession<Stream>::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*queue_.front()),
                  [self = this->shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                    self->on_write(ec);
                  });
}

template <class Stream>
void WsSession<Stream>::on_write(beast::error_code ec) {
  writing_ = false;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (closed_ || closing_) return;
  if (ec) {
    close_now();
  } else if (!queue_.empty()) {
    do_write();
  }
}

template <class Stream>
void WsSession<Stream>::shutdown() {
  close_with(websocket::close_code::going_away, false);
}

template <class Stream>
void WsSession<Stream>::force_close() {
  close_now();
}

template <class Stream>
void WsSession<Stream>::close_with(websocket::close_code code, bool from_hub) {
  if (closing_ || closed_) return;
  closing_ = true;
  if (subscribed_ && !from_hub) hub_->unsubscribe(*this);
  subscribed_ = false;
  // The memory goes now; only the message being written must stay until its write ends.
  while (queue_.size() > (writing_ ? 1U : 0U)) {
    queued_bytes_ -= queue_.back()->size();
    queue_.pop_back();
  }
  if (!accepted_) {
    close_now();
    return;
  }
  // The close frame waits behind the write in flight, which a tablet that stopped reading
  // never lets finish: the deadline cuts the connection then.
  timer_.cancel();
  timer_.expires_after(limits_.close_timeout);
  timer_.async_wait([self = this->shared_from_this()](beast::error_code e) {
    if (!e) self->close_now();
  });
  ws_.async_close(code,
                  [self = this->shared_from_this()](beast::error_code) { self->close_now(); });
}

template <class Stream>
void WsSession<Stream>::close_now() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  if (subscribed_) hub_->unsubscribe(*this);
  subscribed_ = false;
  timer_.cancel();
  // Cancels what is pending; each handler sees closed_ and lets the session go.
  beast::get_lowest_layer(ws_).close();
}

template class WsSession<PlainStream>;
template class WsSession<TlsStream>;

}  // namespace mend::web
