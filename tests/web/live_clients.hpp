// Test clients for the live feed: a synchronous WebSocket client over TCP or TLS, each call
// bounded by a timeout on the TCP layer, never a sleep. Also a helper to run code on the
// server's io_context thread (where the hub lives) and wait for it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <type_traits>

#include "web/http.hpp"

namespace mend::web::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr auto kIoTimeout = std::chrono::seconds(20);

// Runs `fn` on `ioc`'s thread and waits (bounded) for it.
template <class Fn>
auto on_io(asio::io_context& ioc, Fn fn) -> decltype(fn()) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto result = task.get_future();
  asio::post(ioc, [&task] { task(); });
  if (result.wait_for(kIoTimeout) != std::future_status::ready) {
    ADD_FAILURE() << "the io_context did not run the task";
    std::terminate();  // `task` is referenced by the posted handler: cannot return safely
  }
  return result.get();
}

template <bool kTls>
class WsClient {
 public:
  using Next = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  // `ssl`: for kTls, the client context (trusting the server's certificate).
  WsClient(std::uint16_t port, asio::ssl::context* ssl = nullptr, int receive_buffer = 0)
      : port_(port), ws_(make_next(ssl)) {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    if (receive_buffer > 0) {
      tcp_layer.socket().open(tcp::v4());
      tcp_layer.socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    tcp_layer.expires_after(kIoTimeout);
    connect_error_ = run([&](auto done) {
      tcp_layer.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), done);
    });
  }

  const beast::error_code& connect_error() const { return connect_error_; }

  // Performs the TLS handshake (kTls) and the upgrade; `response` gets the server's answer,
  // whose status says why when the upgrade is declined.
  beast::error_code upgrade(std::string_view target,
                            const std::map<std::string, std::string>& headers = {},
                            websocket::response_type* response = nullptr) {
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    if constexpr (kTls) {
      auto ec = run([&](auto done) {
        ws_.next_layer().async_handshake(asio::ssl::stream_base::client, done);
      });
      if (ec) return ec;
    }
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    websocket::response_type local;
    websocket::response_type& res = response ? *response : local;
    return run([&](auto done) {
      ws_.async_handshake(res, "127.0.0.1:" + std::to_string(port_), std::string(target), done);
    });
  }

  std::string read(beast::error_code& ec) {
    beast::flat_buffer buffer;
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    ec = run([&](auto done) { ws_.async_read(buffer, done); });
    return beast::buffers_to_string(buffer.data());
  }

  std::string read() {
    beast::error_code ec;
    std::string text = read(ec);
    EXPECT_FALSE(ec) << ec.message();
    return text;
  }

  beast::error_code write(std::string_view text) {
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    return run([&](auto done) { ws_.async_write(asio::buffer(text), done); });
  }

  beast::error_code close() {
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    return run([&](auto done) { ws_.async_close(websocket::close_code::normal, done); });
  }

  websocket::close_reason reason() const { return ws_.reason(); }

 private:
  Next make_next(asio::ssl::context* ssl) {
    if constexpr (kTls) {
      return Next(ioc_, *ssl);
    } else {
      (void)ssl;
      return Next(ioc_);
    }
  }

  template <class Initiate>
  beast::error_code run(Initiate initiate) {
    beast::error_code result;
    bool completed = false;
    initiate([&](beast::error_code ec, auto&&...) {
      result = ec;
      completed = true;
    });
    ioc_.restart();
    ioc_.run();
    EXPECT_TRUE(completed);
    return result;
  }

  asio::io_context ioc_;
  std::uint16_t port_;
  websocket::stream<Next> ws_;
  beast::error_code connect_error_;
};

}  // namespace mend::web::testing
