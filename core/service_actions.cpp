// What people do with a case, behind the recovery service: the version they saw, their role's
// authority, the case's status; then what follows from the action (the ladder stops, the
// budget is spent, a follow-up goes out, a finished case is let go).
#include <utility>

#include "core/service.hpp"
#include "core/topics.hpp"

namespace mend {
namespace {

ActionRefusal refused(ActionRefusal::Code code, std::string message, std::string route_to = {}) {
  return ActionRefusal{code, std::move(message), std::move(route_to)};
}

ActionRefusal::Code refusal_code(CaseRefusal::Code c) {
  switch (c) {
    case CaseRefusal::Code::kNotFound: return ActionRefusal::Code::kNotFound;
    case CaseRefusal::Code::kConflict: return ActionRefusal::Code::kConflict;
    case CaseRefusal::Code::kInvalid: return ActionRefusal::Code::kInvalid;
  }
  return ActionRefusal::Code::kInvalid;
}

}  // namespace

ActionEffects RecoveryService::act(const PersonAction& a, Now now) {
  latest_ = now;
  const Case* before = cases_.find(a.case_id);
  if (before == nullptr) {
    return refused(ActionRefusal::Code::kNotFound, "no case with id '" + a.case_id + "'");
  }
  if (a.version && *a.version != before->version) {
    return refused(ActionRefusal::Code::kStale,
                   "the case changed while you were looking at it (you saw version " +
                       std::to_string(*a.version) + ", it is now " +
                       std::to_string(before->version) + "): check it and decide again");
  }
  if (!a.version && requires_version(a.kind)) {
    return refused(ActionRefusal::Code::kVersionRequired,
                   "say which version of the case this was decided on (If-Match or \"version\")");
  }
  const std::string& id = a.case_id;
  const Millis offset = utc_offset_(now.wall);
  json::Object detail;
  CaseResult r;
  switch (a.kind) {
    case PersonAction::Kind::kAcknowledge:
      detail.append("note", a.note);
      r = cases_.acknowledge(id, a.by, now.wall, a.note);
      break;
    case PersonAction::Kind::kActioned:
      detail.append("note", a.note);
      r = cases_.mark_actioned(id, a.by, now.wall, a.note);
      break;
    case PersonAction::Kind::kResolve: {
      std::optional<FollowUp> follow_up;
      if (a.follow_up_after) {
        follow_up = FollowUp{now.wall + *a.follow_up_after, a.message, false};
        detail.append("follow_up_due", format_rfc3339(follow_up->due));
      }
      detail.append("root_cause", std::string(root_cause_name(a.root_cause)));
      detail.append("note", a.note);
      r = cases_.resolve(id, a.root_cause, a.note, a.by, now.wall, std::move(follow_up));
      break;
    }
    case PersonAction::Kind::kDecide: {
      // Authority: money and judgement the caller's role may not give go to a role that may.
      // A reject gives nothing, so anyone who may decide may reject.
      if (a.verdict != Verdict::kReject) {
        const std::string& needs = before->recommendation.needs_approval_by;
        AuthorityVerdict v;
        if (!needs.empty() && role_rank(a.by.role) < role_rank(needs)) {
          v = AuthorityVerdict{false, "this case needs a " + needs + "'s approval", needs};
        } else {
          v = ledger_.check(a.by.role, before->compensation, now.wall, offset);
        }
        if (!v.allowed) return refused(ActionRefusal::Code::kOverLimit, v.reason, v.route_to);
      }
      const Recommendation old = before->recommendation;
      detail.append("reason", a.note);
      r = cases_.decide(id, a.verdict, a.note, a.edited, a.by, now.wall);
      if (a.verdict == Verdict::kEdit && std::holds_alternative<CaseChange>(r)) {
        detail.append("before", recommendation_to_json(old));
        detail.append("after", recommendation_to_json(cases_.find(id)->recommendation));
      }
      break;
    }
    case PersonAction::Kind::kFollowUpSend:
    case PersonAction::Kind::kFollowUpSkip: {
      const bool send = a.kind == PersonAction::Kind::kFollowUpSend;
      detail.append("reason", a.note);
      r = cases_.finish_follow_up(id, send, a.message, a.note, a.by, now.wall);
      if (std::holds_alternative<CaseChange>(r)) {
        detail.append("message", cases_.find(id)->follow_up->message);
      }
      break;
    }
  }
  if (const auto* no = std::get_if<CaseRefusal>(&r)) {
    return refused(refusal_code(no->code), no->message);
  }
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, a.by.id, a.by.role, std::string(person_action_name(a)),
                                 id, json::Value(std::move(detail))});
  fx.touch(id);
  after_person_action(a, *cases_.find(id), now, fx);
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
    fx.outbox.push_back(
        OutboxMessage{topics::follow_ups(settings_.venue_id), json::dump(json::Value(std::move(m)))});
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
