// The engine's timer queue: deadlines in order, ties in scheduling order, stale entries skipped.
#include "core/wait_queue.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mend {
namespace {

using namespace std::chrono_literals;

MonoTime at(std::int64_t ms) { return mono_from_ms(ms); }

Wait wait_named(std::string key) {
  Wait w;
  w.key = std::move(key);
  return w;
}

std::vector<std::string> due_keys(WaitQueue& q, MonoTime now) {
  std::vector<std::string> keys;
  while (auto slot = q.pop_due(now)) {
    keys.push_back(q.at(*slot).key);
    q.remove(q.at(*slot).key);
  }
  return keys;
}

TEST(WaitQueue, EmptyHasNoDeadline) {
  WaitQueue q;
  EXPECT_EQ(q.next_deadline(), std::nullopt);
  EXPECT_EQ(q.pop_due(at(1'000'000)), std::nullopt);
  EXPECT_EQ(q.size(), 0u);
}

TEST(WaitQueue, DueExactlyAtTheDeadlineNotBefore) {
  WaitQueue q;
  q.schedule(q.add(wait_named("a")), at(1090));
  EXPECT_EQ(q.next_deadline(), at(1090));
  EXPECT_EQ(q.pop_due(at(1089)), std::nullopt);
  const auto slot = q.pop_due(at(1090));
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(q.at(*slot).key, "a");
  EXPECT_EQ(q.at(*slot).deadline, at(1090));
  EXPECT_TRUE(q.contains("a"));  // popping does not forget the wait
}

TEST(WaitQueue, EarliestFirstAndTiesInSchedulingOrder) {
  WaitQueue q;
  q.schedule(q.add(wait_named("late")), at(3000));
  q.schedule(q.add(wait_named("tie-1")), at(2000));
  q.schedule(q.add(wait_named("early")), at(1000));
  q.schedule(q.add(wait_named("tie-2")), at(2000));
  EXPECT_EQ(due_keys(q, at(5000)), (std::vector<std::string>{"early", "tie-1", "tie-2", "late"}));
}

TEST(WaitQueue, RescheduleMovesTheDeadlineAndTheOldEntryGoesStale) {
  WaitQueue q;
  const auto slot = q.add(wait_named("a"));
  q.schedule(slot, at(1000));
  q.schedule(slot, at(5000));
  EXPECT_EQ(q.next_deadline(), at(5000));
  EXPECT_EQ(q.pop_due(at(4999)), std::nullopt);
  EXPECT_EQ(due_keys(q, at(5000)), std::vector<std::string>{"a"});
}

TEST(WaitQueue, RemovedWaitNeverComesDueAndItsSlotIsReused) {
  WaitQueue q;
  q.schedule(q.add(wait_named("gone")), at(1000));
  q.schedule(q.add(wait_named("kept")), at(2000));
  q.remove("gone");
  q.remove("never-added");
  EXPECT_EQ(q.find("gone"), nullptr);
  EXPECT_EQ(q.next_deadline(), at(2000));
  const auto reused = q.add(wait_named("new"));
  EXPECT_EQ(q.slot_of("new"), reused);
  EXPECT_EQ(q.pop_due(at(1500)), std::nullopt);  // "gone"'s entry does not fire for "new"
  q.schedule(reused, at(3000));
  EXPECT_EQ(due_keys(q, at(3000)), (std::vector<std::string>{"kept", "new"}));
}

TEST(WaitQueue, ManyReschedulesKeepOrderAcrossHeapRebuilds) {
  WaitQueue q;
  std::vector<WaitQueue::Slot> slots;
  for (int i = 0; i < 10; ++i) slots.push_back(q.add(wait_named("w" + std::to_string(i))));
  // Far more reschedules than waits: the stale entries force rebuilds along the way.
  for (int round = 0; round < 100; ++round) {
    for (int i = 0; i < 10; ++i) q.schedule(slots[i], at(10'000 + round * 10 + (9 - i)));
  }
  EXPECT_EQ(q.size(), 10u);
  EXPECT_EQ(q.next_deadline(), at(10'000 + 99 * 10));
  std::vector<std::string> expected;
  for (int i = 9; i >= 0; --i) expected.push_back("w" + std::to_string(i));
  EXPECT_EQ(due_keys(q, at(20'000)), expected);
}

TEST(WaitQueue, ForEachVisitsEveryWait) {
  WaitQueue q;
  q.schedule(q.add(wait_named("a")), at(1));
  q.schedule(q.add(wait_named("b")), at(2));
  q.remove("a");
  std::vector<std::string> seen;
  q.for_each([&](const Wait& w) { seen.push_back(w.key); });
  EXPECT_EQ(seen, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace mend
