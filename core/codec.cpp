// Decoding is strict about what the contract requires and lenient about what it does not
// mention: a required field that is missing or of the wrong type refuses the payload, while
// unknown fields are kept in Event::extra for whoever reads the event later.
//
// This file: topics and the steps every payload goes through (size, UTF-8, JSON, id, ts).
// The field readers are in codec_fields.cpp, the per-type bodies in codec_bodies.cpp, and the
// way back to JSON in codec_json.cpp.
#include "core/codec.hpp"

#include <array>

#include "core/codec_internal.hpp"
#include "core/utf8.hpp"

namespace mend {
namespace {

using codec_detail::refuse;

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
  auto type = event_type_from_topic(parts.source, parts.name);
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

  // Checked on the whole payload so bytes outside a JSON string (a UTF-16 byte order mark, a
  // Latin-1 key) are named for what they are rather than as a JSON syntax error.
  if (const std::size_t bad = first_invalid_utf8(payload); bad != std::string_view::npos) {
    return refuse(RefusalReason::kNotUtf8, "",
                  "payload is not UTF-8: invalid byte sequence at byte " + std::to_string(bad));
  }

  Event e;
  e.type = *type;
  e.received = received;
  e.ts = received;

  if (parts.name == "status") {  // a device's or a bridge's: plain text
    const std::string_view s = trim(payload);
    if (s != "online" && s != "offline") {
      return refuse(RefusalReason::kInvalidValue, "",
                    "a status must be the text 'online' or 'offline'");
    }
    // A status is a level, not an event with an id: the receive time makes it unique, and a
    // repeated status (a retained message delivered again) changes nothing.
    const std::string_view who =
        *type == EventType::kDeviceStatus ? parts.device : source_name(parts.source);
    e.id = std::string(who) + "/status@" + std::to_string(to_ms(received));
    if (*type == EventType::kDeviceStatus) {
      e.body = DeviceStatus{std::string(parts.device), s == "online"};
    } else {
      e.body = BridgeStatus{s == "online"};
    }
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

  codec_detail::Reader r(*obj);
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
  e.body = codec_detail::decode_body(*type, parts.device, r);
  if (!r.ok()) return r.take_error();

  if (auto* paid = std::get_if<CheckPaid>(&e.body); paid != nullptr && paid->currency.empty()) {
    paid->currency = options.default_currency;
  }
  for (auto& [key, value] : *obj) {
    if (!codec_detail::is_known(*type, key)) e.extra.append(key, std::move(value));
  }
  return e;
}

}  // namespace mend
