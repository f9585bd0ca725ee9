// Reads a JSON request body field by field, keeping the first problem instead of returning at
// each one, so a handler reads like the body it expects:
//
//   BodyReader b(req);
//   auto name = b.string("name", Field::kRequired);
//   b.only({"name", "pin"});
//   if (auto err = b.error()) return *err;
//
// Which problem is reported: a body that is not a JSON object (415 when it is not sent as
// JSON, 400 otherwise), then an unknown field, then the first field that was missing or of
// the wrong type (400 invalid_body, naming the field).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "web/http.hpp"

namespace mend::web {

enum class Field : std::uint8_t { kOptional, kRequired };

class BodyReader {
 public:
  // allow_empty: an empty body reads as {} (actions whose fields are all optional).
  explicit BodyReader(const Request& req, bool allow_empty = false);

  // A string; "" when absent (or null) and optional.
  std::string string(std::string_view key, Field need);
  // A number; nullopt when absent (or null) and optional.
  std::optional<double> number(std::string_view key, Field need);
  // A whole number; nullopt when absent (or null) and optional.
  std::optional<std::int64_t> integer(std::string_view key, Field need);
  // true or false; nullopt when absent (or null) and optional.
  std::optional<bool> boolean(std::string_view key, Field need);
  // Whether the field is there and not null.
  bool has(std::string_view key) const;
  // A nested object, read the same way; nullopt when absent (or null) and optional. Its
  // problems are its own: check its error() too.
  std::optional<BodyReader> object(std::string_view key, Field need);

  // An object of name -> text; a number stands as its JSON text ("limits": {"x": 3} reads
  // as "3"). nullopt when absent (or null) and optional.
  std::optional<std::map<std::string, std::string>> text_map(std::string_view key, Field need);

  // A list of strings; nullopt when absent (or null) and optional.
  std::optional<std::vector<std::string>> strings(std::string_view key, Field need);
  // A list of objects, each read like object(); nullopt when absent (or null) and optional.
  // Each one's problems are its own: check their error() too.
  std::optional<std::vector<BodyReader>> objects(std::string_view key, Field need);

  // Fields the body may have; any other is reported.
  void only(std::initializer_list<std::string_view> allowed);

  // The first problem as the answer to send, or nullopt.
  std::optional<Response> error() const;

 private:
  BodyReader(json::Value body, std::string prefix);
  const json::Value* field(std::string_view key, Field need);
  void fail(std::string message);

  json::Value body_;
  std::string prefix_;  // "follow_up." in a nested object, for messages
  std::optional<Response> unreadable_;
  std::optional<std::string> unknown_;
  std::optional<std::string> wrong_;
};

}  // namespace mend::web
