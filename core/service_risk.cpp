// The recovery service's view of the floor for the at-risk model (core/risk_features.hpp,
// core/risk_tracker.hpp): after each till or booking event and each tick, every seated table's
// features are worked out and its visit snapshotted; cases and feedback label the visits.
#include "core/service.hpp"

#include <algorithm>
#include <span>

#include "core/roles.hpp"

namespace mend {

void RecoveryService::place_tables() {
  table_area_.clear();
  for (const auto& a : settings_.detection.areas) {
    for (const auto& t : a.tables) table_area_[t] = a.name;
  }
  risk::TrackerSettings tracker = visits_.settings();
  tracker.bad_review = settings_.detection.detect.review_max_rating;
  visits_.update_settings(std::move(tracker));
}

risk::TableFacts RecoveryService::table_facts(const TableView& t) const {
  risk::TableFacts f;
  f.table = &t;
  if (!t.customer.empty()) {
    if (auto g = guests_.find(t.customer)) {
      f.guest.tier = g->tier;
      f.guest.last_visit_failures = g->last_visit_failures;
    }
  }
  f.history = visits_.history(t.table);
  if (!t.customer.empty()) f.guest_history = visits_.guest_history(t.customer);
  // The course furthest into its threshold, as the features measure it.
  const TableTimer* longest = risk::longest_wait(t, CaseKind::kCourseSlow, latest_.wall);
  if (longest != nullptr) {
    auto it = fired_load_.find(fired_key(t.table, *longest));
    if (it != fired_load_.end()) f.fired_load = it->second;
  }
  return f;
}

bool RecoveryService::watch_is_due(Now now) const {
  if (watch_due_ && *watch_due_ <= now.mono) return true;
  if (next_score_ && *next_score_ <= now.mono) return true;
  const auto due = visits_.next_due();
  return due && *due <= now.wall;
}

void RecoveryService::watch_visits(Now now, Effects& fx) {
  watch_due_.reset();
  const std::vector<TableView> floor = engine_.tables();
  ++looks_.looks;
  looks_.tables += floor.size();
  risk::VenueLoad load = risk::venue_load(floor, cases_, table_area_, now.wall);
  area_pace_.observe(floor, now.wall);
  load.pace = area_pace_.paces(now.wall);
  const Millis offset = utc_offset_(now.wall);
  // Each course in flight keeps the kitchen's load from when it was first seen, within a few
  // seconds of its firing (kWatchAfter): what a slow course depends on.
  std::map<std::string, std::int64_t> fired;
  for (const auto& t : floor) {
    for (const auto& timer : t.timers) {
      if (timer.kind != CaseKind::kCourseSlow) continue;
      const std::string key = fired_key(t.table, timer);
      auto it = fired_load_.find(key);
      fired[key] = it != fired_load_.end() ? it->second : load.courses_in_flight;
    }
  }
  fired_load_ = std::move(fired);
  std::vector<risk::RiskTracker::Seated> seated;
  std::vector<risk::TableFacts> facts;
  seated.reserve(floor.size());
  facts.reserve(floor.size());
  for (const auto& t : floor) {
    facts.push_back(table_facts(t));
    seated.push_back(
        risk::RiskTracker::Seated{&t, risk::table_features(facts.back(), load, now.wall, offset)});
  }
  score_tables(seated, facts, now, fx);
  visits_.observe(seated, now.wall);
  visits_.settle(now.wall);
  std::vector<risk::Visit> changed = visits_.take_changed();
  if (changed.empty()) return;
  visits_changed_ = true;
  for (auto& v : changed) fx.visits.push_back(std::move(v));
}

namespace {

constexpr Millis kScoreEvery = std::chrono::minutes(1);
// A table scoring this share of the threshold or more is told with its reasons.
constexpr double kReasonsFrom = 0.5;

}  // namespace

std::string RecoveryService::fired_key(const std::string& table, const TableTimer& t) {
  return table + "|" + t.course + "|" + std::to_string(to_ms(t.started));
}

namespace {

// What to do before the table breaches, for the reason that weighs most.
std::string suggestion_for(risk::Feature top) {
  switch (top) {
    case risk::Feature::kOrderWait: return "Take the table's order now.";
    case risk::Feature::kCourseWait:
    case risk::Feature::kKitchenLoad:
    case risk::Feature::kFiredLoad:
      return "Check the course with the pass and tell the table how long it will be.";
    case risk::Feature::kBillWait: return "Bring the bill now.";
    case risk::Feature::kLastVisitFailed:
    case risk::Feature::kGuestTier:
    case risk::Feature::kGuestFailureRate:
      return "A manager stops by the table and makes sure this visit goes right.";
    case risk::Feature::kAreaPace:
      return "Send another pair of hands to the area: its orders and bills are running slow.";
    default: return "Check on the table now.";
  }
}

}  // namespace

void RecoveryService::use_model(std::optional<risk::Model> model, std::string why_none) {
  // The same model again (a reload) keeps the flags as they are: nobody is told twice.
  const bool same = model_ && model && model_->version == model->version;
  model_ = std::move(model);
  model_off_ = model_ ? std::string() : std::move(why_none);
  if (same) return;
  risks_.clear();
  next_score_.reset();
}

void RecoveryService::score_tables(const std::vector<risk::RiskTracker::Seated>& seated,
                                   const std::vector<risk::TableFacts>& facts, Now now,
                                   Effects& fx) {
  std::map<std::string, risk::TableRisk> risks;
  next_score_.reset();
  // The Floor employee raises the flags: switched off, it says nothing.
  if (!model_ || !roster_.at(EmployeeId::kFloor).enabled) {
    risks_.clear();
    return;
  }
  for (std::size_t i = 0; i < seated.size(); ++i) {
    const TableView& t = *seated[i].table;
    const std::span<const double> x(seated[i].x);
    risk::TableRisk r;
    r.score = model_->score(x);
    const risk::Visit* visit = visits_.open_visit(t.table);
    // A table with a case is the case's now: no flag over it.
    const bool has_case = visit != nullptr && visit->first_case.has_value();
    r.flagged = !has_case && r.score >= model_->threshold;
    auto before = risks_.find(t.table);
    const risk::TableRisk* prev = before != risks_.end() ? &before->second : nullptr;
    const bool was = prev != nullptr && prev->flagged;
    // Words cost more than the score: only a table on its way to a flag gets its reasons, put
    // into words again once a minute (or as it is flagged), not on every look.
    if (r.score >= model_->threshold * kReasonsFrom) {
      // A wall clock stepped back makes the last wording "later" than now: word them again.
      const bool due = prev == nullptr || !prev->told_at || *prev->told_at > now.wall ||
                       now.wall - *prev->told_at >= kScoreEvery || (r.flagged && !was);
      if (due) {
        const std::vector<double> parts = model_->contributions(x);
        r.reasons = risk::reasons(seated[i].x, parts, facts[i], now.wall);
        r.told_at = now.wall;
        if (r.flagged) r.suggestion = suggestion_for(risk::top_reason(parts));
      } else {
        r.reasons = prev->reasons;
        r.told_at = prev->told_at;
        if (r.flagged) r.suggestion = prev->suggestion;
      }
    }
    if (r.flagged) {
      r.flagged_since = was ? prev->flagged_since : std::optional<WallTime>(now.wall);
      if (!was) {
        json::Object a;
        a.append("event", "at_risk");
        a.append("role", std::string(role_name(Role::kStaff)));
        a.append("table", t.table);
        a.append("area", t.area);
        a.append("score", r.score);
        a.append("reason", r.reasons);
        a.append("text", "Table " + t.table + " is at risk: " + r.reasons);
        a.append("recommendation", r.suggestion);
        a.append("at", format_rfc3339(now.wall));
        fx.alerts.emplace_back(std::move(a));
      }
    }
    risks.emplace(t.table, std::move(r));
  }
  risks_ = std::move(risks);
  if (!seated.empty()) next_score_ = now.mono + kScoreEvery;
}

void RecoveryService::training_due(Now now, Effects& fx) {
  const WallTime day = venue_day_start(now.wall, utc_offset_(now.wall), day_start_minutes());
  if (trained_for_ && *trained_for_ >= day) return;
  // The first day the box sees is not a new one: the host trains at start by itself.
  fx.train_model = trained_for_.has_value();
  trained_for_ = day;
  visits_changed_ = true;
}

void RecoveryService::visit_feedback(const Event& e) {
  const auto& tracker = visits_.settings();
  if (const auto* s = e.as<SurveyAnswered>(); s != nullptr && s->score <= tracker.low_survey) {
    std::string table;
    std::optional<WallTime> opened;
    if (const Case* c = s->case_id.empty() ? nullptr : cases_.find(s->case_id)) {
      table = c->subject.table;
      opened = c->opened_at;
    }
    visits_.on_feedback(s->booking, s->customer ? s->customer->id : std::string(), table, opened,
                        "survey " + std::to_string(s->score));
  } else if (const auto* r = e.as<ReviewReceived>();
             r != nullptr && r->rating <= tracker.bad_review) {
    visits_.on_feedback(r->booking, r->customer ? r->customer->id : std::string(), {}, std::nullopt,
                        "review " + std::to_string(r->rating));
  }
}

}  // namespace mend
