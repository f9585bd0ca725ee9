// The tablet's routes in one table: method, pattern, who may call it, and the handler
// (web/handlers/). App builds its routers from it, and the OpenAPI check reads it.
#pragma once

#include <string_view>
#include <vector>

#include "core/auth.hpp"
#include "web/handlers/context.hpp"

namespace mend::web {

enum class Access : std::uint8_t {
  kPublic,      // anyone; the caller is not looked up
  kIdentified,  // anyone; a caller who sent a session or token is looked up (sign-in state)
  kSignedIn,    // a session or token with `need`; a stranger gets 401
};

struct RouteEntry {
  http::verb method = http::verb::get;
  std::string_view pattern;
  Access access = Access::kSignedIn;
  auth::Permission need = auth::Permission::kCaseRead;  // kSignedIn only
  HandlerFn handler = nullptr;
};

const std::vector<RouteEntry>& route_table();

}  // namespace mend::web
