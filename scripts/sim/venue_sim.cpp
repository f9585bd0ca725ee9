// The tables of an evening with failures at random: each party is planned and played in turn,
// start to finish, and each chance of a failure is taken with probability failure_rate.
#include "scripts/sim/venue_sim.hpp"

#include <algorithm>
#include <cmath>

#include "scripts/sim/venue_builder.hpp"

namespace mend::sim {
namespace detail {
namespace {

// Injected waits that end in "never answered" rather than "answered late", per kind.
constexpr double kNeverServed = 0.25;  // a ticket nobody bumped
constexpr double kWalkOut = 0.25;      // seated, nobody came, the party left
constexpr double kLeftTheDoor = 0.3;   // a booked party that gave up waiting to be seated

// How busy the evening is, per table and hour of service.
constexpr double kBookingsPerTableHour = 0.45;
constexpr double kWalkInsPerTableHour = 0.15;

}  // namespace

void Builder::plan_parties() {
  const std::int64_t d = o_.duration_ms;
  const double hours = static_cast<double>(d) / kHour;
  std::vector<Party> parties;

  const auto n_bookings = static_cast<int>(std::lround(o_.tables * hours * kBookingsPerTableHour));
  const std::int64_t first_slot = 15 * kMinute;
  const std::int64_t last_slot = d - 90 * kMinute;
  std::int64_t ahead = 0;  // bookings made before tonight reach mendd as service opens
  for (int i = 0; i < n_bookings && last_slot >= first_slot; ++i) {
    Party p;
    p.booking = id("bk", ++next_booking_);
    p.size = party_size();
    p.customer = static_cast<int>(plan_.between(1, 400));
    p.value = std::round(p.size * plan_.uniform(32, 68) * 100) / 100;
    const std::int64_t slot =
        first_slot + 15 * kMinute * plan_.between(0, (last_slot - first_slot) / (15 * kMinute));
    std::int64_t created = 0;
    if (plan_.chance(0.3) && slot - 20 * kMinute > kMinute) {
      created = plan_.between(kMinute, slot - 20 * kMinute);  // booked on the night
    } else {
      ahead += plan_.between(2 * kSecond, 6 * kSecond);
      created = ahead;
    }
    emit_booking(plan_, p, created, slot);

    const double fate = plan_.unit();
    if (fate < 0.04) {  // cancelled
      const std::int64_t at = plan_.between(created + kMinute, slot - 10 * kMinute);
      if (at > created) {
        emit(at, "booking/booking.cancelled")
            .body.str("booking", p.booking)
            .str("reason", "plans changed");
      }
      continue;
    }
    if (fate < 0.08) continue;  // a no-show: nothing more is heard of it
    p.arrival = std::max(created + kMinute, slot + plan_.between(-6 * kMinute, 12 * kMinute));
    p.order = static_cast<int>(parties.size());
    parties.push_back(std::move(p));
  }

  const auto n_walk_ins = static_cast<int>(std::lround(o_.tables * hours * kWalkInsPerTableHour));
  for (int i = 0; i < n_walk_ins && d - 80 * kMinute > 10 * kMinute; ++i) {
    Party p;
    p.size = party_size();
    p.customer = plan_.chance(0.3) ? static_cast<int>(plan_.between(401, 600)) : 0;
    p.arrival = plan_.between(10 * kMinute, d - 80 * kMinute);
    p.order = static_cast<int>(parties.size());
    parties.push_back(std::move(p));
  }

  std::sort(parties.begin(), parties.end(), [](const Party& a, const Party& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.order < b.order;
  });
  free_at_.assign(static_cast<std::size_t>(o_.tables), 0);
  for (const Party& p : parties) play_party(p);
}

int Builder::party_size_from(Rng& rng) {
  const double r = rng.unit();
  if (r < 0.40) return 2;
  if (r < 0.52) return 3;
  if (r < 0.80) return 4;
  if (r < 0.85) return 5;
  if (r < 0.93) return 6;
  return static_cast<int>(rng.between(7, 8));
}

// The table free soonest at or before `at` (a random one among those free), or the one
// free soonest after it.
std::size_t Builder::choose_table(std::int64_t at) {
  std::vector<std::size_t> free;
  std::size_t soonest = 0;
  for (std::size_t i = 0; i < free_at_.size(); ++i) {
    if (free_at_[i] <= at) free.push_back(i);
    if (free_at_[i] < free_at_[soonest]) soonest = i;
  }
  return free.empty() ? soonest : plan_.pick(free);
}

void Builder::play_party(const Party& p) {
  const std::size_t drafts_before = drafts_.size();
  const std::size_t truth_before = truth_.size();
  const bool walk_in = p.booking.empty();
  const std::int64_t limit = t_.arrival_unseated;
  const std::int64_t calm_wait = healthy(limit, 0.03);
  const bool late = fail_.chance(o_.failure_rate);
  const std::int64_t late_wait = late ? breach(limit) : 0;
  const bool leaves = late && !walk_in && fail_.chance(kLeftTheDoor);

  std::int64_t seat_at = p.arrival + (late ? late_wait : calm_wait);
  const std::size_t table = choose_table(seat_at);
  if (free_at_[table] > seat_at && !leaves) {
    // No table yet: wait for one, but only while the wait keeps its character.
    const double share = late ? kBreachMax : kHealthyMax;
    if (free_at_[table] > p.arrival + scaled(share, limit)) return;  // turned away unheard
    seat_at = free_at_[table];
  }
  if (walk_in) {
    // mendd pairs a walk-in's seating with the oldest waiting walk-in of the same size, so
    // two same-size walk-ins are never at the door together.
    const Window door{p.arrival, seat_at + 1};
    for (const auto& [size, w] : walk_in_doors_) {
      if (size == p.size && w.overlaps(door)) return;
    }
  }

  const std::uint64_t arrival_seq = emit_arrived(p);
  if (late) {
    if (walk_in) {
      truth("arrival.unseated", {{"party", std::to_string(p.size)}}, "door", p.arrival, limit);
      truth_.back().walk_in_seq = arrival_seq;
    } else {
      truth("arrival.unseated", {{"booking", p.booking}}, "door", p.arrival, limit);
    }
  }
  if (leaves) return;

  const std::optional<std::int64_t> cleared = play_seating(p, table, seat_at);
  if (!cleared || *cleared > o_.duration_ms - kMinute) {
    drafts_.resize(drafts_before);  // the evening ends before this party would: not played
    truth_.resize(truth_before);
    return;
  }
  free_at_[table] = *cleared + plan_.between(kMinute, 4 * kMinute);
  if (walk_in) walk_in_doors_.emplace_back(p.size, Window{p.arrival, seat_at + 1});
  ++stats_.seatings;
  if (walk_in) ++stats_.walk_ins;
}

// Seating to table.cleared. Returns when the table was cleared.
std::optional<std::int64_t> Builder::play_seating(const Party& p, std::size_t table_index,
                                                  std::int64_t seat_at) {
  const int number = static_cast<int>(table_index) + 1;
  const std::string table = table_name(number);
  const std::string area = "area:" + area_of_table(number, o_.tables);

  emit_seated(seat_at, table, p);

  // Seated -> order.
  const std::int64_t calm_order = healthy(t_.table_no_order);
  std::int64_t order_at = seat_at + calm_order;
  if (fail_.chance(o_.failure_rate)) {
    truth("table.no_order", {{"table", table}}, area, seat_at, t_.table_no_order);
    order_at = seat_at + breach(t_.table_no_order);
    if (fail_.chance(kWalkOut)) {
      emit(order_at, "booking/table.cleared").body.str("table", table);
      return order_at;
    }
  }
  const std::string check = id("ck", ++next_check_);
  emit_order(plan_, order_at, table, check, p.size);

  Tab tab;
  const auto fire = [&](std::string_view course, std::int64_t at, std::span<const MenuItem> menu,
                        int dishes) {
    emit_fired(plan_, at, check, course, table, menu, dishes, tab);
    const std::int64_t limit = t_.course(course);
    const std::int64_t calm = healthy(limit, 0.15);
    if (!fail_.chance(o_.failure_rate)) {
      emit_served(at + calm, check, course, table);
      return at + calm;
    }
    truth("course.slow", {{"check", check}, {"course", std::string(course)}, {"table", table}},
          "station:" + std::string(course), at, limit);
    const std::int64_t late = at + breach(limit);
    if (!fail_.chance(kNeverServed)) emit_served(late, check, course, table);
    return late;
  };

  const int guests = p.size;
  std::vector<std::int64_t> ready;
  ready.push_back(fire("drinks", order_at + plan_.between(0, 90 * kSecond), kDrinks, guests));
  std::int64_t next = order_at + plan_.between(4 * kMinute, 10 * kMinute);
  if (plan_.chance(0.65)) {
    const std::int64_t starter_ready =
        fire("starter", order_at + plan_.between(2 * kMinute, 6 * kMinute), kStarters,
             std::max(1, guests / 2));
    ready.push_back(starter_ready);
    next = starter_ready + plan_.between(3 * kMinute, 10 * kMinute);
  }
  const std::int64_t main_ready = fire("main", next, kMains, guests);
  ready.push_back(main_ready);
  if (plan_.chance(0.5)) {
    ready.push_back(fire("dessert", main_ready + plan_.between(8 * kMinute, 18 * kMinute),
                         kDesserts, std::max(1, guests / 2)));
  }
  std::int64_t last = *std::max_element(ready.begin(), ready.end());

  if (const auto call = play_call(plan_, fail_, table, area, order_at + kMinute, last)) {
    last = std::max(last, call->to);
  }
  play_voids(plan_, fail_, check, table, area, order_at + kMinute, last, tab);

  // The bill.
  const std::int64_t requested = last + plan_.between(4 * kMinute, 12 * kMinute);
  std::int64_t paid = requested + healthy(t_.bill_slow);
  if (fail_.chance(o_.failure_rate)) {
    truth("bill.slow", {{"check", check}, {"table", table}}, area, requested, t_.bill_slow);
    paid = requested + breach(t_.bill_slow);
  }
  emit_bill(plan_, check, table, requested, paid, tab);
  const std::int64_t cleared = paid + plan_.between(2 * kMinute, 6 * kMinute);
  emit(cleared, "booking/table.cleared").body.str("table", table);
  ++stats_.checks;
  return cleared;
}

}  // namespace detail

std::uint64_t day_seed(std::uint64_t seed, int day) {
  if (day == 0) return seed;
  return splitmix64(seed ^ splitmix64(0x646179ULL + static_cast<std::uint64_t>(day)));  // "day"
}

Service generate(const Options& options) {
  if (options.causes) return generate_days(options, 1).front();
  return detail::Builder(options).run();
}

std::vector<Service> generate_days(const Options& options, int days) {
  if (options.causes) return detail::generate_causal_days(options, days);
  std::vector<Service> out;
  for (int day = 0; day < days; ++day) {
    Options o = options;
    o.seed = day_seed(options.seed, day);
    o.start_wall_ms = options.start_wall_ms + day * kDay;
    out.push_back(detail::Builder(o).run());
  }
  return out;
}

}  // namespace mend::sim
