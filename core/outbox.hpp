// The store's outbox for the cloud link: one message per row, and the limits that keep it from
// filling the box while the cloud is away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace mend {

// One message waiting in the store's outbox for the cloud link. Its id, given by the store in
// commit order and never reused, is the message's sequence number for the venue.
struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;    // one of mendd's own topics (core/topics.hpp); its class names the kind
  std::string payload;  // JSON text
  std::int64_t created = 0;  // ms since the epoch
};

// Telemetry (raw events) is what the outbox gives up first when it is full; cases, alerts,
// follow-ups and audit entries ("records") go only once no telemetry is left.
inline bool is_telemetry_class(std::string_view cls) { return cls == "events"; }

// cloud.outbox_rows, cloud.outbox_bytes, cloud.outbox_age.
struct OutboxCaps {
  std::size_t rows = 0;
  std::uint64_t bytes = 0;
  Millis age{0};
};

// What the outbox holds now. Bytes count each row's topic and payload.
struct OutboxUsage {
  std::size_t rows = 0;
  std::size_t telemetry_rows = 0;
  std::uint64_t bytes = 0;
  std::optional<WallTime> oldest;  // when the oldest unsent row was written
};

// Rows given up to stay within the caps.
struct OutboxDrops {
  std::size_t telemetry = 0;
  std::size_t records = 0;
  std::size_t total() const { return telemetry + records; }
};

// Whether the outbox is beyond a cap at `now` (and so must give rows up).
inline bool over_caps(const OutboxUsage& u, const OutboxCaps& c, WallTime now) {
  return u.rows > c.rows || u.bytes > c.bytes || (u.oldest && now - *u.oldest > c.age);
}

// Whether it has room again: below 90 % of both size caps, so a case raised at the cap is not
// cleared and raised again by every row that comes and goes at the edge.
inline bool has_room(const OutboxUsage& u, const OutboxCaps& c) {
  return u.rows * 10 <= c.rows * 9 && u.bytes * 10 <= c.bytes * 9;
}

}  // namespace mend
