// mendctl's guest commands: `guest export ID` and `guest erase ID`. Profiles live in the
// running mendd's memory, so these go through its API on this box (http.local_port, or
// http.port when mendd listens on loopback), with an API token made for the one request and
// revoked after it. mendd must be running; the API audits the export and the erasure.
#pragma once

#include <span>
#include <string_view>

namespace mend::mendctl {

int guest_export(std::span<const std::string_view> args);
int guest_erase(std::span<const std::string_view> args);

}  // namespace mend::mendctl
