// Nothing the broker handed over is lost: mendd is killed with SIGKILL at random moments while
// a publisher floods uniquely numbered events, then restarted each time. At the end every
// event the broker acknowledged is in the store exactly once, and the database is intact.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <random>
#include <thread>

#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

TEST(KillTest, FiftyKillsDuringAFloodLoseNothingAndDuplicateNothing) {
  const int kills =
      std::getenv("MEND_KILLS") != nullptr ? std::atoi(std::getenv("MEND_KILLS")) : 50;
  constexpr int kEvents = 20000;
  TempDir dir;
  Mosquitto broker(dir);
  MenddOptions o;
  o.venue = "kill-venue";
  o.commit_interval = "100ms";
  Mendd mendd(dir, broker.port(), o);
  mendd.start();

  // The publisher paces itself so the flood spans all the kills.
  std::atomic<int> published{0};
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    MqttProbe p(broker.port(), "flood");
    const std::string topic = "venue/kill-venue/till/order.opened";
    for (int i = 0; i < kEvents && !stop; ++i) {
      const std::string n = std::to_string(i);
      p.publish(topic, R"({"id":"k-)" + n + R"(","table":"T)" + std::to_string(i % 40) +
                           R"(","check":"K)" + n + R"("})");
      published = i + 1;
      if (i % 100 == 99) std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
  });

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> pause_ms(20, 400);
  int done = 0;
  for (; done < kills; ++done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    mendd.kill9();
    if (!mendd.start_and_wait(30s)) {
      stop = true;
      publisher.join();
      FAIL() << "mendd did not come back after kill " << done + 1 << ":\n" << mendd.log();
    }
  }
  publisher.join();
  const int total = published.load();

  const auto stored = [&] {
    return std::stoi(
        sql(mendd.db_path(), "SELECT count(*) FROM events WHERE id LIKE 'k-%'").front());
  };
  const bool all = wait_until([&] { return stored() == total; }, 60s, 100ms);
  const int count = stored();
  const int distinct = std::stoi(
      sql(mendd.db_path(), "SELECT count(DISTINCT id) FROM events WHERE id LIKE 'k-%'").front());
  mendd.stop();
  const std::string integrity = sql(mendd.db_path(), "PRAGMA integrity_check").front();

  std::cout << "kill test: " << done << " kills, " << total
            << " events acknowledged by the broker, " << count << " stored, " << distinct
            << " distinct, integrity " << integrity << "\n";
  EXPECT_TRUE(all) << "missing " << total - count << " events";
  EXPECT_EQ(count, total);
  EXPECT_EQ(distinct, count) << "an event was stored twice";
  EXPECT_EQ(integrity, "ok");
}

}  // namespace
}  // namespace mend::test
