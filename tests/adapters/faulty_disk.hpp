// A disk that fills up at write N, for the spool's WriteFn: write N writes half of its bytes,
// every write after it fails with the chosen errno (ENOSPC, EIO) until clear() (space came
// back). Thread-safe: Paho's threads and the test's thread both write.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>

#include "adapters/mqtt/spool.hpp"

namespace mend::testing {

class FaultyDisk {
 public:
  // fail_at = 0: never fails.
  explicit FaultyDisk(std::size_t fail_at, int error = ENOSPC) : fail_at_(fail_at), error_(error) {}

  Spool::WriteFn write_fn() {
    return [this](int fd, const void* data, std::size_t size, off_t at) -> ssize_t {
      const std::size_t n = ++calls_;
      if (full_) {
        errno = error_;
        return -1;
      }
      if (fail_at_ != 0 && n == fail_at_) {
        full_ = true;
        failed_ = true;
        if (size / 2 == 0) {
          errno = error_;
          return -1;
        }
        return ::pwrite(fd, data, size / 2, at);  // the disk filled within this write
      }
      return ::pwrite(fd, data, size, at);
    };
  }

  // Space came back: nothing fails any more.
  void clear() {
    fail_at_ = 0;
    full_ = false;
  }
  bool failed() const { return failed_; }
  std::size_t calls() const { return calls_; }

 private:
  std::atomic<std::size_t> fail_at_;
  int error_;
  std::atomic<std::size_t> calls_{0};
  std::atomic<bool> full_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace mend::testing
