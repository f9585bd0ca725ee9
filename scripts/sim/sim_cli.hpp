// venue-sim's command line, parsed without touching the outside world so tests can call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scripts/sim/venue_sim.hpp"

namespace mend::sim {

struct CliSettings {
  Options options;  // the tool's failure rate defaults to kDefaultFailureRate
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string client_id;  // empty: "venue-sim-<venue>"
  std::string truth_path;
  std::string visits_path;  // causal mode: the evening's day and visit records
  int day = 0;              // causal mode: this evening is day N of a run that began N days ago
  bool start_wall_given = false;  // otherwise the caller sets options.start_wall_ms to now
  bool dry_run = false;
  bool print_snippet = false;
  bool quiet = false;
  bool help = false;
  std::int64_t progress_every_ms = 10 * kSecond;  // wall time
};

inline constexpr double kDefaultFailureRate = 0.15;

struct CliResult {
  std::optional<CliSettings> settings;
  std::string error;  // set when settings is not
};

// `args` excludes the program name. Options take "--name value" or "--name=value".
CliResult parse_cli(const std::vector<std::string_view>& args);

std::string usage();

// A decimal integer from lo to hi, the whole of `text`; the sim tools' number options.
bool parse_whole(std::string_view text, long long lo, long long hi, long long& out);

}  // namespace mend::sim
