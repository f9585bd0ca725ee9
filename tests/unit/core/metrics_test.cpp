#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace mend {
namespace {

using metrics::Registry;

// The lines of `text` that start with `prefix`, joined with '\n'.
std::string lines_starting(const std::string& text, std::string_view prefix) {
  std::istringstream in(text);
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    if (line.starts_with(prefix)) out += line + "\n";
  }
  return out;
}

TEST(Metrics, UnlabelledCounterRendersHelpTypeAndValue) {
  Registry r;
  auto& c = r.counter("jobs_total", "Jobs done.");
  EXPECT_EQ(r.render(), "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 0\n");
  c.inc();
  c.inc(41);
  EXPECT_EQ(c.value(), 42u);
  EXPECT_EQ(r.render(), "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 42\n");
}

TEST(Metrics, CounterKeepsLargeCountsExact) {
  Registry r;
  auto& c = r.counter("big_total", "Big.");
  c.inc(std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(lines_starting(r.render(), "big_total"), "big_total 18446744073709551615\n");
}

TEST(Metrics, LabelledFamilyRendersEverySeriesInDeclarationOrder) {
  Registry r;
  auto& f = r.counter_family("req_total", "Requests.", {"method", "code"});
  auto& get_ok = f.add({"GET", "200"});
  f.add({"POST", "400"});
  get_ok.inc(3);
  EXPECT_EQ(r.render(),
            "# HELP req_total Requests.\n"
            "# TYPE req_total counter\n"
            "req_total{method=\"GET\",code=\"200\"} 3\n"
            "req_total{method=\"POST\",code=\"400\"} 0\n");
  ASSERT_NE(f.find({"POST", "400"}), nullptr);
  EXPECT_EQ(f.find({"POST", "500"}), nullptr);
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Registry r;
  auto& f = r.gauge_family("odd", "A \\ backslash,\na newline and \"quotes\".", {"v"});
  f.add({"a\"b\\c\nd"}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP odd A \\\\ backslash,\\na newline and \"quotes\".\n"
            "# TYPE odd gauge\n"
            "odd{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, GaugeRendersShortestDoublesAndSpecialValues) {
  Registry r;
  auto& g = r.gauge("g", "G.");
  const auto value_line = [&] { return lines_starting(r.render(), "g "); };
  EXPECT_EQ(value_line(), "g 0\n");
  g.set(2.5);
  EXPECT_EQ(value_line(), "g 2.5\n");
  g.inc();
  g.dec(4);
  EXPECT_EQ(value_line(), "g -0.5\n");
  g.set(0.1);
  EXPECT_EQ(value_line(), "g 0.1\n");
  g.set(1e21);
  EXPECT_EQ(value_line(), "g 1e+21\n");
  g.set(std::numeric_limits<double>::infinity());
  EXPECT_EQ(value_line(), "g +Inf\n");
  g.set(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(value_line(), "g -Inf\n");
  g.set(std::nan(""));
  EXPECT_EQ(value_line(), "g NaN\n");
}

TEST(Metrics, HistogramRendersCumulativeBucketsSumAndCount) {
  Registry r;
  auto& h = r.histogram("lat_seconds", "Latency.", {0.125, 1});
  h.observe(0.0625);
  h.observe(0.125);  // on a bound: le means <=, so it counts in that bucket
  h.observe(0.5);
  h.observe(8);
  h.observe(std::nan(""));  // ignored
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.125\"} 2\n"
            "lat_seconds_bucket{le=\"1\"} 3\n"
            "lat_seconds_bucket{le=\"+Inf\"} 4\n"
            "lat_seconds_sum 8.6875\n"
            "lat_seconds_count 4\n");
}

TEST(Metrics, LabelledHistogramPutsLeLast) {
  Registry r;
  auto& f = r.histogram_family("op_seconds", "Ops.", {"op"}, {1});
  f.add({"read"}).observe(2);
  EXPECT_EQ(r.render(),
            "# HELP op_seconds Ops.\n"
            "# TYPE op_seconds histogram\n"
            "op_seconds_bucket{op=\"read\",le=\"1\"} 0\n"
            "op_seconds_bucket{op=\"read\",le=\"+Inf\"} 1\n"
            "op_seconds_sum{op=\"read\"} 2\n"
            "op_seconds_count{op=\"read\"} 1\n");
}

TEST(Metrics, FamiliesRenderInRegistrationOrder) {
  Registry r;
  r.gauge("b", "B.");
  r.counter("a_total", "A.");
  EXPECT_EQ(r.render(),
            "# HELP b B.\n# TYPE b gauge\nb 0\n"
            "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n");
}

TEST(Metrics, RegistrationMistakesThrow) {
  Registry r;
  r.counter("x_total", "X.");
  EXPECT_THROW(r.counter("x_total", "again"), std::invalid_argument);
  EXPECT_THROW(r.counter("9lives", "digit first"), std::invalid_argument);
  EXPECT_THROW(r.counter("has-dash", "dash"), std::invalid_argument);
  EXPECT_THROW(r.counter("", "empty"), std::invalid_argument);
  EXPECT_THROW(r.counter_family("l1", "colon in label", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("l2", "reserved label", {"__name"}), std::invalid_argument);
  EXPECT_THROW(r.counter_family("l3", "repeated label", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram_family("h1", "le", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h2", "unordered", {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h3", "inf bound", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  auto& f = r.counter_family("ok_total", "OK.", {"a"});
  f.add({"x"});
  EXPECT_THROW(f.add({"x"}), std::invalid_argument);
  EXPECT_THROW(f.add({"x", "y"}), std::invalid_argument);
  EXPECT_THROW(f.add({}), std::invalid_argument);
}

TEST(MendMetrics, DeclaresEveryFamilyInOrderWithItsType) {
  const Metrics m;
  EXPECT_EQ(lines_starting(m.render(), "# TYPE"),
            "# TYPE mend_events_received_total counter\n"
            "# TYPE mend_events_refused_total counter\n"
            "# TYPE mend_events_duplicate_total counter\n"
            "# TYPE mend_cases_opened_total counter\n"
            "# TYPE mend_cases_open gauge\n"
            "# TYPE mend_ingest_commit_seconds histogram\n"
            "# TYPE mend_outbox_depth gauge\n"
            "# TYPE mend_outbox_bytes gauge\n"
            "# TYPE mend_outbox_oldest_seconds gauge\n"
            "# TYPE mend_store_commits_total counter\n"
            "# TYPE mend_store_commit_failures_total counter\n"
            "# TYPE mend_mqtt_connected gauge\n"
            "# TYPE mend_mqtt_reconnects_total counter\n"
            "# TYPE mend_cloud_connected gauge\n"
            "# TYPE mend_cloud_dropped_total counter\n"
            "# TYPE mend_dead_letters_total counter\n"
            "# TYPE mend_push_sent_total counter\n"
            "# TYPE mend_push_failed_total counter\n"
            "# TYPE mend_push_dropped_total counter\n"
            "# TYPE mend_push_gone_total counter\n"
            "# TYPE mend_push_queue gauge\n"
            "# TYPE mend_source_state gauge\n"
            "# TYPE mend_source_last_seen_timestamp_seconds gauge\n"
            "# TYPE mend_source_clock_offset_seconds gauge\n"
            "# TYPE mend_source_clock_correction_seconds gauge\n");
}

TEST(MendMetrics, LabelledSeriesExistForEveryEnumValueFromTheStart) {
  const Metrics m;
  const std::string text = m.render();
  std::size_t received = 0;
  std::size_t refused = 0;
  std::size_t opened = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("mend_events_received_total{")) ++received;
    if (line.starts_with("mend_events_refused_total{")) ++refused;
    if (line.starts_with("mend_cases_opened_total{")) ++opened;
  }
  EXPECT_EQ(received, static_cast<std::size_t>(kEventTypeCount));
  EXPECT_EQ(refused, static_cast<std::size_t>(kRefusalReasonCount));
  EXPECT_EQ(opened, static_cast<std::size_t>(kCaseKindCount));
}

TEST(MendMetrics, NamedMembersUpdateTheirSeries) {
  Metrics m;
  m.events_received[EventType::kGuestSeated].inc();
  m.events_received[EventType::kDeviceStatus].inc(2);
  m.events_refused[RefusalReason::kNotJson].inc();
  m.events_duplicate.inc();
  m.cases_opened[CaseKind::kTableNoOrder].inc();
  m.cases_open.set(3);
  m.ingest_commit_seconds.observe(0.004);
  m.outbox_depth.set(12);
  m.store_commits.inc(5);
  m.store_commit_failures.inc();
  m.mqtt_connected.set(1);
  m.mqtt_reconnects.inc();
  m.dead_letters.inc();
  const std::string text = m.render();
  EXPECT_EQ(lines_starting(text, "mend_events_received_total{type=\"guest.seated\"}"),
            "mend_events_received_total{type=\"guest.seated\"} 1\n");
  EXPECT_EQ(lines_starting(text, "mend_events_received_total{type=\"status\"}"),
            "mend_events_received_total{type=\"status\"} 2\n");
  EXPECT_EQ(lines_starting(text, "mend_events_refused_total{reason=\"not_json\"}"),
            "mend_events_refused_total{reason=\"not_json\"} 1\n");
  EXPECT_EQ(lines_starting(text, "mend_cases_opened_total{kind=\"table.no_order\"}"),
            "mend_cases_opened_total{kind=\"table.no_order\"} 1\n");
  EXPECT_EQ(lines_starting(text, "mend_cases_opened_total{kind=\"bill.slow\"}"),
            "mend_cases_opened_total{kind=\"bill.slow\"} 0\n");
  EXPECT_EQ(lines_starting(text, "mend_events_duplicate_total "),
            "mend_events_duplicate_total 1\n");
  EXPECT_EQ(lines_starting(text, "mend_cases_open "), "mend_cases_open 3\n");
  EXPECT_EQ(lines_starting(text, "mend_outbox_depth "), "mend_outbox_depth 12\n");
  EXPECT_EQ(lines_starting(text, "mend_store_commits_total "), "mend_store_commits_total 5\n");
  EXPECT_EQ(lines_starting(text, "mend_store_commit_failures_total "),
            "mend_store_commit_failures_total 1\n");
  EXPECT_EQ(lines_starting(text, "mend_mqtt_connected "), "mend_mqtt_connected 1\n");
  EXPECT_EQ(lines_starting(text, "mend_mqtt_reconnects_total "), "mend_mqtt_reconnects_total 1\n");
  EXPECT_EQ(lines_starting(text, "mend_dead_letters_total "), "mend_dead_letters_total 1\n");
  EXPECT_EQ(lines_starting(text, "mend_ingest_commit_seconds"),
            "mend_ingest_commit_seconds_bucket{le=\"0.001\"} 0\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.0025\"} 0\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.005\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.01\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.025\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.05\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.1\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.25\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"0.5\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"1\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"2.5\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"5\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"10\"} 1\n"
            "mend_ingest_commit_seconds_bucket{le=\"+Inf\"} 1\n"
            "mend_ingest_commit_seconds_sum 0.004\n"
            "mend_ingest_commit_seconds_count 1\n");
}

TEST(MendMetrics, HelpLinesSayWhatEachMetricIs) {
  const Metrics m;
  EXPECT_EQ(lines_starting(m.render(), "# HELP mend_cases_open "),
            "# HELP mend_cases_open Cases in the book that are not closed.\n");
}

}  // namespace
}  // namespace mend
