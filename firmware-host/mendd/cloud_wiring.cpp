// The cloud link's wiring: what goes into the outbox, and the link that empties it. With
// [cloud] off nothing is kept for it (the outbox would only grow).
#include <spdlog/spdlog.h>

#include <map>

#include "adapters/cloud/cloud_link.hpp"
#include "adapters/store/store.hpp"
#include "core/cloud_config.hpp"
#include "core/daily_summary.hpp"
#include "core/disk_budget.hpp"
#include "core/guest_messages.hpp"
#include "core/insights.hpp"
#include "core/topics.hpp"
#include "core/words.hpp"
#include "firmware-host/config_file.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {
namespace {

OutboxCaps caps_of(const CloudConfig& c) {
  const auto bytes = parse_space_amount(c.outbox_bytes);  // checked when the config was read
  return OutboxCaps{static_cast<std::size_t>(c.outbox_rows), bytes ? bytes->bytes : 0,
                    c.outbox_age};
}

std::string drops_words(const OutboxDrops& d) {
  return words::plural(static_cast<std::int64_t>(d.total()), "unsent message", "unsent messages") +
         " (" + std::to_string(d.telemetry) + " raw events, " + std::to_string(d.records) +
         " cases, alerts and audit entries)";
}

}  // namespace

void Daemon::start_cloud() {
  if (!config_.cloud.enabled) return;
  CloudLink::Handlers h;
  h.read = [this](std::int64_t after, std::size_t limit) -> std::vector<OutboxRow> {
    try {
      return store_->outbox_after(after, limit);
    } catch (const std::exception& e) {
      spdlog::error("cloud: cannot read the outbox: {}", e.what());
      return {};
    }
  };
  h.acked = [this](std::int64_t id) {
    store_->stage_outbox_delete(id);
    schedule_commit();
  };
  h.on_state = [this](bool up, const std::string& why) {
    metrics_.cloud_connected.set(up ? 1 : 0);
    if (up) {
      spdlog::info("cloud {}: connected; sending the outbox", config_.cloud.url);
    } else {
      spdlog::warn("cloud {}: {}; reconnecting", config_.cloud.url, why);
    }
  };
  h.config = [this](const std::string& payload) { on_cloud_config(payload, clock_.now()); };
  h.receipt = [this](const std::string& payload) { on_receipt(payload, clock_.now()); };
  // Every audit entry, the service's and the tablet's (sign-in, accounts), goes out with the
  // transaction that writes it.
  store_->copy_audit_to_outbox(topics::audit(config_.venue.id));
  cloud_ = std::make_unique<CloudLink>(io_, config_.cloud, config_.venue.id, std::move(h));
  cloud_->start();
}

void Daemon::stage_for_cloud(const Effects& fx, Now now) {
  if (!cloud_) return;
  for (const auto& o : fx.outbox) store_->stage_outbox(o.topic, o.payload, now.wall);
  for (const auto& id : fx.cases) {
    if (const Case* c = service_.cases().find(id)) {
      store_->stage_outbox(topics::case_state(config_.venue.id, id), json::dump(case_to_json(*c)),
                           now.wall);
    }
  }
  for (const auto& day : fx.summaries) stage_summary(day, now);
}

// The cases opened since `from`: the store's, with the service's newer copies (changes not
// committed yet) over them.
std::vector<Case> Daemon::cases_opened_since(WallTime from, std::string_view why) {
  std::map<std::string, Case> by_id;
  try {
    for (auto& c : store_->load_cases_opened_since(from)) by_id[c.id] = std::move(c);
  } catch (const std::exception& e) {
    spdlog::error("cloud: {} cannot read the store ({}); it counts only the cases in memory", why,
                  e.what());
  }
  CaseFilter f;
  f.opened_since = from;
  for (const Case* c : service_.cases().list(f)) by_id[c->id] = *c;
  std::vector<Case> cases;
  cases.reserve(by_id.size());
  for (auto& [id, c] : by_id) cases.push_back(std::move(c));
  return cases;
}

// A venue day's summary; after a Sunday's, the week's report too (Monday's venue day start to
// the next Monday's).
void Daemon::stage_summary(const SummaryDay& day, Now now) {
  const std::string why = "the summary of " + day.day;
  store_->stage_outbox(
      topics::daily_summary(config_.venue.id),
      json::dump(daily_summary(day, cases_opened_since(day.from, why), config_.venue.currency)),
      now.wall);
  spdlog::info("cloud: the summary of {} is in the outbox", day.day);
  // The ledger's head as committed at the day's end: the cloud's copy makes a later rewrite of
  // the chain on the box detectable (docs/ledger.md).
  if (auto head = store_->ledger_head()) {
    json::Object o;
    o.append("day", day.day);
    o.append("seq", head->first);
    o.append("hash", head->second);
    o.append("at", format_rfc3339(now.wall));
    store_->stage_outbox(topics::ledger_head(config_.venue.id),
                         json::dump(json::Value(std::move(o))), now.wall);
  }
  if (!ends_week(day)) return;
  InsightsQuery week;
  week.from = day.to - std::chrono::days(7);
  week.to = day.to;
  week.period_words = "in the week of " + monday_of_week(day);
  json::Object report =
      weekly_report(week, monday_of_week(day), cases_opened_since(insights_reads_from(week), why),
                    service_.employees(), local_utc_offset);
  report.append("currency", config_.venue.currency);
  store_->stage_outbox(topics::weekly_report(config_.venue.id),
                       json::dump(json::Value(std::move(report))), now.wall);
  spdlog::info("cloud: the report of the week of {} is in the outbox", monday_of_week(day));
}

void Daemon::stage_event_for_cloud(const Event& e, Now now) {
  if (!cloud_ || !config_.cloud.events) return;
  store_->stage_outbox(topics::events(config_.venue.id), json::dump(event_to_json(e)), now.wall);
}

// After each commit: the outbox kept within its limits. What is given up is counted in /metrics,
// logged once when a burst of drops starts and once when the outbox has room again, and told
// to the manager as one cloud.outbox_full case for the burst.
void Daemon::check_outbox(Now now) {
  const OutboxCaps caps = caps_of(config_.cloud);
  OutboxUsage usage;
  OutboxDrops dropped;
  try {
    usage = store_->outbox_usage();
    if (over_caps(usage, caps, now.wall)) {
      dropped = store_->trim_outbox(caps, now.wall);
      usage = store_->outbox_usage();
    }
  } catch (const std::exception& e) {
    spdlog::warn("cloud: cannot keep the outbox within its limits: {}", e.what());
    return;
  }
  metrics_.outbox_depth.set(static_cast<double>(usage.rows));
  metrics_.outbox_bytes.set(static_cast<double>(usage.bytes));
  metrics_.outbox_oldest_seconds.set(
      usage.oldest ? std::chrono::duration<double>(now.wall - *usage.oldest).count() : 0.0);
  metrics_.cloud_dropped_telemetry.inc(static_cast<double>(dropped.telemetry));
  metrics_.cloud_dropped_records.inc(static_cast<double>(dropped.records));
  outbox_dropped_.telemetry += dropped.telemetry;
  outbox_dropped_.records += dropped.records;

  const std::string limits = "cloud.outbox_rows " + std::to_string(config_.cloud.outbox_rows) +
                             ", outbox_bytes " + config_.cloud.outbox_bytes + ", outbox_age " +
                             words::duration(config_.cloud.outbox_age);
  if (dropped.total() > 0 && !outbox_full_) {
    outbox_full_ = true;
    outbox_told_ = true;
    const std::string detail =
        "The box has not reached the cloud for long enough that its outbox is at its limit (" +
        limits + "): it gave up " + drops_words(dropped) +
        " so far, raw events first. The venue's own work is not affected; check the box's "
        "internet connection or call your installer.";
    spdlog::warn("cloud: outbox full, giving up the oldest unsent messages ({}): {} so far", limits,
                 drops_words(dropped));
    apply(service_.on_health(HealthReport{CaseKind::kCloudOutboxFull, true, detail}, now), now);
  } else if ((outbox_full_ || !outbox_told_) && dropped.total() == 0 && has_room(usage, caps)) {
    const bool was_full = outbox_full_;
    outbox_full_ = false;
    outbox_told_ = true;
    const std::string detail = was_full
                                   ? "The outbox has room again; " + drops_words(outbox_dropped_) +
                                         " were given up while it was full."
                                   : "The outbox has room.";
    if (was_full)
      spdlog::info("cloud: outbox has room again; {} were given up", drops_words(outbox_dropped_));
    outbox_dropped_ = {};
    apply(service_.on_health(HealthReport{CaseKind::kCloudOutboxFull, false, detail}, now), now);
  }
}

// The link as /readyz and the tablet show it: never a reason for "not ready" (the venue works
// without the cloud), but honest about how far behind it is.
json::Value Daemon::cloud_state(Now now) {
  json::Object o;
  o.append("enabled", config_.cloud.enabled);
  if (!cloud_) return json::Value(std::move(o));
  const CloudLink::Status st = cloud_->status();
  o.append("connected", st.connected);
  try {
    const OutboxUsage u = store_->outbox_usage();
    o.append("unsent", static_cast<std::int64_t>(u.rows));
    o.append("unsent_bytes", static_cast<std::int64_t>(u.bytes));
    if (u.oldest) {
      o.append("oldest_unsent_seconds",
               std::chrono::duration_cast<std::chrono::seconds>(now.wall - *u.oldest).count());
    }
  } catch (const std::exception& e) {
    spdlog::warn("cloud: cannot read the outbox: {}", e.what());
  }
  if (st.last_ack) o.append("last_acknowledged", format_rfc3339(*st.last_ack));
  o.append("outbox_full", outbox_full_);
  if (cloud_config_) o.append("config_version", cloud_config_->version);
  return json::Value(std::move(o));
}

// A delivery receipt from the venue's messaging integration: kept on the case it names. One
// that cannot be read, or names a message the box never sent, is refused and kept as a dead
// letter with its reason, like a bad payload from the venue's own systems.
void Daemon::on_receipt(const std::string& payload, Now now) {
  const std::string topic = topics::cloud_receipts(config_.cloud.group, config_.venue.id);
  auto read = read_message_receipt(payload, now.wall);
  std::string why;
  if (auto* r = std::get_if<MessageReceipt>(&read)) {
    ActionEffects done = service_.on_receipt(*r, now);
    if (auto* fx = std::get_if<Effects>(&done)) {
      if (!fx->cases.empty()) {
        spdlog::info("cloud: message {} for case {} {}", r->message_id, r->case_id,
                     r->delivered ? "delivered" : "not delivered: " + r->detail);
      }
      apply(std::move(*fx), now);
      return;
    }
    why = std::get<ActionRefusal>(done).message;
  } else {
    why = std::get<std::string>(read);
  }
  spdlog::warn("cloud: refused a delivery receipt: {}", why);
  store_->stage_dead_letter(topic, payload, Refusal{RefusalReason::kInvalidValue, "", why},
                            now.wall);
  metrics_.dead_letters.inc();
  schedule_commit();
}

// ---- configuration from the cloud ------------------------------------------------------------

namespace {
constexpr std::string_view kCloudConfigMeta = "cloud_config";
}  // namespace

// The last good document, kept in the store, goes over the file again at start, so a box that
// restarts without the cloud runs as it did. With [cloud] off the box runs on its file alone.
void Daemon::restore_cloud_config() {
  if (!config_.cloud.enabled) return;
  const std::optional<std::string> kept = store_->meta(kCloudConfigMeta);
  if (!kept) return;
  const CloudConfigRead read = read_cloud_config(*kept);
  if (!read.doc) {
    spdlog::error("cloud config: the kept document is unreadable ({}); running on {} alone",
                  read.error, config_path_);
    return;
  }
  const std::string name = cloud_config_name(read.doc->version);
  const ConfigResult r = load_config_file(config_path_, read.doc->toml, name);
  if (!r.config) {
    for (const auto& e : r.errors) spdlog::error("cloud config: {}", e.to_string());
    spdlog::error(
        "cloud config: {} no longer fits {}; running on the file alone until the "
        "cloud sends a version that does",
        name, config_path_);
    return;
  }
  apply_config(*r.config);
  cloud_config_ = read.doc;
  spdlog::info("cloud config: {} applied over {} (kept from before)", name, config_path_);
}

// A document from the cloud: checked with the file's schema and applied through the reload path
// only if all of it is valid; then kept in the store, audited and answered, in one commit. An
// invalid or older document changes nothing and is answered with its errors.
void Daemon::on_cloud_config(const std::string& payload, Now now) {
  const CloudConfigRead read = read_cloud_config(payload);
  if (!read.doc) {
    spdlog::error("cloud config: refused: {}", read.error);
    answer_cloud_config(read.version, {read.error}, now);
    return;
  }
  const CloudConfigDoc& doc = *read.doc;
  const std::string name = cloud_config_name(doc.version);
  const std::optional<std::int64_t> applied =
      cloud_config_ ? std::optional(cloud_config_->version) : std::nullopt;
  switch (cloud_config_step(doc.version, applied)) {
    case CloudConfigStep::kAlreadyApplied: return;
    case CloudConfigStep::kOlder: {
      const std::string why =
          name + " is older than the applied version " + std::to_string(*applied);
      spdlog::error("cloud config: refused: {}", why);
      answer_cloud_config(doc.version, {why}, now);
      return;
    }
    case CloudConfigStep::kApply: break;
  }
  const ConfigResult r = load_config_file(config_path_, doc.toml, name);
  if (!r.config) {
    std::vector<std::string> errors;
    for (const auto& e : r.errors) {
      errors.push_back(e.to_string());
      spdlog::error("cloud config: {}", errors.back());
    }
    spdlog::error("cloud config: {} refused; keeping the running config", name);
    answer_cloud_config(doc.version, errors, now);
    return;
  }
  apply_config(*r.config);
  json::Object detail;
  detail.append("version", doc.version);
  if (applied) detail.append("replaces", *applied);
  json::Array sections;
  for (auto& section : config_sections(doc.toml)) sections.emplace_back(std::move(section));
  detail.append("sections", std::move(sections));
  store_->stage_audit(AuditRecord{now.wall, "cloud", "system", "config.cloud_applied",
                                  config_.cloud.group, json::Value(std::move(detail))});
  store_->stage_meta(std::string(kCloudConfigMeta), cloud_config_text(doc));
  cloud_config_ = doc;
  spdlog::info("cloud config: {} applied over {}", name, config_path_);
  answer_cloud_config(doc.version, {}, now);
}

// The answer goes through the outbox like everything else: in order, kept until acknowledged.
void Daemon::answer_cloud_config(std::optional<std::int64_t> version,
                                 const std::vector<std::string>& errors, Now now) {
  store_->stage_outbox(
      topics::config_status(config_.venue.id),
      json::dump(cloud_config_answer(version, errors.empty(), errors, format_rfc3339(now.wall))),
      now.wall);
  schedule_commit();
}

}  // namespace mend
