#include "web/handlers/body_reader.hpp"

#include <algorithm>
#include <utility>

namespace mend::web {

BodyReader::BodyReader(const Request& req, bool allow_empty) : body_(json::Object{}) {
  if (req.body().empty() && allow_empty) return;
  const auto type = req[http::field::content_type];
  if (type.substr(0, kJsonType.size()) != kJsonType) {
    unreadable_ = error_response(http::status::unsupported_media_type, "unsupported_media_type",
                                 "send the body as application/json");
    return;
  }
  auto parsed = json::parse(req.body());
  if (!parsed) {
    unreadable_ = error_response(http::status::bad_request, "invalid_body",
                                 "the body is not valid JSON: " + parsed.error.message);
    return;
  }
  if (!parsed.value->is_object()) {
    unreadable_ =
        error_response(http::status::bad_request, "invalid_body", "the body must be a JSON object");
    return;
  }
  body_ = std::move(*parsed.value);
}

BodyReader::BodyReader(json::Value body, std::string prefix)
    : body_(std::move(body)), prefix_(std::move(prefix)) {}

void BodyReader::fail(std::string message) {
  if (!wrong_) wrong_ = std::move(message);
}

const json::Value* BodyReader::field(std::string_view key, Field need) {
  if (unreadable_) return nullptr;
  const json::Value* v = body_.get(key);
  if (v == nullptr || v->is_null()) {
    if (need == Field::kRequired) fail("'" + prefix_ + std::string(key) + "' is required");
    return nullptr;
  }
  return v;
}

bool BodyReader::has(std::string_view key) const {
  const json::Value* v = body_.get(key);
  return v != nullptr && !v->is_null();
}

std::string BodyReader::string(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return {};
  const std::string* s = v->as_string();
  if (s == nullptr) {
    fail("'" + prefix_ + std::string(key) + "' must be a string");
    return {};
  }
  return *s;
}

std::optional<double> BodyReader::number(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  auto d = v->as_double();
  if (!d) fail("'" + prefix_ + std::string(key) + "' must be a number");
  return d;
}

std::optional<bool> BodyReader::boolean(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  auto b = v->as_bool();
  if (!b) fail("'" + prefix_ + std::string(key) + "' must be true or false");
  return b;
}

std::optional<std::int64_t> BodyReader::integer(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  auto n = v->is_int() ? v->as_int() : std::nullopt;
  if (!n) fail("'" + prefix_ + std::string(key) + "' must be a whole number");
  return n;
}

std::optional<BodyReader> BodyReader::object(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    fail("'" + prefix_ + std::string(key) + "' must be an object");
    return std::nullopt;
  }
  return BodyReader(*v, prefix_ + std::string(key) + ".");
}

std::optional<std::vector<std::string>> BodyReader::strings(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  const json::Array* a = v->as_array();
  std::vector<std::string> out;
  if (a != nullptr) {
    for (const json::Value& item : *a) {
      const std::string* s = item.as_string();
      if (s == nullptr) {
        a = nullptr;
        break;
      }
      out.push_back(*s);
    }
  }
  if (a == nullptr) {
    fail("'" + prefix_ + std::string(key) + "' must be a list of strings");
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<BodyReader>> BodyReader::objects(std::string_view key, Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  const json::Array* a = v->as_array();
  const bool all_objects =
      a != nullptr &&
      std::all_of(a->begin(), a->end(), [](const json::Value& i) { return i.is_object(); });
  if (!all_objects) {
    fail("'" + prefix_ + std::string(key) + "' must be a list of objects");
    return std::nullopt;
  }
  std::vector<BodyReader> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    out.push_back(BodyReader((*a)[i], prefix_ + std::string(key) + "[" + std::to_string(i) + "]."));
  }
  return out;
}

std::optional<std::map<std::string, std::string>> BodyReader::text_map(std::string_view key,
                                                                       Field need) {
  const json::Value* v = field(key, need);
  if (v == nullptr) return std::nullopt;
  const std::string path = prefix_ + std::string(key);
  const json::Object* o = v->as_object();
  if (o == nullptr) {
    fail("'" + path + "' must be an object of names and values");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : *o) {
    if (const std::string* s = value.as_string()) {
      out[name] = *s;
    } else if (value.as_double()) {
      out[name] = json::dump(value);
    } else {
      std::string message = "'" + path;
      message.append(".").append(name).append("' must be a string or a number");
      fail(std::move(message));
      return std::nullopt;
    }
  }
  return out;
}

void BodyReader::only(std::initializer_list<std::string_view> allowed) {
  if (unreadable_ || unknown_) return;
  for (const auto& [key, value] : *body_.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown field '" + prefix_;
    message += key;
    message += "'; allowed: ";
    bool first = true;
    for (auto a : allowed) {
      if (!first) message += ", ";
      message += a;
      first = false;
    }
    unknown_ = std::move(message);
    return;
  }
}

std::optional<Response> BodyReader::error() const {
  if (unreadable_) return unreadable_;
  const auto& message = unknown_ ? unknown_ : wrong_;
  if (!message) return std::nullopt;
  return error_response(http::status::bad_request, "invalid_body", *message);
}

}  // namespace mend::web
