#include "adapters/store/store.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "adapters/store/audit_chain.hpp"
#include "adapters/store/schema.hpp"
#include "adapters/store/store_file.hpp"

namespace mend {

namespace {

namespace fs = std::filesystem;
using store_file::pragma_lines;

// How long a statement waits for a lock another connection holds (mendctl reading, a backup)
// before it fails; short, because the owner thread also serves the tablets.
constexpr int kBusyTimeoutMs = 2000;
// Rows deleted per retention transaction.
constexpr std::size_t kPruneChunk = 500;
// The store's own meta key for the audit chain's head: "<last id> <last hash>".
constexpr std::string_view kAuditHeadKey = "store.audit_head";
constexpr std::string_view kReservedMetaPrefix = "store.";
constexpr std::size_t kMaxGuestRowBytes = std::size_t{16} * 1024 * 1024;
// A stored case or engine state may be far larger than an MQTT payload.
constexpr json::ParseLimits kStoredJsonLimits{64, std::size_t{64} << 20};

}  // namespace

// Every statement the store runs, prepared once at open.
struct Store::Statements {
  explicit Statements(sqlite::Db& db)
      : begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        event_known(db, "SELECT 1 FROM events WHERE id = ?1"),
        insert_event(db,
                     "INSERT OR IGNORE INTO events (id, type, topic, ts, received, json) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        insert_dead_letter(db,
                           "INSERT INTO dead_letters (topic, payload, reason, field, message, "
                           "received) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        upsert_case(db,
                    "INSERT INTO cases (id, kind, status, severity, opened_at, updated_at, json) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO UPDATE SET "
                    "kind = excluded.kind, status = excluded.status, severity = excluded.severity, "
                    "opened_at = excluded.opened_at, updated_at = excluded.updated_at, "
                    "json = excluded.json"),
        history_stored(db, "SELECT COALESCE(MAX(seq) + 1, 0) FROM case_history WHERE case_id = ?1"),
        insert_history(db,
                       "INSERT INTO case_history (case_id, seq, from_status, to_status, actor_id, "
                       "actor_role, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        // saved_at is informational (when the row was written), so SQLite's clock will do.
        upsert_engine_state(db,
                            "INSERT INTO engine_state (id, json, saved_at) VALUES (1, ?1, "
                            "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)) "
                            "ON CONFLICT (id) DO UPDATE SET json = excluded.json, "
                            "saved_at = excluded.saved_at"),
        insert_audit(db,
                     "INSERT INTO audit (at, actor, role, action, target, detail, prev_hash, "
                     "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        upsert_meta(db,
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE "
                    "SET value = excluded.value"),
        select_meta(db, "SELECT value FROM meta WHERE key = ?1"),
        upsert_guest(db,
                     "INSERT INTO guests (id, last_seen, json) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, "
                     "json = excluded.json"),
        delete_guest(db, "DELETE FROM guests WHERE id = ?1"),
        select_guests(db, "SELECT id, json FROM guests ORDER BY last_seen, id"),
        select_cases(db,
                     "SELECT id, json FROM cases WHERE ?1 = 0 OR status <> ?2 "
                     "ORDER BY opened_at, id"),
        select_cases_opened(db,
                            "SELECT id, json FROM cases WHERE opened_at >= ?1 "
                            "ORDER BY opened_at, id"),
        select_engine_state(db, "SELECT json FROM engine_state WHERE id = 1"),
        count_events(db, "SELECT COUNT(*) FROM events"),
        select_dead_letters(db,
                            "SELECT id, topic, payload, reason, field, message, received "
                            "FROM dead_letters ORDER BY id DESC LIMIT ?1"),
        count_dead_letters(db, "SELECT COUNT(*) FROM dead_letters"),
        select_audit_page(db,
                          "SELECT id, at, actor, role, action, target, detail, prev_hash, hash "
                          "FROM audit WHERE ?2 <= 0 OR id < ?2 ORDER BY id DESC LIMIT ?1"),
        select_audit_all(db,
                         "SELECT id, at, actor, role, action, target, detail, prev_hash, hash "
                         "FROM audit ORDER BY id"),
        prune_events(db,
                     "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events "
                     "WHERE received < ?1 ORDER BY received LIMIT ?2)"),
        prune_dead_letters(db,
                           "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters "
                           "WHERE received < ?1 ORDER BY received LIMIT ?2)"),
        integrity_check(db, "PRAGMA integrity_check(100)") {}

  sqlite::Stmt begin;
  sqlite::Stmt commit;
  sqlite::Stmt event_known;
  sqlite::Stmt insert_event;
  sqlite::Stmt insert_dead_letter;
  sqlite::Stmt upsert_case;
  sqlite::Stmt history_stored;
  sqlite::Stmt insert_history;
  sqlite::Stmt upsert_engine_state;
  sqlite::Stmt insert_audit;
  sqlite::Stmt upsert_meta;
  sqlite::Stmt select_meta;
  sqlite::Stmt upsert_guest;
  sqlite::Stmt delete_guest;
  sqlite::Stmt select_guests;
  sqlite::Stmt select_cases;
  sqlite::Stmt select_cases_opened;
  sqlite::Stmt select_engine_state;
  sqlite::Stmt count_events;
  sqlite::Stmt select_dead_letters;
  sqlite::Stmt count_dead_letters;
  sqlite::Stmt select_audit_page;
  sqlite::Stmt select_audit_all;
  sqlite::Stmt prune_events;
  sqlite::Stmt prune_dead_letters;
  sqlite::Stmt integrity_check;
};

std::unique_ptr<Store> Store::open(const StoreOptions& options) {
  const std::string& path = options.path;
  if (path.empty()) throw StoreError("(none)", "no database path configured");
  if (sodium_init() < 0) throw StoreError(path, "libsodium failed to initialise");

  if (!store_file::path_exists(path)) {
    // A write-ahead log without its database means the database was deleted or moved after
    // it was used; a new empty one would silently lose every case and the audit trail.
    for (const char* suffix : {"-wal", "-journal"}) {
      if (store_file::path_exists(path + suffix)) {
        throw StoreError(path, std::string("the database file is missing but its ") + suffix +
                                   " file exists: it was deleted or moved; restore it, or "
                                   "remove " +
                                   path + suffix + " to start with an empty store");
      }
    }
    if (!options.create) {
      throw StoreError(path, "no database file (and creating one was not asked for)");
    }
    // A lone -shm holds no data, but a stale one must not meet the new database.
    std::error_code ec;
    fs::remove(path + "-shm", ec);
    store_file::create_database(path);
  }

  store_file::check_sqlite_header(path);
  sqlite::Db db(path, SQLITE_OPEN_READWRITE);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  store_file::check_database(db);
  store_file::configure(db);
  store_schema::migrate(db);
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

Store::Store(sqlite::Db db)
    : db_(std::move(db)),
      st_(std::make_unique<Statements>(db_)),
      outbox_table_(std::make_unique<OutboxTable>(db_)) {}

Store::~Store() = default;

// ---- staging ---------------------------------------------------------------------------------

bool Store::has_event(std::string_view id) {
  if (staged_event_ids_.contains(id)) return true;
  sqlite::Query q(st_->event_known);
  q.bind(1, id);
  return q.step();
}

bool Store::stage_event(const Event& e, std::string_view topic) {
  if (has_event(e.id)) return false;
  events_.push_back(StagedEvent{e.id, std::string(event_type_name(e.type)), std::string(topic),
                                to_ms(e.ts), to_ms(e.received), json::dump(event_to_json(e))});
  staged_event_ids_.insert(e.id);
  return true;
}

void Store::stage_dead_letter(std::string_view topic, std::string_view payload, const Refusal& r,
                              WallTime received) {
  dead_letters_.push_back(StagedDeadLetter{std::string(topic), std::string(payload),
                                           std::string(refusal_reason_name(r.reason)), r.field,
                                           r.message, to_ms(received)});
}

void Store::stage_case(const Case& c) { cases_.insert_or_assign(c.id, c); }

void Store::stage_engine_state(std::string json) { engine_state_ = std::move(json); }

Store::StagedAudit Store::to_staged(AuditRecord a) {
  return StagedAudit{to_ms(a.at),         std::move(a.actor),  std::move(a.role),
                     std::move(a.action), std::move(a.target), json::dump(a.detail)};
}

void Store::stage_audit(AuditRecord a) { audit_.push_back(to_staged(std::move(a))); }

void Store::stage_outbox(std::string topic, std::string payload, WallTime created) {
  outbox_.push_back(StagedOutbox{std::move(topic), std::move(payload), to_ms(created)});
}

void Store::stage_outbox_delete(std::int64_t id) { outbox_deletes_.push_back(id); }

void Store::stage_meta(std::string key, std::string value) {
  if (key.starts_with(kReservedMetaPrefix)) {
    throw std::invalid_argument("meta key '" + key + "' is reserved for the store");
  }
  meta_.insert_or_assign(std::move(key), std::move(value));
}

void Store::stage_guest(const GuestRecord& g) {
  guests_.insert_or_assign(g.id,
                           std::make_pair(to_ms(g.last_seen), json::dump(guest_record_json(g))));
}

void Store::stage_guest_delete(const std::string& id) {
  guests_.insert_or_assign(id, std::nullopt);
}

std::size_t Store::staged_count() const {
  return events_.size() + dead_letters_.size() + cases_.size() + (engine_state_ ? 1 : 0) +
         audit_.size() + ledger_.size() + outbox_.size() + outbox_deletes_.size() + meta_.size() +
         guests_.size() + erasures_.size() + visits_.size();
}

// ---- commit ----------------------------------------------------------------------------------

CommitStats Store::commit() {
  CommitStats stats;
  const std::size_t staged = staged_count();
  if (staged == 0) return stats;
  const auto started = std::chrono::steady_clock::now();
  try {
    sqlite::Query(st_->begin).run();
    write_staged(stats);
    sqlite::Query(st_->commit).run();
  } catch (const StoreError& e) {
    db_.rollback_quietly();
    outbox_table_->rolled_back();
    last_commit_failed_ = true;
    throw StoreError(path(),
                     "commit failed, " + std::to_string(staged) +
                         " staged writes kept for a retry: " + e.problem(),
                     e.sqlite_code());
  } catch (...) {
    db_.rollback_quietly();
    outbox_table_->rolled_back();
    last_commit_failed_ = true;
    throw;
  }
  outbox_table_->committed();
  last_commit_failed_ = false;
  const bool erased = !erasures_.empty();
  clear_staged();
  if (erased) stats.wal_truncated = truncate_wal();
  stats.took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  return stats;
}

void Store::write_staged(CommitStats& stats) {
  for (const StagedEvent& e : events_) {
    sqlite::Query q(st_->insert_event);
    q.bind(1, e.id).bind(2, e.type).bind(3, e.topic).bind(4, e.ts).bind(5, e.received);
    q.bind(6, e.json).run();
    stats.events += static_cast<std::size_t>(db_.changes());
  }
  for (const StagedDeadLetter& d : dead_letters_) {
    sqlite::Query q(st_->insert_dead_letter);
    q.bind(1, d.topic).bind_blob(2, d.payload).bind(3, d.reason).bind(4, d.field);
    q.bind(5, d.message).bind(6, d.received).run();
    ++stats.dead_letters;
  }
  for (const auto& [id, c] : cases_) write_case(c, stats);
  if (engine_state_) {
    sqlite::Query q(st_->upsert_engine_state);
    q.bind(1, *engine_state_).run();
    stats.engine_state = true;
  }
  write_audit(audit_, stats);
  write_ledger(stats);
  write_visits(stats);
  for (const StagedOutbox& o : outbox_) {
    outbox_table_->insert(o.topic, o.payload, o.created);
    ++stats.outbox;
  }
  for (const std::int64_t id : outbox_deletes_) {
    outbox_table_->erase(id);
    ++stats.outbox_deleted;
  }
  for (const auto& [key, value] : meta_) {
    sqlite::Query q(st_->upsert_meta);
    q.bind(1, key).bind(2, value).run();
    ++stats.meta;
  }
  for (const auto& [id, row] : guests_) {
    if (row) {
      sqlite::Query q(st_->upsert_guest);
      q.bind(1, id).bind(2, row->first).bind(3, row->second).run();
    } else {
      sqlite::Query q(st_->delete_guest);
      q.bind(1, id).run();
    }
    ++stats.guests;
  }
  // Last, so what this commit wrote is renamed too.
  for (const GuestErasure& e : erasures_) erase_rows(e, stats);
}

void Store::write_case(const Case& c, CommitStats& stats) {
  const std::string json = json::dump(case_to_json(c));
  {
    sqlite::Query q(st_->upsert_case);
    q.bind(1, c.id).bind(2, case_kind_name(c.kind)).bind(3, case_status_name(c.status));
    q.bind(4, severity_name(c.severity)).bind(5, to_ms(c.opened_at)).bind(6, to_ms(c.updated_at));
    q.bind(7, json).run();
    ++stats.cases;
  }
  std::int64_t stored = 0;
  {
    sqlite::Query q(st_->history_stored);
    q.bind(1, c.id);
    if (q.step()) stored = q.int64(0);
  }
  // History only grows, so the entries past those stored are the new ones.
  for (std::size_t seq = static_cast<std::size_t>(stored); seq < c.history.size(); ++seq) {
    const Transition& t = c.history[seq];
    sqlite::Query q(st_->insert_history);
    q.bind(1, c.id).bind(2, static_cast<std::int64_t>(seq)).bind(3, case_status_name(t.from));
    q.bind(4, case_status_name(t.to)).bind(5, t.by.id).bind(6, t.by.role).bind(7, to_ms(t.at));
    q.bind(8, t.note).run();
    ++stats.history;
  }
}

void Store::write_audit(const std::vector<StagedAudit>& records, CommitStats& stats) {
  if (records.empty()) return;
  // The chain continues from the recorded head, not from whatever row is last in the table,
  // so a deleted tail shows up as a broken link instead of being papered over.
  std::string prev;
  if (auto head = meta(kAuditHeadKey)) {
    if (auto parsed = audit_chain::parse_head(*head)) prev = parsed->second;
  }
  std::int64_t last_id = 0;
  for (const StagedAudit& a : records) {
    const std::string hash = audit_chain::link_hash(
        prev, audit_chain::canonical_text(a.at, a.actor, a.role, a.action, a.target, a.detail));
    sqlite::Query q(st_->insert_audit);
    q.bind(1, a.at).bind(2, a.actor).bind(3, a.role).bind(4, a.action).bind(5, a.target);
    q.bind(6, a.detail).bind(7, prev).bind(8, hash).run();
    last_id = db_.last_insert_rowid();
    if (!audit_topic_.empty()) {
      json::Object o;
      o.append("id", last_id);
      o.append("at", format_rfc3339(wall_from_ms(a.at)));
      o.append("actor", a.actor);
      o.append("role", a.role);
      o.append("action", a.action);
      o.append("target", a.target);
      auto detail = json::parse(a.detail);
      o.append("detail", detail ? std::move(*detail.value) : json::Value(a.detail));
      o.append("prev_hash", prev);
      o.append("hash", hash);
      outbox_table_->insert(audit_topic_, json::dump(json::Value(std::move(o))), a.at);
      ++stats.outbox;
    }
    prev = hash;
    ++stats.audit;
  }
  const std::string head = std::to_string(last_id) + " " + prev;
  sqlite::Query q(st_->upsert_meta);
  q.bind(1, kAuditHeadKey).bind(2, head).run();
}

// ---- immediate writes ------------------------------------------------------------------------

void Store::write_now(const std::function<std::vector<AuditRecord>(sqlite::Db&)>& write) {
  CommitStats stats;
  try {
    sqlite::Query(st_->begin).run();
    std::vector<StagedAudit> records;
    for (AuditRecord& a : write(db_)) records.push_back(to_staged(std::move(a)));
    write_audit(records, stats);
    sqlite::Query(st_->commit).run();
  } catch (...) {
    db_.rollback_quietly();
    outbox_table_->rolled_back();
    throw;
  }
  outbox_table_->committed();
}

void Store::clear_staged() {
  guests_.clear();
  visits_.clear();
  erasures_.clear();
  events_.clear();
  staged_event_ids_.clear();
  dead_letters_.clear();
  cases_.clear();
  engine_state_.reset();
  audit_.clear();
  ledger_.clear();
  outbox_.clear();
  outbox_deletes_.clear();
  meta_.clear();
}

// ---- reads -----------------------------------------------------------------------------------

std::vector<Case> Store::load_cases(bool open_only) {
  sqlite::Query q(st_->select_cases);
  q.bind(1, std::int64_t{open_only ? 1 : 0}).bind(2, case_status_name(CaseStatus::kClosed));
  return read_cases(q);
}

std::vector<Case> Store::load_cases_opened_since(WallTime since) {
  sqlite::Query q(st_->select_cases_opened);
  q.bind(1, to_ms(since));
  return read_cases(q);
}

std::vector<Case> Store::read_cases(sqlite::Query& q) {
  std::vector<Case> out;
  while (q.step()) {
    const std::string id = q.text(0);
    auto parsed = json::parse(q.text(1), kStoredJsonLimits);
    std::optional<Case> c = parsed ? case_from_json(*parsed.value) : std::nullopt;
    if (!c) {
      throw StoreError(path(), "case " + id + ": the stored JSON is not a valid case" +
                                   (parsed ? std::string() : " (" + parsed.error.message + ")"));
    }
    out.push_back(std::move(*c));
  }
  return out;
}

std::optional<std::string> Store::load_engine_state() {
  sqlite::Query q(st_->select_engine_state);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::vector<GuestRecord> Store::load_guests(std::vector<std::string>* bad) {
  std::vector<GuestRecord> out;
  sqlite::Query q(st_->select_guests);
  while (q.step()) {
    std::string id = q.text(0);
    // A record can hold many notes: more than a payload's limit.
    const json::ParseResult parsed = json::parse(q.text(1), {.max_bytes = kMaxGuestRowBytes});
    GuestRecord r;
    std::optional<std::string> why = parsed.value ? guest_record_from_json(*parsed.value, r)
                                                  : std::optional<std::string>("not JSON");
    if (!why && r.id != id) why = "the record's id is '" + r.id + "'";
    if (why) {
      if (bad != nullptr) bad->push_back("guest '" + id + "': " + *why);
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<std::string> Store::meta(std::string_view key) {
  sqlite::Query q(st_->select_meta);
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::int64_t Store::event_count() {
  sqlite::Query q(st_->count_events);
  return q.step() ? q.int64(0) : 0;
}

std::vector<DeadLetterRow> Store::dead_letters(std::size_t limit) {
  std::vector<DeadLetterRow> out;
  sqlite::Query q(st_->select_dead_letters);
  q.bind(1, static_cast<std::int64_t>(limit));
  while (q.step()) {
    out.push_back(DeadLetterRow{q.int64(0), q.text(1), q.blob(2), q.text(3), q.text(4), q.text(5),
                                wall_from_ms(q.int64(6))});
  }
  return out;
}

std::int64_t Store::dead_letter_count() {
  sqlite::Query q(st_->count_dead_letters);
  return q.step() ? q.int64(0) : 0;
}

namespace {

AuditRow read_audit_row(const sqlite::Query& q) {
  return AuditRow{q.int64(0), wall_from_ms(q.int64(1)),
                  q.text(2),  q.text(3),
                  q.text(4),  q.text(5),
                  q.text(6),  q.text(7),
                  q.text(8)};
}

}  // namespace

std::vector<AuditRow> Store::audit(std::size_t limit, std::int64_t before_id) {
  std::vector<AuditRow> out;
  sqlite::Query q(st_->select_audit_page);
  q.bind(1, static_cast<std::int64_t>(limit)).bind(2, before_id);
  while (q.step()) out.push_back(read_audit_row(q));
  return out;
}

std::optional<std::int64_t> Store::verify_audit_chain() {
  const std::optional<std::string> head_text = meta(kAuditHeadKey);
  const auto head = head_text ? audit_chain::parse_head(*head_text) : std::nullopt;
  std::string prev;
  std::int64_t last_id = 0;
  sqlite::Query q(st_->select_audit_all);
  while (q.step()) {
    const AuditRow r = read_audit_row(q);
    // A row without a head, or past it, was not written by the store.
    if (!head || r.id > head->first) return r.id;
    const std::string expected = audit_chain::link_hash(
        r.prev_hash,
        audit_chain::canonical_text(to_ms(r.at), r.actor, r.role, r.action, r.target, r.detail));
    if (r.prev_hash != prev || r.hash != expected) return r.id;
    prev = r.hash;
    last_id = r.id;
  }
  if (head_text && !head) return last_id + 1;  // the head itself was mangled
  if (head && last_id < head->first) return last_id + 1;
  if (head && prev != head->second) return last_id;
  return std::nullopt;
}

OutboxUsage Store::outbox_usage() { return outbox_table_->usage(); }

std::vector<OutboxRow> Store::outbox_after(std::int64_t after_id, std::size_t limit) {
  return outbox_table_->after(after_id, limit);
}

OutboxDrops Store::trim_outbox(const OutboxCaps& caps, WallTime now) {
  return outbox_table_->trim(caps, now);
}

// ---- maintenance -----------------------------------------------------------------------------

std::size_t Store::prune(sqlite::Stmt& stmt, WallTime older_than, std::size_t max_rows) {
  std::size_t total = 0;
  while (total < max_rows) {
    const std::size_t chunk = std::min(kPruneChunk, max_rows - total);
    sqlite::Query q(stmt);
    q.bind(1, to_ms(older_than)).bind(2, static_cast<std::int64_t>(chunk)).run();
    const auto deleted = static_cast<std::size_t>(db_.changes());
    total += deleted;
    if (deleted < chunk) break;
  }
  return total;
}

std::size_t Store::prune_events(WallTime older_than, std::size_t max_rows) {
  return prune(st_->prune_events, older_than, max_rows);
}

std::size_t Store::prune_dead_letters(WallTime older_than, std::size_t max_rows) {
  return prune(st_->prune_dead_letters, older_than, max_rows);
}

std::string Store::integrity_check() {
  try {
    return pragma_lines(st_->integrity_check, "\n");
  } catch (const StoreError& e) {
    return e.problem();
  }
}

bool Store::writable() {
  if (last_commit_failed_) return false;
  try {
    sqlite::Query(st_->begin).run();
  } catch (const StoreError&) {
    return false;
  }
  db_.rollback_quietly();
  return true;
}

}  // namespace mend
