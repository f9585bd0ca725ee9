// Actions, drafts and plans: the rule for a case, its texts filled in, and who must approve
// it. The explanations are in policy_explain.cpp, the day-one rules in policy_defaults.cpp,
// validation in policy_validate.cpp and the shift ledger in policy_ledger.cpp.
#include "core/policy.hpp"

#include <algorithm>
#include <array>

#include "core/case_book.hpp"
#include "core/policy_internal.hpp"
#include "core/words.hpp"

namespace mend {

using namespace policy_detail;

namespace {

constexpr std::array<std::string_view, 12> kPlaceholders{"name",   "greeting", "table", "check",
                                                         "course", "device",   "kind",  "minutes",
                                                         "limit",  "party",    "venue", "value"};

// ---- drafts --------------------------------------------------------------------------------

struct Fill {
  std::string name;
  std::string greeting;
  std::string table;
  std::string check;
  std::string course;
  std::string device;
  std::string kind;
  std::string minutes;
  std::string limit;
  std::string party;
  std::string venue;
};

Fill make_fill(const Case& c, const GuestProfile& g, std::string_view venue, WallTime now) {
  const Subject& s = c.subject;
  Fill f;
  f.name = g.name.empty() ? "the guest" : g.name;
  f.greeting = g.name.empty() ? "Hello," : "Dear " + g.name + ",";
  f.table = s.table.empty() ? "the table" : "table " + s.table;
  f.check = s.check.empty() ? "the check" : "check " + s.check;
  f.course = s.course.empty() ? "course" : s.course;
  f.device = s.device.empty() ? "the device" : s.device;
  f.kind = c.kind == CaseKind::kPatternRecurring ? recurring_words(s)
                                                 : std::string(failures_words(c.kind));
  f.minutes = std::to_string(wait_of(c, now).lasted.count() / kMsPerMinute);
  f.limit = std::to_string(c.facts.threshold.count() / kMsPerMinute);
  f.party = c.facts.party > 0 ? std::to_string(c.facts.party) : "?";
  f.venue = venue.empty() ? "us" : std::string(venue);
  return f;
}

const std::string* placeholder(const Fill& f, std::string_view key) {
  if (key == "name") return &f.name;
  if (key == "greeting") return &f.greeting;
  if (key == "table") return &f.table;
  if (key == "check") return &f.check;
  if (key == "course") return &f.course;
  if (key == "device") return &f.device;
  if (key == "kind") return &f.kind;
  if (key == "minutes") return &f.minutes;
  if (key == "limit") return &f.limit;
  if (key == "party") return &f.party;
  if (key == "venue") return &f.venue;
  return nullptr;
}

// Unknown placeholders stay as written, so a typo shows on the tablet rather than vanishing.
std::string fill_text(std::string_view text, const Fill& f, double value) {
  std::string out;
  out.reserve(text.size() + 32);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('{', i);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::string_view key = text.substr(open + 1, close - open - 1);
    if (key == "value") {
      out += words::money(value);
    } else if (const std::string* v = placeholder(f, key)) {
      out += *v;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(text.substr(std::min(i, text.size())));
  return out;
}

}  // namespace

namespace policy_detail {

// The lowest role whose per-case limit covers `amount`.
std::optional<std::string> lowest_role_covering(const std::map<std::string, double>& limits,
                                                double amount) {
  for (const Role role : kPersonRoles) {
    auto it = limits.find(std::string(role_name(role)));
    if (it != limits.end() && amount <= it->second + kEpsilon) return it->first;
  }
  return std::nullopt;
}

std::vector<std::string> unknown_placeholders(std::string_view text) {
  std::vector<std::string> bad;
  std::size_t i = 0;
  while (true) {
    const auto open = text.find('{', i);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    const std::string_view key = text.substr(open + 1, close - open - 1);
    if (std::find(kPlaceholders.begin(), kPlaceholders.end(), key) == kPlaceholders.end()) {
      bad.emplace_back(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  return bad;
}

}  // namespace policy_detail

// ---- actions -------------------------------------------------------------------------------

std::string_view action_type_name(ActionType t) {
  const auto i = static_cast<std::size_t>(t);
  return i < kActionTypeNames.size() ? kActionTypeNames[i] : std::string_view("fix_cause");
}

std::optional<ActionType> action_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kActionTypeNames.size(); ++i) {
    if (kActionTypeNames[i] == name) return static_cast<ActionType>(i);
  }
  return std::nullopt;
}

bool is_compensation(ActionType t) {
  return t == ActionType::kCompItem || t == ActionType::kDiscount || t == ActionType::kVoucher;
}

bool is_customer_facing(ActionType t) {
  return is_compensation(t) || t == ActionType::kApology || t == ActionType::kManagerVisit ||
         t == ActionType::kFollowUpMessage;
}

// ---- plans ---------------------------------------------------------------------------------

// Drafts speak in durations, not clock times, so the offset is not needed yet.
Plan recommend(const PolicyConfig& p, const Case& c, const GuestProfile& g,
               std::string_view venue_name, Millis /*utc_offset*/, WallTime now) {
  const PolicyRule* best = nullptr;
  for (const auto& r : p.rules) {
    if (r.kind != c.kind || r.min_severity > c.severity || r.actions.empty()) continue;
    if (r.tier && *r.tier != g.tier) continue;
    if (best == nullptr || (r.tier.has_value() && !best->tier.has_value()) ||
        (r.tier.has_value() == best->tier.has_value() && r.min_severity > best->min_severity)) {
      best = &r;
    }
  }
  Plan plan;
  if (best == nullptr) {
    // No rule for it: today's one-line recommendation, as a single staff action.
    const Recommendation r = default_recommendation(c.kind, c.subject);
    plan.actions.push_back(PlannedAction{ActionType::kFixCause, 0, r.text});
    plan.text = r.text;
    plan.action = r.action;
    plan.needs_approval_by = r.needs_approval_by;
    return plan;
  }
  const Fill fill = make_fill(c, g, venue_name, now);
  bool facing = false;
  std::vector<std::string> texts;
  for (const auto& a : best->actions) {
    PlannedAction pa{a.type, is_compensation(a.type) ? a.value : 0,
                     fill_text(a.text, fill, a.value)};
    plan.compensation += pa.value;
    facing = facing || is_customer_facing(a.type);
    texts.push_back(pa.text);
    plan.actions.push_back(std::move(pa));
  }
  plan.text = join(texts, " ");
  plan.action = std::string(action_type_name(plan.actions.front().type));
  if (facing || !best->min_approval.empty()) {
    // No limit covers it: only the top role may.
    const auto covering = lowest_role_covering(p.per_case_limit, plan.compensation);
    int rank = covering ? authority_rank(*covering) : authority_rank(kPersonRoles.back());
    rank = std::max({rank, 0, authority_rank(best->min_approval)});
    plan.needs_approval_by =
        std::string(role_name(kPersonRoles.at(static_cast<std::size_t>(rank))));
  }
  return plan;
}

Recommendation to_recommendation(const Plan& plan) {
  return Recommendation{plan.action, plan.text, plan.needs_approval_by};
}

}  // namespace mend
