#include "tests/adapters/faulty_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

namespace mend::testing {
namespace {

struct State {
  sqlite3_vfs* real = nullptr;
  sqlite3_vfs vfs{};
  sqlite3_io_methods methods{};
  std::atomic<std::size_t> calls{0};
  std::size_t fail_at = 0;
  int error = SQLITE_FULL;
  std::atomic<bool> failing{false};
  std::atomic<bool> failed{false};
};
State g_state;

struct File {
  sqlite3_file base;
  sqlite3_file* real;  // allocated right after this struct
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

// True when this write or sync must fail.
bool fault_now() {
  const std::size_t n = ++g_state.calls;
  if (g_state.fail_at == 0) return false;
  if (g_state.failing) return true;
  if (n == g_state.fail_at) {
    g_state.failing = true;
    g_state.failed = true;
    return true;
  }
  return false;
}

int x_close(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  const int rc = r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
  return rc;
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xRead(r, buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (fault_now()) return g_state.error == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
  sqlite3_file* r = real_of(f);
  return r->pMethods->xWrite(r, buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xTruncate(r, size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (fault_now()) return g_state.error == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
  sqlite3_file* r = real_of(f);
  return r->pMethods->xSync(r, flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xFileSize(r, size);
}
int x_lock(sqlite3_file* f, int level) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xLock(r, level);
}
int x_unlock(sqlite3_file* f, int level) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xUnlock(r, level);
}
int x_check_reserved(sqlite3_file* f, int* out) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xCheckReservedLock(r, out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xFileControl(r, op, arg);
}
int x_sector_size(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xSectorSize(r);
}
int x_device_characteristics(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xDeviceCharacteristics(r);
}
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xShmMap(r, region, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xShmLock(r, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  r->pMethods->xShmBarrier(r);
}
int x_shm_unmap(sqlite3_file* f, int del) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xShmUnmap(r, del);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xFetch(r, off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  sqlite3_file* r = real_of(f);
  return r->pMethods->xUnfetch(r, off, p);
}

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  std::memset(file->real, 0, static_cast<std::size_t>(g_state.real->szOsFile));
  const int rc = g_state.real->xOpen(g_state.real, name, file->real, flags, out_flags);
  // The wrapper's methods must be set even on failure: SQLite calls xClose when they are.
  file->base.pMethods = file->real->pMethods != nullptr ? &g_state.methods : nullptr;
  return rc;
}

}  // namespace

FaultyVfs::FaultyVfs() {
  g_state.real = sqlite3_vfs_find(nullptr);
  if (g_state.real == nullptr) throw std::runtime_error("no default SQLite VFS");
  g_state.vfs = *g_state.real;
  g_state.vfs.pNext = nullptr;
  g_state.vfs.zName = "mend-faulty";
  g_state.vfs.szOsFile = static_cast<int>(sizeof(File)) + g_state.real->szOsFile;
  g_state.vfs.xOpen = x_open;
  sqlite3_io_methods& m = g_state.methods;
  m.iVersion = 3;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device_characteristics;
  m.xShmMap = x_shm_map;
  m.xShmLock = x_shm_lock;
  m.xShmBarrier = x_shm_barrier;
  m.xShmUnmap = x_shm_unmap;
  m.xFetch = x_fetch;
  m.xUnfetch = x_unfetch;
  g_state.fail_at = 0;
  g_state.failing = false;
  g_state.failed = false;
  g_state.calls = 0;
  if (sqlite3_vfs_register(&g_state.vfs, 1) != SQLITE_OK) {
    throw std::runtime_error("cannot register the faulty VFS");
  }
}

FaultyVfs::~FaultyVfs() {
  sqlite3_vfs_unregister(&g_state.vfs);
  sqlite3_vfs_register(g_state.real, 1);
}

void FaultyVfs::arm(std::size_t fail_at, Fault fault) {
  g_state.calls = 0;
  g_state.failing = false;
  g_state.failed = false;
  g_state.error = fault == Fault::kFull ? SQLITE_FULL : SQLITE_IOERR;
  g_state.fail_at = fail_at;
}

void FaultyVfs::clear() {
  g_state.failing = false;
  g_state.fail_at = 0;
}
std::size_t FaultyVfs::calls() const { return g_state.calls; }
bool FaultyVfs::failed() const { return g_state.failed; }

}  // namespace mend::testing
