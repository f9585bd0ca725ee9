#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {

Response openapi(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  return text_response(http::status::ok, ctx.openapi, kJsonType);
}

}  // namespace mend::web::handlers
