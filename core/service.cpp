#include "core/service.hpp"

#include <algorithm>
#include <utility>

#include "core/briefing.hpp"
#include "core/roles.hpp"
#include "core/topics.hpp"

namespace mend {

void Effects::touch(const std::string& case_id) {
  if (std::find(cases.begin(), cases.end(), case_id) == cases.end()) cases.push_back(case_id);
}

void Effects::merge(Effects other) {
  for (auto& id : other.cases) touch(id);
  opened.insert(opened.end(), other.opened.begin(), other.opened.end());
  for (auto& a : other.audit) audit.push_back(std::move(a));
  for (auto& a : other.alerts) alerts.push_back(std::move(a));
  for (auto& m : other.outbox) outbox.push_back(std::move(m));
  for (auto& e : other.ledger) ledger.push_back(std::move(e));
  for (auto& v : other.visits) visits.push_back(std::move(v));
  budget_changed = budget_changed || other.budget_changed;
  train_model = train_model || other.train_model;
  publish_now = publish_now || other.publish_now;
  if (other.prune_events_before) prune_events_before = other.prune_events_before;
  for (auto& d : other.summaries) summaries.push_back(std::move(d));
  if (other.erasure) erasure = std::move(other.erasure);
}

ServiceSettings ServiceSettings::from(const Config& c) {
  ServiceSettings s;
  s.venue_id = c.venue.id;
  s.venue_name = c.venue.name;
  s.currency = c.venue.currency;
  s.detection = DetectionSettings::from(c);
  s.recovery = recovery_settings(c);
  s.retention.raw_events = c.store.event_retention;
  s.guest_messaging = c.cloud.enabled;
  s.daily_summary = c.cloud.enabled;
  s.briefing_lead = c.guests.briefing_lead;
  s.employees = Roster::from(c.employees);
  s.ledger = c.ledger;
  return s;
}

RecoveryService::RecoveryService(ServiceSettings settings, UtcOffset utc_offset, Metrics* metrics)
    : settings_(std::move(settings)),
      utc_offset_(std::move(utc_offset)),
      metrics_(metrics),
      engine_(settings_.detection),
      guests_(settings_.recovery.guests),
      escalator_(settings_.recovery.escalation),
      ledger_(settings_.recovery.policy),
      contributions_(settings_.ledger),
      sources_(SourceSettings{settings_.detection.detect.source_skew}, utc_offset_) {
  staff();
  place_tables();
}

RecoveryService::~RecoveryService() = default;

void RecoveryService::update_settings(ServiceSettings settings) {
  settings_ = std::move(settings);
  guests_.update_settings(settings_.recovery.guests);
  escalator_.update_config(settings_.recovery.escalation);
  ledger_.update_policy(settings_.recovery.policy);
  contributions_.update_rules(settings_.ledger);
  sources_.update_settings(SourceSettings{settings_.detection.detect.source_skew});
  recovery_changed_ = true;
  staff();
  place_tables();
}

void RecoveryService::staff() {
  roster_ = settings_.employees;
  roster_.set_automatic(settings_.recovery.policy.automatic);
  for (int i = 0; i < kEmployeeCount; ++i) {
    if (overrides_[i]) roster_.apply(static_cast<EmployeeId>(i), *overrides_[i]);
  }
  DetectionSettings detection = settings_.detection;
  detection.detect = tuned_limits();
  roster_.set_limits(detection.detect, settings_.detection.detect);
  for (int k = 0; k < kCaseKindCount; ++k) {
    detection.silenced[k] = !roster_.raises(static_cast<CaseKind>(k));
  }
  engine_.update_settings(std::move(detection));
}

DetectConfig RecoveryService::tuned_limits() const {
  DetectConfig detect = settings_.detection.detect;
  for (int i = 0; i < kEmployeeCount; ++i) {
    if (!overrides_[i]) continue;
    const auto keys = limit_keys(static_cast<EmployeeId>(i), detect);
    for (const auto& [key, text] : overrides_[i]->limits) {
      // A limit the config no longer offers (a course taken out of detect.course) is let go.
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
        (void)set_detect_limit(detect, key, text);
      }
    }
  }
  // A band the file moved under the tablet's tuned end falls back to the file's band.
  if (!(detect.temperature_low < detect.temperature_high)) {
    detect.temperature_low = settings_.detection.detect.temperature_low;
    detect.temperature_high = settings_.detection.detect.temperature_high;
  }
  return detect;
}

// ---- events --------------------------------------------------------------------------------

Effects RecoveryService::on_event(const Event& given, Now now) {
  latest_ = now;
  Effects fx;
  // An enquiry that names only an email or phone the guest book knows is that guest's: the
  // case then knows who is asking (a regular, a VIP) and links to their other enquiries.
  const Event* named = &given;
  Event with_id;
  if (const auto* q = std::get_if<EnquiryReceived>(&given.body);
      q != nullptr && q->customer && q->customer->id.empty()) {
    if (std::string id = guests_.id_for_contact(q->customer->email, q->customer->phone);
        !id.empty()) {
      with_id = given;
      std::get<EnquiryReceived>(with_id.body).customer->id = std::move(id);
      named = &with_id;
    }
  }
  // The source is heard (its clock judged on the time it sent), then its event goes on with
  // its time corrected by the source's known clock error.
  if (const auto* st = std::get_if<BridgeStatus>(&named->body)) {
    sources_.on_status(event_source(named->type), st->online, now);
  } else {
    sources_.on_event(*named, now);
  }
  source_metrics(event_source(named->type), now);
  // The till ordering for a table nobody seated: what the booking system should have said.
  if (const auto* o = std::get_if<OrderOpened>(&named->body);
      o != nullptr && !engine_.seated(o->table)) {
    sources_.on_missing(Source::kBooking);
  }
  watch_sources(now, fx);
  const Event e = corrected(*named);
  EngineOutput out = engine_.on_event(e, now);
  if (out.duplicate) {
    fx.duplicate = true;
    return fx;
  }
  engine_changed_ = true;
  guests_.on_event(e);
  guests_changed_ = true;
  apply_decisions(out, now, fx);
  link_recovery(e, now, fx);
  ledger_on_event(e, now, fx);
  visit_feedback(e);
  // A till or booking event changes the floor: the tables are looked at again shortly, once for
  // a burst of events (readings and device states do not change a table).
  const Source source = event_source(e.type);
  if ((source == Source::kTill || source == Source::kBooking) && !watch_due_) {
    watch_due_ = now.mono + kWatchAfter;
  }
  return fx;
}

// Engine decisions land in the case book; a new case gets its plan and its ladder, a case
// whose severity rose gets a new plan while nobody has decided on it.
void RecoveryService::apply_decisions(const EngineOutput& out, Now now, Effects& fx) {
  for (const Decision& d : out.decisions) {
    auto change = cases_.apply(d);
    if (!change) continue;
    const std::string id = change->case_id;
    if (change->what == CaseChange::What::kOpened) {
      plan_case(id, now, true, fx);
      const Case& c = *cases_.find(id);
      fx.opened.push_back(id);
      contributions_.case_opened(c);  // a recurrence ends a fixed pattern's window
      contributions_changed_ = true;
      visits_.on_case(c, now.wall);  // a case of a label kind marks the table's visit bad
      if (metrics_ != nullptr) metrics_->cases_opened[c.kind].inc();
      if (c.automatic) {
        // Done by the venue's policy: the floor is told once, nobody needs chasing.
        notify(Notification{id, std::string(role_name(Role::kStaff)), 0, false, c.severity,
                            "done automatically"},
               "automatic", now, fx);
      } else {
        for (const auto& n : escalator_.open(id, c.severity, now.mono)) notify(n, {}, now, fx);
        // A plan above the floor's authority goes to the role that may approve it at once.
        const std::string needs = c.recommendation.needs_approval_by;
        if (authority_rank(needs) > authority_rank(Role::kStaff)) {
          notify(Notification{id, needs, 0, false, c.severity, "needs a " + needs + "'s approval"},
                 "needs_approval", now, fx);
        }
      }
      recovery_changed_ = true;
    } else if (change->what == CaseChange::What::kSeverity) {
      escalator_.raise(id, cases_.find(id)->severity);
      plan_case(id, now, false, fx);
      recovery_changed_ = true;
    }
    fx.touch(id);
    if (cases_.find(id)->status == CaseStatus::kClosed) case_done(id);
  }
  count_open();
}

// The recovery policy's view of a case: who the guest is, why in plain words, the plan and who
// must approve it; and, only where the venue allowed it, the plan carried out at once. `first`:
// the case just opened. Later calls (its severity rose) re-plan it while nobody has decided on
// it yet, so a wait that became critical gets a critical wait's plan.
void RecoveryService::plan_case(const std::string& id, Now now, bool first, Effects& fx) {
  const Case* c = cases_.find(id);
  if (c == nullptr) return;
  if (!first && (!c->decisions.empty() || c->automatic ||
                 (c->status != CaseStatus::kOpen && c->status != CaseStatus::kAcknowledged &&
                  c->status != CaseStatus::kAwaitingApproval))) {
    return;
  }
  const Millis offset = utc_offset_(now.wall);
  const GuestProfile guest = guests_.profile_for(c->subject);
  Plan plan =
      recommend(settings_.recovery.policy, *c, guest, settings_.venue_name, offset, now.wall);
  std::vector<CaseAction> actions;
  for (const auto& a : plan.actions) {
    actions.push_back(CaseAction{std::string(action_type_name(a.type)), a.value, a.text});
  }
  cases_.annotate(
      id, to_recommendation(plan), explain(*c, guest, offset, now.wall),
      GuestSummary{guest.id, guest.name, std::string(guest_tier_name(guest.tier)), guest.visits},
      std::move(actions), plan.compensation);
  if (!first) return;
  // A lapse is about the guest's absence, not about a visit that went wrong.
  if (c->kind != CaseKind::kGuestLapsed) {
    guests_.on_case_opened(*cases_.find(id));
    guests_changed_ = true;
  }
  run_automatically(id, plan, now, fx);
}

// Only for the kinds the venue's policy names, within the automatic budget.
bool RecoveryService::run_automatically(const std::string& id, Plan& plan, Now now, Effects& fx) {
  const Millis offset = utc_offset_(now.wall);
  // An employee kept to recommending leaves every plan to a person, whatever the policy says.
  if (!roster_.may_act(cases_.find(id)->kind)) return false;
  if (!decide_automatic(settings_.recovery.policy, *cases_.find(id), plan, ledger_, now.wall,
                        offset)) {
    return false;
  }
  auto r = cases_.decide(id, Verdict::kApprove, "automatic: the venue's policy allows it",
                         std::nullopt, kSystemActor, now.wall);
  if (std::holds_alternative<CaseRefusal>(r)) return false;
  cases_.mark_automatic(id);
  ledger_.spend(id, plan.compensation, true, now.wall, offset);
  send_vouchers(id, kSystemActor.id, now, fx);
  contributions_.vouchers_given(*cases_.find(id), guest_ref(*cases_.find(id)), now.wall, fx.ledger);
  json::Object detail;
  detail.append("compensation", plan.compensation);
  fx.audit.push_back(AuditRecord{now.wall, kSystemActor.id, kSystemActor.role, "case.automatic", id,
                                 json::Value(std::move(detail))});
  fx.budget_changed = true;
  return true;
}

// One person (role) must hear of a case: MQTT for the venue's other systems, the outbox for a
// manager away from the venue, the live feed for the tablets.
void RecoveryService::notify(const Notification& n, std::string_view event, Now now, Effects& fx) {
  const Case* c = cases_.find(n.case_id);
  if (c == nullptr) return;
  json::Object a;
  a.append("case", c->id);
  a.append("event", !event.empty()              ? std::string(event)
                    : n.stage == 0 && !n.repeat ? std::string("opened")
                                                : std::string("escalated"));
  a.append("role", n.role);
  a.append("stage", static_cast<std::int64_t>(n.stage));
  a.append("repeat", n.repeat);
  a.append("reason", n.reason);
  a.append("kind", std::string(case_kind_name(c->kind)));
  a.append("severity", std::string(severity_name(n.severity)));
  a.append("subject", subject_to_json(c->subject));
  a.append("text", c->explanation.empty() ? c->reason : c->explanation);
  a.append("recommendation", c->recommendation.text);
  a.append("needs_approval_by", c->recommendation.needs_approval_by);
  a.append("at", format_rfc3339(now.wall));
  json::Value alert(std::move(a));
  fx.outbox.push_back(OutboxMessage{topics::alerts(settings_.venue_id), json::dump(alert)});
  fx.alerts.push_back(std::move(alert));
}

// ---- the box's own health -------------------------------------------------------------

Effects RecoveryService::on_health(const HealthReport& r, Now now) {
  latest_ = now;
  Effects fx;
  Subject subject;
  subject.device = "mendd";
  Evidence ev{
      "mendd:" + std::string(case_kind_name(r.kind)) + ":" + std::to_string(to_ms(now.wall)),
      std::string(case_kind_name(r.kind)), now.wall, r.detail};
  const Severity severity =
      r.kind == CaseKind::kStoreUnwritable ? Severity::kCritical : Severity::kMedium;
  const EngineOutput out =
      r.active ? engine_.raise_case(r.kind, subject, severity, r.detail, std::move(ev), now)
               : engine_.clear_case(r.kind, subject, r.detail, std::move(ev), now);
  if (out.decisions.empty()) return fx;
  engine_changed_ = true;
  apply_decisions(out, now, fx);
  fx.publish_now = true;
  return fx;
}

// ---- time ----------------------------------------------------------------------------------

Effects RecoveryService::on_tick(Now now) {
  latest_ = now;
  Effects fx;
  watch_sources(now, fx);  // a source gone blind holds its waits before they come due
  const EngineOutput out = engine_.on_tick(now);
  engine_changed_ = true;  // fired waits move on even when no case changes
  apply_decisions(out, now, fx);
  watch_sources(now, fx);  // what the engine just held may make a source's silence costly
  const auto told = escalator_.on_tick(now.mono);
  for (const auto& n : told) notify(n, {}, now, fx);
  if (!told.empty()) recovery_changed_ = true;
  follow_ups_due(now, fx);
  if (!next_housekeeping_ || now.mono >= *next_housekeeping_) housekeeping(now, fx);
  summaries_due(now, fx);
  briefings_due(now, fx);
  if (auto due = contributions_.next_due(); due && *due <= now.wall) {
    contributions_.due(now.wall, fx.ledger);
    contributions_changed_ = true;
  }
  if (watch_is_due(now)) watch_visits(now, fx);
  training_due(now, fx);
  return fx;
}

std::optional<MonoTime> RecoveryService::next_deadline() const {
  std::optional<MonoTime> due = engine_.next_deadline();
  const auto earliest = [&](std::optional<MonoTime> t) {
    if (t && (!due || *t < *due)) due = t;
  };
  earliest(escalator_.next_deadline());
  earliest(next_housekeeping_);
  // A follow-up is due at a wall time: placed on the monotonic clock from the latest `now`, so
  // "tomorrow at noon" is told at noon by the clock the box had when it last heard the time.
  if (auto wall = cases_.next_follow_up()) {
    earliest(latest_.mono + std::max(Millis{0}, *wall - latest_.wall));
  }
  // A resolved pattern's recurrence window, the same way.
  if (auto wall = contributions_.next_due()) {
    earliest(latest_.mono + std::max(Millis{0}, *wall - latest_.wall));
  }
  earliest(next_score_);
  earliest(watch_due_);
  earliest(sources_.next_change());
  if (trained_for_) {
    const WallTime next = *trained_for_ + std::chrono::hours(24);
    earliest(latest_.mono + std::max(Millis{0}, next - latest_.wall));
  }
  // The next visit snapshot or settling, the same way.
  if (auto wall = visits_.next_due()) {
    earliest(latest_.mono + std::max(Millis{0}, *wall - latest_.wall));
  }
  // The end of the venue day, the same way (a day is 24 hours; a clock change shifts one
  // summary by the hour, which the next tick's wall-clock check puts right).
  if (settings_.daily_summary && summary_through_) {
    const WallTime next = *summary_through_ + std::chrono::hours(24);
    earliest(latest_.mono + std::max(Millis{0}, next - latest_.wall));
  }
  // The next briefing: the coming shift's, or the one after when that is done.
  if (roster_.at(EmployeeId::kConcierge).enabled) {
    const ShiftSpan now_shift = shift_at(latest_.wall);
    WallTime start = now_shift.to;
    if (briefed_for_ && *briefed_for_ >= start) start = shift_at(start).to;
    earliest(latest_.mono + std::max(Millis{0}, (start - settings_.briefing_lead) - latest_.wall));
  }
  return due;
}

RecoveryService::ShiftSpan RecoveryService::shift_at(WallTime t) const {
  const auto st = ledger_.status(t, utc_offset_(t));
  return ShiftSpan{st.shift_start, st.shift_end};
}

void RecoveryService::briefings_due(Now now, Effects& fx) {
  if (!roster_.at(EmployeeId::kConcierge).enabled) return;
  const Millis lead = settings_.briefing_lead;
  const ShiftSpan current = shift_at(now.wall);
  ShiftSpan shift;
  if (now.wall >= current.to - lead) {
    shift = ShiftSpan{current.to, shift_at(current.to).to};
  } else if (now.wall < current.from + lead) {
    shift = current;  // late: the box was off (or not yet running) when it was due
  } else {
    return;
  }
  if (briefed_for_ && *briefed_for_ >= shift.from) return;
  briefed_for_ = shift.from;
  briefing_changed_ = true;
  const Briefing b = make_briefing(guests_, shift.from, shift.to);
  if (b.entries.empty()) return;  // nothing to know: no alert, the tablet says so
  json::Object a;
  a.append("event", "briefing");
  a.append("role", "manager");
  a.append("severity", std::string(severity_name(Severity::kMedium)));
  a.append("text", briefing_summary(b, utc_offset_(shift.from)));
  a.append("from", format_rfc3339(shift.from));
  a.append("to", format_rfc3339(shift.to));
  a.append("count", static_cast<std::int64_t>(b.entries.size()));
  a.append("at", format_rfc3339(now.wall));
  // Only to the venue's own tablets, phones and bus: the names and health notes in it are not
  // sent to the cloud.
  fx.alerts.emplace_back(std::move(a));
}

json::Value RecoveryService::briefing(Now now, std::optional<bool> next) const {
  const ShiftSpan current = shift_at(now.wall);
  const bool upcoming = next.value_or(now.wall >= current.to - settings_.briefing_lead);
  const ShiftSpan shift = upcoming ? ShiftSpan{current.to, shift_at(current.to).to} : current;
  const Briefing b = make_briefing(guests_, shift.from, shift.to);
  return briefing_json(b, upcoming ? "next" : "current",
                       briefing_summary(b, utc_offset_(shift.from)), briefed_for_ == shift.from);
}

int RecoveryService::day_start_minutes() const {
  const auto& starts = settings_.recovery.policy.shift_starts;
  return starts.empty() ? 0 : *std::min_element(starts.begin(), starts.end());
}

// Each venue day that has ended is summarised once. A box new to the cloud starts with the day
// in progress; one that was off sends the days it missed, up to a week of them.
void RecoveryService::summaries_due(Now now, Effects& fx) {
  if (!settings_.daily_summary) return;
  constexpr int kMaxMissedDays = 7;
  const Millis offset = utc_offset_(now.wall);
  if (!summary_through_) {
    summary_through_ = venue_day_start(now.wall, offset, day_start_minutes());
    summary_changed_ = true;
    return;
  }
  for (auto& day :
       summary_days_due(*summary_through_, now.wall, offset, day_start_minutes(), kMaxMissedDays)) {
    summary_through_ = day.to;
    summary_changed_ = true;
    fx.summaries.push_back(std::move(day));
  }
}

// A follow-up whose time has come: the manager approves (or skips) the drafted message.
void RecoveryService::follow_ups_due(Now now, Effects& fx) {
  for (const auto& id : cases_.take_due_follow_ups(now.wall)) {
    const Case* c = cases_.find(id);
    if (c == nullptr) continue;
    fx.touch(id);
    notify(Notification{id, std::string(role_name(Role::kManager)), 0, false, c->severity,
                        "follow-up due"},
           "follow_up_due", now, fx);
  }
}

// Resolved cases close after their time, so the book (and what every start loads) stays small
// on a box that runs for years; closing a case clears its retained topic. Raw events past their
// retention may go.
void RecoveryService::housekeeping(Now now, Effects& fx) {
  next_housekeeping_ = now.mono + settings_.retention.housekeeping_every;
  sources_changed_ = true;  // the sources' usual pace is learned as the hours go
  const RetentionSettings& r = settings_.retention;
  for (const auto& id : cases_.close_settled(now.wall - r.keep_resolved,
                                             now.wall - r.keep_unredeemed_vouchers, now.wall)) {
    fx.touch(id);
    case_done(id);
  }
  cases_.forget_closed(now.wall - r.keep_closed_in_memory);
  fx.prune_events_before = now.wall - r.raw_events;
  // Guests' data on its own clocks. The audit says how much went, not whose.
  if (const GuestBook::Expired gone = guests_.expire(now.wall);
      gone.profiles + gone.notes + gone.dietary > 0) {
    json::Object detail;
    detail.append("profiles", static_cast<std::int64_t>(gone.profiles));
    detail.append("notes", static_cast<std::int64_t>(gone.notes));
    detail.append("dietary", static_cast<std::int64_t>(gone.dietary));
    fx.audit.push_back(AuditRecord{now.wall, kSystemActor.id, kSystemActor.role, "guest.retention",
                                   "", json::Value(std::move(detail))});
  }
  // Win-back: each regular who stopped coming is a case for a manager, once per absence.
  if (roster_.raises(CaseKind::kGuestLapsed)) {
    std::vector<Lapse> lapsed = guests_.take_lapsed(now.wall, settings_.venue_name);
    if (!lapsed.empty()) guests_changed_ = true;
    for (const Lapse& l : lapsed) open_lapse(l, now, fx);
  }
  count_open();
}

// The case's recommendation is the drafted note itself: what a manager approves or edits is
// what the guest gets (after_person_action sends it).
void RecoveryService::open_lapse(const Lapse& l, Now now, Effects& fx) {
  Subject subject;
  subject.customer = l.customer;
  Evidence ev{"winback:" + l.customer + ":" + std::to_string(to_ms(now.wall)), "guest.lapsed",
              now.wall, l.evidence};
  const EngineOutput out = engine_.raise_case(CaseKind::kGuestLapsed, subject, Severity::kLow,
                                              l.evidence, std::move(ev), now);
  if (out.decisions.empty()) return;
  engine_changed_ = true;
  Effects opened;
  apply_decisions(out, now, opened);
  for (const std::string& id : opened.opened) {
    const Case* c = cases_.find(id);
    if (c == nullptr || c->kind != CaseKind::kGuestLapsed) continue;
    cases_.annotate(
        id, Recommendation{"win_back_message", l.draft, "manager"}, c->explanation, c->guest,
        {CaseAction{std::string(action_type_name(ActionType::kFollowUpMessage)), 0, l.draft}}, 0);
  }
  fx.merge(std::move(opened));
}

// A resolved or closed case is done: the next breach for its subject opens a new one, and
// nobody is chased about it any more.
void RecoveryService::case_done(const std::string& id) {
  engine_.on_case_closed(id);
  escalator_.close(id);
  engine_changed_ = true;
  recovery_changed_ = true;
}

void RecoveryService::count_open() {
  if (metrics_ != nullptr) metrics_->cases_open.set(static_cast<double>(cases_.open_count()));
}

// ---- reads ---------------------------------------------------------------------------------

json::Value RecoveryService::budget(Now now) const {
  const auto st = ledger_.status(now.wall, utc_offset_(now.wall));
  json::Object o;
  o.append("shift_start", format_rfc3339(st.shift_start));
  o.append("shift_end", format_rfc3339(st.shift_end));
  o.append("budget", st.budget);
  o.append("spent", st.spent);
  o.append("remaining", st.remaining);
  o.append("auto_budget", st.auto_budget);
  o.append("auto_spent", st.auto_spent);
  json::Object limits;
  for (const auto& [role, limit] : settings_.recovery.policy.per_case_limit) {
    if (role != "admin") limits.append(role, limit);
  }
  o.append("limits", std::move(limits));
  o.append("currency", settings_.currency);
  return o;
}

}  // namespace mend
