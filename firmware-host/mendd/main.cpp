// mendd: the Mend daemon. main() reads the command line and the config; run_daemon()
// (daemon.cpp) is where the daemon lives once the config is known.
//
// Exit codes: 0 fine, 1 the config (or starting up) failed, 2 the command line is wrong.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/systemd.hpp"
#include "core/config.hpp"
#include "firmware-host/config_file.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {
namespace {

constexpr std::string_view kDefaultConfigPath = "/etc/mend/mend.toml";
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage = R"(usage: mendd [--config FILE]
       mendd --check-config FILE
       mendd --print-config --config FILE
       mendd --version | --help

Mend's service-recovery daemon.

options:
  --config FILE        the config to run with (default /etc/mend/mend.toml)
  --check-config FILE  check FILE and exit: prints "FILE: ok", or every error with its line
                       and key, one per line on stderr (exit 1)
  --print-config       print the effective config of --config FILE (every key, defaults
                       included, with its description) and exit
  --version            print the version and exit
  --help               print this text and exit
)";

enum class Mode { kRun, kCheckConfig, kPrintConfig, kVersion, kHelp };

struct Options {
  Mode mode = Mode::kRun;
  std::string config_path{kDefaultConfigPath};
  bool config_given = false;
  std::string check_path;
};

struct UsageError {
  std::string message;
};

// Options that take a value accept "--name value" and "--name=value".
std::variant<Options, UsageError> parse_options(std::span<char* const> args) {
  Options options;
  bool help = false;
  bool version = false;
  std::optional<Mode> action;  // --check-config or --print-config
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string_view> inline_value;
    if (arg.starts_with("--config=") || arg.starts_with("--check-config=")) {
      const auto eq = arg.find('=');
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return std::string(*inline_value);
      if (i + 1 < args.size()) return std::string(args[++i]);
      return std::nullopt;
    };
    const auto set_action = [&](Mode mode) -> std::optional<UsageError> {
      if (action && *action != mode) {
        return UsageError{"--check-config and --print-config cannot be combined"};
      }
      action = mode;
      return std::nullopt;
    };

    if (arg == "--help" || arg == "-h") {
      help = true;
    } else if (arg == "--version") {
      version = true;
    } else if (arg == "--config" || arg == "--check-config") {
      const std::optional<std::string> v = value();
      if (!v || v->empty()) return UsageError{std::string(arg) + " needs a FILE"};
      if (arg == "--config") {
        options.config_path = *v;
        options.config_given = true;
      } else {
        if (auto e = set_action(Mode::kCheckConfig)) return *e;
        options.check_path = *v;
      }
    } else if (arg == "--print-config") {
      if (auto e = set_action(Mode::kPrintConfig)) return *e;
    } else if (arg.starts_with("-")) {
      return UsageError{"unknown option '" + std::string(args[i]) + "'"};
    } else {
      return UsageError{"unexpected argument '" + std::string(arg) + "'"};
    }
  }
  if (help) {
    options.mode = Mode::kHelp;
  } else if (version) {
    options.mode = Mode::kVersion;
  } else if (action) {
    options.mode = *action;
  }
  if (options.mode == Mode::kPrintConfig && !options.config_given) {
    return UsageError{
        "--print-config needs --config FILE: venue.id has no default, so there is no "
        "configuration without a file"};
  }
  return options;
}

// The daemon proper (daemon.cpp): everything it needs comes from `config`.
int run(const Config& config, const std::string& config_path) {
  spdlog::info("venue {}: {} devices, {} areas; broker {}:{}, http {}:{}", config.venue.id,
               config.devices.size(), config.areas.size(), config.mqtt.host, config.mqtt.port,
               config.http.listen, config.http.port);
  return run_daemon(config, config_path);
}

int main_with(const Options& options) {
  switch (options.mode) {
    case Mode::kHelp: std::cout << kUsage; return kExitOk;
    case Mode::kVersion: std::cout << "mendd " << MEND_VERSION << '\n'; return kExitOk;
    case Mode::kCheckConfig: return check_config_file(options.check_path, std::cout, std::cerr);
    case Mode::kPrintConfig: {
      const ConfigResult result = load_config_file(options.config_path);
      if (!result.config) {
        for (const auto& e : result.errors) std::cerr << e.to_string() << '\n';
        return kExitFailure;
      }
      std::cout << print_config(*result.config);
      return kExitOk;
    }
    case Mode::kRun: break;
  }

  // The journal when systemd runs us (it stamps time and unit itself), stderr otherwise.
  systemd::setup_logging("info", "mendd");
  try {
    const Config config = load_config_file_or_throw(options.config_path);
    spdlog::set_level(spdlog::level::from_str(config.log.level));
    spdlog::info("loaded config {}", options.config_path);
    return run(config, options.config_path);
  } catch (const ConfigFileError& e) {
    for (const auto& error : e.errors()) spdlog::critical("{}", error.to_string());
    return kExitFailure;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return kExitFailure;
  }
}

}  // namespace
}  // namespace mend

int main(int argc, char** argv) {
  const auto parsed =
      mend::parse_options(std::span<char* const>(argv, static_cast<std::size_t>(argc)));
  if (const auto* usage = std::get_if<mend::UsageError>(&parsed)) {
    std::cerr << "mendd: " << usage->message << "\n\n" << mend::kUsage;
    return mend::kExitUsage;
  }
  return mend::main_with(std::get<mend::Options>(parsed));
}
