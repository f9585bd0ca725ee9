#include "core/risk_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace mend::risk {
namespace {

// The truth behind the synthetic visits: weights on standardised inputs, fed with features in
// their own units (minutes waited, courses, party size...) so the standardisation matters.
constexpr double kTrueBias = -1.0;
constexpr double kTrueWeights[] = {1.5, -1.0, 0.0, 0.7};
constexpr double kRawMean[] = {20.0, 4.0, 50.0, 2.0};
constexpr double kRawSd[] = {8.0, 1.5, 20.0, 0.5};
constexpr std::size_t kFeatureCount = 4;
constexpr std::int64_t kStartMs = 1'790'000'000'000;
constexpr std::int64_t kVisitGapMs = 10 * kMsPerMinute;

const std::vector<std::string> kFeatures = {"wait_minutes", "courses_served", "noise_level",
                                            "party_size"};

double true_probability(const std::vector<double>& z) {
  double logit = kTrueBias;
  for (std::size_t j = 0; j < kFeatureCount; ++j) logit += kTrueWeights[j] * z[j];
  return 1.0 / (1.0 + std::exp(-logit));
}

// n visits 10 minutes apart, labels drawn from the true logistic.
std::vector<Sample> synthetic(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Sample> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> z(kFeatureCount);
    Sample s;
    for (std::size_t j = 0; j < kFeatureCount; ++j) {
      z[j] = normal(rng);
      s.x.push_back(kRawMean[j] + kRawSd[j] * z[j]);
    }
    s.bad = unit(rng) < true_probability(z);
    s.at = wall_from_ms(kStartMs + static_cast<std::int64_t>(i) * kVisitGapMs);
    out.push_back(s);
  }
  return out;
}

Model trained(const std::vector<Sample>& samples, const TrainOptions& o = {}) {
  Training t = train(samples, kFeatures, o);
  EXPECT_TRUE(t.model.has_value()) << t.reason;
  return t.model.value_or(Model{});
}

// ---- training on visits with a known answer -------------------------------------------------

TEST(RiskModel, RecoversTheTrueWeightsFromSyntheticVisits) {
  const auto samples = synthetic(3000, 20261122);
  const Training t = train(samples, kFeatures, TrainOptions{});
  ASSERT_TRUE(t.model) << t.reason;
  EXPECT_TRUE(t.reason.empty());
  EXPECT_TRUE(t.converged);
  const Model& m = *t.model;
  EXPECT_EQ(m.features, kFeatures);
  ASSERT_EQ(m.weights.size(), kFeatureCount);
  for (std::size_t j = 0; j < kFeatureCount; ++j) {
    if (kTrueWeights[j] == 0) {
      EXPECT_LT(std::abs(m.weights[j]), 0.15) << kFeatures[j];
    } else {
      EXPECT_NEAR(m.weights[j], kTrueWeights[j], 0.3 * std::abs(kTrueWeights[j])) << kFeatures[j];
    }
  }
  EXPECT_NEAR(m.bias, kTrueBias, 0.3);
  // The standardisation is the raw units' (estimated from 2250 visits).
  for (std::size_t j = 0; j < kFeatureCount; ++j) {
    EXPECT_NEAR(m.mean[j], kRawMean[j], 0.1 * kRawSd[j]);
    EXPECT_NEAR(m.scale[j], kRawSd[j], 0.1 * kRawSd[j]);
  }

  EXPECT_EQ(m.train_samples, 2250u);
  EXPECT_EQ(m.validation.samples, 750u);
  EXPECT_GT(m.validation.auc, 0.75);
  // The threshold is chosen on the validation window, so its precision meets the target there.
  EXPECT_GE(m.validation.precision, TrainOptions{}.target_precision);
  EXPECT_GT(m.validation.recall, 0.5);
  EXPECT_GT(m.threshold, 0.0);
  EXPECT_LT(m.threshold, 1.0);
  EXPECT_GT(m.validation.log_loss, 0.0);
  EXPECT_LT(m.validation.log_loss, std::log(2.0));  // better than a coin
}

TEST(RiskModel, ValidatesOnTheLatestVisitsEvenWhenGivenOutOfOrder) {
  auto samples = synthetic(1000, 7);
  // The later visits have longer waits: the standardisation must come from the earlier ones.
  for (std::size_t i = 750; i < samples.size(); ++i) samples[i].x[0] += 30;
  double first_mean = 0;
  for (std::size_t i = 0; i < 750; ++i) first_mean += samples[i].x[0];
  first_mean /= 750;
  std::mt19937_64 rng(99);
  std::shuffle(samples.begin(), samples.end(), rng);

  const Model m = trained(samples);
  EXPECT_EQ(m.trained_from, wall_from_ms(kStartMs));
  EXPECT_EQ(m.trained_to, wall_from_ms(kStartMs + 749 * kVisitGapMs));
  EXPECT_EQ(m.validated_from, wall_from_ms(kStartMs + 750 * kVisitGapMs));
  EXPECT_EQ(m.validated_to, wall_from_ms(kStartMs + 999 * kVisitGapMs));
  EXPECT_GE(m.validated_from, m.trained_to);
  EXPECT_EQ(m.train_samples, 750u);
  EXPECT_EQ(m.validation.samples, 250u);
  EXPECT_NEAR(m.mean[0], first_mean, 1e-9);
}

TEST(RiskModel, ShuffledLabelsScoreNearChanceWhereTheRealOnesDoNot) {
  const auto samples = synthetic(3000, 20261122);
  auto shuffled = samples;
  std::vector<bool> labels;
  labels.reserve(samples.size());
  for (const auto& s : samples) labels.push_back(s.bad);
  std::mt19937_64 rng(4242);
  std::shuffle(labels.begin(), labels.end(), rng);
  for (std::size_t i = 0; i < shuffled.size(); ++i) shuffled[i].bad = labels[i];

  const Model real = trained(samples);
  const Model noise = trained(shuffled);
  EXPECT_GT(real.validation.auc, 0.75);
  EXPECT_LT(noise.validation.auc, 0.6);
  EXPECT_GT(noise.validation.auc, 0.4);
}

TEST(RiskModel, EvaluateReproducesTheValidationMetricsAndComparesModels) {
  const auto samples = synthetic(2000, 11);
  const Model m = trained(samples);
  const std::vector<Sample> window(samples.begin() + 1500, samples.end());
  const Metrics again = evaluate(m, window, m.threshold);
  EXPECT_DOUBLE_EQ(again.auc, m.validation.auc);
  EXPECT_DOUBLE_EQ(again.log_loss, m.validation.log_loss);
  EXPECT_DOUBLE_EQ(again.precision, m.validation.precision);
  EXPECT_DOUBLE_EQ(again.recall, m.validation.recall);
  EXPECT_EQ(again.samples, 500u);
  EXPECT_EQ(again.bad, m.validation.bad);

  // A model that knows nothing (all weights 0) on the same window: chance AUC, every visit
  // flagged at threshold 0, so recall 1 and precision the base rate.
  Model blank = m;
  std::fill(blank.weights.begin(), blank.weights.end(), 0.0);
  const Metrics b = evaluate(blank, window, 0.0);
  EXPECT_DOUBLE_EQ(b.auc, 0.5);
  EXPECT_DOUBLE_EQ(b.recall, 1.0);
  EXPECT_DOUBLE_EQ(b.precision, static_cast<double>(b.bad) / 500.0);
  EXPECT_LT(b.auc, again.auc);
}

TEST(RiskModel, AValueFarOutsideTheTrainingCountsNoMoreThanFourStandardUnits) {
  // Trained on evenings (hour 19.5 +- 0.5), scored at one in the morning: the hour alone must
  // not drive the score to nothing, whatever else is true of the table.
  Model m;
  m.features = {"hour", "load"};
  m.mean = {19.5, 5};
  m.scale = {0.5, 2};
  m.weights = {0.3, 1.0};
  m.bias = 0;
  const std::vector<double> late{1, 13};  // hour 37 units below; load 4 units above
  const std::vector<double> c = m.contributions(late);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_DOUBLE_EQ(c[0], -0.3 * Model::kMaxStandard);
  EXPECT_DOUBLE_EQ(c[1], 1.0 * Model::kMaxStandard);
  EXPECT_GT(m.score(late), 0.5);
}

TEST(RiskModel, ConstantFeatureGetsUnitScaleAndNoWeight) {
  auto samples = synthetic(1000, 3);
  for (auto& s : samples) s.x[2] = 12.5;
  const Model m = trained(samples);
  EXPECT_EQ(m.scale[2], 1.0);
  EXPECT_EQ(m.mean[2], 12.5);
  EXPECT_NEAR(m.weights[2], 0.0, 1e-9);
  EXPECT_GT(m.validation.auc, 0.75);
}

TEST(RiskModel, SeparableVisitsStillGiveTheLastIterateWhenIterationsRunOut) {
  // Every long wait ended badly, every short one well: no finite maximum without the penalty.
  std::vector<Sample> samples;
  for (int i = 0; i < 400; ++i) {
    const double wait = (i * 37) % 100;
    samples.push_back(Sample{.x = {wait, 1.0, 0.0, 2.0},
                             .bad = wait >= 50,
                             .at = wall_from_ms(kStartMs + i * kVisitGapMs)});
  }
  const Training t = train(samples, kFeatures, TrainOptions{.l2 = 0.01, .max_iterations = 3});
  ASSERT_TRUE(t.model) << t.reason;
  EXPECT_FALSE(t.converged);
  EXPECT_EQ(t.iterations, 3);
  EXPECT_GT(t.model->weights[0], 0.0);
  EXPECT_DOUBLE_EQ(t.model->validation.auc, 1.0);

  const Training full = train(samples, kFeatures, TrainOptions{.l2 = 0.01});
  ASSERT_TRUE(full.model) << full.reason;
  EXPECT_TRUE(std::isfinite(full.model->weights[0]));
  EXPECT_GT(full.model->weights[0], t.model->weights[0]);
}

// ---- the model's answers --------------------------------------------------------------------

TEST(RiskModel, ContributionsSumToTheLogitMinusTheBias) {
  const Model m = trained(synthetic(1000, 5));
  const std::vector<double> x = {35.0, 2.0, 60.0, 2.5};
  const auto c = m.contributions(x);
  ASSERT_EQ(c.size(), kFeatureCount);
  const double p = m.score(x);
  const double logit = std::log(p / (1 - p));
  EXPECT_NEAR(std::accumulate(c.begin(), c.end(), 0.0), logit - m.bias, 1e-9);
  EXPECT_GT(c[0], 0.0);  // a long wait pushes towards "bad"
  EXPECT_GT(c[1], 0.0);  // few courses served: below the mean, negative weight
  for (std::size_t j = 0; j < kFeatureCount; ++j) {
    EXPECT_DOUBLE_EQ(c[j], m.weights[j] * (x[j] - m.mean[j]) / m.scale[j]);
  }
}

TEST(RiskModel, WrongLengthOrNonFiniteInputScoresZero) {
  const Model m = trained(synthetic(1000, 5));
  EXPECT_EQ(m.score({1.0, 2.0}), 0.0);
  EXPECT_TRUE(m.contributions({1.0, 2.0}).empty());
  EXPECT_EQ(m.score({std::nan(""), 2.0, 3.0, 4.0}), 0.0);
}

TEST(RiskModel, JsonRoundTripGivesIdenticalScores) {
  const auto samples = synthetic(1000, 8);
  Model m = trained(samples);
  m.version = 7;
  const std::string text = json::dump(m.to_json());
  const auto parsed = json::parse(text);
  ASSERT_TRUE(parsed) << parsed.error.message;
  std::string error;
  const auto back = Model::from_json(*parsed.value, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->version, 7);
  EXPECT_EQ(back->features, m.features);
  EXPECT_EQ(back->threshold, m.threshold);
  EXPECT_EQ(back->trained_from, m.trained_from);
  EXPECT_EQ(back->validated_to, m.validated_to);
  EXPECT_EQ(back->train_samples, m.train_samples);
  EXPECT_EQ(back->validation.auc, m.validation.auc);
  EXPECT_EQ(back->validation.bad, m.validation.bad);
  for (const auto& s : samples) EXPECT_EQ(back->score(s.x), m.score(s.x));
  EXPECT_EQ(json::dump(back->to_json()), text);
}

TEST(RiskModel, FromJsonNamesWhatIsWrong) {
  const json::Value good = trained(synthetic(1000, 8)).to_json();
  const auto error_of = [](const json::Value& v) {
    std::string error;
    EXPECT_FALSE(Model::from_json(v, &error));
    return error;
  };

  json::Value missing = good;
  missing.as_object()->erase("bias");
  EXPECT_EQ(error_of(missing), "missing field 'bias'");

  json::Value short_weights = good;
  short_weights.as_object()->find("weights")->as_array()->pop_back();
  EXPECT_EQ(error_of(short_weights), "'weights' has 3 values; 'features' has 4");

  json::Value nested = good;
  nested.as_object()->find("validation")->as_object()->erase("auc");
  EXPECT_EQ(error_of(nested), "missing field 'validation.auc'");

  json::Value wrong_type = good;
  wrong_type.as_object()->set("mean", json::Value{"20"});
  EXPECT_EQ(error_of(wrong_type), "'mean' is not an array");

  json::Value bad_time = good;
  bad_time.as_object()->set("trained_to", json::Value{"yesterday"});
  EXPECT_EQ(error_of(bad_time), "'trained_to' is not an RFC 3339 time");

  json::Value zero_scale = good;
  (*zero_scale.as_object()->find("scale")->as_array())[1] = json::Value{0.0};
  EXPECT_EQ(error_of(zero_scale), "'scale'[1] is not positive");

  json::Value extra = good;
  extra.as_object()->set("momentum", json::Value{1});
  EXPECT_EQ(error_of(extra), "unknown field 'momentum'");

  EXPECT_EQ(error_of(json::Value{json::Array{}}), "the model is not a JSON object");
  EXPECT_FALSE(Model::from_json(missing, nullptr));  // no error wanted: still refused
}

// ---- degenerate input: no model, a reason ---------------------------------------------------

TEST(RiskModel, OneClassOnlyGivesNoModelAndSaysSo) {
  auto samples = synthetic(1000, 5);
  for (auto& s : samples) s.bad = false;
  Training t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "no visit in the training window ended badly");

  // Bad visits only in the earlier part: the validation window cannot judge a model.
  samples = synthetic(1000, 5);
  for (std::size_t i = 750; i < samples.size(); ++i) samples[i].bad = false;
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "no visit in the validation window ended badly");

  for (auto& s : samples) s.bad = true;
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "every visit in the training window ended badly");

  // A few, but fewer than min_bad.
  samples = synthetic(1000, 5);
  int kept = 0;
  for (std::size_t i = 750; i < samples.size(); ++i) {
    if (samples[i].bad && ++kept > 3) samples[i].bad = false;
  }
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "only 3 visits in the validation window ended badly; 20 are needed");
}

TEST(RiskModel, TooFewVisitsNamesTheCount) {
  const Training t = train(synthetic(57, 5), kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "only 57 visits; 200 are needed");
  EXPECT_EQ(train({}, kFeatures, TrainOptions{}).reason, "no visits yet; 200 are needed");
}

TEST(RiskModel, NonFiniteOrMissingValuesGiveAReason) {
  auto samples = synthetic(500, 5);
  samples[41].x[0] = std::numeric_limits<double>::quiet_NaN();
  Training t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "visit 42 of 500 has no finite value for 'wait_minutes'");

  samples = synthetic(500, 5);
  samples[9].x[3] = std::numeric_limits<double>::infinity();
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_EQ(t.reason, "visit 10 of 500 has no finite value for 'party_size'");

  samples = synthetic(500, 5);
  samples[3].x[1] = std::numeric_limits<double>::max();
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "the values of 'courses_served' are too large to standardise");

  samples = synthetic(500, 5);
  samples[0].x.pop_back();
  t = train(samples, kFeatures, TrainOptions{});
  EXPECT_FALSE(t.model);
  EXPECT_EQ(t.reason, "visit 1 of 500 has 3 values; 4 features are named");
}

TEST(RiskModel, NonsenseOptionsGiveAReason) {
  const auto samples = synthetic(500, 5);
  EXPECT_FALSE(train(samples, kFeatures, TrainOptions{.validation_share = 1.0}).model);
  EXPECT_FALSE(train(samples, kFeatures, TrainOptions{.l2 = -1}).model);
  EXPECT_FALSE(train(samples, kFeatures, TrainOptions{.max_iterations = 0}).model);
  EXPECT_EQ(train(samples, {}, TrainOptions{}).reason, "no features are named");
}

// ---- ROC AUC and the threshold on literal examples ------------------------------------------

TEST(RiskRocAuc, LiteralExamples) {
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.8, 0.9}, {true, true, false, false}), 0.0);
  // Of the four (bad, good) pairs, (0.35 vs 0.4) is the only one the wrong way round.
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}), 0.75);
  // All tied: every pair gets half credit.
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5, 0.5, 0.5}, {false, true, false, true}), 0.5);
  // One tie among six pairs: 5 wins and a half out of 6.
  EXPECT_DOUBLE_EQ(roc_auc({0.2, 0.6, 0.6, 0.9, 0.1}, {false, false, true, true, false}),
                   5.5 / 6.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.3, 0.7}, {true, true}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({}, {}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({0.3, 0.7}, {true}), 0.5);
}

TEST(RiskThreshold, LowestScoreWhosePrecisionReachesTheTarget) {
  // Flagging >= 0.9: 1/1, >= 0.8: 1/2, >= 0.7: 2/3, >= 0.6: 3/4, >= 0.5: 3/5, >= 0.4: 3/6.
  const std::vector<double> scores = {0.5, 0.9, 0.6, 0.8, 0.4, 0.7};
  const std::vector<bool> bad = {false, true, true, false, false, true};
  EXPECT_DOUBLE_EQ(threshold_for_precision(scores, bad, 0.7), 0.6);
  EXPECT_DOUBLE_EQ(threshold_for_precision(scores, bad, 0.6), 0.5);
  EXPECT_DOUBLE_EQ(threshold_for_precision(scores, bad, 0.8), 0.9);
  EXPECT_DOUBLE_EQ(threshold_for_precision(scores, bad, 0.5), 0.4);
  // Tied scores are flagged together: >= 0.5 is 1/2, >= 0.2 is 2/3.
  EXPECT_DOUBLE_EQ(threshold_for_precision({0.5, 0.5, 0.2}, {true, false, true}, 0.6), 0.2);
}

TEST(RiskThreshold, FallsBackToTheBestPrecisionWhenTheTargetIsOutOfReach) {
  // >= 0.9: 0/1, >= 0.8: 1/2, >= 0.7: 1/3; 0.6 is never reached, 0.8 comes closest.
  EXPECT_DOUBLE_EQ(threshold_for_precision({0.9, 0.8, 0.7}, {false, true, false}, 0.6), 0.8);
  // Nothing bad to find: flag nothing short of certainty.
  EXPECT_DOUBLE_EQ(threshold_for_precision({0.9, 0.8}, {false, false}, 0.5), 1.0);
  EXPECT_DOUBLE_EQ(threshold_for_precision({}, {}, 0.5), 1.0);
}

}  // namespace
}  // namespace mend::risk
