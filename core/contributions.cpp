#include "core/contributions.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "core/policy.hpp"
#include "core/words.hpp"

namespace mend {

namespace {

constexpr std::array<std::string_view, 5> kKindNames{"contribution", "countersign", "correction",
                                                     "reward", "redemption"};

// Money and points are kept to the cent, so a sum of entries is exactly what people add up.
double cents(double v) { return std::round(v * 100) / 100; }

std::string str(const json::Value* v) {
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  return s != nullptr ? *s : std::string();
}

bool read_str(const json::Value& o, std::string_view key, std::string& out) {
  const json::Value* v = o.get(key);
  if (v == nullptr || !v->is_string()) return false;
  out = *v->as_string();
  return true;
}

json::Value evidence_json(const LedgerEvidence& ev) {
  json::Object o;
  o.append("type", ev.type);
  if (ev.type == "audit") {
    o.append("action", ev.action);
    o.append("target", ev.target);
    o.append("id", ev.audit);
  } else {
    o.append("id", ev.id);
  }
  return json::Value(std::move(o));
}

std::optional<LedgerEvidence> evidence_from(const json::Value& v) {
  LedgerEvidence ev;
  if (!v.is_object() || !read_str(v, "type", ev.type)) return std::nullopt;
  if (ev.type == "audit") {
    const json::Value* id = v.get("id");
    if (!read_str(v, "action", ev.action) || !read_str(v, "target", ev.target) || id == nullptr ||
        !id->as_int()) {
      return std::nullopt;
    }
    ev.audit = *id->as_int();
  } else if (!read_str(v, "id", ev.id)) {
    return std::nullopt;
  }
  return ev;
}

LedgerEvidence audit_of(std::string action, std::string target) {
  return LedgerEvidence{"audit", {}, std::move(action), std::move(target), 0};
}

LedgerEvidence of(std::string type, std::string id) {
  return LedgerEvidence{std::move(type), std::move(id), {}, {}, 0};
}

// A guest's credit or its use, written by mend.
LedgerEntry guest_entry(LedgerKind kind, std::string_view rule, const std::string& guest,
                        double value, std::string why, std::vector<LedgerEvidence> evidence,
                        WallTime at) {
  LedgerEntry e;
  e.at = at;
  e.kind = kind;
  e.rule = rule;
  e.guest = guest;
  e.value = value;
  e.why = std::move(why);
  e.evidence = std::move(evidence);
  e.by = kSystemActor;
  return e;
}

}  // namespace

std::string_view ledger_kind_name(LedgerKind k) { return kKindNames[static_cast<std::size_t>(k)]; }

std::optional<LedgerKind> ledger_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<LedgerKind>(i);
  }
  return std::nullopt;
}

bool needs_countersign(const LedgerRules& rules, std::string_view rule) {
  return std::find(rules.countersign.begin(), rules.countersign.end(), rule) !=
         rules.countersign.end();
}

json::Value ledger_entry_to_json(const LedgerEntry& e) {
  json::Object o;
  o.append("seq", e.seq);
  o.append("at", format_rfc3339(e.at));
  o.append("kind", ledger_kind_name(e.kind));
  o.append("rule", e.rule);
  o.append("person", e.person);
  o.append("guest", e.guest);
  o.append("value", e.value);
  o.append("why", e.why);
  json::Array evidence;
  for (const auto& ev : e.evidence) evidence.push_back(evidence_json(ev));
  o.append("evidence", std::move(evidence));
  o.append("by", actor_to_json(e.by));
  o.append("refers", e.refers);
  o.append("countersign", e.countersign);
  return json::Value(std::move(o));
}

std::optional<LedgerEntry> ledger_entry_from_json(const json::Value& v) {
  if (!v.is_object()) return std::nullopt;
  LedgerEntry e;
  const json::Value* seq = v.get("seq");
  const json::Value* value = v.get("value");
  const json::Value* refers = v.get("refers");
  const json::Value* cs = v.get("countersign");
  const json::Value* evidence = v.get("evidence");
  const auto at = parse_rfc3339(str(v.get("at")));
  const auto kind = ledger_kind_from_name(str(v.get("kind")));
  auto by = actor_of(v.get("by"));
  if (seq == nullptr || !seq->as_int() || value == nullptr || !value->as_double() ||
      refers == nullptr || !refers->as_int() || cs == nullptr || !cs->as_bool() || !at || !kind ||
      !by || evidence == nullptr || !evidence->is_array() || !read_str(v, "rule", e.rule) ||
      !read_str(v, "person", e.person) || !read_str(v, "guest", e.guest) ||
      !read_str(v, "why", e.why)) {
    return std::nullopt;
  }
  e.seq = *seq->as_int();
  e.at = *at;
  e.kind = *kind;
  e.value = *value->as_double();
  e.refers = *refers->as_int();
  e.countersign = *cs->as_bool();
  e.by = std::move(*by);
  for (const auto& ev : *evidence->as_array()) {
    auto one = evidence_from(ev);
    if (!one) return std::nullopt;
    e.evidence.push_back(std::move(*one));
  }
  return e;
}

// ---- the fold ------------------------------------------------------------------------------

bool LedgerFold::Standing::counts() const {
  return corrected_by == 0 && (!needs_countersign || countersigned_by != 0);
}

void LedgerFold::count(const Standing& s, double sign) {
  if (s.kind == LedgerKind::kContribution) {
    points_[s.person] = cents(points_[s.person] + sign * s.value);
  } else if (s.kind == LedgerKind::kReward || s.kind == LedgerKind::kRedemption) {
    balances_[s.guest] = cents(balances_[s.guest] + sign * s.value);
  }
}

void LedgerFold::add(const LedgerEntry& e) {
  last_ = std::max(last_, e.seq);
  if (e.kind == LedgerKind::kCountersign || e.kind == LedgerKind::kCorrection) {
    auto it = entries_.find(e.refers);
    if (it == entries_.end()) return;
    Standing& s = it->second;
    const bool before = s.counts();
    if (e.kind == LedgerKind::kCountersign && s.countersigned_by == 0) s.countersigned_by = e.seq;
    if (e.kind == LedgerKind::kCorrection && s.corrected_by == 0) s.corrected_by = e.seq;
    if (before != s.counts()) count(s, before ? -1 : 1);
    entries_[e.seq] = Standing{e.kind, e.rule, e.person, e.guest, e.value, false, 0, 0};
    return;
  }
  Standing s{e.kind, e.rule, e.person, e.guest, e.value, e.countersign, 0, 0};
  if (s.counts()) count(s, 1);
  entries_[e.seq] = std::move(s);
}

const LedgerFold::Standing* LedgerFold::standing(std::int64_t seq) const {
  auto it = entries_.find(seq);
  return it == entries_.end() ? nullptr : &it->second;
}

double LedgerFold::balance(const std::string& guest) const {
  auto it = balances_.find(guest);
  return it == balances_.end() ? 0 : it->second;
}

double LedgerFold::points(const std::string& person) const {
  auto it = points_.find(person);
  return it == points_.end() ? 0 : it->second;
}

// ---- the rules -----------------------------------------------------------------------------

Contributions::Contributions(LedgerRules rules) : rules_(std::move(rules)) {}

void Contributions::append(LedgerEntry e, std::vector<LedgerEntry>& out) {
  e.seq = fold_.last_seq() + 1;
  e.value = cents(e.value);
  fold_.add(e);
  out.push_back(std::move(e));
}

namespace {

// The key that makes an outcome earn once: the rule and what it is about.
std::string earned_key(const LedgerEntry& e) {
  for (const auto& ev : e.evidence) {
    if ((e.rule == kRuleVoucher && ev.type == "voucher") ||
        (e.kind == LedgerKind::kContribution && ev.type == "case")) {
      return std::string(ledger_kind_name(e.kind)) + ":" + e.rule + ":" + ev.id;
    }
    if (e.kind == LedgerKind::kRedemption && ev.type == "voucher") {
      return "redemption:voucher:" + ev.id;
    }
  }
  return {};
}

}  // namespace

void Contributions::restore(const std::vector<LedgerEntry>& entries, const json::Value* saved) {
  fold_ = LedgerFold{};
  earned_.clear();
  watches_.clear();
  for (const auto& e : entries) {
    if (e.seq != fold_.last_seq() + 1) {
      throw std::runtime_error("the ledger's entry " + std::to_string(e.seq) + " follows entry " +
                               std::to_string(fold_.last_seq()));
    }
    fold_.add(e);
    if (std::string key = earned_key(e); !key.empty()) earned_.insert(std::move(key));
  }
  const json::Value* list = saved != nullptr ? saved->get("watches") : nullptr;
  if (list == nullptr || !list->is_array()) return;
  for (const auto& w : *list->as_array()) {
    Watch watch;
    const auto kind = case_kind_from_name(str(w.get("kind")));
    const auto resolved = parse_rfc3339(str(w.get("resolved")));
    const auto due = parse_rfc3339(str(w.get("due")));
    watch.case_id = str(w.get("case"));
    watch.area = str(w.get("area"));
    watch.person = str(w.get("person"));
    if (!kind || !resolved || !due || watch.case_id.empty()) continue;
    watch.kind = *kind;
    watch.resolved = *resolved;
    watch.due = *due;
    watches_.push_back(std::move(watch));
  }
}

json::Value Contributions::save() const {
  json::Array list;
  for (const auto& w : watches_) {
    json::Object o;
    o.append("case", w.case_id);
    o.append("kind", case_kind_name(w.kind));
    o.append("area", w.area);
    o.append("person", w.person);
    o.append("resolved", format_rfc3339(w.resolved));
    o.append("due", format_rfc3339(w.due));
    list.emplace_back(std::move(o));
  }
  json::Object o;
  o.append("watches", std::move(list));
  return json::Value(std::move(o));
}

// The person a guest's recovery is credited to: who resolved the case, else who approved its
// plan. Nobody when the venue's policy did it on its own.
std::string Contributions::earner(const Case& c) const {
  if (c.resolution && c.resolution->by.role != kSystemActor.role) return c.resolution->by.id;
  for (auto it = c.decisions.rbegin(); it != c.decisions.rend(); ++it) {
    if (it->verdict != Verdict::kReject && it->by.role != kSystemActor.role) return it->by.id;
  }
  return {};
}

void Contributions::follow_up_sent(const Case& c, WallTime at, std::vector<LedgerEntry>& out) {
  if (!rules_.enabled || rules_.case_closed <= 0 || !c.resolution) return;
  const std::string key = "contribution:" + std::string(kRuleCaseClosed) + ":" + c.id;
  if (earned_.contains(key)) return;
  const std::string& person = c.resolution->by.id;
  if (c.resolution->by.role == kSystemActor.role) return;
  earned_.insert(key);
  earn(kRuleCaseClosed, person, rules_.case_closed,
       "Closed case " + c.id + " (" + std::string(failure_words(c.kind)) +
           ") properly: root cause " + std::string(root_cause_name(c.resolution->root_cause)) +
           ", and the guest's follow-up went out",
       {of("case", c.id), audit_of("case.resolve", c.id), audit_of("case.follow_up.send", c.id)},
       at, out);
}

void Contributions::earn(std::string_view rule, std::string person, double value, std::string why,
                         std::vector<LedgerEvidence> evidence, WallTime at,
                         std::vector<LedgerEntry>& out) {
  LedgerEntry e;
  e.at = at;
  e.kind = LedgerKind::kContribution;
  e.rule = rule;
  e.person = std::move(person);
  e.value = value;
  e.why = std::move(why);
  e.evidence = std::move(evidence);
  e.by = kSystemActor;
  e.countersign = needs_countersign(rules_, rule);
  append(std::move(e), out);
}

void Contributions::case_resolved(const Case& c) {
  if (!rules_.enabled || rules_.cause_fixed <= 0 || c.kind != CaseKind::kPatternRecurring ||
      !c.resolution || c.resolution->by.role == kSystemActor.role) {
    return;
  }
  const auto kind = case_kind_from_name(c.subject.kind);
  if (!kind) return;
  if (std::any_of(watches_.begin(), watches_.end(),
                  [&](const Watch& w) { return w.case_id == c.id; })) {
    return;
  }
  watches_.push_back(Watch{c.id, *kind, c.subject.area, c.resolution->by.id, c.resolution->at,
                           c.resolution->at + rules_.cause_fixed_after});
}

void Contributions::case_opened(const Case& c) {
  std::erase_if(watches_, [&](const Watch& w) {
    return w.kind == c.kind && w.area == c.subject.area && c.opened_at >= w.resolved;
  });
}

void Contributions::guest_recovered(const Case& c, const std::string& event_id,
                                    std::string_view how, WallTime at,
                                    std::vector<LedgerEntry>& out) {
  if (!rules_.enabled || rules_.guest_recovered <= 0) return;
  const std::string key = "contribution:" + std::string(kRuleGuestRecovered) + ":" + c.id;
  if (earned_.contains(key)) return;
  std::string person = earner(c);
  if (person.empty()) return;
  earned_.insert(key);
  earn(kRuleGuestRecovered, std::move(person), rules_.guest_recovered,
       "The guest of case " + c.id + " (" + std::string(failure_words(c.kind)) +
           ") was recovered: " + std::string(how),
       {of("case", c.id), of("event", event_id)}, at, out);
}

void Contributions::vouchers_given(const Case& c, const std::string& guest, WallTime at,
                                   std::vector<LedgerEntry>& out) {
  if (!rules_.enabled || guest.empty()) return;
  for (const auto& v : c.vouchers) {
    const std::string key = "reward:" + std::string(kRuleVoucher) + ":" + v.id;
    if (v.value <= 0 || earned_.contains(key)) continue;
    earned_.insert(key);
    append(guest_entry(LedgerKind::kReward, kRuleVoucher, guest, v.value,
                       "A voucher with the venue's apologies for " +
                           std::string(failure_words(c.kind)) + " (case " + c.id + ")",
                       {of("case", c.id), of("voucher", v.id)}, at),
           out);
  }
}

void Contributions::visit_started(const std::string& guest, std::int64_t visits,
                                  const std::string& event_id, WallTime at,
                                  std::vector<LedgerEntry>& out) {
  if (!rules_.enabled || guest.empty() || rules_.stamp_every <= 0 || rules_.stamp_value <= 0 ||
      visits <= 0 || visits % rules_.stamp_every != 0) {
    return;
  }
  append(guest_entry(LedgerKind::kReward, kRuleStamp, guest, rules_.stamp_value,
                     "A loyalty stamp for visit " + std::to_string(visits), {of("event", event_id)},
                     at),
         out);
}

std::optional<std::string> Contributions::redeem(const std::string& guest, double amount,
                                                 std::string_view rule, const std::string& voucher,
                                                 const std::string& event_id,
                                                 const std::string& check, WallTime at,
                                                 std::vector<LedgerEntry>& out) {
  if (!rules_.enabled) return std::string("the ledger is off ([ledger] enabled = false)");
  amount = cents(amount);
  if (guest.empty()) return std::string("the guest is not one the venue knows");
  if (!(amount > 0)) return std::string("the amount must be more than 0");
  const std::string key = "redemption:voucher:" + voucher;
  if (!voucher.empty() && earned_.contains(key)) {
    return "voucher " + voucher + " was already taken off the balance";
  }
  const double balance = fold_.balance(guest);
  if (amount > balance + 1e-9) {
    return "the guest's balance is " + words::money(balance) + ", less than the " +
           words::money(amount) + " asked for";
  }
  if (!voucher.empty()) earned_.insert(key);
  std::vector<LedgerEvidence> evidence{of("event", event_id)};
  if (!voucher.empty()) evidence.push_back(of("voucher", voucher));
  append(guest_entry(LedgerKind::kRedemption, rule, guest, -amount,
                     (voucher.empty() ? "Rewards used" : "Voucher " + voucher + " used") +
                         (check.empty() ? std::string() : " on check " + check),
                     std::move(evidence), at),
         out);
  return std::nullopt;
}

void Contributions::due(WallTime now, std::vector<LedgerEntry>& out) {
  std::vector<Watch> done;
  std::erase_if(watches_, [&](const Watch& w) {
    if (w.due > now) return false;
    done.push_back(w);
    return true;
  });
  if (!rules_.enabled || rules_.cause_fixed <= 0) return;
  for (const Watch& w : done) {
    const std::string key = "contribution:" + std::string(kRuleCauseFixed) + ":" + w.case_id;
    if (earned_.contains(key)) continue;
    earned_.insert(key);
    earn(kRuleCauseFixed, w.person, rules_.cause_fixed,
         "Fixed the cause of " + std::string(failures_words(w.kind)) +
             (w.area.empty() ? std::string() : " in " + w.area) + " (case " + w.case_id +
             "): none since, for " +
             words::plural((w.due - w.resolved) / std::chrono::hours(24), "day", "days"),
         {of("case", w.case_id), audit_of("case.resolve", w.case_id)}, now, out);
  }
}

std::optional<WallTime> Contributions::next_due() const {
  std::optional<WallTime> next;
  for (const auto& w : watches_) {
    if (!next || w.due < *next) next = w.due;
  }
  return next;
}

// ---- a manager's acts ----------------------------------------------------------------------

namespace {

ActionRefusal refused(ActionRefusal::Code code, std::string message) {
  return ActionRefusal{code, std::move(message), {}};
}

}  // namespace

LedgerResult Contributions::countersign(std::int64_t seq, const Actor& by, WallTime at) {
  const LedgerFold::Standing* s = fold_.standing(seq);
  if (s == nullptr)
    return refused(ActionRefusal::Code::kNotFound, "no ledger entry " + std::to_string(seq));
  if (s->kind != LedgerKind::kContribution || !s->needs_countersign) {
    return refused(ActionRefusal::Code::kConflict,
                   "entry " + std::to_string(seq) + " does not need a countersignature");
  }
  if (s->countersigned_by != 0) {
    return refused(ActionRefusal::Code::kConflict, "entry " + std::to_string(seq) +
                                                       " is already countersigned (entry " +
                                                       std::to_string(s->countersigned_by) + ")");
  }
  if (s->corrected_by != 0) {
    return refused(ActionRefusal::Code::kConflict, "entry " + std::to_string(seq) +
                                                       " was corrected (entry " +
                                                       std::to_string(s->corrected_by) + ")");
  }
  if (s->person == by.id) {
    return refused(ActionRefusal::Code::kConflict,
                   "nobody countersigns their own entry: another manager must");
  }
  std::vector<LedgerEntry> out;
  LedgerEntry e;
  e.at = at;
  e.kind = LedgerKind::kCountersign;
  e.person = s->person;
  e.why = "Countersigned entry " + std::to_string(seq);
  e.by = by;
  e.refers = seq;
  append(std::move(e), out);
  return std::move(out.front());
}

LedgerResult Contributions::correct(std::int64_t seq, const std::string& reason, const Actor& by,
                                    WallTime at) {
  const LedgerFold::Standing* s = fold_.standing(seq);
  if (s == nullptr)
    return refused(ActionRefusal::Code::kNotFound, "no ledger entry " + std::to_string(seq));
  if (s->kind == LedgerKind::kCountersign || s->kind == LedgerKind::kCorrection) {
    return refused(ActionRefusal::Code::kConflict, "entry " + std::to_string(seq) + " is a " +
                                                       std::string(ledger_kind_name(s->kind)) +
                                                       ": correct the entry it is about");
  }
  if (s->corrected_by != 0) {
    return refused(ActionRefusal::Code::kConflict, "entry " + std::to_string(seq) +
                                                       " is already corrected (entry " +
                                                       std::to_string(s->corrected_by) + ")");
  }
  if (s->kind == LedgerKind::kReward && fold_.balance(s->guest) < s->value - 1e-9) {
    return refused(ActionRefusal::Code::kConflict,
                   "the guest has already used part of this reward: their balance is " +
                       words::money(fold_.balance(s->guest)));
  }
  std::vector<LedgerEntry> out;
  LedgerEntry e;
  e.at = at;
  e.kind = LedgerKind::kCorrection;
  e.rule = s->rule;
  e.person = s->person;
  e.guest = s->guest;
  e.value = -s->value;
  e.why = reason;
  e.by = by;
  e.refers = seq;
  append(std::move(e), out);
  return std::move(out.front());
}

LedgerResult Contributions::training(const std::string& person, const std::string& what,
                                     const Actor& by, WallTime at) {
  if (!rules_.enabled) return refused(ActionRefusal::Code::kConflict, "the ledger is off");
  if (rules_.training <= 0) {
    return refused(ActionRefusal::Code::kConflict, "training earns nothing here (ledger.training)");
  }
  if (person == by.id) {
    return refused(ActionRefusal::Code::kConflict,
                   "nobody confirms their own training: another manager must");
  }
  std::vector<LedgerEntry> out;
  LedgerEntry e;
  e.at = at;
  e.kind = LedgerKind::kContribution;
  e.rule = kRuleTraining;
  e.person = person;
  e.value = rules_.training;
  e.why = "Training confirmed: " + what;
  e.evidence = {audit_of("ledger.training", person)};
  e.by = by;
  append(std::move(e), out);
  return std::move(out.front());
}

}  // namespace mend
