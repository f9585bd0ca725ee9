// The HTTP API as plain functions: a request (and what it reads) in, a response out. No
// sockets, so tests call them directly and the server can be swapped or wrapped (TLS,
// WebSocket) without touching them. They run on the daemon's single executor thread, so they
// read the case book and metrics without locks, and they never block.
#pragma once

#include <functional>
#include <string>

#include "core/case_book.hpp"
#include "core/metrics.hpp"
#include "web/http.hpp"
#include "web/router.hpp"

namespace mend::web {

// What the handlers read. The references must outlive the router made from it.
struct ApiContext {
  const CaseBook& cases;
  const Metrics& metrics;
  // Readiness checks; an empty function counts as "not ready".
  std::function<bool()> broker_connected;
  std::function<bool()> store_writable;
  std::string venue;
  std::string version;
  // Why the store is not writable, for /readyz; empty or unset when there is nothing to say.
  std::function<std::string()> store_problem;
  // The cloud link as /readyz shows it ({"enabled":false} when off); never makes mendd "not
  // ready", since the venue works without it.
  std::function<json::Value()> cloud;
};

// GET /livez: 200 "ok" whenever the executor gets to run it; a stuck loop answers nothing.
Response handle_livez(const ApiContext& ctx, const Request& req, const Params& params);

// GET /readyz: 200 when the broker is connected and the store writable, otherwise 503 with
// {"ready":false,"checks":{"broker":false,"store":true},...} naming what is not ready.
Response handle_readyz(const ApiContext& ctx, const Request& req, const Params& params);

// GET /metrics: the Prometheus text format.
Response handle_metrics(const ApiContext& ctx, const Request& req, const Params& params);

// GET /api/v1/cases[?status=<status>&kind=<kind>&open=true|false]: {"cases":[...]} in id
// order. An unknown parameter, a repeated one or a value that is not one of the names in
// signals.md is a 400 invalid_parameter that says what is allowed.
// `opened_since` narrows the list to cases opened at or after it (the v1 API's max_age).
Response handle_list_cases(const ApiContext& ctx, const Request& req, const Params& params,
                           std::optional<WallTime> opened_since = std::nullopt);

// GET /api/v1/cases/{id}: the case as published on MQTT (case_to_json), or 404 not_found.
Response handle_get_case(const ApiContext& ctx, const Request& req, const Params& params);

// Every route above. `ctx` is captured by reference.
Router make_api_router(const ApiContext& ctx);

}  // namespace mend::web
