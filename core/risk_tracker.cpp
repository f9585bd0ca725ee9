#include "core/risk_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mend::risk {
namespace {

std::int64_t ms(WallTime t) { return t.time_since_epoch().count(); }
WallTime at_ms(std::int64_t v) { return WallTime(Millis(v)); }

json::Value optional_ms(const std::optional<WallTime>& t) {
  return t ? json::Value(ms(*t)) : json::Value(nullptr);
}

// Reads `key` of `j` into out; false (and the key in `bad`) when it is absent or mistyped.
struct Fields {
  const json::Value& j;
  std::string bad;
  bool text(std::string_view key, std::string& out) {
    const json::Value* v = j.get(key);
    if (v == nullptr || v->as_string() == nullptr) return fail(key);
    out = *v->as_string();
    return true;
  }
  bool time(std::string_view key, WallTime& out) {
    const json::Value* v = j.get(key);
    if (v == nullptr || !v->as_int()) return fail(key);
    out = at_ms(*v->as_int());
    return true;
  }
  bool maybe_time(std::string_view key, std::optional<WallTime>& out) {
    const json::Value* v = j.get(key);
    if (v == nullptr) return fail(key);
    if (v->is_null()) {
      out.reset();
      return true;
    }
    if (!v->as_int()) return fail(key);
    out = at_ms(*v->as_int());
    return true;
  }
  bool flag(std::string_view key, bool& out) {
    const json::Value* v = j.get(key);
    if (v == nullptr || !v->as_bool()) return fail(key);
    out = *v->as_bool();
    return true;
  }
  bool fail(std::string_view key) {
    if (bad.empty()) bad = std::string(key);
    return false;
  }
};

}  // namespace

json::Value visit_to_json(const Visit& v) {
  json::Object o;
  o.append("id", v.id);
  o.append("table", v.table);
  o.append("area", v.area);
  o.append("booking", v.booking);
  o.append("customer", v.customer);
  o.append("seated_at", ms(v.seated_at));
  o.append("ended", optional_ms(v.ended));
  json::Array snaps;
  for (const auto& s : v.snapshots) {
    json::Array x;
    for (double d : s.x) x.emplace_back(d);
    json::Object one;
    one.append("at", ms(s.at));
    one.append("x", std::move(x));
    snaps.emplace_back(std::move(one));
  }
  o.append("snapshots", std::move(snaps));
  o.append("first_case", optional_ms(v.first_case));
  o.append("bad", v.bad);
  o.append("outcome", v.outcome);
  o.append("settled", v.settled);
  return json::Value(std::move(o));
}

std::optional<std::string> visit_from_json(const json::Value& j, Visit& out) {
  if (!j.is_object()) return "a visit must be an object";
  Visit v;
  Fields f{j, {}};
  if (!f.text("id", v.id) || !f.text("table", v.table) || !f.text("area", v.area) ||
      !f.text("booking", v.booking) || !f.text("customer", v.customer) ||
      !f.time("seated_at", v.seated_at) || !f.maybe_time("ended", v.ended) ||
      !f.maybe_time("first_case", v.first_case) || !f.flag("bad", v.bad) ||
      !f.text("outcome", v.outcome) || !f.flag("settled", v.settled)) {
    return "visit: '" + f.bad + "' is missing or of the wrong type";
  }
  const json::Value* snaps = j.get("snapshots");
  if (snaps == nullptr || snaps->as_array() == nullptr) {
    return "visit: 'snapshots' is missing or not an array";
  }
  for (const auto& s : *snaps->as_array()) {
    Snapshot one;
    Fields sf{s, {}};
    const json::Value* x = s.get("x");
    if (!s.is_object() || !sf.time("at", one.at) || x == nullptr || x->as_array() == nullptr ||
        x->as_array()->size() != kFeatureCount) {
      return "visit: a snapshot needs 'at' and " + std::to_string(kFeatureCount) +
             " numbers in 'x'";
    }
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
      auto d = (*x->as_array())[i].as_double();
      if (!d || !std::isfinite(*d))
        return "visit: a snapshot's 'x' holds a value that is not a number";
      one.x.at(i) = *d;
    }
    v.snapshots.push_back(one);
  }
  out = std::move(v);
  return std::nullopt;
}

RiskTracker::RiskTracker(TrackerSettings settings) : settings_(std::move(settings)) {}

void RiskTracker::touch(const std::string& id) {
  if (std::find(changed_.begin(), changed_.end(), id) == changed_.end()) changed_.push_back(id);
}

void RiskTracker::observe(const std::vector<Seated>& seated, WallTime now) {
  std::map<std::string, const Seated*> by_table;
  for (const auto& s : seated) by_table[s.table->table] = &s;
  // End the visits whose table left, or was seated again since.
  for (auto it = open_.begin(); it != open_.end();) {
    Visit& v = visits_.at(it->second);
    auto now_seated = by_table.find(it->first);
    if (now_seated == by_table.end() || now_seated->second->table->seated_at != v.seated_at) {
      v.ended = now;
      touch(v.id);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& s : seated) {
    const TableView& t = *s.table;
    auto open = open_.find(t.table);
    if (open == open_.end()) {
      Visit v;
      v.id = t.table + "@" + std::to_string(ms(t.seated_at));
      v.table = t.table;
      v.area = t.area;
      v.booking = t.booking;
      v.customer = t.customer;
      v.seated_at = t.seated_at;
      open = open_.emplace(t.table, v.id).first;
      visits_[v.id] = std::move(v);
    }
    Visit& v = visits_.at(open->second);
    if (v.booking.empty()) v.booking = t.booking;
    if (v.customer.empty()) v.customer = t.customer;
    if (v.first_case) continue;
    if (v.snapshots.empty() || now - v.snapshots.back().at >= settings_.snapshot_every) {
      v.snapshots.push_back(Snapshot{now, s.x});
      touch(v.id);
    }
  }
}

void RiskTracker::on_case(const Case& c, WallTime now) {
  if (std::find(settings_.label_kinds.begin(), settings_.label_kinds.end(), c.kind) ==
      settings_.label_kinds.end()) {
    return;
  }
  auto open = open_.find(c.subject.table);
  if (open == open_.end()) return;
  Visit& v = visits_.at(open->second);
  if (v.first_case) return;
  v.first_case = now;
  if (!v.bad) {
    v.bad = true;
    v.outcome = std::string(case_kind_name(c.kind));
  }
  touch(v.id);
}

Visit* RiskTracker::latest_of(std::string_view booking, std::string_view customer,
                              std::string_view table, std::optional<WallTime> during) {
  Visit* best = nullptr;
  auto consider = [&](auto&& matches) {
    for (auto& [id, v] : visits_) {
      if (v.settled || !matches(v)) continue;
      if (best == nullptr || v.seated_at > best->seated_at) best = &v;
    }
    return best != nullptr;
  };
  if (!booking.empty() && consider([&](const Visit& v) { return v.booking == booking; })) {
    return best;
  }
  if (!customer.empty() && consider([&](const Visit& v) { return v.customer == customer; })) {
    return best;
  }
  if (!table.empty() && during) {
    consider([&](const Visit& v) {
      return v.table == table && v.seated_at <= *during && (!v.ended || *v.ended >= *during);
    });
  }
  return best;
}

void RiskTracker::on_feedback(std::string_view booking, std::string_view customer,
                              std::string_view table, std::optional<WallTime> case_opened,
                              const std::string& outcome) {
  Visit* v = latest_of(booking, customer, table, case_opened);
  if (v == nullptr || v->bad) return;
  v->bad = true;
  v->outcome = outcome;
  touch(v->id);
}

void RiskTracker::settle(WallTime now) {
  for (auto it = visits_.begin(); it != visits_.end();) {
    Visit& v = it->second;
    if (v.ended && now - *v.ended >= settings_.label_window) {
      v.settled = true;
      for (TableHistory* h :
           {&history_[v.table], v.customer.empty() ? nullptr : &guests_[v.customer]}) {
        if (h == nullptr) continue;
        ++h->visits;
        if (v.bad) ++h->bad;
      }
      // The store gets the settled visit now; memory lets it go.
      settled_.push_back(std::move(v));
      std::erase(changed_, it->first);
      it = visits_.erase(it);
    } else {
      ++it;
    }
  }
}

TableHistory RiskTracker::history(const std::string& table) const {
  auto it = history_.find(table);
  return it == history_.end() ? TableHistory{} : it->second;
}

TableHistory RiskTracker::guest_history(const std::string& customer) const {
  auto it = guests_.find(customer);
  return it == guests_.end() ? TableHistory{} : it->second;
}

const Visit* RiskTracker::open_visit(const std::string& table) const {
  auto it = open_.find(table);
  return it == open_.end() ? nullptr : &visits_.at(it->second);
}

std::optional<WallTime> RiskTracker::next_due() const {
  std::optional<WallTime> due;
  auto earliest = [&](WallTime t) { due = due ? std::min(*due, t) : t; };
  for (const auto& [table, id] : open_) {
    const Visit& v = visits_.at(id);
    if (v.first_case) continue;
    earliest(v.snapshots.empty() ? v.seated_at : v.snapshots.back().at + settings_.snapshot_every);
  }
  for (const auto& [id, v] : visits_) {
    if (v.ended) earliest(*v.ended + settings_.label_window);
  }
  return due;
}

std::vector<Visit> RiskTracker::take_changed() {
  std::vector<Visit> out = std::move(settled_);
  settled_.clear();
  for (const auto& id : changed_) {
    if (auto it = visits_.find(id); it != visits_.end()) out.push_back(it->second);
  }
  changed_.clear();
  return out;
}

namespace {

json::Value counts_json(const std::map<std::string, TableHistory>& counts) {
  json::Object all;
  for (const auto& [key, h] : counts) {
    json::Object one;
    one.append("visits", h.visits);
    one.append("bad", h.bad);
    all.append(key, json::Value(std::move(one)));
  }
  return json::Value(std::move(all));
}

std::optional<std::string> counts_from(const json::Value* j, std::string_view what,
                                       std::map<std::string, TableHistory>& out) {
  if (j == nullptr || j->as_object() == nullptr) {
    return "the risk tracker's state needs '" + std::string(what) + "'";
  }
  for (const auto& [key, h] : *j->as_object()) {
    const json::Value* n = h.get("visits");
    const json::Value* bad = h.get("bad");
    if (n == nullptr || !n->as_int() || bad == nullptr || !bad->as_int()) {
      return "the risk tracker's " + std::string(what) + " of " + key + " needs 'visits' and 'bad'";
    }
    out[key] = TableHistory{*n->as_int(), *bad->as_int()};
  }
  return std::nullopt;
}

}  // namespace

json::Value RiskTracker::export_state() const {
  json::Object o;
  o.append("history", counts_json(history_));
  o.append("guests", counts_json(guests_));
  return json::Value(std::move(o));
}

std::optional<std::string> RiskTracker::restore(const json::Value& state,
                                                std::vector<Visit> unsettled) {
  std::map<std::string, TableHistory> counts;
  if (auto error = counts_from(state.get("history"), "history", counts)) return error;
  std::map<std::string, TableHistory> guests;
  if (auto error = counts_from(state.get("guests"), "guests", guests)) return error;
  visits_.clear();
  open_.clear();
  for (auto& v : unsettled) {
    if (v.settled) continue;
    if (!v.ended) {
      // Two open visits of one table (a crash between seatings): the later one is the table's.
      auto [it, fresh] = open_.emplace(v.table, v.id);
      if (!fresh && visits_.at(it->second).seated_at < v.seated_at) it->second = v.id;
    }
    visits_[v.id] = std::move(v);
  }
  history_ = std::move(counts);
  guests_ = std::move(guests);
  changed_.clear();
  settled_.clear();
  return std::nullopt;
}

std::size_t RiskTracker::rename_customer(const std::string& customer,
                                         const std::string& pseudonym) {
  std::size_t renamed = 0;
  if (auto it = guests_.find(customer); it != guests_.end()) {
    guests_[pseudonym] = it->second;
    guests_.erase(customer);
  }
  for (auto& [id, v] : visits_) {
    if (v.customer != customer) continue;
    v.customer = pseudonym;
    touch(id);
    ++renamed;
  }
  return renamed;
}

}  // namespace mend::risk
