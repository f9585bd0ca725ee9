// The at-risk model end to end, on simulated weeks whose failures have causes the features can
// see (scripts/sim --causes): six weeks of evenings through the recovery service and a real
// SQLite store, the night's training, promotion, and then a week where tables under heavy
// kitchen load are flagged before their courses breach. A manual clock; the weeks play in
// seconds.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "adapters/store/risk_models.hpp"
#include "scripts/sim/venue_player.hpp"

namespace mend {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Monday 2026-11-02 18:00 UTC: service starts at 18:00, the venue on UTC.
constexpr std::int64_t kMonday18 = 1793642400000;
constexpr int kMonth = 42;  // six weeks: enough settled visits for a stable model
constexpr int kWeek = 5;    // then Monday to Friday with the model in use

class RiskMonth : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "mend-risk-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    store_ = Store::open(StoreOptions{(fs::path(dir_) / "mend.db").string(), true});
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  static sim::Options options() {
    sim::Options o;
    o.causes = true;
    o.seed = 11;
    o.start_wall_ms = kMonday18;
    return o;
  }
  static ServiceSettings settings(const sim::Options& o) {
    const std::string toml = "[venue]\nid = \"" + o.venue + "\"\n\n" + sim::config_snippet(o);
    ConfigResult r = parse_config(toml, "sim.toml");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    return ServiceSettings::from(r.config.value_or(Config{}));
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RiskMonth, AMonthTrainsAModelThatFlagsATableBeforeItsCourseBreaches) {
  const sim::Options o = options();
  const std::vector<sim::Service> days = sim::generate_days(o, kMonth + kWeek);
  const WallTime start = wall_from_ms(kMonday18);
  sim::VenuePlayer player(store_.get(), settings(o), 0ms, start);
  for (int d = 0; d < kMonth; ++d) {
    const WallTime evening = start + std::chrono::hours(24 * d);
    player.play(days[d].messages, evening, evening + 23h);
  }
  EXPECT_EQ(player.refused, 0U) << "the simulator's messages follow the contract";
  // Without a model nothing is flagged, whatever happens.
  EXPECT_TRUE(player.flags.empty());

  // The night's training, as mendd runs it, before the next evening.
  const WallTime night = start + std::chrono::hours(24 * kMonth) - 1h;
  player.advance_to(night);
  player.commit();
  PredictionSettings p;
  const KeptTraining kept = train_and_keep(*store_, p, night, "mend", "system");
  ASSERT_TRUE(kept.outcome.model) << kept.outcome.note;
  EXPECT_TRUE(kept.outcome.promoted) << kept.outcome.note;
  EXPECT_GT(kept.visits, 300U);
  const risk::Model& m = *kept.outcome.model;
  // Well above chance on the latest visits it never saw (docs/benchmarks.md has the held-out
  // figures and the shuffled-label floor).
  EXPECT_GE(m.validation.auc, 0.7) << kept.outcome.note;
  EXPECT_GE(m.validated_from, m.trained_to) << "validated on later visits than it trained on";
  std::string why;
  const auto in_use = promoted_model(*store_, why);
  ASSERT_TRUE(in_use) << why;
  EXPECT_EQ(in_use->version, kept.version);
  // A course fired into a busy kitchen, and a busy kitchen now, push the risk up, as the
  // simulator made them: an average table, but for the kitchen's load (and its crowding).
  const auto index = [&](std::string_view name) {
    const auto it = std::find(m.features.begin(), m.features.end(), name);
    EXPECT_NE(it, m.features.end()) << name << " is not a feature";
    return static_cast<std::size_t>(it - m.features.begin());
  };
  const auto with_load = [&](std::string_view load, std::string_view crowding, double courses) {
    std::vector<double> x = m.mean;
    x[index(load)] = courses;
    x[index(crowding)] = courses * courses / 10;
    return m.score(x);
  };
  EXPECT_GT(with_load("fired_load", "fired_crowding", 16),
            with_load("fired_load", "fired_crowding", 4));
  EXPECT_GT(with_load("kitchen_load", "kitchen_crowding", 16),
            with_load("kitchen_load", "kitchen_crowding", 4));

  // The next week, to its busy Friday, with the model in use.
  player.service().use_model(in_use, {});
  const std::size_t cases_before = player.cases.size();
  for (int d = kMonth; d < kMonth + kWeek; ++d) {
    const WallTime evening = start + std::chrono::hours(24 * d);
    player.play(days[d].messages, evening, evening + 23h);
  }
  // A slow course is flagged 3 minutes or more before its case opens, and under a heavy
  // kitchen the flag says so.
  int early = 0;
  int loaded = 0;
  for (std::size_t i = cases_before; i < player.cases.size(); ++i) {
    const sim::PlayedCase& c = player.cases[i];
    if (c.kind != CaseKind::kCourseSlow) continue;
    for (const auto& f : player.flags) {
      if (f.table == c.table && f.at <= c.at - 3min && f.at >= c.at - 60min) {
        ++early;
        if (f.reasons.find("kitchen at") != std::string::npos) ++loaded;
        break;
      }
    }
  }
  EXPECT_GE(early, 1) << "no slow course was flagged 3 minutes or more before it breached";
  EXPECT_GE(loaded, 1) << "no early flag named the kitchen's load";
}

TEST_F(RiskMonth, TooLittleHistoryLeavesTheModelOffAndSaysWhy) {
  const sim::Options o = options();
  const std::vector<sim::Service> days = sim::generate_days(o, 1);
  const WallTime start = wall_from_ms(kMonday18);
  sim::VenuePlayer player(store_.get(), settings(o), 0ms, start);
  player.play(days[0].messages, start, start + 30h);
  const KeptTraining kept =
      train_and_keep(*store_, PredictionSettings{}, start + 30h, "mend", "system");
  EXPECT_FALSE(kept.outcome.model);
  EXPECT_EQ(kept.version, 0);
  EXPECT_NE(kept.outcome.note.find("table-visits with a known outcome; 150 are needed"),
            std::string::npos)
      << kept.outcome.note;
  std::string why;
  EXPECT_FALSE(promoted_model(*store_, why));
  EXPECT_EQ(why, "no model has been trained yet");
}

}  // namespace
}  // namespace mend
