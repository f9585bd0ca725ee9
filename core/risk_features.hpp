// What the at-risk model sees of a seated table, all in one place: each feature's name, what
// it measures, and how it is put in plain words when it is one of the reasons for a flag.
//
// Pure: the service hands in the floor as the engine sees it (core/engine.hpp TableView), the
// open cases, what the guest book knows of the guest and the table's own past, and `now`.
// Nothing here reads a clock. Waits are measured against their own thresholds (elapsed /
// threshold), so a model learnt under one set of thresholds still reads the same after the
// manager tunes them on the tablet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/case.hpp"
#include "core/case_book.hpp"
#include "core/engine.hpp"
#include "core/guests.hpp"
#include "core/time.hpp"

namespace mend::risk {

enum class Feature : std::uint8_t {
  kOrderWait,
  kCourseWait,
  kBillWait,
  kParty,
  kBookingValue,
  kGuestTier,
  kLastVisitFailed,
  kKitchenLoad,
  kAreaOpenCases,
  kAreaPatterns,
  kHour,
  kWeekend,
  kTableFailureRate,
  kFiredLoad,
  kGuestFailureRate,
  kSeatedFor,
  kKitchenCrowding,
  kFiredCrowding,
  kAreaPace,
};
inline constexpr std::size_t kFeatureCount = 19;
using Features = std::array<double, kFeatureCount>;

struct FeatureInfo {
  std::string_view name;         // as stored with a model and shown on the manager's page
  std::string_view description;  // what it measures
};
const std::array<FeatureInfo, kFeatureCount>& feature_info();
std::vector<std::string> feature_names();
// The feature whose words tell `f` as a reason: a load's square is told as the load itself,
// and its contribution adds to the load's.
Feature told_as(Feature f);

// The venue around a table: what every table shares at `now`.
struct VenueLoad {
  std::int64_t courses_in_flight = 0;              // fired and not served, every table
  std::map<std::string, std::int64_t> open_cases;  // area -> cases still on the floor
  std::map<std::string, std::int64_t> patterns;    // area -> pattern.recurring in the last day
  // area -> the mean share of their thresholds the area's latest order and bill waits took
  // (AreaPace); absent before any ended
  std::map<std::string, double> pace;
};
// `table_area` places a case on a table in its area; cases that name an area keep it.
VenueLoad venue_load(const std::vector<TableView>& tables, const CaseBook& cases,
                     const std::unordered_map<std::string, std::string>& table_area, WallTime now);

// How fast an area takes orders and brings bills: a short-staffed section runs every table's
// waits long, so the waits that have ended say what the next ones will be. At each look the
// service hands in the floor; an order or bill wait seen at the last look and gone now has
// ended, and the share of its threshold it took (up to this look) counts for its area. In
// memory only: after a restart an area's pace starts again from its next waits.
class AreaPace {
 public:
  void observe(const std::vector<TableView>& floor, WallTime now);
  // area -> the mean share over its latest kKept ended waits within kWithin of `now`.
  std::map<std::string, double> paces(WallTime now) const;

  static constexpr std::size_t kKept = 5;
  static constexpr Millis kWithin = std::chrono::hours(3);

 private:
  struct Wait {
    std::string area;
    WallTime started;
    Millis threshold{0};
  };
  std::map<std::string, Wait> open_;  // "table|kind|start" -> the wait, at the last look
  std::map<std::string, std::vector<std::pair<WallTime, double>>> ended_;  // area -> latest
};

// What the guest book knows of the table's guest (an unknown guest is new, with no past).
struct GuestFacts {
  GuestTier tier = GuestTier::kNew;
  std::vector<CaseKind> last_visit_failures;
};

// The table's own past visits, as the risk tracker counted them once their outcome was known.
struct TableHistory {
  std::int64_t visits = 0;
  std::int64_t bad = 0;
  // Shrunk towards zero by kHistoryPrior visits, so one bad visit at a new table is not 100%.
  double rate() const;
};
inline constexpr std::int64_t kHistoryPrior = 5;

struct TableFacts {
  const TableView* table = nullptr;
  GuestFacts guest;
  TableHistory history;             // the table's settled visits
  TableHistory guest_history = {};  // the guest's settled visits (none for an unknown guest)
  // The kitchen's load (courses in flight) when the course that has run longest against its
  // threshold was fired, as the service saw it; 0 while no course is waiting.
  std::int64_t fired_load = 0;
};

Features table_features(const TableFacts& t, const VenueLoad& load, WallTime now,
                        Millis utc_offset);

// The wait of `kind` at the table that has run furthest into its threshold, or nullptr.
const TableTimer* longest_wait(const TableView& t, CaseKind kind, WallTime now);

// One feature's value for this table in plain words, as a reason for a flag ("main fired 18
// minutes ago", "the kitchen at 14 courses in flight", "regular guest whose last visit had
// slow courses"). Empty when the value says nothing worth telling (no wait, a new guest).
std::string feature_words(Feature f, const Features& x, const TableFacts& t, WallTime now);

// The model's contributions (core/risk_model.hpp Model::contributions, in Feature order) as
// they are told: each feature's added to the one that tells it (told_as), the others 0.
std::vector<double> told_contributions(const std::vector<double>& contributions);
// The feature whose told contribution is largest.
Feature top_reason(const std::vector<double>& contributions);

// The top reasons, largest positive told contribution first, at most `top`, joined by "; ".
std::string reasons(const Features& x, const std::vector<double>& contributions,
                    const TableFacts& t, WallTime now, std::size_t top = 3);

}  // namespace mend::risk
