#include "core/actions.hpp"

namespace mend {

std::string_view person_action_name(const PersonAction& a) {
  switch (a.kind) {
    case PersonAction::Kind::kAcknowledge: return "case.acknowledge";
    case PersonAction::Kind::kDecide:
      switch (a.verdict) {
        case Verdict::kApprove: return "case.approve";
        case Verdict::kEdit: return "case.edit";
        case Verdict::kReject: return "case.reject";
      }
      return "case.decide";
    case PersonAction::Kind::kActioned: return "case.action";
    case PersonAction::Kind::kResolve: return "case.resolve";
    case PersonAction::Kind::kFollowUpSend: return "case.follow_up.send";
    case PersonAction::Kind::kFollowUpSkip: return "case.follow_up.skip";
  }
  return "case.unknown";
}

bool requires_version(PersonAction::Kind k) { return k != PersonAction::Kind::kAcknowledge; }

std::string_view action_refusal_code_name(ActionRefusal::Code c) {
  switch (c) {
    case ActionRefusal::Code::kNotFound: return "not_found";
    case ActionRefusal::Code::kConflict: return "conflict";
    case ActionRefusal::Code::kStale: return "stale";
    case ActionRefusal::Code::kVersionRequired: return "version_required";
    case ActionRefusal::Code::kInvalid: return "invalid_body";
    case ActionRefusal::Code::kOverLimit: return "over_limit";
    case ActionRefusal::Code::kReadOnly: return "read_only";
  }
  return "invalid_body";
}

}  // namespace mend
