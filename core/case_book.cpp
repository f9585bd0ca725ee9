#include "core/case_book.hpp"

namespace mend {

Recommendation default_recommendation(CaseKind kind, const Subject& s) {
  const std::string table = s.table.empty() ? std::string("the table") : "table " + s.table;
  switch (kind) {
    case CaseKind::kTableNoOrder:
      return {"take_order_now",
              "Send a server to " + table + " now to take the order, and apologise for the wait.",
              ""};
    case CaseKind::kCourseSlow:
      return {"chase_kitchen",
              "Chase the kitchen for the " + s.course + " on check " + s.check + ", and tell " +
                  table + " how long it will be.",
              ""};
    case CaseKind::kBillSlow: return {"bring_bill", "Bring the bill to " + table + " now.", ""};
    case CaseKind::kCallUnanswered:
      return {"answer_call", "Go to " + table + ": the call button is waiting.", ""};
    case CaseKind::kArrivalUnseated:
      return {"seat_guest",
              (s.booking.empty() ? std::string("Seat the waiting walk-in")
                                 : "Seat booking " + s.booking) +
                  " now, or tell them how long and offer them a drink while they wait.",
              ""};
    case CaseKind::kEnquiryUnanswered:
      return {"reply_enquiry", "Reply to enquiry " + s.enquiry + ".", ""};
    case CaseKind::kTemperatureOutOfRange:
      return {"check_cold_store",
              "Check " + s.device +
                  ": move what is at risk, and call maintenance if it does "
                  "not recover.",
              ""};
    case CaseKind::kDeviceOffline:
      return {"check_device", "Check that " + s.device + " has power and is in Wi-Fi range.", ""};
    case CaseKind::kReviewNegative:
      // A reply is a message to a guest: a manager approves it.
      return {"reply_review",
              "Reply to review " + s.review + ", apologise and invite the guest back.", "manager"};
    case CaseKind::kVoidsRepeated:
      return {"manager_check",
              "A manager should look at check " + s.check + ": several items were voided.", ""};
    case CaseKind::kPatternRecurring:
      return {"fix_cause",
              "This keeps happening (" + s.kind + (s.area.empty() ? std::string() : ", " + s.area) +
                  "): look at staffing, sections and the kitchen's timing.",
              ""};
  }
  return {};
}

std::optional<CaseChange> CaseBook::apply(const Decision& d) {
  if (d.op == Decision::Op::kOpen) {
    Case c;
    c.id = d.case_id;
    c.kind = d.kind;
    c.subject = d.subject;
    c.severity = d.severity;
    c.status = CaseStatus::kOpen;
    c.opened_at = d.at;
    c.updated_at = d.at;
    c.reason = d.reason;
    c.evidence = d.evidence;
    c.recommendation = default_recommendation(d.kind, d.subject);
    c.facts = CaseFacts{d.started, d.threshold, d.party, d.value};
    cases_[c.id] = std::move(c);
    return CaseChange{CaseChange::What::kOpened, d.case_id, std::nullopt};
  }
  auto it = cases_.find(d.case_id);
  if (it == cases_.end()) return std::nullopt;
  Case& c = it->second;
  if (d.at > c.updated_at) c.updated_at = d.at;
  for (const auto& e : d.evidence) c.evidence.push_back(e);
  switch (d.op) {
    case Decision::Op::kRaiseSeverity:
      if (d.severity > c.severity) c.severity = d.severity;
      return CaseChange{CaseChange::What::kSeverity, c.id, std::nullopt};
    case Decision::Op::kClose:
      if (c.status == CaseStatus::kOpen &&
          !apply_transition(c, CaseStatus::kClosed, kSystemActor, d.at, d.reason)) {
        return CaseChange{CaseChange::What::kStatus, c.id, c.history.back()};
      }
      return CaseChange{CaseChange::What::kEvidence, c.id, std::nullopt};
    default:
      if (d.severity > c.severity) c.severity = d.severity;
      return CaseChange{CaseChange::What::kEvidence, c.id, std::nullopt};
  }
}

std::variant<CaseChange, std::string> CaseBook::transition(const std::string& case_id,
                                                           CaseStatus to, const Actor& by,
                                                           WallTime at, std::string note) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return "no case " + case_id;
  if (auto why = apply_transition(it->second, to, by, at, std::move(note))) return *why;
  return CaseChange{CaseChange::What::kStatus, case_id, it->second.history.back()};
}

namespace {

CaseRefusal refusal(CaseRefusal::Code code, std::string message) {
  return CaseRefusal{code, std::move(message)};
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::optional<CaseRefusal> check_text(const std::string& text, std::size_t limit,
                                      std::string_view what) {
  if (text.size() > limit) {
    return refusal(CaseRefusal::Code::kInvalid, std::string(what) + " is too long (at most " +
                                                    std::to_string(limit) + " characters)");
  }
  return std::nullopt;
}

}  // namespace

CaseResult CaseBook::acknowledge(const std::string& case_id, const Actor& by, WallTime at,
                                 std::string note) {
  note = trimmed(note);
  if (auto bad = check_text(note, kMaxNoteLength, "the note")) return *bad;
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  if (it->second.status != CaseStatus::kOpen) {
    return refusal(CaseRefusal::Code::kConflict,
                   "the case is " + std::string(case_status_name(it->second.status)) +
                       ": only an open case can be acknowledged");
  }
  if (auto why = apply_transition(it->second, CaseStatus::kAcknowledged, by, at, std::move(note))) {
    return refusal(CaseRefusal::Code::kConflict, *why);
  }
  return CaseChange{CaseChange::What::kStatus, case_id, it->second.history.back()};
}

CaseResult CaseBook::decide(const std::string& case_id, Verdict verdict, std::string reason,
                            std::optional<Recommendation> edited, const Actor& by, WallTime at) {
  reason = trimmed(reason);
  if (reason.empty()) {
    return refusal(CaseRefusal::Code::kInvalid, "a decision needs a reason");
  }
  if (auto bad = check_text(reason, kMaxNoteLength, "the reason")) return *bad;
  if (verdict == Verdict::kEdit) {
    if (!edited || trimmed(edited->text).empty()) {
      return refusal(CaseRefusal::Code::kInvalid, "an edit needs the new recommendation's text");
    }
    if (auto bad = check_text(edited->text, kMaxRecommendationLength, "the recommendation")) {
      return *bad;
    }
  } else if (edited) {
    return refusal(CaseRefusal::Code::kInvalid, "only an edit carries a new recommendation");
  }
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  Case& c = it->second;
  if (c.status != CaseStatus::kOpen && c.status != CaseStatus::kAcknowledged &&
      c.status != CaseStatus::kAwaitingApproval) {
    return refusal(CaseRefusal::Code::kConflict,
                   "the case is " + std::string(case_status_name(c.status)) +
                       ": its recommendation was already decided or carried out");
  }
  if (by.id.empty() || by.role.empty()) {
    return refusal(CaseRefusal::Code::kInvalid, "a decision needs who made it");
  }
  CaseDecision d{verdict, by, at, reason, {}, {}};
  const CaseStatus to =
      verdict == Verdict::kReject ? CaseStatus::kAcknowledged : CaseStatus::kActioned;
  // A reject on a case already acknowledged records the decision without a status change.
  if (c.status != to) {
    if (auto why =
            apply_transition(c, to, by, at, std::string(verdict_name(verdict)) + ": " + reason)) {
      return refusal(CaseRefusal::Code::kConflict, *why);
    }
  } else if (at > c.updated_at) {
    c.updated_at = at;
  }
  if (verdict == Verdict::kEdit) {
    d.before = c.recommendation;
    d.after = c.recommendation;
    d.after.text = trimmed(edited->text);
    if (!edited->action.empty()) d.after.action = edited->action;
    c.recommendation = d.after;
  }
  c.decisions.push_back(std::move(d));
  std::optional<Transition> t;
  if (!c.history.empty() && c.history.back().at == at && c.history.back().by == by) {
    t = c.history.back();
  }
  return CaseChange{CaseChange::What::kStatus, case_id, t};
}

CaseResult CaseBook::mark_actioned(const std::string& case_id, const Actor& by, WallTime at,
                                   std::string note) {
  note = trimmed(note);
  if (auto bad = check_text(note, kMaxNoteLength, "the note")) return *bad;
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  Case& c = it->second;
  if (c.status == CaseStatus::kAwaitingApproval) {
    return refusal(CaseRefusal::Code::kConflict, "the recommendation waits for a " +
                                                     c.recommendation.needs_approval_by +
                                                     "'s approval before it is carried out");
  }
  if (auto why = apply_transition(c, CaseStatus::kActioned, by, at, std::move(note))) {
    return refusal(CaseRefusal::Code::kConflict, *why);
  }
  return CaseChange{CaseChange::What::kStatus, case_id, c.history.back()};
}

CaseResult CaseBook::resolve(const std::string& case_id, RootCause cause, std::string note,
                             const Actor& by, WallTime at) {
  note = trimmed(note);
  if (auto bad = check_text(note, kMaxNoteLength, "the note")) return *bad;
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  Case& c = it->second;
  if (c.status == CaseStatus::kAwaitingApproval) {
    return refusal(CaseRefusal::Code::kConflict,
                   "the recommendation waits for approval: decide it before resolving");
  }
  if (auto why = apply_transition(c, CaseStatus::kResolved, by, at, note)) {
    return refusal(CaseRefusal::Code::kConflict, *why);
  }
  c.resolution = Resolution{cause, std::move(note), by, at};
  return CaseChange{CaseChange::What::kStatus, case_id, c.history.back()};
}

void CaseBook::load(Case c) {
  std::string id = c.id;
  cases_[id] = std::move(c);
}

std::size_t CaseBook::forget_closed(WallTime before) {
  return std::erase_if(cases_, [&](const auto& kv) {
    return kv.second.status == CaseStatus::kClosed && kv.second.updated_at < before;
  });
}

const Case* CaseBook::find(const std::string& case_id) const {
  auto it = cases_.find(case_id);
  return it == cases_.end() ? nullptr : &it->second;
}

std::vector<const Case*> CaseBook::list(const CaseFilter& f) const {
  std::vector<const Case*> out;
  for (const auto& [id, c] : cases_) {
    if (f.status && c.status != *f.status) continue;
    if (f.kind && c.kind != *f.kind) continue;
    if (f.open_only && c.status == CaseStatus::kClosed) continue;
    if (f.opened_since && c.opened_at < *f.opened_since) continue;
    out.push_back(&c);
  }
  return out;
}

std::size_t CaseBook::open_count() const {
  std::size_t n = 0;
  for (const auto& [id, c] : cases_) n += c.status != CaseStatus::kClosed ? 1 : 0;
  return n;
}

}  // namespace mend
