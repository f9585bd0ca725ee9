// Training the at-risk model on the venue's own history, and deciding whether the new model
// goes live. Pure: the host reads the settled visits from the store and keeps the outcome.
//
// Samples. Every snapshot of a settled visit is one sample, labelled with how the visit ended,
// and dated by the visit's seating: the time split then keeps all of a visit on one side, so
// the validation window holds only visits the model never saw.
//
// Promotion. A new model goes live only when it does at least as well (ROC AUC) as the model in
// use on the new model's own validation window: the latest visits, which neither model trained
// on unless the old one is older than them. A model worse than the one it would replace is
// kept, with the reason, and not used. With too little history there is no model at all, and
// the reason says what is missing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/risk_model.hpp"
#include "core/risk_tracker.hpp"
#include "core/time.hpp"

namespace mend::risk {

// A seated table's risk under the model in use (core/risk_model.hpp). A flag is the Floor
// employee's heads-up, not a case: it suggests what to do before the table breaches and never
// acts by itself; a case on the table takes its place.
struct TableRisk {
  double score = 0;        // 0..1, the chance the visit ends badly
  bool flagged = false;    // at or above the model's threshold
  std::string reasons;     // the top reasons, in plain words
  std::string suggestion;  // a pre-emptive action, for a flagged table
  std::optional<WallTime> flagged_since;
  std::optional<WallTime> told_at;  // when `reasons` were last put into words
};

// A model as the store keeps it, for the manager's page: the JSON stays in the store.
struct ModelVersion {
  std::int64_t version = 0;
  WallTime trained_at;
  bool promoted = false;
  std::string note;  // why it was or was not promoted
};

std::vector<Sample> samples_of(const std::vector<Visit>& settled);

struct TrainingOutcome {
  std::optional<Model> model;  // nullopt: too little (or degenerate) history
  bool promoted = false;
  std::string note;  // plain words: what was trained, and why it was or was not promoted
};

// `min_visits`: fewer settled visits than this give no model.
TrainingOutcome train_from_visits(const std::vector<Visit>& settled,
                                  const std::optional<Model>& current, const TrainOptions& o,
                                  std::size_t min_visits);

}  // namespace mend::risk
