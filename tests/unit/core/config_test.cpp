#include "core/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

#include "core/config_schema.hpp"
#include "core/topics.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

// ---- equality, field by field (config.hpp declares no operator==) -------------------------

bool same(const VenueConfig& a, const VenueConfig& b) {
  return std::tie(a.id, a.name, a.currency) == std::tie(b.id, b.name, b.currency);
}
bool same(const MqttConfig& a, const MqttConfig& b) {
  return std::tie(a.host, a.port, a.client_id, a.username, a.password_file, a.tls, a.ca_file,
                  a.cert_file, a.key_file, a.keepalive, a.reconnect_min, a.reconnect_max) ==
         std::tie(b.host, b.port, b.client_id, b.username, b.password_file, b.tls, b.ca_file,
                  b.cert_file, b.key_file, b.keepalive, b.reconnect_min, b.reconnect_max);
}
bool same(const StoreConfig& a, const StoreConfig& b) {
  return std::tie(a.path, a.commit_interval, a.commit_batch, a.event_retention, a.low_space,
                  a.low_space_retention) == std::tie(b.path, b.commit_interval, b.commit_batch,
                                                     b.event_retention, b.low_space,
                                                     b.low_space_retention);
}
bool same(const DetectConfig& a, const DetectConfig& b) {
  return std::tie(a.table_no_order, a.course, a.course_default, a.bill_slow, a.call_unanswered,
                  a.arrival_unseated, a.enquiry_unanswered, a.temperature_low, a.temperature_high,
                  a.temperature_for, a.device_offline, a.device_silence, a.review_max_rating,
                  a.voids_count, a.pattern_count, a.pattern_window, a.future_tolerance,
                  a.source_skew, a.high_value, a.large_party) ==
         std::tie(b.table_no_order, b.course, b.course_default, b.bill_slow, b.call_unanswered,
                  b.arrival_unseated, b.enquiry_unanswered, b.temperature_low, b.temperature_high,
                  b.temperature_for, b.device_offline, b.device_silence, b.review_max_rating,
                  b.voids_count, b.pattern_count, b.pattern_window, b.future_tolerance,
                  b.source_skew, b.high_value, b.large_party);
}
bool same(const CloudConfig& a, const CloudConfig& b) {
  return std::tie(a.enabled, a.url, a.ca_file, a.cert_file, a.key_file, a.group, a.client_id,
                  a.in_flight, a.events, a.keepalive, a.reconnect_min, a.reconnect_max,
                  a.outbox_rows, a.outbox_bytes, a.outbox_age) ==
         std::tie(b.enabled, b.url, b.ca_file, b.cert_file, b.key_file, b.group, b.client_id,
                  b.in_flight, b.events, b.keepalive, b.reconnect_min, b.reconnect_max,
                  b.outbox_rows, b.outbox_bytes, b.outbox_age);
}
bool same(const PushConfig& a, const PushConfig& b) {
  return std::tie(a.enabled, a.subject, a.queue, a.ttl) ==
         std::tie(b.enabled, b.subject, b.queue, b.ttl);
}
bool same(const DeviceConfig& a, const DeviceConfig& b) {
  return std::tie(a.id, a.kind, a.location, a.area, a.low, a.high, a.out_of_range_for, a.silence) ==
         std::tie(b.id, b.kind, b.location, b.area, b.low, b.high, b.out_of_range_for, b.silence);
}
bool same(const EmployeeConfig& a, const EmployeeConfig& b) {
  return a.id == b.id && a.job == b.job && a.signals == b.signals && a.may == b.may &&
         a.owner == b.owner && a.enabled == b.enabled;
}
bool same(const AreaConfig& a, const AreaConfig& b) {
  return a.name == b.name && a.tables == b.tables;
}
template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same(a[i], b[i])) return false;
  }
  return true;
}
bool same(const Config& a, const Config& b) {
  return same(a.venue, b.venue) && same(a.mqtt, b.mqtt) && same(a.cloud, b.cloud) &&
         same(a.store, b.store) && same(a.push, b.push) && a.http.listen == b.http.listen &&
         a.http.port == b.http.port && a.http.local_port == b.http.local_port &&
         a.http.tls_dir == b.http.tls_dir && a.http.ui_dir == b.http.ui_dir &&
         a.auth.session_idle == b.auth.session_idle &&
         a.auth.session_lifetime == b.auth.session_lifetime &&
         a.policy.staff_limit == b.policy.staff_limit &&
         a.policy.manager_limit == b.policy.manager_limit &&
         a.policy.shift_budget == b.policy.shift_budget &&
         a.policy.shift_starts == b.policy.shift_starts &&
         a.policy.automatic == b.policy.automatic && a.policy.auto_budget == b.policy.auto_budget &&
         a.policy.default_rules == b.policy.default_rules &&
         a.escalation.ladder == b.escalation.ladder && a.escalation.repeat == b.escalation.repeat &&
         a.escalation.quiet == b.escalation.quiet &&
         a.guests.regular_visits == b.guests.regular_visits &&
         a.guests.vip_spend == b.guests.vip_spend && a.guests.vip == b.guests.vip &&
         a.guests.keep_profiles == b.guests.keep_profiles &&
         a.guests.keep_notes == b.guests.keep_notes &&
         a.guests.keep_dietary == b.guests.keep_dietary &&
         a.guests.winback_after == b.guests.winback_after &&
         a.guests.winback_factor == b.guests.winback_factor &&
         a.guests.briefing_lead == b.guests.briefing_lead && a.ledger.enabled == b.ledger.enabled &&
         a.ledger.case_closed == b.ledger.case_closed &&
         a.ledger.guest_recovered == b.ledger.guest_recovered &&
         a.ledger.cause_fixed == b.ledger.cause_fixed &&
         a.ledger.cause_fixed_after == b.ledger.cause_fixed_after &&
         a.ledger.training == b.ledger.training && a.ledger.countersign == b.ledger.countersign &&
         a.ledger.leaderboard == b.ledger.leaderboard &&
         a.ledger.stamp_every == b.ledger.stamp_every &&
         a.ledger.stamp_value == b.ledger.stamp_value && a.rules.size() == b.rules.size() &&
         std::equal(a.rules.begin(), a.rules.end(), b.rules.begin(),
                    [](const RuleConfig& x, const RuleConfig& y) {
                      return x.kind == y.kind && x.min_severity == y.min_severity &&
                             x.tier == y.tier && x.action == y.action && x.value == y.value &&
                             x.text == y.text;
                    }) &&
         a.log.level == b.log.level && same(a.detect, b.detect) && same(a.devices, b.devices) &&
         same(a.areas, b.areas) && same(a.employees, b.employees);
}

// ---- helpers ------------------------------------------------------------------------------

constexpr std::string_view kFile = "mend.toml";

std::string errors_text(const ConfigResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

Config parse_ok(std::string_view text) {
  ConfigResult r = parse_config(text, kFile);
  EXPECT_TRUE(r.errors.empty()) << errors_text(r);
  EXPECT_TRUE(r.config.has_value());
  return r.config.value_or(Config{});
}

// The errors of a text that must not parse.
std::vector<ConfigError> parse_bad(std::string_view text) {
  ConfigResult r = parse_config(text, kFile);
  EXPECT_FALSE(r.config.has_value());
  EXPECT_FALSE(r.errors.empty());
  return r.errors;
}

// The one error a text must give, for checks on its fields.
ConfigError one_error(std::string_view text) {
  const std::vector<ConfigError> errors = parse_bad(text);
  EXPECT_EQ(errors.size(), 1u) << errors_text(ConfigResult{std::nullopt, errors});
  return errors.empty() ? ConfigError{} : errors.front();
}

std::string with_venue(std::string_view rest) {
  return "[venue]\nid = \"the-anchor\"\n" + std::string(rest);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every key set, none to its default (EveryKeyParsed checks that against the schema).
constexpr std::string_view kFull = R"([venue]
id = "the-anchor"
name = "The Anchor"
currency = "GBP"

[mqtt]
host = "broker.local"
port = 8883
client_id = "anchor-box"
username = "mendd"
password_file = "/etc/mend/mqtt.password"
tls = true
ca_file = "/etc/mend/ca.pem"
cert_file = "/etc/mend/client.pem"
key_file = "/etc/mend/client.key"
keepalive = "45s"
reconnect_min = "2s"
reconnect_max = "2m"

[cloud]
enabled = true
url = "mqtts://cloud.example.net:8883"
ca_file = "/etc/mend/cloud-ca.pem"
cert_file = "/etc/mend/box.pem"
key_file = "/etc/mend/box.key"
group = "harbour-group"
client_id = "anchor-cloud"
in_flight = 8
events = true
keepalive = "20s"
reconnect_min = "3s"
reconnect_max = "5m"
outbox_rows = 5000
outbox_bytes = "64MiB"
outbox_age = "3d"

[store]
path = "/data/mend.db"
commit_interval = "500ms"
commit_batch = 64
event_retention = "7d"
low_space = "200MiB"
low_space_retention = "3d"

[http]
listen = "0.0.0.0"
port = 8443
local_port = 8080
tls_dir = "/var/lib/mend/certs"
ui_dir = "/opt/mend/ui"

[push]
enabled = false
subject = "mailto:manager@anchor.example"
queue = 32
ttl = "10m"

[auth]
session_idle = "30m"
session_lifetime = "10h"

[log]
level = "debug"

[detect]
table_no_order = "12m"
course_default = "22m"
bill_slow = "9m"
call_unanswered = "4m"
arrival_unseated = "11m"
enquiry_unanswered = "3h"
temperature_low = 1
temperature_high = 4.5
temperature_for = "20m"
device_offline = "6m"
device_silence = "10m"
review_max_rating = 3
voids_count = 3
pattern_count = 4
pattern_window = "1h30m"
future_tolerance = "1m"
source_skew = "2m"
high_value = 200.5
large_party = 8

[detect.course]
main = "30m"
"main course" = "35m"
tapas = "10m"

[[device]]
id = "freezer-1"
kind = "freezer"
location = "chest freezer"
area = "kitchen"
low = -25.0
high = -15
out_of_range_for = "30m"
silence = "0s"

[[device]]
id = "button-7"
kind = "callbutton"

[[area]]
name = "terrace"
tables = ["T1", "T2"]

[[area]]
name = "bar"
tables = []

[policy]
staff_limit = 10
manager_limit = 100
shift_budget = 250
shift_starts = ["07:00", "17:30"]
automatic = ["bill.slow"]
auto_budget = 20
default_rules = false

[escalation]
ladder = ["staff@0s", "manager@2m", "admin@8m"]
repeat = "4m"
quiet = ["admin:critical"]

[guests]
regular_visits = 4
vip_spend = 900
keep_profiles = "400d"
keep_notes = "90d"
keep_dietary = "180d"
winback_after = "120d"
winback_factor = 4
briefing_lead = "45m"
vip = ["cust-7"]

[ledger]
enabled = false
case_closed = 2
guest_recovered = 3
cause_fixed = 5
cause_fixed_after = "21d"
training = 4
countersign = ["training"]
leaderboard = true
stamp_every = 8
stamp_value = 12.5

[prediction]
window = "60d"
min_visits = 300
target_precision = 0.6

[[rule]]
kind = "course.slow"
min_severity = "high"
tier = "vip"
action = "comp_item"
value = 9
text = "Dessert on the house for {name}"

[[employee]]
id = "reputation"
job = "Answers every review within a day."
signals = ["review.received"]
may = "recommend"
owner = "admin"
enabled = false
)";

Config full_expected() {
  Config c;
  c.venue = {"the-anchor", "The Anchor", "GBP"};
  c.mqtt.host = "broker.local";
  c.mqtt.port = 8883;
  c.mqtt.client_id = "anchor-box";
  c.mqtt.username = "mendd";
  c.mqtt.password_file = "/etc/mend/mqtt.password";
  c.mqtt.tls = true;
  c.mqtt.ca_file = "/etc/mend/ca.pem";
  c.mqtt.cert_file = "/etc/mend/client.pem";
  c.mqtt.key_file = "/etc/mend/client.key";
  c.mqtt.keepalive = 45s;
  c.mqtt.reconnect_min = 2s;
  c.mqtt.reconnect_max = 2min;
  c.cloud = {true,
             "mqtts://cloud.example.net:8883",
             "/etc/mend/cloud-ca.pem",
             "/etc/mend/box.pem",
             "/etc/mend/box.key",
             "harbour-group",
             "anchor-cloud",
             8,
             true,
             20s,
             3s,
             5min,
             5000,
             "64MiB",
             std::chrono::hours(72)};
  c.push = {false, "mailto:manager@anchor.example", 32, 10min};
  c.store.path = "/data/mend.db";
  c.store.commit_interval = 500ms;
  c.store.commit_batch = 64;
  c.store.event_retention = std::chrono::hours(24 * 7);
  c.store.low_space = "200MiB";
  c.store.low_space_retention = std::chrono::hours(24 * 3);
  c.http.listen = "0.0.0.0";
  c.http.port = 8443;
  c.http.local_port = 8080;
  c.http.tls_dir = "/var/lib/mend/certs";
  c.http.ui_dir = "/opt/mend/ui";
  c.auth.session_idle = std::chrono::minutes(30);
  c.auth.session_lifetime = std::chrono::hours(10);
  c.log.level = "debug";
  DetectConfig& d = c.detect;
  d.table_no_order = 12min;
  d.course = {{"starter", 15min}, {"main", 30min},  {"dessert", 12min},
              {"drinks", 8min},   {"tapas", 10min}, {"main course", 35min}};
  d.course_default = 22min;
  d.bill_slow = 9min;
  d.call_unanswered = 4min;
  d.arrival_unseated = 11min;
  d.enquiry_unanswered = 3h;
  d.temperature_low = 1.0;
  d.temperature_high = 4.5;
  d.temperature_for = 20min;
  d.device_offline = 6min;
  d.device_silence = 10min;
  d.review_max_rating = 3;
  d.voids_count = 3;
  d.pattern_count = 4;
  d.pattern_window = 90min;
  d.future_tolerance = 1min;
  d.source_skew = 2min;
  d.high_value = 200.5;
  d.large_party = 8;
  c.devices = {
      {"freezer-1", "freezer", "chest freezer", "kitchen", -25.0, -15.0, 30min, 0ms},
      {"button-7", "callbutton", "", "", std::nullopt, std::nullopt, std::nullopt, std::nullopt}};
  c.areas = {{"terrace", {"T1", "T2"}}, {"bar", {}}};
  c.ledger = {false, 2, 3, 5, std::chrono::hours(21 * 24), 4, {"training"}, true, 8, 12.5};
  c.policy = {10, 100, 250, {"07:00", "17:30"}, {"bill.slow"}, 20, false};
  c.escalation = {
      {"staff@0s", "manager@2m", "admin@8m"}, std::chrono::minutes(4), {"admin:critical"}};
  c.guests = {4,
              900,
              {"cust-7"},
              std::chrono::hours(24 * 400),
              std::chrono::hours(24 * 90),
              std::chrono::hours(24 * 180),
              std::chrono::hours(24 * 120),
              4,
              std::chrono::minutes(45)};
  c.rules = {{"course.slow", "high", "vip", "comp_item", 9, "Dessert on the house for {name}"}};
  c.employees = {{"reputation",
                  "Answers every review within a day.",
                  {"review.received"},
                  "recommend",
                  "admin",
                  false}};
  return c;
}

// True when two slots of the same key hold equal values.
bool slot_equal(const config_schema::Slot& a, const config_schema::Slot& b) {
  return std::visit(
      [&](auto* pa) {
        using P = decltype(pa);
        return *pa == *std::get<P>(b);
      },
      a);
}

// ---- defaults -----------------------------------------------------------------------------

TEST(ConfigDefaults, OnlyTheVenueIdIsNeeded) {
  const Config c = parse_ok("[venue]\nid = \"the-anchor\"\n");
  Config expected;
  expected.venue.id = "the-anchor";
  expected.mqtt.client_id = "mendd-the-anchor";  // derived from the venue id
  EXPECT_TRUE(same(c, expected)) << print_config(c);
  // The documented defaults (README, signals.md), spelled out once more on purpose.
  EXPECT_EQ(c.detect.table_no_order, 10min);
  EXPECT_EQ(c.detect.course.at("starter"), 15min);
  EXPECT_EQ(c.detect.course.at("main"), 25min);
  EXPECT_EQ(c.detect.course.at("dessert"), 12min);
  EXPECT_EQ(c.detect.course.at("drinks"), 8min);
  EXPECT_EQ(c.detect.bill_slow, 8min);
  EXPECT_EQ(c.detect.call_unanswered, 3min);
  EXPECT_EQ(c.detect.arrival_unseated, 10min);
  EXPECT_EQ(c.detect.enquiry_unanswered, 2h);
  EXPECT_EQ(c.detect.temperature_low, 0.0);
  EXPECT_EQ(c.detect.temperature_high, 5.0);
  EXPECT_EQ(c.detect.temperature_for, 15min);
  EXPECT_EQ(c.detect.device_silence, 5min);
  EXPECT_EQ(c.mqtt.port, 1883);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_TRUE(c.devices.empty());
  EXPECT_TRUE(c.areas.empty());
}

// The schema's default column is documentation; it must say what config.hpp does. A document
// that writes every default from the schema must parse to the default Config.
TEST(ConfigDefaults, SchemaDefaultsAreTheStructDefaults) {
  std::string text = "[venue]\nid = \"the-anchor\"\n";
  std::string section = "venue";
  int written = 0;
  Config scratch;
  for (const auto& k : config_schema::config_keys()) {
    // No default, or a derived one.
    if (k.required || k.path == "mqtt.client_id" || k.path == "cloud.client_id") continue;
    const std::size_t dot = k.path.find('.');
    const std::string table(k.path.substr(0, dot));
    if (table != section) text += "[" + table + "]\n", section = table;
    std::string value(k.default_text);
    // Durations are written bare in the default column, quoted in TOML.
    if (config_schema::type_of(k.slot(scratch)) == config_schema::Type::kDuration) {
      value = "\"" + value + "\"";
    }
    text += std::string(k.path.substr(dot + 1)) + " = " + value + "\n";
    ++written;
  }
  EXPECT_EQ(
      written + 3,
      static_cast<int>(config_schema::config_keys().size()));  // venue.id and the two client ids
  const Config c = parse_ok(text);
  Config expected;
  expected.venue.id = "the-anchor";
  expected.mqtt.client_id = "mendd-the-anchor";
  EXPECT_TRUE(same(c, expected)) << text;
}

TEST(ConfigDefaults, ClientIdIsDerivedOnlyWhenNotSet) {
  EXPECT_EQ(parse_ok(with_venue("[mqtt]\nclient_id = \"box-1\"\n")).mqtt.client_id, "box-1");
  EXPECT_EQ(parse_ok(with_venue("[mqtt]\nclient_id = \"\"\n")).mqtt.client_id, "mendd-the-anchor");
}

// ---- every key ----------------------------------------------------------------------------

TEST(ConfigParse, EveryKeyParsed) {
  const Config c = parse_ok(kFull);
  EXPECT_TRUE(same(c, full_expected())) << print_config(c);
}

// kFull must move every key of the schema off its default, or EveryKeyParsed proves nothing
// about the keys it missed (a key added to the schema later fails here until it is covered).
TEST(ConfigParse, FullFixtureCoversEverySchemaKey) {
  Config parsed = parse_ok(kFull);
  Config defaults;
  for (const auto& k : config_schema::config_keys()) {
    EXPECT_FALSE(slot_equal(k.slot(parsed), k.slot(defaults))) << k.path << " is not covered";
  }
  ASSERT_FALSE(parsed.devices.empty());
  DeviceConfig device_defaults;
  for (const auto& k : config_schema::device_keys()) {
    EXPECT_FALSE(slot_equal(k.slot(parsed.devices[0]), k.slot(device_defaults)))
        << "device." << k.path << " is not covered";
  }
  ASSERT_FALSE(parsed.rules.empty());
  RuleConfig rule_defaults;
  for (const auto& k : config_schema::rule_keys()) {
    EXPECT_FALSE(slot_equal(k.slot(parsed.rules[0]), k.slot(rule_defaults)))
        << "rule." << k.path << " is not covered";
  }
  ASSERT_FALSE(parsed.employees.empty());
  EmployeeConfig employee_defaults;
  for (const auto& k : config_schema::employee_keys()) {
    EXPECT_FALSE(slot_equal(k.slot(parsed.employees[0]), k.slot(employee_defaults)))
        << "employee." << k.path << " is not covered";
  }
  AreaConfig area_defaults;
  for (const auto& k : config_schema::area_keys()) {
    EXPECT_FALSE(slot_equal(k.slot(parsed.areas[0]), k.slot(area_defaults)))
        << "area." << k.path << " is not covered";
  }
}

TEST(ConfigParse, CoursesMergeWithTheDefaults) {
  const Config c = parse_ok(with_venue("[detect.course]\nmain = \"40m\"\nbrunch = \"18m\"\n"));
  const std::map<std::string, Millis> expected = {
      {"starter", 15min}, {"main", 40min}, {"dessert", 12min}, {"drinks", 8min}, {"brunch", 18min}};
  EXPECT_EQ(c.detect.course, expected);
  // Dotted keys under [detect] are the same table.
  EXPECT_EQ(parse_ok(with_venue("[detect]\ncourse.main = \"41m\"\n")).detect.course.at("main"),
            41min);
}

TEST(ConfigParse, NumbersTakeIntegersButIntegersTakeNoFloats) {
  EXPECT_EQ(parse_ok(with_venue("[detect]\ntemperature_high = 7\n")).detect.temperature_high, 7.0);
  const ConfigError e = one_error(with_venue("[mqtt]\nport = 1883.0\n"));
  EXPECT_EQ(e.key, "mqtt.port");
  EXPECT_EQ(e.message, "expected an integer, got float 1883.0");
}

TEST(ConfigParse, InlineArrayOfTablesIsAccepted) {
  // Top-level keys come before the first [table]: after it they would belong to it.
  const Config c = parse_ok("area = [{ name = \"bar\", tables = [\"B1\"] }]\n" + with_venue(""));
  ASSERT_EQ(c.areas.size(), 1u);
  EXPECT_EQ(c.areas[0].tables, std::vector<std::string>{"B1"});
}

// ---- unknown keys -------------------------------------------------------------------------

TEST(ConfigUnknownKey, AtTopLevel) {
  const ConfigError e = one_error("# a comment\n\nflavour = \"red\"\n" + with_venue(""));
  EXPECT_EQ(e.file, "mend.toml");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.key, "flavour");
  EXPECT_EQ(e.message, "unknown key");
}

TEST(ConfigUnknownKey, UnknownSectionSuggestsTheRealOne) {
  const ConfigError e = one_error(with_venue("[detetc]\nbill_slow = \"8m\"\n"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.key, "detetc");
  EXPECT_EQ(e.message, "unknown key (did you mean \"detect\"?)");
}

TEST(ConfigUnknownKey, InASection) {
  const ConfigError e = one_error(with_venue("[mqtt]\nport = 1883\n  hots = \"broker\"\n"));
  EXPECT_EQ(e.to_string(), "mend.toml:5:3: mqtt.hots: unknown key (did you mean \"host\"?)");
}

TEST(ConfigUnknownKey, InANestedTable) {
  const ConfigError e = one_error(with_venue("[detect.slow]\nmain = \"25m\"\n"));
  EXPECT_EQ(e.key, "detect.slow");
  EXPECT_EQ(e.line, 3);
}

TEST(ConfigUnknownKey, InTheSecondDevice) {
  const ConfigError e = one_error(with_venue(R"(
[[device]]
id = "fridge-1"
kind = "fridge"

[[device]]
id = "fridge-2"
kind = "fridge"
colour = "white"
)"));
  EXPECT_EQ(e.key, "device[1].colour");
  EXPECT_EQ(e.line, 11);
  EXPECT_EQ(e.message, "unknown key");
}

TEST(ConfigUnknownKey, InAnArea) {
  const ConfigError e = one_error(with_venue("[[area]]\nname = \"bar\"\ntable = [\"B1\"]\n"));
  EXPECT_EQ(e.to_string(), "mend.toml:5:1: area[0].table: unknown key (did you mean \"tables\"?)");
}

TEST(ConfigUnknownKey, PasswordPointsToPasswordFile) {
  const ConfigError e = one_error(with_venue("[mqtt]\npassword = \"hunter2\"\n"));
  EXPECT_EQ(e.key, "mqtt.password");
  EXPECT_EQ(e.line, 4);
  EXPECT_NE(e.message.find("password_file"), std::string::npos) << e.message;
  // The error must not echo the secret it refuses.
  EXPECT_EQ(e.to_string().find("hunter2"), std::string::npos);
}

// ---- wrong types --------------------------------------------------------------------------

struct TypeCase {
  std::string text;
  std::string key;
  std::string message;
};

TEST(ConfigTypes, WrongTypesNameKeyAndWhatWasFound) {
  const TypeCase cases[] = {
      {"[venue]\nid = 5\n", "venue.id", "expected a string, got integer 5"},
      {with_venue("[mqtt]\nport = \"1883\"\n"), "mqtt.port",
       "expected an integer, got string \"1883\""},
      {with_venue("[mqtt]\ntls = \"yes\"\n"), "mqtt.tls",
       "expected true or false, got string \"yes\""},
      {with_venue("[detect]\ntemperature_low = \"cold\"\n"), "detect.temperature_low",
       "expected a number, got string \"cold\""},
      {with_venue("[[area]]\nname = \"bar\"\ntables = \"B1\"\n"), "area[0].tables",
       "expected an array of strings such as [\"T1\", \"T2\"], got string \"B1\""},
      {with_venue("[[area]]\nname = \"bar\"\ntables = [\"B1\", 2]\n"), "area[0].tables[1]",
       "expected a string, got integer 2"},
      {"mqtt = \"localhost\"\n" + with_venue(""), "mqtt",
       "expected a table [mqtt], got string \"localhost\""},
      {with_venue("[device]\nid = \"fridge-1\"\n"), "device",
       "expected [[device]] entries (an array of tables), got a table"},
      {with_venue("[detect]\ncourse = \"25m\"\n"), "detect.course",
       "expected a table of name = duration, got string \"25m\""},
      {with_venue("[log]\nlevel = 2024-01-01\n"), "log.level",
       "expected a string, got a date/time"},
  };
  for (const auto& c : cases) {
    const ConfigError e = one_error(c.text);
    EXPECT_EQ(e.key, c.key) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
    EXPECT_GT(e.line, 0) << c.text;
  }
}

// ---- durations ----------------------------------------------------------------------------

TEST(ConfigDuration, NotADuration) {
  const ConfigError e = one_error(with_venue("[detect]\nbill_slow = \"eight\"\n"));
  EXPECT_EQ(e.to_string(),
            "mend.toml:4:1: detect.bill_slow: expected a duration such as \"8m\", got \"eight\"");
}

TEST(ConfigDuration, NeedsAUnitAndQuotes) {
  const ConfigError e = one_error(with_venue("[detect]\nbill_slow = 8\n"));
  EXPECT_EQ(e.key, "detect.bill_slow");
  EXPECT_NE(e.message.find("unit"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("got integer 8"), std::string::npos) << e.message;
  EXPECT_EQ(one_error(with_venue("[detect]\nbill_slow = \"8\"\n")).key, "detect.bill_slow");
  EXPECT_EQ(one_error(with_venue("[detect]\nbill_slow = \"-8m\"\n")).key, "detect.bill_slow");
}

TEST(ConfigStore, LowSpaceIsAShareOrAnAmount) {
  EXPECT_EQ(parse_ok(with_venue("")).store.low_space, "5%");
  EXPECT_EQ(parse_ok(with_venue("[store]\nlow_space = \"200MiB\"\n")).store.low_space, "200MiB");
  const std::string msg = one_error(with_venue("[store]\nlow_space = \"5 percent\"\n")).message;
  EXPECT_NE(msg.find("\"200MiB\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("5 percent"), std::string::npos) << msg;
}

TEST(ConfigDuration, BoundsAreChecked) {
  EXPECT_EQ(one_error(with_venue("[detect]\nbill_slow = \"0s\"\n")).message,
            "must be more than 0s, got 0s");
  EXPECT_EQ(one_error(with_venue("[mqtt]\nkeepalive = \"1d\"\n")).message,
            "must be between 1s and 18h12m15s, got 1d");
  EXPECT_EQ(one_error(with_venue("[store]\nevent_retention = \"2h\"\n")).message,
            "must be at least 1d, got 2h");
  EXPECT_EQ(one_error(with_venue("[store]\nlow_space_retention = \"12h\"\n")).message,
            "must be at least 1d, got 12h");
  // 0 is allowed where it means "off".
  EXPECT_EQ(parse_ok(with_venue("[detect]\ndevice_silence = \"0s\"\n")).detect.device_silence, 0ms);
}

TEST(ConfigDuration, CourseEntriesAreDurations) {
  const ConfigError e = one_error(with_venue("[detect.course]\nmain = \"soon\"\n"));
  EXPECT_EQ(e.key, "detect.course.main");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(one_error(with_venue("[detect.course]\n\"\" = \"5m\"\n")).key, "detect.course.");
}

// ---- values -------------------------------------------------------------------------------

TEST(ConfigValues, BadValuesAreRefused) {
  const TypeCase cases[] = {
      {"[venue]\nid = \"The-Anchor\"\n", "venue.id",
       "expected 1 to 64 of a-z, 0-9 and '-', got \"The-Anchor\""},
      {"[venue]\nid = \"" + std::string(65, 'a') + "\"\n", "venue.id", ""},
      {"[venue]\nid = \"\"\n", "venue.id", ""},
      {with_venue("currency = \"eur\"\n"), "venue.currency", ""},
      {with_venue("currency = \"EURO\"\n"), "venue.currency", ""},
      {with_venue("[log]\nlevel = \"verbose\"\n"), "log.level",
       "expected one of trace, debug, info, warn, error, got \"verbose\""},
      {with_venue("[mqtt]\nport = 0\n"), "mqtt.port", "must be between 1 and 65535, got 0"},
      {with_venue("[http]\nport = 65536\n"), "http.port", "must be between 1 and 65535, got 65536"},
      {with_venue("[mqtt]\nhost = \"\"\n"), "mqtt.host", "must not be empty"},
      {with_venue("[detect]\nreview_max_rating = -1\n"), "detect.review_max_rating",
       "must be between 0 and 4, got -1"},
      {with_venue("[detect]\nvoids_count = 0\n"), "detect.voids_count", ""},
      {with_venue("[detect]\nlarge_party = -6\n"), "detect.large_party", ""},
      {with_venue("[detect]\nhigh_value = -1.5\n"), "detect.high_value",
       "must be between 0 and 1000000000, got -1.5"},
      {with_venue("[detect]\ntemperature_high = nan\n"), "detect.temperature_high",
       "expected a finite number, got nan"},
      {with_venue("[detect]\ntemperature_high = inf\n"), "detect.temperature_high", ""},
      {with_venue("[store]\ncommit_batch = 99999999999\n"), "store.commit_batch", ""},
      {with_venue("[[device]]\nid = \"fridge/1\"\nkind = \"fridge\"\n"), "device[0].id", ""},
      {with_venue("[[device]]\nid = \"fridge-1\"\nkind = \"toaster\"\n"), "device[0].kind",
       "expected one of fridge, freezer, probe, callbutton, occupancy, queue, other, got "
       "\"toaster\""},
      {with_venue("[[device]]\nid = \"f\"\nkind = \"fridge\"\nlow = -500\n"), "device[0].low",
       "must be between -100 and 300, got -500"},
      {with_venue("[[area]]\nname = \"\"\n"), "area[0].name", "must not be empty"},
      {with_venue("[[area]]\nname = \"bar\"\ntables = [\"\"]\n"), "area[0].tables[0]",
       "must not be empty"},
  };
  for (const auto& c : cases) {
    const ConfigError e = one_error(c.text);
    EXPECT_EQ(e.key, c.key) << c.text;
    if (!c.message.empty()) {
      EXPECT_EQ(e.message, c.message) << c.text;
    }
  }
}

TEST(ConfigValues, DeviceIdsMayUseWhatBridgesSend) {
  const Config c = parse_ok(with_venue("[[device]]\nid = \"AA:BB:CC_01.t\"\nkind = \"probe\"\n"));
  EXPECT_EQ(c.devices.at(0).id, "AA:BB:CC_01.t");
}

// ---- required keys ------------------------------------------------------------------------

TEST(ConfigRequired, VenueIdWithoutVenueTableIsAboutTheFile) {
  const ConfigError e = one_error("[mqtt]\nport = 1883\n");
  EXPECT_EQ(e.key, "venue.id");
  EXPECT_EQ(e.line, 0);
  EXPECT_NE(e.message.find("required"), std::string::npos);
  EXPECT_EQ(e.to_string().rfind("mend.toml: venue.id: required key is missing", 0), 0u)
      << e.to_string();
  EXPECT_EQ(one_error("").key, "venue.id");
}

TEST(ConfigRequired, MissingKeysPointAtTheirTable) {
  EXPECT_EQ(one_error("\n[venue]\nname = \"x\"\n").line, 2);
  const std::vector<ConfigError> errors = parse_bad(with_venue("\n[[device]]\nlocation = \"x\"\n"));
  ASSERT_EQ(errors.size(), 2u) << errors_text(ConfigResult{std::nullopt, errors});
  EXPECT_EQ(errors[0].key, "device[0].id");
  EXPECT_EQ(errors[1].key, "device[0].kind");
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_EQ(one_error(with_venue("[[area]]\ntables = [\"T1\"]\n")).key, "area[0].name");
}

// ---- many errors --------------------------------------------------------------------------

TEST(ConfigErrors, AllAreReportedInLineOrder) {
  const std::vector<ConfigError> errors = parse_bad(R"([venue]
id = "The Anchor"
currency = "eur"

[mqtt]
port = 70000
pasword_file = "/etc/x"

[detect]
bill_slow = "eight"
table_no_order = 10

[[device]]
id = "fridge-1"
kind = "toaster"
)");
  const std::string text = errors_text(ConfigResult{std::nullopt, errors});
  ASSERT_EQ(errors.size(), 7u) << text;
  const std::pair<int, std::string> expected[] = {
      {2, "venue.id"},          {3, "venue.currency"},    {6, "mqtt.port"},
      {7, "mqtt.pasword_file"}, {10, "detect.bill_slow"}, {11, "detect.table_no_order"},
      {15, "device[0].kind"}};
  for (std::size_t i = 0; i < errors.size(); ++i) {
    EXPECT_EQ(errors[i].line, expected[i].first) << text;
    EXPECT_EQ(errors[i].key, expected[i].second) << text;
  }
  EXPECT_NE(errors[3].message.find("did you mean \"password_file\""), std::string::npos) << text;
}

TEST(ConfigErrors, NotTomlIsOneErrorWithAPosition) {
  const ConfigError e = one_error("[venue]\nid = \"the-anchor\"\n[mqtt\nport = 1\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_GT(e.column, 0);
  EXPECT_TRUE(e.key.empty());
  EXPECT_EQ(e.message.rfind("not valid TOML: ", 0), 0u) << e.message;

  EXPECT_EQ(one_error("[venue]\nid = \"the-anc").line, 2);            // truncated
  EXPECT_EQ(one_error("[venue]\nid = \"a\"\nid = \"b\"\n").line, 3);  // duplicate key
  constexpr char kBinary[] = "\x00\xff\xfe garbage";
  EXPECT_EQ(one_error(std::string_view(kBinary, sizeof kBinary - 1)).key, "");  // binary
}

TEST(ConfigErrors, EachErrorIsOneLine) {
  const ConfigError e = one_error("[venue]\nid = \"two\\nlines\\u0007\"\n");
  EXPECT_EQ(e.key, "venue.id");
  EXPECT_EQ(e.to_string().find('\n'), std::string::npos) << e.to_string();
  EXPECT_NE(e.message.find("\"two\\nlines\\x07\""), std::string::npos) << e.message;
}

TEST(ConfigErrors, ToString) {
  EXPECT_EQ((ConfigError{"mend.toml", 12, 1, "detect.bill_slow", "bad"}).to_string(),
            "mend.toml:12:1: detect.bill_slow: bad");
  EXPECT_EQ((ConfigError{"mend.toml", 0, 0, "venue.id", "missing"}).to_string(),
            "mend.toml: venue.id: missing");
  EXPECT_EQ((ConfigError{"/etc/mend/mend.toml", 0, 0, "", "cannot open"}).to_string(),
            "/etc/mend/mend.toml: cannot open");
  EXPECT_EQ((ConfigError{"m.toml", 3, 7, "", "not valid TOML: x"}).to_string(),
            "m.toml:3:7: not valid TOML: x");
}

// ---- rules across keys --------------------------------------------------------------------

TEST(ConfigRules, ReconnectMinAtMostMax) {
  const ConfigError e =
      one_error(with_venue("[mqtt]\nreconnect_min = \"2m\"\nreconnect_max = \"1m\"\n"));
  EXPECT_EQ(e.to_string(),
            "mend.toml:4:1: mqtt.reconnect_min: 2m is longer than mqtt.reconnect_max (1m)");
  // With only max written, max is the key to blame.
  EXPECT_EQ(one_error(with_venue("[mqtt]\nreconnect_max = \"500ms\"\n")).key, "mqtt.reconnect_max");
  EXPECT_EQ(parse_ok(with_venue("[mqtt]\nreconnect_min = \"1m\"\n")).mqtt.reconnect_min, 1min);
}

TEST(ConfigRules, TemperatureBand) {
  EXPECT_EQ(one_error(with_venue("[detect]\ntemperature_low = 6.0\n")).message,
            "6.0 must be below detect.temperature_high (5.0)");
  EXPECT_EQ(one_error(with_venue("[detect]\ntemperature_high = 0\n")).key,
            "detect.temperature_high");
  // An empty band is no band.
  EXPECT_EQ(one_error(with_venue("[detect]\ntemperature_low = 3\ntemperature_high = 3\n")).key,
            "detect.temperature_low");
}

TEST(ConfigRules, DeviceBandMixesItsOwnEndsWithTheVenueDefaults) {
  // A freezer that sets only `high` keeps the venue's low end of 0 C: an impossible band.
  const ConfigError e =
      one_error(with_venue("[[device]]\nid = \"freezer-1\"\nkind = \"freezer\"\nhigh = -15.0\n"));
  EXPECT_EQ(e.key, "device[0].high");
  EXPECT_EQ(e.line, 6);
  EXPECT_NE(e.message.find("detect.temperature_low"), std::string::npos) << e.message;
  parse_ok(with_venue(
      "[[device]]\nid = \"freezer-1\"\nkind = \"freezer\"\nlow = -25.0\nhigh = -15.0\n"));
}

TEST(ConfigRules, DeviceIdsAreUnique) {
  const ConfigError e = one_error(with_venue(R"(
[[device]]
id = "fridge-1"
kind = "fridge"

[[device]]
id = "fridge-1"
kind = "freezer"
)"));
  EXPECT_EQ(e.key, "device[1].id");
  EXPECT_EQ(e.line, 9);
  EXPECT_EQ(e.message, "duplicate device id \"fridge-1\": device[0] (line 5) has it already");
}

TEST(ConfigRules, ATableIsInOneArea) {
  const std::vector<ConfigError> errors = parse_bad(with_venue(R"(
[[area]]
name = "bar"
tables = ["T1", "T2"]

[[area]]
name = "terrace"
tables = ["T3", "T2", "T3"]
)"));
  ASSERT_EQ(errors.size(), 2u) << errors_text(ConfigResult{std::nullopt, errors});
  EXPECT_EQ(errors[0].to_string(),
            "mend.toml:10:17: area[1].tables[1]: table \"T2\" is already in area \"bar\" (line "
            "6): a table belongs to one area");
  EXPECT_EQ(errors[1].key, "area[1].tables[2]");
  EXPECT_NE(errors[1].message.find("this area"), std::string::npos);
}

TEST(ConfigRules, AreaNamesAreUnique) {
  const ConfigError e =
      one_error(with_venue("[[area]]\nname = \"bar\"\n[[area]]\nname = \"bar\"\n"));
  EXPECT_EQ(e.key, "area[1].name");
  EXPECT_EQ(e.line, 6);
}

TEST(ConfigRules, TlsFiles) {
  EXPECT_EQ(one_error(with_venue("[mqtt]\nca_file = \"/etc/ca.pem\"\n")).key, "mqtt.ca_file");
  EXPECT_EQ(one_error(with_venue("[mqtt]\ntls = true\ncert_file = \"/etc/c.pem\"\n")).message,
            "mqtt.cert_file and mqtt.key_file go together: set both or neither");
  parse_ok(with_venue("[mqtt]\ntls = true\nca_file = \"/etc/ca.pem\"\n"));
}

// ---- print_config -------------------------------------------------------------------------

void expect_round_trip(const Config& config) {
  const std::string printed = print_config(config);
  const ConfigResult again = parse_config(printed, "printed.toml");
  ASSERT_TRUE(again.config) << errors_text(again) << printed;
  EXPECT_TRUE(same(*again.config, config)) << printed;
  EXPECT_EQ(print_config(*again.config), printed);
}

TEST(ConfigPrint, RoundTripOfDefaults) { expect_round_trip(parse_ok(with_venue(""))); }

TEST(ConfigPrint, RoundTripOfEveryKey) { expect_round_trip(parse_ok(kFull)); }

TEST(ConfigPrint, RoundTripOfAwkwardValues) {
  Config c = parse_ok(kFull);
  c.venue.name = "Caf\xc3\xa9 \"Chez Nous\"\\ 2nd\tfloor\nline two \x01";
  c.detect.course["main course"] = 31min;
  c.detect.course["caf\xc3\xa9.dessert"] = 7min;
  c.detect.temperature_low = -0.1;
  c.detect.temperature_high = 1e-3;
  c.detect.high_value = 0.30000000000000004;
  c.devices[0].low = -18.5;
  c.devices[1].silence = 250ms;
  c.areas[1].tables = {"T 1", "b\xc3\xa4r"};
  expect_round_trip(c);
}

TEST(ConfigPrint, EveryKeyWithItsDescription) {
  Config c = parse_ok(kFull);
  const std::string printed = print_config(c);
  for (const auto& k : config_schema::config_keys()) {
    const std::string leaf(k.path.substr(k.path.find('.') + 1));
    const std::string description(k.description.substr(0, 40));
    const std::size_t at = printed.find(description);
    ASSERT_NE(at, std::string::npos) << k.path;
    // The key comes after its description and before the next key's.
    EXPECT_NE(printed.find("\n" + leaf + (k.path == "detect.course" ? "." : " = "), at),
              std::string::npos)
        << k.path;
  }
  EXPECT_NE(printed.find("\n[[device]]\n"), std::string::npos);
  EXPECT_NE(printed.find("\n[[area]]\n"), std::string::npos);
  // An unset device override says what applies instead, and stays unset when read back.
  EXPECT_NE(printed.find("# low is not set: detect.temperature_low = 1.0 applies"),
            std::string::npos)
      << printed;
}

TEST(ConfigPrint, SectionsInSchemaOrder) {
  const std::string printed = print_config(parse_ok(with_venue("")));
  std::size_t last = 0;
  for (const char* header : {"[venue]", "[mqtt]", "[store]", "[http]", "[log]", "[detect]"}) {
    const std::size_t at = printed.find(std::string("\n") + header + "\n");
    ASSERT_NE(at, std::string::npos) << header;
    EXPECT_GT(at, last) << header;
    last = at;
  }
}

// ---- the shipped sample and fixtures ------------------------------------------------------

const std::string kSample = MEND_SAMPLE_CONFIG;

TEST(ConfigSample, ParsesWithoutErrors) {
  const ConfigResult r = parse_config(read_file(kSample), kSample);
  ASSERT_TRUE(r.config) << errors_text(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.venue.id, "the-anchor");
  EXPECT_EQ(c.areas.size(), 3u);
  std::size_t tables = 0;
  for (const auto& a : c.areas) tables += a.tables.size();
  EXPECT_EQ(tables, 20u);
  std::size_t fridges = 0;
  std::size_t freezers = 0;
  std::size_t buttons = 0;
  for (const auto& d : c.devices) {
    fridges += d.kind == "fridge";
    freezers += d.kind == "freezer";
    buttons += d.kind == "callbutton";
  }
  EXPECT_EQ(fridges, 2u);
  EXPECT_EQ(freezers, 1u);
  EXPECT_EQ(buttons, 1u);
  expect_round_trip(c);
}

TEST(ConfigSample, FixturesSayWhatTheCliTestExpects) {
  const std::string dir = MEND_FIXTURES_DIR "/config/";
  EXPECT_TRUE(parse_config(read_file(dir + "good.toml"), "good.toml").config);
  const ConfigResult unknown = parse_config(read_file(dir + "unknown_key.toml"), "u.toml");
  ASSERT_EQ(unknown.errors.size(), 1u) << errors_text(unknown);
  EXPECT_EQ(unknown.errors[0].line, 9);
  EXPECT_EQ(unknown.errors[0].key, "detect.bil_slow");
  const ConfigResult duration = parse_config(read_file(dir + "bad_duration.toml"), "d.toml");
  EXPECT_EQ(duration.errors.size(), 2u) << errors_text(duration);
  EXPECT_EQ(parse_config(read_file(dir + "multiple_errors.toml"), "m.toml").errors.size(), 3u);
  for (const char* f : {"truncated.toml", "garbage.toml"}) {
    const ConfigResult r = parse_config(read_file(dir + f), f);
    ASSERT_EQ(r.errors.size(), 1u) << f;
    EXPECT_GT(r.errors[0].line, 0) << f;
  }
}

TEST(ConfigRecovery, BadLadderQuietAndShiftsAreNamedWithTheirLine) {
  const ConfigResult r = parse_config(with_venue(R"([policy]
shift_starts = ["6am"]
staff_limit = 200

[escalation]
ladder = ["staff@0s", "manager@5m", "owner@3m", "nonsense"]
quiet = ["manager=high"]
)"),
                                      kFile);
  ASSERT_FALSE(r.config);
  const std::string text = errors_text(r);
  EXPECT_NE(text.find("policy.shift_starts[0]: expected a time of day"), std::string::npos) << text;
  EXPECT_NE(text.find("policy.staff_limit: a staff member may not approve more than a manager"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("escalation.ladder[2]: the role must be one of staff, manager, admin"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("escalation.ladder[2]: each stage must come later"), std::string::npos)
      << text;
  EXPECT_NE(text.find("escalation.ladder[3]: expected role@time"), std::string::npos) << text;
  EXPECT_NE(text.find("escalation.quiet[0]: expected role:severity"), std::string::npos) << text;
  EXPECT_NE(text.find("mend.toml:"), std::string::npos) << text;
}

TEST(ConfigRecovery, RuleNeedsAKnownKindAndAction) {
  const ConfigResult r = parse_config(with_venue(R"([[rule]]
kind = "table.no_order"
action = "free_car"
text = "x"

[[rule]]
action = "apology"
text = "Sorry"
)"),
                                      kFile);
  ASSERT_FALSE(r.config);
  const std::string text = errors_text(r);
  EXPECT_NE(text.find("rule[0].action"), std::string::npos) << text;
  EXPECT_NE(text.find("rule[1].kind: required key is missing"), std::string::npos) << text;
}

TEST(ConfigRecovery, GrammarHelpers) {
  EXPECT_EQ(parse_ladder_step("manager@3m"), (std::pair<std::string, Millis>{"manager", 3min}));
  EXPECT_FALSE(parse_ladder_step("@3m"));
  EXPECT_FALSE(parse_ladder_step("manager@soon"));
  EXPECT_EQ(parse_time_of_day("16:30"), 16 * 60 + 30);
  EXPECT_FALSE(parse_time_of_day("24:00"));
  EXPECT_FALSE(parse_time_of_day("7:00"));
  EXPECT_EQ(parse_role_word("admin:high"), (std::pair<std::string, std::string>{"admin", "high"}));
  EXPECT_FALSE(parse_role_word("admin:"));
}

// The cloud link is off by default; switched on, it needs its broker, certificates and group,
// and it speaks only TLS. Each missing key is named, at the line that switched it on.
TEST(ConfigCloud, EnabledNeedsItsBrokerCertificatesAndGroupAndOnlyTls) {
  const ConfigResult off = parse_config(with_venue(""), kFile);
  ASSERT_TRUE(off.config.has_value()) << errors_text(off);
  EXPECT_FALSE(off.config->cloud.enabled);

  const ConfigResult r = parse_config(
      with_venue("[cloud]\nenabled = true\nurl = \"tcp://cloud.example.net:1883\"\n"), kFile);
  EXPECT_FALSE(r.config.has_value());
  const std::string text = errors_text(r);
  EXPECT_NE(text.find("mend.toml:5:1: cloud.url: must start with ssl:// or mqtts://"),
            std::string::npos)
      << text;
  for (const char* key : {"cloud.ca_file", "cloud.cert_file", "cloud.key_file", "cloud.group"}) {
    EXPECT_NE(text.find("mend.toml:4:1: cloud.enabled: " + std::string(key) +
                        " is needed when the cloud link is enabled"),
              std::string::npos)
        << key << "\n"
        << text;
  }
}

// The outbox's byte limit is an amount of at least 1 MiB, never a share of the disk.
TEST(ConfigCloud, TheOutboxLimitIsAnAmountNotAShare) {
  for (const char* bad : {"\"5%\"", "\"100KiB\"", "\"lots\""}) {
    const ConfigResult r =
        parse_config(with_venue(std::string("[cloud]\noutbox_bytes = ") + bad + "\n"), kFile);
    EXPECT_FALSE(r.config.has_value()) << bad;
    EXPECT_NE(errors_text(r).find("mend.toml:4:1: cloud.outbox_bytes"), std::string::npos)
        << errors_text(r);
  }
  EXPECT_EQ(parse_ok(with_venue("[cloud]\noutbox_bytes = \"1GiB\"\n")).cloud.outbox_bytes, "1GiB");
}

TEST(ConfigCloud, TheClientIdIsDerivedFromTheGroupAndTheVenue) {
  const Config c = parse_ok(
      with_venue("[cloud]\nenabled = true\nurl = \"mqtts://c:8883\"\nca_file = \"/a\"\ncert_file = "
                 "\"/b\"\nkey_file = \"/c\"\ngroup = \"harbour\"\n"));
  EXPECT_EQ(c.cloud.client_id, "mend-harbour-the-anchor");
}

TEST(Topics, CloudTopicsCarryTheGroupTheVenueAndTheClass) {
  EXPECT_EQ(topics::cloud("g", "v", "cases"), "mend/v1/g/v/cases");
  EXPECT_EQ(topics::mend_class(topics::case_state("v", "c-1")), "cases");
  EXPECT_EQ(topics::mend_class(topics::alerts("v")), "alerts");
  EXPECT_EQ(topics::mend_class(topics::audit("v")), "audit");
  EXPECT_EQ(topics::mend_class("venue/v/till/order.opened"), "");
  EXPECT_EQ(topics::mend_class("venue/v/x/mend/alerts"), "");
}

// ---- a limit tuned on the tablet ------------------------------------------------------------

TEST(DetectLimit, IsReadAndBoundedAsTheFilesValueWouldBe) {
  DetectConfig d;
  EXPECT_EQ(set_detect_limit(d, "bill_slow", "90s"), std::nullopt);
  EXPECT_EQ(d.bill_slow, 90s);
  EXPECT_EQ(detect_limit_text(d, "bill_slow"), "1m30s");
  EXPECT_EQ(set_detect_limit(d, "course.main", "1h"), std::nullopt);
  EXPECT_EQ(d.course.at("main"), 1h);
  EXPECT_EQ(set_detect_limit(d, "temperature_high", "-2.5"), std::nullopt);
  EXPECT_EQ(d.temperature_high, -2.5);
  EXPECT_EQ(detect_limit_text(d, "temperature_high"), "-2.5");
  EXPECT_EQ(set_detect_limit(d, "pattern_count", "4"), std::nullopt);
  EXPECT_EQ(d.pattern_count, 4);

  const DetectConfig before = d;
  EXPECT_EQ(set_detect_limit(d, "pattern_count", "4x"), "expected a whole number, got \"4x\"");
  EXPECT_EQ(set_detect_limit(d, "temperature_high", "nan"), "expected a number, got \"nan\"");
  EXPECT_EQ(set_detect_limit(d, "temperature_high", "400"),
            "must be between -100 and 300, got 400");
  EXPECT_EQ(set_detect_limit(d, "bill_slow", ""),
            "expected a duration such as \"1m30s\" (a number with a unit: s, m, h), got \"\"");
  EXPECT_EQ(set_detect_limit(d, "course.pudding", "5m"), "is not a limit that can be tuned");
  EXPECT_EQ(set_detect_limit(d, "course", "5m"), "is not a limit that can be tuned");
  EXPECT_EQ(set_detect_limit(d, "mqtt.host", "x"), "is not a limit that can be tuned");
  EXPECT_EQ(d.pattern_count, before.pattern_count);
  EXPECT_EQ(d.temperature_high, before.temperature_high);
  EXPECT_EQ(detect_limit_text(d, "nothing"), std::nullopt);
  EXPECT_EQ(detect_limit_description("bill_slow"),
            "A bill asked for and not paid this long opens bill.slow.");
}

}  // namespace
}  // namespace mend
