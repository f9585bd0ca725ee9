// The at-risk model's rows: table-visits (core/risk_tracker.hpp), written with the commit that
// changed them and read back for training and at start, and the models trained from them,
// versioned. Its own file: store.cpp is at its size limit. Visits change a few times a table
// per hour and models once a night, so statements are prepared as used.
#include <string>
#include <vector>

#include "adapters/store/risk_models.hpp"
#include "adapters/store/store.hpp"

namespace mend {
namespace {

// A visit carries a snapshot every few minutes of a long evening: room for a few hundred.
constexpr json::ParseLimits kVisitLimits{8, std::size_t{4} << 20};

}  // namespace

void Store::stage_visit(const risk::Visit& v) {
  visits_.insert_or_assign(
      v.id, VisitRow{to_ms(v.seated_at), v.settled, v.bad, json::dump(risk::visit_to_json(v))});
}

void Store::write_visits(CommitStats& stats) {
  if (visits_.empty()) return;
  sqlite::Stmt upsert(db_,
                      "INSERT INTO visits (id, seated_at, settled, bad, json) "
                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET "
                      "seated_at = excluded.seated_at, settled = excluded.settled, "
                      "bad = excluded.bad, json = excluded.json");
  for (const auto& [id, row] : visits_) {
    sqlite::Query q(upsert);
    q.bind(1, id).bind(2, row.seated_at).bind(3, std::int64_t{row.settled ? 1 : 0});
    q.bind(4, std::int64_t{row.bad ? 1 : 0}).bind(5, row.json).run();
    ++stats.visits;
  }
}

std::vector<risk::Visit> Store::load_visits(bool settled, WallTime from, WallTime to,
                                            std::vector<std::string>* bad) {
  sqlite::Stmt s(db_,
                 "SELECT id, json FROM visits WHERE settled = ?1 AND seated_at >= ?2 AND "
                 "seated_at < ?3 ORDER BY seated_at, id");
  sqlite::Query q(s);
  q.bind(1, std::int64_t{settled ? 1 : 0}).bind(2, to_ms(from)).bind(3, to_ms(to));
  std::vector<risk::Visit> out;
  while (q.step()) {
    auto parsed = json::parse(q.text(1), kVisitLimits);
    risk::Visit v;
    if (!parsed || risk::visit_from_json(*parsed.value, v)) {
      if (bad != nullptr) bad->push_back(q.text(0));
      continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::int64_t Store::add_model(const std::string& json, bool promoted, const std::string& note,
                              WallTime trained_at) {
  db_.exec("BEGIN IMMEDIATE");
  try {
    std::int64_t version = 1;
    {
      sqlite::Stmt last(db_, "SELECT COALESCE(MAX(version), 0) FROM risk_models");
      sqlite::Query q(last);
      if (q.step()) version = q.int64(0) + 1;
    }
    sqlite::Stmt insert(db_,
                        "INSERT INTO risk_models (version, trained_at, promoted, note, json) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)");
    sqlite::Query(insert)
        .bind(1, version)
        .bind(2, to_ms(trained_at))
        .bind(3, std::int64_t{promoted ? 1 : 0})
        .bind(4, note)
        .bind(5, json)
        .run();
    db_.exec("COMMIT");
    return version;
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

std::size_t Store::prune_visits(WallTime before) {
  sqlite::Stmt s(db_, "DELETE FROM visits WHERE settled = 1 AND seated_at < ?1");
  sqlite::Query(s).bind(1, to_ms(before)).run();
  return static_cast<std::size_t>(db_.changes());
}

std::vector<ModelRow> Store::model_rows(std::size_t limit, bool promoted_only) {
  sqlite::Stmt s(db_, std::string("SELECT version, trained_at, promoted, note, json FROM "
                                  "risk_models") +
                          (promoted_only ? " WHERE promoted = 1" : "") +
                          " ORDER BY version DESC LIMIT ?1");
  sqlite::Query q(s);
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<ModelRow> out;
  while (q.step()) {
    out.push_back(
        ModelRow{q.int64(0), wall_from_ms(q.int64(1)), q.int64(2) != 0, q.text(3), q.text(4)});
  }
  return out;
}

}  // namespace mend

namespace mend {

KeptTraining train_and_keep(Store& store, const PredictionSettings& settings, WallTime now,
                            const std::string& actor, const std::string& role) {
  KeptTraining kept;
  // Visits older than the window are no use to training and not worth keeping (docs/privacy.md).
  kept.pruned = store.prune_visits(now - settings.window);
  const std::vector<risk::Visit> visits =
      store.load_visits(/*settled=*/true, now - settings.window, now);
  kept.visits = visits.size();
  std::string why;
  const std::optional<risk::Model> current = promoted_model(store, why);
  risk::TrainOptions o;
  o.target_precision = settings.target_precision;
  kept.outcome =
      risk::train_from_visits(visits, current, o, static_cast<std::size_t>(settings.min_visits));
  // No model is no change: nothing to keep, and nothing for the audit log.
  if (!kept.outcome.model) return kept;
  kept.version = store.add_model(json::dump(kept.outcome.model->to_json()), kept.outcome.promoted,
                                 kept.outcome.note, now);
  kept.outcome.model->version = static_cast<int>(kept.version);
  json::Object detail;
  detail.append("visits", static_cast<std::int64_t>(kept.visits));
  detail.append("version", kept.version);
  detail.append("promoted", kept.outcome.promoted);
  detail.append("note", kept.outcome.note);
  store.stage_audit(AuditRecord{now, actor, role, "model.train", "v" + std::to_string(kept.version),
                                json::Value(std::move(detail))});
  return kept;
}

std::optional<risk::Model> promoted_model(Store& store, std::string& why) {
  const std::vector<ModelRow> rows = store.model_rows(1, /*promoted_only=*/true);
  if (rows.empty()) {
    why = "no model has been trained yet";
    return std::nullopt;
  }
  auto parsed = json::parse(rows.front().json, kVisitLimits);
  std::string error;
  std::optional<risk::Model> m =
      parsed ? risk::Model::from_json(*parsed.value, &error) : std::nullopt;
  if (!m) {
    why = "model version " + std::to_string(rows.front().version) +
          " does not read: " + (parsed ? error : parsed.error.message);
    return std::nullopt;
  }
  m->version = static_cast<int>(rows.front().version);
  if (m->features != risk::feature_names()) {
    // An older build's model: it cannot score this build's features. The next training
    // replaces it as if it were the first.
    why = "model version " + std::to_string(m->version) +
          " was trained on another set of features; the next training replaces it";
    return std::nullopt;
  }
  return m;
}

}  // namespace mend
