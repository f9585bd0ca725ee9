// GET /api/v1/risk/model: the at-risk model for the manager's page. What it was trained on, how
// it did on the visits it had not seen, what each feature weighs, and every version kept.
#include "core/risk_features.hpp"
#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

json::Value model_json(const risk::Model& m) {
  json::Object o;
  o.append("version", static_cast<std::int64_t>(m.version));
  o.append("trained_from", format_rfc3339(m.trained_from));
  o.append("trained_to", format_rfc3339(m.trained_to));
  o.append("validated_from", format_rfc3339(m.validated_from));
  o.append("validated_to", format_rfc3339(m.validated_to));
  o.append("train_samples", static_cast<std::int64_t>(m.train_samples));
  o.append("threshold", m.threshold);
  json::Object v;
  v.append("auc", m.validation.auc);
  v.append("log_loss", m.validation.log_loss);
  v.append("precision", m.validation.precision);
  v.append("recall", m.validation.recall);
  v.append("samples", static_cast<std::int64_t>(m.validation.samples));
  v.append("bad", static_cast<std::int64_t>(m.validation.bad));
  o.append("validation", std::move(v));
  json::Array features;
  for (std::size_t i = 0; i < m.features.size() && i < m.weights.size(); ++i) {
    json::Object f;
    f.append("name", m.features[i]);
    std::string description;
    for (const auto& info : risk::feature_info()) {
      if (info.name == m.features[i]) description = std::string(info.description);
    }
    f.append("description", description);
    f.append("weight", m.weights[i]);
    features.emplace_back(std::move(f));
  }
  o.append("features", std::move(features));
  return o;
}

}  // namespace

Response risk_model(const Request&, const Params& p, const Caller&, const HandlerContext& ctx) {
  if (auto no = only_params(p, {})) return *no;
  const RiskModelView view = ctx.risk_model ? ctx.risk_model() : RiskModelView{};
  json::Object o;
  o.append("status", view.model != nullptr ? "on" : "off");
  o.append("reason", view.model != nullptr ? std::string() : view.off_reason);
  o.append("model", view.model != nullptr ? model_json(*view.model) : json::Value(nullptr));
  json::Array versions;
  for (const auto& v : view.versions) {
    json::Object one;
    one.append("version", v.version);
    one.append("trained_at", format_rfc3339(v.trained_at));
    one.append("promoted", v.promoted);
    one.append("note", v.note);
    versions.emplace_back(std::move(one));
  }
  o.append("versions", std::move(versions));
  return json_response(http::status::ok, json::Value(std::move(o)));
}

}  // namespace mend::web::handlers
