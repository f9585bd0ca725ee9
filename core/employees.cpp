#include "core/employees.hpp"

#include <algorithm>

#include "core/enum_names.hpp"
#include "core/event.hpp"

namespace mend {

namespace {

struct Builtin {
  std::string_view title;
  std::string_view job;
  std::vector<std::string> signals;
  std::string_view owner;
};

// In kEmployeeNames order.
std::array<Builtin, kEmployeeCount> builtins() {
  return {{
      {"Host",
       "Sees that guests at the door are greeted and seated in time. While the booking system is "
       "silent, what it would raise is held and listed on that system's one source.silent case.",
       {"booking.created", "booking.updated", "booking.cancelled", "guest.arrived", "guest.seated"},
       "manager"},
      {"Floor",
       "Watches every table: the order taken, each course served, the bill brought, the call "
       "button answered. While the till is silent, what it would raise is held and listed on the "
       "till's one source.silent case; once the till is back, only the real breaches are raised.",
       {"guest.seated", "occupancy", "order.opened", "items.fired", "items.served",
        "check.requested", "check.paid", "item.voided", "callbutton", "table.cleared"},
       "manager"},
      {"Kitchen safety",
       "Keeps fridges, freezers and probes in their safe band and the venue's devices online.",
       {"temperature", "status"},
       "manager"},
      {"Inbox",
       "Sees that every enquiry gets an answer in time. While the booking system is silent, what "
       "it would raise is held and listed on that system's one source.silent case.",
       {"enquiry.received", "enquiry.answered"},
       "manager"},
      {"Reputation",
       "Answers bad reviews and hears what guests say after a recovery.",
       {"review.received", "survey.answered"},
       "manager"},
      {"Analyst",
       "Notices when the same failure keeps happening in one place.",
       {"cases"},
       "manager"},
      {"Caretaker",
       "Keeps the box itself able to save what it hears and send it on, and watches the systems "
       "that feed it: a till, booking or feedback system gone silent, or with a wrong clock.",
       {"disk", "cloud_link", "sources"},
       "admin"},
      {"Win-back",
       "Notices when a regular stops coming and drafts a personal note for a manager to send.",
       {"guest.arrived", "guest.seated"},
       "manager"},
      {"Concierge",
       "Before each shift, briefs the team on the bookings worth knowing: regulars and VIPs, "
       "allergies, occasions, and last visits that went wrong.",
       {"booking.created", "booking.updated", "booking.cancelled", "cases"},
       "manager"},
  }};
}

std::optional<Millis> median(std::vector<Millis> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

}  // namespace

json::Value seconds_or_null(std::optional<Millis> d) {
  if (!d) return json::Value(nullptr);
  return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(*d).count());
}

std::string_view employee_name(EmployeeId e) { return kEmployeeNames[static_cast<std::size_t>(e)]; }
std::optional<EmployeeId> employee_from_name(std::string_view name) {
  return from_name<EmployeeId>(kEmployeeNames, name);
}
std::string_view authority_name(Authority a) {
  return kAuthorityNames[static_cast<std::size_t>(a)];
}
std::optional<Authority> authority_from_name(std::string_view name) {
  return from_name<Authority>(kAuthorityNames, name);
}

EmployeeId employee_of(CaseKind k) {
  using E = EmployeeId;
  switch (k) {
    case CaseKind::kArrivalUnseated: return E::kHost;
    case CaseKind::kTableNoOrder:
    case CaseKind::kCourseSlow:
    case CaseKind::kBillSlow:
    case CaseKind::kCallUnanswered:
    case CaseKind::kVoidsRepeated:
    case CaseKind::kGuestComplaint:
    case CaseKind::kGuestOther: return E::kFloor;
    case CaseKind::kTemperatureOutOfRange:
    case CaseKind::kDeviceOffline: return E::kKitchenSafety;
    case CaseKind::kEnquiryUnanswered:
    case CaseKind::kGuestEnquiry: return E::kInbox;
    case CaseKind::kReviewNegative: return E::kReputation;
    case CaseKind::kPatternRecurring: return E::kAnalyst;
    case CaseKind::kStoreUnwritable:
    case CaseKind::kStoreLowSpace:
    case CaseKind::kCloudOutboxFull:
    case CaseKind::kSourceSilent:
    case CaseKind::kSourceClockSkew: return E::kCaretaker;
    case CaseKind::kGuestLapsed: return E::kWinback;
  }
  return E::kCaretaker;
}

std::vector<CaseKind> kinds_of(EmployeeId e) {
  std::vector<CaseKind> out;
  for (int k = 0; k < kCaseKindCount; ++k) {
    if (employee_of(static_cast<CaseKind>(k)) == e) out.push_back(static_cast<CaseKind>(k));
  }
  return out;
}

bool is_signal_name(std::string_view name) {
  if (std::find(kInnerSignals.begin(), kInnerSignals.end(), name) != kInnerSignals.end()) {
    return true;
  }
  for (int t = 0; t < kEventTypeCount; ++t) {
    if (event_type_name(static_cast<EventType>(t)) == name) return true;
  }
  return false;
}

std::vector<std::string> limit_keys(EmployeeId e, const DetectConfig& detect) {
  switch (e) {
    case EmployeeId::kHost: return {"arrival_unseated"};
    case EmployeeId::kFloor: {
      std::vector<std::string> keys{"table_no_order"};
      for (const auto& [course, limit] : detect.course) keys.push_back("course." + course);
      for (const char* k : {"course_default", "bill_slow", "call_unanswered", "voids_count"}) {
        keys.emplace_back(k);
      }
      return keys;
    }
    case EmployeeId::kKitchenSafety:
      return {"temperature_low", "temperature_high", "temperature_for", "device_offline",
              "device_silence"};
    case EmployeeId::kInbox: return {"enquiry_unanswered"};
    case EmployeeId::kReputation: return {"review_max_rating"};
    case EmployeeId::kAnalyst: return {"pattern_count", "pattern_window"};
    case EmployeeId::kCaretaker:
    case EmployeeId::kWinback:           // its limits are [guests] winback_after and _factor
    case EmployeeId::kConcierge: break;  // and [guests] briefing_lead
  }
  return {};
}

Roster::Roster() {
  const auto defaults = builtins();
  for (std::size_t i = 0; i < list_.size(); ++i) {
    Employee& e = list_[i];
    e.id = static_cast<EmployeeId>(i);
    e.title = std::string(defaults[i].title);
    e.job = std::string(defaults[i].job);
    e.signals = defaults[i].signals;
    e.owner = std::string(defaults[i].owner);
  }
}

Roster Roster::from(const std::vector<EmployeeConfig>& entries) {
  Roster r;
  for (const auto& entry : entries) {
    const auto id = employee_from_name(entry.id);
    if (!id) continue;
    Employee& e = r.list_[static_cast<std::size_t>(*id)];
    if (!entry.job.empty()) e.job = entry.job;
    if (!entry.signals.empty()) e.signals = entry.signals;
    if (!entry.owner.empty()) e.owner = entry.owner;
    e.may = authority_from_name(entry.may).value_or(Authority::kAct);
    e.enabled = entry.enabled || *id == EmployeeId::kCaretaker;
  }
  return r;
}

void Roster::apply(EmployeeId id, const EmployeeOverride& o) {
  Employee& e = list_[static_cast<std::size_t>(id)];
  if (o.enabled) e.enabled = *o.enabled || id == EmployeeId::kCaretaker;
  if (o.may) e.may = *o.may;
  e.changed = o;
}

void Roster::set_automatic(const std::vector<CaseKind>& kinds) {
  for (auto& e : list_) e.automatic.clear();
  for (const CaseKind k : kinds)
    list_[static_cast<std::size_t>(employee_of(k))].automatic.push_back(k);
}

void Roster::set_limits(const DetectConfig& detect, const DetectConfig& configured) {
  for (auto& e : list_) {
    e.limits.clear();
    for (auto& key : limit_keys(e.id, detect)) {
      EmployeeLimit l;
      l.value = detect_limit_text(detect, key).value_or("");
      l.configured = detect_limit_text(configured, key).value_or(l.value);
      l.description = detect_limit_description(key);
      l.key = std::move(key);
      e.limits.push_back(std::move(l));
    }
  }
}

json::Value overrides_to_json(
    const std::array<std::optional<EmployeeOverride>, kEmployeeCount>& overrides) {
  json::Object out;
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    if (!overrides[i]) continue;
    const EmployeeOverride& o = *overrides[i];
    json::Object j;
    if (o.enabled) j.append("enabled", *o.enabled);
    if (o.may) j.append("may", authority_name(*o.may));
    if (!o.limits.empty()) {
      json::Object limits;
      for (const auto& [key, value] : o.limits) limits.append(key, value);
      j.append("limits", std::move(limits));
    }
    j.append("by", o.by);
    j.append("role", o.role);
    j.append("at", format_rfc3339(o.at));
    out.append(std::string(kEmployeeNames[i]), std::move(j));
  }
  return out;
}

std::optional<std::array<std::optional<EmployeeOverride>, kEmployeeCount>> overrides_from_json(
    const json::Value& v) {
  const json::Object* o = v.as_object();
  if (o == nullptr) return std::nullopt;
  std::array<std::optional<EmployeeOverride>, kEmployeeCount> out;
  // A string member of an entry, or "".
  const auto text = [](const json::Value& entry, std::string_view key) {
    const json::Value* s = entry.get(key);
    return s != nullptr && s->as_string() != nullptr ? *s->as_string() : std::string();
  };
  for (const auto& [name, value] : *o) {
    const auto id = employee_from_name(name);
    const auto at = parse_rfc3339(text(value, "at"));
    if (!id || !at) return std::nullopt;
    EmployeeOverride e;
    if (const json::Value* en = value.get("enabled")) e.enabled = en->as_bool();
    if (const std::string may = text(value, "may"); !may.empty()) {
      e.may = authority_from_name(may);
      if (!e.may) return std::nullopt;
    }
    if (const json::Value* limits = value.get("limits")) {
      const json::Object* l = limits->as_object();
      if (l == nullptr) return std::nullopt;
      for (const auto& [key, text_value] : *l) {
        if (text_value.as_string() == nullptr) return std::nullopt;
        e.limits[key] = *text_value.as_string();
      }
    }
    e.by = text(value, "by");
    e.role = text(value, "role");
    e.at = *at;
    out[static_cast<std::size_t>(*id)] = std::move(e);
  }
  return out;
}

std::optional<WallTime> first_taken_up(const Case& c) {
  const auto by_person = [](const Actor& a) { return a.role != kSystemActor.role; };
  std::optional<WallTime> first;
  for (const auto& t : c.history) {
    if (by_person(t.by) && (!first || t.at < *first)) first = t.at;
  }
  for (const auto& d : c.decisions) {
    if (by_person(d.by) && (!first || d.at < *first)) first = d.at;
  }
  return first;
}

std::optional<Verdict> last_verdict(const Case& c) {
  if (c.automatic || c.decisions.empty()) return std::nullopt;
  return c.decisions.back().verdict;
}

TrackRecord track_record(std::optional<EmployeeId> e, const std::vector<Case>& cases) {
  std::vector<const Case*> all;
  all.reserve(cases.size());
  for (const Case& c : cases) all.push_back(&c);
  return track_record(e, all);
}

TrackRecord track_record(std::optional<EmployeeId> e, const std::vector<const Case*>& cases) {
  TrackRecord r;
  std::vector<Millis> to_acknowledge;
  std::vector<Millis> to_resolve;
  int satisfaction_sum = 0;
  for (const Case* cp : cases) {
    const Case& c = *cp;
    if (e && employee_of(c.kind) != *e) continue;
    ++r.raised;
    if (!c.subject.channel.empty()) ++r.by_people;
    if (const auto first = first_taken_up(c)) {
      ++r.acknowledged;
      to_acknowledge.push_back(std::max(Millis{0}, *first - c.opened_at));
    }
    bool given = c.automatic;
    if (c.automatic) ++r.automatic;
    if (const auto v = last_verdict(c)) {
      switch (*v) {
        case Verdict::kApprove:
          ++r.approved;
          given = true;
          break;
        case Verdict::kEdit:
          ++r.edited;
          given = true;
          break;
        case Verdict::kReject: ++r.rejected; break;
      }
    }
    if (given) r.compensation += c.compensation;
    if (c.resolution) {
      ++r.resolved;
      to_resolve.push_back(std::max(Millis{0}, c.resolution->at - c.opened_at));
    }
    if (c.satisfaction) {
      ++r.surveys;
      satisfaction_sum += static_cast<int>(*c.satisfaction);
      if (*c.satisfaction >= 4) ++r.satisfied;
    }
  }
  const int judged = r.approved + r.edited + r.rejected;
  if (judged > 0) r.precision = static_cast<double>(r.approved) / judged;
  if (r.surveys > 0) r.satisfaction = static_cast<double>(satisfaction_sum) / r.surveys;
  r.median_acknowledge = median(std::move(to_acknowledge));
  r.median_resolve = median(std::move(to_resolve));
  return r;
}

json::Value track_record_to_json(const TrackRecord& r) {
  json::Object rec;
  rec.append("raised", static_cast<std::int64_t>(r.raised));
  rec.append("by_people", static_cast<std::int64_t>(r.by_people));
  rec.append("acknowledged", static_cast<std::int64_t>(r.acknowledged));
  rec.append("approved", static_cast<std::int64_t>(r.approved));
  rec.append("edited", static_cast<std::int64_t>(r.edited));
  rec.append("rejected", static_cast<std::int64_t>(r.rejected));
  rec.append("automatic", static_cast<std::int64_t>(r.automatic));
  rec.append("resolved", static_cast<std::int64_t>(r.resolved));
  rec.append("precision", r.precision ? json::Value(*r.precision) : json::Value(nullptr));
  rec.append("median_acknowledge_s", seconds_or_null(r.median_acknowledge));
  rec.append("median_resolve_s", seconds_or_null(r.median_resolve));
  rec.append("compensation", r.compensation);
  rec.append("surveys", static_cast<std::int64_t>(r.surveys));
  rec.append("satisfaction", r.satisfaction ? json::Value(*r.satisfaction) : json::Value(nullptr));
  rec.append("satisfied", static_cast<std::int64_t>(r.satisfied));
  return rec;
}

json::Value employee_to_json(const Employee& e, const TrackRecord& r) {
  json::Object o;
  o.append("id", employee_name(e.id));
  o.append("title", e.title);
  o.append("job", e.job);
  o.append("signals", json::strings(e.signals));
  std::vector<std::string> kinds;
  for (const CaseKind k : kinds_of(e.id)) kinds.emplace_back(case_kind_name(k));
  o.append("kinds", json::strings(kinds));
  o.append("may", authority_name(e.may));
  std::vector<std::string> automatic;
  for (const CaseKind k : e.automatic) automatic.emplace_back(case_kind_name(k));
  o.append("automatic_kinds", json::strings(automatic));
  o.append("owner", e.owner);
  o.append("enabled", e.enabled);
  o.append("can_switch_off", e.id != EmployeeId::kCaretaker);
  json::Array limits;
  for (const EmployeeLimit& l : e.limits) {
    json::Object j;
    j.append("key", l.key);
    j.append("value", l.value);
    j.append("configured", l.configured);
    j.append("tuned", l.value != l.configured);
    j.append("description", l.description);
    limits.emplace_back(std::move(j));
  }
  o.append("limits", std::move(limits));
  if (e.changed) {
    json::Object ch;
    ch.append("by", e.changed->by);
    ch.append("role", e.changed->role);
    ch.append("at", format_rfc3339(e.changed->at));
    o.append("changed", std::move(ch));
  } else {
    o.append("changed", json::Value(nullptr));
  }
  o.append("record", track_record_to_json(r));
  return o;
}

}  // namespace mend
