// The Builder's core, shared by both ways of playing the tables: the messages each helper
// emits, the devices, enquiries and reviews, and the compression of the plan into a Service.
#include "scripts/sim/venue_builder.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>

#include "core/topics.hpp"

namespace mend::sim {
namespace detail {
namespace {

constexpr double kSilenceNotStatus = 0.5;  // device.offline by silence rather than status
constexpr int kStrangers = 900000;         // causal mode: customer numbers of no guest's

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
constexpr std::array<std::string_view, 3> kGoodReviews = {
    "Lovely evening, the staff were great.", "Excellent food and quick service.",
    "Will be back, the dessert was a highlight."};

// The venue's devices (the brief of the simulator: one fridge, one freezer, one call button).
const std::vector<DeviceSpec> kDevices = {
    {"fridge-1", "fridge", "kitchen", 0.0, 5.0, true},
    {"freezer-1", "freezer", "kitchen", -25.0, -15.0, true},
    {"btn-1", "callbutton", "floor", std::nullopt, std::nullopt, false},
};
constexpr std::string_view kButton = "btn-1";

}  // namespace

std::int64_t scaled(double share, std::int64_t threshold) {
  return std::llround(share * static_cast<double>(threshold));
}

std::string pad(int n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return buf;
}

Builder::Builder(const Options& options, const CausalDay* day)
    : o_(options),
      t_(options.thresholds),
      day_(day),
      plan_(splitmix64(options.seed ^ kPlanSalt)),
      fail_(splitmix64(options.seed ^ kFailSalt)) {
  char buf[16];
  const std::uint64_t h =
      splitmix64(options.seed ^ splitmix64(static_cast<std::uint64_t>(options.start_wall_ms)));
  std::snprintf(buf, sizeof buf, "%06llx", static_cast<unsigned long long>(h & 0xffffff));
  tag_ = buf;
}

Service Builder::run() {
  for (const DeviceSpec& d : kDevices) status(0, d.id, true);
  plan_devices();
  if (day_ != nullptr) {
    plan_causal_tables();
  } else {
    plan_parties();
  }
  plan_enquiries();
  plan_reviews();
  return finish();
}

// ---- emitting ------------------------------------------------------------------------------
Draft& Builder::emit(std::int64_t at, std::string_view path, int qos) {
  Draft& d = drafts_.emplace_back();
  d.at = at;
  d.seq = next_seq_++;
  d.topic = topics::venue_topic(o_.venue, path);
  d.qos = qos;
  return d;
}

void Builder::status(std::int64_t at, std::string_view device, bool online) {
  Draft& d = emit(at, "sensor/" + std::string(device) + "/status");
  d.plain = online ? "online" : "offline";
  d.retained = true;  // the contract's status is a retained level (the device's last will)
}

TruthDraft& Builder::truth(std::string kind,
                           std::vector<std::pair<std::string, std::string>> subject,
                           std::string scope, std::int64_t started, std::int64_t threshold) {
  return truth_.emplace_back(TruthDraft{std::move(kind), std::move(subject), std::move(scope),
                                        started, threshold, std::nullopt, "random"});
}

std::string Builder::id(std::string_view prefix, int n) const {
  return std::string(prefix) + "-" + tag_ + "-" + pad(n, 4);
}

std::string Builder::customer_json(int n) const {
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

std::int64_t Builder::healthy_from(Rng& rng, std::int64_t threshold, double lo) {
  return std::max<std::int64_t>(1, scaled(rng.uniform(lo, kHealthyMax), threshold));
}

std::int64_t Builder::breach_from(Rng& rng, std::int64_t threshold) {
  return scaled(rng.uniform(kBreachMin, kBreachMax), std::max<std::int64_t>(threshold, 1));
}

// ---- one message each ----------------------------------------------------------------------
void Builder::emit_booking(Rng& rng, const Party& p, std::int64_t created, std::int64_t slot) {
  Draft& b = emit(created, "booking/booking.created");
  b.body.str("booking", p.booking)
      .integer("party", p.size)
      .raw("customer", customer_json(p.customer));
  b.times.emplace_back("at", slot);
  b.body.number("value", p.value, 2).str("channel", rng.pick(kBookingChannels));
  if (rng.chance(0.2)) b.body.str("notes", rng.pick(kBookingNotes));
  ++stats_.bookings;
}

std::uint64_t Builder::emit_arrived(const Party& p) {
  Draft& arrived = emit(p.arrival, "booking/guest.arrived");
  if (!p.booking.empty()) arrived.body.str("booking", p.booking);
  arrived.body.integer("party", p.size);
  if (p.customer != 0) arrived.body.raw("customer", customer_json(p.customer));
  return arrived.seq;
}

void Builder::emit_seated(std::int64_t at, const std::string& table, const Party& p) {
  Draft& seated = emit(at, "booking/guest.seated");
  seated.body.str("table", table);
  if (!p.booking.empty()) seated.body.str("booking", p.booking);
  seated.body.integer("party", p.size);
  if (p.customer != 0) seated.body.raw("customer", customer_json(p.customer));
}

void Builder::emit_order(Rng& rng, std::int64_t at, const std::string& table,
                         const std::string& check, int covers) {
  emit(at, "till/order.opened")
      .body.str("table", table)
      .str("check", check)
      .integer("covers", covers)
      .str("staff", rng.pick(kStaff));
}

void Builder::emit_fired(Rng& rng, std::int64_t at, const std::string& check,
                         std::string_view course, const std::string& table,
                         std::span<const MenuItem> menu, int dishes, Tab& tab) {
  std::string items = "[";
  for (int i = 0; i < dishes; ++i) {
    const MenuItem& item = rng.pick(menu);
    const auto qty = static_cast<int>(rng.between(1, 2));
    tab.total += item.price * qty;
    tab.ordered.emplace_back(item.name, item.price);
    if (i > 0) items += ",";
    items += JsonObject().str("name", item.name).integer("qty", qty).text();
  }
  items += "]";
  emit(at, "till/items.fired")
      .body.str("check", check)
      .str("course", course)
      .str("table", table)
      .raw("items", items);
}

void Builder::emit_served(std::int64_t at, const std::string& check, std::string_view course,
                          const std::string& table) {
  emit(at, "till/items.served").body.str("check", check).str("course", course).str("table", table);
}

std::optional<Window> Builder::play_call(Rng& plan, Rng& fail, const std::string& table,
                                         const std::string& area, std::int64_t from,
                                         std::int64_t to) {
  if (!plan.chance(0.35)) return std::nullopt;
  const std::int64_t press = plan.between(from, to);
  const std::int64_t calm = healthy_from(plan, t_.call_unanswered);
  const bool unanswered = fail.chance(o_.failure_rate);
  const std::int64_t clear = press + (unanswered ? breach_from(fail, t_.call_unanswered) : calm);
  // A button reported offline sends nothing: neither the press nor the clear may fall in
  // that time, or it would be back online before mendd could notice.
  const Window span{press, clear + 1};
  const bool dark = std::any_of(button_dark_.begin(), button_dark_.end(),
                                [&](const Window& w) { return w.overlaps(span); });
  if (dark) return std::nullopt;
  emit(press, "sensor/" + std::string(kButton) + "/callbutton")
      .body.str("table", table)
      .str("state", "pressed");
  emit(clear, "sensor/" + std::string(kButton) + "/callbutton")
      .body.str("table", table)
      .str("state", "cleared");
  if (unanswered) truth("call.unanswered", {{"table", table}}, area, press, t_.call_unanswered);
  return Window{press, clear};
}

void Builder::play_voids(Rng& plan, Rng& fail, const std::string& check, const std::string& table,
                         const std::string& area, std::int64_t from, std::int64_t to, Tab& tab) {
  int voids = 0;
  if (t_.voids_count >= 2 && plan.chance(0.12)) {
    voids = static_cast<int>(plan.between(1, t_.voids_count - 1));
  }
  const bool void_failure = fail.chance(o_.failure_rate);
  if (void_failure) voids = t_.voids_count + static_cast<int>(fail.between(0, 1));
  if (voids == 0) return;
  std::vector<std::int64_t> times;
  times.reserve(static_cast<std::size_t>(voids));
  for (int i = 0; i < voids; ++i) times.push_back(plan.between(from, to));
  std::sort(times.begin(), times.end());
  for (int i = 0; i < voids; ++i) {
    const auto& [name, price] = plan.pick(tab.ordered);
    tab.total = std::max(0.0, tab.total - price);
    emit(times[static_cast<std::size_t>(i)], "till/item.voided")
        .body.str("check", check)
        .str("item", name)
        .str("reason", plan.pick(kVoidReasons))
        .number("amount", price, 2)
        .str("table", table);
  }
  if (void_failure) {
    truth("voids.repeated", {{"check", check}, {"table", table}}, area,
          times[static_cast<std::size_t>(t_.voids_count - 1)], 0);
  }
}

void Builder::emit_bill(Rng& rng, const std::string& check, const std::string& table,
                        std::int64_t requested, std::int64_t paid, const Tab& tab) {
  emit(requested, "till/check.requested").body.str("check", check).str("table", table);
  emit(paid, "till/check.paid")
      .body.str("check", check)
      .number("total", tab.total, 2)
      .number("tip", tab.total * rng.uniform(0, 0.15), 2)
      .str("table", table);
}

// ---- devices -------------------------------------------------------------------------------
void Builder::plan_devices() {
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

void Builder::readings(const DeviceSpec& dev, std::int64_t first_tick,
                       const std::optional<Window>& warm, const std::vector<Outage>& outages,
                       const std::vector<Window>& busy) {
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
      const bool quiet =
          std::none_of(busy.begin(), busy.end(), [&](const Window& w) { return w.overlaps(door); });
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

void Builder::note_outage(const DeviceSpec& dev, const Outage& out, std::int64_t last_sent) {
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

void Builder::plan_enquiries() {
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

void Builder::plan_reviews() {
  const std::int64_t d = o_.duration_ms;
  const auto count = static_cast<int>(plan_.between(1, 2));
  // In causal mode the reviewer is none of the run's guests: their reviews follow their visits.
  const int strangers = day_ != nullptr ? kStrangers : 0;
  for (int i = 0; i < count; ++i) {
    const std::int64_t at = plan_.between(d / 5, d * 19 / 20);
    const auto calm_rating = static_cast<int>(plan_.between(4, 5));
    const bool bad = fail_.chance(o_.failure_rate) && t_.review_max_rating >= 1;
    const int rating = bad ? static_cast<int>(fail_.between(1, t_.review_max_rating)) : calm_rating;
    const std::string review = id("rv", ++next_review_);
    Draft& r = emit(at, "feedback/review.received");
    r.body.str("review", review)
        .str("source", plan_.pick(kReviewSources))
        .integer("rating", rating)
        .str("text", bad ? plan_.pick(kBadReviews) : plan_.pick(kGoodReviews))
        .raw("customer", customer_json(static_cast<int>(plan_.between(1, 400)) + strangers));
    r.times.emplace_back("visited_at", at - plan_.between(1, 6) * kDay);
    ++stats_.reviews;
    if (bad) truth("review.negative", {{"review", review}}, "reviews", at, 0);
  }
}

std::int64_t Builder::compress(std::int64_t service_ms) const {
  return std::llround(static_cast<double>(service_ms) / o_.pace);
}

Service Builder::finish() {
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
    e.cause = std::move(t.cause);
    e.started_ms = compress(t.started);
    e.threshold_ms = compress(t.threshold);
    e.at_ms = e.started_ms + e.threshold_ms;  // as mendd computes the deadline
    ++s.injected[e.kind];
    s.truth.push_back(std::move(e));
  }
  std::stable_sort(s.truth.begin(), s.truth.end(),
                   [](const TruthEntry& a, const TruthEntry& b) { return a.at_ms < b.at_ms; });
  derive_patterns(s.truth);

  if (day_truth_) s.day = std::move(day_truth_);
  for (VisitTruth& v : visits_) {
    v.seated_ms = compress(v.seated_ms);
    v.cleared_ms = compress(v.cleared_ms);
    s.visits.push_back(std::move(v));
  }
  return s;
}

// mendd opens one pattern.recurring per kind and scope when pattern_count cases of them
// open within pattern_window, and keeps it open (later repeats add evidence).
void Builder::derive_patterns(std::vector<TruthEntry>& truth) const {
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
    p.cause = e.cause;  // the case that made it recur
    patterns.push_back(std::move(p));
  }
  for (TruthEntry& p : patterns) truth.push_back(std::move(p));
  std::stable_sort(truth.begin(), truth.end(),
                   [](const TruthEntry& a, const TruthEntry& b) { return a.at_ms < b.at_ms; });
}

}  // namespace detail

const std::vector<DeviceSpec>& devices() { return detail::kDevices; }

}  // namespace mend::sim
