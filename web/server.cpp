#include "web/server.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mend::web {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace detail {

// What the server's sessions and pending operations share. It outlives the Server object for
// as long as any operation still holds it, so a completion that arrives after ~Server finds
// valid memory and a flag saying there is nothing left to do.
class ServerState final : public SessionHost, public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(asio::io_context& ioc, ServerOptions options, Handler handler)
      : ioc_(ioc),
        options_(std::move(options)),
        handler_(std::move(handler)),
        acceptor_(ioc),
        accept_retry_(ioc),
        grace_(ioc) {}

  tcp::endpoint listen();
  void start();
  void stop(std::function<void()> on_stopped);
  void abandon();

  Response handle(const Request& req) override;
  bool stopping() const override { return stopping_; }
  void session_ended(HttpSession& session) override;

 private:
  struct Entry {
    std::weak_ptr<HttpSession> session;
    bool refusal = false;
  };

  void do_accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void finish();
  std::vector<std::shared_ptr<HttpSession>> live_sessions() const;

  asio::io_context& ioc_;
  ServerOptions options_;
  Handler handler_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::steady_timer grace_;
  std::unordered_map<HttpSession*, Entry> sessions_;
  std::size_t active_ = 0;    // sessions serving requests: what the cap counts
  std::size_t refusing_ = 0;  // sessions writing a 503 refusal
  bool started_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  bool abandoned_ = false;
  std::vector<std::function<void()>> on_stopped_;
};

tcp::endpoint ServerState::listen() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.address, ec);
  if (ec) {
    throw boost::system::system_error(ec, "web: bad listen address '" + options_.address + "'");
  }
  const tcp::endpoint wanted(address, options_.port);
  const std::string where =
      "web: cannot listen on " + options_.address + ":" + std::to_string(options_.port);
  acceptor_.open(wanted.protocol(), ec);
  if (ec) throw boost::system::system_error(ec, where);
  // A restarted daemon must not wait out the old connections' TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(wanted, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw boost::system::system_error(ec, where);
  return acceptor_.local_endpoint();
}

void ServerState::start() {
  if (started_ || stopping_) return;
  started_ = true;
  do_accept();
}

void ServerState::do_accept() {
  acceptor_.async_accept(
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void ServerState::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (stopping_) return;  // the socket, if any, closes as it goes out of scope
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors or buffers: an accept retried at once would fail at once, so wait.
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e && !self->stopping_) self->do_accept();
    });
    return;
  }
  const bool refuse = active_ >= options_.max_connections;
  // Refusals are bounded too: past that the connection is closed without a word.
  if (!refuse || refusing_ < options_.max_connections) {
    auto session =
        std::make_shared<HttpSession>(std::move(socket), shared_from_this(), options_.limits);
    sessions_.emplace(session.get(), Entry{session, refuse});
    if (refuse) {
      ++refusing_;
      auto res = error_response(http::status::service_unavailable, error_code::kTooManyConnections,
                                "too many open connections; try again shortly");
      res.set(http::field::retry_after, "5");
      session->refuse(std::move(res));
    } else {
      ++active_;
      session->start();
    }
  }
  do_accept();
}

Response ServerState::handle(const Request& req) {
  if (!handler_) {
    return error_response(http::status::service_unavailable, error_code::kNotReady,
                          "the server is shutting down");
  }
  return handler_(req);
}

void ServerState::session_ended(HttpSession& session) {
  const auto it = sessions_.find(&session);
  if (it == sessions_.end()) return;
  --(it->second.refusal ? refusing_ : active_);
  sessions_.erase(it);
  if (stopping_ && !abandoned_ && !finished_ && sessions_.empty()) finish();
}

std::vector<std::shared_ptr<HttpSession>> ServerState::live_sessions() const {
  std::vector<std::shared_ptr<HttpSession>> out;
  out.reserve(sessions_.size());
  for (const auto& [ptr, entry] : sessions_) {
    if (auto s = entry.session.lock()) out.push_back(std::move(s));
  }
  return out;
}

void ServerState::stop(std::function<void()> on_stopped) {
  if (abandoned_) return;
  if (on_stopped) on_stopped_.push_back(std::move(on_stopped));
  if (finished_) {
    finish();
    return;
  }
  if (stopping_) return;
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  for (const auto& s : live_sessions()) s->shutdown();
  if (sessions_.empty()) {
    finish();
    return;
  }
  grace_.expires_after(options_.stop_grace);
  grace_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    for (const auto& s : self->live_sessions()) s->force_close();
  });
}

void ServerState::finish() {
  finished_ = true;
  grace_.cancel();
  // Posted, not called: finish() can run inside a session's destructor.
  for (auto& callback : on_stopped_) asio::post(ioc_, std::move(callback));
  on_stopped_.clear();
}

void ServerState::abandon() {
  abandoned_ = true;
  stopping_ = true;
  on_stopped_.clear();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  grace_.cancel();
  for (const auto& s : live_sessions()) s->force_close();
  // What it captured may be gone once the Server is; a request read just now gets a 503.
  handler_ = nullptr;
}

}  // namespace detail

Server::Server(asio::io_context& ioc, ServerOptions options, Handler handler)
    : ioc_(ioc),
      state_(std::make_shared<detail::ServerState>(ioc, std::move(options), std::move(handler))),
      endpoint_(state_->listen()) {}

Server::~Server() { state_->abandon(); }

void Server::start() {
  asio::post(ioc_, [state = state_] { state->start(); });
}

void Server::stop(std::function<void()> on_stopped) {
  asio::post(
      ioc_, [state = state_, cb = std::move(on_stopped)]() mutable { state->stop(std::move(cb)); });
}

}  // namespace mend::web
