// One entry for the audit log, as the recovery service and the accounts produce it; the store
// chains and keeps it (adapters/store/audit_chain).
#pragma once

#include <string>

#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct AuditRecord {
  WallTime at;
  std::string actor;   // user or token id; "mend" for the daemon itself
  std::string role;    // staff, manager, admin, integration, system
  std::string action;  // "case.approve", "config.reload", ...
  std::string target;  // what it acted on, such as a case id; may be empty
  json::Value detail;  // stored as its canonical JSON text
};

}  // namespace mend
