// The audit log, newest first, a page at a time (?limit=, ?before=<seq>).
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::size_t kMaxAuditPage = 500;

json::Value entry_json(const AuditRow& row) {
  json::Object e;
  e.append("seq", row.id);
  e.append("at", format_rfc3339(row.at));
  json::Object actor;
  actor.append("id", row.actor);
  actor.append("role", row.role);
  e.append("actor", std::move(actor));
  e.append("action", row.action);
  e.append("subject", row.target);
  auto detail = json::parse(row.detail);
  e.append("detail", detail ? std::move(*detail.value) : json::Value(row.detail));
  e.append("hash", row.hash);
  return e;
}

}  // namespace

Response audit(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  std::size_t limit = 100;
  std::int64_t before = 0;
  for (const auto& [k, v] : p.query.items()) {
    auto n = parse_id(&v);
    if (k == "limit" && n && *n >= 1 && *n <= static_cast<std::int64_t>(kMaxAuditPage)) {
      limit = static_cast<std::size_t>(*n);
    } else if (k == "before" && n) {
      before = *n;
    } else {
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "allowed: limit (1 to 500) and before (an entry's seq)");
    }
  }
  json::Array entries;
  for (const auto& row : ctx.audit.audit(limit, before)) entries.push_back(entry_json(row));
  json::Object o;
  o.append("entries", std::move(entries));
  return json_response(http::status::ok, o);
}

}  // namespace mend::web::handlers
