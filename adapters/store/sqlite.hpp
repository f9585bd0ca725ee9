// A thin RAII layer over the SQLite C API: a connection, a statement prepared once, and one
// use of that statement. Every failure becomes a StoreError that names the file and carries
// SQLite's own message. Values are always bound, never spliced into SQL text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/store/store_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace mend::sqlite {

// An open connection. Closing it checkpoints the write-ahead log.
class Db {
 public:
  // `flags` are sqlite3_open_v2's. Throws StoreError when the file cannot be opened.
  Db(std::string path, int flags);
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs fixed SQL text: schema steps and pragmas at open. Never used with values.
  void exec(const char* sql);
  // Throws a StoreError: "<doing>: <SQLite's message> (<extended code>)".
  [[noreturn]] void fail(std::string_view doing) const;
  bool in_transaction() const;
  // Rows changed by the last INSERT/UPDATE/DELETE, and the rowid of the last INSERT.
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  // Ends an open transaction, ignoring errors: for cleanup after a failure, when SQLite may
  // already have rolled back by itself (it does on some disk-full and I/O errors).
  void rollback_quietly() noexcept;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A statement prepared once (at open) and reused for every call.
class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  Db& db() const { return *db_; }

 private:
  Db* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One use of a prepared statement. Its destructor resets the statement and clears its
// bindings, so a half-read SELECT never keeps a read transaction (and the WAL) pinned, and no
// bound pointer outlives the data it points to. Text and blobs are bound without a copy: they
// must stay alive until the Query ends.
class Query {
 public:
  explicit Query(Stmt& stmt) : stmt_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Parameters are 1-based, as in the SQL (?1, ?2, ...).
  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind_blob(int index, std::string_view bytes);

  // True when a row is ready to read, false when the statement is done.
  bool step();
  // Steps a statement that returns no rows (INSERT, UPDATE, BEGIN, ...).
  void run();

  // Columns are 0-based, as in SQLite's API.
  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  bool is_null(int column) const;

 private:
  void check_bind(int rc, int index);
  Stmt& stmt_;
};

}  // namespace mend::sqlite
