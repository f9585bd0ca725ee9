// From a broker message to a commit, and out again: decode, hand to the recovery service, stage
// its effects, commit in batches, then publish. See daemon.hpp.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/cloud/cloud_link.hpp"
#include "adapters/store/store.hpp"
#include "core/topics.hpp"
#include "firmware-host/mendd/daemon.hpp"
#include "web/app.hpp"
#include "web/live_hub.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

constexpr Millis kRefusalLogQuiet = 10s;  // refusals are logged once per burst
constexpr std::size_t kPruneChunk = 5000;
// The guest book's own state (bookings, seatings, checks not yet paid) can be large: it is
// written at most this often (and at shutdown), not with every batch. After a crash a check
// paid in the next minute may not find its guest; the profiles themselves are saved as rows
// with every batch.
constexpr Millis kGuestSaveEvery = 1min;

// The live feed's message type: the Concierge's briefing is not about a case.
std::string event_of(const json::Value& alert) {
  const json::Value* event = alert.get("event");
  return event != nullptr && event->as_string() != nullptr ? *event->as_string() : std::string();
}

std::string live_type(const json::Value& alert) {
  return event_of(alert) == "briefing" ? "briefing" : "alert";
}

}  // namespace

void Daemon::on_message(const MqttMessageIn& m) {
  const Now now = clock_.now();
  DecodeResult r = decode(m.topic, m.payload, m.received.wall, codec_);
  if (auto* refusal = std::get_if<Refusal>(&r)) {
    refuse(m, *refusal, now);
  } else {
    const Event& e = std::get<Event>(r);
    const bool known = known_event(e.id);
    Effects fx = known ? Effects{} : service_.on_event(e, now);
    if (known || fx.duplicate) {
      metrics_.events_duplicate.inc();
    } else {
      store_->stage_event(e, m.topic);
      stage_event_for_cloud(e, now);
      metrics_.events_received[e.type].inc();
      apply(std::move(fx), now);
    }
  }
  batch_seq_ = m.seq;
  batch_arrivals_.push_back(m.received.mono);
  link_->message_done();
  schedule_commit();
}

// A store that cannot be read right now must not stop ingestion: the engine's own memory of
// recent ids still catches a redelivery, and the commit will report the store's trouble.
bool Daemon::known_event(const std::string& id) {
  try {
    return store_->has_event(id);
  } catch (const std::exception& e) {
    spdlog::error("store: cannot check event {}: {}", id, e.what());
    return false;
  }
}

void Daemon::refuse(const MqttMessageIn& m, const Refusal& r, Now now) {
  store_->stage_dead_letter(m.topic, m.payload, r, m.received.wall);
  metrics_.events_refused[r.reason].inc();
  metrics_.dead_letters.inc();
  ++refusals_since_log_;
  if (now.mono - last_refusal_log_ >= kRefusalLogQuiet) {
    spdlog::warn("refused a payload on {}: {} ({} refused since the last report)", m.topic,
                 r.message, refusals_since_log_);
    refusals_since_log_ = 0;
    last_refusal_log_ = now.mono;
  }
}

// The service's effects are staged with the next commit; what they publish waits for it.
void Daemon::apply(Effects fx, Now now) {
  for (const auto& id : fx.cases) {
    const Case* c = service_.cases().find(id);
    if (c != nullptr) store_->stage_case(*c);
    if (!fx.publish_now) {
      to_publish_.insert(id);
    } else if (c != nullptr) {
      // The store may be unable to keep it: the people who can help hear of it now.
      publish_case(*c);
      if (hub_) hub_->publish("case", case_to_json(*c));
    }
  }
  for (const auto& id : fx.opened) {
    if (const Case* c = service_.cases().find(id)) {
      spdlog::info("case {} opened: {}", id, c->explanation.empty() ? c->reason : c->explanation);
    }
  }
  stage_for_cloud(fx, now);
  for (auto& a : fx.audit) store_->stage_audit(std::move(a));
  for (auto& e : fx.ledger) store_->stage_ledger(std::move(e));
  for (const auto& v : fx.visits) store_->stage_visit(v);
  if (fx.train_model) train_model(now);
  if (fx.erasure) {
    // Every saved part goes with the erasure's commit, so none keeps the guest's id.
    stage_state(true);
    store_->stage_erasure(std::move(*fx.erasure));
    erasing_ = true;
  }
  for (auto& a : fx.alerts) {
    if (fx.publish_now) {
      if (link_) link_->publish(topics::alerts(config_.venue.id), json::dump(a), false);
      if (hub_) hub_->publish(live_type(a), a);
      push_alerts({a});
      continue;
    }
    alerts_.push_back(json::dump(a));
    // An at-risk flag is on the tablets' floor view already (the table's risk): the bus tells
    // the venue's other systems, and no toast or push interrupts anyone for it.
    if (event_of(a) != "at_risk") live_alerts_.push_back(std::move(a));
  }
  budget_changed_ = budget_changed_ || fx.budget_changed;
  if (fx.prune_events_before) {
    prune(*fx.prune_events_before, false);
    check_space(now);
  }
  arm_deadline();
  schedule_commit();
}

void Daemon::prune(WallTime before, bool until_done) {
  try {
    std::size_t pruned = 0;
    std::size_t n = 0;
    do {
      n = store_->prune_events(before, kPruneChunk);
      pruned += n;
    } while (until_done && n == kPruneChunk);
    if (pruned > 0) spdlog::info("retention: pruned {} raw events", pruned);
  } catch (const std::exception& e) {
    spdlog::error("retention: pruning failed, will retry: {}", e.what());
  }
}

// One timer for the service's earliest deadline.
void Daemon::arm_deadline() {
  const auto deadline = service_.next_deadline();
  if (!deadline) {
    deadline_timer_.cancel();
    armed_deadline_.reset();
    return;
  }
  if (armed_deadline_ && *armed_deadline_ == *deadline) return;
  armed_deadline_ = deadline;
  deadline_timer_.expires_after(std::max(Millis{0}, *deadline - clock_.now().mono));
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    armed_deadline_.reset();
    const Now now = clock_.now();
    apply(service_.on_tick(now), now);
  });
}

// Bounded batch, bounded delay: commit now when the batch is full, else within the interval.
// While commits fail, only the retry timer commits, after a delay drawn from
// [0, min(30 s, 200 ms * 2^failures)].
void Daemon::schedule_commit() {
  const bool failing = store_failing_;
  if (!failing && store_->staged_count() >= static_cast<std::size_t>(config_.store.commit_batch)) {
    commit();
    return;
  }
  if (commit_armed_) return;
  commit_armed_ = true;
  Millis wait = config_.store.commit_interval;
  if (failing) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    wait = commit_backoff_.next(unit(rng_));
  }
  commit_timer_.expires_after(wait);
  // A cancelled wait must not touch commit_armed_: by then it may describe a newer wait.
  commit_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    commit_armed_ = false;
    commit();
  });
}

// The recovery service's saved parts go with the batch; the guest book's own state at most
// once a minute, the guests' changed profiles with every batch.
void Daemon::stage_state(bool everything) {
  const Now now = clock_.now();
  const bool guests = everything || now.mono - guests_saved_ >= kGuestSaveEvery;
  SavedState s = service_.take_changed_state(now, guests, everything);
  if (s.engine) store_->stage_engine_state(json::dump(*s.engine));
  if (s.escalation) store_->stage_meta("escalation", json::dump(*s.escalation));
  if (s.ledger) store_->stage_meta("ledger", json::dump(*s.ledger));
  if (s.employees) store_->stage_meta("employees", json::dump(*s.employees));
  if (s.summary) store_->stage_meta("summary", json::dump(*s.summary));
  if (s.learning) store_->stage_meta("learning", json::dump(*s.learning));
  if (s.briefing) store_->stage_meta("briefing", json::dump(*s.briefing));
  if (s.contributions) store_->stage_meta("contributions", json::dump(*s.contributions));
  if (s.visits) store_->stage_meta("visits", json::dump(*s.visits));
  if (s.sources) store_->stage_meta("sources", json::dump(*s.sources));
  if (s.guests) {
    store_->stage_meta("guests", json::dump(*s.guests));
    guests_saved_ = now.mono;
  }
  for (const GuestRecord& g : s.guest_records) store_->stage_guest(g);
  for (const std::string& id : s.guests_gone) store_->stage_guest_delete(id);
}

bool Daemon::commit() {
  stage_state(false);
  if (store_->staged_count() == 0) return true;
  const CommitOutcome r = store_->try_commit();
  const Now now = clock_.now();
  if (r.result == CommitResult::kRetry) {
    // Staged work stays staged; nothing is released or published.
    metrics_.store_commit_failures.inc();
    report_commit(r.error, now);
    if (!store_failing_) {
      store_failing_ = true;
      store_why_ = r.disk_full() ? "the disk is full" : r.error;
      storage_changed(now);
    }
    if (commit_armed_) {
      commit_timer_.cancel();
      commit_armed_ = false;
    }
    schedule_commit();
    return false;
  }
  report_commit("ok", now);
  commit_backoff_.reset();
  if (erasing_) {
    erasing_ = false;
    if (r.stats.wal_truncated) {
      spdlog::info("store: guest erased: {} rows renamed or deleted, write-ahead log truncated",
                   r.stats.erased);
    } else {
      spdlog::warn(
          "store: guest erased: {} rows renamed or deleted; a reader kept the "
          "write-ahead log from being truncated, so old pages stay in it until the next "
          "checkpoint",
          r.stats.erased);
    }
  }
  if (store_failing_ || !storage_told_) {
    store_failing_ = false;
    storage_changed(now);
  }
  metrics_.store_commits.inc();
  for (MonoTime arrived : batch_arrivals_) {
    metrics_.ingest_commit_seconds.observe(
        std::chrono::duration<double>(now.mono - arrived).count());
  }
  batch_arrivals_.clear();
  if (batch_seq_ > 0) link_->release(batch_seq_);
  publish_after_commit();
  // Everything staged is in: the pending tick has nothing left to do. Clearing the flag now (not
  // in the cancelled handler) lets the next message arm a fresh tick at once.
  if (commit_armed_) {
    commit_timer_.cancel();
    commit_armed_ = false;
  }
  return true;
}

void Daemon::publish_after_commit() {
  for (const auto& id : to_publish_) {
    if (const Case* c = service_.cases().find(id)) {
      publish_case(*c);
      if (hub_) hub_->publish("case", case_to_json(*c));
    }
  }
  to_publish_.clear();
  publish_floor();
  const std::string alerts_topic = topics::alerts(config_.venue.id);
  for (const auto& payload : alerts_) link_->publish(alerts_topic, payload, false);
  alerts_.clear();
  push_alerts(live_alerts_);
  if (hub_) {
    for (const auto& a : live_alerts_) hub_->publish(live_type(a), a);
    if (budget_changed_) hub_->publish("budget", service_.budget(clock_.now()));
  }
  live_alerts_.clear();
  budget_changed_ = false;
  if (cloud_) {
    check_outbox(clock_.now());
    cloud_->kick();
  }
}

void Daemon::publish_case(const Case& c) {
  if (!link_) return;  // not connected yet: on_link_up publishes every open case
  // A closed case leaves the retained topic: an empty retained payload deletes it.
  link_->publish(topics::case_state(config_.venue.id, c.id),
                 c.status == CaseStatus::kClosed ? std::string() : json::dump(case_to_json(c)),
                 true);
}

// The floor goes to the live feed when it changed, not on every commit.
void Daemon::publish_floor() {
  if (!hub_) return;
  json::Value floor = web::floor_to_json(service_.tables(), service_.cases(), clock_.now().wall,
                                         &service_.guests(), &service_.risks());
  const json::Value* tables = floor.get("tables");
  std::string text = tables != nullptr ? json::dump(*tables) : std::string();
  if (text == last_floor_) return;
  last_floor_ = std::move(text);
  hub_->publish("floor", floor);
}

bool Daemon::store_writable() {
  if (unwritable_) return false;
  const MonoTime now = clock_.now().mono;
  if (now - writable_checked_ >= 1s) {
    writable_ = store_->writable();
    writable_checked_ = now;
  }
  return writable_;
}

}  // namespace mend
