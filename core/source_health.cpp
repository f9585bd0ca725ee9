#include "core/source_health.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace mend {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();
constexpr double kQuietOdds = 0.05;
constexpr double kSilentOdds = 0.001;
constexpr Millis kQuietAtLeast = std::chrono::minutes(2);
constexpr Millis kSilentAtLeast = std::chrono::minutes(5);
constexpr int kInService = 3;     // minutes another source sent in, during the gap
constexpr int kHeldToReport = 2;  // waits held: one alone may be the venue gone quiet
constexpr int kMissingToReport = 3;
constexpr double kNoPace = 0.05;  // a source this sparse is never called quiet
constexpr int kMinPaceSpan = 10;  // minutes heard before its own recent pace is trusted
constexpr int kMinOffsets = 9;
constexpr Millis kMaxSpread = std::chrono::seconds(30);
constexpr double kLearnRate = 0.3;  // how fast an hour's usual pace follows new days

constexpr std::array<std::string_view, 4> kStateNames{"live", "quiet", "silent", "offline"};

std::size_t index_of(Source s) { return static_cast<std::size_t>(s); }

bool is_blind(SourceState s) { return s != SourceState::kLive; }

}  // namespace

std::string_view source_state_name(SourceState s) {
  return kStateNames[static_cast<std::size_t>(s)];
}

SourceHealth::SourceHealth(SourceSettings settings, UtcOffset utc_offset)
    : settings_(settings), utc_offset_(std::move(utc_offset)) {
  for (Track& t : tracks_) {
    t.minutes.fill(kNever);
    t.usual.fill(-1);
  }
}

int SourceHealth::active_minutes(const Track& t, std::int64_t from, std::int64_t to) const {
  int n = 0;
  for (const std::int64_t m : t.minutes) n += static_cast<int>(m != kNever && m >= from && m <= to);
  return n;
}

double SourceHealth::recent_pace(const Track& t) const {
  if (!t.last_seen || !t.first_minute) return 0;
  const std::int64_t last = minute_of(*t.last_seen);
  const std::int64_t first = std::max(*t.first_minute, last - (kHour - 1));
  const std::int64_t span = last - first + 1;
  if (span < kMinPaceSpan) return 0;
  return static_cast<double>(active_minutes(t, first, last)) / static_cast<double>(span);
}

double SourceHealth::pace(const Track& t, Now now) const {
  (void)now;  // the hour of the day is the one the last update saw
  const double usual = hour_ ? t.usual[static_cast<std::size_t>((*hour_ % 24 + 24) % 24)] : -1;
  return std::max(t.recent, usual);
}

int SourceHealth::others_active(Source s, std::int64_t from, std::int64_t to) const {
  // Only the till and the booking system show the venue in service: sensors send around the
  // clock and feedback comes when it comes.
  std::array<bool, kWindow> seen{};
  for (const Source o : {Source::kTill, Source::kBooking}) {
    if (o == s) continue;
    for (const std::int64_t m : tracks_[index_of(o)].minutes) {
      if (m != kNever && m > from && m <= to) seen[static_cast<std::size_t>(m % kWindow)] = true;
    }
  }
  return static_cast<int>(std::count(seen.begin(), seen.end(), true));
}

MonoTime SourceHealth::quiet_from(const Track& t) const {
  if (t.offline_since) return *t.offline_since;
  MonoTime from = started_.value_or(MonoTime{});
  if (t.last_seen) from = std::max(from, *t.last_seen);
  if (t.online_at) from = std::max(from, *t.online_at);
  return from;
}

Millis SourceHealth::gap_for(double p, double odds, Millis at_least) {
  if (p <= kNoPace) return Millis::max();
  if (p >= 0.999) return at_least;
  const double minutes = std::ceil(std::log(odds) / std::log(1.0 - p));
  return std::max(at_least, Millis{static_cast<std::int64_t>(minutes) * kMsPerMinute});
}

void SourceHealth::begin(Now now) {
  if (started_) return;
  started_ = now.mono;
  learn_hour(now);
}

void SourceHealth::on_event(const Event& e, Now now) {
  begin(now);
  Track& t = tracks_[index_of(event_source(e.type))];
  const std::int64_t m = minute_of(now.mono);
  const bool new_minute = t.minutes[static_cast<std::size_t>(m % kWindow)] != m;
  t.minutes[static_cast<std::size_t>(m % kWindow)] = m;
  if (!t.first_minute) t.first_minute = m;
  t.last_seen = now.mono;
  t.last_seen_wall = now.wall;
  t.offline_since.reset();  // a bridge that sends is connected, whatever its last will said
  t.missing = 0;
  t.last_id = e.id;
  t.last_type = std::string(event_type_name(e.type));
  t.last_ts = e.ts;
  if (new_minute) t.recent = recent_pace(t);
  if (e.ts_from_source) {
    t.offsets[static_cast<std::size_t>(t.offset_next)] = to_ms(e.received) - to_ms(e.ts);
    t.offset_next = (t.offset_next + 1) % kOffsets;
    t.offset_count = std::min(t.offset_count + 1, kOffsets);
    estimate_skew(t);
  }
}

void SourceHealth::on_status(Source s, bool online, Now now) {
  begin(now);
  Track& t = tracks_[index_of(s)];
  if (online) {
    t.offline_since.reset();
    t.online_at = now.mono;
  } else if (!t.offline_since) {
    t.offline_since = now.mono;
  }
}

void SourceHealth::on_missing(Source s) { ++tracks_[index_of(s)].missing; }

void SourceHealth::estimate_skew(Track& t) const {
  if (t.offset_count < kMinOffsets) return;
  std::array<std::int64_t, kOffsets> v{};
  const auto n = static_cast<std::ptrdiff_t>(t.offset_count);
  std::copy_n(t.offsets.begin(), n, v.begin());
  const auto at = [&](std::ptrdiff_t k) {
    std::nth_element(v.begin(), v.begin() + k, v.begin() + n);
    return v[static_cast<std::size_t>(k)];
  };
  const Millis median{at(n / 2)};
  const Millis spread{at(n * 3 / 4) - at(n / 4)};
  t.offset = median;
  t.spread = spread;
  if (settings_.skew_limit <= Millis{0}) {  // not watched
    t.skewed = false;
    t.correction = Millis{0};
    return;
  }
  if (spread > kMaxSpread) return;  // lateness (a replayed buffer), not a steady offset
  const Millis size = median < Millis{0} ? -median : median;
  if (!t.skewed) {
    if (size >= settings_.skew_limit) {
      t.skewed = true;
      t.correction = median;
    }
  } else if (size * 2 < settings_.skew_limit) {
    t.skewed = false;
    t.correction = Millis{0};
  } else {
    t.correction = median;
  }
}

SourceState SourceHealth::state_at(Source s, Now now, const HeldCount& held, bool& reported) const {
  const Track& t = tracks_[index_of(s)];
  reported = false;
  if (s == Source::kSensor) return SourceState::kLive;  // each device has its own watch
  const MonoTime from = quiet_from(t);
  const Millis q = now.mono - from;
  const auto in_service = [&] {
    return others_active(s, minute_of(from), minute_of(now.mono)) >= kInService;
  };
  if (t.offline_since) {
    reported =
        (t.reported && t.state == SourceState::kOffline) || (q >= kSilentAtLeast && in_service());
    return SourceState::kOffline;
  }
  // Silent stays silent until the source speaks, even once the venue winds down around it.
  if (t.state == SourceState::kSilent && t.silent_from == from) {
    reported = true;
    return SourceState::kSilent;
  }
  if (q < kQuietAtLeast) return SourceState::kLive;  // the common case, without the sums
  const double p = pace(t, now);
  if (q < gap_for(p, kQuietOdds, kQuietAtLeast)) return SourceState::kLive;
  if (q < gap_for(p, kSilentOdds, kSilentAtLeast)) return SourceState::kQuiet;
  if (!in_service()) return SourceState::kLive;  // the venue went quiet, not the bridge
  const bool costing = t.missing >= kMissingToReport || (held && held(s) >= kHeldToReport);
  if (!costing) return SourceState::kQuiet;
  reported = true;
  return SourceState::kSilent;
}

void SourceHealth::learn_hour(Now now) {
  // Offsets change on the hour (daylight saving), so within the hour nothing can have moved.
  if (hour_ && now.wall >= hour_from_ && now.wall < hour_to_) return;
  const Millis off = utc_offset_ ? utc_offset_(now.wall) : Millis{0};
  const std::int64_t local_ms = to_ms(now.wall) + off.count();
  const std::int64_t hour = floor_div(local_ms, kMsPerHour);
  const std::int64_t now_min = minute_of(now.mono);
  hour_from_ = wall_from_ms(hour * kMsPerHour - off.count());
  hour_to_ = hour_from_ + std::chrono::hours(1);
  if (!hour_) {
    hour_ = hour;
    hour_started_minute_ = now_min;
    return;
  }
  if (hour == *hour_) return;
  // The hour that ended, in monotonic minutes: it ended this many minutes ago.
  const std::int64_t end = now_min - (local_ms - hour * kMsPerHour) / kMsPerMinute;
  const bool whole = hour == *hour_ + 1 && end - kHour >= *hour_started_minute_ &&
                     now_min - (end - kHour) < kWindow;
  if (whole) {
    const auto h = static_cast<std::size_t>((*hour_ % 24 + 24) % 24);
    for (std::size_t i = 0; i < tracks_.size(); ++i) {
      Track& t = tracks_[i];
      if (t.troubled_hour) continue;  // a dead bridge's hour is not its usual pace
      const double share =
          static_cast<double>(active_minutes(t, end - kHour, end - 1)) / static_cast<double>(kHour);
      t.usual[h] = t.usual[h] < 0 ? share : (1 - kLearnRate) * t.usual[h] + kLearnRate * share;
    }
  }
  // A wall clock stepped (not a new hour after the last) learns nothing from the hour it left.
  for (Track& t : tracks_) t.troubled_hour = is_blind(t.state);
  hour_ = hour;
  hour_started_minute_ = now_min;
}

std::vector<SourceHealth::Change> SourceHealth::update(Now now, const HeldCount& held) {
  begin(now);
  learn_hour(now);
  std::vector<Change> changes;
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    const auto s = static_cast<Source>(i);
    Track& t = tracks_[i];
    bool reported = false;
    const SourceState state = state_at(s, now, held, reported);
    Change c;
    c.source = s;
    c.state_changed = state != t.state;
    c.report_changed = reported != t.reported;
    c.skew_changed = t.skewed != t.told_skewed;
    if (state == SourceState::kSilent && t.state != SourceState::kSilent) {
      t.silent_from = quiet_from(t);
    }
    t.state = state;
    t.reported = reported;
    t.told_skewed = t.skewed;
    t.troubled_hour = t.troubled_hour || is_blind(state);
    if (c.state_changed || c.report_changed || c.skew_changed) changes.push_back(c);
  }
  next_change_ = find_next_change(now);
  return changes;
}

std::optional<MonoTime> SourceHealth::find_next_change(Now now) const {
  std::optional<MonoTime> next;
  const auto consider = [&](MonoTime t) {
    if (t > now.mono && (!next || t < *next)) next = t;
  };
  for (const Source s : {Source::kTill, Source::kBooking, Source::kFeedback}) {
    const Track& t = tracks_[index_of(s)];
    const MonoTime from = quiet_from(t);
    if (t.offline_since) {
      if (!t.reported) consider(from + kSilentAtLeast);
      continue;
    }
    if (t.state == SourceState::kSilent) continue;
    const double p = pace(t, now);
    for (const double odds : {kQuietOdds, kSilentOdds}) {
      const Millis gap = gap_for(p, odds, odds == kQuietOdds ? kQuietAtLeast : kSilentAtLeast);
      if (gap != Millis::max()) consider(from + gap);
    }
  }
  // The next local hour: a new hour's usual pace may call a long gap quiet.
  consider(now.mono + (hour_to_ - now.wall));
  return next;
}

bool SourceHealth::blind(Source s) const { return is_blind(tracks_[index_of(s)].state); }

Millis SourceHealth::correction(Source s) const { return tracks_[index_of(s)].correction; }

SourceView SourceHealth::view(Source s, Now now, bool with_pace) const {
  const Track& t = tracks_[index_of(s)];
  SourceView v;
  v.source = s;
  v.state = t.state;
  v.reported = t.reported;
  if (t.last_seen) v.last_seen = t.last_seen_wall;
  v.quiet = std::max(Millis{0}, now.mono - quiet_from(t));
  v.pace = s == Source::kSensor || !with_pace ? 0 : pace(t, now);
  v.offset = t.offset;
  v.spread = t.spread;
  v.samples = t.offset_count;
  v.skewed = t.skewed;
  v.correction = t.correction;
  v.last_id = t.last_id;
  v.last_type = t.last_type;
  v.last_ts = t.last_ts;
  return v;
}

json::Value SourceHealth::to_json() const {
  json::Object all;
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    const Track& t = tracks_[i];
    json::Array usual;
    for (const double u : t.usual) {
      if (u < 0) {
        usual.emplace_back(nullptr);
      } else {
        usual.emplace_back(u);
      }
    }
    json::Object o;
    o.append("usual", std::move(usual));
    o.append("skewed", t.skewed);
    o.append("correction_ms", static_cast<std::int64_t>(t.correction.count()));
    all.append(std::string(source_name(static_cast<Source>(i))), std::move(o));
  }
  return all;
}

void SourceHealth::restore(const json::Value& v) {
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    const json::Value* o = v.get(source_name(static_cast<Source>(i)));
    if (o == nullptr) continue;
    Track& t = tracks_[i];
    if (const json::Value* u = o->get("usual"); u != nullptr && u->as_array() != nullptr) {
      const json::Array& a = *u->as_array();
      for (std::size_t h = 0; h < t.usual.size() && h < a.size(); ++h) {
        const std::optional<double> d = a[h].as_double();
        t.usual[h] = d && *d >= 0 && *d <= 1 ? *d : -1;
      }
    }
    const json::Value* sk = o->get("skewed");
    const json::Value* c = o->get("correction_ms");
    if (sk != nullptr && sk->as_bool().value_or(false) && c != nullptr && c->as_int()) {
      t.skewed = true;
      t.told_skewed = true;  // its case, if any, is in the store already
      t.correction = Millis{*c->as_int()};
    }
  }
}

}  // namespace mend
