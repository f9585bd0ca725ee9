// The MQTT topics of the signal contract (docs/signals.md), built in one place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mend::topics {

// "venue/<venue>/": every topic of a venue starts with it.
inline std::string venue_base(std::string_view venue) {
  std::string t = "venue/";
  t += venue;
  t += '/';
  return t;
}
inline std::string venue_topic(std::string_view venue, std::string_view rest) {
  return venue_base(venue) + std::string(rest);
}
// Everything under one part of a venue's tree, as a subscription or ACL filter:
// subtree("v", "till") is "venue/v/till/#".
inline std::string subtree(std::string_view venue, std::string_view part) {
  return venue_topic(venue, part) + "/#";
}
// What mendd subscribes to: each source in the shape docs/signals.md gives it (a sensor
// reading names its device).
inline std::vector<std::string> inbound_filters(std::string_view venue) {
  const std::string base = venue_base(venue);
  return {base + "till/+", base + "booking/+", base + "sensor/+/+", base + "feedback/+"};
}
// mendd's last will and online flag (retained).
inline std::string status(std::string_view venue) { return venue_topic(venue, "mend/status"); }
// A case's current state (retained; empty once closed).
inline std::string case_state(std::string_view venue, std::string_view case_id) {
  return venue_topic(venue, "mend/cases/") + std::string(case_id);
}
// One message each time a person must be told.
inline std::string alerts(std::string_view venue) { return venue_topic(venue, "mend/alerts"); }
// Approved follow-up messages to guests, for the venue's messaging integration.
inline std::string follow_ups(std::string_view venue) {
  return venue_topic(venue, "mend/follow_ups");
}

// What mendd keeps for the cloud link besides the above (never published locally): audit
// entries and, when cloud.events asks, raw events.
inline std::string audit(std::string_view venue) { return venue_topic(venue, "mend/audit"); }
inline std::string events(std::string_view venue) { return venue_topic(venue, "mend/events"); }
// A guest erased on the box: the cloud deletes what it keeps of them (core/erasure.hpp).
inline std::string erasures(std::string_view venue) { return venue_topic(venue, "mend/erasures"); }
// The contribution ledger's chain head at the end of each venue day (docs/ledger.md).
inline std::string ledger_head(std::string_view venue) { return venue_topic(venue, "mend/ledger"); }
// A venue day's summary for the venue group (core/daily_summary.hpp).
inline std::string daily_summary(std::string_view venue) {
  return venue_topic(venue, "mend/summary");
}
// A week's report for the venue group (core/insights.hpp, weekly_report).
inline std::string weekly_report(std::string_view venue) {
  return venue_topic(venue, "mend/weekly");
}

// The answer to a configuration document from the cloud (core/cloud_config.hpp).
inline std::string config_status(std::string_view venue) {
  return venue_topic(venue, "mend/config_status");
}

// The class of one of mendd's own topics: "venue/v/mend/cases/c-1" is "cases"; empty for a
// topic that is not under venue/<venue>/mend/.
inline std::string_view mend_class(std::string_view topic) {
  constexpr std::string_view kVenue = "venue/";
  constexpr std::string_view kMend = "/mend/";
  if (!topic.starts_with(kVenue)) return {};
  const auto at = topic.find(kMend, kVenue.size());
  if (at == std::string_view::npos || topic.find('/', kVenue.size()) != at) return {};
  std::string_view rest = topic.substr(at + kMend.size());
  return rest.substr(0, rest.find('/'));
}

// The cloud side of the link: mend/v1/<group>/<venue>/<class>.
inline std::string cloud(std::string_view group, std::string_view venue, std::string_view cls) {
  std::string t = "mend/v1/";
  t += group;
  t += '/';
  t += venue;
  t += '/';
  t += cls;
  return t;
}

// Where the venue group's configuration document for one box is retained.
inline std::string cloud_config(std::string_view group, std::string_view venue) {
  return cloud(group, venue, "config");
}

// Where the venue's messaging integration reports the delivery of messages to guests.
inline std::string cloud_receipts(std::string_view group, std::string_view venue) {
  return cloud(group, venue, "receipts");
}

}  // namespace mend::topics
