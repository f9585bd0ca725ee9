// Guest profiles: finding a guest, reading one, a note from staff and a manager's edit (carried
// out and audited by the recovery service); a guest's export (a manager's) and erasure (an
// admin's); the Concierge's briefing. Profiles are personal data: integrations see none.
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::int64_t kDefaultLimit = 20;
constexpr std::int64_t kMaxLimit = 100;
constexpr std::size_t kMaxQuery = 100;

json::Value opt_time(const std::optional<WallTime>& t) {
  return t ? json::Value(format_rfc3339(*t)) : json::Value();
}

// What a list shows of a guest: enough to pick the right one.
json::Object summary_json(const GuestRecord& r, const GuestProfile& p) {
  json::Object o;
  o.append("id", r.id);
  o.append("name", r.name);
  o.append("tier", guest_tier_name(p.tier));
  o.append("visits", r.visits);
  o.append("latest_visit", opt_time(r.latest));  // the visit under way, if one is
  o.append("dietary_needs", !r.dietary.empty());
  return o;
}

// The whole profile: the record as the core writes it, less its bookkeeping, plus what is
// worked out from it.
json::Value guest_json(const GuestRecord& r, const GuestProfile& p) {
  json::Object o = summary_json(r, p);
  const json::Value record = guest_record_json(r, /*readable_times=*/true);
  for (const char* key : {"ref", "email", "phone", "first_visit"}) o.append(key, *record.get(key));
  o.append("previous_visit", opt_time(p.last_visit));
  o.append("last_visit_issues", case_kinds_json(p.last_visit_failures));
  for (const char* key : {"spend", "checks", "booked_value"}) o.append(key, *record.get(key));
  const auto party = usual_party(r);
  o.append("usual_party", party ? json::Value(*party) : json::Value());
  o.append("preferred_table", preferred_table(r));
  o.append("preferred_area", preferred_area(r));
  for (const char* key :
       {"occasions", "tags", "preferences", "dietary", "health_consent", "notes"}) {
    o.append(key, *record.get(key));
  }
  return o;
}

const GuestBook* book_of(const HandlerContext& ctx) { return ctx.guests ? ctx.guests() : nullptr; }

Response answer(const HandlerContext& ctx, const GuestResult& r, http::status ok) {
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return action_refused(*no);
  const GuestRecord& g = std::get<GuestRecord>(r);
  const GuestBook* book = book_of(ctx);
  const GuestProfile p =
      book != nullptr ? book->find(g.id).value_or(GuestProfile{}) : GuestProfile{};
  return json_response(ok, guest_json(g, p));
}

Response carry_out(const HandlerContext& ctx, const GuestChange& ch, http::status ok) {
  if (!ctx.change_guest) {
    return refuse(http::status::conflict, "conflict", "guests cannot be changed here");
  }
  return answer(ctx, ctx.change_guest(ch), ok);
}

}  // namespace

Response list_guests(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  std::string query;
  std::int64_t limit = kDefaultLimit;
  for (const auto& [k, v] : p.query.items()) {
    if (p.query.count(k) > 1) {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "'" + k + "' is given more than once");
    }
    if (k == "q") {
      if (v.size() > kMaxQuery) {
        return refuse(http::status::bad_request, error_code::kInvalidParameter,
                      "q is at most " + std::to_string(kMaxQuery) + " characters");
      }
      query = v;
    } else if (k == "limit") {
      const auto n = parse_id(&v);
      if (!n || *n < 1 || *n > kMaxLimit) {
        return refuse(http::status::bad_request, error_code::kInvalidParameter,
                      "limit must be a whole number from 1 to " + std::to_string(kMaxLimit));
      }
      limit = *n;
    } else {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "unknown parameter '" + k + "': only q and limit are allowed");
    }
  }
  json::Array list;
  if (const GuestBook* book = book_of(ctx)) {
    for (const GuestRecord* r : book->search(query, static_cast<std::size_t>(limit))) {
      list.emplace_back(summary_json(*r, book->find(r->id).value_or(GuestProfile{})));
    }
  }
  json::Object o;
  o.append("guests", std::move(list));
  return json_response(http::status::ok, json::Value(std::move(o)));
}

Response get_guest(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  const std::string* id = p.path_param("id");
  const GuestBook* book = book_of(ctx);
  const GuestRecord* r = book != nullptr ? book->record(*id) : nullptr;
  if (r == nullptr) return not_found("no guest '" + *id + "'");
  return json_response(http::status::ok, guest_json(*r, book->find(*id).value_or(GuestProfile{})));
}

Response add_guest_note(const Request& req, const Params& p, const Caller& c,
                        const HandlerContext& ctx) {
  BodyReader b(req);
  GuestChange ch;
  ch.guest = *p.path_param("id");
  ch.note = b.string("text", Field::kRequired);
  b.only({"text"});
  if (auto err = b.error()) return *err;
  ch.by = c.as_case_actor();
  ch.by_name = c.name;
  return carry_out(ctx, ch, http::status::created);
}

Response edit_guest(const Request& req, const Params& p, const Caller& c,
                    const HandlerContext& ctx) {
  BodyReader b(req);
  GuestEdit e;
  if (b.has("name")) e.name = b.string("name", Field::kRequired);
  e.tags = b.strings("tags", Field::kOptional);
  e.preferences = b.strings("preferences", Field::kOptional);
  e.health_consent = b.boolean("health_consent", Field::kOptional);
  e.dietary = b.strings("dietary", Field::kOptional);
  if (auto list = b.objects("occasions", Field::kOptional)) {
    e.occasions.emplace();
    for (BodyReader& item : *list) {
      Occasion o;
      o.kind = item.string("kind", Field::kRequired);
      const std::string on = item.string("on", Field::kRequired);
      item.only({"kind", "on"});
      if (auto err = item.error()) return *err;
      const auto t = parse_rfc3339(on.size() == 10 ? on + "T00:00:00Z" : on);
      if (!t)
        return invalid_body("occasions: 'on' must be a date (2026-03-14) or an RFC 3339 time");
      o.on = *t;
      e.occasions->push_back(std::move(o));
    }
  }
  b.only({"name", "tags", "preferences", "health_consent", "dietary", "occasions"});
  if (auto err = b.error()) return *err;
  if (!e.name && !e.tags && !e.preferences && !e.health_consent && !e.dietary && !e.occasions) {
    return invalid_body(
        "say what changes: name, tags, preferences, health_consent, dietary or occasions");
  }
  GuestChange ch;
  ch.guest = *p.path_param("id");
  ch.edit = std::move(e);
  ch.by = c.as_case_actor();
  ch.by_name = c.name;
  return carry_out(ctx, ch, http::status::ok);
}

// Everything the venue holds about one guest, as one document they can be handed.
Response export_guest(const Request&, const Params& p, const Caller& c, const HandlerContext& ctx) {
  const std::string* id = p.path_param("id");
  const GuestBook* book = book_of(ctx);
  const GuestRecord* r = book != nullptr ? book->record(*id) : nullptr;
  if (r == nullptr) return not_found("no guest '" + *id + "'");
  const Now now = ctx.clock();
  json::Object o;
  o.append("exported_at", format_rfc3339(now.wall));
  o.append("exported_by", c.name.empty() ? c.id : c.name);
  o.append("venue", ctx.basic.venue);
  o.append("profile", guest_json(*r, book->find(*id).value_or(GuestProfile{})));
  json::Array cases;
  json::Array events;
  if (ctx.guest_history) {
    GuestHistory h = ctx.guest_history(*id, c.as_case_actor());
    for (const Case& k : h.cases) cases.emplace_back(case_to_json(k));
    for (json::Value& e : h.events) events.push_back(std::move(e));
  }
  o.append("cases", std::move(cases));
  o.append("events", std::move(events));
  Response res = json_response(http::status::ok, json::Value(std::move(o)));
  res.set(http::field::content_disposition, "attachment; filename=\"guest-" + r->ref + ".json\"");
  return res;
}

Response erase_guest(const Request&, const Params& p, const Caller& c, const HandlerContext& ctx) {
  if (!ctx.erase_guest) {
    return refuse(http::status::conflict, "conflict", "guests cannot be erased here");
  }
  const EraseResult r = ctx.erase_guest(*p.path_param("id"), c.as_case_actor());
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return action_refused(*no);
  const GuestErasure& e = std::get<GuestErasure>(r);
  json::Object o;
  o.append("ref", e.ref);
  o.append("pseudonym", e.pseudonym);
  return json_response(http::status::ok, json::Value(std::move(o)));
}

Response briefing(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  if (auto no = only_params(p, {"shift"})) return *no;
  std::optional<bool> next;
  if (const std::string* v = p.query.get("shift")) {
    if (*v != "current" && *v != "next") {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "shift must be current or next");
    }
    next = *v == "next";
  }
  return json_response(http::status::ok,
                       ctx.briefing ? ctx.briefing(next) : json::Value(json::Object{}));
}

}  // namespace mend::web::handlers
