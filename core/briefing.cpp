#include "core/briefing.hpp"

#include <algorithm>

#include "core/policy.hpp"

namespace mend {
namespace {

std::string local_hhmm(WallTime t, Millis utc_offset) {
  const std::int64_t ms = to_ms(t) + utc_offset.count();
  constexpr std::int64_t kMinutesPerDay = std::int64_t{24} * 60;
  const std::int64_t minutes =
      (floor_div(ms, 60'000) % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay;
  const auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  return two(minutes / 60) + ":" + two(minutes % 60);
}

}  // namespace

Briefing make_briefing(const GuestBook& book, WallTime from, WallTime to) {
  Briefing out{from, to, {}};
  for (const GuestBook::BookingView& b : book.bookings_between(from, to)) {
    const GuestRecord* r = book.record(b.customer);
    if (r == nullptr) continue;
    const GuestProfile p = book.find(b.customer).value_or(GuestProfile{});
    BriefingEntry e;
    e.booking = b.booking;
    e.at = b.at;
    e.party = b.party;
    e.customer = r->id;
    e.name = r->name;
    e.tier = p.tier;
    e.preferences = r->preferences;
    for (const DietaryNote& d : r->dietary) {
      if (d.basis == HealthBasis::kConsent || d.booking == b.booking) e.dietary.push_back(d);
    }
    for (const Occasion& o : r->occasions) {
      if (o.booking == b.booking) e.occasions.push_back(o.kind);
    }
    e.last_visit = p.last_visit;
    e.last_visit_issues = p.last_visit_failures;
    e.last_visit_recovery = p.last_visit_recovery;
    e.notes = r->notes.size();
    if (p.tier == GuestTier::kVip) e.why.emplace_back("vip");
    if (p.tier == GuestTier::kRegular) e.why.emplace_back("regular");
    if (!e.dietary.empty()) e.why.emplace_back("dietary");
    if (!e.occasions.empty()) e.why.emplace_back("occasion");
    if (!e.last_visit_issues.empty()) e.why.emplace_back("last_visit");
    if (e.why.empty()) continue;
    out.entries.push_back(std::move(e));
  }
  return out;
}

json::Value briefing_json(const Briefing& b, std::string_view shift, std::string summary,
                          bool briefed) {
  json::Object o;
  o.append("shift", shift);
  o.append("from", format_rfc3339(b.from));
  o.append("to", format_rfc3339(b.to));
  o.append("summary", std::move(summary));
  o.append("briefed", briefed);
  json::Array entries;
  for (const BriefingEntry& e : b.entries) {
    json::Object x;
    x.append("booking", e.booking);
    x.append("at", format_rfc3339(e.at));
    x.append("party", e.party);
    x.append("customer", e.customer);
    x.append("name", e.name);
    x.append("tier", guest_tier_name(e.tier));
    x.append("preferences", json::strings(e.preferences));
    json::Array dietary;
    for (const DietaryNote& d : e.dietary) {
      json::Object dj;
      dj.append("text", d.text);
      dj.append("basis", health_basis_name(d.basis));
      dietary.emplace_back(std::move(dj));
    }
    x.append("dietary", std::move(dietary));
    x.append("occasions", json::strings(e.occasions));
    x.append("last_visit",
             e.last_visit ? json::Value(format_rfc3339(*e.last_visit)) : json::Value());
    x.append("last_visit_issues", case_kinds_json(e.last_visit_issues));
    x.append("last_visit_recovery", json::strings(e.last_visit_recovery));
    x.append("notes", static_cast<std::int64_t>(e.notes));
    x.append("why", json::strings(e.why));
    entries.emplace_back(std::move(x));
  }
  o.append("entries", std::move(entries));
  return o;
}

std::string briefing_summary(const Briefing& b, Millis utc_offset) {
  const std::size_t n = b.entries.size();
  std::string s = std::to_string(n) + (n == 1 ? " booking" : " bookings") +
                  " to know for the shift from " + local_hhmm(b.from, utc_offset);
  if (n == 0) return s + ".";
  s += ":";
  for (std::size_t i = 0; i < n && i < 5; ++i) {
    const BriefingEntry& e = b.entries[i];
    std::vector<std::string> what;
    if (e.tier == GuestTier::kVip) what.emplace_back("VIP");
    if (e.tier == GuestTier::kRegular) what.emplace_back("regular");
    for (const DietaryNote& d : e.dietary) what.push_back(d.text);
    for (const auto& o : e.occasions) what.push_back(o);
    if (!e.last_visit_issues.empty()) {
      what.push_back("last visit: " + std::string(failure_words(e.last_visit_issues.front())));
    }
    std::string joined;
    for (const auto& w : what) joined += (joined.empty() ? "" : ", ") + w;
    s += std::string(i == 0 ? " " : "; ") + (e.name.empty() ? e.customer : e.name) + " (" + joined +
         ") at " + local_hhmm(e.at, utc_offset);
  }
  if (n > 5) s += "; and " + std::to_string(n - 5) + " more";
  return s + ".";
}

}  // namespace mend
