// mendctl's account and token commands: `user add|list|disable`, `token create|list|revoke`.
// They open the store file directly (SQLite's write-ahead log lets mendd keep running) and
// write as the box itself (actor "mendctl:<login>"), which may do anything: whoever can run
// this as root or as mend already owns the data.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "adapters/store/store.hpp"
#include "core/auth.hpp"
#include "core/config.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {

// The exit codes of every mendctl command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Says "mendctl: <message>" on stderr; returns kExitUsage.
int usage_error(const std::string& message);

// Each takes the words after the command's name; returns the process exit code
// (0 fine, 1 failed, 2 the command line is wrong).
int user_add(std::span<const std::string_view> args);
int user_list(std::span<const std::string_view> args);
int user_disable(std::span<const std::string_view> args);
int token_create(std::span<const std::string_view> args);
int token_list(std::span<const std::string_view> args);
int token_revoke(std::span<const std::string_view> args);

// The store, opened as the commands above open it (--store PATH, else store.path from --config
// FILE), for commands that only read it (ledger verify|export). Throws with the reason.
std::unique_ptr<Store> open_store_file(const Parsed& p);
// The config a command names (--config FILE, default /etc/mend/mend.toml). Throws with the
// file, line and key when it does not read.
Config command_config(const Parsed& p);
// Who a command acts as in the audit log: "mendctl:<login name>".
std::string command_actor();

// For commands that go through the running mendd on this box (guest export|erase): makes an
// API token of `role` for one use, hands its secret and the config to `use`, then revokes it.
// Takes --config FILE (default /etc/mend/mend.toml). Returns `use`'s exit code.
int with_api_token(const Parsed& p, auth::Role role, const std::string& label,
                   const std::function<int(const std::string& secret, const Config&)>& use);

}  // namespace mend::mendctl
