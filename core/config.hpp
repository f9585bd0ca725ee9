// The daemon's configuration: typed values with their defaults. Where each key comes from,
// its type, default, unit and description live in one declared schema (config_schema.cpp);
// parse_config() checks a TOML text against it and names file, line and key for every error.
// Pure: the caller reads the file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace mend {

using namespace std::chrono_literals;

struct VenueConfig {
  std::string id;  // required, [a-z0-9-]{1,64}: the <venue> in every topic
  std::string name;
  std::string currency = "EUR";  // ISO 4217, for check.paid without one
};

struct MqttConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id;  // default "mendd-<venue.id>"
  std::string username;
  std::string password_file;  // a file holding the password: never the password itself
  bool tls = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  Millis keepalive = 30s;
  Millis reconnect_min = 1s;
  Millis reconnect_max = 60s;
};

// The venue group's cloud broker (adapters/cloud): off unless enabled.
struct CloudConfig {
  bool enabled = false;
  std::string url;  // ssl://host:8883 or mqtts://host:8883: TLS only
  std::string ca_file;
  std::string cert_file;  // the box's client certificate
  std::string key_file;
  std::string group;      // the <group> in mend/v1/<group>/<venue>/<class>
  std::string client_id;  // default "mend-<group>-<venue.id>"
  int in_flight = 32;     // published and not yet acknowledged, at most
  bool events = false;    // raw events go out too
  Millis keepalive = 30s;
  Millis reconnect_min = 1s;
  Millis reconnect_max = 60s;
  // The outbox's limits while the cloud is away (docs/cloud.md sizes them): beyond any of them
  // the oldest telemetry goes first, then the oldest records, each drop counted and reported.
  int outbox_rows = 200000;
  std::string outbox_bytes = "256MiB";
  Millis outbox_age = std::chrono::hours(24 * 7);
};

struct StoreConfig {
  std::string path = "/var/lib/mend/mend.db";
  Millis commit_interval = 200ms;  // how long an accepted event may wait for its transaction
  int commit_batch = 512;          // at most this many events per transaction
  Millis event_retention = std::chrono::hours(24 * 30);  // raw events older than this are pruned
  std::string low_space = "5%";  // free space below this is low (core/disk_budget.hpp)
  Millis low_space_retention = std::chrono::hours(24 * 7);  // raw events kept while it is low
};

struct HttpConfig {
  // The tablets' listener. On any address but loopback it speaks only TLS, with the box's own
  // certificate, so the tablet UI is a secure context on the venue's LAN.
  std::string listen = "127.0.0.1";
  int port = 8080;
  // A second, plain-HTTP listener on 127.0.0.1 for the box itself (health checks, the
  // installer); 0: none.
  int local_port = 0;
  std::string tls_dir;  // empty: "tls" next to the database
  std::string ui_dir = "/usr/share/mend/ui";
};

// Web Push alerts to managers' phones (adapters/push). Nothing is sent until someone subscribes.
struct PushConfig {
  bool enabled = true;
  // The VAPID "sub" claim (RFC 8292): a mailto: or https: contact for the push services. Some
  // (Apple's) refuse messages without one.
  std::string subject;
  int queue = 256;  // messages waiting to be sent, at most; more are dropped and counted
  Millis ttl = std::chrono::hours(1);  // how long a push service keeps an undelivered alert
};

struct AuthConfig {
  Millis session_idle = std::chrono::hours(2);
  Millis session_lifetime = std::chrono::hours(12);
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error
};

struct DetectConfig {
  Millis table_no_order = 10min;
  std::map<std::string, Millis> course = {
      {"starter", 15min}, {"main", 25min}, {"dessert", 12min}, {"drinks", 8min}};
  Millis course_default = 20min;  // a course name not in `course`
  Millis bill_slow = 8min;
  Millis call_unanswered = 3min;
  Millis arrival_unseated = 10min;
  Millis enquiry_unanswered = 2h;
  double temperature_low = 0.0;  // degrees C, for devices that set no band
  double temperature_high = 5.0;
  Millis temperature_for = 15min;
  Millis device_offline = 5min;  // status "offline" this long opens device.offline
  Millis device_silence = 5min;  // registered devices silent this long; per device, 0 = off
  int review_max_rating = 2;     // review.negative at this rating or lower
  int voids_count = 2;           // voids on one check that open voids.repeated
  int pattern_count = 3;         // cases of one kind in one area within pattern_window
  Millis pattern_window = 2h;
  Millis future_tolerance = 5min;  // a ts further ahead counts as received now
  Millis source_skew = 90s;        // a source's clock off by more: corrected, and a case; 0 off
  double high_value = 150.0;       // booking value at or above this raises severity
  int large_party = 6;             // party size at or above this raises severity
};

// Recovery policy as the file says it; core/recovery.hpp turns it into the policy, the
// escalation ladder and the guest settings. Words are checked by check_rules.
struct PolicySettings {
  double staff_limit = 15;     // compensation a staff member may approve per case
  double manager_limit = 150;  // and a manager; an admin has no limit
  double shift_budget = 300;   // compensation per shift, everyone together
  std::vector<std::string> shift_starts{"06:00", "16:00"};  // local times of day
  std::vector<std::string> automatic;  // kinds whose plan may run without approval
  double auto_budget = 0;              // compensation per shift for automatic plans
  bool default_rules = true;           // keep the day-one rules the file does not replace
};

struct EscalationSettings {
  std::vector<std::string> ladder{"staff@0s", "manager@3m", "admin@10m"};  // role@after
  Millis repeat = 5min;  // the last stage is reminded this often until acknowledged; 0: never
  std::vector<std::string> quiet{"manager:medium", "admin:high"};  // role:lowest severity
};

struct GuestsSettings {
  int regular_visits = 5;
  double vip_spend = 1500;
  std::vector<std::string> vip;  // customer ids marked VIP by hand
  // Retention: a profile not seen this long is deleted; staff notes and consented dietary
  // notes go on their own clocks.
  Millis keep_profiles = std::chrono::hours(24 * 540);
  Millis keep_notes = std::chrono::hours(24 * 365);
  Millis keep_dietary = std::chrono::hours(24 * 365);
  // Win-back (core/winback.hpp): a regular away longer than both of these is flagged.
  Millis winback_after = std::chrono::hours(24 * 90);
  double winback_factor = 3;  // times the guest's own usual interval between visits
  // Concierge (core/briefing.hpp): the briefing goes out this long before a shift starts.
  Millis briefing_lead = std::chrono::minutes(30);
};

// The contribution ledger's rules (core/contributions.hpp, docs/ledger.md): points for
// verified recovery work, and guests' rewards.
struct LedgerSettings {
  bool enabled = true;
  double case_closed = 1;      // resolved with a root cause, and its follow-up sent
  double guest_recovered = 2;  // a survey of 4-5 about the case, or its voucher redeemed
  double cause_fixed = 3;      // a pattern resolved that did not recur in cause_fixed_after
  Millis cause_fixed_after = std::chrono::hours(14 * 24);
  double training = 1;  // a training a manager confirmed
  // Contributions under these rules count only once a manager has countersigned them.
  std::vector<std::string> countersign{"case_closed", "guest_recovered", "cause_fixed"};
  bool leaderboard = false;  // the team view ranks people by points
  int stamp_every = 0;       // visits per loyalty stamp; 0: no stamps
  double stamp_value = 0;    // a stamp's credit, in the venue's currency
};

// The at-risk model (core/risk_training.hpp): what training reads and how the flag's threshold
// is chosen.
struct PredictionSettings {
  Millis window = std::chrono::hours(90 * 24);  // the settled visits training reads
  int min_visits = 150;                         // fewer: no model, and the tablet says so
  double target_precision = 0.7;  // share of flagged tables that ended badly, on validation
};

// One action of a [[rule]]; entries with the same kind, severity and tier make one rule.
struct RuleConfig {
  std::string kind;
  std::string min_severity = "low";
  std::string tier;  // empty: any guest
  std::string action;
  double value = 0;
  std::string text;
};

struct DeviceConfig {
  std::string id;
  std::string kind;            // fridge, freezer, probe, callbutton, occupancy, queue, other
  std::string location;        // for people: "walk-in fridge by the pass"
  std::string area;            // for pattern detection; may be empty
  std::optional<double> low;   // temperature band, degrees C; default detect.temperature_low
  std::optional<double> high;  // default detect.temperature_high
  std::optional<Millis> out_of_range_for;  // default detect.temperature_for
  std::optional<Millis> silence;           // default detect.device_silence; 0 = not watched
};

struct AreaConfig {
  std::string name;
  std::vector<std::string> tables;
};

// One [[employee]] entry (core/employees.hpp): what the file changes of a built-in employee.
// Empty words keep the built-in ones.
struct EmployeeConfig {
  std::string
      id;  // host, floor, kitchen_safety, inbox, reputation, analyst, caretaker, winback, concierge
  std::string job;
  std::vector<std::string> signals;
  std::string may = "act";  // recommend, or act (automatically, where the policy allows)
  std::string owner;        // a role; empty: the built-in owner
  bool enabled = true;
};

struct Config {
  VenueConfig venue;
  MqttConfig mqtt;
  CloudConfig cloud;
  StoreConfig store;
  HttpConfig http;
  PushConfig push;
  AuthConfig auth;
  LogConfig log;
  DetectConfig detect;
  std::vector<DeviceConfig> devices;
  std::vector<AreaConfig> areas;
  PolicySettings policy;
  EscalationSettings escalation;
  GuestsSettings guests;
  LedgerSettings ledger;
  PredictionSettings prediction;
  std::vector<RuleConfig> rules;
  std::vector<EmployeeConfig> employees;
};

// The small grammars of the recovery settings, shared by check_rules and core/recovery.
// "staff@3m" -> {"staff", 3 min}
std::optional<std::pair<std::string, Millis>> parse_ladder_step(std::string_view text);
// "manager:medium" -> {"manager", "medium"} (the severity word is checked by the caller)
std::optional<std::pair<std::string, std::string>> parse_role_word(std::string_view text);
// "06:00" -> minutes after midnight
std::optional<int> parse_time_of_day(std::string_view text);

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the error is about the whole file (a missing key)
  int column = 0;
  std::string key;  // dotted path, "detect.course.main", "device[2].low"
  std::string message;
  // "mend.toml:12:1: detect.bill_slow: expected a duration such as \"8m\", got \"eight\""
  std::string to_string() const;
};

struct ConfigResult {
  std::optional<Config> config;  // set only when there are no errors
  std::vector<ConfigError> errors;
};

// Checks every key against the schema: unknown keys, wrong types, bad values (durations,
// ranges, ids) and cross-key rules (reconnect_min <= reconnect_max, unique device ids, a table
// in one area only) are all reported, not only the first.
ConfigResult parse_config(std::string_view toml_text, std::string_view file_name);
// The file with the venue group's document from the cloud over it: each key the cloud's
// document sets replaces the file's, and an array of tables it sets ([[device]], [[rule]], ...)
// replaces the file's whole array. The cloud may set only the sections settable_from_cloud
// allows; any other is an error naming the cloud's document. Errors name the document that
// wrote the key.
ConfigResult parse_config(std::string_view toml_text, std::string_view file_name,
                          std::string_view cloud_text, std::string_view cloud_name);
// A [detect] limit as a manager tunes it on the tablet: the key without "detect."
// ("bill_slow", "course.main"; a course only when detect.course names it) and its value as the
// file writes it ("12m", "4.5", "3"), read and bounded as the file's value is. Returns what is
// wrong with it, or nothing once `detect` holds it.
std::optional<std::string> set_detect_limit(DetectConfig& detect, std::string_view key,
                                            std::string_view text);
// Its value as the file writes it; nothing for a key that is not a tunable limit.
std::optional<std::string> detect_limit_text(const DetectConfig& detect, std::string_view key);
// What it does, in one line (the schema's description).
std::string detect_limit_description(std::string_view key);

// What the venue group may tune from the cloud: how failures are detected and recovered, the
// devices and areas, logging. The venue's id, the brokers, the store, the listeners, accounts and
// every secret stay in the box's own file.
bool settable_from_cloud(std::string_view section);
// The top-level sections a TOML document sets, in its order ("detect", "policy"); empty when
// it is not TOML.
std::vector<std::string> config_sections(std::string_view toml_text);

// The effective configuration as TOML: every key with its value (defaults included) and its
// description as a comment above it, in schema order. Parsing the output gives the same config.
std::string print_config(const Config& config);

}  // namespace mend
