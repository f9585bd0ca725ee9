// The simulator's causal mode, read from the outside: every rate below is computed from the
// messages (the kitchen's load at each fire, each wait, each survey), as a predictor would see
// them, and compared with the causes the generator claims. Plus: the same seed gives the same
// days, every message is one mendd accepts, and mendd's own engine opens the truth's cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/codec.hpp"
#include "core/config.hpp"
#include "core/engine.hpp"
#include "core/json.hpp"
#include "core/time.hpp"
#include "scripts/sim/sim_cli.hpp"
#include "scripts/sim/venue_causes.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace mend::sim {
namespace {

constexpr std::int64_t kMonday = 1794855600000;  // 2026-11-16T19:00:00Z
constexpr int kDays = 14;

Options causal(std::uint64_t seed = 2026, double pace = 1) {
  Options o;
  o.causes = true;
  o.seed = seed;
  o.pace = pace;
  o.failure_rate = 0.03;  // a little noise at the door, the call button and the voids
  o.start_wall_ms = kMonday;
  return o;
}

// Fourteen evenings, made once for the whole file.
const std::vector<Service>& fortnight() {
  static const std::vector<Service> days = generate_days(causal(), kDays);
  return days;
}

json::Object object(const std::string& text) {
  json::ParseResult r = json::parse(text);
  EXPECT_TRUE(r) << text;
  if (!r || r.value->as_object() == nullptr) return {};
  return *r.value->as_object();
}

std::string str(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  if (v == nullptr) return {};
  if (v->as_string() != nullptr) return *v->as_string();
  if (const json::Object* inner = v->as_object()) return str(*inner, "id");  // a customer
  return {};
}

std::int64_t integer(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->as_int() ? *v->as_int() : -1;
}

std::string type_of(const Message& m) { return m.topic.substr(m.topic.rfind('/') + 1); }

std::string course_key(std::string check, std::string_view course) {
  check += '/';
  check += course;
  return check;
}

double rate(int hits, int of) { return of == 0 ? 0 : static_cast<double>(hits) / of; }

// ---- one evening, as a reader of its messages sees it ------------------------------------------

struct Fired {
  std::int64_t at = 0;
  int load = 0;  // other courses fired and not yet served at that moment
  std::int64_t limit = 0;
  std::optional<std::int64_t> served;
};

struct TableVisit {
  std::string table;
  std::string booking;
  std::string customer;
  std::string check;
  std::int64_t seated = 0;
  std::int64_t cleared = -1;
  double worst = 0;  // the longest wait at the table, as a share of its threshold
};

struct Survey {
  int score = 0;
  std::string booking;
  std::string customer;
  std::int64_t at = 0;
};

struct Evening {
  std::vector<Fired> fired;
  std::vector<TableVisit> visits;
  std::vector<std::pair<std::string, double>> bills;   // table, wait share
  std::vector<std::pair<std::string, double>> orders;  // table, seated -> order share
  std::vector<Survey> surveys;
};

Evening read(const Service& s, const Options& o) {
  const Thresholds& t = o.thresholds;
  const auto share = [](std::int64_t wait, std::int64_t limit) {
    return static_cast<double>(wait) / static_cast<double>(limit);
  };
  Evening e;
  std::map<std::string, std::size_t> open_course;  // check/course -> index in fired
  std::map<std::string, std::size_t> at_table;     // table -> its visit now
  std::map<std::string, std::size_t> by_check;
  std::map<std::string, std::int64_t> requested;
  std::map<std::string, std::int64_t> pressed;
  int load = 0;
  for (const Message& m : s.messages) {
    if (m.payload.empty() || m.payload.front() != '{') continue;
    const std::string type = type_of(m);
    const json::Object p = object(m.payload);
    const std::string table = str(p, "table");
    const std::string check = str(p, "check");
    const auto worse = [&](const std::string& tab, double x) {
      if (auto it = at_table.find(tab); it != at_table.end()) {
        e.visits[it->second].worst = std::max(e.visits[it->second].worst, x);
      }
    };
    if (type == "guest.seated") {
      at_table[table] = e.visits.size();
      e.visits.push_back(TableVisit{table, str(p, "booking"), str(p, "customer"), "", m.at_ms});
    } else if (type == "order.opened") {
      TableVisit& v = e.visits[at_table.at(table)];
      v.check = check;
      by_check[check] = at_table.at(table);
      const double x = share(m.at_ms - v.seated, t.table_no_order);
      e.orders.emplace_back(table, x);
      worse(table, x);
    } else if (type == "items.fired") {
      const std::string course = str(p, "course");
      open_course[course_key(check, course)] = e.fired.size();
      e.fired.push_back(Fired{m.at_ms, load, t.course(course), std::nullopt});
      ++load;
    } else if (type == "items.served") {
      Fired& f = e.fired[open_course.at(course_key(check, str(p, "course")))];
      f.served = m.at_ms;
      --load;
      worse(table, share(m.at_ms - f.at, f.limit));
    } else if (type == "callbutton") {
      if (str(p, "state") == "pressed") {
        pressed[table] = m.at_ms;
      } else {
        worse(table, share(m.at_ms - pressed[table], t.call_unanswered));
      }
    } else if (type == "check.requested") {
      requested[check] = m.at_ms;
    } else if (type == "check.paid") {
      const double x = share(m.at_ms - requested.at(check), t.bill_slow);
      e.bills.emplace_back(table, x);
      worse(table, x);
    } else if (type == "table.cleared") {
      e.visits[at_table.at(table)].cleared = m.at_ms;
      at_table.erase(table);
    } else if (type == "survey.answered") {
      e.surveys.push_back(Survey{static_cast<int>(integer(p, "score")), str(p, "booking"),
                                 str(p, "customer"), m.at_ms});
    }
  }
  EXPECT_EQ(load, 0) << "a course was never served";
  return e;
}

// ---- (a) the kitchen's load
// ----------------------------------------------------------------------

TEST(VenueSimCauses, CoursesFiredIntoABusyKitchenAreLate) {
  const double calm_load = causes::load_free(causal().tables);  // 7 for 20 tables
  int low = 0;
  int low_late = 0;
  int high = 0;
  int high_late = 0;
  int busy_evenings = 0;
  std::map<int, std::pair<int, int>> by_load;
  for (const Service& s : fortnight()) {
    int busy = 0;
    for (const Fired& f : read(s, causal()).fired) {
      ASSERT_TRUE(f.served);
      const bool late = *f.served - f.at > f.limit;
      ++by_load[f.load].first;
      by_load[f.load].second += late ? 1 : 0;
      if (f.load <= calm_load) {
        ++low;
        low_late += late ? 1 : 0;
      } else if (f.load >= calm_load + 5) {
        ++high;
        high_late += late ? 1 : 0;
        ++busy;
      }
    }
    busy_evenings += busy >= 3 ? 1 : 0;
  }
  std::cout << "load at fire: courses, late\n";
  for (const auto& [load, n] : by_load) {
    std::cout << "  " << load << ": " << n.first << ", " << n.second << "\n";
  }
  std::cout << "low load (<= " << calm_load << "): " << low << " courses, " << low_late << " late ("
            << rate(low_late, low) << "); high load (>= " << calm_load + 5 << "): " << high
            << " courses, " << high_late << " late (" << rate(high_late, high)
            << "); evenings with 3+ courses fired at high load: " << busy_evenings << "/" << kDays
            << "\n";
  EXPECT_GT(low, 300);
  EXPECT_EQ(low_late, 0) << "a quiet kitchen is never late";
  EXPECT_GT(high, 60);
  EXPECT_GT(rate(high_late, high), 0.5);
  EXPECT_GE(busy_evenings, kDays / 2) << "the rush should load the kitchen most evenings";
}

TEST(VenueSimCauses, EverySlowCourseIsInTheTruthWithItsCause) {
  for (const Service& s : fortnight()) {
    const Evening e = read(s, causal());
    int late = 0;
    for (const Fired& f : e.fired) late += *f.served - f.at > f.limit ? 1 : 0;
    int listed = 0;
    for (const TruthEntry& t : s.truth) {
      if (t.kind != "course.slow" || t.derived) continue;
      ++listed;
      EXPECT_EQ(t.cause, "kitchen_load");
    }
    EXPECT_EQ(late, listed);
    // A late course is never borderline: whether it breached does not hang on rounding.
    for (const Fired& f : e.fired) {
      const double x = static_cast<double>(*f.served - f.at) / static_cast<double>(f.limit);
      EXPECT_FALSE(x > 0.97 && x < 1.03) << x;
    }
  }
}

// ---- (b) the short-staffed area
// ------------------------------------------------------------------

TEST(VenueSimCauses, TheShortStaffedAreaIsSlowToTakeOrdersAndBringBills) {
  const Options o = causal();
  int short_days = 0;
  int bills_short = 0;
  int late_short = 0;
  int bills_other = 0;
  int late_other = 0;
  int orders_short = 0;
  int slow_orders_short = 0;
  int slow_orders_other = 0;
  for (const Service& s : fortnight()) {
    ASSERT_TRUE(s.day);
    const std::string& area = s.day->short_staffed;
    short_days += area.empty() ? 0 : 1;
    const Evening e = read(s, o);
    const auto in_area = [&](const std::string& table) {
      return !area.empty() && area_of_table(std::stoi(table.substr(1)), o.tables) == area;
    };
    for (const auto& [table, x] : e.bills) {
      (in_area(table) ? bills_short : bills_other) += 1;
      (in_area(table) ? late_short : late_other) += x > 1 ? 1 : 0;
    }
    for (const auto& [table, x] : e.orders) {
      if (in_area(table)) {
        ++orders_short;
        slow_orders_short += x > 1 ? 1 : 0;
      } else {
        slow_orders_other += x > 1 ? 1 : 0;
      }
    }
    for (const TruthEntry& t : s.truth) {
      if ((t.kind == "bill.slow" || t.kind == "table.no_order") && !t.derived) {
        EXPECT_EQ(t.cause, "short_staffed");
        EXPECT_EQ(t.scope, "area:" + area);
      }
    }
  }
  std::cout << "short-staffed evenings: " << short_days << "/" << kDays << "; bills late there "
            << late_short << "/" << bills_short << " (" << rate(late_short, bills_short)
            << "), elsewhere " << late_other << "/" << bills_other << "; orders late there "
            << slow_orders_short << "/" << orders_short << ", elsewhere " << slow_orders_other
            << "\n";
  EXPECT_GE(short_days, 3);
  EXPECT_LT(short_days, kDays);
  EXPECT_GE(bills_short, 30);
  EXPECT_GT(rate(late_short, bills_short), 0.15);
  EXPECT_EQ(late_other, 0);
  EXPECT_GT(slow_orders_short, 0);
  EXPECT_EQ(slow_orders_other, 0);
}

// ---- (c) sensitive guests ----------------------------------------------------------------------

TEST(VenueSimCauses, SensitiveGuestsAnswerBadlyAfterASlowWait) {
  // Who is sensitive is the generator's truth; what they waited and what they answered is read
  // from the messages.
  std::set<std::string> sensitive;
  std::set<std::string> regulars;
  std::map<std::string, std::set<int>> days_seen;
  int day = 0;
  for (const Service& s : fortnight()) {
    for (const VisitTruth& v : s.visits) {
      if (v.regular) regulars.insert(v.customer);
      if (v.sensitive) sensitive.insert(v.customer);
      if (!v.customer.empty()) days_seen[v.customer].insert(day);
    }
    ++day;
  }
  // A fixed set: the same guests are sensitive on every visit, about 15% of the regulars.
  for (const Service& s : fortnight()) {
    for (const VisitTruth& v : s.visits) EXPECT_EQ(v.sensitive, sensitive.count(v.customer) == 1);
  }
  EXPECT_NEAR(rate(static_cast<int>(sensitive.size()), static_cast<int>(regulars.size())), 0.15,
              0.08);
  int returning = 0;
  for (const auto& [customer, days] : days_seen) returning += days.size() >= 3 ? 1 : 0;
  EXPECT_GT(returning, 20) << "regulars come back across the fortnight";

  // score <= 2 given (sensitive?, a wait at >= 80% of its threshold?)
  std::map<std::pair<bool, bool>, std::pair<int, int>> low;  // -> (low, answered)
  for (const Service& s : fortnight()) {
    const Evening e = read(s, causal());
    for (const Survey& sv : e.surveys) {
      // The survey's visit: the booking it names, or that guest's last visit before it.
      const TableVisit* visit = nullptr;
      for (const TableVisit& v : e.visits) {
        const bool same = !sv.booking.empty() ? v.booking == sv.booking
                                              : !sv.customer.empty() && v.customer == sv.customer;
        if (same && v.cleared >= 0 && v.cleared <= sv.at) visit = &v;
      }
      ASSERT_NE(visit, nullptr) << "a survey from nobody who ate here";
      const bool is_sensitive = sensitive.count(visit->customer) == 1;
      const bool slow = visit->worst >= causes::kSensitiveShare;
      auto& [n_low, n] = low[{is_sensitive, slow}];
      ++n;
      n_low += sv.score <= 2 ? 1 : 0;
    }
  }
  const auto r = [&](bool is_sensitive, bool slow) {
    const auto& [n_low, n] = low[{is_sensitive, slow}];
    std::cout << (is_sensitive ? "sensitive" : "other")
              << (slow ? ", slow wait: " : ", no slow wait: ") << n_low << "/" << n
              << " surveys scored 1-2\n";
    return rate(n_low, n);
  };
  const double sensitive_slow = r(true, true);
  const double sensitive_calm = r(true, false);
  const double other_slow = r(false, true);
  const double other_calm = r(false, false);
  EXPECT_GE(low[std::make_pair(true, true)].second, 8);
  EXPECT_EQ(sensitive_slow, 1.0);
  EXPECT_LT(sensitive_calm, 0.25);
  EXPECT_LT(other_slow, 0.15);
  EXPECT_LT(other_calm, 0.15);
}

TEST(VenueSimCauses, EachVisitSaysWhetherItEndedBadlyAndWhy) {
  int bad = 0;
  int visits = 0;
  std::set<std::string> causes_seen;
  for (const Service& s : fortnight()) {
    std::map<std::string, int> checks;
    for (const VisitTruth& v : s.visits) {
      ++visits;
      bad += v.ended_badly ? 1 : 0;
      ++checks[v.check];
      const bool low_survey = v.survey >= 1 && v.survey <= 2;
      EXPECT_EQ(v.ended_badly, !v.cases.empty() || low_survey || v.negative_review);
      EXPECT_EQ(v.ended_badly, !v.causes.empty());
      if (v.negative_review) {
        EXPECT_TRUE(v.sensitive);
        EXPECT_GE(v.worst_wait, causes::kSensitiveShare);
      }
      for (const std::string& c : v.causes) causes_seen.insert(c);
      EXPECT_LT(v.seated_ms, v.cleared_ms);
      EXPECT_LE(v.cleared_ms, s.end_ms);
    }
    for (const auto& [check, n] : checks) EXPECT_EQ(n, 1) << check;
    // Every truth entry about a table, check or booking belongs to one visit.
    std::set<std::string> table_kinds = {"table.no_order", "course.slow", "bill.slow",
                                         "voids.repeated"};
    int on_visits = 0;
    int listed = 0;
    for (const VisitTruth& v : s.visits) {
      for (const std::string& k : v.cases) on_visits += table_kinds.count(k);
    }
    for (const TruthEntry& t : s.truth) listed += !t.derived && table_kinds.count(t.kind) ? 1 : 0;
    EXPECT_EQ(on_visits, listed);
  }
  std::cout << bad << "/" << visits << " visits ended badly\n";
  EXPECT_GT(rate(bad, visits), 0.1);
  EXPECT_LT(rate(bad, visits), 0.7);
  for (const char* c : {"kitchen_load", "short_staffed", "sensitive_guest", "random"}) {
    EXPECT_EQ(causes_seen.count(c), 1U) << c;
  }
}

// ---- (d) the same seed, the same days ----------------------------------------------------------

TEST(VenueSimCauses, TheSameSeedGivesTheSameDays) {
  const std::vector<Service> again = generate_days(causal(), 3);
  const std::vector<Service> other = generate_days(causal(7), 3);
  for (std::size_t d = 0; d < again.size(); ++d) {
    const Service& a = fortnight()[d];
    const Service& b = again[d];
    ASSERT_EQ(a.messages.size(), b.messages.size());
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
      EXPECT_EQ(a.messages[i].at_ms, b.messages[i].at_ms);
      EXPECT_EQ(a.messages[i].topic, b.messages[i].topic);
      EXPECT_EQ(a.messages[i].payload, b.messages[i].payload);
    }
    ASSERT_EQ(a.truth.size(), b.truth.size());
    for (std::size_t i = 0; i < a.truth.size(); ++i) {
      EXPECT_EQ(truth_json_line(a.truth[i], causal()), truth_json_line(b.truth[i], causal()));
    }
    ASSERT_EQ(a.visits.size(), b.visits.size());
    for (std::size_t i = 0; i < a.visits.size(); ++i) {
      EXPECT_EQ(visit_json_line(a.visits[i], causal()), visit_json_line(b.visits[i], causal()));
    }
    EXPECT_EQ(day_json_line(*a.day), day_json_line(*b.day));
    std::string mine;
    std::string theirs;
    for (const Message& m : a.messages) mine += m.topic + m.payload;
    for (const Message& m : other[d].messages) theirs += m.topic + m.payload;
    EXPECT_NE(mine, theirs);
  }
  // generate() in causal mode is the first evening of the run.
  const Service first = generate(causal());
  ASSERT_EQ(first.messages.size(), fortnight()[0].messages.size());
  EXPECT_EQ(first.messages.back().payload, fortnight()[0].messages.back().payload);
}

TEST(VenueSimCauses, EveningsFollowEachOtherDayByDay) {
  std::set<std::string> ids;
  for (int d = 0; d < kDays; ++d) {
    const Service& s = fortnight()[static_cast<std::size_t>(d)];
    ASSERT_TRUE(s.day);
    EXPECT_EQ(s.day->day, d);
    EXPECT_EQ(s.day->start_wall_ms, kMonday + d * kDay);
    EXPECT_EQ(s.day->weekday, (1 + d) % 7);  // from Monday
    for (const Message& m : s.messages) {
      if (m.payload.front() != '{') continue;
      EXPECT_TRUE(ids.insert(str(object(m.payload), "id")).second) << "day " << d;
    }
  }
  // Fridays and Saturdays are fuller.
  double weekend = 0;
  double week = 0;
  for (const Service& s : fortnight()) {
    int covers = 0;
    for (const VisitTruth& v : s.visits) covers += v.party;
    (s.day->weekday == 5 || s.day->weekday == 6 ? weekend : week) += covers;
  }
  std::cout << "covers a night: Friday/Saturday " << weekend / 4 << ", other nights " << week / 10
            << "\n";
  EXPECT_GT(weekend / 4, week / 10);
}

TEST(VenueSimCauses, WithoutCausesDaysAreIndependentEvenings) {
  Options o = causal();
  o.causes = false;
  const std::vector<Service> days = generate_days(o, 2);
  const Service first = generate(o);
  ASSERT_EQ(days[0].messages.size(), first.messages.size());
  for (std::size_t i = 0; i < first.messages.size(); ++i) {
    EXPECT_EQ(days[0].messages[i].payload, first.messages[i].payload);
  }
  EXPECT_FALSE(days[0].day);
  EXPECT_TRUE(days[0].visits.empty());
  for (const TruthEntry& t : days[1].truth) EXPECT_EQ(t.cause, "random");
  Options second = o;
  second.seed = day_seed(o.seed, 1);
  second.start_wall_ms += kDay;
  EXPECT_EQ(generate(second).messages.back().payload, days[1].messages.back().payload);
}

// ---- (e) the contract
// ----------------------------------------------------------------------------

TEST(VenueSimCauses, MendsCodecAcceptsEveryMessage) {
  CodecOptions codec;
  codec.venue = causal().venue;
  std::set<std::string> types;
  for (const Service& s : fortnight()) {
    EXPECT_TRUE(
        std::is_sorted(s.messages.begin(), s.messages.end(),
                       [](const Message& a, const Message& b) { return a.at_ms < b.at_ms; }));
    for (const Message& m : s.messages) {
      EXPECT_LE(m.at_ms, s.end_ms);
      types.insert(type_of(m));
      const std::int64_t wall = kMonday + (s.day->day * kDay) + m.at_ms;
      DecodeResult d = decode(m.topic, m.payload, wall_from_ms(wall), codec);
      if (auto* r = std::get_if<Refusal>(&d)) ADD_FAILURE() << m.payload << ": " << r->message;
      if (m.payload.front() == '{') {
        EXPECT_EQ(to_ms(*parse_rfc3339(str(object(m.payload), "ts"))), wall) << m.payload;
      }
    }
  }
  for (const char* t : {"survey.answered", "review.received", "items.fired", "check.paid"}) {
    EXPECT_EQ(types.count(t), 1U) << t;
  }
}

TEST(VenueSimCauses, EngineOpensExactlyTheCasesOfTheTruth) {
  for (std::uint64_t seed : {3, 4}) {
    const Options o = causal(seed, 60);
    const std::string toml = "[venue]\nid = \"" + o.venue + "\"\n\n" + config_snippet(o);
    ConfigResult parsed = parse_config(toml, "snippet.toml");
    ASSERT_TRUE(parsed.config);
    for (const Service& s : generate_days(o, 3)) {
      const std::int64_t start = o.start_wall_ms + s.day->day * kDay;
      Engine engine(DetectionSettings::from(*parsed.config));
      CodecOptions codec;
      codec.venue = o.venue;
      constexpr std::int64_t kMonoBase = 1000000;
      const auto now_at = [&](std::int64_t offset) {
        return Now{wall_from_ms(start + offset), mono_from_ms(kMonoBase + offset)};
      };
      std::multiset<std::pair<std::string, std::int64_t>> opened;  // kind, at
      const auto collect = [&](const EngineOutput& out) {
        for (const Decision& d : out.decisions) {
          if (d.op == Decision::Op::kOpen) {
            opened.emplace(std::string(case_kind_name(d.kind)), to_ms(d.at) - start);
          }
        }
      };
      const auto run_until = [&](std::int64_t offset) {
        while (auto due = engine.next_deadline()) {
          if (to_ms(*due) - kMonoBase > offset) break;
          collect(engine.on_tick(now_at(to_ms(*due) - kMonoBase)));
        }
      };
      for (const Message& m : s.messages) {
        run_until(m.at_ms);
        DecodeResult d = decode(m.topic, m.payload, now_at(m.at_ms).wall, codec);
        ASSERT_TRUE(std::holds_alternative<Event>(d)) << m.payload;
        collect(engine.on_event(std::get<Event>(d), now_at(m.at_ms)));
      }
      run_until(s.end_ms);
      std::multiset<std::pair<std::string, std::int64_t>> expected;
      for (const TruthEntry& t : s.truth) expected.emplace(t.kind, t.at_ms);
      EXPECT_EQ(opened, expected) << "seed " << seed << " day " << s.day->day;
    }
  }
}

TEST(VenueSimCauses, CommandLine) {
  const CliResult r = parse_cli({"--causes", "--day", "3", "--visits", "v.jsonl"});
  ASSERT_TRUE(r.settings) << r.error;
  EXPECT_TRUE(r.settings->options.causes);
  EXPECT_EQ(r.settings->day, 3);
  EXPECT_EQ(r.settings->visits_path, "v.jsonl");
  EXPECT_FALSE(parse_cli({}).settings->options.causes);
  EXPECT_NE(parse_cli({"--day", "2"}).error.find("--causes"), std::string::npos);
  EXPECT_NE(parse_cli({"--causes", "--day", "-1"}).error.find("--day"), std::string::npos);
  EXPECT_NE(usage().find("--causes"), std::string::npos);
  const json::Object day = object(day_json_line(*fortnight()[0].day));
  EXPECT_EQ(str(day, "record"), "day");
  const json::Object visit = object(visit_json_line(fortnight()[0].visits.front(), causal()));
  EXPECT_EQ(str(visit, "record"), "visit");
  const json::Object truth = object(truth_json_line(fortnight()[0].truth.front(), causal()));
  EXPECT_FALSE(str(truth, "cause").empty());
}

}  // namespace
}  // namespace mend::sim
