// What people do with a case, behind the recovery service: carry_out (core/case_actions) checks
// the version they saw, their role's authority and the case's status and changes the case;
// here follows what comes of it (the ladder stops, the budget is spent, a follow-up goes out, a
// finished case is let go).
#include <algorithm>
#include <utility>

#include "core/case_actions.hpp"
#include "core/service.hpp"
#include "core/topics.hpp"
#include "core/words.hpp"

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

ActionEffects RecoveryService::report(const CaseReport& r, Now now) {
  latest_ = now;
  if (auto why = check_report(r)) return ActionRefusal{ActionRefusal::Code::kInvalid, *why, {}};
  Subject subject;
  subject.table = r.table;
  subject.booking = r.booking;
  subject.customer = r.guest;
  subject.channel = r.channel;
  const std::string reason = "Reported by " + r.by.id + " (" + r.channel + "): " + r.what;
  const EngineOutput out = engine_.open_reported(
      r.kind, subject, r.severity, reason, Evidence{r.by.id, "report", now.wall, r.what}, now);
  engine_changed_ = true;
  Effects fx;
  apply_decisions(out, now, fx);
  if (fx.opened.empty()) return ActionRefusal{ActionRefusal::Code::kConflict, "no case opened", {}};
  json::Object detail;
  detail.append("kind", case_kind_name(r.kind));
  detail.append("channel", r.channel);
  detail.append("severity", severity_name(r.severity));
  fx.audit.push_back(AuditRecord{now.wall, r.by.id, r.by.role, "case.open", fx.opened.front(),
                                 json::Value(std::move(detail))});
  return fx;
}

ActionEffects RecoveryService::change_employee(const EmployeeChange& ch, Now now) {
  latest_ = now;
  if (!ch.enabled && !ch.may && ch.limits.empty()) {
    return ActionRefusal{
        ActionRefusal::Code::kInvalid, "say what changes: enabled, may or limits", {}};
  }
  if (ch.reason.size() > kMaxNoteLength) {
    return ActionRefusal{ActionRefusal::Code::kInvalid,
                         "the reason is at most " + std::to_string(kMaxNoteLength) + " characters",
                         {}};
  }
  if (ch.employee == EmployeeId::kCaretaker && ch.enabled == false) {
    return ActionRefusal{
        ActionRefusal::Code::kConflict,
        "the caretaker watches the box's own disk and cloud link: it cannot be off",
        {}};
  }
  const Employee before = roster_.at(ch.employee);
  EmployeeOverride o =
      overrides_[static_cast<std::size_t>(ch.employee)].value_or(EmployeeOverride{});
  if (ch.enabled) o.enabled = ch.enabled;
  if (ch.may) o.may = ch.may;
  // Each limit is read and bounded as the file's value would be; a value equal to the
  // config's stops being an override.
  DetectConfig tuned = tuned_limits();
  const DetectConfig& configured = settings_.detection.detect;
  const auto keys = limit_keys(ch.employee, tuned);
  for (const auto& [key, text] : ch.limits) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string offered;
      for (const auto& k : keys) offered += (offered.empty() ? "" : ", ") + k;
      return ActionRefusal{ActionRefusal::Code::kInvalid,
                           "limits." + key + ": not a limit of " +
                               std::string(employee_name(ch.employee)) +
                               (keys.empty() ? ", which has none" : " (" + offered + ")"),
                           {}};
    }
    if (auto no = set_detect_limit(tuned, key, text)) {
      return ActionRefusal{ActionRefusal::Code::kInvalid, "limits." + key + ": " + *no, {}};
    }
    const std::string value = detect_limit_text(tuned, key).value_or(text);
    if (value == detect_limit_text(configured, key)) {
      o.limits.erase(key);
    } else {
      o.limits[key] = value;
    }
  }
  if (!(tuned.temperature_low < tuned.temperature_high)) {
    return ActionRefusal{ActionRefusal::Code::kInvalid,
                         "limits: temperature_low (" +
                             detect_limit_text(tuned, "temperature_low").value_or("") +
                             ") must be below temperature_high (" +
                             detect_limit_text(tuned, "temperature_high").value_or("") + ")",
                         {}};
  }
  o.by = ch.by.id;
  o.role = ch.by.role;
  o.at = now.wall;
  overrides_[static_cast<std::size_t>(ch.employee)] = o;
  staff();
  employees_changed_ = true;
  const Employee& after = roster_.at(ch.employee);
  json::Object detail;
  const auto change = [&detail](std::string key, json::Value from, json::Value to) {
    json::Object c;
    c.append("from", std::move(from));
    c.append("to", std::move(to));
    detail.append(std::move(key), std::move(c));
  };
  if (ch.enabled) change("enabled", before.enabled, after.enabled);
  if (ch.may) change("may", authority_name(before.may), authority_name(after.may));
  for (std::size_t i = 0; i < after.limits.size() && i < before.limits.size(); ++i) {
    const EmployeeLimit& was = before.limits[i];
    const EmployeeLimit& now_is = after.limits[i];
    if (ch.limits.contains(now_is.key) && was.key == now_is.key) {
      change("limit " + now_is.key, was.value, now_is.value);
    }
  }
  if (!ch.reason.empty()) detail.append("reason", ch.reason);
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, ch.by.id, ch.by.role, "employee.change",
                                 std::string(employee_name(ch.employee)),
                                 json::Value(std::move(detail))});
  return fx;
}

ActionEffects RecoveryService::decide_suggestion(const SuggestionDecision& d, Now now) {
  latest_ = now;
  if (d.note.size() > kMaxNoteLength) {
    return ActionRefusal{ActionRefusal::Code::kInvalid,
                         "the note is at most " + std::to_string(kMaxNoteLength) + " characters",
                         {}};
  }
  if (auto no = learning_.decide(d.suggestion, d.accept, d.note, d.by, d.by_name, now.wall)) {
    return ActionRefusal{ActionRefusal::Code::kConflict, *no, {}};
  }
  learning_changed_ = true;
  const SuggestionRecord& r = *learning_.find(d.suggestion.id);
  json::Object detail;
  detail.append("text", r.text);
  if (r.accepted) {
    detail.append("task", r.task);
    detail.append("owner", r.owner);
  }
  if (!r.note.empty()) detail.append("note", r.note);
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, d.by.id, d.by.role,
                                 r.accepted ? "suggestion.accept" : "suggestion.dismiss", r.id,
                                 json::Value(std::move(detail))});
  return fx;
}

ActionEffects RecoveryService::note_guest(const std::string& guest, const std::string& text,
                                          const Actor& by, const std::string& by_name, Now now) {
  latest_ = now;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ActionRefusal{ActionRefusal::Code::kInvalid, "the note is empty", {}};
  }
  if (text.size() > kMaxNoteLength) {
    return ActionRefusal{ActionRefusal::Code::kInvalid,
                         "the note is at most " + std::to_string(kMaxNoteLength) + " characters",
                         {}};
  }
  const auto id = guests_.add_note(guest, text, by_name.empty() ? by.id : by_name, now.wall);
  if (!id) return ActionRefusal{ActionRefusal::Code::kNotFound, "no guest " + guest, {}};
  json::Object detail;
  detail.append("note", *id);
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, by.id, by.role, "guest.note", guests_.record(guest)->ref,
                                 json::Value(std::move(detail))});
  return fx;
}

ActionEffects RecoveryService::edit_guest(const std::string& guest, const GuestEdit& edit,
                                          const Actor& by, const std::string& by_name, Now now) {
  latest_ = now;
  if (guests_.record(guest) == nullptr) {
    return ActionRefusal{ActionRefusal::Code::kNotFound, "no guest " + guest, {}};
  }
  GuestBook::EditResult done =
      guests_.edit(guest, edit, by_name.empty() ? by.id : by_name, now.wall);
  if (!done.error.empty()) {
    return ActionRefusal{ActionRefusal::Code::kInvalid, std::move(done.error), {}};
  }
  Effects fx;
  if (done.changed.empty()) return fx;  // nothing to say: it already said that
  json::Array fields;
  for (std::string& f : done.changed) fields.emplace_back(std::move(f));
  json::Object detail;
  detail.append("fields", std::move(fields));
  fx.audit.push_back(AuditRecord{now.wall, by.id, by.role, "guest.edit", guests_.record(guest)->ref,
                                 json::Value(std::move(detail))});
  return fx;
}

ActionEffects RecoveryService::erase_guest(const std::string& guest, const Actor& by, Now now) {
  latest_ = now;
  const GuestRecord* r = guests_.record(guest);
  if (r == nullptr) return ActionRefusal{ActionRefusal::Code::kNotFound, "no guest " + guest, {}};
  GuestErasure e = erasure_of(*r);
  guests_.erase(guest);
  guests_changed_ = true;
  if (engine_.rename_customer(e.id, e.pseudonym) > 0) engine_changed_ = true;
  visits_.rename_customer(e.id, e.pseudonym);  // the store renames its visit rows in the commit
  Effects fx;
  // The cases in memory; the store renames every case it keeps with the same commit.
  for (const Case* c : cases_.list(CaseFilter{})) {
    json::Value v = case_to_json(*c);
    if (!scrub_json(v, e)) continue;
    std::optional<Case> renamed = case_from_json(v);
    if (!renamed) continue;  // cannot happen: the case's own JSON read back
    ++renamed->version;
    const std::string id = renamed->id;
    cases_.load(std::move(*renamed));
    fx.touch(id);
  }
  json::Object detail;
  detail.append("cases_renamed", static_cast<std::int64_t>(fx.cases.size()));
  fx.audit.push_back(
      AuditRecord{now.wall, by.id, by.role, "guest.erase", e.ref, json::Value(std::move(detail))});
  json::Object record;
  record.append("customer", e.id);
  record.append("pseudonym", e.pseudonym);
  record.append("erased_at", format_rfc3339(now.wall));
  fx.outbox.push_back(OutboxMessage{topics::erasures(settings_.venue_id),
                                    json::dump(json::Value(std::move(record)))});
  fx.erasure = std::move(e);
  return fx;
}

ActionEffects RecoveryService::finish_task(std::int64_t task, const Actor& by, Now now) {
  latest_ = now;
  if (learning_.task(task) == nullptr || !learning_.task(task)->accepted) {
    return ActionRefusal{ActionRefusal::Code::kNotFound, "no task " + std::to_string(task), {}};
  }
  if (auto no = learning_.finish(task, by, now.wall)) {
    return ActionRefusal{ActionRefusal::Code::kConflict, *no, {}};
  }
  learning_changed_ = true;
  json::Object detail;
  detail.append("suggestion", learning_.task(task)->id);
  Effects fx;
  fx.audit.push_back(AuditRecord{now.wall, by.id, by.role, "task.done", std::to_string(task),
                                 json::Value(std::move(detail))});
  return fx;
}

namespace {

using words::trimmed;

// A manager's act on the ledger: its entry and its audit record, or why not.
ActionEffects ledger_effects(LedgerResult r, std::string action, std::string target,
                             json::Object detail) {
  if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
  LedgerEntry& e = std::get<LedgerEntry>(r);
  Effects fx;
  detail.append("entry", e.seq);
  fx.audit.push_back(AuditRecord{e.at, e.by.id, e.by.role, std::move(action), std::move(target),
                                 json::Value(std::move(detail))});
  fx.ledger.push_back(std::move(e));
  return fx;
}

}  // namespace

ActionEffects RecoveryService::countersign_entry(std::int64_t seq, const Actor& by, Now now) {
  latest_ = now;
  return ledger_effects(contributions_.countersign(seq, by, now.wall), "ledger.countersign",
                        std::to_string(seq), json::Object{});
}

ActionEffects RecoveryService::correct_entry(std::int64_t seq, const std::string& reason,
                                             const Actor& by, Now now) {
  latest_ = now;
  const std::string why = trimmed(reason);
  if (why.empty()) {
    return ActionRefusal{ActionRefusal::Code::kInvalid, "a correction needs its reason", {}};
  }
  if (why.size() > kMaxNoteLength) {
    return ActionRefusal{ActionRefusal::Code::kInvalid,
                         "the reason is at most " + std::to_string(kMaxNoteLength) + " characters",
                         {}};
  }
  json::Object detail;
  detail.append("reason", why);
  return ledger_effects(contributions_.correct(seq, why, by, now.wall), "ledger.correct",
                        std::to_string(seq), std::move(detail));
}

ActionEffects RecoveryService::confirm_training(const std::string& person, const std::string& what,
                                                const Actor& by, Now now) {
  latest_ = now;
  const std::string text = trimmed(what);
  if (text.empty()) {
    return ActionRefusal{ActionRefusal::Code::kInvalid, "say which training it was", {}};
  }
  if (text.size() > kMaxNoteLength) {
    return ActionRefusal{
        ActionRefusal::Code::kInvalid,
        "the training is at most " + std::to_string(kMaxNoteLength) + " characters",
        {}};
  }
  json::Object detail;
  detail.append("what", text);
  return ledger_effects(contributions_.training(person, text, by, now.wall), "ledger.training",
                        person, std::move(detail));
}

void RecoveryService::after_person_action(const PersonAction& a, const Case& c, Now now,
                                          Effects& fx) {
  // Someone is on it: whatever a person did stops the escalation ladder, and who and when is
  // kept.
  if (escalator_.acknowledge(c.id, a.by.id, a.by.role, now.wall, now.mono)) {
    recovery_changed_ = true;
  }
  // An approved follow-up is a message for the guest.
  if (a.kind == PersonAction::Kind::kFollowUpSend && c.follow_up) {
    json::Object body;
    body.append("message", c.follow_up->message);
    send_to_guest(c.id, "follow_up", body, a.by.id, now, fx);
    contributions_.follow_up_sent(c, now.wall, fx.ledger);  // closed properly
  }
  if (a.kind == PersonAction::Kind::kDecide && a.verdict != Verdict::kReject) {
    send_vouchers(c.id, a.by.id, now, fx);
    contributions_.vouchers_given(c, guest_ref(c), now.wall, fx.ledger);
    // A win-back note, as the manager approved or edited it, goes to the guest.
    if (c.kind == CaseKind::kGuestLapsed) {
      json::Object body;
      body.append("message", c.recommendation.text);
      send_to_guest(c.id, "win_back", body, a.by.id, now, fx);
    }
  }
  if (a.kind == PersonAction::Kind::kDecide && a.verdict != Verdict::kReject &&
      c.compensation > 0) {
    ledger_.spend(c.id, c.compensation, false, now.wall, utc_offset_(now.wall));
    recovery_changed_ = true;
    fx.budget_changed = true;
  }
  if (a.kind == PersonAction::Kind::kResolve) {
    guests_.on_case_resolved(c);      // the briefing says what was done about the guest's visit
    contributions_.case_resolved(c);  // a pattern's recurrence window starts
    contributions_changed_ = true;
  }
  if (c.status == CaseStatus::kResolved || c.status == CaseStatus::kClosed ||
      c.status == CaseStatus::kFollowUp) {
    case_done(c.id);
  }
  count_open();
}

// A message for the guest: kept on the case, and put in the outbox for the venue's messaging
// integration with the id its delivery receipt will name. Without the cloud link there is no
// way out: the case says so instead of pretending it went.
void RecoveryService::send_to_guest(const std::string& case_id, std::string_view type,
                                    const json::Object& body, const std::string& approved_by,
                                    Now now, Effects& fx) {
  const std::string id = cases_.add_message(case_id, std::string(type), now.wall);
  const Case* c = cases_.find(case_id);
  if (c == nullptr) return;
  fx.touch(case_id);
  if (!settings_.guest_messaging) {
    (void)cases_.message_receipt(case_id, id, false,
                                 "not sent: the cloud link is off, so the box has no way to the "
                                 "venue's messaging; tell the guest yourself",
                                 now.wall);
    return;
  }
  json::Object m;
  m.append("message_id", id);
  m.append("type", type);
  m.append("case", c->id);
  m.append("customer", c->guest.id.empty() ? c->subject.customer : c->guest.id);
  m.append("name", c->guest.name);
  m.append("booking", c->subject.booking);
  for (const auto& [key, value] : body) m.append(key, value);
  m.append("approved_by", approved_by);
  fx.outbox.push_back(
      OutboxMessage{topics::follow_ups(settings_.venue_id), json::dump(json::Value(std::move(m)))});
}

// An approved plan's vouchers reach a guest the box can name (a customer or a booking), once.
void RecoveryService::send_vouchers(const std::string& case_id, const std::string& approved_by,
                                    Now now, Effects& fx) {
  const Case* c = cases_.find(case_id);
  if (c == nullptr || c->vouchers.empty()) return;
  if (c->guest.id.empty() && c->subject.customer.empty() && c->subject.booking.empty()) return;
  for (const auto& m : c->messages) {
    if (m.type == "voucher") return;
  }
  json::Object body;
  json::Array vouchers;
  for (const auto& v : c->vouchers) {
    json::Object vo;
    vo.append("id", v.id);
    vo.append("value", v.value);
    vouchers.emplace_back(std::move(vo));
  }
  body.append("vouchers", std::move(vouchers));
  body.append("currency", settings_.currency);
  // The plan's text is written for staff; the guest gets a plain line of their own.
  double total = 0;
  for (const auto& v : c->vouchers) total += v.value;
  body.append("message", "A voucher for " + words::money(total) + " " + settings_.currency +
                             " off your next visit to " + settings_.venue_name +
                             ", with our apologies.");
  send_to_guest(case_id, "voucher", body, approved_by, now, fx);
}

ActionEffects RecoveryService::on_receipt(const MessageReceipt& r, Now now) {
  latest_ = now;
  // The cloud delivers at least once: the same receipt again changes nothing.
  if (const Case* c = cases_.find(r.case_id)) {
    for (const auto& m : c->messages) {
      if (m.id == r.message_id && m.status == (r.delivered ? "delivered" : "failed")) {
        return Effects{};
      }
    }
  }
  CaseResult done = cases_.message_receipt(r.case_id, r.message_id, r.delivered, r.detail, r.at);
  if (const auto* no = std::get_if<CaseRefusal>(&done)) {
    return ActionRefusal{no->code == CaseRefusal::Code::kNotFound ? ActionRefusal::Code::kNotFound
                                                                  : ActionRefusal::Code::kConflict,
                         no->message,
                         {}};
  }
  Effects fx;
  fx.touch(r.case_id);
  json::Object detail;
  detail.append("message", r.message_id);
  detail.append("status", r.delivered ? "delivered" : "failed");
  if (!r.detail.empty()) detail.append("detail", r.detail);
  fx.audit.push_back(AuditRecord{now.wall, "cloud", "integration", "case.message_receipt",
                                 r.case_id, json::Value(std::move(detail))});
  if (!r.delivered) {
    const Case* c = cases_.find(r.case_id);
    notify(Notification{r.case_id, "manager", 0, false, c->severity,
                        "the message to the guest was not delivered" +
                            (r.detail.empty() ? std::string() : ": " + r.detail)},
           "delivery_failed", now, fx);
  }
  return fx;
}

}  // namespace mend
