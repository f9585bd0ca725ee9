// The recovery settings of a Config turned into what the core runs: the policy (rules,
// authority, automatic actions), the escalation ladder and the guest book's settings. The file's
// words were checked by check_rules when it was parsed; what cannot be said there (a whole
// policy's consistency) is checked here and reported against the config keys.
#pragma once

#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/escalation.hpp"
#include "core/guests.hpp"
#include "core/policy.hpp"

namespace mend {

struct RecoverySettings {
  PolicyConfig policy;
  EscalationConfig escalation;
  GuestSettings guests;
};

// [[rule]] entries with the same kind, min_severity and tier make one rule, which replaces the
// day-one rule for the same three (policy.default_rules = false drops every day-one rule).
RecoverySettings recovery_settings(const Config& config);

// Problems the parts' own validate() finds, as "key: message" lines.
std::vector<std::string> check_recovery(const Config& config);

}  // namespace mend
