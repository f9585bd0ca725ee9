// The venue's learning: measures, repeats and suggestions over a period (from the store's
// cases), a manager's decision on a suggestion, a task marked done, and the weekly report.
#include <array>
#include <map>

#include "core/learning.hpp"
#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::int64_t kMaxCustomDays = 366;
constexpr std::size_t kMaxAreaLength = 64;
constexpr std::size_t kMaxTasksShown = 50;
constexpr std::array<std::string_view, 6> kViewKeys{"period", "from",     "to",
                                                    "kind",   "employee", "area"};

using View = std::map<std::string, std::string>;

UtcOffsetAt offset_of(const HandlerContext& ctx) {
  if (ctx.utc_offset) return ctx.utc_offset;
  return [](WallTime) { return Millis{0}; };
}

// The local day number (days since 1970-01-01) of "2026-11-30", or nullopt.
std::optional<std::int64_t> day_of(const std::string& date) {
  if (date.size() != 10) return std::nullopt;
  const auto t = parse_rfc3339(date + "T00:00:00Z");
  if (!t) return std::nullopt;
  return floor_div(to_ms(*t), kMsPerDay);
}

// Local midnight at the start of local day `day`, as wall time.
WallTime midnight(std::int64_t day, const UtcOffsetAt& offset) {
  const WallTime utc = wall_from_ms(day * kMsPerDay);
  return utc - offset(utc + std::chrono::hours(12));
}

std::int64_t local_day(WallTime t, const UtcOffsetAt& offset) {
  return floor_div(to_ms(t) + offset(t).count(), kMsPerDay);
}

std::int64_t monday_of(std::int64_t day) { return day - (day + 3 - floor_div(day + 3, 7) * 7); }

std::string date_of(std::int64_t day) {
  return format_rfc3339(wall_from_ms(day * kMsPerDay)).substr(0, 10);
}

Response bad(std::string_view message) {
  return refuse(http::status::bad_request, error_code::kInvalidParameter, message);
}

// The period and filters a view names; the same for the GET's query and a decision's body.
std::variant<InsightsQuery, Response> query_of(const View& v, const HandlerContext& ctx) {
  const UtcOffsetAt offset = offset_of(ctx);
  const WallTime now = ctx.clock().wall;
  const auto get = [&v](std::string_view key) {
    const auto it = v.find(std::string(key));
    return it == v.end() ? std::string() : it->second;
  };
  InsightsQuery q;
  q.to = now;
  const std::string period = get("period").empty() ? "30d" : get("period");
  const std::int64_t today = local_day(now, offset);
  if (period != "custom" && (!get("from").empty() || !get("to").empty())) {
    return bad("from and to go with period=custom");
  }
  if (period == "today") {
    q.from = midnight(today, offset);
    q.period_words = "today";
  } else if (period == "week") {
    q.from = midnight(monday_of(today), offset);
    q.period_words = "this week";
  } else if (period == "30d") {
    q.from = now - std::chrono::days(30);
    q.period_words = "in the last 30 days";
  } else if (period == "custom") {
    const auto from = day_of(get("from"));
    const auto to = day_of(get("to"));
    if (!from || !to) return bad("period=custom needs from and to as dates: 2026-11-01");
    if (*to < *from || *to - *from >= kMaxCustomDays) {
      return bad("to must be on or after from, and at most 366 days after it");
    }
    q.from = midnight(*from, offset);
    q.to = midnight(*to + 1, offset);
    q.period_words = "between " + get("from") + " and " + get("to");
  } else {
    return bad("period must be today, week, 30d or custom");
  }
  if (const std::string kind = get("kind"); !kind.empty()) {
    q.kind = case_kind_from_name(kind);
    if (!q.kind) return bad("no kind of case '" + kind + "'");
  }
  if (const std::string e = get("employee"); !e.empty()) {
    q.employee = employee_from_name(e);
    if (!q.employee) return bad("no employee '" + e + "'");
  }
  q.area = get("area");
  if (q.area.size() > kMaxAreaLength) return bad("an area is at most 64 characters");
  return q;
}

Insights insights_for(const InsightsQuery& q, const HandlerContext& ctx) {
  const std::vector<Case> cases =
      ctx.cases_since ? ctx.cases_since(insights_reads_from(q)) : std::vector<Case>{};
  return compute_insights(q, cases, ctx.employees ? ctx.employees() : Roster{}, offset_of(ctx));
}

json::Value tasks_json(const SuggestionBook& book) {
  // Open tasks first, then the finished; newest first within each.
  json::Array open;
  json::Array done;
  for (auto it = book.all().rbegin(); it != book.all().rend(); ++it) {
    if (!it->accepted) continue;
    (it->done_at ? done : open).emplace_back(suggestion_record_to_json(*it));
  }
  json::Array out;
  for (auto* list : {&open, &done}) {
    for (auto& t : *list) {
      if (out.size() < kMaxTasksShown) out.push_back(std::move(t));
    }
  }
  return out;
}

// Each suggestion's decision, from the book.
std::function<json::Value(const Suggestion&)> decision_in(const SuggestionBook& book) {
  return [&book](const Suggestion& s) {
    const SuggestionRecord* r = book.find(s.id);
    return r != nullptr ? suggestion_record_to_json(*r) : json::Value(nullptr);
  };
}

json::Object insights_answer(const Insights& in, const HandlerContext& ctx) {
  const SuggestionBook book = ctx.learning ? ctx.learning() : SuggestionBook{};
  json::Object o = insights_to_json(in, decision_in(book));
  o.append("tasks", tasks_json(book));
  return o;
}

Response learning_result(const LearningResult& r) {
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return action_refused(*no);
  return json_response(http::status::ok, suggestion_record_to_json(std::get<SuggestionRecord>(r)));
}

}  // namespace

Response get_insights(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  View v;
  for (const auto& [k, value] : p.query.items()) {
    if (std::find(kViewKeys.begin(), kViewKeys.end(), k) == kViewKeys.end()) {
      return bad("unknown parameter '" + k +
                 "': period, from, to, kind, employee and area are allowed");
    }
    if (!v.emplace(k, value).second) return bad("'" + k + "' is given more than once");
  }
  auto q = query_of(v, ctx);
  if (auto* no = std::get_if<Response>(&q)) return std::move(*no);
  return json_response(http::status::ok, json::Value(insights_answer(
                                             insights_for(std::get<InsightsQuery>(q), ctx), ctx)));
}

Response decide_suggestion(const Request& req, const Params&, const Caller& c,
                           const HandlerContext& ctx) {
  BodyReader b(req);
  const std::string id = b.string("suggestion", Field::kRequired);
  const std::string decision = b.string("decision", Field::kRequired);
  const std::string note = b.string("note", Field::kOptional);
  View v;
  if (auto view = b.object("view", Field::kOptional)) {
    for (const std::string_view key : kViewKeys) {
      if (std::string s = view->string(key, Field::kOptional); !s.empty())
        v.emplace(key, std::move(s));
    }
    view->only({"period", "from", "to", "kind", "employee", "area"});
    if (auto err = view->error()) return *err;
  }
  b.only({"suggestion", "decision", "note", "view"});
  if (auto err = b.error()) return *err;
  if (decision != "accept" && decision != "dismiss") {
    return invalid_body("decision must be accept or dismiss");
  }
  auto q = query_of(v, ctx);
  if (auto* no = std::get_if<Response>(&q)) return std::move(*no);
  const Insights in = insights_for(std::get<InsightsQuery>(q), ctx);
  const auto s = std::find_if(in.suggestions.begin(), in.suggestions.end(),
                              [&id](const Suggestion& x) { return x.id == id; });
  if (s == in.suggestions.end()) {
    return not_found("no suggestion '" + id + "' in that view now: the numbers may have changed");
  }
  if (!ctx.decide_suggestion) {
    return refuse(http::status::conflict, "conflict", "suggestions cannot be decided here");
  }
  return learning_result(ctx.decide_suggestion(
      SuggestionDecision{*s, decision == "accept", note, c.as_case_actor(), c.name}));
}

Response finish_task(const Request& req, const Params& p, const Caller& c,
                     const HandlerContext& ctx) {
  const auto task = parse_id(p.path_param("task"));
  if (!task) return not_found("no task '" + *p.path_param("task") + "'");
  BodyReader b(req);
  const auto done = b.boolean("done", Field::kRequired);
  b.only({"done"});
  if (auto err = b.error()) return *err;
  if (done != true) return invalid_body("done must be true: a finished task stays finished");
  if (!ctx.finish_task) {
    return refuse(http::status::conflict, "conflict", "tasks cannot be changed here");
  }
  return learning_result(ctx.finish_task(*task, c.as_case_actor()));
}

Response weekly_report(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  const UtcOffsetAt offset = offset_of(ctx);
  const WallTime now = ctx.clock().wall;
  // The last whole week by default; a week is named by its Monday.
  std::int64_t monday = monday_of(local_day(now, offset)) - 7;
  for (const auto& [k, value] : p.query.items()) {
    if (k != "week" || p.query.count("week") > 1) {
      return bad("only week is allowed, once: the week's Monday, 2026-11-30");
    }
    const auto day = day_of(value);
    if (!day || monday_of(*day) != *day) return bad("week must be a Monday's date: 2026-11-30");
    monday = *day;
  }
  InsightsQuery q;
  q.from = midnight(monday, offset);
  q.to = midnight(monday + 7, offset);
  q.period_words = "in the week of " + date_of(monday);
  const std::vector<Case> cases =
      ctx.cases_since ? ctx.cases_since(insights_reads_from(q)) : std::vector<Case>{};
  const SuggestionBook book = ctx.learning ? ctx.learning() : SuggestionBook{};
  json::Object o =
      weekly_report(q, date_of(monday), cases, ctx.employees ? ctx.employees() : Roster{}, offset,
                    decision_in(book));
  o.append("complete", q.to <= now);
  o.append("tasks", tasks_json(book));
  return json_response(http::status::ok, json::Value(std::move(o)));
}

}  // namespace mend::web::handlers
