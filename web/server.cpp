#include "web/server.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "web/router.hpp"

namespace mend::web {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::uint64_t> parse_seq(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::unique_ptr<asio::ssl::context> make_tls_context(const TlsFiles& files) {
  namespace ssl = asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and 1.3 only: every tablet of the last decade speaks them.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    throw std::runtime_error("web: cannot load the TLS certificate '" + files.certificate_file +
                             "': " + ec.message());
  }
  ctx->use_private_key_file(files.private_key_file, ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("web: cannot load the TLS private key '" + files.private_key_file +
                             "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("web: the TLS private key '" + files.private_key_file +
                             "' does not belong to the certificate '" + files.certificate_file +
                             "'");
  }
  return ctx;
}

}  // namespace

namespace detail {

// What the server's sessions and pending operations share. It outlives the Server object for
// as long as any operation still holds it, so a completion that arrives after ~Server finds
// valid memory and a flag saying there is nothing left to do.
class ServerState final : public SessionHost, public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(asio::io_context& ioc, ServerOptions options, ContextHandler handler)
      : ioc_(ioc),
        options_(std::move(options)),
        handler_(std::move(handler)),
        tls_(options_.tls ? make_tls_context(*options_.tls) : nullptr),
        acceptor_(ioc),
        accept_retry_(ioc),
        grace_(ioc) {}

  tcp::endpoint listen();
  void start();
  void stop(std::function<void()> on_stopped);
  void abandon();

  Response handle(const Request& req, const RequestContext& context) override;
  bool stopping() const override { return stopping_; }
  void session_ended(Session& session) override;
  UpgradeVerdict check_upgrade(const Request& req, const RequestContext& context) override;
  void adopt(const std::shared_ptr<Session>& session) override;
  const std::shared_ptr<LiveHub>& live_hub() const override { return options_.live; }
  const WebSocketLimits& websocket_limits() const override { return options_.websocket; }

 private:
  struct Entry {
    std::weak_ptr<Session> session;
    bool refusal = false;
  };

  void do_accept();
  void on_accept(const boost::system::error_code& ec, tcp::socket socket);
  void finish();
  std::vector<std::shared_ptr<Session>> live_sessions() const;

  asio::io_context& ioc_;
  ServerOptions options_;
  ContextHandler handler_;
  std::unique_ptr<asio::ssl::context> tls_;  // set: every session is TLS
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  asio::steady_timer grace_;
  std::unordered_map<Session*, Entry> sessions_;
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
    std::shared_ptr<Session> session;
    std::function<void(Response)> refuse_with;
    std::function<void()> start;
    if (tls_) {
      auto s = std::make_shared<HttpSession<TlsStream>>(shared_from_this(), options_.limits,
                                                        std::move(socket), *tls_);
      refuse_with = [s](Response r) { s->refuse(std::move(r)); };
      start = [s] { s->start(); };
      session = std::move(s);
    } else {
      auto s = std::make_shared<HttpSession<PlainStream>>(shared_from_this(), options_.limits,
                                                          std::move(socket));
      refuse_with = [s](Response r) { s->refuse(std::move(r)); };
      start = [s] { s->start(); };
      session = std::move(s);
    }
    sessions_.emplace(session.get(), Entry{session, refuse});
    if (refuse) {
      ++refusing_;
      auto res = error_response(http::status::service_unavailable, error_code::kTooManyConnections,
                                "too many open connections; try again shortly");
      res.set(http::field::retry_after, "5");
      refuse_with(std::move(res));
    } else {
      ++active_;
      start();
    }
  }
  do_accept();
}

Response ServerState::handle(const Request& req, const RequestContext& context) {
  if (!handler_) {
    return error_response(http::status::service_unavailable, error_code::kNotReady,
                          "the server is shutting down");
  }
  return handler_(req, context);
}

UpgradeVerdict ServerState::check_upgrade(const Request& req, const RequestContext& context) {
  UpgradeVerdict verdict;
  const std::string_view target = req.target();
  const auto qmark = target.find('?');
  if (!options_.live || target.substr(0, qmark) != options_.live_path) return verdict;
  verdict.live = true;
  if (stopping_ || !handler_) {
    verdict.refusal = error_response(http::status::service_unavailable, error_code::kNotReady,
                                     "the server is shutting down");
    return verdict;
  }
  // A page from another site may open a WebSocket to us with the tablet's cookie attached
  // (browsers send cookies on upgrades and do not apply CORS to them): only our own pages
  // may. Clients that are not browsers send no Origin and are judged by their credentials.
  const std::string_view origin = req[http::field::origin];
  if (!origin.empty()) {
    const std::string own =
        std::string(context.tls ? "https://" : "http://") + std::string(req[http::field::host]);
    if (req[http::field::host].empty() || !iequal(origin, own)) {
      verdict.refusal = error_response(http::status::forbidden, error_code::kForbiddenOrigin,
                                       "WebSocket upgrade from a foreign origin");
      return verdict;
    }
  }
  if (qmark != std::string_view::npos) {
    auto query = Query::parse(target.substr(qmark + 1));
    if (auto* message = std::get_if<std::string>(&query)) {
      verdict.refusal =
          error_response(http::status::bad_request, error_code::kBadRequest, *message);
      return verdict;
    }
    const Query& q = std::get<Query>(query);
    if (const std::string* since = q.get("since")) {
      const auto seq = parse_seq(*since);
      if (!seq) {
        verdict.refusal =
            error_response(http::status::bad_request, error_code::kInvalidParameter,
                           "since must be the last sequence number received (0 or more)");
        return verdict;
      }
      const std::string* run = q.get("run");
      verdict.cursor = LiveCursor{*seq, run != nullptr ? *run : std::string{}};
    }
  }
  if (options_.authorize_upgrade) verdict.principal = options_.authorize_upgrade(req);
  if (!verdict.principal) {
    auto res = error_response(http::status::unauthorized, error_code::kUnauthorized,
                              "sign in to follow live updates");
    verdict.refusal = std::move(res);
  }
  return verdict;
}

void ServerState::adopt(const std::shared_ptr<Session>& session) {
  sessions_.emplace(session.get(), Entry{session, false});
  ++active_;
}

void ServerState::session_ended(Session& session) {
  const auto it = sessions_.find(&session);
  if (it == sessions_.end()) return;
  --(it->second.refusal ? refusing_ : active_);
  sessions_.erase(it);
  if (stopping_ && !abandoned_ && !finished_ && sessions_.empty()) finish();
}

std::vector<std::shared_ptr<Session>> ServerState::live_sessions() const {
  std::vector<std::shared_ptr<Session>> out;
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
    : Server(ioc, std::move(options),
             handler
                 ? ContextHandler([h = std::move(handler)](
                                      const Request& req, const RequestContext&) { return h(req); })
                 : ContextHandler{}) {}

Server::Server(asio::io_context& ioc, ServerOptions options, ContextHandler handler)
    : ioc_(ioc),
      tls_(options.tls.has_value()),
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
