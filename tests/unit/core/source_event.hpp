// An event as a source sent it, for the core's unit tests: stamped by the source at `ts` and
// received at that moment, under the test's own id.
#pragma once

#include <string>
#include <utility>

#include "core/event.hpp"

namespace mend::test {

inline Event source_event(std::string id, EventType type, EventBody body, WallTime ts) {
  return sent_at(std::move(id), type, std::move(body), ts);
}

}  // namespace mend::test
