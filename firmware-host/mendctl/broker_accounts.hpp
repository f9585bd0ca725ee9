// The venue broker's accounts, as mendctl keeps them: who may connect to Mosquitto and what
// each may do. The broker has no anonymous access; each bridge (a till, the booking system, a
// sensor gateway, a review feed) has its own account that may publish only to its own source
// topics, and mendd's account reads those and writes venue/<venue>/mend/#. A leaked till
// password therefore cannot fake a booking, a sensor reading or one of mendd's own alerts.
//
// Three files in the broker directory (/etc/mosquitto/mend), all written whole by mendctl:
//   passwd   Mosquitto's password file: "name:$7$101$salt$hash", PBKDF2-SHA512 as
//            mosquitto_passwd writes it; no password is kept in clear anywhere but mendd's
//            own password file (mqtt.password_file, mode 600, owner mend)
//   bridges  "name kind" per bridge: what the ACL is made from
//   acl      Mosquitto's ACL, made from the venue id, mendd's account and the bridges
// The functions here are pure (text in, text out) apart from the password hash and random
// passwords, which use OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mend::broker {

enum class BridgeKind { kTill, kBooking, kSensor, kFeedback };

std::optional<BridgeKind> parse_bridge_kind(std::string_view name);
std::string_view bridge_kind_name(BridgeKind kind);
// "till|booking|sensor|feedback", for messages.
std::string bridge_kind_names();

// The topic filter a bridge of `kind` may publish to: venue/<venue>/till/# and so on.
std::string source_topic_filter(std::string_view venue, BridgeKind kind);
// An example topic for the settings a new bridge is shown.
std::string example_topic(std::string_view venue, BridgeKind kind);

// Account names: 1-32 of [a-z0-9-], starting with a letter; usable as MQTT user names and
// in the ACL and password files without quoting.
bool valid_account_name(std::string_view name);

struct Bridge {
  std::string name;
  BridgeKind kind;
};

struct PasswdEntry {
  std::string name;
  std::string hash;
};

// Parsing throws std::runtime_error naming the line for anything that is not what mendctl
// writes (a hand-edited file is refused, not half read).
std::vector<Bridge> parse_bridges(std::string_view text);
std::string bridges_text(const std::vector<Bridge>& bridges);
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::string passwd_text(const std::vector<PasswdEntry>& entries);

// Mosquitto's ACL for the venue: mendd's account, then each bridge's.
std::string acl_text(std::string_view venue, std::string_view mendd_user,
                     const std::vector<Bridge>& bridges);

// 32 characters from a 192-bit random value, in [A-Za-z0-9_-]: safe in any bridge's
// settings screen or config file.
std::string random_password();
// Mosquitto's "$7$" password hash (PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt).
std::string hash_password(std::string_view password);
// Whether `password` matches a "$7$" hash; false for any other form.
bool verify_password(std::string_view password, std::string_view hash);

}  // namespace mend::broker
