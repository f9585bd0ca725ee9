// The HTTP/1.1 and WebSocket server: listens, accepts up to a cap of connections, runs one
// HttpSession per connection (a WsSession once one upgrades to the live feed), and stops
// gracefully. A server is one listener: the daemon runs two on the same io_context, plain HTTP
// on loopback and TLS on the LAN. It runs on the daemon's io_context, which one thread
// runs: handlers are called on that thread and may read core state without locks. It knows
// nothing of what requests mean; it is given a function from request to response.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/http.hpp"
#include "web/http_session.hpp"
#include "web/live_hub.hpp"

namespace mend::web {

using Handler = std::function<Response(const Request&)>;
// A handler that also wants to know how the request arrived (Router::route takes both).
using ContextHandler = std::function<Response(const Request&, const RequestContext&)>;
// Says who may open the live feed (a session cookie or a bearer token in the upgrade
// request), or nullopt: 401.
using UpgradeAuthorizer = std::function<std::optional<Principal>(const Request&)>;

// PEM files: the certificate and its private key (see adapters/tls).
struct TlsFiles {
  std::string certificate_file;
  std::string private_key_file;
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IP literal; "0.0.0.0" or "::" for every interface
  std::uint16_t port = 8080;          // 0: the kernel picks a free port (see Server::port())
  SessionLimits limits;
  // Beyond this many open connections a new one gets a 503 and is closed, so a flood cannot
  // take the daemon's file descriptors or memory.
  std::size_t max_connections = 64;
  // How long stop() lets responses in flight finish before it closes every connection.
  std::chrono::milliseconds stop_grace{5'000};
  // Set: every connection is TLS (HTTP and WebSocket), with this certificate. The files are
  // read when the Server is made; a missing or bad one throws then.
  std::optional<TlsFiles> tls;
  // Set: `GET live_path` with a WebSocket upgrade becomes a live feed from this hub. An
  // upgrade whose Origin is not this server's own (scheme://Host) is refused 403, before
  // authorization; one that authorize_upgrade does not accept (or with no authorize_upgrade)
  // is refused 401. Two servers may share one hub.
  std::shared_ptr<LiveHub> live;
  std::string live_path = "/api/v1/live";
  UpgradeAuthorizer authorize_upgrade;
  WebSocketLimits websocket;
};

namespace detail {
class ServerState;
}

class Server {
 public:
  // Binds and listens at once, so a port in use is found at start-up. Throws
  // boost::system::system_error (whose what() names the address) when it cannot.
  Server(boost::asio::io_context& ioc, ServerOptions options, Handler handler);
  Server(boost::asio::io_context& ioc, ServerOptions options, ContextHandler handler);
  // Closes the listener and every connection without waiting; the handler is not called
  // again. Run it on the io_context's thread or after run() has returned. Prefer stop() and
  // waiting for its callback.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts accepting. Safe from any thread: the work is posted to the io_context.
  void start();

  // Stops accepting, closes idle connections, lets responses in flight finish (for at most
  // stop_grace), then closes the rest. `on_stopped` runs on the io_context once every
  // connection is gone, and after that the server holds no work on it, so run() can return.
  // Safe from any thread, and more than once.
  void stop(std::function<void()> on_stopped = {});

  bool tls() const { return tls_; }
  // The bound port: the kernel's pick when options.port was 0.
  std::uint16_t port() const { return endpoint_.port(); }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }

 private:
  boost::asio::io_context& ioc_;
  bool tls_ = false;
  std::shared_ptr<detail::ServerState> state_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

}  // namespace mend::web
