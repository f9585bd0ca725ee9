#include "core/wait_queue.hpp"

#include <utility>

namespace mend {

WaitQueue::Slot WaitQueue::add(Wait w) {
  Slot slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<Slot>(slots_.size());
    slots_.emplace_back();
  }
  index_.emplace(w.key, slot);
  slots_[slot] = Entry{std::move(w), 0, true};
  return slot;
}

void WaitQueue::remove(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  const Slot slot = it->second;
  index_.erase(it);
  slots_[slot] = Entry{};  // gen 0 marks heap entries for this slot stale
  free_slots_.push_back(slot);
}

Wait* WaitQueue::find(const std::string& key) {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &slots_[it->second].wait;
}

std::optional<WaitQueue::Slot> WaitQueue::slot_of(const std::string& key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

void WaitQueue::schedule(Slot slot, MonoTime deadline) {
  Entry& e = slots_[slot];
  e.wait.deadline = deadline;
  e.gen = next_gen_++;
  heap_.push(HeapEntry{deadline, e.gen, slot});
  // Rescheduling leaves stale entries behind; rebuild once they outnumber the live ones.
  if (heap_.size() > 64 && heap_.size() > 2 * index_.size() + 64) rebuild_heap();
}

void WaitQueue::rebuild_heap() {
  std::vector<HeapEntry> entries;
  entries.reserve(index_.size());
  for (const auto& [key, slot] : index_) {
    entries.push_back(HeapEntry{slots_[slot].wait.deadline, slots_[slot].gen, slot});
  }
  heap_ = decltype(heap_)(std::greater<>(), std::move(entries));
}

std::optional<MonoTime> WaitQueue::next_deadline() {
  while (!heap_.empty() && is_stale(heap_.top())) heap_.pop();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline;
}

std::optional<WaitQueue::Slot> WaitQueue::pop_due(MonoTime now) {
  while (!heap_.empty()) {
    const HeapEntry top = heap_.top();
    if (is_stale(top)) {
      heap_.pop();
      continue;
    }
    if (top.deadline > now) break;
    heap_.pop();
    return top.slot;
  }
  return std::nullopt;
}

}  // namespace mend
