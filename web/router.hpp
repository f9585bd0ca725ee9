// Method + path routing for the handlers. A pattern is literal segments and `{name}`
// placeholders (`/api/v1/cases/{id}`); a placeholder matches one non-empty segment. The router
// answers what no handler should have to: 400 for an unreadable target, 404 for a path no
// route has, 405 with Allow for a path that exists under other methods. HEAD is answered by a
// GET route (finalize_response drops the body).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "web/http.hpp"

namespace mend::web {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in a query string).
// nullopt when an escape is malformed, or the result is not UTF-8 or holds a control
// character: such a value can only be a mistake or an attack, and refusing it here means no
// handler echoes it back or looks it up.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// A decoded query string, pairs in their order, repeats kept so a handler can refuse them.
class Query {
 public:
  using Items = std::vector<std::pair<std::string, std::string>>;

  Query() = default;
  explicit Query(Items items) : items_(std::move(items)) {}

  // "a=1&b=x%20y&flag": empty pieces are skipped, a piece without '=' has an empty value.
  // Returns a message for a person when a piece does not decode.
  static std::variant<Query, std::string> parse(std::string_view raw);

  // The first value for `key`, nullptr when absent.
  const std::string* get(std::string_view key) const;
  std::size_t count(std::string_view key) const;
  const Items& items() const { return items_; }

 private:
  Items items_;
};

struct Params {
  std::vector<std::pair<std::string, std::string>> path;  // placeholder name -> decoded segment
  Query query;
  RequestContext context;  // how the request arrived (TLS or not)

  const std::string* path_param(std::string_view name) const;
};

using RouteHandler = std::function<Response(const Request&, const Params&)>;

// A request matched to a route: which one (its place in the order added) and its parameters.
struct RouteMatch {
  std::size_t route = 0;
  Params params;
};

class Router {
 public:
  // Throws std::invalid_argument for a pattern that does not start with '/', has an empty or
  // malformed placeholder, or repeats a (method, pattern) already added. Routes are added at
  // start-up.
  void add(http::verb method, std::string_view pattern, RouteHandler handler);

  // Runs the matching handler, or answers 400 / 404 / 405 itself. The first route added wins
  // when two patterns match the same path.
  // `context` is handed to the handler in Params::context.
  Response route(const Request& req, const RequestContext& context = {}) const;
  // The matching route without running it, or the 400 / 404 / 405 route() would answer: for a
  // caller that keeps its own handlers (with more parameters) beside the patterns, added with
  // an empty RouteHandler.
  std::variant<RouteMatch, Response> resolve(const Request& req,
                                             const RequestContext& context = {}) const;

  // "GET /api/v1/cases/{id}", ... in the order added: for checking the OpenAPI document.
  std::vector<std::string> route_names() const;

 private:
  struct Segment {
    std::string text;  // the literal, or the placeholder's name
    bool placeholder = false;
  };
  struct Route {
    http::verb method = http::verb::get;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
  };

  static bool match(const Route& route, const std::vector<std::string>& segments, Params* params);

  std::vector<Route> routes_;
};

}  // namespace mend::web
