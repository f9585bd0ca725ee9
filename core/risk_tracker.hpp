// The at-risk model's memory of table-visits: what each seated table looked like while it was
// seated (feature snapshots), and how the visit ended. Training reads these from the store.
//
// A visit starts when a table is seated and ends when it is no longer seated. Snapshots are
// taken at most every `snapshot_every` until the visit's first case of a label kind: after
// that the table is a case, not a prediction. A visit is labelled bad by such a case, by a
// survey of `low_survey` or less, or by a negative review (rating at most `bad_review`) that
// names its booking, its guest or one of its cases. Feedback comes late, so an ended visit is
// kept for `label_window` before it is settled and counted in its table's history.
//
// Pure: `now` comes in with every call; nothing reads a clock.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/json.hpp"
#include "core/risk_features.hpp"
#include "core/time.hpp"

namespace mend::risk {

struct Snapshot {
  WallTime at;
  Features x{};
  bool operator==(const Snapshot&) const = default;
};

struct Visit {
  std::string id;  // "<table>@<seated epoch ms>"
  std::string table;
  std::string area;
  std::string booking;
  std::string customer;
  WallTime seated_at;
  std::optional<WallTime> ended;
  std::vector<Snapshot> snapshots;
  std::optional<WallTime> first_case;  // the first case of a label kind
  bool bad = false;
  std::string outcome;   // what made it bad: "table.course_slow", "survey 2", "review 1"
  bool settled = false;  // the label can no longer change
  bool operator==(const Visit&) const = default;
};
json::Value visit_to_json(const Visit& v);
// Strict: a bad field is refused with its name.
std::optional<std::string> visit_from_json(const json::Value& j, Visit& out);

struct TrackerSettings {
  Millis snapshot_every = std::chrono::minutes(5);
  Millis label_window = std::chrono::hours(24);
  std::vector<CaseKind> label_kinds{CaseKind::kTableNoOrder, CaseKind::kCourseSlow,
                                    CaseKind::kBillSlow, CaseKind::kCallUnanswered,
                                    CaseKind::kGuestComplaint};
  std::int64_t low_survey = 2;
  std::int64_t bad_review = 2;
};

class RiskTracker {
 public:
  explicit RiskTracker(TrackerSettings settings = {});

  struct Seated {
    const TableView* table = nullptr;
    Features x{};
  };
  // The tables seated now: starts a visit for each new seating, ends the visits of tables no
  // longer seated (or seated again since), and takes the snapshots that are due.
  void observe(const std::vector<Seated>& seated, WallTime now);
  // A case opened: a label kind on a table marks the table's open visit bad.
  void on_case(const Case& c, WallTime now);
  // A survey or review: the latest visit, open or not yet settled, of the booking, else the
  // guest, else the table the named case was on (its visit at `case_opened`).
  void on_feedback(std::string_view booking, std::string_view customer, std::string_view table,
                   std::optional<WallTime> case_opened, const std::string& outcome);
  // Ended visits past the label window are settled: counted in their table's history, saved
  // once more, and forgotten.
  void settle(WallTime now);

  TableHistory history(const std::string& table) const;
  // The guest's settled visits (by customer id), as for a table.
  TableHistory guest_history(const std::string& customer) const;
  const Visit* open_visit(const std::string& table) const;
  // When the next snapshot or settling is due, for the host's timer.
  std::optional<WallTime> next_due() const;
  // Visits changed since the last call, for the store to upsert by id.
  std::vector<Visit> take_changed();

  // The tables' histories (small, saved with the service's state); the visits not yet settled
  // are the store's rows, handed back at restore.
  json::Value export_state() const;
  std::optional<std::string> restore(const json::Value& history, std::vector<Visit> unsettled);
  // An erased guest (core/erasure.hpp): their visits name the pseudonym instead. Returns how
  // many it renamed; the host renames the store's rows.
  std::size_t rename_customer(const std::string& customer, const std::string& pseudonym);
  void update_settings(TrackerSettings settings) { settings_ = std::move(settings); }
  const TrackerSettings& settings() const { return settings_; }

 private:
  void touch(const std::string& id);
  Visit* latest_of(std::string_view booking, std::string_view customer, std::string_view table,
                   std::optional<WallTime> during);

  TrackerSettings settings_;
  std::map<std::string, Visit> visits_;          // id -> visit, open and recently ended
  std::map<std::string, std::string> open_;      // table -> its open visit's id
  std::map<std::string, TableHistory> history_;  // table -> settled visits
  std::map<std::string, TableHistory> guests_;   // customer id -> settled visits
  std::vector<std::string> changed_;
  std::vector<Visit> settled_;  // settled since take_changed, already out of visits_
};

}  // namespace mend::risk
