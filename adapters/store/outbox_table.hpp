// The outbox table: the cloud link's buffer on the box. Store stages and commits its rows with
// everything else; this class holds the table's statements and a running tally of what it
// holds (rows, telemetry rows, bytes), so checking the caps after each commit costs no scan.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "adapters/store/sqlite.hpp"
#include "core/outbox.hpp"
#include "core/time.hpp"

namespace mend {

class OutboxTable {
 public:
  // Reads the tally once (one pass over the table).
  explicit OutboxTable(sqlite::Db& db);

  // Inside the store's open transaction; the tally follows once it commits.
  void insert(std::string_view topic, std::string_view payload, std::int64_t created);
  void erase(std::int64_t id);
  void committed();
  void rolled_back();

  OutboxUsage usage();
  // Committed rows with an id above after_id, in id order.
  std::vector<OutboxRow> after(std::int64_t after_id, std::size_t limit);
  // Gives rows up until the outbox is within `caps` at `now`: rows older than caps.age first,
  // then the oldest telemetry, then the oldest records. Each chunk is its own short
  // transaction. Throws StoreError when a chunk cannot be written (nothing of it is lost).
  OutboxDrops trim(const OutboxCaps& caps, WallTime now);

 private:
  struct Delta {
    std::int64_t rows = 0;
    std::int64_t telemetry = 0;
    std::int64_t bytes = 0;
  };
  struct Victim {
    std::int64_t id = 0;
    std::int64_t bytes = 0;
    bool telemetry = false;
    std::int64_t created = 0;
  };
  std::vector<Victim> oldest(sqlite::Stmt& select, std::size_t limit);
  void drop(const std::vector<Victim>& victims, OutboxDrops& drops);
  void apply(const Delta& d);

  sqlite::Db& db_;
  sqlite::Stmt insert_;
  sqlite::Stmt erase_;
  sqlite::Stmt select_after_;
  sqlite::Stmt select_oldest_;
  sqlite::Stmt select_oldest_telemetry_;
  sqlite::Stmt select_oldest_records_;
  sqlite::Stmt begin_;
  sqlite::Stmt commit_;
  OutboxUsage tally_;
  Delta pending_;  // of the store's open transaction
};

}  // namespace mend
