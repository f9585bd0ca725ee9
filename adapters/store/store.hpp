// The SQLite store: one file on the box's SD card holding raw events, dead letters, cases and
// their history, the engine's state, the audit log, the cloud outbox and a few meta values.
//
// Writes are staged in memory and written together by commit() in one transaction, which the
// daemon calls on a short tick or when staged_count() reaches its batch bound. One fsync per
// batch instead of one per event is what keeps an SD card alive (the same reason Mosquitto's
// SQLite persistence commits on a tick). The bounds belong to the caller: everything staged
// stays in memory until a commit succeeds, so the caller must stop accepting work (or commit)
// when staged_count() reaches its bound, and keep retrying commit() while it fails.
//
// Opening never replaces a database: an existing file that is not a healthy Mend database is
// refused with a StoreError saying what is wrong, and a new file is created only when
// `create` is set and nothing exists at the path (not even a leftover write-ahead log).
//
// Not thread-safe: one owner thread (the daemon's executor) makes every call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "adapters/store/outbox_table.hpp"
#include "adapters/store/sqlite.hpp"
#include "adapters/store/store_error.hpp"
#include "core/audit_log.hpp"
#include "core/case.hpp"
#include "core/codec.hpp"
#include "core/contributions.hpp"
#include "core/erasure.hpp"
#include "core/event.hpp"
#include "core/guest_record.hpp"
#include "core/json.hpp"
#include "core/outbox.hpp"
#include "core/risk_tracker.hpp"
#include "core/time.hpp"

namespace mend {

struct StoreOptions {
  std::string path;
  // Create a new, empty database, but only when no file exists at `path` (a fresh install).
  bool create = false;
};

// Where `mendctl ledger verify` found the chain broken: the first bad entry and what is wrong.
struct LedgerBreak {
  std::int64_t seq = 0;
  std::string problem;
};

struct DeadLetterRow {
  std::int64_t id = 0;
  std::string topic;
  std::string payload;  // the raw bytes as received
  std::string reason;   // refusal_reason_name()
  std::string field;
  std::string message;
  WallTime received;
};

// A trained at-risk model as the store keeps it (core/risk_model.hpp): `version` numbers every
// model trained, and the newest promoted one is the model in use.
struct ModelRow {
  std::int64_t version = 0;
  WallTime trained_at;
  bool promoted = false;
  std::string note;  // why it was or was not promoted, in plain words
  std::string json;  // the model
};

// What one commit() wrote.
struct CommitStats {
  std::size_t events = 0;
  std::size_t dead_letters = 0;
  std::size_t cases = 0;
  std::size_t history = 0;  // case_history rows appended
  bool engine_state = false;
  std::size_t audit = 0;
  std::size_t outbox = 0;
  std::size_t outbox_deleted = 0;
  std::size_t meta = 0;
  std::size_t guests = 0;      // guest rows written or deleted
  std::size_t ledger = 0;      // contribution ledger entries chained
  std::size_t visits = 0;      // table-visit rows written (risk_rows.cpp)
  std::size_t erased = 0;      // rows renamed or deleted for a guest's erasure
  bool wal_truncated = false;  // after an erasure: the write-ahead log was emptied
  std::chrono::microseconds took{0};
};

// What try_commit() did: kOk (everything staged is on disk), or kRetry (nothing of it is,
// everything stays staged; call again later). Every commit failure is worth a retry: a full
// disk gets space back, a lock is released, an I/O error may pass.
enum class CommitResult { kOk, kRetry };
struct CommitOutcome {
  CommitResult result = CommitResult::kOk;
  CommitStats stats;       // kOk
  std::string error;       // kRetry: what failed, naming the file
  int sqlite_code = 0;     // kRetry: SQLite's extended result code, 0 when not SQLite's
  bool disk_full() const;  // SQLITE_FULL: the daemon's store.unwritable says "disk full"
  bool io_error() const;   // SQLITE_IOERR and its extended codes
};

class Store : public AuditLog {
 public:
  // Opens the database at options.path, creating it only as described at the top, checks that
  // it is a healthy Mend database (application id, PRAGMA quick_check, meta table, a schema
  // version this build knows), applies pending migrations and prepares every statement.
  // quick_check reads the whole file, so opening a large store takes a moment. Throws
  // StoreError naming the path and the problem.
  static std::unique_ptr<Store> open(const StoreOptions& options);

  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return db_.path(); }

  // ---- staging (memory only until commit) --------------------------------------------------

  // Whether an event with this id is committed or staged. The daemon asks before the engine
  // sees an event, so a bridge's retry, or a redelivery after a restart, is one event.
  bool has_event(std::string_view id);
  // Stages the event's canonical JSON (event_to_json). False, and nothing staged, when the id
  // is already known.
  bool stage_event(const Event& e, std::string_view topic);
  void stage_dead_letter(std::string_view topic, std::string_view payload, const Refusal& r,
                         WallTime received);
  // Upsert. Staging the same case again before a commit replaces the staged copy. At commit,
  // history entries beyond those already stored for the case are appended.
  void stage_case(const Case& c);
  // Replaces the stored engine state at the next commit.
  void stage_engine_state(std::string json);
  // Audit records are chained at commit, in the order staged.
  void stage_audit(AuditRecord a);
  void stage_outbox(std::string topic, std::string payload, WallTime created);
  // The cloud broker acknowledged the row: it goes at the next commit.
  void stage_outbox_delete(std::int64_t id);
  // Keys starting "store." are the store's own; staging one throws std::invalid_argument.
  void stage_meta(std::string key, std::string value);
  // A guest's profile row: written (upsert) or deleted at the next commit; the later of the
  // two staged for one guest wins.
  void stage_guest(const GuestRecord& g);
  void stage_guest_delete(const std::string& id);
  // A guest's erasure (core/erasure.hpp): at the next commit, after everything else staged, the
  // guest is renamed in every event, case and case history row, and the dead letters and
  // outbox messages that name them are deleted. After that commit the write-ahead log is
  // checkpointed and truncated (CommitStats::wal_truncated says whether a reader let it).
  void stage_erasure(GuestErasure e) { erasures_.push_back(std::move(e)); }

  // A contribution ledger entry (core/contributions.hpp), numbered by the core: at commit,
  // after the audit records, its audit evidence gets the row ids (the latest row with the
  // action and target), and it is chained: hash = BLAKE2b-256(prev_hash || canonical text).
  void stage_ledger(LedgerEntry e) { ledger_.push_back(std::move(e)); }
  // A table-visit (core/risk_tracker.hpp), written (upsert by id) at the next commit.
  void stage_visit(const risk::Visit& v);

  // Staged writes not yet committed (a case staged twice counts once).
  std::size_t staged_count() const;

  // Writes everything staged in one transaction. On failure (disk full, I/O error, a lock held
  // too long) the transaction is rolled back, everything stays staged for the next call, and a
  // StoreError says what failed; the daemon catches it and retries on its next tick. With
  // nothing staged it returns at once.
  CommitStats commit();
  // The same, for the running path: never throws, says what happened.
  CommitOutcome try_commit();

  // ---- immediate writes --------------------------------------------------------------------

  // Runs `write` and appends the audit records it returns to the chain, now, in one
  // transaction of its own, leaving everything staged untouched (so the daemon's batch, and
  // what it publishes after its own commit, is not disturbed). For rare, small writes that
  // must be on disk together with their audit record before the caller answers: staff
  // accounts, sign-in, sessions, tokens. `write` gets the connection for its own statements
  // and may throw to abandon the change. On any failure everything is rolled back and the
  // exception (a StoreError, or whatever `write` threw) propagates.
  void write_now(const std::function<std::vector<AuditRecord>(sqlite::Db&)>& write);

  // From now on every audit record, from a commit or from write_now, also goes into the
  // outbox on `topic`, in the same transaction, with its row id and chain hashes (so the cloud
  // can check the chain): the cloud link is on.
  void copy_audit_to_outbox(std::string topic) { audit_topic_ = std::move(topic); }

  // The connection, for an adapter that prepares its own statements on it (adapters/auth).
  // Writes go through write_now, never behind the store's back.
  sqlite::Db& db() { return db_; }

  // ---- reads (committed data only) ---------------------------------------------------------

  // Cases from their stored JSON; open_only leaves out closed ones. Oldest opened first.
  std::vector<Case> load_cases(bool open_only);
  // Cases opened at or after `since`, oldest first (closed ones too): a period's record.
  std::vector<Case> load_cases_opened_since(WallTime since);
  std::optional<std::string> load_engine_state();
  // Every guest's record. A row that does not read is left out and named in `bad`.
  std::vector<GuestRecord> load_guests(std::vector<std::string>* bad = nullptr);
  // For a guest's export: the cases about the customer (closed ones too) and their raw
  // events, with those that name only one of their bookings; oldest first.
  std::vector<Case> guest_cases(const std::string& customer);
  std::vector<json::Value> guest_events(const std::string& customer);
  std::optional<std::string> meta(std::string_view key);
  std::int64_t event_count();
  // Newest first.
  std::vector<DeadLetterRow> dead_letters(std::size_t limit);
  std::int64_t dead_letter_count();
  // Newest first; before_id > 0 pages back from that row (exclusive).
  std::vector<AuditRow> audit(std::size_t limit, std::int64_t before_id = 0) override;
  // Walks the whole chain: nullopt when it is intact, otherwise the id of the first row that
  // was altered or does not link to the row before it. A removed tail reports the first id
  // that is missing.
  std::optional<std::int64_t> verify_audit_chain();
  // The contribution ledger, oldest first: every entry (the core folds them at start), or the
  // rows about one person or one guest ref (empty: all). A row whose text does not read
  // throws StoreError naming its seq: the ledger is not something to skip parts of.
  std::vector<LedgerEntry> load_ledger();
  std::vector<LedgerRow> ledger_rows(std::string_view person = {}, std::string_view guest = {});
  // Walks the whole chain: nullopt when intact, else the first bad entry. Finds an edited row
  // (its hash, or its columns against its text), a deleted one (a gap in seq, or the next
  // row's prev_hash), rows swapped, and a cut tail (against the head kept in meta).
  std::optional<LedgerBreak> verify_ledger();
  // The chain's head: the last seq and its hash; nullopt while the ledger is empty.
  std::optional<std::pair<std::int64_t, std::string>> ledger_head();
  // Table-visits whose seated_at is in [from, to), oldest first: the settled ones only (for
  // training), or those not yet settled (for the tracker at start). A row that does not read
  // is left out and named in `bad`.
  std::vector<risk::Visit> load_visits(bool settled, WallTime from, WallTime to,
                                       std::vector<std::string>* bad = nullptr);
  // Keeps a trained model, in a short transaction of its own (training is not an input's
  // commit); returns its version.
  std::int64_t add_model(const std::string& json, bool promoted, const std::string& note,
                         WallTime trained_at);
  // Deletes the settled visits seated before `before`; returns how many.
  std::size_t prune_visits(WallTime before);
  // Newest first: every model, or the promoted ones.
  std::vector<ModelRow> model_rows(std::size_t limit, bool promoted_only = false);

  // What the outbox holds (kept as a tally: no scan).
  OutboxUsage outbox_usage();
  // Committed outbox rows with an id above after_id, in id order (the cloud link's sequence).
  std::vector<OutboxRow> outbox_after(std::int64_t after_id, std::size_t limit);
  // Gives outbox rows up until it is within `caps` (outbox_table.hpp says which go first), in
  // short transactions of its own. Throws StoreError when it cannot write.
  OutboxDrops trim_outbox(const OutboxCaps& caps, WallTime now);

  // ---- maintenance -------------------------------------------------------------------------

  // Deletes up to max_rows raw events received before older_than, oldest first, in chunks
  // that are each their own short transaction, so one call never holds the write lock long.
  // Returns how many were deleted; call again later for the rest. The `received` index makes
  // each chunk a range scan, so pruning to the newest N days is quick at any table size (it
  // is the low-space retention too, see disk_space.hpp).
  std::size_t prune_events(WallTime older_than, std::size_t max_rows);
  // The same bounded retention for dead letters.
  std::size_t prune_dead_letters(WallTime older_than, std::size_t max_rows);
  // PRAGMA integrity_check: "ok", or the problems found, one per line. Reads the whole file.
  std::string integrity_check();
  // For /readyz: false while the last commit failed, or when the write lock cannot be taken
  // (BEGIN IMMEDIATE; ROLLBACK, which writes nothing).
  bool writable();

  // The raw connection, for diagnostics and fault-injection tests (PRAGMA max_page_count).
  // Writing through it behind the store's back is not supported.
  sqlite3* native_handle() const { return db_.get(); }

 private:
  struct Statements;
  struct StagedEvent {
    std::string id;
    std::string type;
    std::string topic;
    std::int64_t ts = 0;
    std::int64_t received = 0;
    std::string json;
  };
  struct StagedDeadLetter {
    std::string topic;
    std::string payload;
    std::string reason;
    std::string field;
    std::string message;
    std::int64_t received = 0;
  };
  struct StagedAudit {
    std::int64_t at = 0;
    std::string actor;
    std::string role;
    std::string action;
    std::string target;
    std::string detail;  // canonical JSON text, fixed at staging
  };
  struct StagedOutbox {
    std::string topic;
    std::string payload;
    std::int64_t created = 0;
  };

  explicit Store(sqlite::Db db);
  void write_staged(CommitStats& stats);
  void write_case(const Case& c, CommitStats& stats);
  void write_audit(const std::vector<StagedAudit>& records, CommitStats& stats);
  void write_ledger(CommitStats& stats);  // ledger_rows.cpp
  void write_visits(CommitStats& stats);  // risk_rows.cpp
  static StagedAudit to_staged(AuditRecord a);
  void clear_staged();
  std::vector<Case> read_cases(sqlite::Query& q);
  void erase_rows(const GuestErasure& e, CommitStats& stats);
  bool truncate_wal();
  std::size_t prune(sqlite::Stmt& stmt, WallTime older_than, std::size_t max_rows);

  sqlite::Db db_;
  std::unique_ptr<Statements> st_;  // declared after db_: finalized before the connection closes
  std::unique_ptr<OutboxTable> outbox_table_;  // likewise
  bool last_commit_failed_ = false;
  std::string audit_topic_;  // copy_audit_to_outbox

  // Lets has_event look up a string_view without building a string.
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<StagedEvent> events_;
  std::unordered_set<std::string, IdHash, std::equal_to<>> staged_event_ids_;
  std::vector<StagedDeadLetter> dead_letters_;
  std::map<std::string, Case, std::less<>> cases_;
  std::optional<std::string> engine_state_;
  std::vector<StagedAudit> audit_;
  std::vector<StagedOutbox> outbox_;
  std::vector<std::int64_t> outbox_deletes_;
  std::map<std::string, std::string, std::less<>> meta_;
  // id -> the row's last_seen and JSON, or nullopt to delete it.
  std::map<std::string, std::optional<std::pair<std::int64_t, std::string>>> guests_;
  std::vector<GuestErasure> erasures_;
  std::vector<LedgerEntry> ledger_;
  struct VisitRow {
    std::int64_t seated_at = 0;
    bool settled = false;
    bool bad = false;
    std::string json;
  };
  std::map<std::string, VisitRow> visits_;
};

}  // namespace mend
