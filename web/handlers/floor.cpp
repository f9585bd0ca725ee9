// The floor: every seated table with its state, its timers and its open cases.
#include <map>

#include "web/handlers/handlers.hpp"

namespace mend::web {

namespace {

// Who sits at a table, so the server knows before walking over: null when nobody named them.
json::Value table_guest(const TableView& t, const GuestBook* guests) {
  if (guests == nullptr) return nullptr;
  Subject s;
  s.booking = t.booking;
  s.customer = t.customer;
  const GuestProfile p = guests->profile_for(s);
  const GuestRecord* r = p.id.empty() ? nullptr : guests->record(p.id);
  if (r == nullptr) return nullptr;
  json::Object o;
  o.append("id", r->id);
  o.append("name", r->name);
  o.append("tier", guest_tier_name(p.tier));
  json::Array dietary;
  for (const DietaryNote& d : r->dietary) {
    if (d.basis == HealthBasis::kConsent || d.booking == t.booking) dietary.emplace_back(d.text);
  }
  o.append("dietary", std::move(dietary));
  json::Array occasions;
  for (const Occasion& x : r->occasions) {
    if (!t.booking.empty() && x.booking == t.booking) occasions.emplace_back(x.kind);
  }
  o.append("occasions", std::move(occasions));
  o.append("last_visit_issues", case_kinds_json(p.last_visit_failures));
  return o;
}

json::Value table_risk(const std::string& table,
                       const std::map<std::string, risk::TableRisk>* risks) {
  if (risks == nullptr) return nullptr;
  auto it = risks->find(table);
  if (it == risks->end()) return nullptr;
  const risk::TableRisk& r = it->second;
  json::Object o;
  o.append("score", r.score);
  o.append("flagged", r.flagged);
  o.append("reasons", r.reasons);
  o.append("suggestion", r.suggestion);
  o.append("flagged_since",
           r.flagged_since ? json::Value(format_rfc3339(*r.flagged_since)) : json::Value(nullptr));
  return o;
}

}  // namespace

json::Value floor_to_json(const std::vector<TableView>& tables, const CaseBook& cases, WallTime now,
                          const GuestBook* guests,
                          const std::map<std::string, risk::TableRisk>* risks) {
  // Open cases by table, so a tile can show its badge.
  std::map<std::string, std::vector<std::string>> by_table;
  for (const Case* c : cases.list(CaseFilter{})) {
    if (c->subject.table.empty() || c->status == CaseStatus::kResolved ||
        c->status == CaseStatus::kClosed) {
      continue;
    }
    by_table[c->subject.table].push_back(c->id);
  }
  json::Array out;
  for (const auto& t : tables) {
    json::Object o;
    o.append("table", t.table);
    o.append("area", t.area);
    const char* state = t.bill_requested             ? "bill_asked"
                        : !t.courses_waiting.empty() ? "course_fired"
                        : t.ordered                  ? "ordered"
                                                     : "seated";
    o.append("state", state);
    o.append("seated_at", format_rfc3339(t.seated_at));
    // Unknown (the seating named none): null, as the document says, not a party of 0.
    if (t.party > 0) {
      o.append("party", t.party);
    } else {
      o.append("party", nullptr);
    }
    o.append("booking", t.booking);
    o.append("guest", table_guest(t, guests));
    json::Array timers;
    for (const auto& w : t.timers) {
      json::Object tj;
      tj.append("kind", case_kind_name(w.kind));
      tj.append("course", w.course);
      tj.append("started", format_rfc3339(w.started));
      tj.append("threshold_s", static_cast<double>(w.threshold.count()) / 1000.0);
      tj.append("deadline", format_rfc3339(w.started + w.threshold));
      tj.append("breached", w.breached || now >= w.started + w.threshold);
      timers.emplace_back(std::move(tj));
    }
    o.append("timers", std::move(timers));
    json::Array ids;
    if (auto it = by_table.find(t.table); it != by_table.end()) {
      for (const auto& id : it->second) ids.emplace_back(id);
    }
    o.append("cases", std::move(ids));
    o.append("risk", table_risk(t.table, risks));
    out.emplace_back(std::move(o));
  }
  json::Object body;
  body.append("now", format_rfc3339(now));
  body.append("tables", std::move(out));
  return body;
}

}  // namespace mend::web

namespace mend::web::handlers {

Response floor(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  return json_response(
      http::status::ok,
      floor_to_json(ctx.tables ? ctx.tables() : std::vector<TableView>{}, ctx.cases,
                    ctx.clock().wall, ctx.guests ? ctx.guests() : nullptr,
                    ctx.risks ? ctx.risks() : nullptr));
}

}  // namespace mend::web::handlers
