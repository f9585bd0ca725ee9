// Causal mode: the tables of an evening played on one clock. The random mode plays each party
// start to finish in turn, which cannot make a course depend on what else the kitchen has in
// hand; here every step of every party (arrive, sit, order, fire, serve, bill, pay, clear) is
// an event in one queue, taken in time order, so when a course is fired the courses fired and
// not yet served are exactly those a reader of the messages would count. The model's numbers
// are in venue_causes.hpp.
//
// A party that would still be at its table when the service ends is not played, as in the
// random mode. Removing it changes the evening of the others, so the evening is played again
// without the parties that overran until none does (the set only grows, so this ends).
#include "scripts/sim/venue_causes.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>
#include <set>

#include "scripts/sim/venue_builder.hpp"

namespace mend::sim {
namespace detail {

using namespace causes;  // the model's constants, by their names in venue_causes.hpp

namespace {

constexpr std::uint64_t kRegularsSalt = 0x726567756c6172ULL;  // "regular"
constexpr std::uint64_t kDaySalt = 0x6576656e696e67ULL;       // "evening"
constexpr std::uint64_t kPartySalt = 0x7061727479ULL;         // "party"

constexpr double kBookingsPerTableHour = 0.36;
constexpr double kWalkInsPerTableHour = 0.12;
constexpr double kRegularBookings = 0.7;  // the share of bookings made by regulars
constexpr double kKnownWalkIns = 0.4;     // walk-ins the venue knows; half of them regulars
// Arrivals peak around 20:00 (wall time of the service's day, UTC) within kRushSpread.
constexpr std::int64_t kRushAt = 20 * kHour;
constexpr std::int64_t kRushSpread = 30 * kMinute;
// Customers seen once: 100000 + day x 1000 + n, never a regular's number.
constexpr int kOneOffBase = 100000;

int weekday_of(std::int64_t wall_ms) { return static_cast<int>((wall_ms / kDay + 4) % 7); }

// Fridays and Saturdays are fuller (more bookings and walk-ins, larger groups, a sharper
// rush); Sundays a little.
double busyness(int weekday) {
  if (weekday == 5 || weekday == 6) return 1.6;
  return weekday == 0 ? 1.2 : 1.0;
}

double clear_of_threshold(double share) {
  if (share > kEdgeBelow && share <= 1.0) return kEdgeBelow;
  if (share > 1.0 && share < kEdgeAbove) return kEdgeAbove;
  return share;
}

std::string customer_id(int n) { return n == 0 ? std::string() : "cust-" + pad(n, 4); }

struct Guest {
  Party party;
  bool regular = false;
  bool sensitive = false;
};

std::vector<Regular> regulars_of(const Options& o) {
  Rng rng(splitmix64(o.seed ^ kRegularsSalt));
  const int n = std::max(4, o.tables * kRegularsPerTable);
  std::vector<Regular> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) out.push_back(Regular{i, rng.uniform(0.5, 2.0), false});
  // Exactly the share, chosen by a seeded shuffle.
  std::vector<std::size_t> order(out.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  const auto sensitive = static_cast<std::size_t>(std::lround(n * kSensitiveShareOfRegulars));
  for (std::size_t i = 0; i < sensitive; ++i) out[order[i]].sensitive = true;
  return out;
}

}  // namespace

class CausalTables {
 public:
  explicit CausalTables(Builder& b)
      : b_(b), o_(b.o_), t_(b.t_), d_(o_.duration_ms), rng_(splitmix64(o_.seed ^ kDaySalt)) {}

  void run() {
    plan_evening();
    plan_guests();
    std::vector<bool> excluded(guests_.size(), false);
    const std::size_t drafts = b_.drafts_.size();
    const std::size_t truth = b_.truth_.size();
    const std::uint64_t seq = b_.next_seq_;
    const int checks = b_.next_check_;
    const int reviews = b_.next_review_;
    const ServiceStats stats = b_.stats_;
    while (true) {
      b_.drafts_.resize(drafts);
      b_.truth_.resize(truth);
      b_.next_seq_ = seq;
      b_.next_check_ = checks;
      b_.next_review_ = reviews;
      b_.stats_ = stats;
      b_.walk_in_doors_.clear();
      b_.visits_.clear();
      const std::vector<std::size_t> overran = play(excluded);
      if (overran.empty()) break;
      for (const std::size_t i : overran) excluded[i] = true;
    }
  }

 private:
  enum class Step { kArrive, kDoor, kTableFree, kOrder, kFire, kServed, kBill, kCleared };
  struct Event {
    std::int64_t at = 0;
    std::uint64_t seq = 0;
    Step step = Step::kArrive;
    std::size_t who = 0;  // the guest, or the table for kTableFree
    std::string_view course;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  // A party's evening as it is played.
  struct Visit {
    Rng rng{0};
    std::int64_t door_deadline = 0;  // seated by then, or turned away unheard
    bool late = false;               // a door wait drawn past its threshold (failure_rate)
    std::size_t table = 0;
    std::string table_name;
    std::string area;
    bool short_staffed = false;
    std::string check;
    std::int64_t seated = 0;
    std::int64_t ordered = 0;
    std::int64_t last = 0;  // the latest course served
    int courses_left = 0;
    bool dessert = false;
    bool upset = false;  // a sensitive guest after a wait past kSensitiveShare
    Tab tab;
    VisitTruth truth;
    std::vector<std::size_t> cases;  // indices into the builder's truth drafts
  };

  // ---- the evening's plan ------------------------------------------------------------------
  void plan_evening() {
    DayTruth day;
    day.day = b_.day_->day;
    day.start_wall_ms = o_.start_wall_ms;
    day.weekday = weekday_of(o_.start_wall_ms);
    weekend_ = day.weekday == 5 || day.weekday == 6;
    busy_ = busyness(day.weekday) * rng_.uniform(0.9, 1.1);
    rush_boost_ = (weekend_ ? 4.5 : 3.5) * rng_.uniform(0.8, 1.2);
    // The rush at 20:00 when the service covers it, else a third of the way in; always where
    // parties can still arrive.
    std::int64_t rush = ((kRushAt - o_.start_wall_ms % kDay) % kDay + kDay) % kDay;
    if (rush > d_) rush = d_ / 3;
    rush_ = std::clamp(rush, 15 * kMinute, std::max(15 * kMinute, d_ - 90 * kMinute));
    day.rush_ms = b_.compress(rush_);
    std::vector<std::string> areas;  // those with tables, in floor order
    for (int t = 1; t <= o_.tables; ++t) {
      std::string a = area_of_table(t, o_.tables);
      if (std::find(areas.begin(), areas.end(), a) == areas.end()) areas.push_back(std::move(a));
    }
    const bool short_staffed = rng_.chance(kShortStaffedChance);
    const std::string& area = rng_.pick(areas);
    short_factor_ = rng_.uniform(kShortFactorMin, kShortFactorMax);
    if (short_staffed) {
      day.short_staffed = area;
      day.short_staffed_factor = short_factor_;
    }
    short_area_ = day.short_staffed;
    b_.day_truth_ = day;
  }

  double rush_weight(std::int64_t t) const {
    const double z = static_cast<double>(t - rush_) / static_cast<double>(kRushSpread);
    return 1 + rush_boost_ * std::exp(-0.5 * z * z);
  }

  // A regular not yet here tonight, by their weights; 0 when the draw finds none.
  int pick_regular() {
    const std::vector<Regular>& all = *b_.day_->regulars;
    double total = 0;
    for (const Regular& r : all) total += tonight_.count(r.customer) != 0 ? 0 : r.weight;
    if (total <= 0) return 0;
    double x = rng_.uniform(0, total);
    for (const Regular& r : all) {
      if (tonight_.count(r.customer) != 0) continue;
      x -= r.weight;
      if (x < 0) {
        tonight_.insert(r.customer);
        return r.customer;
      }
    }
    return 0;
  }

  // Groups are larger at the weekend: the larger of two draws.
  int party_size() {
    const int size = Builder::party_size_from(rng_);
    return weekend_ ? std::max(size, Builder::party_size_from(rng_)) : size;
  }

  int one_off() { return kOneOffBase + b_.day_->day * 1000 + ++one_offs_; }

  void add_guest(Party p) {
    Guest g;
    if (p.customer != 0 && p.customer < kOneOffBase) {
      g.regular = true;
      const Regular& r = (*b_.day_->regulars)[static_cast<std::size_t>(p.customer - 1)];
      g.sensitive = r.sensitive;
    }
    p.order = static_cast<int>(guests_.size());
    g.party = std::move(p);
    guests_.push_back(std::move(g));
  }

  void plan_guests() {
    const double hours = static_cast<double>(d_) / kHour;
    const std::int64_t first_slot = 15 * kMinute;
    const std::int64_t last_slot = d_ - 90 * kMinute;
    std::vector<std::int64_t> slots;
    std::vector<double> weights;
    for (std::int64_t s = first_slot; s <= last_slot; s += 15 * kMinute) {
      slots.push_back(s);
      weights.push_back(rush_weight(s));
    }
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    const auto n_bookings =
        static_cast<int>(std::lround(o_.tables * hours * kBookingsPerTableHour * busy_));
    std::int64_t ahead = 0;  // bookings made before tonight reach mendd as service opens
    for (int i = 0; i < n_bookings && !slots.empty(); ++i) {
      Party p;
      p.booking = b_.id("bk", ++b_.next_booking_);
      p.size = party_size();
      p.customer = rng_.chance(kRegularBookings) ? pick_regular() : 0;
      if (p.customer == 0) p.customer = one_off();
      p.value = std::round(p.size * rng_.uniform(32, 68) * 100) / 100;
      double x = rng_.uniform(0, total);
      std::size_t k = 0;
      while (k + 1 < slots.size() && (x -= weights[k]) >= 0) ++k;
      const std::int64_t slot = slots[k];
      std::int64_t created = 0;
      if (rng_.chance(0.3) && slot - 20 * kMinute > kMinute) {
        created = rng_.between(kMinute, slot - 20 * kMinute);  // booked on the night
      } else {
        ahead += rng_.between(2 * kSecond, 6 * kSecond);
        created = ahead;
      }
      b_.emit_booking(rng_, p, created, slot);
      const double fate = rng_.unit();
      if (fate < 0.04) {  // cancelled
        const std::int64_t at = rng_.between(created + kMinute, slot - 10 * kMinute);
        if (at > created) {
          b_.emit(at, "booking/booking.cancelled")
              .body.str("booking", p.booking)
              .str("reason", "plans changed");
        }
        continue;
      }
      if (fate < 0.08) continue;  // a no-show
      p.arrival = std::max(created + kMinute, slot + rng_.between(-6 * kMinute, 12 * kMinute));
      add_guest(std::move(p));
    }
    const auto n_walk_ins =
        static_cast<int>(std::lround(o_.tables * hours * kWalkInsPerTableHour * busy_));
    const double peak = 1 + rush_boost_;
    for (int i = 0; i < n_walk_ins && d_ - 80 * kMinute > 10 * kMinute; ++i) {
      Party p;
      p.size = party_size();
      if (rng_.chance(kKnownWalkIns)) p.customer = rng_.chance(0.5) ? pick_regular() : one_off();
      do {  // arrivals follow the rush
        p.arrival = rng_.between(10 * kMinute, d_ - 80 * kMinute);
      } while (rng_.uniform(0, peak) > rush_weight(p.arrival));
      add_guest(std::move(p));
    }
    std::stable_sort(guests_.begin(), guests_.end(), [](const Guest& a, const Guest& b) {
      return a.party.arrival < b.party.arrival;
    });
  }

  // ---- playing it ----------------------------------------------------------------------------
  void schedule(std::int64_t when, Step step, std::size_t who, std::string_view course = {}) {
    queue_.push(Event{when, next_event_++, step, who, course});
  }

  // Plays the evening without the excluded guests; returns those still seated at the end.
  std::vector<std::size_t> play(const std::vector<bool>& excluded) {
    visits_.assign(guests_.size(), Visit{});
    table_free_.assign(static_cast<std::size_t>(o_.tables), true);
    door_.clear();
    in_flight_ = 0;
    next_event_ = 0;
    std::vector<std::size_t> overran;
    for (std::size_t i = 0; i < guests_.size(); ++i) {
      visits_[i].rng = Rng(splitmix64(o_.seed ^ kPartySalt ^ splitmix64(i)));
      if (!excluded[i]) schedule(guests_[i].party.arrival, Step::kArrive, i);
    }
    while (!queue_.empty()) {
      const Event e = queue_.top();
      queue_.pop();
      switch (e.step) {
        case Step::kArrive: arrive(e.who); break;
        case Step::kDoor: door(e.who, e.at); break;
        case Step::kTableFree: table_free(e.who, e.at); break;
        case Step::kOrder: order(e.who, e.at); break;
        case Step::kFire: fire(e.who, e.at, e.course); break;
        case Step::kServed: served(e.who, e.at, e.course); break;
        case Step::kBill: bill(e.who, e.at); break;
        case Step::kCleared:
          if (e.at > d_ - kMinute) overran.push_back(e.who);
          cleared(e.who, e.at);
          break;
      }
    }
    return overran;
  }

  void arrive(std::size_t i) {
    Visit& v = visits_[i];
    const Party& p = guests_[i].party;
    const std::int64_t limit = t_.arrival_unseated;
    v.late = v.rng.chance(o_.failure_rate);
    const std::int64_t wait =
        v.late ? Builder::breach_from(v.rng, limit) : Builder::healthy_from(v.rng, limit, 0.03);
    v.door_deadline = p.arrival + scaled(v.late ? kBreachMax : kHealthyMax, limit);
    schedule(p.arrival + wait, Step::kDoor, i);
  }

  void door(std::size_t i, std::int64_t now) {
    std::vector<std::size_t> free;
    for (std::size_t t = 0; t < table_free_.size(); ++t) {
      if (table_free_[t]) free.push_back(t);
    }
    if (free.empty()) {
      door_.push_back(i);  // waits for a table until its deadline
      return;
    }
    seat(i, visits_[i].rng.pick(free), now);
  }

  void table_free(std::size_t table, std::int64_t now) {
    table_free_[table] = true;
    while (!door_.empty() && table_free_[table]) {
      const std::size_t i = door_.front();
      door_.erase(door_.begin());
      if (now <= visits_[i].door_deadline) seat(i, table, now);  // else turned away unheard
    }
  }

  void seat(std::size_t i, std::size_t table, std::int64_t now) {
    Visit& v = visits_[i];
    const Guest& g = guests_[i];
    const Party& p = g.party;
    const bool walk_in = p.booking.empty();
    if (walk_in) {
      // As in the random mode: never two walk-ins of one size at the door together.
      const Window at_door{p.arrival, now + 1};
      for (const auto& [size, w] : b_.walk_in_doors_) {
        if (size == p.size && w.overlaps(at_door)) return;
      }
      b_.walk_in_doors_.emplace_back(p.size, at_door);
    }
    table_free_[table] = false;
    const int number = static_cast<int>(table) + 1;
    v.table = table;
    v.table_name = table_name(number);
    v.area = area_of_table(number, o_.tables);
    v.short_staffed = v.area == short_area_;
    v.seated = now;
    const std::uint64_t arrival_seq = b_.emit_arrived(p);
    if (v.late) {
      std::vector<std::pair<std::string, std::string>> subject;
      if (walk_in) {
        subject.emplace_back("party", std::to_string(p.size));
      } else {
        subject.emplace_back("booking", p.booking);
      }
      TruthDraft& t =
          b_.truth("arrival.unseated", std::move(subject), "door", p.arrival, t_.arrival_unseated);
      if (walk_in) t.walk_in_seq = arrival_seq;
      v.cases.push_back(b_.truth_.size() - 1);
    }
    b_.emit_seated(now, v.table_name, p);
    VisitTruth& r = v.truth;
    r.table = v.table_name;
    r.area = v.area;
    r.booking = p.booking;
    r.customer = customer_id(p.customer);
    r.regular = g.regular;
    r.sensitive = g.sensitive;
    r.party = p.size;
    r.seated_ms = now;
    // Seated -> order: slow only in a short-staffed area.
    const double share = staffed_wait(v, "table.no_order", t_.table_no_order, now);
    schedule(now + scaled(share, t_.table_no_order), Step::kOrder, i);
  }

  // A wait the floor staff answer: seated -> order, or bill requested -> paid.
  double staffed_wait(Visit& v, std::string_view kind, std::int64_t limit, std::int64_t now) {
    double share = v.rng.uniform(kWaitBaseMin, kWaitBaseMax);
    const double jitter = v.rng.uniform(kShortJitterMin, kShortJitterMax);
    if (v.short_staffed) share = clear_of_threshold(share * short_factor_ * jitter);
    v.truth.worst_wait = std::max(v.truth.worst_wait, share);
    if (share > 1) {
      std::vector<std::pair<std::string, std::string>> subject;
      if (!v.check.empty()) subject.emplace_back("check", v.check);
      subject.emplace_back("table", v.table_name);
      b_.truth(std::string(kind), std::move(subject), "area:" + v.area, now, limit).cause =
          "short_staffed";
      v.cases.push_back(b_.truth_.size() - 1);
    }
    return share;
  }

  void order(std::size_t i, std::int64_t now) {
    Visit& v = visits_[i];
    v.check = b_.id("ck", ++b_.next_check_);
    v.truth.check = v.check;
    v.ordered = now;
    b_.emit_order(v.rng, now, v.table_name, v.check, guests_[i].party.size);
    const bool starter = v.rng.chance(0.65);
    v.dessert = v.rng.chance(0.5);
    v.courses_left = 2 + (starter ? 1 : 0) + (v.dessert ? 1 : 0);
    schedule(now + v.rng.between(0, 90 * kSecond), Step::kFire, i, "drinks");
    if (starter) {
      schedule(now + v.rng.between(2 * kMinute, 6 * kMinute), Step::kFire, i, "starter");
    } else {
      schedule(now + v.rng.between(4 * kMinute, 10 * kMinute), Step::kFire, i, "main");
    }
  }

  void fire(std::size_t i, std::int64_t now, std::string_view course) {
    Visit& v = visits_[i];
    const int guests = guests_[i].party.size;
    std::span<const MenuItem> menu = kMains;
    int dishes = guests;
    if (course == "drinks") menu = kDrinks;
    if (course == "starter" || course == "dessert") dishes = std::max(1, guests / 2);
    if (course == "starter") menu = kStarters;
    if (course == "dessert") menu = kDesserts;
    b_.emit_fired(v.rng, now, v.check, course, v.table_name, menu, dishes, v.tab);
    const double base = v.rng.uniform(kCourseBaseMin, kCourseBaseMax);
    const double noise = v.rng.uniform(kNoiseMin, kNoiseMax);
    // The load this course meets: the others fired and not yet served, venue-wide.
    const double over = std::max(0.0, in_flight_ - load_free(o_.tables));
    const double slow = std::min(kLoadCap, 1 + load_slope(o_.tables) * over);
    const double share = clear_of_threshold(base * slow * noise);
    const std::int64_t limit = t_.course(course);
    v.truth.worst_wait = std::max(v.truth.worst_wait, share);
    if (share > 1) {
      b_.truth("course.slow",
               {{"check", v.check}, {"course", std::string(course)}, {"table", v.table_name}},
               "station:" + std::string(course), now, limit)
          .cause = "kitchen_load";
      v.cases.push_back(b_.truth_.size() - 1);
    }
    ++in_flight_;
    schedule(now + scaled(share, limit), Step::kServed, i, course);
  }

  void served(std::size_t i, std::int64_t now, std::string_view course) {
    Visit& v = visits_[i];
    --in_flight_;
    b_.emit_served(now, v.check, course, v.table_name);
    v.last = std::max(v.last, now);
    if (course == "starter") {
      schedule(now + v.rng.between(3 * kMinute, 10 * kMinute), Step::kFire, i, "main");
    }
    if (course == "main" && v.dessert) {
      schedule(now + v.rng.between(8 * kMinute, 18 * kMinute), Step::kFire, i, "dessert");
    }
    if (--v.courses_left > 0) return;
    // All served: the call button and voids fall in the meal, then the bill is asked for.
    const std::string area = "area:" + v.area;
    const std::size_t before = b_.truth_.size();
    if (const auto call =
            b_.play_call(v.rng, v.rng, v.table_name, area, v.ordered + kMinute, v.last)) {
      v.last = std::max(v.last, call->to);
      const double share =
          static_cast<double>(call->to - call->from) / static_cast<double>(t_.call_unanswered);
      v.truth.worst_wait = std::max(v.truth.worst_wait, share);
    }
    b_.play_voids(v.rng, v.rng, v.check, v.table_name, area, v.ordered + kMinute, v.last, v.tab);
    for (std::size_t k = before; k < b_.truth_.size(); ++k) v.cases.push_back(k);
    schedule(v.last + v.rng.between(4 * kMinute, 12 * kMinute), Step::kBill, i);
  }

  void bill(std::size_t i, std::int64_t now) {
    Visit& v = visits_[i];
    const double share = staffed_wait(v, "bill.slow", t_.bill_slow, now);
    const std::int64_t paid = now + scaled(share, t_.bill_slow);
    b_.emit_bill(v.rng, v.check, v.table_name, now, paid, v.tab);
    schedule(paid + v.rng.between(2 * kMinute, 6 * kMinute), Step::kCleared, i);
  }

  void cleared(std::size_t i, std::int64_t now) {
    Visit& v = visits_[i];
    const Guest& g = guests_[i];
    b_.emit(now, "booking/table.cleared").body.str("table", v.table_name);
    schedule(now + v.rng.between(kMinute, 4 * kMinute), Step::kTableFree, v.table);
    ++b_.stats_.checks;
    ++b_.stats_.seatings;
    if (g.party.booking.empty()) ++b_.stats_.walk_ins;
    VisitTruth& r = v.truth;
    r.cleared_ms = now;
    feedback(v, g, now);
    std::set<std::string> causes;
    for (const std::size_t k : v.cases) {
      r.cases.push_back(b_.truth_[k].kind);
      if (causes.insert(b_.truth_[k].cause).second) r.causes.push_back(b_.truth_[k].cause);
    }
    const std::string low = v.upset ? "sensitive_guest" : "random";
    if (r.survey >= 1 && r.survey <= 2 && causes.insert(low).second) r.causes.push_back(low);
    r.ended_badly = !r.causes.empty();
    b_.visits_.push_back(r);
  }

  // The survey (and, from a sensitive guest after a slow wait, sometimes a review), sent a
  // little after they leave and before the service ends. Only a guest the venue knows.
  void feedback(Visit& v, const Guest& g, std::int64_t now) {
    const Party& p = g.party;
    if (p.booking.empty() && p.customer == 0) return;
    v.upset = g.sensitive && v.truth.worst_wait >= kSensitiveShare;
    const bool upset = v.upset;
    if (!v.rng.chance(upset ? kSensitiveAnswers : kSurveyAnswers)) return;
    int score = 0;
    if (upset || v.rng.chance(kRandomLowSurvey)) {
      score = static_cast<int>(v.rng.between(1, 2));
    } else {
      score = static_cast<int>(v.rng.between(3, 5));
    }
    const std::int64_t last = d_ - 20 * kSecond;
    const std::int64_t sent =
        std::min(now + v.rng.between(2 * kMinute, 20 * kMinute), last - kSecond);
    Draft& s = b_.emit(sent, "feedback/survey.answered");
    s.body.integer("score", score);
    if (!p.booking.empty()) s.body.str("booking", p.booking);
    if (p.customer != 0) s.body.raw("customer", b_.customer_json(p.customer));
    v.truth.survey = score;
    if (!upset || t_.review_max_rating < 1 || !v.rng.chance(kSensitiveReviews)) return;
    const std::int64_t at = std::min(sent + v.rng.between(kMinute, 10 * kMinute), last);
    const std::string review = b_.id("rv", ++b_.next_review_);
    Draft& r = b_.emit(at, "feedback/review.received");
    r.body.str("review", review)
        .str("source", v.rng.pick(kReviewSources))
        .integer("rating", v.rng.between(1, t_.review_max_rating))
        .str("text", v.rng.pick(kBadReviews));
    if (p.customer != 0) r.body.raw("customer", b_.customer_json(p.customer));
    if (!p.booking.empty()) r.body.str("booking", p.booking);
    r.times.emplace_back("visited_at", v.seated);
    ++b_.stats_.reviews;
    b_.truth("review.negative", {{"review", review}}, "reviews", at, 0).cause = "sensitive_guest";
    v.cases.push_back(b_.truth_.size() - 1);
    v.truth.negative_review = true;
  }

  Builder& b_;
  const Options& o_;
  const Thresholds& t_;
  const std::int64_t d_;
  Rng rng_;               // the evening's plan
  bool weekend_ = false;  // Friday or Saturday
  double busy_ = 1;
  double rush_boost_ = 0;
  std::int64_t rush_ = 0;
  std::string short_area_;
  double short_factor_ = 1;
  std::set<int> tonight_;  // regulars already booked or walked in tonight
  int one_offs_ = 0;
  std::vector<Guest> guests_;  // by arrival
  // While playing:
  std::vector<Visit> visits_;
  std::vector<bool> table_free_;
  std::vector<std::size_t> door_;  // guests waiting for a table, first come first seated
  int in_flight_ = 0;              // courses fired and not yet served
  std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
  std::uint64_t next_event_ = 0;
};

void Builder::plan_causal_tables() { CausalTables(*this).run(); }

std::vector<Service> generate_causal_days(const Options& options, int days) {
  const std::vector<Regular> regulars = regulars_of(options);
  std::vector<Service> out;
  for (int day = 0; day < days; ++day) {
    Options o = options;
    o.seed = day_seed(options.seed, day);
    o.start_wall_ms = options.start_wall_ms + day * kDay;
    const CausalDay causal{day, &regulars};
    out.push_back(Builder(o, &causal).run());
  }
  return out;
}

}  // namespace detail

}  // namespace mend::sim
