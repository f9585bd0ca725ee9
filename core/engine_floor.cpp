// The front of house: tables, checks, courses and bills, arrivals and bookings, call buttons
// and seat sensors, enquiries and reviews.
#include "core/engine_impl.hpp"

#include <algorithm>
#include <cstdio>

#include "core/guest_record.hpp"

namespace mend {

std::string Engine::Impl::area_of_table(const std::string& table) const {
  auto it = table_area.find(table);
  return it == table_area.end() ? std::string() : it->second;
}

Subject Engine::Impl::table_subject(const std::string& table) const {
  Subject s;
  s.table = table;
  s.area = area_of_table(table);
  auto it = tables.find(table);
  if (it != tables.end()) {
    s.booking = it->second.booking;
    s.customer = it->second.customer;
  }
  return s;
}

std::string Engine::Impl::check_table(const std::string& check, const std::string& given) const {
  if (!given.empty()) return given;
  auto it = checks.find(check);
  return it == checks.end() ? std::string() : it->second.table;
}

Engine::Impl::CheckState& Engine::Impl::touch_check(const std::string& check,
                                                    const std::string& table, Now now) {
  CheckState& c = checks[check];
  if (!table.empty() && c.table != table) {
    c.table = table;
    auto& ts = tables[table];
    if (std::find(ts.checks.begin(), ts.checks.end(), check) == ts.checks.end()) {
      ts.checks.push_back(check);
    }
  }
  c.touched = now.mono;
  return c;
}

void Engine::Impl::seat(const std::string& table, const Event& e, const std::string& booking,
                        std::optional<std::int64_t> party, const std::optional<Customer>& customer,
                        bool from_sensor, Now now, EngineOutput& out) {
  TableState& t = tables[table];
  if (t.seated) {
    // Seated again without a table.cleared in between: the old seating is over.
    clear_table(table, e, now, out, /*keep_order=*/true);
  }
  TableState& ts = tables[table];
  ts.seated = true;
  ts.from_sensor = from_sensor;
  ts.seated_at = e.ts;
  ts.booking = booking;
  ts.customer = customer ? customer->id : std::string();
  ts.party = party.value_or(0);
  ts.value = 0;
  ts.bill_requested = false;
  if (!booking.empty()) {
    BookingInfo& b = bookings[booking];
    if (ts.party == 0) ts.party = b.party;
    ts.value = b.value;
    if (ts.customer.empty()) ts.customer = b.customer;
    b.seated = e.ts;
    b.touched = now.mono;
    end_wait(make_key(tag_of(CaseKind::kArrivalUnseated), booking), e, "Seated", now, out);
  } else if (!from_sensor) {
    seat_walkin(ts.party, e, now, out);
  }
  if (ts.last_order && *ts.last_order >= e.ts) return;  // the order came in first
  ts.last_order.reset();

  Wait w;
  w.kind = CaseKind::kTableNoOrder;
  w.key = make_key(tag_of(w.kind), table);
  w.case_key = w.key;
  w.subject = table_subject(table);
  w.started = e.ts;
  w.threshold = settings.detect.table_no_order;
  w.start = evidence_of(e);
  w.party = ts.party;
  w.value = ts.value;
  start_wait(std::move(w), now, out);
}

void Engine::Impl::seat_walkin(std::int64_t party, const Event& e, Now now, EngineOutput& out) {
  for (auto it = walkins.begin(); it != walkins.end(); ++it) {
    Wait* w = waits.find(*it);
    if (w == nullptr) continue;
    if (party == 0 || w->party == 0 || w->party == party) {
      const std::string key = *it;
      walkins.erase(it);
      end_wait(key, e, "Seated", now, out);
      return;
    }
  }
}

void Engine::Impl::clear_table(const std::string& table, const Event& e, Now now, EngineOutput& out,
                               bool keep_order) {
  auto it = tables.find(table);
  const std::vector<std::string> table_checks =
      it != tables.end() ? it->second.checks : std::vector<std::string>{};
  const std::optional<WallTime> last_order =
      it != tables.end() ? it->second.last_order : std::nullopt;
  end_wait(make_key(tag_of(CaseKind::kTableNoOrder), table), e, "Table cleared", now, out);
  end_wait(make_key(tag_of(CaseKind::kCallUnanswered), table), e, "Table cleared", now, out);
  for (const auto& check : table_checks) {
    end_check_waits(check, e, "Table cleared", now, out);
    checks.erase(check);
    release_cases({}, check);
  }
  release_cases(table, {});
  tables.erase(table);
  if (keep_order && last_order) tables[table].last_order = last_order;
}

void Engine::Impl::end_check_waits(const std::string& check, const Event& e, std::string_view what,
                                   Now now, EngineOutput& out) {
  end_wait(make_key(tag_of(CaseKind::kBillSlow), check), e, what, now, out);
  auto it = checks.find(check);
  if (it == checks.end()) return;
  const std::vector<std::string> fired = it->second.fired;  // end_wait may touch checks
  for (const auto& course : fired) {
    end_wait(make_key(tag_of(CaseKind::kCourseSlow), check, course), e, what, now, out);
  }
}

void Engine::Impl::on_order_opened(const Event& e, const OrderOpened& b, Now now,
                                   EngineOutput& out) {
  TableState& t = tables[b.table];
  if (!t.last_order || e.ts > *t.last_order) t.last_order = e.ts;
  touch_check(b.check, b.table, now);
  end_wait(make_key(tag_of(CaseKind::kTableNoOrder), b.table), e, "Order taken", now, out);
}

void Engine::Impl::on_items_fired(const Event& e, const ItemsFired& b, Now now, EngineOutput& out) {
  const std::string table = check_table(b.check, b.table);
  CheckState& c = touch_check(b.check, table, now);
  for (const auto& [course, ts] : c.served) {
    if (course == b.course && ts >= e.ts) return;  // served before we heard it was fired
  }
  if (std::find(c.fired.begin(), c.fired.end(), b.course) == c.fired.end()) {
    c.fired.push_back(b.course);
  }
  const auto& courses = settings.detect.course;
  auto it = courses.find(b.course);
  Wait w;
  w.kind = CaseKind::kCourseSlow;
  w.key = make_key(tag_of(w.kind), b.check, b.course);
  w.case_key = w.key;
  w.subject = table.empty() ? Subject{} : table_subject(table);
  w.subject.check = b.check;
  w.subject.course = b.course;
  w.started = e.ts;
  w.threshold = it != courses.end() ? it->second : settings.detect.course_default;
  w.start = evidence_of(e);
  fill_party(w, table);
  start_wait(std::move(w), now, out);
}

void Engine::Impl::fill_party(Wait& w, const std::string& table) const {
  auto it = tables.find(table);
  if (it == tables.end()) return;
  w.party = it->second.party;
  w.value = it->second.value;
}

void Engine::Impl::on_items_served(const Event& e, const ItemsServed& b, Now now,
                                   EngineOutput& out) {
  CheckState& c = touch_check(b.check, b.table, now);
  bool found = false;
  for (auto& [course, ts] : c.served) {
    if (course == b.course) {
      ts = std::max(ts, e.ts);
      found = true;
    }
  }
  if (!found) c.served.emplace_back(b.course, e.ts);
  end_wait(make_key(tag_of(CaseKind::kCourseSlow), b.check, b.course), e, "Served", now, out);
}

void Engine::Impl::on_check_requested(const Event& e, const CheckRequested& b, Now now,
                                      EngineOutput& out) {
  const std::string table = check_table(b.check, b.table);
  CheckState& c = touch_check(b.check, table, now);
  if (c.paid && *c.paid >= e.ts) return;
  if (!table.empty()) tables[table].bill_requested = true;
  Wait w;
  w.kind = CaseKind::kBillSlow;
  w.key = make_key(tag_of(w.kind), b.check);
  w.case_key = w.key;
  w.subject = table.empty() ? Subject{} : table_subject(table);
  w.subject.check = b.check;
  w.started = e.ts;
  w.threshold = settings.detect.bill_slow;
  w.start = evidence_of(e);
  fill_party(w, table);
  start_wait(std::move(w), now, out);
}

void Engine::Impl::on_check_paid(const Event& e, const CheckPaid& b, Now now, EngineOutput& out) {
  const std::string table = check_table(b.check, b.table);
  CheckState& c = touch_check(b.check, table, now);
  c.paid = e.ts;
  end_check_waits(b.check, e, "Paid", now, out);
  release_cases({}, b.check);
}

void Engine::Impl::on_item_voided(const Event& e, const ItemVoided& b, Now now, EngineOutput& out) {
  const std::string table = check_table(b.check, b.table);
  CheckState& c = touch_check(b.check, table, now);
  ++c.voids;
  c.void_evidence.push_back(evidence_of(e, b.item + (b.reason.empty() ? "" : ": " + b.reason)));
  const int limit = settings.detect.voids_count;
  if (c.voids < limit) return;
  const std::string key = make_key(tag_of(CaseKind::kVoidsRepeated), b.check);
  const std::string words =
      "Check " + b.check + (table.empty() ? std::string() : " (table " + table + ")") + " has " +
      std::to_string(c.voids) + " voided items (limit " + std::to_string(limit) + ").";
  const Severity s = c.voids >= std::int64_t{2} * limit ? Severity::kMedium : Severity::kLow;
  auto it = open_cases.find(key);
  if (it != open_cases.end()) {
    Decision d;
    d.op = Decision::Op::kAddEvidence;
    d.case_id = it->second.id;
    d.kind = CaseKind::kVoidsRepeated;
    d.subject = table.empty() ? Subject{} : table_subject(table);
    d.subject.check = b.check;
    if (s > it->second.severity) it->second.severity = s;
    d.severity = it->second.severity;
    d.at = now.wall;
    d.reason = words;
    d.evidence.push_back(c.void_evidence.back());
    out.decisions.push_back(std::move(d));
    return;
  }
  if (silenced(CaseKind::kVoidsRepeated)) return;
  Subject subject = table.empty() ? Subject{} : table_subject(table);
  subject.check = b.check;
  Decision d = open_case(CaseKind::kVoidsRepeated, key, subject, s, now);
  d.reason = words;
  d.started = c.void_evidence.front().ts;
  d.evidence = c.void_evidence;
  emit_open(std::move(d), now, out);
}

void Engine::Impl::on_booking_changed(const Event& e, const BookingChanged& b, Now now) {
  BookingInfo& info = bookings[b.booking];
  info.at = b.at;
  info.party = b.party;
  info.value = b.value.value_or(info.value);
  if (b.customer && !b.customer->id.empty()) info.customer = b.customer->id;
  info.touched = now.mono;
  (void)e;
}

void Engine::Impl::on_guest_arrived(const Event& e, const GuestArrived& b, Now now,
                                    EngineOutput& out) {
  Wait w;
  w.kind = CaseKind::kArrivalUnseated;
  w.started = e.ts;
  w.threshold = settings.detect.arrival_unseated;
  w.start = evidence_of(e);
  w.party = b.party.value_or(0);
  if (!b.booking.empty()) {
    BookingInfo& info = bookings[b.booking];
    info.touched = now.mono;
    if (info.seated && *info.seated >= e.ts) return;  // seated before we heard of the arrival
    if (w.party == 0) w.party = info.party;
    w.value = info.value;
    w.key = make_key(tag_of(w.kind), b.booking);
    w.subject.booking = b.booking;
    w.subject.customer = info.customer;
  } else {
    w.key = make_key(tag_of(w.kind), "walk-in", e.id);
    w.subject.walk_in = e.id;
    walkins.push_back(w.key);
  }
  if (b.customer && !b.customer->id.empty()) w.subject.customer = b.customer->id;
  w.case_key = w.key;
  start_wait(std::move(w), now, out);
}

void Engine::Impl::on_enquiry_received(const Event& e, const EnquiryReceived& b, Now now,
                                       EngineOutput& out) {
  auto answered = answered_enquiries.find(b.enquiry);
  if (answered != answered_enquiries.end() && answered->second >= e.ts) return;
  Wait w;
  w.kind = CaseKind::kEnquiryUnanswered;
  w.key = make_key(tag_of(w.kind), b.enquiry);
  w.case_key = w.key;
  w.subject.enquiry = b.enquiry;
  if (b.customer) w.subject.customer = b.customer->id;
  // A guest's enquiries share one case while it is open: the third unanswered one is more
  // evidence on it (core/engine_cases.cpp raises its severity), not a third case.
  if (const std::string guest = enquirer_of(b.customer, now); !guest.empty()) {
    w.case_key = make_key(tag_of(w.kind), "guest:" + guest);
  }
  w.started = e.ts;
  w.threshold = settings.detect.enquiry_unanswered;
  w.start = evidence_of(e);
  w.value = b.value.value_or(0);
  w.detail = " (" + b.channel + (b.topic.empty() ? std::string() : ", " + b.topic) + ")";
  start_wait(std::move(w), now, out);
}

std::string Engine::identity_hash(std::string_view way) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a offset basis
  for (const unsigned char c : way) {
    h ^= c;
    h *= 1099511628211ULL;  // FNV prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string Engine::Impl::enquirer_of(const std::optional<Customer>& c, Now now) {
  if (!c) return {};
  std::vector<std::string> ways;
  if (!c->id.empty()) ways.push_back(identity_hash("id:" + c->id));
  if (const std::string e = normal_email(c->email); !e.empty()) {
    ways.push_back(identity_hash("email:" + e));
  }
  if (const std::string p = phone_key(c->phone); !p.empty()) {
    ways.push_back(identity_hash("phone:" + p));
  }
  if (ways.empty()) return {};
  std::string guest = ways.front();
  for (const std::string& w : ways) {
    if (const auto it = enquirers.find(w); it != enquirers.end()) {
      guest = it->second.guest;
      break;
    }
  }
  for (const std::string& w : ways) enquirers[w] = Enquirer{guest, now.mono};
  if (enquirers.size() > kMaxEnquirers) {
    // Bounded: the way heard of longest ago goes (a scan, once per enquiry over the bound).
    std::string oldest;
    MonoTime when = MonoTime::max();
    for (const auto& [way, who] : enquirers) {
      if (who.touched < when) {
        when = who.touched;
        oldest = way;
      }
    }
    enquirers.erase(oldest);
  }
  return guest;
}

void Engine::Impl::on_enquiry_answered(const Event& e, const EnquiryAnswered& b, Now now,
                                       EngineOutput& out) {
  answered_enquiries[b.enquiry] = e.ts;
  answered_touched[b.enquiry] = now.mono;
  const std::string key = make_key(tag_of(CaseKind::kEnquiryUnanswered), b.enquiry);
  end_wait(key, e, "Answered", now, out);
  auto it = open_cases.find(key);
  if (it != open_cases.end()) {
    case_keys.erase(it->second.id);
    open_cases.erase(it);
  }
}

void Engine::Impl::on_call_button(const Event& e, const CallButton& b, Now now, EngineOutput& out) {
  device_seen(b.device, e, now, out);
  const std::string key = make_key(tag_of(CaseKind::kCallUnanswered), b.table);
  if (!b.pressed) {
    end_wait(key, e, "Answered", now, out);
    return;
  }
  Wait w;
  w.kind = CaseKind::kCallUnanswered;
  w.key = key;
  w.case_key = key;
  w.subject = table_subject(b.table);
  w.subject.device = b.device;
  w.started = e.ts;
  w.threshold = settings.detect.call_unanswered;
  w.start = evidence_of(e);
  fill_party(w, b.table);
  start_wait(std::move(w), now, out);
}

void Engine::Impl::on_occupancy(const Event& e, const Occupancy& b, Now now, EngineOutput& out) {
  device_seen(b.device, e, now, out);
  auto it = tables.find(b.table);
  const bool seated = it != tables.end() && it->second.seated;
  if (b.occupied && !seated) {
    seat(b.table, e, {}, std::nullopt, std::nullopt, /*from_sensor=*/true, now, out);
  } else if (!b.occupied && seated && it->second.from_sensor) {
    clear_table(b.table, e, now, out, /*keep_order=*/false);
  }
}

void Engine::Impl::on_review(const Event& e, const ReviewReceived& b, Now now, EngineOutput& out) {
  if (b.rating > settings.detect.review_max_rating || silenced(CaseKind::kReviewNegative)) return;
  const std::string key = make_key(tag_of(CaseKind::kReviewNegative), b.review);
  if (open_cases.count(key) != 0) return;
  Subject s;
  s.review = b.review;
  s.booking = b.booking;
  if (b.customer) s.customer = b.customer->id;
  const Severity sev = b.rating <= 1 ? Severity::kHigh : Severity::kMedium;
  Decision d = open_case(CaseKind::kReviewNegative, key, s, sev, now);
  std::string text = b.text.size() > 160 ? b.text.substr(0, 157) + "..." : b.text;
  d.reason = "A " + std::to_string(b.rating) + "-star review on " + b.source +
             (text.empty() ? std::string(".") : ": \"" + text + "\"");
  d.started = e.ts;
  d.evidence.push_back(evidence_of(e));
  if (!b.booking.empty()) {
    auto bi = bookings.find(b.booking);
    if (bi != bookings.end()) {
      d.party = bi->second.party;
      d.value = bi->second.value;
    }
  }
  emit_open(std::move(d), now, out);
}

}  // namespace mend
