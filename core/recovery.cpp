#include "core/recovery.hpp"

#include <algorithm>

namespace mend {

RecoverySettings recovery_settings(const Config& config) {
  RecoverySettings r;
  const PolicySettings& p = config.policy;
  r.policy = p.default_rules ? PolicyConfig::defaults() : PolicyConfig{};
  r.policy.per_case_limit = {
      {"staff", p.staff_limit}, {"manager", p.manager_limit}, {"admin", 1e9}};
  r.policy.shift_budget = p.shift_budget;
  r.policy.shift_starts.clear();
  for (const auto& s : p.shift_starts) {
    if (auto m = parse_time_of_day(s)) r.policy.shift_starts.push_back(*m);
  }
  std::sort(r.policy.shift_starts.begin(), r.policy.shift_starts.end());
  r.policy.automatic.clear();
  for (const auto& k : p.automatic) {
    if (auto kind = case_kind_from_name(k)) r.policy.automatic.push_back(*kind);
  }
  r.policy.auto_budget = p.auto_budget;

  // The file's rules, grouped; each group replaces the day-one rule with the same key.
  std::vector<PolicyRule> configured;
  for (const auto& rc : config.rules) {
    auto kind = case_kind_from_name(rc.kind);
    auto severity = severity_from_name(rc.min_severity);
    auto type = action_type_from_name(rc.action);
    if (!kind || !severity || !type) continue;  // check_rules already named these
    std::optional<GuestTier> tier;
    if (!rc.tier.empty()) tier = guest_tier_from_name(rc.tier);
    auto it = std::find_if(configured.begin(), configured.end(), [&](const PolicyRule& x) {
      return x.kind == *kind && x.min_severity == *severity && x.tier == tier;
    });
    if (it == configured.end()) {
      PolicyRule rule;
      rule.kind = *kind;
      rule.min_severity = *severity;
      rule.tier = tier;
      configured.push_back(std::move(rule));
      it = configured.end() - 1;
    }
    it->actions.push_back(ActionTemplate{*type, rc.value, rc.text});
  }
  for (auto& rule : configured) {
    std::erase_if(r.policy.rules, [&](const PolicyRule& x) {
      return x.kind == rule.kind && x.min_severity == rule.min_severity && x.tier == rule.tier;
    });
    r.policy.rules.push_back(std::move(rule));
  }

  const EscalationSettings& e = config.escalation;
  r.escalation.ladder.clear();
  for (const auto& step : e.ladder) {
    if (auto s = parse_ladder_step(step)) r.escalation.ladder.push_back({s->first, s->second});
  }
  r.escalation.repeat = e.repeat;
  r.escalation.quiet_floor.clear();
  for (const auto& q : e.quiet) {
    auto rw = parse_role_word(q);
    if (!rw) continue;
    if (auto sev = severity_from_name(rw->second)) r.escalation.quiet_floor[rw->first] = *sev;
  }

  r.guests.regular_visits = config.guests.regular_visits;
  r.guests.vip_spend = config.guests.vip_spend;
  r.guests.vip_customers = config.guests.vip;
  r.guests.keep_profiles = config.guests.keep_profiles;
  r.guests.keep_notes = config.guests.keep_notes;
  r.guests.keep_dietary = config.guests.keep_dietary;
  r.guests.winback_after = config.guests.winback_after;
  r.guests.winback_factor = config.guests.winback_factor;
  for (const AreaConfig& a : config.areas) {
    for (const std::string& t : a.tables) r.guests.table_areas[t] = a.name;
  }
  return r;
}

std::vector<std::string> check_recovery(const Config& config) {
  const RecoverySettings r = recovery_settings(config);
  std::vector<std::string> out;
  for (auto& m : r.policy.validate()) out.push_back("policy: " + m);
  for (auto& m : r.escalation.validate()) out.push_back("escalation: " + m);
  return out;
}

}  // namespace mend
