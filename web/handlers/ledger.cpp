// The contribution ledger on the tablet (docs/ledger.md): a person's own record, the team's
// record for a manager (by period and kind, the entries awaiting a countersignature, the cases
// nobody closed properly), a manager's countersignature, correction and confirmed training,
// and a guest's rewards statement. The entries come from the store as chained; what each one
// counts for comes from the core's fold of them.
#include <algorithm>
#include <map>

#include "web/handlers/body_reader.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::size_t kMaxTeamEntries = 500;

using Names = std::map<std::string, std::string, std::less<>>;

// "user:3" -> "Amy", for every account (disabled ones too: their entries stay).
Names names_of(const HandlerContext& ctx) {
  Names names;
  for (const auto& u : ctx.accounts.list_users()) names["user:" + std::to_string(u.id)] = u.name;
  return names;
}

std::string name_of(const Names& names, const std::string& id) {
  const auto it = names.find(id);
  return it != names.end() ? it->second : id;
}

json::Value opt_seq(std::int64_t seq) { return seq != 0 ? json::Value(seq) : json::Value(); }

std::string status_of(const LedgerEntry& e, const LedgerFold::Standing* s) {
  if (e.kind == LedgerKind::kCountersign || e.kind == LedgerKind::kCorrection) return "recorded";
  if (s == nullptr) return "counts";
  if (s->corrected_by != 0) return "corrected";
  return s->counts() ? "counts" : "awaiting_countersign";
}

json::Value entry_json(const LedgerRow& r, const LedgerFold* fold, const Names& names) {
  const LedgerEntry& e = r.entry;
  const LedgerFold::Standing* s = fold != nullptr ? fold->standing(e.seq) : nullptr;
  json::Value v = ledger_entry_to_json(e);
  json::Object& o = *v.as_object();
  o.set("person_name", e.person.empty() ? json::Value() : json::Value(name_of(names, e.person)));
  o.set("by_name", name_of(names, e.by.id));
  o.set("status", status_of(e, s));
  o.set("countersigned_by", opt_seq(s != nullptr ? s->countersigned_by : 0));
  o.set("corrected_by", opt_seq(s != nullptr ? s->corrected_by : 0));
  o.set("prev_hash", r.prev_hash);
  o.set("hash", r.hash);
  return v;
}

const LedgerFold* fold_of(const HandlerContext& ctx) {
  const Contributions* c = ctx.contributions ? ctx.contributions() : nullptr;
  return c != nullptr ? &c->fold() : nullptr;
}

std::vector<LedgerRow> rows_of(const HandlerContext& ctx, const std::string& person,
                               const std::string& guest) {
  return ctx.ledger_rows ? ctx.ledger_rows(person, guest) : std::vector<LedgerRow>{};
}

bool is_contribution(const LedgerEntry& e) { return e.kind == LedgerKind::kContribution; }

Response bad(std::string_view message) {
  return refuse(http::status::bad_request, error_code::kInvalidParameter, message);
}

std::optional<std::int64_t> seq_of(const Params& p) {
  auto n = parse_id(p.path_param("seq"));
  if (!n || *n <= 0) return std::nullopt;
  return n;
}

// A manager's act, answered with the entry it was about as it stands now (or, for a training,
// the new entry).
Response carry_out(const HandlerContext& ctx, const LedgerAct& act, http::status ok) {
  if (!ctx.ledger_act) {
    return refuse(http::status::conflict, "conflict", "the ledger cannot be changed here");
  }
  const LedgerResult r = ctx.ledger_act(act);
  if (const auto* no = std::get_if<ActionRefusal>(&r)) return action_refused(*no);
  const LedgerEntry& written = std::get<LedgerEntry>(r);
  const std::int64_t about = written.refers != 0 ? written.refers : written.seq;
  for (const LedgerRow& row : rows_of(ctx, written.person, written.guest)) {
    if (row.entry.seq == about) {
      return json_response(ok, entry_json(row, fold_of(ctx), names_of(ctx)));
    }
  }
  // Not committed yet (the store is retrying): the entry as written, without its hashes.
  return json_response(ok, entry_json(LedgerRow{written, {}, {}, {}}, fold_of(ctx), names_of(ctx)));
}

// Cases that ended without being closed properly: resolved without a follow-up sent, or
// closed by the box without anyone resolving them. The box's own health cases are not guests'.
std::string not_closed_properly(const Case& c) {
  if (c.status != CaseStatus::kResolved && c.status != CaseStatus::kClosed) return {};
  if (c.subject.device == "mendd") return {};
  if (!c.resolution) return "closed without anyone resolving it";
  for (const Transition& t : c.history) {
    if (t.note.starts_with("follow-up skipped")) return "the follow-up was skipped";
    if (t.note.starts_with("follow-up sent")) return {};
  }
  return "resolved without a follow-up to the guest";
}

}  // namespace

Response my_ledger(const Request&, const Params& p, const Caller& c, const HandlerContext& ctx) {
  if (auto no = only_params(p, {})) return *no;
  const Names names = names_of(ctx);
  const LedgerFold* fold = fold_of(ctx);
  json::Array entries;
  double awaiting = 0;
  const auto rows = rows_of(ctx, c.id, {});
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    json::Value v = entry_json(*it, fold, names);
    if (is_contribution(it->entry) && *v.get("status")->as_string() == "awaiting_countersign") {
      awaiting += it->entry.value;
    }
    entries.push_back(std::move(v));
  }
  json::Object o;
  o.append("person", c.id);
  o.append("name", c.name);
  o.append("points", fold != nullptr ? fold->points(c.id) : 0.0);
  o.append("awaiting", awaiting);
  o.append("entries", std::move(entries));  // newest first
  return json_response(http::status::ok, json::Value(std::move(o)));
}

Response team_ledger(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  if (auto no = only_params(p, {"period"})) return *no;
  const std::string* given = p.query.get("period");
  const std::string period = given != nullptr ? *given : std::string("30d");
  const WallTime now = ctx.clock().wall;
  std::optional<WallTime> from;
  if (period == "week") {
    from = now - std::chrono::days(7);
  } else if (period == "30d") {
    from = now - std::chrono::days(30);
  } else if (period == "90d") {
    from = now - std::chrono::days(90);
  } else if (period != "all") {
    return bad("period must be week, 30d, 90d or all");
  }
  const Names names = names_of(ctx);
  const LedgerFold* fold = fold_of(ctx);
  const Contributions* rules = ctx.contributions ? ctx.contributions() : nullptr;
  const bool leaderboard = rules != nullptr && rules->rules().leaderboard;

  struct Person {
    double points = 0;
    double awaiting = 0;
    std::map<std::string, double> by_rule;
  };
  std::map<std::string, Person> people;
  std::map<std::string, std::pair<std::int64_t, double>> by_rule;  // rule -> entries, points
  json::Array awaiting;
  json::Array entries;
  const auto rows = rows_of(ctx, {}, {});
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const LedgerEntry& e = it->entry;
    if (e.person.empty()) continue;  // guests' rewards are not the team's record
    json::Value v = entry_json(*it, fold, names);
    const std::string status = *v.get("status")->as_string();
    // What still waits for a manager is shown whenever it was earned.
    if (is_contribution(e) && status == "awaiting_countersign") awaiting.push_back(v);
    if (from && e.at < *from) continue;
    if (is_contribution(e)) {
      Person& who = people[e.person];
      if (status == "counts") {
        who.points += e.value;
        who.by_rule[e.rule] += e.value;
        by_rule[e.rule].first += 1;
        by_rule[e.rule].second += e.value;
      } else if (status == "awaiting_countersign") {
        who.awaiting += e.value;
      }
    }
    if (entries.size() < kMaxTeamEntries) entries.push_back(std::move(v));
  }
  std::vector<std::pair<std::string, Person>> list(people.begin(), people.end());
  // Alphabetical unless the venue asked for a leaderboard.
  std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) {
    if (leaderboard && a.second.points != b.second.points) return a.second.points > b.second.points;
    return name_of(names, a.first) < name_of(names, b.first);
  });
  json::Array people_json;
  for (const auto& [id, who] : list) {
    json::Object o;
    o.append("person", id);
    o.append("name", name_of(names, id));
    o.append("points", who.points);
    o.append("awaiting", who.awaiting);
    json::Object rules_json;
    for (const auto& [rule, points] : who.by_rule) rules_json.append(rule, points);
    o.append("by_rule", std::move(rules_json));
    people_json.emplace_back(std::move(o));
  }
  json::Object kinds;
  for (const auto& [rule, n] : by_rule) {
    json::Object k;
    k.append("entries", n.first);
    k.append("points", n.second);
    kinds.append(rule, std::move(k));
  }
  json::Array unclosed;
  if (ctx.cases_since) {
    for (const Case& c : ctx.cases_since(from.value_or(WallTime{}))) {
      const std::string why = not_closed_properly(c);
      if (why.empty()) continue;
      json::Object u;
      u.append("case", c.id);
      u.append("kind", case_kind_name(c.kind));
      u.append("opened_at", format_rfc3339(c.opened_at));
      u.append("status", case_status_name(c.status));
      u.append("resolved_by",
               c.resolution ? json::Value(name_of(names, c.resolution->by.id)) : json::Value());
      u.append("why", why);
      unclosed.emplace_back(std::move(u));
    }
  }
  json::Object o;
  o.append("period", period);
  o.append("from", from ? json::Value(format_rfc3339(*from)) : json::Value());
  o.append("to", format_rfc3339(now));
  o.append("leaderboard", leaderboard);
  o.append("people", std::move(people_json));
  o.append("by_rule", std::move(kinds));
  o.append("awaiting_countersign", std::move(awaiting));
  o.append("not_closed_properly", std::move(unclosed));
  o.append("entries", std::move(entries));  // newest first, at most 500
  return json_response(http::status::ok, json::Value(std::move(o)));
}

Response countersign_entry(const Request& req, const Params& p, const Caller& c,
                           const HandlerContext& ctx) {
  const auto seq = seq_of(p);
  if (!seq) return not_found("no ledger entry " + *p.path_param("seq"));
  BodyReader b(req, /*allow_empty=*/true);
  b.only({});
  if (auto err = b.error()) return *err;
  LedgerAct act;
  act.kind = LedgerAct::Kind::kCountersign;
  act.seq = *seq;
  act.by = c.as_case_actor();
  return carry_out(ctx, act, http::status::ok);
}

Response correct_entry(const Request& req, const Params& p, const Caller& c,
                       const HandlerContext& ctx) {
  const auto seq = seq_of(p);
  if (!seq) return not_found("no ledger entry " + *p.path_param("seq"));
  BodyReader b(req);
  LedgerAct act;
  act.kind = LedgerAct::Kind::kCorrect;
  act.seq = *seq;
  act.reason = b.string("reason", Field::kRequired);
  b.only({"reason"});
  if (auto err = b.error()) return *err;
  act.by = c.as_case_actor();
  return carry_out(ctx, act, http::status::ok);
}

Response confirm_training(const Request& req, const Params&, const Caller& c,
                          const HandlerContext& ctx) {
  BodyReader b(req);
  LedgerAct act;
  act.kind = LedgerAct::Kind::kTraining;
  act.person = b.string("person", Field::kRequired);
  act.what = b.string("what", Field::kRequired);
  b.only({"person", "what"});
  if (auto err = b.error()) return *err;
  const auto users = ctx.accounts.list_users();
  const bool known = std::any_of(users.begin(), users.end(), [&](const auth::UserInfo& u) {
    return !u.disabled && "user:" + std::to_string(u.id) == act.person;
  });
  if (!known) return invalid_body("person must be an active account's id, such as user:3");
  act.by = c.as_case_actor();
  return carry_out(ctx, act, http::status::created);
}

Response guest_rewards(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  if (auto no = only_params(p, {})) return *no;
  const GuestBook* book = ctx.guests ? ctx.guests() : nullptr;
  const std::string& id = *p.path_param("id");
  const GuestRecord* g = book != nullptr ? book->record(id) : nullptr;
  if (g == nullptr) return not_found("no guest " + id);
  const LedgerFold* fold = fold_of(ctx);
  const Names names;  // a guest's statement names no staff
  json::Array lines;
  for (const LedgerRow& r : rows_of(ctx, {}, g->ref)) {
    if (r.entry.kind == LedgerKind::kCountersign) continue;
    const json::Value full = entry_json(r, fold, names);
    json::Object line;
    for (const char* key : {"seq", "at", "kind", "rule", "value", "why", "status"}) {
      line.append(key, *full.get(key));
    }
    lines.emplace_back(std::move(line));
  }
  json::Object o;
  o.append("guest", g->id);
  o.append("ref", g->ref);
  o.append("name", g->name);
  o.append("balance", fold != nullptr ? fold->balance(g->ref) : 0.0);
  o.append("currency", ctx.currency);
  o.append("entries", std::move(lines));  // oldest first, as a statement reads
  return json_response(http::status::ok, json::Value(std::move(o)));
}

}  // namespace mend::web::handlers
