// The config schema and the TOML walk that checks a file against it.
//
// toml++ parses the text (and only this file sees toml++). The walk then visits every key of
// the document rather than looking up the keys it knows: that is how unknown keys, at any
// depth and inside every [[device]] and [[area]], are found and named with their line. Each
// value is read according to the type of the field it lands in, checked against the key's
// limits, and every problem becomes a ConfigError; the walk never stops at the first one.
// Rules that involve more than one key run afterwards on the typed Config (config.cpp), using
// the positions the walk recorded.
#include "core/config_schema.hpp"

#include "core/disk_budget.hpp"
#include "core/employees.hpp"
#include "core/recovery.hpp"
#include "core/roles.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

namespace mend::config_schema {
namespace {

using namespace std::string_view_literals;

// ---- value formats ----------------------------------------------------------------------

bool is_venue_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Empty until the cloud link is set up; check_rules needs it once cloud.enabled is true.
bool is_group_id(std::string_view s) { return s.empty() || is_venue_id(s); }

// cloud.outbox_bytes: an amount, not a share of the disk, and not less than 1 MiB.
bool is_byte_amount(std::string_view s) {
  const auto a = parse_space_amount(s);
  return a && !a->percent && a->bytes >= (1u << 20);
}

bool is_push_subject(std::string_view s) {
  return s.empty() || (s.starts_with("mailto:") && s.size() > 7) ||
         (s.starts_with("https://") && s.size() > 8);
}

bool is_currency(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A device id is one MQTT topic level (venue/<venue>/sensor/<device>/...): no separators or
// wildcards, and nothing a person could not type.
bool is_device_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == '+' || c == '#' || u <= 0x20 || u == 0x7f;
  });
}

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view kTierWords[] = {"", "new", "returning", "regular", "vip"};
constexpr Limits kMoney{.min = 0, .max = 1e9};
constexpr Limits kPoints{.min = 0, .max = 1000};
constexpr std::string_view kLedgerRules[] = {"case_closed", "guest_recovered", "cause_fixed",
                                             "training"};
constexpr std::string_view kDeviceKinds[] = {"fridge",    "freezer", "probe", "callbutton",
                                             "occupancy", "queue",   "other"};

constexpr double kSecond = 1000;
constexpr double kMinute = 60 * kSecond;
constexpr double kDay = 24 * 3600 * kSecond;

constexpr Limits kNonEmpty{.non_empty = true};
constexpr Limits kPort{.min = 1, .max = 65535};
constexpr Limits kPositive{.min = 0, .min_exclusive = true};  // durations: a wait of 0 is none
constexpr Limits kNonNegative{.min = 0};
// Wide enough for a blast chiller and a cooking probe, narrow enough to catch a typo.
constexpr Limits kTemperature{.min = -100, .max = 300};

// ---- the schema -------------------------------------------------------------------------

// Print order. Descriptions are written for the installer who reads --print-config.
constexpr Section kSections[] = {
    {"venue", "The venue. Its id is the <venue> in every MQTT topic."},
    {"mqtt", "The venue's local MQTT broker (Mosquitto), where the bridges publish."},
    {"cloud",
     "The venue group's cloud broker: the outbox goes there, in order, over TLS with the "
     "box's client certificate. Off unless enabled."},
    {"store", "The SQLite store on the SD card: events, cases, audit log, outbox."},
    {"http", "The tablet's HTTP/WebSocket server."},
    {"push",
     "Web Push alerts to managers' phones, signed with the box's VAPID key. Nothing is sent "
     "until a manager turns alerts on on a device."},
    {"auth", "Staff sign-in on the tablets."},
    {"log", "Logging to the journal."},
    {"detect", "When a failure opens a case. Thresholds follow common hospitality practice."},
    {"device", "A registered sensor: one [[device]] per device id its bridge publishes."},
    {"area", "A part of the venue and its tables, for recurring-pattern detection."},
    {"policy", "Recovery: who may approve how much, the shift budget, automatic actions."},
    {"escalation", "Who hears about a case, and when, until someone acknowledges it."},
    {"guests", "Guest tiers for the recommendations: returning, regular, VIP."},
    {"ledger",
     "The contribution ledger (docs/ledger.md): points for verified recovery work, and guests' "
     "rewards."},
    {"prediction",
     "The at-risk model: trained each night on the venue's own table-visits, it flags tables "
     "likely to end badly before they breach."},
    {"rule",
     "A recommended action: one [[rule]] per action; the same kind, min_severity and "
     "tier make one rule, replacing the day-one rule for them."},
    {"employee",
     "A digital employee (host, floor, kitchen_safety, inbox, reputation, analyst, caretaker, "
     "winback, concierge): "
     "one [[employee]] per employee the venue changes; the others keep their built-in "
     "settings."},
};

constexpr Key<Config> kConfigKeys[] = {
    // [venue]
    {"venue.id",
     [](Config& c) { return Slot{&c.venue.id}; },
     "",
     "",
     "The venue's id: the <venue> in every MQTT topic, venue/<id>/...",
     {.valid = is_venue_id, .valid_text = "1 to 64 of a-z, 0-9 and '-'"},
     true},
    {"venue.name", [](Config& c) { return Slot{&c.venue.name}; }, "\"\"", "",
     "The venue's name as staff see it on the tablet and in alerts."},
    {"venue.currency",
     [](Config& c) { return Slot{&c.venue.currency}; },
     "\"EUR\"",
     "",
     "ISO 4217 currency of check.paid events that name none.",
     {.valid = is_currency, .valid_text = "a 3-letter ISO 4217 code such as \"EUR\""}},
    // [mqtt]
    {"mqtt.host", [](Config& c) { return Slot{&c.mqtt.host}; }, "\"127.0.0.1\"", "",
     "Host name or address of the broker.", kNonEmpty},
    {"mqtt.port", [](Config& c) { return Slot{&c.mqtt.port}; }, "1883", "",
     "TCP port of the broker (1883 plain, usually 8883 with TLS).", kPort},
    {"mqtt.client_id", [](Config& c) { return Slot{&c.mqtt.client_id}; }, "\"mendd-<venue.id>\"",
     "", "MQTT client id; empty means mendd-<venue.id>."},
    {"mqtt.username", [](Config& c) { return Slot{&c.mqtt.username}; }, "\"\"", "",
     "MQTT user name; empty connects without one."},
    {"mqtt.password_file", [](Config& c) { return Slot{&c.mqtt.password_file}; }, "\"\"", "",
     "A file holding the MQTT password, readable only by mendd. Never the password itself."},
    {"mqtt.tls", [](Config& c) { return Slot{&c.mqtt.tls}; }, "false", "",
     "Connect to the broker over TLS."},
    {"mqtt.ca_file", [](Config& c) { return Slot{&c.mqtt.ca_file}; }, "\"\"", "",
     "CA certificate (PEM) the broker's certificate must chain to; empty: the system's CAs."},
    {"mqtt.cert_file", [](Config& c) { return Slot{&c.mqtt.cert_file}; }, "\"\"", "",
     "Client certificate (PEM) for mutual TLS; needs key_file."},
    {"mqtt.key_file", [](Config& c) { return Slot{&c.mqtt.key_file}; }, "\"\"", "",
     "Private key (PEM) of cert_file."},
    {"mqtt.keepalive",
     [](Config& c) { return Slot{&c.mqtt.keepalive}; },
     "30s",
     "",
     "How often mendd and the broker check that the link is alive.",
     {.min = kSecond, .max = 65535 * kSecond}},
    {"mqtt.reconnect_min", [](Config& c) { return Slot{&c.mqtt.reconnect_min}; }, "1s", "",
     "First wait before reconnecting to a lost broker; it doubles up to reconnect_max.", kPositive},
    {"mqtt.reconnect_max", [](Config& c) { return Slot{&c.mqtt.reconnect_max}; }, "1m", "",
     "Longest wait between reconnect attempts.", kPositive},
    // [cloud]
    {"cloud.enabled", [](Config& c) { return Slot{&c.cloud.enabled}; }, "false", "",
     "Send the outbox to the cloud broker."},
    {"cloud.url", [](Config& c) { return Slot{&c.cloud.url}; }, "\"\"", "",
     "The cloud broker, ssl://host:port or mqtts://host:port (TLS only)."},
    {"cloud.ca_file", [](Config& c) { return Slot{&c.cloud.ca_file}; }, "\"\"", "",
     "CA certificate (PEM) the cloud broker's certificate must chain to."},
    {"cloud.cert_file", [](Config& c) { return Slot{&c.cloud.cert_file}; }, "\"\"", "",
     "The box's client certificate (PEM)."},
    {"cloud.key_file", [](Config& c) { return Slot{&c.cloud.key_file}; }, "\"\"", "",
     "Private key (PEM) of cert_file, readable only by mendd."},
    {"cloud.group",
     [](Config& c) { return Slot{&c.cloud.group}; },
     "\"\"",
     "",
     "The venue group's id: the <group> in mend/v1/<group>/<venue>/<class>.",
     {.valid = is_group_id, .valid_text = "1 to 64 of a-z, 0-9 and '-'"}},
    {"cloud.client_id", [](Config& c) { return Slot{&c.cloud.client_id}; },
     "\"mend-<group>-<venue.id>\"", "", "MQTT client id at the cloud broker."},
    {"cloud.in_flight",
     [](Config& c) { return Slot{&c.cloud.in_flight}; },
     "32",
     "messages",
     "Published and not yet acknowledged by the cloud broker, at most.",
     {.min = 1, .max = 1000}},
    {"cloud.events", [](Config& c) { return Slot{&c.cloud.events}; }, "false", "",
     "Send raw events too, not only cases, alerts, follow-ups and audit entries."},
    {"cloud.keepalive",
     [](Config& c) { return Slot{&c.cloud.keepalive}; },
     "30s",
     "",
     "How often mendd and the cloud broker check that the link is alive.",
     {.min = kSecond, .max = 65535 * kSecond}},
    {"cloud.reconnect_min", [](Config& c) { return Slot{&c.cloud.reconnect_min}; }, "1s", "",
     "First wait before reconnecting to the cloud; it doubles up to reconnect_max.", kPositive},
    {"cloud.reconnect_max", [](Config& c) { return Slot{&c.cloud.reconnect_max}; }, "1m", "",
     "Longest wait between reconnect attempts to the cloud.", kPositive},
    {"cloud.outbox_rows",
     [](Config& c) { return Slot{&c.cloud.outbox_rows}; },
     "200000",
     "rows",
     "Unsent messages kept while the cloud is away, at most; beyond it raw events go first, "
     "then the oldest cases, alerts and audit entries, each drop counted and reported.",
     {.min = 100, .max = 100000000}},
    {"cloud.outbox_bytes",
     [](Config& c) { return Slot{&c.cloud.outbox_bytes}; },
     "\"256MiB\"",
     "",
     "Bytes of unsent messages kept, at most (same rule as outbox_rows).",
     {.valid = is_byte_amount,
      .valid_text = "an amount such as \"256MiB\" (KiB, MiB, GiB, B), at least 1MiB"}},
    {"cloud.outbox_age",
     [](Config& c) { return Slot{&c.cloud.outbox_age}; },
     "7d",
     "",
     "Unsent messages older than this are dropped (counted and reported).",
     {.min = kDay}},
    // [store]
    {"store.path", [](Config& c) { return Slot{&c.store.path}; }, "\"/var/lib/mend/mend.db\"", "",
     "The SQLite database file.", kNonEmpty},
    {"store.commit_interval",
     [](Config& c) { return Slot{&c.store.commit_interval}; },
     "200ms",
     "",
     "How long an accepted event may wait for its transaction: batching spares the SD card.",
     {.min = 0, .max = 10 * kSecond}},
    {"store.commit_batch",
     [](Config& c) { return Slot{&c.store.commit_batch}; },
     "512",
     "events",
     "At most this many events per transaction.",
     {.min = 1, .max = 100000}},
    {"store.event_retention",
     [](Config& c) { return Slot{&c.store.event_retention}; },
     "30d",
     "",
     "Raw events older than this are pruned.",
     {.min = kDay}},
    {"store.low_space",
     [](Config& c) { return Slot{&c.store.low_space}; },
     "\"5%\"",
     "",
     "Free space on the store's filesystem below this is low: raw events are pruned to "
     "low_space_retention and a store.low_space case is raised, before any write fails.",
     {.valid = is_space_amount,
      .valid_text = "a share such as \"5%\" or an amount such as \"200MiB\" (KiB, MiB, GiB, B)"}},
    {"store.low_space_retention",
     [](Config& c) { return Slot{&c.store.low_space_retention}; },
     "7d",
     "",
     "While free space is low, raw events older than this are pruned (cases are kept).",
     {.min = kDay}},
    // [http]
    {"http.listen", [](Config& c) { return Slot{&c.http.listen}; }, "\"127.0.0.1\"", "",
     "Address the tablet server listens on; \"0.0.0.0\" for every interface.", kNonEmpty},
    {"http.port", [](Config& c) { return Slot{&c.http.port}; }, "8080", "",
     "TCP port of the tablet server (TLS unless http.listen is a loopback address).", kPort},
    {"http.local_port",
     [](Config& c) { return Slot{&c.http.local_port}; },
     "0",
     "",
     "A plain-HTTP listener on 127.0.0.1 for the box itself; 0 for none.",
     {.min = 0, .max = 65535}},
    {"http.tls_dir",
     [](Config& c) { return Slot{&c.http.tls_dir}; },
     "\"\"",
     "",
     "Where the box's TLS certificate is made and kept; empty: \"tls\" next to the database.",
     {}},
    {"http.ui_dir", [](Config& c) { return Slot{&c.http.ui_dir}; }, "\"/usr/share/mend/ui\"", "",
     "The built tablet UI that mendd serves.", kNonEmpty},
    // [push]
    {"push.enabled", [](Config& c) { return Slot{&c.push.enabled}; }, "true", "",
     "Offer Web Push alerts: managers may subscribe their phones and browsers."},
    {"push.subject",
     [](Config& c) { return Slot{&c.push.subject}; },
     "\"\"",
     "",
     "A contact for the push services (VAPID \"sub\"): \"mailto:manager@venue.example\" or an "
     "https:// URL. Apple's push service refuses alerts without one.",
     {.valid = is_push_subject, .valid_text = "empty, a mailto: address or an https:// URL"}},
    {"push.queue",
     [](Config& c) { return Slot{&c.push.queue}; },
     "256",
     "messages",
     "Pushes waiting to be sent, at most; beyond it new ones are dropped and counted.",
     {.min = 1, .max = 100000}},
    {"push.ttl",
     [](Config& c) { return Slot{&c.push.ttl}; },
     "1h",
     "",
     "How long a push service keeps an alert for a phone that is off (TTL).",
     {.min = 0, .max = kDay}},
    // [auth]
    {"auth.session_idle",
     [](Config& c) { return Slot{&c.auth.session_idle}; },
     "2h",
     "",
     "A tablet left alone this long is signed out.",
     {.min = kMinute, .max = kDay}},
    {"auth.session_lifetime",
     [](Config& c) { return Slot{&c.auth.session_lifetime}; },
     "12h",
     "",
     "Every sign-in ends after this long, busy or not.",
     {.min = kMinute, .max = 7 * kDay}},
    // [policy]
    {"policy.staff_limit", [](Config& c) { return Slot{&c.policy.staff_limit}; }, "15", "money",
     "Compensation a staff member may approve for one case.", kMoney},
    {"policy.manager_limit", [](Config& c) { return Slot{&c.policy.manager_limit}; }, "150",
     "money", "Compensation a manager may approve for one case; an admin has no limit.", kMoney},
    {"policy.shift_budget", [](Config& c) { return Slot{&c.policy.shift_budget}; }, "300", "money",
     "Compensation per shift, everyone together; beyond it decisions are refused.", kMoney},
    {"policy.shift_starts", [](Config& c) { return Slot{&c.policy.shift_starts}; },
     "[\"06:00\", \"16:00\"]", "", "When shifts start (local time); each resets the budget.",
     kNonEmpty},
    {"policy.automatic",
     [](Config& c) { return Slot{&c.policy.automatic}; },
     "[]",
     "",
     "Failure kinds whose recommendation runs without waiting for approval (within "
     "auto_budget). Default: none.",
     {.one_of = kCaseKindNames}},
    {"policy.auto_budget", [](Config& c) { return Slot{&c.policy.auto_budget}; }, "0", "money",
     "Compensation per shift that automatic actions may give.", kMoney},
    {"policy.default_rules",
     [](Config& c) { return Slot{&c.policy.default_rules}; },
     "true",
     "",
     "Keep the day-one rules that no [[rule]] replaces.",
     {}},
    // [escalation]
    {"escalation.ladder", [](Config& c) { return Slot{&c.escalation.ladder}; },
     "[\"staff@0s\", \"manager@3m\", \"admin@10m\"]", "",
     "Who is told when a case stays unacknowledged: role@time since it opened.", kNonEmpty},
    {"escalation.repeat", [](Config& c) { return Slot{&c.escalation.repeat}; }, "5m", "",
     "The last stage is reminded this often until someone acknowledges; 0s: never.", kNonNegative},
    {"escalation.quiet",
     [](Config& c) { return Slot{&c.escalation.quiet}; },
     "[\"manager:medium\", \"admin:high\"]",
     "",
     "role:severity: a role hears only of cases at or above it.",
     {}},
    // [guests]
    {"guests.regular_visits",
     [](Config& c) { return Slot{&c.guests.regular_visits}; },
     "5",
     "visits",
     "Earlier visits that make a guest a regular.",
     {.min = 1, .max = 1000}},
    {"guests.vip_spend", [](Config& c) { return Slot{&c.guests.vip_spend}; }, "1500", "money",
     "Lifetime booking value that makes a guest a VIP.", kMoney},
    {"guests.vip", [](Config& c) { return Slot{&c.guests.vip}; }, "[]", "",
     "Customer ids the venue treats as VIP.", kNonEmpty},
    {"guests.keep_profiles",
     [](Config& c) { return Slot{&c.guests.keep_profiles}; },
     "540d",
     "",
     "A guest profile not seen this long is deleted (docs/privacy.md).",
     {.min = 30 * kDay, .max = 3650 * kDay}},
    {"guests.keep_notes",
     [](Config& c) { return Slot{&c.guests.keep_notes}; },
     "365d",
     "",
     "A staff note on a guest is deleted this long after it was written.",
     {.min = kDay, .max = 3650 * kDay}},
    {"guests.keep_dietary",
     [](Config& c) { return Slot{&c.guests.keep_dietary}; },
     "365d",
     "",
     "A dietary note kept on the guest's consent is deleted this long after it was recorded.",
     {.min = kDay, .max = 3650 * kDay}},
    {"guests.winback_after",
     [](Config& c) { return Slot{&c.guests.winback_after}; },
     "90d",
     "",
     "Win-back: a regular is never flagged as lapsed before being away this long.",
     {.min = 7 * kDay, .max = 3650 * kDay}},
    {"guests.winback_factor",
     [](Config& c) { return Slot{&c.guests.winback_factor}; },
     "3",
     "",
     "Win-back: nor before being away this many times their own usual interval between visits.",
     {.min = 1.5, .max = 50}},
    {"guests.briefing_lead",
     [](Config& c) { return Slot{&c.guests.briefing_lead}; },
     "30m",
     "",
     "Concierge: the shift's briefing goes to the manager this long before the shift starts.",
     {.min = 5 * kMinute, .max = kDay / 2}},
    // [ledger]
    {"ledger.enabled",
     [](Config& c) { return Slot{&c.ledger.enabled}; },
     "true",
     "",
     "Keep the contribution ledger: staff's verified work and guests' rewards.",
     {}},
    {"ledger.case_closed", [](Config& c) { return Slot{&c.ledger.case_closed}; }, "1", "points",
     "A case resolved with a root cause whose follow-up went out; 0: none.", kPoints},
    {"ledger.guest_recovered", [](Config& c) { return Slot{&c.ledger.guest_recovered}; }, "2",
     "points",
     "A case's guest recovered: a survey of 4-5 about it, or its voucher redeemed; 0: none.",
     kPoints},
    {"ledger.cause_fixed", [](Config& c) { return Slot{&c.ledger.cause_fixed}; }, "3", "points",
     "A recurring pattern resolved that did not recur in its area for cause_fixed_after.", kPoints},
    {"ledger.cause_fixed_after",
     [](Config& c) { return Slot{&c.ledger.cause_fixed_after}; },
     "14d",
     "",
     "How long a resolved pattern must stay away before cause_fixed is written.",
     {.min = kDay, .max = 365 * kDay}},
    {"ledger.training", [](Config& c) { return Slot{&c.ledger.training}; }, "1", "points",
     "A training a manager confirmed on the tablet; 0: none.", kPoints},
    {"ledger.countersign",
     [](Config& c) { return Slot{&c.ledger.countersign}; },
     "[\"case_closed\", \"guest_recovered\", \"cause_fixed\"]",
     "",
     "Contributions that count only once a manager (not the person who earned them) countersigned "
     "them.",
     {.one_of = kLedgerRules}},
    {"ledger.leaderboard",
     [](Config& c) { return Slot{&c.ledger.leaderboard}; },
     "false",
     "",
     "Rank the team by points in the manager's view. Off: recognition, not pressure.",
     {}},
    {"ledger.stamp_every",
     [](Config& c) { return Slot{&c.ledger.stamp_every}; },
     "0",
     "visits",
     "A guest earns a loyalty stamp every this many visits; 0: no stamps.",
     {.min = 0, .max = 1000}},
    {"ledger.stamp_value", [](Config& c) { return Slot{&c.ledger.stamp_value}; }, "0", "money",
     "A loyalty stamp's credit, redeemed at the till.", kMoney},
    // [prediction]
    {"prediction.window",
     [](Config& c) { return Slot{&c.prediction.window}; },
     "90d",
     "",
     "The table-visits training reads: those seated this long before the night's training.",
     {.min = 7 * kDay, .max = 730 * kDay}},
    {"prediction.min_visits",
     [](Config& c) { return Slot{&c.prediction.min_visits}; },
     "150",
     "visits",
     "Fewer table-visits with a known outcome: no model, and the tablet says so.",
     {.min = 20, .max = 1000000}},
    {"prediction.target_precision",
     [](Config& c) { return Slot{&c.prediction.target_precision}; },
     "0.7",
     "",
     "The flag's threshold is the lowest score at which this share of the flagged tables ended "
     "badly on the validation window.",
     {.min = 0.05, .max = 0.99}},
    // [log]
    {"log.level",
     [](Config& c) { return Slot{&c.log.level}; },
     "\"info\"",
     "",
     "Least important message that is logged: trace, debug, info, warn or error.",
     {.one_of = kLogLevels}},
    // [detect]
    {"detect.table_no_order", [](Config& c) { return Slot{&c.detect.table_no_order}; }, "10m", "",
     "A seated table with no order this long opens table.no_order.", kPositive},
    {"detect.course", [](Config& c) { return Slot{&c.detect.course}; },
     "{ dessert = \"12m\", drinks = \"8m\", main = \"25m\", starter = \"15m\" }", "",
     "Per course name (as the till sends it): fired and not served this long opens "
     "course.slow. Courses not set here keep their defaults.",
     kPositive},
    {"detect.course_default", [](Config& c) { return Slot{&c.detect.course_default}; }, "20m", "",
     "The course.slow limit for a course not in detect.course.", kPositive},
    {"detect.bill_slow", [](Config& c) { return Slot{&c.detect.bill_slow}; }, "8m", "",
     "A bill asked for and not paid this long opens bill.slow.", kPositive},
    {"detect.call_unanswered", [](Config& c) { return Slot{&c.detect.call_unanswered}; }, "3m", "",
     "A call button pressed and not cleared this long opens call.unanswered.", kPositive},
    {"detect.arrival_unseated", [](Config& c) { return Slot{&c.detect.arrival_unseated}; }, "10m",
     "", "A guest arrived and not seated this long opens arrival.unseated.", kPositive},
    {"detect.enquiry_unanswered", [](Config& c) { return Slot{&c.detect.enquiry_unanswered}; },
     "2h", "", "An enquiry not answered this long opens enquiry.unanswered.", kPositive},
    {"detect.temperature_low", [](Config& c) { return Slot{&c.detect.temperature_low}; }, "0.0",
     "degrees C", "Low end of the safe band, for devices that set no band.", kTemperature},
    {"detect.temperature_high", [](Config& c) { return Slot{&c.detect.temperature_high}; }, "5.0",
     "degrees C", "High end of the safe band, for devices that set no band.", kTemperature},
    {"detect.temperature_for", [](Config& c) { return Slot{&c.detect.temperature_for}; }, "15m", "",
     "Readings outside the band this long open temperature.out_of_range.", kPositive},
    {"detect.device_offline", [](Config& c) { return Slot{&c.detect.device_offline}; }, "5m", "",
     "A device reporting itself offline this long opens device.offline.", kNonNegative},
    {"detect.device_silence", [](Config& c) { return Slot{&c.detect.device_silence}; }, "5m", "",
     "A registered device silent this long opens device.offline; 0s: not watched.", kNonNegative},
    {"detect.review_max_rating",
     [](Config& c) { return Slot{&c.detect.review_max_rating}; },
     "2",
     "stars",
     "A review rated this or lower opens review.negative; 0: never.",
     {.min = 0, .max = 4}},
    {"detect.voids_count",
     [](Config& c) { return Slot{&c.detect.voids_count}; },
     "2",
     "voids",
     "This many voided items on one check open voids.repeated.",
     {.min = 1, .max = 1000}},
    {"detect.pattern_count",
     [](Config& c) { return Slot{&c.detect.pattern_count}; },
     "3",
     "cases",
     "This many cases of one kind in one area within pattern_window open "
     "pattern.recurring.",
     {.min = 2, .max = 1000}},
    {"detect.pattern_window", [](Config& c) { return Slot{&c.detect.pattern_window}; }, "2h", "",
     "The window for pattern_count.", kPositive},
    {"detect.future_tolerance", [](Config& c) { return Slot{&c.detect.future_tolerance}; }, "5m",
     "", "An event time further ahead than this counts as the time it arrived.", kNonNegative},
    {"detect.source_skew",
     [](Config& c) { return Slot{&c.detect.source_skew}; },
     "90s",
     "",
     "A till, booking or feedback system whose clock is off by more than this has its event "
     "times corrected and a source.clock_skew case; 0: never.",
     {.min = 0, .max = kDay}},
    {"detect.high_value",
     [](Config& c) { return Slot{&c.detect.high_value}; },
     "150.0",
     "venue currency",
     "A booking worth this or more raises a case's severity; 0: never.",
     {.min = 0, .max = 1e9}},
    {"detect.large_party",
     [](Config& c) { return Slot{&c.detect.large_party}; },
     "6",
     "guests",
     "A party this large or larger raises a case's severity; 0: never.",
     {.min = 0, .max = 10000}},
};

constexpr Key<DeviceConfig> kDeviceKeys[] = {
    {"id",
     [](DeviceConfig& d) { return Slot{&d.id}; },
     "",
     "",
     "The device id its bridge publishes under: venue/<venue>/sensor/<id>/...",
     {.valid = is_device_id, .valid_text = "1 to 128 characters without '/', '+', '#' or spaces"},
     true},
    {"kind",
     [](DeviceConfig& d) { return Slot{&d.kind}; },
     "",
     "",
     "fridge, freezer, probe, callbutton, occupancy, queue or other.",
     {.one_of = kDeviceKinds},
     true},
    {"location", [](DeviceConfig& d) { return Slot{&d.location}; }, "\"\"", "",
     "Where it is, in words staff know: \"walk-in fridge by the pass\"."},
    {"area", [](DeviceConfig& d) { return Slot{&d.area}; }, "\"\"", "",
     "The area it belongs to, for recurring-pattern detection; may be empty."},
    {"low", [](DeviceConfig& d) { return Slot{&d.low}; }, "", "degrees C",
     "Low end of this device's safe band.", kTemperature, false, "detect.temperature_low"},
    {"high", [](DeviceConfig& d) { return Slot{&d.high}; }, "", "degrees C",
     "High end of this device's safe band.", kTemperature, false, "detect.temperature_high"},
    {"out_of_range_for", [](DeviceConfig& d) { return Slot{&d.out_of_range_for}; }, "", "",
     "Readings outside the band this long open temperature.out_of_range.", kPositive, false,
     "detect.temperature_for"},
    {"silence", [](DeviceConfig& d) { return Slot{&d.silence}; }, "", "",
     "Silent this long opens device.offline; 0s: not watched.", kNonNegative, false,
     "detect.device_silence"},
};

constexpr Key<AreaConfig> kAreaKeys[] = {
    {"name", [](AreaConfig& a) { return Slot{&a.name}; }, "", "",
     "The area's name: \"terrace\", \"bar\".", kNonEmpty, true},
    {"tables", [](AreaConfig& a) { return Slot{&a.tables}; }, "[]", "",
     "The tables in it, as the till and booking system name them. A table is in one area.",
     kNonEmpty},
};

constexpr std::string_view kOwnerRoles[] = {"", "staff", "manager", "admin"};

constexpr Key<EmployeeConfig> kEmployeeKeys[] = {
    {"id",
     [](EmployeeConfig& e) { return Slot{&e.id}; },
     "",
     "",
     "Which employee.",
     {.one_of = kEmployeeNames},
     true},
    {"job",
     [](EmployeeConfig& e) { return Slot{&e.job}; },
     "\"\"",
     "",
     "Its job in one sentence, as the tablet shows it; empty keeps the built-in one.",
     {}},
    {"signals",
     [](EmployeeConfig& e) { return Slot{&e.signals}; },
     "[]",
     "",
     "The signals it reads (event types, or cases, disk, cloud_link, sources); empty keeps the "
     "built-in list.",
     {.valid = is_signal_name,
      .valid_text = "an event type from signals.md, or cases, disk, "
                    "cloud_link, sources"}},
    {"may",
     [](EmployeeConfig& e) { return Slot{&e.may}; },
     "\"act\"",
     "",
     "recommend: every plan waits for a person; act: plans of the kinds in policy.automatic "
     "run without one, within policy.auto_budget.",
     {.one_of = kAuthorityNames}},
    {"owner",
     [](EmployeeConfig& e) { return Slot{&e.owner}; },
     "\"\"",
     "",
     "The role that answers for it; empty keeps the built-in owner.",
     {.one_of = kOwnerRoles}},
    {"enabled",
     [](EmployeeConfig& e) { return Slot{&e.enabled}; },
     "true",
     "",
     "Off: it opens no new cases (the caretaker, the box's own health, cannot be off).",
     {}},
};

constexpr Key<RuleConfig> kRuleKeys[] = {
    {"kind",
     [](RuleConfig& r) { return Slot{&r.kind}; },
     "",
     "",
     "The failure kind.",
     {.one_of = kCaseKindNames},
     true},
    {"min_severity",
     [](RuleConfig& r) { return Slot{&r.min_severity}; },
     "\"low\"",
     "",
     "The rule applies from this severity up.",
     {.one_of = kSeverityNames}},
    {"tier",
     [](RuleConfig& r) { return Slot{&r.tier}; },
     "\"\"",
     "",
     "Only for guests of this tier (new, returning, regular, vip); empty: any.",
     {.one_of = kTierWords}},
    {"action",
     [](RuleConfig& r) { return Slot{&r.action}; },
     "",
     "",
     "apology, manager_visit, comp_item, discount, voucher, follow_up_message, chase_kitchen, "
     "send_runner, call_maintenance or fix_cause.",
     {.one_of = kActionTypeNames},
     true},
    {"value", [](RuleConfig& r) { return Slot{&r.value}; }, "0", "money",
     "The compensation it gives (comp_item, discount, voucher).", kMoney},
    {"text", [](RuleConfig& r) { return Slot{&r.text}; }, "", "",
     "What to do, or the message draft; {name}, {table}, {minutes}, {limit}, {course}, {party}, "
     "{venue} and {value} are filled in.",
     kNonEmpty, true},
};

// Keys that people reach for and must not have, with what to do instead.
struct Hint {
  std::string_view path;
  std::string_view message;
};
constexpr Hint kHints[] = {
    {"mqtt.password",
     "mendd does not read a password from its config: put it in a file only mendd can read and "
     "set mqtt.password_file to that file's path"},
};

// ---- helpers ----------------------------------------------------------------------------

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// A value as it appears in an error: quoted, on one line (errors are one per line).
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// Shortest form, but whole numbers in plain digits: "1000000000", not "1e+09".
std::string number_text(double v) {
  char buf[64];
  const bool whole = std::isfinite(v) && std::abs(v) < 1e15 && v == std::trunc(v);
  const auto r = whole ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string bound_text(Type type, double v) {
  if (type == Type::kDuration || type == Type::kDurationMap) {
    return format_duration(Millis{static_cast<Millis::rep>(v)});
  }
  return number_text(v);
}

// Why `v` is outside the key's bounds ("must be more than 0s, got 0s"); nothing when inside.
std::optional<std::string> bounds_problem(double v, Type type, const Limits& lim) {
  const bool low = lim.min && (lim.min_exclusive ? v <= *lim.min : v < *lim.min);
  const bool high = lim.max && v > *lim.max;
  if (!low && !high) return std::nullopt;
  std::string message;
  if (lim.min && lim.max) {
    message =
        "must be between " + bound_text(type, *lim.min) + " and " + bound_text(type, *lim.max);
  } else if (low) {
    message = std::string(lim.min_exclusive ? "must be more than " : "must be at least ") +
              bound_text(type, *lim.min);
  } else {
    message = "must be at most " + bound_text(type, *lim.max);
  }
  return message + ", got " + bound_text(type, v);
}

// What a node holds, for "expected X, got Y".
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string " + quoted(n.as_string()->get());
    case toml::node_type::integer: return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: {
      const double v = n.as_floating_point()->get();
      const std::string text = number_text(v);
      return "float " + text + (text.find_first_of(".ein") == std::string::npos ? ".0" : "");
    }
    case toml::node_type::boolean: return n.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date/time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

// Edit distance, to suggest the key someone meant.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

template <class Owner>
const Key<Owner>* find_key(std::span<const Key<Owner>> keys, std::string_view path) {
  for (const auto& k : keys) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

// True when some key lives below `path`: "detect" is a table of keys, not a key.
template <class Owner>
bool is_table(std::span<const Key<Owner>> keys, std::string_view path) {
  return std::any_of(keys.begin(), keys.end(), [&](const Key<Owner>& k) {
    return k.path.size() > path.size() && k.path.starts_with(path) && k.path[path.size()] == '.';
  });
}

// The names that may appear next to `path` (its siblings in the schema).
template <class Owner>
std::vector<std::string_view> siblings(std::span<const Key<Owner>> keys, std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::string_view prefix = dot == std::string_view::npos ? "" : path.substr(0, dot + 1);
  std::vector<std::string_view> out;
  for (const auto& k : keys) {
    if (!k.path.starts_with(prefix)) continue;
    std::string_view rest = k.path.substr(prefix.size());
    rest = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), rest) == out.end()) out.push_back(rest);
  }
  return out;
}

// ---- the walk ---------------------------------------------------------------------------

class Walker {
 public:
  Walker(std::string_view file, std::vector<ConfigError>& errors, Positions& positions)
      : file_(file), errors_(errors), positions_(positions) {}

  // One document's keys into `config`. A later document (the cloud's) sets only the sections
  // the cloud may set, over the file's; an array it sets ([[device]], ...) replaces the file's.
  void walk_root(const toml::table& root, Config& config, bool from_cloud) {
    for (auto&& [key, node] : root) {
      const std::string name(key.str());
      if (from_cloud && !settable_from_cloud(name)) {
        error(position_of(key.source()), name, cloud_refusal(name));
        continue;
      }
      if (from_cloud) forget(name + "[");
      if (name == "device") {
        walk_array(key, node, device_keys(), from_cloud, config.devices);
      } else if (name == "area") {
        walk_array(key, node, area_keys(), from_cloud, config.areas);
      } else if (name == "rule") {
        walk_array(key, node, rule_keys(), from_cloud, config.rules);
      } else if (name == "employee") {
        walk_array(key, node, employee_keys(), from_cloud, config.employees);
      } else {
        walk_node(name, key, node, config_keys(), config, "");
      }
    }
  }
  // After the last document: the required keys none of them set.
  void finish() { require(config_keys(), ""); }

 private:
  void error(Position at, std::string key, std::string message) {
    errors_.push_back(ConfigError{std::string(at.file.empty() ? file_ : at.file), at.line,
                                  at.column, std::move(key), std::move(message)});
  }
  Position position_of(const toml::source_region& region) const {
    return Position{static_cast<int>(region.begin.line), static_cast<int>(region.begin.column),
                    file_};
  }

  // One key of a table, or a table of keys (then every key in it), or an unknown key.
  template <class Owner>
  void walk_node(const std::string& path, const toml::key& key, const toml::node& node,
                 std::span<const Key<Owner>> keys, Owner& owner, std::string_view shown_prefix) {
    const std::string shown = std::string(shown_prefix) + path;
    const Position at = position_of(key.source());
    if (const Key<Owner>* k = find_key(keys, path)) {
      positions_[shown] = at;
      read(*k, k->slot(owner), node, shown, at);
      return;
    }
    if (is_table(keys, path)) {
      positions_[shown] = at;
      const toml::table* table = node.as_table();
      if (table == nullptr) {
        error(at, shown, "expected a table [" + path + "], got " + describe(node));
        return;
      }
      for (auto&& [child_key, child] : *table) {
        walk_node(path + "." + std::string(child_key.str()), child_key, child, keys, owner,
                  shown_prefix);
      }
      return;
    }
    unknown(keys, path, shown, at);
  }

  template <class Owner>
  void unknown(std::span<const Key<Owner>> keys, const std::string& path, const std::string& shown,
               Position at) {
    for (const auto& hint : kHints) {
      if (hint.path == shown) return error(at, shown, std::string(hint.message));
    }
    std::string message = "unknown key";
    const std::string_view name = std::string_view(path).substr(path.rfind('.') + 1);
    std::vector<std::string_view> names = siblings(keys, path);
    if (shown_is_root(shown)) names.insert(names.end(), {"device", "area", "rule", "employee"});
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (std::string_view candidate : names) {
      const std::size_t d = distance(name, candidate);
      if (d < best_distance) {
        best = candidate;
        best_distance = d;
      }
    }
    if (!best.empty()) message += " (did you mean \"" + std::string(best) + "\"?)";
    error(at, shown, std::move(message));
  }

  // The positions of what an earlier document set under `prefix`, now replaced.
  void forget(const std::string& prefix) {
    auto it = positions_.lower_bound(prefix);
    while (it != positions_.end() && it->first.starts_with(prefix)) it = positions_.erase(it);
  }

  static std::string cloud_refusal(std::string_view name) {
    std::string allowed;
    for (const auto& section : sections()) {
      if (!settable_from_cloud(section.name)) continue;
      if (!allowed.empty()) allowed += ", ";
      allowed += section.name;
    }
    return "[" + std::string(name) + "] cannot be set from the cloud (only " + allowed +
           " can; the venue, brokers, store, listeners, accounts and secrets stay in the box's own "
           "file)";
  }

  static bool shown_is_root(std::string_view shown) {
    return shown.find('.') == std::string_view::npos && shown.find('[') == std::string_view::npos;
  }

  // [[device]] and [[area]]: an array of tables, each walked against its own keys.
  template <class Elem>
  void walk_array(const toml::key& key, const toml::node& node, std::span<const Key<Elem>> keys,
                  bool replace, std::vector<Elem>& out) {
    if (replace) out.clear();
    const std::string name(key.str());
    const Position at = position_of(key.source());
    const toml::array* array = node.as_array();
    if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
      error(at, name,
            "expected [[" + name + "]] entries (an array of tables), got " + describe(node));
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      const std::string prefix = name + "[" + std::to_string(i) + "].";
      positions_[prefix.substr(0, prefix.size() - 1)] = position_of(table.source());
      Elem elem;
      for (auto&& [child_key, child] : table) {
        walk_node(std::string(child_key.str()), child_key, child, keys, elem, prefix);
      }
      require(keys, prefix);
      out.push_back(std::move(elem));
    }
  }

  // Required keys the file did not set, reported where their table starts (or line 0).
  template <class Owner>
  void require(std::span<const Key<Owner>> keys, std::string_view shown_prefix) {
    for (const auto& k : keys) {
      if (!k.required) continue;
      const std::string shown = std::string(shown_prefix) + std::string(k.path);
      if (positions_.contains(shown)) continue;
      const std::string parent = shown.substr(0, shown.rfind('.'));
      const auto it = positions_.find(parent);
      std::string_view why = k.description;
      if (why.ends_with('.')) why.remove_suffix(1);
      error(it == positions_.end() ? Position{} : it->second, shown,
            "required key is missing (" + std::string(why) + ")");
    }
  }

  template <class Owner>
  void read(const Key<Owner>& key, Slot slot, const toml::node& node, const std::string& shown,
            Position at) {
    const Limits& lim = key.limits;
    std::visit(Overloaded{
                   [&](std::string* out) {
                     if (auto v = read_string(node, lim, shown, at)) *out = std::move(*v);
                   },
                   [&](int* out) {
                     if (auto v = read_int(node, lim, shown, at)) *out = *v;
                   },
                   [&](bool* out) {
                     if (const auto* b = node.as_boolean()) {
                       *out = b->get();
                     } else {
                       error(at, shown, "expected true or false, got " + describe(node));
                     }
                   },
                   [&](Millis* out) {
                     if (auto v = read_duration(node, lim, key.default_text, shown, at)) *out = *v;
                   },
                   [&](double* out) {
                     if (auto v = read_number(node, lim, shown, at)) *out = *v;
                   },
                   [&](std::optional<double>* out) {
                     if (auto v = read_number(node, lim, shown, at)) *out = *v;
                   },
                   [&](std::optional<Millis>* out) {
                     if (auto v = read_duration(node, lim, "", shown, at)) *out = *v;
                   },
                   [&](std::vector<std::string>* out) { read_list(node, lim, shown, at, *out); },
                   [&](std::map<std::string, Millis>* out) {
                     read_duration_map(node, lim, shown, at, *out);
                   },
               },
               slot);
  }

  std::optional<std::string> read_string(const toml::node& node, const Limits& lim,
                                         const std::string& shown, Position at) {
    const auto* s = node.as_string();
    if (s == nullptr) {
      error(at, shown, "expected a string, got " + describe(node));
      return std::nullopt;
    }
    const std::string& v = s->get();
    if (lim.non_empty && v.empty()) {
      error(at, shown, "must not be empty");
      return std::nullopt;
    }
    if (!lim.one_of.empty() &&
        std::find(lim.one_of.begin(), lim.one_of.end(), v) == lim.one_of.end()) {
      std::string words;
      for (std::string_view w : lim.one_of) words += (words.empty() ? "" : ", ") + std::string(w);
      error(at, shown, "expected one of " + words + ", got " + quoted(v));
      return std::nullopt;
    }
    if (lim.valid != nullptr && !lim.valid(v)) {
      error(at, shown, "expected " + std::string(lim.valid_text) + ", got " + quoted(v));
      return std::nullopt;
    }
    return v;
  }

  // Checks `v` against the key's bounds; false (and an error) when outside.
  bool in_bounds(double v, Type type, const Limits& lim, const std::string& shown, Position at) {
    auto problem = bounds_problem(v, type, lim);
    if (!problem) return true;
    error(at, shown, std::move(*problem));
    return false;
  }

  std::optional<int> read_int(const toml::node& node, const Limits& lim, const std::string& shown,
                              Position at) {
    const auto* i = node.as_integer();
    if (i == nullptr) {
      error(at, shown, "expected an integer, got " + describe(node));
      return std::nullopt;
    }
    const std::int64_t v = i->get();
    // Every integer key has bounds well inside int; the check keeps the cast honest if not.
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
      error(at, shown, "is out of range, got " + std::to_string(v));
      return std::nullopt;
    }
    if (!in_bounds(static_cast<double>(v), Type::kInt, lim, shown, at)) return std::nullopt;
    return static_cast<int>(v);
  }

  std::optional<double> read_number(const toml::node& node, const Limits& lim,
                                    const std::string& shown, Position at) {
    double v = 0;
    if (const auto* f = node.as_floating_point()) {
      v = f->get();
    } else if (const auto* i = node.as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      error(at, shown, "expected a number, got " + describe(node));
      return std::nullopt;
    }
    if (!std::isfinite(v)) {
      error(at, shown, "expected a finite number, got " + number_text(v));
      return std::nullopt;
    }
    if (!in_bounds(v, Type::kNumber, lim, shown, at)) return std::nullopt;
    return v;
  }

  std::optional<Millis> read_duration(const toml::node& node, const Limits& lim,
                                      std::string_view example, const std::string& shown,
                                      Position at) {
    if (example.empty() || example == "0s") example = "10m";
    const std::string expected = "expected a duration such as \"" + std::string(example) + "\"";
    const auto* s = node.as_string();
    if (s == nullptr) {
      error(at, shown,
            expected + " (a quoted number with a unit: ms, s, m, h, d), got " + describe(node));
      return std::nullopt;
    }
    const std::optional<Millis> d = parse_duration(s->get());
    if (!d) {
      error(at, shown, expected + ", got " + quoted(s->get()));
      return std::nullopt;
    }
    if (!in_bounds(static_cast<double>(d->count()), Type::kDuration, lim, shown, at)) {
      return std::nullopt;
    }
    return d;
  }

  void read_list(const toml::node& node, const Limits& lim, const std::string& shown, Position at,
                 std::vector<std::string>& out) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      error(at, shown,
            "expected an array of strings such as [\"T1\", \"T2\"], got " + describe(node));
      return;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const std::string element_shown = shown + "[" + std::to_string(i) + "]";
      const Position element_at = position_of(element.source());
      positions_[element_shown] = element_at;
      if (auto v = read_string(element, lim, element_shown, element_at)) {
        values.push_back(std::move(*v));
      }
    }
    out = std::move(values);
  }

  // [detect.course]: any name, each a duration; names not set keep their defaults.
  void read_duration_map(const toml::node& node, const Limits& lim, const std::string& shown,
                         Position at, std::map<std::string, Millis>& out) {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      error(at, shown, "expected a table of name = duration, got " + describe(node));
      return;
    }
    for (auto&& [key, child] : *table) {
      const std::string child_shown = shown + "." + std::string(key.str());
      const Position child_at = position_of(key.source());
      positions_[child_shown] = child_at;
      if (key.str().empty()) {
        error(child_at, child_shown, "a course name must not be empty");
        continue;
      }
      if (auto v = read_duration(child, lim, "25m", child_shown, child_at)) {
        out[std::string(key.str())] = *v;
      }
    }
  }

  std::string_view file_;
  std::vector<ConfigError>& errors_;
  Positions& positions_;
};

}  // namespace

std::span<const Key<Config>> config_keys() { return kConfigKeys; }
std::span<const Key<DeviceConfig>> device_keys() { return kDeviceKeys; }
std::span<const Key<AreaConfig>> area_keys() { return kAreaKeys; }
std::span<const Key<RuleConfig>> rule_keys() { return kRuleKeys; }
std::span<const Key<EmployeeConfig>> employee_keys() { return kEmployeeKeys; }
std::span<const Section> sections() { return kSections; }

}  // namespace mend::config_schema

namespace mend {

namespace {

using config_schema::Key;
using config_schema::Slot;

// The schema's row for a tunable [detect] key ("bill_slow", "course.main"), and for a course
// the course's name; nullptr for any other key. Only a course detect.course already names may
// be tuned: a name the till never sends would be a limit nothing uses.
const Key<Config>* detect_limit_key(const DetectConfig& detect, std::string_view key,
                                    std::string* course) {
  if (key.starts_with("course.")) {
    const std::string name(key.substr(7));
    if (!detect.course.contains(name)) return nullptr;
    *course = name;
    return config_schema::find_key(config_schema::config_keys(), "detect.course");
  }
  if (key == "course") return nullptr;
  const Key<Config>* k =
      config_schema::find_key(config_schema::config_keys(), "detect." + std::string(key));
  if (k == nullptr) return nullptr;
  Config probe;
  const auto type = config_schema::type_of(k->slot(probe));
  using config_schema::Type;
  return type == Type::kDuration || type == Type::kInt || type == Type::kNumber ? k : nullptr;
}

std::optional<double> whole_number(std::string_view text, bool integer) {
  double v = 0;
  const char* end = text.data() + text.size();
  if (integer) {
    long long i = 0;
    const auto r = std::from_chars(text.data(), end, i);
    if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
    v = static_cast<double>(i);
  } else {
    const auto r = std::from_chars(text.data(), end, v, std::chars_format::fixed);
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v)) return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<std::string> set_detect_limit(DetectConfig& detect, std::string_view key,
                                            std::string_view text) {
  using config_schema::Type;
  std::string course;
  const Key<Config>* k = detect_limit_key(detect, key, &course);
  if (k == nullptr) return "is not a limit that can be tuned";
  Config c;
  c.detect = detect;
  const Slot slot = k->slot(c);
  const Type type = config_schema::type_of(slot);
  const std::string shown = config_schema::quoted(text);
  if (type == Type::kDuration || type == Type::kDurationMap) {
    const std::optional<Millis> d = parse_duration(text);
    if (!d) {
      return "expected a duration such as \"" + detect_limit_text(detect, key).value_or("10m") +
             "\" (a number with a unit: s, m, h), got " + shown;
    }
    if (auto no = config_schema::bounds_problem(static_cast<double>(d->count()), type, k->limits)) {
      return no;
    }
    if (type == Type::kDuration) {
      *std::get<Millis*>(slot) = *d;
    } else {
      (*std::get<std::map<std::string, Millis>*>(slot))[course] = *d;
    }
  } else {
    const bool integer = type == Type::kInt;
    const std::optional<double> v = whole_number(text, integer);
    if (!v) {
      return std::string(integer ? "expected a whole number" : "expected a number") + ", got " +
             shown;
    }
    if (auto no = config_schema::bounds_problem(*v, type, k->limits)) return no;
    if (integer) {
      *std::get<int*>(slot) = static_cast<int>(*v);
    } else {
      *std::get<double*>(slot) = *v;
    }
  }
  detect = c.detect;
  return std::nullopt;
}

std::optional<std::string> detect_limit_text(const DetectConfig& detect, std::string_view key) {
  std::string course;
  const Key<Config>* k = detect_limit_key(detect, key, &course);
  if (k == nullptr) return std::nullopt;
  Config c;
  c.detect = detect;
  const Slot slot = k->slot(c);
  if (const auto* map = std::get_if<std::map<std::string, Millis>*>(&slot)) {
    return format_duration((*map)->at(course));
  }
  if (const auto* d = std::get_if<Millis*>(&slot)) return format_duration(**d);
  if (const auto* i = std::get_if<int*>(&slot)) return std::to_string(**i);
  if (const auto* n = std::get_if<double*>(&slot)) return config_schema::number_text(**n);
  return std::nullopt;
}

std::string detect_limit_description(std::string_view key) {
  if (key.starts_with("course.")) {
    return "A " + std::string(key.substr(7)) +
           " course fired and not served this long opens course.slow.";
  }
  const Key<Config>* k =
      config_schema::find_key(config_schema::config_keys(), "detect." + std::string(key));
  return k == nullptr ? std::string() : std::string(k->description);
}

namespace {

struct Document {
  std::string_view text;
  std::string_view name;
  bool from_cloud = false;
};

// The documents in order, each over the one before; then the rules on what they make together.
ConfigResult parse_documents(std::initializer_list<Document> documents) {
  using namespace config_schema;
  ConfigResult result;
  Config config;
  Positions positions;
  for (const Document& d : documents) {
    toml::table root;
    try {
      root = toml::parse(d.text, d.name);
    } catch (const toml::parse_error& e) {
      result.errors.push_back(ConfigError{std::string(d.name),
                                          static_cast<int>(e.source().begin.line),
                                          static_cast<int>(e.source().begin.column), "",
                                          "not valid TOML: " + std::string(e.description())});
      return result;
    }
    Walker(d.name, result.errors, positions).walk_root(root, config, d.from_cloud);
  }
  const std::string_view file_name = documents.begin()->name;
  Walker(file_name, result.errors, positions).finish();
  apply_derived_defaults(config);
  check_rules(config, positions, file_name, result.errors);
  // What only the assembled policy and ladder can tell (a rule's unknown placeholder, say).
  if (result.errors.empty()) {
    for (const auto& message : check_recovery(config)) {
      const std::string section = message.substr(0, message.find(':'));
      const auto it = positions.find(section);
      const Position at = it == positions.end() ? Position{} : it->second;
      result.errors.push_back(ConfigError{std::string(at.file.empty() ? file_name : at.file),
                                          at.line, at.column, section,
                                          message.substr(message.find(':') + 2)});
    }
  }

  // The walk visits keys in toml++'s (sorted) order; people read errors top to bottom.
  std::stable_sort(
      result.errors.begin(), result.errors.end(), [](const ConfigError& a, const ConfigError& b) {
        const auto rank = [](const ConfigError& e) {
          return std::pair{e.line == 0 ? std::numeric_limits<int>::max() : e.line, e.column};
        };
        return rank(a) < rank(b);
      });
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

}  // namespace

std::vector<std::string> config_sections(std::string_view toml_text) {
  std::vector<std::string> out;
  try {
    const toml::table root = toml::parse(toml_text);
    for (auto&& [key, node] : root) out.emplace_back(key.str());
    // toml++ keeps keys sorted; the document's order is what a person wrote.
    std::sort(out.begin(), out.end(), [&](const std::string& a, const std::string& b) {
      return root.get(a)->source().begin < root.get(b)->source().begin;
    });
  } catch (const toml::parse_error&) {
    out.clear();
  }
  return out;
}

ConfigResult parse_config(std::string_view toml_text, std::string_view file_name) {
  return parse_documents({{toml_text, file_name}});
}

ConfigResult parse_config(std::string_view toml_text, std::string_view file_name,
                          std::string_view cloud_text, std::string_view cloud_name) {
  return parse_documents({{toml_text, file_name}, {cloud_text, cloud_name, true}});
}

}  // namespace mend
