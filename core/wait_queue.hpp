// Waits and their deadlines as data: the engine's timer queue.
//
// A Wait is "something started and nothing has answered it yet" (a seating and no order, a
// fired course and no serve), keyed by what it waits on. The queue keeps the waits in slots and
// their deadlines in a min-heap. Rescheduling or removing a wait does not search the heap: it
// bumps the wait's generation, so the old heap entry is recognised as stale and skipped when it
// reaches the top; once stale entries outnumber the live ones the heap is rebuilt. Waits with
// the same deadline come out in the order they were scheduled. No clock: callers pass times in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/case.hpp"
#include "core/time.hpp"

namespace mend {

struct Wait {
  CaseKind kind = CaseKind::kTableNoOrder;
  std::string key;       // this wait
  std::string case_key;  // the case it opens or adds to
  Subject subject;
  MonoTime anchor;   // when it started, on the monotonic clock
  WallTime started;  // when it started, as the source said
  Millis threshold{0};
  int stage = 0;      // 0 waiting, 1 breached, 2 raised at 1.5x, 3 raised at 2x
  MonoTime deadline;  // set by WaitQueue::schedule
  Evidence start;
  std::int64_t party = 0;
  double value = 0;
  std::string detail;  // kind-specific words for the reason (a reading, a channel)
  bool held = false;   // due while its answering source was blind: not breached (yet)
  MonoTime held_since;
};

class WaitQueue {
 public:
  using Slot = std::uint32_t;

  // Adds a wait (its key must not be in the queue) with no deadline yet; see schedule.
  Slot add(Wait w);
  // Forgets the wait with this key, if any; its heap entries go stale.
  void remove(const std::string& key);

  Wait* find(const std::string& key);
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  std::optional<Slot> slot_of(const std::string& key) const;
  Wait& at(Slot slot) { return slots_[slot].wait; }
  std::size_t size() const { return index_.size(); }

  // Sets (or moves) the slot's deadline; an earlier deadline of the same slot goes stale.
  void schedule(Slot slot, MonoTime deadline);

  // The earliest live deadline, dropping stale entries on the way.
  std::optional<MonoTime> next_deadline();
  // Takes the earliest live wait whose deadline is at or before `now` off the heap and returns
  // its slot (the wait stays in the queue: the caller reschedules or removes it); nullopt when
  // none is due.
  std::optional<Slot> pop_due(MonoTime now);

  // Calls f(const Wait&) for every wait, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [key, slot] : index_) f(slots_[slot].wait);
  }

 private:
  struct Entry {
    Wait wait;
    std::uint64_t gen = 0;  // the generation of its latest schedule; 0 when the slot is free
    bool live = false;
  };
  struct HeapEntry {
    MonoTime deadline;
    std::uint64_t gen;  // ties fire in the order they were scheduled
    Slot slot;
    bool operator>(const HeapEntry& o) const {
      return deadline != o.deadline ? deadline > o.deadline : gen > o.gen;
    }
  };

  bool is_stale(const HeapEntry& h) const {
    return !slots_[h.slot].live || slots_[h.slot].gen != h.gen;
  }
  void rebuild_heap();

  std::vector<Entry> slots_;
  std::vector<Slot> free_slots_;
  std::unordered_map<std::string, Slot> index_;  // key -> slot
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
  std::uint64_t next_gen_ = 1;
};

}  // namespace mend
