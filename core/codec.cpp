// Decoding is strict about what the contract requires and lenient about what it does not
// mention: a required field that is missing or of the wrong type refuses the payload, while
// unknown fields are kept in Event::extra for whoever reads the event later.
#include "core/codec.hpp"

#include <array>
#include <cmath>

namespace mend {
namespace {

constexpr std::size_t kMaxIdChars = 128;

Refusal refuse(RefusalReason r, std::string field, std::string message) {
  return Refusal{r, std::move(field), std::move(message)};
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past
// U+10FFFF. Checked on the whole payload so bytes outside a JSON string (a UTF-16 byte order
// mark, a Latin-1 key) are named for what they are rather than as a JSON syntax error.
// Returns the offset of the first bad byte, npos when all is well.
std::size_t first_non_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // beyond U+10FFFF
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

bool is_currency(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
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

  void fail(RefusalReason r, std::string_view field, std::string message) {
    if (!error_) error_ = refuse(r, std::string(field), std::move(message));
  }

  // A short identifier (table, check, booking...): a non-empty string of at most 128 chars.
  std::string id(std::string_view key, bool required) {
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

  // Free text (notes, review text): any string.
  std::string text(std::string_view key) {
    json::Value* v = find(key);
    if (v == nullptr || v->is_null()) return {};
    std::string* s = v->as_string();
    if (s == nullptr) {
      wrong_type(key, "a string");
      return {};
    }
    return std::move(*s);
  }

  std::optional<std::int64_t> integer(std::string_view key, bool required, std::int64_t min,
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

  std::optional<double> number(std::string_view key, bool required, bool non_negative) {
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

  std::optional<bool> boolean(std::string_view key, bool required) {
    const json::Value* v = find(key);
    if (v == nullptr || v->is_null()) {
      if (required) missing(key);
      return std::nullopt;
    }
    auto b = v->as_bool();
    if (!b) wrong_type(key, "true or false");
    return b;
  }

  // RFC 3339 string, or integer epoch milliseconds.
  std::optional<WallTime> time(std::string_view key, bool required) {
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

  std::optional<Customer> customer(std::string_view key) {
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

  void missing(std::string_view key) {
    fail(RefusalReason::kMissingField, key, "required field '" + std::string(key) + "' is missing");
  }
  void wrong_type(std::string_view key, std::string_view expected) {
    fail(RefusalReason::kWrongType, key,
         "field '" + std::string(key) + "' must be " + std::string(expected));
  }

 private:
  json::Object& obj_;
  std::optional<Refusal> error_;
};

constexpr std::int64_t kMaxParty = 1000;
constexpr std::int64_t kMaxCount = 1000000;

EventBody decode_body(EventType type, std::string_view device, Reader& r) {
  switch (type) {
    case EventType::kOrderOpened: {
      OrderOpened b;
      b.table = r.id("table", true);
      b.check = r.id("check", true);
      b.covers = r.integer("covers", false, 0, kMaxParty);
      b.staff = r.id("staff", false);
      return b;
    }
    case EventType::kItemsFired: {
      ItemsFired b;
      b.check = r.id("check", true);
      b.course = r.id("course", true);
      b.table = r.id("table", false);
      if (json::Value* items = r.find("items"); items != nullptr && !items->is_null()) {
        json::Array* arr = items->as_array();
        if (arr == nullptr) {
          r.wrong_type("items", "an array of {name, qty}");
          return b;
        }
        b.items.reserve(arr->size());
        for (std::size_t i = 0; i < arr->size(); ++i) {
          const std::string field = "items[" + std::to_string(i) + "]";
          json::Object* o = (*arr)[i].as_object();
          if (o == nullptr) {
            r.wrong_type(field, "an object {name, qty}");
            return b;
          }
          Reader item(*o);
          LineItem li;
          li.name = item.id("name", true);
          li.qty = item.integer("qty", false, 1, kMaxCount).value_or(1);
          if (!item.ok()) {
            Refusal e = item.take_error();
            r.fail(e.reason, field + "." + e.field, e.message + " (in " + field + ")");
            return b;
          }
          b.items.push_back(std::move(li));
        }
      }
      return b;
    }
    case EventType::kItemsServed: {
      ItemsServed b;
      b.check = r.id("check", true);
      b.course = r.id("course", true);
      b.table = r.id("table", false);
      return b;
    }
    case EventType::kCheckRequested: {
      CheckRequested b;
      b.check = r.id("check", true);
      b.table = r.id("table", false);
      return b;
    }
    case EventType::kCheckPaid: {
      CheckPaid b;
      b.check = r.id("check", true);
      b.total = r.number("total", true, true).value_or(0);
      b.currency = r.text("currency");
      if (const json::Value* c = r.find("currency");
          r.ok() && c != nullptr && !c->is_null() && !is_currency(b.currency)) {
        r.fail(RefusalReason::kInvalidValue, "currency",
               "field 'currency' must be an ISO 4217 code such as EUR");
      }
      b.tip = r.number("tip", false, true);
      b.table = r.id("table", false);
      return b;
    }
    case EventType::kItemVoided: {
      ItemVoided b;
      b.check = r.id("check", true);
      b.item = r.id("item", true);
      b.reason = r.text("reason");
      b.amount = r.number("amount", false, true);
      b.table = r.id("table", false);
      return b;
    }
    case EventType::kVoucherRedeemed: {
      VoucherRedeemed b;
      b.check = r.id("check", true);
      b.voucher = r.id("voucher", true);
      b.amount = r.number("amount", false, true);
      return b;
    }
    case EventType::kBookingCreated:
    case EventType::kBookingUpdated: {
      BookingChanged b;
      b.booking = r.id("booking", true);
      b.at = r.time("at", true).value_or(WallTime{});
      b.party = r.integer("party", true, 1, kMaxParty).value_or(0);
      b.customer = r.customer("customer");
      b.value = r.number("value", false, true);
      b.notes = r.text("notes");
      b.channel = r.id("channel", false);
      return b;
    }
    case EventType::kBookingCancelled: {
      BookingCancelled b;
      b.booking = r.id("booking", true);
      b.reason = r.text("reason");
      return b;
    }
    case EventType::kGuestArrived: {
      GuestArrived b;
      b.booking = r.id("booking", false);
      b.party = r.integer("party", false, 1, kMaxParty);
      b.customer = r.customer("customer");
      if (r.ok() && b.booking.empty() && !b.party) {
        r.fail(RefusalReason::kMissingField, "booking",
               "guest.arrived needs 'booking', or 'party' for a walk-in");
      }
      return b;
    }
    case EventType::kGuestSeated: {
      GuestSeated b;
      b.table = r.id("table", true);
      b.booking = r.id("booking", false);
      b.party = r.integer("party", false, 1, kMaxParty);
      b.customer = r.customer("customer");
      return b;
    }
    case EventType::kTableCleared: {
      TableCleared b;
      b.table = r.id("table", true);
      return b;
    }
    case EventType::kEnquiryReceived: {
      EnquiryReceived b;
      b.enquiry = r.id("enquiry", true);
      b.channel = r.id("channel", true);
      b.customer = r.customer("customer");
      b.topic = r.text("topic");
      b.value = r.number("value", false, true);
      return b;
    }
    case EventType::kEnquiryAnswered: {
      EnquiryAnswered b;
      b.enquiry = r.id("enquiry", true);
      b.staff = r.id("staff", false);
      return b;
    }
    case EventType::kTemperature: {
      Temperature b;
      b.device = std::string(device);
      b.value = r.number("value", true, false).value_or(0);
      if (const json::Value* u = r.find("unit"); u != nullptr && !u->is_null()) {
        const std::string* s = u->as_string();
        if (s == nullptr) {
          r.wrong_type("unit", "\"C\" or \"F\"");
        } else if (*s == "F") {
          b.unit = TemperatureUnit::kFahrenheit;
        } else if (*s != "C") {
          r.fail(RefusalReason::kInvalidValue, "unit", "field 'unit' must be \"C\" or \"F\"");
        }
      }
      return b;
    }
    case EventType::kCallButton: {
      CallButton b;
      b.device = std::string(device);
      b.table = r.id("table", true);
      const json::Value* st = r.find("state");
      if (st == nullptr || st->is_null()) {
        r.missing("state");
      } else if (const std::string* s = st->as_string(); s == nullptr) {
        r.wrong_type("state", "\"pressed\" or \"cleared\"");
      } else if (*s == "pressed" || *s == "cleared") {
        b.pressed = *s == "pressed";
      } else {
        r.fail(RefusalReason::kInvalidValue, "state",
               "field 'state' must be \"pressed\" or \"cleared\"");
      }
      return b;
    }
    case EventType::kOccupancy: {
      Occupancy b;
      b.device = std::string(device);
      b.table = r.id("table", true);
      b.occupied = r.boolean("occupied", true).value_or(false);
      return b;
    }
    case EventType::kQueue: {
      Queue b;
      b.device = std::string(device);
      b.count = r.integer("count", true, 0, kMaxCount).value_or(0);
      return b;
    }
    case EventType::kDeviceStatus:
      return DeviceStatus{std::string(device), false};  // not JSON: decoded by the caller
    case EventType::kReviewReceived: {
      ReviewReceived b;
      b.review = r.id("review", true);
      b.source = r.id("source", true);
      b.rating = r.integer("rating", true, 1, 5).value_or(0);
      b.text = r.text("text");
      b.customer = r.customer("customer");
      b.booking = r.id("booking", false);
      b.visited_at = r.time("visited_at", false);
      return b;
    }
    case EventType::kSurveyAnswered: {
      SurveyAnswered b;
      b.score = r.integer("score", true, 1, 5).value_or(0);
      b.case_id = r.id("case", false);
      b.booking = r.id("booking", false);
      b.customer = r.customer("customer");
      b.text = r.text("text");
      return b;
    }
  }
  return OrderOpened{};
}

// The fields each type defines besides id and ts, in EventType order; anything else goes to
// Event::extra.
struct KnownFields {
  std::array<std::string_view, 7> names;
};
constexpr std::array<KnownFields, kEventTypeCount> kKnownFields{{
    {{"table", "check", "covers", "staff"}},                                // order.opened
    {{"check", "course", "table", "items"}},                                // items.fired
    {{"check", "course", "table"}},                                         // items.served
    {{"check", "table"}},                                                   // check.requested
    {{"check", "total", "currency", "tip", "table"}},                       // check.paid
    {{"check", "item", "reason", "amount", "table"}},                       // item.voided
    {{"check", "voucher", "amount"}},                                       // voucher.redeemed
    {{"booking", "at", "party", "customer", "value", "notes", "channel"}},  // booking.created
    {{"booking", "at", "party", "customer", "value", "notes", "channel"}},  // booking.updated
    {{"booking", "reason"}},                                                // booking.cancelled
    {{"booking", "party", "customer"}},                                     // guest.arrived
    {{"table", "booking", "party", "customer"}},                            // guest.seated
    {{"table"}},                                                            // table.cleared
    {{"enquiry", "channel", "customer", "topic", "value"}},                 // enquiry.received
    {{"enquiry", "staff"}},                                                 // enquiry.answered
    {{"value", "unit"}},                                                    // temperature
    {{"table", "state"}},                                                   // callbutton
    {{"table", "occupied"}},                                                // occupancy
    {{"count"}},                                                            // queue
    {{}},                                                                   // status
    {{"review", "source", "rating", "text", "customer", "booking", "visited_at"}},  // review
    {{"score", "case", "booking", "customer", "text"}},  // survey.answered
}};

bool is_known(EventType t, std::string_view key) {
  if (key == "id" || key == "ts") return true;
  for (std::string_view k : kKnownFields[static_cast<std::size_t>(t)].names) {
    if (!k.empty() && k == key) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

bool valid_segment(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (c == '+' || c == '#' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string_view refusal_reason_name(RefusalReason r) {
  switch (r) {
    case RefusalReason::kTopic: return "topic";
    case RefusalReason::kTooLarge: return "too_large";
    case RefusalReason::kNotUtf8: return "not_utf8";
    case RefusalReason::kNotJson: return "not_json";
    case RefusalReason::kNotObject: return "not_object";
    case RefusalReason::kMissingField: return "missing_field";
    case RefusalReason::kWrongType: return "wrong_type";
    case RefusalReason::kInvalidValue: return "invalid_value";
  }
  return "unknown";
}

std::variant<TopicParts, Refusal> parse_topic(std::string_view topic) {
  const auto bad = [&](const std::string& msg) {
    return refuse(RefusalReason::kTopic, "", "topic '" + std::string(topic) + "': " + msg);
  };
  std::array<std::string_view, 5> seg{};
  std::size_t n = 0;
  for (std::size_t start = 0;;) {
    const std::size_t slash = topic.find('/', start);
    if (n == seg.size()) return bad("too many segments");
    seg[n++] = topic.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (n < 4 || seg[0] != "venue") {
    return bad("expected venue/<venue>/<till|booking|sensor|feedback>/...");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!valid_segment(seg[i])) return bad("empty or invalid segment");
  }
  TopicParts parts;
  parts.venue = seg[1];
  const std::string_view src = seg[2];
  if (src == "sensor") {
    if (n != 5) return bad("sensor topics are venue/<venue>/sensor/<device>/<reading>");
    parts.source = Source::kSensor;
    parts.device = seg[3];
    parts.name = seg[4];
    return parts;
  }
  if (n != 4) return bad("too many segments");
  if (src == "till") {
    parts.source = Source::kTill;
  } else if (src == "booking") {
    parts.source = Source::kBooking;
  } else if (src == "feedback") {
    parts.source = Source::kFeedback;
  } else {
    return bad("unknown source '" + std::string(src) + "'");
  }
  parts.name = seg[3];
  return parts;
}

DecodeResult decode(std::string_view topic, std::string_view payload, WallTime received,
                    const CodecOptions& options) {
  auto topic_result = parse_topic(topic);
  if (auto* r = std::get_if<Refusal>(&topic_result)) return std::move(*r);
  const TopicParts& parts = std::get<TopicParts>(topic_result);
  if (parts.venue != options.venue) {
    return refuse(RefusalReason::kTopic, "",
                  "topic '" + std::string(topic) + "' is for venue '" + std::string(parts.venue) +
                      "', this is '" + options.venue + "'");
  }
  auto type = event_type_from_name(parts.source, parts.name);
  if (!type) {
    return refuse(
        RefusalReason::kTopic, "",
        "topic '" + std::string(topic) + "': unknown type '" + std::string(parts.name) + "'");
  }
  if (payload.size() > options.max_payload) {
    return refuse(RefusalReason::kTooLarge, "",
                  "payload of " + std::to_string(payload.size()) + " bytes is over the limit of " +
                      std::to_string(options.max_payload));
  }

  if (const std::size_t bad = first_non_utf8(payload); bad != std::string_view::npos) {
    return refuse(RefusalReason::kNotUtf8, "",
                  "payload is not UTF-8: invalid byte sequence at byte " + std::to_string(bad));
  }

  Event e;
  e.type = *type;
  e.received = received;
  e.ts = received;

  if (*type == EventType::kDeviceStatus) {
    const std::string_view s = trim(payload);
    if (s != "online" && s != "offline") {
      return refuse(RefusalReason::kInvalidValue, "",
                    "a device status must be the text 'online' or 'offline'");
    }
    // A status is a level, not an event with an id: the receive time makes it unique, and the
    // engine treats a repeated status (a retained message delivered again) as no change.
    e.id = std::string(parts.device) + "/status@" + std::to_string(to_ms(received));
    e.body = DeviceStatus{std::string(parts.device), s == "online"};
    return e;
  }

  json::ParseLimits limits;
  limits.max_bytes = options.max_payload;
  json::ParseResult parsed = json::parse(payload, limits);
  if (!parsed) {
    const bool utf8 = parsed.error.message.find("UTF-8") != std::string::npos;
    return refuse(
        utf8 ? RefusalReason::kNotUtf8 : RefusalReason::kNotJson, "",
        "not JSON: " + parsed.error.message + " at byte " + std::to_string(parsed.error.offset));
  }
  json::Object* obj = parsed.value->as_object();
  if (obj == nullptr) return refuse(RefusalReason::kNotObject, "", "payload must be a JSON object");

  Reader r(*obj);
  e.id = r.id("id", true);
  if (auto ts = r.time("ts", false)) {
    if (*ts > received + options.future_tolerance) {
      e.ts = received;  // a source clock far ahead: trust our own receive time
    } else {
      e.ts = *ts;
      e.ts_from_source = true;
    }
  }
  if (!r.ok()) return r.take_error();
  e.body = decode_body(*type, parts.device, r);
  if (!r.ok()) return r.take_error();

  if (auto* paid = std::get_if<CheckPaid>(&e.body); paid != nullptr && paid->currency.empty()) {
    paid->currency = options.default_currency;
  }
  for (auto& [key, value] : *obj) {
    if (!is_known(*type, key)) e.extra.append(key, std::move(value));
  }
  return e;
}

namespace {

void put_customer(json::Object& o, const std::optional<Customer>& c) {
  if (!c) return;
  json::Object co;
  if (!c->id.empty()) co.append("id", c->id);
  if (!c->name.empty()) co.append("name", c->name);
  if (!c->phone.empty()) co.append("phone", c->phone);
  if (!c->email.empty()) co.append("email", c->email);
  o.append("customer", std::move(co));
}
void put(json::Object& o, std::string_view key, const std::string& s) {
  if (!s.empty()) o.append(std::string(key), s);
}
template <typename T>
void put(json::Object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o.append(std::string(key), *v);
}

}  // namespace

json::Value event_to_json(const Event& e) {
  json::Object o;
  o.append("id", e.id);
  o.append("ts", format_rfc3339(e.ts));
  std::visit(
      [&o](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, OrderOpened>) {
          put(o, "table", b.table);
          put(o, "check", b.check);
          put(o, "covers", b.covers);
          put(o, "staff", b.staff);
        } else if constexpr (std::is_same_v<T, ItemsFired>) {
          put(o, "check", b.check);
          put(o, "course", b.course);
          put(o, "table", b.table);
          if (!b.items.empty()) {
            json::Array items;
            for (const auto& li : b.items) {
              json::Object io;
              io.append("name", li.name);
              io.append("qty", li.qty);
              items.emplace_back(std::move(io));
            }
            o.append("items", std::move(items));
          }
        } else if constexpr (std::is_same_v<T, ItemsServed>) {
          put(o, "check", b.check);
          put(o, "course", b.course);
          put(o, "table", b.table);
        } else if constexpr (std::is_same_v<T, CheckRequested>) {
          put(o, "check", b.check);
          put(o, "table", b.table);
        } else if constexpr (std::is_same_v<T, CheckPaid>) {
          put(o, "check", b.check);
          o.append("total", b.total);
          put(o, "currency", b.currency);
          put(o, "tip", b.tip);
          put(o, "table", b.table);
        } else if constexpr (std::is_same_v<T, ItemVoided>) {
          put(o, "check", b.check);
          put(o, "item", b.item);
          put(o, "reason", b.reason);
          put(o, "amount", b.amount);
          put(o, "table", b.table);
        } else if constexpr (std::is_same_v<T, VoucherRedeemed>) {
          put(o, "check", b.check);
          put(o, "voucher", b.voucher);
          put(o, "amount", b.amount);
        } else if constexpr (std::is_same_v<T, BookingChanged>) {
          put(o, "booking", b.booking);
          o.append("at", format_rfc3339(b.at));
          o.append("party", b.party);
          put_customer(o, b.customer);
          put(o, "value", b.value);
          put(o, "notes", b.notes);
          put(o, "channel", b.channel);
        } else if constexpr (std::is_same_v<T, BookingCancelled>) {
          put(o, "booking", b.booking);
          put(o, "reason", b.reason);
        } else if constexpr (std::is_same_v<T, GuestArrived>) {
          put(o, "booking", b.booking);
          put(o, "party", b.party);
          put_customer(o, b.customer);
        } else if constexpr (std::is_same_v<T, GuestSeated>) {
          put(o, "table", b.table);
          put(o, "booking", b.booking);
          put(o, "party", b.party);
          put_customer(o, b.customer);
        } else if constexpr (std::is_same_v<T, TableCleared>) {
          put(o, "table", b.table);
        } else if constexpr (std::is_same_v<T, EnquiryReceived>) {
          put(o, "enquiry", b.enquiry);
          put(o, "channel", b.channel);
          put_customer(o, b.customer);
          put(o, "topic", b.topic);
          put(o, "value", b.value);
        } else if constexpr (std::is_same_v<T, EnquiryAnswered>) {
          put(o, "enquiry", b.enquiry);
          put(o, "staff", b.staff);
        } else if constexpr (std::is_same_v<T, Temperature>) {
          o.append("value", b.value);
          o.append("unit", b.unit == TemperatureUnit::kCelsius ? "C" : "F");
        } else if constexpr (std::is_same_v<T, CallButton>) {
          put(o, "table", b.table);
          o.append("state", b.pressed ? "pressed" : "cleared");
        } else if constexpr (std::is_same_v<T, Occupancy>) {
          put(o, "table", b.table);
          o.append("occupied", b.occupied);
        } else if constexpr (std::is_same_v<T, Queue>) {
          o.append("count", b.count);
        } else if constexpr (std::is_same_v<T, DeviceStatus>) {
          o.append("status", b.online ? "online" : "offline");
        } else if constexpr (std::is_same_v<T, ReviewReceived>) {
          put(o, "review", b.review);
          put(o, "source", b.source);
          o.append("rating", b.rating);
          put(o, "text", b.text);
          put_customer(o, b.customer);
          put(o, "booking", b.booking);
          if (b.visited_at) o.append("visited_at", format_rfc3339(*b.visited_at));
        } else if constexpr (std::is_same_v<T, SurveyAnswered>) {
          o.append("score", b.score);
          put(o, "case", b.case_id);
          put(o, "booking", b.booking);
          put_customer(o, b.customer);
          put(o, "text", b.text);
        }
      },
      e.body);
  for (const auto& [key, value] : e.extra) o.append(key, value);
  return o;
}

std::vector<std::string> inbound_topic_filters(std::string_view venue) {
  const std::string base = "venue/" + std::string(venue) + "/";
  return {base + "till/+", base + "booking/+", base + "sensor/+/+", base + "feedback/+"};
}

}  // namespace mend
