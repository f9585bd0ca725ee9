// Push subscriptions in the SQLite store (table push_subscriptions), with the box's VAPID key.
//
// Like staff accounts, every change is written at once with its audit record
// (Store::write_now), not staged for the daemon's batch: "alerts on" on the phone must already
// be on disk. Who gets a push is read at send time, joined with the account, so a
// subscription follows its owner's current role and ends with a disabled account.
//
// Not thread-safe: one owner thread, like the Store. Destroy before the Store (it holds
// statements on the store's connection).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/push/vapid.hpp"
#include "adapters/store/store.hpp"
#include "core/push_registry.hpp"
#include "core/roles.hpp"

namespace mend::push {

// A subscription as the sender needs it, with its owner's role now.
struct Recipient {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  Role role = Role::kStaff;
  Subscription subscription;
};

class Subscriptions : public Registry {
 public:
  Subscriptions(Store& store, const VapidKey& key);
  ~Subscriptions() override;
  Subscriptions(const Subscriptions&) = delete;
  Subscriptions& operator=(const Subscriptions&) = delete;

  std::string public_key() const override;
  // Refuses what check_subscription refuses, and a p256dh that is not a point on P-256.
  SubscribeResult subscribe(std::int64_t user_id, const Subscription& s, const Actor& actor,
                            WallTime now) override;
  bool unsubscribe(std::int64_t user_id, std::string_view endpoint, const Actor& actor,
                   WallTime now) override;
  std::vector<StoredSubscription> subscriptions_of(std::int64_t user_id) override;

  // Every subscription of an enabled account, with the account's role.
  std::vector<Recipient> recipients();
  // The push service said the subscription is gone (404, 410): deleted, with an audit record
  // by the box itself. False when it was already deleted.
  bool remove_gone(std::int64_t id, int status, WallTime now);

 private:
  struct Statements;
  Store& store_;
  const VapidKey& key_;
  std::unique_ptr<Statements> st_;
};

}  // namespace mend::push
