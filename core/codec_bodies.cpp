// One decoder per event type: which fields it requires, their types and their domains
// (docs/signals.md is the contract).
#include <array>

#include "core/codec_internal.hpp"

namespace mend::codec_detail {
namespace {

constexpr std::int64_t kMaxParty = 1000;
constexpr std::int64_t kMaxCount = 1000000;

bool is_currency(std::string_view s) {
  if (s.size() != 3) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
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
    {{"customer", "amount", "check"}},                   // reward.redeemed
}};

}  // namespace

bool is_known(EventType t, std::string_view key) {
  if (key == "id" || key == "ts") return true;
  for (std::string_view k : kKnownFields[static_cast<std::size_t>(t)].names) {
    if (!k.empty() && k == key) return true;
  }
  return false;
}

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
    case EventType::kTillStatus:
    case EventType::kBookingStatus:
    case EventType::kFeedbackStatus: return BridgeStatus{};  // likewise
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
    case EventType::kRewardRedeemed: {
      RewardRedeemed b;
      if (auto c = r.customer("customer"); c && !c->id.empty()) {
        b.customer = std::move(*c);
      } else if (r.ok()) {
        r.missing("customer.id");
      }
      b.amount = r.number("amount", true, true).value_or(0);
      if (r.ok() && !(b.amount > 0)) {
        r.fail(RefusalReason::kInvalidValue, "amount", "amount must be more than 0");
      }
      b.check = r.id("check", false);
      return b;
    }
  }
  return OrderOpened{};
}

}  // namespace mend::codec_detail
