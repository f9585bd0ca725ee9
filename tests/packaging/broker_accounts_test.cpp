// The broker's account files as mendctl writes them: the ACL's grants, the round trip of the
// bridges and password files, and the "$7$" hash that Mosquitto checks (the broker itself
// accepts it in broker_acl_test.sh).
#include "firmware-host/mendctl/broker_accounts.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mend::broker {
namespace {

TEST(BrokerAccounts, AclGivesEachBridgeOnlyItsOwnSourceAndMenddItsSubtree) {
  const std::string acl = acl_text("the-anchor", "mendd",
                                   {{"till", BridgeKind::kTill}, {"rooms", BridgeKind::kBooking}});
  EXPECT_NE(acl.find("user mendd\ntopic read venue/the-anchor/till/#\n"
                     "topic read venue/the-anchor/booking/#\n"
                     "topic read venue/the-anchor/sensor/#\n"
                     "topic read venue/the-anchor/feedback/#\n"
                     "topic readwrite venue/the-anchor/mend/#\n"),
            std::string::npos)
      << acl;
  EXPECT_NE(acl.find("user till\ntopic write venue/the-anchor/till/#\n"), std::string::npos);
  EXPECT_NE(acl.find("user rooms\ntopic write venue/the-anchor/booking/#\n"), std::string::npos);
  // No pattern lines: they would apply to every account.
  EXPECT_EQ(acl.find("pattern"), std::string::npos);
  EXPECT_EQ(acl.find("topic readwrite venue/the-anchor/till"), std::string::npos);
}

TEST(BrokerAccounts, BridgesAndPasswdRoundTrip) {
  const std::vector<Bridge> bridges{{"till", BridgeKind::kTill}, {"fridges", BridgeKind::kSensor}};
  const auto back = parse_bridges(bridges_text(bridges));
  ASSERT_EQ(back.size(), 2U);
  EXPECT_EQ(back[1].name, "fridges");
  EXPECT_EQ(back[1].kind, BridgeKind::kSensor);

  const std::vector<PasswdEntry> entries{{"mendd", "$7$101$a$b"}, {"till", "$7$101$c$d"}};
  const auto parsed = parse_passwd(passwd_text(entries));
  ASSERT_EQ(parsed.size(), 2U);
  EXPECT_EQ(parsed[1].hash, "$7$101$c$d");
}

TEST(BrokerAccounts, HandEditedFilesAreRefusedWithTheLine) {
  try {
    parse_bridges("till till\nbar pos\n");
    FAIL() << "an unknown kind was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "bridges line 2: unknown kind");
  }
  EXPECT_THROW(parse_passwd("Till:$7$x\n"), std::runtime_error);
  EXPECT_THROW(parse_passwd("no-colon\n"), std::runtime_error);
}

TEST(BrokerAccounts, AccountNames) {
  EXPECT_TRUE(valid_account_name("till"));
  EXPECT_TRUE(valid_account_name("till-2"));
  EXPECT_FALSE(valid_account_name(""));
  EXPECT_FALSE(valid_account_name("2till"));
  EXPECT_FALSE(valid_account_name("Till"));
  EXPECT_FALSE(valid_account_name("till:x"));
  EXPECT_FALSE(valid_account_name("till x"));
  EXPECT_FALSE(valid_account_name(std::string(33, 'a')));
  EXPECT_EQ(parse_bridge_kind("sensor"), BridgeKind::kSensor);
  EXPECT_FALSE(parse_bridge_kind("pos").has_value());
}

TEST(BrokerAccounts, PasswordsAreRandomAndHashesVerify) {
  const std::string a = random_password();
  const std::string b = random_password();
  EXPECT_EQ(a.size(), 32U);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);

  const std::string hash = hash_password(a);
  EXPECT_TRUE(hash.starts_with("$7$101$")) << hash;
  EXPECT_TRUE(verify_password(a, hash));
  EXPECT_FALSE(verify_password(b, hash));
  EXPECT_NE(hash_password(a), hash) << "the salt must differ each time";
  EXPECT_FALSE(verify_password(a, "$6$plain"));
  EXPECT_FALSE(verify_password(a, "$7$x$y$z"));
}

}  // namespace
}  // namespace mend::broker
