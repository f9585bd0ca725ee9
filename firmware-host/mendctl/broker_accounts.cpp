#include "firmware-host/mendctl/broker_accounts.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <sstream>
#include <stdexcept>

#include "core/topics.hpp"

namespace mend::broker {

namespace {

constexpr std::array<std::pair<BridgeKind, std::string_view>, 4> kKinds{{
    {BridgeKind::kTill, "till"},
    {BridgeKind::kBooking, "booking"},
    {BridgeKind::kSensor, "sensor"},
    {BridgeKind::kFeedback, "feedback"},
}};

// What mosquitto_passwd writes (Mosquitto 2.0): 12 bytes of salt, 101 rounds, SHA-512.
constexpr std::size_t kSaltBytes = 12;
constexpr int kIterations = 101;
constexpr std::size_t kHashBytes = 64;
constexpr std::size_t kPasswordBytes = 24;
constexpr std::size_t kMaxAccountName = 32;

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  if (text.ends_with("==")) {
    size -= 2;
  } else if (text.ends_with('=')) {
    size -= 1;
  }
  out.resize(size);
  return out;
}

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
  std::string hash(kHashBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha512(),
                        static_cast<int>(hash.size()),
                        reinterpret_cast<unsigned char*>(hash.data())) != 1) {
    throw std::runtime_error("PBKDF2 failed");
  }
  return hash;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return lines;
}

std::runtime_error line_error(std::string_view file, std::size_t line, std::string_view what) {
  return std::runtime_error(std::string(file) + " line " + std::to_string(line) + ": " +
                            std::string(what));
}

}  // namespace

std::optional<BridgeKind> parse_bridge_kind(std::string_view name) {
  for (const auto& [kind, n] : kKinds) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string_view bridge_kind_name(BridgeKind kind) {
  for (const auto& [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "?";
}

std::string bridge_kind_names() {
  std::string out;
  for (const auto& [kind, n] : kKinds) out += (out.empty() ? "" : "|") + std::string(n);
  return out;
}

std::string source_topic_filter(std::string_view venue, BridgeKind kind) {
  return topics::subtree(venue, bridge_kind_name(kind));
}

std::string example_topic(std::string_view venue, BridgeKind kind) {
  std::string_view rest = "till/order.opened";
  switch (kind) {
    case BridgeKind::kTill: break;
    case BridgeKind::kBooking: rest = "booking/guest.seated"; break;
    case BridgeKind::kSensor: rest = "sensor/<device>/temperature"; break;
    case BridgeKind::kFeedback: rest = "feedback/review.posted"; break;
  }
  return topics::venue_topic(venue, rest);
}

bool valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxAccountName) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<Bridge> parse_bridges(std::string_view text) {
  std::vector<Bridge> out;
  std::size_t n = 0;
  for (const std::string_view line : lines_of(text)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw line_error("bridges", n, "expected 'name kind'");
    const std::string_view name = line.substr(0, space);
    const auto kind = parse_bridge_kind(line.substr(space + 1));
    if (!valid_account_name(name)) throw line_error("bridges", n, "bad bridge name");
    if (!kind) throw line_error("bridges", n, "unknown kind");
    out.push_back(Bridge{std::string(name), *kind});
  }
  return out;
}

std::string bridges_text(const std::vector<Bridge>& bridges) {
  std::string out = "# Written by mendctl bridge add/remove: name kind\n";
  for (const auto& b : bridges) out += b.name + " " + std::string(bridge_kind_name(b.kind)) + "\n";
  return out;
}

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  std::size_t n = 0;
  for (const std::string_view line : lines_of(text)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw line_error("passwd", n, "expected 'name:hash'");
    const std::string_view name = line.substr(0, colon);
    if (!valid_account_name(name)) throw line_error("passwd", n, "bad account name");
    out.push_back(PasswdEntry{std::string(name), std::string(line.substr(colon + 1))});
  }
  return out;
}

std::string passwd_text(const std::vector<PasswdEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += e.name + ":" + e.hash + "\n";
  return out;
}

std::string acl_text(std::string_view venue, std::string_view mendd_user,
                     const std::vector<Bridge>& bridges) {
  const std::string base = topics::venue_base(venue);
  std::ostringstream out;
  out << "# Written by mendctl (broker init, bridge add/remove) for venue " << venue
      << ";\n# edits here are lost at its next run. Anything not granted is denied.\n\n"
      << "# mendd reads every source and owns its own subtree (status, cases, alerts).\n"
      << "user " << mendd_user << '\n';
  for (const auto& [kind, name] : kKinds) out << "topic read " << base << name << "/#\n";
  out << "topic readwrite " << base << "mend/#\n";
  for (const auto& b : bridges) {
    out << "\n# bridge " << b.name << " (" << bridge_kind_name(b.kind) << ")\n"
        << "user " << b.name << '\n'
        << "topic write " << source_topic_filter(venue, b.kind) << '\n';
  }
  return out.str();
}

std::string random_password() {
  std::array<unsigned char, kPasswordBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no random bytes from OpenSSL");
  }
  std::string text = base64(bytes.data(), bytes.size());
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string hash_password(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("no random bytes from OpenSSL");
  }
  const std::string raw_salt(reinterpret_cast<const char*>(salt.data()), salt.size());
  const std::string hash = pbkdf2(password, raw_salt, kIterations);
  return "$7$" + std::to_string(kIterations) + "$" + base64(salt.data(), salt.size()) + "$" +
         base64(reinterpret_cast<const unsigned char*>(hash.data()), hash.size());
}

bool verify_password(std::string_view password, std::string_view hash) {
  // $7$<iterations>$<salt>$<hash>
  if (!hash.starts_with("$7$")) return false;
  std::string_view rest = hash.substr(3);
  const std::size_t d1 = rest.find('$');
  if (d1 == std::string_view::npos) return false;
  int iterations = 0;
  const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + d1, iterations);
  if (ec != std::errc() || ptr != rest.data() + d1 || iterations <= 0) return false;
  rest = rest.substr(d1 + 1);
  const std::size_t d2 = rest.find('$');
  if (d2 == std::string_view::npos) return false;
  const auto salt = unbase64(rest.substr(0, d2));
  const auto expected = unbase64(rest.substr(d2 + 1));
  if (!salt || !expected || expected->size() != kHashBytes) return false;
  const std::string actual = pbkdf2(password, *salt, iterations);
  return CRYPTO_memcmp(actual.data(), expected->data(), kHashBytes) == 0;
}

}  // namespace mend::broker
