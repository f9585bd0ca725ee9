// The venue simulator's generator: a seed and options in, one evening of a restaurant's till,
// booking, sensor and feedback messages out, each with the time it is due, plus the ground
// truth of the failures that were injected into it. Pure: no I/O and no clock, so a service is
// a value that tests can inspect and the `venue-sim` tool only has to play it to a broker.
//
// How a service is built. The evening is planned in service time (milliseconds from the start
// of service, unscaled): bookings and walk-ins arrive, are seated at free tables, order, eat
// up to four courses, pay and leave; call buttons are pressed and answered; the fridge and
// freezer report every reading interval; enquiries come in and are answered; a review or two
// arrives. Every wait in it that mendd times (seated -> order, fired -> served, ...) is drawn
// at most kHealthyMax of its threshold, so a healthy service opens no case. At each chance of
// a failure (a seating, a fired course, a bill, a press, an arrival, an enquiry, a review, a
// check, a device per hour) a failure is injected with probability failure_rate, and then the
// wait is drawn at least kBreachMin of its threshold (or never answered), so the case is
// unambiguous. Only then is the schedule compressed by `pace`: offsets and thresholds are both
// divided, so detection happens at the same point of the (shorter) evening, and each payload's
// ts is the start wall time plus its compressed offset, as a live source would stamp it.
//
// Causal mode (Options::causes). A predictor can only learn from failures that have causes it
// can see, so in this mode the tables' failures are not drawn at random: the evening is played
// as one clock (venue_causes.cpp), each course takes longer the more courses the kitchen has
// in hand when it is fired, an area short of staff that evening is slow to take orders and
// bring bills, and a fixed set of regular guests answer the survey badly (and may review
// badly) when a wait at their table came close to its limit. Every truth entry names its
// cause, and each seated visit says whether it ended badly. generate_days() plays consecutive
// evenings with the same regulars, so a guest's last visit is there to be seen.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scripts/sim/sim_text.hpp"

namespace mend::sim {

// Healthy waits stay below this share of their threshold; injected ones go past kBreachMin
// (and at most kBreachMax) of it.
inline constexpr double kHealthyMax = 0.6;
inline constexpr double kBreachMin = 1.4;
inline constexpr double kBreachMax = 1.9;
// The smallest compressed threshold the tool accepts: below this, publish and tick jitter
// would be a visible share of the wait.
inline constexpr std::int64_t kMinScaledThresholdMs = 100;

// mendd's [detect] values, in service time (before pace). Defaults: signals.md.
struct Thresholds {
  std::int64_t table_no_order = 10 * kMinute;
  std::int64_t course_starter = 15 * kMinute;
  std::int64_t course_main = 25 * kMinute;
  std::int64_t course_dessert = 12 * kMinute;
  std::int64_t course_drinks = 8 * kMinute;
  std::int64_t course_default = 20 * kMinute;  // not used by the sim's till; printed scaled
  std::int64_t bill_slow = 8 * kMinute;
  std::int64_t call_unanswered = 3 * kMinute;
  std::int64_t arrival_unseated = 10 * kMinute;
  std::int64_t enquiry_unanswered = 2 * kHour;
  std::int64_t temperature_for = 15 * kMinute;
  std::int64_t device_offline = 5 * kMinute;  // 0: an offline status opens a case at once
  std::int64_t device_silence = 5 * kMinute;  // 0: silence is not watched (nor injected)
  std::int64_t pattern_window = 2 * kHour;
  int review_max_rating = 2;
  int voids_count = 2;
  int pattern_count = 3;

  std::int64_t course(std::string_view name) const;
};

// The names --threshold accepts, as in mendd's [detect] ("course.main" for [detect.course]).
// Sets `key` from `value` ("10m" for durations, an integer for the counts); an error message
// when the key is unknown or the value malformed.
std::optional<std::string> set_threshold(Thresholds& t, std::string_view key,
                                         std::string_view value);
std::vector<std::string> threshold_keys();

struct Options {
  std::string venue = "the-anchor";
  std::uint64_t seed = 1;
  double pace = 1.0;          // 60: an hour of service plays in a minute
  double failure_rate = 0.0;  // chance of a failure at each opportunity, 0..1
  std::int64_t duration_ms = 3 * kHour;
  int tables = 20;  // T1..Tn
  std::int64_t start_wall_ms = 0;
  std::int64_t reading_interval_ms = kMinute;  // fridge and freezer, service time
  Thresholds thresholds;
  // Causal mode: the tables' failures (table.no_order, course.slow, bill.slow) follow from
  // the kitchen's load, a short-staffed area and sensitive guests, and failure_rate is left to
  // the rest (door, calls, voids, devices, enquiries, reviews). See venue_causes.cpp.
  bool causes = false;
};

// Why the options cannot make a service that honours the thresholds; nullopt when they can.
std::optional<std::string> validate(const Options& options);

struct Message {
  std::int64_t at_ms = 0;  // compressed offset from the start of service
  std::string topic;
  std::string payload;  // JSON object, or the plain text "online"/"offline" for a status
  int qos = 1;
  bool retained = false;
};

struct TruthEntry {
  std::string kind;  // "table.no_order", ..., "pattern.recurring"
  // The case's subject as mendd names it: table / check+course / booking / device / enquiry /
  // review; a walk-in's arrival is named by the guest.arrived event id ("walk_in").
  std::vector<std::pair<std::string, std::string>> subject;
  // Where mendd groups it for pattern.recurring: "area:bar", "station:main", "door",
  // "enquiries", "reviews", "area:kitchen", "venue".
  std::string scope;
  std::int64_t at_ms = 0;       // compressed offset at which mendd should open the case
  std::int64_t started_ms = 0;  // compressed offset of the event that started the wait
  std::int64_t threshold_ms = 0;
  // pattern.recurring entries are not injected: they follow from pattern_count entries of one
  // kind and scope within pattern_window (one per kind and scope, since mendd keeps that case
  // open). A comparison should accept them, and may ignore them.
  bool derived = false;
  // Why it happened: "random" (drawn at failure_rate), or in causal mode "kitchen_load",
  // "short_staffed" or "sensitive_guest". A derived entry takes the cause of its last hit.
  std::string cause = "random";
};

// Causal mode: the evening as a whole.
struct DayTruth {
  int day = 0;  // 0 for the first evening of a run
  std::int64_t start_wall_ms = 0;
  int weekday = 0;  // of start_wall_ms in UTC: 0 Sunday .. 6 Saturday
  // The area short of staff tonight ("restaurant", "bar" or "terrace"), or empty.
  std::string short_staffed;
  double short_staffed_factor = 1;  // its waits are this many times longer, on average
  std::int64_t rush_ms = 0;         // compressed offset of the peak of arrivals
};

// Causal mode: one seated party, from guest.seated to table.cleared, and how it ended.
struct VisitTruth {
  std::string table;
  std::string area;
  std::string check;
  std::string booking;   // empty for a walk-in
  std::string customer;  // "cust-0042"; empty for a guest the venue does not know
  bool regular = false;  // one of the run's returning guests
  bool sensitive = false;
  int party = 0;
  std::int64_t seated_ms = 0;  // compressed offsets
  std::int64_t cleared_ms = 0;
  // The longest wait at the table (seated -> order, each course, the bill, a call) as a share
  // of its threshold: what a sensitive guest reacts to (causes::kSensitiveShare).
  double worst_wait = 0;
  int survey = 0;  // the score they gave, 0 when they did not answer
  bool negative_review = false;
  // A case on the table, its check or its booking, a survey of 1-2, or a negative review.
  bool ended_badly = false;
  std::vector<std::string> cases;   // the truth kinds on this visit, in order
  std::vector<std::string> causes;  // why it ended badly, without repeats
};

struct ServiceStats {
  int bookings = 0;
  int walk_ins = 0;
  int seatings = 0;
  int checks = 0;
  int enquiries = 0;
  int reviews = 0;
  int readings = 0;
};

struct Service {
  std::vector<Message> messages;  // ordered by at_ms; ties keep cause before effect
  std::vector<TruthEntry> truth;  // ordered by at_ms
  std::int64_t end_ms = 0;        // compressed length of the service
  ServiceStats stats;
  std::map<std::string, int> injected;  // kind -> count, derived entries excluded
  std::optional<DayTruth> day;          // causal mode only
  std::vector<VisitTruth> visits;       // causal mode only, in order of seating
};

// Plays one evening. The options must pass validate(). In causal mode this is the first
// evening of generate_days().
Service generate(const Options& options);

// Plays `days` consecutive evenings: evening d starts at start_wall_ms + d * 24h (so its
// weekday follows) and is played with day_seed(seed, d). In causal mode the regulars and which
// of them are sensitive are fixed by `seed` for the whole run.
std::vector<Service> generate_days(const Options& options, int days);
std::uint64_t day_seed(std::uint64_t seed, int day);  // day 0: seed itself

// The venue layout the sim plays, as mendd's config must know it.
struct DeviceSpec {
  std::string id;
  std::string kind;  // fridge, freezer, callbutton
  std::string area;
  std::optional<double> low;  // temperature band, degrees C
  std::optional<double> high;
  bool watch_silence = true;  // call buttons only send when pressed
};
const std::vector<DeviceSpec>& devices();
std::string table_name(int number);  // 1 -> "T1"
// First half of the tables "restaurant", next quarter "bar", the rest "terrace" (for 20
// tables: T1-T10, T11-T15, T16-T20, as in mend.sample.toml).
std::string area_of_table(int number, int tables);

// The TOML mendd needs to judge this service: [detect] and [detect.course] with every
// threshold divided by pace, the sim's [[device]] entries and its [[area]] table groups.
std::string config_snippet(const Options& options);

// One JSON line each (no newline): a message for --dry-run, a truth entry for --truth.
std::string message_json_line(const Message& m);
std::string truth_json_line(const TruthEntry& t, const Options& options);
// Causal mode's records, for --visits: {"record":"day",...} and {"record":"visit",...}.
std::string day_json_line(const DayTruth& d);
std::string visit_json_line(const VisitTruth& v, const Options& options);

}  // namespace mend::sim
