// A small, strict JSON value, parser and writer for the core. The codec decodes every MQTT
// payload with it, so it is built for many small objects: no exceptions on the parse path,
// objects keep insertion order in a flat vector (payloads have a handful of keys), and errors
// say where and what went wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mend::json {

class Value;
class Object;
using Array = std::vector<Value>;

enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

// Integers that fit in int64 without a fraction or exponent are kept as kInt, everything else
// numeric as kDouble, so epoch milliseconds and counts stay exact.
class Value {
 public:
  Value() : v_(nullptr) {}
  Value(std::nullptr_t) : v_(nullptr) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(std::int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o);  // defined below, once Object is complete

  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors return nullptr / nullopt when the type does not match.
  std::optional<bool> as_bool() const;
  std::optional<std::int64_t> as_int() const;
  std::optional<double> as_double() const;  // kInt converts
  const std::string* as_string() const;
  std::string* as_string();  // lets a reader move a string out instead of copying it
  const Array* as_array() const;
  Array* as_array();
  const Object* as_object() const;
  Object* as_object();

  // Object convenience: nullptr when this is not an object or the key is absent.
  const Value* get(std::string_view key) const;

  bool operator==(const Value& other) const;

 private:
  // Arrays and objects sit behind a pointer so a Value stays small; copies of a Value share
  // them, and mutation through as_array()/as_object() detaches first (copy on write).
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      v_;
};

using Member = std::pair<std::string, Value>;

// Insertion-ordered object. Lookup is linear: right for payloads with few keys.
class Object {
 public:
  Object() = default;
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Inserts or replaces.
  Value& set(std::string key, Value v);
  bool erase(std::string_view key);
  std::size_t size() const { return members_.size(); }
  bool empty() const { return members_.empty(); }
  auto begin() const { return members_.begin(); }
  auto end() const { return members_.end(); }
  auto begin() { return members_.begin(); }
  auto end() { return members_.end(); }
  void reserve(std::size_t n) { members_.reserve(n); }
  // Appends without a duplicate check (the parser checks itself).
  Value& append(std::string key, Value v);
  bool operator==(const Object& other) const;

 private:
  std::vector<Member> members_;
};

inline Value::Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

struct ParseError {
  std::size_t offset = 0;  // byte offset into the input
  std::string message;     // e.g. "expected ':' after object key"
};

struct ParseLimits {
  std::size_t max_depth = 32;
  std::size_t max_bytes = std::size_t{64} * 1024;
};

// Strict RFC 8259: one value, optional surrounding whitespace, valid UTF-8 (also inside
// strings, with surrogate pairs in \u escapes), no duplicate object keys, no trailing commas,
// no NaN/Infinity, no leading zeros.
struct ParseResult {
  std::optional<Value> value;
  ParseError error;
  explicit operator bool() const { return value.has_value(); }
};
ParseResult parse(std::string_view text, const ParseLimits& limits = {});

// Compact output, keys in insertion order, strings escaped (control characters as \u00XX),
// doubles in the shortest form that round-trips.
std::string dump(const Value& v);
void dump_to(std::string& out, const Value& v);
// Appends a JSON string literal for s (quotes included).
void append_quoted(std::string& out, std::string_view s);
// An array of the strings, in order.
Value strings(const std::vector<std::string>& list);

}  // namespace mend::json
