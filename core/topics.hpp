// The MQTT topics of the signal contract (docs/signals.md), built in one place.
#pragma once

#include <string>
#include <string_view>

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
