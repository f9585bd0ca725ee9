#include "web/http.hpp"

#include <boost/beast/core/string.hpp>
#include <string>
#include <utility>

namespace mend::web {

Response json_response(http::status status, const json::Value& body) {
  Response res{status, 11};
  res.set(http::field::content_type, kJsonType);
  res.body() = json::dump(body);
  return res;
}

Response error_response(http::status status, std::string_view code, std::string_view message) {
  json::Object error;
  error.append("code", code);
  error.append("message", message);
  json::Object body;
  body.append("error", std::move(error));
  return json_response(status, body);
}

Response text_response(http::status status, std::string body, std::string_view content_type) {
  Response res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

namespace {

// By name: Beast 1.74's field enum has no entry for the newer security headers.
void set_if_absent(Response& res, std::string_view name, std::string_view value) {
  if (res.find(name) == res.end()) res.set(name, value);
}

}  // namespace

void finalize_response(Response& res, unsigned version, bool request_keep_alive,
                       http::verb method) {
  const auto connection = res.find(http::field::connection);
  const bool handler_closes =
      connection != res.end() && boost::beast::iequals(connection->value(), "close");
  res.version(version);
  res.keep_alive(request_keep_alive && !handler_closes);

  set_if_absent(res, "Content-Security-Policy", kContentSecurityPolicy);
  set_if_absent(res, "X-Content-Type-Options", "nosniff");
  set_if_absent(res, "Referrer-Policy", "no-referrer");
  set_if_absent(res, "Cache-Control", "no-store");

  res.prepare_payload();
  if (method == http::verb::head) {
    // A HEAD answer says how long the GET body would be, and sends none.
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
}

}  // namespace mend::web
