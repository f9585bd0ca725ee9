#include "core/insights.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/words.hpp"

namespace mend {
namespace {

constexpr std::array<std::string_view, 7> kDayNames{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                    "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 7> kDayIds{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// "when": a failure is concentrated in time once this many of its cases (and this share of
// them) fall in at most two weekdays and two hours.
constexpr int kWhenMinimumCases = 5;
constexpr int kWhenMinimumInWindow = 4;
constexpr double kWhenShare = 0.6;
// "where": the same failure at one place in this many different weeks.
constexpr int kWhereWeeks = 3;
// "rework": people changed or rejected at least half of this many judged recommendations.
constexpr int kReworkMinimumJudged = 5;
// "waiting": one case in ten waited longer than this for a person, over this many cases.
constexpr Millis kWaitingLimit = std::chrono::minutes(10);
constexpr int kWaitingMinimumCases = 10;

// The venue's local calendar at a wall time.
struct Local {
  int hour = 0;
  int weekday = 0;        // Monday 0
  std::int64_t week = 0;  // weeks since the epoch's Monday
};

Local local_at(WallTime t, const UtcOffsetAt& utc_offset) {
  const std::int64_t ms = to_ms(t) + (utc_offset ? utc_offset(t).count() : 0);
  const std::int64_t day = floor_div(ms, kMsPerDay);
  Local l;
  l.hour = static_cast<int>(floor_div(ms, kMsPerHour) - day * 24);
  // 1970-01-01 was a Thursday (3, Monday first).
  l.weekday = static_cast<int>(day + 3 - floor_div(day + 3, 7) * 7);
  l.week = floor_div(day + 3, 7);
  return l;
}

// Failures of the box itself and the Analyst's own pattern cases say nothing about service.
bool about_service(CaseKind k) {
  return k != CaseKind::kStoreUnwritable && k != CaseKind::kStoreLowSpace &&
         k != CaseKind::kCloudOutboxFull && k != CaseKind::kPatternRecurring &&
         k != CaseKind::kSourceSilent && k != CaseKind::kSourceClockSkew;
}

bool wanted(const Case& c, const InsightsQuery& q) {
  if (q.kind && c.kind != *q.kind) return false;
  if (q.employee && employee_of(c.kind) != *q.employee) return false;
  return q.area.empty() || c.subject.area == q.area;
}

// The failure in the plural, with the course for slow courses ("slow mains").
std::string noun(CaseKind k, const std::string& course) {
  if (k == CaseKind::kCourseSlow && !course.empty()) {
    return "slow " + course + (course.back() == 's' ? "" : "s");
  }
  return std::string(failures_words(k));
}

std::string key_of(CaseKind k, const std::string& course) {
  std::string key(case_kind_name(k));
  if (!course.empty()) key += "/" + course;
  return key;
}

std::string course_of(const Case& c) {
  return c.kind == CaseKind::kCourseSlow ? c.subject.course : std::string();
}

std::string hour_words(int h) {
  char out[8];
  std::snprintf(out, sizeof out, "%02d:00", h % 24);
  return out;
}

// The most common root cause among some cases, when it is more than half of them.
struct Cause {
  RootCause cause = RootCause::kProcess;
  int count = 0;
};
std::optional<Cause> main_cause(const std::vector<const Case*>& cases) {
  std::array<int, kRootCauseCount> n{};
  for (const Case* c : cases) {
    if (c->resolution) ++n[static_cast<std::size_t>(c->resolution->root_cause)];
  }
  const auto top = std::max_element(n.begin(), n.end());
  if (*top * 2 <= static_cast<int>(cases.size())) return std::nullopt;
  return Cause{static_cast<RootCause>(top - n.begin()), *top};
}

// What to consider, from the kind of failure and what it came down to; `at` is "at those
// times" or "there".
std::string advice(CaseKind k, std::optional<RootCause> cause, std::string_view at) {
  const std::string there(at);
  if (!cause) return "Consider looking at who is on and what happens " + there + ".";
  switch (*cause) {
    case RootCause::kProcess:
      switch (k) {
        case CaseKind::kCourseSlow: return "Consider a second person on the pass " + there + ".";
        case CaseKind::kTableNoOrder:
        case CaseKind::kCallUnanswered:
          return "Consider another server on the floor " + there + ".";
        case CaseKind::kArrivalUnseated: return "Consider someone on the door " + there + ".";
        case CaseKind::kBillSlow:
          return "Consider bringing bills with dessert, or another person on the till " + there +
                 ".";
        case CaseKind::kEnquiryUnanswered:
          return "Consider who answers enquiries " + there + ", and by when.";
        default: return "Consider changing how the work is done " + there + ".";
      }
    case RootCause::kPeople: return "Consider a refresher for the team who work " + there + ".";
    case RootCause::kProduct:
      if (k == CaseKind::kTemperatureOutOfRange || k == CaseKind::kDeviceOffline) {
        return "Consider having the equipment serviced.";
      }
      return "Consider the dishes or the equipment behind it.";
    case RootCause::kPolicy: return "Consider whether the policy behind it still fits.";
    case RootCause::kCommunication:
      return "Consider a word about it at the briefing before those shifts.";
  }
  return {};
}

std::string cause_words(const std::optional<Cause>& c) {
  if (!c) return {};
  return "; " + std::to_string(c->count) + (c->count == 1 ? " was" : " were") + " resolved as " +
         std::string(root_cause_name(c->cause));
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

Measures measure(const std::vector<const Case*>& cases, const UtcOffsetAt& utc_offset) {
  Measures m;
  m.cases = static_cast<int>(cases.size());
  std::vector<Millis> ack;
  std::vector<Millis> act;
  std::vector<Millis> resolve;
  for (const Case* cp : cases) {
    const Case& c = *cp;
    ++m.by_kind[std::string(case_kind_name(c.kind))];
    ++m.by_area[c.subject.area];
    if (c.resolution) {
      ++m.by_root_cause[std::string(root_cause_name(c.resolution->root_cause))];
      resolve.push_back(std::max(Millis{0}, c.resolution->at - c.opened_at));
    }
    const Local l = local_at(c.opened_at, utc_offset);
    ++m.by_hour[static_cast<std::size_t>(l.hour)];
    ++m.by_weekday[static_cast<std::size_t>(l.weekday)];
    if (const auto first = first_taken_up(c)) {
      ack.push_back(std::max(Millis{0}, *first - c.opened_at));
    }
    const auto actioned = std::find_if(c.history.begin(), c.history.end(),
                                       [](const auto& t) { return t.to == CaseStatus::kActioned; });
    if (actioned != c.history.end()) act.push_back(std::max(Millis{0}, actioned->at - c.opened_at));
  }
  const TrackRecord r = track_record(std::nullopt, cases);
  m.compensation = r.compensation;
  m.surveys = r.surveys;
  m.satisfied = r.satisfied;
  m.satisfaction = r.satisfaction;
  m.approved = r.approved;
  m.edited = r.edited;
  m.rejected = r.rejected;
  m.automatic = r.automatic;
  m.acknowledge = spread(std::move(ack));
  m.act = spread(std::move(act));
  m.resolve = spread(std::move(resolve));
  return m;
}

std::vector<Repeat> repeats_of(const std::vector<const Case*>& cases,
                               const UtcOffsetAt& utc_offset) {
  struct Group {
    Repeat r;
    std::set<std::int64_t> weeks;
    std::set<std::string> tables;
  };
  // (kind, course, place, where) -> its cases
  std::map<std::tuple<CaseKind, std::string, std::string, std::string>, Group> groups;
  for (const Case* c : cases) {
    if (!about_service(c->kind)) continue;
    const std::string course = course_of(*c);
    const std::int64_t week = local_at(c->opened_at, utc_offset).week;
    for (const auto& [place, where] :
         {std::pair<std::string, const std::string&>{"table", c->subject.table},
          std::pair<std::string, const std::string&>{"area", c->subject.area}}) {
      if (where.empty()) continue;
      Group& g = groups[{c->kind, course, place, where}];
      if (g.r.cases.empty()) {
        g.r.kind = c->kind;
        g.r.course = course;
        g.r.place = place;
        g.r.where = where;
        g.r.first = c->opened_at;
        g.r.last = c->opened_at;
      }
      g.r.cases.push_back(c->id);
      g.r.first = std::min(g.r.first, c->opened_at);
      g.r.last = std::max(g.r.last, c->opened_at);
      if (c->resolution) ++g.r.root_causes[std::string(root_cause_name(c->resolution->root_cause))];
      g.weeks.insert(week);
      if (!c->subject.table.empty()) g.tables.insert(c->subject.table);
    }
  }
  std::vector<Repeat> out;
  for (auto& [key, g] : groups) {
    if (g.weeks.size() < 2) continue;
    g.r.weeks = static_cast<int>(g.weeks.size());
    g.r.tables = static_cast<int>(g.tables.size());
    out.push_back(std::move(g.r));
  }
  std::stable_sort(out.begin(), out.end(), [](const Repeat& a, const Repeat& b) {
    if (a.weeks != b.weeks) return a.weeks > b.weeks;
    return a.cases.size() > b.cases.size();
  });
  if (out.size() > kMaxRepeats) out.resize(kMaxRepeats);
  return out;
}

// "when": most of one failure's cases at the same times of the week.
void when_suggestions(const std::vector<const Case*>& cases, const InsightsQuery& q,
                      const Roster& roster, const UtcOffsetAt& utc_offset,
                      std::vector<Suggestion>& out) {
  std::map<std::pair<CaseKind, std::string>, std::vector<const Case*>> by_failure;
  for (const Case* c : cases) {
    if (about_service(c->kind)) by_failure[{c->kind, course_of(*c)}].push_back(c);
  }
  for (const auto& [failure, list] : by_failure) {
    const int total = static_cast<int>(list.size());
    if (total < kWhenMinimumCases) continue;
    std::array<std::array<int, 24>, 7> grid{};
    std::vector<Local> at;
    at.reserve(list.size());
    for (const Case* c : list) {
      at.push_back(local_at(c->opened_at, utc_offset));
      ++grid[static_cast<std::size_t>(at.back().weekday)][static_cast<std::size_t>(at.back().hour)];
    }
    // The smallest window first: one day and one hour, then two days, then two hours. For
    // each hour window the days with the most cases in it.
    struct Window {
      std::vector<int> days;
      int first_hour = 0;
      int hours = 1;
      int count = -1;
    };
    std::optional<Window> found;
    for (const auto& [ndays, nhours] : {std::pair{1, 1}, {2, 1}, {1, 2}, {2, 2}}) {
      Window best;
      for (int h = 0; h + nhours <= 24; ++h) {
        std::array<int, 7> in_window{};
        for (std::size_t d = 0; d < 7; ++d) {
          for (int i = h; i < h + nhours; ++i) in_window[d] += grid[d][static_cast<std::size_t>(i)];
        }
        std::array<int, 7> order{0, 1, 2, 3, 4, 5, 6};
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
          return in_window[static_cast<std::size_t>(a)] > in_window[static_cast<std::size_t>(b)];
        });
        std::vector<int> days(order.begin(), order.begin() + ndays);
        int n = 0;
        for (const int d : days) n += in_window[static_cast<std::size_t>(d)];
        if (n > best.count) {
          std::sort(days.begin(), days.end());
          best = Window{days, h, nhours, n};
        }
      }
      if (best.count >= kWhenMinimumInWindow && best.count >= kWhenShare * total) {
        found = best;
        break;
      }
    }
    if (!found) continue;
    Suggestion s;
    std::vector<const Case*> inside;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const bool day =
          std::find(found->days.begin(), found->days.end(), at[i].weekday) != found->days.end();
      if (day && at[i].hour >= found->first_hour && at[i].hour < found->first_hour + found->hours) {
        inside.push_back(list[i]);
        s.evidence.push_back(list[i]->id);
      }
    }
    const auto cause = main_cause(inside);
    std::string days_words;
    std::string days_id;
    for (const int d : found->days) {
      days_words +=
          (days_words.empty() ? "" : " or ") + std::string(kDayNames[static_cast<std::size_t>(d)]);
      days_id += (days_id.empty() ? "" : ",") + std::string(kDayIds[static_cast<std::size_t>(d)]);
    }
    const int end_hour = found->first_hour + found->hours;
    s.rule = "when";
    s.id = "when:" + key_of(failure.first, failure.second) + ":" + days_id + ":" +
           std::to_string(found->first_hour) + "-" + std::to_string(end_hour);
    s.text =
        std::to_string(found->count) + " of the " + std::to_string(total) + " " +
        noun(failure.first, failure.second) + " " + q.period_words + " were on " + days_words +
        " between " + hour_words(found->first_hour) + " and " + hour_words(end_hour) +
        cause_words(cause) + ". " +
        advice(failure.first, cause ? std::optional(cause->cause) : std::nullopt, "at those times");
    s.employee = employee_of(failure.first);
    s.owner = roster.at(s.employee).owner;
    out.push_back(std::move(s));
  }
}

// "where": the same failure at one table or area in several different weeks.
void where_suggestions(const std::vector<Repeat>& repeats,
                       const std::map<std::string, const Case*>& by_id, const Roster& roster,
                       std::vector<Suggestion>& out) {
  for (const Repeat& r : repeats) {
    // An area's repeat that is one table's is said once, for the table.
    if (r.weeks < kWhereWeeks || (r.place == "area" && r.tables == 1)) continue;
    std::vector<const Case*> list;
    for (const auto& id : r.cases) {
      if (const auto it = by_id.find(id); it != by_id.end()) list.push_back(it->second);
    }
    const auto cause = main_cause(list);
    Suggestion s;
    s.rule = "where";
    s.id = "where:" + key_of(r.kind, r.course) + ":" + r.place + ":" + r.where;
    const std::string place = r.place == "table" ? "table " + r.where : "the " + r.where;
    s.text = capitalised(place) + " had " + std::to_string(r.cases.size()) + " " +
             noun(r.kind, r.course) + " in " + std::to_string(r.weeks) + " different weeks" +
             cause_words(cause) + ". " +
             advice(r.kind, cause ? std::optional(cause->cause) : std::nullopt,
                    r.place == "table" ? "at that table" : "in that area");
    s.evidence = r.cases;
    s.employee = employee_of(r.kind);
    s.owner = roster.at(s.employee).owner;
    out.push_back(std::move(s));
  }
}

// "rework": an employee whose recommendations people mostly change or reject.
void rework_suggestions(const std::vector<const Case*>& cases, const InsightsQuery& q,
                        const Roster& roster, std::vector<Suggestion>& out) {
  for (const Employee& e : roster.all()) {
    const TrackRecord r = track_record(e.id, cases);
    const int judged = r.approved + r.edited + r.rejected;
    const int changed = r.edited + r.rejected;
    if (judged < kReworkMinimumJudged || changed * 2 < judged) continue;
    Suggestion s;
    s.rule = "rework";
    s.id = "rework:" + std::string(employee_name(e.id));
    s.text = "People changed or rejected " + std::to_string(changed) + " of " + e.title + "'s " +
             std::to_string(judged) + " recommendations " + q.period_words + " (" +
             std::to_string(r.edited) + " edited, " + std::to_string(r.rejected) +
             " rejected). Consider changing what it recommends (the recovery policy for its "
             "cases) or its limits.";
    for (const Case* c : cases) {
      const auto v = last_verdict(*c);
      if (employee_of(c->kind) == e.id && v && *v != Verdict::kApprove) s.evidence.push_back(c->id);
    }
    s.employee = e.id;
    s.owner = e.owner;
    out.push_back(std::move(s));
  }
}

// "waiting": one case in ten waited long before anyone took it up.
void waiting_suggestion(const std::vector<const Case*>& cases, const Measures& m,
                        const InsightsQuery& q, const Roster& roster,
                        std::vector<Suggestion>& out) {
  if (m.acknowledge.count < kWaitingMinimumCases || !m.acknowledge.p90 ||
      *m.acknowledge.p90 <= kWaitingLimit) {
    return;
  }
  Suggestion s;
  s.rule = "waiting";
  s.id = "waiting:acknowledge";
  s.text = "1 in 10 cases " + q.period_words + " waited " + words::duration(*m.acknowledge.p90) +
           " or more before anyone took it up. Consider who carries the tablet and who gets the "
           "alerts at the times those cases opened.";
  for (const Case* c : cases) {
    const auto first = first_taken_up(*c);
    if (first && *first - c->opened_at >= *m.acknowledge.p90) s.evidence.push_back(c->id);
  }
  s.employee = EmployeeId::kAnalyst;
  s.owner = roster.at(s.employee).owner;
  out.push_back(std::move(s));
}

json::Value spread_to_json(const Spread& s) {
  json::Object o;
  o.append("count", static_cast<std::int64_t>(s.count));
  o.append("p50_s", seconds_or_null(s.p50));
  o.append("p90_s", seconds_or_null(s.p90));
  return o;
}

json::Value counts_to_json(const std::map<std::string, int>& counts) {
  json::Array a;
  for (const auto& [k, n] : counts) {
    json::Object o;
    o.append("key", k);
    o.append("count", static_cast<std::int64_t>(n));
    a.emplace_back(std::move(o));
  }
  return a;
}

template <std::size_t N>
json::Value array_to_json(const std::array<int, N>& counts) {
  json::Array a;
  for (const int n : counts) a.emplace_back(static_cast<std::int64_t>(n));
  return a;
}

json::Value measures_to_json(const Measures& m) {
  json::Object o;
  o.append("cases", static_cast<std::int64_t>(m.cases));
  o.append("by_kind", counts_to_json(m.by_kind));
  o.append("by_area", counts_to_json(m.by_area));
  o.append("by_root_cause", counts_to_json(m.by_root_cause));
  o.append("by_hour", array_to_json(m.by_hour));
  o.append("by_weekday", array_to_json(m.by_weekday));
  o.append("compensation", m.compensation);
  o.append("acknowledge", spread_to_json(m.acknowledge));
  o.append("act", spread_to_json(m.act));
  o.append("resolve", spread_to_json(m.resolve));
  o.append("surveys", static_cast<std::int64_t>(m.surveys));
  o.append("satisfied", static_cast<std::int64_t>(m.satisfied));
  o.append("satisfaction", m.satisfaction ? json::Value(*m.satisfaction) : json::Value(nullptr));
  o.append("approved", static_cast<std::int64_t>(m.approved));
  o.append("edited", static_cast<std::int64_t>(m.edited));
  o.append("rejected", static_cast<std::int64_t>(m.rejected));
  o.append("automatic", static_cast<std::int64_t>(m.automatic));
  return o;
}

}  // namespace

Spread spread(std::vector<Millis> v) {
  Spread s;
  s.count = static_cast<int>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least p of them at or below it.
  const auto rank = [&v](std::size_t pct) { return v[(pct * v.size() + 99) / 100 - 1]; };
  s.p50 = rank(50);
  s.p90 = rank(90);
  return s;
}

WallTime insights_reads_from(const InsightsQuery& q) {
  const WallTime previous = q.from - (q.to - q.from);
  return std::min(previous, q.to - q.repeat_span);
}

Insights compute_insights(const InsightsQuery& q, const std::vector<Case>& cases,
                          const Roster& roster, const UtcOffsetAt& utc_offset) {
  Insights in;
  in.query = q;
  in.previous_from = q.from - (q.to - q.from);
  const WallTime repeat_from = std::min(q.from, q.to - q.repeat_span);
  std::vector<const Case*> current;
  std::vector<const Case*> previous;
  std::vector<const Case*> for_repeats;
  std::map<std::string, const Case*> by_id;
  for (const Case& c : cases) {
    if (!wanted(c, q) || c.opened_at >= q.to) continue;
    if (c.opened_at >= q.from) {
      current.push_back(&c);
    } else if (c.opened_at >= in.previous_from) {
      previous.push_back(&c);
    }
    if (c.opened_at >= repeat_from) {
      for_repeats.push_back(&c);
      by_id.emplace(c.id, &c);
    }
  }
  in.current = measure(current, utc_offset);
  in.previous = measure(previous, utc_offset);
  in.repeats = repeats_of(for_repeats, utc_offset);
  // Times of the week and the recommendations first: a place's repeats are many and alike.
  when_suggestions(current, q, roster, utc_offset, in.suggestions);
  rework_suggestions(current, q, roster, in.suggestions);
  waiting_suggestion(current, in.current, q, roster, in.suggestions);
  where_suggestions(in.repeats, by_id, roster, in.suggestions);
  if (in.suggestions.size() > kMaxSuggestions) in.suggestions.resize(kMaxSuggestions);
  return in;
}

json::Object insights_to_json(const Insights& in,
                              const std::function<json::Value(const Suggestion&)>& decision_of) {
  json::Object period;
  period.append("from", format_rfc3339(in.query.from));
  period.append("to", format_rfc3339(in.query.to));
  period.append("words", in.query.period_words);
  json::Object before;
  before.append("from", format_rfc3339(in.previous_from));
  before.append("to", format_rfc3339(in.query.from));
  json::Object filter;
  filter.append("kind", in.query.kind ? json::Value(std::string(case_kind_name(*in.query.kind)))
                                      : json::Value(nullptr));
  filter.append("employee", in.query.employee
                                ? json::Value(std::string(employee_name(*in.query.employee)))
                                : json::Value(nullptr));
  filter.append("area", in.query.area.empty() ? json::Value(nullptr) : json::Value(in.query.area));
  json::Array repeats;
  for (const Repeat& r : in.repeats) {
    json::Object o;
    o.append("kind", case_kind_name(r.kind));
    o.append("course", r.course.empty() ? json::Value(nullptr) : json::Value(r.course));
    o.append("words", noun(r.kind, r.course));
    o.append("place", r.place);
    o.append("where", r.where);
    o.append("weeks", static_cast<std::int64_t>(r.weeks));
    o.append("tables", static_cast<std::int64_t>(r.tables));
    o.append("cases", json::strings(r.cases));
    o.append("first", format_rfc3339(r.first));
    o.append("last", format_rfc3339(r.last));
    o.append("root_causes", counts_to_json(r.root_causes));
    repeats.emplace_back(std::move(o));
  }
  json::Array suggestions;
  for (const Suggestion& s : in.suggestions) {
    json::Object o;
    o.append("id", s.id);
    o.append("rule", s.rule);
    o.append("text", s.text);
    o.append("employee", employee_name(s.employee));
    o.append("owner", s.owner);
    o.append("evidence", json::strings(s.evidence));
    if (decision_of) o.append("decision", decision_of(s));
    suggestions.emplace_back(std::move(o));
  }
  json::Object out;
  out.append("period", std::move(period));
  out.append("previous_period", std::move(before));
  out.append("filter", std::move(filter));
  out.append("current", measures_to_json(in.current));
  out.append("previous", measures_to_json(in.previous));
  out.append("repeats", std::move(repeats));
  out.append("suggestions", std::move(suggestions));
  return out;
}

json::Object weekly_report(const InsightsQuery& week, std::string_view monday,
                           const std::vector<Case>& cases, const Roster& roster,
                           const UtcOffsetAt& utc_offset,
                           const std::function<json::Value(const Suggestion&)>& decision_of) {
  json::Object o = insights_to_json(compute_insights(week, cases, roster, utc_offset), decision_of);
  o.append("week", monday);
  std::vector<const Case*> in_week;
  for (const Case& c : cases) {
    if (c.opened_at >= week.from && c.opened_at < week.to) in_week.push_back(&c);
  }
  json::Array employees;
  for (const Employee& e : roster.all()) {
    employees.emplace_back(employee_to_json(e, track_record(e.id, in_week)));
  }
  o.append("employees", std::move(employees));
  return o;
}

}  // namespace mend
