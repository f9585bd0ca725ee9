#include "core/policy.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/case_book.hpp"

namespace mend {

namespace {

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr int kMinutesPerDay = 24 * 60;
// Money sums like 6 + 8 must not be refused for a rounding error.
constexpr double kEpsilon = 1e-9;

constexpr std::array<std::string_view, kActionTypeCount> kActionNames{
    "apology",           "manager_visit", "comp_item",   "discount",         "voucher",
    "follow_up_message", "chase_kitchen", "send_runner", "call_maintenance", "fix_cause"};

// Roles that approve compensation, lowest first.
constexpr std::array<std::string_view, 3> kRoles{"staff", "manager", "admin"};

constexpr std::array<std::string_view, 12> kPlaceholders{"name",   "greeting", "table", "check",
                                                         "course", "device",   "kind",  "minutes",
                                                         "limit",  "party",    "venue", "value"};

std::string with_article(std::string_view role) {
  const bool vowel = !role.empty() && std::string_view("aeiou").find(role[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + std::string(role);
}

// The lowest role whose per-case limit covers `amount`.
std::optional<std::string> lowest_role_covering(const std::map<std::string, double>& limits,
                                                double amount) {
  for (const auto role : kRoles) {
    auto it = limits.find(std::string(role));
    if (it != limits.end() && amount <= it->second + kEpsilon) return std::string(role);
  }
  return std::nullopt;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}

// "180", or "7.50" when there are cents.
std::string money(double v) {
  char buf[48];
  if (std::abs(v - std::round(v)) < 0.005 && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

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

// "14 minutes", "2 hours 5 minutes", "less than a minute".
std::string span_words(Millis d) {
  const std::int64_t m = std::max<std::int64_t>(0, d.count() / kMsPerMinute);
  if (m < 1) return "less than a minute";
  if (m < 120) return plural(m, "minute", "minutes");
  const std::int64_t rest = m % 60;
  return plural(m / 60, "hour", "hours") +
         (rest == 0 ? "" : " " + plural(rest, "minute", "minutes"));
}

// A threshold as the explanation shows it: minutes bare ("10"), longer ones in words.
std::string limit_words(Millis t) {
  if (t.count() % kMsPerMinute != 0) return format_duration(t);
  const std::int64_t m = t.count() / kMsPerMinute;
  return m < 120 ? std::to_string(m) : span_words(t);
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
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
  }
  return "a problem";
}

// The failure in the plural, for {kind} and for pattern.recurring.
std::string_view failures_words(CaseKind k) {
  switch (k) {
    case CaseKind::kTableNoOrder: return "tables waiting to order";
    case CaseKind::kCourseSlow: return "slow courses";
    case CaseKind::kBillSlow: return "slow bills";
    case CaseKind::kCallUnanswered: return "unanswered calls";
    case CaseKind::kArrivalUnseated: return "guests waiting to be seated";
    case CaseKind::kEnquiryUnanswered: return "unanswered enquiries";
    case CaseKind::kTemperatureOutOfRange: return "cold stores out of range";
    case CaseKind::kDeviceOffline: return "devices offline";
    case CaseKind::kReviewNegative: return "bad reviews";
    case CaseKind::kVoidsRepeated: return "repeated voids";
    case CaseKind::kPatternRecurring: return "recurring problems";
  }
  return "problems";
}

std::string recurring_words(const Subject& s) {
  auto k = case_kind_from_name(s.kind);
  return k ? std::string(failures_words(*k)) : s.kind;
}

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

struct Wait {
  WallTime from;
  Millis lasted{0};
  std::string ended;  // what ended it, "" while it goes on
  WallTime ended_at;
};

// A wait is over when the case's latest evidence ends it; a later breach reopens it.
Wait wait_of(const Case& c, WallTime now) {
  Wait w;
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
// for the span; the ended form adds what ended it ("Order taken at 19:46.").
std::string wait_sentence(const Case& c, const Wait& w, const std::string& head,
                          std::string_view going, std::string_view done, Millis utc_offset,
                          WallTime now) {
  const std::string_view phrase = w.ended.empty() ? going : done;
  std::string out = head + " and ";
  const auto pct = phrase.find('%');
  out += std::string(phrase.substr(0, pct));
  if (pct != std::string_view::npos)
    out += span_words(w.lasted) + std::string(phrase.substr(pct + 1));
  if (c.facts.threshold > Millis{0}) out += " (limit " + limit_words(c.facts.threshold) + ")";
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
  const Wait w = wait_of(c, now);
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
                        (n > 0 ? plural(n, "item", "items") : std::string("several items")) +
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
      out += n > 0 ? " happened " + plural(n, "time", "times") + " since " + at
                   : std::string(" keep happening");
      if (n > 0 && c.facts.threshold > Millis{0}) {
        out += ", within " + span_words(c.facts.threshold);
      }
      return out + ".";
    }
  }
  return c.reason;
}

std::string facts_sentence(const CaseFacts& f) {
  if (f.party > 0 && f.value > 0) {
    return "Party of " + std::to_string(f.party) + ", booking value " + money(f.value) + ".";
  }
  if (f.party > 0) return "Party of " + std::to_string(f.party) + ".";
  if (f.value > 0) return "Booking value " + money(f.value) + ".";
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
  out += g.visits <= 0 ? std::string(", first visit") : ", " + plural(g.visits, "visit", "visits");
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
      out += money(value);
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

// ---- shifts --------------------------------------------------------------------------------

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

bool bad_amount(double v) { return !std::isfinite(v) || v < 0; }

std::string rule_label(std::size_t i, const PolicyRule& r) {
  return "rule " + std::to_string(i + 1) + " (" + std::string(case_kind_name(r.kind)) + ", " +
         std::string(severity_name(r.min_severity)) + ", " +
         (r.tier ? std::string(guest_tier_name(*r.tier)) : std::string("any tier")) + ")";
}

}  // namespace

// ---- actions -------------------------------------------------------------------------------

std::string_view action_type_name(ActionType t) {
  const auto i = static_cast<std::size_t>(t);
  return i < kActionNames.size() ? kActionNames[i] : std::string_view("fix_cause");
}

std::optional<ActionType> action_type_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kActionNames.size(); ++i) {
    if (kActionNames[i] == name) return static_cast<ActionType>(i);
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

// ---- the day-one policy ----------------------------------------------------------------------

PolicyConfig PolicyConfig::defaults() {
  using A = ActionType;
  using S = Severity;
  using T = GuestTier;
  PolicyConfig p;
  const auto add = [&p](CaseKind kind, S min, std::optional<T> tier,
                        std::vector<ActionTemplate> actions, std::string approval = {}) {
    p.rules.push_back(PolicyRule{kind, min, tier, std::move(actions), std::move(approval)});
  };
  const auto act = [](A type, std::string text, double value = 0) {
    return ActionTemplate{type, value, std::move(text)};
  };

  {  // table.no_order: get the order in; a drink and the manager as it gets worse or matters more
    const auto take = act(A::kFixCause, "Send a server to {table} now to take the order.");
    const auto sorry = act(A::kApology,
                           "Apologise to {name} for the {minutes}-minute wait: \"I'm so sorry to "
                           "keep you waiting. What can I get you?\"");
    const auto drink = act(A::kCompItem,
                           "Offer {name} a drink on the house (up to {value}): \"Your first "
                           "drink is on us while you choose.\"",
                           6);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to visit {table}, apologise to {name} in "
                             "person and make sure the order is in.");
    const CaseKind k = CaseKind::kTableNoOrder;
    add(k, S::kLow, std::nullopt, {take, sorry});
    add(k, S::kHigh, std::nullopt, {take, sorry, drink});
    add(k, S::kCritical, std::nullopt, {take, manager, drink});
    add(k, S::kLow, T::kRegular, {take, sorry, drink});
    add(k, S::kCritical, T::kRegular, {take, manager, drink});
    add(k, S::kLow, T::kVip, {take, manager, drink});
  }
  {  // course.slow: chase first; dessert when high, manager and a capped 20% off when critical
    const auto chase = act(A::kChaseKitchen,
                           "Chase the kitchen for the {course} for {table}: fired {minutes} "
                           "minutes ago (limit {limit}). Ask the pass for a time.");
    const auto sorry = act(A::kApology,
                           "Tell {name} at {table} when the {course} will arrive and apologise: "
                           "\"I'm sorry this is taking so long. I've checked with the kitchen "
                           "and it will be with you in a few minutes.\"");
    const auto dessert = act(A::kCompItem,
                             "Offer {name} a dessert on the house (up to {value}): \"Please let "
                             "us treat you to dessert tonight.\"",
                             8);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to visit {name} at {table}, apologise for "
                             "the wait and check the {course} is right when it arrives.");
    const auto discount = act(A::kDiscount,
                              "Take 20% off the bill for {table}, up to {value}, and tell {name} "
                              "before the bill comes.",
                              25);
    const CaseKind k = CaseKind::kCourseSlow;
    add(k, S::kLow, std::nullopt, {chase, sorry});
    add(k, S::kHigh, std::nullopt, {chase, sorry, dessert});
    add(k, S::kCritical, std::nullopt, {chase, manager, discount});
    // A VIP sees the manager whatever the severity.
    add(k, S::kLow, T::kVip, {chase, manager});
    add(k, S::kHigh, T::kVip, {chase, manager, dessert});
    add(k, S::kCritical, T::kVip, {chase, manager, discount});
  }
  {  // bill.slow
    const auto runner = act(A::kSendRunner,
                            "Send a runner to {table} with the bill now: they asked {minutes} "
                            "minutes ago.");
    const auto sorry = act(A::kApology,
                           "Apologise to {name} for the wait: \"Sorry to keep you waiting for "
                           "the bill, here it is.\"");
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to take the bill to {table} and apologise "
                             "to {name} for the wait.");
    const CaseKind k = CaseKind::kBillSlow;
    add(k, S::kLow, std::nullopt, {runner});
    add(k, S::kHigh, std::nullopt, {runner, sorry});
    add(k, S::kCritical, std::nullopt, {runner, manager});
    add(k, S::kLow, T::kVip, {runner, sorry});
    add(k, S::kHigh, T::kVip, {runner, manager});
  }
  {  // call.unanswered
    const auto runner = act(A::kSendRunner,
                            "Send someone to {table} now: they pressed the call button {minutes} "
                            "minutes ago.");
    const auto sorry =
        act(A::kApology, "Apologise to {name}: \"Sorry to keep you waiting. How can I help?\"");
    const CaseKind k = CaseKind::kCallUnanswered;
    add(k, S::kLow, std::nullopt, {runner});
    add(k, S::kHigh, std::nullopt, {runner, sorry});
    add(k, S::kLow, T::kVip, {runner, sorry});
  }
  {  // arrival.unseated
    const auto seat =
        act(A::kFixCause, "Seat {name} now, or tell them honestly how long the table will be.");
    const auto sorry =
        act(A::kApology, "Apologise to {name} for the {minutes}-minute wait at the door.");
    const auto drink = act(A::kCompItem,
                           "Offer {name} a drink on the house while they wait (up to {value}): "
                           "\"Can I get you something from the bar while we get your table "
                           "ready? It's on us.\"",
                           5);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to greet {name} at the door and apologise "
                             "for the wait.");
    const CaseKind k = CaseKind::kArrivalUnseated;
    add(k, S::kLow, std::nullopt, {seat, sorry});
    add(k, S::kHigh, std::nullopt, {seat, sorry, drink});
    add(k, S::kCritical, std::nullopt, {seat, manager, drink});
    add(k, S::kLow, T::kVip, {seat, manager});
    add(k, S::kHigh, T::kVip, {seat, manager, drink});
  }
  add(CaseKind::kEnquiryUnanswered, S::kLow, std::nullopt,
      {act(A::kFollowUpMessage,
           "Reply now. Draft: \"{greeting} thank you for getting in touch with {venue}, and I'm "
           "sorry it has taken us so long to reply. [Your answer.] If there is anything else, "
           "just reply to this message.\"")});
  {  // temperature.out_of_range: staff only, nothing to say to a guest
    const auto check = act(A::kFixCause,
                           "Check {device}: is the door shut and the fan clear? Move anything at "
                           "risk to another cold store and log the temperature.");
    const auto maintenance = act(A::kCallMaintenance,
                                 "Call maintenance about {device}: out of range for {minutes} "
                                 "minutes (limit {limit}).");
    add(CaseKind::kTemperatureOutOfRange, S::kLow, std::nullopt, {check});
    add(CaseKind::kTemperatureOutOfRange, S::kHigh, std::nullopt, {check, maintenance});
  }
  {  // device.offline
    const auto check = act(A::kFixCause, "Check that {device} has power and is in Wi-Fi range.");
    const auto maintenance = act(A::kCallMaintenance,
                                 "Call maintenance if {device} does not come back: silent for "
                                 "{minutes} minutes.");
    add(CaseKind::kDeviceOffline, S::kLow, std::nullopt, {check});
    add(CaseKind::kDeviceOffline, S::kHigh, std::nullopt, {check, maintenance});
  }
  {  // review.negative: a public reply speaks for the venue, so a manager signs it
    const auto reply = act(A::kFollowUpMessage,
                           "Reply to the review as the manager. Draft: \"{greeting} thank you for "
                           "telling us about your visit to {venue}, and I'm sorry we let you "
                           "down. I'd like to hear more and put it right: please reply to this "
                           "message, or ask for me next time you are in.\"");
    const auto reply_back = act(A::kFollowUpMessage,
                                "Reply to the review as the manager. Draft: \"{greeting} thank "
                                "you for telling us about your visit to {venue}, and I'm sorry "
                                "we let you down, especially as you have been with us before. "
                                "We would love to welcome you back: a voucher for your next "
                                "visit comes with this message.\"");
    const auto voucher =
        act(A::kVoucher, "Send {name} a voucher for {value} off their next visit to {venue}.", 20);
    const CaseKind k = CaseKind::kReviewNegative;
    add(k, S::kLow, std::nullopt, {reply}, "manager");
    for (const T t : {T::kReturning, T::kRegular, T::kVip}) {
      add(k, S::kLow, t, {reply_back, voucher}, "manager");
    }
  }
  add(CaseKind::kVoidsRepeated, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "A manager should look at {check} on {table}: several items were voided. Find out "
           "why (wrong orders, the till, the kitchen) before it happens again.")});
  add(CaseKind::kPatternRecurring, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "This keeps happening ({kind}): look at staffing, sections and the kitchen's timing, "
           "and talk it through at the next briefing.")});
  return p;
}

std::vector<std::string> PolicyConfig::validate() const {
  std::vector<std::string> problems;
  for (const auto& [role, limit] : per_case_limit) {
    if (role_rank(role) < 0) {
      problems.push_back("per_case_limit names unknown role '" + role +
                         "' (roles are staff, manager, admin)");
    }
    if (bad_amount(limit)) problems.push_back("per_case_limit for " + role + " is not 0 or more");
  }
  const std::map<std::string, double>::const_iterator none = per_case_limit.end();
  std::map<std::string, double>::const_iterator below = none;
  for (const auto role : kRoles) {
    auto it = per_case_limit.find(std::string(role));
    if (it == none) {
      problems.push_back("per_case_limit has no limit for " + std::string(role));
      continue;
    }
    if (below != none && it->second < below->second) {
      problems.push_back("per_case_limit for " + it->first + " (" + money(it->second) +
                         ") is below " + below->first + " (" + money(below->second) +
                         "): limits rise from staff to manager to admin");
    }
    below = it;
  }
  if (bad_amount(shift_budget)) problems.emplace_back("shift_budget is not 0 or more");
  if (bad_amount(auto_budget)) problems.emplace_back("auto_budget is not 0 or more");
  if (!bad_amount(shift_budget) && !bad_amount(auto_budget) && auto_budget > shift_budget) {
    problems.push_back("auto_budget (" + money(auto_budget) + ") is more than shift_budget (" +
                       money(shift_budget) + ")");
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
    if (!r.min_approval.empty() && role_rank(r.min_approval) < 0) {
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
    int rank =
        role_rank(lowest_role_covering(p.per_case_limit, plan.compensation).value_or("admin"));
    rank = std::max({rank, 0, role_rank(best->min_approval)});
    plan.needs_approval_by = std::string(kRoles[static_cast<std::size_t>(rank)]);
  }
  return plan;
}

Recommendation to_recommendation(const Plan& plan) {
  return Recommendation{plan.action, plan.text, plan.needs_approval_by};
}

std::string explain(const Case& c, const GuestProfile& g, Millis utc_offset, WallTime now) {
  return join({first_sentence(c, utc_offset, now), facts_sentence(c.facts), guest_sentence(g, now)},
              " ");
}

// ---- the ledger ----------------------------------------------------------------------------

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
  if (role_rank(role) < 0 || it == limits_.end()) {
    v.allowed = false;
    v.reason = "the role " + (role.empty() ? std::string("(none)") : role) +
               " may not approve compensation" +
               (route ? ": " + with_article(*route) + " can approve it" : std::string());
    v.route_to = route.value_or("");
    return v;
  }
  if (amount > it->second + kEpsilon) {
    v.allowed = false;
    v.reason = "over the " + role + " limit of " + money(it->second) + " per case: " +
               (route ? with_article(*route) + " can approve it" : std::string("no role can"));
    v.route_to = route.value_or("");
    return v;
  }
  if (amount <= 0) return v;
  const Status s = status(now, utc_offset);
  // The highest role answers for the venue's money: it may go past the shift budget.
  const std::string top(kRoles.back());
  if (amount > s.remaining + kEpsilon && role != top) {
    v.allowed = false;
    const auto top_limit = limits_.find(top);
    const bool top_may = top_limit != limits_.end() && amount <= top_limit->second + kEpsilon;
    v.reason = "the shift budget has " + money(s.remaining) + " left of " + money(s.budget) +
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
  if (!plan.needs_approval_by.empty() && plan.needs_approval_by != kRoles.front()) return false;
  const ShiftLedger::Status s = ledger.status(now, utc_offset);
  if (plan.compensation > p.auto_budget - s.auto_spent + kEpsilon) return false;
  if (plan.compensation > s.remaining + kEpsilon) return false;
  plan.automatic = true;
  return true;
}

int role_rank(std::string_view role) {
  for (std::size_t i = 0; i < kRoles.size(); ++i) {
    if (kRoles[i] == role) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace mend
