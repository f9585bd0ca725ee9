#include "scripts/sim/venue_player.hpp"

#include <algorithm>

#include "core/codec.hpp"

namespace mend::sim {
namespace {

constexpr std::int64_t kMonoBase = 1'000'000'000;  // the box has been up a while
constexpr std::size_t kCommitEvery = 500;
const Actor kManager{"sam", "manager"};

}  // namespace

VenuePlayer::VenuePlayer(Store* store, ServiceSettings settings, Millis utc_offset, WallTime start)
    : store_(store), offset_(utc_offset), t0_(start), now_(start) {
  codec_.venue = settings.venue_id;
  service_ = std::make_unique<RecoveryService>(std::move(settings),
                                               [offset = utc_offset](WallTime) { return offset; });
  SavedState none;
  auto restored = service_->restore({}, none, at(start), true);
  take(restored.effects, at(start));
}

Now VenuePlayer::at(WallTime w) const {
  return Now{w, mono_from_ms(kMonoBase + (w - t0_).count())};
}

void VenuePlayer::take(const Effects& fx, Now now) {
  for (const auto& id : fx.opened) {
    const Case* c = service_->cases().find(id);
    if (c == nullptr) continue;
    cases.push_back(PlayedCase{id, c->kind, c->subject.table, now.wall});
    to_resolve_.emplace_back(now.wall + resolve_after, id);
  }
  for (const auto& a : fx.alerts) {
    const json::Value* event = a.get("event");
    if (event == nullptr || event->as_string() == nullptr || *event->as_string() != "at_risk") {
      continue;
    }
    const json::Value* table = a.get("table");
    const json::Value* score = a.get("score");
    const json::Value* reason = a.get("reason");
    flags.push_back(
        PlayedFlag{*table->as_string(), now.wall, *score->as_double(), *reason->as_string()});
  }
  if (store_ == nullptr) return;
  for (const auto& v : fx.visits) store_->stage_visit(v);
  if (++since_commit_ >= kCommitEvery) commit();
}

void VenuePlayer::commit() {
  if (store_ == nullptr) return;
  SavedState s = service_->take_changed_state(at(now_), false);
  if (s.visits) store_->stage_meta("visits", json::dump(*s.visits));
  store_->commit();
  since_commit_ = 0;
}

void VenuePlayer::staff_work(Now now) {
  // Cases due to be dealt with: acknowledged and resolved, as a working floor would.
  std::vector<std::string> due;
  std::erase_if(to_resolve_, [&](const auto& r) {
    if (r.first > now.wall) return false;
    due.push_back(r.second);
    return true;
  });
  for (const auto& id : due) {
    PersonAction a;
    a.kind = PersonAction::Kind::kAcknowledge;
    a.case_id = id;
    a.by = kManager;
    a.note = "on it";
    auto ack = service_->act(a, now);
    if (auto* fx = std::get_if<Effects>(&ack)) take(*fx, now);
    const Case* c = service_->cases().find(id);
    if (c == nullptr) continue;
    a.kind = PersonAction::Kind::kResolve;
    a.version = c->version;
    a.note = "sorted";
    auto done = service_->act(a, now);
    if (auto* fx = std::get_if<Effects>(&done)) take(*fx, now);
  }
}

void VenuePlayer::advance_to(WallTime t) {
  for (;;) {
    std::optional<WallTime> due;
    if (auto d = service_->next_deadline()) due = t0_ + (*d - mono_from_ms(kMonoBase));
    for (const auto& r : to_resolve_) due = due ? std::min(*due, r.first) : r.first;
    if (!due || *due > t) break;
    // A timer fires no earlier than now, and each firing moves time on by at least 1 ms.
    WallTime when = std::max(*due, now_);
    if (ticked_ && when <= *ticked_) when = *ticked_ + Millis(1);
    if (when > t) break;
    now_ = when;
    ticked_ = when;
    const Now now = at(when);
    take(service_->on_tick(now), now);
    staff_work(now);
  }
  now_ = std::max(now_, t);
}

void VenuePlayer::play(const std::vector<Message>& messages, WallTime start_wall, WallTime until) {
  for (const auto& m : messages) {
    const WallTime when = start_wall + Millis(m.at_ms);
    advance_to(when);
    const Now now = at(when);
    auto decoded = decode(m.topic, m.payload, when, codec_);
    if (auto* e = std::get_if<Event>(&decoded)) {
      ++events;
      take(service_->on_event(*e, now), now);
    } else {
      ++refused;
    }
  }
  advance_to(until);
  commit();
}

}  // namespace mend::sim
