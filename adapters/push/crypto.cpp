#include "adapters/push/crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace mend::push::crypto {
namespace {

constexpr std::size_t kPointSize = 65;
constexpr std::size_t kTagSize = 16;

template <class T>
using Ptr = tls::OpenSslPtr<T>;

// OpenSSL takes byte buffers as unsigned char; the strings here hold bytes.
const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());  // NOLINT
}
unsigned char* bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());  // NOLINT
}
int length(std::string_view s) { return static_cast<int>(s.size()); }

constexpr char kCurve[] = "prime256v1";

Pkey from_params(OSSL_PARAM* params, int selection) {
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) fail("cannot make an EC key context");
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, selection, params) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  return Pkey(key);
}

}  // namespace

void fail(const std::string& what) {
  throw std::runtime_error("push: " + what + ": " + openssl_error());
}

Pkey generate_p256() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kCurve));
  if (!key) fail("cannot make a P-256 key");
  return key;
}

std::string raw_public_key(EVP_PKEY* key) {
  std::string out(kPointSize, '\0');
  std::size_t n = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, bytes(out),
                                      out.size(), &n) <= 0 ||
      n != kPointSize || out[0] != '\x04') {
    fail("cannot read the public point of a P-256 key");
  }
  return out;
}

Pkey public_key_from_raw(std::string_view raw) {
  if (raw.size() != kPointSize || raw[0] != '\x04') return nullptr;
  std::string point(raw);
  std::array<char, sizeof kCurve> curve{};
  std::memcpy(curve.data(), kCurve, sizeof kCurve);
  std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, curve.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  return from_params(params.data(), EVP_PKEY_PUBLIC_KEY);
}

Pkey key_pair_from_raw(std::string_view private_scalar, std::string_view public_point) {
  Ptr<BIGNUM> d(BN_bin2bn(bytes(private_scalar), length(private_scalar), nullptr));
  if (!d) fail("cannot read a private scalar");
  // OSSL_PARAM wants the scalar in native byte order.
  std::string native(32, '\0');
  if (BN_bn2nativepad(d.get(), bytes(native), length(native)) < 0) fail("bad private scalar");
  std::string point(public_point);
  std::array<char, sizeof kCurve> curve{};
  std::memcpy(curve.data(), kCurve, sizeof kCurve);
  std::array<OSSL_PARAM, 4> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, curve.data(), 0),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, bytes(native), native.size()),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  Pkey key = from_params(params.data(), EVP_PKEY_KEYPAIR);
  if (!key) fail("not a P-256 key pair");
  return key;
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> name{};
  return EVP_PKEY_is_a(key, "EC") != 0 &&
         EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(),
                                        nullptr) > 0 &&
         std::string_view(name.data()) == kCurve;
}

std::string ecdh(EVP_PKEY* own_private, EVP_PKEY* peer_public) {
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(own_private, nullptr));
  std::size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer_public) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &n) <= 0) {
    fail("ECDH failed");
  }
  std::string out(n, '\0');
  if (EVP_PKEY_derive(ctx.get(), bytes(out), &n) <= 0) fail("ECDH failed");
  out.resize(n);
  return out;
}

std::string hkdf_sha256(std::string_view salt, std::string_view ikm, std::string_view info,
                        std::size_t length_out) {
  Ptr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) fail("no HKDF in this OpenSSL");
  Ptr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) fail("cannot make an HKDF context");
  std::string s(salt);
  std::string k(ikm);
  std::string i(info);
  std::array<char, 7> digest{'S', 'H', 'A', '2', '5', '6', '\0'};
  std::array<OSSL_PARAM, 5> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, s.data(), s.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, k.data(), k.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, i.data(), i.size()),
      OSSL_PARAM_construct_end()};
  std::string out(length_out, '\0');
  if (EVP_KDF_derive(ctx.get(), bytes(out), out.size(), params.data()) <= 0) {
    fail("HKDF failed");
  }
  return out;
}

std::string aes128gcm_seal(std::string_view key, std::string_view nonce,
                           std::string_view plaintext) {
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, length(nonce), nullptr) <= 0 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) <= 0) {
    fail("cannot start AES-128-GCM");
  }
  std::string out(plaintext.size() + kTagSize, '\0');
  int n = 0;
  int total = 0;
  if (EVP_EncryptUpdate(ctx.get(), bytes(out), &n, bytes(plaintext), length(plaintext)) <= 0) {
    fail("AES-128-GCM failed");
  }
  total = n;
  if (EVP_EncryptFinal_ex(ctx.get(), bytes(out) + total, &n) <= 0) fail("AES-128-GCM failed");
  total += n;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          bytes(out) + total) <= 0) {
    fail("AES-128-GCM gave no tag");
  }
  out.resize(static_cast<std::size_t>(total) + kTagSize);
  return out;
}

std::optional<std::string> aes128gcm_open(std::string_view key, std::string_view nonce,
                                          std::string_view sealed) {
  if (sealed.size() < kTagSize) return std::nullopt;
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kTagSize);
  std::string tag(sealed.substr(ciphertext.size()));
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, length(nonce), nullptr) <= 0 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) <= 0) {
    fail("cannot start AES-128-GCM");
  }
  std::string out(ciphertext.size() + kTagSize, '\0');
  int n = 0;
  if (EVP_DecryptUpdate(ctx.get(), bytes(out), &n, bytes(ciphertext), length(ciphertext)) <= 0) {
    return std::nullopt;
  }
  int total = n;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          bytes(tag)) <= 0 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(out) + total, &n) <= 0) {
    ERR_clear_error();
    return std::nullopt;
  }
  total += n;
  out.resize(static_cast<std::size_t>(total));
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(bytes(out), static_cast<int>(n)) != 1) fail("no random bytes");
  return out;
}

}  // namespace mend::push::crypto
