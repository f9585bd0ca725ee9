#include "core/policy.hpp"

#include <gtest/gtest.h>

#include "core/case_book.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

WallTime at(std::string_view rfc3339) { return *parse_rfc3339(rfc3339); }

// A table seated at 19:32:10 UTC that has not ordered; the limit is 10 minutes.
Case no_order_case(Severity s = Severity::kMedium) {
  Case c;
  c.id = "c-000001";
  c.kind = CaseKind::kTableNoOrder;
  c.subject.table = "T12";
  c.subject.booking = "B77";
  c.subject.customer = "cust-19";
  c.severity = s;
  c.opened_at = at("2026-11-22T19:42:10Z");
  c.updated_at = c.opened_at;
  c.evidence.push_back(Evidence{"ev-991", "guest.seated", at("2026-11-22T19:32:10Z"), ""});
  c.facts = CaseFacts{at("2026-11-22T19:32:10Z"), 10min, 4, 180};
  return c;
}

Case course_case(Severity s) {
  Case c;
  c.id = "c-000002";
  c.kind = CaseKind::kCourseSlow;
  c.subject.table = "T12";
  c.subject.check = "C7";
  c.subject.course = "main";
  c.severity = s;
  c.opened_at = at("2026-11-22T20:15:00Z");
  c.evidence.push_back(Evidence{"ev-5", "items.fired", at("2026-11-22T19:50:00Z"), ""});
  c.facts = CaseFacts{at("2026-11-22T19:50:00Z"), 25min, 2, 0};
  return c;
}

Case temperature_case(Severity s) {
  Case c;
  c.id = "c-000003";
  c.kind = CaseKind::kTemperatureOutOfRange;
  c.subject.device = "fridge-1";
  c.subject.area = "kitchen";
  c.severity = s;
  c.opened_at = at("2026-11-22T18:20:00Z");
  c.evidence.push_back(Evidence{"ev-7", "temperature", at("2026-11-22T18:05:00Z"), "7.4 C"});
  c.facts = CaseFacts{at("2026-11-22T18:05:00Z"), 15min, 0, 0};
  return c;
}

Case of_kind(CaseKind k, Severity s) {
  Case c = no_order_case(s);
  c.kind = k;
  return c;
}

GuestProfile returning_guest() {
  GuestProfile g;
  g.id = "cust-19";
  g.name = "Anna Byrne";
  g.tier = GuestTier::kReturning;
  g.visits = 6;
  g.last_visit = at("2026-11-08T19:30:00Z");
  g.last_visit_failures = {CaseKind::kCourseSlow};
  return g;
}

GuestProfile guest_of_tier(GuestTier t) {
  GuestProfile g = returning_guest();
  g.tier = t;
  return g;
}

struct Step {
  ActionType type;
  double value;
};

void expect_actions(const Plan& plan, const std::vector<Step>& want) {
  ASSERT_EQ(plan.actions.size(), want.size()) << plan.text;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(plan.actions[i].type, want[i].type) << "action " << i << ": " << plan.text;
    EXPECT_DOUBLE_EQ(plan.actions[i].value, want[i].value) << "action " << i;
  }
}

const WallTime kNow = at("2026-11-22T19:46:10Z");

Plan plan_for(const Case& c, const GuestProfile& g = {}) {
  return recommend(PolicyConfig::defaults(), c, g, "The Anchor", 0ms, kNow);
}

// ---- actions and rules ----------------------------------------------------------------------

TEST(PolicyActions, NamesRoundTripAndClassify) {
  for (int i = 0; i < kActionTypeCount; ++i) {
    const auto t = static_cast<ActionType>(i);
    EXPECT_EQ(action_type_from_name(action_type_name(t)), t);
  }
  EXPECT_EQ(action_type_name(ActionType::kFollowUpMessage), "follow_up_message");
  EXPECT_EQ(action_type_from_name("hug"), std::nullopt);
  EXPECT_TRUE(is_compensation(ActionType::kVoucher));
  EXPECT_FALSE(is_compensation(ActionType::kApology));
  EXPECT_TRUE(is_customer_facing(ActionType::kManagerVisit));
  EXPECT_TRUE(is_customer_facing(ActionType::kDiscount));
  EXPECT_FALSE(is_customer_facing(ActionType::kSendRunner));
  EXPECT_FALSE(is_customer_facing(ActionType::kFixCause));
}

TEST(PolicyDefaults, EveryKindHasADefaultPlanAtEverySeverityAndTier) {
  const PolicyConfig p = PolicyConfig::defaults();
  EXPECT_TRUE(p.validate().empty());
  EXPECT_TRUE(p.automatic.empty()) << "nothing runs on its own by default";
  for (int k = 0; k < kCaseKindCount; ++k) {
    for (int s = 0; s <= static_cast<int>(Severity::kCritical); ++s) {
      for (int t = 0; t <= static_cast<int>(GuestTier::kVip); ++t) {
        const Case c = of_kind(static_cast<CaseKind>(k), static_cast<Severity>(s));
        const Plan plan = plan_for(c, guest_of_tier(static_cast<GuestTier>(t)));
        SCOPED_TRACE(std::string(case_kind_name(c.kind)));
        ASSERT_FALSE(plan.actions.empty());
        EXPECT_EQ(plan.action, action_type_name(plan.actions.front().type))
            << "a rule, not the fallback";
        EXPECT_FALSE(plan.text.empty());
        EXPECT_EQ(plan.text.find('{'), std::string::npos) << plan.text;
        EXPECT_FALSE(plan.automatic);
      }
    }
  }
}

TEST(PolicyRecommend, TableNoOrderBySeverityAndTier) {
  using A = ActionType;
  const GuestProfile anon;
  expect_actions(plan_for(no_order_case(Severity::kMedium), anon),
                 {{A::kFixCause, 0}, {A::kApology, 0}});
  expect_actions(plan_for(no_order_case(Severity::kHigh), anon),
                 {{A::kFixCause, 0}, {A::kApology, 0}, {A::kCompItem, 6}});
  expect_actions(plan_for(no_order_case(Severity::kCritical), anon),
                 {{A::kFixCause, 0}, {A::kManagerVisit, 0}, {A::kCompItem, 6}});
  expect_actions(plan_for(no_order_case(Severity::kLow), guest_of_tier(GuestTier::kRegular)),
                 {{A::kFixCause, 0}, {A::kApology, 0}, {A::kCompItem, 6}});
  expect_actions(plan_for(no_order_case(Severity::kLow), guest_of_tier(GuestTier::kVip)),
                 {{A::kFixCause, 0}, {A::kManagerVisit, 0}, {A::kCompItem, 6}});
  // A returning guest has no rule of their own: the any-tier rule applies.
  expect_actions(plan_for(no_order_case(Severity::kMedium), returning_guest()),
                 {{A::kFixCause, 0}, {A::kApology, 0}});

  const Plan p = plan_for(no_order_case(Severity::kHigh), anon);
  EXPECT_EQ(p.action, "fix_cause");
  EXPECT_DOUBLE_EQ(p.compensation, 6);
  EXPECT_EQ(p.needs_approval_by, "staff");
}

TEST(PolicyRecommend, CourseSlowBySeverityAndTier) {
  using A = ActionType;
  const GuestProfile anon;
  const Plan medium = plan_for(course_case(Severity::kMedium), anon);
  expect_actions(medium, {{A::kChaseKitchen, 0}, {A::kApology, 0}});
  EXPECT_EQ(medium.action, "chase_kitchen");
  EXPECT_EQ(medium.needs_approval_by, "staff") << "customer-facing, nothing given";

  const Plan high = plan_for(course_case(Severity::kHigh), anon);
  expect_actions(high, {{A::kChaseKitchen, 0}, {A::kApology, 0}, {A::kCompItem, 8}});
  EXPECT_EQ(high.needs_approval_by, "staff");

  const Plan critical = plan_for(course_case(Severity::kCritical), anon);
  expect_actions(critical, {{A::kChaseKitchen, 0}, {A::kManagerVisit, 0}, {A::kDiscount, 25}});
  EXPECT_DOUBLE_EQ(critical.compensation, 25);
  EXPECT_EQ(critical.needs_approval_by, "manager") << "25 is over the staff limit of 15";

  // A VIP sees the manager at any severity.
  expect_actions(plan_for(course_case(Severity::kLow), guest_of_tier(GuestTier::kVip)),
                 {{A::kChaseKitchen, 0}, {A::kManagerVisit, 0}});
  expect_actions(plan_for(course_case(Severity::kHigh), guest_of_tier(GuestTier::kVip)),
                 {{A::kChaseKitchen, 0}, {A::kManagerVisit, 0}, {A::kCompItem, 8}});
}

TEST(PolicyRecommend, OtherKinds) {
  using A = ActionType;
  const GuestProfile anon;
  expect_actions(plan_for(of_kind(CaseKind::kBillSlow, Severity::kMedium), anon),
                 {{A::kSendRunner, 0}});
  EXPECT_EQ(plan_for(of_kind(CaseKind::kBillSlow, Severity::kMedium), anon).needs_approval_by, "")
      << "nothing customer-facing";
  expect_actions(plan_for(of_kind(CaseKind::kCallUnanswered, Severity::kLow), anon),
                 {{A::kSendRunner, 0}});
  expect_actions(plan_for(of_kind(CaseKind::kArrivalUnseated, Severity::kHigh), anon),
                 {{A::kFixCause, 0}, {A::kApology, 0}, {A::kCompItem, 5}});
  expect_actions(plan_for(of_kind(CaseKind::kEnquiryUnanswered, Severity::kMedium), anon),
                 {{A::kFollowUpMessage, 0}});

  const Plan cold = plan_for(temperature_case(Severity::kMedium));
  expect_actions(cold, {{A::kFixCause, 0}});
  EXPECT_EQ(cold.needs_approval_by, "");
  expect_actions(plan_for(temperature_case(Severity::kHigh)),
                 {{A::kFixCause, 0}, {A::kCallMaintenance, 0}});
  expect_actions(plan_for(of_kind(CaseKind::kDeviceOffline, Severity::kHigh), anon),
                 {{A::kFixCause, 0}, {A::kCallMaintenance, 0}});

  const Plan review_new = plan_for(of_kind(CaseKind::kReviewNegative, Severity::kMedium), anon);
  expect_actions(review_new, {{A::kFollowUpMessage, 0}});
  EXPECT_EQ(review_new.needs_approval_by, "manager") << "a public reply: a manager signs it";
  const Plan review_back =
      plan_for(of_kind(CaseKind::kReviewNegative, Severity::kHigh), returning_guest());
  expect_actions(review_back, {{A::kFollowUpMessage, 0}, {A::kVoucher, 20}});
  EXPECT_EQ(review_back.needs_approval_by, "manager");

  expect_actions(plan_for(of_kind(CaseKind::kVoidsRepeated, Severity::kLow), anon),
                 {{A::kFixCause, 0}});
  EXPECT_EQ(plan_for(of_kind(CaseKind::kVoidsRepeated, Severity::kLow), anon).needs_approval_by,
            "");
  expect_actions(plan_for(of_kind(CaseKind::kPatternRecurring, Severity::kHigh), anon),
                 {{A::kFixCause, 0}});
}

TEST(PolicyRecommend, DraftsFillTheGuestsNameAndTheFacts) {
  const Plan p = recommend(PolicyConfig::defaults(), course_case(Severity::kHigh),
                           returning_guest(), "The Anchor", 0ms, at("2026-11-22T20:21:00Z"));
  ASSERT_EQ(p.actions.size(), 3u);
  EXPECT_EQ(p.actions[0].text,
            "Chase the kitchen for the main for table T12: fired 31 minutes ago (limit 25). Ask "
            "the pass for a time.");
  EXPECT_EQ(p.actions[1].text,
            "Tell Anna Byrne at table T12 when the main will arrive and apologise: \"I'm sorry "
            "this is taking so long. I've checked with the kitchen and it will be with you in a "
            "few minutes.\"");
  EXPECT_EQ(p.actions[2].text,
            "Offer Anna Byrne a dessert on the house (up to 8): \"Please let us treat you to "
            "dessert tonight.\"");
  EXPECT_EQ(p.text, p.actions[0].text + " " + p.actions[1].text + " " + p.actions[2].text);
  const Recommendation r = to_recommendation(p);
  EXPECT_EQ(r.action, "chase_kitchen");
  EXPECT_EQ(r.text, p.text);
  EXPECT_EQ(r.needs_approval_by, "staff");

  // An unknown guest is "the guest"; a written reply opens without a name.
  const Plan anon = plan_for(no_order_case(Severity::kMedium));
  EXPECT_EQ(anon.actions[1].text,
            "Apologise to the guest for the 14-minute wait: \"I'm so sorry to keep you waiting. "
            "What can I get you?\"");
  Case enquiry = of_kind(CaseKind::kEnquiryUnanswered, Severity::kMedium);
  EXPECT_EQ(
      plan_for(enquiry).text.rfind("Reply now. Draft: \"Hello, thank you for getting in touch "
                                   "with The Anchor,",
                                   0),
      0u);
  EXPECT_NE(plan_for(enquiry, returning_guest()).text.find("\"Dear Anna Byrne, thank you"),
            std::string::npos);
}

TEST(PolicyRecommend, TheMostSpecificRuleWinsAndNoRuleFallsBack) {
  PolicyConfig p;
  const auto rule = [](Severity s, std::optional<GuestTier> t, std::string text) {
    return PolicyRule{CaseKind::kBillSlow, s, t, {{ActionType::kFixCause, 0, std::move(text)}}, ""};
  };
  p.rules = {rule(Severity::kLow, std::nullopt, "any low"),
             rule(Severity::kCritical, std::nullopt, "any critical"),
             rule(Severity::kLow, GuestTier::kRegular, "regular low {name} {value} {nope}"),
             rule(Severity::kHigh, std::nullopt, "any high")};
  const Case high = of_kind(CaseKind::kBillSlow, Severity::kHigh);
  EXPECT_EQ(recommend(p, high, {}, "", 0ms, kNow).text, "any high");
  EXPECT_EQ(recommend(p, of_kind(CaseKind::kBillSlow, Severity::kMedium), {}, "", 0ms, kNow).text,
            "any low");
  // A rule for the tier beats a higher severity for any tier; unknown placeholders stay.
  EXPECT_EQ(recommend(p, high, guest_of_tier(GuestTier::kRegular), "", 0ms, kNow).text,
            "regular low Anna Byrne 0 {nope}");

  // No rule for the kind: today's one-line recommendation.
  const Case review = of_kind(CaseKind::kReviewNegative, Severity::kMedium);
  const Plan fallback = recommend(p, review, {}, "", 0ms, kNow);
  const Recommendation want = default_recommendation(review.kind, review.subject);
  EXPECT_EQ(to_recommendation(fallback), want);
}

TEST(PolicyRecommend, NeedsApprovalByFollowsTheLimits) {
  PolicyConfig p = PolicyConfig::defaults();
  const auto comp = [&](double v) {
    p.rules = {
        PolicyRule{CaseKind::kBillSlow,
                   Severity::kLow,
                   std::nullopt,
                   {{ActionType::kSendRunner, 0, "Run."}, {ActionType::kCompItem, v, "Comp."}},
                   ""}};
    return recommend(p, of_kind(CaseKind::kBillSlow, Severity::kLow), {}, "", 0ms, kNow);
  };
  EXPECT_EQ(comp(0).needs_approval_by, "staff");
  EXPECT_EQ(comp(15).needs_approval_by, "staff");
  EXPECT_EQ(comp(15.5).needs_approval_by, "manager");
  EXPECT_EQ(comp(150).needs_approval_by, "manager");
  EXPECT_EQ(comp(151).needs_approval_by, "admin");
  p.per_case_limit["staff"] = 0;
  EXPECT_EQ(comp(5).needs_approval_by, "manager");
}

// ---- explanations ----------------------------------------------------------------------------

TEST(Explain, TableNoOrderWithAReturningGuest) {
  EXPECT_EQ(explain(no_order_case(), returning_guest(), 0ms, kNow),
            "Table T12 was seated at 19:32 and has not ordered for 14 minutes (limit 10). Party "
            "of 4, booking value 180. Returning guest, 6 visits; last visit had a slow course.");
  // The box's offset moves the clock time, not the wait.
  EXPECT_EQ(explain(no_order_case(), {}, 1h, kNow),
            "Table T12 was seated at 20:32 and has not ordered for 14 minutes (limit 10). Party "
            "of 4, booking value 180.");
}

TEST(Explain, CourseSlowAndAnEndedWait) {
  Case c = course_case(Severity::kHigh);
  EXPECT_EQ(explain(c, {}, 0ms, at("2026-11-22T20:21:30Z")),
            "The main for check C7 (table T12) was fired at 19:50 and has not been served for 31 "
            "minutes (limit 25). Party of 2.");
  c.evidence.push_back(
      Evidence{"ev-9", "items.served", at("2026-11-22T20:24:00Z"), "Served after 34m"});
  GuestProfile g = guest_of_tier(GuestTier::kNew);
  g.visits = 0;
  g.last_visit.reset();
  g.last_visit_failures.clear();
  EXPECT_EQ(explain(c, g, 0ms, at("2026-11-22T20:40:00Z")),
            "The main for check C7 (table T12) was fired at 19:50 and waited 34 minutes to be "
            "served (limit 25). Served at 20:24. Party of 2. New guest, first visit.");
}

TEST(Explain, TemperatureNamesTheDeviceAndTheReading) {
  EXPECT_EQ(explain(temperature_case(Severity::kMedium), {}, 0ms, at("2026-11-22T18:27:00Z")),
            "Device fridge-1 (kitchen) read 7.4 C at 18:05 and has been out of range for 22 "
            "minutes (limit 15).");
}

TEST(Explain, ReviewsVoidsAndLongWaits) {
  Case review;
  review.kind = CaseKind::kReviewNegative;
  review.subject.review = "R1";
  review.reason = "A 2-star review on google: \"Cold chips\"";
  review.evidence.push_back(Evidence{"ev-1", "review.received", at("2026-11-23T09:15:00Z"), ""});
  review.facts.started = at("2026-11-23T09:15:00Z");
  GuestProfile g = returning_guest();
  g.tier = GuestTier::kRegular;
  g.last_visit_failures = {CaseKind::kCourseSlow, CaseKind::kBillSlow, CaseKind::kCourseSlow};
  EXPECT_EQ(explain(review, g, 0ms, at("2026-11-23T10:00:00Z")),
            "A 2-star review on google (R1) came in at 09:15: \"Cold chips\". Regular guest, 6 "
            "visits; last visit had a slow course and a slow bill.");

  Case voids;
  voids.kind = CaseKind::kVoidsRepeated;
  voids.subject.check = "C7";
  voids.subject.table = "T3";
  voids.evidence = {Evidence{"e1", "item.voided", at("2026-11-22T20:10:00Z"), "Steak: wrong order"},
                    Evidence{"e2", "item.voided", at("2026-11-22T20:12:00Z"), "Wine"}};
  EXPECT_EQ(explain(voids, {}, 0ms, kNow),
            "Check C7 (table T3) has had 2 items voided since 20:10: Steak: wrong order; Wine.");

  // An enquiry from yesterday: the clock says so, and the span is in hours.
  Case enquiry;
  enquiry.kind = CaseKind::kEnquiryUnanswered;
  enquiry.subject.enquiry = "E5";
  enquiry.facts = CaseFacts{at("2026-11-21T22:10:00Z"), 2h, 0, 0};
  EXPECT_EQ(explain(enquiry, {}, 0ms, at("2026-11-22T01:15:00Z")),
            "Enquiry E5 came in at 22:10 yesterday and has had no answer for 3 hours 5 minutes "
            "(limit 2 hours).");
}

TEST(Explain, EveryKindHasItsOwnFirstSentence) {
  for (int k = 0; k < kCaseKindCount; ++k) {
    const Case c = of_kind(static_cast<CaseKind>(k), Severity::kMedium);
    const std::string text = explain(c, {}, 0ms, kNow);
    EXPECT_FALSE(text.empty()) << case_kind_name(c.kind);
    EXPECT_EQ(text.back(), '.') << text;
  }
}

// ---- authority and the shift budget ---------------------------------------------------------

TEST(ShiftLedger, OverTheStaffLimitGoesToAManager) {
  const PolicyConfig p = PolicyConfig::defaults();
  const ShiftLedger ledger(p);
  EXPECT_TRUE(ledger.check("staff", 15, kNow, 0ms).allowed);
  const AuthorityVerdict staff = ledger.check("staff", 25, kNow, 0ms);
  EXPECT_FALSE(staff.allowed);
  EXPECT_EQ(staff.reason, "over the staff limit of 15 per case: a manager can approve it");
  EXPECT_EQ(staff.route_to, "manager");
  EXPECT_TRUE(ledger.check("manager", 25, kNow, 0ms).allowed);
  const AuthorityVerdict big = ledger.check("manager", 200, kNow, 0ms);
  EXPECT_FALSE(big.allowed);
  EXPECT_EQ(big.route_to, "admin");
  const AuthorityVerdict chef = ledger.check("chef", 5, kNow, 0ms);
  EXPECT_FALSE(chef.allowed);
  EXPECT_EQ(chef.route_to, "staff");
}

TEST(ShiftLedger, TheShiftBudgetRunsOut) {
  PolicyConfig p = PolicyConfig::defaults();
  ShiftLedger ledger(p);
  const WallTime t = at("2026-11-22T19:00:00Z");
  ledger.spend("c-1", 140, false, t, 0ms);
  ledger.spend("c-2", 140, false, t + 5min, 0ms);
  const auto s = ledger.status(t + 10min, 0ms);
  EXPECT_DOUBLE_EQ(s.spent, 280);
  EXPECT_DOUBLE_EQ(s.remaining, 20);
  EXPECT_TRUE(ledger.check("manager", 20, t + 10min, 0ms).allowed);
  const AuthorityVerdict v = ledger.check("manager", 25, t + 10min, 0ms);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.reason, "the shift budget has 20 left of 300: an admin can approve it");
  EXPECT_EQ(v.route_to, "admin");
  EXPECT_TRUE(ledger.check("admin", 25, t + 10min, 0ms).allowed);
}

TEST(ShiftLedger, SpendingResetsAtTheNextShiftStartInLocalTime) {
  ShiftLedger ledger(PolicyConfig::defaults());  // shifts start 06:00 and 16:00 local
  const Millis offset = 2h;                      // local = UTC + 2h
  // 13:30 UTC is 15:30 local: the day shift, 06:00-16:00 local = 04:00-14:00 UTC.
  ledger.spend("c-1", 100, false, at("2026-11-22T13:30:00Z"), offset);
  auto s = ledger.status(at("2026-11-22T13:59:00Z"), offset);
  EXPECT_EQ(s.shift_start, at("2026-11-22T04:00:00Z"));
  EXPECT_EQ(s.shift_end, at("2026-11-22T14:00:00Z"));
  EXPECT_DOUBLE_EQ(s.spent, 100);
  // 14:00 UTC is 16:00 local: the evening shift starts clean, and runs to 06:00 local.
  s = ledger.status(at("2026-11-22T14:00:00Z"), offset);
  EXPECT_DOUBLE_EQ(s.spent, 0);
  EXPECT_DOUBLE_EQ(s.remaining, 300);
  EXPECT_EQ(s.shift_start, at("2026-11-22T14:00:00Z"));
  EXPECT_EQ(s.shift_end, at("2026-11-23T04:00:00Z"));
  // Without the offset, 15:59 UTC is still the day shift (06:00-16:00 UTC).
  EXPECT_DOUBLE_EQ(ledger.status(at("2026-11-22T15:59:00Z"), 0ms).spent, 100);
  // After midnight, before 06:00 local: still yesterday's evening shift.
  ledger.spend("c-2", 30, false, at("2026-11-22T22:00:00Z"), offset);
  EXPECT_DOUBLE_EQ(ledger.status(at("2026-11-23T03:30:00Z"), offset).spent, 30);
}

TEST(ShiftLedger, ExportRestoreRoundTrip) {
  PolicyConfig p = PolicyConfig::defaults();
  p.auto_budget = 20;
  ShiftLedger a(p);
  const WallTime t = at("2026-11-22T19:00:00Z");
  a.spend("c-1", 12.5, false, t, 0ms);
  a.spend("c-2", 6, true, t + 1min, 0ms);
  const json::Value state = a.export_state();
  ShiftLedger b(p);
  ASSERT_EQ(b.restore(*json::parse(json::dump(state)).value), std::nullopt);
  EXPECT_EQ(json::dump(b.export_state()), json::dump(state));
  const auto s = b.status(t + 2min, 0ms);
  EXPECT_DOUBLE_EQ(s.spent, 18.5);
  EXPECT_DOUBLE_EQ(s.auto_spent, 6);
  EXPECT_DOUBLE_EQ(s.auto_budget, 20);

  EXPECT_NE(b.restore(json::Value(3)), std::nullopt);
  EXPECT_NE(
      b.restore(
          *json::parse(R"({"entries":[{"case":"c","amount":-1,"automatic":false,"at":1}]})").value),
      std::nullopt);
  EXPECT_DOUBLE_EQ(b.status(t + 2min, 0ms).spent, 18.5) << "a bad state changes nothing";
}

// ---- automatic plans ------------------------------------------------------------------------

TEST(Automatic, NeverByDefault) {
  const PolicyConfig p = PolicyConfig::defaults();
  const ShiftLedger ledger(p);
  for (int k = 0; k < kCaseKindCount; ++k) {
    const Case c = of_kind(static_cast<CaseKind>(k), Severity::kLow);
    Plan plan = plan_for(c);
    EXPECT_FALSE(decide_automatic(p, c, plan, ledger, kNow, 0ms));
    EXPECT_FALSE(plan.automatic);
  }
}

TEST(Automatic, OnlyForAnAllowedKindWithinTheAutoBudget) {
  PolicyConfig p = PolicyConfig::defaults();
  p.automatic = {CaseKind::kTableNoOrder, CaseKind::kReviewNegative};
  p.auto_budget = 10;
  ShiftLedger ledger(p);
  const Case high = no_order_case(Severity::kHigh);  // a drink on the house: 6
  Plan plan = plan_for(high);
  EXPECT_TRUE(decide_automatic(p, high, plan, ledger, kNow, 0ms));
  EXPECT_TRUE(plan.automatic);
  ledger.spend(high.id, plan.compensation, true, kNow, 0ms);
  Plan again = plan_for(high);
  EXPECT_FALSE(decide_automatic(p, high, again, ledger, kNow + 1min, 0ms)) << "4 left of 10";
  EXPECT_FALSE(again.automatic);
  // With nothing to give it still fits.
  Plan free = plan_for(no_order_case(Severity::kMedium));
  EXPECT_TRUE(decide_automatic(p, high, free, ledger, kNow + 1min, 0ms));
  // Not a listed kind.
  const Case course = course_case(Severity::kMedium);
  Plan other = plan_for(course);
  EXPECT_FALSE(decide_automatic(p, course, other, ledger, kNow, 0ms));
  // Listed, but a manager must sign the reply.
  const Case review = of_kind(CaseKind::kReviewNegative, Severity::kMedium);
  Plan reply = plan_for(review);
  EXPECT_FALSE(decide_automatic(p, review, reply, ledger, kNow, 0ms));
  // The next shift has the auto budget again.
  Plan later = plan_for(high);
  EXPECT_TRUE(decide_automatic(p, high, later, ledger, at("2026-11-23T07:00:00Z"), 0ms));
}

// ---- validation -----------------------------------------------------------------------------

TEST(PolicyValidate, CatchesBadConfigs) {
  EXPECT_TRUE(PolicyConfig{}.validate().empty());
  const auto has = [](const std::vector<std::string>& problems, std::string_view part) {
    for (const auto& p : problems) {
      if (p.find(part) != std::string::npos) return true;
    }
    return false;
  };
  PolicyConfig p = PolicyConfig::defaults();
  p.per_case_limit["staff"] = -1;
  p.per_case_limit["chef"] = 5;
  p.per_case_limit.erase("admin");
  p.shift_budget = -5;
  p.shift_starts.clear();
  p.automatic = {CaseKind::kBillSlow, CaseKind::kBillSlow};
  p.rules.push_back(
      PolicyRule{CaseKind::kBillSlow,
                 Severity::kLow,
                 std::nullopt,
                 {{ActionType::kApology, 3, "Sorry {nmae}."}, {ActionType::kVoucher, -2, ""}},
                 "boss"});
  p.rules.push_back(PolicyRule{CaseKind::kBillSlow, Severity::kHigh, GuestTier::kVip, {}, ""});
  const auto problems = p.validate();
  EXPECT_TRUE(has(problems, "per_case_limit for staff is not 0 or more"));
  EXPECT_TRUE(has(problems, "unknown role 'chef'"));
  EXPECT_TRUE(has(problems, "no limit for admin"));
  EXPECT_TRUE(has(problems, "shift_budget is not 0 or more"));
  EXPECT_TRUE(has(problems, "shift_starts is empty"));
  EXPECT_TRUE(has(problems, "automatic lists bill.slow twice"));
  EXPECT_TRUE(has(problems, "repeats rule"));
  EXPECT_TRUE(has(problems, "only comp_item, discount and voucher carry a value"));
  EXPECT_TRUE(has(problems, "unknown placeholder {nmae}"));
  EXPECT_TRUE(has(problems, "voucher: the value is not 0 or more"));
  EXPECT_TRUE(has(problems, "the text is empty"));
  EXPECT_TRUE(has(problems, "unknown role 'boss'"));
  EXPECT_TRUE(has(problems, "(bill.slow, high, vip) has no actions"));

  PolicyConfig q;
  q.per_case_limit["manager"] = 10;  // below staff's 15
  q.shift_starts = {360, 1500, 360};
  q.auto_budget = 400;
  const auto more = q.validate();
  EXPECT_TRUE(has(more, "per_case_limit for manager (10) is below staff (15)"));
  EXPECT_TRUE(has(more, "shift start 1500 is not a minute of the day"));
  EXPECT_TRUE(has(more, "shift start 360 is listed twice"));
  EXPECT_TRUE(has(more, "auto_budget (400) is more than shift_budget (300)"));
}

}  // namespace
}  // namespace mend
