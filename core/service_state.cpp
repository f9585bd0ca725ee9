// The recovery service's saved state: restored at start, and what changed taken for the store.
#include "core/service.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mend {

namespace {

// A saved part that is one time: {"<key>": RFC 3339}.
std::optional<std::string> saved_time(const json::Value& v, const char* key,
                                      std::optional<WallTime>& out) {
  const json::Value* t = v.get(key);
  const auto parsed =
      t != nullptr && t->as_string() != nullptr ? parse_rfc3339(*t->as_string()) : std::nullopt;
  if (!parsed) return "no \"" + std::string(key) + "\" time";
  out = parsed;
  return std::nullopt;
}

}  // namespace

RecoveryService::Restored RecoveryService::restore(std::vector<Case> open_cases,
                                                   const SavedState& saved, Now now,
                                                   bool same_boot) {
  latest_ = now;
  Restored r;
  for (auto& c : open_cases) cases_.load(std::move(c));
  if (saved.engine) {
    if (auto err = engine_.restore(EngineState{*saved.engine}, now, same_boot)) {
      throw std::runtime_error("the engine state cannot be restored: " + *err);
    }
  }
  // The recovery's memory is worth keeping but not worth refusing to start over.
  const auto part = [&](const char* name, const std::optional<json::Value>& v, auto restore_fn) {
    if (!v) return;
    if (auto err = restore_fn(*v)) {
      r.warnings.push_back(std::string(name) + " not restored, starting it afresh: " + *err);
    }
  };
  if (saved.guests || !saved.guest_records.empty()) {
    // Records without the book's state (it is saved less often) still come back.
    json::Object empty;
    empty.append("version", 2);
    empty.append("bookings", json::Array{});
    const json::Value state = saved.guests ? *saved.guests : json::Value(std::move(empty));
    if (auto err = guests_.restore(state, saved.guest_records)) {
      r.warnings.push_back("guests not restored, starting afresh: " + *err);
    }
  }
  part("escalation", saved.escalation,
       [&](const json::Value& v) { return escalator_.restore(v, now, same_boot); });
  part("ledger", saved.ledger, [&](const json::Value& v) { return ledger_.restore(v); });
  part("employees", saved.employees, [&](const json::Value& v) -> std::optional<std::string> {
    auto o = overrides_from_json(v);
    if (!o) return std::string("not a set of employee changes");
    overrides_ = *o;
    staff();
    return std::nullopt;
  });
  part("summary", saved.summary,
       [&](const json::Value& v) { return saved_time(v, "through", summary_through_); });
  part("learning", saved.learning, [&](const json::Value& v) { return learning_.restore(v); });
  part("briefing", saved.briefing,
       [&](const json::Value& v) { return saved_time(v, "shift", briefed_for_); });
  if (saved.visits || !saved.visit_rows.empty()) {
    json::Object none;
    none.append("history", json::Object{});
    none.append("guests", json::Object{});
    const json::Value state = saved.visits ? *saved.visits : json::Value(std::move(none));
    if (auto err = visits_.restore(state, saved.visit_rows)) {
      r.warnings.push_back("table visits not restored, starting afresh: " + *err);
    }
    if (const json::Value* t = state.get("trained_for"); t != nullptr && t->as_int()) {
      trained_for_ = wall_from_ms(*t->as_int());
    }
  }
  if (saved.sources) sources_.restore(*saved.sources);
  // The ledger's entries are the store's own record: a gap in them is a broken store (throws).
  contributions_.restore(saved.ledger_entries,
                         saved.contributions ? &*saved.contributions : nullptr);
  engine_changed_ = true;
  recovery_changed_ = true;
  count_open();
  // Whatever became due while the daemon was down happens now.
  r.effects = on_tick(now);
  return r;
}

SavedState RecoveryService::take_changed_state(Now now, bool guests, bool everything) {
  SavedState s;
  if (engine_changed_ || everything) s.engine = engine_.export_state(now).data;
  if (recovery_changed_ || everything) {
    s.escalation = escalator_.export_state(now);
    s.ledger = ledger_.export_state();
  }
  if ((guests_changed_ && guests) || everything) s.guests = guests_.export_state();
  // Rows are in the store already: only the changed ones go (all of them after reading a
  // version 1 state, which kept the guests in the state itself).
  GuestChanges rows = guests_.take_changes();
  s.guest_records = std::move(rows.changed);
  s.guests_gone = std::move(rows.gone);
  if (employees_changed_ || everything) s.employees = overrides_to_json(overrides_);
  employees_changed_ = false;
  if ((summary_changed_ || everything) && summary_through_) {
    json::Object o;
    o.append("through", format_rfc3339(*summary_through_));
    s.summary = json::Value(std::move(o));
  }
  summary_changed_ = false;
  if ((briefing_changed_ || everything) && briefed_for_) {
    json::Object o;
    o.append("shift", format_rfc3339(*briefed_for_));
    s.briefing = json::Value(std::move(o));
  }
  briefing_changed_ = false;
  if (contributions_changed_ || everything) s.contributions = contributions_.save();
  contributions_changed_ = false;
  if (visits_changed_ || everything) {
    json::Value state = visits_.export_state();
    if (trained_for_) state.as_object()->set("trained_for", to_ms(*trained_for_));
    s.visits = std::move(state);
  }
  visits_changed_ = false;
  if (sources_changed_ || everything) s.sources = sources_.to_json();
  sources_changed_ = false;
  if (learning_changed_ || everything) s.learning = learning_.export_state();
  learning_changed_ = false;
  engine_changed_ = engine_changed_ && !s.engine;
  recovery_changed_ = recovery_changed_ && !s.escalation;
  guests_changed_ = guests_changed_ && !s.guests;
  return s;
}

}  // namespace mend
