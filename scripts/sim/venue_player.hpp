// Plays simulated evenings (scripts/sim) through the recovery service on a manual clock, with a
// real SQLite store, the way mendd runs them: each message decoded by the codec at its time,
// the service ticked at every deadline it asks for in between, its effects committed. Staff
// are simulated too: each case is acknowledged and resolved a few minutes after it opens, so
// the floor's open cases stay what a working venue has.
//
// A month plays in seconds, so the at-risk model's training, promotion and flags can be tested
// and measured on histories whose causes are known (tests/risk, tests/bench/risk_benchmark),
// and `venue-sim-month` writes such a history for a demo.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/service.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace mend::sim {

struct PlayedCase {
  std::string id;
  CaseKind kind = CaseKind::kTableNoOrder;
  std::string table;
  WallTime at;
};

struct PlayedFlag {
  std::string table;
  WallTime at;
  double score = 0;
  std::string reasons;
};

class VenuePlayer {
 public:
  // `store` may be null (nothing kept: a benchmark of the service alone).
  VenuePlayer(Store* store, ServiceSettings settings, Millis utc_offset, WallTime start);

  // Plays the messages at start_wall + at_ms, then time on to `until`.
  void play(const std::vector<Message>& messages, WallTime start_wall, WallTime until);
  // Time passes to `t`: the service is ticked at each deadline on the way.
  void advance_to(WallTime t);
  // Commits what is staged (also done as inputs go).
  void commit();

  RecoveryService& service() { return *service_; }
  std::vector<PlayedCase> cases;
  std::vector<PlayedFlag> flags;
  std::size_t events = 0;
  std::size_t refused = 0;
  Millis resolve_after = std::chrono::minutes(4);

 private:
  Now at(WallTime w) const;
  void take(const Effects& fx, Now now);
  void staff_work(Now now);

  Store* store_;
  Millis offset_;
  WallTime t0_;
  WallTime now_;
  std::unique_ptr<RecoveryService> service_;
  CodecOptions codec_;
  std::vector<std::pair<WallTime, std::string>> to_resolve_;  // due, case id
  std::size_t since_commit_ = 0;
  std::optional<WallTime> ticked_;  // the last tick's time
};

}  // namespace mend::sim
