#include "core/case.hpp"

#include "core/employees.hpp"
#include "core/enum_names.hpp"

#include <array>

namespace mend {
namespace {

constexpr std::array<std::string_view, kRootCauseCount> kRootCauseNames{
    "process", "people", "product", "policy", "communication"};
constexpr std::array<std::string_view, 3> kVerdictNames{"approve", "edit", "reject"};
constexpr std::array<std::string_view, 7> kStatusNames{
    "open", "acknowledged", "awaiting_approval", "actioned", "follow_up", "resolved", "closed"};

// Which status may follow which. A case moves forward through the recovery; the only way
// back is a rejected approval, which returns it to the floor as acknowledged.
bool allowed(CaseStatus from, CaseStatus to) {
  using S = CaseStatus;
  switch (from) {
    case S::kOpen:
      return to == S::kAcknowledged || to == S::kAwaitingApproval || to == S::kActioned ||
             to == S::kResolved || to == S::kClosed;
    case S::kAcknowledged:
      return to == S::kAwaitingApproval || to == S::kActioned || to == S::kResolved ||
             to == S::kClosed;
    case S::kAwaitingApproval:
      return to == S::kAcknowledged || to == S::kActioned || to == S::kClosed;
    case S::kActioned: return to == S::kFollowUp || to == S::kResolved || to == S::kClosed;
    case S::kFollowUp: return to == S::kResolved || to == S::kClosed;
    case S::kResolved: return to == S::kFollowUp || to == S::kClosed;
    case S::kClosed: return false;
  }
  return false;
}

}  // namespace

std::string_view case_kind_name(CaseKind k) { return kCaseKindNames[static_cast<std::size_t>(k)]; }

std::string_view failures_words(CaseKind k) {
  switch (k) {
    case CaseKind::kTableNoOrder: return "tables waiting to order";
    case CaseKind::kCourseSlow: return "slow courses";
    case CaseKind::kBillSlow: return "slow bills";
    case CaseKind::kCallUnanswered: return "unanswered calls";
    case CaseKind::kArrivalUnseated: return "guests waiting to be seated";
    case CaseKind::kEnquiryUnanswered: return "unanswered enquiries";
    case CaseKind::kTemperatureOutOfRange: return "cold stores out of range";
    case CaseKind::kDeviceOffline: return "devices offline";
    case CaseKind::kReviewNegative: return "bad reviews";
    case CaseKind::kVoidsRepeated: return "repeated voids";
    case CaseKind::kPatternRecurring: return "recurring problems";
    case CaseKind::kStoreUnwritable: return "full disks";
    case CaseKind::kStoreLowSpace: return "disks running low";
    case CaseKind::kCloudOutboxFull: return "full cloud outboxes";
    case CaseKind::kGuestComplaint: return "complaints";
    case CaseKind::kGuestEnquiry: return "enquiries";
    case CaseKind::kGuestOther: return "reports";
    case CaseKind::kGuestLapsed: return "lapsed regulars";
    case CaseKind::kSourceSilent: return "silent sources";
    case CaseKind::kSourceClockSkew: return "sources with a wrong clock";
  }
  return "problems";
}

std::optional<CaseKind> case_kind_from_name(std::string_view name) {
  return from_name<CaseKind>(kCaseKindNames, name);
}
std::string_view severity_name(Severity s) { return kSeverityNames[static_cast<std::size_t>(s)]; }
std::optional<Severity> severity_from_name(std::string_view name) {
  return from_name<Severity>(kSeverityNames, name);
}
std::string_view case_status_name(CaseStatus s) {
  return kStatusNames[static_cast<std::size_t>(s)];
}
std::optional<CaseStatus> case_status_from_name(std::string_view name) {
  return from_name<CaseStatus>(kStatusNames, name);
}

std::string_view root_cause_name(RootCause r) {
  return kRootCauseNames[static_cast<std::size_t>(r)];
}
std::optional<RootCause> root_cause_from_name(std::string_view name) {
  return from_name<RootCause>(kRootCauseNames, name);
}
std::string_view verdict_name(Verdict v) { return kVerdictNames[static_cast<std::size_t>(v)]; }
std::optional<Verdict> verdict_from_name(std::string_view name) {
  return from_name<Verdict>(kVerdictNames, name);
}

Severity raise(Severity s, int steps) {
  const int v = static_cast<int>(s) + (steps > 0 ? steps : 0);
  return static_cast<Severity>(v > 3 ? 3 : v);
}

std::optional<std::string> check_transition(CaseStatus from, CaseStatus to) {
  if (from == CaseStatus::kClosed) return std::string("a closed case cannot change");
  if (from == to) return "the case is already " + std::string(case_status_name(to));
  if (!allowed(from, to)) {
    return "a case cannot go from " + std::string(case_status_name(from)) + " to " +
           std::string(case_status_name(to));
  }
  return std::nullopt;
}

std::optional<std::string> apply_transition(Case& c, CaseStatus to, const Actor& by, WallTime at,
                                            std::string note) {
  if (auto why = check_transition(c.status, to)) return why;
  if (by.id.empty() || by.role.empty()) return std::string("a status change needs who made it");
  c.history.push_back(Transition{c.status, to, by, at, std::move(note)});
  c.status = to;
  if (at > c.updated_at) c.updated_at = at;
  return std::nullopt;
}

json::Value actor_to_json(const Actor& a) {
  json::Object o;
  o.append("id", a.id);
  o.append("role", a.role);
  return o;
}

namespace {}  // namespace

json::Value recommendation_to_json(const Recommendation& r) {
  json::Object o;
  o.append("action", r.action);
  o.append("text", r.text);
  o.append("needs_approval_by",
           r.needs_approval_by.empty() ? json::Value(nullptr) : json::Value(r.needs_approval_by));
  return o;
}

json::Value case_kinds_json(const std::vector<CaseKind>& kinds) {
  json::Array a;
  a.reserve(kinds.size());
  for (CaseKind k : kinds) a.emplace_back(case_kind_name(k));
  return a;
}

json::Value subject_to_json(const Subject& s) {
  json::Object o;
  const std::array<std::pair<std::string_view, const std::string*>, 12> fields{{
      {"table", &s.table},
      {"check", &s.check},
      {"course", &s.course},
      {"booking", &s.booking},
      {"customer", &s.customer},
      {"device", &s.device},
      {"enquiry", &s.enquiry},
      {"walk_in", &s.walk_in},
      {"review", &s.review},
      {"area", &s.area},
      {"kind", &s.kind},
      {"channel", &s.channel},
  }};
  for (const auto& [name, value] : fields) {
    if (!value->empty()) o.append(std::string(name), *value);
  }
  return o;
}

json::Value case_to_json(const Case& c) {
  json::Object o;
  o.append("id", c.id);
  o.append("version", static_cast<std::int64_t>(c.version));
  o.append("kind", case_kind_name(c.kind));
  o.append("employee", employee_name(employee_of(c.kind)));
  o.append("severity", severity_name(c.severity));
  o.append("status", case_status_name(c.status));
  o.append("subject", subject_to_json(c.subject));
  o.append("opened_at", format_rfc3339(c.opened_at));
  o.append("updated_at", format_rfc3339(c.updated_at));
  o.append("reason", c.reason);
  json::Array evidence;
  evidence.reserve(c.evidence.size());
  for (const auto& e : c.evidence) {
    json::Object eo;
    eo.append("event", e.event);
    eo.append("type", e.type);
    eo.append("ts", format_rfc3339(e.ts));
    if (!e.note.empty()) eo.append("note", e.note);
    evidence.emplace_back(std::move(eo));
  }
  o.append("evidence", std::move(evidence));
  o.append("recommendation", recommendation_to_json(c.recommendation));
  json::Array history;
  history.reserve(c.history.size());
  for (const auto& t : c.history) {
    json::Object to;
    to.append("from", case_status_name(t.from));
    to.append("to", case_status_name(t.to));
    to.append("by", actor_to_json(t.by));
    to.append("at", format_rfc3339(t.at));
    if (!t.note.empty()) to.append("note", t.note);
    history.emplace_back(std::move(to));
  }
  o.append("history", std::move(history));
  json::Array decisions;
  for (const auto& d : c.decisions) {
    json::Object dj;
    dj.append("decision", verdict_name(d.verdict));
    dj.append("by", actor_to_json(d.by));
    dj.append("at", format_rfc3339(d.at));
    dj.append("reason", d.reason);
    if (d.verdict == Verdict::kEdit) {
      dj.append("before", recommendation_to_json(d.before));
      dj.append("after", recommendation_to_json(d.after));
    }
    decisions.emplace_back(std::move(dj));
  }
  o.append("decisions", std::move(decisions));
  if (c.resolution) {
    json::Object r;
    r.append("root_cause", root_cause_name(c.resolution->root_cause));
    r.append("note", c.resolution->note);
    r.append("by", actor_to_json(c.resolution->by));
    r.append("at", format_rfc3339(c.resolution->at));
    o.append("resolution", std::move(r));
  }
  json::Object facts;
  if (c.facts.threshold.count() > 0) {
    facts.append("started", format_rfc3339(c.facts.started));
    facts.append("threshold_ms", static_cast<std::int64_t>(c.facts.threshold.count()));
  }
  if (c.facts.party > 0) facts.append("party", c.facts.party);
  if (c.facts.value > 0) facts.append("value", c.facts.value);
  o.append("facts", std::move(facts));
  if (!c.explanation.empty()) o.append("explanation", c.explanation);
  json::Object guest;
  if (!c.guest.id.empty()) guest.append("id", c.guest.id);
  if (!c.guest.name.empty()) guest.append("name", c.guest.name);
  guest.append("tier", c.guest.tier);
  guest.append("visits", static_cast<std::int64_t>(c.guest.visits));
  o.append("guest", std::move(guest));
  json::Array actions;
  for (const auto& a : c.actions) {
    json::Object ao;
    ao.append("type", a.type);
    ao.append("value", a.value);
    ao.append("text", a.text);
    actions.emplace_back(std::move(ao));
  }
  o.append("actions", std::move(actions));
  o.append("compensation", c.compensation);
  o.append("automatic", c.automatic);
  json::Array vouchers;
  for (const auto& v : c.vouchers) {
    json::Object vo;
    vo.append("id", v.id);
    vo.append("value", v.value);
    if (v.redeemed_at) {
      vo.append("redeemed_at", format_rfc3339(*v.redeemed_at));
      vo.append("redeemed_check", v.redeemed_check);
    }
    vouchers.emplace_back(std::move(vo));
  }
  o.append("vouchers", std::move(vouchers));
  if (c.follow_up) {
    json::Object f;
    f.append("due", format_rfc3339(c.follow_up->due));
    f.append("message", c.follow_up->message);
    f.append("notified", c.follow_up->notified);
    o.append("follow_up", std::move(f));
  }
  if (!c.messages.empty()) {
    json::Array messages;
    for (const auto& m : c.messages) {
      json::Object mo;
      mo.append("id", m.id);
      mo.append("type", m.type);
      mo.append("sent_at", format_rfc3339(m.sent_at));
      mo.append("status", m.status);
      if (!m.detail.empty()) mo.append("detail", m.detail);
      if (m.receipt_at) mo.append("receipt_at", format_rfc3339(*m.receipt_at));
      messages.emplace_back(std::move(mo));
    }
    o.append("messages", std::move(messages));
  }
  if (c.satisfaction) o.append("satisfaction", *c.satisfaction);
  return o;
}

namespace {

std::string str(const json::Value* v) {
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  return s != nullptr ? *s : std::string();
}
std::optional<WallTime> time_of(const json::Value* v) {
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  return s != nullptr ? parse_rfc3339(*s) : std::nullopt;
}
Recommendation recommendation_of(const json::Value* r) {
  if (r == nullptr) return {};
  return Recommendation{str(r->get("action")), str(r->get("text")),
                        str(r->get("needs_approval_by"))};
}

}  // namespace

std::optional<Actor> actor_of(const json::Value* by) {
  if (by == nullptr || !by->is_object()) return std::nullopt;
  return Actor{str(by->get("id")), str(by->get("role"))};
}

std::optional<Case> case_from_json(const json::Value& v) {
  if (!v.is_object()) return std::nullopt;
  Case c;
  c.id = str(v.get("id"));
  auto kind = case_kind_from_name(str(v.get("kind")));
  auto severity = severity_from_name(str(v.get("severity")));
  auto status = case_status_from_name(str(v.get("status")));
  auto opened = time_of(v.get("opened_at"));
  auto updated = time_of(v.get("updated_at"));
  if (c.id.empty() || !kind || !severity || !status || !opened || !updated) return std::nullopt;
  c.kind = *kind;
  c.severity = *severity;
  c.status = *status;
  c.opened_at = *opened;
  c.updated_at = *updated;
  c.reason = str(v.get("reason"));
  // Cases stored before versions existed start at 1.
  c.version = 1;
  if (const json::Value* ver = v.get("version"); ver != nullptr) {
    const auto n = ver->as_int();
    if (!n || *n < 0) return std::nullopt;
    c.version = static_cast<std::uint64_t>(*n);
  }
  if (const json::Value* s = v.get("subject")) {
    c.subject.table = str(s->get("table"));
    c.subject.check = str(s->get("check"));
    c.subject.course = str(s->get("course"));
    c.subject.booking = str(s->get("booking"));
    c.subject.customer = str(s->get("customer"));
    c.subject.device = str(s->get("device"));
    c.subject.enquiry = str(s->get("enquiry"));
    c.subject.walk_in = str(s->get("walk_in"));
    c.subject.review = str(s->get("review"));
    c.subject.area = str(s->get("area"));
    c.subject.kind = str(s->get("kind"));
    c.subject.channel = str(s->get("channel"));
  }
  if (const json::Value* ev = v.get("evidence"); ev != nullptr && ev->is_array()) {
    for (const auto& e : *ev->as_array()) {
      auto ts = time_of(e.get("ts"));
      if (!ts) return std::nullopt;
      c.evidence.push_back(
          Evidence{str(e.get("event")), str(e.get("type")), *ts, str(e.get("note"))});
    }
  }
  c.recommendation = recommendation_of(v.get("recommendation"));
  if (const json::Value* h = v.get("history"); h != nullptr && h->is_array()) {
    for (const auto& t : *h->as_array()) {
      auto from = case_status_from_name(str(t.get("from")));
      auto to = case_status_from_name(str(t.get("to")));
      auto at = time_of(t.get("at"));
      const json::Value* by = t.get("by");
      if (!from || !to || !at || by == nullptr) return std::nullopt;
      c.history.push_back(Transition{*from, *to, Actor{str(by->get("id")), str(by->get("role"))},
                                     *at, str(t.get("note"))});
    }
  }
  if (const json::Value* ds = v.get("decisions"); ds != nullptr && ds->is_array()) {
    for (const auto& d : *ds->as_array()) {
      auto verdict = verdict_from_name(str(d.get("decision")));
      auto at = time_of(d.get("at"));
      auto by = actor_of(d.get("by"));
      if (!verdict || !at || !by) return std::nullopt;
      c.decisions.push_back(CaseDecision{*verdict, *by, *at, str(d.get("reason")),
                                         recommendation_of(d.get("before")),
                                         recommendation_of(d.get("after"))});
    }
  }
  if (const json::Value* r = v.get("resolution"); r != nullptr && r->is_object()) {
    auto cause = root_cause_from_name(str(r->get("root_cause")));
    auto at = time_of(r->get("at"));
    auto by = actor_of(r->get("by"));
    if (!cause || !at || !by) return std::nullopt;
    c.resolution = Resolution{*cause, str(r->get("note")), *by, *at};
  }
  if (const json::Value* f = v.get("facts"); f != nullptr && f->is_object()) {
    if (auto started = time_of(f->get("started"))) c.facts.started = *started;
    if (const json::Value* t = f->get("threshold_ms"); t != nullptr && t->as_int()) {
      c.facts.threshold = Millis{*t->as_int()};
    }
    if (const json::Value* p = f->get("party"); p != nullptr && p->as_int()) {
      c.facts.party = *p->as_int();
    }
    if (const json::Value* val = f->get("value"); val != nullptr && val->as_double()) {
      c.facts.value = *val->as_double();
    }
  }
  c.explanation = str(v.get("explanation"));
  if (const json::Value* g = v.get("guest"); g != nullptr && g->is_object()) {
    c.guest.id = str(g->get("id"));
    c.guest.name = str(g->get("name"));
    c.guest.tier = str(g->get("tier"));
    if (c.guest.tier.empty()) c.guest.tier = "new";
    if (const json::Value* n = g->get("visits"); n != nullptr && n->as_int()) {
      c.guest.visits = static_cast<int>(*n->as_int());
    }
  }
  const auto number = [](const json::Value* n) {
    return n != nullptr && n->as_double() ? *n->as_double() : 0.0;
  };
  if (const json::Value* as = v.get("actions"); as != nullptr && as->is_array()) {
    for (const auto& a : *as->as_array()) {
      c.actions.push_back(
          CaseAction{str(a.get("type")), number(a.get("value")), str(a.get("text"))});
    }
  }
  c.compensation = number(v.get("compensation"));
  if (const json::Value* a = v.get("automatic"); a != nullptr && a->as_bool()) {
    c.automatic = *a->as_bool();
  }
  if (const json::Value* vs = v.get("vouchers"); vs != nullptr && vs->is_array()) {
    for (const auto& x : *vs->as_array()) {
      Voucher voucher{str(x.get("id")), number(x.get("value")), time_of(x.get("redeemed_at")),
                      str(x.get("redeemed_check"))};
      c.vouchers.push_back(std::move(voucher));
    }
  }
  if (const json::Value* f = v.get("follow_up"); f != nullptr && f->is_object()) {
    auto due = time_of(f->get("due"));
    if (!due) return std::nullopt;
    const json::Value* notified = f->get("notified");
    c.follow_up = FollowUp{*due, str(f->get("message")),
                           notified != nullptr && notified->as_bool().value_or(false)};
  }
  if (const json::Value* ms = v.get("messages"); ms != nullptr && ms->is_array()) {
    for (const auto& x : *ms->as_array()) {
      const auto sent = time_of(x.get("sent_at"));
      if (!sent) return std::nullopt;
      c.messages.push_back(GuestMessage{str(x.get("id")), str(x.get("type")), *sent,
                                        str(x.get("status")), str(x.get("detail")),
                                        time_of(x.get("receipt_at"))});
    }
  }
  if (const json::Value* sat = v.get("satisfaction"); sat != nullptr && sat->as_int()) {
    c.satisfaction = *sat->as_int();
  }
  return c;
}

}  // namespace mend
