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

}  // namespace mend::topics
