// The spool: where an MQTT message lives between the broker's hand-over and our SQLite commit.
//
// Why it exists. Paho C sends the PUBACK for a QoS 1 message right after
// Protocol_processPublication returns (MQTTProtocol_handlePublishes). That function hands the
// message to our callback synchronously when Paho's queue is empty, and otherwise queues it and
// persists the queue entry through the client persistence. Either way the PUBACK goes out once
// our callback has returned or the persistence has the message, whichever path it took, and
// nothing after that point may lose it. So:
//   - the callback appends the message to this spool (one write(2): it survives a kill -9, the
//     bytes are in the kernel's page cache) before it returns;
//   - Paho's client persistence is this spool too, for the queued path and its outgoing
//     messages;
//   - after each batched SQLite commit the daemon releases the messages up to the last one in
//     the batch; after a crash the unreleased ones are read back and ingested again, and the
//     store's unique event ids make a second ingestion a no-op.
//
// The file is a log of PUT and DEL records, each with a checksum; a torn tail (the process died
// inside a write) is cut off at open. It is compacted (live entries rewritten to a new file,
// fsync, rename) when it has grown and most of it is dead, so its size stays bounded.
//
// A write that fails (disk full, I/O error) never throws on the running path and never leaves
// a partial record behind: each record is written at the known end of the log (pwrite), and a
// failure cuts the file back to that end, so the next record follows a whole one. Only opening
// the file throws.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mend {

class Spool {
 public:
  struct Stats {
    std::size_t live_entries = 0;
    std::size_t live_bytes = 0;
    std::uint64_t file_bytes = 0;
    std::size_t awaiting_release = 0;    // incoming messages waiting for a commit
    std::size_t torn_bytes_dropped = 0;  // at open: a partial last record from a crash
  };

  // pwrite(2)'s shape. Every write of the spool goes through one, so a test can make the disk
  // fail at write N; empty means ::pwrite.
  using WriteFn = std::function<ssize_t(int fd, const void* data, std::size_t size, off_t at)>;

  // Opens (or creates) the spool file and reads back its live entries. Throws
  // std::runtime_error naming the path when the file cannot be opened or read.
  explicit Spool(std::string path, std::uint64_t compact_above_bytes = 4u << 20,
                 WriteFn write = {});
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // ---- Paho's persistence interface (called on Paho's threads) ----
  // Throws std::runtime_error when the record cannot be written (Paho's C++ wrapper turns that
  // into a persistence error code); nothing is changed then.
  void put(const std::string& key, const std::vector<std::string_view>& parts);
  std::optional<std::string> get(const std::string& key) const;
  // A DEL record that cannot be written is dropped: the entry is gone from memory, and after a
  // restart Paho at worst restores one it had finished with (a duplicate publish, QoS 1).
  void remove(const std::string& key);
  // Paho's keys only: the incoming messages below are ours, Paho must not restore them.
  std::vector<std::string> keys() const;
  bool contains(const std::string& key) const;
  void clear();

  // ---- incoming messages (the daemon's side) ----
  struct Incoming {
    std::uint64_t seq = 0;
    std::string topic;
    std::string payload;
    std::int64_t received_ms = 0;  // wall clock at arrival
  };
  // Appends a delivered message; returns once it is written (no error), or the error
  // (ENOSPC, EIO, ...) with the spool unchanged. seq must grow.
  [[nodiscard]] std::error_code append_incoming(const Incoming& m);
  // The messages not yet released, oldest first: what a crash left uncommitted.
  std::vector<Incoming> incoming() const;
  // The highest sequence number in the spool, so a new run numbers on from there.
  std::uint64_t last_incoming_seq() const;
  // Everything up to and including seq is committed to the store: forget it. When the DEL
  // records cannot be written they are dropped (the messages are forgotten in memory): after a
  // crash they are read back and ingested again, which the store recognises as duplicates.
  void release(std::uint64_t seq);

  // Whether `bytes` more can be written now: writes them past the end of the log and cuts them
  // off again. The link's disk probe while the spool is unwritable.
  [[nodiscard]] std::error_code probe(std::size_t bytes);

  // "spool <path>: cannot write: <reason>", for logs and the storage state.
  std::string describe(std::error_code ec) const;
  const std::string& path() const { return path_; }

  Stats stats() const;

 private:
  std::error_code append_record(char type, std::string_view key, std::string_view data);
  std::error_code write_at(int fd, std::string_view bytes, std::uint64_t at) const;
  std::error_code append_locked(std::string_view bytes);
  void erase_locked(const std::string& key);
  void maybe_compact_locked();
  void load();

  std::string path_;
  std::uint64_t compact_above_;
  WriteFn write_;
  int fd_ = -1;
  std::uint64_t file_bytes_ = 0;
  std::size_t live_bytes_ = 0;
  std::size_t torn_dropped_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::string> live_;        // Paho's entries and ours, by key
  std::map<std::uint64_t, std::string> incoming_;  // seq -> key of our incoming entries
};

}  // namespace mend
