// The recovery service: the core's one front door.
//
// Why one service. Detection, the case book, planning, authority and the shift budget,
// escalation, follow-ups, vouchers, surveys, guests and retention all decide together what
// happens to a case; when each edge (the broker callback, an HTTP handler, a timer) wired those
// parts itself, the workflow leaked into the daemon and the web app. Here it is one object with
// three inputs: an event, a person's action, and the passage of time. Each returns Effects, plain
// values that the host persists and publishes (the changed cases, audit records, alerts, outbox
// messages, a budget change, raw events to prune), and the service then says when it next needs
// to be called: next_deadline() is the earliest of detection waits, escalation stages,
// follow-ups due and housekeeping, so the host arms one timer, as Mosquitto's loop does.
//
// Time. Every input carries `now` (wall and monotonic); the service never reads a clock. Waits
// and ladders run on the monotonic clock; wall time stamps records and places shift boundaries
// (through `utc_offset`, which the host supplies: the box's local time is outside the core).
//
// Persistence. The service holds the state; the host saves the parts that changed
// (take_changed_state) with the same commit as the effects, and hands them back at start
// (restore). A host that has not committed the effects of an input must not publish them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/actions.hpp"
#include "core/audit_log.hpp"
#include "core/case_book.hpp"
#include "core/config.hpp"
#include "core/contributions.hpp"
#include "core/daily_summary.hpp"
#include "core/employees.hpp"
#include "core/engine.hpp"
#include "core/erasure.hpp"
#include "core/escalation.hpp"
#include "core/event.hpp"
#include "core/guest_messages.hpp"
#include "core/guests.hpp"
#include "core/json.hpp"
#include "core/learning.hpp"
#include "core/metrics.hpp"
#include "core/policy.hpp"
#include "core/recovery.hpp"
#include "core/risk_model.hpp"
#include "core/risk_tracker.hpp"
#include "core/risk_training.hpp"
#include "core/source_health.hpp"
#include "core/time.hpp"
#include "core/winback.hpp"

namespace mend {

// How long things stay, and how often the service tidies up.
struct RetentionSettings {
  Millis housekeeping_every = std::chrono::minutes(10);
  // A resolved case stays on the tablet a week for a look back; one that gave a voucher stays
  // until it is redeemed or 90 days, so the redemption finds its case.
  Millis keep_resolved = std::chrono::hours(7 * 24);
  Millis keep_unredeemed_vouchers = std::chrono::hours(90 * 24);
  Millis keep_closed_in_memory = std::chrono::hours(24);  // the store keeps them for good
  Millis raw_events = std::chrono::hours(30 * 24);        // store.event_retention
};

// Everything the service needs from the config; built from a Config so a reload can swap it.
struct ServiceSettings {
  std::string venue_id;
  std::string venue_name;
  std::string currency;
  DetectionSettings detection;
  RecoverySettings recovery;
  RetentionSettings retention;
  // Messages for guests have a way out: the cloud link, to the venue's messaging integration.
  bool guest_messaging = false;
  // A summary of each venue day goes to the venue group (the cloud link is on).
  bool daily_summary = false;
  // Concierge: the shift's briefing goes to the manager this long before the shift starts.
  Millis briefing_lead = std::chrono::minutes(30);
  Roster employees;    // as the config sets them; the tablet's overrides go over it
  LedgerRules ledger;  // the contribution ledger's rules ([ledger])
  static ServiceSettings from(const Config& c);
};

struct OutboxMessage {
  std::string topic;
  std::string payload;
};

// What an input changed, for the host to persist (in one commit) and then publish.
struct Effects {
  std::vector<std::string> cases;   // changed case ids, each once: store, publish, live feed
  std::vector<std::string> opened;  // the ids among them that this input opened
  std::vector<AuditRecord> audit;
  std::vector<json::Value> alerts;  // venue/<venue>/mend/alerts, the tablets' alert feed
  std::vector<OutboxMessage> outbox;
  // New entries of the contribution ledger, in order: the store chains them at the commit.
  std::vector<LedgerEntry> ledger;
  // Table-visits started, snapshotted, labelled or settled (core/risk_tracker.hpp): the store
  // upserts each by id.
  std::vector<risk::Visit> visits;
  // A new venue day began: time to train the at-risk model on the visits settled so far
  // (core/risk_training.hpp). Once a day; the host trains and hands the result to use_model.
  bool train_model = false;
  bool budget_changed = false;
  bool duplicate = false;  // an event whose id the engine had seen: nothing was done
  std::optional<WallTime> prune_events_before;  // raw events older than this may go
  // Venue days that have ended: the host summarises each from the store (daily_summary) and
  // sends it to the venue group.
  std::vector<SummaryDay> summaries;
  // A guest erased by this input (core/erasure.hpp): the host renames them in the store's rows
  // in the same commit, then checkpoints and truncates the write-ahead log.
  std::optional<GuestErasure> erasure;
  // Publish at once, without waiting for the commit: the store itself is in trouble, and the
  // people who can fix it must hear of it even if nothing can be saved.
  bool publish_now = false;

  void touch(const std::string& case_id);  // adds to `cases` once
  void merge(Effects other);
};

// The box's own health, as the host measured it.
struct HealthReport {
  CaseKind kind = CaseKind::kStoreUnwritable;  // kStoreUnwritable, kStoreLowSpace, kCloudOutboxFull
  bool active = false;                         // the condition holds now
  std::string detail;  // plain words: what was measured and what it means, for the case
};

// A person's action: the effects of the change, or why nothing changed.
using ActionEffects = std::variant<Effects, ActionRefusal>;

// The parts of the state that are saved between runs, as JSON (the store keeps them as text).
struct SavedState {
  std::optional<json::Value> engine;
  std::optional<json::Value> escalation;
  std::optional<json::Value> ledger;
  std::optional<json::Value> guests;
  std::optional<json::Value> employees;      // the tablet's changes to the digital employees
  std::optional<json::Value> summary;        // {"through": the end of the last day summarised}
  std::optional<json::Value> learning;       // the suggestions decided and their tasks
  std::optional<json::Value> briefing;       // {"shift": the start of the last shift briefed}
  std::optional<json::Value> contributions;  // the ledger's watches on resolved patterns
  std::optional<json::Value> visits;         // the tables' settled visit counts
  std::optional<json::Value> sources;        // the sources' usual pace and clock corrections
  // At restore only: the table-visits not yet settled, as the store holds them.
  std::vector<risk::Visit> visit_rows;
  // At restore only: the contribution ledger's entries as the store holds them, oldest first.
  std::vector<LedgerEntry> ledger_entries;
  // Guest profiles, one row each: at restore, all of them; from take_changed_state, those
  // changed since the last call and the ids deleted.
  std::vector<GuestRecord> guest_records;
  std::vector<std::string> guests_gone;
};

class RecoveryService {
 public:
  using UtcOffset = std::function<Millis(WallTime)>;
  // `metrics` (optional) gets the cases' counters; `utc_offset` gives the box's offset from UTC
  // at a wall time (explanations and shift boundaries are in local time).
  RecoveryService(ServiceSettings settings, UtcOffset utc_offset, Metrics* metrics = nullptr);
  ~RecoveryService();
  RecoveryService(const RecoveryService&) = delete;
  RecoveryService& operator=(const RecoveryService&) = delete;

  // ---- inputs ----------------------------------------------------------------------------
  // A decoded event the host has not seen before (the host checks its store for the id). An
  // enquiry naming only a contact the guest book knows is taken as that guest's.
  Effects on_event(const Event& e, Now now);
  // A person's (or an integration's) action on a case, checked against the case's status, the
  // version the person saw, and the role's authority.
  ActionEffects act(const PersonAction& a, Now now);
  // The box's own health changed: a case for the manager while it lasts, closed (unless a
  // person has taken it on) when it is over.
  Effects on_health(const HealthReport& r, Now now);
  // The messaging integration's delivery receipt for a message to a guest: kept on the case;
  // a failure is told to the manager.
  ActionEffects on_receipt(const MessageReceipt& r, Now now);
  // A person opens a case for what no signal shows (CaseReport): planned, escalated and
  // counted like any other, and audited as case.open. The new case's id is Effects::opened.
  ActionEffects report(const CaseReport& r, Now now);
  // A manager switches a digital employee off or on, or changes what it may do. Kept across
  // restarts and reloads (over the config's settings) and audited as employee.change.
  ActionEffects change_employee(const EmployeeChange& ch, Now now);
  // A manager accepts a suggestion (it becomes a task for its owner) or dismisses it; once
  // each, audited as suggestion.accept / suggestion.dismiss.
  ActionEffects decide_suggestion(const SuggestionDecision& d, Now now);
  // Staff add a note to a guest's profile (guest.note); a manager changes what it says
  // (guest.edit). The audit names the guest by the book's ref and the fields changed, never
  // the words, so an erasure leaves nothing of the guest in the audit log.
  ActionEffects note_guest(const std::string& guest, const std::string& text, const Actor& by,
                           const std::string& by_name, Now now);
  ActionEffects edit_guest(const std::string& guest, const GuestEdit& edit, const Actor& by,
                           const std::string& by_name, Now now);
  // An admin erases a guest (docs/privacy.md): the profile goes; the open cases, the floor
  // and the waits name the guest by a pseudonym; Effects::erasure asks the host to do the same
  // to the store's rows. Audited as guest.erase by the book's ref and counts, nothing more; a
  // deletion record goes to the cloud outbox, so copies kept there can go too.
  ActionEffects erase_guest(const std::string& guest, const Actor& by, Now now);
  // The contribution ledger (core/contributions.hpp), a manager's acts: countersign an entry,
  // correct one (a new entry cancels it, with the reason), confirm a person's training. Each
  // is an entry and an audit record (ledger.countersign, ledger.correct, ledger.training).
  ActionEffects countersign_entry(std::int64_t seq, const Actor& by, Now now);
  ActionEffects correct_entry(std::int64_t seq, const std::string& reason, const Actor& by,
                              Now now);
  ActionEffects confirm_training(const std::string& person, const std::string& what,
                                 const Actor& by, Now now);
  // A suggestion's task is done; audited as task.done.
  ActionEffects finish_task(std::int64_t task, const Actor& by, Now now);
  // Time passed: whatever is due at `now` happens (waits, escalation, follow-ups, tidying).
  Effects on_tick(Now now);
  // The earliest time on_tick has something to do; the host arms one timer for it.
  std::optional<MonoTime> next_deadline() const;

  // New settings from a reload (already validated): thresholds apply to new waits, ladders
  // keep their start, the policy applies to the next plan.
  void update_settings(ServiceSettings settings);

  // ---- persistence -----------------------------------------------------------------------
  // Puts back what the last run saved: the open cases and the saved parts. `same_boot`: the
  // monotonic clock still counts from the same boot. Returns warnings for the parts that could
  // not be read (they start afresh); a broken engine state is an error (throws), since open
  // waits would be lost. Whatever became due while the daemon was down is in the Effects.
  struct Restored {
    Effects effects;
    std::vector<std::string> warnings;
  };
  Restored restore(std::vector<Case> open_cases, const SavedState& saved, Now now, bool same_boot);
  // The parts changed since the last call (all of them with `everything`), to save with the
  // next commit. The guest book's own state can be large: it is only included with `guests`;
  // changed guest records are always included, so a person's note is saved with its commit.
  SavedState take_changed_state(Now now, bool guests, bool everything = false);

  // ---- reads -----------------------------------------------------------------------------
  const CaseBook& cases() const { return cases_; }
  std::vector<TableView> tables() const { return engine_.tables(); }
  std::size_t pending_waits() const { return engine_.pending_waits(); }
  json::Value budget(Now now) const;  // the shift budget as the tablet shows it
  // The Concierge's briefing (core/briefing.hpp) as the tablet shows it: for the current
  // shift, the next one, or (unset) the one the team is preparing for: the next once its
  // briefing is due, else the current one.
  json::Value briefing(Now now, std::optional<bool> next) const;
  const ServiceSettings& settings() const { return settings_; }
  // The digital employees as they work now: the config's settings and the tablet's changes.
  const Roster& employees() const { return roster_; }
  // The suggestions decided, and the tasks made of them.
  const SuggestionBook& learning() const { return learning_; }
  // Who the venue's guests are: profiles, for the tablet and the API.
  const GuestBook& guests() const { return guests_; }
  // The contribution ledger's rules and totals (the entries themselves are in the store).
  const Contributions& contributions() const { return contributions_; }
  // The table-visits the at-risk model learns from, as far as they are known.
  const risk::RiskTracker& visits() const { return visits_; }
  // The at-risk model in use: the host hands it the newest promoted one at start and after each
  // training, or nullopt with the reason there is none (too little history). Each seated
  // table is then scored shortly after each till or booking event and at least once a minute.
  void use_model(std::optional<risk::Model> model, std::string why_none);
  const std::optional<risk::Model>& model() const { return model_; }
  const std::string& model_off_reason() const { return model_off_; }
  // table -> its risk now, for the floor view; empty while no model is in use.
  const std::map<std::string, risk::TableRisk>& risks() const { return risks_; }
  // How many times the floor was looked at (features worked out for every seated table) and
  // how many tables those looks took in all: what the at-risk model's cost scales with.
  struct FloorLooks {
    std::uint64_t looks = 0;
    std::uint64_t tables = 0;
  };
  FloorLooks floor_looks() const { return looks_; }
  // Each source's health and clock (core/source_health.hpp), for /metrics and the tablet.
  std::vector<SourceView> sources(Now now) const;

 private:
  void apply_decisions(const EngineOutput& out, Now now, Effects& fx);
  void plan_case(const std::string& id, Now now, bool first, Effects& fx);
  bool run_automatically(const std::string& id, Plan& plan, Now now, Effects& fx);
  void link_recovery(const Event& e, Now now, Effects& fx);
  // The ledger's view of an event: loyalty stamps for visits, rewards used at the till.
  void ledger_on_event(const Event& e, Now now, Effects& fx);
  void refuse_redemption(const std::string& guest_ref, const Event& e, double amount,
                         const std::string& why, Now now, Effects& fx);
  std::string guest_ref(const Case& c) const;  // the guest book's ref for a case's guest
  // The at-risk model's view of the floor (service_risk.cpp): each seated table's features,
  // its visit's snapshots, and the visits' labels from feedback.
  void watch_visits(Now now, Effects& fx);
  bool watch_is_due(Now now) const;
  // The floor is looked at this soon after a till or booking event: a burst of events (a
  // course of eight fired item by item) costs one look, not one each.
  static constexpr Millis kWatchAfter = std::chrono::seconds(2);
  void visit_feedback(const Event& e);
  risk::TableFacts table_facts(const TableView& t) const;
  void place_tables();  // table_area_ and the tracker's settings, from the settings
  static std::string fired_key(const std::string& table, const TableTimer& t);
  void training_due(Now now, Effects& fx);  // once each venue day: Effects::train_model
  void score_tables(const std::vector<risk::RiskTracker::Seated>& seated,
                    const std::vector<risk::TableFacts>& facts, Now now, Effects& fx);
  // The sources' health (service_sources.cpp): held waits, source.silent, source.clock_skew.
  void watch_sources(Now now, Effects& fx);
  void source_changed(const SourceHealth::Change& c, Now now, Effects& fx);
  void source_metrics(Source s, Now now) const;
  std::string silent_words(const SourceView& v, const std::vector<Engine::HeldWait>& held) const;
  // The event with its source's clock correction applied to its ts.
  Event corrected(const Event& e) const;
  void notify(const Notification& n, std::string_view event, Now now, Effects& fx);
  void after_person_action(const PersonAction& a, const Case& c, Now now, Effects& fx);
  void send_to_guest(const std::string& case_id, std::string_view type, const json::Object& body,
                     const std::string& approved_by, Now now, Effects& fx);
  void send_vouchers(const std::string& case_id, const std::string& approved_by, Now now,
                     Effects& fx);
  void case_done(const std::string& id);
  void follow_ups_due(Now now, Effects& fx);
  void housekeeping(Now now, Effects& fx);
  void open_lapse(const Lapse& l, Now now, Effects& fx);
  void summaries_due(Now now, Effects& fx);
  // Before each shift starts (briefing_lead), the Concierge's briefing goes to the manager:
  // once per shift, and late (up to the lead after its start) when the box was off.
  void briefings_due(Now now, Effects& fx);
  struct ShiftSpan {
    WallTime from;
    WallTime to;
  };
  ShiftSpan shift_at(WallTime t) const;
  int day_start_minutes() const;
  void count_open();
  // The roster from the settings and the overrides; the engine stops opening the kinds of
  // employees that are off.
  void staff();
  // The config's [detect] with the limits tuned on the tablet over it.
  DetectConfig tuned_limits() const;

  ServiceSettings settings_;
  UtcOffset utc_offset_;
  Metrics* metrics_;
  Engine engine_;
  CaseBook cases_;
  GuestBook guests_;
  Escalator escalator_;
  ShiftLedger ledger_;
  std::optional<MonoTime> next_housekeeping_;
  Now latest_{};  // the latest `now` seen, to place wall-time deadlines on the monotonic clock
  std::array<std::optional<EmployeeOverride>, kEmployeeCount> overrides_;
  Roster roster_;
  std::optional<WallTime> summary_through_;  // the end of the last venue day summarised
  SuggestionBook learning_;
  std::optional<WallTime> briefed_for_;  // the start of the last shift briefed
  Contributions contributions_;
  risk::RiskTracker visits_;
  std::unordered_map<std::string, std::string> table_area_;  // from the config's [[area]]
  std::optional<risk::Model> model_;
  std::string model_off_ = "no model has been trained yet";
  std::map<std::string, risk::TableRisk> risks_;
  std::optional<MonoTime> next_score_;              // while a model is in use and tables are seated
  std::optional<MonoTime> watch_due_;               // a till or booking event changed the floor
  std::map<std::string, std::int64_t> fired_load_;  // course in flight -> kitchen load then
  risk::AreaPace area_pace_;
  SourceHealth sources_;
  FloorLooks looks_;
  std::optional<WallTime> trained_for_;  // the venue day the model was last trained for
  // What changed since take_changed_state last saved it.
  bool engine_changed_ = false;
  bool recovery_changed_ = false;
  bool guests_changed_ = false;
  bool employees_changed_ = false;
  bool summary_changed_ = false;
  bool learning_changed_ = false;
  bool briefing_changed_ = false;
  bool contributions_changed_ = false;
  bool visits_changed_ = false;
  bool sources_changed_ = false;
};

}  // namespace mend
