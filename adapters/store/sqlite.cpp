#include "adapters/store/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace mend::sqlite {

namespace {

std::string describe(sqlite3* db) {
  const int code = sqlite3_extended_errcode(db);
  return std::string(sqlite3_errmsg(db)) + " (sqlite error " + std::to_string(code) + ")";
}

}  // namespace

Db::Db(std::string path, int flags) : path_(std::move(path)) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    // sqlite3_open_v2 hands back a handle even on failure; it carries the message.
    std::string why = db_ != nullptr ? describe(db_) : std::string(sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(path_, "cannot open: " + why);
  }
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string why = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    const int code = sqlite3_extended_errcode(db_);
    throw StoreError(path_,
                     std::string(sql).substr(0, 60) + ": " + why + " (sqlite error " +
                         std::to_string(code) + ")",
                     code);
  }
}

void Db::fail(std::string_view doing) const {
  throw StoreError(path_, std::string(doing) + ": " + describe(db_), sqlite3_extended_errcode(db_));
}

bool Db::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void Db::rollback_quietly() noexcept {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(&db) {
  const int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail("preparing \"" + std::string(sql.substr(0, 60)) + "\"");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Query::~Query() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

void Query::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) stmt_.db().fail("binding parameter " + std::to_string(index));
}

// A null destructor is SQLITE_STATIC (the macro is an old-style cast): SQLite does not copy,
// which is safe because the Query resets the statement before the caller's data goes away.
Query& Query::bind(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  // A default string_view has no data: SQLite would bind NULL, not the empty text it is.
  const char* data = text.data() != nullptr ? text.data() : "";
  check_bind(sqlite3_bind_text64(stmt_.get(), index, data, text.size(), nullptr, SQLITE_UTF8),
             index);
  return *this;
}

Query& Query::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; the column wants an empty blob.
  check_bind(bytes.empty()
                 ? sqlite3_bind_zeroblob(stmt_.get(), index, 0)
                 : sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), nullptr),
             index);
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_.get());
  stmt_.db().fail(std::string(sql != nullptr ? sql : "").substr(0, 60));
}

void Query::run() {
  while (step()) {
  }
}

std::int64_t Query::int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

std::string Query::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Query::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_.get(), column);
  const int n = sqlite3_column_bytes(stmt_.get(), column);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

bool Query::is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

}  // namespace mend::sqlite
