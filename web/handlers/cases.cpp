// Cases: the list, one case's detail (with its version as the ETag), and what people do with
// a case. An action's request becomes a PersonAction, carried out by the context's `act`
// (core/case_actions.hpp in the daemon); this file only reads requests and writes answers.
//
// Versions: decide, action, resolve and follow-up must say which version of the case the
// person saw, as `If-Match: "N"` or `"version": N` in the body (if both, they must agree);
// acknowledge may leave it out. A stale version is refused with the case as it is now, so the
// tablet can show what changed.
#include <algorithm>
#include <utility>

#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web {

json::Value case_detail_json(const Case& c) {
  json::Value v = case_to_json(c);
  json::Object& o = *v.as_object();
  if (c.explanation.empty()) o.append("explanation", c.reason);  // cases from before the policy
  // The guest as the policy saw them (case_to_json), plus this visit's booking and party.
  json::Value* guest_value = o.find("guest");
  if (guest_value == nullptr || !guest_value->is_object()) {
    o.append("guest", json::Object{});
    guest_value = o.find("guest");
  }
  json::Object& guest = *guest_value->as_object();
  if (!c.subject.customer.empty() && guest.find("id") == nullptr) {
    guest.append("id", c.subject.customer);
  }
  if (!c.subject.booking.empty()) guest.append("booking", c.subject.booking);
  if (c.facts.party > 0) guest.append("party", c.facts.party);
  if (c.facts.value > 0) guest.append("booking_value", c.facts.value);
  // Evidence and what people did, in time order: the sheet's story of the case.
  struct Item {
    WallTime at;
    std::string what;
    std::string detail;
  };
  std::vector<Item> items;
  for (const auto& e : c.evidence) items.push_back({e.ts, e.type, e.note});
  for (const auto& t : c.history) {
    items.push_back({t.at, std::string(case_status_name(t.to)),
                     t.by.id + " (" + t.by.role + ")" + (t.note.empty() ? "" : ": " + t.note)});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.at < b.at; });
  json::Array timeline;
  for (const auto& i : items) {
    json::Object io;
    io.append("at", format_rfc3339(i.at));
    io.append("what", i.what);
    io.append("detail", i.detail);
    timeline.emplace_back(std::move(io));
  }
  o.append("timeline", std::move(timeline));
  return v;
}

}  // namespace mend::web

namespace mend::web::handlers {
namespace {

std::string etag(const Case& c) { return "\"" + std::to_string(c.version) + "\""; }

Response case_response(const Case& c) {
  auto res = json_response(http::status::ok, case_detail_json(c));
  res.set(http::field::etag, etag(c));
  return res;
}

// The If-Match header's version: `"N"`, `W/"N"` or a bare N. Anything else is a mistake.
std::optional<std::uint64_t> if_match_version(std::string_view h) {
  if (h.starts_with("W/")) h.remove_prefix(2);
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"') h = h.substr(1, h.size() - 2);
  const std::string text(h);
  auto n = parse_id(&text);
  if (!n || *n < 1) return std::nullopt;
  return static_cast<std::uint64_t>(*n);
}

// Reads the version the person saw into `a` (header or body); an answer when it is malformed.
std::optional<Response> read_version(const Request& req, BodyReader& b, PersonAction& a) {
  std::optional<std::uint64_t> from_header;
  if (const auto h = req[http::field::if_match]; !h.empty()) {
    from_header = if_match_version(h);
    if (!from_header) {
      return refuse(http::status::bad_request, "invalid_version",
                    "If-Match must be the case's version as its ETag shows it, e.g. \"3\"");
    }
  }
  const auto from_body = b.integer("version", Field::kOptional);
  if (auto err = b.error()) return err;
  if (from_body && *from_body < 1) return invalid_body("'version' must be 1 or more");
  if (from_header && from_body && *from_header != static_cast<std::uint64_t>(*from_body)) {
    return invalid_body("If-Match and 'version' name different versions");
  }
  if (from_header) {
    a.version = from_header;
  } else if (from_body) {
    a.version = static_cast<std::uint64_t>(*from_body);
  }
  return std::nullopt;
}

Response refused(const ActionRefusal& r, const std::string& case_id, const HandlerContext& ctx) {
  if (r.code != ActionRefusal::Code::kStale) return action_refused(r);
  json::Object extra;
  if (const Case* now = ctx.cases.find(case_id)) extra.append("case", case_detail_json(*now));
  return refuse_with(http::status::conflict, action_refusal_code_name(r.code), r.message, extra);
}

// Hands the action to the daemon and answers with the changed case or the refusal.
Response carry_out(const PersonAction& a, const HandlerContext& ctx) {
  if (!ctx.act) return refuse(http::status::conflict, "conflict", "cases cannot be changed here");
  const ActionResult r = ctx.act(a);
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return refused(*no, a.case_id, ctx);
  return case_response(std::get<Case>(r));
}

PersonAction action_for(PersonAction::Kind kind, const Params& p, const Caller& c) {
  PersonAction a;
  a.kind = kind;
  a.case_id = *p.path_param("id");
  a.by = c.as_case_actor();
  return a;
}

// acknowledge and action: a note, nothing else.
Response noted(PersonAction::Kind kind, const Request& req, const Params& p, const Caller& c,
               const HandlerContext& ctx) {
  BodyReader b(req, true);
  PersonAction a = action_for(kind, p, c);
  a.note = b.string("note", Field::kOptional);
  b.only({"note", "version"});
  if (auto err = b.error()) return *err;
  if (auto bad = read_version(req, b, a)) return *bad;
  return carry_out(a, ctx);
}

}  // namespace

Response list_cases(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  // max_age is this layer's: it needs the clock.
  Params rest = p;
  Query::Items kept;
  std::optional<WallTime> since;
  for (const auto& [k, v] : p.query.items()) {
    if (k != "max_age") {
      kept.emplace_back(k, v);
      continue;
    }
    auto secs = parse_id(&v);
    if (!secs || p.query.count("max_age") > 1) {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "max_age must be a whole number of seconds, once");
    }
    since = ctx.clock().wall - std::chrono::seconds(*secs);
  }
  rest.query = Query(std::move(kept));
  return handle_list_cases(ctx.basic, req, rest, since);
}

Response get_case(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  const std::string* id = p.path_param("id");
  const Case* c = ctx.cases.find(*id);
  if (c == nullptr) return not_found("no case with id '" + *id + "'");
  return case_response(*c);
}

Response acknowledge(const Request& req, const Params& p, const Caller& c,
                     const HandlerContext& ctx) {
  return noted(PersonAction::Kind::kAcknowledge, req, p, c, ctx);
}

Response mark_actioned(const Request& req, const Params& p, const Caller& c,
                       const HandlerContext& ctx) {
  return noted(PersonAction::Kind::kActioned, req, p, c, ctx);
}

Response resolve(const Request& req, const Params& p, const Caller& c, const HandlerContext& ctx) {
  BodyReader b(req, true);
  PersonAction a = action_for(PersonAction::Kind::kResolve, p, c);
  const std::string cause = b.string("root_cause", Field::kRequired);
  a.note = b.string("note", Field::kOptional);
  auto f = b.object("follow_up", Field::kOptional);
  b.only({"root_cause", "note", "follow_up", "version"});
  if (auto err = b.error()) return *err;
  if (f) {
    const auto hours = f->number("after_hours", Field::kOptional);
    a.message = f->string("message", Field::kRequired);
    f->only({"after_hours", "message"});
    if (!hours || *hours <= 0 || *hours > 24 * 90) {
      return invalid_body("follow_up.after_hours must be a number of hours, up to 90 days");
    }
    if (auto err = f->error()) return *err;
    a.follow_up_after = Millis(static_cast<std::int64_t>(*hours * 3600.0 * 1000.0));
  }
  const auto root = root_cause_from_name(cause);
  if (!root) {
    return invalid_body(
        "root_cause must be one of process, people, product, policy, communication");
  }
  a.root_cause = *root;
  if (auto bad = read_version(req, b, a)) return *bad;
  return carry_out(a, ctx);
}

Response decide(const Request& req, const Params& p, const Caller& c, const HandlerContext& ctx) {
  BodyReader b(req, true);
  PersonAction a = action_for(PersonAction::Kind::kDecide, p, c);
  const std::string verdict = b.string("decision", Field::kRequired);
  a.note = b.string("reason", Field::kRequired);
  auto rec = b.object("recommendation", Field::kOptional);
  b.only({"decision", "reason", "recommendation", "version"});
  if (auto err = b.error()) return *err;
  const auto v = verdict_from_name(verdict);
  if (!v) return invalid_body("decision must be approve, edit or reject");
  a.verdict = *v;
  if (rec) {
    const std::string text = rec->string("text", Field::kRequired);
    const std::string action = rec->string("action", Field::kOptional);
    rec->only({"action", "text"});
    if (auto err = rec->error()) return *err;
    a.edited = Recommendation{action, text, ""};
  }
  if (auto bad = read_version(req, b, a)) return *bad;
  return carry_out(a, ctx);
}

Response report_case(const Request& req, const Params&, const Caller& c,
                     const HandlerContext& ctx) {
  BodyReader b(req);
  const std::string kind = b.string("kind", Field::kRequired);
  CaseReport r;
  r.table = b.string("table", Field::kOptional);
  r.booking = b.string("booking", Field::kOptional);
  r.guest = b.string("guest", Field::kOptional);
  r.channel = b.string("channel", Field::kRequired);
  r.what = b.string("what", Field::kRequired);
  const std::string severity = b.string("severity", Field::kOptional);
  b.only({"kind", "table", "booking", "guest", "channel", "what", "severity"});
  if (auto err = b.error()) return *err;
  // The tablet says complaint, enquiry or other; the full kind name is accepted too.
  const auto k = case_kind_from_name(kind.starts_with("guest.") ? kind : "guest." + kind);
  if (!k) return invalid_body("kind must be complaint, enquiry or other");
  r.kind = *k;
  if (!severity.empty()) {
    const auto s = severity_from_name(severity);
    if (!s) return invalid_body("severity must be low, medium, high or critical");
    r.severity = *s;
  }
  r.by = c.as_case_actor();
  if (!ctx.report) return refuse(http::status::conflict, "conflict", "cases cannot be opened here");
  const ActionResult result = ctx.report(r);
  if (const auto* no = std::get_if<ActionRefusal>(&result)) return refused(*no, {}, ctx);
  auto res = case_response(std::get<Case>(result));
  res.result(http::status::created);
  return res;
}

// The drafted follow-up message: a customer-facing message, so a person decides.
Response follow_up(const Request& req, const Params& p, const Caller& c,
                   const HandlerContext& ctx) {
  BodyReader b(req, true);
  const std::string decision = b.string("decision", Field::kRequired);
  const std::string message = b.string("message", Field::kOptional);
  const std::string reason = b.string("reason", Field::kRequired);
  b.only({"decision", "message", "reason", "version"});
  if (auto err = b.error()) return *err;
  if (decision != "send" && decision != "skip") {
    return invalid_body("decision must be send or skip");
  }
  PersonAction a = action_for(
      decision == "send" ? PersonAction::Kind::kFollowUpSend : PersonAction::Kind::kFollowUpSkip, p,
      c);
  a.message = message;
  a.note = reason;
  if (auto bad = read_version(req, b, a)) return *bad;
  return carry_out(a, ctx);
}

}  // namespace mend::web::handlers
