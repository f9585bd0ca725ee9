// Web Push alerts as pure rules: which subscribed person hears of an alert, how urgently the
// push service should treat it, what the notification says (bounded to fit one RFC 8291
// record), and what a browser's subscription must look like to be kept. The VAPID key, the
// encryption and the sending live in adapters/push; subscriptions are rows in the store.
//
// Who. An alert names one role: the escalation ladder's rung, or the role that must approve a
// plan. A push goes to the subscribers of exactly that role, and only when the alert's severity
// is at or above their role's quiet floor ([escalation] quiet, "role:lowest severity"). The
// ladder already skips quiet stages, but the other alerts (needs_approval, automatic,
// follow_up_due) do not pass through it, and a phone is where quiet matters most. The tablets
// show an alert to its role and the roles above it; a phone gets only its own rung, so a
// manager's phone does not ring for a case the floor is still within its first minutes of.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/json.hpp"
#include "core/roles.hpp"
#include "core/time.hpp"

namespace mend::push {

// RFC 8291 section 4: the message is one aes128gcm record. Push services accept a body of
// 4096 bytes: the RFC 8188 header (16 salt + 4 rs + 1 idlen + 65 key id = 86) and the record
// (plaintext, 1 delimiter byte, 16 tag bytes) must fit in it.
inline constexpr std::size_t kRecordSize = 4096;
inline constexpr std::size_t kHeaderSize = 86;
inline constexpr std::size_t kMaxPlaintext = kRecordSize - kHeaderSize - 1 - 16;

// Whether a subscriber of role `subscriber` gets a push for an alert meant for `alert_role` at
// `severity`. `quiet_floor`: the lowest severity each role hears (absent: every severity).
bool alert_reaches(std::string_view alert_role, Severity severity, Role subscriber,
                   const std::map<std::string, Severity>& quiet_floor);
// The same for an alert as the recovery service made it (its "role" and "severity"); false
// for an alert without them.
bool alert_reaches(const json::Value& alert, Role subscriber,
                   const std::map<std::string, Severity>& quiet_floor);

// RFC 8030 section 5.3's Urgency: low for low, normal for medium, high above.
std::string_view urgency(Severity s);
// The alert's severity (medium when it has none).
Severity alert_severity(const json::Value& alert);

// What the service worker shows, as JSON text of at most kMaxPlaintext bytes:
// {"title","body","case","tag","url","severity","event","at"}. The body is shortened (at a
// character boundary, with an ellipsis) when the whole would not fit.
std::string notification_payload(const json::Value& alert, std::string_view venue_name);

// A browser's PushSubscription (its toJSON(): endpoint and keys.p256dh, keys.auth).
struct Subscription {
  std::string endpoint;
  std::string p256dh;  // base64url, the browser's P-256 public key (65 bytes uncompressed)
  std::string auth;    // base64url, the 16-byte authentication secret
};

inline constexpr std::size_t kMaxEndpointLength = 2048;

// Why a subscription cannot be kept, for a person; nullopt when it can. The endpoint must be
// an https URL (plain http only on loopback, for a push service on the box itself, which is
// what the tests run); the keys must decode to the sizes above. Whether p256dh is a point on
// the curve is checked by the adapter, which has the curve.
std::optional<std::string> check_subscription(const Subscription& s);

// The parts of an endpoint URL the sender needs.
struct Endpoint {
  bool tls = true;
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" when the URL names none
  std::string target;  // path and query, "/" at least
  std::string origin;  // scheme://host[:port] as written: the JWT's audience (RFC 8292)
};
std::optional<Endpoint> parse_endpoint(std::string_view url);
// 127.0.0.0/8, ::1 and localhost.
bool is_loopback_host(std::string_view host);

// Unpadded base64url (RFC 4648 section 5), the encoding of every key in Web Push.
std::string base64url_encode(std::string_view bytes);
// Accepts padded or unpadded base64url; nullopt on any other character or a bad length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace mend::push
