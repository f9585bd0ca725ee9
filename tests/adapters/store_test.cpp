// The SQLite store against real files in a fresh temporary directory: what it refuses at
// open, what a commit makes visible and when, and what happens when the disk is "full".
#include "adapters/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "adapters/store/schema.hpp"
#include "core/case.hpp"
#include "core/codec.hpp"
#include "core/contributions.hpp"
#include "core/event.hpp"
#include "core/json.hpp"
#include "tests/adapters/run_command.hpp"

namespace mend {
namespace {

namespace fs = std::filesystem;
using testing::Ran;
using testing::run;

// A second, independent connection: what another process (mendctl, an attacker with a shell)
// sees and can do to the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "raw open failed: " << sqlite3_errmsg(db_);
    }
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err != nullptr ? err : "?");
    }
    sqlite3_free(err);
  }
  // The first column of the first row, as text ("" when there is no row).
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
      const void* p = sqlite3_column_blob(s, 0);
      out.assign(static_cast<const char*>(p), sqlite3_column_bytes(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }
  std::int64_t count(const std::string& sql) { return std::stoll("0" + text(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

std::string read_file(const std::string& path) {
  std::string bytes(fs::file_size(path), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

Event seated(std::string id, std::int64_t received_ms, std::string table = "T1") {
  Event e;
  e.id = std::move(id);
  e.type = EventType::kGuestSeated;
  e.ts = wall_from_ms(received_ms - 1000);
  e.received = wall_from_ms(received_ms);
  e.ts_from_source = true;
  e.body = GuestSeated{std::move(table), "B7", 4, std::nullopt};
  return e;
}

Case sample_case(std::string id) {
  Case c;
  c.id = std::move(id);
  c.kind = CaseKind::kTableNoOrder;
  c.subject.table = "T12";
  c.severity = Severity::kMedium;
  c.opened_at = wall_from_ms(1'700'000'000'000);
  c.updated_at = c.opened_at;
  c.reason = "seated 10 min ago, no order";
  c.evidence.push_back(Evidence{"ev-1", "guest.seated", wall_from_ms(1'699'999'400'000), ""});
  c.recommendation = Recommendation{"take_order_now", "Send a server to T12", ""};
  return c;
}

AuditRecord audit_record(int n) {
  json::Object detail;
  detail.set("n", n);
  return AuditRecord{wall_from_ms(1'700'000'000'000 + n),
                     "u-" + std::to_string(n),
                     "manager",
                     "case.approve",
                     "c-" + std::to_string(n),
                     json::Value(std::move(detail))};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "mend-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    path_ = dir_ + "/mend.db";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Store> open(bool create = false) { return Store::open({path_, create}); }

  // Opens and expects a StoreError whose message names the path and contains `what`.
  void expect_refused(bool create, const std::string& what) {
    try {
      open(create);
      ADD_FAILURE() << "opened, expected a refusal mentioning '" << what << "'";
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path_), std::string::npos) << msg;
      EXPECT_NE(msg.find(what), std::string::npos) << msg;
    }
  }

  // A real store with some events in it, closed again.
  void make_store_with_events(int n) {
    auto store = open(true);
    for (int i = 0; i < n; ++i) {
      Event e = seated("ev-" + std::to_string(i), 1'700'000'000'000 + i);
      e.extra.set("padding", std::string(200, 'x'));
      store->stage_event(e, "venue/v1/booking/guest.seated");
    }
    store->commit();
  }

  std::string dir_;
  std::string path_;
};

// ---- opening ---------------------------------------------------------------------------------

TEST_F(StoreTest, CreatesAndMigratesFromNothing) {
  auto store = open(true);
  ASSERT_TRUE(fs::exists(path_));
  EXPECT_FALSE(fs::exists(path_ + ".new"));
  RawDb raw(path_);
  EXPECT_EQ(raw.count("PRAGMA user_version"), store_schema::latest_version());
  EXPECT_EQ(raw.count("PRAGMA application_id"), store_schema::kApplicationId);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  for (const char* table : {"events", "dead_letters", "cases", "case_history", "engine_state",
                            "audit", "outbox", "meta"}) {
    EXPECT_EQ(raw.count(std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' "
                                    "AND name = '") +
                        table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(store->event_count(), 0);
  EXPECT_EQ(store->staged_count(), 0u);
  EXPECT_TRUE(store->writable());
}

TEST_F(StoreTest, ReopenKeepsData) {
  {
    auto store = open(true);
    EXPECT_TRUE(store->stage_event(seated("ev-1", 1000), "venue/v1/booking/guest.seated"));
    store->stage_case(sample_case("c-1"));
    store->stage_meta("boot_id", "boot-a");
    store->stage_engine_state(R"({"waits":[]})");
    store->commit();
  }
  // create = true on an existing, healthy store opens it; it never starts over.
  auto store = open(true);
  EXPECT_EQ(store->event_count(), 1);
  EXPECT_TRUE(store->has_event("ev-1"));
  ASSERT_EQ(store->load_cases(true).size(), 1u);
  EXPECT_EQ(store->load_cases(true)[0], sample_case("c-1"));
  EXPECT_EQ(store->meta("boot_id"), "boot-a");
  EXPECT_EQ(store->load_engine_state(), R"({"waits":[]})");
}

TEST_F(StoreTest, RefusesANewerSchema) {
  open(true).reset();
  {
    RawDb raw(path_);
    raw.exec("PRAGMA user_version = " + std::to_string(store_schema::latest_version() + 1));
  }
  expect_refused(false, "newer than this build knows");
  expect_refused(true, "newer than this build knows");
}

TEST_F(StoreTest, RefusesGarbageAndLeavesItAlone) {
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251);
  write_file(path_, garbage);
  expect_refused(true, "not a SQLite database");
  EXPECT_EQ(read_file(path_), garbage);
  EXPECT_FALSE(fs::exists(path_ + "-wal"));
}

TEST_F(StoreTest, RefusesATextFile) {
  write_file(path_, "[store]\npath = \"/var/lib/mend/mend.db\"\n");
  expect_refused(true, "not a SQLite database");
}

TEST_F(StoreTest, RefusesAnEmptyFile) {
  write_file(path_, "");
  expect_refused(true, "empty (0 bytes)");
  EXPECT_EQ(fs::file_size(path_), 0u);
}

TEST_F(StoreTest, RefusesATruncatedFile) {
  make_store_with_events(300);
  const std::string whole = read_file(path_);
  ASSERT_GT(whole.size(), 16u * 4096) << "the fixture should span many pages";
  for (std::size_t keep :
       {whole.size() / 2, std::size_t{4096}, std::size_t{1000}, std::size_t{50}}) {
    write_file(path_, std::string_view(whole).substr(0, keep));
    SCOPED_TRACE("kept " + std::to_string(keep) + " bytes");
    try {
      open(true);
      ADD_FAILURE() << "a truncated file was opened";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(path_), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
    EXPECT_EQ(fs::file_size(path_), keep) << "the refused file must not be touched";
  }
}

TEST_F(StoreTest, RefusesADamagedPage) {
  make_store_with_events(300);
  std::string bytes = read_file(path_);
  // Scribble over the middle of page 5 (a b-tree page of the events table or its index),
  // leaving the header intact so only quick_check can tell.
  for (std::size_t i = 4 * 4096 + 8; i < 4 * 4096 + 3000; ++i) bytes[i] = '\x5a';
  write_file(path_, bytes);
  expect_refused(true, "damaged");
}

TEST_F(StoreTest, RefusesAnotherProgramsDatabase) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');", nullptr,
               nullptr, nullptr);
  sqlite3_close(db);
  expect_refused(true, "not a Mend database");
  RawDb raw(path_);
  EXPECT_EQ(raw.text("SELECT x FROM notes"), "mine");
}

TEST_F(StoreTest, RefusesOurIdWithoutAMetaTable) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const std::string sql =
      "PRAGMA application_id = " + std::to_string(store_schema::kApplicationId) +
      "; CREATE TABLE events (id TEXT);";
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  expect_refused(true, "no meta table");
}

TEST_F(StoreTest, RefusesALeftoverWalWithoutItsDatabase) {
  open(true).reset();
  write_file(path_ + "-wal", std::string(4096, '\1'));
  fs::remove(path_);
  expect_refused(true, "-wal");
  EXPECT_FALSE(fs::exists(path_)) << "no new database may appear in place of the deleted one";
}

TEST_F(StoreTest, RefusesAMissingFileWithoutCreate) {
  expect_refused(false, "no database file");
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(StoreTest, RefusesAReadOnlyFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write a read-only file";
  open(true).reset();
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  expect_refused(false, "read-only");
}

TEST_F(StoreTest, CreateIgnoresAStaleHalfMadeDatabase) {
  // A power cut during a first start leaves "<path>.new"; the next start makes a fresh one.
  write_file(path_ + ".new", "half");
  auto store = open(true);
  EXPECT_FALSE(fs::exists(path_ + ".new"));
  EXPECT_EQ(store->event_count(), 0);
}

// ---- events ----------------------------------------------------------------------------------

TEST_F(StoreTest, EventsAreDeduplicatedById) {
  auto store = open(true);
  const Event e = seated("ev-1", 5000);
  EXPECT_FALSE(store->has_event("ev-1"));
  EXPECT_TRUE(store->stage_event(e, "venue/v1/booking/guest.seated"));
  EXPECT_TRUE(store->has_event("ev-1"));
  EXPECT_FALSE(store->stage_event(e, "venue/v1/booking/guest.seated")) << "staged already";
  EXPECT_EQ(store->staged_count(), 1u);
  EXPECT_EQ(store->commit().events, 1u);
  EXPECT_TRUE(store->has_event("ev-1"));
  EXPECT_FALSE(store->stage_event(e, "venue/v1/booking/guest.seated")) << "committed already";
  EXPECT_EQ(store->staged_count(), 0u);
  store.reset();

  store = open();
  EXPECT_TRUE(store->has_event("ev-1")) << "a redelivery after a restart is the same event";
  EXPECT_FALSE(store->stage_event(e, "venue/v1/booking/guest.seated"));
  EXPECT_EQ(store->event_count(), 1);

  RawDb raw(path_);
  EXPECT_EQ(raw.text("SELECT json FROM events WHERE id = 'ev-1'"), json::dump(event_to_json(e)));
  EXPECT_EQ(raw.text("SELECT type FROM events"), "guest.seated");
  EXPECT_EQ(raw.text("SELECT topic FROM events"), "venue/v1/booking/guest.seated");
  EXPECT_EQ(raw.count("SELECT ts FROM events"), 4000);
  EXPECT_EQ(raw.count("SELECT received FROM events"), 5000);
}

TEST_F(StoreTest, ABatchIsInvisibleUntilCommitThenAllVisible) {
  auto store = open(true);
  RawDb other(path_);
  for (int i = 0; i < 200; ++i) {
    store->stage_event(seated("ev-" + std::to_string(i), 1000 + i), "venue/v1/booking/x");
  }
  store->stage_case(sample_case("c-1"));
  store->stage_audit(audit_record(1));
  store->stage_outbox("cloud/cases", "{}", wall_from_ms(1));
  store->stage_meta("spool_offset", "42");
  EXPECT_EQ(store->staged_count(), 204u);

  EXPECT_EQ(other.count("SELECT COUNT(*) FROM events"), 0);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM audit"), 0);

  const CommitStats stats = store->commit();
  EXPECT_EQ(stats.events, 200u);
  EXPECT_EQ(stats.cases, 1u);
  EXPECT_EQ(stats.audit, 1u);
  EXPECT_EQ(stats.outbox, 1u);
  EXPECT_EQ(stats.meta, 1u);
  EXPECT_EQ(store->staged_count(), 0u);

  EXPECT_EQ(other.count("SELECT COUNT(*) FROM events"), 200);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM audit"), 1);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM outbox"), 1);
  EXPECT_EQ(other.text("SELECT value FROM meta WHERE key = 'spool_offset'"), "42");
}

TEST_F(StoreTest, CommitWithNothingStagedDoesNothing) {
  auto store = open(true);
  const CommitStats stats = store->commit();
  EXPECT_EQ(stats.events + stats.cases + stats.audit + stats.meta, 0u);
  EXPECT_FALSE(stats.engine_state);
}

// ---- dead letters ----------------------------------------------------------------------------

TEST_F(StoreTest, DeadLettersKeepTheRawBytesAndTheReason) {
  auto store = open(true);
  const std::string payload("{\"id\":\xff\xfe\0x}", 11);  // embedded NUL
  store->stage_dead_letter("venue/v1/till/order.opened", payload,
                           Refusal{RefusalReason::kNotUtf8, "", "payload is not UTF-8"},
                           wall_from_ms(7000));
  store->stage_dead_letter("venue/v1/till/order.opened", "",
                           Refusal{RefusalReason::kNotJson, "", "empty payload"},
                           wall_from_ms(7001));
  store->stage_dead_letter(
      "venue/v1/booking/guest.seated", R"({"id":"x","party":"four"})",
      Refusal{RefusalReason::kWrongType, "party", "field 'party' must be an integer >= 1"},
      wall_from_ms(7002));
  store->commit();

  EXPECT_EQ(store->dead_letter_count(), 3);
  const auto rows = store->dead_letters(10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].reason, "wrong_type");
  EXPECT_EQ(rows[0].field, "party");
  EXPECT_EQ(rows[0].message, "field 'party' must be an integer >= 1");
  EXPECT_EQ(rows[0].topic, "venue/v1/booking/guest.seated");
  EXPECT_EQ(rows[0].received, wall_from_ms(7002));
  EXPECT_EQ(rows[1].payload, "");
  EXPECT_EQ(rows[2].payload, payload) << "bytes, including the NUL and invalid UTF-8";
  EXPECT_EQ(rows[2].reason, refusal_reason_name(RefusalReason::kNotUtf8));
  EXPECT_EQ(store->dead_letters(1).size(), 1u);
}

// ---- cases -----------------------------------------------------------------------------------

TEST_F(StoreTest, CasesUpsertAndAppendHistory) {
  auto store = open(true);
  Case c = sample_case("c-1");
  ASSERT_FALSE(apply_transition(c, CaseStatus::kAcknowledged, Actor{"u-1", "staff"},
                                wall_from_ms(1'700'000'060'000), "on it"));
  store->stage_case(c);
  EXPECT_EQ(store->commit().history, 1u);

  ASSERT_FALSE(apply_transition(c, CaseStatus::kActioned, Actor{"u-1", "staff"},
                                wall_from_ms(1'700'000'120'000), "order taken"));
  store->stage_case(c);
  ASSERT_FALSE(apply_transition(c, CaseStatus::kResolved, kSystemActor,
                                wall_from_ms(1'700'000'180'000), ""));
  store->stage_case(c);  // staged twice before a commit: one upsert
  EXPECT_EQ(store->staged_count(), 1u);
  const CommitStats stats = store->commit();
  EXPECT_EQ(stats.cases, 1u);
  EXPECT_EQ(stats.history, 2u);

  RawDb raw(path_);
  EXPECT_EQ(raw.count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(raw.text("SELECT status FROM cases"), "resolved");
  EXPECT_EQ(raw.text("SELECT kind FROM cases"), "table.no_order");
  EXPECT_EQ(raw.count("SELECT COUNT(*) FROM case_history WHERE case_id = 'c-1'"), 3);
  EXPECT_EQ(raw.text("SELECT to_status FROM case_history WHERE seq = 0"), "acknowledged");
  EXPECT_EQ(raw.text("SELECT note FROM case_history WHERE seq = 1"), "order taken");
  EXPECT_EQ(raw.text("SELECT actor_role FROM case_history WHERE seq = 2"), "system");
  EXPECT_EQ(raw.text("SELECT json FROM cases"), json::dump(case_to_json(c)));

  auto open_cases = store->load_cases(true);
  ASSERT_EQ(open_cases.size(), 1u);
  EXPECT_EQ(open_cases[0], c);

  ASSERT_FALSE(
      apply_transition(c, CaseStatus::kClosed, kSystemActor, wall_from_ms(1'700'000'240'000), ""));
  store->stage_case(c);
  store->stage_case(sample_case("c-2"));
  store->commit();
  ASSERT_EQ(store->load_cases(true).size(), 1u);
  EXPECT_EQ(store->load_cases(true)[0].id, "c-2");
  EXPECT_EQ(store->load_cases(false).size(), 2u);
}

TEST_F(StoreTest, ADamagedCaseRowIsAClearError) {
  auto store = open(true);
  store->stage_case(sample_case("c-1"));
  store->commit();
  RawDb(path_).exec("UPDATE cases SET json = '{\"id\":' WHERE id = 'c-1'");
  try {
    store->load_cases(true);
    ADD_FAILURE() << "loaded a damaged case";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("case c-1"), std::string::npos) << e.what();
  }
}

// ---- engine state and meta -------------------------------------------------------------------

TEST_F(StoreTest, EngineStateRoundTrips) {
  auto store = open(true);
  EXPECT_EQ(store->load_engine_state(), std::nullopt);
  store->stage_engine_state(R"({"waits":[{"id":"w1"}]})");
  store->stage_engine_state(R"({"waits":[{"id":"w2"}]})");  // the latest wins
  EXPECT_EQ(store->staged_count(), 1u);
  EXPECT_TRUE(store->commit().engine_state);
  EXPECT_EQ(store->load_engine_state(), R"({"waits":[{"id":"w2"}]})");
  const std::string big = "{\"blob\":\"" + std::string(200'000, 'a') + "\"}";
  store->stage_engine_state(big);
  store->commit();
  EXPECT_EQ(store->load_engine_state(), big);
  RawDb raw(path_);
  EXPECT_EQ(raw.count("SELECT COUNT(*) FROM engine_state"), 1);
  EXPECT_GT(raw.count("SELECT saved_at FROM engine_state"), 1'600'000'000'000);
}

TEST_F(StoreTest, MetaValues) {
  auto store = open(true);
  EXPECT_EQ(store->meta("spool_offset"), std::nullopt);
  store->stage_meta("spool_offset", "1");
  store->stage_meta("spool_offset", "2");
  store->commit();
  EXPECT_EQ(store->meta("spool_offset"), "2");
  EXPECT_THROW(store->stage_meta("store.audit_head", "x"), std::invalid_argument);
}

TEST_F(StoreTest, GuestRowsAreWrittenDeletedAndReadBackAndABadOneIsNamed) {
  auto store = open(true);
  GuestRecord ada;
  ada.id = "cust-1";
  ada.ref = "g1";
  ada.name = "Ada";
  ada.last_seen = wall_from_ms(2000);
  ada.notes = {GuestNote{1, std::string(5000, 'n'), "Sam", wall_from_ms(1000)}};
  GuestRecord grace = ada;
  grace.id = "cust-2";
  grace.ref = "g2";
  grace.last_seen = wall_from_ms(1000);
  store->stage_guest(ada);
  store->stage_guest(grace);
  EXPECT_EQ(store->commit().guests, 2U);
  std::vector<GuestRecord> rows = store->load_guests();
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0], grace);  // least recently seen first
  EXPECT_EQ(rows[1], ada);

  // The later of a write and a delete staged for one guest wins.
  store->stage_guest_delete("cust-2");
  ada.name = "Ada L.";
  store->stage_guest(ada);
  store->stage_guest(grace);
  store->stage_guest_delete("cust-2");
  store->commit();
  rows = store->load_guests();
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].name, "Ada L.");

  store->write_now([](sqlite::Db& db) {
    db.exec("INSERT INTO guests (id, last_seen, json) VALUES ('cust-9', 0, '{\"id\":7}')");
    return std::vector<AuditRecord>{};
  });
  std::vector<std::string> bad;
  rows = store->load_guests(&bad);
  EXPECT_EQ(rows.size(), 1U);
  ASSERT_EQ(bad.size(), 1U);
  EXPECT_EQ(bad[0], "guest 'cust-9': field 'id'");
}

// ---- audit -----------------------------------------------------------------------------------

TEST_F(StoreTest, AuditChainVerifiesAndLinks) {
  auto store = open(true);
  EXPECT_EQ(store->verify_audit_chain(), std::nullopt) << "an empty chain is intact";
  for (int i = 1; i <= 5; ++i) store->stage_audit(audit_record(i));
  store->commit();
  for (int i = 6; i <= 8; ++i) store->stage_audit(audit_record(i));
  store->commit();
  EXPECT_EQ(store->verify_audit_chain(), std::nullopt);

  const auto rows = store->audit(100);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows.front().id, 8);  // newest first
  EXPECT_EQ(rows.back().prev_hash, "");
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    EXPECT_EQ(rows[i].prev_hash, rows[i + 1].hash) << "row " << rows[i].id;
    EXPECT_EQ(rows[i].hash.size(), 64u);
  }
  EXPECT_EQ(rows[0].actor, "u-8");
  EXPECT_EQ(rows[0].detail, R"({"n":8})");
  EXPECT_EQ(rows[0].at, wall_from_ms(1'700'000'000'008));

  const auto page = store->audit(3, 6);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].id, 5);
  EXPECT_EQ(page[2].id, 3);
}

TEST_F(StoreTest, AuditTamperingIsDetected) {
  auto store = open(true);
  for (int i = 1; i <= 6; ++i) store->stage_audit(audit_record(i));
  store->commit();
  ASSERT_EQ(store->verify_audit_chain(), std::nullopt);
  RawDb raw(path_);

  raw.exec("UPDATE audit SET detail = '{\"n\":99}' WHERE id = 3");
  EXPECT_EQ(store->verify_audit_chain(), 3);
  raw.exec("UPDATE audit SET detail = '{\"n\":3}' WHERE id = 3");
  ASSERT_EQ(store->verify_audit_chain(), std::nullopt) << "restored";

  raw.exec("UPDATE audit SET actor = 'someone-else' WHERE id = 2");
  EXPECT_EQ(store->verify_audit_chain(), 2);
  raw.exec("UPDATE audit SET actor = 'u-2' WHERE id = 2");

  // A deleted row breaks the next row's link.
  raw.exec("DELETE FROM audit WHERE id = 4");
  EXPECT_EQ(store->verify_audit_chain(), 5);
}

TEST_F(StoreTest, AuditTailDeletionIsDetectedAndNotPaperedOver) {
  auto store = open(true);
  for (int i = 1; i <= 4; ++i) store->stage_audit(audit_record(i));
  store->commit();
  RawDb(path_).exec("DELETE FROM audit WHERE id = 4");
  EXPECT_EQ(store->verify_audit_chain(), 4) << "the first missing id";
  // Later records chain from the recorded head, so the gap stays visible.
  store->stage_audit(audit_record(5));
  store->commit();
  EXPECT_EQ(store->verify_audit_chain(), 5);
}

TEST_F(StoreTest, AuditRowsAddedBehindTheStoresBackAreDetected) {
  auto store = open(true);
  store->stage_audit(audit_record(1));
  store->commit();
  RawDb(path_).exec(
      "INSERT INTO audit (at, actor, role, action, target, detail, prev_hash, hash) "
      "VALUES (1, 'x', 'admin', 'case.delete', 'c-1', '{}', '', '')");
  EXPECT_EQ(store->verify_audit_chain(), 2);
}

// ---- the contribution ledger -----------------------------------------------------------------

// Five entries, as the core writes them: a case closed properly (its evidence names the audit
// row of the resolution), its countersignature, and a guest's stamps and redemption.
std::vector<LedgerEntry> five_entries(Store& store) {
  store.stage_audit(AuditRecord{wall_from_ms(1'700'000'000'000), "user:2", "staff", "case.resolve",
                                "c-1", json::Value(json::Object{})});
  store.commit();
  Contributions ledger;
  std::vector<LedgerEntry> out;
  Case c;
  c.id = "c-1";
  c.kind = CaseKind::kBillSlow;
  c.resolution =
      Resolution{RootCause::kPeople, "", Actor{"user:2", "staff"}, wall_from_ms(1'700'000'000'000)};
  const WallTime t = wall_from_ms(1'700'000'100'000);
  ledger.follow_up_sent(c, t, out);
  out.push_back(std::get<LedgerEntry>(ledger.countersign(1, Actor{"user:3", "manager"}, t)));
  Case v;
  v.id = "c-2";
  v.vouchers = {Voucher{"V-1", 10, {}, {}}};
  ledger.vouchers_given(v, "g7", t, out);
  v.id = "c-3";
  v.vouchers = {Voucher{"V-2", 5, {}, {}}};
  ledger.vouchers_given(v, "g7", t, out);
  EXPECT_FALSE(ledger.redeem("g7", 12, kRuleReward, {}, "e-9", "C-1", t, out));
  for (const auto& e : out) store.stage_ledger(e);
  store.commit();
  return out;
}

TEST_F(StoreTest, LedgerEntriesAreChainedWithTheirAuditRowsAndReadBackAsWritten) {
  auto store = open(true);
  EXPECT_EQ(store->verify_ledger(), std::nullopt) << "an empty ledger is intact";
  EXPECT_EQ(store->ledger_head(), std::nullopt);
  const std::vector<LedgerEntry> written = five_entries(*store);
  ASSERT_EQ(written.size(), 5U);
  EXPECT_EQ(store->verify_ledger(), std::nullopt);
  const auto rows = store->ledger_rows();
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(rows[0].prev_hash, "");
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].prev_hash, rows[i - 1].hash);
  EXPECT_EQ(store->ledger_head(), std::make_pair(std::int64_t{5}, rows[4].hash));
  // The resolution's audit row is named by its id; the follow-up's was never written.
  const auto resolve_id = store->audit(1).front().id;
  EXPECT_EQ(rows[0].entry.evidence[1].action, "case.resolve");
  EXPECT_EQ(rows[0].entry.evidence[1].audit, resolve_id);
  EXPECT_EQ(rows[0].entry.evidence[2].audit, 0);
  // What the core folds at start is what it wrote, the filled-in audit ids aside.
  std::vector<LedgerEntry> loaded = store->load_ledger();
  ASSERT_EQ(loaded.size(), 5U);
  loaded[0].evidence[1].audit = 0;
  EXPECT_EQ(loaded, written);
  EXPECT_EQ(store->ledger_rows({}, "g7").size(), 3U);
  EXPECT_EQ(store->ledger_rows("user:2").size(), 2U);
}

// Every way of rewriting the SQLite file behind the store's back is found, at the first entry
// it touched.
TEST_F(StoreTest, LedgerTamperingIsFoundAtTheFirstBadEntry) {
  struct Tamper {
    std::string what;
    std::vector<std::string> sql;
    std::int64_t first_bad;
    std::string says;
  };
  const std::vector<Tamper> cases{
      {"an edited value",
       {"UPDATE ledger SET text = replace(text, '\"value\":10', '\"value\":100') WHERE seq = 3"},
       3,
       "its hash does not match its text"},
      {"an edited column", {"UPDATE ledger SET guest = 'g8' WHERE seq = 4"}, 4, "columns"},
      {"a deleted entry", {"DELETE FROM ledger WHERE seq = 2"}, 2, "entry 2 is missing"},
      {"two entries swapped",
       {"UPDATE ledger SET seq = -2 WHERE seq = 2", "UPDATE ledger SET seq = 2 WHERE seq = 3",
        "UPDATE ledger SET seq = 3 WHERE seq = -2"},
       2,
       "does not link"},
      {"a cut tail", {"DELETE FROM ledger WHERE seq >= 4"}, 4, "entries 4 to 5 are missing"},
      {"a rewritten hash",
       {"UPDATE ledger SET hash = '00' || substr(hash, 3) WHERE seq = 5"},
       5,
       "its hash does not match"},
  };
  for (const Tamper& t : cases) {
    SCOPED_TRACE(t.what);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = open(true);
    five_entries(*store);
    ASSERT_EQ(store->verify_ledger(), std::nullopt);
    RawDb raw(path_);
    for (const auto& sql : t.sql) raw.exec(sql);
    const auto found = store->verify_ledger();
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->seq, t.first_bad) << found->problem;
    EXPECT_NE(found->problem.find(t.says), std::string::npos) << found->problem;
  }
}

// The check script as docs/ledger.md prints it: a reader runs exactly this.
std::string doc_script() {
  const std::string doc = read_file(std::string(MEND_SOURCE_DIR) + "/docs/ledger.md");
  const std::size_t start = doc.find("```python\n");
  const std::size_t end = doc.find("```", start + 10);
  return start == std::string::npos || end == std::string::npos
             ? std::string()
             : doc.substr(start + 10, end - start - 10);
}

TEST_F(StoreTest, MendctlVerifiesAndExportsTheLedgerAndTheDocsScriptAgrees) {
  {
    auto store = open(true);
    five_entries(*store);
  }
  const std::string mendctl = std::string(MEND_MENDCTL) + " ";
  const std::string script = dir_ + "/check.py";
  const std::string out = dir_ + "/ledger.jsonl";
  write_file(script, doc_script());
  Ran verify = run(mendctl + "ledger verify --store " + path_);
  EXPECT_EQ(verify.code, 0) << verify.out;
  EXPECT_NE(verify.out.find("ledger: ok, 5 entries, head "), std::string::npos) << verify.out;
  Ran exported = run(mendctl + "ledger export --store " + path_ + " --out " + out);
  ASSERT_EQ(exported.code, 0) << exported.out;
  Ran checked = run("python3 " + script + " " + out);
  EXPECT_EQ(checked.code, 0) << checked.out;
  // The script and mendd agree on the head, byte for byte.
  EXPECT_EQ(checked.out.substr(0, checked.out.find('\n')),
            verify.out.substr(0, verify.out.find('\n')));

  // The cloud's head for entry 4 still matches; one that is not this chain's is a rewrite.
  const std::string hash4 = RawDb(path_).text("SELECT hash FROM ledger WHERE seq = 4");
  EXPECT_EQ(run(mendctl + "ledger verify --store " + path_ + " --expect 4:" + hash4).code, 0);
  Ran rewritten = run(mendctl + "ledger verify --store " + path_ + " --expect 4:" + hash4 + "00");
  EXPECT_EQ(rewritten.code, 1);
  EXPECT_NE(rewritten.out.find("the chain was rewritten"), std::string::npos) << rewritten.out;

  // An entry edited in the file: both name it.
  RawDb(path_).exec(
      "UPDATE ledger SET text = replace(text, '\"value\":-12', '\"value\":-2') WHERE seq = 5");
  Ran broken = run(mendctl + "ledger verify --store " + path_);
  EXPECT_EQ(broken.code, 1);
  EXPECT_NE(broken.out.find("ledger: broken at entry 5: "), std::string::npos) << broken.out;
  ASSERT_EQ(run(mendctl + "ledger export --store " + path_ + " --out " + out).code, 0);
  Ran script_broken = run("python3 " + script + " " + out);
  EXPECT_NE(script_broken.code, 0);
  EXPECT_NE(script_broken.out.find("ledger: broken at entry 5: its hash does not match"),
            std::string::npos)
      << script_broken.out;
}

// ---- outbox ----------------------------------------------------------------------------------

TEST_F(StoreTest, OutboxUsageIsKeptAsRowsAndBytesAndFollowsOnlyWhatCommitted) {
  auto store = open(true);
  EXPECT_EQ(store->outbox_usage().rows, 0u);
  for (int i = 0; i < 7; ++i) {
    store->stage_outbox("venue/v/mend/cases/c-" + std::to_string(i), "{\"n\":1}",
                        wall_from_ms(1000 + i));
  }
  store->stage_outbox("venue/v/mend/events", "{}", wall_from_ms(1007));
  EXPECT_EQ(store->outbox_usage().rows, 0u) << "staged is not stored";
  EXPECT_EQ(store->commit().outbox, 8u);
  OutboxUsage u = store->outbox_usage();
  EXPECT_EQ(u.rows, 8u);
  EXPECT_EQ(u.telemetry_rows, 1u);
  EXPECT_EQ(u.bytes, 7 * (std::string("venue/v/mend/cases/c-0").size() + 7) +
                         std::string("venue/v/mend/events").size() + 2);
  ASSERT_TRUE(u.oldest.has_value());
  EXPECT_EQ(to_ms(*u.oldest), 1000);

  store->stage_outbox_delete(1);
  store->stage_outbox_delete(8);
  store->stage_outbox_delete(8);  // acknowledged twice: counted once
  store->commit();
  u = store->outbox_usage();
  EXPECT_EQ(u.rows, 6u);
  EXPECT_EQ(u.telemetry_rows, 0u);
  EXPECT_EQ(to_ms(*u.oldest), 1001);

  store.reset();
  EXPECT_EQ(open(false)->outbox_usage().rows, 6u) << "the tally is read again at open";
}

// With the cloud link on, every audit record goes out with the transaction that writes it, the
// commit's and write_now's alike, carrying its chain so the cloud can check it.
TEST_F(StoreTest, AuditRecordsAreCopiedToTheOutboxWithTheirChain) {
  auto store = open(true);
  store->stage_audit(audit_record(1));
  store->commit();
  EXPECT_EQ(store->outbox_usage().rows, 0u) << "not before it is asked for";
  store->copy_audit_to_outbox("venue/v/mend/audit");
  store->stage_audit(audit_record(2));
  store->commit();
  store->write_now([](sqlite::Db&) { return std::vector<AuditRecord>{audit_record(3)}; });
  EXPECT_THROW(store->write_now([](sqlite::Db&) -> std::vector<AuditRecord> {
    throw std::runtime_error("abandoned");
  }),
               std::runtime_error);
  const auto rows = store->outbox_after(0, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(store->outbox_usage().rows, 2u) << "the abandoned write left no row";
  RawDb raw(path_);
  std::vector<std::string> hashes;
  for (int id = 1; id <= 3; ++id) {
    hashes.push_back(raw.text("SELECT hash FROM audit WHERE id = " + std::to_string(id)));
  }
  EXPECT_EQ(raw.count("SELECT COUNT(*) FROM audit"), 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].topic, "venue/v/mend/audit");
    const auto v = json::parse(rows[i].payload);
    ASSERT_TRUE(v) << rows[i].payload;
    EXPECT_EQ(v.value->get("id")->as_int(), std::optional<std::int64_t>(i + 2));
    EXPECT_EQ(v.value->get("actor")->as_string() != nullptr, true);
    EXPECT_EQ(*v.value->get("hash")->as_string(), hashes[i + 1]);
    EXPECT_EQ(*v.value->get("prev_hash")->as_string(), hashes[i]);
  }
}

TEST_F(StoreTest, AFullOutboxGivesUpTelemetryFirstThenTheOldestRecords) {
  auto store = open(true);
  // 30 rows, alternating a raw event and a case change.
  for (int i = 0; i < 30; ++i) {
    const std::string topic = i % 2 == 0 ? "venue/v/mend/events" : "venue/v/mend/cases/c";
    store->stage_outbox(topic, "{\"i\":" + std::to_string(i) + "}", wall_from_ms(1000 + i));
  }
  store->commit();
  const WallTime now = wall_from_ms(2000);
  const OutboxCaps caps{.rows = 20, .bytes = 1 << 20, .age = Millis{100'000}};
  ASSERT_TRUE(over_caps(store->outbox_usage(), caps, now));

  OutboxDrops d = store->trim_outbox(caps, now);
  EXPECT_EQ(d.telemetry, 10u);
  EXPECT_EQ(d.records, 0u);
  EXPECT_EQ(store->outbox_usage().rows, 20u);
  EXPECT_FALSE(over_caps(store->outbox_usage(), caps, now));
  // The oldest ten events went; the five newest events and every case change stayed.
  std::vector<std::int64_t> ids;
  for (const OutboxRow& r : store->outbox_after(0, 100)) ids.push_back(r.id);
  EXPECT_EQ(ids.front(), 2);
  EXPECT_EQ(ids.back(), 30);

  // Smaller still: no telemetry left to give, so the oldest case changes go.
  d = store->trim_outbox(OutboxCaps{.rows = 12, .bytes = 1 << 20, .age = Millis{100'000}}, now);
  EXPECT_EQ(d.telemetry, 5u);
  EXPECT_EQ(d.records, 3u);
  ids.clear();
  for (const OutboxRow& r : store->outbox_after(0, 100)) ids.push_back(r.id);
  ASSERT_EQ(ids.size(), 12u);
  EXPECT_EQ(ids.front(), 8) << "case changes 2, 4 and 6 went";
  EXPECT_EQ(store->outbox_usage().telemetry_rows, 0u);
}

TEST_F(StoreTest, OutboxBytesAndAgeAreCapsToo) {
  auto store = open(true);
  for (int i = 0; i < 10; ++i) {
    store->stage_outbox("venue/v/mend/audit", std::string(1000, 'x'),
                        wall_from_ms(std::int64_t{i} * 1000));
  }
  store->commit();
  // Rows older than 3.5 s at 9 s: 0..5 s go.
  OutboxDrops d = store->trim_outbox(OutboxCaps{.rows = 100, .bytes = 1 << 20, .age = Millis{3500}},
                                     wall_from_ms(9000));
  EXPECT_EQ(d.records, 6u);
  EXPECT_EQ(to_ms(*store->outbox_usage().oldest), 6000);
  // 4 rows of 1,018 bytes in 3,000: two go.
  d = store->trim_outbox(OutboxCaps{.rows = 100, .bytes = 3000, .age = Millis{100'000}},
                         wall_from_ms(9000));
  EXPECT_EQ(d.records, 2u);
  EXPECT_LE(store->outbox_usage().bytes, 3000u);
  EXPECT_EQ(store->outbox_usage().rows, 2u);
}

// ---- retention -------------------------------------------------------------------------------

TEST_F(StoreTest, PruneIsBoundedAndOldestFirst) {
  auto store = open(true);
  for (int i = 0; i < 1500; ++i) {
    store->stage_event(seated("ev-" + std::to_string(i), 10'000 + i), "t");
  }
  store->commit();
  const WallTime cutoff = wall_from_ms(10'000 + 1200);  // 1200 events are older

  EXPECT_EQ(store->prune_events(cutoff, 700), 700u) << "at most max_rows per call";
  EXPECT_EQ(store->event_count(), 800);
  EXPECT_FALSE(store->has_event("ev-0"));
  EXPECT_FALSE(store->has_event("ev-699"));
  EXPECT_TRUE(store->has_event("ev-700"));

  EXPECT_EQ(store->prune_events(cutoff, 700), 500u) << "the rest of the old ones";
  EXPECT_EQ(store->prune_events(cutoff, 700), 0u);
  EXPECT_EQ(store->event_count(), 300);
  EXPECT_TRUE(store->has_event("ev-1200"));
  EXPECT_EQ(store->prune_events(wall_from_ms(1'000'000), 0), 0u);

  for (int i = 0; i < 5; ++i) {
    store->stage_dead_letter("t", "x", Refusal{}, wall_from_ms(100 + i));
  }
  store->commit();
  EXPECT_EQ(store->prune_dead_letters(wall_from_ms(103), 10), 3u);
  EXPECT_EQ(store->dead_letter_count(), 2);
}

// ---- failures on the running path ------------------------------------------------------------

TEST_F(StoreTest, AFailedCommitKeepsEverythingStagedAndALaterOneSucceeds) {
  auto store = open(true);
  store->stage_event(seated("ev-base", 1), "t");
  store->commit();

  // Fault injection: the file may not grow by a single page, as on a full SD card.
  sqlite3* db = store->native_handle();
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA max_page_count = 1", nullptr, nullptr, &err), SQLITE_OK);
  sqlite3_free(err);

  for (int i = 0; i < 300; ++i) {
    Event e = seated("ev-" + std::to_string(i), 100 + i);
    e.extra.set("padding", std::string(500, 'p'));
    store->stage_event(e, "t");
  }
  store->stage_case(sample_case("c-1"));
  store->stage_audit(audit_record(1));
  store->stage_engine_state("{}");
  const std::size_t staged = store->staged_count();
  ASSERT_EQ(staged, 303u);

  try {
    store->commit();
    FAIL() << "the commit should have hit the page limit";
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path_), std::string::npos) << msg;
    EXPECT_NE(msg.find("full"), std::string::npos) << msg;
    EXPECT_NE(msg.find("kept for a retry"), std::string::npos) << msg;
  }
  EXPECT_EQ(store->staged_count(), staged);
  EXPECT_TRUE(store->has_event("ev-17")) << "still staged";
  EXPECT_FALSE(store->writable()) << "/readyz reports the failure";
  RawDb other(path_);
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM events"), 1) << "nothing of the batch was written";
  EXPECT_EQ(other.count("SELECT COUNT(*) FROM audit"), 0);
  EXPECT_EQ(store->event_count(), 1);

  // A retry while the disk is still full fails the same way and still loses nothing.
  EXPECT_THROW(store->commit(), StoreError);
  EXPECT_EQ(store->staged_count(), staged);

  ASSERT_EQ(sqlite3_exec(db, "PRAGMA max_page_count = 1000000", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const CommitStats stats = store->commit();
  EXPECT_EQ(stats.events, 300u);
  EXPECT_EQ(stats.audit, 1u);
  EXPECT_EQ(store->staged_count(), 0u);
  EXPECT_EQ(store->event_count(), 301);
  EXPECT_EQ(store->verify_audit_chain(), std::nullopt);
  EXPECT_TRUE(store->writable());
  EXPECT_EQ(store->integrity_check(), "ok");
}

TEST_F(StoreTest, WritableIsFalseWhileAnotherConnectionHoldsTheWriteLock) {
  auto store = open(true);
  EXPECT_TRUE(store->writable());
  RawDb other(path_);
  other.exec("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE");
  EXPECT_FALSE(store->writable());
  other.exec("ROLLBACK");
  EXPECT_TRUE(store->writable());
}

TEST_F(StoreTest, IntegrityCheckIsOk) {
  make_store_with_events(50);
  auto store = open();
  EXPECT_EQ(store->integrity_check(), "ok");
}

// ---- a guest's erasure ------------------------------------------------------------------------

TEST_F(StoreTest, AnErasureRenamesTheGuestEverywhereAndLeavesNoBytesInTheFileOrTheLog) {
  auto store = open(true);
  const auto booking = [](std::string id, Customer who, std::string notes) {
    Event e;
    e.id = std::move(id);
    e.type = EventType::kBookingCreated;
    e.ts = wall_from_ms(1'700'000'000'000);
    e.received = e.ts;
    e.body = BookingChanged{"B-" + who.id, e.ts, 2, who, 80.0, std::move(notes), "web"};
    return e;
  };
  const Customer zelda{"cust-zq", "Zelda Quixote", "+44 7700 900123", "Zelda.Q@example.org"};
  const Customer otto{"cust-ok", "Otto Keller", "", ""};
  ASSERT_TRUE(store->stage_event(booking("e1", zelda, "Zelda's birthday"), "venue/v1/booking/x"));
  ASSERT_TRUE(store->stage_event(booking("e2", otto, "window seat"), "venue/v1/booking/x"));
  Case hers = sample_case("c-1");
  hers.subject.customer = "cust-zq";
  hers.guest = GuestSummary{"cust-zq", "Zelda Quixote", "regular", 6};
  ASSERT_FALSE(apply_transition(hers, CaseStatus::kAcknowledged, Actor{"user:1", "staff"},
                                wall_from_ms(1'700'000'060'000), "told Zelda it is coming"));
  store->stage_case(hers);
  store->stage_case(sample_case("c-2"));
  store->stage_dead_letter("venue/v1/booking/x", R"({"customer":{"email":"zelda.q@example.org"}})",
                           Refusal{RefusalReason::kMissingField, "booking", "no booking"},
                           wall_from_ms(7000));
  store->stage_outbox("venue/v1/mend/follow_ups", R"({"name":"Zelda Quixote","message":"sorry"})",
                      wall_from_ms(7000));
  store->stage_outbox("venue/v1/mend/audit", R"({"action":"case.approve"})", wall_from_ms(7000));
  store->commit();
  RawDb raw(path_);
  const std::int64_t events = raw.count("SELECT count(*) FROM events");

  GuestRecord r;
  r.id = "cust-zq";
  r.ref = "g7";
  r.name = zelda.name;
  r.email = "zelda.q@example.org";
  r.phone = "+447700900123";
  store->stage_erasure(erasure_of(r));
  store->stage_outbox("venue/v1/mend/erasures", R"({"customer":"cust-zq"})", wall_from_ms(8000));
  const CommitStats stats = store->commit();
  EXPECT_TRUE(stats.wal_truncated);
  // Her booking and her case, both renamed, the history note, the dead letter and the message.
  EXPECT_EQ(stats.erased, 5U);

  EXPECT_EQ(raw.count("SELECT count(*) FROM events"), events);
  // The id goes wherever it was written, inside the booking's id too.
  EXPECT_EQ(raw.text("SELECT json FROM events WHERE id = 'e1'"),
            R"({"id":"e1","ts":"2023-11-14T22:13:20Z","booking":"B-erased-g7",)"
            R"("at":"2023-11-14T22:13:20Z","party":2,"customer":{"id":"erased-g7"},)"
            R"("value":80,"notes":"[erased]","channel":"web"})");
  EXPECT_NE(raw.text("SELECT json FROM events WHERE id = 'e2'").find("Otto Keller"),
            std::string::npos);
  const std::vector<Case> cases = store->load_cases(false);
  ASSERT_EQ(cases.size(), 2U);
  EXPECT_EQ(cases[0].subject.customer, "erased-g7");
  EXPECT_EQ(cases[0].guest.name, "[erased]");
  EXPECT_EQ(raw.text("SELECT note FROM case_history WHERE case_id = 'c-1'"),
            "told [erased] it is coming");
  EXPECT_EQ(store->dead_letter_count(), 0);
  // The deletion record stays for the cloud; the message to her does not.
  EXPECT_EQ(raw.text("SELECT group_concat(topic, ' ') FROM (SELECT topic FROM outbox ORDER BY id)"),
            "venue/v1/mend/audit venue/v1/mend/erasures");
  EXPECT_EQ(store->outbox_usage().rows, 2U);

  for (const std::string& file : {path_, path_ + "-wal"}) {
    if (!fs::exists(file)) continue;
    std::string bytes = read_file(file);
    std::transform(bytes.begin(), bytes.end(), bytes.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* trace : {"zelda", "quixote", "7700 900123"}) {
      EXPECT_EQ(bytes.find(trace), std::string::npos) << trace << " in " << file;
    }
  }
  EXPECT_EQ(store->integrity_check(), "ok");
}

}  // namespace
}  // namespace mend
