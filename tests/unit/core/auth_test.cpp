// The pure sign-in rules with literal times: roles, PIN strength, lockout, session expiry.
#include "core/auth.hpp"

#include <gtest/gtest.h>

namespace mend::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr WallTime kT0 = wall_from_ms(1'790'000'000'000);

TEST(Roles, NamesRoundTrip) {
  for (Role r : {Role::kStaff, Role::kManager, Role::kAdmin, Role::kIntegration}) {
    EXPECT_EQ(parse_role(role_name(r)), r);
  }
  EXPECT_FALSE(parse_role("root"));
  EXPECT_FALSE(parse_role("Manager"));
}

TEST(Roles, AuthorityRisesFromStaffToAdminAndIntegrationHasNone) {
  EXPECT_LT(authority_rank("staff"), authority_rank("manager"));
  EXPECT_LT(authority_rank("manager"), authority_rank("admin"));
  EXPECT_EQ(authority_rank("staff"), 0);
  EXPECT_EQ(authority_rank("integration"), -1);
  EXPECT_EQ(authority_rank(""), -1);
  EXPECT_EQ(authority_rank("chef"), -1);
  EXPECT_FALSE(parse_person_role("integration"));
  EXPECT_EQ(parse_person_role("admin"), Role::kAdmin);
  EXPECT_EQ(person_role_list(), "staff, manager, admin");
}

TEST(Roles, PermissionTable) {
  EXPECT_TRUE(allows(Role::kStaff, Permission::kCaseAcknowledge));
  EXPECT_TRUE(allows(Role::kStaff, Permission::kCaseAction));
  EXPECT_TRUE(allows(Role::kStaff, Permission::kCaseResolve));
  // Staff decide within their limit; core/policy's authority bounds the money.
  EXPECT_TRUE(allows(Role::kStaff, Permission::kCaseDecide));
  EXPECT_FALSE(allows(Role::kStaff, Permission::kUsersManage));
  EXPECT_FALSE(allows(Role::kStaff, Permission::kAuditRead));
  EXPECT_TRUE(allows(Role::kManager, Permission::kCaseDecide));
  EXPECT_TRUE(allows(Role::kManager, Permission::kUsersManage));
  EXPECT_TRUE(allows(Role::kManager, Permission::kAuditRead));
  EXPECT_FALSE(allows(Role::kManager, Permission::kTokensManage));
  EXPECT_TRUE(allows(Role::kAdmin, Permission::kTokensManage));
  EXPECT_TRUE(allows(Role::kIntegration, Permission::kCaseRead));
  EXPECT_FALSE(allows(Role::kIntegration, Permission::kCaseAcknowledge));
  EXPECT_FALSE(allows(Role::kIntegration, Permission::kCaseDecide));
  EXPECT_EQ(parse_permission("case.decide"), Permission::kCaseDecide);
  EXPECT_EQ(permission_name(Permission::kTokensManage), "tokens.manage");
}

TEST(Roles, NobodyHandsOutMoreThanTheyHave) {
  EXPECT_TRUE(may_assign_role(Role::kManager, Role::kStaff));
  EXPECT_TRUE(may_assign_role(Role::kManager, Role::kManager));
  EXPECT_FALSE(may_assign_role(Role::kManager, Role::kAdmin));
  EXPECT_TRUE(may_assign_role(Role::kAdmin, Role::kAdmin));
  EXPECT_FALSE(may_assign_role(Role::kStaff, Role::kStaff));
  EXPECT_FALSE(may_assign_role(Role::kAdmin, Role::kIntegration));
}

TEST(Pins, AcceptsOrdinaryPins) {
  EXPECT_EQ(check_pin("583920"), std::nullopt);
  EXPECT_EQ(check_pin("20481937"), std::nullopt);
  EXPECT_EQ(check_pin("90817263"), std::nullopt);
}

TEST(Pins, RefusesShortLongAndNonDigits) {
  EXPECT_EQ(check_pin(""), PinProblem::kTooShort);
  EXPECT_EQ(check_pin("58392"), PinProblem::kTooShort);
  EXPECT_EQ(check_pin(std::string(33, '5')), PinProblem::kTooLong);
  EXPECT_EQ(check_pin("58392a"), PinProblem::kNotDigits);
  EXPECT_EQ(check_pin("583 920"), PinProblem::kNotDigits);
  EXPECT_EQ(check_pin("５８３９２０"), PinProblem::kNotDigits);
}

TEST(Pins, RefusesTriviallyWeakPins) {
  for (const char* weak :
       {"000000", "111111", "999999999", "123456", "234567", "654321", "987654", "890123",
        "0123456789", "121212", "123123", "909090", "112233", "147258", "159753"}) {
    EXPECT_EQ(check_pin(weak), PinProblem::kTooWeak) << weak;
  }
}

TEST(Names, Rules) {
  EXPECT_TRUE(valid_user_name("Ana"));
  EXPECT_TRUE(valid_user_name("Zoë M."));
  EXPECT_FALSE(valid_user_name(""));
  EXPECT_FALSE(valid_user_name(" Ana"));
  EXPECT_FALSE(valid_user_name("Ana "));
  EXPECT_FALSE(valid_user_name("A\nna"));
  EXPECT_FALSE(valid_user_name(std::string(65, 'a')));
}

TEST(Lockout, ThreeFreeFailuresThenTheDelayDoubles) {
  Lockout l;
  EXPECT_TRUE(l.check(kT0).allowed);
  l.record_failure(kT0);
  l.record_failure(kT0);
  EXPECT_TRUE(l.check(kT0).allowed);
  l.record_failure(kT0);  // third: 1 s
  LockoutDecision d = l.check(kT0);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.hard_limit);
  EXPECT_EQ(d.wait_until, kT0 + seconds(1));
  EXPECT_FALSE(l.check(kT0 + Millis(999)).allowed);
  EXPECT_TRUE(l.check(kT0 + seconds(1)).allowed);

  WallTime t = kT0 + seconds(1);
  l.record_failure(t);  // fourth: 2 s
  EXPECT_EQ(l.check(t).wait_until, t + seconds(2));
  t += seconds(2);
  l.record_failure(t);  // fifth: 4 s
  EXPECT_EQ(l.check(t).wait_until, t + seconds(4));
  EXPECT_TRUE(l.check(t + seconds(4)).allowed);
}

TEST(Lockout, DelayIsCapped) {
  Lockout l;
  EXPECT_EQ(l.delay_after(2), Millis(0));
  EXPECT_EQ(l.delay_after(3), seconds(1));
  EXPECT_EQ(l.delay_after(8), seconds(30));
  EXPECT_EQ(l.delay_after(99), seconds(30));
}

TEST(Lockout, AtMostOneHundredFailuresAnHour) {
  Lockout l;
  WallTime t = kT0;
  int failures = 0;
  // Attack as fast as the delays allow.
  while (true) {
    const LockoutDecision d = l.check(t);
    if (d.hard_limit) break;
    if (!d.allowed) {
      t = d.wait_until;
      continue;
    }
    l.record_failure(t);
    ++failures;
    ASSERT_LE(failures, 100);
  }
  EXPECT_EQ(failures, 100);
  EXPECT_LT(t, kT0 + hours(1));  // the delays alone would have allowed more
  const LockoutDecision d = l.check(t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.wait_until, kT0 + hours(1));  // when the first failure leaves the window
  // Refused all the way until the delay after the 100th would also have passed.
  EXPECT_FALSE(l.check(kT0 + hours(1) - Millis(1)).allowed);
  EXPECT_TRUE(l.check(kT0 + hours(1)).allowed);
  EXPECT_EQ(l.failures_in_window(kT0 + hours(1)), 97);  // the first three were all at kT0
}

TEST(Lockout, FailuresLeaveTheWindowAfterAnHour) {
  Lockout l;
  for (int i = 0; i < 5; ++i) l.record_failure(kT0 + seconds(i * 40));
  EXPECT_EQ(l.failures_in_window(kT0 + minutes(10)), 5);
  EXPECT_EQ(l.failures_in_window(kT0 + hours(1)), 4);
  EXPECT_EQ(l.failures_in_window(kT0 + hours(2)), 0);
  EXPECT_TRUE(l.check(kT0 + hours(2)).allowed);
}

TEST(Lockout, SuccessForgetsFailures) {
  Lockout l;
  for (int i = 0; i < 3; ++i) l.record_failure(kT0);
  l.record_success();
  EXPECT_TRUE(l.check(kT0).allowed);
  EXPECT_EQ(l.failures_in_window(kT0), 0);
}

TEST(Lockout, RebuiltFromStoredTimesInAnyOrder) {
  Lockout l(LockoutPolicy{}, {kT0 + seconds(2), kT0, kT0 + seconds(1)});
  EXPECT_EQ(l.check(kT0 + seconds(2)).wait_until, kT0 + seconds(3));
}

TEST(Lockout, AClockSteppedBackDoesNotLockForYears) {
  // Failures recorded before the clock went back a year: not counted, so not a year's lock.
  const WallTime later = kT0 + hours(24 * 365);
  Lockout l(LockoutPolicy{}, {later, later, later, later, later});
  EXPECT_TRUE(l.check(kT0).allowed);
  EXPECT_EQ(l.failures_in_window(kT0), 0);
}

TEST(Sessions, IdleExpiryIsExact) {
  const SessionPolicy p;  // idle 2 h, lifetime 12 h
  EXPECT_EQ(session_state(p, kT0, kT0, kT0 + hours(2) - Millis(1)), SessionState::kActive);
  EXPECT_EQ(session_state(p, kT0, kT0, kT0 + hours(2)), SessionState::kIdleExpired);
  EXPECT_EQ(session_state(p, kT0, kT0 + hours(1), kT0 + hours(2)), SessionState::kActive);
}

TEST(Sessions, LifetimeEndsEvenABusySession) {
  const SessionPolicy p;
  EXPECT_EQ(session_state(p, kT0, kT0 + hours(12) - minutes(1), kT0 + hours(12)),
            SessionState::kLifetimeExpired);
}

TEST(Sessions, AClockSteppedBackEndsTheSession) {
  const SessionPolicy p;
  EXPECT_EQ(session_state(p, kT0 + hours(5), kT0 + hours(5), kT0), SessionState::kClockStepped);
  EXPECT_EQ(session_state(p, kT0, kT0 + seconds(30), kT0), SessionState::kActive);  // tolerance
}

TEST(Sessions, TouchAtMostOncePerInterval) {
  const SessionPolicy p;
  EXPECT_FALSE(session_needs_touch(p, kT0, kT0 + seconds(59)));
  EXPECT_TRUE(session_needs_touch(p, kT0, kT0 + seconds(60)));
}

}  // namespace
}  // namespace mend::auth
