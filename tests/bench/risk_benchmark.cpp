// The at-risk model on a simulated history whose failures have known causes (scripts/sim
// --causes): weeks of evenings through the recovery service and a real store, the night's
// training, then later weeks with the model in use, judged on what it never saw.
//
// Reports (docs/benchmarks.md): ROC AUC on the held-out weeks against the same model trained on
// shuffled labels (the floor it must clearly beat), precision and recall at the chosen
// threshold for snapshots and for whole visits, the lead time between a flag and the rule's
// course.slow case, how well the store's labels agree with the simulator's truth, and what the
// scoring costs per event against the service without a model, in the same run.
//
//   build/release/tests/bench/risk_benchmark [--days 56] [--train-days 42] [--seed 11]
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "adapters/store/risk_models.hpp"
#include "scripts/sim/venue_player.hpp"

namespace mend {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::int64_t kMonday18 = 1793642400000;  // Monday 2026-11-02 18:00Z

struct Args {
  int days = 56;
  int train_days = 42;
  std::uint64_t seed = 11;
};

ServiceSettings settings_for(const sim::Options& o) {
  const std::string toml = "[venue]\nid = \"" + o.venue + "\"\n\n" + sim::config_snippet(o);
  ConfigResult r = parse_config(toml, "sim.toml");
  if (!r.config) {
    for (const auto& e : r.errors) std::cerr << e.to_string() << '\n';
    std::exit(1);
  }
  return ServiceSettings::from(*r.config);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Each played day's messages through a fresh service without a store, timed: the per-event
// cost of the service as mendd runs it, with or without a model.
struct Cost {
  double ns = 0;
  std::size_t events = 0;
  RecoveryService::FloorLooks looks;
};

Cost cost_of(const sim::Options& o, const std::vector<sim::Service>& days, int from, int to,
             const std::optional<risk::Model>& model) {
  const WallTime start = wall_from_ms(kMonday18);
  sim::VenuePlayer player(nullptr, settings_for(o), 0ms, start + std::chrono::hours(24 * from));
  if (model) player.service().use_model(model, {});
  const auto t0 = std::chrono::steady_clock::now();
  for (int d = from; d < to; ++d) {
    const WallTime evening = start + std::chrono::hours(24 * d);
    player.play(days[d].messages, evening, evening + 23h);
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  return Cost{
      static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()),
      player.events, player.service().floor_looks()};
}

int run(const Args& a) {
  sim::Options o;
  o.causes = true;
  o.seed = a.seed;
  o.start_wall_ms = kMonday18;
  const std::vector<sim::Service> days = sim::generate_days(o, a.days);
  const WallTime start = wall_from_ms(kMonday18);

  std::string templ = (fs::temp_directory_path() / "mend-risk-bench-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) return 1;
  auto store = Store::open(StoreOptions{templ + "/mend.db", true});
  sim::VenuePlayer player(store.get(), settings_for(o), 0ms, start);
  for (int d = 0; d < a.train_days; ++d) {
    const WallTime evening = start + std::chrono::hours(24 * d);
    player.play(days[d].messages, evening, evening + 23h);
  }
  const WallTime night = start + std::chrono::hours(24 * a.train_days) - 1h;
  player.advance_to(night);
  player.commit();
  const KeptTraining kept = train_and_keep(*store, PredictionSettings{}, night, "mend", "system");
  std::cout << "training: " << kept.visits << " settled visits; " << kept.outcome.note << "\n";
  if (!kept.outcome.model) return 1;
  const risk::Model& model = *kept.outcome.model;

  // The floor: the same training visits with their outcomes shuffled among them.
  std::vector<risk::Visit> shuffled =
      store->load_visits(true, night - PredictionSettings{}.window, night);
  {
    std::vector<bool> labels;
    for (const auto& v : shuffled) labels.push_back(v.bad);
    std::mt19937_64 rng(a.seed);
    std::shuffle(labels.begin(), labels.end(), rng);
    for (std::size_t i = 0; i < shuffled.size(); ++i) shuffled[i].bad = labels[i];
  }
  const risk::Training floor =
      risk::train(risk::samples_of(shuffled), risk::feature_names(), risk::TrainOptions{});

  // The held-out weeks, with the model in use.
  player.service().use_model(kept.outcome.model, {});
  const std::size_t cases_before = player.cases.size();
  for (int d = a.train_days; d < a.days; ++d) {
    const WallTime evening = start + std::chrono::hours(24 * d);
    player.play(days[d].messages, evening, evening + 23h);
  }
  const WallTime end = start + std::chrono::hours(24 * a.days);
  player.advance_to(end + 25h);
  player.commit();
  const WallTime held_from = start + std::chrono::hours(24 * a.train_days);
  const std::vector<risk::Visit> held = store->load_visits(true, held_from, end);
  const std::vector<risk::Sample> samples = risk::samples_of(held);
  const risk::Metrics m = risk::evaluate(model, samples, model.threshold);
  const double floor_auc =
      floor.model ? risk::evaluate(*floor.model, samples, floor.model->threshold).auc : 0.5;

  // Whole visits: flagged at any time while seated, against how they ended.
  std::size_t flagged = 0;
  std::size_t flagged_bad = 0;
  std::size_t bad = 0;
  for (const auto& v : held) {
    const bool f = std::any_of(player.flags.begin(), player.flags.end(), [&](const auto& x) {
      return x.table == v.table && x.at >= v.seated_at && (!v.ended || x.at <= *v.ended);
    });
    flagged += f ? 1 : 0;
    flagged_bad += (f && v.bad) ? 1 : 0;
    bad += v.bad ? 1 : 0;
  }

  // Lead time: the first flag on the table during the visit, before its course.slow case.
  std::vector<double> leads;
  std::size_t slow = 0;
  for (std::size_t i = cases_before; i < player.cases.size(); ++i) {
    const auto& c = player.cases[i];
    if (c.kind != CaseKind::kCourseSlow) continue;
    ++slow;
    const risk::Visit* v = nullptr;
    for (const auto& h : held) {
      if (h.table == c.table && h.seated_at <= c.at && (!h.ended || *h.ended >= c.at)) v = &h;
    }
    if (v == nullptr) continue;
    for (const auto& f : player.flags) {
      if (f.table == c.table && f.at >= v->seated_at && f.at <= c.at) {
        leads.push_back(static_cast<double>((c.at - f.at).count()) / 60000.0);
        break;
      }
    }
  }
  const auto ahead3 = std::count_if(leads.begin(), leads.end(), [](double l) { return l >= 3; });

  // The store's labels against the simulator's truth.
  std::map<std::string, bool> truth;
  for (int d = 0; d < a.days; ++d) {
    const std::int64_t day0 = kMonday18 + std::int64_t{24} * 3600 * 1000 * d;
    for (const auto& v : days[d].visits) {
      truth[v.table + "@" + std::to_string(day0 + v.seated_ms)] = v.ended_badly;
    }
  }
  std::size_t matched = 0;
  std::size_t agree = 0;
  for (const auto& v : held) {
    auto it = truth.find(v.id);
    if (it == truth.end()) continue;
    ++matched;
    agree += it->second == v.bad ? 1 : 0;
  }

  const Cost without = cost_of(o, days, a.train_days, a.days, std::nullopt);
  const Cost with = cost_of(o, days, a.train_days, a.days, kept.outcome.model);
  const auto per_event = [](const Cost& c) {
    return c.ns / static_cast<double>(std::max<std::size_t>(1, c.events)) / 1000.0;
  };
  // What the model adds, per look at the floor it adds to and per table it scores.
  const double extra_ns = with.ns - without.ns;
  const auto per_look = [&](const Cost& c) {
    return c.ns / static_cast<double>(std::max<std::uint64_t>(1, c.looks.looks)) / 1000.0;
  };
  std::cout << "\n| measure | result |\n| --- | --- |\n";
  std::cout << "| history | " << a.days << " evenings (seed " << a.seed
            << "); trained on the first " << a.train_days << " (" << kept.visits << " visits, "
            << model.train_samples << " snapshots), held out the last " << (a.days - a.train_days)
            << " (" << held.size() << " visits, " << samples.size() << " snapshots) |\n";
  std::cout << "| ROC AUC, held-out weeks | **" << fixed(m.auc) << "** |\n";
  std::cout << "| ROC AUC, same model on shuffled labels (floor) | " << fixed(floor_auc) << " |\n";
  std::cout << "| ROC AUC, the model's own validation window | " << fixed(model.validation.auc)
            << " |\n";
  std::cout << "| threshold (target precision " << fixed(PredictionSettings{}.target_precision, 1)
            << " on validation) | " << fixed(model.threshold) << " |\n";
  std::cout << "| snapshots: precision / recall at the threshold | " << fixed(m.precision) << " / "
            << fixed(m.recall) << " |\n";
  std::cout << "| visits: precision / recall of a flag | "
            << fixed(flagged == 0 ? 0 : static_cast<double>(flagged_bad) / flagged) << " / "
            << fixed(bad == 0 ? 0 : static_cast<double>(flagged_bad) / bad) << " (" << flagged
            << " flagged, " << bad << " ended badly) |\n";
  std::cout << "| course.slow cases flagged first / 3 min or more ahead | " << leads.size() << " / "
            << ahead3 << " of " << slow << " |\n";
  std::cout << "| median lead time, flag to course.slow | **" << fixed(median(leads), 1)
            << " min** |\n";
  std::cout << "| the store's labels agree with the simulator's truth | " << agree << " of "
            << matched << " visits |\n";
  std::cout << "| service per event, no model (reference) | " << fixed(per_event(without), 2)
            << " µs (" << without.events << " events, " << without.looks.looks
            << " looks at the floor) |\n";
  std::cout << "| service per event, model in use | " << fixed(per_event(with), 2) << " µs ("
            << with.looks.looks << " looks, " << with.looks.tables << " tables scored) |\n";
  std::cout << "| what the model adds, per table scored | "
            << fixed(extra_ns / static_cast<double>(std::max<std::uint64_t>(1, with.looks.tables)) /
                         1000.0,
                     2)
            << " µs |\n";
  std::cout << "| service per look at the floor, no model / model in use | "
            << fixed(per_look(without), 1) << " / " << fixed(per_look(with), 1) << " µs |\n";
  store.reset();
  fs::remove_all(templ);
  return 0;
}

}  // namespace
}  // namespace mend

int main(int argc, char** argv) {
  mend::Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--days") {
      a.days = std::stoi(value);
    } else if (flag == "--train-days") {
      a.train_days = std::stoi(value);
    } else if (flag == "--seed") {
      a.seed = std::stoull(value);
    } else {
      std::cerr << "usage: risk_benchmark [--days N] [--train-days N] [--seed N]\n";
      return 2;
    }
  }
  if (a.train_days < 1 || a.days <= a.train_days) {
    std::cerr << "risk_benchmark: --train-days must be at least 1 and below --days\n";
    return 2;
  }
  return mend::run(a);
}
