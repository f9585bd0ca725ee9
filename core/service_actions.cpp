// What people do with a case, behind the recovery service: carry_out (core/case_actions) checks
// the version they saw, their role's authority and the case's status and changes the case;
// here follows what comes of it (the ladder stops, the budget is spent, a follow-up goes out, a
// finished case is let go).
#include <utility>

#include "core/case_actions.hpp"
#include "core/service.hpp"
#include "core/topics.hpp"

namespace mend {

ActionEffects RecoveryService::act(const PersonAction& a, Now now) {
  latest_ = now;
  const Millis offset = utc_offset_(now.wall);
  const AuthorityCheck authority = [&](const std::string& role, double amount) {
    return ledger_.check(role, amount, now.wall, offset);
  };
  ActionOutcome r = carry_out(cases_, a, authority, now.wall);
  if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
  ActionDone& done = std::get<ActionDone>(r);
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, a.by.id, a.by.role, std::move(done.action), done.case_id,
                                 std::move(done.detail)});
  fx.touch(done.case_id);
  after_person_action(a, *cases_.find(done.case_id), now, fx);
  return fx;
}

void RecoveryService::after_person_action(const PersonAction& a, const Case& c, Now now,
                                          Effects& fx) {
  // Someone is on it: whatever a person did stops the escalation ladder, and who and when is
  // kept.
  if (escalator_.acknowledge(c.id, a.by.id, a.by.role, now.wall, now.mono)) {
    recovery_changed_ = true;
  }
  // An approved follow-up is a message for the guest: it waits in the outbox for the venue's
  // messaging integration.
  if (a.kind == PersonAction::Kind::kFollowUpSend && c.follow_up) {
    json::Object m;
    m.append("case", c.id);
    m.append("customer", c.guest.id.empty() ? c.subject.customer : c.guest.id);
    m.append("name", c.guest.name);
    m.append("booking", c.subject.booking);
    m.append("message", c.follow_up->message);
    m.append("approved_by", a.by.id);
    fx.outbox.push_back(OutboxMessage{topics::follow_ups(settings_.venue_id),
                                      json::dump(json::Value(std::move(m)))});
  }
  if (a.kind == PersonAction::Kind::kDecide && a.verdict != Verdict::kReject &&
      c.compensation > 0) {
    ledger_.spend(c.id, c.compensation, false, now.wall, utc_offset_(now.wall));
    recovery_changed_ = true;
    fx.budget_changed = true;
  }
  if (c.status == CaseStatus::kResolved || c.status == CaseStatus::kClosed ||
      c.status == CaseStatus::kFollowUp) {
    case_done(c.id);
  }
  count_open();
}

}  // namespace mend
