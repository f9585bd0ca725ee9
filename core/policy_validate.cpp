// PolicyConfig::validate: every problem in a venue's policy, in plain words.
#include <algorithm>

#include "core/policy_internal.hpp"
#include "core/words.hpp"

namespace mend {

using namespace policy_detail;

namespace {

std::string rule_label(std::size_t i, const PolicyRule& r) {
  return "rule " + std::to_string(i + 1) + " (" + std::string(case_kind_name(r.kind)) + ", " +
         std::string(severity_name(r.min_severity)) + ", " +
         (r.tier ? std::string(guest_tier_name(*r.tier)) : std::string("any tier")) + ")";
}

}  // namespace

std::vector<std::string> PolicyConfig::validate() const {
  std::vector<std::string> problems;
  for (const auto& [role, limit] : per_case_limit) {
    if (authority_rank(role) < 0) {
      problems.push_back("per_case_limit names unknown role '" + role + "' (roles are " +
                         person_role_list() + ")");
    }
    if (bad_amount(limit)) problems.push_back("per_case_limit for " + role + " is not 0 or more");
  }
  const std::map<std::string, double>::const_iterator none = per_case_limit.end();
  std::map<std::string, double>::const_iterator below = none;
  for (const Role role : kPersonRoles) {
    auto it = per_case_limit.find(std::string(role_name(role)));
    if (it == none) {
      problems.push_back("per_case_limit has no limit for " + std::string(role_name(role)));
      continue;
    }
    if (below != none && it->second < below->second) {
      problems.push_back("per_case_limit for " + it->first + " (" + words::money(it->second) +
                         ") is below " + below->first + " (" + words::money(below->second) +
                         "): limits rise with the role (" + person_role_list() + ")");
    }
    below = it;
  }
  if (bad_amount(shift_budget)) problems.emplace_back("shift_budget is not 0 or more");
  if (bad_amount(auto_budget)) problems.emplace_back("auto_budget is not 0 or more");
  if (!bad_amount(shift_budget) && !bad_amount(auto_budget) && auto_budget > shift_budget) {
    problems.push_back("auto_budget (" + words::money(auto_budget) +
                       ") is more than shift_budget (" + words::money(shift_budget) + ")");
  }
  if (shift_starts.empty()) problems.emplace_back("shift_starts is empty: a day needs a shift");
  for (std::size_t i = 0; i < shift_starts.size(); ++i) {
    const int m = shift_starts[i];
    if (m < 0 || m >= kMinutesPerDay) {
      problems.push_back("shift start " + std::to_string(m) +
                         " is not a minute of the day (0 to 1439)");
    } else if (std::find(shift_starts.begin(),
                         shift_starts.begin() + static_cast<std::ptrdiff_t>(i),
                         m) != shift_starts.begin() + static_cast<std::ptrdiff_t>(i)) {
      problems.push_back("shift start " + std::to_string(m) + " is listed twice");
    }
  }
  for (std::size_t i = 0; i < automatic.size(); ++i) {
    if (std::find(automatic.begin(), automatic.begin() + static_cast<std::ptrdiff_t>(i),
                  automatic[i]) != automatic.begin() + static_cast<std::ptrdiff_t>(i)) {
      problems.push_back("automatic lists " + std::string(case_kind_name(automatic[i])) + " twice");
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const PolicyRule& r = rules[i];
    const std::string label = rule_label(i, r);
    for (std::size_t j = 0; j < i; ++j) {
      if (rules[j].kind == r.kind && rules[j].min_severity == r.min_severity &&
          rules[j].tier == r.tier) {
        problems.push_back(label + " repeats rule " + std::to_string(j + 1) +
                           ": only the first is used");
        break;
      }
    }
    if (r.actions.empty()) problems.push_back(label + " has no actions");
    if (!r.min_approval.empty() && authority_rank(r.min_approval) < 0) {
      problems.push_back(label + " asks for approval by unknown role '" + r.min_approval + "'");
    }
    for (const auto& a : r.actions) {
      const std::string what = label + ", " + std::string(action_type_name(a.type));
      if (bad_amount(a.value)) {
        problems.push_back(what + ": the value is not 0 or more");
      } else if (a.value > 0 && !is_compensation(a.type)) {
        problems.push_back(what + ": only comp_item, discount and voucher carry a value");
      }
      if (a.text.empty()) problems.push_back(what + ": the text is empty");
      for (const auto& bad : unknown_placeholders(a.text)) {
        problems.push_back(what + ": unknown placeholder ");
        problems.back() += bad;
      }
    }
  }
  return problems;
}

}  // namespace mend
