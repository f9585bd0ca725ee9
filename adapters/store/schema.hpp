// The store's schema as a list of numbered migration steps. PRAGMA user_version records the
// last step applied; at open every later step runs, each in its own transaction, so a power
// cut between two steps leaves a database at a known version that the next start continues.
#pragma once

#include <cstdint>

#include "adapters/store/sqlite.hpp"

namespace mend::store_schema {

// PRAGMA application_id of every Mend database: "MEND" in ASCII. A SQLite file without it
// is some other program's database, or not ours to touch.
inline constexpr std::int32_t kApplicationId = 0x4D454E44;

// The newest schema version this build knows; a database with a higher user_version was
// written by a newer mendd and is refused rather than misread.
int latest_version();

// Applies every step newer than the database's user_version. The first step also sets the
// application id. Throws StoreError naming the step that failed (which is rolled back).
void migrate(sqlite::Db& db);

}  // namespace mend::store_schema
