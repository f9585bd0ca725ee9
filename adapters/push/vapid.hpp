// The box's VAPID identity (RFC 8292): one P-256 key pair, made at first start and kept in the
// state directory (0600, like the device certificate's key), and the ES256 JWT that proves to
// a push service that a message comes from the holder of the key the browser subscribed with.
//
// Why kept, never replaced: every browser subscription is bound to the public key it was made
// with ("applicationServerKey"); a new key would make every manager's subscription useless
// until each one turned alerts off and on again. A damaged key file is therefore an error for
// a person to look at, as with the device certificate.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT(modernize-use-using): OpenSSL's own spelling

namespace mend::push {

inline constexpr std::string_view kVapidKeyFile = "vapid-key.pem";

class VapidKey {
 public:
  // Loads `dir`/vapid-key.pem, or makes it when absent (`dir` is created 0700). Throws
  // std::runtime_error naming the file when it cannot be read, is not a P-256 private key, or
  // cannot be written. `created` says which happened.
  static VapidKey load_or_create(const std::filesystem::path& dir, bool* created = nullptr);
  // A fresh key in memory only (tests, and the subscriptions in the push tests).
  static VapidKey generate();
  // From a PEM (PKCS#8) private key; throws std::runtime_error when it is not a P-256 key.
  static VapidKey from_pem(std::string_view pem);

  VapidKey(VapidKey&&) noexcept;
  VapidKey& operator=(VapidKey&&) noexcept;
  ~VapidKey();

  // The uncompressed public point (65 bytes, 0x04 || X || Y) and as base64url: the
  // applicationServerKey a browser subscribes with, and the `k` of the Authorization header.
  const std::string& public_key() const { return public_raw_; }
  std::string public_key_base64url() const;
  std::string private_key_pem() const;
  EVP_PKEY* native() const { return key_; }

  // RFC 8292 section 2: an ES256 JWT with `aud` (the push service's origin), `exp` (seconds
  // since the epoch; at most 24 h ahead, the caller's choice) and `sub` when not empty.
  std::string sign_jwt(std::string_view audience, std::int64_t expires,
                       std::string_view subject) const;
  // The Authorization header's value for a push service at `origin`: "vapid t=<jwt>, k=<key>".
  std::string authorization(std::string_view origin, std::int64_t expires,
                            std::string_view subject) const;

 private:
  explicit VapidKey(EVP_PKEY* key);
  EVP_PKEY* key_ = nullptr;
  std::string public_raw_;
};

// What a push service checks (the receiver in the tests does the same): the JWT's ES256
// signature against `public_key` (65 bytes uncompressed), its header, `aud` equal to
// `audience` and `exp` after `now_s` and at most 24 h ahead. The claims' JSON text, or
// nullopt with `why` set.
struct JwtCheck {
  std::optional<std::string> claims;
  std::string why;
};
JwtCheck verify_vapid_jwt(std::string_view jwt, std::string_view public_key,
                          std::string_view audience, std::int64_t now_s);

}  // namespace mend::push
