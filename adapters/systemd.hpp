// systemd integration: readiness, watchdog pings and logging to the journal. Every call is a
// no-op outside systemd, so the same binary runs from a shell, a test or a unit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace mend::systemd {

void notify_ready(std::string_view status);
void notify_status(std::string_view status);
void notify_stopping();
void notify_watchdog();
// The interval systemd expects pings at (WatchdogSec), when it watches this process.
std::optional<Millis> watchdog_interval();

// Logs to the journal when stderr is connected to it (JOURNAL_STREAM), else to stderr, at the
// given level (trace, debug, info, warn, error). Throws on an unknown level.
void setup_logging(std::string_view level, std::string_view ident);

// The kernel's id of this boot: a restored engine needs to know whether its monotonic clock
// kept counting (same boot) or restarted.
std::string boot_id();

}  // namespace mend::systemd
