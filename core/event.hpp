// Canonical events: one value type per event in signals.md. A bridge's payload is decoded
// once into an Event (see codec.hpp) and everything downstream works on these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class EventType : std::uint8_t {
  // till
  kOrderOpened,
  kItemsFired,
  kItemsServed,
  kCheckRequested,
  kCheckPaid,
  kItemVoided,
  kVoucherRedeemed,
  // booking
  kBookingCreated,
  kBookingUpdated,
  kBookingCancelled,
  kGuestArrived,
  kGuestSeated,
  kTableCleared,
  kEnquiryReceived,
  kEnquiryAnswered,
  // sensors
  kTemperature,
  kCallButton,
  kOccupancy,
  kQueue,
  kDeviceStatus,
  // feedback
  kReviewReceived,
  kSurveyAnswered,
  // till, added later (the order is the wire contract's history, not its grouping)
  kRewardRedeemed,
  // A bridge's own status (its last will), like a device's: core/source_health.hpp.
  kTillStatus,
  kBookingStatus,
  kFeedbackStatus,
};
inline constexpr int kEventTypeCount = 26;

enum class Source : std::uint8_t { kTill, kBooking, kSensor, kFeedback };
inline constexpr int kSourceCount = 4;
std::string_view source_name(Source s);  // "till", "booking", "sensor", "feedback"
std::optional<Source> source_from_name(std::string_view name);

// The wire name: "order.opened", ..., sensor readings by their reading name ("temperature",
// "callbutton", "occupancy", "queue", "status").
std::string_view event_type_name(EventType t);
std::optional<EventType> event_type_from_name(Source source, std::string_view name);
// The type a topic's last level names: the wire name, except that a bridge's status is
// `status` on its topic ("till.status" is its name everywhere else, so names stay unique).
std::optional<EventType> event_type_from_topic(Source source, std::string_view level);
Source event_source(EventType t);

struct Customer {
  std::string id;
  std::string name;
  std::string phone;
  std::string email;
  bool operator==(const Customer&) const = default;
};

struct LineItem {
  std::string name;
  std::int64_t qty = 1;
  bool operator==(const LineItem&) const = default;
};

struct OrderOpened {
  std::string table;
  std::string check;
  std::optional<std::int64_t> covers;
  std::string staff;
  bool operator==(const OrderOpened&) const = default;
};
struct ItemsFired {
  std::string check;
  std::string course;
  std::string table;
  std::vector<LineItem> items;
  bool operator==(const ItemsFired&) const = default;
};
struct ItemsServed {
  std::string check;
  std::string course;
  std::string table;
  bool operator==(const ItemsServed&) const = default;
};
struct CheckRequested {
  std::string check;
  std::string table;
  bool operator==(const CheckRequested&) const = default;
};
struct CheckPaid {
  std::string check;
  double total = 0;
  std::string currency;  // filled from config when absent
  std::optional<double> tip;
  std::string table;
  bool operator==(const CheckPaid&) const = default;
};
struct ItemVoided {
  std::string check;
  std::string item;
  std::string reason;
  std::optional<double> amount;
  std::string table;
  bool operator==(const ItemVoided&) const = default;
};
// A guest's rewards credit (docs/ledger.md) used at the till.
struct RewardRedeemed {
  Customer customer;  // its id is required
  double amount = 0;  // more than 0, in the venue's currency
  std::string check;
  bool operator==(const RewardRedeemed&) const = default;
};
struct VoucherRedeemed {
  std::string check;
  std::string voucher;
  std::optional<double> amount;
  bool operator==(const VoucherRedeemed&) const = default;
};
// booking.created and booking.updated share one shape.
struct BookingChanged {
  std::string booking;
  WallTime at;
  std::int64_t party = 0;
  std::optional<Customer> customer;
  std::optional<double> value;
  std::string notes;
  std::string channel;
  bool operator==(const BookingChanged&) const = default;
};
struct BookingCancelled {
  std::string booking;
  std::string reason;
  bool operator==(const BookingCancelled&) const = default;
};
struct GuestArrived {
  std::string booking;                // empty for a walk-in
  std::optional<std::int64_t> party;  // required for a walk-in
  std::optional<Customer> customer;
  bool operator==(const GuestArrived&) const = default;
};
struct GuestSeated {
  std::string table;
  std::string booking;
  std::optional<std::int64_t> party;
  std::optional<Customer> customer;
  bool operator==(const GuestSeated&) const = default;
};
struct TableCleared {
  std::string table;
  bool operator==(const TableCleared&) const = default;
};
struct EnquiryReceived {
  std::string enquiry;
  std::string channel;
  std::optional<Customer> customer;
  std::string topic;
  std::optional<double> value;
  bool operator==(const EnquiryReceived&) const = default;
};
struct EnquiryAnswered {
  std::string enquiry;
  std::string staff;
  bool operator==(const EnquiryAnswered&) const = default;
};
enum class TemperatureUnit : std::uint8_t { kCelsius, kFahrenheit };
struct Temperature {
  std::string device;
  double value = 0;  // as sent
  TemperatureUnit unit = TemperatureUnit::kCelsius;
  double celsius() const {
    return unit == TemperatureUnit::kCelsius ? value : (value - 32.0) * 5.0 / 9.0;
  }
  bool operator==(const Temperature&) const = default;
};
struct CallButton {
  std::string device;
  std::string table;
  bool pressed = false;  // false: cleared
  bool operator==(const CallButton&) const = default;
};
struct Occupancy {
  std::string device;
  std::string table;
  bool occupied = false;
  bool operator==(const Occupancy&) const = default;
};
struct Queue {
  std::string device;
  std::int64_t count = 0;
  bool operator==(const Queue&) const = default;
};
struct DeviceStatus {
  std::string device;
  bool online = false;
  bool operator==(const DeviceStatus&) const = default;
};
// A till, booking or feedback bridge said it is connected or not (its source is its type's).
struct BridgeStatus {
  bool online = false;
  bool operator==(const BridgeStatus&) const = default;
};
struct ReviewReceived {
  std::string review;
  std::string source;
  std::int64_t rating = 0;
  std::string text;
  std::optional<Customer> customer;
  std::string booking;
  std::optional<WallTime> visited_at;
  bool operator==(const ReviewReceived&) const = default;
};
struct SurveyAnswered {
  std::int64_t score = 0;
  std::string case_id;
  std::string booking;
  std::optional<Customer> customer;
  std::string text;
  bool operator==(const SurveyAnswered&) const = default;
};

using EventBody =
    std::variant<OrderOpened, ItemsFired, ItemsServed, CheckRequested, CheckPaid, ItemVoided,
                 VoucherRedeemed, BookingChanged, BookingCancelled, GuestArrived, GuestSeated,
                 TableCleared, EnquiryReceived, EnquiryAnswered, Temperature, CallButton, Occupancy,
                 Queue, DeviceStatus, ReviewReceived, SurveyAnswered, RewardRedeemed, BridgeStatus>;

struct Event {
  std::string id;
  EventType type = EventType::kOrderOpened;
  // When it happened at the source, after the contract's rules: the payload's ts, or the
  // receive time when ts was missing or more than the future tolerance ahead.
  WallTime ts;
  WallTime received;
  bool ts_from_source = false;  // false when ts was missing or clamped to the receive time
  EventBody body;
  // Fields the contract does not define, kept with the event and ignored by detection.
  json::Object extra;

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&body);
  }
};

// An event as its source sent it: stamped at `ts` and received at that moment, as simulated
// histories and the core's tests make them.
inline Event sent_at(std::string id, EventType type, EventBody body, WallTime ts) {
  Event e;
  e.id = std::move(id);
  e.type = type;
  e.ts = ts;
  e.received = ts;
  e.ts_from_source = true;
  e.body = std::move(body);
  return e;
}

}  // namespace mend
