// venue-sim: plays a generated service (venue_sim.hpp) to an MQTT broker in real time, at the
// chosen pace. A tool, not part of the appliance: it may sleep and read clocks. It keeps to the
// monotonic clock for the schedule so a wall-clock step cannot bunch or stretch the evening.
#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "scripts/sim/sim_cli.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace {

using Steady = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};

// Only sets a flag: the play loop notices it within kSleepSlice.
void on_signal(int) { g_stop.store(true); }

// At most this many QoS 1 publishes wait for the broker's PUBACK; then the oldest is awaited.
// Keeps memory bounded if the broker is slow, and the order the broker sees is the schedule's.
constexpr std::size_t kMaxInFlight = 64;
// The schedule is checked this often while waiting, so SIGINT and progress lines stay prompt.
constexpr auto kSleepSlice = std::chrono::milliseconds(100);

std::string clock_text(std::int64_t ms) {
  const std::int64_t s = ms / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

std::string injected_text(const mend::sim::Service& service, std::int64_t up_to_ms) {
  std::map<std::string, int> counts;
  int derived = 0;
  for (const auto& t : service.truth) {
    if (t.at_ms > up_to_ms) continue;
    if (t.derived) {
      ++derived;
    } else {
      ++counts[t.kind];
    }
  }
  std::string out;
  int total = 0;
  for (const auto& [kind, n] : counts) {
    out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    total += n;
  }
  std::string text = std::to_string(total) + (out.empty() ? "" : " (" + out + ")");
  if (derived > 0) text += "; derived pattern.recurring " + std::to_string(derived);
  return text;
}

bool write_truth(const std::string& path, const mend::sim::Service& service,
                 const mend::sim::Options& options) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
  for (const auto& t : service.truth) out << mend::sim::truth_json_line(t, options) << '\n';
  out.flush();
  return static_cast<bool>(out);
}

bool write_visits(const std::string& path, const mend::sim::Service& service,
                  const mend::sim::Options& options) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
  if (service.day) out << mend::sim::day_json_line(*service.day) << '\n';
  for (const auto& v : service.visits) out << mend::sim::visit_json_line(v, options) << '\n';
  out.flush();
  return static_cast<bool>(out);
}

// Tonight's service. With --day N, evening N of a run that began N days before the start wall
// time, so the run's regulars have been before.
mend::sim::Service evening(const mend::sim::CliSettings& cli) {
  if (cli.day == 0) return mend::sim::generate(cli.options);
  mend::sim::Options run = cli.options;
  run.start_wall_ms -= cli.day * mend::sim::kDay;
  return std::move(mend::sim::generate_days(run, cli.day + 1).back());
}

int play(const mend::sim::CliSettings& cli, const mend::sim::Service& service) {
  const mend::sim::Options& o = cli.options;
  const std::string uri = "tcp://" + cli.host + ":" + std::to_string(cli.port);
  mqtt::async_client client(uri, cli.client_id, mqtt::create_options(MQTTVERSION_3_1_1));
  auto connect = mqtt::connect_options_builder()
                     .clean_session(true)
                     .keep_alive_interval(std::chrono::seconds(30))
                     .connect_timeout(std::chrono::seconds(10))
                     .finalize();
  try {
    client.connect(connect)->wait();
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "venue-sim: cannot connect to %s: %s\n", uri.c_str(), e.what());
    return 1;
  }

  const auto started = Steady::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started).count();
  };
  std::deque<mqtt::delivery_token_ptr> in_flight;
  std::size_t sent = 0;
  auto next_progress = started + std::chrono::milliseconds(cli.progress_every_ms);
  const auto progress = [&](const char* what) {
    const std::int64_t now_ms = elapsed_ms();
    const double service_ms = static_cast<double>(now_ms) * o.pace;
    std::printf("venue-sim: %s %s of %s service time, %zu/%zu messages, failures so far %s\n", what,
                clock_text(static_cast<std::int64_t>(service_ms)).c_str(),
                clock_text(o.duration_ms).c_str(), sent, service.messages.size(),
                injected_text(service, now_ms).c_str());
    std::fflush(stdout);
  };

  int status = 0;
  try {
    for (const mend::sim::Message& m : service.messages) {
      const auto due = started + std::chrono::milliseconds(m.at_ms);
      while (!g_stop.load()) {
        const auto now = Steady::now();
        if (!cli.quiet && now >= next_progress) {
          progress("at");
          next_progress += std::chrono::milliseconds(cli.progress_every_ms);
        }
        if (now >= due) break;
        std::this_thread::sleep_for(std::min<Steady::duration>(due - now, kSleepSlice));
      }
      if (g_stop.load()) break;
      auto msg = mqtt::make_message(m.topic, m.payload, m.qos, m.retained);
      in_flight.push_back(client.publish(msg));
      ++sent;
      while (in_flight.size() > kMaxInFlight) {
        in_flight.front()->wait();
        in_flight.pop_front();
      }
    }
    // The service ends at end_ms, which may be after the last message; wait for it so the
    // last breaches fall inside the run, then let the broker acknowledge what is in flight.
    const auto end = started + std::chrono::milliseconds(service.end_ms);
    while (!g_stop.load() && Steady::now() < end) {
      std::this_thread::sleep_for(std::min<Steady::duration>(end - Steady::now(), kSleepSlice));
    }
    for (auto& token : in_flight) token->wait_for(std::chrono::seconds(5));
    client.disconnect()->wait_for(std::chrono::seconds(5));
  } catch (const mqtt::exception& e) {
    std::fprintf(stderr, "venue-sim: broker error after %zu messages: %s\n", sent, e.what());
    status = 1;
  }

  const bool stopped = g_stop.load();
  std::printf(
      "venue-sim: %s: %zu of %zu messages sent in %s wall time (%s service at pace %g); "
      "failures injected: %s\n",
      stopped ? "stopped by SIGINT" : (status == 0 ? "done" : "failed"), sent,
      service.messages.size(), clock_text(elapsed_ms()).c_str(), clock_text(o.duration_ms).c_str(),
      o.pace, injected_text(service, stopped ? elapsed_ms() : service.end_ms).c_str());
  if (status != 0) return status;
  return stopped ? 130 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  mend::sim::CliResult parsed = mend::sim::parse_cli(args);
  if (!parsed.settings) {
    std::fprintf(stderr, "venue-sim: %s\n(see venue-sim --help)\n", parsed.error.c_str());
    return 2;
  }
  mend::sim::CliSettings& cli = *parsed.settings;
  if (cli.help) {
    std::fputs(mend::sim::usage().c_str(), stdout);
    return 0;
  }
  if (!cli.start_wall_given) {
    cli.options.start_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  }
  if (cli.options.start_wall_ms < cli.day * mend::sim::kDay) {
    std::fprintf(stderr, "venue-sim: --day %d starts the run before 1970\n", cli.day);
    return 2;
  }
  if (auto error = mend::sim::validate(cli.options)) {
    std::fprintf(stderr, "venue-sim: %s\n", error->c_str());
    return 2;
  }
  if (cli.print_snippet) {
    std::fputs(mend::sim::config_snippet(cli.options).c_str(), stdout);
    return 0;
  }

  const mend::sim::Service service = evening(cli);
  if (!cli.truth_path.empty() && !write_truth(cli.truth_path, service, cli.options)) {
    std::fprintf(stderr, "venue-sim: cannot write %s\n", cli.truth_path.c_str());
    return 1;
  }
  if (!cli.visits_path.empty() && !write_visits(cli.visits_path, service, cli.options)) {
    std::fprintf(stderr, "venue-sim: cannot write %s\n", cli.visits_path.c_str());
    return 1;
  }

  if (cli.dry_run) {
    for (const auto& m : service.messages) {
      std::fputs(mend::sim::message_json_line(m).c_str(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
    if (!cli.quiet) {
      std::fprintf(stderr, "venue-sim: dry run: %zu messages over %s service; failures: %s\n",
                   service.messages.size(), clock_text(cli.options.duration_ms).c_str(),
                   injected_text(service, service.end_ms).c_str());
    }
    return 0;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  if (!cli.quiet) {
    std::printf(
        "venue-sim: venue %s, seed %llu, pace %g, failure rate %g%s: %zu messages over %s "
        "service (%s wall), %zu truth entries\n",
        cli.options.venue.c_str(), static_cast<unsigned long long>(cli.options.seed),
        cli.options.pace, cli.options.failure_rate, cli.options.causes ? ", causal mode" : "",
        service.messages.size(), clock_text(cli.options.duration_ms).c_str(),
        clock_text(service.end_ms).c_str(), service.truth.size());
    std::fflush(stdout);
  }
  return play(cli, service);
}
