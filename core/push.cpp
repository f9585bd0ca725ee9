#include "core/push.hpp"

#include <array>
#include <cstdint>

#include "core/utf8.hpp"

namespace mend::push {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string string_member(const json::Value& v, std::string_view key) {
  const json::Value* m = v.get(key);
  const std::string* s = m != nullptr ? m->as_string() : nullptr;
  return s != nullptr ? *s : std::string();
}

// "table.no_order" -> "Table no order": the tablet says it with its own labels; a phone's
// notification only needs to be recognisable.
std::string kind_words(std::string_view kind) {
  std::string out(kind);
  for (char& c : out) {
    if (c == '.' || c == '_') c = ' ';
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

std::string subject_words(const json::Value* subject) {
  if (subject == nullptr) return {};
  constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kParts{{
      {"table", "Table "},
      {"walk_in", "Walk-in "},
      {"device", ""},
      {"enquiry", "Enquiry "},
      {"review", "Review "},
      {"area", ""},
  }};
  for (const auto& [key, prefix] : kParts) {
    const std::string v = string_member(*subject, key);
    if (!v.empty()) return std::string(prefix) + v;
  }
  return {};
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':';
}

}  // namespace

bool alert_reaches(std::string_view alert_role, Severity severity, Role subscriber,
                   const std::map<std::string, Severity>& quiet_floor) {
  if (!is_person_role(subscriber) || alert_role != role_name(subscriber)) return false;
  const auto floor = quiet_floor.find(std::string(alert_role));
  return floor == quiet_floor.end() || severity >= floor->second;
}

bool alert_reaches(const json::Value& alert, Role subscriber,
                   const std::map<std::string, Severity>& quiet_floor) {
  const std::string role = string_member(alert, "role");
  const auto severity = severity_from_name(string_member(alert, "severity"));
  if (role.empty() || !severity) return false;
  return alert_reaches(role, *severity, subscriber, quiet_floor);
}

std::string_view urgency(Severity s) {
  switch (s) {
    case Severity::kLow: return "low";
    case Severity::kMedium: return "normal";
    case Severity::kHigh:
    case Severity::kCritical: return "high";
  }
  return "normal";
}

Severity alert_severity(const json::Value& alert) {
  return severity_from_name(string_member(alert, "severity")).value_or(Severity::kMedium);
}

std::string notification_payload(const json::Value& alert, std::string_view venue_name) {
  const std::string case_id = string_member(alert, "case");
  std::string title = kind_words(string_member(alert, "kind"));
  if (title.empty()) title = "Mend";
  if (const std::string where = subject_words(alert.get("subject")); !where.empty()) {
    title += " · " + where;
  }
  if (!venue_name.empty()) title = std::string(venue_name) + ": " + title;
  title = std::string(utf8_prefix(title, 200));
  std::string body = string_member(alert, "text");
  if (body.empty()) body = string_member(alert, "reason");
  const std::string event = string_member(alert, "event");
  if (event == "escalated") body = "Still not acknowledged. " + body;
  if (event == "needs_approval") body = "Needs your approval. " + body;
  if (event == "follow_up_due") body = "Follow-up due. " + body;

  // The Concierge's briefing is about a shift, not a case: it opens the briefing.
  const bool briefing = event == "briefing";
  if (briefing) {
    title = std::string(
        utf8_prefix(venue_name.empty() ? "Briefing" : std::string(venue_name) + ": Briefing", 200));
  }
  const auto build = [&](std::string_view text) {
    json::Object o;
    o.append("title", title);
    o.append("body", text);
    o.append("case", case_id);
    o.append("tag", briefing ? std::string("mend-briefing") : "mend-case-" + case_id);
    o.append("url", briefing ? std::string("/#/briefing") : "/#/cases/" + case_id);
    o.append("severity", string_member(alert, "severity"));
    o.append("event", event);
    o.append("at", string_member(alert, "at"));
    return json::dump(json::Value(std::move(o)));
  };
  std::string out = build(body);
  if (out.size() <= kMaxPlaintext) return out;
  // Escaping makes the JSON longer than the text by an amount that depends on the characters:
  // the longest prefix of the body that fits is found by halving.
  std::size_t fits = 0;
  std::size_t too_long = body.size();
  while (too_long - fits > 1) {
    const std::size_t mid = fits + (too_long - fits) / 2;
    if (build(std::string(utf8_prefix(body, mid)) + "…").size() <= kMaxPlaintext) {
      fits = mid;
    } else {
      too_long = mid;
    }
  }
  return build(std::string(utf8_prefix(body, fits)) + "…");
}

std::optional<std::string> check_subscription(const Subscription& s) {
  if (s.endpoint.empty()) return "endpoint is required";
  if (s.endpoint.size() > kMaxEndpointLength) {
    return "endpoint is longer than " + std::to_string(kMaxEndpointLength) + " characters";
  }
  const auto e = parse_endpoint(s.endpoint);
  if (!e) return "endpoint must be an https:// URL";
  if (!e->tls && !is_loopback_host(e->host)) {
    return "endpoint must be an https:// URL (plain http only on this box's loopback)";
  }
  const auto key = base64url_decode(s.p256dh);
  if (!key || key->size() != 65 || (*key)[0] != '\x04') {
    return "keys.p256dh must be a P-256 public key (65 bytes, uncompressed), base64url";
  }
  const auto auth = base64url_decode(s.auth);
  if (!auth || auth->size() != 16) return "keys.auth must be 16 bytes, base64url";
  return std::nullopt;
}

std::optional<Endpoint> parse_endpoint(std::string_view url) {
  Endpoint e;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    e.tls = false;
    rest = url.substr(7);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, slash);
  e.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!e.target.empty() && e.target[0] != '/') e.target = "/" + e.target;
  if (const auto hash = e.target.find('#'); hash != std::string::npos) e.target.resize(hash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host.size() > 253) return std::nullopt;
  for (char c : host) {
    if (!host_char(c)) return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    int n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    if (n < 1 || n > 65535) return std::nullopt;
  }
  e.host = std::string(host);
  e.port = port.empty() ? std::string(e.tls ? "443" : "80") : std::string(port);
  e.origin = std::string(url.substr(0, url.size() - rest.size())) + std::string(authority);
  return e;
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
        static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t left = bytes.size() - i;
  if (left > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (left == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (left == 2) out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace mend::push
