#include "core/escalation.hpp"

#include <algorithm>
#include <utility>

#include "core/words.hpp"

namespace mend {

namespace {

constexpr int kStateVersion = 1;
// Bounds the relative times a restore accepts (about 1000 days), so a corrupt state cannot
// overflow the clock arithmetic.
constexpr std::int64_t kMaxSpanMs = std::int64_t{1000} * 24 * 60 * 60 * 1000;

// "3 min" for whole minutes, as staff read it on a phone; the compact form otherwise.
const std::string* str_at(const json::Value& o, std::string_view key) {
  const json::Value* v = o.get(key);
  return v != nullptr ? v->as_string() : nullptr;
}

std::optional<std::int64_t> int_at(const json::Value& o, std::string_view key) {
  const json::Value* v = o.get(key);
  if (v == nullptr) return std::nullopt;
  auto i = v->as_int();
  if (!i || *i > kMaxSpanMs || *i < -kMaxSpanMs) return std::nullopt;
  return i;
}

}  // namespace

std::vector<std::string> EscalationConfig::validate() const {
  std::vector<std::string> errors;
  if (ladder.empty()) errors.emplace_back("escalation ladder is empty");
  for (std::size_t i = 0; i < ladder.size(); ++i) {
    const EscalationStage& s = ladder[i];
    const std::string name = "escalation stage " + std::to_string(i + 1);
    if (s.role.empty()) errors.push_back(name + " has no role");
    if (s.after < Millis{0}) {
      errors.push_back(name + " (" + s.role + ") has a negative delay");
    } else if (i > 0 && s.after < ladder[i - 1].after) {
      errors.push_back(name + " (" + s.role + ") at " + format_duration(s.after) +
                       " comes before stage " + std::to_string(i) + " (" + ladder[i - 1].role +
                       ") at " + format_duration(ladder[i - 1].after));
    }
  }
  if (repeat < Millis{0}) errors.emplace_back("escalation repeat is negative");
  return errors;
}

Escalator::Escalator(EscalationConfig config) : config_(std::move(config)) {}

void Escalator::update_config(EscalationConfig config) {
  config_ = std::move(config);
  for (auto& [id, l] : ladders_) reschedule(id, l);
}

MonoTime Escalator::clamp(MonoTime now) {
  latest_ = std::max(latest_, now);
  return latest_;
}

// The next stage is the first whose delay is past the last one processed, so a new config's
// stages slot into a running ladder; after the last stage, reminders keep to a fixed grid.
std::optional<MonoTime> Escalator::due_of(const Ladder& l) const {
  const auto& ladder = config_.ladder;
  if (l.ack || ladder.empty()) return std::nullopt;
  for (const EscalationStage& s : ladder) {
    if (s.after > l.climbed) return l.opened + s.after;
  }
  if (config_.repeat <= Millis{0}) return std::nullopt;
  const MonoTime base = l.opened + ladder.back().after;
  const std::int64_t n = l.last_step < base ? 1 : (l.last_step - base) / config_.repeat + 1;
  return base + n * config_.repeat;
}

void Escalator::unschedule(Ladder& l) {
  if (l.scheduled) schedule_.erase(*l.scheduled);
  l.scheduled.reset();
}

void Escalator::reschedule(const std::string& case_id, Ladder& l) {
  unschedule(l);
  if (auto due = due_of(l)) {
    const Key key{*due, l.seq};
    schedule_.emplace(key, case_id);
    l.scheduled = key;
  }
}

// Processes what due_of() says is next; the caller has checked it is due by `now`.
void Escalator::step(const std::string& case_id, Ladder& l, MonoTime now,
                     std::vector<Notification>& out) {
  const auto& ladder = config_.ladder;
  for (std::size_t s = 0; s < ladder.size(); ++s) {
    if (ladder[s].after <= l.climbed) continue;
    // Stages sharing a delay are told together.
    const Millis at = ladder[s].after;
    for (std::size_t i = s; i < ladder.size() && ladder[i].after == at; ++i) {
      notify(case_id, l, i, false, at, out);
    }
    l.climbed = at;
    l.last_step = l.opened + at;
    return;
  }
  // A reminder. Ones a late tick missed are folded into this one, and the next lands on the
  // grid after `now`.
  const MonoTime base = l.opened + ladder.back().after;
  l.last_step = base + ((now - base) / config_.repeat) * config_.repeat;
  notify(case_id, l, ladder.size() - 1, true, l.last_step - l.opened, out);
}

void Escalator::notify(const std::string& case_id, const Ladder& l, std::size_t stage, bool repeat,
                       Millis elapsed, std::vector<Notification>& out) const {
  const EscalationStage& s = config_.ladder[stage];
  auto floor = config_.quiet_floor.find(s.role);
  if (floor != config_.quiet_floor.end() && l.severity < floor->second) return;
  std::string reason = repeat ? "still unacknowledged after " + words::minutes_or_compact(elapsed)
                       : elapsed.count() == 0
                           ? std::string("opened")
                           : "unacknowledged for " + words::minutes_or_compact(elapsed);
  out.push_back(Notification{case_id, s.role, static_cast<int>(stage), repeat, l.severity,
                             std::move(reason)});
}

std::vector<Notification> Escalator::open(const std::string& case_id, Severity severity,
                                          MonoTime now) {
  now = clamp(now);
  std::vector<Notification> out;
  auto [it, inserted] = ladders_.try_emplace(case_id);
  if (!inserted) return out;
  Ladder& l = it->second;
  l.seq = next_seq_++;
  l.severity = severity;
  l.opened = now;
  l.last_step = now;
  for (auto due = due_of(l); due && *due <= now; due = due_of(l)) step(it->first, l, now, out);
  reschedule(it->first, l);
  return out;
}

void Escalator::raise(const std::string& case_id, Severity severity) {
  auto it = ladders_.find(case_id);
  if (it != ladders_.end() && severity > it->second.severity) it->second.severity = severity;
}

bool Escalator::acknowledge(const std::string& case_id, const std::string& by,
                            const std::string& role, WallTime at_wall, MonoTime now) {
  now = clamp(now);
  auto it = ladders_.find(case_id);
  if (it == ladders_.end() || it->second.ack) return false;
  Ladder& l = it->second;
  unschedule(l);
  l.ack = Acknowledgement{by, role, at_wall, std::max(Millis{0}, now - l.opened)};
  return true;
}

void Escalator::close(const std::string& case_id) {
  auto it = ladders_.find(case_id);
  if (it == ladders_.end()) return;
  unschedule(it->second);
  ladders_.erase(it);
}

std::vector<Notification> Escalator::on_tick(MonoTime now) {
  now = clamp(now);
  std::vector<Notification> out;
  // Each step moves its ladder's next due time forward, so a ladder with several overdue
  // stages goes back into the queue and comes out again in time order with the others.
  while (!schedule_.empty() && schedule_.begin()->first.first <= now) {
    auto node = schedule_.extract(schedule_.begin());
    auto it = ladders_.find(node.mapped());
    Ladder& l = it->second;
    l.scheduled.reset();
    step(it->first, l, now, out);
    reschedule(it->first, l);
  }
  return out;
}

std::optional<MonoTime> Escalator::next_deadline() const {
  if (schedule_.empty()) return std::nullopt;
  return schedule_.begin()->first.first;
}

std::optional<Acknowledgement> Escalator::acknowledgement(const std::string& case_id) const {
  auto it = ladders_.find(case_id);
  if (it == ladders_.end()) return std::nullopt;
  return it->second.ack;
}

std::size_t Escalator::active() const {
  return static_cast<std::size_t>(std::count_if(
      ladders_.begin(), ladders_.end(), [](const auto& entry) { return !entry.second.ack; }));
}

// Monotonic instants are written relative to the export's own monotonic time, so a restore
// only has to add the new `now` (and any downtime) to place them again. Cases go out in open
// order, which a restore keeps for ties.
json::Value Escalator::export_state(Now now) const {
  const MonoTime at = std::max(now.mono, latest_);
  const auto rel = [&](MonoTime t) { return (t - at).count(); };
  std::vector<std::pair<const std::string*, const Ladder*>> order;
  order.reserve(ladders_.size());
  for (const auto& [id, l] : ladders_) order.emplace_back(&id, &l);
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.second->seq < b.second->seq; });

  json::Array cases;
  cases.reserve(order.size());
  for (const auto& [id, l] : order) {
    json::Object o;
    o.append("id", *id);
    o.append("severity", severity_name(l->severity));
    o.append("opened", rel(l->opened));
    o.append("climbed", l->climbed.count());
    o.append("last_step", rel(l->last_step));
    if (l->ack) {
      json::Object a;
      a.append("by", l->ack->by);
      a.append("role", l->ack->role);
      a.append("at", to_ms(l->ack->at));
      a.append("after", l->ack->after.count());
      o.append("ack", std::move(a));
    }
    cases.emplace_back(std::move(o));
  }
  json::Object root;
  root.append("version", kStateVersion);
  root.append("exported_wall", to_ms(now.wall));
  root.append("exported_mono", to_ms(at));
  root.append("cases", std::move(cases));
  return json::Value(std::move(root));
}

std::optional<std::string> Escalator::restore(const json::Value& state, Now now, bool same_boot) {
  if (!state.is_object()) return std::string("escalation state is not an object");
  const json::Value* version = state.get("version");
  if (version == nullptr || version->as_int() != kStateVersion) {
    return std::string("escalation state is not version ") + std::to_string(kStateVersion);
  }
  const json::Value* exported_wall = state.get("exported_wall");
  const json::Value* exported_mono = state.get("exported_mono");
  const json::Value* cases = state.get("cases");
  if (exported_wall == nullptr || !exported_wall->is_int() || exported_mono == nullptr ||
      !exported_mono->is_int() || cases == nullptr || !cases->is_array()) {
    return std::string("escalation state lacks exported_wall, exported_mono or cases");
  }
  // Where the export's monotonic "now" sits on today's clock: exactly where it was within one
  // boot; after a reboot, as long ago as the wall clock says (never in the future).
  MonoTime base = mono_from_ms(*exported_mono->as_int());
  if (!same_boot || base > now.mono) {
    Millis downtime = now.wall - wall_from_ms(*exported_wall->as_int());
    if (downtime < Millis{0}) downtime = Millis{0};
    base = now.mono - downtime;
  }

  std::map<std::string, Ladder> ladders;
  std::uint64_t seq = 0;
  for (const json::Value& o : *cases->as_array()) {
    const std::string* id = str_at(o, "id");
    if (id == nullptr || id->empty()) return std::string("escalation state has a case without id");
    const std::string* sev_name = str_at(o, "severity");
    auto severity = sev_name != nullptr ? severity_from_name(*sev_name) : std::nullopt;
    auto opened = int_at(o, "opened");
    auto climbed = int_at(o, "climbed");
    auto last_step = int_at(o, "last_step");
    if (!severity || !opened || !climbed || !last_step) {
      return "escalation state has a malformed case '" + *id + "'";
    }
    Ladder l;
    l.seq = seq++;
    l.severity = *severity;
    l.opened = base + Millis{*opened};
    l.climbed = Millis{*climbed};
    l.last_step = base + Millis{*last_step};
    if (const json::Value* a = o.get("ack"); a != nullptr) {
      const std::string* by = str_at(*a, "by");
      const std::string* role = str_at(*a, "role");
      const json::Value* at = a->get("at");
      auto after = int_at(*a, "after");
      if (by == nullptr || role == nullptr || at == nullptr || !at->is_int() || !after) {
        return "escalation state has a malformed acknowledgement on '" + *id + "'";
      }
      l.ack = Acknowledgement{*by, *role, wall_from_ms(*at->as_int()), Millis{*after}};
    }
    if (!ladders.emplace(*id, std::move(l)).second) {
      return "escalation state has case '" + *id + "' twice";
    }
  }

  ladders_ = std::move(ladders);
  schedule_.clear();
  next_seq_ = seq;
  latest_ = now.mono;
  for (auto& [id, l] : ladders_) reschedule(id, l);
  return std::nullopt;
}

}  // namespace mend
