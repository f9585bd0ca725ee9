// One tablet's live feed: a WebSocket (over TCP or TLS) that took over an HTTP connection
// after an authorized upgrade to /api/v1/live, subscribed to the LiveHub.
//
// Writes: one message in flight at a time (Beast allows no more), the rest in a queue bounded
// by count and bytes. A tablet that stops reading fills its TCP window, then the queue; at the
// bound the queue is dropped and the tablet disconnected with 1013 ("try again later") rather
// than the daemon's memory growing. It reconnects with `since` and catches up from the hub's
// ring, or reloads.
//
// Reads: only a first {"since":N,"run":"..."} is meaningful; messages are capped small, and
// Beast's keepalive pings find a dead link at the idle timeout.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

#include "web/http_session.hpp"
#include "web/live_hub.hpp"

namespace mend::web {

template <class Stream>
class WsSession : public Session,
                  public LiveSubscriber,
                  public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  // `cursor`: from `?since=`; without it the session waits for a first message (see
  // WebSocketLimits::first_message_wait).
  WsSession(Stream&& stream, std::shared_ptr<SessionHost> host, std::shared_ptr<LiveHub> hub,
            const WebSocketLimits& limits, std::optional<LiveCursor> cursor);
  ~WsSession() override;
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  // Answers the upgrade request (101) and starts.
  void run(Request req);

  bool deliver(const LiveMessage& message) override;
  void shutdown() override;
  void force_close() override;

 private:
  void on_accept(boost::beast::error_code ec);
  void subscribe(const std::optional<LiveCursor>& cursor);
  void do_read();
  void on_read(boost::beast::error_code ec);
  void do_write();
  void on_write(boost::beast::error_code ec);
  // Drops the queue and sends a close frame (behind the write in flight), with a deadline.
  // `from_hub`: called inside the hub's delivery loop, which forgets this subscriber itself.
  void close_with(boost::beast::websocket::close_code code, bool from_hub);
  void close_now();

  boost::beast::websocket::stream<Stream> ws_;
  std::shared_ptr<SessionHost> host_;
  std::shared_ptr<LiveHub> hub_;
  WebSocketLimits limits_;
  std::optional<LiveCursor> cursor_;
  std::uint64_t connected_at_seq_ = 0;
  boost::asio::steady_timer timer_;  // the first-message wait, then the close deadline
  boost::beast::flat_buffer read_buffer_;
  std::deque<LiveMessage> queue_;  // front: the message being written when writing_
  std::size_t queued_bytes_ = 0;
  bool accepted_ = false;
  bool subscribed_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace mend::web
