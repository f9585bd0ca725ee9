#include "core/risk_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string_view>
#include <utility>

// Eigen rather than hand-written numerics: it is well kept, header-only (nothing new to link or
// ship, no I/O), and the Newton step is one robust LDLT solve instead of our own factorisation
// with its own pivoting and rounding bugs.
#include <Eigen/Dense>

namespace mend::risk {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// A feature whose training spread is below this (relative to its size) is constant: scale 1,
// so z is 0 on the training part and its weight stays at 0.
constexpr double kConstantSpread = 1e-12;
// Weights settle when a Newton step moves none of them by more than this (relative).
constexpr double kStepTolerance = 1e-10;
// IRLS weights p(1-p) are floored so a nearly separated sample cannot make the Hessian lose
// the bias direction to underflow.
constexpr double kMinCurvature = 1e-12;
// Step halvings before a Newton step is judged to make no progress.
constexpr int kMaxHalvings = 40;
// Scores are clamped this far from 0 and 1 in the log loss, so one confident miss is large
// but finite.
constexpr double kLogLossClamp = 1e-15;

double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

// log(1 + e^t) without overflow.
double softplus(double t) { return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t))); }

bool all_finite(std::span<const double> v) {
  return std::all_of(v.begin(), v.end(), [](double d) { return std::isfinite(d); });
}

// Messages are built by appending, not `"literal" + std::string`: GCC 12 at -O3 reports a
// false -Wrestrict overlap for that form.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

std::string count_text(std::size_t n) { return std::to_string(n); }

// "only 3 visits in the training window ended badly; 20 are needed", or the "no visit" form.
std::string too_few(std::size_t have, std::size_t need, std::string_view window,
                    std::string_view ended) {
  if (have == 0) {
    return cat({"no visit in the ", window, " window ended ", ended});
  }
  return cat({"only ", count_text(have), have == 1 ? " visit" : " visits", " in the ", window,
              " window ended ", ended, "; ", count_text(need), " are needed"});
}

// Why the two parts cannot train or judge a model, or "".
std::string class_problem(std::size_t bad, std::size_t total, std::size_t min_bad,
                          std::string_view window) {
  const std::size_t good = total - bad;
  if (bad == 0 || bad < min_bad) return too_few(bad, min_bad, window, "badly");
  if (good == 0) return cat({"every visit in the ", window, " window ended badly"});
  if (good < min_bad) return too_few(good, min_bad, window, "well");
  return "";
}

// The penalised negative log-likelihood the Newton steps minimise.
double objective(const MatrixXd& x, const VectorXd& y, const VectorXd& penalty,
                 const VectorXd& beta) {
  const VectorXd eta = x * beta;
  double f = 0;
  for (Index i = 0; i < eta.size(); ++i) f += softplus(eta(i)) - y(i) * eta(i);
  return f + 0.5 * penalty.dot(beta.cwiseProduct(beta));
}

struct Fit {
  VectorXd beta;  // bias first, then the weights on z
  int iterations = 0;
  bool converged = false;
};

// Newton's method (IRLS) on the penalised log-likelihood: each step solves
// (X^T W X + λI') Δ = X^T (y - p) - λI' β, I' the identity without the bias, and is halved
// until the objective does not rise, so a near-separable start cannot overshoot.
Fit fit(const MatrixXd& x, const VectorXd& y, double l2, int max_iterations) {
  const Index k = x.cols();
  // The bias is not shrunk: the base rate is not something to doubt. (Built as expressions:
  // GCC 12 reports a false null dereference for an element write into a fresh VectorXd.)
  const VectorXd penalty = l2 * (VectorXd::Ones(k) - VectorXd::Unit(k, 0));

  Fit out;
  const double rate = y.mean();  // both classes are present, so 0 < rate < 1
  out.beta = std::log(rate / (1 - rate)) * VectorXd::Unit(k, 0);  // start at the base rate
  double f = objective(x, y, penalty, out.beta);

  while (out.iterations < max_iterations) {
    ++out.iterations;
    const VectorXd eta = x * out.beta;
    VectorXd p(eta.size());
    VectorXd w(eta.size());
    for (Index i = 0; i < eta.size(); ++i) {
      p(i) = sigmoid(eta(i));
      w(i) = std::max(p(i) * (1 - p(i)), kMinCurvature);
    }
    const VectorXd g = x.transpose() * (y - p) - penalty.cwiseProduct(out.beta);
    MatrixXd h = x.transpose() * w.asDiagonal() * x;
    h.diagonal() += penalty;
    const Eigen::LDLT<MatrixXd> ldlt(h);
    if (ldlt.info() != Eigen::Success) break;
    const VectorXd step = ldlt.solve(g);
    if (!step.allFinite()) break;

    double t = 1;
    bool moved = false;
    for (int halving = 0; halving <= kMaxHalvings; ++halving, t /= 2) {
      const VectorXd candidate = out.beta + t * step;
      const double fc = objective(x, y, penalty, candidate);
      if (std::isfinite(fc) && fc <= f) {
        out.beta = candidate;
        f = fc;
        moved = true;
        break;
      }
    }
    const double size = t * step.lpNorm<Eigen::Infinity>();
    if (!moved || size <= kStepTolerance * (1 + out.beta.lpNorm<Eigen::Infinity>())) {
      out.converged = true;  // no step improves the objective: this is the minimum
      break;
    }
  }
  return out;
}

// ---- JSON -----------------------------------------------------------------------------------

json::Value number_array(const std::vector<double>& v) {
  json::Array a;
  a.reserve(v.size());
  for (double d : v) a.emplace_back(d);
  return json::Value{std::move(a)};
}

json::Value metrics_to_json(const Metrics& m) {
  json::Object o;
  o.set("auc", m.auc);
  o.set("log_loss", m.log_loss);
  o.set("precision", m.precision);
  o.set("recall", m.recall);
  o.set("samples", static_cast<std::int64_t>(m.samples));
  o.set("bad", static_cast<std::int64_t>(m.bad));
  return json::Value{std::move(o)};
}

// Reads an object's fields strictly, remembering the first problem.
class Reader {
 public:
  Reader(const json::Object& o, std::string prefix) : o_(o), prefix_(std::move(prefix)) {}

  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  // The error for a field the object has but no reader asked for.
  void refuse_unknown(const std::vector<std::string_view>& known) {
    for (const auto& [key, value] : o_) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        fail(cat({"unknown field '", prefix_, key, "'"}));
      }
    }
  }

  void number(std::string_view key, double& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const auto d = v->as_double();
    if (!d || !std::isfinite(*d)) return fail(cat({"'", name(key), "' is not a finite number"}));
    out = *d;
  }

  void count(std::string_view key, std::size_t& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const auto i = v->as_int();
    if (!i || *i < 0) return fail(cat({"'", name(key), "' is not a whole number >= 0"}));
    out = static_cast<std::size_t>(*i);
  }

  void integer(std::string_view key, int& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const auto i = v->as_int();
    if (!i || *i < std::numeric_limits<int>::min() || *i > std::numeric_limits<int>::max()) {
      return fail(cat({"'", name(key), "' is not an integer"}));
    }
    out = static_cast<int>(*i);
  }

  void time(std::string_view key, WallTime& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const std::string* s = v->as_string();
    const auto t = s != nullptr ? parse_rfc3339(*s) : std::nullopt;
    if (!t) return fail(cat({"'", name(key), "' is not an RFC 3339 time"}));
    out = *t;
  }

  void numbers(std::string_view key, std::vector<double>& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const json::Array* a = v->as_array();
    if (a == nullptr) return fail(cat({"'", name(key), "' is not an array"}));
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto d = (*a)[i].as_double();
      if (!d || !std::isfinite(*d)) {
        return fail(cat({"'", name(key), "'[", std::to_string(i), "] is not a finite number"}));
      }
      out.push_back(*d);
    }
  }

  void strings(std::string_view key, std::vector<std::string>& out) {
    const json::Value* v = field(key);
    if (v == nullptr) return;
    const json::Array* a = v->as_array();
    if (a == nullptr) return fail(cat({"'", name(key), "' is not an array"}));
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string* s = (*a)[i].as_string();
      if (s == nullptr) {
        return fail(cat({"'", name(key), "'[", std::to_string(i), "] is not a string"}));
      }
      out.push_back(*s);
    }
  }

  const json::Object* object(std::string_view key) {
    const json::Value* v = field(key);
    if (v == nullptr) return nullptr;
    const json::Object* o = v->as_object();
    if (o == nullptr) fail(cat({"'", name(key), "' is not an object"}));
    return o;
  }

  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }

 private:
  std::string name(std::string_view key) const { return prefix_ + std::string(key); }

  const json::Value* field(std::string_view key) {
    if (!ok()) return nullptr;
    const json::Value* v = o_.find(key);
    if (v == nullptr) fail(cat({"missing field '", name(key), "'"}));
    return v;
  }

  const json::Object& o_;
  std::string prefix_;
  std::string error_;
};

}  // namespace

// ---- the model ------------------------------------------------------------------------------

bool Model::readable(std::span<const double> x) const {
  return x.size() == weights.size() && mean.size() == weights.size() &&
         scale.size() == weights.size() && all_finite(x);
}

double Model::score(std::span<const double> x) const {
  // Scored on every look at the floor, for every seated table: no allocation.
  if (!readable(x)) return 0;
  double logit = bias;
  for (std::size_t i = 0; i < x.size(); ++i) logit += weights[i] * standard(i, x[i]);
  return std::isfinite(logit) ? sigmoid(logit) : 0;
}

std::vector<double> Model::contributions(std::span<const double> x) const {
  if (!readable(x)) return {};
  std::vector<double> c(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) c[i] = weights[i] * standard(i, x[i]);
  return c;
}

json::Value Model::to_json() const {
  json::Object o;
  o.set("version", version);
  o.set("features", json::strings(features));
  o.set("mean", number_array(mean));
  o.set("scale", number_array(scale));
  o.set("weights", number_array(weights));
  o.set("bias", bias);
  o.set("threshold", threshold);
  o.set("trained_from", format_rfc3339(trained_from));
  o.set("trained_to", format_rfc3339(trained_to));
  o.set("validated_from", format_rfc3339(validated_from));
  o.set("validated_to", format_rfc3339(validated_to));
  o.set("train_samples", static_cast<std::int64_t>(train_samples));
  o.set("validation", metrics_to_json(validation));
  return json::Value{std::move(o)};
}

std::optional<Model> Model::from_json(const json::Value& v, std::string* error) {
  const auto refuse = [error](std::string message) -> std::optional<Model> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  const json::Object* o = v.as_object();
  if (o == nullptr) return refuse("the model is not a JSON object");

  Model m;
  Reader r(*o, "");
  r.refuse_unknown({"version", "features", "mean", "scale", "weights", "bias", "threshold",
                    "trained_from", "trained_to", "validated_from", "validated_to", "train_samples",
                    "validation"});
  r.integer("version", m.version);
  r.strings("features", m.features);
  r.numbers("mean", m.mean);
  r.numbers("scale", m.scale);
  r.numbers("weights", m.weights);
  r.number("bias", m.bias);
  r.number("threshold", m.threshold);
  r.time("trained_from", m.trained_from);
  r.time("trained_to", m.trained_to);
  r.time("validated_from", m.validated_from);
  r.time("validated_to", m.validated_to);
  r.count("train_samples", m.train_samples);
  if (const json::Object* vo = r.object("validation")) {
    Reader rv(*vo, "validation.");
    rv.refuse_unknown({"auc", "log_loss", "precision", "recall", "samples", "bad"});
    rv.number("auc", m.validation.auc);
    rv.number("log_loss", m.validation.log_loss);
    rv.number("precision", m.validation.precision);
    rv.number("recall", m.validation.recall);
    rv.count("samples", m.validation.samples);
    rv.count("bad", m.validation.bad);
    if (!rv.ok()) r.fail(rv.error());
  }
  if (!r.ok()) return refuse(r.error());

  const std::size_t n = m.features.size();
  const auto length = [n](std::string_view key, const std::vector<double>& list) {
    return list.size() == n ? std::string()
                            : cat({"'", key, "' has ", std::to_string(list.size()),
                                   " values; 'features' has ", std::to_string(n)});
  };
  for (const std::string& why :
       {length("mean", m.mean), length("scale", m.scale), length("weights", m.weights)}) {
    if (!why.empty()) return refuse(why);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (m.scale[i] <= 0) return refuse(cat({"'scale'[", std::to_string(i), "] is not positive"}));
  }
  if (m.threshold < 0 || m.threshold > 1) return refuse("'threshold' is not between 0 and 1");
  return m;
}

// ---- training -------------------------------------------------------------------------------

Training train(const std::vector<Sample>& samples, const std::vector<std::string>& features,
               const TrainOptions& o) {
  Training out;
  const auto refuse = [&out](std::string reason) {
    out.reason = std::move(reason);
    return out;
  };
  if (features.empty()) return refuse("no features are named");
  if (!(o.validation_share > 0 && o.validation_share < 1)) {
    return refuse("the validation share must be between 0 and 1");
  }
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) return refuse("the L2 penalty must be 0 or more");
  if (o.max_iterations < 1) return refuse("at least one iteration is needed");

  const std::size_t n = samples.size();
  const std::size_t d = features.size();
  if (n == 0) return refuse(cat({"no visits yet; ", count_text(o.min_samples), " are needed"}));
  if (n < o.min_samples) {
    return refuse(cat({"only ", count_text(n), n == 1 ? " visit" : " visits", "; ",
                       count_text(o.min_samples), " are needed"}));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<double>& x = samples[i].x;
    const std::string which = cat({"visit ", count_text(i + 1), " of ", count_text(n)});
    if (x.size() != d) {
      return refuse(cat({which, " has ", count_text(x.size()), " values; ", count_text(d),
                         " features are named"}));
    }
    for (std::size_t j = 0; j < d; ++j) {
      if (!std::isfinite(x[j])) {
        return refuse(cat({which, " has no finite value for '", features[j], "'"}));
      }
    }
  }

  // Time order, stable so visits that started together keep the caller's order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&samples](std::size_t a, std::size_t b) {
    return samples[a].at < samples[b].at;
  });
  const auto n_train =
      static_cast<std::size_t>(std::floor(static_cast<double>(n) * (1 - o.validation_share)));
  if (n_train == 0 || n_train == n) {
    return refuse(
        cat({"the ", count_text(n), " visits cannot be split into training and validation"}));
  }
  const std::size_t n_val = n - n_train;

  std::size_t train_bad = 0;
  for (std::size_t i = 0; i < n_train; ++i) train_bad += samples[order[i]].bad ? 1 : 0;
  std::size_t val_bad = 0;
  for (std::size_t i = n_train; i < n; ++i) val_bad += samples[order[i]].bad ? 1 : 0;
  if (auto why = class_problem(train_bad, n_train, o.min_bad, "training"); !why.empty()) {
    return refuse(std::move(why));
  }
  if (auto why = class_problem(val_bad, n_val, o.min_bad, "validation"); !why.empty()) {
    return refuse(std::move(why));
  }

  // Standardisation from the training part only: the validation window must look unseen.
  Model m;
  m.features = features;
  m.mean.assign(d, 0.0);
  m.scale.assign(d, 1.0);
  for (std::size_t j = 0; j < d; ++j) {
    double sum = 0;
    for (std::size_t i = 0; i < n_train; ++i) sum += samples[order[i]].x[j];
    const double mean = sum / static_cast<double>(n_train);
    double squares = 0;
    for (std::size_t i = 0; i < n_train; ++i) {
      const double dev = samples[order[i]].x[j] - mean;
      squares += dev * dev;
    }
    const double sd = std::sqrt(squares / static_cast<double>(n_train));
    if (!std::isfinite(mean) || !std::isfinite(sd)) {
      return refuse(cat({"the values of '", features[j], "' are too large to standardise"}));
    }
    m.mean[j] = mean;
    m.scale[j] = sd > kConstantSpread * std::max(1.0, std::abs(mean)) ? sd : 1.0;
  }

  MatrixXd x(static_cast<Index>(n_train), static_cast<Index>(d + 1));
  VectorXd y(static_cast<Index>(n_train));
  for (std::size_t i = 0; i < n_train; ++i) {
    const Sample& s = samples[order[i]];
    const auto row = static_cast<Index>(i);
    x(row, 0) = 1;
    for (std::size_t j = 0; j < d; ++j) {
      x(row, static_cast<Index>(j + 1)) = m.standard(j, s.x[j]);
    }
    y(row) = s.bad ? 1 : 0;
  }
  const Fit f = fit(x, y, o.l2, o.max_iterations);
  out.iterations = f.iterations;
  out.converged = f.converged;
  if (!f.beta.allFinite()) return refuse("the fit did not settle on finite weights");
  m.bias = f.beta(0);
  m.weights.resize(d);
  for (std::size_t j = 0; j < d; ++j) m.weights[j] = f.beta(static_cast<Index>(j + 1));

  m.train_samples = n_train;
  m.trained_from = samples[order.front()].at;
  m.trained_to = samples[order[n_train - 1]].at;
  m.validated_from = samples[order[n_train]].at;
  m.validated_to = samples[order.back()].at;

  std::vector<Sample> validation;
  validation.reserve(n_val);
  std::vector<double> scores;
  scores.reserve(n_val);
  std::vector<bool> bad;
  bad.reserve(n_val);
  for (std::size_t i = n_train; i < n; ++i) {
    const Sample& s = samples[order[i]];
    validation.push_back(s);
    scores.push_back(m.score(s.x));
    bad.push_back(s.bad);
  }
  m.threshold = threshold_for_precision(scores, bad, o.target_precision);
  m.validation = evaluate(m, validation, m.threshold);
  out.model = std::move(m);
  return out;
}

Metrics evaluate(const Model& m, const std::vector<Sample>& samples, double threshold) {
  Metrics out;
  std::vector<double> scores;
  std::vector<bool> bad;
  scores.reserve(samples.size());
  bad.reserve(samples.size());
  std::size_t flagged = 0;
  std::size_t hits = 0;
  double loss = 0;
  for (const Sample& s : samples) {
    if (s.x.size() != m.weights.size() || !all_finite(s.x)) continue;
    const double p = m.score(s.x);
    scores.push_back(p);
    bad.push_back(s.bad);
    const double clamped = std::clamp(p, kLogLossClamp, 1 - kLogLossClamp);
    loss -= s.bad ? std::log(clamped) : std::log1p(-clamped);
    const bool flag = p >= threshold;
    flagged += flag ? 1 : 0;
    hits += flag && s.bad ? 1 : 0;
    out.bad += s.bad ? 1 : 0;
  }
  out.samples = scores.size();
  if (out.samples == 0) return out;
  out.auc = roc_auc(scores, bad);
  out.log_loss = loss / static_cast<double>(out.samples);
  out.precision = flagged == 0 ? 0 : static_cast<double>(hits) / static_cast<double>(flagged);
  out.recall = out.bad == 0 ? 0 : static_cast<double>(hits) / static_cast<double>(out.bad);
  return out;
}

namespace {

// The (score, bad) pairs with a score that can be ordered, highest score first.
std::vector<std::pair<double, bool>> ranked(const std::vector<double>& scores,
                                            const std::vector<bool>& bad) {
  std::vector<std::pair<double, bool>> out;
  out.reserve(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isnan(scores[i])) out.emplace_back(scores[i], bad[i]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

}  // namespace

double roc_auc(const std::vector<double>& scores, const std::vector<bool>& bad) {
  if (scores.size() != bad.size()) return 0.5;
  const auto r = ranked(scores, bad);
  // Walk down the scores a tie group at a time: each bad visit beats every good one below its
  // group and gets half credit for the good ones tied with it.
  double wins = 0;
  std::size_t good_below = 0;
  std::size_t total_bad = 0;
  for (std::size_t i = r.size(); i > 0;) {  // from the lowest score up
    std::size_t start = i;
    std::size_t group_bad = 0;
    std::size_t group_good = 0;
    while (start > 0 && r[start - 1].first == r[i - 1].first) {
      --start;
      (r[start].second ? group_bad : group_good) += 1;
    }
    wins += static_cast<double>(group_bad) *
            (static_cast<double>(good_below) + 0.5 * static_cast<double>(group_good));
    good_below += group_good;
    total_bad += group_bad;
    i = start;
  }
  const std::size_t total_good = r.size() - total_bad;
  if (total_bad == 0 || total_good == 0) return 0.5;
  return wins / (static_cast<double>(total_bad) * static_cast<double>(total_good));
}

double threshold_for_precision(const std::vector<double>& scores, const std::vector<bool>& bad,
                               double target) {
  if (scores.size() != bad.size()) return 1.0;
  const auto r = ranked(scores, bad);
  std::optional<double> reached;
  double best = 1.0;
  double best_precision = -1;
  std::size_t flagged = 0;
  std::size_t hits = 0;
  for (std::size_t i = 0; i < r.size();) {
    const double t = r[i].first;
    for (; i < r.size() && r[i].first == t; ++i) {
      ++flagged;
      hits += r[i].second ? 1 : 0;
    }
    const double precision = static_cast<double>(hits) / static_cast<double>(flagged);
    if (precision >= target) reached = t;  // scores fall as we go: the last one is the lowest
    if (precision >= best_precision) {     // >=: at equal precision the lower score recalls more
      best_precision = precision;
      best = t;
    }
  }
  if (hits == 0) return 1.0;
  return reached.value_or(best);
}

}  // namespace mend::risk
