// A SQLite VFS for fault-injection tests: the default VFS, except that the Nth xWrite or xSync
// (counted together, over every file: database, WAL, journal) fails with SQLITE_FULL or an
// I/O error, and so does every one after it until clear(), like a disk that filled up. While
// installed it is the default VFS, so the code under test opens its files through it without
// knowing.
#pragma once

#include <cstddef>

namespace mend::testing {

class FaultyVfs {
 public:
  enum class Fault { kFull, kIoError };

  FaultyVfs();   // registers it as the default VFS; counting starts at arm()
  ~FaultyVfs();  // restores the previous default
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

  // Counts writes and syncs from now; the `fail_at`th fails (0: none does, they are counted).
  void arm(std::size_t fail_at, Fault fault);
  // Space came back: nothing fails any more.
  void clear();
  std::size_t calls() const;
  bool failed() const;
};

}  // namespace mend::testing
