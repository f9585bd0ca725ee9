#include "adapters/systemd.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace mend::systemd {

void notify_ready(std::string_view status) {
  sd_notifyf(0, "READY=1\nSTATUS=%.*s", static_cast<int>(status.size()), status.data());
}

void notify_status(std::string_view status) {
  sd_notifyf(0, "STATUS=%.*s", static_cast<int>(status.size()), status.data());
}

void notify_stopping() { sd_notify(0, "STOPPING=1"); }

void notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<Millis> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return Millis{static_cast<Millis::rep>(usec / 1000)};
}

namespace {

// JOURNAL_STREAM is "device:inode" of the journal's stream; it only counts when stderr is
// still that stream (a child that redirected stderr must not log to the journal by accident).
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  const std::string want = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return want == js;
}

}  // namespace

void setup_logging(std::string_view level, std::string_view ident) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    throw std::runtime_error("unknown log level '" + std::string(level) + "'");
  }
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>(std::string(ident));
    logger = std::make_shared<spdlog::logger>(std::string(ident), sink);
    logger->set_pattern("%v");  // the journal adds time, unit and priority itself
  } else {
    logger = spdlog::stderr_color_mt(std::string(ident) + "-stderr");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace mend::systemd
