#include "scripts/sim/history_store.hpp"

#include <variant>

#include "adapters/store/store.hpp"
#include "core/codec.hpp"
#include "core/guests.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace mend::sim {
namespace {

// A commit every so many rows keeps the staged batch, and the memory it holds, small.
constexpr std::size_t kBatch = 5000;

}  // namespace

HistoryWritten write_history(const std::string& store_path, const HistoryOptions& o,
                             const std::string& venue, int tables,
                             const GuestHabitOptions* guests) {
  auto store = Store::open(StoreOptions{store_path, true});
  HistoryWritten out;
  const auto flush = [&store](bool always) {
    if (always || store->staged_count() >= kBatch) store->commit();
  };
  for (const Case& c : history_cases(o)) {
    store->stage_case(c);
    ++out.cases;
    flush(false);
  }
  if (tables > 0) {
    CodecOptions codec;
    codec.venue = venue;
    for (int d = 0; d < o.days; ++d) {
      Options evening;
      evening.venue = venue;
      evening.seed = o.seed * 1000 + static_cast<std::uint64_t>(d);
      evening.failure_rate = 0.1;
      evening.tables = tables;
      evening.start_wall_ms = to_ms(o.start + std::chrono::days(d) + std::chrono::hours(18));
      for (const Message& m : generate(evening).messages) {
        const WallTime received = wall_from_ms(evening.start_wall_ms + m.at_ms);
        const DecodeResult r = decode(m.topic, m.payload, received, codec);
        if (const auto* e = std::get_if<Event>(&r);
            e != nullptr && store->stage_event(*e, m.topic)) {
          ++out.events;
          flush(false);
        }
      }
    }
  }
  if (guests != nullptr) {
    GuestBook book;  // the records only: tiers and lapses are mendd's to work out
    for (const Event& e : guest_habits(*guests).events) book.on_event(e);
    for (const GuestRecord& r : book.records()) {
      store->stage_guest(r);
      ++out.guests;
      flush(false);
    }
  }
  flush(true);
  return out;
}

}  // namespace mend::sim
