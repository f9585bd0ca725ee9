// venue-sim-month: weeks of a venue's evenings in causal mode (venue_sim.hpp), played through
// the recovery service into a new store file (venue_player.hpp), then the at-risk model's
// nightly training on them. mendd then opens the file with its table-visits and a promoted
// model, so the floor shows each table's risk and the learning view the model.
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "adapters/store/risk_models.hpp"
#include "scripts/sim/sim_cli.hpp"
#include "scripts/sim/venue_player.hpp"

namespace {

constexpr const char* kUsage =
    "usage: venue-sim-month --store FILE [--days N] [--venue ID] [--seed N]\n"
    "\n"
    "  --store FILE   the store to write; it must not exist yet (mendd opens it later)\n"
    "  --days N       evenings, the last one yesterday, at 18:00 UTC (28)\n"
    "  --venue ID     the venue id, as in mendd's [venue] id (the-anchor)\n"
    "  --seed N       the simulator's seed: the same seed gives the same weeks (11)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace mend;
  using namespace std::chrono_literals;
  std::string store_path;
  std::string venue = "the-anchor";
  long long days = 28;
  long long seed = 11;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "venue-sim-month: %s needs a value\n%s", argv[i], kUsage);
      return 2;
    }
    const std::string_view v = argv[++i];
    bool ok = true;
    if (a == "--store") {
      store_path = v;
    } else if (a == "--days") {
      ok = sim::parse_whole(v, 1, 366, days);
    } else if (a == "--venue") {
      venue = v;
    } else if (a == "--seed") {
      ok = sim::parse_whole(v, 0, 1LL << 62, seed);
    } else {
      std::fprintf(stderr, "venue-sim-month: unknown option %s\n%s", argv[i - 1], kUsage);
      return 2;
    }
    if (!ok || v.empty()) {
      std::fprintf(stderr, "venue-sim-month: bad value for %s: '%s'\n", argv[i - 1], argv[i]);
      return 2;
    }
  }
  if (store_path.empty()) {
    std::fprintf(stderr, "venue-sim-month: --store is required\n%s", kUsage);
    return 2;
  }
  if (std::filesystem::exists(store_path)) {
    std::fprintf(stderr, "venue-sim-month: %s exists; give a new file\n", store_path.c_str());
    return 2;
  }
  try {
    // The evenings end yesterday: the first starts `days` days before today's 18:00 UTC.
    const auto now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    const auto today = std::chrono::floor<std::chrono::days>(now);
    const WallTime first = WallTime(today - std::chrono::days(days)) + 18h;
    sim::Options o;
    o.causes = true;
    o.venue = venue;
    o.seed = static_cast<std::uint64_t>(seed);
    o.start_wall_ms = to_ms(first);
    const std::string toml = "[venue]\nid = \"" + venue + "\"\n\n" + sim::config_snippet(o);
    ConfigResult config = parse_config(toml, "sim.toml");
    if (!config.config) {
      for (const auto& e : config.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
      return 1;
    }
    auto store = Store::open(StoreOptions{store_path, true});
    sim::VenuePlayer player(store.get(), ServiceSettings::from(*config.config), 0ms, first);
    const auto evenings = sim::generate_days(o, static_cast<int>(days));
    for (std::size_t d = 0; d < evenings.size(); ++d) {
      const WallTime evening = first + std::chrono::hours(24 * static_cast<int>(d));
      player.play(evenings[d].messages, evening, evening + 23h);
    }
    player.commit();
    const KeptTraining kept =
        train_and_keep(*store, PredictionSettings{}, now, "venue-sim-month", "system");
    store->commit();
    std::printf("venue-sim-month: %lld evenings, %zu events, %zu cases into %s\n", days,
                player.events, player.cases.size(), store_path.c_str());
    std::printf("venue-sim-month: %zu settled visits; %s\n", kept.visits,
                kept.outcome.note.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "venue-sim-month: %s\n", e.what());
    return 1;
  }
}
