// The audit log as the core and the web layer see it: plain records, and a reader for the
// newest entries. The store (adapters/store) keeps them in a BLAKE2b hash chain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

// One entry for the audit log, as the caller stages it.
struct AuditRecord {
  WallTime at;
  std::string actor;   // user or token id; "mend" for the daemon itself
  std::string role;    // staff, manager, admin, integration, system
  std::string action;  // "case.approve", "config.reload", ...
  std::string target;  // what it acted on, such as a case id; may be empty
  json::Value detail;  // stored as its canonical JSON text
};

// An audit row as stored, with its place in the hash chain.
struct AuditRow {
  std::int64_t id = 0;
  WallTime at;
  std::string actor;
  std::string role;
  std::string action;
  std::string target;
  std::string detail;  // JSON text
  std::string prev_hash;
  std::string hash;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Up to `limit` rows, newest first, with ids below `before_id` (0: from the newest).
  virtual std::vector<AuditRow> audit(std::size_t limit, std::int64_t before_id) = 0;

 protected:
  AuditLog() = default;
  AuditLog(const AuditLog&) = default;
  AuditLog& operator=(const AuditLog&) = default;
};

}  // namespace mend
