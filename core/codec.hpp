// The canonical JSON codec: MQTT topic + payload -> Event, or a Refusal that says which field
// is wrong. Pure: the MQTT client hands it bytes and the receive time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/event.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

// Why a payload was refused. Stable names (refusal_reason_name) are used as metric labels
// and in the dead-letter store.
enum class RefusalReason : std::uint8_t {
  kTopic,         // not a topic of the contract, or another venue's
  kTooLarge,      // payload over 64 KiB
  kNotUtf8,       // payload bytes are not UTF-8
  kNotJson,       // not one JSON value
  kNotObject,     // JSON, but not an object
  kMissingField,  // a required field is absent
  kWrongType,     // a field has the wrong JSON type
  kInvalidValue,  // right type, value out of its domain (rating 7, ts not RFC 3339, ...)
};
inline constexpr int kRefusalReasonCount = 8;
std::string_view refusal_reason_name(RefusalReason r);

struct Refusal {
  RefusalReason reason = RefusalReason::kNotJson;
  std::string field;    // the offending field, dotted for nested ones ("customer.id"); may be empty
  std::string message;  // one line for a person: "field 'party' must be an integer >= 1"
};

struct CodecOptions {
  std::string venue;                                // only this venue's topics are accepted
  std::string default_currency = "EUR";             // check.paid without currency
  Millis future_tolerance = Millis{5 * 60 * 1000};  // ts further ahead counts as received now
  std::size_t max_payload = std::size_t{64} * 1024;
};

// The parts of an incoming topic: venue/<venue>/<source>/<type> or
// venue/<venue>/sensor/<device>/<reading>.
struct TopicParts {
  std::string_view venue;
  Source source = Source::kTill;
  std::string_view device;  // sensors only
  std::string_view name;    // type or reading
};
std::variant<TopicParts, Refusal> parse_topic(std::string_view topic);

using DecodeResult = std::variant<Event, Refusal>;

// `received` is the wall time the payload arrived; it is the event's ts when the payload has
// none, and the reference for the future tolerance. Sensor status payloads are the plain text
// "online"/"offline" (the device's last will); they carry no id, so one is made from the
// device and the receive time.
DecodeResult decode(std::string_view topic, std::string_view payload, WallTime received,
                    const CodecOptions& options);

// The canonical JSON for an event (the inverse of decode for JSON payloads): what the store
// keeps and what the golden fixtures compare against.
json::Value event_to_json(const Event& e);

}  // namespace mend
