#include "core/guests.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <list>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace mend {
namespace {

constexpr int kStateVersion = 1;
// Long enough for a late seating or a next-day review to still find the booking's guest.
constexpr Millis kBookingRetention = std::chrono::hours(48);
constexpr std::size_t kBookingsPerGuest = 2;
constexpr std::int64_t kMaxVisits = 1'000'000'000;  // fits GuestProfile::visits (an int)
// Restored times this far out (~300,000 years) are corrupt, and could overflow
// `start + visit_gap`.
constexpr std::int64_t kMaxTimeMs = 10'000'000'000'000'000;

// A booking's value from the wire: a negative or non-finite one would poison the sum.
double clean_value(std::optional<double> v) { return v && std::isfinite(*v) && *v > 0 ? *v : 0.0; }

const Customer* customer_of(const std::optional<Customer>& c) {
  return c && !c->id.empty() ? &*c : nullptr;
}

json::Value kinds_json(const std::vector<CaseKind>& kinds) {
  json::Array a;
  a.reserve(kinds.size());
  for (CaseKind k : kinds) a.emplace_back(case_kind_name(k));
  return a;
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
    std::string id;
    std::string name;
    std::int64_t visits = 0;  // visits started, the latest included
    std::optional<WallTime> latest;
    std::optional<WallTime> previous;
    std::vector<CaseKind> latest_failures;
    std::vector<CaseKind> previous_failures;
    double value = 0;
    // Which incarnation of this id the record is: a booking's share is only taken back out of
    // the record it was added to, not out of one made after the guest was forgotten.
    std::uint64_t serial = 0;
  };
  struct Booking {
    std::string customer;
    double value = 0;
    std::uint64_t serial = 0;  // the Guest::serial `value` is counted in; 0: none
    WallTime expires;
  };
  using GuestList = std::list<Guest>;

  GuestSettings settings;
  std::unordered_set<std::string> vips;
  GuestList lru;  // least recently seen first; list nodes never move, so the keys below hold
  std::unordered_map<std::string_view, GuestList::iterator> guests;
  std::unordered_map<std::string, Booking> bookings;
  // Map nodes do not move on rehash, so the view of the booking id stays valid.
  std::set<std::pair<WallTime, std::string_view>> expiry;
  std::optional<WallTime> now;  // the latest time seen
  std::uint64_t next_serial = 1;

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

  // Finds or creates the guest and marks it the most recently seen.
  Guest& touch(std::string_view id, std::string_view name) {
    auto it = guests.find(id);
    if (it == guests.end()) {
      Guest g;
      g.id = std::string(id);
      g.serial = next_serial++;
      lru.push_back(std::move(g));
      it = guests.emplace(lru.back().id, std::prev(lru.end())).first;
    } else {
      lru.splice(lru.end(), lru, it->second);
    }
    Guest& g = *it->second;
    if (!name.empty()) g.name = std::string(name);
    return g;
  }

  void advance(WallTime t) {
    if (!now || t > *now) now = t;
  }

  void forget_booking(std::unordered_map<std::string, Booking>::iterator it) {
    expiry.erase({it->second.expires, it->first});
    bookings.erase(it);
  }

  // Applies the bounds. Called last in every change, so nothing holds a guest it forgets.
  void enforce_bounds() {
    while (now && !expiry.empty() && expiry.begin()->first <= *now) {
      forget_booking(bookings.find(std::string(expiry.begin()->second)));
    }
    const std::size_t max_bookings = settings.max_guests > SIZE_MAX / kBookingsPerGuest
                                         ? SIZE_MAX
                                         : settings.max_guests * kBookingsPerGuest;
    while (bookings.size() > max_bookings) {
      forget_booking(bookings.find(std::string(std::prev(expiry.end())->second)));
    }
    while (lru.size() > settings.max_guests) {
      guests.erase(lru.front().id);
      lru.pop_front();
    }
  }

  void on_booking(const BookingChanged& b, WallTime ts) {
    const Customer* c = customer_of(b.customer);
    auto it = bookings.find(b.booking);
    // Without a customer there is nothing to learn until an update names one.
    if (it == bookings.end() && c == nullptr) return;
    if (it == bookings.end()) {
      it = bookings.emplace(b.booking, Booking{}).first;
    } else {
      expiry.erase({it->second.expires, it->first});
    }
    Booking& bk = it->second;
    bk.expires = std::max(b.at, ts) + kBookingRetention;
    expiry.emplace(bk.expires, it->first);

    // The booking's share moves to its latest value (and customer): counted once, not per
    // update.
    const double value = b.value ? clean_value(b.value) : bk.value;
    if (Guest* old = find(bk.customer); old != nullptr && old->serial == bk.serial) {
      old->value = std::max(0.0, old->value - bk.value);
    }
    if (c != nullptr) bk.customer = c->id;
    Guest& g = touch(bk.customer, c != nullptr ? std::string_view(c->name) : std::string_view());
    g.value += value;
    bk.value = value;
    bk.serial = g.serial;
  }

  void on_visit(const std::string& booking, const std::optional<Customer>& customer, WallTime ts) {
    const Customer* c = customer_of(customer);
    std::string id;
    if (c != nullptr) {
      id = c->id;
    } else if (const auto it = bookings.find(booking); !booking.empty() && it != bookings.end()) {
      id = it->second.customer;
    } else {
      return;  // a walk-in nobody named
    }
    // Remember the booking too, so a case that names only the booking finds the guest.
    if (c != nullptr && !booking.empty() && bookings.count(booking) == 0) {
      BookingChanged b;
      b.booking = booking;
      b.at = ts;
      b.customer = *c;
      on_booking(b, ts);
    }
    Guest& g = touch(id, c != nullptr ? std::string_view(c->name) : std::string_view());
    const Millis gap = settings.visit_gap;
    if (!g.latest || ts >= *g.latest + gap) {
      g.previous = g.latest;
      g.previous_failures = std::move(g.latest_failures);
      g.latest_failures.clear();
      g.latest = ts;
      ++g.visits;
    } else if (ts > *g.latest - gap) {
      // The same visit, reported out of order: it started with the earliest report, as long
      // as that does not run into the visit before.
      if (ts < *g.latest && (!g.previous || ts >= *g.previous + gap)) g.latest = ts;
    }
  }

  const Guest* resolve(const Subject& s) const {
    if (const Guest* g = s.customer.empty() ? nullptr : find(s.customer); g != nullptr) return g;
    if (s.booking.empty()) return nullptr;
    const auto it = bookings.find(s.booking);
    return it != bookings.end() ? find(it->second.customer) : nullptr;
  }

  GuestTier tier_of(const std::string& id, double value, int visits) const {
    if (vips.count(id) != 0 || value >= settings.vip_spend) return GuestTier::kVip;
    if (visits >= settings.regular_visits) return GuestTier::kRegular;
    if (visits >= 1) return GuestTier::kReturning;
    return GuestTier::kNew;
  }

  GuestProfile profile(const Guest& g) const {
    GuestProfile p;
    p.id = g.id;
    p.name = g.name;
    p.lifetime_value = g.value;
    const bool in_progress = g.latest && now && *now < *g.latest + settings.visit_gap;
    const std::int64_t earlier = in_progress ? g.visits - 1 : g.visits;
    p.visits = static_cast<int>(std::min(earlier, kMaxVisits));
    p.last_visit = in_progress ? g.previous : g.latest;
    p.last_visit_failures = in_progress ? g.previous_failures : g.latest_failures;
    p.tier = tier_of(p.id, p.lifetime_value, p.visits);
    return p;
  }
};

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
  } else if (const auto* a = e.as<GuestArrived>(); a != nullptr) {
    m.on_visit(a->booking, a->customer, e.ts);
  } else if (const auto* s = e.as<GuestSeated>(); s != nullptr) {
    m.on_visit(s->booking, s->customer, e.ts);
  }
  m.enforce_bounds();
}

void GuestBook::on_case_opened(const Case& c) {
  Impl& m = *impl_;
  m.advance(c.opened_at);
  // Only the latest visit's list changes, and it holds each kind once: at most kCaseKindCount.
  if (const Impl::Guest* found = m.resolve(c.subject); found != nullptr && found->latest) {
    Impl::Guest& g = m.touch(found->id, {});
    if (std::find(g.latest_failures.begin(), g.latest_failures.end(), c.kind) ==
        g.latest_failures.end()) {
      g.latest_failures.push_back(c.kind);
    }
  }
  m.enforce_bounds();
}

GuestProfile GuestBook::profile_for(const Subject& s) const {
  const Impl& m = *impl_;
  if (const Impl::Guest* g = m.resolve(s); g != nullptr) return m.profile(*g);
  // A guest the book does not know may still be one the venue marks VIP by hand.
  std::string id = s.customer;
  if (id.empty()) {
    if (const auto it = m.bookings.find(s.booking); it != m.bookings.end()) {
      id = it->second.customer;
    }
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

// Guests are written least recently seen first, so a restore rebuilds the same eviction
// order. Booking shares are written as "counted" rather than by serial: serials are per run.
json::Value GuestBook::export_state() const {
  const Impl& m = *impl_;
  json::Object root;
  root.append("version", kStateVersion);
  root.append("now", opt_time_json(m.now));
  json::Array guests;
  guests.reserve(m.lru.size());
  for (const Impl::Guest& g : m.lru) {
    json::Object o;
    o.append("id", g.id);
    o.append("name", g.name);
    o.append("visits", g.visits);
    o.append("latest", opt_time_json(g.latest));
    o.append("previous", opt_time_json(g.previous));
    o.append("latest_failures", kinds_json(g.latest_failures));
    o.append("previous_failures", kinds_json(g.previous_failures));
    o.append("value", g.value);
    guests.emplace_back(std::move(o));
  }
  root.append("guests", std::move(guests));
  json::Array bookings;
  bookings.reserve(m.bookings.size());
  // In expiry order, so the output does not depend on the hash map's order.
  for (const auto& [expires, id] : m.expiry) {
    const Impl::Booking& b = m.bookings.at(std::string(id));
    const Impl::Guest* g = m.find(b.customer);
    json::Object o;
    o.append("booking", std::string(id));
    o.append("customer", b.customer);
    o.append("value", b.value);
    o.append("counted", g != nullptr && g->serial == b.serial);
    o.append("expires", to_ms(expires));
    bookings.emplace_back(std::move(o));
  }
  root.append("bookings", std::move(bookings));
  return root;
}

std::optional<std::string> GuestBook::restore(const json::Value& state) {
  if (!state.is_object()) return std::string("guest book state is not an object");
  const json::Value* v = state.get("version");
  const std::optional<std::int64_t> version = v != nullptr ? v->as_int() : std::nullopt;
  if (version != kStateVersion) {
    return "guest book state version " + std::to_string(version.value_or(0)) +
           " is not the supported version " + std::to_string(kStateVersion);
  }
  auto fresh = std::make_unique<Impl>(impl_->settings);
  Impl& m = *fresh;
  if (!read_time(state, "now", m.now)) return std::string("guest book state has a bad 'now'");

  const json::Value* guests = state.get("guests");
  if (guests == nullptr || !guests->is_array()) {
    return std::string("guest book state has no 'guests' array");
  }
  for (const json::Value& o : *guests->as_array()) {
    Impl::Guest g;
    const json::Value* visits = o.get("visits");
    g.visits = visits != nullptr ? visits->as_int().value_or(-1) : -1;
    if (!o.is_object() || !read_string(o, "id", g.id, true) || g.id.empty() || g.visits < 0 ||
        g.visits > kMaxVisits || !read_string(o, "name", g.name, false) ||
        !read_time(o, "latest", g.latest) || !read_time(o, "previous", g.previous) ||
        !read_kinds(o, "latest_failures", g.latest_failures) ||
        !read_kinds(o, "previous_failures", g.previous_failures) ||
        !read_value(o, "value", g.value)) {
      return "guest book state has a malformed guest '" + g.id + "'";
    }
    if (m.guests.count(g.id) != 0) return "guest book state lists guest '" + g.id + "' twice";
    g.serial = m.next_serial++;
    m.lru.push_back(std::move(g));
    m.guests.emplace(m.lru.back().id, std::prev(m.lru.end()));
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
    if (!o.is_object() || !read_string(o, "booking", id, true) || id.empty() ||
        !read_string(o, "customer", b.customer, true) || b.customer.empty() ||
        !read_value(o, "value", b.value) || !read_time(o, "expires", expires) || !expires ||
        counted == nullptr || !counted->is_bool()) {
      return "guest book state has a malformed booking '" + id + "'";
    }
    const Impl::Guest* g = m.find(b.customer);
    b.serial = g != nullptr && counted->as_bool().value_or(false) ? g->serial : 0;
    b.expires = *expires;
    const auto [it, inserted] = m.bookings.emplace(std::move(id), std::move(b));
    if (!inserted) return "guest book state lists booking '" + it->first + "' twice";
    m.expiry.emplace(it->second.expires, it->first);
  }
  m.enforce_bounds();  // the settings may be smaller than when the state was written
  impl_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace mend
