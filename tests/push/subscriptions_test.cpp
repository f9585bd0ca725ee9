// Push subscriptions over a real SQLite file: one row per device, owned by a person, each
// change on disk with its audit record, and the recipients read with each owner's current role.
#include "adapters/push/subscriptions.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "adapters/auth/users.hpp"
#include "adapters/push/crypto.hpp"
#include "adapters/store/store.hpp"

namespace mend::push {
namespace {

namespace fs = std::filesystem;

constexpr WallTime kT0 = wall_from_ms(1'790'000'000'000);

Subscription device(const std::string& endpoint) {
  const auto key = crypto::generate_p256();
  return Subscription{endpoint, base64url_encode(crypto::raw_public_key(key.get())),
                      base64url_encode(crypto::random_bytes(16))};
}

class SubscriptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("mend_push_test_" + std::to_string(rd()));
    fs::create_directories(dir_);
    store_ = Store::open(StoreOptions{(dir_ / "mend.db").string(), true});
    auth::AuthOptions o;
    o.pin_hash = auth::PinHashParams::fastest();
    users_ = std::make_unique<auth::Users>(*store_, o);
    subs_ = std::make_unique<Subscriptions>(*store_, key_);
    sam_ = add("Sam", Role::kManager);
    alex_ = add("Alex", Role::kAdmin);
  }
  void TearDown() override {
    subs_.reset();
    users_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  std::int64_t add(const std::string& name, Role role) {
    auto r = users_->create_user(name, role, "583920", auth::Actor::system("test"), kT0);
    EXPECT_TRUE(r.ok()) << r.problem.message;
    return r.value->id;
  }
  static Actor as(std::int64_t id, const std::string& role) {
    return Actor{"user:" + std::to_string(id), role};
  }

  fs::path dir_;
  VapidKey key_ = VapidKey::generate();
  std::unique_ptr<Store> store_;
  std::unique_ptr<auth::Users> users_;
  std::unique_ptr<Subscriptions> subs_;
  std::int64_t sam_ = 0;
  std::int64_t alex_ = 0;
};

TEST_F(SubscriptionsTest, ADeviceIsOneRowThatFollowsItsLatestSubscriber) {
  EXPECT_EQ(subs_->public_key(), key_.public_key_base64url());
  const Subscription phone = device("https://push.example.net/p/1");
  auto r = subs_->subscribe(sam_, phone, as(sam_, "manager"), kT0);
  ASSERT_TRUE(r.subscription) << r.problem;
  EXPECT_TRUE(r.created);
  auto again = subs_->subscribe(sam_, device(phone.endpoint), as(sam_, "manager"), kT0);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.subscription->id, r.subscription->id);
  // Alex signs in on Sam's phone and turns alerts on: the phone is Alex's now.
  EXPECT_FALSE(subs_->subscribe(alex_, phone, as(alex_, "admin"), kT0).created);
  EXPECT_TRUE(subs_->subscriptions_of(sam_).empty());
  ASSERT_EQ(subs_->subscriptions_of(alex_).size(), 1u);
  const auto rows = store_->audit(10);
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0].action, "push.renew");
  EXPECT_EQ(rows[0].actor, "user:" + std::to_string(alex_));
  EXPECT_EQ(rows[2].action, "push.subscribe");
  EXPECT_EQ(rows[2].detail.find("/p/1"), std::string::npos) << "the endpoint stays out of the log";
  EXPECT_NE(rows[2].detail.find("https://push.example.net"), std::string::npos);
}

TEST_F(SubscriptionsTest, RefusesWhatNoBrowserWouldSend) {
  Subscription s = device("https://push.example.net/p/2");
  s.p256dh = base64url_encode("\x04" + std::string(64, '\x01'));  // not on the curve
  EXPECT_NE(subs_->subscribe(sam_, s, as(sam_, "manager"), kT0).problem.find("P-256"),
            std::string::npos);
  s = device("http://push.example.net/p/2");
  EXPECT_NE(subs_->subscribe(sam_, s, as(sam_, "manager"), kT0).problem.find("https"),
            std::string::npos);
  EXPECT_TRUE(subs_->subscriptions_of(sam_).empty());
}

TEST_F(SubscriptionsTest, OnlyTheOwnerUnsubscribes) {
  const Subscription phone = device("https://push.example.net/p/3");
  ASSERT_TRUE(subs_->subscribe(sam_, phone, as(sam_, "manager"), kT0).subscription);
  EXPECT_FALSE(subs_->unsubscribe(alex_, phone.endpoint, as(alex_, "admin"), kT0));
  EXPECT_TRUE(subs_->unsubscribe(sam_, phone.endpoint, as(sam_, "manager"), kT0));
  EXPECT_FALSE(subs_->unsubscribe(sam_, phone.endpoint, as(sam_, "manager"), kT0));
  EXPECT_EQ(store_->audit(1)[0].action, "push.unsubscribe");
}

TEST_F(SubscriptionsTest, RecipientsCarryTheirOwnersRoleNowAndADisabledAccountHearsNothing) {
  ASSERT_TRUE(
      subs_->subscribe(sam_, device("https://a.example/1"), as(sam_, "manager"), kT0).subscription);
  ASSERT_TRUE(
      subs_->subscribe(alex_, device("https://a.example/2"), as(alex_, "admin"), kT0).subscription);
  auto rs = subs_->recipients();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].role, Role::kManager);
  EXPECT_EQ(rs[1].role, Role::kAdmin);
  ASSERT_TRUE(users_->disable_user(sam_, auth::Actor::system("test"), kT0).ok());
  rs = subs_->recipients();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].user_id, alex_);
}

TEST_F(SubscriptionsTest, AGoneSubscriptionIsDeletedByTheBoxWithAnAuditRecord) {
  auto r = subs_->subscribe(sam_, device("https://a.example/9"), as(sam_, "manager"), kT0);
  ASSERT_TRUE(r.subscription);
  EXPECT_TRUE(subs_->remove_gone(r.subscription->id, 410, kT0));
  EXPECT_FALSE(subs_->remove_gone(r.subscription->id, 410, kT0));
  EXPECT_TRUE(subs_->recipients().empty());
  const auto row = store_->audit(1)[0];
  EXPECT_EQ(row.action, "push.gone");
  EXPECT_EQ(row.actor, "mend");
  EXPECT_NE(row.detail.find("410"), std::string::npos);
}

}  // namespace
}  // namespace mend::push
