#include "web/router.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/utf8.hpp"

namespace mend::web {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Well-formed UTF-8 (core/utf8.hpp) without C0 controls or DEL.
bool is_clean_utf8(std::string_view s) {
  const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  return is_utf8(s) && std::none_of(s.begin(), s.end(), control);
}

// "/a/b" -> {"a","b"}; "/" -> {}; "/a/" -> {"a",""} (a trailing slash is a different path).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Response bad_request(std::string_view message) {
  return error_response(http::status::bad_request, error_code::kBadRequest, message);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int h = hex_value(s[i + 1]);
      const int l = hex_value(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      out += static_cast<char>(h * 16 + l);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (!is_clean_utf8(out)) return std::nullopt;
  return out;
}

std::variant<Query, std::string> Query::parse(std::string_view raw) {
  Items items;
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1), true);
    if (!key || !value) {
      return std::string("query string is not valid percent-encoded UTF-8");
    }
    items.emplace_back(std::move(*key), std::move(*value));
  }
  return Query(std::move(items));
}

const std::string* Query::get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::size_t Query::count(std::string_view key) const {
  std::size_t n = 0;
  for (const auto& item : items_) {
    if (item.first == key) ++n;
  }
  return n;
}

const std::string* Params::path_param(std::string_view name) const {
  for (const auto& [k, v] : path) {
    if (k == name) return &v;
  }
  return nullptr;
}

void Router::add(http::verb method, std::string_view pattern, RouteHandler handler) {
  const std::string where = "route " + std::string(pattern);
  if (!pattern.starts_with('/')) throw std::invalid_argument(where + ": must start with '/'");
  Route route;
  route.method = method;
  route.pattern = std::string(pattern);
  route.handler = std::move(handler);
  for (const auto seg : split_path(pattern)) {
    if (seg.starts_with('{') || seg.ends_with('}')) {
      if (seg.size() < 3 || !seg.starts_with('{') || !seg.ends_with('}') ||
          seg.substr(1, seg.size() - 2).find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument(where + ": bad placeholder '" + std::string(seg) + "'");
      }
      route.segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
    } else {
      route.segments.push_back({std::string(seg), false});
    }
  }
  for (const auto& r : routes_) {
    if (r.method == method && r.pattern == route.pattern) {
      throw std::invalid_argument(where + ": added twice for one method");
    }
  }
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, const std::vector<std::string>& segments, Params* params) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& want = route.segments[i];
    if (want.placeholder ? segments[i].empty() : segments[i] != want.text) return false;
  }
  if (params != nullptr) {
    params->path.clear();
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (route.segments[i].placeholder) {
        params->path.emplace_back(route.segments[i].text, segments[i]);
      }
    }
  }
  return true;
}

Response Router::route(const Request& req, const RequestContext& context) const {
  auto found = resolve(req, context);
  if (auto* res = std::get_if<Response>(&found)) return std::move(*res);
  const auto& m = std::get<RouteMatch>(found);
  const Route& r = routes_[m.route];
  if (!r.handler) {
    return error_response(http::status::internal_server_error, error_code::kInternal,
                          "no handler for " + r.pattern);
  }
  return r.handler(req, m.params);
}

std::variant<RouteMatch, Response> Router::resolve(const Request& req,
                                                   const RequestContext& context) const {
  const std::string_view target(req.target().data(), req.target().size());
  // Only origin-form ("/path?query"): absolute-form is for proxies and "*" for OPTIONS.
  if (!target.starts_with('/')) return bad_request("request target must be an absolute path");
  const auto qmark = target.find('?');
  const std::string_view path = target.substr(0, qmark);
  const std::string_view raw_query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);

  std::vector<std::string> segments;
  for (const auto seg : split_path(path)) {
    auto decoded = percent_decode(seg, false);
    if (!decoded) return bad_request("path is not valid percent-encoded UTF-8");
    segments.push_back(std::move(*decoded));
  }

  // HEAD is answered by the GET route.
  const http::verb method = req.method() == http::verb::head ? http::verb::get : req.method();
  std::vector<http::verb> allowed;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (!match(r, segments, nullptr)) continue;
    if (r.method == method) {
      auto query = Query::parse(raw_query);
      if (auto* message = std::get_if<std::string>(&query)) return bad_request(*message);
      RouteMatch found{i, {}};
      match(r, segments, &found.params);
      found.params.query = std::move(std::get<Query>(query));
      found.params.context = context;
      return found;
    }
    allowed.push_back(r.method);
  }
  if (allowed.empty()) {
    return error_response(http::status::not_found, error_code::kNotFound,
                          "no such resource: " + std::string(path));
  }
  std::vector<std::string_view> names;
  const auto append = [&names](std::string_view m) {
    if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(m);
  };
  for (const auto m : allowed) {
    const auto name = http::to_string(m);
    append(std::string_view(name.data(), name.size()));
    if (m == http::verb::get) append("HEAD");
  }
  std::string allow;
  for (const auto name : names) {
    if (!allow.empty()) allow += ", ";
    allow += name;
  }
  auto res =
      error_response(http::status::method_not_allowed, error_code::kMethodNotAllowed,
                     std::string(req.method_string()) + " is not allowed here; allowed: " + allow);
  res.set(http::field::allow, allow);
  return res;
}

std::vector<std::string> Router::route_names() const {
  std::vector<std::string> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) {
    out.push_back(std::string(http::to_string(r.method)) + " " + r.pattern);
  }
  return out;
}

}  // namespace mend::web
