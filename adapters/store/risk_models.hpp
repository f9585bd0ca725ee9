// The at-risk model's life in the store: the night's training reads the settled visits of the
// window, trains (core/risk_training.hpp) and keeps the model, promoted or not, as a new
// version; the daemon uses the newest promoted one. mendd and `mendctl model train` share it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/store/store.hpp"
#include "core/config.hpp"
#include "core/risk_training.hpp"

namespace mend {

struct KeptTraining {
  risk::TrainingOutcome outcome;
  std::int64_t version = 0;  // the model's version in the store; 0 when there is no model
  std::size_t visits = 0;    // settled visits read
  std::size_t pruned = 0;    // settled visits older than the window, deleted first
};

// Deletes the settled visits older than the window, trains on those settled in
// [now - window, now) and keeps the result; stages the audit
// record `model.train` by `actor` (the caller commits it). Throws StoreError when the store
// cannot be read or written.
KeptTraining train_and_keep(Store& store, const PredictionSettings& settings, WallTime now,
                            const std::string& actor, const std::string& role);

// The newest promoted model, or nullopt with the reason in `why` (none yet, or unreadable).
std::optional<risk::Model> promoted_model(Store& store, std::string& why);

}  // namespace mend
