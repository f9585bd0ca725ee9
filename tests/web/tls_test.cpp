// The device certificate (made once, reused, damaged files refused) and the server over TLS:
// HTTP and the live WebSocket, with a client that verifies the server against that very
// certificate, as a tablet that installed it does.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <thread>

#include "adapters/tls/device_certificate.hpp"
#include "tests/web/live_clients.hpp"
#include "web/server.hpp"

namespace mend::web {
namespace {

using namespace mend::web::testing;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("mend-tls-test-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

tls::CertificateRequest test_request() {
  return tls::CertificateRequest{{"mend-test", "mend-test.local"}, {"127.0.0.1", "::1"}, 3650};
}

void write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST(DeviceCertificateTest, IsMadeOnceThenLoaded) {
  TempDir dir;
  const fs::path state = dir.path() / "state" / "tls";
  const auto made = tls::ensure_device_certificate(state, test_request());
  EXPECT_TRUE(made.created);
  struct stat st {};
  ASSERT_EQ(::stat(made.private_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string pem = tls::read_file(made.certificate);
  const std::string fingerprint = tls::certificate_fingerprint_sha256(pem);
  EXPECT_EQ(fingerprint.size(), 32u * 3 - 1);
  EXPECT_EQ(fingerprint[2], ':');

  const auto loaded = tls::ensure_device_certificate(state, test_request());
  EXPECT_FALSE(loaded.created);
  EXPECT_EQ(tls::certificate_fingerprint_sha256(tls::read_file(loaded.certificate)), fingerprint);
  EXPECT_EQ(tls::read_file(loaded.certificate), pem);
}

void expect_error(const fs::path& dir, std::string_view needle) {
  try {
    tls::ensure_device_certificate(dir, test_request());
    ADD_FAILURE() << "no error for " << needle;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(DeviceCertificateTest, DamagedOrMismatchedFilesAreClearErrors) {
  TempDir dir;
  const auto made = tls::ensure_device_certificate(dir.path(), test_request());
  const std::string key = tls::read_file(made.private_key);
  const std::string cert = tls::read_file(made.certificate);

  write(made.private_key, key.substr(0, key.size() / 2));  // a torn write
  expect_error(dir.path(), "device-key.pem is not a PEM private key");

  TempDir other;
  const auto foreign = tls::ensure_device_certificate(other.path(), test_request());
  write(made.private_key, tls::read_file(foreign.private_key));
  expect_error(dir.path(), "device-key.pem is not the key of");

  write(made.private_key, key);
  write(made.certificate, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
  expect_error(dir.path(), "device-cert.pem is not a PEM certificate");

  fs::remove(made.certificate);
  expect_error(dir.path(), "device-cert.pem is missing");
  // Nothing was replaced behind the operator's back.
  EXPECT_EQ(tls::read_file(made.private_key), key);
  EXPECT_THROW(tls::certificate_fingerprint_sha256("nothing"), std::runtime_error);
}

// Two listeners on one io_context, as mendd runs them: loopback plain HTTP and LAN TLS, one
// hub feeding both.
class TlsServerTest : public ::testing::Test {
 protected:
  TlsServerTest() : client_ssl_(asio::ssl::context::tls_client) {
    cert_ = tls::ensure_device_certificate(dir_.path(), test_request());
    const std::string pem = tls::read_file(cert_.certificate);
    client_ssl_.add_certificate_authority(asio::buffer(pem));
    client_ssl_.set_verify_mode(asio::ssl::verify_peer);
    client_ssl_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));

    hub_ = std::make_shared<LiveHub>(100, "run-t");
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.live = hub_;
    options.authorize_upgrade = [](const Request&) {
      return std::optional<Principal>{{"t", "staff"}};
    };
    const auto handler = [](const Request& req, const RequestContext& ctx) {
      return text_response(http::status::ok,
                           std::string(req.target()) + (ctx.tls ? " over tls" : " in plain"));
    };
    plain_ = std::make_unique<Server>(ioc_, options, handler);
    options.tls = TlsFiles{cert_.certificate.string(), cert_.private_key.string()};
    tls_ = std::make_unique<Server>(ioc_, options, handler);
    EXPECT_TRUE(tls_->tls());
    plain_->start();
    tls_->start();
    std::promise<void> ran;
    ran_ = ran.get_future();
    thread_ = std::thread([this, ran = std::move(ran)]() mutable {
      ioc_.run();
      ran.set_value();
    });
  }

  ~TlsServerTest() override {
    plain_->stop();
    tls_->stop();
    if (ran_.wait_for(kIoTimeout) != std::future_status::ready) {
      ADD_FAILURE() << "run() did not end after stop()";
      ioc_.stop();
    }
    thread_.join();
  }

  // One HTTPS GET, verified against the device certificate.
  Response https_get(std::string_view target, beast::error_code& ec) {
    asio::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, client_ssl_);
    beast::get_lowest_layer(stream).expires_after(kIoTimeout);
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), tls_->port()), ec);
    if (ec) return {};
    stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return {};
    Request req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req, ec);
    if (ec) return {};
    beast::flat_buffer buffer;
    Response res;
    http::read(stream, buffer, res, ec);
    return res;
  }

  TempDir dir_;
  tls::DeviceCertificate cert_;
  asio::ssl::context client_ssl_;
  asio::io_context ioc_;
  std::shared_ptr<LiveHub> hub_;
  std::unique_ptr<Server> plain_;
  std::unique_ptr<Server> tls_;
  std::future<void> ran_;
  std::thread thread_;
};

TEST_F(TlsServerTest, AVerifyingClientGetsLivezOverTls) {
  beast::error_code ec;
  const Response res = https_get("/livez", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "/livez over tls");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
}

TEST_F(TlsServerTest, AClientThatDoesNotTrustTheCertificateIsRefused) {
  asio::ssl::context untrusting(asio::ssl::context::tls_client);
  untrusting.set_verify_mode(asio::ssl::verify_peer);
  WsClient<true> client(tls_->port(), &untrusting);
  EXPECT_TRUE(client.upgrade("/api/v1/live?since=0"));
}

TEST_F(TlsServerTest, WssAndPlainListenersShareTheHub) {
  WsClient<true> secure(tls_->port(), &client_ssl_);
  ASSERT_FALSE(secure.upgrade("/api/v1/live?since=0",
                              {{"Origin", "https://127.0.0.1:" + std::to_string(tls_->port())}}));
  WsClient<false> local(plain_->port());
  ASSERT_FALSE(local.upgrade("/api/v1/live?since=0"));
  EXPECT_EQ(secure.read(), R"({"type":"hello","run":"run-t","seq":0})");
  EXPECT_EQ(local.read(), R"({"type":"hello","run":"run-t","seq":0})");
  on_io(ioc_, [&] { return hub_->publish("floor", json::Object{}); });
  EXPECT_EQ(secure.read(), R"({"seq":1,"type":"floor","data":{}})");
  EXPECT_EQ(local.read(), R"({"seq":1,"type":"floor","data":{}})");
  // On TLS an http:// origin is foreign.
  WsClient<true> downgraded(tls_->port(), &client_ssl_);
  websocket::response_type res;
  EXPECT_EQ(
      downgraded.upgrade("/api/v1/live?since=0",
                         {{"Origin", "http://127.0.0.1:" + std::to_string(tls_->port())}}, &res),
      websocket::error::upgrade_declined);
  EXPECT_EQ(res.result(), http::status::forbidden);
  EXPECT_FALSE(secure.close());
}

TEST_F(TlsServerTest, AMissingOrBadKeyFailsAtConstruction) {
  asio::io_context other;
  ServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{cert_.certificate.string(), (dir_.path() / "nope.pem").string()};
  try {
    Server s(other, options, [](const Request&) { return Response{}; });
    ADD_FAILURE() << "a missing key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mend::web
