// Why a case was flagged, in plain words (explain): one first sentence per kind, then the
// party and the guest.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "core/policy_internal.hpp"
#include "core/words.hpp"

namespace mend {

using namespace policy_detail;

namespace {

// "19:32" on now's local day, "19:32 yesterday", else "19:32 on 21 Nov".
std::string clock_at(WallTime t, Millis utc_offset, WallTime now) {
  const std::int64_t local = to_ms(t) + utc_offset.count();
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t in_day = local - day * kMsPerDay;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(in_day / kMsPerHour),
                static_cast<long long>((in_day % kMsPerHour) / kMsPerMinute));
  std::string out = buf;
  const std::int64_t today = floor_div(to_ms(now) + utc_offset.count(), kMsPerDay);
  if (day == today) return out;
  if (day == today - 1) return out + " yesterday";
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  out += " on " + std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]);
  const std::chrono::year_month_day this_day{std::chrono::sys_days{std::chrono::days{today}}};
  if (ymd.year() != this_day.year()) out += " " + std::to_string(static_cast<int>(ymd.year()));
  return out;
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// "a", "a and b", "a, b and c".
std::string join_and(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

}  // namespace

// What a past failure was, as "last visit had ...".
std::string_view failure_words(CaseKind k) {
  switch (k) {
    case CaseKind::kTableNoOrder: return "a long wait to order";
    case CaseKind::kCourseSlow: return "a slow course";
    case CaseKind::kBillSlow: return "a slow bill";
    case CaseKind::kCallUnanswered: return "an unanswered call";
    case CaseKind::kArrivalUnseated: return "a wait to be seated";
    case CaseKind::kEnquiryUnanswered: return "an unanswered enquiry";
    case CaseKind::kTemperatureOutOfRange: return "a cold store out of range";
    case CaseKind::kDeviceOffline: return "a device offline";
    case CaseKind::kReviewNegative: return "a bad review";
    case CaseKind::kVoidsRepeated: return "several voided items";
    case CaseKind::kPatternRecurring: return "a recurring problem";
    case CaseKind::kStoreUnwritable: return "the box's disk full";
    case CaseKind::kStoreLowSpace: return "the box's disk running low";
    case CaseKind::kCloudOutboxFull: return "the cloud link's outbox full";
    case CaseKind::kGuestComplaint: return "a complaint";
    case CaseKind::kGuestEnquiry: return "an enquiry";
    case CaseKind::kGuestOther: return "a report";
    case CaseKind::kSourceSilent: return "a silent source";
    case CaseKind::kSourceClockSkew: return "a source's clock wrong";
    case CaseKind::kGuestLapsed: return "a regular staying away";
  }
  return "a problem";
}

namespace {

// ---- the wait a case is about ------------------------------------------------------------

// The notes the engine writes on the evidence that ends a wait ("Order taken after 14m").
constexpr std::array<std::string_view, 8> kEndPhrases{"Order taken",   "Served",   "Paid",
                                                      "Seated",        "Answered", "Back in range",
                                                      "Table cleared", "Cancelled"};

// What ended the wait, in words ("Order taken"), or "" when the note is not an ending.
std::string end_words(const Evidence& e) {
  const std::string_view note = e.note;
  if (note.ends_with("is back online.")) return "Back online";
  const auto after = note.find(" after ");
  if (after == std::string_view::npos) return {};
  for (const auto phrase : kEndPhrases) {
    if (note.starts_with(phrase)) return std::string(note.substr(0, after));
  }
  return {};
}

}  // namespace

namespace policy_detail {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string recurring_words(const Subject& s) {
  auto k = case_kind_from_name(s.kind);
  return k ? std::string(failures_words(*k)) : s.kind;
}

// A wait is over when the case's latest evidence ends it; a later breach reopens it.
CaseWait wait_of(const Case& c, WallTime now) {
  CaseWait w;
  if (to_ms(c.facts.started) != 0) {
    w.from = c.facts.started;
  } else if (!c.evidence.empty()) {
    w.from = c.evidence.front().ts;
  } else {
    w.from = c.opened_at;
  }
  WallTime until = now;
  if (c.evidence.size() > 1) {
    w.ended = end_words(c.evidence.back());
    if (!w.ended.empty()) {
      w.ended_at = c.evidence.back().ts;
      until = w.ended_at;
    }
  }
  w.lasted = std::max(Millis{0}, until - w.from);
  return w;
}

// "<head> and has not ordered for 14 minutes (limit 10)." with `%` in the phrases standing

}  // namespace policy_detail

namespace {

// for the span; the ended form adds what ended it ("Order taken at 19:46.").
std::string wait_sentence(const Case& c, const CaseWait& w, const std::string& head,
                          std::string_view going, std::string_view done, Millis utc_offset,
                          WallTime now) {
  const std::string_view phrase = w.ended.empty() ? going : done;
  std::string out = head + " and ";
  const auto pct = phrase.find('%');
  out += std::string(phrase.substr(0, pct));
  if (pct != std::string_view::npos)
    out += words::duration(w.lasted) + std::string(phrase.substr(pct + 1));
  if (c.facts.threshold > Millis{0}) out += " (limit " + words::limit(c.facts.threshold) + ")";
  out += ".";
  if (!w.ended.empty()) out += " " + w.ended + " at " + clock_at(w.ended_at, utc_offset, now) + ".";
  return out;
}

std::string table_paren(const Subject& s) {
  return s.table.empty() ? "" : " (table " + s.table + ")";
}
std::string device_words(const Subject& s) {
  return (s.device.empty() ? std::string("A device") : "Device " + s.device) +
         (s.area.empty() ? "" : " (" + s.area + ")");
}

// The review's rating, source and words, from the reason the engine wrote:
// A 2-star review on google: "Cold food"
struct ReviewFacts {
  std::string rating;
  std::string source;
  std::string quote;
};
ReviewFacts review_facts(std::string_view reason) {
  ReviewFacts f;
  const auto star = reason.find("-star review");
  if (star == std::string_view::npos) return f;
  auto digits = star;
  while (digits > 0 && reason[digits - 1] >= '0' && reason[digits - 1] <= '9') --digits;
  f.rating = std::string(reason.substr(digits, star - digits));
  std::string_view rest = reason.substr(star + std::string_view("-star review").size());
  if (rest.starts_with(" on ")) {
    rest.remove_prefix(4);
    const auto colon = rest.find(": \"");
    f.source = std::string(rest.substr(0, colon));
    if (!f.source.empty() && f.source.back() == '.') f.source.pop_back();
    if (colon != std::string_view::npos) {
      std::string_view q = rest.substr(colon + 3);
      if (!q.empty() && q.back() == '"') q.remove_suffix(1);
      f.quote = std::string(q);
    }
  }
  return f;
}

std::string first_sentence(const Case& c, Millis utc_offset, WallTime now) {
  const Subject& s = c.subject;
  const CaseWait w = wait_of(c, now);
  const std::string at = clock_at(w.from, utc_offset, now);
  switch (c.kind) {
    case CaseKind::kTableNoOrder:
      return wait_sentence(c, w,
                           (s.table.empty() ? std::string("The table") : "Table " + s.table) +
                               " was seated at " + at,
                           "has not ordered for %", "waited % to order", utc_offset, now);
    case CaseKind::kCourseSlow:
      return wait_sentence(c, w,
                           "The " + (s.course.empty() ? std::string("course") : s.course) +
                               " for " +
                               (s.check.empty() ? std::string("a check") : "check " + s.check) +
                               table_paren(s) + " was fired at " + at,
                           "has not been served for %", "waited % to be served", utc_offset, now);
    case CaseKind::kBillSlow:
      return wait_sentence(
          c, w,
          (s.table.empty() ? (s.check.empty() ? std::string("A check") : "Check " + s.check)
                           : "Table " + s.table) +
              " asked for the bill at " + at,
          "has been waiting for %", "waited %", utc_offset, now);
    case CaseKind::kCallUnanswered:
      return wait_sentence(c, w,
                           "The call button at " +
                               (s.table.empty() ? std::string("a table") : "table " + s.table) +
                               " was pressed at " + at,
                           "has had no answer for %", "waited % for an answer", utc_offset, now);
    case CaseKind::kArrivalUnseated:
      return wait_sentence(c, w,
                           (s.booking.empty() ? std::string("A walk-in") : "Booking " + s.booking) +
                               " arrived at " + at,
                           "has not been seated for %", "waited % to be seated", utc_offset, now);
    case CaseKind::kEnquiryUnanswered:
      return wait_sentence(
          c, w,
          (s.enquiry.empty() ? std::string("An enquiry") : "Enquiry " + s.enquiry) +
              " came in at " + at,
          "has had no answer for %", "waited % for an answer", utc_offset, now);
    case CaseKind::kTemperatureOutOfRange: {
      // The reading that started the wait: the engine notes it on the temperature event.
      std::string reading;
      for (const auto& e : c.evidence) {
        if (e.type == "temperature" && !e.note.empty() && end_words(e).empty()) {
          reading = e.note;
          break;
        }
      }
      const std::string head =
          device_words(s) +
          (reading.empty() ? " went out of range at " : " read " + reading + " at ") + at;
      return wait_sentence(c, w, head, "has been out of range for %", "was out of range for %",
                           utc_offset, now);
    }
    case CaseKind::kDeviceOffline: {
      const Evidence* first = c.evidence.empty() ? nullptr : &c.evidence.front();
      const std::string device = device_words(s);
      if (first != nullptr && first->type == "mendd.started") {
        return wait_sentence(c, w, device + " has sent nothing since Mend started at " + at,
                             "has been silent for %", "was silent for %", utc_offset, now);
      }
      if (first != nullptr && first->note == "last message") {
        return wait_sentence(c, w, device + " last sent a message at " + at,
                             "has been silent for %", "was silent for %", utc_offset, now);
      }
      return wait_sentence(c, w, device + " reported offline at " + at, "has been offline for %",
                           "was offline for %", utc_offset, now);
    }
    case CaseKind::kReviewNegative: {
      const ReviewFacts f = review_facts(c.reason);
      std::string out =
          f.rating.empty() ? std::string("A review") : "A " + f.rating + "-star review";
      if (!f.source.empty()) out += " on " + f.source;
      if (!s.review.empty()) out += " (" + s.review + ")";
      out += " came in at " + at;
      if (!f.quote.empty()) out += ": \"" + f.quote + "\"";
      return out + ".";
    }
    case CaseKind::kVoidsRepeated: {
      std::vector<std::string> items;
      std::optional<WallTime> since;
      for (const auto& e : c.evidence) {
        if (e.type != "item.voided") continue;
        if (!since) since = e.ts;
        items.push_back(e.note);
      }
      const auto n = static_cast<std::int64_t>(items.size());
      std::string out = (s.check.empty() ? std::string("A check") : "Check " + s.check) +
                        table_paren(s) + " has had " +
                        (n > 0 ? words::plural(n, "item", "items") : std::string("several items")) +
                        " voided";
      if (since) out += " since " + clock_at(*since, utc_offset, now);
      const std::string listed = join(items, "; ");
      return out + (listed.empty() ? "" : ": " + listed) + ".";
    }
    case CaseKind::kPatternRecurring: {
      std::int64_t n = 0;
      for (const auto& e : c.evidence) n += e.type == "case" ? 1 : 0;
      std::string out = capitalised(recurring_words(s));
      if (!s.course.empty()) out += " (" + s.course + ")";
      if (!s.area.empty()) out += " in " + s.area;
      // The evidence lists the cases that make the pattern; without it, say so plainly.
      out += n > 0 ? " happened " + words::plural(n, "time", "times") + " since " + at
                   : std::string(" keep happening");
      if (n > 0 && c.facts.threshold > Millis{0}) {
        out += ", within " + words::duration(c.facts.threshold);
      }
      return out + ".";
    }
    // The box's own health: the daemon measured it and said what it found in the reason; a
    // person's report says it in the reporter's words.
    case CaseKind::kStoreUnwritable:
    case CaseKind::kStoreLowSpace:
    case CaseKind::kCloudOutboxFull:
    case CaseKind::kSourceSilent:
    case CaseKind::kSourceClockSkew:
    case CaseKind::kGuestComplaint:
    case CaseKind::kGuestEnquiry:
    case CaseKind::kGuestOther:
    case CaseKind::kGuestLapsed: return c.reason;
  }
  return c.reason;
}

std::string facts_sentence(const CaseFacts& f) {
  if (f.party > 0 && f.value > 0) {
    return "Party of " + std::to_string(f.party) + ", booking value " + words::money(f.value) + ".";
  }
  if (f.party > 0) return "Party of " + std::to_string(f.party) + ".";
  if (f.value > 0) return "Booking value " + words::money(f.value) + ".";
  return {};
}

std::string_view tier_words(GuestTier t) {
  switch (t) {
    case GuestTier::kNew: return "New guest";
    case GuestTier::kReturning: return "Returning guest";
    case GuestTier::kRegular: return "Regular guest";
    case GuestTier::kVip: return "VIP guest";
  }
  return "Guest";
}

std::string guest_sentence(const GuestProfile& g, WallTime now) {
  if (g.id.empty()) return {};
  std::string out(tier_words(g.tier));
  out += g.visits <= 0 ? std::string(", first visit")
                       : ", " + words::plural(g.visits, "visit", "visits");
  if (!g.last_visit_failures.empty()) {
    std::vector<std::string> had;
    for (const auto k : g.last_visit_failures) {
      std::string w(failure_words(k));
      if (std::find(had.begin(), had.end(), w) == had.end()) had.push_back(std::move(w));
    }
    out += "; last visit had " + join_and(had);
  } else if (g.last_visit) {
    const std::int64_t days = std::max<std::int64_t>(0, (now - *g.last_visit).count() / kMsPerDay);
    out += days == 0   ? std::string("; last visit earlier today")
           : days == 1 ? std::string("; last visit yesterday")
                       : "; last visit " + std::to_string(days) + " days ago";
  }
  return out + ".";
}

}  // namespace

std::string explain(const Case& c, const GuestProfile& g, Millis utc_offset, WallTime now) {
  return join({first_sentence(c, utc_offset, now), facts_sentence(c.facts), guest_sentence(g, now)},
              " ");
}

}  // namespace mend
