// An event as a source sent it, for the core's unit tests: stamped by the source at `ts` and
// received at that moment, under the test's own id.
#pragma once

#include <string>
#include <utility>

#include "core/event.hpp"

namespace mend::test {

inline Event source_event(std::string id, EventType type, EventBody body, WallTime ts) {
  Event e;
  e.id = std::move(id);
  e.type = type;
  e.ts = ts;
  e.received = ts;
  e.ts_from_source = true;
  e.body = std::move(body);
  return e;
}

}  // namespace mend::test
