#include <utility>

#include "web/handlers/context.hpp"

namespace mend::web {

Response refuse(http::status status, std::string_view code, std::string_view message) {
  return error_response(status, code, message);
}

Response invalid_body(std::string_view message) {
  return refuse(http::status::bad_request, "invalid_body", message);
}

Response unauthorized(std::string_view message) {
  auto res = refuse(http::status::unauthorized, error_code::kUnauthorized, message);
  res.set(http::field::www_authenticate, "Bearer realm=\"mend\"");
  return res;
}

Response not_found(std::string_view message) {
  return refuse(http::status::not_found, error_code::kNotFound, message);
}

Response forbidden(const Caller& c, auth::Permission p) {
  return refuse(http::status::forbidden, "forbidden",
                "a " + std::string(auth::role_name(c.role)) + " may not " +
                    std::string(auth::permission_name(p)));
}

Response refuse_with(http::status status, std::string_view code, std::string_view message,
                     const json::Object& extra) {
  json::Object error;
  error.append("code", std::string(code));
  error.append("message", std::string(message));
  for (const auto& [key, value] : extra) error.append(key, value);
  json::Object o;
  o.append("error", std::move(error));
  return json_response(status, o);
}

Response account_refused(const auth::AccountProblem& p) {
  const auto code = auth::account_error_name(p.code);
  switch (p.code) {
    case auth::AccountError::kNotAllowed:
      return refuse(http::status::forbidden, "forbidden", p.message);
    case auth::AccountError::kNoSuchUser:
    case auth::AccountError::kNoSuchToken:
      return refuse(http::status::not_found, error_code::kNotFound, p.message);
    case auth::AccountError::kNameTaken:
    case auth::AccountError::kUsersExist: return refuse(http::status::conflict, code, p.message);
    default: return refuse(http::status::bad_request, code, p.message);
  }
}

std::optional<std::int64_t> parse_id(const std::string* s) {
  if (s == nullptr || s->empty() || s->size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char ch : *s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

// Only the parameters a view takes, each once.
std::optional<Response> only_params(const Params& p, std::initializer_list<std::string_view> keys) {
  for (const auto& [k, v] : p.query.items()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      std::string allowed;
      for (std::string_view key : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(key);
      return refuse(
          http::status::bad_request, error_code::kInvalidParameter,
          "unknown parameter '" + k +
              "': " + (allowed.empty() ? "none are allowed" : "only " + allowed + " are allowed"));
    }
    if (p.query.count(k) > 1)
      return refuse(http::status::bad_request, error_code::kInvalidParameter,
                    "'" + k + "' is given more than once");
  }
  return std::nullopt;
}

Response action_refused(const ActionRefusal& r) {
  const auto code = action_refusal_code_name(r.code);
  switch (r.code) {
    case ActionRefusal::Code::kNotFound: return not_found(r.message);
    case ActionRefusal::Code::kConflict:
    case ActionRefusal::Code::kStale: return refuse(http::status::conflict, code, r.message);
    case ActionRefusal::Code::kVersionRequired:
      return refuse(http::status::precondition_required, code, r.message);
    case ActionRefusal::Code::kInvalid: return invalid_body(r.message);
    case ActionRefusal::Code::kOverLimit: {
      json::Object extra;
      extra.append("route_to", r.route_to);
      return refuse_with(http::status::forbidden, code, r.message, extra);
    }
    case ActionRefusal::Code::kReadOnly:
      return refuse(http::status::service_unavailable, code, r.message);
  }
  return invalid_body(r.message);
}

}  // namespace mend::web
