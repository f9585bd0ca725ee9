// The risk model: an L2-regularised logistic regression that says how likely a table's visit is
// to end badly, trained on the venue's own history (one Sample per past visit).
//
// Training is honest about time: the samples are put in order of when the visit started, the
// earliest part fits the model and the latest part (the validation window) only judges it, so
// the reported metrics are what the model would have done on visits it had not seen. Inputs are
// standardised with the training part's statistics alone for the same reason.
//
// Nothing here throws or reads a clock: bad input gives no model and a reason in plain words.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/time.hpp"

namespace mend::risk {

struct Sample {
  std::vector<double> x;  // one value per feature, in the features' order
  bool bad = false;       // the visit ended badly
  WallTime at;            // when the visit started: the order the split follows
};

struct TrainOptions {
  double l2 = 1.0;                 // ridge penalty on the standardised weights (not the bias)
  double validation_share = 0.25;  // the LATEST share of samples by `at`; never shuffled
  double target_precision = 0.5;   // the threshold: lowest score whose validation precision >= this
  std::size_t min_samples = 200;   // fewer: no model, with a reason
  std::size_t min_bad = 20;        // fewer bad (or good) in either part: no model, with a reason
  int max_iterations = 50;         // Newton steps; the last iterate stands if they run out
};

struct Metrics {
  double auc = 0;
  double log_loss = 0;   // mean negative log-likelihood, natural log
  double precision = 0;  // of the flagged visits, the share that ended badly (0 if none flagged)
  double recall = 0;     // of the bad visits, the share flagged (0 if none was bad)
  std::size_t samples = 0;
  std::size_t bad = 0;
};

struct Model {
  int version = 0;                    // set by the caller when stored
  std::vector<std::string> features;  // names, in x order
  std::vector<double> mean, scale;    // z = (x - mean) / scale (scale 1 for a constant feature),
                                      // within +-kMaxStandard
  std::vector<double> weights;        // on z
  double bias = 0;
  double threshold = 0.5;  // flag when score >= threshold
  WallTime trained_from, trained_to, validated_from, validated_to;
  std::size_t train_samples = 0;
  Metrics validation;  // at `threshold`, on the validation window

  // Feature i in standard units, held within kMaxStandard of the training mean: a linear model
  // knows nothing of values far outside what it learned from (a venue trained on evenings,
  // scored at one in the morning), and must not extrapolate them into certainty.
  static constexpr double kMaxStandard = 4.0;
  double standard(std::size_t i, double x) const {
    return std::clamp((x - mean[i]) / scale[i], -kMaxStandard, kMaxStandard);
  }
  // The probability (0..1) that the visit ends badly. An x of the wrong length or with a value
  // that is not finite scores 0, so it is never flagged.
  double score(std::span<const double> x) const;
  double score(const std::vector<double>& x) const { return score(std::span<const double>(x)); }
  // weights[i] * z_i: how much each feature pushed the logit, for "why". They sum to the logit
  // minus the bias. Empty for an x that score() would refuse.
  std::vector<double> contributions(std::span<const double> x) const;
  std::vector<double> contributions(const std::vector<double>& x) const {
    return contributions(std::span<const double>(x));
  }
  // x has one finite value per feature, as score() and contributions() need.
  bool readable(std::span<const double> x) const;
  // Times as RFC 3339 strings; every number finite.
  json::Value to_json() const;
  // Strict: every field present with the right type, no unknown field, the per-feature arrays
  // as long as `features`, numbers finite, scales positive. `error` (if given) names what is
  // wrong.
  static std::optional<Model> from_json(const json::Value& v, std::string* error);
};

struct Training {
  std::optional<Model> model;
  // Why there is no model, in plain words ("only 57 visits; 200 are needed"); empty with one.
  std::string reason;
  int iterations = 0;      // Newton steps taken
  bool converged = false;  // false: max_iterations ran out and the last iterate was kept
};

// Sorts the samples by `at` (stable), fits on the earliest (1 - validation_share), picks the
// threshold and reports metrics on the rest. Degenerate input gives no model and a reason.
Training train(const std::vector<Sample>& samples, const std::vector<std::string>& features,
               const TrainOptions& o);

// The metrics of any model on samples at `threshold` (to compare a new model with the previous
// one on the same validation window). Samples score() would refuse are left out.
Metrics evaluate(const Model& m, const std::vector<Sample>& samples, double threshold);

// The area under the ROC curve: the chance a bad visit scores above a good one, ties counting
// half. 0.5 when one class is missing or the lengths differ; NaN scores are left out.
double roc_auc(const std::vector<double>& scores, const std::vector<bool>& bad);

// The lowest score t such that the visits scoring >= t have precision >= target. If no score
// reaches the target, the lowest score among those with the best precision (so the flags are as
// trustworthy as this data allows, with the most recall at that precision). 1.0 when there is no
// score or no bad visit: nothing is worth flagging. NaN scores are left out.
double threshold_for_precision(const std::vector<double>& scores, const std::vector<bool>& bad,
                               double target);

}  // namespace mend::risk
