#include "core/guests.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <list>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace mend {
namespace {

constexpr int kStateVersion = 2;
// Long enough for a late seating or a next-day review to still find the booking's guest.
constexpr Millis kBookingRetention = std::chrono::hours(48);
constexpr std::size_t kBookingsPerGuest = 2;
// A table's seating and a check's guest: long enough for the longest meal.
constexpr Millis kLinkRetention = std::chrono::hours(24);
constexpr std::int64_t kMaxParty = 1000;
constexpr std::size_t kMaxNotes = 200;              // per guest: the oldest goes first
constexpr std::int64_t kMaxVisits = 1'000'000'000;  // fits GuestProfile::visits (an int)
// Restored times this far out (~300,000 years) are corrupt, and could overflow
// `start + visit_gap`.
constexpr std::int64_t kMaxTimeMs = 10'000'000'000'000'000;

// A booking's value from the wire: a negative or non-finite one would poison the sum.
double clean_value(std::optional<double> v) { return v && std::isfinite(*v) && *v > 0 ? *v : 0.0; }

const Customer* customer_of(const std::optional<Customer>& c) {
  return c && !c->id.empty() ? &*c : nullptr;
}

json::Value opt_time_json(const std::optional<WallTime>& t) {
  return t ? json::Value(to_ms(*t)) : json::Value();
}

// Strict readers for restore: each returns false when the field is there but malformed, or
// missing when required.
bool read_string(const json::Value& o, std::string_view key, std::string& out, bool required) {
  const json::Value* v = o.get(key);
  if (v == nullptr || v->is_null()) return !required;
  const std::string* s = v->as_string();
  if (s == nullptr) return false;
  out = *s;
  return true;
}

bool read_time(const json::Value& o, std::string_view key, std::optional<WallTime>& out) {
  const json::Value* v = o.get(key);
  if (v == nullptr || v->is_null()) return true;
  const auto ms = v->as_int();
  if (!ms || *ms < -kMaxTimeMs || *ms > kMaxTimeMs) return false;
  out = wall_from_ms(*ms);
  return true;
}

bool read_value(const json::Value& o, std::string_view key, double& out) {
  const json::Value* v = o.get(key);
  if (v == nullptr) return true;
  const auto d = v->as_double();
  if (!d || !std::isfinite(*d) || *d < 0) return false;
  out = *d;
  return true;
}

bool read_kinds(const json::Value& o, std::string_view key, std::vector<CaseKind>& out) {
  const json::Value* v = o.get(key);
  if (v == nullptr || v->is_null()) return true;
  const json::Array* a = v->as_array();
  if (a == nullptr) return false;
  for (const json::Value& item : *a) {
    const std::string* name = item.as_string();
    const auto kind = name != nullptr ? case_kind_from_name(*name) : std::nullopt;
    if (!kind) return false;
    if (std::find(out.begin(), out.end(), *kind) == out.end()) out.push_back(*kind);
  }
  return true;
}

// Bookings, seatings and checks: each keyed by its id, forgotten at a time, in expiry order.
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

}  // namespace

std::string_view guest_tier_name(GuestTier t) {
  switch (t) {
    case GuestTier::kNew: return "new";
    case GuestTier::kReturning: return "returning";
    case GuestTier::kRegular: return "regular";
    case GuestTier::kVip: return "vip";
  }
  return "new";
}

std::optional<GuestTier> guest_tier_from_name(std::string_view name) {
  for (GuestTier t :
       {GuestTier::kNew, GuestTier::kReturning, GuestTier::kRegular, GuestTier::kVip}) {
    if (guest_tier_name(t) == name) return t;
  }
  return std::nullopt;
}

struct GuestBook::Impl {
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
    const std::size_t max_bookings = settings.max_guests > SIZE_MAX / kBookingsPerGuest
                                         ? SIZE_MAX
                                         : settings.max_guests * kBookingsPerGuest;
    bookings.trim(now, max_bookings,
                  [this](const std::string& id, const Booking& b) { booking_over(id, b); });
    const auto nothing = [](const std::string&, const std::string&) {};
    seatings.trim(now, max_bookings, nothing);
    checks.trim(now, max_bookings, nothing);
    while (lru.size() > settings.max_guests) forget(lru.front().r.id);
  }

  void on_booking(const BookingChanged& b, WallTime ts) {
    const Customer* c = customer_of(b.customer);
    Booking* bk = bookings.find(b.booking);
    // Without a customer there is nothing to learn until an update names one.
    if (bk == nullptr && c == nullptr) return;
    const WallTime expires = std::max(b.at, ts) + kBookingRetention;
    if (bk == nullptr) {
      bk = &bookings.put(b.booking, Booking{}, expires);
    } else {
      bookings.renew(b.booking, expires);
    }
    // The booking's share moves to its latest value (and customer): counted once, not per
    // update.
    const double value = b.value ? clean_value(b.value) : bk->value;
    if (Guest* old = find(bk->customer); old != nullptr && old->serial == bk->serial) {
      old->r.booked_value = std::max(0.0, old->r.booked_value - bk->value);
      changed(*old);
    }
    if (c != nullptr) bk->customer = c->id;
    if (b.party > 0) bk->party = b.party;
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
    const Customer* c = customer_of(customer);
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
      r.latest = ts;
      ++r.visits;
      g.seated_this_visit = false;
    } else if (ts > *r.latest - gap) {
      // The same visit, reported out of order: it started with the earliest report, as long
      // as that does not run into the visit before.
      if (ts < *r.latest && (!r.previous || ts >= *r.previous + gap)) r.latest = ts;
    } else {
      return nullptr;  // a late report of a visit already superseded
    }
    if (!r.first_visit || *r.latest < *r.first_visit) r.first_visit = r.latest;
    return &g;
  }

  void on_seated(const GuestSeated& s, WallTime ts) {
    Guest* g = on_visit(s.booking, s.customer, ts);
    if (g == nullptr || s.table.empty()) return;
    seatings.put(s.table, g->r.id, ts + kLinkRetention);
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
    if (party > 0 && party <= kMaxParty) ++g->r.party_sizes[party];
  }

  void on_order(const OrderOpened& o, WallTime ts) {
    if (const std::string* customer = seatings.find(o.table)) {
      checks.put(o.check, *customer, ts + kLinkRetention);
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
    p.visits = static_cast<int>(std::clamp<std::int64_t>(earlier, 0, kMaxVisits));
    p.last_visit = in_progress ? r.previous : r.latest;
    p.last_visit_failures = in_progress ? r.previous_failures : r.latest_failures;
    p.tier = tier_of(p.id, p.lifetime_value, p.visits);
    return p;
  }
};

namespace {

// What a person may write into a profile: bounded, and not blank.
std::string check_texts(const std::vector<std::string>& items, std::string_view field,
                        std::size_t max_items, std::size_t max_chars) {
  if (items.size() > max_items) {
    return std::string(field) + ": at most " + std::to_string(max_items) + " entries";
  }
  for (const std::string& s : items) {
    if (s.find_first_not_of(" \t\r\n") == std::string::npos) {
      return std::string(field) + ": an entry is empty";
    }
    if (s.size() > max_chars) {
      return std::string(field) + ": an entry is longer than " + std::to_string(max_chars) +
             " characters";
    }
  }
  return {};
}

}  // namespace

GuestBook::GuestBook(GuestSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
GuestBook::~GuestBook() = default;
GuestBook::GuestBook(GuestBook&&) noexcept = default;
GuestBook& GuestBook::operator=(GuestBook&&) noexcept = default;

void GuestBook::update_settings(GuestSettings settings) {
  impl_->apply_settings(std::move(settings));
  impl_->enforce_bounds();
}

void GuestBook::on_event(const Event& e) {
  Impl& m = *impl_;
  m.advance(e.ts);
  if (const auto* b = e.as<BookingChanged>(); b != nullptr && !b->booking.empty()) {
    m.on_booking(*b, e.ts);
  } else if (const auto* x = e.as<BookingCancelled>(); x != nullptr) {
    if (const Impl::Booking* bk = m.bookings.find(x->booking)) {
      m.booking_over(x->booking, *bk);
      m.bookings.erase(x->booking);
    }
  } else if (const auto* a = e.as<GuestArrived>(); a != nullptr) {
    m.on_visit(a->booking, a->customer, e.ts);
  } else if (const auto* s = e.as<GuestSeated>(); s != nullptr) {
    m.on_seated(*s, e.ts);
  } else if (const auto* o = e.as<OrderOpened>(); o != nullptr) {
    m.on_order(*o, e.ts);
  } else if (const auto* p = e.as<CheckPaid>(); p != nullptr) {
    m.on_paid(*p);
  } else if (const auto* t = e.as<TableCleared>(); t != nullptr) {
    m.seatings.erase(t->table);
  }
  m.enforce_bounds();
}

void GuestBook::on_case_opened(const Case& c) {
  Impl& m = *impl_;
  m.advance(c.opened_at);
  // Only the latest visit's list changes, and it holds each kind once: at most kCaseKindCount.
  if (const Impl::Guest* found = m.resolve(c.subject); found != nullptr && found->r.latest) {
    Impl::Guest& g = m.touch(found->r.id, nullptr);
    if (std::find(g.r.latest_failures.begin(), g.r.latest_failures.end(), c.kind) ==
        g.r.latest_failures.end()) {
      g.r.latest_failures.push_back(c.kind);
    }
  }
  m.enforce_bounds();
}

GuestProfile GuestBook::profile_for(const Subject& s) const {
  const Impl& m = *impl_;
  if (const Impl::Guest* g = m.resolve(s); g != nullptr) return m.profile(*g);
  // A guest the book does not know may still be one the venue marks VIP by hand.
  std::string id = s.customer;
  if (id.empty() && !s.booking.empty()) {
    if (const Impl::Booking* b = m.bookings.find(s.booking)) id = b->customer;
  }
  GuestProfile p;
  if (!id.empty() && m.vips.count(id) != 0) {
    p.id = std::move(id);
    p.tier = GuestTier::kVip;
  }
  return p;
}

std::optional<GuestProfile> GuestBook::find(std::string_view customer_id) const {
  const Impl::Guest* g = impl_->find(customer_id);
  if (g == nullptr) return std::nullopt;
  return impl_->profile(*g);
}

std::size_t GuestBook::size() const { return impl_->lru.size(); }

const GuestRecord* GuestBook::record(std::string_view customer_id) const {
  const Impl::Guest* g = impl_->find(customer_id);
  return g != nullptr ? &g->r : nullptr;
}

std::vector<const GuestRecord*> GuestBook::search(std::string_view query, std::size_t limit) const {
  std::string q(query);
  std::transform(q.begin(), q.end(), q.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  const auto contains = [&](const std::string& field) {
    if (q.empty()) return true;
    const auto it = std::search(field.begin(), field.end(), q.begin(), q.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == static_cast<unsigned char>(b);
    });
    return it != field.end();
  };
  std::vector<const GuestRecord*> out;
  for (auto it = impl_->lru.rbegin(); it != impl_->lru.rend() && out.size() < limit; ++it) {
    const GuestRecord& r = it->r;
    if (contains(r.name) || contains(r.id) || contains(r.email) || contains(r.phone)) {
      out.push_back(&r);
    }
  }
  return out;
}

std::optional<std::int64_t> GuestBook::add_note(std::string_view customer_id, std::string text,
                                                std::string author, WallTime now) {
  Impl& m = *impl_;
  Impl::Guest* g = m.find(customer_id);
  if (g == nullptr) return std::nullopt;
  m.advance(now);
  const std::int64_t id = g->r.next_note++;
  g->r.notes.push_back(GuestNote{id, std::move(text), std::move(author), now});
  if (g->r.notes.size() > kMaxNotes) g->r.notes.erase(g->r.notes.begin());
  m.changed(*g);
  return id;
}

GuestBook::EditResult GuestBook::edit(std::string_view customer_id, const GuestEdit& e,
                                      const std::string& by, WallTime now) {
  Impl& m = *impl_;
  Impl::Guest* g = m.find(customer_id);
  EditResult out;
  if (g == nullptr) {
    out.error = "no such guest";
    return out;
  }
  GuestRecord r = g->r;
  std::string error;
  if (e.name) {
    if (e.name->find_first_not_of(" \t") == std::string::npos || e.name->size() > 200) {
      error = "name: must be 1 to 200 characters";
    } else if (*e.name != r.name) {
      r.name = *e.name;
      out.changed.emplace_back("name");
    }
  }
  if (e.tags && error.empty()) {
    error = check_texts(*e.tags, "tags", 20, 40);
    std::set<std::string> tags(e.tags->begin(), e.tags->end());
    if (error.empty() && tags != r.tags) {
      r.tags = std::move(tags);
      out.changed.emplace_back("tags");
    }
  }
  if (e.preferences && error.empty()) {
    error = check_texts(*e.preferences, "preferences", 20, 200);
    if (error.empty() && *e.preferences != r.preferences) {
      r.preferences = *e.preferences;
      out.changed.emplace_back("preferences");
    }
  }
  if (e.health_consent && error.empty() && *e.health_consent != r.health_consent.has_value()) {
    if (*e.health_consent) {
      r.health_consent = HealthConsent{by, now};
    } else {
      r.health_consent.reset();
      std::erase_if(r.dietary,
                    [](const DietaryNote& d) { return d.basis == HealthBasis::kConsent; });
    }
    out.changed.emplace_back("health_consent");
  }
  if (e.dietary && error.empty()) {
    error = check_texts(*e.dietary, "dietary", 20, 200);
    if (error.empty() && !r.health_consent) {
      error = "dietary: the guest's consent to keep health data is not recorded";
    }
    if (error.empty()) {
      std::vector<DietaryNote> kept;
      for (const std::string& text : *e.dietary) {
        const auto was =
            std::find_if(r.dietary.begin(), r.dietary.end(), [&](const DietaryNote& d) {
              return d.basis == HealthBasis::kConsent && d.text == text;
            });
        kept.push_back(
            was != r.dietary.end() ? *was : DietaryNote{text, HealthBasis::kConsent, {}, by, now});
      }
      for (const DietaryNote& d : r.dietary) {
        if (d.basis == HealthBasis::kThisBooking) kept.push_back(d);
      }
      if (kept != r.dietary) {
        r.dietary = std::move(kept);
        out.changed.emplace_back("dietary");
      }
    }
  }
  if (e.occasions && error.empty()) {
    if (e.occasions->size() > 20) error = "occasions: at most 20 entries";
    for (const Occasion& o : *e.occasions) {
      if (error.empty() && (o.kind.empty() || o.kind.size() > 40)) {
        error = "occasions: a kind must be 1 to 40 characters";
      }
    }
    if (error.empty()) {
      std::vector<Occasion> kept;
      for (const Occasion& o : r.occasions) {
        if (!o.booking.empty()) kept.push_back(o);
      }
      for (Occasion o : *e.occasions) {
        o.booking.clear();
        if (o.source.empty()) o.source = by;
        kept.push_back(std::move(o));
      }
      if (kept != r.occasions) {
        r.occasions = std::move(kept);
        out.changed.emplace_back("occasions");
      }
    }
  }
  if (!error.empty()) return EditResult{{}, std::move(error)};
  if (!out.changed.empty()) {
    m.advance(now);
    g->r = std::move(r);
    m.changed(*g);
  }
  return out;
}

bool GuestBook::erase(std::string_view customer_id) {
  Impl& m = *impl_;
  if (m.find(customer_id) == nullptr) return false;
  const std::string id(customer_id);
  m.forget(id);
  return true;
}

GuestBook::Expired GuestBook::expire(WallTime now) {
  Impl& m = *impl_;
  m.advance(now);
  Expired out;
  std::vector<std::string> stale;
  for (Impl::Guest& g : m.lru) {
    GuestRecord& r = g.r;
    if (r.last_seen + m.settings.keep_profiles <= now) {
      stale.push_back(r.id);
      continue;
    }
    const auto notes = r.notes.size();
    std::erase_if(r.notes, [&](const GuestNote& n) { return n.at + m.settings.keep_notes <= now; });
    const auto dietary = r.dietary.size();
    std::erase_if(r.dietary, [&](const DietaryNote& d) {
      return d.basis == HealthBasis::kConsent && d.at + m.settings.keep_dietary <= now;
    });
    out.notes += notes - r.notes.size();
    out.dietary += dietary - r.dietary.size();
    // Not changed(): tidying is not seeing the guest, so last_seen stays.
    if (notes != r.notes.size() || dietary != r.dietary.size()) m.dirty.insert(r.id);
  }
  for (const std::string& id : stale) m.forget(id);
  out.profiles = stale.size();
  return out;
}

GuestChanges GuestBook::take_changes() {
  Impl& m = *impl_;
  GuestChanges out;
  for (const std::string& id : m.dirty) {
    if (const Impl::Guest* g = m.find(id)) out.changed.push_back(g->r);
  }
  out.gone.assign(m.gone.begin(), m.gone.end());
  m.dirty.clear();
  m.gone.clear();
  return out;
}

std::vector<GuestRecord> GuestBook::records() const {
  std::vector<GuestRecord> out;
  out.reserve(impl_->lru.size());
  for (const Impl::Guest& g : impl_->lru) out.push_back(g.r);
  return out;
}

// Booking shares are written as "counted" rather than by serial: serials are per run.
json::Value GuestBook::export_state() const {
  const Impl& m = *impl_;
  json::Object root;
  root.append("version", kStateVersion);
  root.append("now", opt_time_json(m.now));
  root.append("next_ref", m.next_ref);
  json::Array bookings;
  m.bookings.each([&](const std::string& id, const Impl::Booking& b, WallTime expires) {
    const Impl::Guest* g = m.find(b.customer);
    json::Object o;
    o.append("booking", id);
    o.append("customer", b.customer);
    o.append("value", b.value);
    o.append("counted", g != nullptr && g->serial == b.serial);
    o.append("party", b.party);
    o.append("expires", to_ms(expires));
    bookings.emplace_back(std::move(o));
  });
  root.append("bookings", std::move(bookings));
  const auto links = [](const Expiring<std::string>& from, std::string_view key) {
    json::Array out;
    from.each([&](const std::string& id, const std::string& customer, WallTime expires) {
      json::Object o;
      o.append(std::string(key), id);
      o.append("customer", customer);
      o.append("expires", to_ms(expires));
      out.emplace_back(std::move(o));
    });
    return out;
  };
  root.append("seatings", links(m.seatings, "table"));
  root.append("checks", links(m.checks, "check"));
  return root;
}

std::optional<std::string> GuestBook::restore(const json::Value& state,
                                              std::vector<GuestRecord> records) {
  if (!state.is_object()) return std::string("guest book state is not an object");
  const json::Value* v = state.get("version");
  const std::optional<std::int64_t> version = v != nullptr ? v->as_int() : std::nullopt;
  if (!version || (*version != 1 && *version != kStateVersion)) {
    return "guest book state version " + std::to_string(version.value_or(0)) +
           " is not a supported version (1 or " + std::to_string(kStateVersion) + ")";
  }
  auto fresh = std::make_unique<Impl>(impl_->settings);
  Impl& m = *fresh;
  if (!read_time(state, "now", m.now)) return std::string("guest book state has a bad 'now'");
  if (const json::Value* n = state.get("next_ref"); n != nullptr) {
    const auto ref = n->as_int();
    if (!ref || *ref < 1) return std::string("guest book state has a bad 'next_ref'");
    m.next_ref = *ref;
  }

  if (version == 1) {
    // The guests were kept in the state itself: each becomes a record, saved as a row next.
    const json::Value* guests = state.get("guests");
    if (guests == nullptr || !guests->is_array()) {
      return std::string("guest book state has no 'guests' array");
    }
    records.clear();
    for (const json::Value& o : *guests->as_array()) {
      GuestRecord r;
      const json::Value* visits = o.get("visits");
      r.visits = visits != nullptr ? visits->as_int().value_or(-1) : -1;
      if (!o.is_object() || !read_string(o, "id", r.id, true) || r.id.empty() || r.visits < 0 ||
          r.visits > kMaxVisits || !read_string(o, "name", r.name, false) ||
          !read_time(o, "latest", r.latest) || !read_time(o, "previous", r.previous) ||
          !read_kinds(o, "latest_failures", r.latest_failures) ||
          !read_kinds(o, "previous_failures", r.previous_failures) ||
          !read_value(o, "value", r.booked_value)) {
        return "guest book state has a malformed guest '" + r.id + "'";
      }
      r.first_visit = r.previous ? r.previous : r.latest;
      r.last_seen = r.latest ? *r.latest : m.now.value_or(WallTime{});
      records.push_back(std::move(r));
    }
  } else {
    // Least recently seen first, so the bound forgets the same guests it would have.
    std::stable_sort(
        records.begin(), records.end(),
        [](const GuestRecord& a, const GuestRecord& b) { return a.last_seen < b.last_seen; });
  }
  for (GuestRecord& r : records) {
    if (r.id.empty() || r.visits > kMaxVisits) {
      return "guest book has a malformed guest '" + r.id + "'";
    }
    if (m.guests.count(r.id) != 0) return "guest book lists guest '" + r.id + "' twice";
    if (!r.ref.empty() && r.ref.size() > 1 && r.ref[0] == 'g') {
      // Refs come from a counter: never give a new guest one that is taken.
      const std::int64_t n = std::strtoll(r.ref.c_str() + 1, nullptr, 10);
      if (n >= m.next_ref) m.next_ref = n + 1;
    }
    Impl::Guest& g = m.add(std::move(r));
    if (version == 1) m.dirty.insert(g.r.id);
  }

  const json::Value* bookings = state.get("bookings");
  if (bookings == nullptr || !bookings->is_array()) {
    return std::string("guest book state has no 'bookings' array");
  }
  for (const json::Value& o : *bookings->as_array()) {
    std::string id;
    Impl::Booking b;
    std::optional<WallTime> expires;
    const json::Value* counted = o.get("counted");
    const json::Value* party = o.get("party");
    if (!o.is_object() || !read_string(o, "booking", id, true) || id.empty() ||
        !read_string(o, "customer", b.customer, true) || b.customer.empty() ||
        !read_value(o, "value", b.value) || !read_time(o, "expires", expires) || !expires ||
        counted == nullptr || !counted->is_bool() ||
        (party != nullptr && !party->as_int().has_value())) {
      return "guest book state has a malformed booking '" + id + "'";
    }
    if (m.bookings.find(id) != nullptr) return "guest book state lists booking '" + id + "' twice";
    const Impl::Guest* g = m.find(b.customer);
    b.serial = g != nullptr && counted->as_bool().value_or(false) ? g->serial : 0;
    b.party = party != nullptr ? std::max<std::int64_t>(0, *party->as_int()) : 0;
    m.bookings.put(id, std::move(b), *expires);
  }
  for (const auto& [key, into] : {std::pair{"table", &m.seatings}, std::pair{"check", &m.checks}}) {
    const json::Value* list = state.get(std::string(key) == "table" ? "seatings" : "checks");
    if (list == nullptr) continue;  // version 1 had none
    if (!list->is_array()) return "guest book state has a bad '" + std::string(key) + "' list";
    for (const json::Value& o : *list->as_array()) {
      std::string id;
      std::string customer;
      std::optional<WallTime> expires;
      if (!o.is_object() || !read_string(o, key, id, true) || id.empty() ||
          !read_string(o, "customer", customer, true) || !read_time(o, "expires", expires) ||
          !expires) {
        return "guest book state has a malformed " + std::string(key) + " '" + id + "'";
      }
      into->put(id, std::move(customer), *expires);
    }
  }
  m.enforce_bounds();  // the settings may be smaller than when the state was written
  impl_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace mend
