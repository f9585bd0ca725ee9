// Push subscriptions as the web layer sees them: the box's public key for subscribing, and a
// person's own subscriptions. Storage and the audit records are the adapter's
// (adapters/push/subscriptions.hpp); the rules for what is accepted are core/push.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/push.hpp"
#include "core/time.hpp"

namespace mend::push {

struct StoredSubscription {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string endpoint;
  WallTime created_at;
};

struct SubscribeResult {
  std::optional<StoredSubscription> subscription;
  bool created = false;  // a new row, not a renewal of this device's subscription
  std::string problem;   // why it was refused, when subscription is empty
};

class Registry {
 public:
  virtual ~Registry() = default;
  // The applicationServerKey browsers subscribe with (base64url, 65 bytes decoded).
  virtual std::string public_key() const = 0;
  // Keeps the browser's subscription for `user_id`. One endpoint is one device: subscribing it
  // again (after a key rotation in the browser, or by another person signed in on the same
  // device) replaces the row, so the device alerts only its latest subscriber. Written with
  // its audit record (`actor`) before it returns.
  virtual SubscribeResult subscribe(std::int64_t user_id, const Subscription& s, const Actor& actor,
                                    WallTime now) = 0;
  // Deletes `user_id`'s subscription with this endpoint; false when there is none.
  virtual bool unsubscribe(std::int64_t user_id, std::string_view endpoint, const Actor& actor,
                           WallTime now) = 0;
  virtual std::vector<StoredSubscription> subscriptions_of(std::int64_t user_id) = 0;

 protected:
  Registry() = default;
  Registry(const Registry&) = default;
  Registry& operator=(const Registry&) = default;
};

}  // namespace mend::push
