// The shift ledger: compensation spent per shift, and who may approve what.
#include <algorithm>

#include "core/policy_internal.hpp"
#include "core/words.hpp"

namespace mend {

using namespace policy_detail;

namespace {

std::string with_article(std::string_view role) {
  const bool vowel = !role.empty() && std::string_view("aeiou").find(role[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + std::string(role);
}

struct Window {
  WallTime start;
  WallTime end;
};

// Starts that can be used: minutes of the day, sorted, each once; midnight if none is left.
std::vector<int> usable_starts(std::vector<int> starts) {
  std::erase_if(starts, [](int m) { return m < 0 || m >= kMinutesPerDay; });
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  if (starts.empty()) starts.push_back(0);
  return starts;
}

Window shift_window(const std::vector<int>& starts, WallTime now, Millis utc_offset) {
  const std::int64_t off = utc_offset.count();
  const std::int64_t local = to_ms(now) + off;
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t in_day = local - day * kMsPerDay;
  // The latest start at or before now; before the day's first start, yesterday's last.
  auto it = std::upper_bound(starts.begin(), starts.end(), in_day,
                             [](std::int64_t ms, int m) { return ms < m * kMsPerMinute; });
  std::int64_t start_local = 0;
  std::int64_t end_local = 0;
  if (it == starts.begin()) {
    start_local = (day - 1) * kMsPerDay + starts.back() * kMsPerMinute;
    end_local = day * kMsPerDay + starts.front() * kMsPerMinute;
  } else {
    start_local = day * kMsPerDay + *std::prev(it) * kMsPerMinute;
    end_local = it == starts.end() ? (day + 1) * kMsPerDay + starts.front() * kMsPerMinute
                                   : day * kMsPerDay + *it * kMsPerMinute;
  }
  return Window{wall_from_ms(start_local - off), wall_from_ms(end_local - off)};
}

}  // namespace

ShiftLedger::ShiftLedger(const PolicyConfig& p) { update_policy(p); }

void ShiftLedger::update_policy(const PolicyConfig& p) {
  limits_ = p.per_case_limit;
  budget_ = p.shift_budget;
  auto_budget_ = p.auto_budget;
  shift_starts_ = usable_starts(p.shift_starts);
}

AuthorityVerdict ShiftLedger::check(const std::string& role, double amount, WallTime now,
                                    Millis utc_offset) const {
  AuthorityVerdict v;
  if (bad_amount(amount)) {
    v.allowed = false;
    v.reason = "the amount must be 0 or more";
    return v;
  }
  const auto route = lowest_role_covering(limits_, amount);
  const auto it = limits_.find(role);
  if (authority_rank(role) < 0 || it == limits_.end()) {
    v.allowed = false;
    v.reason = "the role " + (role.empty() ? std::string("(none)") : role) +
               " may not approve compensation" +
               (route ? ": " + with_article(*route) + " can approve it" : std::string());
    v.route_to = route.value_or("");
    return v;
  }
  if (amount > it->second + kEpsilon) {
    v.allowed = false;
    v.reason = "over the " + role + " limit of " + words::money(it->second) + " per case: " +
               (route ? with_article(*route) + " can approve it" : std::string("no role can"));
    v.route_to = route.value_or("");
    return v;
  }
  if (amount <= 0) return v;
  const Status s = status(now, utc_offset);
  // The highest role answers for the venue's money: it may go past the shift budget.
  const std::string top(role_name(kPersonRoles.back()));
  if (amount > s.remaining + kEpsilon && role != top) {
    v.allowed = false;
    const auto top_limit = limits_.find(top);
    const bool top_may = top_limit != limits_.end() && amount <= top_limit->second + kEpsilon;
    v.reason = "the shift budget has " + words::money(s.remaining) + " left of " +
               words::money(s.budget) +
               (top_may ? ": " + with_article(top) + " can approve it" : std::string());
    v.route_to = top_may ? top : "";
  }
  return v;
}

void ShiftLedger::spend(const std::string& case_id, double amount, bool automatic, WallTime now,
                        Millis utc_offset) {
  // Earlier shifts no longer count: forgetting them keeps the ledger one shift long.
  const Window w = shift_window(shift_starts_, now, utc_offset);
  std::erase_if(entries_, [&](const Entry& e) { return e.at < w.start; });
  if (bad_amount(amount) || amount == 0) return;
  entries_.push_back(Entry{case_id, amount, automatic, now});
}

ShiftLedger::Status ShiftLedger::status(WallTime now, Millis utc_offset) const {
  const Window w = shift_window(shift_starts_, now, utc_offset);
  Status s;
  s.shift_start = w.start;
  s.shift_end = w.end;
  s.budget = budget_;
  s.auto_budget = auto_budget_;
  for (const auto& e : entries_) {
    if (e.at < w.start || e.at >= w.end) continue;
    s.spent += e.amount;
    if (e.automatic) s.auto_spent += e.amount;
  }
  s.remaining = std::max(0.0, s.budget - s.spent);
  return s;
}

json::Value ShiftLedger::export_state() const {
  json::Array entries;
  entries.reserve(entries_.size());
  for (const auto& e : entries_) {
    json::Object o;
    o.append("case", e.case_id);
    o.append("amount", e.amount);
    o.append("automatic", e.automatic);
    o.append("at", to_ms(e.at));
    entries.emplace_back(std::move(o));
  }
  json::Object root;
  root.append("entries", std::move(entries));
  return root;
}

std::optional<std::string> ShiftLedger::restore(const json::Value& v) {
  const json::Value* list = v.get("entries");
  if (list == nullptr || !list->is_array()) return "the ledger state has no entries array";
  std::vector<Entry> entries;
  std::size_t n = 0;
  for (const auto& item : *list->as_array()) {
    ++n;
    const std::string where = "ledger entry " + std::to_string(n);
    const json::Value* id = item.get("case");
    const json::Value* amount = item.get("amount");
    const json::Value* automatic = item.get("automatic");
    const json::Value* at = item.get("at");
    if (id == nullptr || !id->is_string()) return where + ": case is not a string";
    if (amount == nullptr || !amount->is_number() || bad_amount(*amount->as_double())) {
      return where + ": amount is not a number of 0 or more";
    }
    if (automatic == nullptr || !automatic->is_bool()) return where + ": automatic is not a bool";
    if (at == nullptr || !at->is_int()) return where + ": at is not epoch milliseconds";
    entries.push_back(Entry{*id->as_string(), *amount->as_double(), *automatic->as_bool(),
                            wall_from_ms(*at->as_int())});
  }
  entries_ = std::move(entries);
  return std::nullopt;
}

bool decide_automatic(const PolicyConfig& p, const Case& c, Plan& plan, const ShiftLedger& ledger,
                      WallTime now, Millis utc_offset) {
  plan.automatic = false;
  if (std::find(p.automatic.begin(), p.automatic.end(), c.kind) == p.automatic.end()) return false;
  if (plan.actions.empty()) return false;
  if (!plan.needs_approval_by.empty() && plan.needs_approval_by != role_name(kPersonRoles.front()))
    return false;
  const ShiftLedger::Status s = ledger.status(now, utc_offset);
  if (plan.compensation > p.auto_budget - s.auto_spent + kEpsilon) return false;
  if (plan.compensation > s.remaining + kEpsilon) return false;
  plan.automatic = true;
  return true;
}

}  // namespace mend
