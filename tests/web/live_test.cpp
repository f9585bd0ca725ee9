// The live feed: the hub's numbering, ring and bounds as plain calls (unit), then
// `WS /api/v1/live` over a loopback socket on an ephemeral port (adapter: every wait bounded
// by a timeout, never a sleep).
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"
#include "tests/web/live_clients.hpp"
#include "web/live_hub.hpp"
#include "web/server.hpp"

namespace mend::web {
namespace {

using namespace mend::web::testing;

// A subscriber that keeps what it is given, up to `capacity`.
class Recorder : public LiveSubscriber {
 public:
  explicit Recorder(std::size_t capacity = 1000) : capacity_(capacity) {}
  bool deliver(const LiveMessage& message) override {
    if (got.size() >= capacity_) return false;
    got.push_back(*message);
    return true;
  }
  std::vector<std::string> got;

 private:
  std::size_t capacity_;
};

json::Value table(int n) {
  json::Object o;
  o.set("table", n);
  return o;
}

TEST(LiveHubTest, NumbersMessagesAndSendsThemToEverySubscriber) {
  LiveHub hub(10, "run1");
  Recorder a;
  Recorder b;
  hub.subscribe(a, std::nullopt, 100, 1 << 20);
  hub.subscribe(b, LiveCursor{0, "run1"}, 100, 1 << 20);
  EXPECT_EQ(hub.publish("case", table(1)), 1u);
  EXPECT_EQ(hub.publish("floor", table(2)), 2u);
  const std::vector<std::string> expected = {R"({"type":"hello","run":"run1","seq":0})",
                                             R"({"seq":1,"type":"case","data":{"table":1}})",
                                             R"({"seq":2,"type":"floor","data":{"table":2}})"};
  EXPECT_EQ(a.got, expected);
  EXPECT_EQ(b.got, expected);
  hub.unsubscribe(a);
  hub.publish("case", table(3));
  EXPECT_EQ(a.got.size(), 3u);
  EXPECT_EQ(b.got.size(), 4u);
}

TEST(LiveHubTest, ReplaysFromTheRingOrAsksForAResync) {
  LiveHub hub(3, "run1");
  for (int i = 1; i <= 5; ++i) hub.publish("case", table(i));  // the ring holds 3, 4, 5
  Recorder caught_up;
  hub.subscribe(caught_up, LiveCursor{2, "run1"}, 100, 1 << 20);
  ASSERT_EQ(caught_up.got.size(), 4u);
  EXPECT_EQ(caught_up.got[1], R"({"seq":3,"type":"case","data":{"table":3}})");
  EXPECT_EQ(caught_up.got[3], R"({"seq":5,"type":"case","data":{"table":5}})");

  const std::vector<LiveCursor> stale = {{1, "run1"}, {9, "run1"}, {4, "another run"}};
  for (const auto& cursor : stale) {
    Recorder r;
    hub.subscribe(r, cursor, 100, 1 << 20);
    ASSERT_EQ(r.got.size(), 2u) << cursor.since << cursor.run;
    EXPECT_EQ(r.got[1], R"({"type":"resync"})");
    hub.unsubscribe(r);
  }
  // A catch-up larger than the subscriber's queue bound is a resync too.
  Recorder small;
  hub.subscribe(small, LiveCursor{2, ""}, 2, 1 << 20);
  EXPECT_EQ(small.got.back(), R"({"type":"resync"})");
  hub.unsubscribe(small);
  // Up to date: nothing to replay.
  Recorder current;
  hub.subscribe(current, LiveCursor{5, "run1"}, 100, 1 << 20);
  EXPECT_EQ(current.got.size(), 1u);

  const LiveHubStats stats = hub.stats();
  EXPECT_EQ(stats.last_seq, 5u);
  EXPECT_EQ(stats.replayed, 3u);
  EXPECT_EQ(stats.resyncs, 4u);
  hub.unsubscribe(caught_up);
  hub.unsubscribe(current);
}

TEST(LiveHubTest, ASubscriberThatRefusesIsForgottenAndCounted) {
  LiveHub hub(10);
  Recorder full(2);  // the hello and one message
  Recorder fine;
  hub.subscribe(full, std::nullopt, 100, 1 << 20);
  hub.subscribe(fine, std::nullopt, 100, 1 << 20);
  hub.publish("case", table(1));
  hub.publish("case", table(2));
  hub.publish("case", table(3));
  EXPECT_EQ(full.got.size(), 2u);
  EXPECT_EQ(fine.got.size(), 4u);
  EXPECT_EQ(hub.stats().slow_disconnects, 1u);
  EXPECT_EQ(hub.stats().subscribers, 1u);
  hub.unsubscribe(fine);
}

// The server with a live hub. Upgrades are authorized by `Authorization: Bearer good`.
class LiveServerTest : public ::testing::Test {
 protected:
  ~LiveServerTest() override {
    if (thread_.joinable()) {
      server_->stop();
      if (ran_.wait_for(kIoTimeout) != std::future_status::ready) {
        ADD_FAILURE() << "the server's run() did not end after stop()";
        ioc_.stop();
      }
      thread_.join();
    }
  }

  void start(ServerOptions options = {}, std::size_t ring = 1000) {
    hub_ = std::make_shared<LiveHub>(ring, "run-a");
    options.address = "127.0.0.1";
    options.port = 0;
    options.live = hub_;
    options.authorize_upgrade = [](const Request& req) -> std::optional<Principal> {
      if (req[http::field::authorization] == "Bearer good") return Principal{"t1", "staff"};
      return std::nullopt;
    };
    server_ = std::make_unique<Server>(ioc_, options, [](const Request& req) {
      return text_response(http::status::ok, "plain " + std::string(req.target()));
    });
    server_->start();
    std::promise<void> ran;
    ran_ = ran.get_future();
    thread_ = std::thread([this, ran = std::move(ran)]() mutable {
      ioc_.run();
      ran.set_value();
    });
  }

  std::uint64_t publish(int n, std::size_t padding = 0) {
    return on_io(ioc_, [&] {
      json::Object o;
      o.set("table", n);
      if (padding > 0) o.set("pad", std::string(padding, 'p'));
      return hub_->publish("case", o);
    });
  }

  LiveHubStats stats() {
    return on_io(ioc_, [&] { return hub_->stats(); });
  }

  static std::string message(std::uint64_t seq, int n) {
    return R"({"seq":)" + std::to_string(seq) + R"(,"type":"case","data":{"table":)" +
           std::to_string(n) + "}}";
  }

  static const std::map<std::string, std::string>& good() {
    static const std::map<std::string, std::string> headers = {{"Authorization", "Bearer good"}};
    return headers;
  }

  std::uint16_t port() const { return server_->port(); }

  asio::io_context ioc_;
  std::shared_ptr<LiveHub> hub_;
  std::unique_ptr<Server> server_;
  std::future<void> ran_;
  std::thread thread_;
};

TEST_F(LiveServerTest, AnUpgradeReceivesPublishedMessagesInOrder) {
  start();
  WsClient<false> client(port());
  ASSERT_FALSE(client.upgrade("/api/v1/live?since=0", good()));
  EXPECT_EQ(client.read(), R"({"type":"hello","run":"run-a","seq":0})");
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(publish(i), static_cast<std::uint64_t>(i));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(client.read(), message(i, i));
  // Plain HTTP still works on the same port.
  EXPECT_EQ(stats().subscribers, 1u);
  EXPECT_FALSE(client.close());
}

TEST_F(LiveServerTest, AReconnectWithSinceGetsExactlyTheMissedMessages) {
  start();
  {
    WsClient<false> first(port());
    ASSERT_FALSE(first.upgrade("/api/v1/live?since=0", good()));
    first.read();  // hello
    for (int i = 1; i <= 3; ++i) publish(i);
    for (int i = 1; i <= 3; ++i) EXPECT_EQ(first.read(), message(i, i));
    EXPECT_FALSE(first.close());
  }
  for (int i = 4; i <= 6; ++i) publish(i);  // while the tablet was away

  WsClient<false> again(port());
  ASSERT_FALSE(again.upgrade("/api/v1/live?since=3&run=run-a", good()));
  EXPECT_EQ(again.read(), R"({"type":"hello","run":"run-a","seq":6})");
  for (int i = 4; i <= 6; ++i) EXPECT_EQ(again.read(), message(i, i));
  publish(7);
  EXPECT_EQ(again.read(), message(7, 7));

  // The same by a first message instead of the query.
  WsClient<false> by_message(port());
  ASSERT_FALSE(by_message.upgrade("/api/v1/live", good()));
  ASSERT_FALSE(by_message.write(R"({"since":5,"run":"run-a"})"));
  EXPECT_EQ(by_message.read(), R"({"type":"hello","run":"run-a","seq":7})");
  EXPECT_EQ(by_message.read(), message(6, 6));
  EXPECT_EQ(by_message.read(), message(7, 7));
  publish(8);
  EXPECT_EQ(by_message.read(), message(8, 8));
  EXPECT_EQ(again.read(), message(8, 8));
}

TEST_F(LiveServerTest, ASinceOlderThanTheRingGetsAResync) {
  start({}, 4);
  for (int i = 1; i <= 10; ++i) publish(i);
  WsClient<false> client(port());
  ASSERT_FALSE(client.upgrade("/api/v1/live?since=2&run=run-a", good()));
  EXPECT_EQ(client.read(), R"({"type":"hello","run":"run-a","seq":10})");
  EXPECT_EQ(client.read(), R"({"type":"resync"})");
  publish(11);  // then live from here
  EXPECT_EQ(client.read(), message(11, 11));

  WsClient<false> other_run(port());
  ASSERT_FALSE(other_run.upgrade("/api/v1/live?since=9&run=run-before-restart", good()));
  other_run.read();
  EXPECT_EQ(other_run.read(), R"({"type":"resync"})");
}

TEST_F(LiveServerTest, ASlowClientIsDisconnectedAtItsQueueBoundAndOthersGoOn) {
  ServerOptions options;
  options.websocket.queue_messages = 64;
  options.websocket.queue_bytes = 256 * 1024;
  start(options);
  WsClient<false> slow(port(), nullptr, 4096);
  ASSERT_FALSE(slow.upgrade("/api/v1/live?since=0", good()));
  slow.read();  // hello; then it never reads again
  WsClient<false> fast(port());
  ASSERT_FALSE(fast.upgrade("/api/v1/live?since=0", good()));
  fast.read();

  // Fill the slow tablet's TCP window and then its queue; the fast one reads each message.
  int published = 0;
  while (stats().slow_disconnects == 0 && published < 5000) {
    ++published;
    const auto seq = publish(published, 8 * 1024);
    const std::string got = fast.read();
    ASSERT_EQ(got.rfind(R"({"seq":)" + std::to_string(seq) + ",", 0), 0u) << got.substr(0, 40);
  }
  const LiveHubStats s = stats();
  EXPECT_EQ(s.slow_disconnects, 1u) << "after " << published << " messages";
  EXPECT_EQ(s.subscribers, 1u);
  EXPECT_LE(s.peak_queued_bytes, options.websocket.queue_bytes);
  EXPECT_LE(s.peak_queued_messages, options.websocket.queue_messages);
  // The server and the other tablet go on.
  publish(published + 1);
  EXPECT_EQ(fast.read(), message(static_cast<std::uint64_t>(published) + 1, published + 1));
  WsClient<false> newcomer(port());
  EXPECT_FALSE(newcomer.upgrade("/api/v1/live?since=0", good()));
}

TEST_F(LiveServerTest, AForeignOriginIsRefusedBeforeUpgrading) {
  start();
  {
    WsClient<false> client(port());
    websocket::response_type res;
    auto headers = good();
    headers["Origin"] = "https://evil.example";
    EXPECT_EQ(client.upgrade("/api/v1/live?since=0", headers, &res),
              websocket::error::upgrade_declined);
    EXPECT_EQ(res.result(), http::status::forbidden);
    EXPECT_NE(res.body().find("forbidden_origin"), std::string::npos) << res.body();
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  }
  {
    // Right host, wrong scheme: a page served over TLS elsewhere is foreign too.
    WsClient<false> client(port());
    websocket::response_type res;
    auto headers = good();
    headers["Origin"] = "https://127.0.0.1:" + std::to_string(port());
    EXPECT_EQ(client.upgrade("/api/v1/live?since=0", headers, &res),
              websocket::error::upgrade_declined);
    EXPECT_EQ(res.result(), http::status::forbidden);
  }
  WsClient<false> own(port());
  auto headers = good();
  headers["Origin"] = "http://127.0.0.1:" + std::to_string(port());
  ASSERT_FALSE(own.upgrade("/api/v1/live?since=0", headers));
  EXPECT_EQ(own.read(), R"({"type":"hello","run":"run-a","seq":0})");
}

TEST_F(LiveServerTest, AnUpgradeTheAuthorizerRefusesGets401) {
  start();
  for (const auto& headers :
       std::vector<std::map<std::string, std::string>>{{}, {{"Authorization", "Bearer wrong"}}}) {
    WsClient<false> client(port());
    websocket::response_type res;
    EXPECT_EQ(client.upgrade("/api/v1/live?since=0", headers, &res),
              websocket::error::upgrade_declined);
    EXPECT_EQ(res.result(), http::status::unauthorized);
    EXPECT_NE(res.body().find(R"("code":"unauthorized")"), std::string::npos);
  }
  WsClient<false> bad_since(port());
  websocket::response_type res;
  EXPECT_EQ(bad_since.upgrade("/api/v1/live?since=-1", good(), &res),
            websocket::error::upgrade_declined);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(stats().subscribers, 0u);
}

TEST_F(LiveServerTest, AClientMessageOverTheLimitEndsTheSession) {
  start();
  WsClient<false> client(port());
  ASSERT_FALSE(client.upgrade("/api/v1/live?since=0", good()));
  client.read();
  ASSERT_FALSE(client.write(std::string(8 * 1024, 'x')));
  beast::error_code ec;
  client.read(ec);
  // Beast sent 1009 and the server dropped the connection; the client's reply to the close
  // frame may find it gone (EPIPE) rather than end cleanly.
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, beast::error::timeout);
  EXPECT_EQ(client.reason().code, websocket::close_code::too_big);
}

TEST_F(LiveServerTest, StopClosesLiveSessionsWithGoingAway) {
  start();
  WsClient<false> client(port());
  ASSERT_FALSE(client.upgrade("/api/v1/live?since=0", good()));
  client.read();
  server_->stop();
  beast::error_code ec;
  client.read(ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.reason().code, websocket::close_code::going_away);
  EXPECT_EQ(ran_.wait_for(kIoTimeout), std::future_status::ready);
}

}  // namespace
}  // namespace mend::web
