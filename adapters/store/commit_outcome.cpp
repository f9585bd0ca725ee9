// Store::try_commit: commit() as a result instead of an exception, for the daemon's running
// path (its own file: store.cpp is at its size limit).
#include <sqlite3.h>

#include "adapters/store/store.hpp"

namespace mend {

bool CommitOutcome::disk_full() const { return (sqlite_code & 0xFF) == SQLITE_FULL; }
bool CommitOutcome::io_error() const { return (sqlite_code & 0xFF) == SQLITE_IOERR; }

CommitOutcome Store::try_commit() {
  CommitOutcome out;
  try {
    out.stats = commit();
  } catch (const StoreError& e) {
    out.result = CommitResult::kRetry;
    out.error = e.what();
    out.sqlite_code = e.sqlite_code();
  } catch (const std::exception& e) {
    // Memory, or a value the store could not encode: still all staged, still retryable.
    out.result = CommitResult::kRetry;
    out.error = "store " + path() + ": commit failed: " + e.what();
  }
  return out;
}

}  // namespace mend
