// The engine alone: decode + detect throughput at a realistic load (500 tables, ~10,000
// pending waits), and what on_tick costs. The reference measured in the same run is a peer
// doing part of the same job: nlohmann::json only parsing the very same payloads.
//
//   build/release/tests/bench/engine_benchmark --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/codec.hpp"
#include "core/engine.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr int kTables = 500;
constexpr int kChecks = 2500;           // 3 courses waiting on each: 7,500 waits
constexpr int kEnquiries = 2000;        // 2h waits
constexpr int kStream = 200000;         // distinct payloads in the replayed stream
constexpr std::size_t kDedup = 100000;  // so a replayed id has left the duplicate window

struct Message {
  std::string topic;
  std::string payload;
};

const std::string kBase = "venue/bench/";

std::string ts_of(std::int64_t ms) { return std::to_string(ms); }

Now start_now() { return Now{wall_from_ms(1795374000000), mono_from_ms(1000000)}; }

CodecOptions options() {
  CodecOptions o;
  o.venue = "bench";
  return o;
}

DetectionSettings settings() {
  DetectionSettings s;
  s.dedup_capacity = kDedup;
  for (int i = 0; i < 20; ++i) {
    s.devices.push_back(DeviceConfig{"fridge-" + std::to_string(i), "fridge", "", "kitchen",
                                     std::nullopt, std::nullopt, std::nullopt, Millis{0}});
  }
  return s;
}

// The state a busy Saturday night leaves: every table seated, thousands of courses in flight.
std::vector<Message> warmup_messages(std::int64_t t) {
  std::vector<Message> m;
  for (int i = 0; i < kTables; ++i) {
    m.push_back({kBase + "booking/guest.seated", R"({"id":"w-s)" + std::to_string(i) +
                                                     R"(","ts":)" + ts_of(t) + R"(,"table":"T)" +
                                                     std::to_string(i) + R"(","party":4})"});
  }
  static const char* kCourses[] = {"starter", "main", "dessert"};
  for (int c = 0; c < kChecks; ++c) {
    for (const char* course : kCourses) {
      m.push_back({kBase + "till/items.fired",
                   R"({"id":"w-f)" + std::to_string(c) + course + R"(","ts":)" + ts_of(t) +
                       R"(,"check":"C)" + std::to_string(c) + R"(","course":")" + course +
                       R"(","table":"T)" + std::to_string(c % kTables) + R"("})"});
    }
  }
  for (int e = 0; e < kEnquiries; ++e) {
    m.push_back({kBase + "booking/enquiry.received",
                 R"({"id":"w-e)" + std::to_string(e) + R"(","ts":)" + ts_of(t) +
                     R"(,"enquiry":"E)" + std::to_string(e) + R"(","channel":"email"})"});
  }
  return m;
}

// A steady mix that keeps the number of waits level: drinks fired and served, call buttons
// pressed and cleared, fridge readings, orders, bills asked and paid.
std::vector<Message> stream_messages(std::int64_t t) {
  std::vector<Message> m;
  m.reserve(kStream);
  for (int i = 0; m.size() < static_cast<std::size_t>(kStream); ++i) {
    const std::string n = std::to_string(i);
    const std::string table = "T" + std::to_string(i % kTables);
    const std::string check = "C" + std::to_string(i % kChecks);
    const std::string ts = ts_of(t + i);
    switch (i % 8) {
      case 0:
        m.push_back({kBase + "till/items.fired", R"({"id":"s)" + n + R"(","ts":)" + ts +
                                                     R"(,"check":")" + check +
                                                     R"(","course":"drinks","table":")" + table +
                                                     R"(","items":[{"name":"IPA","qty":2}]})"});
        break;
      case 1:
        m.push_back({kBase + "till/items.served", R"({"id":"s)" + n + R"(","ts":)" + ts +
                                                      R"(,"check":")" + check +
                                                      R"(","course":"drinks"})"});
        break;
      case 2:
        m.push_back({kBase + "sensor/btn-" + table + "/callbutton",
                     R"({"id":"s)" + n + R"(","ts":)" + ts + R"(,"table":")" + table +
                         R"(","state":"pressed"})"});
        break;
      case 3:
        m.push_back({kBase + "sensor/btn-" + table + "/callbutton",
                     R"({"id":"s)" + n + R"(","ts":)" + ts + R"(,"table":")" + table +
                         R"(","state":"cleared"})"});
        break;
      case 4:
        m.push_back({kBase + "sensor/fridge-" + std::to_string(i % 20) + "/temperature",
                     R"({"id":"s)" + n + R"(","ts":"2026-11-22T19:00:00.250Z","value":3.)" +
                         std::to_string(i % 10) + R"(,"unit":"C"})"});
        break;
      case 5:
        m.push_back({kBase + "till/order.opened", R"({"id":"s)" + n + R"(","ts":)" + ts +
                                                      R"(,"table":")" + table + R"(","check":")" +
                                                      check + R"(","covers":4,"staff":"amy"})"});
        break;
      case 6:
        m.push_back({kBase + "till/check.requested",
                     R"({"id":"s)" + n + R"(","ts":)" + ts + R"(,"check":"B)" + n + R"("})"});
        break;
      default:
        m.push_back({kBase + "till/check.paid", R"({"id":"s)" + n + R"(","ts":)" + ts +
                                                    R"(,"check":"B)" + std::to_string(i - 1) +
                                                    R"(","total":84.5,"tip":8})"});
        break;
    }
  }
  return m;
}

struct Loaded {
  Engine engine{settings()};
  Now now = start_now();
};

void load(Loaded& l) {
  for (const auto& msg : warmup_messages(to_ms(l.now.wall))) {
    auto r = decode(msg.topic, msg.payload, l.now.wall, options());
    l.engine.on_event(std::get<Event>(r), l.now);
  }
}

void BM_Decode(benchmark::State& state) {
  const Now now = start_now();
  const auto stream = stream_messages(to_ms(now.wall));
  const CodecOptions opts = options();
  std::size_t i = 0;
  for (auto _ : state) {
    const Message& m = stream[i++ % stream.size()];
    auto r = decode(m.topic, m.payload, now.wall, opts);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode);

// The reference: a widely used JSON library only parsing the same payloads (no validation,
// no event, no detection).
void BM_ReferenceNlohmannParseOnly(benchmark::State& state) {
  const auto stream = stream_messages(to_ms(start_now().wall));
  std::size_t i = 0;
  for (auto _ : state) {
    const Message& m = stream[i++ % stream.size()];
    auto j = nlohmann::json::parse(m.payload);
    benchmark::DoNotOptimize(j);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceNlohmannParseOnly);

void BM_DecodeAndDetect(benchmark::State& state) {
  Loaded l;
  load(l);
  const auto stream = stream_messages(to_ms(l.now.wall));
  const CodecOptions opts = options();
  std::size_t i = 0;
  std::size_t decisions = 0;
  for (auto _ : state) {
    const Message& m = stream[i++ % stream.size()];
    // Time moves a millisecond every 100 events (a very busy venue), so waits do breach.
    if (i % 100 == 0) {
      l.now.mono += 1ms;
      l.now.wall += 1ms;
    }
    auto r = decode(m.topic, m.payload, l.now.wall, opts);
    auto out = l.engine.on_event(std::get<Event>(r), l.now);
    decisions += out.decisions.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending_waits"] = static_cast<double>(l.engine.pending_waits());
  state.counters["decisions"] = static_cast<double>(decisions);
}
BENCHMARK(BM_DecodeAndDetect);

// on_tick when nothing is due: what the host pays to ask.
void BM_OnTickNothingDue(benchmark::State& state) {
  Loaded l;
  load(l);
  for (auto _ : state) {
    auto out = l.engine.on_tick(l.now);
    benchmark::DoNotOptimize(out);
  }
  state.counters["pending_waits"] = static_cast<double>(l.engine.pending_waits());
}
BENCHMARK(BM_OnTickNothingDue);

// on_tick that fires: each step moves time to the next deadline. The warm-up started its waits
// together, so one tick may breach hundreds; items/s counts decisions made.
void BM_OnTickFiring(benchmark::State& state) {
  Loaded l;
  load(l);
  std::int64_t fired = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto next = l.engine.next_deadline();
    if (!next) {
      l = Loaded{};
      load(l);
      next = l.engine.next_deadline();
    }
    const Millis step = *next - l.now.mono;
    l.now.mono += step;
    l.now.wall += step;
    state.ResumeTiming();
    auto out = l.engine.on_tick(l.now);
    fired += static_cast<std::int64_t>(out.decisions.size());
  }
  state.SetItemsProcessed(fired);
  state.counters["decisions_per_tick"] =
      static_cast<double>(fired) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_OnTickFiring);

void BM_ExportState(benchmark::State& state) {
  Loaded l;
  load(l);
  for (auto _ : state) {
    auto s = l.engine.export_state(l.now);
    benchmark::DoNotOptimize(s);
  }
  state.counters["pending_waits"] = static_cast<double>(l.engine.pending_waits());
}
BENCHMARK(BM_ExportState)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mend

BENCHMARK_MAIN();
