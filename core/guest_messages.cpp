#include "core/guest_messages.hpp"

#include "core/json.hpp"

namespace mend {
namespace {

constexpr std::size_t kMaxReceiptBytes = 4096;
constexpr std::size_t kMaxDetailLength = 500;

}  // namespace

std::variant<MessageReceipt, std::string> read_message_receipt(std::string_view payload,
                                                               WallTime received) {
  auto parsed = json::parse(payload, json::ParseLimits{4, kMaxReceiptBytes});
  if (!parsed) return "not JSON (or over 4 KiB): " + parsed.error.message;
  const json::Value& v = *parsed.value;
  if (!v.is_object()) return std::string("expected an object");
  const auto text = [&](std::string_view key) -> const std::string* {
    const json::Value* f = v.get(key);
    return f != nullptr ? f->as_string() : nullptr;
  };
  MessageReceipt r;
  const std::string* message = text("message");
  const std::string* case_id = text("case");
  const std::string* status = text("status");
  if (message == nullptr || message->empty()) return std::string("message: expected its id");
  if (case_id == nullptr || case_id->empty()) return std::string("case: expected its id");
  if (status == nullptr || (*status != "delivered" && *status != "failed")) {
    return std::string(R"(status: expected "delivered" or "failed")");
  }
  r.message_id = *message;
  r.case_id = *case_id;
  r.delivered = *status == "delivered";
  if (const json::Value* d = v.get("detail"); d != nullptr && !d->is_null()) {
    if (!d->is_string()) return std::string("detail: expected text");
    r.detail = d->as_string()->substr(0, kMaxDetailLength);
  }
  r.at = received;
  if (const json::Value* at = v.get("at"); at != nullptr && !at->is_null()) {
    const auto t = at->as_string() != nullptr ? parse_rfc3339(*at->as_string()) : std::nullopt;
    if (!t) return std::string("at: expected an RFC 3339 time");
    r.at = *t;
  }
  return r;
}

}  // namespace mend
