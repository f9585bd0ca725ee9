// mendctl's broker commands: `broker init` (mendd's own account, the ACL) and `bridge add|list|
// remove` (one account per till, booking, sensor or feedback bridge). They write the files
// broker_accounts.hpp describes, in the broker directory (--broker-dir, default
// /etc/mosquitto/mend), and send Mosquitto SIGHUP (pid from --pid-file, default
// /run/mosquitto/mosquitto.pid), which makes it re-read its password file and ACL.
#pragma once

#include <span>
#include <string_view>

namespace mend::mendctl {

inline constexpr std::string_view kDefaultBrokerDir = "/etc/mosquitto/mend";
inline constexpr std::string_view kDefaultBrokerPidFile = "/run/mosquitto/mosquitto.pid";

// Each takes the words after the command's name; returns the process exit code
// (0 fine, 1 failed, 2 the command line is wrong).
int broker_init(std::span<const std::string_view> args);
int bridge_add(std::span<const std::string_view> args);
int bridge_list(std::span<const std::string_view> args);
int bridge_remove(std::span<const std::string_view> args);

}  // namespace mend::mendctl
