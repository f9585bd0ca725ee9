#include "core/case_book.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = wall_from_ms(1795374000000);

Decision open_decision(std::string id, CaseKind kind) {
  Decision d;
  d.op = Decision::Op::kOpen;
  d.case_id = std::move(id);
  d.kind = kind;
  d.subject.table = "T12";
  d.subject.device = "fridge-1";
  d.subject.review = "R1";
  d.severity = Severity::kMedium;
  d.at = kT0;
  d.reason = "because";
  d.evidence.push_back(Evidence{"ev-1", "guest.seated", kT0 - 10min, ""});
  return d;
}

TEST(CaseBook, OpenMakesACaseWithARecommendation) {
  CaseBook book;
  auto change = book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  ASSERT_TRUE(change);
  EXPECT_EQ(change->what, CaseChange::What::kOpened);
  const Case* c = book.find("c-1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, CaseStatus::kOpen);
  EXPECT_EQ(c->reason, "because");
  EXPECT_EQ(c->recommendation.action, "take_order_now");
  EXPECT_NE(c->recommendation.text.find("table T12"), std::string::npos);
  EXPECT_EQ(book.open_count(), 1u);
}

TEST(CaseBook, EveryKindHasARecommendation) {
  for (int i = 0; i < kCaseKindCount; ++i) {
    const auto r = default_recommendation(static_cast<CaseKind>(i), Subject{});
    EXPECT_FALSE(r.action.empty()) << case_kind_name(static_cast<CaseKind>(i));
    EXPECT_FALSE(r.text.empty());
  }
  EXPECT_EQ(default_recommendation(CaseKind::kReviewNegative, Subject{}).needs_approval_by,
            "manager")
      << "a message to a guest waits for a manager";
}

TEST(CaseBook, EvidenceAndSeverityLandOnTheCase) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  Decision more;
  more.op = Decision::Op::kAddEvidence;
  more.case_id = "c-1";
  more.severity = Severity::kMedium;
  more.at = kT0 + 4min;
  more.evidence.push_back(Evidence{"ev-2", "order.opened", kT0 + 4min, "Order taken after 14m"});
  ASSERT_TRUE(book.apply(more));
  Decision raise_it = more;
  raise_it.op = Decision::Op::kRaiseSeverity;
  raise_it.severity = Severity::kHigh;
  raise_it.evidence.clear();
  raise_it.at = kT0 + 5min;
  ASSERT_EQ(book.apply(raise_it)->what, CaseChange::What::kSeverity);
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->evidence.size(), 2u);
  EXPECT_EQ(c->severity, Severity::kHigh);
  EXPECT_EQ(c->updated_at, kT0 + 5min);
}

TEST(CaseBook, CloseOnlyWhileNobodyActed) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kDeviceOffline));
  book.apply(open_decision("c-2", CaseKind::kDeviceOffline));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.transition("c-2", CaseStatus::kAcknowledged, Actor{"u-1", "staff"}, kT0, "")));
  Decision close;
  close.op = Decision::Op::kClose;
  close.at = kT0 + 1min;
  close.reason = "Device fridge-1 is back online.";
  close.case_id = "c-1";
  EXPECT_EQ(book.apply(close)->what, CaseChange::What::kStatus);
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kClosed);
  EXPECT_EQ(book.find("c-1")->history.back().by, kSystemActor);
  close.case_id = "c-2";
  EXPECT_EQ(book.apply(close)->what, CaseChange::What::kEvidence);
  EXPECT_EQ(book.find("c-2")->status, CaseStatus::kAcknowledged) << "a person has it";
}

TEST(CaseBook, RefusedTransitionSaysWhyAndChangesNothing) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  auto r = book.transition("c-1", CaseStatus::kFollowUp, Actor{"u-1", "staff"}, kT0, "");
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kOpen);
  r = book.transition("c-404", CaseStatus::kClosed, Actor{"u-1", "staff"}, kT0, "");
  EXPECT_EQ(std::get<std::string>(r), "no case c-404");
  Decision stray;
  stray.op = Decision::Op::kAddEvidence;
  stray.case_id = "c-404";
  EXPECT_FALSE(book.apply(stray));
}

TEST(CaseBook, ListFiltersAndForgetsOldClosedCases) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  book.apply(open_decision("c-2", CaseKind::kBillSlow));
  book.apply(open_decision("c-3", CaseKind::kBillSlow));
  book.transition("c-3", CaseStatus::kClosed, Actor{"u-1", "manager"}, kT0 + 1min, "");
  EXPECT_EQ(book.list({}).size(), 3u);
  EXPECT_EQ(book.list({std::nullopt, CaseKind::kBillSlow, false, std::nullopt}).size(), 2u);
  EXPECT_EQ(book.list({std::nullopt, std::nullopt, true, std::nullopt}).size(), 2u);
  EXPECT_EQ(book.list({CaseStatus::kClosed, std::nullopt, false, std::nullopt}).size(), 1u);
  EXPECT_EQ(book.forget_closed(kT0 + 1min), 0u);
  EXPECT_EQ(book.forget_closed(kT0 + 2min), 1u);
  EXPECT_EQ(book.find("c-3"), nullptr);
}

// ---- people's actions --------------------------------------------------------------------

const Actor kStaff{"user:2", "staff"};
const Actor kManager{"user:1", "manager"};

CaseRefusal::Code refusal_code(const CaseResult& r) {
  const auto* no = std::get_if<CaseRefusal>(&r);
  return no == nullptr ? CaseRefusal::Code{} : no->code;
}

TEST(CaseBookActions, AcknowledgeOnceThenConflict) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(book.acknowledge("c-1", kStaff, kT0, " on it ")));
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->status, CaseStatus::kAcknowledged);
  EXPECT_EQ(c->history.back().by, kStaff);
  EXPECT_EQ(c->history.back().note, "on it");  // trimmed
  auto again = book.acknowledge("c-1", kStaff, kT0, "");
  ASSERT_TRUE(std::holds_alternative<CaseRefusal>(again));
  EXPECT_EQ(refusal_code(again), CaseRefusal::Code::kConflict);
  EXPECT_EQ(refusal_code(book.acknowledge("c-9", kStaff, kT0, "")), CaseRefusal::Code::kNotFound);
}

TEST(CaseBookActions, ApproveNeedsAReasonAndMovesToActioned) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kReviewNegative));
  auto no_reason = book.decide("c-1", Verdict::kApprove, "  ", std::nullopt, kManager, kT0);
  EXPECT_EQ(refusal_code(no_reason), CaseRefusal::Code::kInvalid);
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kOpen);  // nothing changed
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kApprove, "fair", std::nullopt, kManager, kT0 + 1min)));
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->status, CaseStatus::kActioned);
  ASSERT_EQ(c->decisions.size(), 1u);
  EXPECT_EQ(c->decisions[0].verdict, Verdict::kApprove);
  EXPECT_EQ(c->decisions[0].by, kManager);
  EXPECT_EQ(c->decisions[0].reason, "fair");
  // Decided once: a second decision is a conflict.
  EXPECT_EQ(refusal_code(book.decide("c-1", Verdict::kReject, "no", std::nullopt, kManager, kT0)),
            CaseRefusal::Code::kConflict);
}

TEST(CaseBookActions, EditKeepsBeforeAndAfter) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  const Recommendation original = book.find("c-1")->recommendation;
  EXPECT_EQ(refusal_code(book.decide("c-1", Verdict::kEdit, "why", std::nullopt, kManager, kT0)),
            CaseRefusal::Code::kInvalid);
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kEdit, "regulars", Recommendation{"", "Comp the drinks", ""},
                  kManager, kT0)));
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->recommendation.text, "Comp the drinks");
  EXPECT_EQ(c->recommendation.action, original.action);  // no new action named: kept
  EXPECT_EQ(c->decisions.back().before, original);
  EXPECT_EQ(c->decisions.back().after, c->recommendation);
  // The case JSON round-trips the decision.
  auto back = case_from_json(case_to_json(*c));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *c);
}

TEST(CaseBookActions, RejectReturnsToTheFloor) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kReviewNegative));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kReject, "not our fault", std::nullopt, kManager, kT0)));
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kAcknowledged);
  // Rejecting again while acknowledged records the decision without a status change.
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kReject, "still no", std::nullopt, kManager, kT0 + 1min)));
  EXPECT_EQ(book.find("c-1")->decisions.size(), 2u);
  EXPECT_EQ(book.find("c-1")->history.size(), 1u);
}

TEST(CaseBookActions, ResolveRecordsTheRootCause) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kCourseSlow));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(book.mark_actioned("c-1", kStaff, kT0, "")));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.resolve("c-1", RootCause::kPeople, "two chefs off sick", kStaff, kT0 + 5min)));
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->status, CaseStatus::kResolved);
  ASSERT_TRUE(c->resolution);
  EXPECT_EQ(c->resolution->root_cause, RootCause::kPeople);
  EXPECT_EQ(c->resolution->note, "two chefs off sick");
  EXPECT_EQ(refusal_code(book.resolve("c-1", RootCause::kPeople, "", kStaff, kT0)),
            CaseRefusal::Code::kConflict);
  auto back = case_from_json(case_to_json(*c));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *c);
}

TEST(CaseBookActions, OverlongNoteRefused) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  EXPECT_EQ(
      refusal_code(book.acknowledge("c-1", kStaff, kT0, std::string(kMaxNoteLength + 1, 'x'))),
      CaseRefusal::Code::kInvalid);
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kOpen);
}

TEST(CaseBookActions, MaxAgeFilter) {
  CaseBook book;
  auto d = open_decision("c-1", CaseKind::kTableNoOrder);
  book.apply(d);
  d.case_id = "c-2";
  d.at = kT0 + 30min;
  book.apply(d);
  CaseFilter f;
  f.opened_since = kT0 + 10min;
  const auto list = book.list(f);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]->id, "c-2");
}

TEST(CaseBookRecovery, FollowUpIsToldOnceWhenDueThenSentOrSkipped) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kCourseSlow));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.resolve("c-1", RootCause::kProcess, "", kStaff, kT0,
                   FollowUp{kT0 + 24h, "Dear Ann, sorry.", false})));
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kFollowUp);
  EXPECT_TRUE(book.take_due_follow_ups(kT0 + 23h).empty());
  EXPECT_EQ(book.take_due_follow_ups(kT0 + 24h), std::vector<std::string>{"c-1"});
  EXPECT_TRUE(book.take_due_follow_ups(kT0 + 25h).empty());  // told once
  EXPECT_EQ(refusal_code(book.finish_follow_up("c-1", true, "", "", kManager, kT0 + 25h)),
            CaseRefusal::Code::kInvalid);
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.finish_follow_up("c-1", true, "Dear Ann, sorry again.", "fine", kManager, kT0 + 25h)));
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->status, CaseStatus::kResolved);
  EXPECT_EQ(c->follow_up->message, "Dear Ann, sorry again.");
  EXPECT_EQ(refusal_code(book.finish_follow_up("c-1", true, "", "again", kManager, kT0)),
            CaseRefusal::Code::kConflict);
}

TEST(CaseBookRecovery, ApprovedVoucherIsRedeemedAndTheSurveyLinksBack) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kReviewNegative));
  book.annotate("c-1", Recommendation{"voucher", "A voucher for next time", "manager"}, "why",
                GuestSummary{"cust-1", "Ann", "returning", 3},
                {CaseAction{"follow_up_message", 0, "Reply"}, CaseAction{"voucher", 20, "Voucher"}},
                20);
  EXPECT_FALSE(
      book.voucher_redeemed("c-1-V1", Evidence{"ev-9", "voucher.redeemed", kT0, ""}, "C1"));
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kApprove, "fair", std::nullopt, kManager, kT0)));
  ASSERT_EQ(book.find("c-1")->vouchers.size(), 1u);
  EXPECT_EQ(book.find("c-1")->vouchers[0].id, "c-1-V1");
  EXPECT_EQ(book.find("c-1")->vouchers[0].value, 20);
  auto redeemed =
      book.voucher_redeemed("c-1-V1", Evidence{"ev-9", "voucher.redeemed", kT0 + 48h, ""}, "C77");
  ASSERT_TRUE(redeemed);
  EXPECT_EQ(redeemed->case_id, "c-1");
  EXPECT_EQ(book.find("c-1")->vouchers[0].redeemed_check, "C77");
  EXPECT_EQ(book.find("c-1")->evidence.back().type, "voucher.redeemed");
  // Redeemed once only.
  EXPECT_FALSE(
      book.voucher_redeemed("c-1-V1", Evidence{"ev-10", "voucher.redeemed", kT0, ""}, "C"));
  ASSERT_TRUE(book.survey_answered("c-1", 4, Evidence{"ev-11", "survey.answered", kT0 + 49h, ""}));
  EXPECT_EQ(book.find("c-1")->satisfaction, 4);
  EXPECT_FALSE(book.survey_answered("c-404", 4, Evidence{"ev-12", "survey.answered", kT0, ""}));
  auto back = case_from_json(case_to_json(*book.find("c-1")));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *book.find("c-1"));
}

TEST(CaseBookRecovery, SettledCasesCloseAVoucherKeepsItsCaseLonger) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  book.apply(open_decision("c-2", CaseKind::kReviewNegative));
  book.annotate("c-2", Recommendation{"voucher", "Voucher", "manager"}, "why", {},
                {CaseAction{"voucher", 20, "Voucher"}}, 20);
  book.decide("c-2", Verdict::kApprove, "fair", std::nullopt, kManager, kT0);
  book.resolve("c-1", RootCause::kPeople, "", kStaff, kT0);
  book.resolve("c-2", RootCause::kProduct, "", kStaff, kT0);
  // Not yet settled: changed after the cut-off.
  EXPECT_TRUE(book.close_settled(kT0, kT0, kT0 + 1h).empty());
  // A week later the plain one closes; the unredeemed voucher keeps the other open.
  EXPECT_EQ(book.close_settled(kT0 + 1min, kT0 - 1min, kT0 + 7 * 24h),
            std::vector<std::string>{"c-1"});
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kClosed);
  EXPECT_EQ(book.find("c-2")->status, CaseStatus::kResolved);
  EXPECT_EQ(book.close_settled(kT0 + 1min, kT0 + 1min, kT0 + 90 * 24h),
            std::vector<std::string>{"c-2"});
}

// A person's action names the version it was made against, so every change to a case, by
// anyone, must move it: here each kind of change once, and each must move it by exactly one.
TEST(CaseBookVersions, EveryChangeMovesTheVersionByOne) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kReviewNegative));
  std::uint64_t seen = book.find("c-1")->version;
  EXPECT_EQ(seen, 1u) << "an open starts at 1";
  const auto moved = [&](const char* what) {
    const std::uint64_t now = book.find("c-1")->version;
    EXPECT_EQ(now, seen + 1) << what;
    seen = now;
  };
  Decision more;
  more.op = Decision::Op::kAddEvidence;
  more.case_id = "c-1";
  more.severity = Severity::kMedium;
  more.at = kT0 + 1min;
  more.evidence.push_back(Evidence{"ev-2", "review.posted", kT0 + 1min, ""});
  book.apply(more);
  moved("evidence");
  Decision raise_it;
  raise_it.op = Decision::Op::kRaiseSeverity;
  raise_it.case_id = "c-1";
  raise_it.severity = Severity::kHigh;
  raise_it.at = kT0 + 1min;
  book.apply(raise_it);
  moved("severity");
  book.apply(raise_it);
  EXPECT_EQ(book.find("c-1")->version, seen) << "a decision that changes nothing";
  book.annotate("c-1", Recommendation{"voucher", "Voucher", "manager"}, "why", {},
                {CaseAction{"voucher", 20, "Voucher"}}, 20);
  moved("annotate (a plan)");
  book.annotate("c-1", Recommendation{"voucher", "Voucher", "manager"}, "why again", {},
                {CaseAction{"voucher", 20, "Voucher"}}, 20);
  moved("annotate (a re-plan)");
  ASSERT_TRUE(std::holds_alternative<CaseChange>(book.acknowledge("c-1", kStaff, kT0, "")));
  moved("acknowledge");
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kReject, "not now", std::nullopt, kManager, kT0)));
  moved("reject (no status change)");
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.decide("c-1", Verdict::kApprove, "fair", std::nullopt, kManager, kT0)));
  moved("approve (with a voucher)");
  ASSERT_TRUE(
      book.voucher_redeemed("c-1-V1", Evidence{"ev-3", "voucher.redeemed", kT0 + 1h, ""}, "C7"));
  moved("voucher redeemed");
  ASSERT_TRUE(book.survey_answered("c-1", 4, Evidence{"ev-4", "survey.answered", kT0 + 2h, ""}));
  moved("survey answered");
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.resolve("c-1", RootCause::kProcess, "", kStaff, kT0 + 2h,
                   FollowUp{kT0 + 24h, "Dear Ann, sorry.", false})));
  moved("resolve with a follow-up");
  ASSERT_EQ(book.take_due_follow_ups(kT0 + 24h).size(), 1u);
  moved("follow-up told");
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.finish_follow_up("c-1", false, "", "not needed", kManager, kT0 + 25h)));
  moved("follow-up skipped");
  ASSERT_EQ(book.close_settled(kT0 + 30h, kT0 + 30h, kT0 + 30h).size(), 1u);
  moved("close settled");

  book.apply(open_decision("c-2", CaseKind::kTableNoOrder));
  book.mark_automatic("c-2");
  EXPECT_EQ(book.find("c-2")->version, 2u) << "automatic";
  ASSERT_TRUE(std::holds_alternative<CaseChange>(book.mark_actioned("c-2", kStaff, kT0, "done")));
  EXPECT_EQ(book.find("c-2")->version, 3u) << "actioned";
  ASSERT_TRUE(std::holds_alternative<CaseChange>(
      book.transition("c-2", CaseStatus::kResolved, kStaff, kT0, "")));
  EXPECT_EQ(book.find("c-2")->version, 4u) << "transition";
  Decision close;
  close.op = Decision::Op::kClose;
  close.case_id = "c-3";
  close.at = kT0 + 1min;
  book.apply(open_decision("c-3", CaseKind::kDeviceOffline));
  book.apply(close);
  EXPECT_EQ(book.find("c-3")->version, 2u) << "closed by the engine";
}

TEST(CaseBookVersions, RefusedActionKeepsTheVersion) {
  CaseBook book;
  book.apply(open_decision("c-1", CaseKind::kTableNoOrder));
  EXPECT_EQ(refusal_code(book.decide("c-1", Verdict::kApprove, "", std::nullopt, kManager, kT0)),
            CaseRefusal::Code::kInvalid);
  EXPECT_EQ(refusal_code(book.finish_follow_up("c-1", true, "", "why", kManager, kT0)),
            CaseRefusal::Code::kConflict);
  EXPECT_EQ(book.find("c-1")->version, 1u);
}

}  // namespace
}  // namespace mend
