// A guest's rows in the store: what an export reads (Store::guest_cases, guest_events), and an
// erasure (core/erasure.hpp) inside the commit that deletes the profile (Store::erase_rows),
// with the write-ahead log emptied after it (truncate_wal). Its own file: store.cpp is at its
// size limit.
//
// Erasure: the rows that may mention the guest are found by their lower-cased text (instr, a scan
// of each table; erasures are rare and the tables are bounded by retention), then each is read,
// renamed and written back. The file keeps no copy of the old bytes: the connection runs with
// PRAGMA secure_delete (store_file.cpp), so SQLite zeroes what it frees, and the checkpoint
// after the commit truncates the log, which held the pages as they were.
#include <string>
#include <vector>

#include "adapters/store/store.hpp"

namespace mend {
namespace {

// "instr(lower(col), ?1) > 0 OR ..." for n terms.
std::string mentions(std::string_view column, std::size_t n) {
  std::string w;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i > 1) w += " OR ";
    w += "instr(lower(" + std::string(column) + "), ?" + std::to_string(i) + ") > 0";
  }
  return w;
}

void bind_terms(sqlite::Query& q, const std::vector<std::string>& terms) {
  for (std::size_t i = 0; i < terms.size(); ++i) q.bind(static_cast<int>(i + 1), terms[i]);
}

struct Row {
  std::string key;
  std::string text;
};

std::vector<Row> rows_mentioning(sqlite::Db& db, std::string_view table, std::string_view key,
                                 std::string_view column, const std::vector<std::string>& terms,
                                 std::string_view also = {}) {
  std::string sql = "SELECT " + std::string(key) + ", " + std::string(column) + " FROM " +
                    std::string(table) + " WHERE (" + mentions(column, terms.size()) + ")";
  if (!also.empty()) sql += " AND " + std::string(also);
  sqlite::Stmt s(db, sql);
  sqlite::Query q(s);
  bind_terms(q, terms);
  std::vector<Row> rows;
  while (q.step()) rows.push_back(Row{q.text(0), q.text(1)});
  return rows;
}

// Renames the guest in JSON rows; a row whose text is not JSON has its words renamed as text.
std::size_t rename_json_rows(sqlite::Db& db, std::string_view table, std::string_view key,
                             std::string_view column, const GuestErasure& e,
                             const std::vector<std::string>& terms) {
  sqlite::Stmt update(db, "UPDATE " + std::string(table) + " SET " + std::string(column) +
                              " = ?1 WHERE " + std::string(key) + " = ?2");
  std::size_t renamed = 0;
  for (Row& r : rows_mentioning(db, table, key, column, terms)) {
    std::string text;
    if (auto v = json::parse(r.text); v.value) {
      if (!scrub_json(*v.value, e)) continue;
      text = json::dump(*v.value);
    } else {
      text = r.text;
      if (!scrub_text(text, e)) continue;
    }
    sqlite::Query(update).bind(1, text).bind(2, r.key).run();
    ++renamed;
  }
  return renamed;
}

}  // namespace

std::vector<Case> Store::guest_cases(const std::string& customer) {
  sqlite::Stmt s(db_,
                 "SELECT json FROM cases WHERE json_extract(json, '$.subject.customer') = ?1 OR "
                 "json_extract(json, '$.guest.id') = ?1 ORDER BY opened_at, id");
  sqlite::Query q(s);
  q.bind(1, customer);
  std::vector<Case> cases;
  while (q.step()) {
    auto v = json::parse(q.text(0));
    if (!v.value) continue;
    if (auto c = case_from_json(*v.value)) cases.push_back(std::move(*c));
  }
  return cases;
}

std::vector<json::Value> Store::guest_events(const std::string& customer) {
  // The events that name the customer, and those that name only one of their bookings (a
  // seating, a review).
  sqlite::Stmt s(db_,
                 "WITH mine AS (SELECT id, json FROM events WHERE "
                 "json_extract(json, '$.customer.id') = ?1), "
                 "bookings AS (SELECT DISTINCT json_extract(json, '$.booking') AS b FROM mine "
                 "WHERE json_extract(json, '$.booking') IS NOT NULL) "
                 "SELECT json FROM events WHERE id IN (SELECT id FROM mine) OR "
                 "json_extract(json, '$.booking') IN (SELECT b FROM bookings) ORDER BY ts, id");
  sqlite::Query q(s);
  q.bind(1, customer);
  std::vector<json::Value> events;
  while (q.step()) {
    if (auto v = json::parse(q.text(0)); v.value) events.push_back(std::move(*v.value));
  }
  return events;
}

void Store::erase_rows(const GuestErasure& e, CommitStats& stats) {
  const std::vector<std::string> terms = erasure_terms(e);
  if (terms.empty()) return;
  stats.erased += rename_json_rows(db_, "events", "id", "json", e, terms);
  stats.erased += rename_json_rows(db_, "cases", "id", "json", e, terms);
  stats.erased += rename_json_rows(db_, "visits", "id", "json", e, terms);
  {
    // Keyed by (case_id, seq): the table has no rowid.
    sqlite::Stmt update(db_, "UPDATE case_history SET note = ?1 WHERE case_id || '/' || seq = ?2");
    for (Row& r : rows_mentioning(db_, "case_history", "case_id || '/' || seq", "note", terms)) {
      if (!scrub_text(r.text, e)) continue;
      sqlite::Query(update).bind(1, r.text).bind(2, r.key).run();
      ++stats.erased;
    }
  }
  // A refused payload is kept byte for byte, so it cannot be renamed: it goes.
  {
    sqlite::Stmt del(
        db_, "DELETE FROM dead_letters WHERE " + mentions("CAST(payload AS TEXT)", terms.size()));
    sqlite::Query q(del);
    bind_terms(q, terms);
    q.run();
    stats.erased += static_cast<std::size_t>(db_.changes());
  }
  // Messages for the cloud that name the guest go too (a message to them above all), except
  // the deletion records, which the cloud needs to find its own copies.
  for (const Row& r : rows_mentioning(db_, "outbox", "id", "CAST(payload AS TEXT)", terms,
                                      "topic NOT LIKE '%/mend/erasures'")) {
    outbox_table_->erase(std::stoll(r.key));
    ++stats.outbox_deleted;
    ++stats.erased;
  }
}

bool Store::truncate_wal() {
  sqlite::Stmt s(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite::Query q(s);
  // One row: busy (1 when a reader kept the checkpoint from finishing), log pages, pages
  // checkpointed.
  return q.step() && q.int64(0) == 0;
}

}  // namespace mend
