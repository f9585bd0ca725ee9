// The store on a disk that fails at write N, for every N over a small evening of stage and
// commit calls (SQLite's own test harness does this for its I/O): whichever write or sync
// fails, with SQLITE_FULL or an I/O error, nothing crashes, a commit is all or nothing, the
// file passes PRAGMA integrity_check, and once the fault is gone a retry of the same staged
// work commits it.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "adapters/store/disk_space.hpp"
#include "adapters/store/store.hpp"
#include "core/event.hpp"
#include "tests/adapters/faulty_vfs.hpp"

namespace mend {
namespace {

namespace fs = std::filesystem;
using Fault = testing::FaultyVfs::Fault;

Event seated(const std::string& id, std::int64_t received_ms, std::size_t note_bytes = 0) {
  Event e;
  e.id = id;
  e.type = EventType::kGuestSeated;
  e.ts = wall_from_ms(received_ms - 1000);
  e.received = wall_from_ms(received_ms);
  e.ts_from_source = true;
  e.body = GuestSeated{"T7", "B7", 4, std::nullopt};
  if (note_bytes > 0) e.extra.set("note", std::string(note_bytes, 'n'));
  return e;
}

Case open_case(const std::string& id, int history) {
  Case c;
  c.id = id;
  c.kind = CaseKind::kTableNoOrder;
  c.subject.table = "T7";
  c.severity = Severity::kMedium;
  c.opened_at = wall_from_ms(1'700'000'000'000);
  c.updated_at = wall_from_ms(1'700'000'000'000 + history);
  c.reason = "seated 10 min ago, no order";
  c.recommendation = Recommendation{"take_order_now", "Send a server to T7", ""};
  for (int i = 0; i < history; ++i) {
    c.history.push_back(Transition{CaseStatus::kOpen, CaseStatus::kOpen, kSystemActor,
                                   c.opened_at + Millis{i}, "step " + std::to_string(i)});
  }
  return c;
}

AuditRecord audit(int n) {
  return AuditRecord{wall_from_ms(1'700'000'000'000 + n), "mend", "system", "case.open", "c-1",
                     json::Value(json::Object{})};
}

struct Counts {
  std::int64_t events = 0;
  std::size_t audit = 0;
  std::optional<std::string> meta;
  friend bool operator==(const Counts&, const Counts&) = default;
};

Counts counts(Store& s) { return Counts{s.event_count(), s.audit(1000).size(), s.meta("evening")}; }

// Stages one batch: `n` events (one with a 4 KiB note, as in the issue), the case, an audit
// record, a meta value and the engine's state.
void stage_batch(Store& s, int batch) {
  for (int i = 0; i < 5; ++i) {
    const std::string id = "ev-" + std::to_string(batch) + "-" + std::to_string(i);
    ASSERT_TRUE(s.stage_event(seated(id, 1'000'000 * batch + i, i == 0 ? 4096 : 0),
                              "venue/v/booking/guest.seated"));
  }
  s.stage_case(open_case("c-1", batch));
  s.stage_audit(audit(batch));
  s.stage_meta("evening", std::to_string(batch));
  s.stage_engine_state(R"({"batch":)" + std::to_string(batch) + "}");
}

// Commits; on a failure checks that nothing of the batch is visible and everything is still
// staged, clears the fault and expects the retry to commit it all.
void commit_through(Store& s, testing::FaultyVfs& vfs, const Counts& before, const Counts& after) {
  const std::size_t staged = s.staged_count();
  CommitOutcome out = s.try_commit();
  if (out.result == CommitResult::kRetry) {
    EXPECT_TRUE(vfs.failed()) << "a commit failed with no fault: " << out.error;
    EXPECT_TRUE(out.disk_full() || out.io_error()) << out.error << " code " << out.sqlite_code;
    EXPECT_NE(out.error.find(s.path()), std::string::npos) << out.error;
    EXPECT_EQ(s.staged_count(), staged);
    EXPECT_FALSE(s.writable());
    EXPECT_EQ(counts(s), before) << "a failed commit left part of its batch";
    // Still failing: the same answer, nothing lost.
    EXPECT_EQ(s.try_commit().result, CommitResult::kRetry);
    vfs.clear();
    out = s.try_commit();
  }
  ASSERT_EQ(out.result, CommitResult::kOk) << out.error;
  EXPECT_EQ(s.staged_count(), 0u);
  EXPECT_EQ(counts(s), after);
  EXPECT_TRUE(s.writable());
}

class StoreFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "mend-store-fault-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The evening; returns how many writes and syncs it made.
  std::size_t evening(const std::string& path, std::size_t fail_at) {
    testing::FaultyVfs vfs;
    auto store = Store::open({path, true});
    vfs.arm(fail_at, GetParam());
    const Counts empty{0, 0, std::nullopt};
    const Counts one{5, 1, "1"};
    const Counts two{10, 2, "2"};
    stage_batch(*store, 1);
    commit_through(*store, vfs, empty, one);
    stage_batch(*store, 2);
    commit_through(*store, vfs, one, two);
    // Retention on a failing disk: an error to handle, never a crash; done once it clears.
    std::size_t pruned = 0;
    try {
      pruned = store->prune_events(wall_from_ms(1'500'000), 100);
    } catch (const StoreError& e) {
      EXPECT_TRUE(vfs.failed()) << e.what();
      vfs.clear();
      pruned = store->prune_events(wall_from_ms(1'500'000), 100);
    }
    EXPECT_EQ(pruned, 5u);
    EXPECT_EQ(store->event_count(), 5);
    EXPECT_EQ(store->integrity_check(), "ok");
    EXPECT_EQ(store->verify_audit_chain(), std::nullopt);
    const auto cases = store->load_cases(false);
    EXPECT_EQ(cases.size(), 1u);
    if (!cases.empty()) {
      EXPECT_EQ(cases[0].history.size(), 2u);
    }
    return vfs.calls();
  }

  std::string dir_;
};

TEST_P(StoreFaultTest, EveryWriteAndSyncFailingInTurnLosesNothingAndCorruptsNothing) {
  const std::size_t writes = evening(dir_ + "/clean.db", 0);
  ASSERT_GT(writes, 5u);
  for (std::size_t n = 1; n <= writes; ++n) {
    SCOPED_TRACE("write or sync " + std::to_string(n) + " fails");
    const std::string path = dir_ + "/n" + std::to_string(n) + ".db";
    evening(path, n);
    // What another run finds: the same, intact.
    auto again = Store::open({path, false});
    EXPECT_EQ(again->integrity_check(), "ok");
    EXPECT_EQ(again->event_count(), 5);
    EXPECT_EQ(again->meta("evening"), "2");
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(FullAndIoError, StoreFaultTest,
                         ::testing::Values(Fault::kFull, Fault::kIoError),
                         [](const auto& param_info) {
                           return param_info.param == Fault::kFull ? "Full" : "IoError";
                         });

// Low space prunes raw events to the newest N days: each chunk must be a range scan of the
// `received` index, not a scan of the whole table, whatever its size.
TEST(LowSpaceRetention, PruningToTheNewestDaysIsARangeScan) {
  std::string templ = (fs::temp_directory_path() / "mend-prune-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const std::string dir = templ;
  {
    auto store = Store::open({dir + "/mend.db", true});
    constexpr std::int64_t kDayMs = 24 * 3600 * 1000;
    for (int i = 0; i < 3000; ++i) {  // 30 days, 100 a day
      ASSERT_TRUE(store->stage_event(seated("ev-" + std::to_string(i), i * (kDayMs / 100)), "t"));
    }
    ASSERT_EQ(store->try_commit().result, CommitResult::kOk);
    sqlite3_stmt* plan = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(store->native_handle(),
                                 "EXPLAIN QUERY PLAN SELECT rowid FROM events WHERE received < ?1 "
                                 "ORDER BY received LIMIT ?2",
                                 -1, &plan, nullptr),
              SQLITE_OK);
    std::string steps;
    while (sqlite3_step(plan) == SQLITE_ROW) {
      steps += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
      steps += "\n";
    }
    sqlite3_finalize(plan);
    EXPECT_NE(steps.find("INDEX events_by_received (received<?)"), std::string::npos) << steps;
    EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
    // Keep the newest 7 of 30 days.
    const WallTime cutoff = wall_from_ms(30 * kDayMs - 7 * kDayMs);
    std::size_t pruned = 0;
    while (const std::size_t n = store->prune_events(cutoff, 1000)) pruned += n;
    EXPECT_EQ(pruned, 2300u);
    EXPECT_EQ(store->event_count(), 700);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(DiskSpace, MeasuresTheStoresFilesystemEvenBeforeTheFileExists) {
  const DiskSpace here = disk_space(fs::temp_directory_path().string() + "/not-yet-a.db");
  ASSERT_TRUE(here.ok()) << here.error;
  EXPECT_GT(here.total_bytes, 0u);
  EXPECT_LE(here.free_bytes, here.total_bytes);
  EXPECT_GE(here.free_percent, 0.0);
  EXPECT_LE(here.free_percent, 100.0);
  const DiskSpace nowhere = disk_space("/no/such/dir/mend.db");
  EXPECT_FALSE(nowhere.ok());
  EXPECT_NE(nowhere.error.find("/no/such/dir"), std::string::npos) << nowhere.error;
}

}  // namespace
}  // namespace mend
