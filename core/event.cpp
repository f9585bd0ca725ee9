#include "core/event.hpp"

#include <array>

namespace mend {
namespace {

struct TypeInfo {
  EventType type;
  Source source;
  std::string_view name;
};

// Order matches EventType.
constexpr std::array<TypeInfo, kEventTypeCount> kTypes{{
    {EventType::kOrderOpened, Source::kTill, "order.opened"},
    {EventType::kItemsFired, Source::kTill, "items.fired"},
    {EventType::kItemsServed, Source::kTill, "items.served"},
    {EventType::kCheckRequested, Source::kTill, "check.requested"},
    {EventType::kCheckPaid, Source::kTill, "check.paid"},
    {EventType::kItemVoided, Source::kTill, "item.voided"},
    {EventType::kVoucherRedeemed, Source::kTill, "voucher.redeemed"},
    {EventType::kBookingCreated, Source::kBooking, "booking.created"},
    {EventType::kBookingUpdated, Source::kBooking, "booking.updated"},
    {EventType::kBookingCancelled, Source::kBooking, "booking.cancelled"},
    {EventType::kGuestArrived, Source::kBooking, "guest.arrived"},
    {EventType::kGuestSeated, Source::kBooking, "guest.seated"},
    {EventType::kTableCleared, Source::kBooking, "table.cleared"},
    {EventType::kEnquiryReceived, Source::kBooking, "enquiry.received"},
    {EventType::kEnquiryAnswered, Source::kBooking, "enquiry.answered"},
    {EventType::kTemperature, Source::kSensor, "temperature"},
    {EventType::kCallButton, Source::kSensor, "callbutton"},
    {EventType::kOccupancy, Source::kSensor, "occupancy"},
    {EventType::kQueue, Source::kSensor, "queue"},
    {EventType::kDeviceStatus, Source::kSensor, "status"},
    {EventType::kReviewReceived, Source::kFeedback, "review.received"},
    {EventType::kSurveyAnswered, Source::kFeedback, "survey.answered"},
    {EventType::kRewardRedeemed, Source::kTill, "reward.redeemed"},
    {EventType::kTillStatus, Source::kTill, "till.status"},
    {EventType::kBookingStatus, Source::kBooking, "booking.status"},
    {EventType::kFeedbackStatus, Source::kFeedback, "feedback.status"},
}};

constexpr std::array<std::string_view, kSourceCount> kSourceNames{"till", "booking", "sensor",
                                                                  "feedback"};

}  // namespace

std::string_view source_name(Source s) { return kSourceNames[static_cast<std::size_t>(s)]; }

std::optional<Source> source_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kSourceNames.size(); ++i) {
    if (kSourceNames[i] == name) return static_cast<Source>(i);
  }
  return std::nullopt;
}

std::string_view event_type_name(EventType t) { return kTypes[static_cast<std::size_t>(t)].name; }

Source event_source(EventType t) { return kTypes[static_cast<std::size_t>(t)].source; }

std::optional<EventType> event_type_from_topic(Source source, std::string_view level) {
  if (level == "status") {
    switch (source) {
      case Source::kTill: return EventType::kTillStatus;
      case Source::kBooking: return EventType::kBookingStatus;
      case Source::kFeedback: return EventType::kFeedbackStatus;
      case Source::kSensor: return EventType::kDeviceStatus;
    }
  }
  if (level.ends_with(".status")) return std::nullopt;  // the bridges' names are not topics
  return event_type_from_name(source, level);
}

std::optional<EventType> event_type_from_name(Source source, std::string_view name) {
  for (const auto& info : kTypes) {
    if (info.source == source && info.name == name) return info.type;
  }
  return std::nullopt;
}

}  // namespace mend
