// The engine's state as plain JSON, and back: what lets open waits and cases survive a restart.
#include "core/engine_impl.hpp"

namespace mend {

namespace {

json::Value time_json(WallTime t) { return json::Value(to_ms(t)); }

json::Value evidence_json(const Evidence& e) {
  json::Object o;
  o.append("event", e.event);
  o.append("type", e.type);
  o.append("ts", to_ms(e.ts));
  o.append("note", e.note);
  return o;
}

std::string str_of(const json::Value* v) {
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  return s != nullptr ? *s : std::string();
}
std::int64_t int_of(const json::Value* v) {
  auto i = v != nullptr ? v->as_int() : std::nullopt;
  return i.value_or(0);
}
double num_of(const json::Value* v) {
  auto d = v != nullptr ? v->as_double() : std::nullopt;
  return d.value_or(0.0);
}
Evidence evidence_from(const json::Value* v) {
  if (v == nullptr) return {};
  return Evidence{str_of(v->get("event")), str_of(v->get("type")),
                  wall_from_ms(int_of(v->get("ts"))), str_of(v->get("note"))};
}

json::Value subject_json(const Subject& s) { return subject_to_json(s); }
Subject subject_from(const json::Value* v) {
  Subject s;
  if (v == nullptr) return s;
  s.table = str_of(v->get("table"));
  s.check = str_of(v->get("check"));
  s.course = str_of(v->get("course"));
  s.booking = str_of(v->get("booking"));
  s.customer = str_of(v->get("customer"));
  s.device = str_of(v->get("device"));
  s.enquiry = str_of(v->get("enquiry"));
  s.walk_in = str_of(v->get("walk_in"));
  s.review = str_of(v->get("review"));
  s.area = str_of(v->get("area"));
  s.kind = str_of(v->get("kind"));
  return s;
}

json::Array strings_json(const std::vector<std::string>& v) {
  json::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

// Monotonic instants are written relative to the export's own monotonic time, so a restore
// only has to add the new `now` (and any downtime) to place them again.
EngineState Engine::export_state(Now now) const {
  const Impl& m = *impl_;
  const auto rel = [&](MonoTime t) { return (t - now.mono).count(); };
  json::Object root;
  root.append("version", Impl::kStateVersion);
  root.append("exported_wall", to_ms(now.wall));
  root.append("exported_mono", to_ms(now.mono));
  root.append("case_seq", static_cast<std::int64_t>(m.case_seq));

  json::Array waits;
  waits.reserve(m.waits.size());
  m.waits.for_each([&](const Wait& w) {
    json::Object o;
    o.append("kind", case_kind_name(w.kind));
    o.append("key", w.key);
    o.append("case_key", w.case_key);
    o.append("subject", subject_json(w.subject));
    o.append("anchor", rel(w.anchor));
    o.append("started", time_json(w.started));
    o.append("threshold", w.threshold.count());
    o.append("stage", w.stage);
    o.append("deadline", rel(w.deadline));
    o.append("start", evidence_json(w.start));
    o.append("party", w.party);
    o.append("value", w.value);
    o.append("detail", w.detail);
    if (w.held) {
      o.append("held", true);
      o.append("held_since", rel(w.held_since));
    }
    waits.emplace_back(std::move(o));
  });
  root.append("waits", std::move(waits));

  json::Array cases;
  for (const auto& [key, c] : m.open_cases) {
    json::Object o;
    o.append("key", key);
    o.append("id", c.id);
    o.append("severity", severity_name(c.severity));
    o.append("table", c.table);
    o.append("check", c.check);
    cases.emplace_back(std::move(o));
  }
  root.append("cases", std::move(cases));

  json::Array tables;
  for (const auto& [name, t] : m.tables) {
    json::Object o;
    o.append("table", name);
    o.append("seated", t.seated);
    o.append("from_sensor", t.from_sensor);
    o.append("seated_at", time_json(t.seated_at));
    o.append("booking", t.booking);
    o.append("customer", t.customer);
    o.append("party", t.party);
    o.append("value", t.value);
    if (t.last_order) o.append("last_order", time_json(*t.last_order));
    o.append("checks", strings_json(t.checks));
    o.append("bill_requested", t.bill_requested);
    tables.emplace_back(std::move(o));
  }
  root.append("tables", std::move(tables));

  json::Array checks;
  for (const auto& [name, c] : m.checks) {
    json::Object o;
    o.append("check", name);
    o.append("table", c.table);
    o.append("voids", c.voids);
    json::Array ev;
    for (const auto& e : c.void_evidence) ev.push_back(evidence_json(e));
    o.append("void_evidence", std::move(ev));
    json::Array served;
    for (const auto& [course, ts] : c.served) {
      json::Object so;
      so.append("course", course);
      so.append("ts", to_ms(ts));
      served.emplace_back(std::move(so));
    }
    o.append("served", std::move(served));
    o.append("fired", strings_json(c.fired));
    if (c.paid) o.append("paid", time_json(*c.paid));
    o.append("touched", rel(c.touched));
    checks.emplace_back(std::move(o));
  }
  root.append("checks", std::move(checks));

  json::Array bookings;
  for (const auto& [name, b] : m.bookings) {
    json::Object o;
    o.append("booking", name);
    o.append("at", time_json(b.at));
    o.append("party", b.party);
    o.append("value", b.value);
    o.append("customer", b.customer);
    if (b.seated) o.append("seated", time_json(*b.seated));
    o.append("touched", rel(b.touched));
    bookings.emplace_back(std::move(o));
  }
  root.append("bookings", std::move(bookings));

  json::Array answered;
  for (const auto& [name, ts] : m.answered_enquiries) {
    json::Object o;
    o.append("enquiry", name);
    o.append("ts", to_ms(ts));
    auto it = m.answered_touched.find(name);
    o.append("touched", it == m.answered_touched.end() ? 0 : rel(it->second));
    answered.emplace_back(std::move(o));
  }
  root.append("answered_enquiries", std::move(answered));
  json::Array enquirers;
  for (const auto& [way, who] : m.enquirers) {
    json::Object o;
    o.append("way", way);
    o.append("guest", who.guest);
    o.append("touched", rel(who.touched));
    enquirers.emplace_back(std::move(o));
  }
  root.append("enquirers", std::move(enquirers));
  root.append("walkins", strings_json({m.walkins.begin(), m.walkins.end()}));

  json::Array patterns;
  for (const auto& [key, hits] : m.patterns) {
    json::Object o;
    o.append("key", key);
    json::Array h;
    for (const auto& hit : hits) {
      json::Object ho;
      ho.append("at", rel(hit.at));
      ho.append("wall", to_ms(hit.wall));
      ho.append("case", hit.case_id);
      h.emplace_back(std::move(ho));
    }
    o.append("hits", std::move(h));
    patterns.emplace_back(std::move(o));
  }
  root.append("patterns", std::move(patterns));
  root.append("started", m.started);
  root.append("next_housekeeping", rel(m.next_housekeeping));
  return EngineState{json::Value(std::move(root))};
}

std::optional<std::string> Engine::restore(const EngineState& state, Now now, bool same_boot) {
  const json::Value& root = state.data;
  if (!root.is_object()) return std::string("engine state is not an object");
  if (int_of(root.get("version")) != Impl::kStateVersion) {
    return "engine state version " + std::to_string(int_of(root.get("version"))) +
           " is not the supported version " + std::to_string(Impl::kStateVersion);
  }
  // Where the export's monotonic "now" sits on today's clock: exactly where it was within one
  // boot; after a reboot, as long ago as the wall clock says (never in the future).
  MonoTime base = mono_from_ms(int_of(root.get("exported_mono")));
  if (!same_boot || base > now.mono) {
    Millis downtime = now.wall - wall_from_ms(int_of(root.get("exported_wall")));
    if (downtime < Millis{0}) downtime = Millis{0};
    base = now.mono - downtime;
  }
  const auto abs = [&](const json::Value* v) { return base + Millis{int_of(v)}; };

  auto fresh = std::make_unique<Impl>(impl_->settings);
  Impl& m = *fresh;
  m.case_seq = static_cast<std::uint64_t>(int_of(root.get("case_seq")));
  m.last_mono = now.mono;
  m.started = root.get("started") != nullptr && root.get("started")->as_bool().value_or(false);
  m.next_housekeeping = abs(root.get("next_housekeeping"));

  if (const json::Value* waits = root.get("waits"); waits != nullptr && waits->is_array()) {
    for (const auto& o : *waits->as_array()) {
      auto kind = case_kind_from_name(str_of(o.get("kind")));
      if (!kind) return "engine state has a wait of unknown kind '" + str_of(o.get("kind")) + "'";
      Wait w;
      w.kind = *kind;
      w.key = str_of(o.get("key"));
      w.case_key = str_of(o.get("case_key"));
      w.subject = subject_from(o.get("subject"));
      w.anchor = abs(o.get("anchor"));
      w.started = wall_from_ms(int_of(o.get("started")));
      w.threshold = Millis{int_of(o.get("threshold"))};
      w.stage = static_cast<int>(int_of(o.get("stage")));
      w.start = evidence_from(o.get("start"));
      w.party = int_of(o.get("party"));
      w.value = num_of(o.get("value"));
      w.detail = str_of(o.get("detail"));
      w.held = o.get("held") != nullptr && o.get("held")->as_bool().value_or(false);
      if (w.held) w.held_since = abs(o.get("held_since"));
      // A held wait gives the source's health, which starts afresh, time to find the source
      // blind again before it breaches.
      const MonoTime deadline =
          w.held ? std::max(abs(o.get("deadline")), now.mono + Engine::kReturnGrace)
                 : abs(o.get("deadline"));
      if (w.key.empty() || m.waits.contains(w.key)) return std::string("bad wait key in state");
      const WaitQueue::Slot slot = m.waits.add(std::move(w));
      m.waits.schedule(slot, deadline);
    }
  }
  if (const json::Value* cases = root.get("cases"); cases != nullptr && cases->is_array()) {
    for (const auto& o : *cases->as_array()) {
      Impl::OpenCase c{str_of(o.get("id")),
                       severity_from_name(str_of(o.get("severity"))).value_or(Severity::kMedium),
                       str_of(o.get("table")), str_of(o.get("check"))};
      const std::string key = str_of(o.get("key"));
      m.case_keys[c.id] = key;
      m.open_cases[key] = std::move(c);
    }
  }
  if (const json::Value* tables = root.get("tables"); tables != nullptr && tables->is_array()) {
    for (const auto& o : *tables->as_array()) {
      Impl::TableState t;
      t.seated = o.get("seated") != nullptr && o.get("seated")->as_bool().value_or(false);
      t.from_sensor =
          o.get("from_sensor") != nullptr && o.get("from_sensor")->as_bool().value_or(false);
      t.seated_at = wall_from_ms(int_of(o.get("seated_at")));
      t.booking = str_of(o.get("booking"));
      t.customer = str_of(o.get("customer"));
      t.party = int_of(o.get("party"));
      t.value = num_of(o.get("value"));
      if (o.get("last_order") != nullptr) t.last_order = wall_from_ms(int_of(o.get("last_order")));
      if (const json::Value* c = o.get("checks"); c != nullptr && c->is_array()) {
        for (const auto& s : *c->as_array()) t.checks.push_back(str_of(&s));
      }
      t.bill_requested =
          o.get("bill_requested") != nullptr && o.get("bill_requested")->as_bool().value_or(false);
      m.tables[str_of(o.get("table"))] = std::move(t);
    }
  }
  if (const json::Value* checks = root.get("checks"); checks != nullptr && checks->is_array()) {
    for (const auto& o : *checks->as_array()) {
      Impl::CheckState c;
      c.table = str_of(o.get("table"));
      c.voids = int_of(o.get("voids"));
      if (const json::Value* ev = o.get("void_evidence"); ev != nullptr && ev->is_array()) {
        for (const auto& e : *ev->as_array()) c.void_evidence.push_back(evidence_from(&e));
      }
      if (const json::Value* sv = o.get("served"); sv != nullptr && sv->is_array()) {
        for (const auto& s : *sv->as_array()) {
          c.served.emplace_back(str_of(s.get("course")), wall_from_ms(int_of(s.get("ts"))));
        }
      }
      if (const json::Value* f = o.get("fired"); f != nullptr && f->is_array()) {
        for (const auto& course : *f->as_array()) c.fired.push_back(str_of(&course));
      }
      if (o.get("paid") != nullptr) c.paid = wall_from_ms(int_of(o.get("paid")));
      c.touched = abs(o.get("touched"));
      m.checks[str_of(o.get("check"))] = std::move(c);
    }
  }
  if (const json::Value* bookings = root.get("bookings");
      bookings != nullptr && bookings->is_array()) {
    for (const auto& o : *bookings->as_array()) {
      Impl::BookingInfo b;
      b.at = wall_from_ms(int_of(o.get("at")));
      b.party = int_of(o.get("party"));
      b.value = num_of(o.get("value"));
      b.customer = str_of(o.get("customer"));
      if (o.get("seated") != nullptr) b.seated = wall_from_ms(int_of(o.get("seated")));
      b.touched = abs(o.get("touched"));
      m.bookings[str_of(o.get("booking"))] = std::move(b);
    }
  }
  if (const json::Value* ans = root.get("answered_enquiries"); ans != nullptr && ans->is_array()) {
    for (const auto& o : *ans->as_array()) {
      const std::string name = str_of(o.get("enquiry"));
      m.answered_enquiries[name] = wall_from_ms(int_of(o.get("ts")));
      m.answered_touched[name] = abs(o.get("touched"));
    }
  }
  // Absent from a state saved before enquiries were linked: none are known yet.
  if (const json::Value* en = root.get("enquirers"); en != nullptr && en->is_array()) {
    for (const auto& o : *en->as_array()) {
      m.enquirers[str_of(o.get("way"))] =
          Impl::Enquirer{str_of(o.get("guest")), abs(o.get("touched"))};
    }
  }
  if (const json::Value* wk = root.get("walkins"); wk != nullptr && wk->is_array()) {
    for (const auto& s : *wk->as_array()) m.walkins.push_back(str_of(&s));
  }
  if (const json::Value* pats = root.get("patterns"); pats != nullptr && pats->is_array()) {
    for (const auto& o : *pats->as_array()) {
      auto& hits = m.patterns[str_of(o.get("key"))];
      if (const json::Value* h = o.get("hits"); h != nullptr && h->is_array()) {
        for (const auto& hit : *h->as_array()) {
          hits.push_back(Impl::PatternHit{abs(hit.get("at")), wall_from_ms(int_of(hit.get("wall"))),
                                          str_of(hit.get("case"))});
        }
      }
    }
  }
  // Devices registered since the export still need their silence watch.
  if (m.started) {
    for (const auto& d : m.settings.devices) {
      if (m.waits.find(Impl::make_key(Impl::kTagSilence, d.id)) == nullptr) {
        m.arm_silence(d.id, now, nullptr);
      }
    }
  }
  impl_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace mend
