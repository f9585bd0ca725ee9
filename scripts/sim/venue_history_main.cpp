// venue-sim-history: the simulator's history mode. Writes weeks of a venue's past (the cases
// its staff handled, with the causes they found; see venue_history.hpp for the story) into a
// new store file that mendd can then open, so the learning view has something to show.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "adapters/clock.hpp"
#include "scripts/sim/history_store.hpp"
#include "scripts/sim/sim_cli.hpp"

namespace {

constexpr const char* kUsage =
    "usage: venue-sim-history --store FILE [--days N] [--extra-per-day N] [--tables N]\n"
    "                         [--venue ID] [--seed N] [--guests N]\n"
    "\n"
    "  --store FILE        the store to write; it must not exist yet (mendd opens it later)\n"
    "  --days N            days of history, ending by today's local midnight (60)\n"
    "  --extra-per-day N   seeded cases a day beyond the story's own, for a busy venue (0)\n"
    "  --tables N          also write each day's raw events of an evening of N tables (0: none)\n"
    "  --venue ID          the venue id for those events, as in mendd's [venue] id (the-anchor)\n"
    "  --seed N            seed for the extra cases and the evenings (1)\n"
    "  --guests N          also N returning guests' profiles over the past year: regulars,\n"
    "                      regulars who stopped coming, occasional guests (0)\n";

}  // namespace

int main(int argc, char** argv) {
  std::string store;
  std::string venue = "the-anchor";
  long long days = 60;
  long long extra = 0;
  long long tables = 0;
  long long seed = 1;
  long long guests = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "venue-sim-history: %s needs a value\n%s", argv[i], kUsage);
      return 2;
    }
    const std::string_view v = argv[++i];
    bool ok = true;
    if (a == "--store") {
      store = v;
    } else if (a == "--venue") {
      venue = v;
    } else if (a == "--days") {
      ok = mend::sim::parse_whole(v, 1, 3650, days);
    } else if (a == "--extra-per-day") {
      ok = mend::sim::parse_whole(v, 0, 10000, extra);
    } else if (a == "--tables") {
      ok = mend::sim::parse_whole(v, 0, 500, tables);
    } else if (a == "--guests") {
      ok = mend::sim::parse_whole(v, 0, 100000, guests);
    } else if (a == "--seed") {
      ok = mend::sim::parse_whole(v, 0, 1LL << 62, seed);
    } else {
      std::fprintf(stderr, "venue-sim-history: unknown option %s\n%s", argv[i - 1], kUsage);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "venue-sim-history: %s %s is not a whole number in range\n", argv[i - 1],
                   argv[i]);
      return 2;
    }
  }
  if (store.empty()) {
    std::fprintf(stderr, "venue-sim-history: --store is required\n%s", kUsage);
    return 2;
  }
  // The history ends by today's local midnight and starts on a Monday, as the story needs.
  const mend::Now now = mend::read_clock();
  const mend::Millis offset = mend::local_utc_offset(now.wall);
  mend::sim::HistoryOptions o;
  o.days = static_cast<int>(days);
  o.utc_offset = offset;
  o.extra_per_day = static_cast<int>(extra);
  o.seed = static_cast<std::uint64_t>(seed);
  const std::int64_t today =
      mend::floor_div(mend::to_ms(now.wall) + offset.count(), mend::kMsPerDay);
  o.start = mend::sim::monday_before(
      mend::wall_from_ms((today - days) * mend::kMsPerDay - offset.count()), offset);
  try {
    mend::sim::GuestHabitOptions g;
    g.now = now.wall;
    g.guests = static_cast<int>(guests);
    g.seed = static_cast<std::uint64_t>(seed);
    const auto w = mend::sim::write_history(store, o, venue, static_cast<int>(tables),
                                            guests > 0 ? &g : nullptr);
    std::printf(
        "venue-sim-history: wrote %lld cases, %lld events and %lld guest profiles over %lld days "
        "from %s to %s\n",
        static_cast<long long>(w.cases), static_cast<long long>(w.events),
        static_cast<long long>(w.guests), days, mend::format_rfc3339(o.start).c_str(),
        mend::format_rfc3339(o.start + std::chrono::days(days)).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "venue-sim-history: %s\n", e.what());
    return 1;
  }
  return 0;
}
