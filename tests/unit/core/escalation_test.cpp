// The escalator, driven by a manual clock with literal times. No sleeps: "three minutes later"
// is a number handed to on_tick.
#include "core/escalation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

namespace mend {
namespace {

using namespace std::chrono_literals;

const MonoTime t0 = MonoTime{} + std::chrono::hours(1);
constexpr std::int64_t kT0Wall = 1795374000000;  // 2026-11-22T19:00:00Z
const WallTime w0 = wall_from_ms(kT0Wall);

std::vector<std::string> roles(const std::vector<Notification>& ns) {
  std::vector<std::string> out;
  for (const auto& n : ns) out.push_back(n.role);
  return out;
}

using Roles = std::vector<std::string>;

std::vector<Notification> of_case(const std::vector<Notification>& ns, const std::string& id) {
  std::vector<Notification> out;
  std::copy_if(ns.begin(), ns.end(), std::back_inserter(out),
               [&](const Notification& n) { return n.case_id == id; });
  return out;
}

TEST(Escalator, StaffNotifiedAtOpen) {
  Escalator e;
  auto ns = e.open("c1", Severity::kMedium, t0);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].case_id, "c1");
  EXPECT_EQ(ns[0].role, "staff");
  EXPECT_EQ(ns[0].stage, 0);
  EXPECT_FALSE(ns[0].repeat);
  EXPECT_EQ(ns[0].severity, Severity::kMedium);
  EXPECT_EQ(ns[0].reason, "opened");
  EXPECT_EQ(e.active(), 1u);
  EXPECT_TRUE(e.open("c1", Severity::kHigh, t0 + 1s).empty());  // known id: nothing
}

TEST(Escalator, ManagerExactlyAtThreeMinutes) {
  Escalator e;
  e.open("c1", Severity::kMedium, t0);
  EXPECT_TRUE(e.on_tick(t0 + 3min - 1ms).empty());
  auto ns = e.on_tick(t0 + 3min);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].role, "manager");
  EXPECT_EQ(ns[0].stage, 1);
  EXPECT_EQ(ns[0].reason, "unacknowledged for 3 min");
  EXPECT_TRUE(e.on_tick(t0 + 3min).empty());  // told once
}

TEST(Escalator, AdminExactlyAtTenMinutes) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  EXPECT_EQ(roles(e.on_tick(t0 + 3min)), Roles{"manager"});
  EXPECT_TRUE(e.on_tick(t0 + 10min - 1ms).empty());
  auto ns = e.on_tick(t0 + 10min);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].role, "admin");
  EXPECT_EQ(ns[0].stage, 2);
  EXPECT_FALSE(ns[0].repeat);
}

TEST(Escalator, RepeatsEveryFiveMinutesAfterLastStage) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  e.on_tick(t0 + 10min);
  EXPECT_TRUE(e.on_tick(t0 + 15min - 1ms).empty());
  auto ns = e.on_tick(t0 + 15min);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].role, "admin");
  EXPECT_EQ(ns[0].stage, 2);
  EXPECT_TRUE(ns[0].repeat);
  EXPECT_EQ(ns[0].reason, "still unacknowledged after 15 min");
  EXPECT_EQ(e.next_deadline(), t0 + 20min);
  EXPECT_EQ(e.on_tick(t0 + 20min).size(), 1u);
  EXPECT_EQ(e.next_deadline(), t0 + 25min);
}

TEST(Escalator, NoRepeatWhenRepeatIsZero) {
  EscalationConfig c;
  c.repeat = 0ms;
  Escalator e(c);
  e.open("c1", Severity::kHigh, t0);
  EXPECT_EQ(roles(e.on_tick(t0 + 10min)), (Roles{"manager", "admin"}));
  EXPECT_FALSE(e.next_deadline());
  EXPECT_TRUE(e.on_tick(t0 + 1h).empty());
  EXPECT_EQ(e.active(), 1u);  // still waiting for someone to acknowledge
}

TEST(Escalator, LateTickTellsEveryOverdueStageInOrderAndFoldsReminders) {
  Escalator e;
  e.open("a", Severity::kHigh, t0);
  e.open("b", Severity::kHigh, t0 + 1min);
  auto ns = e.on_tick(t0 + 27min);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& n : ns) got.emplace_back(n.case_id, n.role + (n.repeat ? "+" : ""));
  const std::vector<std::pair<std::string, std::string>> want{{"a", "manager"}, {"b", "manager"},
                                                              {"a", "admin"},   {"b", "admin"},
                                                              {"a", "admin+"},  {"b", "admin+"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(ns[4].reason, "still unacknowledged after 25 min");  // the grid point, once
  EXPECT_EQ(e.next_deadline(), t0 + 30min);
}

TEST(Escalator, AcknowledgeStopsAndRecordsWhoAndWhen) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  EXPECT_TRUE(e.acknowledge("c1", "u-maria", "staff", w0 + 2min, t0 + 2min));
  EXPECT_TRUE(e.on_tick(t0 + 3min).empty());
  EXPECT_TRUE(e.on_tick(t0 + 1h).empty());
  EXPECT_FALSE(e.next_deadline());
  EXPECT_EQ(e.active(), 0u);
  auto ack = e.acknowledgement("c1");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->by, "u-maria");
  EXPECT_EQ(ack->role, "staff");
  EXPECT_EQ(ack->at, w0 + 2min);
  EXPECT_EQ(ack->after, 2min);
  // A second acknowledgement keeps the first; an unknown case is refused.
  EXPECT_FALSE(e.acknowledge("c1", "u-tom", "manager", w0 + 4min, t0 + 4min));
  EXPECT_EQ(e.acknowledgement("c1")->by, "u-maria");
  EXPECT_FALSE(e.acknowledge("nope", "u-tom", "manager", w0, t0));
}

TEST(Escalator, CloseStopsAndForgets) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  e.open("c2", Severity::kHigh, t0);
  e.acknowledge("c2", "u-maria", "staff", w0, t0 + 1min);
  e.close("c1");
  e.close("c2");
  e.close("never-opened");
  EXPECT_TRUE(e.on_tick(t0 + 1h).empty());
  EXPECT_FALSE(e.next_deadline());
  EXPECT_EQ(e.active(), 0u);
  EXPECT_FALSE(e.acknowledgement("c2"));
  EXPECT_FALSE(e.acknowledge("c1", "u-maria", "staff", w0, t0 + 2min));
}

TEST(Escalator, QuietFloorKeepsLowCaseFromManagerAndAdminButLadderClimbs) {
  Escalator e;
  EXPECT_EQ(roles(e.open("c1", Severity::kLow, t0)), Roles{"staff"});
  EXPECT_EQ(e.next_deadline(), t0 + 3min);
  EXPECT_TRUE(e.on_tick(t0 + 3min).empty());
  EXPECT_EQ(e.next_deadline(), t0 + 10min);  // climbed past the manager silently
  EXPECT_TRUE(e.on_tick(t0 + 10min).empty());
  EXPECT_EQ(e.next_deadline(), t0 + 15min);
  EXPECT_TRUE(e.on_tick(t0 + 1h).empty());
  // A medium case reaches the manager but not the admin.
  e.open("c2", Severity::kMedium, t0 + 1h);
  EXPECT_EQ(roles(e.on_tick(t0 + 1h + 3min)), Roles{"manager"});
  EXPECT_TRUE(e.on_tick(t0 + 1h + 10min).empty());
}

TEST(Escalator, RaiseMidLadderLetsALaterStageThrough) {
  Escalator e;
  e.open("c1", Severity::kMedium, t0);
  EXPECT_EQ(roles(e.on_tick(t0 + 3min)), Roles{"manager"});
  e.raise("c1", Severity::kHigh);
  e.raise("c1", Severity::kLow);  // never lowers
  auto ns = e.on_tick(t0 + 10min);
  ASSERT_EQ(ns.size(), 1u);
  EXPECT_EQ(ns[0].role, "admin");
  EXPECT_EQ(ns[0].severity, Severity::kHigh);

  // A low case raised after the manager's stage passed: the manager is not replayed, the
  // admin is still reached on time.
  e.open("c2", Severity::kLow, t0 + 20min);
  EXPECT_TRUE(roles(of_case(e.on_tick(t0 + 23min), "c2")).empty());
  e.raise("c2", Severity::kCritical);
  EXPECT_EQ(roles(of_case(e.on_tick(t0 + 30min), "c2")), Roles{"admin"});
}

TEST(EscalationConfig, ValidateCatchesBadLadders) {
  EXPECT_TRUE(EscalationConfig{}.validate().empty());

  EscalationConfig backwards;
  backwards.ladder = {{"staff", 0min}, {"manager", 10min}, {"admin", 3min}};
  auto errors = backwards.validate();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("stage 3 (admin)"), std::string::npos) << errors[0];

  EscalationConfig empty;
  empty.ladder.clear();
  EXPECT_EQ(empty.validate().size(), 1u);

  EscalationConfig bad;
  bad.ladder = {{"", 0min}, {"manager", -1min}};
  bad.repeat = -1s;
  EXPECT_EQ(bad.validate().size(), 3u);

  EscalationConfig together;  // two roles at once is fine
  together.ladder = {{"staff", 0min}, {"host", 0min}, {"manager", 3min}};
  EXPECT_TRUE(together.validate().empty());
  Escalator e(together);
  EXPECT_EQ(roles(e.open("c1", Severity::kMedium, t0)), (Roles{"staff", "host"}));
}

TEST(Escalator, NextDeadlineMatchesNextDueNotification) {
  Escalator e;
  EXPECT_FALSE(e.next_deadline());
  e.open("a", Severity::kHigh, t0);
  e.open("b", Severity::kHigh, t0 + 1min);
  MonoTime now = t0;
  std::vector<MonoTime> fired_at;
  for (int i = 0; i < 8; ++i) {
    auto next = e.next_deadline();
    ASSERT_TRUE(next);
    EXPECT_TRUE(e.on_tick(*next - 1ms).empty());
    auto ns = e.on_tick(*next);
    EXPECT_FALSE(ns.empty());
    now = *next;
    fired_at.push_back(now);
  }
  const std::vector<MonoTime> want{t0 + 3min,  t0 + 4min,  t0 + 10min, t0 + 11min,
                                   t0 + 15min, t0 + 16min, t0 + 20min, t0 + 21min};
  EXPECT_EQ(fired_at, want);
}

TEST(Escalator, ExportRestoreSameBootKeepsDeadlines) {
  Escalator before;
  before.open("c1", Severity::kHigh, t0);
  before.open("c2", Severity::kMedium, t0);
  before.acknowledge("c2", "u-maria", "staff", w0 + 1min, t0 + 1min);
  const json::Value state = before.export_state(Now{w0 + 2min, t0 + 2min});

  // Restarted 30 s later in the same boot; the wall clock has stepped, which must not matter.
  Escalator after;
  ASSERT_EQ(after.restore(state, Now{w0 + 1h, t0 + 2min + 30s}, true), std::nullopt);
  EXPECT_EQ(after.active(), 1u);
  EXPECT_EQ(after.next_deadline(), t0 + 3min);
  EXPECT_TRUE(after.on_tick(t0 + 3min - 1ms).empty());
  EXPECT_EQ(roles(after.on_tick(t0 + 3min)), Roles{"manager"});
  EXPECT_EQ(roles(after.on_tick(t0 + 10min)), Roles{"admin"});
  auto ack = after.acknowledgement("c2");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->by, "u-maria");
  EXPECT_EQ(ack->at, w0 + 1min);
  EXPECT_EQ(ack->after, 1min);
  // New cases run alongside the restored ones.
  EXPECT_EQ(roles(after.open("c3", Severity::kMedium, t0 + 11min)), Roles{"staff"});
  EXPECT_EQ(after.active(), 2u);
}

TEST(Escalator, ExportRestoreAfterRebootCountsDowntime) {
  Escalator before;
  before.open("c1", Severity::kHigh, t0);
  before.on_tick(t0 + 3min);
  const json::Value state = before.export_state(Now{w0 + 4min, t0 + 4min});

  // Down for 2 minutes; the monotonic clock restarted near zero.
  const MonoTime boot = MonoTime{} + 20s;
  Escalator after;
  ASSERT_EQ(after.restore(state, Now{w0 + 6min, boot}, false), std::nullopt);
  // The case is 6 minutes old: the admin is due at 10, 4 minutes from now.
  EXPECT_EQ(after.next_deadline(), boot + 4min);
  EXPECT_TRUE(after.on_tick(boot + 4min - 1ms).empty());
  EXPECT_EQ(roles(after.on_tick(boot + 4min)), Roles{"admin"});
  EXPECT_EQ(after.next_deadline(), boot + 9min);  // 15 min after opening

  // Down past a stage: it fires at the first tick.
  Escalator late;
  ASSERT_EQ(late.restore(state, Now{w0 + 12min, boot}, false), std::nullopt);
  EXPECT_EQ(roles(late.on_tick(boot)), Roles{"admin"});
  EXPECT_EQ(late.next_deadline(), boot + 3min);

  // Acknowledging after the reboot counts the downtime too.
  EXPECT_TRUE(late.acknowledge("c1", "u-ana", "admin", w0 + 13min, boot + 1min));
  EXPECT_EQ(late.acknowledgement("c1")->after, 13min);
}

TEST(Escalator, RestoreRejectsBadStateAndChangesNothing) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  const Now now{w0, t0};
  EXPECT_TRUE(e.restore(json::Value(1), now, true));
  json::Object wrong_version;
  wrong_version.append("version", 99);
  EXPECT_TRUE(e.restore(json::Value(wrong_version), now, true));
  auto parsed = json::parse(
      R"({"version":1,"exported_wall":0,"exported_mono":0,"cases":[{"id":"x","severity":"loud",)"
      R"("opened":0,"climbed":0,"last_step":0}]})");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(e.restore(*parsed.value, now, true));
  EXPECT_EQ(e.active(), 1u);
  EXPECT_EQ(e.next_deadline(), t0 + 3min);
}

TEST(Escalator, EarlierClockFiresNothing) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  EXPECT_TRUE(e.on_tick(t0 + 2min).empty());
  EXPECT_TRUE(e.on_tick(t0 + 1min).empty());
  EXPECT_TRUE(e.on_tick(t0 - 1h).empty());
  EXPECT_EQ(roles(e.on_tick(t0 + 3min)), Roles{"manager"});
  EXPECT_TRUE(e.on_tick(t0).empty());  // no replay, no second manager
  // A case opened with a stale clock counts from the latest time seen.
  e.open("c2", Severity::kHigh, t0);
  EXPECT_TRUE(e.on_tick(t0 + 5min).empty());
  EXPECT_EQ(roles(e.on_tick(t0 + 6min)), Roles{"manager"});
  // And an acknowledgement with a stale clock does not count backwards.
  EXPECT_TRUE(e.acknowledge("c2", "u-maria", "manager", w0, t0));
  EXPECT_EQ(e.acknowledgement("c2")->after, 3min);
}

TEST(Escalator, UpdateConfigKeepsStartAndAppliesNewStages) {
  Escalator e;
  e.open("c1", Severity::kHigh, t0);
  EXPECT_EQ(roles(e.on_tick(t0 + 3min)), Roles{"manager"});
  EscalationConfig c;
  c.ladder = {{"staff", 0min}, {"manager", 3min}, {"owner", 6min}, {"admin", 8min}};
  e.update_config(c);
  EXPECT_EQ(e.next_deadline(), t0 + 6min);  // counted from the original open
  EXPECT_EQ(roles(e.on_tick(t0 + 6min)), Roles{"owner"});
  EXPECT_EQ(roles(e.on_tick(t0 + 8min)), Roles{"admin"});
  EXPECT_EQ(e.next_deadline(), t0 + 13min);
}

}  // namespace
}  // namespace mend
