#include "core/case.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using S = CaseStatus;

const Actor kAmy{"u-amy", "staff"};
const Actor kMo{"u-mo", "manager"};

Case sample_case() {
  Case c;
  c.id = "c-000123";
  c.version = 4;
  c.kind = CaseKind::kTableNoOrder;
  c.severity = Severity::kMedium;
  c.subject.table = "T12";
  c.subject.booking = "B77";
  c.subject.customer = "cust-19";
  c.opened_at = *parse_rfc3339("2026-11-22T19:42:10Z");
  c.updated_at = c.opened_at;
  c.reason = "Table T12 was seated 10m ago and has not ordered (limit 10m).";
  c.evidence.push_back(
      Evidence{"ev-991", "guest.seated", *parse_rfc3339("2026-11-22T19:32:10Z"), ""});
  c.recommendation =
      Recommendation{"apology_visit", "Visit table T12 and take the order.", "manager"};
  return c;
}

TEST(CaseNames, RoundTrip) {
  for (int i = 0; i < kCaseKindCount; ++i) {
    const auto k = static_cast<CaseKind>(i);
    EXPECT_EQ(case_kind_from_name(case_kind_name(k)), k);
  }
  for (int i = 0; i <= static_cast<int>(S::kClosed); ++i) {
    const auto s = static_cast<S>(i);
    EXPECT_EQ(case_status_from_name(case_status_name(s)), s);
  }
  EXPECT_EQ(case_kind_name(CaseKind::kTemperatureOutOfRange), "temperature.out_of_range");
  EXPECT_EQ(case_status_name(S::kAwaitingApproval), "awaiting_approval");
  EXPECT_EQ(case_kind_from_name("table.no-order"), std::nullopt);
  EXPECT_EQ(severity_from_name("urgent"), std::nullopt);
}

TEST(Severity, RaiseStopsAtCritical) {
  EXPECT_EQ(raise(Severity::kLow, 1), Severity::kMedium);
  EXPECT_EQ(raise(Severity::kMedium, 5), Severity::kCritical);
  EXPECT_EQ(raise(Severity::kHigh, 0), Severity::kHigh);
  EXPECT_EQ(raise(Severity::kHigh, -2), Severity::kHigh);
}

TEST(CaseTransitions, TheRecoveryPathIsAllowed) {
  Case c = sample_case();
  const WallTime t = c.opened_at;
  EXPECT_EQ(apply_transition(c, S::kAcknowledged, kAmy, t + std::chrono::minutes(1), ""),
            std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kAwaitingApproval, kAmy, t + std::chrono::minutes(2),
                             "comp a dessert"),
            std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kActioned, kMo, t + std::chrono::minutes(3), "approved"),
            std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kFollowUp, kMo, t + std::chrono::minutes(4), ""), std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kResolved, kMo, t + std::chrono::minutes(5), "process"),
            std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kClosed, kMo, t + std::chrono::minutes(6), ""), std::nullopt);
  ASSERT_EQ(c.history.size(), 6u);
  EXPECT_EQ(c.history[1].from, S::kAcknowledged);
  EXPECT_EQ(c.history[1].to, S::kAwaitingApproval);
  EXPECT_EQ(c.history[1].by, kAmy);
  EXPECT_EQ(c.history[1].note, "comp a dessert");
  EXPECT_EQ(c.history[2].by, kMo);
  EXPECT_EQ(c.updated_at, t + std::chrono::minutes(6));
  EXPECT_EQ(c.status, S::kClosed);
}

TEST(CaseTransitions, RejectedApprovalGoesBackToTheFloor) {
  Case c = sample_case();
  ASSERT_EQ(apply_transition(c, S::kAwaitingApproval, kAmy, c.opened_at, ""), std::nullopt);
  EXPECT_EQ(apply_transition(c, S::kAcknowledged, kMo, c.opened_at, "rejected: too generous"),
            std::nullopt);
  EXPECT_EQ(c.status, S::kAcknowledged);
}

TEST(CaseTransitions, NonsenseIsRefusedAndChangesNothing) {
  struct Bad {
    S from;
    S to;
    const char* why;
  };
  const Bad cases[] = {
      {S::kOpen, S::kOpen, "already open"},
      {S::kOpen, S::kFollowUp, "cannot go from open to follow_up"},
      {S::kAcknowledged, S::kOpen, "cannot go from acknowledged to open"},
      {S::kAwaitingApproval, S::kResolved, "cannot go from awaiting_approval to resolved"},
      {S::kActioned, S::kAwaitingApproval, "cannot go from actioned to awaiting_approval"},
      {S::kResolved, S::kActioned, "cannot go from resolved to actioned"},
      {S::kClosed, S::kOpen, "closed case cannot change"},
      {S::kClosed, S::kResolved, "closed case cannot change"},
  };
  for (const auto& b : cases) {
    Case c = sample_case();
    c.status = b.from;
    const Case before = c;
    const auto why = apply_transition(c, b.to, kMo, c.opened_at, "");
    ASSERT_TRUE(why.has_value()) << case_status_name(b.from) << " -> " << case_status_name(b.to);
    EXPECT_NE(why->find(b.why), std::string::npos) << *why;
    EXPECT_EQ(c, before);
  }
}

TEST(CaseTransitions, SomeoneMustBeNamed) {
  Case c = sample_case();
  EXPECT_TRUE(apply_transition(c, S::kAcknowledged, Actor{"", "staff"}, c.opened_at, ""));
  EXPECT_TRUE(apply_transition(c, S::kAcknowledged, Actor{"u-1", ""}, c.opened_at, ""));
  EXPECT_EQ(c.status, S::kOpen);
}

TEST(CaseJson, MatchesTheContractShape) {
  const Case c = sample_case();
  const std::string out = json::dump(case_to_json(c));
  EXPECT_EQ(
      out.rfind(
          R"({"id":"c-000123","version":4,"kind":"table.no_order","employee":"floor","severity":"medium","status":"open",)"
          R"("subject":{"table":"T12","booking":"B77","customer":"cust-19"},)"
          R"("opened_at":"2026-11-22T19:42:10Z","updated_at":"2026-11-22T19:42:10Z",)",
          0),
      0u)
      << out;
  EXPECT_NE(
      out.find(
          R"("evidence":[{"event":"ev-991","type":"guest.seated","ts":"2026-11-22T19:32:10Z"}])"),
      std::string::npos)
      << out;
  EXPECT_NE(
      out.find(
          R"("recommendation":{"action":"apology_visit","text":"Visit table T12 and take the order.","needs_approval_by":"manager"})"),
      std::string::npos)
      << out;
}

TEST(CaseJson, RoundTripsWithHistory) {
  Case c = sample_case();
  ASSERT_EQ(
      apply_transition(c, S::kAcknowledged, kAmy, c.opened_at + std::chrono::seconds(30), "on it"),
      std::nullopt);
  c.evidence.push_back(Evidence{"ev-992", "order.opened", c.opened_at, "Order taken after 12m"});
  c.messages.push_back(GuestMessage{"c-000123-m1", "follow_up", c.opened_at, "sent", {}, {}});
  c.messages.push_back(GuestMessage{"c-000123-m2", "voucher", c.opened_at, "failed",
                                    "number unknown", c.opened_at + std::chrono::minutes(1)});
  const auto back = case_from_json(case_to_json(c));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, c);
}

TEST(CaseJson, ACaseStoredBeforeVersionsReadsAsVersionOne) {
  json::Value v = case_to_json(sample_case());
  v.as_object()->erase("version");
  const auto back = case_from_json(v);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->version, 1u);
}

TEST(CaseJson, RefusesIncompleteCases) {
  EXPECT_EQ(case_from_json(json::Value("c-1")), std::nullopt);
  json::Value v = case_to_json(sample_case());
  v.as_object()->set("status", "pending");
  EXPECT_EQ(case_from_json(v), std::nullopt);
  v = case_to_json(sample_case());
  v.as_object()->erase("opened_at");
  EXPECT_EQ(case_from_json(v), std::nullopt);
}

}  // namespace
}  // namespace mend
