#include "adapters/store/store_file.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "adapters/store/schema.hpp"
#include "adapters/store/store_error.hpp"

namespace mend::store_file {

namespace {

namespace fs = std::filesystem;

// The WAL file is truncated back to this after a checkpoint, so it cannot stay large.
constexpr const char* kJournalSizeLimit = "PRAGMA journal_size_limit = 4194304";
constexpr std::uintmax_t kSqliteHeaderBytes = 100;
// Problems quoted from quick_check in the refusal: enough to see what kind of damage it is.
constexpr const char* kQuickCheck = "PRAGMA quick_check(3)";

std::string hex32(std::int64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08llx",
                static_cast<unsigned long long>(static_cast<std::uint32_t>(v)));
  return buf;
}

std::int64_t pragma_int(sqlite::Db& db, const char* sql) {
  sqlite::Stmt s(db, sql);
  sqlite::Query q(s);
  return q.step() ? q.int64(0) : 0;
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

bool path_exists(const std::string& path) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  return fs::status_known(st) && st.type() != fs::file_type::not_found;
}

std::string pragma_lines(sqlite::Stmt& s, std::string_view separator) {
  sqlite::Query q(s);
  std::string out;
  while (q.step()) {
    if (!out.empty()) out += separator;
    out += q.text(0);
  }
  return out;
}

void create_database(const std::string& path) {
  const std::string tmp = path + ".new";
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(tmp + suffix, ec);
  }
  try {
    sqlite::Db db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    store_schema::migrate(db);
  } catch (const StoreError& e) {  // closed either way; on success the file is synced
    std::error_code ec;
    fs::remove(tmp, ec);
    throw StoreError(path, "cannot create a new database (via " + tmp + "): " + e.problem());
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    std::error_code ec;
    fs::remove(tmp, ec);
    throw StoreError(path, std::string("cannot move the new database into place: ") +
                               std::strerror(err) +
                               (err == EEXIST ? " (a file appeared there meanwhile)" : ""));
  }
  sync_directory(fs::path(path).parent_path());
}

void check_sqlite_header(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return;  // not a regular file: sqlite3_open_v2 says what it is
  if (size == 0) {
    throw StoreError(path,
                     "the file is empty (0 bytes), not a Mend database; refusing to turn it into "
                     "a new one: restore the database or remove the file to start fresh");
  }
  constexpr std::string_view kMagic("SQLite format 3\0", 16);
  std::array<char, kMagic.size()> head{};
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), head.size());
  if (size < kSqliteHeaderBytes || std::string_view(head.data(), head.size()) != kMagic) {
    throw StoreError(path, "not a SQLite database (" + std::to_string(size) +
                               " bytes without SQLite's file header): truncated, overwritten or "
                               "another kind of file; refusing to use or replace it");
  }
}

void check_database(sqlite::Db& db) {
  const std::string& path = db.path();
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    throw StoreError(path, "the file is read-only for this user; check its owner and mode");
  }
  std::int64_t app_id = 0;
  try {
    app_id = pragma_int(db, "PRAGMA application_id");
  } catch (const StoreError& e) {
    throw StoreError(path,
                     "not a readable SQLite database (damaged, truncated or another kind of "
                     "file): " +
                         e.problem());
  }
  if (app_id != store_schema::kApplicationId) {
    throw StoreError(path, "not a Mend database (application_id " + hex32(app_id) + ", expected " +
                               hex32(store_schema::kApplicationId) + "); refusing to use it");
  }
  const std::int64_t version = pragma_int(db, "PRAGMA user_version");
  if (version > store_schema::latest_version()) {
    throw StoreError(path, "schema version " + std::to_string(version) +
                               " is newer than this build knows (" +
                               std::to_string(store_schema::latest_version()) +
                               "): it was written by a newer mendd; run that version or restore "
                               "a backup");
  }
  std::string problems;
  try {
    sqlite::Stmt quick_check(db, kQuickCheck);
    problems = pragma_lines(quick_check, "; ");
  } catch (const StoreError& e) {
    problems = e.problem();
  }
  if (problems != "ok") {
    std::replace(problems.begin(), problems.end(), '\n', ' ');  // one journal line
    throw StoreError(path, "the database is damaged (PRAGMA quick_check): " + problems);
  }
  sqlite::Stmt has_meta(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'");
  if (!sqlite::Query(has_meta).step()) {
    throw StoreError(path, "the database has no meta table: not a complete Mend database");
  }
}

void configure(sqlite::Db& db) {
  sqlite::Stmt wal(db, "PRAGMA journal_mode = WAL");
  std::string mode;
  {
    sqlite::Query q(wal);
    if (q.step()) mode = q.text(0);
  }
  if (mode != "wal") {
    throw StoreError(db.path(), "cannot switch to write-ahead logging (journal mode is \"" + mode +
                                    "\"); is the directory writable?");
  }
  // NORMAL in WAL mode: a power cut may lose the last commits, never corrupt the file; FULL
  // would fsync every commit, which is what the batching exists to avoid.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  // Freed space is zeroed, so an erased guest (core/erasure.hpp) leaves no bytes behind in free
  // pages; the cost is writing those zeros, small beside the fsync a commit does anyway.
  db.exec("PRAGMA secure_delete = ON");
  db.exec(kJournalSizeLimit);
}

}  // namespace mend::store_file
