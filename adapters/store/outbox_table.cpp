#include "adapters/store/outbox_table.hpp"

#include "core/topics.hpp"

namespace mend {
namespace {

// Small enough that one chunk holds the write lock only briefly on an SD card.
constexpr std::size_t kChunk = 500;

// What a row counts for: its topic's and payload's bytes.
constexpr const char* kSize = "length(CAST(topic AS BLOB)) + length(payload)";

std::string select_victims(const char* where) {
  return std::string("SELECT id, ") + kSize + ", telemetry, created FROM outbox " + where +
         " ORDER BY id LIMIT ?1";
}

}  // namespace

OutboxTable::OutboxTable(sqlite::Db& db)
    : db_(db),
      insert_(db,
              "INSERT INTO outbox (topic, payload, created, attempts, next_attempt, telemetry) "
              "VALUES (?1, ?2, ?3, 0, ?3, ?4)"),
      erase_(db,
             std::string("DELETE FROM outbox WHERE id = ?1 RETURNING ") + kSize + ", telemetry"),
      select_after_(db,
                    "SELECT id, topic, payload, created FROM outbox WHERE id > ?1 "
                    "ORDER BY id LIMIT ?2"),
      select_oldest_(db, select_victims("")),
      select_oldest_telemetry_(db, select_victims("WHERE telemetry = 1")),
      select_oldest_records_(db, select_victims("WHERE telemetry = 0")),
      begin_(db, "BEGIN IMMEDIATE"),
      commit_(db, "COMMIT") {
  sqlite::Stmt count(db, std::string("SELECT COUNT(*), COALESCE(SUM(telemetry), 0), "
                                     "COALESCE(SUM(") +
                             kSize + "), 0) FROM outbox");
  sqlite::Query q(count);
  if (q.step()) {
    tally_.rows = static_cast<std::size_t>(q.int64(0));
    tally_.telemetry_rows = static_cast<std::size_t>(q.int64(1));
    tally_.bytes = static_cast<std::uint64_t>(q.int64(2));
  }
}

void OutboxTable::insert(std::string_view topic, std::string_view payload, std::int64_t created) {
  const bool telemetry = is_telemetry_class(topics::mend_class(topic));
  sqlite::Query q(insert_);
  q.bind(1, topic).bind_blob(2, payload).bind(3, created).bind(4, telemetry ? 1 : 0).run();
  pending_.rows += 1;
  pending_.telemetry += telemetry ? 1 : 0;
  pending_.bytes += static_cast<std::int64_t>(topic.size() + payload.size());
}

void OutboxTable::erase(std::int64_t id) {
  sqlite::Query q(erase_);
  q.bind(1, id);
  if (!q.step()) return;  // already gone (trimmed, or acknowledged twice)
  pending_.rows -= 1;
  pending_.bytes -= q.int64(0);
  pending_.telemetry -= q.int64(1);
  while (q.step()) {
  }
}

void OutboxTable::committed() {
  apply(pending_);
  pending_ = {};
}

void OutboxTable::rolled_back() { pending_ = {}; }

void OutboxTable::apply(const Delta& d) {
  tally_.rows = static_cast<std::size_t>(static_cast<std::int64_t>(tally_.rows) + d.rows);
  tally_.telemetry_rows =
      static_cast<std::size_t>(static_cast<std::int64_t>(tally_.telemetry_rows) + d.telemetry);
  tally_.bytes = static_cast<std::uint64_t>(static_cast<std::int64_t>(tally_.bytes) + d.bytes);
}

OutboxUsage OutboxTable::usage() {
  OutboxUsage u = tally_;
  u.oldest.reset();
  const auto first = oldest(select_oldest_, 1);
  if (!first.empty()) u.oldest = wall_from_ms(first.front().created);
  return u;
}

std::vector<OutboxRow> OutboxTable::after(std::int64_t after_id, std::size_t limit) {
  std::vector<OutboxRow> out;
  sqlite::Query q(select_after_);
  q.bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
  while (q.step()) out.push_back(OutboxRow{q.int64(0), q.text(1), q.blob(2), q.int64(3)});
  return out;
}

std::vector<OutboxTable::Victim> OutboxTable::oldest(sqlite::Stmt& select, std::size_t limit) {
  std::vector<Victim> out;
  sqlite::Query q(select);
  q.bind(1, static_cast<std::int64_t>(limit));
  while (q.step()) out.push_back(Victim{q.int64(0), q.int64(1), q.int64(2) != 0, q.int64(3)});
  return out;
}

void OutboxTable::drop(const std::vector<Victim>& victims, OutboxDrops& drops) {
  if (victims.empty()) return;
  Delta d;
  try {
    sqlite::Query(begin_).run();
    for (const Victim& v : victims) {
      sqlite::Query q(erase_);
      q.bind(1, v.id);
      while (q.step()) {
      }
      d.rows -= 1;
      d.bytes -= v.bytes;
      d.telemetry -= v.telemetry ? 1 : 0;
    }
    sqlite::Query(commit_).run();
  } catch (...) {
    db_.rollback_quietly();
    throw;
  }
  apply(d);
  for (const Victim& v : victims) (v.telemetry ? drops.telemetry : drops.records) += 1;
}

OutboxDrops OutboxTable::trim(const OutboxCaps& caps, WallTime now) {
  OutboxDrops drops;
  // Too old: oldest first, whatever their class, until one is young enough.
  const std::int64_t cutoff = to_ms(now - caps.age);
  for (;;) {
    std::vector<Victim> chunk = oldest(select_oldest_, kChunk);
    std::erase_if(chunk, [&](const Victim& v) { return v.created >= cutoff; });
    drop(chunk, drops);
    if (chunk.size() < kChunk) break;
  }
  // Too many or too large: telemetry first, then records, just enough.
  const auto over = [&] { return tally_.rows > caps.rows || tally_.bytes > caps.bytes; };
  for (sqlite::Stmt* select : {&select_oldest_telemetry_, &select_oldest_records_}) {
    while (over()) {
      std::vector<Victim> chunk = oldest(*select, kChunk);
      if (chunk.empty()) break;
      std::size_t rows = tally_.rows;
      std::uint64_t bytes = tally_.bytes;
      std::size_t take = 0;
      while (take < chunk.size() && (rows > caps.rows || bytes > caps.bytes)) {
        rows -= 1;
        bytes -= static_cast<std::uint64_t>(chunk[take].bytes);
        ++take;
      }
      chunk.resize(take);
      drop(chunk, drops);
    }
  }
  return drops;
}

}  // namespace mend
