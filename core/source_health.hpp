// How far each source of events can be trusted: the till, booking and feedback bridges and the
// sensors. Mend's detections are "something started and its source said nothing in time", so
// a bridge that dies mid-service looks like every table being ignored at once, and a source
// whose clock is wrong makes every event look late (or early). This keeps, per source:
//
// Its pace. Which minutes it sent anything in, over the last hour it was heard, and its usual
// share of active minutes for each hour of the day (learned across days). Minutes, not
// messages: tills send in bursts (a course of eight fired item by item), and what tells a dead
// bridge from a quiet evening is how many whole minutes in a row it has said nothing. With p
// the share of minutes it usually sends in, q quiet minutes in a row have odds (1-p)^q:
//   - live:    the gap is ordinary;
//   - quiet:   the gap has odds under 1 in 20 (and is at least 2 minutes): a wait it would
//              answer that comes due is held a few minutes (Engine::kMaxDoubt), not breached,
//              in case it is called silent;
//   - silent:  odds under 1 in 1,000, at least 5 minutes, while another source kept the venue
//              visibly in service (sent in 3 or more of those minutes), and the silence is
//              costing something: 2 or more of its waits held, or 3 or more things it should
//              have told (the till ordering for tables the booking system never seated). One
//              source.silent case;
//   - offline: it said so (a retained `status` of `offline`, its last will): held at once, and
//              a case once that has lasted 5 minutes while the venue is in service.
// A gap that reaches the silent odds while the others are quiet too is the venue gone quiet,
// not the bridge: the source counts as live and its waits breach as usual. One held wait alone
// (a last bill at closing time) cannot tell the two apart: it is raised at most kMaxDoubt late.
//
// Its clock. The offset of each event (received minus the event's own ts) over the last 31
// events that carried a ts. When at least 9 are known, their median is beyond the limit
// (sources.skew_limit, 90 s) and the middle half of them lies within 30 s, the source's clock
// is off by the median: its timestamps are corrected by it until the estimate falls under
// half the limit. A bridge replaying a buffer after an outage gives offsets spread over the
// whole outage, which is lateness, not skew, and its events count from their own times.
//
// No clock is read: every call takes `now`. Durations are on the monotonic clock; the wall
// clock only names the hour of the day.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

enum class SourceState : std::uint8_t { kLive, kQuiet, kSilent, kOffline };
std::string_view source_state_name(SourceState s);

struct SourceSettings {
  Millis skew_limit = std::chrono::seconds(90);  // sources.skew_limit
};

// One source as it stands, for the case words, /metrics and the tablet.
struct SourceView {
  Source source = Source::kTill;
  SourceState state = SourceState::kLive;
  bool reported = false;              // a source.silent case is due (silent, or offline long)
  std::optional<WallTime> last_seen;  // the receive time of its last message
  Millis quiet{0};                    // since its last message (or mendd's start)
  double pace = 0;                    // the share of minutes it is expected to send in now
  // Its clock: the offset estimate (received - ts; positive when the source is slow), the
  // spread of the middle half of the offsets, and how many there are.
  std::optional<Millis> offset;
  Millis spread{0};
  int samples = 0;
  bool skewed = false;  // its timestamps are corrected by `correction`
  Millis correction{0};
  // The source's last message, for a case's evidence.
  std::string last_id;
  std::string last_type;
  WallTime last_ts;
};

class SourceHealth {
 public:
  using UtcOffset = std::function<Millis(WallTime)>;
  explicit SourceHealth(SourceSettings settings = {}, UtcOffset utc_offset = nullptr);

  void update_settings(SourceSettings settings) { settings_ = settings; }

  // A decoded event arrived (before any correction of its ts).
  void on_event(const Event& e, Now now);
  // A bridge's retained status: online or offline.
  void on_status(Source s, bool online, Now now);
  // Something the source should have told and did not: the till ordered for a table the
  // booking system never seated. Counted until the source is next heard.
  void on_missing(Source s);

  // What changed for one source at the last update: its state, whether a case is due, or its
  // clock's correction.
  struct Change {
    Source source = Source::kTill;
    bool state_changed = false;
    bool report_changed = false;
    bool skew_changed = false;
  };
  // Re-reads every source at `now` and returns those whose state changed since the last call.
  // `held` says how many of a source's waits are held now; asked only of a source whose gap
  // has reached the silent odds.
  using HeldCount = std::function<int(Source)>;
  std::vector<Change> update(Now now, const HeldCount& held = {});
  // When a source would next change state if nothing arrives, for the host's timer.
  std::optional<MonoTime> next_change() const { return next_change_; }

  // `pace`: work out its expected pace too (it reads the hour of the day).
  SourceView view(Source s, Now now, bool pace = true) const;
  // The waits a source answers cannot be told from its silence: quiet, silent or offline.
  bool blind(Source s) const;
  // Added to the source's event times: zero unless its clock is known to be off.
  Millis correction(Source s) const;

  // What is worth keeping across restarts: each source's usual pace by hour and its clock's
  // correction. Anything unreadable starts afresh.
  json::Value to_json() const;
  void restore(const json::Value& v);

 private:
  static constexpr int kHour = 60;
  // Minutes of pace remembered: two hours, so the hour just ended can be learned from late.
  static constexpr int kWindow = 2 * kHour;
  static constexpr int kOffsets = 31;  // offsets remembered
  struct Track {
    std::array<std::int64_t, kWindow> minutes{};  // slot m % kWindow holds m if it sent in m
    std::optional<std::int64_t> first_minute;     // the first minute heard since mendd started
    std::optional<MonoTime> last_seen;
    WallTime last_seen_wall;
    double recent = 0;  // its pace over the hour before its last message
    std::optional<MonoTime> offline_since;
    std::optional<MonoTime> online_at;  // its last `online` status: connected, if not talking
    int missing = 0;                    // see on_missing
    std::string last_id;
    std::string last_type;
    WallTime last_ts;
    std::array<double, 24> usual{};  // share of active minutes by local hour, -1 unknown
    bool troubled_hour = false;      // blind at some point this hour: its pace is not usual
    std::array<std::int64_t, kOffsets> offsets{};
    int offset_count = 0;
    int offset_next = 0;
    std::optional<Millis> offset;
    Millis spread{0};
    bool skewed = false;
    Millis correction{0};
    bool told_skewed = false;  // as update() last reported it
    SourceState state = SourceState::kLive;
    MonoTime silent_from;  // the gap that was called silent
    bool reported = false;
  };

  static std::int64_t minute_of(MonoTime t) { return floor_div(to_ms(t), kMsPerMinute); }
  double recent_pace(const Track& t) const;
  double pace(const Track& t, Now now) const;
  int active_minutes(const Track& t, std::int64_t from, std::int64_t to) const;
  // Minutes the other sources sent in, in (from, to]: is the venue visibly in service?
  int others_active(Source s, std::int64_t from, std::int64_t to) const;
  MonoTime quiet_from(const Track& t) const;
  void begin(Now now);  // the first call: the time mendd started hearing
  void learn_hour(Now now);
  std::optional<MonoTime> find_next_change(Now now) const;
  void estimate_skew(Track& t) const;
  SourceState state_at(Source s, Now now, const HeldCount& held, bool& reported) const;
  // How long a gap must last before its odds at pace p drop below `odds`.
  static Millis gap_for(double p, double odds, Millis at_least);

  SourceSettings settings_;
  UtcOffset utc_offset_;
  std::array<Track, kSourceCount> tracks_{};
  std::optional<MonoTime> started_;
  std::optional<std::int64_t> hour_;  // the local hour index (hours since the epoch) last seen
  std::optional<std::int64_t> hour_started_minute_;  // mendd's minute when that hour began
  WallTime hour_from_;                               // the wall times that hour spans
  WallTime hour_to_;
  std::optional<MonoTime> next_change_;
};

}  // namespace mend
