#include "core/risk_training.hpp"

#include <algorithm>
#include <cstdio>

namespace mend::risk {
namespace {

std::string fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<Sample> samples_of(const std::vector<Visit>& settled) {
  std::vector<Sample> out;
  for (const auto& v : settled) {
    for (const auto& s : v.snapshots) {
      out.push_back(Sample{std::vector<double>(s.x.begin(), s.x.end()), v.bad, v.seated_at});
    }
  }
  return out;
}

TrainingOutcome train_from_visits(const std::vector<Visit>& settled,
                                  const std::optional<Model>& current, const TrainOptions& o,
                                  std::size_t min_visits) {
  TrainingOutcome out;
  if (settled.size() < min_visits) {
    out.note = "no model: only " + std::to_string(settled.size()) +
               " table-visits with a known outcome; " + std::to_string(min_visits) + " are needed";
    return out;
  }
  const std::vector<Sample> samples = samples_of(settled);
  Training t = train(samples, feature_names(), o);
  if (!t.model) {
    out.note = "no model: " + t.reason;
    return out;
  }
  Model& m = *t.model;
  const std::string trained = "trained on " + std::to_string(m.train_samples) +
                              " snapshots; validation AUC " + fixed(m.validation.auc);
  if (!current) {
    out.promoted = true;
    out.note = trained + "; the first model, promoted";
  } else if (current->features != m.features) {
    out.promoted = true;
    out.note = trained + "; the features changed since the model in use, promoted";
  } else {
    // The model in use, judged on the new model's validation window.
    std::vector<Sample> validation;
    for (const auto& s : samples) {
      if (s.at >= m.validated_from) validation.push_back(s);
    }
    // Both judged on exactly the same samples (a visit seated at the window's first instant
    // may have trained the new model: it counts for both or neither).
    const Metrics before = evaluate(*current, validation, current->threshold);
    const Metrics after = evaluate(m, validation, m.threshold);
    out.promoted = after.auc >= before.auc;
    out.note = trained + (out.promoted ? "; promoted over version " : "; not promoted: version ") +
               std::to_string(current->version) + " scores " + fixed(before.auc) + " against " +
               fixed(after.auc) + " on the same window";
  }
  out.model = std::move(m);
  return out;
}

}  // namespace mend::risk
