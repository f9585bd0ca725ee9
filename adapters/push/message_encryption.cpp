#include "adapters/push/message_encryption.hpp"

#include <stdexcept>

#include "adapters/push/crypto.hpp"
#include "core/push.hpp"

namespace mend::push {
namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kPointSize = 65;
constexpr char kLastRecord = '\x02';  // RFC 8188: the delimiter of the final record

// RFC 8291 section 3.4: the input keying material from the ECDH secret, bound to both public
// keys and the subscription's auth secret; then RFC 8188's key and nonce from it and the salt.
struct Derived {
  std::string cek;
  std::string nonce;
};
Derived derive(std::string_view ecdh_secret, std::string_view auth_secret,
               std::string_view ua_public, std::string_view as_public, std::string_view salt) {
  std::string key_info("WebPush: info");
  key_info += '\0';
  key_info += ua_public;
  key_info += as_public;
  const std::string ikm = crypto::hkdf_sha256(auth_secret, ecdh_secret, key_info, 32);
  return Derived{
      crypto::hkdf_sha256(salt, ikm, std::string_view("Content-Encoding: aes128gcm\0", 28), 16),
      crypto::hkdf_sha256(salt, ikm, std::string_view("Content-Encoding: nonce\0", 24), 12)};
}

}  // namespace

std::string encrypt(std::string_view plaintext, std::string_view ua_public,
                    std::string_view auth_secret, const FixedEphemeral* fixed) {
  if (plaintext.size() > kMaxPlaintext) {
    throw std::invalid_argument("push: a message is at most " + std::to_string(kMaxPlaintext) +
                                " bytes");
  }
  const crypto::Pkey peer = crypto::public_key_from_raw(ua_public);
  if (!peer) throw std::invalid_argument("push: p256dh is not a P-256 public key");
  const crypto::Pkey own =
      fixed != nullptr ? crypto::key_pair_from_raw(fixed->private_scalar, fixed->public_point)
                       : crypto::generate_p256();
  const std::string as_public = crypto::raw_public_key(own.get());
  const std::string salt = fixed != nullptr ? fixed->salt : crypto::random_bytes(kSaltSize);
  const Derived d =
      derive(crypto::ecdh(own.get(), peer.get()), auth_secret, ua_public, as_public, salt);

  std::string padded(plaintext);
  padded += kLastRecord;
  std::string body = salt;
  const auto rs = static_cast<std::uint32_t>(kRecordSize);
  body += static_cast<char>((rs >> 24) & 0xff);
  body += static_cast<char>((rs >> 16) & 0xff);
  body += static_cast<char>((rs >> 8) & 0xff);
  body += static_cast<char>(rs & 0xff);
  body += static_cast<char>(as_public.size());
  body += as_public;
  body += crypto::aes128gcm_seal(d.cek, d.nonce, padded);
  return body;
}

Decrypted decrypt(std::string_view body, EVP_PKEY* ua_private, std::string_view auth_secret) {
  const std::size_t fixed_header = kSaltSize + 4 + 1;
  if (body.size() < fixed_header) return {std::nullopt, "shorter than the aes128gcm header"};
  const std::string_view salt = body.substr(0, kSaltSize);
  std::uint32_t rs = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    rs = (rs << 8) | static_cast<unsigned char>(body[kSaltSize + i]);
  }
  const auto idlen = static_cast<unsigned char>(body[kSaltSize + 4]);
  if (idlen != kPointSize) return {std::nullopt, "the key id is not a P-256 public key"};
  if (body.size() < fixed_header + idlen) return {std::nullopt, "the header is cut short"};
  const std::string_view as_public = body.substr(fixed_header, idlen);
  const std::string_view record = body.substr(fixed_header + idlen);
  if (rs < 18 || record.size() > rs) return {std::nullopt, "more than one record"};
  const crypto::Pkey sender = crypto::public_key_from_raw(as_public);
  if (!sender) return {std::nullopt, "the key id is not a point on P-256"};
  const std::string ua_public = crypto::raw_public_key(ua_private);
  const Derived d =
      derive(crypto::ecdh(ua_private, sender.get()), auth_secret, ua_public, as_public, salt);
  auto padded = crypto::aes128gcm_open(d.cek, d.nonce, record);
  if (!padded) return {std::nullopt, "the record does not decrypt (wrong keys or altered)"};
  while (!padded->empty() && padded->back() == '\0') padded->pop_back();
  if (padded->empty() || padded->back() != kLastRecord) {
    return {std::nullopt, "the record does not end with the final-record delimiter"};
  }
  padded->pop_back();
  return {std::move(*padded), {}};
}

}  // namespace mend::push
