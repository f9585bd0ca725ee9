// What the policy's files share (policy.cpp, policy_explain.cpp, policy_ledger.cpp,
// policy_validate.cpp, policy_defaults.cpp). Not for use outside core/policy*.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy.hpp"
#include "core/roles.hpp"
#include "core/time.hpp"

namespace mend::policy_detail {

inline constexpr int kMinutesPerDay = 24 * 60;
// Money sums like 6 + 8 must not be refused for a rounding error.
inline constexpr double kEpsilon = 1e-9;

inline bool bad_amount(double v) { return !std::isfinite(v) || v < 0; }

// The lowest role whose per-case limit covers `amount`.
std::optional<std::string> lowest_role_covering(const std::map<std::string, double>& limits,
                                                double amount);

// The placeholders in `text` that are not in the list policy.hpp documents, as written
// ("{nmae}").
std::vector<std::string> unknown_placeholders(std::string_view text);

// The non-empty parts, joined with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// The kind a pattern.recurring case is about, in the plural.
std::string recurring_words(const Subject& s);

// The wait a case is about: from its start until the evidence that ended it, or until now.
struct CaseWait {
  WallTime from;
  Millis lasted{0};
  std::string ended;  // what ended it, "" while it goes on
  WallTime ended_at;
};
CaseWait wait_of(const Case& c, WallTime now);

}  // namespace mend::policy_detail
