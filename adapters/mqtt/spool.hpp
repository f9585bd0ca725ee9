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
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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

  // Opens (or creates) the spool file and reads back its live entries. Throws
  // std::runtime_error naming the path when the file cannot be opened or written.
  explicit Spool(std::string path, std::uint64_t compact_above_bytes = 4u << 20);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // ---- Paho's persistence interface (called on Paho's threads) ----
  void put(const std::string& key, const std::vector<std::string_view>& parts);
  std::optional<std::string> get(const std::string& key) const;
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
  // Appends a delivered message; returns once it is written. seq must grow.
  void append_incoming(const Incoming& m);
  // The messages not yet released, oldest first: what a crash left uncommitted.
  std::vector<Incoming> incoming() const;
  // The highest sequence number in the spool, so a new run numbers on from there.
  std::uint64_t last_incoming_seq() const;
  // Everything up to and including seq is committed to the store: forget it.
  void release(std::uint64_t seq);

  Stats stats() const;

 private:
  void append_record(char type, std::string_view key, std::string_view data);
  void write_all(std::string_view bytes);
  void erase_locked(const std::string& key);
  void maybe_compact_locked();
  void load();

  std::string path_;
  std::uint64_t compact_above_;
  int fd_ = -1;
  std::uint64_t file_bytes_ = 0;
  std::size_t live_bytes_ = 0;
  std::size_t torn_dropped_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::string> live_;        // Paho's entries and ours, by key
  std::map<std::uint64_t, std::string> incoming_;  // seq -> key of our incoming entries
};

}  // namespace mend
