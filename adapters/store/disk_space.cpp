#include "adapters/store/disk_space.hpp"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mend {

DiskSpace disk_space(const std::string& path) {
  DiskSpace out;
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    std::string at = path;
    int err = errno;
    if (err == ENOENT) {
      const std::filesystem::path dir = std::filesystem::path(path).parent_path();
      at = (dir.empty() ? std::filesystem::path(".") : dir).string();
      err = ::statvfs(at.c_str(), &st) == 0 ? 0 : errno;
    }
    if (err != 0) {
      out.error = "cannot measure free space at " + at + ": " + std::strerror(err);
      return out;
    }
  }
  const std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  out.free_bytes = static_cast<std::uint64_t>(st.f_bavail) * unit;
  out.total_bytes = static_cast<std::uint64_t>(st.f_blocks) * unit;
  out.free_percent = out.total_bytes == 0 ? 0
                                          : 100.0 * static_cast<double>(out.free_bytes) /
                                                static_cast<double>(out.total_bytes);
  return out;
}

}  // namespace mend
