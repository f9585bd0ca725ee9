// `mendctl model train|show`: the at-risk model (adapters/store/risk_models.hpp). Training here
// is the same as mendd's nightly one; a running mendd uses a model promoted here after its next
// reload (SIGHUP) or start.
#pragma once

#include <span>
#include <string_view>

namespace mend::mendctl {

int model_train(std::span<const std::string_view> args);
int model_show(std::span<const std::string_view> args);

}  // namespace mend::mendctl
