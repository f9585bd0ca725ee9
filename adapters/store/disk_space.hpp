// Free space on the filesystem that holds the store (statvfs), for the low-space mark
// (core/disk_budget.hpp) and /readyz. Measured as an unprivileged process sees it: the blocks
// reserved for root are not free to mendd.
#pragma once

#include <cstdint>
#include <string>

namespace mend {

struct DiskSpace {
  std::uint64_t free_bytes = 0;  // available to mendd
  std::uint64_t total_bytes = 0;
  double free_percent = 0;  // free_bytes of total_bytes, 0 to 100
  std::string error;        // non-empty when it could not be measured; the rest is 0
  bool ok() const { return error.empty(); }
};

// The filesystem of `path`: the file itself, or its directory when the file does not exist
// yet. Never throws.
DiskSpace disk_space(const std::string& path);

}  // namespace mend
