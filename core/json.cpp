// A strict, allocation-light JSON parser: one pass over the bytes, no exceptions, and the first
// error reported with its byte offset. Every MQTT payload goes through here, so the hot paths
// (short strings without escapes, small integers) avoid copies and conversions.
#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/utf8.hpp"

namespace mend::json {

// ---- Object --------------------------------------------------------------------------------

const Value* Object::find(std::string_view key) const {
  for (const auto& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value* Object::find(std::string_view key) {
  for (auto& m : members_) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

Value& Object::set(std::string key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  return append(std::move(key), std::move(v));
}

bool Object::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

Value& Object::append(std::string key, Value v) {
  members_.emplace_back(std::move(key), std::move(v));
  return members_.back().second;
}

// Order does not matter for equality: two objects are equal when they have the same keys with
// equal values.
bool Object::operator==(const Object& other) const {
  if (members_.size() != other.members_.size()) return false;
  for (const auto& [key, value] : members_) {
    const Value* o = other.find(key);
    if (o == nullptr || !(*o == value)) return false;
  }
  return true;
}

// ---- Value ---------------------------------------------------------------------------------

Type Value::type() const {
  switch (v_.index()) {
    case 0: return Type::kNull;
    case 1: return Type::kBool;
    case 2: return Type::kInt;
    case 3: return Type::kDouble;
    case 4: return Type::kString;
    case 5: return Type::kArray;
    default: return Type::kObject;
  }
}

std::optional<bool> Value::as_bool() const {
  if (const bool* b = std::get_if<bool>(&v_)) return *b;
  return std::nullopt;
}

std::optional<std::int64_t> Value::as_int() const {
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v_)) return *i;
  return std::nullopt;
}

std::optional<double> Value::as_double() const {
  if (const double* d = std::get_if<double>(&v_)) return *d;
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  return std::nullopt;
}

const std::string* Value::as_string() const { return std::get_if<std::string>(&v_); }
std::string* Value::as_string() { return std::get_if<std::string>(&v_); }

const Array* Value::as_array() const {
  const auto* p = std::get_if<std::shared_ptr<Array>>(&v_);
  return p != nullptr ? p->get() : nullptr;
}

Array* Value::as_array() {
  auto* p = std::get_if<std::shared_ptr<Array>>(&v_);
  if (p == nullptr) return nullptr;
  if (p->use_count() > 1) *p = std::make_shared<Array>(**p);  // detach before writing
  return p->get();
}

const Object* Value::as_object() const {
  const auto* p = std::get_if<std::shared_ptr<Object>>(&v_);
  return p != nullptr ? p->get() : nullptr;
}

Object* Value::as_object() {
  auto* p = std::get_if<std::shared_ptr<Object>>(&v_);
  if (p == nullptr) return nullptr;
  if (p->use_count() > 1) *p = std::make_shared<Object>(**p);
  return p->get();
}

const Value* Value::get(std::string_view key) const {
  const Object* o = as_object();
  return o != nullptr ? o->find(key) : nullptr;
}

bool Value::operator==(const Value& other) const {
  if (v_.index() != other.v_.index()) {
    // 1 and 1.0 are the same number.
    if (is_number() && other.is_number()) return *as_double() == *other.as_double();
    return false;
  }
  return std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        const T& b = std::get<T>(other.v_);
        if constexpr (std::is_same_v<T, std::shared_ptr<Array>> ||
                      std::is_same_v<T, std::shared_ptr<Object>>) {
          return a == b || *a == *b;
        } else {
          return a == b;
        }
      },
      v_);
}

// ---- parser --------------------------------------------------------------------------------

namespace {

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits) : s_(text), limits_(limits) {}

  ParseResult run() {
    ParseResult r;
    if (s_.size() > limits_.max_bytes) {
      r.error = {limits_.max_bytes,
                 "input is larger than " + std::to_string(limits_.max_bytes) + " bytes"};
      return r;
    }
    skip_ws();
    Value v;
    if (!value(v, 0)) {
      r.error = std::move(error_);
      return r;
    }
    skip_ws();
    if (pos_ != s_.size()) {
      r.error = {pos_, "unexpected data after the JSON value"};
      return r;
    }
    r.value = std::move(v);
    return r;
  }

 private:
  bool fail(std::string message) {
    if (error_.message.empty()) error_ = {pos_, std::move(message)};
    return false;
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void skip_ws() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  bool literal(std::string_view word) {
    if (s_.compare(pos_, word.size(), word) != 0) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool value(Value& out, std::size_t depth) {
    if (at_end()) return fail("unexpected end of input");
    switch (peek()) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string str;
        if (!string(str)) return false;
        out = Value(std::move(str));
        return true;
      }
      case 't': out = Value(true); return literal("true");
      case 'f': out = Value(false); return literal("false");
      case 'n': out = Value(nullptr); return literal("null");
      default: return number(out);
    }
  }

  bool object(Value& out, std::size_t depth) {
    if (depth > limits_.max_depth)
      return fail("nested deeper than " + std::to_string(limits_.max_depth));
    ++pos_;  // '{'
    Object obj;
    obj.reserve(8);  // payloads have a handful of keys: one allocation instead of four
    skip_ws();
    if (!at_end() && peek() == '}') {
      ++pos_;
      out = Value(std::move(obj));
      return true;
    }
    while (true) {
      skip_ws();
      if (at_end() || peek() != '"') return fail("expected a string as object key");
      const std::size_t key_at = pos_;
      std::string key;
      if (!string(key)) return false;
      if (obj.find(key) != nullptr) {
        pos_ = key_at;
        return fail("duplicate object key '" + key + "'");
      }
      skip_ws();
      if (at_end() || peek() != ':') return fail("expected ':' after object key");
      ++pos_;
      skip_ws();
      Value v;
      if (!value(v, depth)) return false;
      obj.append(std::move(key), std::move(v));
      skip_ws();
      if (at_end()) return fail("unexpected end of input in object");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        out = Value(std::move(obj));
        return true;
      }
      return fail("expected ',' or '}' in object");
    }
  }

  bool array(Value& out, std::size_t depth) {
    if (depth > limits_.max_depth)
      return fail("nested deeper than " + std::to_string(limits_.max_depth));
    ++pos_;  // '['
    Array arr;
    skip_ws();
    if (!at_end() && peek() == ']') {
      ++pos_;
      out = Value(std::move(arr));
      return true;
    }
    while (true) {
      skip_ws();
      Value v;
      if (!value(v, depth)) return false;
      arr.push_back(std::move(v));
      skip_ws();
      if (at_end()) return fail("unexpected end of input in array");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        out = Value(std::move(arr));
        return true;
      }
      return fail("expected ',' or ']' in array");
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(unsigned& out) {
    if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = hex_digit(s_[pos_ + static_cast<std::size_t>(i)]);
      if (d < 0) return fail("invalid \\u escape");
      out = out * 16 + static_cast<unsigned>(d);
    }
    pos_ += 4;
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // '"'
    // Fast path: a run with no escapes and only ASCII is appended in one piece.
    std::size_t run = pos_;
    while (true) {
      if (at_end()) return fail("unterminated string");
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        out.append(s_.data() + run, pos_ - run);
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in string");
      if (c == '\\') {
        out.append(s_.data() + run, pos_ - run);
        ++pos_;
        if (!escape(out)) return false;
        run = pos_;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t len = utf8_sequence_length(s_, pos_);
        if (len == 0) return fail("invalid UTF-8 in string");
        pos_ += len;
        continue;
      }
      ++pos_;
    }
  }

  bool escape(std::string& out) {
    if (at_end()) return fail("unterminated escape");
    const char e = peek();
    ++pos_;
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': {
        unsigned cp;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (s_.compare(pos_, 2, "\\u") != 0) return fail("lone high surrogate in \\u escape");
          pos_ += 2;
          unsigned lo;
          if (!hex4(lo)) return false;
          if (lo < 0xDC00 || lo > 0xDFFF) return fail("invalid surrogate pair in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(out, cp);
        return true;
      }
      default: --pos_; return fail("invalid escape character");
    }
  }

  bool number(Value& out) {
    const std::size_t start = pos_;
    bool integral = true;
    if (!at_end() && peek() == '-') ++pos_;
    if (at_end()) return fail("invalid number");
    if (peek() == '0') {
      ++pos_;
      if (!at_end() && peek() >= '0' && peek() <= '9') return fail("leading zero in number");
    } else if (peek() >= '1' && peek() <= '9') {
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    } else {
      pos_ = start;
      return fail("unexpected character");
    }
    if (!at_end() && peek() == '.') {
      integral = false;
      ++pos_;
      if (at_end() || peek() < '0' || peek() > '9') return fail("digit expected after '.'");
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (at_end() || peek() < '0' || peek() > '9') return fail("digit expected in exponent");
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    if (integral) {
      std::int64_t i = 0;
      auto [p, ec] = std::from_chars(first, last, i);
      if (ec == std::errc() && p == last) {
        out = Value(i);
        return true;
      }
      // Too large for int64: kept as a double, like any other JSON number.
    }
    double d = 0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (p != last || ec != std::errc() || !std::isfinite(d)) {
      pos_ = start;
      return fail("number out of range");
    }
    out = Value(d);
    return true;
  }

  std::string_view s_;
  ParseLimits limits_;
  std::size_t pos_ = 0;
  ParseError error_;
};

}  // namespace

ParseResult parse(std::string_view text, const ParseLimits& limits) {
  return Parser(text, limits).run();
}

// ---- writer --------------------------------------------------------------------------------

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void dump_to(std::string& out, const Value& v) {
  if (const std::string* str = v.as_string()) {
    append_quoted(out, *str);
  } else if (auto i = v.as_int()) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *i);
    (void)ec;
    out.append(buf, p);
  } else if (auto d = v.as_double()) {
    if (!std::isfinite(*d)) {  // JSON has no NaN or Infinity
      out.append("null");
      return;
    }
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    (void)ec;
    out.append(buf, p);
  } else if (auto b = v.as_bool()) {
    out.append(*b ? "true" : "false");
  } else if (const Array* a = v.as_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : *a) {
      if (!first) out.push_back(',');
      first = false;
      dump_to(out, e);
    }
    out.push_back(']');
  } else if (const Object* o = v.as_object()) {
    out.push_back('{');
    bool first = true;
    for (const auto& [key, value] : *o) {
      if (!first) out.push_back(',');
      first = false;
      append_quoted(out, key);
      out.push_back(':');
      dump_to(out, value);
    }
    out.push_back('}');
  } else {
    out.append("null");
  }
}

std::string dump(const Value& v) {
  std::string out;
  dump_to(out, v);
  return out;
}

Value strings(const std::vector<std::string>& list) {
  Array a;
  a.reserve(list.size());
  for (const auto& s : list) a.emplace_back(s);
  return a;
}

}  // namespace mend::json
