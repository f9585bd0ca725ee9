// The OpenSSL 3 primitives Web Push is built from, each a small function over byte strings:
// P-256 keys in the raw form Web Push writes them (65-byte uncompressed points, 32-byte
// scalars), ECDH, HKDF-SHA-256, AES-128-GCM and random bytes. Failures that mean a bug or a
// broken library throw std::runtime_error; bad input from outside returns nullopt or null.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/tls/openssl.hpp"

namespace mend::push::crypto {

using Pkey = tls::OpenSslPtr<EVP_PKEY>;
using tls::openssl_error;
// Throws std::runtime_error("push: <what>: <OpenSSL's errors>").
[[noreturn]] void fail(const std::string& what);

Pkey generate_p256();
// The uncompressed public point of a P-256 key (65 bytes).
std::string raw_public_key(EVP_PKEY* key);
// Null unless `raw` is an uncompressed point on P-256.
Pkey public_key_from_raw(std::string_view raw);
// A key pair from a 32-byte private scalar and its public point (test vectors give both).
Pkey key_pair_from_raw(std::string_view private_scalar, std::string_view public_point);
// Whether `key` is an EC key on P-256.
bool is_p256(EVP_PKEY* key);

// The ECDH shared secret (32 bytes, the x coordinate).
std::string ecdh(EVP_PKEY* own_private, EVP_PKEY* peer_public);
// RFC 5869, extract and expand.
std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info,
                        std::size_t length);
// Ciphertext followed by the 16-byte tag.
std::string aes128gcm_seal(std::string_view key, std::string_view nonce,
                           std::string_view plaintext);
// nullopt when the tag does not match.
std::optional<std::string> aes128gcm_open(std::string_view key, std::string_view nonce,
                                          std::string_view sealed);
std::string random_bytes(std::size_t n);

}  // namespace mend::push::crypto
