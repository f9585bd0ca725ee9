// Web Push: the box's public key for subscribing, and a person's own subscriptions (one per
// device). A subscription belongs to a signed-in person, not a token: alerts follow a person's
// role. Who receives what is decided at send time (core/push.hpp).
#include "core/push_registry.hpp"
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

json::Value subscription_json(const push::StoredSubscription& s) {
  json::Object o;
  o.append("id", s.id);
  o.append("endpoint", s.endpoint);
  o.append("created_at", format_rfc3339(s.created_at));
  return o;
}

// Push on, and a person (a session, not an API token) calling.
std::optional<Response> refused(const Caller& c, const HandlerContext& ctx) {
  if (ctx.push == nullptr) {
    return refuse(http::status::not_found, error_code::kNotFound,
                  "push alerts are off on this box ([push] enabled = false)");
  }
  if (c.user_id == 0) {
    return refuse(http::status::forbidden, "forbidden",
                  "push subscriptions belong to a person: sign in on the device");
  }
  return std::nullopt;
}

}  // namespace

Response push_key(const Request&, const Params&, const Caller&, const HandlerContext& ctx) {
  if (ctx.push == nullptr) {
    return refuse(http::status::not_found, error_code::kNotFound,
                  "push alerts are off on this box ([push] enabled = false)");
  }
  json::Object o;
  o.append("public_key", ctx.push->public_key());
  return json_response(http::status::ok, o);
}

Response list_push_subscriptions(const Request&, const Params&, const Caller& c,
                                 const HandlerContext& ctx) {
  if (auto no = refused(c, ctx)) return std::move(*no);
  json::Array list;
  for (const auto& s : ctx.push->subscriptions_of(c.user_id)) list.push_back(subscription_json(s));
  json::Object o;
  o.append("subscriptions", std::move(list));
  return json_response(http::status::ok, o);
}

Response add_push_subscription(const Request& req, const Params&, const Caller& c,
                               const HandlerContext& ctx) {
  BodyReader b(req);
  push::Subscription s;
  s.endpoint = b.string("endpoint", Field::kRequired);
  b.number("expirationTime", Field::kOptional);
  auto keys = b.object("keys", Field::kRequired);
  b.only({"endpoint", "expirationTime", "keys"});
  if (auto err = b.error()) return *err;
  if (keys) {
    s.p256dh = keys->string("p256dh", Field::kRequired);
    s.auth = keys->string("auth", Field::kRequired);
    keys->only({"p256dh", "auth"});
    if (auto err = keys->error()) return *err;
  }
  if (auto no = refused(c, ctx)) return std::move(*no);
  const auto r = ctx.push->subscribe(c.user_id, s, c.as_case_actor(), ctx.clock().wall);
  if (!r.subscription) return invalid_body(r.problem);
  return json_response(r.created ? http::status::created : http::status::ok,
                       subscription_json(*r.subscription));
}

Response delete_push_subscription(const Request& req, const Params& p, const Caller& c,
                                  const HandlerContext& ctx) {
  const std::string* endpoint = p.query.get("endpoint");
  if (endpoint == nullptr || endpoint->empty()) {
    return refuse(http::status::bad_request, error_code::kInvalidParameter,
                  "endpoint (the subscription's URL) is required");
  }
  if (auto no = refused(c, ctx)) return std::move(*no);
  if (!ctx.push->unsubscribe(c.user_id, *endpoint, c.as_case_actor(), ctx.clock().wall)) {
    return not_found("you have no push subscription with that endpoint");
  }
  return Response{http::status::no_content, req.version()};
}

}  // namespace mend::web::handlers
