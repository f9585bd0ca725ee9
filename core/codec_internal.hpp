// The codec's private parts, shared by its files: the field readers (codec_fields.cpp) and the
// per-type body decoders (codec_bodies.cpp). Not for use outside core/codec*.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/codec.hpp"

namespace mend::codec_detail {

inline Refusal refuse(RefusalReason r, std::string field, std::string message) {
  return Refusal{r, std::move(field), std::move(message)};
}

// Reads the fields of one payload object, remembering the first problem. Each getter returns
// a default value after a problem, so the decoders read straight through and check ok() once.
class Reader {
 public:
  // Known fields are moved out of the parsed object; what is left over goes to Event::extra.
  explicit Reader(json::Object& obj) : obj_(obj) {}

  bool ok() const { return !error_.has_value(); }
  Refusal take_error() { return std::move(*error_); }

  json::Value* find(std::string_view key) { return obj_.find(key); }

  void fail(RefusalReason r, std::string_view field, std::string message);

  // A short identifier (table, check, booking...): a non-empty string of at most 128 chars.
  std::string id(std::string_view key, bool required);

  // Free text (notes, review text): any string.
  std::string text(std::string_view key);

  std::optional<std::int64_t> integer(std::string_view key, bool required, std::int64_t min,
                                      std::int64_t max);

  std::optional<double> number(std::string_view key, bool required, bool non_negative);

  std::optional<bool> boolean(std::string_view key, bool required);

  // RFC 3339 string, or integer epoch milliseconds.
  std::optional<WallTime> time(std::string_view key, bool required);

  std::optional<Customer> customer(std::string_view key);

  void missing(std::string_view key);
  void wrong_type(std::string_view key, std::string_view expected);

 private:
  json::Object& obj_;
  std::optional<Refusal> error_;
};

// The body of an event of `type` (device: the sensor's id from the topic, for sensor types).
// Problems are left in `r`.
EventBody decode_body(EventType type, std::string_view device, Reader& r);

// Whether `key` is a field `type` defines (besides id and ts); the others go to Event::extra.
bool is_known(EventType type, std::string_view key);

}  // namespace mend::codec_detail
