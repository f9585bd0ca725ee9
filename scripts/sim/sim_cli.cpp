#include "scripts/sim/sim_cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace mend::sim {
namespace {

constexpr int kMaxDay = 366;

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

bool parse_whole(std::string_view text, long long lo, long long hi, long long& out) {
  char* end = nullptr;
  const std::string s(text);
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < lo || v > hi) return false;
  out = v;
  return true;
}

std::string usage() {
  std::string keys;
  for (const std::string& k : threshold_keys()) keys += (keys.empty() ? "" : ", ") + k;
  return R"(usage: venue-sim [options]

Plays one evening of a simulated restaurant to mendd's MQTT broker: bookings, arrivals,
seatings, orders, courses, bills, call buttons, fridge and freezer readings, enquiries and
reviews, with failures injected at a known rate (or, with --causes, following from causes)
and a ground truth of what mendd should open.

  --host HOST             broker host (127.0.0.1)
  --port N                broker port (1883)
  --client-id ID          MQTT client id (venue-sim-<venue>)
  --venue ID              venue id, as in mendd's [venue] id (the-anchor)
  --seed N                random seed: the same seed and options give the same evening (1)
  --pace N                time compression: 60 plays a 3h service in 3 minutes (1)
  --failure-rate P        chance of a failure at each opportunity, 0 to 1 (0.15)
  --duration D            length of the service, service time (3h)
  --tables N              tables T1..TN (20)
  --reading-interval D    fridge/freezer reading interval, service time (1m)
  --threshold KEY=VALUE   a mendd [detect] threshold in service time, repeatable; the sim keeps
                          healthy waits under 60% of it and injected ones over 140%. Keys:
                          )" +
         keys + R"(
  --start-wall MS         wall time of the start of service, epoch ms (now); payload ts values
                          are this plus the compressed offset
  --causes                causal mode: the tables' failures follow from the kitchen's load, a
                          short-staffed area and sensitive regular guests, not from
                          --failure-rate (which still drives the door, calls, voids, devices,
                          enquiries and reviews); guests answer surveys
  --day N                 causal mode: play evening N (0-based) of a run of consecutive evenings
                          that began N days before --start-wall, with the run's regulars (0)
  --truth FILE            write the ground truth as JSON lines, before the service starts
  --visits FILE           causal mode: write the evening's record and one record per seated
                          visit (did it end badly, and why) as JSON lines
  --dry-run               print the messages as JSON lines on stdout at once; no broker
  --print-config-snippet  print the TOML mendd needs for this run ([detect] scaled by the
                          pace, [[device]], [[area]]) and exit
  --progress-every D      a progress line this often, wall time (10s)
  --quiet                 no progress lines
  --help                  this text

Durations are mendd's: "90s", "10m", "1h30m", "250ms". Exit status: 0 at the end of the
service, 1 on a broker error, 2 on bad options, 130 when stopped by SIGINT.
)";
}

CliResult parse_cli(const std::vector<std::string_view>& args) {
  CliSettings s;
  s.options.failure_rate = kDefaultFailureRate;
  const auto fail = [](std::string message) {
    CliResult r;
    r.error = std::move(message);
    return r;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string_view> inline_value;
    if (const std::size_t eq = arg.find('=');
        arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const auto flag = [&](bool& out) {
      if (inline_value) return false;
      out = true;
      return true;
    };
    std::string_view value;
    const auto take = [&]() {
      if (inline_value) {
        value = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    const auto need = [&]() { return fail(std::string(arg) + " needs a value"); };
    const auto bad = [&](std::string_view what) {
      return fail(std::string(arg) + ": expected " + std::string(what) + ", got \"" +
                  std::string(value) + "\"");
    };
    const auto duration = [&](std::int64_t& out) {
      const auto ms = parse_duration_ms(value);
      if (!ms) return false;
      out = *ms;
      return true;
    };

    if (arg == "--help" || arg == "-h") {
      if (!flag(s.help)) return fail(std::string(arg) + " takes no value");
    } else if (arg == "--dry-run") {
      if (!flag(s.dry_run)) return fail(std::string(arg) + " takes no value");
    } else if (arg == "--print-config-snippet") {
      if (!flag(s.print_snippet)) return fail(std::string(arg) + " takes no value");
    } else if (arg == "--quiet") {
      if (!flag(s.quiet)) return fail(std::string(arg) + " takes no value");
    } else if (arg == "--causes") {
      if (!flag(s.options.causes)) return fail(std::string(arg) + " takes no value");
    } else if (arg == "--day") {
      if (!take()) return need();
      if (!parse_number(value, s.day) || s.day < 0 || s.day > kMaxDay) return bad("0 to 366");
    } else if (arg == "--visits") {
      if (!take()) return need();
      if (value.empty()) return bad("a file name");
      s.visits_path = value;
    } else if (arg == "--host") {
      if (!take()) return need();
      if (value.empty()) return bad("a host name");
      s.host = value;
    } else if (arg == "--port") {
      if (!take()) return need();
      if (!parse_number(value, s.port) || s.port < 1 || s.port > 65535) return bad("1 to 65535");
    } else if (arg == "--client-id") {
      if (!take()) return need();
      if (value.empty()) return bad("a client id");
      s.client_id = value;
    } else if (arg == "--venue") {
      if (!take()) return need();
      s.options.venue = value;
    } else if (arg == "--seed") {
      if (!take()) return need();
      if (!parse_number(value, s.options.seed)) return bad("an unsigned integer");
    } else if (arg == "--pace") {
      if (!take()) return need();
      if (!parse_number(value, s.options.pace) || !std::isfinite(s.options.pace) ||
          s.options.pace <= 0) {
        return bad("a number above 0");
      }
    } else if (arg == "--failure-rate") {
      if (!take()) return need();
      if (!parse_number(value, s.options.failure_rate) || !(s.options.failure_rate >= 0) ||
          s.options.failure_rate > 1) {
        return bad("a number from 0 to 1");
      }
    } else if (arg == "--duration") {
      if (!take()) return need();
      if (!duration(s.options.duration_ms)) return bad("a duration such as \"3h\"");
    } else if (arg == "--tables") {
      if (!take()) return need();
      if (!parse_number(value, s.options.tables)) return bad("an integer");
    } else if (arg == "--reading-interval") {
      if (!take()) return need();
      if (!duration(s.options.reading_interval_ms)) return bad("a duration such as \"1m\"");
    } else if (arg == "--threshold") {
      if (!take()) return need();
      const std::size_t eq = value.find('=');
      if (eq == std::string_view::npos) return bad("KEY=VALUE");
      if (auto error =
              set_threshold(s.options.thresholds, value.substr(0, eq), value.substr(eq + 1))) {
        return fail(*error);
      }
    } else if (arg == "--start-wall") {
      if (!take()) return need();
      if (!parse_number(value, s.options.start_wall_ms) || s.options.start_wall_ms < 0) {
        return bad("epoch milliseconds");
      }
      s.start_wall_given = true;
    } else if (arg == "--truth") {
      if (!take()) return need();
      if (value.empty()) return bad("a file name");
      s.truth_path = value;
    } else if (arg == "--progress-every") {
      if (!take()) return need();
      if (!duration(s.progress_every_ms) || s.progress_every_ms <= 0) {
        return bad("a duration such as \"10s\"");
      }
    } else {
      return fail("unknown option '" + std::string(args[i]) + "'");
    }
  }
  if ((s.day > 0 || !s.visits_path.empty()) && !s.options.causes) {
    return fail("--day and --visits need --causes");
  }
  if (s.client_id.empty()) s.client_id = "venue-sim-" + s.options.venue;
  CliResult r;
  r.settings = std::move(s);
  return r;
}

}  // namespace mend::sim
