#include "web/api.hpp"

#include <string_view>
#include <utility>

namespace mend::web {
namespace {

constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
// CaseStatus ends with kClosed; core names no count for it.
constexpr int kCaseStatusCount = static_cast<int>(CaseStatus::kClosed) + 1;

bool check(const std::function<bool()>& probe) { return probe && probe(); }

Response invalid_parameter(const std::string& message) {
  return error_response(http::status::bad_request, error_code::kInvalidParameter, message);
}

template <class Enum, int N, class NameFn>
std::string allowed_names(NameFn name_of) {
  std::string out;
  for (int i = 0; i < N; ++i) {
    if (i > 0) out += ", ";
    out += name_of(static_cast<Enum>(i));
  }
  return out;
}

}  // namespace

Response handle_livez(const ApiContext& /*ctx*/, const Request& /*req*/, const Params& /*params*/) {
  return text_response(http::status::ok, "ok\n");
}

Response handle_readyz(const ApiContext& ctx, const Request& /*req*/, const Params& /*params*/) {
  const bool broker = check(ctx.broker_connected);
  const bool store = check(ctx.store_writable);
  const bool ready = broker && store;
  json::Object checks;
  checks.append("broker", broker);
  checks.append("store", store);
  json::Object body;
  body.append("ready", ready);
  body.append("checks", std::move(checks));
  if (!ready) {
    std::string message = "not ready:";
    if (!broker) message += " not connected to the MQTT broker;";
    if (!store) {
      const std::string why = ctx.store_problem ? ctx.store_problem() : std::string();
      message += " the store is not writable" + (why.empty() ? std::string() : ": " + why) + ";";
    }
    message.pop_back();
    json::Object error;
    error.append("code", error_code::kNotReady);
    error.append("message", std::move(message));
    body.append("error", std::move(error));
  }
  if (ctx.cloud) body.append("cloud", ctx.cloud());
  body.append("venue", ctx.venue);
  body.append("version", ctx.version);
  return json_response(ready ? http::status::ok : http::status::service_unavailable, body);
}

Response handle_metrics(const ApiContext& ctx, const Request& /*req*/, const Params& /*params*/) {
  return text_response(http::status::ok, ctx.metrics.render(), kMetricsType);
}

Response handle_list_cases(const ApiContext& ctx, const Request& /*req*/, const Params& params,
                           std::optional<WallTime> opened_since) {
  CaseFilter filter;
  filter.opened_since = opened_since;
  for (const auto& [key, value] : params.query.items()) {
    if (key != "status" && key != "kind" && key != "open") {
      return invalid_parameter("unknown parameter '" + key + "'; allowed: status, kind, open");
    }
    if (params.query.count(key) > 1) {
      return invalid_parameter("parameter '" + key + "' is given more than once");
    }
    if (key == "status") {
      filter.status = case_status_from_name(value);
      if (!filter.status) {
        return invalid_parameter("status must be one of " +
                                 allowed_names<CaseStatus, kCaseStatusCount>(
                                     [](CaseStatus s) { return case_status_name(s); }));
      }
    } else if (key == "kind") {
      filter.kind = case_kind_from_name(value);
      if (!filter.kind) {
        return invalid_parameter(
            "kind must be one of " +
            allowed_names<CaseKind, kCaseKindCount>([](CaseKind k) { return case_kind_name(k); }));
      }
    } else if (value == "true") {
      filter.open_only = true;
    } else if (value == "false") {
      filter.open_only = false;
    } else {
      return invalid_parameter("open must be true or false");
    }
  }
  json::Array cases;
  for (const Case* c : ctx.cases.list(filter)) cases.push_back(case_to_json(*c));
  json::Object body;
  body.append("cases", std::move(cases));
  return json_response(http::status::ok, body);
}

Response handle_get_case(const ApiContext& ctx, const Request& /*req*/, const Params& params) {
  const std::string* id = params.path_param("id");
  const Case* c = id == nullptr ? nullptr : ctx.cases.find(*id);
  if (c == nullptr) {
    return error_response(http::status::not_found, error_code::kNotFound,
                          "no case with id '" + (id == nullptr ? std::string() : *id) + "'");
  }
  return json_response(http::status::ok, case_to_json(*c));
}

Router make_api_router(const ApiContext& ctx) {
  Router router;
  const auto bind = [&ctx](Response (*fn)(const ApiContext&, const Request&, const Params&)) {
    return [&ctx, fn](const Request& req, const Params& params) { return fn(ctx, req, params); };
  };
  router.add(http::verb::get, "/livez", bind(handle_livez));
  router.add(http::verb::get, "/readyz", bind(handle_readyz));
  router.add(http::verb::get, "/metrics", bind(handle_metrics));
  router.add(http::verb::get, "/api/v1/cases", [&ctx](const Request& req, const Params& params) {
    return handle_list_cases(ctx, req, params);
  });
  router.add(http::verb::get, "/api/v1/cases/{id}", bind(handle_get_case));
  return router;
}

}  // namespace mend::web
