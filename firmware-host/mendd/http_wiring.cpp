// The tablet's server: the listeners, the box's certificate, and what the handlers may call.
// A person's action goes to the recovery service like any other input; its effects are
// committed before the answer goes back, so "done" on the tablet means on disk.
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <tuple>

#include "adapters/auth/setup_code.hpp"
#include "adapters/auth/users.hpp"
#include "adapters/push/subscriptions.hpp"
#include "adapters/store/store.hpp"
#include "adapters/tls/device_certificate.hpp"
#include "firmware-host/mendd/daemon.hpp"
#include "web/api.hpp"
#include "web/app.hpp"
#include "web/live_hub.hpp"
#include "web/server.hpp"

namespace mend {
namespace {

// The model page lists this many versions, newest first.
constexpr std::size_t kModelVersionsShown = 20;

// The names and addresses a tablet may use to reach this box, for the certificate: the host
// name, host.local (mDNS on the venue's LAN) and the current non-loopback IPv4 addresses (IPv6
// addresses on a venue LAN are mostly temporary: the names cover them).
tls::CertificateRequest certificate_request() {
  tls::CertificateRequest r;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0 && host[0] != '\0') {
    r.names.emplace_back(host.data());
    r.names.push_back(std::string(host.data()) + ".local");
  }
  r.names.emplace_back("localhost");
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return r;
  for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    std::array<char, INET6_ADDRSTRLEN> text{};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);  // NOLINT
    ::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size());
    std::string ip = text.data();
    if (!ip.empty() && std::find(r.ips.begin(), r.ips.end(), ip) == r.ips.end()) {
      r.ips.push_back(std::move(ip));
    }
  }
  ::freeifaddrs(list);
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

// Plain HTTP only where nobody else can listen in: the box's own loopback.
bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1";
}

}  // namespace

// A guest's export: the store's cases and events, with the newer copies of the cases in
// memory; the export itself is audited (guest.export), since it hands personal data out.
web::GuestHistory Daemon::guest_history(const std::string& guest, const Actor& by) {
  web::GuestHistory h;
  std::map<std::string, Case> cases;
  try {
    for (Case& c : store_->guest_cases(guest)) cases[c.id] = std::move(c);
    h.events = store_->guest_events(guest);
  } catch (const std::exception& e) {
    spdlog::error("guest export: cannot read the store ({}); it has the cases in memory only",
                  e.what());
  }
  for (const Case* c : service_.cases().list(CaseFilter{})) {
    if (c->subject.customer == guest || c->guest.id == guest) cases[c->id] = *c;
  }
  for (auto& [id, c] : cases) h.cases.push_back(std::move(c));
  std::sort(h.cases.begin(), h.cases.end(), [](const Case& a, const Case& b) {
    return std::tie(a.opened_at, a.id) < std::tie(b.opened_at, b.id);
  });
  const Now now = clock_.now();
  json::Object detail;
  detail.append("cases", static_cast<std::int64_t>(h.cases.size()));
  detail.append("events", static_cast<std::int64_t>(h.events.size()));
  const GuestRecord* r = service_.guests().record(guest);
  store_->stage_audit(AuditRecord{now.wall, by.id, by.role, "guest.export",
                                  r != nullptr ? r->ref : std::string(),
                                  json::Value(std::move(detail))});
  schedule_commit();
  return h;
}

ActionEffects Daemon::carry_out(const std::function<ActionEffects(Now)>& change) {
  // Read-only while nothing can be saved: "done" on the tablet must mean on disk.
  if (unwritable_) return ActionRefusal{ActionRefusal::Code::kReadOnly, read_only_reason(), {}};
  const Now now = clock_.now();
  ActionEffects r = change(now);
  if (const auto* fx = std::get_if<Effects>(&r)) {
    apply(*fx, now);
    commit();
  }
  return r;
}

void Daemon::start_http() {
  api_ = std::make_unique<web::ApiContext>(
      web::ApiContext{service_.cases(), metrics_, [this] { return link_ && link_->connected(); },
                      [this] { return store_writable(); }, config_.venue.id, MEND_VERSION,
                      [this] { return unwritable_ ? read_only_reason() : std::string(); },
                      [this] { return cloud_state(clock_.now()); }});
  web::HandlerContext ctx{
      *api_,
      service_.cases(),
      *users_,
      *store_,
      [this] { return service_.tables(); },
      [this] { return clock_.now(); },
      [this](const PersonAction& a) -> web::ActionResult {
        ActionEffects r = carry_out([&](Now now) { return service_.act(a, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        spdlog::info("case {}: {} by {}", a.case_id, person_action_name(a), a.by.id);
        return *service_.cases().find(a.case_id);
      },
      [this] { return service_.budget(clock_.now()); },
      [this]() -> auth::SetupGate* { return setup_code_.get(); },
      [this] { setup_code_.reset(); },
      config_.http.ui_dir,
      read_openapi(config_.http.ui_dir),
      subscriptions_.get(),
      [this] { return service_.employees(); },
      [this](WallTime since) { return store_->load_cases_opened_since(since); },
      [this](const EmployeeChange& ch) -> web::EmployeeResult {
        ActionEffects r = carry_out([&](Now now) { return service_.change_employee(ch, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        spdlog::info("employee {} changed by {}", employee_name(ch.employee), ch.by.id);
        return service_.employees();
      },
      [this](const CaseReport& report) -> web::ActionResult {
        ActionEffects r = carry_out([&](Now now) { return service_.report(report, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        const std::string& id = std::get<Effects>(r).opened.front();
        spdlog::info("case {}: opened by {}", id, report.by.id);
        return *service_.cases().find(id);
      },
      local_utc_offset,
      [this] { return service_.learning(); },
      [this](const SuggestionDecision& d) -> web::LearningResult {
        ActionEffects r = carry_out([&](Now now) { return service_.decide_suggestion(d, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        spdlog::info("suggestion {} {} by {}", d.suggestion.id, d.accept ? "accepted" : "dismissed",
                     d.by.id);
        return *service_.learning().find(d.suggestion.id);
      },
      [this](std::int64_t task, const Actor& by) -> web::LearningResult {
        ActionEffects r = carry_out([&](Now now) { return service_.finish_task(task, by, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        spdlog::info("task {} done by {}", task, by.id);
        return *service_.learning().task(task);
      },
      [this]() -> const GuestBook* { return &service_.guests(); },
      [this](const web::GuestChange& ch) -> web::GuestResult {
        ActionEffects r = carry_out([&](Now now) {
          return ch.note ? service_.note_guest(ch.guest, *ch.note, ch.by, ch.by_name, now)
                         : service_.edit_guest(ch.guest, ch.edit.value_or(GuestEdit{}), ch.by,
                                               ch.by_name, now);
        });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        const GuestRecord* g = service_.guests().record(ch.guest);
        spdlog::info("guest {} {} by {}", g->ref, ch.note ? "noted" : "edited", ch.by.id);
        return *g;
      },
      [this](const std::string& guest, const Actor& by) -> web::EraseResult {
        ActionEffects r = carry_out([&](Now now) { return service_.erase_guest(guest, by, now); });
        if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
        const GuestErasure& done = *std::get<Effects>(r).erasure;
        spdlog::info("guest {} erased by {}", done.ref, by.id);
        GuestErasure names;  // who the guest is now, and nothing of who they were
        names.ref = done.ref;
        names.pseudonym = done.pseudonym;
        return names;
      },
      [this](const std::string& guest, const Actor& by) { return guest_history(guest, by); },
      [this](std::optional<bool> next) { return service_.briefing(clock_.now(), next); }};
  ctx.ledger_rows = [this](const std::string& person, const std::string& guest) {
    return store_->ledger_rows(person, guest);
  };
  ctx.contributions = [this] { return &service_.contributions(); };
  ctx.risks = [this] { return &service_.risks(); };
  ctx.risk_model = [this] {
    web::RiskModelView view;
    view.model = service_.model() ? &*service_.model() : nullptr;
    view.off_reason = service_.model_off_reason();
    for (const ModelRow& r : store_->model_rows(kModelVersionsShown)) {
      view.versions.push_back(risk::ModelVersion{r.version, r.trained_at, r.promoted, r.note});
    }
    return view;
  };
  ctx.ledger_act = [this](const web::LedgerAct& a) -> web::LedgerResult {
    ActionEffects r = carry_out([&](Now now) {
      switch (a.kind) {
        case web::LedgerAct::Kind::kCountersign:
          return service_.countersign_entry(a.seq, a.by, now);
        case web::LedgerAct::Kind::kCorrect:
          return service_.correct_entry(a.seq, a.reason, a.by, now);
        case web::LedgerAct::Kind::kTraining:
          return service_.confirm_training(a.person, a.what, a.by, now);
      }
      return ActionEffects{ActionRefusal{ActionRefusal::Code::kInvalid, "unknown act", {}}};
    });
    if (auto* no = std::get_if<ActionRefusal>(&r)) return std::move(*no);
    // carry_out committed it: the entry is in the store, and Effects kept a copy.
    const LedgerEntry& e = std::get<Effects>(r).ledger.front();
    spdlog::info("ledger: entry {} ({}) by {}", e.seq, ledger_kind_name(e.kind), a.by.id);
    return e;
  };
  ctx.currency = config_.venue.currency;
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
    local_http_ =
        std::make_unique<web::Server>(io_, options("127.0.0.1", config_.http.local_port), handler);
    local_http_->start();
    spdlog::info("http: listening on http://127.0.0.1:{} (this box only)", local_http_->port());
  }
}

}  // namespace mend
