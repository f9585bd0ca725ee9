// Opening the store's file: what must be true of it before the store uses it, and how a new
// one is made without ever leaving a half-made database at the configured path.
#pragma once

#include <string>
#include <string_view>

#include "adapters/store/sqlite.hpp"

namespace mend::store_file {

// Anything at `path`, a dangling symlink included.
bool path_exists(const std::string& path);
// Builds a complete, migrated database next to `path` and moves it into place only if `path`
// still does not exist. A crash midway leaves "<path>.new", never a half-made database at
// `path` that a later start would have to refuse. Throws StoreError.
void create_database(const std::string& path);
// Checked before SQLite reads the file: SQLite takes a file shorter than its header for an
// empty database, which would hide a truncation behind a misleading "wrong application id".
// Throws StoreError.
void check_sqlite_header(const std::string& path);
// Refuses (StoreError) anything that is not a healthy Mend database this build can use.
void check_database(sqlite::Db& db);
// Write-ahead logging, synchronous NORMAL, foreign keys, a bounded WAL file.
void configure(sqlite::Db& db);
// Every row of a pragma that reports problems (quick_check, integrity_check), joined.
std::string pragma_lines(sqlite::Stmt& s, std::string_view separator);

}  // namespace mend::store_file
