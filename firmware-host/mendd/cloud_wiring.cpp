// The cloud link's wiring: what goes into the outbox, and the link that empties it. With
// [cloud] off nothing is kept for it (the outbox would only grow).
#include <spdlog/spdlog.h>

#include "adapters/cloud/cloud_link.hpp"
#include "adapters/store/store.hpp"
#include "core/topics.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {

void Daemon::start_cloud() {
  if (!config_.cloud.enabled) return;
  CloudLink::Handlers h;
  h.read = [this](std::int64_t after, std::size_t limit) -> std::vector<OutboxRow> {
    try {
      return store_->outbox_after(after, limit);
    } catch (const std::exception& e) {
      spdlog::error("cloud: cannot read the outbox: {}", e.what());
      return {};
    }
  };
  h.acked = [this](std::int64_t id) {
    store_->stage_outbox_delete(id);
    schedule_commit();
  };
  h.on_state = [this](bool up, const std::string& why) {
    metrics_.cloud_connected.set(up ? 1 : 0);
    if (up) {
      spdlog::info("cloud {}: connected; sending the outbox", config_.cloud.url);
    } else {
      spdlog::warn("cloud {}: {}; reconnecting", config_.cloud.url, why);
    }
  };
  cloud_ = std::make_unique<CloudLink>(io_, config_.cloud, config_.venue.id, std::move(h));
  cloud_->start();
}

void Daemon::stage_for_cloud(const Effects& fx, Now now) {
  if (!cloud_) return;
  for (const auto& o : fx.outbox) store_->stage_outbox(o.topic, o.payload, now.wall);
  for (const auto& id : fx.cases) {
    if (const Case* c = service_.cases().find(id)) {
      store_->stage_outbox(topics::case_state(config_.venue.id, id), json::dump(case_to_json(*c)),
                           now.wall);
    }
  }
  for (const auto& a : fx.audit) {
    json::Object o;
    o.append("at", format_rfc3339(a.at));
    o.append("actor", a.actor);
    o.append("role", a.role);
    o.append("action", a.action);
    o.append("target", a.target);
    o.append("detail", a.detail);
    store_->stage_outbox(topics::audit(config_.venue.id), json::dump(json::Value(std::move(o))),
                         now.wall);
  }
}

void Daemon::stage_event_for_cloud(const Event& e, Now now) {
  if (!cloud_ || !config_.cloud.events) return;
  store_->stage_outbox(topics::events(config_.venue.id), json::dump(event_to_json(e)), now.wall);
}

}  // namespace mend
