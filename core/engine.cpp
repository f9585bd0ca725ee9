#include "core/engine.hpp"

#include <algorithm>

#include "core/engine_impl.hpp"

namespace mend {

std::string_view decision_op_name(Decision::Op op) {
  switch (op) {
    case Decision::Op::kOpen: return "open";
    case Decision::Op::kAddEvidence: return "add_evidence";
    case Decision::Op::kRaiseSeverity: return "raise_severity";
    case Decision::Op::kClose: return "close";
  }
  return "unknown";
}

DetectionSettings DetectionSettings::from(const Config& c) {
  DetectionSettings s;
  s.detect = c.detect;
  s.devices = c.devices;
  s.areas = c.areas;
  return s;
}

// ---- Impl: settings, time, housekeeping, dedup ------------------------------------------------

void Engine::Impl::apply_settings(DetectionSettings s) {
  settings = std::move(s);
  table_area.clear();
  for (const auto& a : settings.areas) {
    for (const auto& t : a.tables) table_area[t] = a.name;
  }
  devices.clear();
  for (const auto& d : settings.devices) devices[d.id] = &d;
}

Now Engine::Impl::clamp(Now now) {
  if (now.mono < last_mono) now.mono = last_mono;
  last_mono = now.mono;
  return now;
}

void Engine::Impl::housekeeping(Now now) {
  const auto stale = [&](MonoTime touched) { return now.mono - touched > kForgetAfter; };
  for (auto it = checks.begin(); it != checks.end();) {
    it = stale(it->second.touched) ? checks.erase(it) : std::next(it);
  }
  for (auto it = bookings.begin(); it != bookings.end();) {
    const bool past = now.wall - it->second.at > kForgetAfter;
    it = (past && stale(it->second.touched)) ? bookings.erase(it) : std::next(it);
  }
  for (auto it = answered_touched.begin(); it != answered_touched.end();) {
    if (stale(it->second)) {
      answered_enquiries.erase(it->first);
      it = answered_touched.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(enquirers,
                [&](const auto& e) { return now.mono - e.second.touched > kEnquirerMemory; });
  for (auto it = patterns.begin(); it != patterns.end();) {
    auto& hits = it->second;
    while (!hits.empty() && now.mono - hits.front().at >= settings.detect.pattern_window) {
      hits.pop_front();
    }
    it = hits.empty() ? patterns.erase(it) : std::next(it);
  }
  std::erase_if(walkins, [&](const std::string& k) { return !waits.contains(k); });
  next_housekeeping = now.mono + kHousekeeping;
}

void Engine::Impl::start(Now now) {
  if (started) return;
  started = true;
  next_housekeeping = now.mono + kHousekeeping;
  for (const auto& d : settings.devices) {
    if (waits.find(make_key(kTagSilence, d.id)) == nullptr) arm_silence(d.id, now, nullptr);
  }
}

bool Engine::Impl::remember(const std::string& id) {
  auto [it, inserted] = seen.insert(id);
  if (!inserted) return false;
  seen_order.push_back(&*it);
  while (seen_order.size() > settings.dedup_capacity) {
    seen.erase(*seen_order.front());
    seen_order.pop_front();
  }
  return true;
}

std::optional<MonoTime> Engine::Impl::next_deadline() { return waits.next_deadline(); }

void Engine::Impl::run_due(Now now, EngineOutput& out) {
  while (auto slot = waits.pop_due(now.mono)) fire(*slot, now, out);
  if (started && now.mono >= next_housekeeping) housekeeping(now);
}

// ---- Engine --------------------------------------------------------------------------------

Engine::Engine(DetectionSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

EngineOutput Engine::on_event(const Event& e, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  if (!m.remember(e.id)) {
    out.duplicate = true;
    out.next_deadline = m.next_deadline();
    return out;
  }
  // Whatever is due before this event is decided first, so decisions come out in time order.
  m.run_due(now, out);
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, OrderOpened>) {
          m.on_order_opened(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemsFired>) {
          m.on_items_fired(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemsServed>) {
          m.on_items_served(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CheckRequested>) {
          m.on_check_requested(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CheckPaid>) {
          m.on_check_paid(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemVoided>) {
          m.on_item_voided(e, b, now, out);
        } else if constexpr (std::is_same_v<T, BookingChanged>) {
          m.on_booking_changed(e, b, now);
        } else if constexpr (std::is_same_v<T, BookingCancelled>) {
          m.end_wait(Impl::make_key(Impl::tag_of(CaseKind::kArrivalUnseated), b.booking), e,
                     "Cancelled", now, out);
          m.bookings.erase(b.booking);
        } else if constexpr (std::is_same_v<T, GuestArrived>) {
          m.on_guest_arrived(e, b, now, out);
        } else if constexpr (std::is_same_v<T, GuestSeated>) {
          m.seat(b.table, e, b.booking, b.party, b.customer, false, now, out);
        } else if constexpr (std::is_same_v<T, TableCleared>) {
          m.clear_table(b.table, e, now, out, /*keep_order=*/false);
        } else if constexpr (std::is_same_v<T, EnquiryReceived>) {
          m.on_enquiry_received(e, b, now, out);
        } else if constexpr (std::is_same_v<T, EnquiryAnswered>) {
          m.on_enquiry_answered(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Temperature>) {
          m.on_temperature(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CallButton>) {
          m.on_call_button(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Occupancy>) {
          m.on_occupancy(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Queue>) {
          m.device_seen(b.device, e, now, out);
        } else if constexpr (std::is_same_v<T, DeviceStatus>) {
          m.on_status(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ReviewReceived>) {
          m.on_review(e, b, now, out);
        } else {
          // voucher.redeemed and survey.answered inform recovery policy, not detection.
        }
      },
      e.body);
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::on_tick(Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  m.run_due(now, out);
  out.next_deadline = m.next_deadline();
  return out;
}

void Engine::on_case_closed(std::string_view case_id) {
  Impl& m = *impl_;
  auto it = m.case_keys.find(std::string(case_id));
  if (it == m.case_keys.end()) return;
  m.open_cases.erase(it->second);
  m.case_keys.erase(it);
}

namespace {

// A decision about a case opened from outside detection (raise_case / clear_case).
Decision outside_decision(Decision::Op op, const std::string& case_id, CaseKind kind,
                          const Subject& subject, Severity severity, std::string reason,
                          Evidence evidence, Now now) {
  Decision d;
  d.op = op;
  d.case_id = case_id;
  d.kind = kind;
  d.subject = subject;
  d.severity = severity;
  d.at = now.wall;
  d.started = now.wall;
  d.reason = std::move(reason);
  d.evidence.push_back(std::move(evidence));
  return d;
}

}  // namespace

EngineOutput Engine::raise_case(CaseKind kind, const Subject& subject, Severity severity,
                                std::string reason, Evidence evidence, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  EngineOutput out;
  // One per device (the box's health) or per guest (win-back).
  const std::string key = Impl::make_key(Impl::tag_of(kind), subject.device, subject.customer);
  if (auto it = m.open_cases.find(key); it != m.open_cases.end()) {
    out.decisions.push_back(outside_decision(Decision::Op::kAddEvidence, it->second.id, kind,
                                             subject, it->second.severity, std::move(reason),
                                             std::move(evidence), now));
  } else {
    const std::string id = m.open_case(kind, key, subject, severity, now).case_id;
    out.decisions.push_back(outside_decision(Decision::Op::kOpen, id, kind, subject, severity,
                                             std::move(reason), std::move(evidence), now));
  }
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::open_reported(CaseKind kind, const Subject& subject, Severity severity,
                                   std::string reason, Evidence evidence, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  EngineOutput out;
  // Every report is a case of its own (two complaints at one table are two conversations), so
  // its key is the case's own number.
  const std::string key = Impl::make_key(Impl::tag_of(kind), "report", std::to_string(m.case_seq));
  const std::string id = m.open_case(kind, key, subject, severity, now).case_id;
  out.decisions.push_back(outside_decision(Decision::Op::kOpen, id, kind, subject, severity,
                                           std::move(reason), std::move(evidence), now));
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::clear_case(CaseKind kind, const Subject& subject, std::string reason,
                                Evidence evidence, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  EngineOutput out;
  const std::string key = Impl::make_key(Impl::tag_of(kind), subject.device, subject.customer);
  if (auto it = m.open_cases.find(key); it != m.open_cases.end()) {
    out.decisions.push_back(outside_decision(Decision::Op::kClose, it->second.id, kind, subject,
                                             it->second.severity, std::move(reason),
                                             std::move(evidence), now));
    m.case_keys.erase(it->second.id);
    m.open_cases.erase(it);
  }
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::set_sight(Source s, Sight sight, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  const auto i = static_cast<std::size_t>(s);
  if (m.sight[i] != sight) {
    const Sight was = m.sight[i];
    m.sight[i] = sight;
    if (sight != Sight::kSeeing) {
      if (was == Sight::kSeeing) m.back_at[i].reset();
    } else {
      m.back_at[i] = now.mono;
      std::vector<std::string> keys;
      m.waits.for_each([&](const Wait& w) {
        if (w.held && answered_by(w.kind) == s) keys.push_back(w.key);
      });
      for (const std::string& key : keys) {
        m.waits.schedule(*m.waits.slot_of(key), now.mono + Engine::kReturnGrace);
      }
    }
  }
  // Waits due before this moment are decided by the state they were due in.
  m.run_due(now, out);
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::shift_source(Source s, Millis by, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  std::vector<std::string> keys;
  m.waits.for_each([&](const Wait& w) {
    const auto type = event_type_from_name(s, w.start.type);
    if (w.stage == 0 && type && event_source(*type) == s) keys.push_back(w.key);
  });
  for (const std::string& key : keys) {
    const WaitQueue::Slot slot = *m.waits.slot_of(key);
    Wait& w = m.waits.at(slot);
    w.started += by;
    w.start.ts += by;
    w.anchor += by;
    m.waits.schedule(slot, w.anchor + w.threshold);
  }
  m.run_due(now, out);
  out.next_deadline = m.next_deadline();
  return out;
}

std::vector<Engine::HeldWait> Engine::held(Source s, Now now) const {
  const Impl& m = *impl_;
  std::vector<HeldWait> out;
  m.waits.for_each([&](const Wait& w) {
    if (w.held && answered_by(w.kind) == s) {
      out.push_back(HeldWait{w.kind, w.start, m.held_words(w, now)});
    }
  });
  std::sort(out.begin(), out.end(),
            [](const HeldWait& a, const HeldWait& b) { return a.start.ts < b.start.ts; });
  return out;
}

std::optional<MonoTime> Engine::next_deadline() const { return impl_->next_deadline(); }

bool Engine::seated(const std::string& table) const {
  const auto it = impl_->tables.find(table);
  return it != impl_->tables.end() && it->second.seated;
}

void Engine::update_settings(DetectionSettings settings) {
  impl_->apply_settings(std::move(settings));
}

std::size_t Engine::rename_customer(const std::string& customer, const std::string& pseudonym) {
  Impl& m = *impl_;
  if (customer.empty()) return 0;
  std::size_t renamed = 0;
  const auto rename = [&](std::string& who) {
    if (who != customer) return;
    who = pseudonym;
    ++renamed;
  };
  for (auto& [id, t] : m.tables) rename(t.customer);
  for (auto& [id, b] : m.bookings) rename(b.customer);
  std::vector<std::string> keys;
  m.waits.for_each([&](const Wait& w) {
    if (w.subject.customer == customer) keys.push_back(w.key);
  });
  for (const std::string& key : keys) rename(m.waits.find(key)->subject.customer);
  // A case raised for the guest (win-back) is keyed by their id: rekey it.
  const std::string suffix = std::string(1, '\x1f') + customer;
  std::vector<std::pair<std::string, Impl::OpenCase>> rekeyed;
  std::erase_if(m.open_cases, [&](const auto& kv) {
    if (!kv.first.ends_with(suffix)) return false;
    rekeyed.emplace_back(kv.first.substr(0, kv.first.size() - customer.size()) + pseudonym,
                         kv.second);
    return true;
  });
  for (auto& [key, oc] : rekeyed) {
    m.case_keys[oc.id] = key;
    m.open_cases.emplace(std::move(key), std::move(oc));
    ++renamed;
  }
  if (const auto it = m.enquirers.find(identity_hash("id:" + customer)); it != m.enquirers.end()) {
    const std::string guest = it->second.guest;
    std::erase_if(m.enquirers, [&](const auto& e) { return e.second.guest == guest; });
  }
  return renamed;
}

std::size_t Engine::pending_waits() const { return impl_->waits.size(); }

std::vector<TableView> Engine::tables() const {
  const Impl& m = *impl_;
  // One pass over the waits, not one per table: a floor request stays O(waits + tables).
  std::unordered_map<std::string, std::vector<TableTimer>> timers;
  m.waits.for_each([&](const Wait& w) {
    if (w.subject.table.empty()) return;
    if (w.kind != CaseKind::kTableNoOrder && w.kind != CaseKind::kCourseSlow &&
        w.kind != CaseKind::kBillSlow) {
      return;
    }
    timers[w.subject.table].push_back(
        TableTimer{w.kind, w.subject.course, w.started, w.threshold, w.stage > 0});
  });
  std::vector<TableView> out;
  out.reserve(m.tables.size());
  for (const auto& [name, t] : m.tables) {
    if (!t.seated) continue;
    TableView v;
    v.table = name;
    v.area = m.area_of_table(name);
    v.seated = t.seated;
    v.seated_at = t.seated_at;
    v.booking = t.booking;
    v.customer = t.customer;
    v.party = t.party;
    v.value = t.value;
    v.checks = t.checks;
    v.ordered = t.last_order.has_value();
    v.bill_requested = t.bill_requested;
    for (const auto& check : t.checks) {
      auto c = m.checks.find(check);
      if (c == m.checks.end()) continue;
      for (const auto& course : c->second.fired) {
        if (m.waits.contains(Impl::make_key(Impl::tag_of(CaseKind::kCourseSlow), check, course))) {
          v.courses_waiting.push_back(course);
        }
      }
    }
    std::sort(v.courses_waiting.begin(), v.courses_waiting.end());
    if (auto it = timers.find(name); it != timers.end()) {
      v.timers = std::move(it->second);
      std::sort(v.timers.begin(), v.timers.end(), [](const TableTimer& a, const TableTimer& b) {
        return a.started != b.started ? a.started < b.started : a.course < b.course;
      });
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(),
            [](const TableView& a, const TableView& b) { return a.table < b.table; });
  return out;
}

}  // namespace mend
