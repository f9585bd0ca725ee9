// The live feed behind `WS /api/v1/live`: the daemon publishes each case or floor change once,
// the hub numbers it and hands the same immutable text to every connected tablet.
//
// Catching up. Every message gets the next sequence number (1, 2, ...) and the hub keeps the
// last `ring_size` of them. A tablet that lost its link reconnects with the last number it
// applied (`?since=N`, or a first message {"since":N}) and is sent N+1 onwards before anything
// newer, so it never reloads for a short drop. When N+1 has already left the ring (or N is
// from a previous run of the daemon, ahead of the hub) the tablet is sent {"type":"resync"}
// and reloads through REST, then follows live from there.
//
// Restarts. Sequence numbers start again at 1 when the daemon restarts, so each run has a
// random id. Every subscription begins with {"type":"hello","run":"<id>","seq":<last>}; a
// tablet resuming sends the run it was following (`?since=N&run=<id>`) and a different run
// gets a resync rather than numbers that mean other changes.
//
// Memory. The ring is bounded by count; each subscriber (a WebSocket session) bounds its own
// outgoing queue and is dropped, not grown, when a slow tablet falls behind. Messages are
// shared, so N tablets cost one copy of each message plus N queues of pointers.
//
// Threads: everything runs on the daemon's executor thread (the one io_context thread), like
// the handlers. Nothing here locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace mend::web {

using LiveMessage = std::shared_ptr<const std::string>;

// Where a reconnecting tablet left off.
struct LiveCursor {
  std::uint64_t since = 0;  // the last seq it applied
  std::string run;          // the run it was following; empty: not known, trust `since`
};

// A connected tablet, as the hub sees it.
class LiveSubscriber {
 public:
  virtual ~LiveSubscriber() = default;
  // Queues `message` for sending. Returns false when the subscriber's queue bound was hit:
  // it is closing itself and the hub forgets it.
  virtual bool deliver(const LiveMessage& message) = 0;
};

struct LiveHubStats {
  std::uint64_t last_seq = 0;
  std::size_t subscribers = 0;
  std::uint64_t replayed = 0;          // messages sent to reconnecting tablets from the ring
  std::uint64_t resyncs = 0;           // tablets told to reload (their `since` left the ring)
  std::uint64_t slow_disconnects = 0;  // tablets dropped at their queue bound
  // The most any one subscriber ever had queued: shows the per-session bound holds.
  std::size_t peak_queued_messages = 0;
  std::size_t peak_queued_bytes = 0;
};

class LiveHub {
 public:
  static constexpr std::size_t kDefaultRingSize = 1000;

  // `run_id` empty: a random one.
  explicit LiveHub(std::size_t ring_size = kDefaultRingSize, std::string run_id = {});
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // Numbers and sends {"seq":N,"type":<type>,"data":<data>}; returns N. `type` is "case" or
  // "floor" (the hub does not check: the daemon is the only publisher).
  std::uint64_t publish(std::string_view type, const json::Value& data);

  // Starts sending to `subscriber`: the hello, then, with a cursor, first replays every kept
  // message after it, or sends a resync when that is not possible: N+1 has left the ring, N is
  // ahead of the hub, the run differs (the daemon restarted), or the catch-up would not fit in the
  // subscriber's queue bound
  // (`max_messages`, `max_bytes`): reloading is then cheaper than replaying. Without a cursor,
  // only what is published from now. The subscriber must unsubscribe() before it is destroyed.
  void subscribe(LiveSubscriber& subscriber, const std::optional<LiveCursor>& cursor,
                 std::size_t max_messages, std::size_t max_bytes);
  void unsubscribe(LiveSubscriber& subscriber);

  // A subscriber reports its queue depth after each enqueue, for the peaks in stats().
  void note_queue(std::size_t messages, std::size_t bytes);
  // A subscriber closing itself at its queue bound outside deliver() (counted, not forgotten).
  void note_slow_disconnect() { ++stats_.slow_disconnects; }

  std::uint64_t last_seq() const { return last_seq_; }
  const std::string& run_id() const { return run_id_; }
  LiveHubStats stats() const;

  static const LiveMessage& resync_message();

 private:
  std::size_t ring_size_;
  std::string run_id_;
  std::uint64_t last_seq_ = 0;
  std::deque<LiveMessage> ring_;  // seqs last_seq_ - ring_.size() + 1 ... last_seq_
  std::vector<LiveSubscriber*> subscribers_;
  LiveHubStats stats_;
};

}  // namespace mend::web
