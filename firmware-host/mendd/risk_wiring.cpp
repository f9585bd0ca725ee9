// The at-risk model's wiring: the store keeps the models (adapters/store/risk_models.hpp), the
// recovery service scores the floor with the one in use.
#include <spdlog/spdlog.h>

#include "adapters/store/risk_models.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {

void Daemon::start_model() {
  // A box with history and no model yet (new, or just updated) trains at once.
  if (std::string why; !load_model(why)) train_model(clock_.now());
}

bool Daemon::load_model(std::string& why) {
  std::optional<risk::Model> model;
  try {
    model = promoted_model(*store_, why);
  } catch (const StoreError& e) {
    why = e.what();
  }
  if (!model) return false;
  spdlog::info("at-risk model version {} in use (validation AUC {:.3f})", model->version,
               model->validation.auc);
  service_.use_model(std::move(model), {});
  return true;
}

void Daemon::train_model(Now now) {
  try {
    KeptTraining kept = train_and_keep(*store_, config_.prediction, now.wall, "mend", "system");
    schedule_commit();  // the audit record
    spdlog::info("at-risk model: pruned {} settled visits older than the window; {} read; {}",
                 kept.pruned, kept.visits, kept.outcome.note);
    if (kept.outcome.promoted) {
      service_.use_model(std::move(kept.outcome.model), {});
    } else if (!service_.model()) {
      service_.use_model(std::nullopt, kept.outcome.note);
    }
  } catch (const StoreError& e) {
    spdlog::warn("at-risk model: training failed, the model in use stays: {}", e.what());
  }
}

}  // namespace mend
