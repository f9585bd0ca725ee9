// The server over a real loopback socket on an ephemeral port. The server's io_context runs
// on its own thread; the client is synchronous (each call runs its own io_context until the
// operation completes) and every wait is bounded by a timeout, never a sleep.
#include "web/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/case_book.hpp"
#include "core/metrics.hpp"
#include "web/api.hpp"

namespace mend::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Long enough never to fire on a loaded CI box, short enough to fail a hung test quickly.
constexpr auto kIoTimeout = 20s;
// More than the kernel buffers between server and client (the client shrinks its receive
// buffer for these tests), so the write is still in flight when stop() comes.
constexpr std::size_t kBigBody = std::size_t{8} << 20;

class Client {
 public:
  // `receive_buffer` > 0 shrinks the socket's receive buffer, so a large response stays in
  // flight until the client reads it.
  explicit Client(std::uint16_t port, int receive_buffer = 0) : stream_(ioc_) {
    if (receive_buffer > 0) {
      stream_.socket().open(tcp::v4());
      stream_.socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    }
    stream_.expires_after(kIoTimeout);
    connect_error_ = run([&](auto done) {
      stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), done);
    });
  }

  const beast::error_code& connect_error() const { return connect_error_; }

  beast::error_code write(Request req) {
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    stream_.expires_after(kIoTimeout);
    return run([&](auto done) { http::async_write(stream_, req, done); });
  }

  beast::error_code write_raw(std::string_view bytes) {
    stream_.expires_after(kIoTimeout);
    return run([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

  // Reads one response; `ec` says why there was none.
  Response read(beast::error_code& ec, bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBigBody * 2);
    parser.skip(head);  // a HEAD response has a Content-Length but no body
    stream_.expires_after(kIoTimeout);
    ec = run([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    return parser.release();
  }

  Response read() {
    beast::error_code ec;
    Response res = read(ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  Response get(std::string_view target, http::verb method = http::verb::get) {
    const beast::error_code ec = write(Request{method, target, 11});
    EXPECT_FALSE(ec) << ec.message();
    beast::error_code read_ec;
    Response res = read(read_ec, method == http::verb::head);
    EXPECT_FALSE(read_ec) << read_ec.message();
    return res;
  }

  // True when the server has closed the connection: the next read ends cleanly with no bytes.
  bool closed_by_server() {
    beast::error_code ec;
    read(ec);
    return ec == http::error::end_of_stream;
  }

 private:
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
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code connect_error_;
};

class ServerTest : public ::testing::Test {
 protected:
  ~ServerTest() override {
    if (thread_.joinable()) {
      server_->stop();
      if (ran_.wait_for(kIoTimeout) != std::future_status::ready) {
        ADD_FAILURE() << "the server's run() did not end after stop()";
        ioc_.stop();
      }
      thread_.join();
    }
  }

  void start(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ =
        std::make_unique<Server>(ioc_, options, [this](const Request& req) { return handle(req); });
    server_->start();
    std::promise<void> ran;
    ran_ = ran.get_future();
    thread_ = std::thread([this, ran = std::move(ran)]() mutable {
      ioc_.run();
      ran.set_value();
    });
  }

  // Stops the server and says whether the io_context's run() ended within `bound`.
  bool stop_and_wait(std::chrono::milliseconds bound) {
    server_->stop();
    return ran_.wait_for(bound) == std::future_status::ready;
  }

  Response handle(const Request& req) {
    const std::string target(req.target());
    if (target == "/throw") throw std::runtime_error("a handler bug");
    if (target == "/big") {
      big_called_.set_value();
      return text_response(http::status::ok, std::string(kBigBody, 'x'));
    }
    return text_response(http::status::ok, "you asked for " + target + " with " +
                                               std::to_string(req.body().size()) + " bytes");
  }

  std::uint16_t port() const { return server_->port(); }

  asio::io_context ioc_;
  std::unique_ptr<Server> server_;
  std::future<void> ran_;
  std::thread thread_;
  std::promise<void> big_called_;
};

TEST_F(ServerTest, AnswersTwoRequestsOnOneKeptAliveConnection) {
  start();
  ASSERT_NE(port(), 0);
  Client client(port());
  ASSERT_FALSE(client.connect_error()) << client.connect_error().message();
  const Response first = client.get("/one");
  EXPECT_EQ(first.result(), http::status::ok);
  EXPECT_EQ(first.body(), "you asked for /one with 0 bytes");
  EXPECT_TRUE(first.keep_alive());
  const Response second = client.get("/two");
  EXPECT_EQ(second.body(), "you asked for /two with 0 bytes");
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  start();
  Client client(port());
  ASSERT_FALSE(
      client.write_raw("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(client.read().body(), "you asked for /a with 0 bytes");
  EXPECT_EQ(client.read().body(), "you asked for /b with 0 bytes");
}

TEST_F(ServerTest, EveryResponseCarriesTheSecurityHeaders) {
  start();
  Client client(port());
  for (const char* target : {"/x", "/throw"}) {
    const Response res = client.get(target);
    EXPECT_EQ(res["Content-Security-Policy"],
              "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
              "base-uri 'none'")
        << target;
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff") << target;
    EXPECT_EQ(res["Referrer-Policy"], "no-referrer") << target;
    EXPECT_EQ(res["Cache-Control"], "no-store") << target;
  }
  Client garbage(port());
  ASSERT_FALSE(garbage.write_raw("\x16\x03\x01\x02\x00 not http\r\n\r\n"));
  EXPECT_EQ(garbage.read()["X-Content-Type-Options"], "nosniff");
}

TEST_F(ServerTest, AHandlerThatThrowsGets500AndTheServerGoesOn) {
  start();
  Client client(port());
  const Response res = client.get("/throw");
  EXPECT_EQ(res.result(), http::status::internal_server_error);
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"internal_error","message":"the request could not be handled"}})");
  EXPECT_EQ(client.get("/after").result(), http::status::ok);
}

TEST_F(ServerTest, OversizedBodyGets413ThenCloseAndTheServerStillAnswers) {
  start();  // the default 64 KiB limit
  {
    Client client(port());
    Request req{http::verb::post, "/upload", 11};
    req.body() = std::string(64 * 1024 + 1, 'a');
    // The whole body is written before reading: the server reads and discards what follows its
    // 413, so the client gets the answer rather than a reset.
    ASSERT_FALSE(client.write(req));
    const Response res = client.read();
    EXPECT_EQ(res.result(), http::status::payload_too_large);
    EXPECT_EQ(res.body(),
              R"({"error":{"code":"payload_too_large","message":"request body is larger than )"
              R"(65536 bytes"}})");
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    // Exactly at the limit is fine.
    Client client(port());
    Request req{http::verb::post, "/upload", 11};
    req.body() = std::string(64 * 1024, 'a');
    ASSERT_FALSE(client.write(req));
    EXPECT_EQ(client.read().body(), "you asked for /upload with 65536 bytes");
  }
  Client next(port());
  EXPECT_EQ(next.get("/next").result(), http::status::ok);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitGets413) {
  ServerOptions options;
  options.limits.body_limit = 10;
  start(options);
  Client client(port());
  ASSERT_FALSE(
      client.write_raw("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"));
  EXPECT_EQ(client.read().result(), http::status::payload_too_large);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, GarbageGets400ThenClose) {
  start();
  Client client(port());
  ASSERT_FALSE(client.write_raw("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n"));
  const Response res = client.read();
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_NE(res.body().find(R"("code":"bad_request")"), std::string::npos) << res.body();
  EXPECT_TRUE(client.closed_by_server());

  Client bad_length(port());
  ASSERT_FALSE(bad_length.write_raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"));
  EXPECT_EQ(bad_length.read().result(), http::status::bad_request);

  Client next(port());
  EXPECT_EQ(next.get("/next").result(), http::status::ok);
}

TEST_F(ServerTest, HeadersOverTheLimitGet431) {
  start();  // the default 8 KiB header limit
  Client client(port());
  Request req{http::verb::get, "/h", 11};
  req.set("X-Filler", std::string(9000, 'f'));
  ASSERT_FALSE(client.write(req));
  const Response res = client.read();
  EXPECT_EQ(res.result(), http::status::request_header_fields_too_large);
  EXPECT_NE(res.body().find(R"("code":"headers_too_large")"), std::string::npos);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, ASlowRequestIsCutOffAtTheReadTimeout) {
  ServerOptions options;
  options.limits.read_timeout = 200ms;
  start(options);
  Client slow(port());
  // Half a request, then nothing: the server must not wait for the rest forever.
  ASSERT_FALSE(slow.write_raw("GET /slow HTTP/1.1\r\nHost: x\r\n"));
  beast::error_code ec;
  slow.read(ec);
  EXPECT_TRUE(ec) << "the server answered an unfinished request";
  EXPECT_NE(ec, beast::error::timeout) << "the client gave up before the server did";

  Client idle(port());
  EXPECT_EQ(idle.get("/first").result(), http::status::ok);
  EXPECT_TRUE(idle.closed_by_server());  // idle keep-alive ends at the same timeout
}

TEST_F(ServerTest, HeadGetsTheLengthAndNoBody) {
  start();
  Client client(port());
  const Response res = client.get("/h", http::verb::head);
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_length], "29");
  EXPECT_EQ(res.body(), "");
  // Nothing stray was sent after the headers: the next response parses.
  EXPECT_EQ(client.get("/next").body(), "you asked for /next with 0 bytes");
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  start();
  Client client(port());
  ASSERT_FALSE(client.write_raw("GET /old HTTP/1.0\r\n\r\n"));
  const Response res = client.read();
  EXPECT_EQ(res.version(), 10u);
  EXPECT_EQ(res.body(), "you asked for /old with 0 bytes");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, ConnectionsPastTheCapAreRefused) {
  ServerOptions options;
  options.max_connections = 2;
  start(options);
  Client a(port());
  auto b = std::make_unique<Client>(port());
  // A response on each proves the server has accepted both.
  EXPECT_EQ(a.get("/a").result(), http::status::ok);
  EXPECT_EQ(b->get("/b").result(), http::status::ok);

  Client c(port());
  const Response refused = c.read();
  EXPECT_EQ(refused.result(), http::status::service_unavailable);
  EXPECT_EQ(refused[http::field::retry_after], "5");
  EXPECT_NE(refused.body().find(R"("code":"too_many_connections")"), std::string::npos);
  EXPECT_TRUE(c.closed_by_server());

  // The two inside are unaffected.
  EXPECT_EQ(a.get("/a2").result(), http::status::ok);

  // Once one leaves, a newcomer gets in. The server learns of the close asynchronously, so a
  // connection made in that moment may still be refused: try a bounded number of times.
  b.reset();
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    Client d(port());
    d.write(Request{http::verb::get, "/d", 11});
    beast::error_code ec;
    const Response res = d.read(ec);
    admitted = !ec && res.result() == http::status::ok;
  }
  EXPECT_TRUE(admitted);
}

TEST_F(ServerTest, StopEndsRunPromptlyAndClosesIdleConnections) {
  start();
  Client idle(port());
  EXPECT_EQ(idle.get("/x").result(), http::status::ok);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(stop_and_wait(2s));
  // Well inside the 5 s grace: nothing was in flight.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  EXPECT_TRUE(idle.closed_by_server());
  thread_.join();
  // A second stop after the end is harmless and still reports.
  bool reported = false;
  server_->stop([&] { reported = true; });
  ioc_.restart();
  ioc_.run();
  EXPECT_TRUE(reported);
}

TEST_F(ServerTest, StopLetsAResponseInFlightFinish) {
  ServerOptions options;
  options.stop_grace = 30s;  // the client under a sanitizer on a busy box reads slowly
  start(options);
  Client client(port(), 64 * 1024);
  ASSERT_FALSE(client.write(Request{http::verb::get, "/big", 11}));
  // The handler has run; its answer is being written into a client that is not reading.
  ASSERT_EQ(big_called_.get_future().wait_for(kIoTimeout), std::future_status::ready);
  server_->stop();
  const Response res = client.read();
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body().size(), kBigBody);
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(ran_.wait_for(kIoTimeout), std::future_status::ready);
}

TEST_F(ServerTest, StopClosesWhatIsStillInFlightAfterTheGrace) {
  ServerOptions options;
  options.stop_grace = 100ms;
  start(options);
  Client client(port(), 64 * 1024);
  ASSERT_FALSE(client.write(Request{http::verb::get, "/big", 11}));
  ASSERT_EQ(big_called_.get_future().wait_for(kIoTimeout), std::future_status::ready);
  // The client never reads, so the write cannot finish: the grace period ends it.
  EXPECT_TRUE(stop_and_wait(5s));
}

TEST_F(ServerTest, APortInUseOrABadAddressFailsAtConstruction) {
  start();
  ServerOptions taken;
  taken.address = "127.0.0.1";
  taken.port = port();
  asio::io_context other;
  EXPECT_THROW(Server(other, taken, [](const Request&) { return Response{}; }),
               boost::system::system_error);
  ServerOptions bad;
  bad.address = "not-an-ip";
  EXPECT_THROW(Server(other, bad, [](const Request&) { return Response{}; }),
               boost::system::system_error);
}

TEST_F(ServerTest, ServesTheApiRouter) {
  CaseBook book;
  Metrics metrics;
  const ApiContext ctx{book, metrics, [] { return true; }, [] { return false; }, "v-1", "0.1.0",
                       {},   {}};
  const Router router = make_api_router(ctx);
  asio::io_context ioc;
  ServerOptions options;
  options.port = 0;
  Server server(ioc, options, [&router](const Request& req) { return router.route(req); });
  server.start();
  std::promise<void> ran;
  auto ran_future = ran.get_future();
  std::thread thread([&] {
    ioc.run();
    ran.set_value();
  });
  {
    Client client(server.port());
    const Response cases = client.get("/api/v1/cases");
    EXPECT_EQ(cases.result(), http::status::ok);
    EXPECT_EQ(cases.body(), R"({"cases":[]})");
    EXPECT_EQ(cases["Cache-Control"], "no-store");
    EXPECT_EQ(client.get("/readyz").result(), http::status::service_unavailable);
    EXPECT_EQ(client.get("/livez", http::verb::post).result(), http::status::method_not_allowed);
    EXPECT_EQ(client.get("/metrics")[http::field::content_type],
              "text/plain; version=0.0.4; charset=utf-8");
  }
  server.stop();
  EXPECT_EQ(ran_future.wait_for(kIoTimeout), std::future_status::ready);
  if (ran_future.wait_for(0s) != std::future_status::ready) ioc.stop();
  thread.join();
}

}  // namespace
}  // namespace mend::web
