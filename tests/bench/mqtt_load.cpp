// mqtt_load: how many venue events per second mendd takes in, with nothing lost, compared with
// what the broker itself delivers to a subscriber that does nothing, on the same machine in the
// same run. Every phase gets a fresh Mosquitto on a free loopback port; payloads are built
// before the clock starts; the generator publishes them at QoS 1 with a bounded in-flight
// window (each PUBACK frees a slot).
//
//   reference    a plain Paho subscriber (QoS 1, persistent session) that only counts, the
//                generator publishing as fast as the broker acknowledges: the ceiling
//   saturated    the same payloads into the real mendd, as fast as the broker acknowledges;
//                when mendd cannot keep up the broker queues (persistent session) and mendd
//                drains the queue: rate = events / (last one committed - first one published)
//   paced        the same number of events at a fixed fraction of the ceiling (default 0.8),
//                same mendd: does it keep up (no backlog left at the end), with what latency
//   light        a venue-like trickle (default 500 events/s for 4 s): latency without a queue
//
// "Committed" is read from mendd's SQLite file (read-only, WAL): a poller reads the rows added
// since its last look every --poll-ms and stamps each event id with the time it first saw it.
// Publish-to-commit latency is that stamp minus the moment the event was handed to the client.
// Zero loss means every published id is in the events table exactly once and nothing went to
// the dead-letter table. CPU is utime+stime from /proc/<pid>/stat; peak RSS is VmHWM.
//
//   build/release/tests/bench/mqtt_load [--events N] [--inflight N] [--mendd PATH] ...
#include <mqtt/async_client.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.hpp"

namespace mend::bench {
namespace {

using namespace std::chrono_literals;
using test::Clock;
using TimePoint = Clock::time_point;

const std::string kVenue = "bench";
const std::string kBase = "venue/" + kVenue + "/";
constexpr int kTables = 200;
constexpr int kFridges = 10;
constexpr int kButtons = 20;

struct Options {
  std::size_t events = 50000;
  int inflight = 128;
  std::string mendd;
  std::string commit_interval = "100ms";
  double paced_fraction = 0.8;
  double light_rate = 500;
  double light_seconds = 4;
  int poll_ms = 5;
  int stall_seconds = 20;   // a phase with no progress for this long is given up (counted lost)
  double tail_seconds = 3;  // then: events left uncommitted this long after the last publish
  int quiet_seconds = 10;   // before each phase, wait at most this long for the machine to be quiet
  int repeat = 3;  // reference + saturated pairs, back to back; the median ratio is reported
  bool reference = true;
  bool with_mendd = true;
};

[[noreturn]] void usage(int code) {
  std::cout <<
      R"(usage: mqtt_load [options]
  --events N          events per phase (default 50000)
  --inflight N        the generator's in-flight window of unacknowledged QoS 1 publishes (128)
  --mendd PATH        the mendd binary (default: the one built with this benchmark)
  --commit-interval D mendd's store.commit_interval (default 100ms; commit_batch stays default)
  --paced-fraction F  the paced phase's rate as a fraction of the measured ceiling (0.8)
  --light-rate R      events/s of the light phase (500); 0 skips it
  --light-seconds S   its length (4)
  --poll-ms N         how often the store is polled for committed events (5)
  --stall-seconds N   give a phase up after N s without progress (20)
  --quiet-wait S      before each phase, wait up to S s for other work on the machine to stop (10)
  --repeat K          reference + saturated pairs, run back to back (3); median ratio reported
  --tail-seconds S    events still uncommitted S s after the generator is done are stranded (3)
  --no-reference      skip the reference phase (no ratio)
  --reference-only    only the reference phase
)";
  std::exit(code);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "mqtt_load: " << a << " needs a value\n";
        usage(2);
      }
      return argv[++i];
    };
    if (a == "--events") {
      o.events = std::stoul(value());
    } else if (a == "--inflight") {
      o.inflight = std::stoi(value());
    } else if (a == "--mendd") {
      o.mendd = value();
    } else if (a == "--commit-interval") {
      o.commit_interval = value();
    } else if (a == "--paced-fraction") {
      o.paced_fraction = std::stod(value());
    } else if (a == "--light-rate") {
      o.light_rate = std::stod(value());
    } else if (a == "--light-seconds") {
      o.light_seconds = std::stod(value());
    } else if (a == "--poll-ms") {
      o.poll_ms = std::stoi(value());
    } else if (a == "--stall-seconds") {
      o.stall_seconds = std::stoi(value());
    } else if (a == "--quiet-wait") {
      o.quiet_seconds = std::stoi(value());
    } else if (a == "--repeat") {
      o.repeat = std::stoi(value());
    } else if (a == "--tail-seconds") {
      o.tail_seconds = std::stod(value());
    } else if (a == "--no-reference") {
      o.reference = false;
    } else if (a == "--reference-only") {
      o.with_mendd = false;
    } else if (a == "-h" || a == "--help") {
      usage(0);
    } else {
      std::cerr << "mqtt_load: unknown option " << a << "\n";
      usage(2);
    }
  }
  if (o.events == 0 || o.repeat < 1 || o.inflight < 1 || o.inflight > 65535 || o.poll_ms < 1 ||
      o.paced_fraction <= 0) {
    std::cerr << "mqtt_load: bad option value\n";
    usage(2);
  }
  return o;
}

double seconds(TimePoint a, TimePoint b) { return std::chrono::duration<double>(b - a).count(); }

// ---- payloads --------------------------------------------------------------------------------

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "<prefix>-<index>-<12 hex digits>": unique per phase, and as long as the ids tills and
// bridges send (ULID- or UUID-like, past the 15 characters a std::string keeps inline), so the
// memory mendd spends remembering recent ids is what a venue would see.
std::string event_id(const std::string& prefix, std::size_t i) {
  char tail[16];
  std::snprintf(tail, sizeof tail, "%012llx",
                static_cast<unsigned long long>((i * 0x9E3779B97F4A7C15ull) >> 16));
  return prefix + "-" + std::to_string(i) + "-" + tail;
}

// A Saturday-night mix from the signal contract, in cycles of ten events about one table and
// its check: seated, order opened, drinks fired and served, main fired, call button pressed and
// cleared, a fridge reading, main served, then the bill asked for (even cycles) or paid (odd
// cycles, the previous cycle's bill). Every wait opened is closed again, so the engine's state
// stays level, as in a venue that is coping: 200 tables, 1000 checks, 500 bookings. Built
// before the phase's clock starts.
std::vector<mqtt::const_message_ptr> build_messages(const std::string& prefix, std::size_t n) {
  std::vector<mqtt::const_message_ptr> out;
  out.reserve(n);
  const std::string ts = std::to_string(wall_ms());
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t cycle = i / 10;
    const std::string head = R"({"id":")" + event_id(prefix, i) + R"(","ts":)" + ts;
    const std::string table = "T" + std::to_string(cycle % kTables);
    const std::string check = "C" + std::to_string(cycle % 1000);
    const std::string button = "btn-" + std::to_string(cycle % kButtons);
    std::string topic;
    std::string body;
    switch (i % 10) {
      case 0:
        topic = kBase + "booking/guest.seated";
        body = R"(,"table":")" + table + R"(","party":4,"booking":"B)" +
               std::to_string(cycle % 500) + "\"";
        break;
      case 1:
        topic = kBase + "till/order.opened";
        body = R"(,"table":")" + table + R"(","check":")" + check + R"(","covers":4,"staff":"amy")";
        break;
      case 2:
        topic = kBase + "till/items.fired";
        body = R"(,"check":")" + check + R"(","course":"drinks","table":")" + table +
               R"(","items":[{"name":"IPA","qty":2},{"name":"house red","qty":1}])";
        break;
      case 3:
        topic = kBase + "till/items.served";
        body = R"(,"check":")" + check + R"(","course":"drinks","table":")" + table + "\"";
        break;
      case 4:
        topic = kBase + "till/items.fired";
        body = R"(,"check":")" + check + R"(","course":"main","table":")" + table +
               R"(","items":[{"name":"risotto","qty":2},{"name":"steak","qty":2}])";
        break;
      case 5:
        topic = kBase + "sensor/" + button + "/callbutton";
        body = R"(,"table":")" + table + R"(","state":"pressed")";
        break;
      case 6:
        topic = kBase + "sensor/" + button + "/callbutton";
        body = R"(,"table":")" + table + R"(","state":"cleared")";
        break;
      case 7:
        topic = kBase + "sensor/fridge-" + std::to_string(cycle % kFridges) + "/temperature";
        body = R"(,"value":3.)" + std::to_string(cycle % 10) + R"(,"unit":"C")";
        break;
      case 8:
        topic = kBase + "till/items.served";
        body = R"(,"check":")" + check + R"(","course":"main","table":")" + table + "\"";
        break;
      default:
        if (cycle % 2 == 0) {
          topic = kBase + "till/check.requested";
          body = R"(,"check":")" + check + R"(","table":")" + table + "\"";
        } else {
          topic = kBase + "till/check.paid";
          body = R"(,"check":"C)" + std::to_string((cycle - 1) % 1000) +
                 R"(","total":84.5,"tip":8,"currency":"EUR")";
        }
        break;
    }
    out.push_back(mqtt::make_message(topic, head + body + "}", 1, false));
  }
  return out;
}

// The index in an id made by event_id, or nullopt when it is not one of this phase's.
std::optional<std::size_t> index_in_id(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() + 1 || id.compare(0, prefix.size(), prefix) != 0 ||
      id[prefix.size()] != '-') {
    return std::nullopt;
  }
  std::size_t v = 0;
  std::size_t k = prefix.size() + 1;
  for (; k < id.size() && id[k] != '-'; ++k) {
    const char c = id[k];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  if (k == prefix.size() + 1) return std::nullopt;
  return v;
}

std::optional<std::size_t> index_in_payload(const std::string& payload, std::string_view prefix) {
  constexpr std::string_view kHead = R"({"id":")";
  if (payload.compare(0, kHead.size(), kHead) != 0) return std::nullopt;
  const std::size_t end = payload.find('"', kHead.size());
  if (end == std::string::npos) return std::nullopt;
  return index_in_id(std::string_view(payload).substr(kHead.size(), end - kHead.size()), prefix);
}

// ---- processes -------------------------------------------------------------------------------

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all;
  std::getline(in, all);  // one line
  const auto close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(all.substr(close + 2));
  std::vector<std::string> f;
  std::string tok;
  while (rest >> tok) f.push_back(tok);
  if (f.size() < 13) return 0;
  // After the command name: state is field 3, utime 14, stime 15 (proc(5)).
  const double ticks = std::stod(f[11]) + std::stod(f[12]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The machine's CPU time (all cores), busy and all, in seconds, from /proc/stat.
struct MachineCpu {
  double busy = 0;
  double total = 0;
};
MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tck = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double busy = user + nice + system + irq + softirq + steal;
  return MachineCpu{busy / tck, (busy + idle + iowait) / tck};
}

// Cores kept busy over `window`, by everything on the machine.
double busy_cores(std::chrono::milliseconds window) {
  const MachineCpu a = machine_cpu();
  std::this_thread::sleep_for(window);
  const MachineCpu b = machine_cpu();
  const double wall = std::chrono::duration<double>(window).count();
  return (b.busy - a.busy) / wall;
}

// The machine is shared: before a phase, wait (at most `limit`) until other work has quietened
// down to under a quarter of a core, so a phase does not start in the middle of someone's
// build. Returns the busy cores last seen.
double wait_for_quiet(std::chrono::seconds limit) {
  const TimePoint end = Clock::now() + limit;
  double busy = busy_cores(500ms);
  bool said = false;
  while (busy > 0.25 && Clock::now() < end) {
    if (!said) {
      std::cout << "  (the machine is busy: " << busy << " cores in use by others; waiting up to "
                << limit.count() << " s)\n"
                << std::flush;
      said = true;
    }
    busy = busy_cores(1000ms);
  }
  return busy;
}

double self_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// A line of /proc/<pid>/status in kB (VmHWM: peak resident set, VmRSS: now).
long status_kb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0) return std::atol(line.c_str() + key.size());
  }
  return 0;
}

// Mosquitto configured as a venue would run it: persistence on (mendd's session survives a
// broker restart), default autosave, and no cap on the queue held for a lagging persistent
// subscriber (Mosquitto's default of 1000 would drop what mendd has not taken yet). The
// harness broker saves every second, which is right for crash tests and wrong for throughput.
class Broker {
 public:
  explicit Broker(const test::TempDir& dir) : port_(test::free_port()) {
    const std::string conf = dir.file("mosquitto.conf");
    std::filesystem::create_directories(dir.file("mosquitto"));
    test::write_file(conf, "listener " + std::to_string(port_) +
                               " 127.0.0.1\n"
                               "allow_anonymous true\n"
                               "persistence true\n"
                               "persistence_location " +
                               dir.file("mosquitto/") +
                               "\n"
                               "max_queued_messages 0\n"
                               "user root\n"
                               "log_type error\nlog_type warning\n");
    proc_ = std::make_unique<test::Process>(std::vector<std::string>{"mosquitto", "-c", conf},
                                            dir.file("mosquitto.log"));
    // Connectable means listening; an MQTT client is tried below by whoever uses it.
    if (!test::wait_until(
            [this] {
              mqtt::async_client probe("tcp://127.0.0.1:" + std::to_string(port_), "", nullptr);
              try {
                return probe.connect()->wait_for(1s) && (probe.disconnect()->wait(), true);
              } catch (const std::exception&) {
                return false;
              }
            },
            10s, 50ms)) {
      throw std::runtime_error("mosquitto did not start: " + proc_->log());
    }
  }
  int port() const { return port_; }
  pid_t pid() const { return proc_->pid(); }

 private:
  int port_;
  std::unique_ptr<test::Process> proc_;
};

// ---- generator -------------------------------------------------------------------------------

// Publishes at QoS 1 with at most `window` publishes waiting for their PUBACK.
class Publisher : public mqtt::callback {
 public:
  Publisher(int port, int window)
      : cli_("tcp://127.0.0.1:" + std::to_string(port), "bench-pub",
             mqtt::create_options(MQTTVERSION_3_1_1, window + 16), nullptr),
        window_(window) {
    cli_.set_callback(*this);
    mqtt::connect_options co;
    co.set_clean_session(true);
    co.set_max_inflight(window);
    co.set_keep_alive_interval(std::chrono::seconds(30));
    cli_.connect(co)->wait_for(10s);
    if (!cli_.is_connected()) throw std::runtime_error("generator: cannot connect to the broker");
  }
  ~Publisher() override {
    try {
      if (cli_.is_connected()) cli_.disconnect()->wait_for(2s);
    } catch (const std::exception&) {
    }
  }

  // Publishes msgs in order, as fast as acknowledgements allow (rate 0) or paced at `rate`
  // per second; t_pub[i] is when message i was handed to the client. Returns once the last
  // one is acknowledged by the broker (or the connection is lost).
  bool run(const std::vector<mqtt::const_message_ptr>& msgs, double rate,
           std::vector<TimePoint>& t_pub) {
    t_pub.assign(msgs.size(), TimePoint{});
    const TimePoint start = Clock::now();
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      if (rate > 0) {
        const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                     static_cast<double>(i) * 1e9 / rate));
        if (due - Clock::now() > 200us) std::this_thread::sleep_until(due);
      }
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return in_flight_ < window_ || lost_; });
        if (lost_) return false;
        ++in_flight_;
      }
      t_pub[i] = Clock::now();
      cli_.publish(msgs[i]);
    }
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 30s, [this] { return in_flight_ == 0 || lost_; }) && !lost_;
  }

  // One more message outside the window (the generator is done).
  void publish_one(const mqtt::const_message_ptr& m) {
    {
      std::lock_guard lock(mu_);
      ++in_flight_;
    }
    cli_.publish(m);
  }

  void delivery_complete(mqtt::delivery_token_ptr) override {
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    cv_.notify_one();
  }
  void connection_lost(const std::string&) override {
    {
      std::lock_guard lock(mu_);
      lost_ = true;
    }
    cv_.notify_all();
  }

 private:
  mqtt::async_client cli_;
  int window_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  bool lost_ = false;
};

// ---- results ---------------------------------------------------------------------------------

struct Phase {
  std::string name;
  std::string target = "mendd";  // whose CPU target_cpu_s is
  std::size_t sent = 0;
  std::size_t done = 0;      // distinct ids delivered (reference) or committed (mendd)
  std::size_t foreign = 0;   // rows or messages that were not expected (duplicates, strangers)
  std::size_t stranded = 0;  // committed only after another message came (see run_mendd_phase)
  std::size_t dead_letters = 0;
  bool published_all = false;
  double target_rate = 0;  // paced: what was asked for
  double publish_s = 0;    // first publish -> last publish
  double span_s = 0;       // first publish -> last delivered/committed (not counting stranded)
  double lag_ms = 0;       // last publish -> last delivered/committed (not counting stranded)
  std::vector<double> latency_ms;  // every event, stranded ones included
  double target_cpu_s = 0;         // mendd, or the reference subscriber
  double broker_cpu_s = 0;
  double self_cpu_s = 0;    // this process: the generator (and the store poller)
  double others_cores = 0;  // cores used by everything else on the machine during the phase
  long mendd_hwm_kb = 0;
  long mendd_rss_kb = 0;
  double commits = 0;

  // Every id once, nothing refused, nothing left waiting for a later message.
  bool lossless() const { return complete() && stranded == 0; }
  // Every id once in the end (stranded ones came in once another message arrived).
  bool complete() const {
    return published_all && done == sent && foreign == 0 && dead_letters == 0;
  }
  // Events that went through on their own, per second from the first publish to the last of
  // them delivered or committed.
  double rate() const { return span_s > 0 ? static_cast<double>(done - stranded) / span_s : 0; }
  double pct(double p) const {
    if (latency_ms.empty()) return NAN;
    std::vector<double> v = latency_ms;
    const std::size_t k = std::min(
        v.size() - 1,
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
  }
  double max_ms() const {
    return latency_ms.empty() ? NAN : *std::max_element(latency_ms.begin(), latency_ms.end());
  }
};

// Waits for `done` to reach `want`, giving up after `stall` without progress.
bool wait_progress(const std::function<std::size_t()>& done, std::size_t want,
                   std::chrono::seconds stall, std::chrono::milliseconds every) {
  std::size_t last = done();
  TimePoint last_change = Clock::now();
  while (last < want) {
    std::this_thread::sleep_for(every);
    const std::size_t now = done();
    if (now != last) {
      last = now;
      last_change = Clock::now();
    } else if (Clock::now() - last_change > stall) {
      return false;
    }
  }
  return true;
}

// ---- reference: a subscriber that only counts ------------------------------------------------

// In its own process, as mendd is: Paho C serialises its clients on process-wide mutexes, so a
// subscriber sharing the generator's process would measure Paho's lock contention, not the
// broker (seen: 4 context switches per message and a core spent in futex calls).
class CountingSubscriber : public mqtt::callback {
 public:
  CountingSubscriber(int port, std::string prefix, std::size_t n)
      : cli_("tcp://127.0.0.1:" + std::to_string(port), "bench-ref-sub", nullptr),
        prefix_(std::move(prefix)),
        seen_(n, 0),
        at_(n) {
    cli_.set_callback(*this);
    mqtt::connect_options co;
    co.set_clean_session(false);  // as mendd: a persistent session
    co.set_keep_alive_interval(std::chrono::seconds(30));
    cli_.connect(co)->wait_for(10s);
    if (!cli_.is_connected()) throw std::runtime_error("reference: cannot connect");
    if (!cli_.subscribe(kBase + "#", 1)->wait_for(10s)) {
      throw std::runtime_error("reference: subscribe not acknowledged");
    }
  }
  ~CountingSubscriber() override {
    try {
      if (cli_.is_connected()) cli_.disconnect()->wait_for(2s);
    } catch (const std::exception&) {
    }
  }
  void message_arrived(mqtt::const_message_ptr m) override {
    const TimePoint now = Clock::now();
    const auto i = index_in_payload(m->get_payload_str(), prefix_);
    if (!i || *i >= seen_.size() || seen_[*i] != 0) {
      foreign_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    seen_[*i] = 1;
    at_[*i] = now;
    count_.fetch_add(1, std::memory_order_release);
  }
  std::size_t count() const { return count_.load(std::memory_order_acquire); }
  std::size_t foreign() const { return foreign_.load(); }
  const std::vector<TimePoint>& arrivals() const { return at_; }

 private:
  mqtt::async_client cli_;
  std::string prefix_;
  std::vector<char> seen_;
  std::vector<TimePoint> at_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::size_t> foreign_{0};
};

// The child: subscribes, says so (OUT.ready), counts until all n arrived or nothing came for
// `stall`, then writes "count foreign cpu_seconds" and one arrival time per event (steady clock
// nanoseconds, shared by every process on the machine; 0: never arrived) to OUT.
int subscriber_child(int port, std::size_t n, const std::string& prefix, const std::string& out,
                     int stall_s) {
  CountingSubscriber sub(port, prefix, n);
  test::write_file(out + ".ready", "");
  const double cpu0 = self_cpu_seconds();
  // The generator starts as soon as it sees the ready file; give it a minute to send the first.
  test::wait_until([&] { return sub.count() > 0; }, 60s, 10ms);
  wait_progress([&] { return sub.count(); }, n, std::chrono::seconds(stall_s), 10ms);
  std::this_thread::sleep_for(200ms);  // a duplicate, if any, shows up now
  const double cpu = self_cpu_seconds() - cpu0;
  std::ostringstream text;
  text << sub.count() << " " << sub.foreign() << " " << cpu << "\n";
  for (const TimePoint t : sub.arrivals()) text << t.time_since_epoch().count() << "\n";
  test::write_file(out, text.str());
  return 0;
}

void finish(Phase& p, const std::vector<TimePoint>& t_pub, const std::vector<TimePoint>& t_done,
            const std::vector<char>& seen, std::optional<TimePoint> nudged_at = std::nullopt) {
  TimePoint last_done{};
  for (std::size_t i = 0; i < t_pub.size(); ++i) {
    if (seen[i] == 0) continue;
    p.latency_ms.push_back(std::chrono::duration<double, std::milli>(t_done[i] - t_pub[i]).count());
    if (nudged_at && t_done[i] >= *nudged_at) {
      ++p.stranded;
      continue;
    }
    last_done = std::max(last_done, t_done[i]);
  }
  if (!t_pub.empty()) {
    p.publish_s = seconds(t_pub.front(), t_pub.back());
    if (last_done != TimePoint{}) {
      p.span_s = seconds(t_pub.front(), last_done);
      p.lag_ms = std::chrono::duration<double, std::milli>(last_done - t_pub.back()).count();
    }
  }
}

std::string self_exe() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this program's path");
  return p.string();
}

Phase run_reference(const Options& o, const std::string& prefix) {
  test::TempDir dir;
  Broker broker(dir);
  Phase p;
  p.name = "reference: counting subscriber (Paho C++, QoS 1, persistent session, own process)";
  p.target = "subscriber";
  const auto msgs = build_messages(prefix, o.events);
  const std::size_t n = msgs.size();
  p.sent = n;
  const std::string out = dir.file("subscriber.out");
  wait_for_quiet(std::chrono::seconds(o.quiet_seconds));
  test::Process child({self_exe(), "--subscriber-child", std::to_string(broker.port()),
                       std::to_string(n), prefix, out, std::to_string(o.stall_seconds)},
                      dir.file("subscriber.log"));
  if (!test::wait_until([&] { return std::filesystem::exists(out + ".ready") || !child.running(); },
                        15s) ||
      !child.running()) {
    throw std::runtime_error("reference subscriber did not start: " + child.log());
  }
  Publisher pub(broker.port(), o.inflight);
  const double broker0 = cpu_seconds(broker.pid());
  const double self0 = self_cpu_seconds();
  const MachineCpu machine0 = machine_cpu();
  const TimePoint wall0 = Clock::now();
  std::vector<TimePoint> t_pub;
  std::thread gen([&] { p.published_all = pub.run(msgs, 0, t_pub); });
  gen.join();
  const auto status = child.wait(std::chrono::seconds(o.stall_seconds + 70));
  p.broker_cpu_s = cpu_seconds(broker.pid()) - broker0;
  p.self_cpu_s = self_cpu_seconds() - self0;
  const double machine_busy = machine_cpu().busy - machine0.busy;
  const double wall = seconds(wall0, Clock::now());
  if (!status || *status != 0) throw std::runtime_error("reference subscriber: " + child.log());
  std::istringstream in(test::read_file(out));
  in >> p.done >> p.foreign >> p.target_cpu_s;
  p.others_cores = (machine_busy - p.self_cpu_s - p.broker_cpu_s - p.target_cpu_s) / wall;
  std::vector<TimePoint> t_done(n);
  std::vector<char> seen(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    Clock::rep ns = 0;
    in >> ns;
    if (ns != 0) {
      t_done[i] = TimePoint(Clock::duration(ns));
      seen[i] = 1;
    }
  }
  finish(p, t_pub, t_done, seen);
  return p;
}

// ---- mendd: watching the store ---------------------------------------------------------------

// Reads the rows mendd has committed since the last look (rowid order = commit order).
class CommitWatcher {
 public:
  explicit CommitWatcher(const std::string& db) {
    if (sqlite3_open_v2(db.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + db);
    }
    sqlite3_busy_timeout(db_, 2000);
    if (sqlite3_prepare_v2(db_, "SELECT rowid, id FROM events WHERE rowid > ?1 ORDER BY rowid", -1,
                           &since_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_));
    }
    last_rowid_ = scalar("SELECT coalesce(max(rowid), 0) FROM events");
  }
  ~CommitWatcher() {
    sqlite3_finalize(since_);
    sqlite3_close(db_);
  }
  CommitWatcher(const CommitWatcher&) = delete;
  CommitWatcher& operator=(const CommitWatcher&) = delete;

  // Stamps every newly committed event of this phase with `now`.
  void poll(const std::string& prefix, std::vector<TimePoint>& at, std::vector<char>& seen,
            std::size_t& done, std::size_t& foreign) {
    const TimePoint now = Clock::now();
    sqlite3_bind_int64(since_, 1, last_rowid_);
    while (sqlite3_step(since_) == SQLITE_ROW) {
      last_rowid_ = sqlite3_column_int64(since_, 0);
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(since_, 1));
      if (text != nullptr && std::string_view(text).substr(0, 6) == "nudge-") continue;
      const auto i = index_in_id(text != nullptr ? text : "", prefix);
      if (!i || *i >= seen.size() || seen[*i] != 0) {
        ++foreign;
        continue;
      }
      seen[*i] = 1;
      at[*i] = now;
      ++done;
    }
    sqlite3_reset(since_);
  }

  std::int64_t scalar(const std::string& q) {
    sqlite3_stmt* st = nullptr;
    std::int64_t v = -1;
    if (sqlite3_prepare_v2(db_, q.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* since_ = nullptr;
  std::int64_t last_rowid_ = 0;
};

double metric(int http_port, const std::string& name) {
  const auto r = test::http(http_port, "GET", "/metrics");
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, name.size() + 1, name + " ") == 0) {
      return std::atof(line.c_str() + name.size() + 1);
    }
  }
  return NAN;
}

// One phase against a running mendd: publish, poll the store until every id is there.
//
// A tail that stays uncommitted once the generator is done (nothing new for --tail-seconds,
// many commit intervals) is stranded: mendd holds it until something else happens. One more
// event (a "nudge", not counted) is then published; what commits after it is counted as
// stranded, with its real latency, and the phase is not zero-loss.
Phase run_mendd_phase(const Options& o, test::Mendd& mendd, int broker_port, pid_t broker_pid,
                      const std::string& name, const std::string& prefix, std::size_t n,
                      double rate) {
  Phase p;
  p.name = name;
  p.target_rate = rate;
  const auto msgs = build_messages(prefix, n);
  p.sent = msgs.size();
  wait_for_quiet(std::chrono::seconds(o.quiet_seconds));
  CommitWatcher watch(mendd.db_path());
  Publisher pub(broker_port, o.inflight);
  std::vector<TimePoint> t_pub;
  std::vector<TimePoint> t_done(n);
  std::vector<char> seen(n, 0);
  const pid_t pid = mendd.process()->pid();
  const double commits0 = metric(mendd.http_port(), "mend_store_commits_total");
  const double mendd0 = cpu_seconds(pid);
  const double broker0 = cpu_seconds(broker_pid);
  const double self0 = self_cpu_seconds();
  const MachineCpu machine0 = machine_cpu();
  const TimePoint wall0 = Clock::now();
  std::atomic<bool> published{false};
  std::thread gen([&] {
    p.published_all = pub.run(msgs, rate, t_pub);
    published = true;
  });
  std::optional<TimePoint> nudged_at;
  TimePoint last_change = Clock::now();
  std::optional<TimePoint> published_at;
  while (p.done < n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
    const std::size_t before = p.done;
    watch.poll(prefix, t_done, seen, p.done, p.foreign);
    const TimePoint now = Clock::now();
    if (p.done != before) last_change = now;
    if (!published_at && published) published_at = now;
    const TimePoint quiet_since = published_at ? std::max(last_change, *published_at) : now;
    if (published_at && !nudged_at &&
        now - quiet_since > std::chrono::duration<double>(o.tail_seconds)) {
      std::cout << "  (" << n - p.done << " events still uncommitted " << o.tail_seconds
                << " s after the last publish was acknowledged; publishing one more event)\n";
      nudged_at = Clock::now();
      pub.publish_one(mqtt::make_message(
          kBase + "till/check.requested",
          R"({"id":"nudge-)" + prefix + R"(","check":"nudge","table":"T0"})", 1, false));
      last_change = *nudged_at;
    } else if (now - last_change > std::chrono::seconds(o.stall_seconds)) {
      break;
    }
  }
  gen.join();
  p.target_cpu_s = cpu_seconds(pid) - mendd0;
  p.broker_cpu_s = cpu_seconds(broker_pid) - broker0;
  p.self_cpu_s = self_cpu_seconds() - self0;
  p.others_cores =
      (machine_cpu().busy - machine0.busy - p.self_cpu_s - p.broker_cpu_s - p.target_cpu_s) /
      seconds(wall0, Clock::now());
  p.mendd_hwm_kb = status_kb(pid, "VmHWM:");
  p.mendd_rss_kb = status_kb(pid, "VmRSS:");
  p.commits = metric(mendd.http_port(), "mend_store_commits_total") - commits0;
  // The exact check: every id once, nothing refused.
  const std::int64_t rows =
      watch.scalar("SELECT count(*) FROM events WHERE id LIKE '" + prefix + "-%'");
  if (rows != static_cast<std::int64_t>(p.done)) p.foreign += 1;
  p.dead_letters = static_cast<std::size_t>(
      std::max<std::int64_t>(0, watch.scalar("SELECT count(*) FROM dead_letters")));
  finish(p, t_pub, t_done, seen, nudged_at);
  return p;
}

// ---- report ----------------------------------------------------------------------------------

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string verdict(const Phase& p) {
  if (p.lossless()) return "zero loss";
  if (p.complete()) return std::to_string(p.stranded) + " stranded";
  return "LOSS: " + std::to_string(p.sent - std::min(p.sent, p.done)) + " missing, " +
         std::to_string(p.foreign) + " unexpected, " + std::to_string(p.dead_letters) +
         " dead letters";
}

void print_phase(const Phase& p, double ceiling) {
  const double n = static_cast<double>(p.sent);
  std::cout << "\n" << p.name << "\n";
  if (p.target_rate > 0) {
    std::cout << "  paced at            " << fmt("%.0f", p.target_rate) << " events/s\n";
  }
  std::cout << "  events              " << p.done << " of " << p.sent << ": " << verdict(p) << "\n"
            << "  published in        " << fmt("%.3f", p.publish_s) << " s ("
            << fmt("%.0f", p.publish_s > 0 ? n / p.publish_s : 0) << " events/s)\n"
            << "  first pub -> last   " << fmt("%.3f", p.span_s) << " s: " << fmt("%.0f", p.rate())
            << " events/s";
  if (ceiling > 0) std::cout << " = " << fmt("%.2f", p.rate() / ceiling) << " of the ceiling";
  if (p.stranded > 0) std::cout << " (not counting the stranded)";
  std::cout << "\n  last pub -> last    " << fmt("%.0f", p.lag_ms) << " ms\n"
            << "  latency             p50 " << fmt("%.1f", p.pct(50)) << " ms, p99 "
            << fmt("%.1f", p.pct(99)) << " ms, max " << fmt("%.1f", p.max_ms()) << " ms\n"
            << "  " << p.target << (p.target == "mendd" ? " CPU          " : " CPU     ")
            << fmt("%.2f", p.target_cpu_s) << " s = " << fmt("%.1f", p.target_cpu_s * 1e6 / n)
            << " ms per 1000 events\n";
  if (p.mendd_hwm_kb > 0) {
    std::cout << "  mendd peak RSS      "
              << fmt("%.1f", static_cast<double>(p.mendd_hwm_kb) / 1024.0)
              << " MiB since start (VmHWM), "
              << fmt("%.1f", static_cast<double>(p.mendd_rss_kb) / 1024.0) << " MiB now (VmRSS)\n"
              << "  mendd commits       " << fmt("%.0f", p.commits) << " ("
              << fmt("%.0f", p.commits > 0 ? n / p.commits : 0) << " events per commit)\n";
  }
  std::cout << "  broker CPU          " << fmt("%.2f", p.broker_cpu_s)
            << " s = " << fmt("%.1f", p.broker_cpu_s * 1e6 / n) << " ms per 1000 events\n"
            << "  generator CPU       " << fmt("%.2f", p.self_cpu_s) << " s (this process)\n"
            << "  everything else     " << fmt("%.2f", p.others_cores)
            << " cores busy on average (other tenants of the machine)\n";
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

struct Run {
  std::vector<Phase> phases;                     // in the order they ran
  std::vector<std::pair<double, double>> pairs;  // (reference rate, saturated rate) per repeat
  double ceiling = 0;                            // median reference rate
  double idle_pct = 0;
  long mendd_hwm_kb = 0;
};

void print_summary(const Run& r) {
  std::cout << "\nsummary (events/s: events / (last delivered or committed - first published); "
               "ratio: to the reference just before it; CPU: the subscriber's or mendd's; "
               "others: cores used by the rest of the machine)\n";
  std::printf("  %-20s %7s %9s %6s %8s %8s %9s %10s %10s %7s  %s\n", "phase", "events", "events/s",
              "ratio", "p50 ms", "p99 ms", "max ms", "CPU ms/1k", "broker/1k", "others", "loss");
  double last_ref = 0;
  for (const Phase& p : r.phases) {
    const double n = static_cast<double>(p.sent);
    std::string label = "reference";
    double base = r.ceiling;
    if (p.target == "mendd") {
      label = p.target_rate > 0 ? "mendd @" + fmt("%.0f", p.target_rate) + "/s" : "mendd saturated";
      if (p.target_rate <= 0) base = last_ref;
    } else {
      last_ref = p.lossless() ? p.rate() : 0;
      base = 0;
    }
    std::printf("  %-20s %7zu %9.0f %6s %8.1f %8.1f %9.1f %10.1f %10.1f %7.2f  %s\n", label.c_str(),
                p.sent, p.rate(), base > 0 ? fmt("%.2f", p.rate() / base).c_str() : "-", p.pct(50),
                p.pct(99), p.max_ms(), p.target_cpu_s * 1e6 / n, p.broker_cpu_s * 1e6 / n,
                p.others_cores, verdict(p).c_str());
  }
  std::fflush(stdout);
  std::vector<double> ratios;
  bool sat_lossless = true;
  for (const auto& [ref, sat] : r.pairs) {
    if (ref > 0) ratios.push_back(sat / ref);
  }
  for (const Phase& p : r.phases) {
    if (p.target == "mendd" && p.target_rate <= 0) sat_lossless = sat_lossless && p.lossless();
  }
  if (r.ceiling > 0) {
    std::cout << "  ceiling (median reference) " << fmt("%.0f", r.ceiling) << " events/s\n";
  }
  if (!ratios.empty()) {
    std::string each;
    for (double x : ratios) each += (each.empty() ? "" : ", ") + fmt("%.2f", x);
    const double m = median(ratios);
    std::cout << "  target: saturated mendd >= 0.80 of the ceiling with zero loss: "
              << (m >= 0.8 && sat_lossless ? "met" : "NOT met") << " (median ratio "
              << fmt("%.2f", m) << "; each " << each << "; "
              << (sat_lossless ? "zero loss" : "not zero loss") << ")\n";
  }
  for (const Phase& p : r.phases) {
    if (p.target != "mendd" || p.target_rate <= 0) continue;
    // Kept up: the generator held the rate, every event went in on its own, and the last one
    // was committed within a second of its publication (no backlog left over).
    const double published = p.publish_s > 0 ? static_cast<double>(p.sent) / p.publish_s : 0;
    const bool kept = p.lossless() && p.lag_ms < 1000 && published >= 0.95 * p.target_rate;
    std::cout << "  paced at " << fmt("%.0f", p.target_rate)
              << " events/s: " << (kept ? "kept up" : "did NOT keep up") << " (published at "
              << fmt("%.0f", published) << "/s, last committed " << fmt("%.0f", p.lag_ms)
              << " ms after the last publish, " << verdict(p) << ")\n";
  }
  if (r.mendd_hwm_kb > 0) {
    std::cout << "  target: mendd peak RSS < 30 MiB: "
              << (r.mendd_hwm_kb < 30 * 1024 ? "met" : "NOT met") << " ("
              << fmt("%.1f", static_cast<double>(r.mendd_hwm_kb) / 1024.0) << " MiB)\n";
    std::cout << "  mendd idle CPU " << fmt("%.1f", r.idle_pct) << "% of a core\n";
  }
}

int run(const Options& o) {
  if (!o.mendd.empty()) ::setenv("MENDD", o.mendd.c_str(), 1);
  std::cout << "mqtt_load: " << o.events << " events per phase, in-flight window " << o.inflight
            << ", QoS 1, mosquitto on loopback, " << std::thread::hardware_concurrency()
            << " CPUs\n";
  const TimePoint t0 = Clock::now();
  bool ok = true;
  Run r;
  std::vector<double> refs;

  auto reference = [&](int k) {
    Phase ref = run_reference(o, "r" + std::to_string(k));
    print_phase(ref, 0);
    ok = ok && ref.lossless();
    const double rate = ref.lossless() ? ref.rate() : 0;
    if (rate > 0) refs.push_back(rate);
    r.phases.push_back(std::move(ref));
    return rate;
  };

  if (!o.with_mendd) {
    for (int k = 0; k < o.repeat; ++k) reference(k);
    r.ceiling = median(refs);
    print_summary(r);
    std::cout << "  wall time " << fmt("%.1f", seconds(t0, Clock::now())) << " s\n";
    return ok ? 0 : 1;
  }

  test::TempDir dir;
  Broker broker(dir);
  std::string devices;
  for (int i = 0; i < kFridges; ++i) {
    devices += "[[device]]\nid = \"fridge-" + std::to_string(i) +
               "\"\nkind = \"fridge\"\narea = \"kitchen\"\n\n";
  }
  for (int i = 0; i < kButtons; ++i) {
    devices += "[[device]]\nid = \"btn-" + std::to_string(i) +
               "\"\nkind = \"callbutton\"\narea = \"floor\"\nsilence = \"0s\"\n\n";
  }
  test::MenddOptions mo;
  mo.venue = kVenue;
  mo.commit_interval = o.commit_interval;
  mo.extra = devices;
  test::Mendd mendd(dir, broker.port(), mo);
  mendd.start();
  const pid_t pid = mendd.process()->pid();
  // What it costs to do nothing (timers, the HTTP listener, Paho's threads).
  const double idle0 = cpu_seconds(pid);
  std::this_thread::sleep_for(2s);
  r.idle_pct = (cpu_seconds(pid) - idle0) / 2.0 * 100.0;
  std::cout << "\nmendd " << test::mendd_binary() << " (pid " << pid << "), store.commit_interval "
            << o.commit_interval << ", store.commit_batch default\n  RSS when ready "
            << fmt("%.1f", static_cast<double>(status_kb(pid, "VmRSS:")) / 1024)
            << " MiB, idle CPU " << fmt("%.1f", r.idle_pct) << "% of a core (2 s)\n";

  // Reference and saturated back to back, so each ratio compares two runs a few seconds apart
  // on a machine whose other tenants come and go.
  for (int k = 0; k < o.repeat; ++k) {
    const double ref = o.reference ? reference(k) : 0;
    Phase sat = run_mendd_phase(
        o, mendd, broker.port(), broker.pid(),
        "mendd, saturated (as fast as the broker acks), round " + std::to_string(k + 1),
        "s" + std::to_string(k), o.events, 0);
    print_phase(sat, ref);
    ok = ok && sat.lossless();
    r.pairs.emplace_back(ref, sat.rate());
    r.phases.push_back(std::move(sat));
  }
  r.ceiling = median(refs);

  if (r.ceiling > 0 && o.paced_fraction > 0) {
    Phase paced =
        run_mendd_phase(o, mendd, broker.port(), broker.pid(),
                        "mendd, paced at " + fmt("%.2f", o.paced_fraction) + " of the ceiling", "p",
                        o.events, o.paced_fraction * r.ceiling);
    print_phase(paced, r.ceiling);
    ok = ok && paced.lossless();
    r.phases.push_back(std::move(paced));
  }
  if (o.light_rate > 0) {
    const auto n = static_cast<std::size_t>(std::max(1.0, o.light_rate * o.light_seconds));
    Phase light = run_mendd_phase(o, mendd, broker.port(), broker.pid(), "mendd, light load", "l",
                                  n, o.light_rate);
    print_phase(light, r.ceiling);
    ok = ok && light.lossless();
    r.phases.push_back(std::move(light));
  }
  r.mendd_hwm_kb = status_kb(pid, "VmHWM:");
  mendd.stop();
  print_summary(r);
  std::cout << "  wall time " << fmt("%.1f", seconds(t0, Clock::now())) << " s\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace mend::bench

int main(int argc, char** argv) {
  try {
    if (argc == 7 && std::string(argv[1]) == "--subscriber-child") {
      return mend::bench::subscriber_child(std::stoi(argv[2]), std::stoul(argv[3]), argv[4],
                                           argv[5], std::stoi(argv[6]));
    }
    return mend::bench::run(mend::bench::parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "mqtt_load: " << e.what() << "\n";
    return 2;
  }
}
