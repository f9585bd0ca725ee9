// One message waiting in the store's outbox for the cloud link. Its id, given by the store in
// commit order and never reused, is the message's sequence number for the venue.
#pragma once

#include <cstdint>
#include <string>

namespace mend {

struct OutboxRow {
  std::int64_t id = 0;
  std::string topic;    // one of mendd's own topics (core/topics.hpp); its class names the kind
  std::string payload;  // JSON text
  std::int64_t created = 0;  // ms since the epoch
};

}  // namespace mend
