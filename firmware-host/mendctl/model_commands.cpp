#include "firmware-host/mendctl/model_commands.hpp"

#include <cstdio>
#include <iostream>
#include <string>

#include "adapters/store/risk_models.hpp"
#include "core/risk_features.hpp"
#include "firmware-host/mendctl/auth_commands.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {
namespace {

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

int model_train(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("model train takes no arguments");
  try {
    // The venue's [prediction] settings when there is a config to read them from.
    PredictionSettings settings;
    if (p.flags.find("store") == p.flags.end()) {
      settings = command_config(p).prediction;
    }
    auto store = open_store_file(p);
    const WallTime now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    const KeptTraining kept = train_and_keep(*store, settings, now, command_actor(), "system");
    store->commit();
    std::cout << "model: pruned " << kept.pruned << " settled visits older than the window\n";
    std::cout << "model: " << kept.visits << " settled visits read; " << kept.outcome.note << '\n';
    if (kept.version > 0) {
      std::cout << "model: version " << kept.version << " kept"
                << (kept.outcome.promoted ? ", promoted" : ", not promoted") << '\n';
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

int model_show(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("model show takes no arguments");
  try {
    auto store = open_store_file(p);
    std::string why;
    const auto model = promoted_model(*store, why);
    if (!model) {
      std::cout << "model: none in use: " << why << '\n';
    } else {
      std::cout << "model: version " << model->version << " in use; validation AUC "
                << fixed(model->validation.auc) << ", precision "
                << fixed(model->validation.precision) << ", recall "
                << fixed(model->validation.recall) << " at threshold " << fixed(model->threshold)
                << '\n';
      for (std::size_t i = 0; i < model->features.size() && i < model->weights.size(); ++i) {
        std::cout << "  " << model->features[i] << ' ' << fixed(model->weights[i]) << '\n';
      }
    }
    for (const ModelRow& r : store->model_rows(20)) {
      std::cout << "version " << r.version << ' ' << format_rfc3339(r.trained_at)
                << (r.promoted ? " promoted: " : " kept: ") << r.note << '\n';
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

}  // namespace mend::mendctl
