#include "firmware-host/mendd/daemon.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <filesystem>
#include <set>
#include <unordered_map>

#include <arpa/inet.h>

#include "adapters/auth/setup_code.hpp"
#include "adapters/auth/users.hpp"
#include "adapters/clock.hpp"
#include "adapters/mqtt/mqtt_link.hpp"
#include "adapters/store/store.hpp"
#include "adapters/systemd.hpp"
#include "adapters/tls/device_certificate.hpp"
#include "core/case_actions.hpp"
#include "core/case_book.hpp"
#include "core/codec.hpp"
#include "core/engine.hpp"
#include "core/metrics.hpp"
#include "core/recovery.hpp"
#include "firmware-host/config_file.hpp"
#include "web/api.hpp"
#include "web/app.hpp"
#include "web/live_hub.hpp"
#include "web/server.hpp"

namespace mend {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr Millis kHousekeepingEvery = 10min;
constexpr Millis kKeepClosedCases = 24h;
// A resolved case stays on the tablet a week for a look back; one that gave a voucher stays
// until it is redeemed or 90 days, so the redemption finds its case.
constexpr Millis kKeepResolvedCases = 7 * 24h;
constexpr Millis kKeepUnredeemedVouchers = 90 * 24h;
constexpr std::size_t kPruneChunk = 5000;
constexpr Millis kRefusalLogQuiet = 10s;  // refusals are logged once per burst

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

constexpr Millis kSetupCodeLifetime = 24h;
// The guest book can be large: it is written at most this often (and at shutdown), not with
// every batch. After a crash the visits of the last minute may be missing from it.
constexpr Millis kGuestSaveEvery = 1min;

// The box's offset from UTC now, for local clock times in explanations and shift boundaries.
Millis utc_offset(WallTime at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  ::localtime_r(&t, &local);
  return std::chrono::seconds(local.tm_gmtoff);
}

// The names and addresses a tablet may use to reach this box, for the certificate: the host
// name, host.local (mDNS on the venue's LAN) and the current non-loopback addresses.
tls::CertificateRequest certificate_request() {
  tls::CertificateRequest r;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0 && host[0] != '\0') {
    r.names.emplace_back(host.data());
    r.names.push_back(std::string(host.data()) + ".local");
  }
  r.names.emplace_back("localhost");
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr) continue;
      std::array<char, INET6_ADDRSTRLEN> text{};
      if (a->ifa_addr->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);  // NOLINT
        ::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size());
      } else {
        continue;  // IPv6 addresses on a venue LAN are mostly temporary: names cover them
      }
      std::string ip = text.data();
      if (!ip.empty() && std::find(r.ips.begin(), r.ips.end(), ip) == r.ips.end()) {
        r.ips.push_back(std::move(ip));
      }
    }
    ::freeifaddrs(list);
  }
  return r;
}

// The OpenAPI document: next to the UI when installed, else the source tree's copy.
std::string read_openapi(const std::string& ui_dir) {
  for (const std::filesystem::path& p :
       {std::filesystem::path(ui_dir) / ".." / "openapi.json",
        std::filesystem::path(MEND_SOURCE_DIR) / "web" / "openapi.json"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return tls::read_file(p);
  }
  return "{}";
}

class Daemon {
 public:
  Daemon(Config config, std::string config_path)
      : config_(std::move(config)),
        config_path_(std::move(config_path)),
        codec_(codec_options(config_)),
        engine_(DetectionSettings::from(config_)),
        recovery_(recovery_settings(config_)),
        guests_(recovery_.guests),
        escalator_(recovery_.escalation),
        ledger_(recovery_.policy),
        signals_(io_, SIGTERM, SIGINT),
        hup_(io_, SIGHUP),
        deadline_timer_(io_),
        commit_timer_(io_),
        housekeeping_timer_(io_),
        watchdog_timer_(io_),
        escalation_timer_(io_) {}

  int run() {
    open_store();
    open_users();
    restore();
    start_link();
    start_http();
    arm_signals();
    arm_deadline(engine_.next_deadline());
    arm_escalation();
    arm_housekeeping();
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

 private:
  // ---- start-up ----------------------------------------------------------------------------

  // A box that has run before has a spool next to its database: a missing database there is
  // lost data, not a fresh install, and must not be replaced silently by an empty one.
  void open_store() {
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
  void open_users() {
    auth::AuthOptions o;
    o.session.idle = config_.auth.session_idle;
    o.session.lifetime = config_.auth.session_lifetime;
    users_ = std::make_unique<auth::Users>(*store_, o);
    if (users_->user_count() == 0) {
      auto [code, text] = auth::SetupCode::generate(read_clock().mono, kSetupCodeLifetime);
      setup_code_ = std::make_unique<auth::SetupCode>(std::move(code));
      spdlog::warn(
          "no staff account yet: open the tablet UI and enter the setup code {} (valid 24 h, "
          "once) to make the first admin, or run 'mendctl user add'",
          text);
    }
  }

  void restore() {
    for (auto& c : store_->load_cases(/*open_only=*/true)) cases_.load(std::move(c));
    const Now now = read_clock();
    const std::string boot = systemd::boot_id();
    if (auto state = store_->load_engine_state()) {
      auto parsed = json::parse(*state, json::ParseLimits{64, std::size_t{1} << 30});
      if (!parsed) throw std::runtime_error("store: the engine state is not valid JSON");
      const bool same_boot = store_->meta("boot_id").value_or("") == boot;
      if (auto err = engine_.restore(EngineState{std::move(*parsed.value)}, now, same_boot)) {
        throw std::runtime_error("store: cannot restore the engine state: " + *err);
      }
      spdlog::info("restored {} open cases and {} pending waits ({})", cases_.open_count(),
                   engine_.pending_waits(), same_boot ? "same boot" : "after a reboot");
    }
    const auto restore_part = [&](const char* key, const auto& apply) {
      auto text = store_->meta(key);
      if (!text) return;
      auto parsed = json::parse(*text, json::ParseLimits{64, std::size_t{1} << 30});
      std::optional<std::string> err =
          parsed ? apply(*parsed.value) : std::optional<std::string>("not valid JSON");
      // The recovery's memory is worth keeping but not worth refusing to start over.
      if (err) spdlog::warn("store: {} not restored, starting it afresh: {}", key, *err);
    };
    const bool same_boot = store_->meta("boot_id").value_or("") == boot;
    restore_part("guests", [&](const json::Value& v) { return guests_.restore(v); });
    restore_part("escalation",
                 [&](const json::Value& v) { return escalator_.restore(v, now, same_boot); });
    restore_part("ledger", [&](const json::Value& v) { return ledger_.restore(v); });
    store_->stage_meta("boot_id", boot);
    engine_dirty_ = true;
    recovery_dirty_ = true;
    metrics_.cases_open.set(static_cast<double>(cases_.open_count()));
    // Whatever the restore makes due (waits that breached while we were down) fires now.
    apply(engine_.on_tick(now));
    notify_due_follow_ups(now);
    schedule_commit();
  }

  void start_link() {
    MqttLink::Options o;
    o.mqtt = config_.mqtt;
    o.venue = config_.venue.id;
    o.spool_path = spool_path_for(config_.store.path);
    MqttLink::Handlers h;
    h.on_message = [this](MqttMessageIn m) {
      asio::post(io_, [this, m = std::move(m)] { on_message(m); });
    };
    h.on_up = [this] { on_link_up(); };
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
          "spool: {} messages received before the restart and not yet committed; "
          "{} torn bytes dropped",
          again.size(), spool.torn_bytes_dropped);
    }
    for (const auto& m : again) on_message(m);
    link_->start();
  }

  // Plain HTTP only where nobody else can listen in: the box's own loopback.
  static bool is_loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1";
  }

  void start_http() {
    api_ = std::make_unique<web::ApiContext>(
        web::ApiContext{cases_, metrics_, [this] { return link_ && link_->connected(); },
                        [this] { return store_writable(); }, config_.venue.id, MEND_VERSION});
    web::HandlerContext ctx{*api_,
                            cases_,
                            *users_,
                            *store_,
                            [this] { return engine_.tables(); },
                            [] { return read_clock(); },
                            [this](const PersonAction& a) { return on_person_action(a); },
                            [this] { return budget_json(); },
                            [this] { return static_cast<auth::SetupGate*>(setup_code_.get()); },
                            [this] { setup_code_.reset(); },
                            config_.http.ui_dir,
                            read_openapi(config_.http.ui_dir)};
    app_ = std::make_unique<web::App>(std::move(ctx));
    if (!std::filesystem::exists(std::filesystem::path(config_.http.ui_dir) / "index.html")) {
      spdlog::warn("http: no tablet UI in {} (http.ui_dir): only the API is served",
                   config_.http.ui_dir);
    }
    hub_ = std::make_shared<web::LiveHub>();
    const auto handler = [this](const web::Request& r, const web::RequestContext& rc) {
      return app_->handle(r, rc);
    };
    const auto options = [this](const std::string& address, int port) {
      web::ServerOptions o;
      o.address = address;
      o.port = static_cast<std::uint16_t>(port);
      o.live = hub_;
      o.authorize_upgrade = [this](const web::Request& r) { return app_->authorize_upgrade(r); };
      return o;
    };
    web::ServerOptions main = options(config_.http.listen, config_.http.port);
    if (!is_loopback(config_.http.listen)) {
      const std::filesystem::path dir =
          config_.http.tls_dir.empty()
              ? std::filesystem::path(config_.store.path).parent_path() / "tls"
              : std::filesystem::path(config_.http.tls_dir);
      const auto cert = tls::ensure_device_certificate(dir, certificate_request());
      const std::string pem = tls::read_file(cert.certificate);
      spdlog::info("http: TLS certificate {} ({}), SHA-256 {}", cert.certificate.string(),
                   cert.created ? "made now" : "kept", tls::certificate_fingerprint_sha256(pem));
      main.tls = web::TlsFiles{cert.certificate.string(), cert.private_key.string()};
    }
    http_ = std::make_unique<web::Server>(io_, main, handler);
    http_->start();
    spdlog::info("http: listening on {}://{}:{}", main.tls ? "https" : "http", config_.http.listen,
                 http_->port());
    if (config_.http.local_port > 0) {
      local_http_ = std::make_unique<web::Server>(
          io_, options("127.0.0.1", config_.http.local_port), handler);
      local_http_->start();
      spdlog::info("http: listening on http://127.0.0.1:{} (this box only)", local_http_->port());
    }
  }

  // A person's action from the tablet or an integration: checked and carried out on the case
  // book (version, authority within the shift budget, status), then kept and published.
  web::ActionResult on_person_action(const PersonAction& a) {
    const Now now = read_clock();
    const AuthorityCheck authority = [this, now](const std::string& role, double amount) {
      return ledger_.check(role, amount, now.wall, utc_offset(now.wall));
    };
    auto out = carry_out(cases_, a, authority, now.wall);
    if (auto* no = std::get_if<ActionRefusal>(&out)) return std::move(*no);
    const auto& done = std::get<ActionDone>(out);
    on_case_changed(*cases_.find(done.case_id), done, a.by);
    return *cases_.find(done.case_id);
  }

  // A person changed a case: keep it with its audit record, then publish. Committed at once:
  // the person's answer should mean it is on disk.
  void on_case_changed(const Case& c, const ActionDone& done, const Actor& by) {
    store_->stage_case(c);
    store_->stage_audit(AuditRecord{c.updated_at, by.id, by.role, done.action, c.id, done.detail});
    to_publish_.insert(c.id);
    const Now now = read_clock();
    // Someone is on it: whatever a person did stops the escalation ladder, and who and when
    // is kept.
    if (escalator_.acknowledge(c.id, by.id, by.role, now.wall, now.mono)) {
      recovery_dirty_ = true;
      arm_escalation();
    }
    // An approved follow-up goes out through the cloud link, which reaches the guest.
    if (done.action == "case.follow_up.send" && c.follow_up) {
      json::Object m;
      m.append("case", c.id);
      m.append("customer", c.guest.id.empty() ? c.subject.customer : c.guest.id);
      m.append("name", c.guest.name);
      m.append("booking", c.subject.booking);
      m.append("message", c.follow_up->message);
      m.append("approved_by", by.id);
      store_->stage_outbox("venue/" + config_.venue.id + "/mend/follow_ups",
                           json::dump(json::Value(std::move(m))), now.wall);
    }
    if ((done.action == "case.approve" || done.action == "case.edit") && c.compensation > 0) {
      ledger_.spend(c.id, c.compensation, false, now.wall, utc_offset(now.wall));
      recovery_dirty_ = true;
      budget_changed_ = true;
    }
    // A resolved or closed case is done: the next breach for its subject opens a new one.
    if (c.status == CaseStatus::kResolved || c.status == CaseStatus::kClosed ||
        c.status == CaseStatus::kFollowUp) {
      engine_.on_case_closed(c.id);
      escalator_.close(c.id);
      engine_dirty_ = true;
      recovery_dirty_ = true;
    }
    metrics_.cases_open.set(static_cast<double>(cases_.open_count()));
    spdlog::info("case {}: {} by {}", c.id, done.action, by.id);
    commit();
  }

  // A follow-up whose time has come: the manager approves (or skips) the drafted message.
  // Checked with the housekeeping, so "tomorrow at noon" is told within ten minutes of noon.
  void notify_due_follow_ups(Now now) {
    for (const auto& id : cases_.take_due_follow_ups(now.wall)) {
      const Case* c = cases_.find(id);
      if (c == nullptr) continue;
      store_->stage_case(*c);
      to_publish_.insert(id);
      notify(Notification{id, "manager", 0, false, c->severity, "follow-up due"}, "follow_up_due");
    }
  }

  // The floor goes to the live feed when it changed, not on every commit.
  void publish_floor() {
    if (!hub_) return;
    json::Value floor = web::floor_to_json(engine_.tables(), cases_, read_clock().wall);
    const json::Value* tables = floor.get("tables");
    std::string text = tables != nullptr ? json::dump(*tables) : std::string();
    if (text == last_floor_) return;
    last_floor_ = std::move(text);
    hub_->publish("floor", floor);
  }

  void on_link_up() {
    metrics_.mqtt_connected.set(1);
    spdlog::info("broker {}:{}: connected and subscribed", config_.mqtt.host, config_.mqtt.port);
    // Publishes lost in a crash or sent while the link was down: put every open case's state
    // back on its retained topic.
    for (const Case* c : cases_.list(CaseFilter{})) publish_case(*c);
    if (!ready_) {
      ready_ = true;
      systemd::notify_ready("subscribed; watching venue " + config_.venue.id);
    } else {
      systemd::notify_status("subscribed; watching venue " + config_.venue.id);
    }
  }

  // ---- ingest ------------------------------------------------------------------------------

  void on_message(const MqttMessageIn& m) {
    const Now now = read_clock();
    DecodeResult r = decode(m.topic, m.payload, m.received.wall, codec_);
    if (auto* refusal = std::get_if<Refusal>(&r)) {
      refuse(m, *refusal, now);
    } else {
      Event& e = std::get<Event>(r);
      const bool known = known_event(e.id);
      EngineOutput out = known ? EngineOutput{} : engine_.on_event(e, now);
      if (known || out.duplicate) {
        metrics_.events_duplicate.inc();
      } else {
        store_->stage_event(e, m.topic);
        metrics_.events_received[e.type].inc();
        engine_dirty_ = true;
        guests_.on_event(e);
        guests_dirty_ = true;
        apply(out);
        link_recovery(e);
      }
    }
    batch_seq_ = m.seq;
    batch_arrivals_.push_back(m.received.mono);
    link_->message_done();
    schedule_commit();
  }

  // A store that cannot be read right now must not stop ingestion: the engine's own memory of
  // recent ids still catches a redelivery, and the commit will report the store's trouble.
  bool known_event(const std::string& id) {
    try {
      return store_->has_event(id);
    } catch (const std::exception& e) {
      spdlog::error("store: cannot check event {}: {}", id, e.what());
      return false;
    }
  }

  void refuse(const MqttMessageIn& m, const Refusal& r, Now now) {
    store_->stage_dead_letter(m.topic, m.payload, r, m.received.wall);
    metrics_.events_refused[r.reason].inc();
    metrics_.dead_letters.inc();
    ++refusals_since_log_;
    if (now.mono - last_refusal_log_ >= kRefusalLogQuiet) {
      spdlog::warn("refused a payload on {}: {} ({} refused since the last report)", m.topic,
                   r.message, refusals_since_log_);
      refusals_since_log_ = 0;
      last_refusal_log_ = now.mono;
    }
  }

  // Engine decisions land in the case book; the changes are staged and published after commit.
  void apply(const EngineOutput& out) {
    const Now now = read_clock();
    for (const Decision& d : out.decisions) {
      auto change = cases_.apply(d);
      if (!change) continue;
      const Case* c = cases_.find(change->case_id);
      if (c == nullptr) continue;
      if (change->what == CaseChange::What::kOpened) {
        plan_case(c->id, now, true);
        c = cases_.find(change->case_id);
        metrics_.cases_opened[c->kind].inc();
        spdlog::info("case {} opened: {}", c->id, c->explanation);
        if (c->automatic) {
          // Done by the venue's policy: the floor is told once, nobody needs chasing.
          notify(Notification{c->id, "staff", 0, false, c->severity, "done automatically"},
                 "automatic");
        } else {
          for (const auto& n : escalator_.open(c->id, c->severity, now.mono)) notify(n);
          // A plan above the floor's authority goes to the role that may approve it at once.
          const std::string& needs = c->recommendation.needs_approval_by;
          if (needs == "manager" || needs == "admin") {
            notify(Notification{c->id, needs, 0, false, c->severity,
                                "needs a " + needs + "'s approval"},
                   "needs_approval");
          }
        }
        recovery_dirty_ = true;
      } else if (change->what == CaseChange::What::kSeverity) {
        escalator_.raise(c->id, c->severity);
        plan_case(c->id, now, false);
        c = cases_.find(change->case_id);
        recovery_dirty_ = true;
      }
      store_->stage_case(*c);
      to_publish_.insert(c->id);
      if (c->status == CaseStatus::kClosed) {
        engine_.on_case_closed(c->id);
        escalator_.close(c->id);
        recovery_dirty_ = true;
      }
    }
    metrics_.cases_open.set(static_cast<double>(cases_.open_count()));
    arm_deadline(out.next_deadline ? out.next_deadline : engine_.next_deadline());
    arm_escalation();
  }

  // The recovery policy's view of a new case: who the guest is, why in plain words, the plan
  // and who must approve it; and, only where the venue allowed it, the plan carried out at once.
  // `first`: the case just opened. Later calls (its severity rose) re-plan it while nobody has
  // decided on it yet, so a wait that became critical gets a critical wait's plan.
  void plan_case(const std::string& id, Now now, bool first) {
    const Case* c = cases_.find(id);
    if (c == nullptr) return;
    if (!first && (!c->decisions.empty() || c->automatic ||
                   (c->status != CaseStatus::kOpen && c->status != CaseStatus::kAcknowledged &&
                    c->status != CaseStatus::kAwaitingApproval))) {
      return;
    }
    const Millis offset = utc_offset(now.wall);
    const GuestProfile guest = guests_.profile_for(c->subject);
    Plan plan = recommend(recovery_.policy, *c, guest, config_.venue.name, offset, now.wall);
    std::vector<CaseAction> actions;
    for (const auto& a : plan.actions) {
      actions.push_back(CaseAction{std::string(action_type_name(a.type)), a.value, a.text});
    }
    cases_.annotate(
        id, to_recommendation(plan), explain(*c, guest, offset, now.wall),
        GuestSummary{guest.id, guest.name, std::string(guest_tier_name(guest.tier)), guest.visits},
        std::move(actions), plan.compensation);
    if (!first) return;
    guests_.on_case_opened(*cases_.find(id));
    guests_dirty_ = true;
    if (!decide_automatic(recovery_.policy, *cases_.find(id), plan, ledger_, now.wall, offset)) {
      return;
    }
    auto r = cases_.decide(id, Verdict::kApprove, "automatic: the venue's policy allows it",
                           std::nullopt, kSystemActor, now.wall);
    if (std::holds_alternative<CaseRefusal>(r)) return;
    cases_.mark_automatic(id);
    ledger_.spend(id, plan.compensation, true, now.wall, offset);
    json::Object detail;
    detail.append("compensation", plan.compensation);
    store_->stage_audit(AuditRecord{now.wall, kSystemActor.id, kSystemActor.role, "case.automatic",
                                    id, json::Value(std::move(detail))});
    budget_changed_ = true;
    spdlog::info("case {}: carried out automatically ({} compensation)", id, plan.compensation);
  }

  // The till and the guests answer back: a voucher redeemed, a survey about a recovery.
  void link_recovery(const Event& e) {
    std::optional<CaseChange> change;
    const Evidence ev{e.id, std::string(event_type_name(e.type)), e.ts, ""};
    if (const auto* v = e.as<VoucherRedeemed>()) {
      change = cases_.voucher_redeemed(v->voucher, ev, v->check);
    } else if (const auto* sv = e.as<SurveyAnswered>(); sv != nullptr && !sv->case_id.empty()) {
      change = cases_.survey_answered(sv->case_id, sv->score, ev);
    }
    if (!change) return;
    if (const Case* c = cases_.find(change->case_id)) {
      store_->stage_case(*c);
      to_publish_.insert(c->id);
    }
  }

  // One person (role) must hear of a case: MQTT for the venue's other systems, the outbox for
  // a manager away from the venue, the live feed for the tablets.
  void notify(const Notification& n, std::string_view event = {}) {
    const Case* c = cases_.find(n.case_id);
    if (c == nullptr) return;
    const Now now = read_clock();
    json::Object a;
    a.append("case", c->id);
    a.append("event", !event.empty()              ? std::string(event)
                      : n.stage == 0 && !n.repeat ? std::string("opened")
                                                  : std::string("escalated"));
    a.append("role", n.role);
    a.append("stage", static_cast<std::int64_t>(n.stage));
    a.append("repeat", n.repeat);
    a.append("reason", n.reason);
    a.append("kind", std::string(case_kind_name(c->kind)));
    a.append("severity", std::string(severity_name(n.severity)));
    a.append("subject", subject_to_json(c->subject));
    a.append("text", c->explanation.empty() ? c->reason : c->explanation);
    a.append("recommendation", c->recommendation.text);
    a.append("needs_approval_by", c->recommendation.needs_approval_by);
    a.append("at", format_rfc3339(now.wall));
    json::Value alert(std::move(a));
    std::string payload = json::dump(alert);
    const std::string topic = "venue/" + config_.venue.id + "/mend/alerts";
    // The cloud link picks alerts up from the outbox, for a manager who is not in the venue.
    store_->stage_outbox(topic, payload, now.wall);
    alerts_.emplace_back(topic, std::move(payload));
    live_alerts_.push_back(std::move(alert));
  }

  void arm_escalation() {
    const auto due = escalator_.next_deadline();
    if (!due) {
      escalation_timer_.cancel();
      armed_escalation_.reset();
      return;
    }
    if (armed_escalation_ && *armed_escalation_ == *due) return;
    armed_escalation_ = due;
    escalation_timer_.expires_after(std::max(Millis{0}, *due - read_clock().mono));
    escalation_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      armed_escalation_.reset();
      for (const auto& n : escalator_.on_tick(read_clock().mono)) notify(n);
      recovery_dirty_ = true;
      arm_escalation();
      schedule_commit();
    });
  }

  json::Value budget_json() {
    const Now now = read_clock();
    const auto st = ledger_.status(now.wall, utc_offset(now.wall));
    json::Object o;
    o.append("shift_start", format_rfc3339(st.shift_start));
    o.append("shift_end", format_rfc3339(st.shift_end));
    o.append("budget", st.budget);
    o.append("spent", st.spent);
    o.append("remaining", st.remaining);
    o.append("auto_budget", st.auto_budget);
    o.append("auto_spent", st.auto_spent);
    json::Object limits;
    for (const auto& [role, limit] : recovery_.policy.per_case_limit) {
      if (role != "admin") limits.append(role, limit);
    }
    o.append("limits", std::move(limits));
    o.append("currency", config_.venue.currency);
    return o;
  }

  // ---- time --------------------------------------------------------------------------------

  void arm_deadline(std::optional<MonoTime> deadline) {
    if (!deadline) {
      deadline_timer_.cancel();
      armed_deadline_.reset();
      return;
    }
    if (armed_deadline_ && *armed_deadline_ == *deadline) return;
    armed_deadline_ = deadline;
    const Millis wait = std::max(Millis{0}, *deadline - read_clock().mono);
    deadline_timer_.expires_after(wait);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      armed_deadline_.reset();
      engine_dirty_ = true;
      apply(engine_.on_tick(read_clock()));
      schedule_commit();
    });
  }

  // ---- commit ------------------------------------------------------------------------------

  // Bounded batch, bounded delay: commit now when the batch is full, else within the interval.
  void schedule_commit() {
    if (store_->staged_count() >= static_cast<std::size_t>(config_.store.commit_batch)) {
      commit();
      return;
    }
    if (commit_armed_ || (store_->staged_count() == 0 && !engine_dirty_)) return;
    commit_armed_ = true;
    commit_timer_.expires_after(config_.store.commit_interval);
    // A cancelled wait must not touch commit_armed_: by then it may describe a newer wait.
    commit_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      commit_armed_ = false;
      commit();
    });
  }

  void commit() {
    if (engine_dirty_) {
      store_->stage_engine_state(json::dump(engine_.export_state(read_clock()).data));
      engine_dirty_ = false;
    }
    stage_recovery_state(false);
    if (store_->staged_count() == 0) return;
    try {
      store_->commit();
    } catch (const std::exception& e) {
      // Staged work stays staged; the next tick tries again. Nothing is released or published.
      metrics_.store_commit_failures.inc();
      spdlog::error("store commit failed, will retry: {}", e.what());
      engine_dirty_ = true;
      schedule_commit();
      return;
    }
    metrics_.store_commits.inc();
    const MonoTime done = read_clock().mono;
    for (MonoTime arrived : batch_arrivals_) {
      metrics_.ingest_commit_seconds.observe(std::chrono::duration<double>(done - arrived).count());
    }
    batch_arrivals_.clear();
    if (batch_seq_ > 0) link_->release(batch_seq_);
    for (const auto& id : to_publish_) {
      if (const Case* c = cases_.find(id)) {
        publish_case(*c);
        if (hub_) hub_->publish("case", case_to_json(*c));
      }
    }
    to_publish_.clear();
    publish_floor();
    for (const auto& [topic, payload] : alerts_) link_->publish(topic, payload, false);
    alerts_.clear();
    if (hub_) {
      for (const auto& a : live_alerts_) hub_->publish("alert", a);
      if (budget_changed_) hub_->publish("budget", budget_json());
    }
    live_alerts_.clear();
    budget_changed_ = false;
    try {
      metrics_.outbox_depth.set(static_cast<double>(store_->outbox_depth()));
    } catch (const std::exception& e) {
      spdlog::warn("store: cannot read the outbox depth: {}", e.what());
    }
    // Everything staged is in: the pending tick has nothing left to do. Clearing the flag now
    // (not in the cancelled handler) lets the next message arm a fresh tick at once; without
    // that, events staged before the cancellation ran sat uncommitted until some other wake-up.
    if (commit_armed_) {
      commit_timer_.cancel();
      commit_armed_ = false;
    }
  }

  // The escalation ladders and the shift's spending are small and written with the batch; the
  // guest book at most once a minute (and at shutdown, `force`).
  void stage_recovery_state(bool force) {
    const Now now = read_clock();
    if (recovery_dirty_) {
      store_->stage_meta("escalation", json::dump(escalator_.export_state(now)));
      store_->stage_meta("ledger", json::dump(ledger_.export_state()));
      recovery_dirty_ = false;
    }
    if (guests_dirty_ && (force || now.mono - guests_saved_ >= kGuestSaveEvery)) {
      store_->stage_meta("guests", json::dump(guests_.export_state()));
      guests_dirty_ = false;
      guests_saved_ = now.mono;
    }
  }

  void publish_case(const Case& c) {
    const std::string topic = "venue/" + config_.venue.id + "/mend/cases/" + c.id;
    // A closed case leaves the retained topic: an empty retained payload deletes it.
    link_->publish(
        topic, c.status == CaseStatus::kClosed ? std::string() : json::dump(case_to_json(c)), true);
  }

  bool store_writable() {
    const MonoTime now = read_clock().mono;
    if (now - writable_checked_ >= 1s) {
      writable_ = store_->writable();
      writable_checked_ = now;
    }
    return writable_;
  }

  // ---- housekeeping, signals, watchdog ------------------------------------------------------

  void arm_housekeeping() {
    housekeeping_timer_.expires_after(kHousekeepingEvery);
    housekeeping_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      const Now now = read_clock();
      try {
        const std::size_t pruned =
            store_->prune_events(now.wall - config_.store.event_retention, kPruneChunk);
        if (pruned > 0) spdlog::info("retention: pruned {} raw events", pruned);
      } catch (const std::exception& e) {
        spdlog::error("retention: pruning failed, will retry: {}", e.what());
      }
      for (const auto& id : cases_.close_settled(now.wall - kKeepResolvedCases,
                                                 now.wall - kKeepUnredeemedVouchers, now.wall)) {
        if (const Case* c = cases_.find(id)) {
          store_->stage_case(*c);
          to_publish_.insert(id);  // an empty retained payload clears its topic
        }
      }
      cases_.forget_closed(now.wall - kKeepClosedCases);
      notify_due_follow_ups(now);
      arm_housekeeping();
      schedule_commit();
    });
  }

  void arm_watchdog() {
    const auto interval = systemd::watchdog_interval();
    if (!interval) return;
    watchdog_timer_.expires_after(*interval / 2);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      systemd::notify_watchdog();
      arm_watchdog();
    });
  }

  void arm_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: draining and stopping", sig);
      shutdown();
    });
    arm_hup();
  }
  void arm_hup() {
    hup_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      reload();
      arm_hup();
    });
  }

  // Parse, validate, then swap; the old config stays on any error.
  void reload() {
    const ConfigResult r = load_config_file(config_path_);
    if (!r.config) {
      for (const auto& e : r.errors) spdlog::error("reload: {}", e.to_string());
      spdlog::error("reload: keeping the running config");
      return;
    }
    const Config& next = *r.config;
    if (next.venue.id != config_.venue.id || next.mqtt.host != config_.mqtt.host ||
        next.mqtt.port != config_.mqtt.port || next.store.path != config_.store.path ||
        next.http.listen != config_.http.listen || next.http.port != config_.http.port) {
      spdlog::warn("reload: venue, broker, store and http changes take effect at the next start");
    }
    engine_.update_settings(DetectionSettings::from(next));
    recovery_ = recovery_settings(next);
    guests_.update_settings(recovery_.guests);
    escalator_.update_config(recovery_.escalation);
    ledger_.update_policy(recovery_.policy);
    config_.policy = next.policy;
    config_.escalation = next.escalation;
    config_.guests = next.guests;
    config_.rules = next.rules;
    arm_escalation();
    codec_.default_currency = next.venue.currency;
    codec_.future_tolerance = next.detect.future_tolerance;
    config_.detect = next.detect;
    config_.devices = next.devices;
    config_.areas = next.areas;
    config_.store.commit_interval = next.store.commit_interval;
    config_.store.commit_batch = next.store.commit_batch;
    config_.store.event_retention = next.store.event_retention;
    config_.log = next.log;
    spdlog::set_level(spdlog::level::from_str(next.log.level));
    spdlog::info("reload: {} applied", config_path_);
  }

  // Stop taking messages, let those already handed over run (they are queued on the executor
  // ahead of the final step), commit, and leave.
  void shutdown() {
    if (stopping_) return;
    stopping_ = true;
    systemd::notify_stopping();
    if (http_) http_->stop();
    if (local_http_) local_http_->stop();
    link_->stop(2s);
    asio::post(io_, [this] {
      stage_recovery_state(true);
      commit();
      deadline_timer_.cancel();
      commit_timer_.cancel();
      housekeeping_timer_.cancel();
      watchdog_timer_.cancel();
      escalation_timer_.cancel();
      hup_.cancel();
      spdlog::info("stopped: everything received is committed");
      io_.stop();
    });
  }

  Config config_;
  std::string config_path_;
  CodecOptions codec_;
  Engine engine_;
  RecoverySettings recovery_;
  GuestBook guests_;
  Escalator escalator_;
  ShiftLedger ledger_;
  CaseBook cases_;
  Metrics metrics_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::signal_set hup_;
  asio::steady_timer deadline_timer_;
  asio::steady_timer commit_timer_;
  asio::steady_timer housekeeping_timer_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer escalation_timer_;
  std::optional<MonoTime> armed_escalation_;
  bool recovery_dirty_ = false;
  bool guests_dirty_ = false;
  bool budget_changed_ = false;
  MonoTime guests_saved_{};
  std::vector<json::Value> live_alerts_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<MqttLink> link_;
  std::unique_ptr<auth::Users> users_;
  std::unique_ptr<auth::SetupCode> setup_code_;
  std::unique_ptr<web::ApiContext> api_;
  std::unique_ptr<web::App> app_;
  std::shared_ptr<web::LiveHub> hub_;
  std::unique_ptr<web::Server> http_;
  std::unique_ptr<web::Server> local_http_;
  std::string last_floor_;

  std::optional<MonoTime> armed_deadline_;
  bool commit_armed_ = false;
  bool engine_dirty_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
  std::uint64_t batch_seq_ = 0;
  std::vector<MonoTime> batch_arrivals_;
  std::set<std::string> to_publish_;
  std::vector<std::pair<std::string, std::string>> alerts_;
  MonoTime last_refusal_log_{};
  std::uint64_t refusals_since_log_ = 0;
  MonoTime writable_checked_{};
  bool writable_ = false;
};

}  // namespace

int run_daemon(const Config& config, const std::string& config_path) {
  Daemon d(config, config_path);
  return d.run();
}

}  // namespace mend
