#include "adapters/store/schema.hpp"

#include <iterator>
#include <string>

namespace mend::store_schema {

namespace {

struct Migration {
  int version;
  const char* what;
  const char* sql;
};

// Append only: a released step is never edited, a change is a new step. Times are integer
// milliseconds since the Unix epoch (UTC); JSON columns hold the core's canonical JSON.
constexpr Migration kMigrations[] = {
    {1, "initial schema", R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Raw events as decoded, kept for evidence and replays; pruned by `received`.
CREATE TABLE events (
  id       TEXT PRIMARY KEY,
  type     TEXT NOT NULL,
  topic    TEXT NOT NULL,
  ts       INTEGER NOT NULL,
  received INTEGER NOT NULL,
  json     TEXT NOT NULL
);
CREATE INDEX events_by_received ON events(received);

-- Refused payloads, byte for byte, with why they were refused.
CREATE TABLE dead_letters (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  topic    TEXT NOT NULL,
  payload  BLOB NOT NULL,
  reason   TEXT NOT NULL,
  field    TEXT NOT NULL,
  message  TEXT NOT NULL,
  received INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_received ON dead_letters(received);

CREATE TABLE cases (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  status     TEXT NOT NULL,
  severity   TEXT NOT NULL,
  opened_at  INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  json       TEXT NOT NULL
);
CREATE INDEX cases_by_status ON cases(status);

CREATE TABLE case_history (
  case_id     TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  actor_id    TEXT NOT NULL,
  actor_role  TEXT NOT NULL,
  at          INTEGER NOT NULL,
  note        TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

-- The engine's exported state (its pending waits included): one row, replaced each time.
CREATE TABLE engine_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  json     TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);

-- Who did what. Each row's hash covers the previous row's hash and this row's text.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  role      TEXT NOT NULL,
  action    TEXT NOT NULL,
  target    TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);

-- Messages waiting for the cloud link.
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  topic        TEXT NOT NULL,
  payload      BLOB NOT NULL,
  created      INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL
);
CREATE INDEX outbox_by_next_attempt ON outbox(next_attempt);
)sql"},
    {2, "staff sign-in", R"sql(
-- Staff accounts. Only an Argon2id hash of the PIN is kept (libsodium's encoded string, which
-- carries its own salt and parameters). Accounts are disabled, never deleted: the audit log
-- and case history keep naming them.
CREATE TABLE users (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role       TEXT NOT NULL,
  pin_hash   TEXT NOT NULL,
  disabled   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Signed-in sessions, keyed by a hash of the cookie's secret, never the secret itself.
CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);

-- Wrong PINs in the last hour, so a restart does not reset a lockout.
CREATE TABLE login_failures (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  at      INTEGER NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures(user_id, at);

-- API tokens for integrations: a hash of the secret, which is shown once at creation.
CREATE TABLE api_tokens (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  hash       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL,
  label      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoked_at INTEGER
);
)sql"},
    {3, "outbox telemetry", R"sql(
-- Raw events sent to the cloud are telemetry: the first to go when the outbox is full.
ALTER TABLE outbox ADD COLUMN telemetry INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET telemetry = 1 WHERE topic LIKE 'venue/%/mend/events';
CREATE INDEX outbox_telemetry ON outbox(telemetry, id);
)sql"},
    {4, "web push subscriptions", R"sql(
-- Web Push: one row per device (its endpoint, unique), owned by a person's account. p256dh and
-- auth are the browser's public key and secret for encrypting to it (base64url, as sent).
CREATE TABLE push_subscriptions (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint   TEXT NOT NULL UNIQUE,
  p256dh     TEXT NOT NULL,
  auth       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions(user_id);
)sql"},
    {5, "cases by opening time", R"sql(
-- The digital employees' track records read the cases opened in a period.
CREATE INDEX cases_by_opened_at ON cases(opened_at);
)sql"},
    {6, "guest profiles", R"sql(
-- One row per guest the venue knows (core/guest_record.hpp): the record is the core's JSON.
-- last_seen orders the guests for the book's bound and for retention.
CREATE TABLE guests (
  id        TEXT PRIMARY KEY,
  last_seen INTEGER NOT NULL,
  json      TEXT NOT NULL
);
CREATE INDEX guests_by_last_seen ON guests(last_seen);
)sql"},
    {7, "contribution ledger", R"sql(
-- The contribution ledger (core/contributions.hpp, docs/ledger.md): append only. `text` is the
-- entry's canonical JSON and hash = BLAKE2b-256(prev_hash || text); at, kind, person and guest
-- are copies of the text's fields for the views' queries, and verify checks them against it.
CREATE TABLE ledger (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  person    TEXT NOT NULL,
  guest     TEXT NOT NULL,
  text      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX ledger_by_person ON ledger(person, seq);
CREATE INDEX ledger_by_guest ON ledger(guest, seq);
)sql"},
    {8, "table visits and risk models", R"sql(
-- The at-risk model's history (core/risk_tracker.hpp): one row per table-visit, the record
-- being the core's JSON with its feature snapshots. Training reads the settled visits in a
-- window of seated_at.
CREATE TABLE visits (
  id        TEXT PRIMARY KEY,
  seated_at INTEGER NOT NULL,
  settled   INTEGER NOT NULL,
  bad       INTEGER NOT NULL,
  json      TEXT NOT NULL
);
CREATE INDEX visits_by_seated_at ON visits(settled, seated_at);
-- Every model trained (core/risk_model.hpp), versioned; `promoted` marks the ones that went
-- live, and the newest promoted one is the model in use.
CREATE TABLE risk_models (
  version    INTEGER PRIMARY KEY,
  trained_at INTEGER NOT NULL,
  promoted   INTEGER NOT NULL,
  note       TEXT NOT NULL,
  json       TEXT NOT NULL
);
)sql"},
};

int user_version(sqlite::Db& db) {
  sqlite::Stmt s(db, "PRAGMA user_version");
  sqlite::Query q(s);
  return q.step() ? static_cast<int>(q.int64(0)) : 0;
}

}  // namespace

int latest_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate(sqlite::Db& db) {
  for (const Migration& m : kMigrations) {
    db.exec("BEGIN IMMEDIATE");
    try {
      // Read under the write lock: another process may have migrated meanwhile.
      if (user_version(db) >= m.version) {
        db.exec("ROLLBACK");
        continue;
      }
      db.exec(m.sql);
      if (m.version == 1) {
        db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
      }
      db.exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
      db.exec("COMMIT");
    } catch (const StoreError& e) {
      db.rollback_quietly();
      throw StoreError(db.path(), "schema migration to version " + std::to_string(m.version) +
                                      " (" + m.what + ") failed: " + e.problem());
    }
  }
}

}  // namespace mend::store_schema
