// The guest book's insides, shared by guests.cpp (events, reads, people's changes, retention)
// and guests_state.cpp (saving and restoring). Not part of the core's interface.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <list>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/guests.hpp"

namespace mend {
namespace guest_book {

inline constexpr int kStateVersion = 2;
// Long enough for a late seating or a next-day review to still find the booking's guest.
inline constexpr Millis kBookingRetention = std::chrono::hours(48);
inline constexpr std::size_t kBookingsPerGuest = 2;
// A table's seating and a check's guest: long enough for the longest meal.
inline constexpr Millis kLinkRetention = std::chrono::hours(24);
inline constexpr std::int64_t kMaxParty = 1000;
inline constexpr std::size_t kMaxNotes = 200;              // per guest: the oldest goes first
inline constexpr std::int64_t kMaxVisits = 1'000'000'000;  // fits GuestProfile::visits (an int)
// Restored times this far out (~300,000 years) are corrupt, and could overflow
// `start + visit_gap`.
inline constexpr std::int64_t kMaxTimeMs = 10'000'000'000'000'000;

// A booking's value from the wire: a negative or non-finite one would poison the sum.
inline double clean_value(std::optional<double> v) {
  return v && std::isfinite(*v) && *v > 0 ? *v : 0.0;
}

inline const Customer* customer_of(const std::optional<Customer>& c) {
  return c && !c->id.empty() ? &*c : nullptr;
}

template <typename T>
class Expiring {
 public:
  T* find(const std::string& key) {
    const auto it = items_.find(key);
    return it != items_.end() ? &it->second.value : nullptr;
  }
  const T* find(const std::string& key) const {
    const auto it = items_.find(key);
    return it != items_.end() ? &it->second.value : nullptr;
  }
  T& put(const std::string& key, T value, WallTime expires) {
    erase(key);
    const auto it = items_.emplace(key, Item{std::move(value), expires}).first;
    order_.emplace(expires, it->first);
    return it->second.value;
  }
  // Keeps the value, moves its time.
  void renew(const std::string& key, WallTime expires) {
    const auto it = items_.find(key);
    if (it == items_.end()) return;
    order_.erase({it->second.expires, it->first});
    it->second.expires = expires;
    order_.emplace(expires, it->first);
  }
  void erase(const std::string& key) {
    const auto it = items_.find(key);
    if (it == items_.end()) return;
    order_.erase({it->second.expires, it->first});
    items_.erase(it);
  }
  // Forgets what is due by `now`, then the furthest in the future beyond `max`; `gone` hears
  // of each first.
  template <typename Gone>
  void trim(std::optional<WallTime> now, std::size_t max, Gone gone) {
    while (now && !order_.empty() && order_.begin()->first <= *now) {
      drop(std::string(order_.begin()->second), gone);
    }
    while (items_.size() > max) drop(std::string(std::prev(order_.end())->second), gone);
  }
  template <typename Visit>
  void each(Visit visit) const {
    for (const auto& [expires, key] : order_) {
      visit(std::string(key), items_.at(std::string(key)).value, expires);
    }
  }
  std::size_t size() const { return items_.size(); }

 private:
  struct Item {
    T value;
    WallTime expires;
  };
  template <typename Gone>
  void drop(const std::string& key, Gone& gone) {
    gone(key, items_.at(key).value);
    erase(key);
  }
  std::unordered_map<std::string, Item> items_;
  // Map nodes do not move on rehash, so the views of the keys stay valid.
  std::set<std::pair<WallTime, std::string_view>> order_;
};

}  // namespace guest_book

struct GuestBook::Impl {
  template <typename T>
  using Expiring = guest_book::Expiring<T>;
  struct Guest {
    GuestRecord r;
    // Which incarnation of this id the record is: a booking's share is only taken back out of
    // the record it was added to, not out of one made after the guest was forgotten.
    std::uint64_t serial = 0;
    bool seated_this_visit = false;  // the visit's table and party are counted once
  };
  struct Booking {
    std::string customer;
    double value = 0;
    std::uint64_t serial = 0;  // the Guest::serial `value` is counted in; 0: none
    std::int64_t party = 0;
    std::optional<WallTime> at;  // when the guest is expected (the Concierge's briefing)
  };
  using GuestList = std::list<Guest>;

  GuestSettings settings;
  std::unordered_set<std::string> vips;
  GuestList lru;  // least recently seen first; list nodes never move, so the keys below hold
  std::unordered_map<std::string_view, GuestList::iterator> guests;
  Expiring<Booking> bookings;
  Expiring<std::string> seatings;  // table -> the customer seated there
  Expiring<std::string> checks;    // check -> the customer whose table opened it
  std::set<std::string> dirty;     // changed since take_changes()
  std::set<std::string> gone;      // deleted since take_changes()
  std::optional<WallTime> now;     // the latest time seen
  std::uint64_t next_serial = 1;
  std::int64_t next_ref = 1;
  std::vector<VisitStarted> started;  // since take_started_visits()

  explicit Impl(GuestSettings s) { apply_settings(std::move(s)); }

  void apply_settings(GuestSettings s) {
    settings = std::move(s);
    vips = std::unordered_set<std::string>(settings.vip_customers.begin(),
                                           settings.vip_customers.end());
  }

  Guest* find(std::string_view id) const {
    const auto it = guests.find(id);
    return it != guests.end() ? &*it->second : nullptr;
  }

  void changed(Guest& g) {
    if (now && *now > g.r.last_seen) g.r.last_seen = *now;
    dirty.insert(g.r.id);
  }

  Guest& add(GuestRecord r) {
    Guest g;
    if (r.ref.empty()) r.ref = "g" + std::to_string(next_ref++);
    g.r = std::move(r);
    g.serial = next_serial++;
    lru.push_back(std::move(g));
    Guest& added = lru.back();
    guests.emplace(added.r.id, std::prev(lru.end()));
    gone.erase(added.r.id);
    return added;
  }

  // Finds or creates the guest, marks it the most recently seen, and takes what the
  // customer fields say.
  Guest& touch(std::string_view id, const Customer* c) {
    auto it = guests.find(id);
    Guest* g = nullptr;
    if (it == guests.end()) {
      GuestRecord r;
      r.id = std::string(id);
      if (now) r.last_seen = *now;
      g = &add(std::move(r));
    } else {
      lru.splice(lru.end(), lru, it->second);
      g = &*it->second;
    }
    if (c != nullptr) {
      if (!c->name.empty()) g->r.name = c->name;
      if (const std::string e = normal_email(c->email); !e.empty()) g->r.email = e;
      if (const std::string p = normal_phone(c->phone); !p.empty()) g->r.phone = p;
    }
    changed(*g);
    return *g;
  }

  void forget(std::string_view id) {
    const auto it = guests.find(id);
    if (it == guests.end()) return;
    const std::string key(id);
    const auto node = it->second;
    guests.erase(it);
    lru.erase(node);
    dirty.erase(key);
    gone.insert(key);
  }

  void advance(WallTime t) {
    if (!now || t > *now) now = t;
  }

  // A booking's dietary notes kept for it alone go with it.
  void booking_over(const std::string& booking, const Booking& b) {
    Guest* g = find(b.customer);
    if (g == nullptr) return;
    const auto before = g->r.dietary.size();
    std::erase_if(g->r.dietary, [&](const DietaryNote& d) {
      return d.basis == HealthBasis::kThisBooking && d.booking == booking;
    });
    if (g->r.dietary.size() != before) changed(*g);
  }

  // Applies the bounds. Called last in every change, so nothing holds a guest it forgets.
  void enforce_bounds() {
    const std::size_t max_bookings = settings.max_guests > SIZE_MAX / guest_book::kBookingsPerGuest
                                         ? SIZE_MAX
                                         : settings.max_guests * guest_book::kBookingsPerGuest;
    bookings.trim(now, max_bookings,
                  [this](const std::string& id, const Booking& b) { booking_over(id, b); });
    const auto nothing = [](const std::string&, const std::string&) {};
    seatings.trim(now, max_bookings, nothing);
    checks.trim(now, max_bookings, nothing);
    while (lru.size() > settings.max_guests) forget(lru.front().r.id);
  }

  void on_booking(const BookingChanged& b, WallTime ts) {
    const Customer* c = guest_book::customer_of(b.customer);
    Booking* bk = bookings.find(b.booking);
    // Without a customer there is nothing to learn until an update names one.
    if (bk == nullptr && c == nullptr) return;
    const WallTime expires = std::max(b.at, ts) + guest_book::kBookingRetention;
    if (bk == nullptr) {
      bk = &bookings.put(b.booking, Booking{}, expires);
    } else {
      bookings.renew(b.booking, expires);
    }
    // The booking's share moves to its latest value (and customer): counted once, not per
    // update.
    const double value = b.value ? guest_book::clean_value(b.value) : bk->value;
    if (Guest* old = find(bk->customer); old != nullptr && old->serial == bk->serial) {
      old->r.booked_value = std::max(0.0, old->r.booked_value - bk->value);
      changed(*old);
    }
    if (c != nullptr) bk->customer = c->id;
    if (b.party > 0) bk->party = b.party;
    if (b.at != WallTime{}) bk->at = b.at;
    Guest& g = touch(bk->customer, c);
    g.r.booked_value += value;
    bk->value = value;
    bk->serial = g.serial;
    learn_notes(g, b);
  }

  // Occasions and dietary notes from the booking's notes, each once per booking.
  void learn_notes(Guest& g, const BookingChanged& b) {
    if (b.notes.empty()) return;
    const BookingNoteFacts facts = read_booking_notes(b.notes);
    const std::string source = "booking " + b.booking;
    for (const std::string& kind : facts.occasions) {
      const bool known =
          std::any_of(g.r.occasions.begin(), g.r.occasions.end(),
                      [&](const Occasion& o) { return o.kind == kind && o.booking == b.booking; });
      if (!known) g.r.occasions.push_back(Occasion{kind, b.booking, b.at, source});
    }
    const bool consent = g.r.health_consent.has_value();
    for (const std::string& text : facts.dietary) {
      const bool known =
          std::any_of(g.r.dietary.begin(), g.r.dietary.end(), [&](const DietaryNote& d) {
            return d.text == text && (d.basis == HealthBasis::kConsent || d.booking == b.booking);
          });
      if (known) continue;
      DietaryNote d;
      d.text = text;
      d.basis = consent ? HealthBasis::kConsent : HealthBasis::kThisBooking;
      d.booking = consent ? std::string() : b.booking;
      d.source = source;
      d.at = now.value_or(b.at);
      g.r.dietary.push_back(std::move(d));
    }
  }

  Guest* on_visit(const std::string& booking, const std::optional<Customer>& customer,
                  WallTime ts) {
    const Customer* c = guest_book::customer_of(customer);
    std::string id;
    if (c != nullptr) {
      id = c->id;
    } else if (const Booking* b = booking.empty() ? nullptr : bookings.find(booking)) {
      id = b->customer;
    } else {
      return nullptr;  // a walk-in nobody named
    }
    // Remember the booking too, so a case that names only the booking finds the guest.
    if (c != nullptr && !booking.empty() && bookings.find(booking) == nullptr) {
      BookingChanged b;
      b.booking = booking;
      b.at = ts;
      b.customer = *c;
      on_booking(b, ts);
    }
    Guest& g = touch(id, c);
    GuestRecord& r = g.r;
    const Millis gap = settings.visit_gap;
    if (!r.latest || ts >= *r.latest + gap) {
      r.previous = r.latest;
      r.previous_failures = std::move(r.latest_failures);
      r.latest_failures.clear();
      r.previous_recovery = std::move(r.latest_recovery);
      r.latest_recovery.clear();
      r.latest = ts;
      ++r.visits;
      started.push_back(VisitStarted{r.id, r.ref, r.visits, ts});
      r.recent_visits.push_back(ts);
      if (r.recent_visits.size() > kRecentVisits) r.recent_visits.erase(r.recent_visits.begin());
      r.lapsed_flagged.reset();  // back: any win-back for the absence is over
      g.seated_this_visit = false;
    } else if (ts > *r.latest - gap) {
      // The same visit, reported out of order: it started with the earliest report, as long
      // as that does not run into the visit before.
      if (ts < *r.latest && (!r.previous || ts >= *r.previous + gap)) {
        r.latest = ts;
        if (!r.recent_visits.empty()) r.recent_visits.back() = ts;
      }
    } else {
      return nullptr;  // a late report of a visit already superseded
    }
    if (!r.first_visit || *r.latest < *r.first_visit) r.first_visit = r.latest;
    return &g;
  }

  void on_seated(const GuestSeated& s, WallTime ts) {
    Guest* g = on_visit(s.booking, s.customer, ts);
    if (g == nullptr || s.table.empty()) return;
    seatings.put(s.table, g->r.id, ts + guest_book::kLinkRetention);
    if (g->seated_this_visit) return;  // a move to another table in the same visit
    g->seated_this_visit = true;
    ++g->r.tables[s.table];
    if (const auto a = settings.table_areas.find(s.table); a != settings.table_areas.end()) {
      ++g->r.areas[a->second];
    }
    std::int64_t party = s.party.value_or(0);
    if (const Booking* b = s.booking.empty() ? nullptr : bookings.find(s.booking);
        party <= 0 && b != nullptr) {
      party = b->party;
    }
    if (party > 0 && party <= guest_book::kMaxParty) ++g->r.party_sizes[party];
  }

  void on_order(const OrderOpened& o, WallTime ts) {
    if (const std::string* customer = seatings.find(o.table)) {
      checks.put(o.check, *customer, ts + guest_book::kLinkRetention);
    }
  }

  void on_paid(const CheckPaid& p) {
    std::string customer;
    if (const std::string* c = checks.find(p.check)) {
      customer = *c;
    } else if (const std::string* t = p.table.empty() ? nullptr : seatings.find(p.table)) {
      customer = *t;
    }
    checks.erase(p.check);
    if (customer.empty() || !std::isfinite(p.total) || p.total < 0) return;
    if (find(customer) == nullptr) return;
    Guest& g = touch(customer, nullptr);
    g.r.spend += p.total;
    ++g.r.checks;
  }

  const Guest* resolve(const Subject& s) const {
    if (const Guest* g = s.customer.empty() ? nullptr : find(s.customer); g != nullptr) return g;
    if (s.booking.empty()) return nullptr;
    const Booking* b = bookings.find(s.booking);
    return b != nullptr ? find(b->customer) : nullptr;
  }

  GuestTier tier_of(const std::string& id, double value, int visits) const {
    if (vips.count(id) != 0 || value >= settings.vip_spend) return GuestTier::kVip;
    if (visits >= settings.regular_visits) return GuestTier::kRegular;
    if (visits >= 1) return GuestTier::kReturning;
    return GuestTier::kNew;
  }

  GuestProfile profile(const Guest& g) const {
    const GuestRecord& r = g.r;
    GuestProfile p;
    p.id = r.id;
    p.name = r.name;
    p.lifetime_value = r.booked_value;
    const bool in_progress = r.latest && now && *now < *r.latest + settings.visit_gap;
    const std::int64_t earlier = in_progress ? r.visits - 1 : r.visits;
    p.visits = static_cast<int>(std::clamp<std::int64_t>(earlier, 0, guest_book::kMaxVisits));
    p.last_visit = in_progress ? r.previous : r.latest;
    p.last_visit_failures = in_progress ? r.previous_failures : r.latest_failures;
    p.last_visit_recovery = in_progress ? r.previous_recovery : r.latest_recovery;
    p.tier = tier_of(p.id, p.lifetime_value, p.visits);
    return p;
  }
};

}  // namespace mend
