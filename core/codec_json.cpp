// Event -> canonical JSON: what the store keeps and what the golden fixtures compare against.
#include "core/codec.hpp"

namespace mend {

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
        } else if constexpr (std::is_same_v<T, RewardRedeemed>) {
          put_customer(o, b.customer);
          o.append("amount", b.amount);
          put(o, "check", b.check);
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
        } else if constexpr (std::is_same_v<T, DeviceStatus> || std::is_same_v<T, BridgeStatus>) {
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

}  // namespace mend
