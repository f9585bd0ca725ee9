// The running daemon: wires the broker link, the store, the core and the HTTP server onto one
// executor (a single-threaded Asio io_context), so the core is never called from two threads.
//
// A message's way: Paho's delivery thread (after the spool has it on disk) posts it to the
// executor -> decode -> refused: dead letter | duplicate (store or engine): counted | event:
// engine -> decisions -> case book -> staged in the store. The store commits staged work in one
// transaction on a short tick or when the batch is full; only then are case states published
// and the spool told it may forget those messages. The engine says when it next needs time;
// one timer is armed for that.
#pragma once

#include <string>

#include "core/config.hpp"

namespace mend {

// Runs until SIGTERM or SIGINT (drains and commits) and returns the exit code. SIGHUP reloads
// `config_path`. Throws on a start-up failure (store missing or corrupt, spool unusable).
int run_daemon(const Config& config, const std::string& config_path);

}  // namespace mend
