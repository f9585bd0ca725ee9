#include "core/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <utility>

namespace mend {
namespace metrics {
namespace {

bool is_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool is_label_name(std::string_view s) {
  if (s.empty() || s.starts_with("__")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (const char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (quote) {
          out += "\\\"";
        } else {
          out += c;
        }
        break;
      default: out += c;
    }
  }
}

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

// Go's ParseFloat reads every form to_chars writes; the special values are spelled the way
// the exposition format spells them.
void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    std::array<char, 32> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), r.ptr);
  }
}

// `name{a="x",b="y"}` or just `name`; `extra` is one more label (a histogram's le).
void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        const std::vector<std::string>& label_names,
                        const std::vector<std::string>& values, std::string_view extra_name = {},
                        std::string_view extra_value = {}) {
  out += name;
  out += suffix;
  if (label_names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  const auto label = [&](std::string_view n, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += n;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  };
  for (std::size_t i = 0; i < label_names.size(); ++i) label(label_names[i], values[i]);
  if (!extra_name.empty()) label(extra_name, extra_value);
  out += '}';
}

void append_header(std::string& out, const FamilyBase& f, std::string_view type) {
  out += "# HELP ";
  out += f.name();
  out += ' ';
  append_escaped(out, f.help(), false);
  out += "\n# TYPE ";
  out += f.name();
  out += ' ';
  out += type;
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Counter& c) {
  append_series_name(out, f.name(), "", f.label_names(), values);
  out += ' ';
  append_uint(out, c.value());
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Gauge& g) {
  append_series_name(out, f.name(), "", f.label_names(), values);
  out += ' ';
  append_double(out, g.value());
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Histogram& h) {
  std::uint64_t cumulative = 0;
  const auto& bounds = h.upper_bounds();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += h.bucket(i);
    std::string le;
    if (i < bounds.size()) {
      append_double(le, bounds[i]);
    } else {
      le = "+Inf";
    }
    append_series_name(out, f.name(), "_bucket", f.label_names(), values, "le", le);
    out += ' ';
    append_uint(out, cumulative);
    out += '\n';
  }
  append_series_name(out, f.name(), "_sum", f.label_names(), values);
  out += ' ';
  append_double(out, h.sum());
  out += '\n';
  append_series_name(out, f.name(), "_count", f.label_names(), values);
  out += ' ';
  append_uint(out, h.count());
  out += '\n';
}

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i])) {
      throw std::invalid_argument("histogram bucket bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(bounds_[i - 1] < bounds_[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
    }
  }
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += v;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  if (!is_metric_name(name_)) throw std::invalid_argument("bad metric name '" + name_ + "'");
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    if (!is_label_name(label_names_[i])) {
      throw std::invalid_argument("metric " + name_ + ": bad label name '" + label_names_[i] + "'");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (label_names_[j] == label_names_[i]) {
        throw std::invalid_argument("metric " + name_ + ": label '" + label_names_[i] +
                                    "' repeats");
      }
    }
  }
}

void FamilyBase::check_values(const std::vector<std::string>& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": " + std::to_string(label_names_.size()) +
                                " label values expected, got " + std::to_string(values.size()));
  }
}

template <class M>
M& Family<M>::add(std::vector<std::string> values) {
  check_values(values);
  if (find(values) != nullptr) {
    throw std::invalid_argument("metric " + name() + ": series declared twice");
  }
  series_.push_back(Series{std::move(values), prototype_});
  return series_.back().metric;
}

template <class M>
M* Family<M>::find(const std::vector<std::string>& values) {
  for (auto& s : series_) {
    if (s.values == values) return &s.metric;
  }
  return nullptr;
}

template <class M>
const M* Family<M>::find(const std::vector<std::string>& values) const {
  for (const auto& s : series_) {
    if (s.values == values) return &s.metric;
  }
  return nullptr;
}

template <class M>
Type Family<M>::type() const {
  if constexpr (std::is_same_v<M, Counter>) {
    return Type::kCounter;
  } else if constexpr (std::is_same_v<M, Gauge>) {
    return Type::kGauge;
  } else {
    return Type::kHistogram;
  }
}

template <class M>
void Family<M>::render(std::string& out) const {
  append_header(out, *this, type_name(type()));
  for (const auto& s : series_) render_series(out, *this, s.values, s.metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class M>
Family<M>& Registry::add_family(std::string name, std::string help,
                                std::vector<std::string> label_names, M prototype) {
  if (find(name) != nullptr) {
    throw std::invalid_argument("metric " + name + " is registered twice");
  }
  auto family = std::make_unique<Family<M>>(std::move(name), std::move(help),
                                            std::move(label_names), std::move(prototype));
  Family<M>& ref = *family;
  families_.push_back(std::move(family));
  return ref;
}

Counter& Registry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).add({});
}

Family<Counter>& Registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  return add_family(std::move(name), std::move(help), std::move(label_names), Counter{});
}

Gauge& Registry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).add({});
}

Family<Gauge>& Registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return add_family(std::move(name), std::move(help), std::move(label_names), Gauge{});
}

Histogram& Registry::histogram(std::string name, std::string help,
                               std::vector<double> upper_bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(upper_bounds)).add({});
}

Family<Histogram>& Registry::histogram_family(std::string name, std::string help,
                                              std::vector<std::string> label_names,
                                              std::vector<double> upper_bounds) {
  // `le` is the bucket label the format adds itself.
  for (const auto& l : label_names) {
    if (l == "le") throw std::invalid_argument("histogram " + name + ": 'le' is reserved");
  }
  return add_family(std::move(name), std::move(help), std::move(label_names),
                    Histogram(std::move(upper_bounds)));
}

const FamilyBase* Registry::find(std::string_view name) const {
  for (const auto& f : families_) {
    if (f->name() == name) return f.get();
  }
  return nullptr;
}

std::string Registry::render() const {
  std::string out;
  render_to(out);
  return out;
}

void Registry::render_to(std::string& out) const {
  for (const auto& f : families_) f->render(out);
}

}  // namespace metrics

namespace {

// Registers a counter family with one label and declares a series for every enum value, so
// each renders from the start.
template <class Enum, std::size_t N, class NameFn>
metrics::EnumSeries<Enum, N> enum_counters(metrics::Registry& registry, std::string name,
                                           std::string help, std::string label, NameFn name_of) {
  auto& family = registry.counter_family(std::move(name), std::move(help), {std::move(label)});
  std::array<metrics::Counter*, N> series{};
  for (std::size_t i = 0; i < N; ++i) {
    series[i] = &family.add({std::string(name_of(static_cast<Enum>(i)))});
  }
  return metrics::EnumSeries<Enum, N>(series);
}

// Likewise, a gauge family by source.
metrics::EnumSeries<Source, kSourceCount, metrics::Gauge> source_gauges(metrics::Registry& registry,
                                                                        std::string name,
                                                                        std::string help) {
  auto& family = registry.gauge_family(std::move(name), std::move(help), {"source"});
  std::array<metrics::Gauge*, kSourceCount> series{};
  for (std::size_t i = 0; i < kSourceCount; ++i) {
    series[i] = &family.add({std::string(source_name(static_cast<Source>(i)))});
  }
  return metrics::EnumSeries<Source, kSourceCount, metrics::Gauge>(series);
}

}  // namespace

Metrics::Metrics()
    : events_received(enum_counters<EventType, kEventTypeCount>(
          registry, "mend_events_received_total", "Events decoded and accepted, by event type.",
          "type", event_type_name)),
      events_refused(enum_counters<RefusalReason, kRefusalReasonCount>(
          registry, "mend_events_refused_total",
          "Payloads the codec refused, by reason; each is kept as a dead letter.", "reason",
          refusal_reason_name)),
      events_duplicate(registry.counter(
          "mend_events_duplicate_total",
          "Events ignored because their id was already received (bridges retry).")),
      cases_opened(enum_counters<CaseKind, kCaseKindCount>(registry, "mend_cases_opened_total",
                                                           "Recovery cases opened, by kind.",
                                                           "kind", case_kind_name)),
      cases_open(registry.gauge("mend_cases_open", "Cases in the book that are not closed.")),
      ingest_commit_seconds(registry.histogram(
          "mend_ingest_commit_seconds",
          "Seconds from receiving an event to committing it to the store.", kIngestCommitBuckets)),
      outbox_depth(registry.gauge("mend_outbox_depth", "Messages waiting in the outbox.")),
      outbox_bytes(registry.gauge(
          "mend_outbox_bytes", "Bytes of the messages waiting in the outbox (topic and payload).")),
      outbox_oldest_seconds(
          registry.gauge("mend_outbox_oldest_seconds",
                         "Age of the oldest message waiting in the outbox, 0 if none.")),
      store_commits(registry.counter("mend_store_commits_total", "Store transactions committed.")),
      store_commit_failures(registry.counter("mend_store_commit_failures_total",
                                             "Store transactions that failed to commit.")),
      mqtt_connected(registry.gauge("mend_mqtt_connected",
                                    "1 while connected to the venue's MQTT broker, else 0.")),
      mqtt_reconnects(registry.counter("mend_mqtt_reconnects_total",
                                       "Reconnections to the venue's MQTT broker.")),
      cloud_connected(
          registry.gauge("mend_cloud_connected", "1 while connected to the cloud broker, else 0.")),
      cloud_dropped(registry.counter_family(
          "mend_cloud_dropped_total",
          "Outbox messages given up unsent to stay within its limits: telemetry (raw events) "
          "before records (cases, alerts, audit entries).",
          {"class"})),
      cloud_dropped_telemetry(cloud_dropped.add({"telemetry"})),
      cloud_dropped_records(cloud_dropped.add({"records"})),
      dead_letters(registry.counter("mend_dead_letters_total",
                                    "Payloads written to the dead-letter store.")),
      push_sent(
          registry.counter("mend_push_sent_total", "Web Push messages a push service accepted.")),
      push_failed(registry.counter(
          "mend_push_failed_total",
          "Web Push messages given up on: refused by the push service, or out of retries.")),
      push_dropped(registry.counter("mend_push_dropped_total",
                                    "Web Push messages dropped because the send queue was full.")),
      push_gone(registry.counter(
          "mend_push_gone_total",
          "Push subscriptions deleted because their push service answered 404 or 410.")),
      push_queue(registry.gauge("mend_push_queue", "Web Push messages waiting to be sent.")),
      source_state(source_gauges(
          registry, "mend_source_state",
          "Each source of events: 0 live, 1 quiet (its waits held a little), 2 silent (a "
          "source.silent case), 3 offline (its bridge said so).")),
      source_last_seen(source_gauges(registry, "mend_source_last_seen_timestamp_seconds",
                                     "When the source's last message arrived, Unix seconds; 0 "
                                     "before its first since mendd started.")),
      source_clock_offset(source_gauges(
          registry, "mend_source_clock_offset_seconds",
          "The source's clock: the median of receive time minus event time over its recent "
          "events (positive: its clock is slow); 0 until 9 are known.")),
      source_clock_correction(
          source_gauges(registry, "mend_source_clock_correction_seconds",
                        "Added to the source's event times while its clock is known to be off (a "
                        "source.clock_skew case); else 0.")) {}

}  // namespace mend
