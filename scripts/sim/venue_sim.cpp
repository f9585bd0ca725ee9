#include "scripts/sim/venue_sim.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>

#include "core/topics.hpp"
#include "scripts/sim/sim_random.hpp"

namespace mend::sim {
namespace {

// Salts for the independent random streams drawn from one seed.
constexpr std::uint64_t kPlanSalt = 0x706c616e;  // "plan"
constexpr std::uint64_t kFailSalt = 0x6661696c;  // "fail"

// Injected waits that end in "never answered" rather than "answered late", per kind.
constexpr double kNeverServed = 0.25;      // a ticket nobody bumped
constexpr double kWalkOut = 0.25;          // seated, nobody came, the party left
constexpr double kLeftTheDoor = 0.3;       // a booked party that gave up waiting to be seated
constexpr double kSilenceNotStatus = 0.5;  // device.offline by silence rather than status

// How busy the evening is, per table and hour of service.
constexpr double kBookingsPerTableHour = 0.45;
constexpr double kWalkInsPerTableHour = 0.15;

constexpr std::array<std::string_view, 6> kStaff = {"ana", "ben", "chloe", "dev", "eli", "fatima"};
constexpr std::array<std::string_view, 12> kFirstNames = {"Ana",   "Ben",   "Chloe", "Dmitri",
                                                          "Elena", "Farid", "Grace", "Hugo",
                                                          "Ines",  "Jonas", "Keiko", "Liam"};
constexpr std::array<std::string_view, 12> kLastNames = {"Silva", "Okafor", "Martin", "Novak",
                                                         "Rossi", "Haddad", "Kim",    "Berg",
                                                         "Costa", "Walsh",  "Tanaka", "Moreau"};
constexpr std::array<std::string_view, 4> kBookingChannels = {"web", "phone", "app", "email"};
constexpr std::array<std::string_view, 5> kBookingNotes = {
    "birthday", "window seat please", "high chair needed", "nut allergy", "anniversary"};
constexpr std::array<std::string_view, 3> kEnquiryChannels = {"email", "phone", "web"};
constexpr std::array<std::string_view, 5> kEnquiryTopics = {
    "private dining", "allergy question", "large booking", "gift vouchers", "lost property"};
constexpr std::array<std::string_view, 4> kVoidReasons = {"wrong order", "changed mind",
                                                          "kitchen error", "spilled"};
constexpr std::array<std::string_view, 3> kReviewSources = {"google", "tripadvisor", "opentable"};
constexpr std::array<std::string_view, 3> kGoodReviews = {
    "Lovely evening, the staff were great.", "Excellent food and quick service.",
    "Will be back, the dessert was a highlight."};
constexpr std::array<std::string_view, 3> kBadReviews = {
    "Waited ages for our mains and nobody checked on us.",
    "Cold food and we had to ask three times for the bill.",
    "Disappointing: forgotten at the door for twenty minutes."};

struct MenuItem {
  std::string_view name;
  double price;
};
constexpr std::array<MenuItem, 5> kDrinks = {{{"house red", 7.5},
                                              {"pale ale", 5.8},
                                              {"sparkling water", 3.2},
                                              {"negroni", 9.0},
                                              {"lemonade", 3.5}}};
constexpr std::array<MenuItem, 4> kStarters = {
    {{"soup of the day", 7.0}, {"burrata", 11.5}, {"calamari", 9.5}, {"beetroot salad", 8.0}}};
constexpr std::array<MenuItem, 5> kMains = {{{"sea bass", 24.0},
                                             {"ribeye", 29.5},
                                             {"mushroom risotto", 18.0},
                                             {"chicken supreme", 21.0},
                                             {"fish and chips", 17.5}}};
constexpr std::array<MenuItem, 3> kDesserts = {
    {{"tiramisu", 7.5}, {"sticky toffee pudding", 8.0}, {"sorbet", 6.0}}};

// The venue's devices (the brief of the simulator: one fridge, one freezer, one call button).
const std::vector<DeviceSpec> kDevices = {
    {"fridge-1", "fridge", "kitchen", 0.0, 5.0, true},
    {"freezer-1", "freezer", "kitchen", -25.0, -15.0, true},
    {"btn-1", "callbutton", "floor", std::nullopt, std::nullopt, false},
};
constexpr std::string_view kButton = "btn-1";

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

struct Course {
  std::string_view name;
  std::int64_t ready = 0;  // when the next step may follow (served, or given up on)
};

std::int64_t scaled(double share, std::int64_t threshold) {
  return std::llround(share * static_cast<double>(threshold));
}

std::string pad(int n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return buf;
}

class Builder {
 public:
  explicit Builder(const Options& options)
      : o_(options),
        t_(options.thresholds),
        plan_(splitmix64(options.seed ^ kPlanSalt)),
        fail_(splitmix64(options.seed ^ kFailSalt)) {
    char buf[16];
    const std::uint64_t h =
        splitmix64(options.seed ^ splitmix64(static_cast<std::uint64_t>(options.start_wall_ms)));
    std::snprintf(buf, sizeof buf, "%06llx", static_cast<unsigned long long>(h & 0xffffff));
    tag_ = buf;
  }

  Service run() {
    for (const DeviceSpec& d : kDevices) status(0, d.id, true);
    plan_devices();
    plan_parties();
    plan_enquiries();
    plan_reviews();
    return finish();
  }

 private:
  // ---- emitting ----------------------------------------------------------------------------
  Draft& emit(std::int64_t at, std::string_view path, int qos = 1) {
    Draft& d = drafts_.emplace_back();
    d.at = at;
    d.seq = next_seq_++;
    d.topic = topics::venue_topic(o_.venue, path);
    d.qos = qos;
    return d;
  }

  void status(std::int64_t at, std::string_view device, bool online) {
    Draft& d = emit(at, "sensor/" + std::string(device) + "/status");
    d.plain = online ? "online" : "offline";
    d.retained = true;  // the contract's status is a retained level (the device's last will)
  }

  void truth(std::string kind, std::vector<std::pair<std::string, std::string>> subject,
             std::string scope, std::int64_t started, std::int64_t threshold) {
    truth_.push_back(TruthDraft{std::move(kind), std::move(subject), std::move(scope), started,
                                threshold, std::nullopt});
  }

  std::string id(std::string_view prefix, int n) const {
    return std::string(prefix) + "-" + tag_ + "-" + pad(n, 4);
  }

  std::string customer_json(int n) const {
    const std::uint64_t h = splitmix64(static_cast<std::uint64_t>(n) * 7919);
    const std::string_view first = kFirstNames[h % kFirstNames.size()];
    const std::string_view last = kLastNames[(h >> 16) % kLastNames.size()];
    std::string email = std::string(first) + "." + std::string(last) + "@example.com";
    std::transform(email.begin(), email.end(), email.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return JsonObject()
        .str("id", "cust-" + pad(n, 4))
        .str("name", std::string(first) + " " + std::string(last))
        .str("phone", "+44 7700 9" + pad(n % 100000, 5))
        .str("email", email)
        .text();
  }

  // A wait's length: healthy, or injected past its threshold when `injected`.
  std::int64_t healthy(std::int64_t threshold, double lo = 0.1) {
    return std::max<std::int64_t>(1, scaled(plan_.uniform(lo, kHealthyMax), threshold));
  }
  std::int64_t breach(std::int64_t threshold) {
    return scaled(fail_.uniform(kBreachMin, kBreachMax), std::max<std::int64_t>(threshold, 1));
  }

  // ---- devices -----------------------------------------------------------------------------
  struct Outage {
    Window dark;  // no message from the device in here
    bool by_status = false;
  };

  void plan_devices() {
    const std::int64_t d = o_.duration_ms;
    const std::int64_t step = o_.reading_interval_ms;
    for (std::size_t i = 0; i < kDevices.size(); ++i) {
      const DeviceSpec& dev = kDevices[i];
      const bool cold = dev.low.has_value();
      std::vector<Window> busy;
      const std::int64_t first_tick = 5 * kSecond + static_cast<std::int64_t>(i) * step / 2;

      // A warming fridge: one chance per cold device, as mendd keeps that case open all night.
      std::optional<Window> warm;
      if (cold && fail_.chance(o_.failure_rate)) {
        const std::int64_t out = breach(t_.temperature_for);
        const std::int64_t lo = std::max(d / 10, first_tick + 3 * step);
        const std::int64_t hi = d - out - 4 * step;
        if (hi > lo) {
          // Snapped to a tick: the case counts from the first reading outside the band.
          std::int64_t start = fail_.between(lo, hi);
          start = first_tick + (start - first_tick + step - 1) / step * step;
          warm = Window{start, start + out};
          busy.push_back(Window{start - 2 * step, start + out + 2 * step});
        }
      }

      // Offline: one chance per device and started hour of service.
      std::vector<Outage> outages;
      for (std::int64_t hour = 0; hour * kHour < d; ++hour) {
        if (!fail_.chance(o_.failure_rate)) continue;
        const bool can_go_silent = cold && dev.watch_silence && t_.device_silence > 0;
        const bool by_status = !can_go_silent || !fail_.chance(kSilenceNotStatus);
        std::int64_t limit = by_status ? t_.device_offline : t_.device_silence;
        if (by_status && can_go_silent) limit = std::max(limit, t_.device_silence);
        const std::int64_t length = breach(std::max({limit, step, kMinute}));
        const std::int64_t lo = hour * kHour + 2 * step;
        const std::int64_t hi = std::min((hour + 1) * kHour, d) - length - 3 * step;
        if (hi <= lo) continue;
        const std::int64_t start = fail_.between(lo, hi);
        const Window padded{start - 2 * step, start + length + 2 * step};
        if (std::any_of(busy.begin(), busy.end(),
                        [&](const Window& w) { return w.overlaps(padded); })) {
          continue;
        }
        busy.push_back(padded);
        outages.push_back(Outage{Window{start, start + length}, by_status});
      }

      if (cold) {
        readings(dev, first_tick, warm, outages, busy);
      } else {
        // A call button has no rhythm: it is offline by status only, and presses wait for it.
        for (const Outage& out : outages) {
          status(out.dark.from, dev.id, false);
          status(out.dark.to, dev.id, true);
          truth("device.offline", {{"device", dev.id}}, "area:" + dev.area, out.dark.from,
                t_.device_offline);
          button_dark_.push_back(Window{out.dark.from - kSecond, out.dark.to + kSecond});
        }
      }
    }
  }

  void readings(const DeviceSpec& dev, std::int64_t first_tick, const std::optional<Window>& warm,
                const std::vector<Outage>& outages, const std::vector<Window>& busy) {
    const std::int64_t d = o_.duration_ms;
    const std::int64_t step = o_.reading_interval_ms;
    const double low = *dev.low;
    const double high = *dev.high;
    const double mid = (low + high) / 2;
    const double half = (high - low) / 2;
    // A door left open briefly: out of band for at most kHealthyMax of the limit.
    const std::int64_t max_door =
        static_cast<std::int64_t>(kHealthyMax * static_cast<double>(t_.temperature_for)) / step;
    std::int64_t door_left = 0;
    bool door_closed_tick = false;
    bool warm_started = false;
    std::int64_t last_sent = -1;
    std::vector<bool> outage_noted(outages.size(), false);
    const std::string path = "sensor/" + dev.id + "/temperature";

    for (std::int64_t t = first_tick; t < d; t += step) {
      const double noise = plan_.unit();  // drawn every tick: the plan never shifts
      const double door_roll = plan_.unit();
      const std::int64_t door_len = plan_.between(1, std::max<std::int64_t>(1, max_door));

      bool dark = false;
      for (std::size_t k = 0; k < outages.size(); ++k) {
        const Outage& out = outages[k];
        // A silent device stops after its last reading; one reporting offline stops at once.
        const bool in = out.dark.contains(t);
        if (in) dark = true;
        if ((in || t >= out.dark.to) && !outage_noted[k]) {
          outage_noted[k] = true;
          note_outage(dev, out, last_sent);
        }
      }
      if (dark) continue;

      double value = 0;
      if (warm && warm->contains(t)) {
        if (!warm_started) {
          warm_started = true;
          truth("temperature.out_of_range", {{"device", dev.id}}, "area:" + dev.area, t,
                t_.temperature_for);
        }
        value = high + 1.5 + 2.5 * noise;
      } else if (door_left > 0) {
        --door_left;
        door_closed_tick = door_left == 0;
        value = high + 0.4 + 1.0 * noise;
      } else if (door_closed_tick) {
        // The reading that ends an excursion is in band, or two would run together.
        door_closed_tick = false;
        value = mid + half * 0.4 * (2 * noise - 1);
      } else {
        const Window door{t, t + (door_len + 2) * step};
        const bool quiet = std::none_of(busy.begin(), busy.end(),
                                        [&](const Window& w) { return w.overlaps(door); });
        if (max_door >= 1 && quiet && door.to < d && door_roll < 1.0 / 45) {
          door_left = door_len - 1;
          door_closed_tick = door_left == 0;
          value = high + 0.4 + 1.0 * noise;
        } else {
          value = mid + half * 0.4 * (2 * noise - 1);  // well inside the band
        }
      }
      emit(t, path, 0).body.number("value", value, 1).str("unit", "C");
      last_sent = t;
      ++stats_.readings;
    }
  }

  void note_outage(const DeviceSpec& dev, const Outage& out, std::int64_t last_sent) {
    std::int64_t started = out.dark.from;
    std::int64_t threshold = t_.device_offline;
    if (out.by_status) {
      status(out.dark.from, dev.id, false);
      status(out.dark.to, dev.id, true);
    }
    // mendd's silence watch runs from the last message and may breach before the status does.
    if (dev.watch_silence && t_.device_silence > 0 && last_sent >= 0 &&
        (!out.by_status || last_sent + t_.device_silence < started + threshold)) {
      started = last_sent;
      threshold = t_.device_silence;
    }
    truth("device.offline", {{"device", dev.id}}, "area:" + dev.area, started, threshold);
  }

  // ---- parties -----------------------------------------------------------------------------
  void plan_parties() {
    const std::int64_t d = o_.duration_ms;
    const double hours = static_cast<double>(d) / kHour;
    std::vector<Party> parties;

    const auto n_bookings =
        static_cast<int>(std::lround(o_.tables * hours * kBookingsPerTableHour));
    const std::int64_t first_slot = 15 * kMinute;
    const std::int64_t last_slot = d - 90 * kMinute;
    std::int64_t ahead = 0;  // bookings made before tonight reach mendd as service opens
    for (int i = 0; i < n_bookings && last_slot >= first_slot; ++i) {
      Party p;
      p.booking = id("bk", ++next_booking_);
      p.size = party_size();
      p.customer = static_cast<int>(plan_.between(1, 400));
      p.value = std::round(p.size * plan_.uniform(32, 68) * 100) / 100;
      const std::int64_t slot =
          first_slot + 15 * kMinute * plan_.between(0, (last_slot - first_slot) / (15 * kMinute));
      std::int64_t created = 0;
      if (plan_.chance(0.3) && slot - 20 * kMinute > kMinute) {
        created = plan_.between(kMinute, slot - 20 * kMinute);  // booked on the night
      } else {
        ahead += plan_.between(2 * kSecond, 6 * kSecond);
        created = ahead;
      }
      Draft& b = emit(created, "booking/booking.created");
      b.body.str("booking", p.booking)
          .integer("party", p.size)
          .raw("customer", customer_json(p.customer));
      b.times.emplace_back("at", slot);
      b.body.number("value", p.value, 2).str("channel", plan_.pick(kBookingChannels));
      if (plan_.chance(0.2)) b.body.str("notes", plan_.pick(kBookingNotes));
      ++stats_.bookings;

      const double fate = plan_.unit();
      if (fate < 0.04) {  // cancelled
        const std::int64_t at = plan_.between(created + kMinute, slot - 10 * kMinute);
        if (at > created) {
          emit(at, "booking/booking.cancelled")
              .body.str("booking", p.booking)
              .str("reason", "plans changed");
        }
        continue;
      }
      if (fate < 0.08) continue;  // a no-show: nothing more is heard of it
      p.arrival = std::max(created + kMinute, slot + plan_.between(-6 * kMinute, 12 * kMinute));
      p.order = static_cast<int>(parties.size());
      parties.push_back(std::move(p));
    }

    const auto n_walk_ins = static_cast<int>(std::lround(o_.tables * hours * kWalkInsPerTableHour));
    for (int i = 0; i < n_walk_ins && d - 80 * kMinute > 10 * kMinute; ++i) {
      Party p;
      p.size = party_size();
      p.customer = plan_.chance(0.3) ? static_cast<int>(plan_.between(401, 600)) : 0;
      p.arrival = plan_.between(10 * kMinute, d - 80 * kMinute);
      p.order = static_cast<int>(parties.size());
      parties.push_back(std::move(p));
    }

    std::sort(parties.begin(), parties.end(), [](const Party& a, const Party& b) {
      return a.arrival != b.arrival ? a.arrival < b.arrival : a.order < b.order;
    });
    free_at_.assign(static_cast<std::size_t>(o_.tables), 0);
    for (const Party& p : parties) play_party(p);
  }

  int party_size() {
    const double r = plan_.unit();
    if (r < 0.40) return 2;
    if (r < 0.52) return 3;
    if (r < 0.80) return 4;
    if (r < 0.85) return 5;
    if (r < 0.93) return 6;
    return static_cast<int>(plan_.between(7, 8));
  }

  // The table free soonest at or before `at` (a random one among those free), or the one
  // free soonest after it.
  std::size_t choose_table(std::int64_t at) {
    std::vector<std::size_t> free;
    std::size_t soonest = 0;
    for (std::size_t i = 0; i < free_at_.size(); ++i) {
      if (free_at_[i] <= at) free.push_back(i);
      if (free_at_[i] < free_at_[soonest]) soonest = i;
    }
    return free.empty() ? soonest : plan_.pick(free);
  }

  void play_party(const Party& p) {
    const std::size_t drafts_before = drafts_.size();
    const std::size_t truth_before = truth_.size();
    const bool walk_in = p.booking.empty();
    const std::int64_t limit = t_.arrival_unseated;
    const std::int64_t calm_wait = healthy(limit, 0.03);
    const bool late = fail_.chance(o_.failure_rate);
    const std::int64_t late_wait = late ? breach(limit) : 0;
    const bool leaves = late && !walk_in && fail_.chance(kLeftTheDoor);

    std::int64_t seat_at = p.arrival + (late ? late_wait : calm_wait);
    const std::size_t table = choose_table(seat_at);
    if (free_at_[table] > seat_at && !leaves) {
      // No table yet: wait for one, but only while the wait keeps its character.
      const double share = late ? kBreachMax : kHealthyMax;
      if (free_at_[table] > p.arrival + scaled(share, limit)) return;  // turned away unheard
      seat_at = free_at_[table];
    }
    if (walk_in) {
      // mendd pairs a walk-in's seating with the oldest waiting walk-in of the same size, so
      // two same-size walk-ins are never at the door together.
      const Window door{p.arrival, seat_at + 1};
      for (const auto& [size, w] : walk_in_doors_) {
        if (size == p.size && w.overlaps(door)) return;
      }
    }

    Draft& arrived = emit(p.arrival, "booking/guest.arrived");
    if (!walk_in) arrived.body.str("booking", p.booking);
    arrived.body.integer("party", p.size);
    if (p.customer != 0) arrived.body.raw("customer", customer_json(p.customer));
    const std::uint64_t arrival_seq = arrived.seq;
    if (late) {
      if (walk_in) {
        truth("arrival.unseated", {{"party", std::to_string(p.size)}}, "door", p.arrival, limit);
        truth_.back().walk_in_seq = arrival_seq;
      } else {
        truth("arrival.unseated", {{"booking", p.booking}}, "door", p.arrival, limit);
      }
    }
    if (leaves) return;

    const std::optional<std::int64_t> cleared = play_seating(p, table, seat_at);
    if (!cleared || *cleared > o_.duration_ms - kMinute) {
      drafts_.resize(drafts_before);  // the evening ends before this party would: not played
      truth_.resize(truth_before);
      return;
    }
    free_at_[table] = *cleared + plan_.between(kMinute, 4 * kMinute);
    if (walk_in) walk_in_doors_.emplace_back(p.size, Window{p.arrival, seat_at + 1});
    ++stats_.seatings;
    if (walk_in) ++stats_.walk_ins;
  }

  // Seating to table.cleared. Returns when the table was cleared.
  std::optional<std::int64_t> play_seating(const Party& p, std::size_t table_index,
                                           std::int64_t seat_at) {
    const int number = static_cast<int>(table_index) + 1;
    const std::string table = table_name(number);
    const std::string area = "area:" + area_of_table(number, o_.tables);

    Draft& seated = emit(seat_at, "booking/guest.seated");
    seated.body.str("table", table);
    if (!p.booking.empty()) seated.body.str("booking", p.booking);
    seated.body.integer("party", p.size);
    if (p.customer != 0) seated.body.raw("customer", customer_json(p.customer));

    // Seated -> order.
    const std::int64_t calm_order = healthy(t_.table_no_order);
    std::int64_t order_at = seat_at + calm_order;
    if (fail_.chance(o_.failure_rate)) {
      truth("table.no_order", {{"table", table}}, area, seat_at, t_.table_no_order);
      order_at = seat_at + breach(t_.table_no_order);
      if (fail_.chance(kWalkOut)) {
        emit(order_at, "booking/table.cleared").body.str("table", table);
        return order_at;
      }
    }
    const std::string check = id("ck", ++next_check_);
    emit(order_at, "till/order.opened")
        .body.str("table", table)
        .str("check", check)
        .integer("covers", p.size)
        .str("staff", plan_.pick(kStaff));

    double total = 0;
    std::vector<std::pair<std::string_view, double>> ordered;  // for voids
    const auto fire = [&](std::string_view course, std::int64_t at, auto& menu, int dishes) {
      std::string items = "[";
      for (int i = 0; i < dishes; ++i) {
        const MenuItem& item = plan_.pick(menu);
        const auto qty = static_cast<int>(plan_.between(1, 2));
        total += item.price * qty;
        ordered.emplace_back(item.name, item.price);
        if (i > 0) items += ",";
        items += JsonObject().str("name", item.name).integer("qty", qty).text();
      }
      items += "]";
      emit(at, "till/items.fired")
          .body.str("check", check)
          .str("course", course)
          .str("table", table)
          .raw("items", items);
      const std::int64_t limit = t_.course(course);
      const std::int64_t calm = healthy(limit, 0.15);
      if (!fail_.chance(o_.failure_rate)) {
        emit(at + calm, "till/items.served")
            .body.str("check", check)
            .str("course", course)
            .str("table", table);
        return at + calm;
      }
      truth("course.slow", {{"check", check}, {"course", std::string(course)}, {"table", table}},
            "station:" + std::string(course), at, limit);
      const std::int64_t late = at + breach(limit);
      if (!fail_.chance(kNeverServed)) {
        emit(late, "till/items.served")
            .body.str("check", check)
            .str("course", course)
            .str("table", table);
      }
      return late;
    };

    const int guests = p.size;
    std::vector<std::int64_t> ready;
    ready.push_back(fire("drinks", order_at + plan_.between(0, 90 * kSecond), kDrinks, guests));
    std::int64_t next = order_at + plan_.between(4 * kMinute, 10 * kMinute);
    if (plan_.chance(0.65)) {
      const std::int64_t starter_ready =
          fire("starter", order_at + plan_.between(2 * kMinute, 6 * kMinute), kStarters,
               std::max(1, guests / 2));
      ready.push_back(starter_ready);
      next = starter_ready + plan_.between(3 * kMinute, 10 * kMinute);
    }
    const std::int64_t main_ready = fire("main", next, kMains, guests);
    ready.push_back(main_ready);
    if (plan_.chance(0.5)) {
      ready.push_back(fire("dessert", main_ready + plan_.between(8 * kMinute, 18 * kMinute),
                           kDesserts, std::max(1, guests / 2)));
    }
    std::int64_t last = *std::max_element(ready.begin(), ready.end());

    // The call button, pressed once at most per seating (unless it is offline just then).
    if (plan_.chance(0.35)) {
      const std::int64_t press = plan_.between(order_at + kMinute, last);
      const std::int64_t calm = healthy(t_.call_unanswered);
      const bool unanswered = fail_.chance(o_.failure_rate);
      const std::int64_t clear = press + (unanswered ? breach(t_.call_unanswered) : calm);
      // A button reported offline sends nothing: neither the press nor the clear may fall in
      // that time, or it would be back online before mendd could notice.
      const Window span{press, clear + 1};
      const bool dark = std::any_of(button_dark_.begin(), button_dark_.end(),
                                    [&](const Window& w) { return w.overlaps(span); });
      if (!dark) {
        emit(press, "sensor/" + std::string(kButton) + "/callbutton")
            .body.str("table", table)
            .str("state", "pressed");
        emit(clear, "sensor/" + std::string(kButton) + "/callbutton")
            .body.str("table", table)
            .str("state", "cleared");
        if (unanswered) {
          truth("call.unanswered", {{"table", table}}, area, press, t_.call_unanswered);
        }
        last = std::max(last, clear);
      }
    }

    // Voids: now and then one; a failure is voids_count or more on the check.
    int voids = 0;
    if (t_.voids_count >= 2 && plan_.chance(0.12)) {
      voids = static_cast<int>(plan_.between(1, t_.voids_count - 1));
    }
    const bool void_failure = fail_.chance(o_.failure_rate);
    if (void_failure) voids = t_.voids_count + static_cast<int>(fail_.between(0, 1));
    if (voids > 0) {
      std::vector<std::int64_t> times;
      times.reserve(static_cast<std::size_t>(voids));
      for (int i = 0; i < voids; ++i) times.push_back(plan_.between(order_at + kMinute, last));
      std::sort(times.begin(), times.end());
      for (int i = 0; i < voids; ++i) {
        const auto& [name, price] = plan_.pick(ordered);
        total = std::max(0.0, total - price);
        emit(times[static_cast<std::size_t>(i)], "till/item.voided")
            .body.str("check", check)
            .str("item", name)
            .str("reason", plan_.pick(kVoidReasons))
            .number("amount", price, 2)
            .str("table", table);
      }
      if (void_failure) {
        truth("voids.repeated", {{"check", check}, {"table", table}}, area,
              times[static_cast<std::size_t>(t_.voids_count - 1)], 0);
      }
    }

    // The bill.
    const std::int64_t requested = last + plan_.between(4 * kMinute, 12 * kMinute);
    std::int64_t paid = requested + healthy(t_.bill_slow);
    if (fail_.chance(o_.failure_rate)) {
      truth("bill.slow", {{"check", check}, {"table", table}}, area, requested, t_.bill_slow);
      paid = requested + breach(t_.bill_slow);
    }
    emit(requested, "till/check.requested").body.str("check", check).str("table", table);
    emit(paid, "till/check.paid")
        .body.str("check", check)
        .number("total", total, 2)
        .number("tip", total * plan_.uniform(0, 0.15), 2)
        .str("table", table);
    const std::int64_t cleared = paid + plan_.between(2 * kMinute, 6 * kMinute);
    emit(cleared, "booking/table.cleared").body.str("table", table);
    ++stats_.checks;
    return cleared;
  }

  // ---- enquiries and reviews ---------------------------------------------------------------
  void plan_enquiries() {
    const std::int64_t d = o_.duration_ms;
    const std::int64_t limit = t_.enquiry_unanswered;
    const auto count = static_cast<int>(plan_.between(2, 4) * d / (3 * kHour));
    for (int i = 0; i < count; ++i) {
      const std::int64_t latest = d - scaled(kHealthyMax, limit) - 2 * kMinute;
      if (latest <= 2 * kMinute) return;  // no answer could come in time: no enquiries
      const std::int64_t received = plan_.between(2 * kMinute, latest);
      const std::int64_t calm = healthy(limit);
      // An enquiry left unanswered is detected with room to spare before the service ends.
      const std::int64_t margin = std::max(2 * kMinute, limit / 10);
      const bool missed = fail_.chance(o_.failure_rate) && received + limit + margin <= d;
      const std::string enquiry = id("enq", ++next_enquiry_);
      Draft& r = emit(received, "booking/enquiry.received");
      r.body.str("enquiry", enquiry)
          .str("channel", plan_.pick(kEnquiryChannels))
          .raw("customer", customer_json(static_cast<int>(plan_.between(601, 800))))
          .str("topic", plan_.pick(kEnquiryTopics));
      if (plan_.chance(0.5)) r.body.number("value", plan_.between(200, 2000), 2);
      ++stats_.enquiries;
      std::int64_t answered = received + calm;
      if (missed) {
        truth("enquiry.unanswered", {{"enquiry", enquiry}}, "enquiries", received, limit);
        answered = received + breach(limit);
        if (answered > d - kMinute) continue;  // not answered tonight
      }
      emit(answered, "booking/enquiry.answered")
          .body.str("enquiry", enquiry)
          .str("staff", plan_.pick(kStaff));
    }
  }

  void plan_reviews() {
    const std::int64_t d = o_.duration_ms;
    const auto count = static_cast<int>(plan_.between(1, 2));
    for (int i = 0; i < count; ++i) {
      const std::int64_t at = plan_.between(d / 5, d * 19 / 20);
      const auto calm_rating = static_cast<int>(plan_.between(4, 5));
      const bool bad = fail_.chance(o_.failure_rate) && t_.review_max_rating >= 1;
      const int rating =
          bad ? static_cast<int>(fail_.between(1, t_.review_max_rating)) : calm_rating;
      const std::string review = id("rv", ++next_review_);
      Draft& r = emit(at, "feedback/review.received");
      r.body.str("review", review)
          .str("source", plan_.pick(kReviewSources))
          .integer("rating", rating)
          .str("text", bad ? plan_.pick(kBadReviews) : plan_.pick(kGoodReviews))
          .raw("customer", customer_json(static_cast<int>(plan_.between(1, 400))));
      r.times.emplace_back("visited_at", at - plan_.between(1, 6) * kDay);
      ++stats_.reviews;
      if (bad) truth("review.negative", {{"review", review}}, "reviews", at, 0);
    }
  }

  // ---- compression and output --------------------------------------------------------------
  std::int64_t compress(std::int64_t service_ms) const {
    return std::llround(static_cast<double>(service_ms) / o_.pace);
  }

  Service finish() {
    std::stable_sort(drafts_.begin(), drafts_.end(), [](const Draft& a, const Draft& b) {
      return a.at != b.at ? a.at < b.at : a.seq < b.seq;
    });
    Service s;
    s.end_ms = compress(o_.duration_ms);
    s.stats = stats_;
    std::map<std::uint64_t, std::string> event_ids;  // draft seq -> id, for walk-in subjects
    s.messages.reserve(drafts_.size());
    int n = 0;
    for (Draft& d : drafts_) {
      Message m;
      m.at_ms = compress(d.at);
      m.topic = std::move(d.topic);
      m.qos = d.qos;
      m.retained = d.retained;
      if (d.plain) {
        m.payload = std::move(*d.plain);
      } else {
        const std::string event_id = "ev-" + tag_ + "-" + pad(++n, 6);
        event_ids[d.seq] = event_id;
        JsonObject body;
        body.str("id", event_id).str("ts", format_rfc3339_ms(o_.start_wall_ms + m.at_ms));
        for (auto& [key, value] : d.body.fields()) body.raw(key, value);
        for (const auto& [key, at] : d.times) {
          body.str(key, format_rfc3339_ms(o_.start_wall_ms + compress(at)));
        }
        m.payload = body.text();
      }
      s.messages.push_back(std::move(m));
    }

    for (TruthDraft& t : truth_) {
      TruthEntry e;
      e.kind = std::move(t.kind);
      e.subject = std::move(t.subject);
      if (t.walk_in_seq)
        e.subject.insert(e.subject.begin(),
                         std::make_pair(std::string("walk_in"), event_ids[*t.walk_in_seq]));
      e.scope = std::move(t.scope);
      e.started_ms = compress(t.started);
      e.threshold_ms = compress(t.threshold);
      e.at_ms = e.started_ms + e.threshold_ms;  // as mendd computes the deadline
      ++s.injected[e.kind];
      s.truth.push_back(std::move(e));
    }
    std::stable_sort(s.truth.begin(), s.truth.end(),
                     [](const TruthEntry& a, const TruthEntry& b) { return a.at_ms < b.at_ms; });
    derive_patterns(s.truth);
    return s;
  }

  // mendd opens one pattern.recurring per kind and scope when pattern_count cases of them
  // open within pattern_window, and keeps it open (later repeats add evidence).
  void derive_patterns(std::vector<TruthEntry>& truth) const {
    const std::int64_t window = compress(t_.pattern_window);
    std::map<std::pair<std::string, std::string>, std::deque<std::int64_t>> hits;
    std::map<std::pair<std::string, std::string>, bool> opened;
    std::vector<TruthEntry> patterns;
    for (const TruthEntry& e : truth) {
      const auto key = std::make_pair(e.kind, e.scope);
      auto& h = hits[key];
      h.push_back(e.at_ms);
      while (!h.empty() && e.at_ms - h.front() >= window) h.pop_front();
      if (static_cast<int>(h.size()) < t_.pattern_count || opened[key]) continue;
      opened[key] = true;
      TruthEntry p;
      p.kind = "pattern.recurring";
      p.subject.emplace_back("kind", e.kind);
      if (e.scope.rfind("area:", 0) == 0) p.subject.emplace_back("area", e.scope.substr(5));
      if (e.scope.rfind("station:", 0) == 0) p.subject.emplace_back("course", e.scope.substr(8));
      p.scope = e.scope;
      p.at_ms = e.at_ms;
      p.started_ms = h.front();
      p.threshold_ms = window;
      p.derived = true;
      patterns.push_back(std::move(p));
    }
    for (TruthEntry& p : patterns) truth.push_back(std::move(p));
    std::stable_sort(truth.begin(), truth.end(),
                     [](const TruthEntry& a, const TruthEntry& b) { return a.at_ms < b.at_ms; });
  }

  const Options& o_;
  const Thresholds& t_;
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
};

// ---- thresholds by name --------------------------------------------------------------------
struct DurationKey {
  std::string_view name;
  std::int64_t Thresholds::*field;
  bool zero_ok;
};
constexpr std::array<DurationKey, 14> kDurationKeys = {{
    {"table_no_order", &Thresholds::table_no_order, false},
    {"bill_slow", &Thresholds::bill_slow, false},
    {"call_unanswered", &Thresholds::call_unanswered, false},
    {"arrival_unseated", &Thresholds::arrival_unseated, false},
    {"enquiry_unanswered", &Thresholds::enquiry_unanswered, false},
    {"temperature_for", &Thresholds::temperature_for, false},
    {"device_offline", &Thresholds::device_offline, true},
    {"device_silence", &Thresholds::device_silence, true},
    {"pattern_window", &Thresholds::pattern_window, false},
    {"course_default", &Thresholds::course_default, false},
    {"course.starter", &Thresholds::course_starter, false},
    {"course.main", &Thresholds::course_main, false},
    {"course.dessert", &Thresholds::course_dessert, false},
    {"course.drinks", &Thresholds::course_drinks, false},
}};
struct CountKey {
  std::string_view name;
  int Thresholds::*field;
  int min;
  int max;
};
// review_max_rating stops at 3: a healthy review is rated 4 or 5, above it.
constexpr std::array<CountKey, 3> kCountKeys = {{
    {"review_max_rating", &Thresholds::review_max_rating, 0, 3},
    {"voids_count", &Thresholds::voids_count, 1, 1000},
    {"pattern_count", &Thresholds::pattern_count, 2, 1000},
}};

bool valid_venue(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string toml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += json_quote(items[i]);
  }
  return out + "]";
}

std::string degrees(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", c);
  return buf;
}

std::string plain_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

std::int64_t Thresholds::course(std::string_view name) const {
  if (name == "starter") return course_starter;
  if (name == "main") return course_main;
  if (name == "dessert") return course_dessert;
  if (name == "drinks") return course_drinks;
  return course_default;
}

std::optional<std::string> set_threshold(Thresholds& t, std::string_view key,
                                         std::string_view value) {
  for (const DurationKey& k : kDurationKeys) {
    if (k.name != key) continue;
    const auto ms = parse_duration_ms(value);
    if (!ms) {
      return "threshold " + std::string(key) + ": expected a duration such as \"10m\" or " +
             "\"1m30s\", got \"" + std::string(value) + "\"";
    }
    if (*ms == 0 && !k.zero_ok) return "threshold " + std::string(key) + " must be more than 0";
    t.*k.field = *ms;
    return std::nullopt;
  }
  for (const CountKey& k : kCountKeys) {
    if (k.name != key) continue;
    int n = 0;
    std::size_t used = 0;
    try {
      n = std::stoi(std::string(value), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || n < k.min || n > k.max) {
      return "threshold " + std::string(key) + ": expected an integer from " +
             std::to_string(k.min) + " to " + std::to_string(k.max) + ", got \"" +
             std::string(value) + "\"";
    }
    t.*k.field = n;
    return std::nullopt;
  }
  return "unknown threshold '" + std::string(key) + "' (known: " + toml_list(threshold_keys()) +
         ")";
}

std::vector<std::string> threshold_keys() {
  std::vector<std::string> out;
  out.reserve(kDurationKeys.size() + kCountKeys.size());
  for (const DurationKey& k : kDurationKeys) out.emplace_back(k.name);
  for (const CountKey& k : kCountKeys) out.emplace_back(k.name);
  return out;
}

std::optional<std::string> validate(const Options& o) {
  if (!valid_venue(o.venue)) return "venue must be 1-64 of a-z, 0-9 and '-'";
  if (!std::isfinite(o.pace) || o.pace <= 0 || o.pace > 100000) {
    return "pace must be more than 0 and at most 100000";
  }
  if (!(o.failure_rate >= 0 && o.failure_rate <= 1)) return "failure rate must be from 0 to 1";
  if (o.duration_ms < 10 * kMinute || o.duration_ms > 2 * kDay) {
    return "duration must be from 10m to 2d";
  }
  if (o.tables < 1 || o.tables > 500) return "tables must be from 1 to 500";
  if (o.start_wall_ms < 0) return "start wall time must be epoch milliseconds >= 0";
  const Thresholds& t = o.thresholds;
  for (const DurationKey& k : kDurationKeys) {
    const std::int64_t v = t.*k.field;
    if (v < 0 || (v == 0 && !k.zero_ok)) {
      return "threshold " + std::string(k.name) + " must be more than 0";
    }
    const std::int64_t at_pace = std::llround(static_cast<double>(v) / o.pace);
    if (v > 0 && at_pace < kMinScaledThresholdMs) {
      return "at pace " + plain_number(o.pace) + " threshold " + std::string(k.name) +
             " would be " + std::to_string(at_pace) + "ms, under " +
             std::to_string(kMinScaledThresholdMs) + "ms: use a lower pace";
    }
  }
  for (const CountKey& k : kCountKeys) {
    const int v = t.*k.field;
    if (v < k.min || v > k.max) {
      return "threshold " + std::string(k.name) + " must be from " + std::to_string(k.min) +
             " to " + std::to_string(k.max);
    }
  }
  const std::int64_t step = o.reading_interval_ms;
  if (step < kSecond) return "reading interval must be at least 1s";
  const auto within = [&](std::int64_t limit) {
    return static_cast<double>(step) <= kHealthyMax * static_cast<double>(limit);
  };
  if (t.device_silence > 0 && !within(t.device_silence)) {
    return "reading interval must be at most " + plain_number(kHealthyMax * 100) +
           "% of device_silence, or healthy readings would look like silence";
  }
  if (!within(t.temperature_for)) {
    return "reading interval must be at most " + plain_number(kHealthyMax * 100) +
           "% of temperature_for";
  }
  return std::nullopt;
}

Service generate(const Options& options) { return Builder(options).run(); }

const std::vector<DeviceSpec>& devices() { return kDevices; }

std::string table_name(int number) { return "T" + std::to_string(number); }

std::string area_of_table(int number, int tables) {
  const int restaurant = (tables + 1) / 2;
  const int bar = restaurant + (tables - restaurant + 1) / 2;
  if (number <= restaurant) return "restaurant";
  if (number <= bar) return "bar";
  return "terrace";
}

std::string config_snippet(const Options& o) {
  const Thresholds& t = o.thresholds;
  const auto dur = [&](std::int64_t ms) {
    return json_quote(format_duration_ms(std::llround(static_cast<double>(ms) / o.pace)));
  };
  std::string s;
  s += "# Generated by venue-sim for venue \"" + o.venue + "\" at pace " + plain_number(o.pace) +
       ": every threshold is the\n# service-time value divided by the pace, so mendd sees a "
       "compressed evening with\n# compressed limits. Merge into mendd's config in place of its "
       "[detect], [[device]]\n# and [[area]] entries.\n";
  s += "[detect]\n";
  s += "table_no_order = " + dur(t.table_no_order) + "\n";
  s += "course_default = " + dur(t.course_default) + "\n";
  s += "bill_slow = " + dur(t.bill_slow) + "\n";
  s += "call_unanswered = " + dur(t.call_unanswered) + "\n";
  s += "arrival_unseated = " + dur(t.arrival_unseated) + "\n";
  s += "enquiry_unanswered = " + dur(t.enquiry_unanswered) + "\n";
  s += "temperature_low = 0.0\n";
  s += "temperature_high = 5.0\n";
  s += "temperature_for = " + dur(t.temperature_for) + "\n";
  s += "device_offline = " + dur(t.device_offline) + "\n";
  s += "device_silence = " + dur(t.device_silence) + "\n";
  s += "review_max_rating = " + std::to_string(t.review_max_rating) + "\n";
  s += "voids_count = " + std::to_string(t.voids_count) + "\n";
  s += "pattern_count = " + std::to_string(t.pattern_count) + "\n";
  s += "pattern_window = " + dur(t.pattern_window) + "\n";
  s += "\n[detect.course]\n";
  s += "starter = " + dur(t.course_starter) + "\n";
  s += "main = " + dur(t.course_main) + "\n";
  s += "dessert = " + dur(t.course_dessert) + "\n";
  s += "drinks = " + dur(t.course_drinks) + "\n";
  for (const DeviceSpec& d : kDevices) {
    s += "\n[[device]]\n";
    s += "id = " + json_quote(d.id) + "\n";
    s += "kind = " + json_quote(d.kind) + "\n";
    s += "area = " + json_quote(d.area) + "\n";
    if (d.low) s += "low = " + degrees(*d.low) + "\n";
    if (d.high) s += "high = " + degrees(*d.high) + "\n";
    if (!d.watch_silence) s += "silence = \"0s\"  # sends only when pressed\n";
  }
  for (const std::string_view area : {"restaurant", "bar", "terrace"}) {
    std::vector<std::string> tables;
    for (int i = 1; i <= o.tables; ++i) {
      if (area_of_table(i, o.tables) == area) tables.push_back(table_name(i));
    }
    if (tables.empty()) continue;
    s += "\n[[area]]\n";
    s += "name = " + json_quote(area) + "\n";
    s += "tables = " + toml_list(tables) + "\n";
  }
  return s;
}

std::string message_json_line(const Message& m) {
  const bool is_json = !m.payload.empty() && m.payload.front() == '{';
  return JsonObject()
      .integer("at_ms", m.at_ms)
      .str("topic", m.topic)
      .integer("qos", m.qos)
      .boolean("retained", m.retained)
      .raw("payload", is_json ? m.payload : json_quote(m.payload))
      .text();
}

std::string truth_json_line(const TruthEntry& t, const Options& options) {
  JsonObject subject;
  for (const auto& [key, value] : t.subject) subject.str(key, value);
  return JsonObject()
      .str("kind", t.kind)
      .raw("subject", subject.text())
      .str("scope", t.scope)
      .integer("at_ms", t.at_ms)
      .str("at", format_rfc3339_ms(options.start_wall_ms + t.at_ms))
      .integer("started_ms", t.started_ms)
      .integer("threshold_ms", t.threshold_ms)
      .str("threshold", format_duration_ms(t.threshold_ms))
      .boolean("derived", t.derived)
      .text();
}

}  // namespace mend::sim
