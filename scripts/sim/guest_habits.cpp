#include "scripts/sim/guest_habits.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "scripts/sim/sim_random.hpp"

namespace mend::sim {
namespace {

constexpr Millis kDayMs = std::chrono::hours(24);
constexpr Millis kYear = 365 * kDayMs;

constexpr std::array<const char*, 12> kFirst{"Ann",   "Bruno", "Chloe", "Dev",   "Elif",  "Femi",
                                             "Greta", "Hugo",  "Ines",  "Jonas", "Kemal", "Lena"};
constexpr std::array<const char*, 10> kLast{"Lee",    "Okafor", "Novak", "Silva", "Brandt",
                                            "Moreau", "Haddad", "Quinn", "Rossi", "Tanaka"};

Millis scaled(Millis d, double f) {
  return Millis{static_cast<std::int64_t>(std::llround(static_cast<double>(d.count()) * f))};
}

// Visits every `interval` (+-30 %) from `from` up to the last one at `last`.
std::vector<WallTime> habit(Rng& rng, Millis interval, WallTime from, WallTime last) {
  std::vector<WallTime> visits{last};
  WallTime t = last;
  while (true) {
    t -= scaled(interval, rng.uniform(0.7, 1.3));
    if (t < from) break;
    visits.push_back(t);
  }
  std::reverse(visits.begin(), visits.end());
  return visits;
}

}  // namespace

GuestPopulation guest_habits(const GuestHabitOptions& o) {
  Rng rng(splitmix64(o.seed ^ 0x6775657374ULL));  // "guest"
  GuestPopulation p;
  const WallTime from = o.now - kYear;
  for (int i = 0; i < o.guests; ++i) {
    SimGuest g;
    g.id = "sim-g" + std::to_string(i + 1);
    g.name = std::string(rng.pick(kFirst)) + " " + rng.pick(kLast);
    g.email = "guest" + std::to_string(i + 1) + "@example.org";
    g.phone = "+4477009" + std::to_string(10000 + i);
    const double draw = rng.unit();
    if (draw < 0.75) {
      g.interval = Millis{rng.between(7, 40) * kDayMs.count()};
      const Millis limit = std::max(o.winback_after, scaled(g.interval, o.winback_factor));
      Millis away{0};
      if (draw < 0.45) {
        away = scaled(g.interval, rng.uniform(0.0, 0.95));
      } else if (draw < 0.65) {
        away = scaled(limit, rng.uniform(1.05, 3.0));
      } else {
        away = scaled(limit, rng.uniform(0.75, 0.97));
      }
      g.visits = habit(rng, g.interval, from - away, o.now - away);
      g.lapsed = static_cast<int>(g.visits.size()) >= o.regular_visits && away > limit;
    } else {
      const auto n = rng.between(1, 4);
      for (int v = 0; v < n; ++v) g.visits.push_back(from + Millis{rng.between(0, kYear.count())});
      std::sort(g.visits.begin(), g.visits.end());
    }
    Customer c{g.id, g.name, g.phone, g.email};
    for (std::size_t v = 0; v < g.visits.size(); ++v) {
      const std::string booking = "B-" + g.id + "-" + std::to_string(v + 1);
      const WallTime at = g.visits[v];
      BookingChanged b{booking, at, rng.between(1, 6), c, 60.0, "", "web"};
      p.events.push_back(
          sent_at(booking + "-made", EventType::kBookingCreated, std::move(b), at - 2 * kDayMs));
      GuestSeated s{"T" + std::to_string(rng.between(1, 20)), booking, std::nullopt, std::nullopt};
      p.events.push_back(sent_at(booking + "-seated", EventType::kGuestSeated, std::move(s), at));
    }
    if (rng.chance(1.0 / 3)) {
      const auto n = rng.between(1, 3);
      for (int q = 0; q < n; ++q) {
        const std::string id = "E-" + g.id + "-" + std::to_string(q + 1);
        Customer who;
        if (rng.chance(0.5)) {
          who.email = rng.chance(0.5) ? g.email : "Guest" + g.email.substr(5);  // any case
        } else {
          who.phone = "07700 9" + g.phone.substr(8);  // the national way, with a space
        }
        EnquiryReceived e{id, "email", who, "table", std::nullopt};
        p.events.push_back(sent_at(id, EventType::kEnquiryReceived, std::move(e),
                                   o.now - Millis{rng.between(0, 30 * kDayMs.count())}));
        g.enquiries.push_back(id);
      }
    }
    p.guests.push_back(std::move(g));
  }
  std::stable_sort(p.events.begin(), p.events.end(),
                   [](const Event& a, const Event& b) { return a.ts < b.ts; });
  return p;
}

}  // namespace mend::sim
