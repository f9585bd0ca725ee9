// The daemon's own health numbers, rendered in the Prometheus text exposition format (0.0.4)
// for GET /metrics.
//
// Pure like the rest of core/: no clock, no threads, no atomics. The daemon's single executor
// thread updates the values and renders them, so nothing here needs a lock. Every series is
// declared when its family is registered, at start-up: the number of series is fixed, no
// payload can mint a new one, and all of them render (as 0) before anything has happened, so
// a dashboard's rate() has a starting point.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/codec.hpp"
#include "core/event.hpp"

namespace mend {
namespace metrics {

// Counts up only. Integral, so a count is exact however large it gets.
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_ += n; }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void inc(double d = 1) { value_ += d; }
  void dec(double d = 1) { value_ -= d; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

// Fixed buckets chosen at registration. A value v lands in the first bucket whose upper bound
// is >= v (Prometheus' `le`), or in the implicit +Inf bucket.
class Histogram {
 public:
  // Bounds must be finite and strictly increasing (may be empty: only +Inf). Throws
  // std::invalid_argument otherwise; histograms are declared at start-up.
  explicit Histogram(std::vector<double> upper_bounds);

  // A NaN is ignored: it would turn _sum into NaN for the life of the process.
  void observe(double v);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Observations in bucket i alone (not cumulative); i == upper_bounds().size() is +Inf.
  std::uint64_t bucket(std::size_t i) const { return counts_.at(i); }
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

enum class Type : std::uint8_t { kCounter, kGauge, kHistogram };

// One metric name with its help text, label names, and the series declared for it.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  virtual Type type() const = 0;
  // Appends the HELP and TYPE lines and every series.
  virtual void render(std::string& out) const = 0;

 protected:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names);
  // Throws std::invalid_argument unless there is one value per label name.
  void check_values(const std::vector<std::string>& values) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

template <class M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names, M prototype)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names)),
        prototype_(std::move(prototype)) {}

  // Declares the series with these label values (one per label name, in order) and returns it.
  // The reference stays valid for the family's life. Throws std::invalid_argument on a wrong
  // number of values or a series declared twice.
  M& add(std::vector<std::string> values);
  // nullptr when no series with these values was declared.
  M* find(const std::vector<std::string>& values);
  const M* find(const std::vector<std::string>& values) const;

  Type type() const override;
  void render(std::string& out) const override;

 private:
  struct Series {
    std::vector<std::string> values;
    M metric;
  };
  M prototype_;                // what a new series starts as (a histogram's buckets)
  std::deque<Series> series_;  // a deque keeps references stable as series are added
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// Families in registration order, which is also the order they render in.
class Registry {
 public:
  Registry() = default;
  // Call sites hold references into the registry.
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* and not
  // start with "__" (nor be "le" for a histogram); a name is registered once. Anything else
  // throws std::invalid_argument. The unlabelled forms declare their one series.
  Counter& counter(std::string name, std::string help);
  Family<Counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names);
  Gauge& gauge(std::string name, std::string help);
  Family<Gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);
  Family<Histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> upper_bounds);

  const FamilyBase* find(std::string_view name) const;

  // The text exposition format, version 0.0.4.
  std::string render() const;
  void render_to(std::string& out) const;

 private:
  template <class M>
  Family<M>& add_family(std::string name, std::string help, std::vector<std::string> label_names,
                        M prototype);

  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// A family's series indexed by an enum, so a call site names its series with the enum and a
// label typo cannot compile.
template <class Enum, std::size_t N, class M = Counter>
class EnumSeries {
 public:
  // One series per enum value, in the enum's order.
  explicit EnumSeries(std::array<M*, N> series) : series_(series) {}
  M& operator[](Enum e) const { return *series_.at(static_cast<std::size_t>(e)); }

 private:
  std::array<M*, N> series_{};
};

}  // namespace metrics

// mend_ingest_commit_seconds: 1 ms to 10 s. Commits are batched on a tick, so most land in the
// tens to hundreds of milliseconds; seconds mean the SD card is struggling.
inline const std::vector<double> kIngestCommitBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

// Every metric mendd exports, declared once with its help text, so call sites use named
// members (metrics.cases_opened[CaseKind::kBillSlow].inc()) instead of name strings.
struct Metrics {
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  std::string render() const { return registry.render(); }

  // First: every member below refers into it.
  metrics::Registry registry;

  metrics::EnumSeries<EventType, kEventTypeCount> events_received;         // {type}
  metrics::EnumSeries<RefusalReason, kRefusalReasonCount> events_refused;  // {reason}
  metrics::Counter& events_duplicate;
  metrics::EnumSeries<CaseKind, kCaseKindCount> cases_opened;  // {kind}
  metrics::Gauge& cases_open;
  metrics::Histogram& ingest_commit_seconds;
  metrics::Gauge& outbox_depth;
  metrics::Gauge& outbox_bytes;
  metrics::Gauge& outbox_oldest_seconds;
  metrics::Counter& store_commits;
  metrics::Counter& store_commit_failures;
  metrics::Gauge& mqtt_connected;
  metrics::Counter& mqtt_reconnects;
  metrics::Gauge& cloud_connected;
  metrics::Family<metrics::Counter>& cloud_dropped;  // {class}
  metrics::Counter& cloud_dropped_telemetry;
  metrics::Counter& cloud_dropped_records;
  metrics::Counter& dead_letters;
  // Web Push (adapters/push): accepted by a push service, refused for good (or out of
  // retries), dropped because the queue was full, and subscriptions the service said are gone.
  metrics::Counter& push_sent;
  metrics::Counter& push_failed;
  metrics::Counter& push_dropped;
  metrics::Counter& push_gone;
  metrics::Gauge& push_queue;
  // The sources of events (core/source_health.hpp), each by {source}: its state (0 live,
  // 1 quiet, 2 silent, 3 offline), its last message's receive time, and its clock: the
  // offset estimate (receive time minus the event's ts) and the correction applied.
  metrics::EnumSeries<Source, kSourceCount, metrics::Gauge> source_state;
  metrics::EnumSeries<Source, kSourceCount, metrics::Gauge> source_last_seen;
  metrics::EnumSeries<Source, kSourceCount, metrics::Gauge> source_clock_offset;
  metrics::EnumSeries<Source, kSourceCount, metrics::Gauge> source_clock_correction;
};

}  // namespace mend
