// The field readers: each reads one field of a payload object, checks its type and domain,
// and on the first problem records a Refusal that names the field.
#include <array>
#include <cmath>

#include "core/codec_internal.hpp"
#include "core/utf8.hpp"

namespace mend::codec_detail {
namespace {

constexpr std::size_t kMaxIdChars = 128;

}  // namespace

void Reader::fail(RefusalReason r, std::string_view field, std::string message) {
  if (!error_) error_ = refuse(r, std::string(field), std::move(message));
}

std::string Reader::id(std::string_view key, bool required) {
  json::Value* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) missing(key);
    return {};
  }
  std::string* s = v->as_string();
  if (s == nullptr) {
    wrong_type(key, "a string");
    return {};
  }
  if (s->empty() || utf8_length(*s) > kMaxIdChars) {
    fail(RefusalReason::kInvalidValue, key,
         "field '" + std::string(key) + "' must be 1 to 128 characters");
    return {};
  }
  return std::move(*s);
}

std::string Reader::text(std::string_view key) {
  json::Value* v = find(key);
  if (v == nullptr || v->is_null()) return {};
  std::string* s = v->as_string();
  if (s == nullptr) {
    wrong_type(key, "a string");
    return {};
  }
  return std::move(*s);
}

std::optional<std::int64_t> Reader::integer(std::string_view key, bool required, std::int64_t min,
                                            std::int64_t max) {
  const json::Value* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) missing(key);
    return std::nullopt;
  }
  auto i = v->as_int();
  if (!i) {
    wrong_type(key, "an integer");
    return std::nullopt;
  }
  if (*i < min || *i > max) {
    fail(RefusalReason::kInvalidValue, key,
         "field '" + std::string(key) + "' must be between " + std::to_string(min) + " and " +
             std::to_string(max) + ", got " + std::to_string(*i));
    return std::nullopt;
  }
  return i;
}

std::optional<double> Reader::number(std::string_view key, bool required, bool non_negative) {
  const json::Value* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) missing(key);
    return std::nullopt;
  }
  auto d = v->as_double();
  if (!d) {
    wrong_type(key, "a number");
    return std::nullopt;
  }
  if (!std::isfinite(*d) || (non_negative && *d < 0)) {
    fail(RefusalReason::kInvalidValue, key,
         "field '" + std::string(key) + "' must be a number" + (non_negative ? " >= 0" : ""));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> Reader::boolean(std::string_view key, bool required) {
  const json::Value* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) missing(key);
    return std::nullopt;
  }
  auto b = v->as_bool();
  if (!b) wrong_type(key, "true or false");
  return b;
}

std::optional<WallTime> Reader::time(std::string_view key, bool required) {
  const json::Value* v = find(key);
  if (v == nullptr || v->is_null()) {
    if (required) missing(key);
    return std::nullopt;
  }
  if (auto ms = v->as_int()) {
    if (*ms < 0) {
      fail(RefusalReason::kInvalidValue, key,
           "field '" + std::string(key) + "' must be epoch milliseconds >= 0");
      return std::nullopt;
    }
    return wall_from_ms(*ms);
  }
  const std::string* s = v->as_string();
  if (s == nullptr) {
    wrong_type(key, "an RFC 3339 time or epoch milliseconds");
    return std::nullopt;
  }
  auto t = parse_rfc3339(*s);
  if (!t) {
    fail(RefusalReason::kInvalidValue, key,
         "field '" + std::string(key) +
             "' must be an RFC 3339 time with an offset, such as 2026-11-22T19:32:10Z");
  }
  return t;
}

std::optional<Customer> Reader::customer(std::string_view key) {
  const json::Value* v = find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  const json::Object* o = v->as_object();
  if (o == nullptr) {
    wrong_type(key, "an object");
    return std::nullopt;
  }
  Customer c;
  const std::array<std::pair<std::string_view, std::string*>, 4> fields{
      {{"id", &c.id}, {"name", &c.name}, {"phone", &c.phone}, {"email", &c.email}}};
  for (const auto& [name, out] : fields) {
    const json::Value* f = o->find(name);
    if (f == nullptr || f->is_null()) continue;
    const std::string* s = f->as_string();
    if (s == nullptr) {
      wrong_type(std::string(key) + "." + std::string(name), "a string");
      return std::nullopt;
    }
    *out = *s;
  }
  return c;
}

void Reader::missing(std::string_view key) {
  fail(RefusalReason::kMissingField, key, "required field '" + std::string(key) + "' is missing");
}

void Reader::wrong_type(std::string_view key, std::string_view expected) {
  fail(RefusalReason::kWrongType, key,
       "field '" + std::string(key) + "' must be " + std::string(expected));
}

}  // namespace mend::codec_detail
