#include "core/case_book.hpp"

#include <algorithm>

#include "core/words.hpp"

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
    case CaseKind::kStoreUnwritable:
    case CaseKind::kStoreLowSpace:
      return {"fix_cause", "Free space on the box's disk, or call your installer.", ""};
    case CaseKind::kCloudOutboxFull:
      return {"fix_cause", "Find out why the box cannot reach the cloud, or call your installer.",
              ""};
    case CaseKind::kSourceSilent:
      return {
          "fix_cause",
          "Check the " + s.device + " system and its bridge to Mend: are they on and connected?",
          ""};
    case CaseKind::kSourceClockSkew:
      return {"fix_cause", "Set the " + s.device + " system's clock right, or call its supplier.",
              ""};
    case CaseKind::kGuestComplaint:
      return {"apology_visit", "Go back to the guest, listen, apologise and put it right.", ""};
    case CaseKind::kGuestEnquiry:
      return {"reply_enquiry", "Answer the guest on the channel they used, today.", ""};
    case CaseKind::kGuestOther:
      return {"fix_cause", "Look into what was reported and record what you did.", ""};
    case CaseKind::kGuestLapsed:
      return {"win_back_message", "Send the guest a personal note to welcome them back.",
              "manager"};
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
    c.version = 1;
    cases_[c.id] = std::move(c);
    return CaseChange{CaseChange::What::kOpened, d.case_id, std::nullopt};
  }
  auto it = cases_.find(d.case_id);
  if (it == cases_.end()) return std::nullopt;
  Case& c = it->second;
  // Only a real change moves the version: a decision that adds nothing must not make a
  // person's pending action stale.
  bool changed = !d.evidence.empty() || d.at > c.updated_at;
  if (d.at > c.updated_at) c.updated_at = d.at;
  for (const auto& e : d.evidence) c.evidence.push_back(e);
  const auto raise_to = [&c, &d, &changed] {
    if (d.severity <= c.severity) return;
    c.severity = d.severity;
    changed = true;
  };
  const auto done = [&c, &changed](CaseChange change) {
    if (changed) ++c.version;
    return change;
  };
  switch (d.op) {
    case Decision::Op::kRaiseSeverity:
      raise_to();
      return done(CaseChange{CaseChange::What::kSeverity, c.id, std::nullopt});
    case Decision::Op::kClose:
      if (c.status == CaseStatus::kOpen &&
          !apply_transition(c, CaseStatus::kClosed, kSystemActor, d.at, d.reason)) {
        changed = true;
        return done(CaseChange{CaseChange::What::kStatus, c.id, c.history.back()});
      }
      return done(CaseChange{CaseChange::What::kEvidence, c.id, std::nullopt});
    default: raise_to(); return done(CaseChange{CaseChange::What::kEvidence, c.id, std::nullopt});
  }
}

std::variant<CaseChange, std::string> CaseBook::transition(const std::string& case_id,
                                                           CaseStatus to, const Actor& by,
                                                           WallTime at, std::string note) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return "no case " + case_id;
  if (auto why = apply_transition(it->second, to, by, at, std::move(note))) return *why;
  ++it->second.version;
  return CaseChange{CaseChange::What::kStatus, case_id, it->second.history.back()};
}

namespace {

CaseRefusal refusal(CaseRefusal::Code code, std::string message) {
  return CaseRefusal{code, std::move(message)};
}

using words::trimmed;

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
  ++it->second.version;
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
  // An approved plan's vouchers exist from now: their ids are what the till will send back.
  if (verdict != Verdict::kReject) {
    for (const auto& a : c.actions) {
      if (a.type != "voucher") continue;
      c.vouchers.push_back(
          Voucher{c.id + "-V" + std::to_string(c.vouchers.size() + 1), a.value, {}, {}});
    }
  }
  ++c.version;
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
  ++c.version;
  return CaseChange{CaseChange::What::kStatus, case_id, c.history.back()};
}

CaseResult CaseBook::resolve(const std::string& case_id, RootCause cause, std::string note,
                             const Actor& by, WallTime at, std::optional<FollowUp> follow_up) {
  if (follow_up) {
    follow_up->message = trimmed(follow_up->message);
    if (follow_up->message.empty()) {
      return refusal(CaseRefusal::Code::kInvalid, "a follow-up needs its message");
    }
    if (auto bad = check_text(follow_up->message, kMaxNoteLength, "the follow-up message")) {
      return *bad;
    }
  }
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
  if (follow_up) {
    apply_transition(c, CaseStatus::kFollowUp, by, at,
                     "follow-up due " + format_rfc3339(follow_up->due));
    c.follow_up = std::move(follow_up);
  }
  ++c.version;
  return CaseChange{CaseChange::What::kStatus, case_id, c.history.back()};
}

void CaseBook::annotate(const std::string& case_id, Recommendation recommendation,
                        std::string explanation, GuestSummary guest,
                        std::vector<CaseAction> actions, double compensation) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return;
  Case& c = it->second;
  c.recommendation = std::move(recommendation);
  c.explanation = std::move(explanation);
  c.guest = std::move(guest);
  c.actions = std::move(actions);
  c.compensation = compensation;
  ++c.version;
}

CaseResult CaseBook::finish_follow_up(const std::string& case_id, bool send, std::string message,
                                      std::string reason, const Actor& by, WallTime at) {
  reason = trimmed(reason);
  message = trimmed(message);
  if (reason.empty()) return refusal(CaseRefusal::Code::kInvalid, "a decision needs a reason");
  if (auto bad = check_text(reason, kMaxNoteLength, "the reason")) return *bad;
  if (auto bad = check_text(message, kMaxNoteLength, "the message")) return *bad;
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  Case& c = it->second;
  if (c.status != CaseStatus::kFollowUp || !c.follow_up) {
    return refusal(
        CaseRefusal::Code::kConflict,
        "the case is " + std::string(case_status_name(c.status)) + ": it has no follow-up waiting");
  }
  if (send && !message.empty()) c.follow_up->message = message;
  if (auto why = apply_transition(c, CaseStatus::kResolved, by, at,
                                  (send ? "follow-up sent: " : "follow-up skipped: ") + reason)) {
    return refusal(CaseRefusal::Code::kConflict, *why);
  }
  ++c.version;
  return CaseChange{CaseChange::What::kStatus, case_id, c.history.back()};
}

std::vector<std::string> CaseBook::take_due_follow_ups(WallTime now) {
  std::vector<std::string> out;
  for (auto& [id, c] : cases_) {
    if (c.status != CaseStatus::kFollowUp || !c.follow_up || c.follow_up->notified) continue;
    if (c.follow_up->due > now) continue;
    c.follow_up->notified = true;
    ++c.version;
    out.push_back(id);
  }
  return out;
}

std::optional<WallTime> CaseBook::next_follow_up() const {
  std::optional<WallTime> due;
  for (const auto& [id, c] : cases_) {
    if (c.status != CaseStatus::kFollowUp || !c.follow_up || c.follow_up->notified) continue;
    if (!due || c.follow_up->due < *due) due = c.follow_up->due;
  }
  return due;
}

std::vector<std::string> CaseBook::close_settled(WallTime before, WallTime vouchers_before,
                                                 WallTime at) {
  std::vector<std::string> out;
  for (auto& [id, c] : cases_) {
    if (c.status != CaseStatus::kResolved) continue;
    const bool voucher_open = std::any_of(c.vouchers.begin(), c.vouchers.end(),
                                          [](const Voucher& v) { return !v.redeemed_at; });
    if (c.updated_at >= (voucher_open ? vouchers_before : before)) continue;
    if (!apply_transition(c, CaseStatus::kClosed, kSystemActor, at, "settled")) {
      ++c.version;
      out.push_back(id);
    }
  }
  return out;
}

void CaseBook::mark_automatic(const std::string& case_id) {
  auto it = cases_.find(case_id);
  if (it == cases_.end() || it->second.automatic) return;
  it->second.automatic = true;
  ++it->second.version;
}

std::optional<CaseChange> CaseBook::voucher_redeemed(const std::string& voucher_id,
                                                     const Evidence& ev, const std::string& check) {
  for (auto& [id, c] : cases_) {
    for (auto& v : c.vouchers) {
      if (v.id != voucher_id || v.redeemed_at) continue;
      v.redeemed_at = ev.ts;
      v.redeemed_check = check;
      c.evidence.push_back(ev);
      if (ev.ts > c.updated_at) c.updated_at = ev.ts;
      ++c.version;
      return CaseChange{CaseChange::What::kEvidence, id, std::nullopt};
    }
  }
  return std::nullopt;
}

std::optional<CaseChange> CaseBook::survey_answered(const std::string& case_id, std::int64_t score,
                                                    const Evidence& ev) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return std::nullopt;
  it->second.satisfaction = score;
  it->second.evidence.push_back(ev);
  if (ev.ts > it->second.updated_at) it->second.updated_at = ev.ts;
  ++it->second.version;
  return CaseChange{CaseChange::What::kEvidence, case_id, std::nullopt};
}

std::string CaseBook::add_message(const std::string& case_id, std::string type, WallTime at) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return {};
  Case& c = it->second;
  std::string id = c.id + "-m" + std::to_string(c.messages.size() + 1);
  c.messages.push_back(GuestMessage{id, std::move(type), at, "sent", {}, std::nullopt});
  ++c.version;
  return id;
}

CaseResult CaseBook::message_receipt(const std::string& case_id, const std::string& message_id,
                                     bool delivered, std::string detail, WallTime at) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return refusal(CaseRefusal::Code::kNotFound, "no case " + case_id);
  Case& c = it->second;
  const auto m = std::find_if(c.messages.begin(), c.messages.end(),
                              [&](const GuestMessage& g) { return g.id == message_id; });
  if (m == c.messages.end()) {
    return refusal(CaseRefusal::Code::kNotFound,
                   "case " + case_id + " sent no message " + message_id);
  }
  if (m->status != "sent") {
    return refusal(CaseRefusal::Code::kConflict,
                   "message " + message_id + " is already " + m->status);
  }
  m->status = delivered ? "delivered" : "failed";
  m->detail = std::move(detail);
  m->receipt_at = at;
  if (at > c.updated_at) c.updated_at = at;
  ++c.version;
  return CaseChange{CaseChange::What::kEvidence, case_id, std::nullopt};
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
