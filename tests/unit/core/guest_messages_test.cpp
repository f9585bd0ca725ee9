// Delivery receipts from the venue's messaging integration, as the cloud sends them.
#include "core/guest_messages.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

const WallTime kReceived = wall_from_ms(1795374000000);  // 2026-11-22T19:00:00Z

std::string error_of(std::string_view payload) {
  auto r = read_message_receipt(payload, kReceived);
  const auto* e = std::get_if<std::string>(&r);
  return e != nullptr ? *e : "(read)";
}

TEST(GuestMessages, AReceiptNamesItsMessageCaseAndOutcome) {
  auto r = read_message_receipt(
      R"({"message":"c-17-m1","case":"c-17","status":"failed","detail":"number unknown",)"
      R"("at":"2026-11-22T19:05:00Z"})",
      kReceived);
  ASSERT_TRUE(std::holds_alternative<MessageReceipt>(r)) << std::get<std::string>(r);
  const auto& m = std::get<MessageReceipt>(r);
  EXPECT_EQ(m.message_id, "c-17-m1");
  EXPECT_EQ(m.case_id, "c-17");
  EXPECT_FALSE(m.delivered);
  EXPECT_EQ(m.detail, "number unknown");
  EXPECT_EQ(m.at, kReceived + std::chrono::minutes(5));
}

TEST(GuestMessages, WithoutATimeTheBoxsReceiptTimeStands) {
  auto r =
      read_message_receipt(R"({"message":"c-1-m2","case":"c-1","status":"delivered"})", kReceived);
  ASSERT_TRUE(std::holds_alternative<MessageReceipt>(r));
  EXPECT_TRUE(std::get<MessageReceipt>(r).delivered);
  EXPECT_EQ(std::get<MessageReceipt>(r).at, kReceived);
}

TEST(GuestMessages, AnythingElseIsRefusedWithWhatIsWrong) {
  EXPECT_EQ(error_of("[1]"), "expected an object");
  EXPECT_NE(error_of("{").find("not JSON"), std::string::npos);
  EXPECT_EQ(error_of(R"({"case":"c-1","status":"delivered"})"), "message: expected its id");
  EXPECT_EQ(error_of(R"({"message":"c-1-m1","status":"delivered"})"), "case: expected its id");
  EXPECT_EQ(error_of(R"({"message":"c-1-m1","case":"c-1","status":"read"})"),
            R"(status: expected "delivered" or "failed")");
  EXPECT_EQ(error_of(R"({"message":"c-1-m1","case":"c-1","status":"failed","detail":3})"),
            "detail: expected text");
  EXPECT_EQ(error_of(R"({"message":"c-1-m1","case":"c-1","status":"failed","at":"yesterday"})"),
            "at: expected an RFC 3339 time");
  EXPECT_NE(error_of(std::string(5000, ' ')).find("not JSON"), std::string::npos);
}

}  // namespace
}  // namespace mend
