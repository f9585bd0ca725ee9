// The disk fills under a real mendd and a real Mosquitto with the limits Mend ships: nothing a
// bridge handed over is lost, mendd neither dies nor floods its log, the manager is told, the
// tablet turns read-only, and once space returns everything is in the store.
//
// The store lives on its own small tmpfs, which needs root to mount (CI runs as root); the test
// is skipped, saying so, elsewhere.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "test-venue";
const std::string kBase = "venue/" + kVenue + "/";
constexpr int kEvents = 2500;

class SmallDisk {
 public:
  SmallDisk(const std::string& path, const std::string& size) : path_(path) {
    std::filesystem::create_directories(path_);
    const std::string opts = "size=" + size;
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool grow(const std::string& size) {
    const std::string opts = "size=" + size;
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, opts.c_str()) == 0;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

std::size_t line_count(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

// The newest case of a kind (store.unwritable, store.low_space) as mendd serves it, if any.
std::optional<json::Value> newest_case(Mendd& mendd, const std::string& kind) {
  const HttpResult r = mendd.api("GET", "/api/v1/cases?kind=" + kind);
  if (r.status != 200) return std::nullopt;
  const json::Value v = parse(r.body);
  const json::Value* cases = v.get("cases");
  if (cases == nullptr || !cases->is_array() || cases->as_array()->empty()) return std::nullopt;
  return cases->as_array()->back();
}
std::optional<json::Value> unwritable_case(Mendd& mendd) {
  return newest_case(mendd, "store.unwritable");
}

TEST(DiskFull, NothingTheBrokerAcknowledgedIsLostAndTheManagerIsTold) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting the small tmpfs needs root";
  TempDir dir;
  SmallDisk disk(dir.file("state"), "3m");
  if (!disk.mounted()) GTEST_SKIP() << "this machine does not allow a tmpfs mount here";
  Mosquitto broker(dir);
  MenddOptions o;
  o.venue = kVenue;
  Mendd mendd(dir, broker.port(), o);
  mendd.start();
  mendd.token();  // the tests' account is made while there is room for it

  // 2,500 seatings with 4 kB of notes each: far more than 3 MiB. Every publish is QoS 1 and
  // waits for the broker's acknowledgement.
  const std::string notes(4000, 'n');
  std::vector<std::string> ids;
  {
    MqttProbe bridge(broker.port(), "booking-bridge");
    for (int i = 0; i < kEvents; ++i) {
      ids.push_back("full-" + std::to_string(i));
      bridge.publish(kBase + "booking/guest.seated", R"({"id":")" + ids.back() + R"(","ts":)" +
                                                         std::to_string(now_ms()) +
                                                         R"(,"table":"T)" + std::to_string(i % 40) +
                                                         R"(","notes":")" + notes + "\"}");
    }
  }

  // The manager hears of it, the tablet is read-only and /readyz says why; mendd lives on.
  ASSERT_TRUE(wait_until([&] { return unwritable_case(mendd).has_value(); }, 60s)) << mendd.log();
  EXPECT_TRUE(mendd.process()->running());
  const HttpResult ready = http(mendd.http_port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("cannot save"), std::string::npos) << ready.body;
  const json::Value c = *unwritable_case(mendd);
  const std::string case_id = str(c.get("id"));
  // Every decision a person can take on the tablet is refused, saying why, not half-done.
  const std::vector<std::pair<std::string, std::string>> decisions = {
      {"acknowledge", "{}"},
      {"action", "{}"},
      {"decide", R"({"decision":"approve","reason":"seen to"})"},
      {"resolve", R"({"root_cause":"process"})"},
      {"follow-up", R"({"decision":"skip","reason":"no contact"})"}};
  for (const auto& [what, body] : decisions) {
    const HttpResult refused = mendd.api("POST", "/api/v1/cases/" + case_id + "/" + what, body,
                                         {{"Content-Type", "application/json"}});
    EXPECT_EQ(refused.status, 503) << what << ": " << refused.body;
    EXPECT_NE(refused.body.find("read_only"), std::string::npos) << what << ": " << refused.body;
  }

  // Room again: mendd notices by itself and takes everything the broker kept.
  ASSERT_TRUE(disk.grow("64m"));
  const auto stored = [&] {
    const auto n = sql(mendd.db_path(), "SELECT count(*) FROM events WHERE type='guest.seated'");
    return n.empty() ? std::string("?") : n.front();
  };
  EXPECT_TRUE(wait_until([&] { return stored() == std::to_string(kEvents); }, 120s))
      << stored() << " of " << kEvents << " stored\n"
      << mendd.log();
  EXPECT_TRUE(wait_until(
      [&] {
        const auto now = unwritable_case(mendd);
        return now && str(now->get("status")) == "closed";
      },
      30s))
      << mendd.log();
  EXPECT_EQ(http(mendd.http_port(), "GET", "/readyz").status, 200);
  EXPECT_EQ(sql(mendd.db_path(), "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  // Each id once.
  EXPECT_EQ(sql(mendd.db_path(), "SELECT count(DISTINCT id) FROM events WHERE id LIKE 'full-%'"),
            std::vector<std::string>{std::to_string(kEvents)});
  // Told once per change of state and then reminded, not a line per attempt.
  EXPECT_LT(line_count(mendd.log()), 300u) << mendd.log();
}

// Below the low-water mark mendd warns the manager before anything fails, and says so again
// when there is room. "100%" is always below (free space is never all of the disk) and "0%"
// never, so no disk has to be filled: no root needed.
TEST(LowSpace, TheManagerIsWarnedBeforeAnythingFailsAndTheWarningClearsWithRoom) {
  TempDir dir;
  Mosquitto broker(dir);
  const auto low_space_case = [](Mendd& mendd) { return newest_case(mendd, "store.low_space"); };
  {
    MenddOptions o;
    o.venue = kVenue;
    o.store = R"(low_space = "100%")";
    Mendd mendd(dir, broker.port(), o);
    mendd.start();
    ASSERT_TRUE(wait_until([&] { return low_space_case(mendd).has_value(); }, 20s)) << mendd.log();
    const json::Value c = *low_space_case(mendd);
    EXPECT_EQ(str(c.get("status")), "open");
    EXPECT_NE(str(c.get("reason")).find("below store.low_space (100%)"), std::string::npos)
        << str(c.get("reason"));
    // Still able to save: a warning, not read-only.
    EXPECT_EQ(http(mendd.http_port(), "GET", "/readyz").status, 200);
    mendd.stop();
  }
  MenddOptions o;
  o.venue = kVenue;
  o.store = R"(low_space = "0%")";
  Mendd mendd(dir, broker.port(), o);
  mendd.start();
  EXPECT_TRUE(wait_until(
      [&] {
        const auto c = low_space_case(mendd);
        return c && str(c->get("status")) == "closed";
      },
      20s))
      << mendd.log();
}

}  // namespace
}  // namespace mend::test
