// Liveness, readiness and metrics: the basic API's handlers (web/api.hpp) under the route table.
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {

Response livez(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  return handle_livez(ctx.basic, req, p);
}

Response readyz(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  return handle_readyz(ctx.basic, req, p);
}

Response metrics(const Request& req, const Params& p, const Caller&, const HandlerContext& ctx) {
  return handle_metrics(ctx.basic, req, p);
}

}  // namespace mend::web::handlers
