// The learning view's query over 90 days of a busy venue: about 5,000 cases and 300,000 raw
// events in a real store file (the simulator's history mode writes it first). What
// GET /api/v1/insights does is timed in its parts: reading the period's cases from SQLite and
// parsing them, computing the measures, repeats and suggestions, and writing the JSON. The
// reference measured in the same run is SQLite alone stepping over the same rows' stored
// JSON without parsing it: the floor any design that keeps whole cases in the store must pay.
//
//   build/release/tests/bench/insights_benchmark --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/store/store.hpp"
#include "core/insights.hpp"
#include "scripts/sim/history_store.hpp"

namespace mend {
namespace {

constexpr int kDays = 90;
constexpr int kExtraPerDay = 54;  // with the story's own: ~5,000 cases
constexpr int kTables = 150;      // an evening of 150 tables: ~3,300 events a day

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  InsightsQuery query;
  sim::HistoryWritten written;

  Fixture() {
    dir = std::filesystem::temp_directory_path() /
          ("mend-insights-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sim::HistoryOptions o;
    o.start = *parse_rfc3339("2026-09-07T00:00:00Z");
    o.days = kDays;
    o.extra_per_day = kExtraPerDay;
    written = sim::write_history((dir / "mend.db").string(), o, "the-anchor", kTables);
    store = Store::open(StoreOptions{(dir / "mend.db").string(), false});
    query.to = o.start + std::chrono::days(kDays);
    query.from = query.to - std::chrono::days(kDays);
    query.period_words = "in the last 90 days";
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

const UtcOffsetAt kUtc = [](WallTime) { return Millis{0}; };

// Everything GET /api/v1/insights?period=custom&... does for 90 days, bar the HTTP.
void BM_InsightsQuery90Days(benchmark::State& state) {
  Fixture& f = fixture();
  const Roster roster;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::vector<Case> cases = f.store->load_cases_opened_since(insights_reads_from(f.query));
    const Insights in = compute_insights(f.query, cases, roster, kUtc);
    const std::string body = json::dump(json::Value(insights_to_json(in)));
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.counters["cases"] = static_cast<double>(f.written.cases);
  state.counters["events"] = static_cast<double>(f.written.events);
  state.counters["json_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_InsightsQuery90Days)->Unit(benchmark::kMillisecond);

// The parts: the store read and parse alone, and the computation alone.
void BM_LoadCases(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    auto cases = f.store->load_cases_opened_since(insights_reads_from(f.query));
    benchmark::DoNotOptimize(cases.data());
  }
}
BENCHMARK(BM_LoadCases)->Unit(benchmark::kMillisecond);

void BM_ComputeInsights(benchmark::State& state) {
  Fixture& f = fixture();
  const std::vector<Case> cases = f.store->load_cases_opened_since(insights_reads_from(f.query));
  const Roster roster;
  for (auto _ : state) {
    const Insights in = compute_insights(f.query, cases, roster, kUtc);
    benchmark::DoNotOptimize(in.current.cases);
  }
}
BENCHMARK(BM_ComputeInsights)->Unit(benchmark::kMillisecond);

// The reference: SQLite stepping over the same rows and touching their JSON text.
void BM_ReferenceSqliteScan(benchmark::State& state) {
  Fixture& f = fixture();
  sqlite::Stmt st(f.store->db(), "SELECT id, json FROM cases WHERE opened_at >= ?");
  std::size_t total = 0;
  for (auto _ : state) {
    sqlite::Query q(st);
    q.bind(1, to_ms(insights_reads_from(f.query)));
    while (q.step()) total += q.text(1).size();
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_ReferenceSqliteScan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mend

BENCHMARK_MAIN();
