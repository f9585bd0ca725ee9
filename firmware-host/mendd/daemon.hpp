// The running daemon: wires the broker link, the store, the recovery service and the HTTP
// server onto one executor (a single-threaded Asio io_context), so the core is never called
// from two threads. It decides nothing: every decision is the recovery service's
// (core/service.hpp); the daemon turns broker messages, HTTP requests and timer expiries into
// the service's inputs, and the service's effects into commits, publishes and responses.
//
// A message's way: Paho's delivery thread (after the spool has it on disk) posts it to the
// executor -> decode -> refused: dead letter | a known id: counted | event: the service ->
// effects staged in the store. The store commits staged work in one transaction on a short
// tick or when the batch is full; only then are case states published, alerts sent and the
// spool told it may forget those messages. The service says when it next needs time; one
// timer is armed for that.
//
// Files by concern: daemon.cpp (start, stop, signals, reload), pipeline.cpp (ingest, effects,
// commit, publish), http_wiring.cpp (the tablet's server and what its handlers may call),
// storage_health.cpp (the box's disk), cloud_wiring.cpp (the outbox and the cloud link),
// push_wiring.cpp (Web Push alerts to phones).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "adapters/clock.hpp"
#include "adapters/mqtt/mqtt_link.hpp"
#include "core/backoff.hpp"
#include "core/cloud_config.hpp"
#include "core/codec.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/outbox.hpp"
#include "core/service.hpp"
#include "core/state_report.hpp"

namespace mend {

class Store;
class CloudLink;
namespace push {
class VapidKey;
class Subscriptions;
class PushSender;
}  // namespace push
namespace auth {
class Users;
class SetupCode;
}  // namespace auth
namespace web {
class App;
class LiveHub;
class Server;
struct ApiContext;
struct GuestHistory;
}  // namespace web

// Runs until SIGTERM or SIGINT (drains and commits) and returns the exit code. SIGHUP reloads
// `config_path`. Throws on a start-up failure (store missing or corrupt, spool unusable).
int run_daemon(const Config& config, const std::string& config_path);

// One object per process, its members in wiring order (what is built from what): padding does
// not matter here.
class Daemon {  // NOLINT(clang-analyzer-optin.performance.Padding)
 public:
  Daemon(Config config, std::string config_path, const Clock& clock);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  int run();

 private:
  // daemon.cpp: start-up and shutdown
  void open_store();
  void open_users();
  void restore();
  void start_link();
  void on_link_up();
  void arm_signals();
  void arm_hup();
  void arm_watchdog();
  void reload();
  // The fixed parts (venue, brokers, store, listeners, accounts) kept, the rest swapped in.
  void apply_config(Config next);
  void shutdown();

  // pipeline.cpp: from a message to a commit, and out again
  void on_message(const MqttMessageIn& m);
  void refuse(const MqttMessageIn& m, const Refusal& r, Now now);
  bool known_event(const std::string& id);
  void apply(Effects fx, Now now);
  // Raw events received before `before` go, in short chunks; `until_done`: all of them now.
  void prune(WallTime before, bool until_done);
  void arm_deadline();
  void schedule_commit();
  bool commit();
  void report_commit(const std::string& state, Now now);
  void storage_changed(Now now);
  void check_space(Now now);
  std::string read_only_reason() const;
  void stage_state(bool everything);
  void publish_after_commit();
  void publish_case(const Case& c);
  void publish_floor();
  bool store_writable();

  // http_wiring.cpp
  void start_http();
  // A person's change from the tablet (`change` makes it at the given now): refused while
  // nothing can be saved, otherwise applied and committed before the answer goes back.
  web::GuestHistory guest_history(const std::string& guest, const Actor& by);
  ActionEffects carry_out(const std::function<ActionEffects(Now)>& change);

  // push_wiring.cpp
  void start_push();
  void push_alerts(const std::vector<json::Value>& alerts);
  void reload_push();

  // cloud_wiring.cpp
  // The at-risk model (risk_wiring.cpp): at start the newest promoted model, or a first
  // training when there is none; on a reload only the newest promoted model, never a training;
  // each new venue day, a training.
  void start_model();
  // The newest promoted model goes live; false, with the reason in `why`, when there is none.
  bool load_model(std::string& why);
  void train_model(Now now);

  void start_cloud();
  void stage_for_cloud(const Effects& fx, Now now);
  std::vector<Case> cases_opened_since(WallTime from, std::string_view why);
  void stage_summary(const SummaryDay& day, Now now);
  void stage_event_for_cloud(const Event& e, Now now);
  void check_outbox(Now now);
  json::Value cloud_state(Now now);
  void restore_cloud_config();
  void on_cloud_config(const std::string& payload, Now now);
  void on_receipt(const std::string& payload, Now now);
  void answer_cloud_config(std::optional<std::int64_t> version,
                           const std::vector<std::string>& errors, Now now);

  Config config_;
  std::string config_path_;
  const Clock& clock_;
  CodecOptions codec_;
  Metrics metrics_;
  RecoveryService service_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::signal_set hup_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer commit_timer_;
  boost::asio::steady_timer watchdog_timer_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<MqttLink> link_;
  std::unique_ptr<CloudLink> cloud_;
  std::unique_ptr<auth::Users> users_;
  std::unique_ptr<auth::SetupCode> setup_code_;
  std::unique_ptr<push::VapidKey> vapid_;
  std::unique_ptr<push::Subscriptions> subscriptions_;
  std::unique_ptr<push::PushSender> push_sender_;
  std::unique_ptr<web::ApiContext> api_;
  std::unique_ptr<web::App> app_;
  std::shared_ptr<web::LiveHub> hub_;
  std::unique_ptr<web::Server> http_;
  std::unique_ptr<web::Server> local_http_;

  // What the last commit made true, waiting to go out once it is on disk.
  std::set<std::string> to_publish_;
  std::vector<std::string> alerts_;  // payloads for venue/<venue>/mend/alerts
  std::vector<json::Value> live_alerts_;
  bool budget_changed_ = false;
  std::uint64_t batch_seq_ = 0;
  std::vector<MonoTime> batch_arrivals_;
  std::string last_floor_;

  std::optional<MonoTime> armed_deadline_;
  bool commit_armed_ = false;
  MonoTime guests_saved_{};
  bool erasing_ = false;  // a guest's erasure is staged: its commit says how it went
  // Commit failures: retried with capped exponential backoff and full jitter, logged when the
  // state changes and then as a reminder, never per attempt (a full disk must not also fill the
  // journal).
  Backoff commit_backoff_{std::chrono::milliseconds(200), std::chrono::seconds(30)};
  StateReport commit_report_{"ok", std::chrono::minutes(5)};
  std::minstd_rand rng_{std::random_device{}()};
  // The box's disk: the spool (the broker link says) and the store (its commits say). While
  // either cannot be written, a store.unwritable case is open and the tablet is read-only.
  bool spool_writable_ = true;
  std::string spool_why_;
  bool store_failing_ = false;
  std::string store_why_;
  bool unwritable_ = false;  // as last told to the service
  bool low_space_ = false;   // as last told to the service
  // Nothing told yet this run: the first look always reports, so that a case restored from
  // before a restart is cleared when the state it describes is over.
  bool storage_told_ = false;
  bool space_told_ = false;
  // The cloud outbox at its limits: one cloud.outbox_full case per burst of drops.
  bool outbox_full_ = false;
  bool outbox_told_ = false;
  OutboxDrops outbox_dropped_;  // in the current burst
  // The venue group's document from the cloud that is applied over the file (the last good).
  std::optional<CloudConfigDoc> cloud_config_;
  MonoTime last_refusal_log_{};
  std::uint64_t refusals_since_log_ = 0;
  MonoTime writable_checked_{};
  bool writable_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace mend
