// The contribution ledger's rules (core/contributions.hpp): entries only for verified outcomes,
// countersignatures and corrections as entries of their own, guests' balances folded from the
// entries. Literal times on a manual clock, no sleeps.
#include "core/contributions.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/service.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

const WallTime kT0 = wall_from_ms(1'795'374'000'000);  // 2026-11-22T19:00:00Z
const Actor kAnn{"user:2", "staff"};
const Actor kMo{"user:3", "manager"};
const Actor kLi{"user:4", "manager"};

double sum(const std::vector<LedgerEntry>& entries, const std::string& guest) {
  double total = 0;
  for (const auto& e : entries) {
    if (e.guest == guest && (e.kind == LedgerKind::kReward || e.kind == LedgerKind::kRedemption)) {
      total += e.value;
    }
  }
  return total;
}

Case resolved_pattern(const std::string& id, WallTime at) {
  Case c;
  c.id = id;
  c.kind = CaseKind::kPatternRecurring;
  c.subject.kind = "course.slow";
  c.subject.area = "terrace";
  c.opened_at = at - 1h;
  c.resolution = Resolution{RootCause::kProcess, "pass reorganised", kAnn, at};
  return c;
}

TEST(LedgerEntryJson, EveryFieldSurvivesTheCanonicalText) {
  LedgerEntry e;
  e.seq = 7;
  e.at = kT0;
  e.kind = LedgerKind::kContribution;
  e.rule = "case_closed";
  e.person = "user:2";
  e.value = 1.5;
  e.why = "Closed case c-1";
  e.evidence = {LedgerEvidence{"case", "c-1", {}, {}, 0},
                LedgerEvidence{"audit", {}, "case.resolve", "c-1", 41}};
  e.by = kSystemActor;
  e.refers = 3;
  e.countersign = true;
  const auto back = ledger_entry_from_json(ledger_entry_to_json(e));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, e);
  json::Value broken = ledger_entry_to_json(e);
  broken.as_object()->erase("person");
  EXPECT_FALSE(ledger_entry_from_json(broken).has_value());
}

// A pattern's cause counts as fixed only when its window has passed with no recurrence.
TEST(CauseFixed, WrittenOnlyOnceTheWindowPassesWithNoRecurrenceAndKeptAcrossARestart) {
  LedgerRules rules;
  rules.cause_fixed_after = 14 * 24h;
  Contributions ledger(rules);
  ledger.case_resolved(resolved_pattern("c-9", kT0));
  EXPECT_EQ(ledger.next_due(), kT0 + 14 * 24h);
  std::vector<LedgerEntry> out;
  ledger.due(kT0 + 14 * 24h - 1ms, out);
  EXPECT_TRUE(out.empty());

  // A restart half-way: the window is saved, not lost.
  Contributions after(rules);
  const json::Value saved = ledger.save();
  after.restore({}, &saved);
  after.due(kT0 + 14 * 24h, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].rule, "cause_fixed");
  EXPECT_EQ(out[0].person, "user:2");
  EXPECT_EQ(out[0].value, 3);
  EXPECT_TRUE(out[0].countersign);
  EXPECT_EQ(out[0].why,
            "Fixed the cause of slow courses in terrace (case c-9): none since, for 14 days");
  // Once.
  after.due(kT0 + 30 * 24h, out);
  EXPECT_EQ(out.size(), 1U);
}

TEST(CauseFixed, ARecurrenceInTheSameAreaEndsTheWindowOneElsewhereDoesNot) {
  Contributions ledger;
  ledger.case_resolved(resolved_pattern("c-9", kT0));
  ledger.case_resolved(resolved_pattern("c-10", kT0));
  Case elsewhere;
  elsewhere.kind = CaseKind::kCourseSlow;
  elsewhere.subject.area = "bar";
  elsewhere.opened_at = kT0 + 24h;
  ledger.case_opened(elsewhere);
  EXPECT_TRUE(ledger.next_due().has_value());
  Case again = elsewhere;
  again.subject.area = "terrace";
  ledger.case_opened(again);
  EXPECT_FALSE(ledger.next_due().has_value());
  std::vector<LedgerEntry> out;
  ledger.due(kT0 + 60 * 24h, out);
  EXPECT_TRUE(out.empty());
}

TEST(Countersign, CountsOnlyOnceAnotherManagerSignsAndACorrectionTakesItBack) {
  Contributions ledger;
  Case c;
  c.id = "c-1";
  c.kind = CaseKind::kBillSlow;
  c.resolution = Resolution{RootCause::kPeople, "", kMo, kT0};
  std::vector<LedgerEntry> out;
  ledger.follow_up_sent(c, kT0 + 24h, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(ledger.fold().points("user:3"), 0);  // not countersigned yet
  // Not by the person who earned it.
  const LedgerResult own = ledger.countersign(out[0].seq, kMo, kT0 + 25h);
  ASSERT_TRUE(std::holds_alternative<ActionRefusal>(own));
  EXPECT_EQ(std::get<ActionRefusal>(own).message,
            "nobody countersigns their own entry: another manager must");
  const LedgerResult signed_by_li = ledger.countersign(out[0].seq, kLi, kT0 + 25h);
  ASSERT_TRUE(std::holds_alternative<LedgerEntry>(signed_by_li));
  EXPECT_EQ(std::get<LedgerEntry>(signed_by_li).refers, out[0].seq);
  EXPECT_EQ(ledger.fold().points("user:3"), 1);
  EXPECT_TRUE(std::holds_alternative<ActionRefusal>(ledger.countersign(out[0].seq, kLi, kT0)));

  const LedgerResult fixed = ledger.correct(out[0].seq, "the follow-up was a template", kLi, kT0);
  ASSERT_TRUE(std::holds_alternative<LedgerEntry>(fixed));
  EXPECT_EQ(std::get<LedgerEntry>(fixed).value, -1);
  EXPECT_EQ(ledger.fold().points("user:3"), 0);
  EXPECT_TRUE(std::holds_alternative<ActionRefusal>(ledger.correct(out[0].seq, "again", kLi, kT0)));
  // The same outcome never earns twice.
  ledger.follow_up_sent(c, kT0 + 26h, out);
  EXPECT_EQ(out.size(), 1U);
}

TEST(GuestRecovered, CreditedToWhoeverResolvedOrApprovedAndNeverToThePolicyAlone) {
  Contributions ledger;
  Case c;
  c.id = "c-2";
  c.kind = CaseKind::kCourseSlow;
  c.decisions = {CaseDecision{Verdict::kApprove, kAnn, kT0, "", {}, {}}};
  std::vector<LedgerEntry> out;
  ledger.guest_recovered(c, "sv-1", "they scored the recovery 5 of 5", kT0, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].person, "user:2");
  ledger.guest_recovered(c, "sv-2", "again", kT0, out);
  EXPECT_EQ(out.size(), 1U);
  Case automatic;
  automatic.id = "c-3";
  automatic.decisions = {CaseDecision{Verdict::kApprove, kSystemActor, kT0, "", {}, {}}};
  ledger.guest_recovered(automatic, "sv-3", "5 of 5", kT0, out);
  EXPECT_EQ(out.size(), 1U);
}

// Whatever mix of stamps, vouchers and redemptions, a guest's balance is the sum of their
// entries, it never goes below zero, and a redemption beyond it is refused with the reason.
TEST(GuestBalance, IsTheSumOfItsEntriesAfterAnyEarnAndRedeemSequence) {
  int refused = 0;  // over all sequences: the refusals were tried, not only the happy path
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    LedgerRules rules;
    rules.stamp_every = 3;
    rules.stamp_value = 5;
    Contributions ledger(rules);
    std::vector<LedgerEntry> out;
    const std::vector<std::string> guests{"g1", "g2", "g3"};
    std::map<std::string, std::int64_t> visits;
    for (int step = 0; step < 60; ++step) {
      const std::string& g = guests[rng() % guests.size()];
      const WallTime at = kT0 + step * 1min;
      const std::string id = "e" + std::to_string(step);
      switch (rng() % 3) {
        case 0: ledger.visit_started(g, ++visits[g], id, at, out); break;
        case 1: {
          Case c;
          c.id = "c" + std::to_string(step);
          c.vouchers = {Voucher{"V" + std::to_string(step), double(rng() % 2000) / 100, {}, {}}};
          ledger.vouchers_given(c, g, at, out);
          break;
        }
        default: {
          const double amount = double(1 + rng() % 1500) / 100;
          const double before = ledger.fold().balance(g);
          auto no = ledger.redeem(g, amount, kRuleReward, {}, id, "C1", at, out);
          EXPECT_EQ(no.has_value(), amount > before + 1e-9) << "seed " << seed;
          if (no) {
            ++refused;
            EXPECT_NE(no->find("less than the"), std::string::npos) << *no;
          }
        }
      }
      for (const auto& name : guests) {
        ASSERT_NEAR(ledger.fold().balance(name), sum(out, name), 1e-9) << "seed " << seed;
        ASSERT_GE(ledger.fold().balance(name), -1e-9);
      }
    }
    // A restart folds the same balances from the same entries.
    Contributions again(rules);
    again.restore(out, nullptr);
    for (const auto& name : guests) {
      EXPECT_NEAR(again.fold().balance(name), ledger.fold().balance(name), 1e-9);
    }
  }
  EXPECT_GT(refused, 200) << "most sequences try to redeem past the balance at least once";
}

TEST(GuestBalance, AVoucherIsTakenOffOnceAndARestoreWithAGapIsRefused) {
  Contributions ledger;
  Case c;
  c.id = "c-5";
  c.vouchers = {Voucher{"V-1", 10, {}, {}}};
  std::vector<LedgerEntry> out;
  ledger.vouchers_given(c, "g1", kT0, out);
  ledger.vouchers_given(c, "g1", kT0, out);  // approved again: one credit
  ASSERT_EQ(out.size(), 1U);
  EXPECT_FALSE(ledger.redeem("g1", 10, kRuleVoucher, "V-1", "e1", "C1", kT0, out));
  EXPECT_EQ(ledger.redeem("g1", 10, kRuleVoucher, "V-1", "e2", "C1", kT0, out),
            "voucher V-1 was already taken off the balance");
  EXPECT_EQ(ledger.redeem("g-unknown", 1, kRuleReward, {}, "e3", "", kT0, out),
            "the guest's balance is 0, less than the 1 asked for");
  out.erase(out.begin());
  Contributions broken;
  EXPECT_THROW(broken.restore(out, nullptr), std::runtime_error);
}

// ---- in the recovery service ------------------------------------------------------------

class LedgerServiceTest : public ::testing::Test {
 protected:
  LedgerServiceTest() {
    ConfigResult r = parse_config(
        "[venue]\nid = \"v1\"\nname = \"The Anchor\"\n[ledger]\nstamp_every = 2\n"
        "stamp_value = 5\n",
        "test.toml");
    EXPECT_TRUE(r.config.has_value());
    service_ = std::make_unique<RecoveryService>(ServiceSettings::from(r.config.value_or(Config{})),
                                                 [](WallTime) { return Millis{0}; });
  }
  Now at(Millis after) const { return Now{kT0 + after, MonoTime{Millis{1'000'000}} + after}; }
  Effects event(EventType type, EventBody body, Millis after) {
    return service_->on_event(
        test::source_event("ev-" + std::to_string(++seq_), type, std::move(body), kT0 + after),
        at(after));
  }
  const Case* the_case() {
    auto all = service_->cases().list(CaseFilter{});
    return all.empty() ? nullptr : all.back();
  }
  Effects act(PersonAction::Kind kind, const Actor& by, Millis after) {
    PersonAction a;
    a.kind = kind;
    a.case_id = the_case()->id;
    a.by = by;
    a.version = the_case()->version;
    a.note = "done";
    a.root_cause = RootCause::kPeople;
    if (kind == PersonAction::Kind::kResolve && follow_up_) {
      a.follow_up_after = 1h;
      a.message = "Sorry about the wait";
    }
    ActionEffects r = service_->act(a, at(after));
    if (auto* no = std::get_if<ActionRefusal>(&r)) {
      ADD_FAILURE() << no->message;
      return {};
    }
    return std::get<Effects>(std::move(r));
  }
  // Table T1's guest waits to order; a case opens at ten minutes.
  void wait_at(const std::string& table, Millis after) {
    GuestSeated s;
    s.table = table;
    s.party = 2;
    s.customer = Customer{"cust-1", "Ann Lee", "", ""};
    event(EventType::kGuestSeated, s, after);
    service_->on_tick(at(after + 10min));
  }

  std::unique_ptr<RecoveryService> service_;
  bool follow_up_ = true;
  int seq_ = 0;
};

TEST_F(LedgerServiceTest, ACaseClosedWithoutAFollowUpEarnsNothingOneClosedProperlyEarnsOnce) {
  follow_up_ = false;
  wait_at("T1", 0min);
  ASSERT_NE(the_case(), nullptr);
  Effects closed = act(PersonAction::Kind::kResolve, kAnn, 12min);
  EXPECT_TRUE(closed.ledger.empty());

  follow_up_ = true;
  wait_at("T2", 4h);
  act(PersonAction::Kind::kResolve, kAnn, 4h + 12min);
  EXPECT_TRUE(act(PersonAction::Kind::kFollowUpSkip, kMo, 5h + 30min).ledger.empty());

  wait_at("T3", 8h);
  act(PersonAction::Kind::kResolve, kAnn, 8h + 12min);
  Effects sent = act(PersonAction::Kind::kFollowUpSend, kMo, 9h + 30min);
  ASSERT_EQ(sent.ledger.size(), 1U);
  const LedgerEntry& e = sent.ledger[0];
  EXPECT_EQ(e.rule, "case_closed");
  EXPECT_EQ(e.person, "user:2");  // who resolved it, not who pressed send
  EXPECT_TRUE(e.countersign);
  ASSERT_EQ(e.evidence.size(), 3U);
  EXPECT_EQ(e.evidence[0].id, the_case()->id);
  EXPECT_EQ(e.evidence[1].action, "case.resolve");
  EXPECT_EQ(e.evidence[2].action, "case.follow_up.send");

  // A manager countersigns it: an entry and an audit record.
  ActionEffects signed_fx = service_->countersign_entry(e.seq, kLi, at(10h));
  ASSERT_TRUE(std::holds_alternative<Effects>(signed_fx));
  const Effects& fx = std::get<Effects>(signed_fx);
  ASSERT_EQ(fx.ledger.size(), 1U);
  EXPECT_EQ(fx.ledger[0].kind, LedgerKind::kCountersign);
  ASSERT_EQ(fx.audit.size(), 1U);
  EXPECT_EQ(fx.audit[0].action, "ledger.countersign");
  EXPECT_EQ(service_->contributions().fold().points("user:2"), 1);
}

TEST_F(LedgerServiceTest, VisitsEarnStampsAndTheTillCannotRedeemBeyondTheBalance) {
  for (int v = 0; v < 4; ++v) {
    GuestSeated s;
    s.table = "T9";
    s.customer = Customer{"cust-7", "Bo Chen", "", ""};
    event(EventType::kGuestSeated, s, v * 24h);
    OrderOpened o;
    o.table = "T9";
    o.check = "C" + std::to_string(v);
    event(EventType::kOrderOpened, o, v * 24h + 1min);
  }
  const std::string ref = service_->guests().record("cust-7")->ref;
  EXPECT_EQ(service_->contributions().fold().balance(ref), 10);  // visits 2 and 4
  RewardRedeemed r;
  r.customer = Customer{"cust-7", "", "", ""};
  r.amount = 12;
  r.check = "C9";
  Effects over = event(EventType::kRewardRedeemed, r, 5 * 24h);
  EXPECT_TRUE(over.ledger.empty());
  ASSERT_EQ(over.audit.size(), 1U);
  EXPECT_EQ(over.audit[0].action, "reward.refused");
  EXPECT_EQ(over.audit[0].target, ref);
  r.amount = 7.5;
  Effects used = event(EventType::kRewardRedeemed, r, 5 * 24h + 1min);
  ASSERT_EQ(used.ledger.size(), 1U);
  EXPECT_EQ(used.ledger[0].value, -7.5);
  EXPECT_EQ(service_->contributions().fold().balance(ref), 2.5);
}

}  // namespace
}  // namespace mend
