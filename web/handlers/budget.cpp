#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {

// The shift budget: what has been spent on recoveries this shift, against the venue's limits.
Response budget(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  return json_response(http::status::ok, ctx.budget ? ctx.budget() : json::Value(json::Object{}));
}

}  // namespace mend::web::handlers
