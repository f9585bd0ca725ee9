// Web Push's wiring: the box's VAPID key, the subscriptions in the store, and the sender on the
// daemon's executor. Alerts go out after their commit, like every other publish; who of the
// subscribers gets one is the core's rule (push::alert_reaches), read with each person's
// current role. With [push] off none of this exists and the API says so.
#include <spdlog/spdlog.h>

#include <filesystem>

#include "adapters/push/push_sender.hpp"
#include "adapters/push/subscriptions.hpp"
#include "adapters/push/vapid.hpp"
#include "adapters/store/store.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {
namespace {

push::SenderOptions sender_options(const Config& c) {
  push::SenderOptions o;
  o.queue = static_cast<std::size_t>(c.push.queue);
  o.subject = c.push.subject;
  o.ttl = c.push.ttl;
  return o;
}

}  // namespace

void Daemon::start_push() {
  if (!config_.push.enabled) return;
  const std::filesystem::path dir =
      std::filesystem::path(config_.store.path).parent_path() / "push";
  bool created = false;
  vapid_ = std::make_unique<push::VapidKey>(push::VapidKey::load_or_create(dir, &created));
  spdlog::info("push: VAPID key {} ({}), public key {}", (dir / push::kVapidKeyFile).string(),
               created ? "made now" : "kept", vapid_->public_key_base64url());
  if (config_.push.subject.empty()) {
    spdlog::warn(
        "push: push.subject is not set; Apple's push service refuses alerts without a "
        "contact (mailto: or https://)");
  }
  subscriptions_ = std::make_unique<push::Subscriptions>(*store_, *vapid_);
  push_sender_ = std::make_unique<push::PushSender>(
      io_, sender_options(config_), *vapid_, metrics_, clock_, [this](std::int64_t id, int status) {
        try {
          subscriptions_->remove_gone(id, status, clock_.now().wall);
        } catch (const std::exception& e) {
          spdlog::warn("push: cannot delete subscription {}: {}", id, e.what());
        }
      });
}

void Daemon::push_alerts(const std::vector<json::Value>& alerts) {
  if (!push_sender_ || alerts.empty()) return;
  std::vector<push::Recipient> recipients;
  try {
    recipients = subscriptions_->recipients();
  } catch (const std::exception& e) {
    spdlog::warn("push: cannot read the subscriptions: {}", e.what());
    return;
  }
  const auto& quiet = service_.settings().recovery.escalation.quiet_floor;
  for (const auto& a : alerts) {
    for (const auto& r : recipients) {
      if (!push::alert_reaches(a, r.role, quiet)) continue;
      push_sender_->enqueue(push::PushMessage{r.id, r.subscription,
                                              push::notification_payload(a, config_.venue.name),
                                              push::alert_severity(a)});
    }
  }
}

void Daemon::reload_push() {
  if (push_sender_) push_sender_->update(sender_options(config_));
}

}  // namespace mend
