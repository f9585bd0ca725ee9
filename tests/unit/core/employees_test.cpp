// The digital employees: who owns which kind, the roster from the config, the track record on
// cases with known answers, and what switching one off or keeping it to recommending does in
// the recovery service (manual clock, no sleeps). A person's report is here too: it is the
// way a case reaches an employee without a signal.
#include "core/employees.hpp"

#include <gtest/gtest.h>

#include "core/service.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kT0Wall = 1795374000000;  // 2026-11-22T19:00:00Z
constexpr std::int64_t kT0Mono = 5000000;
const WallTime kT0{Millis{kT0Wall}};

Config config_from(const std::string& extra) {
  const std::string text = "[venue]\nid = \"v1\"\nname = \"The Anchor\"\n" + extra;
  ConfigResult r = parse_config(text, "test.toml");
  EXPECT_TRUE(r.config.has_value()) << (r.errors.empty() ? "" : r.errors.front().to_string());
  return r.config.value_or(Config{});
}

// ---- who owns what ------------------------------------------------------------------------

TEST(Employees, EveryKindHasOneEmployeeAndTheStartingSetHasItsJobs) {
  int owned = 0;
  for (int e = 0; e < kEmployeeCount; ++e) {
    owned += static_cast<int>(kinds_of(static_cast<EmployeeId>(e)).size());
  }
  EXPECT_EQ(owned, kCaseKindCount);
  EXPECT_EQ(employee_of(CaseKind::kArrivalUnseated), EmployeeId::kHost);
  EXPECT_EQ(employee_of(CaseKind::kCourseSlow), EmployeeId::kFloor);
  EXPECT_EQ(employee_of(CaseKind::kCallUnanswered), EmployeeId::kFloor);
  EXPECT_EQ(employee_of(CaseKind::kTemperatureOutOfRange), EmployeeId::kKitchenSafety);
  EXPECT_EQ(employee_of(CaseKind::kEnquiryUnanswered), EmployeeId::kInbox);
  EXPECT_EQ(employee_of(CaseKind::kGuestEnquiry), EmployeeId::kInbox);
  EXPECT_EQ(employee_of(CaseKind::kGuestComplaint), EmployeeId::kFloor);
  EXPECT_EQ(employee_of(CaseKind::kReviewNegative), EmployeeId::kReputation);
  EXPECT_EQ(employee_of(CaseKind::kPatternRecurring), EmployeeId::kAnalyst);
  EXPECT_EQ(employee_of(CaseKind::kStoreUnwritable), EmployeeId::kCaretaker);
}

TEST(Employees, TheCaseJsonNamesItsEmployee) {
  Case c;
  c.id = "c-000001";
  c.kind = CaseKind::kTemperatureOutOfRange;
  EXPECT_EQ(*case_to_json(c).get("employee")->as_string(), "kitchen_safety");
}

TEST(Employees, TheConfigChangesWordsOwnerAndSwitchesButNotTheKinds) {
  const Config c = config_from(
      "[[employee]]\nid = \"inbox\"\njob = \"Answers the phone.\"\nowner = \"staff\"\n"
      "enabled = false\nmay = \"recommend\"\n");
  const Roster r = Roster::from(c.employees);
  const Employee& inbox = r.at(EmployeeId::kInbox);
  EXPECT_EQ(inbox.job, "Answers the phone.");
  EXPECT_EQ(inbox.owner, "staff");
  EXPECT_FALSE(inbox.enabled);
  EXPECT_EQ(inbox.may, Authority::kRecommend);
  EXPECT_EQ(inbox.signals, (std::vector<std::string>{"enquiry.received", "enquiry.answered"}));
  EXPECT_FALSE(r.raises(CaseKind::kEnquiryUnanswered));
  EXPECT_TRUE(r.raises(CaseKind::kTableNoOrder));
  EXPECT_EQ(r.at(EmployeeId::kFloor).owner, "manager");
}

TEST(Employees, BadEntriesAreRefusedWithFileLineAndKey) {
  const auto errors = [](const std::string& text) {
    ConfigResult r = parse_config("[venue]\nid = \"v1\"\n" + text, "mend.toml");
    EXPECT_FALSE(r.config.has_value());
    return r.errors.empty() ? std::string() : r.errors.front().to_string();
  };
  EXPECT_EQ(errors("[[employee]]\nid = \"sommelier\"\n"),
            "mend.toml:4:1: employee[0].id: expected one of host, floor, kitchen_safety, inbox, "
            "reputation, analyst, caretaker, winback, concierge, got \"sommelier\"");
  EXPECT_EQ(errors("[[employee]]\nid = \"host\"\nmay = \"fire\"\n"),
            "mend.toml:5:1: employee[0].may: expected one of recommend, act, got \"fire\"");
  EXPECT_EQ(errors("[[employee]]\nid = \"host\"\nsignals = [\"weather\"]\n"),
            "mend.toml:5:12: employee[0].signals[0]: expected an event type from signals.md, or "
            "cases, disk, cloud_link, sources, got \"weather\"");
  EXPECT_EQ(errors("[[employee]]\nid = \"caretaker\"\nenabled = false\n"),
            "mend.toml:5:1: employee[0].enabled: the caretaker watches the box's own disk and "
            "cloud link: it cannot be off");
  EXPECT_EQ(errors("[[employee]]\nid = \"host\"\n[[employee]]\nid = \"host\"\n"),
            "mend.toml:6:1: employee[1].id: duplicate employee \"host\": employee[0] (line 4) has "
            "it already");
  EXPECT_EQ(errors("[[employee]]\nid = \"host\"\nenabled = \"no\"\n"),
            "mend.toml:5:1: employee[0].enabled: expected true or false, got string \"no\"");
}

// ---- the track record -------------------------------------------------------------------

Case made(std::string id, CaseKind kind, Millis opened_after) {
  Case c;
  c.id = std::move(id);
  c.kind = kind;
  c.opened_at = kT0 + opened_after;
  c.updated_at = c.opened_at;
  return c;
}
const Actor kSam{"user:2", "staff"};
const Actor kAlex{"user:1", "manager"};

void touched(Case& c, Millis after, CaseStatus to, const Actor& by) {
  c.history.push_back(Transition{c.status, to, by, c.opened_at + after, ""});
  c.status = to;
}
void judged(Case& c, Millis after, Verdict v, const Actor& by = kAlex) {
  c.decisions.push_back(CaseDecision{v, by, c.opened_at + after, "because", {}, {}});
}
void resolved(Case& c, Millis after) {
  touched(c, after, CaseStatus::kResolved, kSam);
  c.resolution = Resolution{RootCause::kProcess, "", kSam, c.opened_at + after};
}

// Five Floor cases and one of another employee's, with every answer worked out by hand.
std::vector<Case> history() {
  std::vector<Case> v;
  // 1: acknowledged after 2 min, approved, 6.00 given, resolved after 20 min, survey 5.
  Case a = made("c-1", CaseKind::kTableNoOrder, 0min);
  touched(a, 2min, CaseStatus::kAcknowledged, kSam);
  judged(a, 3min, Verdict::kApprove);
  touched(a, 3min, CaseStatus::kActioned, kAlex);
  a.compensation = 6;
  resolved(a, 20min);
  a.satisfaction = 5;
  v.push_back(a);
  // 2: decided first (edit) after 4 min, 8.00 given, resolved after 40 min, survey 2.
  Case b = made("c-2", CaseKind::kCourseSlow, 10min);
  judged(b, 4min, Verdict::kEdit);
  touched(b, 4min, CaseStatus::kActioned, kAlex);
  b.compensation = 8;
  resolved(b, 40min);
  b.satisfaction = 2;
  v.push_back(b);
  // 3: rejected after 10 min (nothing given although the plan offered 25), never resolved.
  Case c = made("c-3", CaseKind::kBillSlow, 20min);
  judged(c, 10min, Verdict::kReject);
  touched(c, 10min, CaseStatus::kAcknowledged, kAlex);
  c.compensation = 25;
  v.push_back(c);
  // 4: ran by itself (the policy's), 4.00; the system's steps are not a person's.
  Case d = made("c-4", CaseKind::kTableNoOrder, 30min);
  judged(d, 0min, Verdict::kApprove, kSystemActor);
  touched(d, 0min, CaseStatus::kActioned, kSystemActor);
  d.automatic = true;
  d.compensation = 4;
  v.push_back(d);
  // 5: reported by a person, still open, nobody touched it yet.
  Case e = made("c-5", CaseKind::kGuestComplaint, 40min);
  e.subject.channel = "phone";
  v.push_back(e);
  // Kitchen safety's: must not count for Floor.
  Case f = made("c-6", CaseKind::kTemperatureOutOfRange, 0min);
  touched(f, 1min, CaseStatus::kAcknowledged, kSam);
  v.push_back(f);
  return v;
}

TEST(TrackRecord, CountsWhatPeopleDidWithTheEmployeesCases) {
  const TrackRecord r = track_record(EmployeeId::kFloor, history());
  EXPECT_EQ(r.raised, 5);
  EXPECT_EQ(r.by_people, 1);
  EXPECT_EQ(r.acknowledged, 3);  // c-1, c-2, c-3; c-4 was the system's, c-5 untouched
  EXPECT_EQ(r.approved, 1);
  EXPECT_EQ(r.edited, 1);
  EXPECT_EQ(r.rejected, 1);
  EXPECT_EQ(r.automatic, 1);
  EXPECT_EQ(r.resolved, 2);
  ASSERT_TRUE(r.precision.has_value());
  EXPECT_DOUBLE_EQ(*r.precision, 1.0 / 3.0);
  EXPECT_EQ(r.median_acknowledge, std::optional<Millis>(4min));  // of 2, 4 and 10 minutes
  EXPECT_EQ(r.median_resolve, std::optional<Millis>(30min));     // of 20 and 40 minutes
  EXPECT_DOUBLE_EQ(r.compensation, 18.0);                        // 6 + 8 + 4: not the rejected 25
  EXPECT_EQ(r.surveys, 2);
  EXPECT_EQ(r.satisfied, 1);
  ASSERT_TRUE(r.satisfaction.has_value());
  EXPECT_DOUBLE_EQ(*r.satisfaction, 3.5);
}

TEST(TrackRecord, NothingJudgedOrSurveyedIsSaidAsUnknownNotAsZero) {
  const TrackRecord r = track_record(EmployeeId::kKitchenSafety, history());
  EXPECT_EQ(r.raised, 1);
  EXPECT_EQ(r.acknowledged, 1);
  EXPECT_EQ(r.median_acknowledge, std::optional<Millis>(1min));
  EXPECT_FALSE(r.precision.has_value());
  EXPECT_FALSE(r.median_resolve.has_value());
  EXPECT_FALSE(r.satisfaction.has_value());
  const json::Value j = employee_to_json(Roster{}.at(EmployeeId::kKitchenSafety), r);
  EXPECT_TRUE(j.get("record")->get("precision")->is_null());
  EXPECT_EQ(*j.get("record")->get("median_acknowledge_s")->as_int(), 60);
  EXPECT_TRUE(j.get("record")->get("satisfaction")->is_null());
  EXPECT_EQ(track_record(EmployeeId::kReputation, history()).raised, 0);
}

TEST(TrackRecord, TheLastJudgementCounts) {
  Case c = made("c-1", CaseKind::kReviewNegative, 0min);
  judged(c, 1min, Verdict::kReject);
  judged(c, 5min, Verdict::kApprove);
  const TrackRecord r = track_record(EmployeeId::kReputation, {c});
  EXPECT_EQ(r.approved, 1);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_EQ(r.median_acknowledge, std::optional<Millis>(1min));
}

// ---- in the recovery service ----------------------------------------------------------------

class EmployeesServiceTest : public ::testing::Test {
 protected:
  explicit EmployeesServiceTest(const std::string& extra = {})
      : service_(ServiceSettings::from(config_from(extra)), [](WallTime) { return Millis{0}; }) {}

  void advance(Millis d) {
    now_.wall += d;
    now_.mono += d;
  }
  Effects run_for(Millis d) {
    const MonoTime until = now_.mono + d;
    Effects all;
    while (auto due = service_.next_deadline()) {
      if (*due > until) break;
      advance(*due - now_.mono);
      all.merge(service_.on_tick(now_));
    }
    advance(until - now_.mono);
    return all;
  }
  Effects seat(const std::string& table) {
    Event e;
    e.id = "ev-" + std::to_string(++seq_);
    e.type = EventType::kGuestSeated;
    e.ts = now_.wall;
    e.received = now_.wall;
    e.ts_from_source = true;
    GuestSeated body;
    body.table = table;
    body.party = 2;
    e.body = body;
    return service_.on_event(e, now_);
  }
  ActionEffects change(EmployeeId id, std::optional<bool> enabled,
                       std::optional<Authority> may = std::nullopt) {
    return service_.change_employee(EmployeeChange{id, enabled, may, {}, "too noisy", kAlex}, now_);
  }
  ActionEffects tune(EmployeeId id, std::map<std::string, std::string> limits) {
    return service_.change_employee(EmployeeChange{id, {}, {}, std::move(limits), "", kAlex}, now_);
  }
  std::string refusal(const ActionEffects& r) {
    EXPECT_TRUE(std::holds_alternative<ActionRefusal>(r));
    return std::holds_alternative<ActionRefusal>(r) ? std::get<ActionRefusal>(r).message : "";
  }
  const EmployeeLimit* limit(EmployeeId id, std::string_view key) {
    for (const auto& l : service_.employees().at(id).limits) {
      if (l.key == key) return &l;
    }
    return nullptr;
  }
  std::size_t cases() { return service_.cases().list(CaseFilter{}).size(); }

  RecoveryService service_;
  Now now_{WallTime{Millis{kT0Wall}}, MonoTime{Millis{kT0Mono}}};
  int seq_ = 0;
};

TEST_F(EmployeesServiceTest, AnEmployeeSwitchedOffOpensNoCasesUntilItIsBackOn) {
  const ActionEffects r = change(EmployeeId::kFloor, false);
  ASSERT_TRUE(std::holds_alternative<Effects>(r));
  const Effects& fx = std::get<Effects>(r);
  ASSERT_EQ(fx.audit.size(), 1u);
  EXPECT_EQ(fx.audit[0].action, "employee.change");
  EXPECT_EQ(fx.audit[0].target, "floor");
  EXPECT_EQ(fx.audit[0].actor, "user:1");
  EXPECT_EQ(json::dump(fx.audit[0].detail),
            R"({"enabled":{"from":true,"to":false},"reason":"too noisy"})");
  seat("T1");
  run_for(30min);
  EXPECT_EQ(cases(), 0u);
  // The floor view still shows the table's wait.
  EXPECT_EQ(service_.tables().size(), 1u);

  ASSERT_TRUE(std::holds_alternative<Effects>(change(EmployeeId::kFloor, true)));
  seat("T2");
  run_for(10min);
  ASSERT_EQ(cases(), 1u);
  EXPECT_EQ(service_.cases().list(CaseFilter{}).front()->subject.table, "T2");
}

TEST_F(EmployeesServiceTest, TheCaretakerCannotBeSwitchedOffAndAChangeMustSaySomething) {
  const ActionEffects off = change(EmployeeId::kCaretaker, false);
  ASSERT_TRUE(std::holds_alternative<ActionRefusal>(off));
  EXPECT_EQ(std::get<ActionRefusal>(off).code, ActionRefusal::Code::kConflict);
  const ActionEffects nothing = change(EmployeeId::kHost, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<ActionRefusal>(nothing));
  EXPECT_EQ(std::get<ActionRefusal>(nothing).code, ActionRefusal::Code::kInvalid);
  EXPECT_TRUE(service_.employees().at(EmployeeId::kCaretaker).enabled);
}

TEST_F(EmployeesServiceTest, ChangesSurviveARestartAndAReloadOfTheFile) {
  change(EmployeeId::kInbox, false, Authority::kRecommend);
  const SavedState saved = service_.take_changed_state(now_, false);
  ASSERT_TRUE(saved.employees.has_value());
  EXPECT_FALSE(service_.take_changed_state(now_, false).employees.has_value());

  RecoveryService again(ServiceSettings::from(config_from("")), [](WallTime) { return Millis{0}; });
  const auto restored = again.restore({}, saved, now_, true);
  EXPECT_TRUE(restored.warnings.empty());
  const Employee& inbox = again.employees().at(EmployeeId::kInbox);
  EXPECT_FALSE(inbox.enabled);
  EXPECT_EQ(inbox.may, Authority::kRecommend);
  ASSERT_TRUE(inbox.changed.has_value());
  EXPECT_EQ(inbox.changed->by, "user:1");
  again.update_settings(ServiceSettings::from(config_from("")));
  EXPECT_FALSE(again.employees().at(EmployeeId::kInbox).enabled);
}

TEST_F(EmployeesServiceTest, EachEmployeeShowsTheLimitsItWorksToAndWhatTheConfigSays) {
  std::vector<std::string> floor;
  for (const auto& l : service_.employees().at(EmployeeId::kFloor).limits) floor.push_back(l.key);
  EXPECT_EQ(floor, (std::vector<std::string>{"table_no_order", "course.dessert", "course.drinks",
                                             "course.main", "course.starter", "course_default",
                                             "bill_slow", "call_unanswered", "voids_count"}));
  const EmployeeLimit* main = limit(EmployeeId::kFloor, "course.main");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->value, "25m");
  EXPECT_EQ(main->configured, "25m");
  EXPECT_EQ(main->description, "A main course fired and not served this long opens course.slow.");
  EXPECT_EQ(limit(EmployeeId::kKitchenSafety, "temperature_high")->value, "5");
  EXPECT_EQ(limit(EmployeeId::kReputation, "review_max_rating")->value, "2");
  EXPECT_TRUE(service_.employees().at(EmployeeId::kCaretaker).limits.empty());
}

TEST_F(EmployeesServiceTest, ATunedLimitOpensCasesAtItsNewValueAndIsAudited) {
  const ActionEffects r = tune(EmployeeId::kFloor, {{"table_no_order", "6m"}});
  ASSERT_TRUE(std::holds_alternative<Effects>(r));
  const Effects& fx = std::get<Effects>(r);
  ASSERT_EQ(fx.audit.size(), 1u);
  EXPECT_EQ(fx.audit[0].action, "employee.change");
  EXPECT_EQ(fx.audit[0].target, "floor");
  EXPECT_EQ(json::dump(fx.audit[0].detail), R"({"limit table_no_order":{"from":"10m","to":"6m"}})");
  const EmployeeLimit* l = limit(EmployeeId::kFloor, "table_no_order");
  EXPECT_EQ(l->value, "6m");
  EXPECT_EQ(l->configured, "10m");

  seat("T1");
  run_for(5min + 59s);
  EXPECT_EQ(cases(), 0u);
  run_for(1s);
  ASSERT_EQ(cases(), 1u);
  EXPECT_EQ(service_.tables().front().timers.front().threshold, 6min);
}

TEST_F(EmployeesServiceTest, ALimitSetBackToTheConfigsValueFollowsTheFileAgain) {
  ASSERT_TRUE(std::holds_alternative<Effects>(tune(EmployeeId::kFloor, {{"course.main", "20m"}})));
  ASSERT_TRUE(service_.employees().at(EmployeeId::kFloor).changed.has_value());
  EXPECT_EQ(service_.employees().at(EmployeeId::kFloor).changed->limits.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<Effects>(tune(EmployeeId::kFloor, {{"course.main", "25m"}})));
  EXPECT_TRUE(service_.employees().at(EmployeeId::kFloor).changed->limits.empty());
  // The file now says 30m for a main, and the tablet's earlier 25m does not pin it.
  service_.update_settings(ServiceSettings::from(config_from("[detect.course]\nmain = \"30m\"\n")));
  EXPECT_EQ(limit(EmployeeId::kFloor, "course.main")->value, "30m");
}

TEST_F(EmployeesServiceTest, ABadLimitIsRefusedWithItsReasonAndChangesNothing) {
  EXPECT_EQ(refusal(tune(EmployeeId::kFloor, {{"bill_slow", "eight"}})),
            "limits.bill_slow: expected a duration such as \"8m\" (a number with a unit: s, m, "
            "h), got \"eight\"");
  EXPECT_EQ(refusal(tune(EmployeeId::kFloor, {{"bill_slow", "0s"}})),
            "limits.bill_slow: must be more than 0s, got 0s");
  EXPECT_EQ(refusal(tune(EmployeeId::kReputation, {{"review_max_rating", "2.5"}})),
            "limits.review_max_rating: expected a whole number, got \"2.5\"");
  EXPECT_EQ(refusal(tune(EmployeeId::kReputation, {{"review_max_rating", "9"}})),
            "limits.review_max_rating: must be between 0 and 4, got 9");
  EXPECT_EQ(refusal(tune(EmployeeId::kHost, {{"bill_slow", "5m"}})),
            "limits.bill_slow: not a limit of host (arrival_unseated)");
  EXPECT_EQ(refusal(tune(EmployeeId::kCaretaker, {{"bill_slow", "5m"}})),
            "limits.bill_slow: not a limit of caretaker, which has none");
  EXPECT_EQ(refusal(tune(EmployeeId::kFloor, {{"course.pudding", "5m"}})),
            "limits.course.pudding: not a limit of floor (table_no_order, course.dessert, "
            "course.drinks, course.main, course.starter, course_default, bill_slow, "
            "call_unanswered, voids_count)");
  EXPECT_EQ(refusal(tune(EmployeeId::kKitchenSafety, {{"temperature_low", "6"}})),
            "limits: temperature_low (6) must be below temperature_high (5)");
  // A change with one bad limit takes none of them.
  EXPECT_FALSE(std::holds_alternative<Effects>(
      tune(EmployeeId::kFloor, {{"bill_slow", "5m"}, {"table_no_order", "-1m"}})));
  EXPECT_EQ(limit(EmployeeId::kFloor, "bill_slow")->value, "8m");
  EXPECT_FALSE(service_.employees().at(EmployeeId::kFloor).changed.has_value());
}

TEST_F(EmployeesServiceTest, TunedLimitsSurviveARestart) {
  ASSERT_TRUE(std::holds_alternative<Effects>(
      tune(EmployeeId::kKitchenSafety, {{"temperature_high", "6.5"}, {"temperature_for", "10m"}})));
  const SavedState saved = service_.take_changed_state(now_, false);
  ASSERT_TRUE(saved.employees.has_value());
  RecoveryService again(ServiceSettings::from(config_from("")), [](WallTime) { return Millis{0}; });
  EXPECT_TRUE(again.restore({}, saved, now_, true).warnings.empty());
  const auto& limits = again.employees().at(EmployeeId::kKitchenSafety).limits;
  ASSERT_GE(limits.size(), 3u);
  EXPECT_EQ(limits[1].key, "temperature_high");
  EXPECT_EQ(limits[1].value, "6.5");
  EXPECT_EQ(limits[2].value, "10m");
  EXPECT_EQ(limits[2].configured, "15m");
}

class EmployeesAutomaticTest : public EmployeesServiceTest {
 protected:
  EmployeesAutomaticTest()
      : EmployeesServiceTest("[policy]\nautomatic = [\"table.no_order\"]\nauto_budget = 50.0\n") {}
};

TEST_F(EmployeesAutomaticTest, AnEmployeeKeptToRecommendingLeavesThePlanToAPerson) {
  EXPECT_EQ(service_.employees().at(EmployeeId::kFloor).automatic,
            std::vector<CaseKind>{CaseKind::kTableNoOrder});
  change(EmployeeId::kFloor, std::nullopt, Authority::kRecommend);
  seat("T1");
  run_for(10min);
  const auto all = service_.cases().list(CaseFilter{});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all.front()->automatic);
  EXPECT_EQ(case_status_name(all.front()->status), "open");
}

// ---- a person's report ------------------------------------------------------------------

CaseReport complaint() {
  CaseReport r;
  r.kind = CaseKind::kGuestComplaint;
  r.table = "T12";
  r.channel = "in_person";
  r.what = "The steak was cold.";
  r.severity = Severity::kHigh;
  r.by = kSam;
  return r;
}

TEST_F(EmployeesServiceTest, AReportOpensACaseWithAPlanEvenWhileItsEmployeeIsOff) {
  change(EmployeeId::kFloor, false);
  const ActionEffects r = service_.report(complaint(), now_);
  ASSERT_TRUE(std::holds_alternative<Effects>(r));
  const Effects& fx = std::get<Effects>(r);
  ASSERT_EQ(fx.opened.size(), 1u);
  const Case* c = service_.cases().find(fx.opened.front());
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(case_kind_name(c->kind), "guest.complaint");
  EXPECT_EQ(c->subject.table, "T12");
  EXPECT_EQ(c->subject.channel, "in_person");
  EXPECT_EQ(c->severity, Severity::kHigh);
  EXPECT_EQ(c->reason, "Reported by user:2 (in_person): The steak was cold.");
  // The high-severity complaint plan: listen, the manager, something on the house.
  ASSERT_EQ(c->actions.size(), 3u);
  EXPECT_EQ(c->actions[1].type, "manager_visit");
  EXPECT_FALSE(fx.alerts.empty());
  ASSERT_EQ(fx.audit.size(), 1u);
  EXPECT_EQ(fx.audit[0].action, "case.open");
  EXPECT_EQ(fx.audit[0].target, c->id);
  // A second report about the same table is a case of its own.
  const ActionEffects again = service_.report(complaint(), now_);
  ASSERT_TRUE(std::holds_alternative<Effects>(again));
  EXPECT_NE(std::get<Effects>(again).opened.front(), c->id);
}

TEST_F(EmployeesServiceTest, ABadReportIsRefusedAndOpensNothing) {
  const auto refused = [&](CaseReport r) {
    const ActionEffects out = service_.report(r, now_);
    EXPECT_TRUE(std::holds_alternative<ActionRefusal>(out));
    return std::holds_alternative<ActionRefusal>(out) ? std::get<ActionRefusal>(out).message
                                                      : std::string();
  };
  CaseReport r = complaint();
  r.table.clear();
  EXPECT_EQ(refused(r), "say who it is about: a table, a booking or a guest");
  r = complaint();
  r.what = "  ";
  EXPECT_EQ(refused(r), "say what happened");
  r = complaint();
  r.channel = "pigeon";
  EXPECT_EQ(refused(r), "channel must be in_person, phone, email, message or other");
  r = complaint();
  r.kind = CaseKind::kTableNoOrder;
  EXPECT_EQ(refused(r), "kind must be guest.complaint, guest.enquiry or guest.other");
  EXPECT_EQ(cases(), 0u);
}

}  // namespace
}  // namespace mend
