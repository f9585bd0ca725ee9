#include "core/case_actions.hpp"

#include <utility>

#include "core/roles.hpp"

namespace mend {
namespace {

ActionRefusal from_book(const CaseRefusal& r) {
  switch (r.code) {
    case CaseRefusal::Code::kNotFound: return {ActionRefusal::Code::kNotFound, r.message, {}};
    case CaseRefusal::Code::kConflict: return {ActionRefusal::Code::kConflict, r.message, {}};
    case CaseRefusal::Code::kInvalid: return {ActionRefusal::Code::kInvalid, r.message, {}};
  }
  return {ActionRefusal::Code::kInvalid, r.message, {}};
}

// A reject gives nothing away, so anyone who may decide may reject; approving or editing
// commits the plan's compensation, which the role must be allowed to give.
std::optional<ActionRefusal> check_authority(const Case& c, const PersonAction& a,
                                             const AuthorityCheck& authority) {
  if (a.kind != PersonAction::Kind::kDecide || a.verdict == Verdict::kReject) return std::nullopt;
  const std::string& needs = c.recommendation.needs_approval_by;
  AuthorityVerdict v;
  if (!needs.empty() && authority_rank(a.by.role) < authority_rank(needs)) {
    v = AuthorityVerdict{false, "this case needs a " + needs + "'s approval", needs};
  } else if (authority) {
    v = authority(a.by.role, c.compensation);
  }
  if (v.allowed) return std::nullopt;
  return ActionRefusal{ActionRefusal::Code::kOverLimit, v.reason, v.route_to};
}

}  // namespace

ActionOutcome carry_out(CaseBook& book, const PersonAction& a, const AuthorityCheck& authority,
                        WallTime now) {
  const Case* before = book.find(a.case_id);
  if (before == nullptr) {
    return ActionRefusal{ActionRefusal::Code::kNotFound, "no case with id '" + a.case_id + "'", {}};
  }
  if (!a.version) {
    if (requires_version(a.kind)) {
      return ActionRefusal{ActionRefusal::Code::kVersionRequired,
                           "say which version of the case this was decided on (If-Match: \"" +
                               std::to_string(before->version) + "\" or \"version\" in the body)",
                           {}};
    }
  } else if (*a.version != before->version) {
    return ActionRefusal{ActionRefusal::Code::kStale,
                         "the case changed since you saw it (version " +
                             std::to_string(*a.version) + ", now " +
                             std::to_string(before->version) + "): look again before you act",
                         {}};
  }
  if (auto refused = check_authority(*before, a, authority)) return *refused;

  const Recommendation old = before->recommendation;
  json::Object detail;
  CaseResult r;
  switch (a.kind) {
    case PersonAction::Kind::kAcknowledge:
      detail.append("note", a.note);
      r = book.acknowledge(a.case_id, a.by, now, a.note);
      break;
    case PersonAction::Kind::kActioned:
      detail.append("note", a.note);
      r = book.mark_actioned(a.case_id, a.by, now, a.note);
      break;
    case PersonAction::Kind::kResolve: {
      std::optional<FollowUp> follow_up;
      if (a.follow_up_after) {
        follow_up = FollowUp{now + *a.follow_up_after, a.message, false};
        detail.append("follow_up_due", format_rfc3339(follow_up->due));
      }
      detail.append("root_cause", std::string(root_cause_name(a.root_cause)));
      detail.append("note", a.note);
      r = book.resolve(a.case_id, a.root_cause, a.note, a.by, now, std::move(follow_up));
      break;
    }
    case PersonAction::Kind::kDecide:
      detail.append("reason", a.note);
      r = book.decide(a.case_id, a.verdict, a.note, a.edited, a.by, now);
      if (a.verdict == Verdict::kEdit && std::holds_alternative<CaseChange>(r)) {
        detail.append("before", recommendation_to_json(old));
        detail.append("after", recommendation_to_json(book.find(a.case_id)->recommendation));
      }
      break;
    case PersonAction::Kind::kFollowUpSend:
    case PersonAction::Kind::kFollowUpSkip: {
      const bool send = a.kind == PersonAction::Kind::kFollowUpSend;
      detail.append("reason", a.note);
      r = book.finish_follow_up(a.case_id, send, a.message, a.note, a.by, now);
      if (std::holds_alternative<CaseChange>(r)) {
        detail.append("message", book.find(a.case_id)->follow_up->message);
      }
      break;
    }
  }
  if (const auto* no = std::get_if<CaseRefusal>(&r)) return from_book(*no);
  return ActionDone{a.case_id, std::string(person_action_name(a)), json::Value(std::move(detail))};
}

}  // namespace mend
