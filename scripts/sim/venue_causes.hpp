// Causal mode's model in numbers (Options::causes; played by venue_causes.cpp). Public so the
// tests, the README and a benchmark can quote the same values the generator uses.
//
// Kitchen load. A course fired while `load` other courses are fired and not yet served (across
// the venue, drinks included, as a reader of the till messages would count them) is served
// after share x its course threshold, with
//   share = base x min(kLoadCap, 1 + k x max(0, load - L0)) x noise,
//   base in [kCourseBaseMin, kCourseBaseMax], noise in [kNoiseMin, kNoiseMax],
//   L0 = load_free(tables), k = load_slope(tables): the kitchen is sized to the venue, so for
//   the default 20 tables L0 = 7 and k = 0.2.
// At a load of L0 or less a course is never late (share <= 0.605); a course fired into a busy
// kitchen is slow from its fire, so its breach builds up over minutes.
//
// Short-staffed area. On some evenings (kShortStaffedChance) one area is short of staff: there,
// seated -> order and bill requested -> paid take base x factor x jitter of their thresholds,
// base in [kWaitBaseMin, kWaitBaseMax] (as everywhere else), factor fixed for the evening in
// [kShortFactorMin, kShortFactorMax], jitter in [kShortJitterMin, kShortJitterMax].
//
// Sensitive guests. The run has kRegularsPerTable x tables regular guests (cust-0001...), who
// book and walk in across its evenings; kSensitiveShareOfRegulars of them, fixed by the seed,
// are sensitive: when any wait at their table reached kSensitiveShare of its threshold, they
// answer the survey with 1-2 (kSensitiveAnswers) and leave a negative review now and then
// (kSensitiveReviews). Every other guest the venue knows answers now and then (kSurveyAnswers),
// and scores 1-2 only at random (kRandomLowSurvey).
#pragma once

namespace mend::sim::causes {

inline constexpr double kCourseBaseMin = 0.40;
inline constexpr double kCourseBaseMax = 0.55;
inline constexpr double kNoiseMin = 0.9;
inline constexpr double kNoiseMax = 1.1;
inline constexpr double kLoadFreePerTable = 0.35;
inline constexpr double kLoadSlopeTables = 4.0;
inline constexpr double kLoadCap = 2.5;
// A kitchen is never smaller than one for kSmallestKitchen tables.
inline constexpr int kSmallestKitchen = 10;
constexpr double load_free(int tables) {
  return kLoadFreePerTable * (tables < kSmallestKitchen ? kSmallestKitchen : tables);
}
constexpr double load_slope(int tables) {
  return kLoadSlopeTables / (tables < kSmallestKitchen ? kSmallestKitchen : tables);
}

inline constexpr double kWaitBaseMin = 0.3;
inline constexpr double kWaitBaseMax = 0.6;
inline constexpr double kShortStaffedChance = 0.5;
inline constexpr double kShortFactorMin = 1.7;
inline constexpr double kShortFactorMax = 2.1;
inline constexpr double kShortJitterMin = 0.9;
inline constexpr double kShortJitterMax = 1.2;

inline constexpr int kRegularsPerTable = 5;
inline constexpr double kSensitiveShareOfRegulars = 0.15;
inline constexpr double kSensitiveShare = 0.8;
inline constexpr double kSensitiveAnswers = 0.9;
inline constexpr double kSensitiveReviews = 0.35;
inline constexpr double kSurveyAnswers = 0.45;
inline constexpr double kRandomLowSurvey = 0.05;

// A causal wait is kept out of (kEdgeBelow, kEdgeAbove) of its threshold, so whether it
// breached never hangs on a millisecond of rounding at some pace.
inline constexpr double kEdgeBelow = 0.96;
inline constexpr double kEdgeAbove = 1.04;

}  // namespace mend::sim::causes
