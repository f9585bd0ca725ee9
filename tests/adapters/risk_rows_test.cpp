// The at-risk model's rows in a real SQLite store: table-visits upserted by id and read back by
// window and settledness, models kept as versions with the newest promoted one in use, old
// visits pruned, and an erased guest's visits renamed.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "adapters/store/risk_models.hpp"
#include "core/erasure.hpp"
#include "tests/adapters/run_command.hpp"

namespace mend {
namespace {

namespace fs = std::filesystem;
using testing::Ran;
using testing::run;
using namespace std::chrono_literals;

constexpr std::int64_t kDay0 = 1793642400000;  // Monday 2026-11-02 18:00Z

risk::Visit visit(const std::string& table, int day, bool settled, bool bad) {
  risk::Visit v;
  v.table = table;
  v.area = "terrace";
  v.customer = "cust-" + table;
  v.seated_at = wall_from_ms(kDay0) + std::chrono::hours(24 * day);
  v.id = table + "@" + std::to_string(to_ms(v.seated_at));
  v.ended = v.seated_at + 90min;
  risk::Features x{};
  x[1] = 0.5 + day;
  v.snapshots.push_back(risk::Snapshot{v.seated_at + 10min, x});
  v.bad = bad;
  v.outcome = bad ? "table.course_slow" : "";
  v.settled = settled;
  return v;
}

risk::Model a_model(double bias) {
  risk::Model m;
  m.features = risk::feature_names();
  m.mean.assign(m.features.size(), 0.0);
  m.scale.assign(m.features.size(), 1.0);
  m.weights.assign(m.features.size(), 0.0);
  m.bias = bias;
  return m;
}

class RiskRows : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "mend-risk-rows-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    store_ = Store::open({dir_ + "/mend.db", true});
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(RiskRows, VisitsAreUpsertedByIdAndReadByWindowAndSettledness) {
  store_->stage_visit(visit("T1", 0, true, true));
  store_->stage_visit(visit("T2", 1, true, false));
  store_->stage_visit(visit("T3", 2, false, false));
  EXPECT_EQ(store_->commit().visits, 3U);
  // The same visit again replaces its row.
  risk::Visit later = visit("T3", 2, false, false);
  later.bad = true;
  later.outcome = "survey 1";
  store_->stage_visit(later);
  store_->commit();

  const WallTime from = wall_from_ms(kDay0);
  const auto settled = store_->load_visits(true, from, from + 72h);
  ASSERT_EQ(settled.size(), 2U);
  EXPECT_EQ(settled[0], visit("T1", 0, true, true)) << "a visit reads back as it was written";
  EXPECT_EQ(settled[1].table, "T2");
  EXPECT_EQ(store_->load_visits(true, from + 1h, from + 72h).size(), 1U) << "the window's start";
  const auto open = store_->load_visits(false, WallTime{}, WallTime::max());
  ASSERT_EQ(open.size(), 1U);
  EXPECT_EQ(open[0].outcome, "survey 1");

  EXPECT_EQ(store_->prune_visits(from + 24h), 1U) << "settled visits before the cut go";
  EXPECT_EQ(store_->prune_visits(from + 96h), 1U) << "a visit not yet settled stays";
  EXPECT_EQ(store_->load_visits(false, WallTime{}, WallTime::max()).size(), 1U);
}

TEST_F(RiskRows, TheNewestPromotedModelIsTheOneInUse) {
  std::string why;
  EXPECT_FALSE(promoted_model(*store_, why));
  EXPECT_EQ(why, "no model has been trained yet");

  const WallTime t = wall_from_ms(kDay0);
  EXPECT_EQ(store_->add_model(json::dump(a_model(-1).to_json()), true, "first", t), 1);
  EXPECT_EQ(store_->add_model(json::dump(a_model(-2).to_json()), false, "worse", t + 24h), 2);
  auto m = promoted_model(*store_, why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->version, 1) << "a model not promoted is kept but not used";
  EXPECT_DOUBLE_EQ(m->bias, -1);
  EXPECT_EQ(store_->add_model(json::dump(a_model(-3).to_json()), true, "better", t + 48h), 3);
  m = promoted_model(*store_, why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->version, 3);

  const auto rows = store_->model_rows(10);
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].version, 3);
  EXPECT_EQ(rows[1].note, "worse");
  EXPECT_FALSE(rows[1].promoted);

  // A promoted row that no longer reads is named, not used.
  store_->add_model("{\"features\": 3}", true, "broken", t + 72h);
  EXPECT_FALSE(promoted_model(*store_, why));
  EXPECT_NE(why.find("model version 4 does not read"), std::string::npos) << why;

  // A model an older build trained on fewer features cannot score this build's tables: it is
  // named and not used, and the next training starts afresh.
  risk::Model older = a_model(-5);
  for (auto* v : {&older.mean, &older.scale, &older.weights}) v->pop_back();
  older.features.pop_back();
  store_->add_model(json::dump(older.to_json()), true, "older", t + 96h);
  EXPECT_FALSE(promoted_model(*store_, why));
  EXPECT_EQ(why,
            "model version 5 was trained on another set of features; the next training "
            "replaces it");
}

TEST_F(RiskRows, TrainingWithTooLittleHistoryKeepsNoModelAndChangesNothing) {
  for (int d = 0; d < 5; ++d) store_->stage_visit(visit("T" + std::to_string(d), d, true, d % 2));
  store_->commit();
  const KeptTraining kept =
      train_and_keep(*store_, PredictionSettings{}, wall_from_ms(kDay0) + 240h, "mend", "system");
  store_->commit();
  EXPECT_FALSE(kept.outcome.model);
  EXPECT_EQ(kept.visits, 5U);
  EXPECT_EQ(kept.outcome.note,
            "no model: only 5 table-visits with a known outcome; 150 are needed");
  EXPECT_TRUE(store_->model_rows(10).empty());
  EXPECT_TRUE(store_->audit(1).empty()) << "nothing changed, so nothing is audited";
}

TEST_F(RiskRows, AnErasedGuestsVisitsAreRenamed) {
  store_->stage_visit(visit("T1", 0, true, true));
  store_->commit();
  GuestErasure e;
  e.id = "cust-T1";
  e.ref = "g1";
  e.pseudonym = "erased-g1";
  store_->stage_erasure(e);
  store_->commit();
  const auto rows = store_->load_visits(true, WallTime{}, WallTime::max());
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].customer, "erased-g1");
}

// 400 settled visits over the 40 days before today, in which a busy kitchen is what goes wrong.
void busy_kitchen_history(Store& store) {
  // mendctl trains on the real clock's window, so the visits are placed before today.
  const WallTime today = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> load(0, 20);
  std::uniform_real_distribution<double> chance(0, 1);
  for (int i = 0; i < 400; ++i) {
    risk::Visit v = visit("T" + std::to_string(i % 20), i / 10, true, false);
    v.seated_at = today - std::chrono::hours(24 * 41) + std::chrono::hours(24 * (i / 10)) +
                  std::chrono::minutes(i % 10);
    v.id += "-" + std::to_string(i);
    v.snapshots.clear();
    const double kitchen = load(rng);
    for (int k = 0; k < 3; ++k) {
      risk::Features x{};
      x.at(static_cast<std::size_t>(risk::Feature::kKitchenLoad)) = kitchen;
      x.at(static_cast<std::size_t>(risk::Feature::kParty)) = 2 + k;
      v.snapshots.push_back(risk::Snapshot{v.seated_at + std::chrono::minutes(5 * k), x});
    }
    v.bad = chance(rng) < (kitchen > 10 ? 0.8 : 0.1);
    store.stage_visit(v);
  }
  store.commit();
}

TEST_F(RiskRows, MendctlTrainsOnTheStoreAndShowsTheModel) {
  busy_kitchen_history(*store_);
  // Two settled visits from before the 90-day window, which training deletes first.
  const WallTime today = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  for (int i = 0; i < 2; ++i) {
    risk::Visit old = visit("T" + std::to_string(i), 0, true, false);
    old.id = "old-" + std::to_string(i);
    old.seated_at = today - std::chrono::hours(24 * 100);
    old.ended = old.seated_at + 90min;
    old.snapshots.clear();
    store_->stage_visit(old);
  }
  store_->commit();
  store_.reset();
  const std::string mendctl = std::string(MEND_MENDCTL) + " ";
  const std::string at = " --store " + dir_ + "/mend.db";
  Ran show = run(mendctl + "model show" + at);
  EXPECT_EQ(show.code, 0) << show.out;
  EXPECT_NE(show.out.find("model: none in use: no model has been trained yet"), std::string::npos)
      << show.out;

  Ran first = run(mendctl + "model train" + at);
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("pruned 2 settled visits older than the window"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("400 settled visits read"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("version 1 kept, promoted"), std::string::npos) << first.out;
  show = run(mendctl + "model show" + at);
  EXPECT_NE(show.out.find("model: version 1 in use; validation AUC 0."), std::string::npos)
      << show.out;
  // The busy kitchen weighs most, and pushes the risk up.
  const std::size_t line = show.out.find("  kitchen_load ");
  ASSERT_NE(line, std::string::npos) << show.out;
  EXPECT_NE(show.out[line + 15], '-') << show.out;

  // Trained again on the same visits, the new model does as well on the same window.
  Ran second = run(mendctl + "model train" + at);
  EXPECT_NE(second.out.find("promoted over version 1"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("pruned 0 settled"), std::string::npos) << second.out;
  EXPECT_EQ(run(mendctl + "model train now" + at).code, 2) << "no arguments";

  store_ = Store::open({dir_ + "/mend.db", false});
  const auto audit = store_->audit(5);
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[0].action, "model.train");
  EXPECT_EQ(audit[0].target, "v2");
  EXPECT_EQ(audit[0].actor.rfind("mendctl:", 0), 0U) << audit[0].actor;
}

}  // namespace
}  // namespace mend
