// Internal to the venue simulator: the Builder that plays one evening. Its core (devices,
// enquiries, reviews, compression, patterns) is in venue_builder.cpp; the tables are played
// either with failures at random (venue_sim.cpp) or, in causal mode, with failures that follow
// from the kitchen's load, a short-staffed area and sensitive guests (venue_causes.cpp). Both
// share the helpers below, which emit one kind of message each, so a message is written in one
// place whichever mode plays it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scripts/sim/sim_random.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace mend::sim::detail {

// Salts for the independent random streams drawn from one seed.
inline constexpr std::uint64_t kPlanSalt = 0x706c616e;  // "plan"
inline constexpr std::uint64_t kFailSalt = 0x6661696c;  // "fail"

inline constexpr std::array<std::string_view, 6> kStaff = {"ana", "ben", "chloe",
                                                           "dev", "eli", "fatima"};
inline constexpr std::array<std::string_view, 3> kBadReviews = {
    "Waited ages for our mains and nobody checked on us.",
    "Cold food and we had to ask three times for the bill.",
    "Disappointing: forgotten at the door for twenty minutes."};
inline constexpr std::array<std::string_view, 3> kReviewSources = {"google", "tripadvisor",
                                                                   "opentable"};

struct MenuItem {
  std::string_view name;
  double price;
};
inline constexpr std::array<MenuItem, 5> kDrinks = {{{"house red", 7.5},
                                                     {"pale ale", 5.8},
                                                     {"sparkling water", 3.2},
                                                     {"negroni", 9.0},
                                                     {"lemonade", 3.5}}};
inline constexpr std::array<MenuItem, 4> kStarters = {
    {{"soup of the day", 7.0}, {"burrata", 11.5}, {"calamari", 9.5}, {"beetroot salad", 8.0}}};
inline constexpr std::array<MenuItem, 5> kMains = {{{"sea bass", 24.0},
                                                    {"ribeye", 29.5},
                                                    {"mushroom risotto", 18.0},
                                                    {"chicken supreme", 21.0},
                                                    {"fish and chips", 17.5}}};
inline constexpr std::array<MenuItem, 3> kDesserts = {
    {{"tiramisu", 7.5}, {"sticky toffee pudding", 8.0}, {"sorbet", 6.0}}};

struct Draft {
  std::int64_t at = 0;  // service time
  std::uint64_t seq = 0;
  std::string topic;
  JsonObject body;
  // Fields that hold a time: rendered on the compressed clock like ts.
  std::vector<std::pair<std::string, std::int64_t>> times;
  std::optional<std::string> plain;  // a status payload
  int qos = 1;
  bool retained = false;
};

struct TruthDraft {
  std::string kind;
  std::vector<std::pair<std::string, std::string>> subject;
  std::string scope;
  std::int64_t started = 0;  // service time
  std::int64_t threshold = 0;
  std::optional<std::uint64_t> walk_in_seq;  // the arrival draft that names a walk-in
  std::string cause = "random";
};

struct Window {
  std::int64_t from = 0;
  std::int64_t to = 0;  // excluded
  bool contains(std::int64_t t) const { return t >= from && t < to; }
  bool overlaps(const Window& o) const { return from < o.to && o.from < to; }
};

struct Party {
  std::string booking;  // empty for a walk-in
  int size = 2;
  int customer = 0;  // 0: unknown
  double value = 0;
  std::int64_t arrival = 0;
  int order = 0;  // tie-break: the order parties were planned in
};

// Causal mode: a guest who comes back across the days of a run. Fixed by the run's seed.
struct Regular {
  int customer = 0;   // cust-NNNN
  double weight = 1;  // how often they book, relative to the others
  bool sensitive = false;
};

// Causal mode: which evening of a run this is, and the run's regulars.
struct CausalDay {
  int day = 0;
  const std::vector<Regular>* regulars = nullptr;
};

// An order's dishes and what they cost, as the till adds them up (for the total and voids).
struct Tab {
  double total = 0;
  std::vector<std::pair<std::string_view, double>> ordered;
};

std::int64_t scaled(double share, std::int64_t threshold);
std::string pad(int n, int width);

class CausalTables;

class Builder {
 public:
  // `day`: causal mode (options.causes); nullptr plays the tables with random failures.
  explicit Builder(const Options& options, const CausalDay* day = nullptr);

  Service run();

 private:
  friend class CausalTables;

  // ---- emitting (venue_builder.cpp) ----
  Draft& emit(std::int64_t at, std::string_view path, int qos = 1);
  void status(std::int64_t at, std::string_view device, bool online);
  TruthDraft& truth(std::string kind, std::vector<std::pair<std::string, std::string>> subject,
                    std::string scope, std::int64_t started, std::int64_t threshold);
  std::string id(std::string_view prefix, int n) const;
  std::string customer_json(int n) const;
  // A wait's length: healthy (at most kHealthyMax of the threshold), or injected past it.
  std::int64_t healthy(std::int64_t threshold, double lo = 0.1) {
    return healthy_from(plan_, threshold, lo);
  }
  std::int64_t breach(std::int64_t threshold) { return breach_from(fail_, threshold); }
  static std::int64_t healthy_from(Rng& rng, std::int64_t threshold, double lo = 0.1);
  static std::int64_t breach_from(Rng& rng, std::int64_t threshold);

  // ---- one message each, shared by both ways of playing the tables ----
  void emit_booking(Rng& rng, const Party& p, std::int64_t created, std::int64_t slot);
  std::uint64_t emit_arrived(const Party& p);  // the draft's seq, which names a walk-in
  void emit_seated(std::int64_t at, const std::string& table, const Party& p);
  void emit_order(Rng& rng, std::int64_t at, const std::string& table, const std::string& check,
                  int covers);
  void emit_fired(Rng& rng, std::int64_t at, const std::string& check, std::string_view course,
                  const std::string& table, std::span<const MenuItem> menu, int dishes, Tab& tab);
  void emit_served(std::int64_t at, const std::string& check, std::string_view course,
                   const std::string& table);
  // The call button, pressed once at most between `from` and `to` (not while it is offline);
  // `plan` draws the press, `fail` whether it goes unanswered. Returns press to clear, if any.
  std::optional<Window> play_call(Rng& plan, Rng& fail, const std::string& table,
                                  const std::string& area, std::int64_t from, std::int64_t to);
  // Now and then a void; voids_count or more of them on a check is a failure.
  void play_voids(Rng& plan, Rng& fail, const std::string& check, const std::string& table,
                  const std::string& area, std::int64_t from, std::int64_t to, Tab& tab);
  void emit_bill(Rng& rng, const std::string& check, const std::string& table,
                 std::int64_t requested, std::int64_t paid, const Tab& tab);

  // ---- devices, enquiries, reviews (venue_builder.cpp) ----
  struct Outage {
    Window dark;  // no message from the device in here
    bool by_status = false;
  };
  void plan_devices();
  void readings(const DeviceSpec& dev, std::int64_t first_tick, const std::optional<Window>& warm,
                const std::vector<Outage>& outages, const std::vector<Window>& busy);
  void note_outage(const DeviceSpec& dev, const Outage& out, std::int64_t last_sent);
  void plan_enquiries();
  void plan_reviews();

  // ---- tables with random failures (venue_sim.cpp) ----
  void plan_parties();
  int party_size() { return party_size_from(plan_); }
  static int party_size_from(Rng& rng);
  std::size_t choose_table(std::int64_t at);
  void play_party(const Party& p);
  std::optional<std::int64_t> play_seating(const Party& p, std::size_t table_index,
                                           std::int64_t seat_at);

  // ---- tables in causal mode (venue_causes.cpp) ----
  void plan_causal_tables();

  // ---- compression and output (venue_builder.cpp) ----
  std::int64_t compress(std::int64_t service_ms) const;
  Service finish();
  void derive_patterns(std::vector<TruthEntry>& truth) const;

  const Options& o_;
  const Thresholds& t_;
  const CausalDay* day_;
  Rng plan_;
  Rng fail_;
  std::string tag_;  // makes this run's ids differ from every other run's
  std::vector<Draft> drafts_;
  std::vector<TruthDraft> truth_;
  std::uint64_t next_seq_ = 0;
  ServiceStats stats_;
  std::vector<std::int64_t> free_at_;  // per table
  std::vector<Window> button_dark_;
  std::vector<std::pair<int, Window>> walk_in_doors_;  // party size, at the door
  int next_booking_ = 0;
  int next_check_ = 0;
  int next_enquiry_ = 0;
  int next_review_ = 0;
  // Causal mode: the evening's truth beyond the cases, in service time until finish().
  std::optional<DayTruth> day_truth_;
  std::vector<VisitTruth> visits_;
};

// Causal mode's run of evenings (venue_causes.cpp); generate_days() calls it.
std::vector<Service> generate_causal_days(const Options& options, int days);

}  // namespace mend::sim::detail
