// Saving and restoring the guest book: records as rows (taken as they change), the book's own
// state (bookings, seatings, checks) as one document, and a version 1 state read into rows.
#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/guests.hpp"
#include "core/guests_impl.hpp"

namespace mend {
namespace {

using guest_book::Expiring;
using guest_book::kMaxTimeMs;
using guest_book::kMaxVisits;
using guest_book::kStateVersion;

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

// A table's or a check's guest, as export_state writes them under `list`, keyed by `key`.
// Version 1 had none.
std::optional<std::string> read_links(const json::Value& state, const char* list, const char* key,
                                      Expiring<std::string>& into) {
  const json::Value* items = state.get(list);
  if (items == nullptr) return std::nullopt;
  if (!items->is_array()) return "guest book state has a bad '" + std::string(list) + "' list";
  for (const json::Value& o : *items->as_array()) {
    std::string id;
    std::string customer;
    std::optional<WallTime> expires;
    if (!o.is_object() || !read_string(o, key, id, true) || id.empty() ||
        !read_string(o, "customer", customer, true) || !read_time(o, "expires", expires) ||
        !expires) {
      return "guest book state has a malformed " + std::string(key) + " '" + id + "'";
    }
    into.put(id, std::move(customer), *expires);
  }
  return std::nullopt;
}

}  // namespace

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
    o.append("at", b.at ? json::Value(to_ms(*b.at)) : json::Value());
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
        !read_time(o, "at", b.at) || counted == nullptr || !counted->is_bool() ||
        (party != nullptr && !party->as_int().has_value())) {
      return "guest book state has a malformed booking '" + id + "'";
    }
    if (m.bookings.find(id) != nullptr) return "guest book state lists booking '" + id + "' twice";
    const Impl::Guest* g = m.find(b.customer);
    b.serial = g != nullptr && counted->as_bool().value_or(false) ? g->serial : 0;
    b.party = party != nullptr ? std::max<std::int64_t>(0, *party->as_int()) : 0;
    m.bookings.put(id, std::move(b), *expires);
  }
  for (const auto& bad : {read_links(state, "seatings", "table", m.seatings),
                          read_links(state, "checks", "check", m.checks)}) {
    if (bad) return *bad;
  }
  m.enforce_bounds();  // the settings may be smaller than when the state was written
  impl_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace mend
