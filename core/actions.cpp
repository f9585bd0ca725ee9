#include "core/actions.hpp"

#include <algorithm>

#include "core/case_book.hpp"

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

std::optional<std::string> check_report(const CaseReport& r) {
  if (r.kind != CaseKind::kGuestComplaint && r.kind != CaseKind::kGuestEnquiry &&
      r.kind != CaseKind::kGuestOther) {
    return std::string("kind must be guest.complaint, guest.enquiry or guest.other");
  }
  if (r.table.empty() && r.booking.empty() && r.guest.empty()) {
    return std::string("say who it is about: a table, a booking or a guest");
  }
  for (const std::string* id : {&r.table, &r.booking, &r.guest}) {
    if (id->size() > kMaxReportIdLength) {
      return "table, booking and guest are at most " + std::to_string(kMaxReportIdLength) +
             " characters";
    }
  }
  if (std::find(kReportChannels.begin(), kReportChannels.end(), r.channel) ==
      kReportChannels.end()) {
    return std::string("channel must be in_person, phone, email, message or other");
  }
  const auto first = r.what.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::string("say what happened");
  if (r.what.size() > kMaxNoteLength) {
    return "what happened is at most " + std::to_string(kMaxNoteLength) + " characters";
  }
  if (r.by.id.empty() || r.by.role.empty()) return std::string("a report needs who made it");
  return std::nullopt;
}

}  // namespace mend
