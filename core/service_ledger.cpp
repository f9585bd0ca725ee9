// The recovery service's side of the contribution ledger (core/contributions.hpp): what the
// till and the guests answer back (vouchers redeemed, surveys, rewards used), loyalty stamps
// for visits, and the refusals the manager settles. Its own file: service.cpp is at its size
// limit.
#include "core/service.hpp"

namespace mend {

// The till and the guests answer back: a voucher redeemed, a survey about a recovery. Either
// can show the guest was recovered, which the ledger credits to whoever recovered them.
void RecoveryService::link_recovery(const Event& e, Now now, Effects& fx) {
  std::optional<CaseChange> change;
  const Evidence ev{e.id, std::string(event_type_name(e.type)), e.ts, ""};
  if (const auto* v = e.as<VoucherRedeemed>()) {
    change = cases_.voucher_redeemed(v->voucher, ev, v->check);
    const Case* c = change ? cases_.find(change->case_id) : nullptr;
    const auto it = c == nullptr
                        ? std::vector<Voucher>::const_iterator{}
                        : std::find_if(c->vouchers.begin(), c->vouchers.end(),
                                       [&](const Voucher& x) { return x.id == v->voucher; });
    if (c != nullptr && it != c->vouchers.end()) {
      const std::string ref = guest_ref(*c);
      if (!ref.empty() && contributions_.rules().enabled) {
        if (auto no = contributions_.redeem(ref, it->value, kRuleVoucher, it->id, e.id, v->check,
                                            now.wall, fx.ledger)) {
          refuse_redemption(ref, e, it->value, *no, now, fx);
        }
      }
      contributions_.guest_recovered(*c, e.id, "their voucher was redeemed on a return visit",
                                     now.wall, fx.ledger);
    }
  } else if (const auto* sv = e.as<SurveyAnswered>(); sv != nullptr && !sv->case_id.empty()) {
    change = cases_.survey_answered(sv->case_id, sv->score, ev);
    const Case* c = change ? cases_.find(change->case_id) : nullptr;
    if (c != nullptr && sv->score >= 4) {
      contributions_.guest_recovered(
          *c, e.id, "they scored the recovery " + std::to_string(sv->score) + " of 5", now.wall,
          fx.ledger);
    }
  }
  if (change) fx.touch(change->case_id);
}

void RecoveryService::ledger_on_event(const Event& e, Now now, Effects& fx) {
  for (const VisitStarted& v : guests_.take_started_visits()) {
    contributions_.visit_started(v.ref, v.visits, e.id, now.wall, fx.ledger);
  }
  const auto* r = e.as<RewardRedeemed>();
  if (r == nullptr) return;
  const GuestRecord* g = guests_.record(r->customer.id);
  const std::string ref = g != nullptr ? g->ref : std::string();
  if (auto no = contributions_.redeem(ref, r->amount, kRuleReward, {}, e.id, r->check, now.wall,
                                      fx.ledger)) {
    refuse_redemption(ref, e, r->amount, *no, now, fx);
  }
}

// The till already gave what it gave: the refusal is for the record and for the manager, who
// settles it with the guest. The audit names the guest by the book's ref only.
void RecoveryService::refuse_redemption(const std::string& guest_ref, const Event& e, double amount,
                                        const std::string& why, Now now, Effects& fx) {
  json::Object detail;
  detail.append("event", e.id);
  detail.append("amount", amount);
  detail.append("reason", why);
  fx.audit.push_back(AuditRecord{now.wall, kSystemActor.id, kSystemActor.role, "reward.refused",
                                 guest_ref, json::Value(std::move(detail))});
}

std::string RecoveryService::guest_ref(const Case& c) const {
  const std::string id = !c.guest.id.empty() ? c.guest.id : guests_.profile_for(c.subject).id;
  const GuestRecord* g = id.empty() ? nullptr : guests_.record(id);
  return g != nullptr ? g->ref : std::string();
}

}  // namespace mend
