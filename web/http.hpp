// HTTP values shared by the handlers and the server. Handlers build a Response from a Request
// and never see a socket; the server owns everything about the connection (keep-alive, limits,
// timeouts) and calls finalize_response() on every response, its own errors included, so the
// security headers cannot be forgotten by one handler.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace mend::web {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the server knows about a request beyond its bytes. Handlers get it through
// Params::context (the router copies it there): sign-in marks its cookie `Secure` only when
// the request came over TLS, since a Secure cookie set over plain HTTP is never sent back.
struct RequestContext {
  bool tls = false;
};

// Who a WebSocket upgrade was authorized for, as the daemon's sign-in says.
struct Principal {
  std::string id;    // the user or token id, for the log
  std::string role;  // "staff", "manager", "admin"
};

inline constexpr std::string_view kJsonType = "application/json";
inline constexpr std::string_view kTextType = "text/plain; charset=utf-8";

// The headers every response carries. The CSP lets the tablet UI load only its own scripts and
// never be framed; the API's JSON is never cached because it is live state.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'";

// Stable error codes: clients branch on these, people read the message.
namespace error_code {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kInvalidParameter = "invalid_parameter";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr std::string_view kPayloadTooLarge = "payload_too_large";
inline constexpr std::string_view kHeadersTooLarge = "headers_too_large";
inline constexpr std::string_view kNotReady = "not_ready";
inline constexpr std::string_view kTooManyConnections = "too_many_connections";
inline constexpr std::string_view kInternal = "internal_error";
inline constexpr std::string_view kForbiddenOrigin = "forbidden_origin";
inline constexpr std::string_view kUnauthorized = "unauthorized";
}  // namespace error_code

// `body` dumped compactly, Content-Type application/json.
Response json_response(http::status status, const json::Value& body);

// {"error":{"code":"not_found","message":"..."}}
Response error_response(http::status status, std::string_view code, std::string_view message);

Response text_response(http::status status, std::string body,
                       std::string_view content_type = kTextType);

// Makes `res` ready to send as the answer to a request of `version` and `method`: the
// security headers (kept if a handler set its own), Cache-Control: no-store unless the handler
// chose a policy, keep-alive only when the request asked for it and the handler did not say
// `Connection: close`, Content-Length, and no body for HEAD (the length of the GET body stays).
void finalize_response(Response& res, unsigned version, bool request_keep_alive, http::verb method);

}  // namespace mend::web
