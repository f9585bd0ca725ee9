#include "core/case_actions.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = wall_from_ms(1795374000000);
const Actor kStaff{"user:2", "staff"};
const Actor kManager{"user:1", "manager"};

CaseBook book_with_a_plan(double compensation, std::string needs = "") {
  CaseBook book;
  Decision d;
  d.op = Decision::Op::kOpen;
  d.case_id = "c-1";
  d.kind = CaseKind::kCourseSlow;
  d.subject.table = "T4";
  d.at = kT0;
  d.reason = "slow main";
  book.apply(d);
  book.annotate("c-1", Recommendation{"comp_item", "Comp the dessert", std::move(needs)}, "why", {},
                {CaseAction{"comp_item", compensation, "Dessert"}}, compensation);
  return book;
}

PersonAction decide(Verdict v, std::optional<std::uint64_t> version, Actor by = kManager) {
  PersonAction a;
  a.kind = PersonAction::Kind::kDecide;
  a.case_id = "c-1";
  a.by = std::move(by);
  a.version = version;
  a.verdict = v;
  a.note = "fair";
  return a;
}

ActionRefusal::Code refused(const ActionOutcome& o) {
  const auto* no = std::get_if<ActionRefusal>(&o);
  EXPECT_NE(no, nullptr) << "the action was carried out";
  return no != nullptr ? no->code : ActionRefusal::Code::kInvalid;
}

TEST(CaseActions, ApproveAtTheSeenVersionIsCarriedOutWithItsAuditRecord) {
  CaseBook book = book_with_a_plan(8);
  const auto out = carry_out(book, decide(Verdict::kApprove, 2), {}, kT0 + 1min);
  const auto* done = std::get_if<ActionDone>(&out);
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->case_id, "c-1");
  EXPECT_EQ(done->action, "case.approve");
  EXPECT_EQ(json::dump(done->detail), R"({"reason":"fair"})");
  EXPECT_EQ(book.find("c-1")->status, CaseStatus::kActioned);
  EXPECT_EQ(book.find("c-1")->version, 3u);
  EXPECT_EQ(book.find("c-1")->updated_at, kT0 + 1min);
}

// The bug behind this: a plan re-made between a manager reading it and submitting an edit, and
// the edit applied to the new plan, which the manager never saw.
TEST(CaseActions, ARePlanBetweenReadAndEditRefusesTheEdit) {
  CaseBook book = book_with_a_plan(8);
  const std::uint64_t seen = book.find("c-1")->version;
  book.annotate("c-1", Recommendation{"voucher", "A voucher worth 40", ""}, "severity rose", {},
                {CaseAction{"voucher", 40, "Voucher"}}, 40);
  PersonAction edit = decide(Verdict::kEdit, seen);
  edit.edited = Recommendation{"", "Comp the dessert and the coffee", ""};
  const auto out = carry_out(book, edit, {}, kT0 + 1min);
  EXPECT_EQ(refused(out), ActionRefusal::Code::kStale);
  EXPECT_NE(std::get<ActionRefusal>(out).message.find("now 3"), std::string::npos);
  const Case* c = book.find("c-1");
  EXPECT_EQ(c->status, CaseStatus::kOpen);
  EXPECT_EQ(c->recommendation.text, "A voucher worth 40") << "the new plan is untouched";
  EXPECT_TRUE(c->decisions.empty());
  // Against the plan it now shows, the edit goes through, and says what it replaced.
  edit.version = c->version;
  const auto again = carry_out(book, edit, {}, kT0 + 2min);
  ASSERT_TRUE(std::holds_alternative<ActionDone>(again));
  EXPECT_EQ(std::get<ActionDone>(again).action, "case.edit");
  const json::Value& detail = std::get<ActionDone>(again).detail;
  EXPECT_EQ(json::dump(*detail.get("before")->get("text")), R"("A voucher worth 40")");
  EXPECT_EQ(json::dump(*detail.get("after")->get("text")), R"("Comp the dessert and the coffee")");
}

TEST(CaseActions, VersionRequiredExceptToAcknowledge) {
  CaseBook book = book_with_a_plan(0);
  EXPECT_EQ(refused(carry_out(book, decide(Verdict::kApprove, std::nullopt), {}, kT0)),
            ActionRefusal::Code::kVersionRequired);
  PersonAction resolve;
  resolve.kind = PersonAction::Kind::kResolve;
  resolve.case_id = "c-1";
  resolve.by = kStaff;
  EXPECT_EQ(refused(carry_out(book, resolve, {}, kT0)), ActionRefusal::Code::kVersionRequired);
  PersonAction ack;
  ack.case_id = "c-1";
  ack.by = kStaff;
  ack.note = "on it";
  const auto out = carry_out(book, ack, {}, kT0);
  ASSERT_TRUE(std::holds_alternative<ActionDone>(out));
  EXPECT_EQ(std::get<ActionDone>(out).action, "case.acknowledge");
  EXPECT_EQ(json::dump(std::get<ActionDone>(out).detail), R"({"note":"on it"})");
  // An acknowledge that does name a version is held to it.
  ack.version = 1;
  EXPECT_EQ(refused(carry_out(book, ack, {}, kT0)), ActionRefusal::Code::kStale);
}

TEST(CaseActions, UnknownCaseIsNotFound) {
  CaseBook book = book_with_a_plan(0);
  PersonAction a = decide(Verdict::kApprove, 1);
  a.case_id = "c-404";
  EXPECT_EQ(refused(carry_out(book, a, {}, kT0)), ActionRefusal::Code::kNotFound);
}

TEST(CaseActions, AuthorityRoutesWhatTheRoleMayNotGive) {
  // The recommendation itself names who must approve it.
  CaseBook book = book_with_a_plan(0, "manager");
  const auto out = carry_out(book, decide(Verdict::kApprove, 2, kStaff), {}, kT0);
  EXPECT_EQ(refused(out), ActionRefusal::Code::kOverLimit);
  EXPECT_EQ(std::get<ActionRefusal>(out).route_to, "manager");
  // A reject gives nothing away: anyone who may decide may reject.
  EXPECT_TRUE(std::holds_alternative<ActionDone>(
      carry_out(book, decide(Verdict::kReject, 2, kStaff), {}, kT0)));

  // The per-case limit and the shift budget come from the caller, with the plan's amount.
  CaseBook costly = book_with_a_plan(60);
  std::string asked_role;
  double asked_amount = 0;
  const AuthorityCheck limit = [&](const std::string& role, double amount) {
    asked_role = role;
    asked_amount = amount;
    return amount > 50 ? AuthorityVerdict{false, "over the manager's 50", "admin"}
                       : AuthorityVerdict{};
  };
  const auto over = carry_out(costly, decide(Verdict::kApprove, 2), limit, kT0);
  EXPECT_EQ(refused(over), ActionRefusal::Code::kOverLimit);
  EXPECT_EQ(std::get<ActionRefusal>(over).route_to, "admin");
  EXPECT_EQ(std::get<ActionRefusal>(over).message, "over the manager's 50");
  EXPECT_EQ(asked_role, "manager");
  EXPECT_EQ(asked_amount, 60);
  EXPECT_EQ(costly.find("c-1")->version, 2u) << "a refusal changes nothing";
}

TEST(CaseActions, StatusAndInputRefusalsKeepTheirCodes) {
  CaseBook book = book_with_a_plan(0);
  PersonAction empty_reason = decide(Verdict::kApprove, 2);
  empty_reason.note = " ";
  EXPECT_EQ(refused(carry_out(book, empty_reason, {}, kT0)), ActionRefusal::Code::kInvalid);
  PersonAction send;
  send.kind = PersonAction::Kind::kFollowUpSend;
  send.case_id = "c-1";
  send.by = kManager;
  send.version = 2;
  send.note = "ok";
  EXPECT_EQ(refused(carry_out(book, send, {}, kT0)), ActionRefusal::Code::kConflict);
}

TEST(CaseActions, ResolveWithAFollowUpThenSendIt) {
  CaseBook book = book_with_a_plan(0);
  PersonAction resolve;
  resolve.kind = PersonAction::Kind::kResolve;
  resolve.case_id = "c-1";
  resolve.by = kStaff;
  resolve.version = 2;
  resolve.root_cause = RootCause::kPeople;
  resolve.note = "short-staffed";
  resolve.follow_up_after = 24h;
  resolve.message = "Dear Ann, sorry.";
  const auto out = carry_out(book, resolve, {}, kT0);
  ASSERT_TRUE(std::holds_alternative<ActionDone>(out));
  EXPECT_EQ(json::dump(std::get<ActionDone>(out).detail),
            R"({"follow_up_due":")" + format_rfc3339(kT0 + 24h) +
                R"(","root_cause":"people","note":"short-staffed"})");
  EXPECT_EQ(book.find("c-1")->follow_up->due, kT0 + 24h);
  PersonAction send;
  send.kind = PersonAction::Kind::kFollowUpSend;
  send.case_id = "c-1";
  send.by = kManager;
  send.version = book.find("c-1")->version;
  send.note = "ok";
  send.message = "Dear Ann, sorry again.";
  const auto sent = carry_out(book, send, {}, kT0 + 25h);
  ASSERT_TRUE(std::holds_alternative<ActionDone>(sent));
  EXPECT_EQ(std::get<ActionDone>(sent).action, "case.follow_up.send");
  EXPECT_EQ(json::dump(std::get<ActionDone>(sent).detail),
            R"({"reason":"ok","message":"Dear Ann, sorry again."})");
}

TEST(CaseActions, NamesAndCodes) {
  PersonAction a;
  a.kind = PersonAction::Kind::kFollowUpSkip;
  EXPECT_EQ(person_action_name(a), "case.follow_up.skip");
  a.kind = PersonAction::Kind::kActioned;
  EXPECT_EQ(person_action_name(a), "case.action");
  EXPECT_EQ(action_refusal_code_name(ActionRefusal::Code::kStale), "stale");
  EXPECT_EQ(action_refusal_code_name(ActionRefusal::Code::kVersionRequired), "version_required");
  EXPECT_FALSE(requires_version(PersonAction::Kind::kAcknowledge));
  EXPECT_TRUE(requires_version(PersonAction::Kind::kFollowUpSkip));
}

}  // namespace
}  // namespace mend
