// RFC 8291 message encryption for Web Push: the alert is encrypted for one browser with the
// keys it gave when it subscribed (p256dh, auth), in RFC 8188's aes128gcm content encoding, as
// one record of at most 4096 bytes. Each message uses a fresh ephemeral key pair and salt, so
// only that browser can read it and the push service in between sees only ciphertext.
//
// decrypt() is the browser's side. mendd never needs it; the tests' push receiver does, and the
// RFC's own test vector (Appendix A) holds both sides to the standard.
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <string_view>

namespace mend::push {

// The ephemeral key pair and salt, fixed: only for reproducing the RFC's test vector.
struct FixedEphemeral {
  std::string private_scalar;  // 32 bytes
  std::string public_point;    // 65 bytes
  std::string salt;            // 16 bytes
};

// The request body (header and one record) for `plaintext`, at most push::kMaxPlaintext bytes
// (longer throws std::invalid_argument). `ua_public`: the subscription's p256dh (65 bytes);
// `auth_secret`: its auth (16 bytes); both already decoded. Throws std::invalid_argument for a
// key that is not a P-256 point.
std::string encrypt(std::string_view plaintext, std::string_view ua_public,
                    std::string_view auth_secret, const FixedEphemeral* fixed = nullptr);

struct Decrypted {
  std::optional<std::string> plaintext;
  std::string why;  // when plaintext is empty
};
// The browser's side: `ua_private` is the subscription's key pair.
Decrypted decrypt(std::string_view body, EVP_PKEY* ua_private, std::string_view auth_secret);

}  // namespace mend::push
