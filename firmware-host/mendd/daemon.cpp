// Start-up, shutdown, signals and reload. See daemon.hpp for the whole picture.
#include "firmware-host/mendd/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <ctime>
#include <filesystem>

#include "adapters/auth/setup_code.hpp"
#include "adapters/auth/users.hpp"
#include "adapters/cloud/cloud_link.hpp"
#include "adapters/push/push_sender.hpp"
#include "adapters/push/subscriptions.hpp"
#include "adapters/push/vapid.hpp"
#include "adapters/store/store.hpp"
#include "adapters/systemd.hpp"
#include "firmware-host/config_file.hpp"
#include "web/api.hpp"
#include "web/app.hpp"
#include "web/live_hub.hpp"
#include "web/server.hpp"

namespace mend {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr Millis kSetupCodeLifetime = 24h;

CodecOptions codec_options(const Config& c) {
  CodecOptions o;
  o.venue = c.venue.id;
  o.default_currency = c.venue.currency;
  o.future_tolerance = c.detect.future_tolerance;
  return o;
}

std::string spool_path_for(const std::string& db_path) { return db_path + ".spool"; }

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<json::Value> parse_saved(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto parsed = json::parse(*text, json::ParseLimits{64, std::size_t{1} << 30});
  if (!parsed) return std::nullopt;
  return std::move(*parsed.value);
}

}  // namespace

Daemon::Daemon(Config config, std::string config_path, const Clock& clock)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      clock_(clock),
      codec_(codec_options(config_)),
      service_(ServiceSettings::from(config_), local_utc_offset, &metrics_),
      signals_(io_, SIGTERM, SIGINT),
      hup_(io_, SIGHUP),
      deadline_timer_(io_),
      commit_timer_(io_),
      watchdog_timer_(io_) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  open_store();
  restore_cloud_config();
  open_users();
  start_push();
  // Before the restore: what it makes due (a wait that breached, a day that ended while the box
  // was off) goes into the outbox like everything else.
  start_cloud();
  restore();
  start_link();
  start_http();
  arm_signals();
  arm_watchdog();
  systemd::notify_status("connecting to the broker");
  // A handler that throws must not take the venue's box down: log it and carry on. Input is
  // checked before it gets here, so this is the last line, not the plan.
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("unexpected error in the event loop, carrying on: {}", e.what());
    }
  }
  return exit_code_;
}

// A box that has run before has a spool next to its database: a missing database there is lost
// data, not a fresh install, and must not be replaced silently by an empty one.
void Daemon::open_store() {
  const std::string& db = config_.store.path;
  const bool fresh = !exists(db) && !exists(spool_path_for(db));
  if (fresh) {
    std::filesystem::create_directories(std::filesystem::path(db).parent_path());
    spdlog::info("store {}: none yet, creating a new one", db);
  }
  store_ = Store::open(StoreOptions{db, fresh});
  spdlog::info("store {}: open, {} events", db, store_->event_count());
}

// No default account: a box without one makes a one-time setup code and says so in the
// journal, where only someone on the box (or with its logs) can read it.
void Daemon::open_users() {
  auth::AuthOptions o;
  o.session.idle = config_.auth.session_idle;
  o.session.lifetime = config_.auth.session_lifetime;
  users_ = std::make_unique<auth::Users>(*store_, o);
  if (users_->user_count() == 0) {
    auto [code, text] = auth::SetupCode::generate(clock_.now().mono, kSetupCodeLifetime);
    setup_code_ = std::make_unique<auth::SetupCode>(std::move(code));
    spdlog::warn(
        "no staff account yet: open the tablet UI and enter the setup code {} (valid 24 h, "
        "once) to make the first admin, or run 'mendctl user add'",
        text);
  }
}

void Daemon::restore() {
  const Now now = clock_.now();
  const std::string boot = systemd::boot_id();
  SavedState saved;
  if (auto text = store_->load_engine_state()) {
    saved.engine = parse_saved(text);
    if (!saved.engine) throw std::runtime_error("store: the engine state is not valid JSON");
  }
  saved.guests = parse_saved(store_->meta("guests"));
  std::vector<std::string> bad_guests;
  saved.guest_records = store_->load_guests(&bad_guests);
  for (const auto& b : bad_guests) spdlog::warn("store: {} does not read and is left out", b);
  saved.escalation = parse_saved(store_->meta("escalation"));
  saved.ledger = parse_saved(store_->meta("ledger"));
  saved.employees = parse_saved(store_->meta("employees"));
  saved.summary = parse_saved(store_->meta("summary"));
  saved.learning = parse_saved(store_->meta("learning"));
  saved.briefing = parse_saved(store_->meta("briefing"));
  saved.contributions = parse_saved(store_->meta("contributions"));
  saved.ledger_entries = store_->load_ledger();
  saved.visits = parse_saved(store_->meta("visits"));
  saved.sources = parse_saved(store_->meta("sources"));
  std::vector<std::string> bad_visits;
  saved.visit_rows =
      store_->load_visits(/*settled=*/false, WallTime{}, WallTime::max(), &bad_visits);
  for (const auto& b : bad_visits) spdlog::warn("store: visit {} does not read and is left out", b);
  const bool same_boot = store_->meta("boot_id").value_or("") == boot;
  auto restored = service_.restore(store_->load_cases(/*open_only=*/true), saved, now, same_boot);
  for (const auto& w : restored.warnings) spdlog::warn("store: {}", w);
  spdlog::info("restored {} open cases and {} pending waits ({})", service_.cases().open_count(),
               service_.pending_waits(), same_boot ? "same boot" : "after a reboot");
  store_->stage_meta("boot_id", boot);
  stage_state(/*everything=*/true);
  start_model();
  // Whatever the restore made due (waits that breached while we were down) happens now.
  apply(std::move(restored.effects), now);
}

void Daemon::start_link() {
  MqttLink::Options o;
  o.mqtt = config_.mqtt;
  o.venue = config_.venue.id;
  o.spool_path = spool_path_for(config_.store.path);
  MqttLink::Handlers h;
  h.on_message = [this](MqttMessageIn m) {
    asio::post(io_, [this, m = std::move(m)] { on_message(m); });
  };
  h.on_up = [this] { on_link_up(); };
  h.on_storage = [this](bool writable, const std::string& why) {
    spool_writable_ = writable;
    spool_why_ = why;
    storage_changed(clock_.now());
  };
  h.on_down = [this](const std::string& why) {
    metrics_.mqtt_connected.set(0);
    metrics_.mqtt_reconnects.inc();
    spdlog::warn("broker {}:{}: {}; reconnecting", config_.mqtt.host, config_.mqtt.port, why);
  };
  link_ = std::make_unique<MqttLink>(io_, std::move(o), std::move(h));
  // What the last run received but did not commit goes in first, in its order.
  auto again = link_->unreleased();
  const auto spool = link_->spool_stats();
  if (!again.empty() || spool.torn_bytes_dropped > 0) {
    spdlog::info(
        "spool: {} messages received before the restart and not yet committed; {} torn bytes "
        "dropped",
        again.size(), spool.torn_bytes_dropped);
  }
  for (const auto& m : again) on_message(m);
  link_->start();
}

void Daemon::on_link_up() {
  metrics_.mqtt_connected.set(1);
  spdlog::info("broker {}:{}: connected and subscribed", config_.mqtt.host, config_.mqtt.port);
  // Publishes lost in a crash or sent while the link was down: put every open case's state back
  // on its retained topic.
  for (const Case* c : service_.cases().list(CaseFilter{})) publish_case(*c);
  if (!ready_) {
    ready_ = true;
    systemd::notify_ready("subscribed; watching venue " + config_.venue.id);
  } else {
    systemd::notify_status("subscribed; watching venue " + config_.venue.id);
  }
}

void Daemon::arm_watchdog() {
  const auto interval = systemd::watchdog_interval();
  if (!interval) return;
  watchdog_timer_.expires_after(*interval / 2);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    systemd::notify_watchdog();
    arm_watchdog();
  });
}

void Daemon::arm_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: draining and stopping", sig);
    shutdown();
  });
  arm_hup();
}

void Daemon::arm_hup() {
  hup_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    reload();
    arm_hup();
  });
}

// Parse, validate, then swap; the old config stays on any error. The cloud's document, when
// one is applied, goes over the file again.
void Daemon::reload() {
  const ConfigResult r = cloud_config_ ? load_config_file(config_path_, cloud_config_->toml,
                                                          cloud_config_name(cloud_config_->version))
                                       : load_config_file(config_path_);
  if (!r.config) {
    for (const auto& e : r.errors) spdlog::error("reload: {}", e.to_string());
    spdlog::error("reload: keeping the running config");
    return;
  }
  apply_config(*r.config);
  // A model `mendctl model train` promoted goes live. No training here: the next one, at the
  // new venue day, reads the new [prediction] settings.
  if (std::string why; !load_model(why)) spdlog::info("reload: no at-risk model to load: {}", why);
  json::Object detail;
  detail.append("file", config_path_);
  if (cloud_config_) detail.append("cloud_version", cloud_config_->version);
  store_->stage_audit(AuditRecord{clock_.now().wall, "mend", "system", "config.reload",
                                  config_path_, json::Value(std::move(detail))});
  schedule_commit();
  spdlog::info("reload: {} applied", config_path_);
}

// The venue, broker, store, listeners, accounts and push.enabled are fixed for the life of the
// process.
void Daemon::apply_config(Config next) {
  if (next.venue.id != config_.venue.id || next.mqtt.host != config_.mqtt.host ||
      next.mqtt.port != config_.mqtt.port || next.store.path != config_.store.path ||
      next.http.listen != config_.http.listen || next.http.port != config_.http.port ||
      next.push.enabled != config_.push.enabled) {
    spdlog::warn(
        "reload: venue, broker, store, http and push.enabled changes take effect at the next "
        "start");
  }
  next.venue.id = config_.venue.id;
  next.mqtt = config_.mqtt;
  next.push.enabled = config_.push.enabled;
  next.store.path = config_.store.path;
  next.http = config_.http;
  next.auth = config_.auth;
  service_.update_settings(ServiceSettings::from(next));
  codec_ = codec_options(next);
  config_ = std::move(next);
  reload_push();
  spdlog::set_level(spdlog::level::from_str(config_.log.level));
  arm_deadline();
}

// Stop taking messages, let those already handed over run (they are queued on the executor
// ahead of the final step), commit, and leave.
void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  systemd::notify_stopping();
  if (http_) http_->stop();
  if (local_http_) local_http_->stop();
  link_->stop(2s);
  if (cloud_) cloud_->stop(2s);
  asio::post(io_, [this] {
    stage_state(/*everything=*/true);
    if (commit()) {
      spdlog::info("stopped: everything received is committed");
    } else {
      spdlog::warn("stopped with work uncommitted: the spool keeps those messages for next start");
    }
    deadline_timer_.cancel();
    commit_timer_.cancel();
    watchdog_timer_.cancel();
    hup_.cancel();
    io_.stop();
  });
}

int run_daemon(const Config& config, const std::string& config_path) {
  const SystemClock clock;
  Daemon d(config, config_path, clock);
  return d.run();
}

}  // namespace mend
