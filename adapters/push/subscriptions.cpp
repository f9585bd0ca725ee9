#include "adapters/push/subscriptions.hpp"

#include "adapters/push/crypto.hpp"

namespace mend::push {
namespace {

// The audit log names the push service, not the endpoint: an endpoint is a capability for
// sending to that device and stays in its own table.
std::string service_of(std::string_view endpoint) {
  const auto e = parse_endpoint(endpoint);
  return e ? e->origin : std::string();
}

AuditRecord audit(const Actor& actor, WallTime now, std::string action, std::int64_t id,
                  std::int64_t user_id, std::string_view endpoint) {
  json::Object detail;
  detail.append("user", "user:" + std::to_string(user_id));
  detail.append("service", service_of(endpoint));
  return AuditRecord{now,
                     actor.id,
                     actor.role,
                     std::move(action),
                     "push_subscription:" + std::to_string(id),
                     json::Value(std::move(detail))};
}

}  // namespace

struct Subscriptions::Statements {
  explicit Statements(sqlite::Db& db)
      : by_endpoint(db, "SELECT id, user_id FROM push_subscriptions WHERE endpoint = ?1"),
        insert(db,
               "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at) "
               "VALUES (?1, ?2, ?3, ?4, ?5)"),
        replace(db,
                "UPDATE push_subscriptions SET user_id = ?2, p256dh = ?3, auth = ?4, "
                "created_at = ?5 WHERE id = ?1"),
        remove(db, "DELETE FROM push_subscriptions WHERE id = ?1"),
        of_user(db,
                "SELECT id, user_id, endpoint, created_at FROM push_subscriptions "
                "WHERE user_id = ?1 ORDER BY id"),
        recipients(db,
                   "SELECT p.id, p.user_id, u.role, p.endpoint, p.p256dh, p.auth "
                   "FROM push_subscriptions p JOIN users u ON u.id = p.user_id "
                   "WHERE u.disabled = 0 ORDER BY p.id"),
        by_id(db, "SELECT user_id, endpoint FROM push_subscriptions WHERE id = ?1") {}
  sqlite::Stmt by_endpoint;
  sqlite::Stmt insert;
  sqlite::Stmt replace;
  sqlite::Stmt remove;
  sqlite::Stmt of_user;
  sqlite::Stmt recipients;
  sqlite::Stmt by_id;
};

Subscriptions::Subscriptions(Store& store, const VapidKey& key)
    : store_(store), key_(key), st_(std::make_unique<Statements>(store.db())) {}

Subscriptions::~Subscriptions() = default;

std::string Subscriptions::public_key() const { return key_.public_key_base64url(); }

SubscribeResult Subscriptions::subscribe(std::int64_t user_id, const Subscription& s,
                                         const Actor& actor, WallTime now) {
  if (auto why = check_subscription(s)) return {std::nullopt, false, *why};
  if (!crypto::public_key_from_raw(base64url_decode(s.p256dh).value_or(""))) {
    return {std::nullopt, false, "keys.p256dh is not a point on P-256"};
  }
  SubscribeResult r;
  r.created = true;
  store_.write_now([&](sqlite::Db& db) {
    std::int64_t id = 0;
    {
      sqlite::Query q(st_->by_endpoint);
      q.bind(1, std::string_view(s.endpoint));
      if (q.step()) {
        id = q.int64(0);
        r.created = false;
      }
    }
    if (r.created) {
      sqlite::Query(st_->insert)
          .bind(1, user_id)
          .bind(2, std::string_view(s.endpoint))
          .bind(3, std::string_view(s.p256dh))
          .bind(4, std::string_view(s.auth))
          .bind(5, to_ms(now))
          .run();
      id = db.last_insert_rowid();
    } else {
      sqlite::Query(st_->replace)
          .bind(1, id)
          .bind(2, user_id)
          .bind(3, std::string_view(s.p256dh))
          .bind(4, std::string_view(s.auth))
          .bind(5, to_ms(now))
          .run();
    }
    r.subscription = StoredSubscription{id, user_id, s.endpoint, now};
    return std::vector<AuditRecord>{
        audit(actor, now, r.created ? "push.subscribe" : "push.renew", id, user_id, s.endpoint)};
  });
  return r;
}

bool Subscriptions::unsubscribe(std::int64_t user_id, std::string_view endpoint, const Actor& actor,
                                WallTime now) {
  std::int64_t id = 0;
  {
    sqlite::Query q(st_->by_endpoint);
    q.bind(1, endpoint);
    if (!q.step() || q.int64(1) != user_id) return false;
    id = q.int64(0);
  }
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->remove).bind(1, id).run();
    return std::vector<AuditRecord>{audit(actor, now, "push.unsubscribe", id, user_id, endpoint)};
  });
  return true;
}

std::vector<StoredSubscription> Subscriptions::subscriptions_of(std::int64_t user_id) {
  std::vector<StoredSubscription> out;
  sqlite::Query q(st_->of_user);
  q.bind(1, user_id);
  while (q.step()) {
    out.push_back(StoredSubscription{q.int64(0), q.int64(1), q.text(2), wall_from_ms(q.int64(3))});
  }
  return out;
}

std::vector<Recipient> Subscriptions::recipients() {
  std::vector<Recipient> out;
  sqlite::Query q(st_->recipients);
  while (q.step()) {
    const auto role = parse_role(q.text(2));
    if (!role) continue;
    out.push_back(
        Recipient{q.int64(0), q.int64(1), *role, Subscription{q.text(3), q.text(4), q.text(5)}});
  }
  return out;
}

bool Subscriptions::remove_gone(std::int64_t id, int status, WallTime now) {
  std::int64_t user_id = 0;
  std::string endpoint;
  {
    sqlite::Query q(st_->by_id);
    q.bind(1, id);
    if (!q.step()) return false;
    user_id = q.int64(0);
    endpoint = q.text(1);
  }
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->remove).bind(1, id).run();
    AuditRecord a = audit(kSystemActor, now, "push.gone", id, user_id, endpoint);
    if (json::Object* o = a.detail.as_object())
      o->append("status", static_cast<std::int64_t>(status));
    return std::vector<AuditRecord>{std::move(a)};
  });
  return true;
}

}  // namespace mend::push
