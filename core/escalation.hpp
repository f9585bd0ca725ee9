// Escalation: who is told about a case, and when, until somebody acknowledges it.
//
// Each open case runs a ladder of stages from the config ("staff at once, the manager after
// 3 minutes, the admin after 10"); every stage's delay counts from the case's opening. Past
// the last stage the last role is reminded every `repeat` until an acknowledgement or a close
// stops the ladder. Quiet rules give each role a severity floor: a stage below its role's
// floor is passed over silently, but the ladder still climbs, so a case that rises later
// reaches the roles further up on time.
//
// Like the engine, the escalator never reads a clock: the host calls on_tick(now) at
// next_deadline(). A `now` earlier than one already seen is treated as the latest seen, so a
// clock handed in out of order can neither fire a stage early nor run time backwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/case.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct EscalationStage {
  std::string role;
  Millis after{0};  // since the case opened
};

struct EscalationConfig {
  std::vector<EscalationStage> ladder{{"staff", std::chrono::minutes(0)},
                                      {"manager", std::chrono::minutes(3)},
                                      {"admin", std::chrono::minutes(10)}};
  // Once the last stage is reached, it is notified again this often until acknowledged; 0: never.
  Millis repeat = std::chrono::minutes(5);
  // Quiet rules: a role is only notified about cases at or above its floor (others skip that
  // stage silently, but the ladder still climbs). A role without a floor hears every case.
  std::map<std::string, Severity> quiet_floor{{"manager", Severity::kMedium},
                                              {"admin", Severity::kHigh}};
  // Error messages for a bad ladder: empty, a role empty, a negative delay or repeat, a stage
  // earlier than the one before it. Stages may share a delay (two roles told at once).
  std::vector<std::string> validate() const;
};

struct Notification {
  std::string case_id;
  std::string role;     // who to tell
  int stage = 0;        // index into the ladder
  bool repeat = false;  // a reminder at the last stage
  Severity severity = Severity::kMedium;
  std::string reason;  // "opened", "unacknowledged for 3 min", ...
};

struct Acknowledgement {
  std::string by;
  std::string role;
  WallTime at;
  Millis after{0};  // time from open to ack
};

class Escalator {
 public:
  explicit Escalator(EscalationConfig config = {});

  // Running ladders keep their start and what they have already told; stages of the new ladder
  // that are not yet reached apply (one already overdue fires at the next tick). The host is
  // expected to validate() first: an empty ladder notifies nobody.
  void update_config(EscalationConfig config);

  // A case opened: stage(s) with after == 0 are returned at once (subject to quiet floors). An
  // id already known changes nothing.
  std::vector<Notification> open(const std::string& case_id, Severity severity, MonoTime now);
  // Severity rose: later notifications use it (a case that becomes high may now reach the
  // admin). Stages already passed over are not replayed; a lower severity is ignored.
  void raise(const std::string& case_id, Severity severity);
  // Stops the ladder; false if the case is unknown or already acknowledged. Keeps who/when
  // until the case is closed.
  bool acknowledge(const std::string& case_id, const std::string& by, const std::string& role,
                   WallTime at_wall, MonoTime now);
  void close(const std::string& case_id);  // stops and forgets

  // Everything due at `now`, in time order. Every overdue stage is told (each is a different
  // person), but reminders missed by a late tick collapse into one: nobody needs six at once.
  std::vector<Notification> on_tick(MonoTime now);
  std::optional<MonoTime> next_deadline() const;

  std::optional<Acknowledgement> acknowledgement(const std::string& case_id) const;
  std::size_t active() const;  // cases open and not yet acknowledged

  // Persist across restarts, like Engine::export_state/restore: the state records the
  // monotonic and wall time of the export. A restore within the same boot keeps every
  // deadline; after a reboot (same_boot false) the downtime is taken from the wall clock.
  // Deadlines are recomputed from the current config. restore replaces all state, or returns
  // an error message and changes nothing.
  json::Value export_state(Now now) const;
  std::optional<std::string> restore(const json::Value& state, Now now, bool same_boot);

 private:
  using Key = std::pair<MonoTime, std::uint64_t>;  // due, then open order for ties

  struct Ladder {
    std::uint64_t seq = 0;
    Severity severity = Severity::kMedium;
    MonoTime opened;
    Millis climbed{-1};  // delay of the last stage processed; -1 ms: none yet
    MonoTime last_step;  // due time of the last stage or reminder processed
    std::optional<Acknowledgement> ack;
    std::optional<Key> scheduled;
  };

  MonoTime clamp(MonoTime now);
  std::optional<MonoTime> due_of(const Ladder& l) const;
  void reschedule(const std::string& case_id, Ladder& l);
  void unschedule(Ladder& l);
  void step(const std::string& case_id, Ladder& l, MonoTime now, std::vector<Notification>& out);
  void notify(const std::string& case_id, const Ladder& l, std::size_t stage, bool repeat,
              Millis elapsed, std::vector<Notification>& out) const;

  EscalationConfig config_;
  std::map<std::string, Ladder> ladders_;
  std::map<Key, std::string> schedule_;  // every running ladder's next due time
  std::uint64_t next_seq_ = 0;
  MonoTime latest_ = MonoTime::min();
};

}  // namespace mend
